// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vigil/internal/notify"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
	"vigil/internal/ticket"
	"vigil/internal/verify"
)

// TestVerifyEnumeration guesses tickets and codes the way an attacker
// would: every unknown ticket gets the same answer whatever its form, the
// ticket alone reveals nothing of the findings, a wrong code reveals no
// more than no code, and one client address is cut off after a burst,
// whatever it asks.
func TestVerifyEnumeration(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st)
		stopLimitClocks(e.srv)
		seedNotices(t, e)
		A := e.orgs[0]
		n, err := st.NoticeGet(ctx, tenant.Operator(), e.notices[A.ID])
		if err != nil {
			t.Fatal(err)
		}
		key, err := st.SettingSecret(ctx, ticket.KeySetting)
		if err != nil {
			t.Fatal(err)
		}
		code := ticket.AccessCode(key, n.Ticket)
		client := 0
		fresh := func() string { client++; return fmt.Sprintf("10.0.%d.%d:4000", client/250, client%250+1) }
		api := func(from, tk, code string) (int, []byte) {
			b, _ := json.Marshal(VerifyInput{Ticket: tk, Code: code})
			rec := e.send(req{method: "POST", path: "/api/v1/verify", body: string(b), from: from})
			return rec.Code, rec.Body.Bytes()
		}
		page := func(from, tk, code string) (int, string) {
			rec := e.send(req{method: "POST", path: "/verify", body: url.Values{"ticket": {tk}, "code": {code}}.Encode(),
				ctype: "application/x-www-form-urlencoded", from: from})
			return rec.Code, rec.Body.String()
		}

		// 300 guessed tickets (random, malformed, near the real one), each
		// from a fresh address: all 404 with the very same body.
		r := rand.New(rand.NewPCG(7, 7))
		var guesses []string
		for range 250 {
			var b [5]byte
			for i := range b {
				b[i] = byte(r.Uint32())
			}
			tk, _ := ticket.New(bytes.NewReader(b[:]))
			guesses = append(guesses, string(tk))
		}
		real := string(n.Ticket)
		for i := range 8 {
			near := []byte(real)
			pos := 4 + i%4 + (i/4)*5
			near[pos] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"[(strings.IndexByte("0123456789ABCDEFGHJKMNPQRSTVWXYZ", near[pos])+1)%32]
			guesses = append(guesses, string(near))
		}
		guesses = append(guesses, "", "VGL", "VGL-", real+"X", real[:len(real)-1], "vgl-uuuu-uuuu", "<script>", strings.Repeat("A", 1000))
		var first []byte
		for _, g := range guesses {
			status, body := api(fresh(), g, string(code))
			if status != http.StatusNotFound {
				t.Fatalf("guess %q: status %d %s", g, status, body)
			}
			body = bytes.ReplaceAll(body, []byte(g), nil) // the instance path is the same; no echo of the guess either
			if first == nil {
				first = body
			} else if !bytes.Equal(first, body) {
				t.Fatalf("guess %q answered differently:\n%s\n%s", g, body, first)
			}
			if status, html := page(fresh(), g, ""); status != http.StatusNotFound || strings.Contains(html, "Genuine") {
				t.Fatalf("page guess %q: %d", g, status)
			}
		}

		// The ticket alone and with a wrong code: the same facts, no
		// findings, no organisation.
		secrets := []string{A.Name, "198.51.100.200", "seeded", "vulnerable-system", "scan_exchange"}
		for _, c := range []string{"", "AAAAA-AAAAA", string(code[:9]) + "0"} {
			status, body := api(fresh(), real, c)
			if status != http.StatusOK || !strings.Contains(string(body), `"genuine":true`) || strings.Contains(string(body), `"notice"`) {
				t.Errorf("ticket with code %q: %d %s", c, status, body)
			}
			_, html := page(fresh(), strings.ToLower(real), c)
			for _, sec := range secrets {
				if strings.Contains(string(body), sec) || strings.Contains(html, sec) {
					t.Errorf("ticket with code %q reveals %q", c, sec)
				}
			}
			if c != "" && !strings.Contains(html, "does not match") {
				t.Errorf("page does not say that code %q is wrong", c)
			}
			if c != "" && strings.Contains(html, c) {
				t.Errorf("page echoes the code %q", c)
			}
		}

		// With the code, typed loosely: everything.
		status, body := api(fresh(), strings.ToLower(real), strings.ToLower(strings.ReplaceAll(string(code), "-", " ")))
		var res verify.Result
		if err := json.Unmarshal(body, &res); status != http.StatusOK || err != nil || !res.CodeValid || res.Notice == nil {
			t.Fatalf("ticket and code: %d %s", status, body)
		}
		doc, _ := json.Marshal(res.Notice)
		if err := notify.ValidateDocument(doc); err != nil {
			t.Error(err)
		}
		_, html := page(fresh(), real, string(code))
		for _, sec := range secrets[:4] {
			if !strings.Contains(string(body), sec) || !strings.Contains(html, sec) {
				t.Errorf("ticket and code do not show %q", sec)
			}
		}

		// One address: a burst, then 429 for everything, the right ticket
		// and code included, on the API and the page alike.
		one := "198.51.100.99:5555"
		for i := range verifyBurst {
			if status, _ := api(one, guesses[i], ""); status != http.StatusNotFound {
				t.Fatalf("lookup %d within the burst: %d", i, status)
			}
		}
		if status, body := api(one, real, string(code)); status != http.StatusTooManyRequests || strings.Contains(string(body), "genuine") {
			t.Errorf("lookup after the burst: %d %s", status, body)
		}
		if status, _ := page(one, real, string(code)); status != http.StatusTooManyRequests {
			t.Errorf("page after the burst: %d", status)
		}
		// Showing the empty form is not a lookup.
		if rec := e.send(req{method: "GET", path: "/verify", from: one}); rec.Code != http.StatusOK {
			t.Errorf("GET /verify after the burst: %d", rec.Code)
		}
	})
}
