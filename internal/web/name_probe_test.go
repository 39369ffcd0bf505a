// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"vigil/internal/app"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestRegisterNameTaken: registering the name of a registered
// organisation answers as a new name does, on the page and the API, and
// the registrant reads the name it gave; the analysts' pending page and
// API list, for each waiting organisation, the registered ones whose
// names read alike (page in en and nl), and an analyst cannot approve one
// under another's exact name (409, nothing changed) until it is renamed.
func TestRegisterNameTaken(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		A, B := e.orgs[0], e.orgs[1]
		loc := regexp.MustCompile(`^/orgs/(\d+)/registry\?msg=register\.done$`)
		register := func(name, asset string) (int64, int) {
			t.Helper()
			rec := e.page(preq{method: http.MethodPost, path: "/register", as: asMemberA, form: url.Values{"name": {name}, "country": {"NL"}, "asset": {asset}}})
			m := loc.FindStringSubmatch(rec.Header().Get("Location"))
			if m == nil {
				t.Fatalf("register %q: %d %q %.300s", name, rec.Code, rec.Header().Get("Location"), rec.Body)
			}
			var id int64
			fmt.Sscan(m[1], &id)
			return id, rec.Code
		}
		taken, codeTaken := register(A.Name, "impostor-one.example")
		fresh, codeFresh := register("Zuiderzee Logistiek B.V.", "zuiderzee-logistiek.example")
		alike, _ := register(strings.ToUpper(A.Name)+" B.V.", "impostor-two.example")
		if codeTaken != codeFresh {
			t.Errorf("a taken name answers %d, a new one %d", codeTaken, codeFresh)
		}
		rec := e.page(preq{method: http.MethodGet, path: fmt.Sprintf("/orgs/%d/registry", taken), as: asMemberA})
		if body := wantPage(t, rec, http.StatusOK); !strings.Contains(body, html.EscapeString(A.Name)) {
			t.Errorf("the registrant does not read the name it gave, %q: %.1500s", A.Name, body)
		}

		// The API: the same status and the name as given, taken or not
		// (from another account: one may have MaxOpenRegistrations
		// waiting).
		creds := fmt.Sprintf(`"account":{"email":%q,"password":%q}`, e.users[asMemberB].Email, testPassword)
		for _, c := range []struct{ name, asset string }{{B.Name, "impostor-three.example"}, {"Hanzehaven Stevedoring", "hanzehaven.example"}} {
			rec := e.send(req{method: http.MethodPost, path: "/api/v1/register", body: fmt.Sprintf(`{%s,"name":%q,"country":"NL","asset":%q}`, creds, c.name, c.asset)})
			var o struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			}
			if rec.Code != http.StatusCreated || json.Unmarshal(rec.Body.Bytes(), &o) != nil || o.Name != c.name {
				t.Errorf("API registration of %q: %d %s", c.name, rec.Code, rec.Body)
			}
		}

		// The analysts see the lookalikes, on the API and the page.
		rec = e.send(req{method: http.MethodGet, path: "/api/v1/pending", token: tokOp})
		var aps app.Approvals
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &aps) != nil {
			t.Fatalf("pending: %d %s", rec.Code, rec.Body)
		}
		got := map[int64][]int64{}
		for _, p := range aps.Pending {
			for _, l := range p.Lookalikes {
				got[p.Org.ID] = append(got[p.Org.ID], l.ID)
			}
		}
		for id, want := range map[int64]int64{taken: A.ID, alike: A.ID} {
			found := false
			for _, l := range got[id] {
				found = found || l == want
			}
			if !found {
				t.Errorf("pending organisation %d: lookalikes %v, want %d among them", id, got[id], want)
			}
		}
		if len(got[fresh]) != 0 {
			t.Errorf("a new name has lookalikes: %v", got[fresh])
		}
		for lang, want := range map[string]string{"en": "Name reads as:", "nl": "Naam lijkt op:"} {
			rec := e.page(preq{method: http.MethodGet, path: "/analyst/pending", as: asAnalyst, header: map[string]string{"Accept-Language": lang}})
			body := wantPage(t, rec, http.StatusOK)
			if !strings.Contains(body, want) || !strings.Contains(body, fmt.Sprintf(`<a href="/orgs/%d/registry">%s</a> (%d)`, A.ID, html.EscapeString(A.Name), A.ID)) {
				t.Errorf("%s: the pending page does not show the lookalike %q: %.3000s", lang, A.Name, body)
			}
		}

		// Not approved under another's exact name; after a rename it is.
		count := func() int {
			var n int
			if err := st.QueryRow(ctx, `SELECT count(*) FROM org_pending`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := count()
		for lang, want := range map[string]string{"en": "another organisation has this name", "nl": "een andere organisatie heeft deze naam"} {
			rec = e.page(preq{method: http.MethodPost, path: fmt.Sprintf("/analyst/pending/%d/approve", taken), as: asAnalyst, header: map[string]string{"Accept-Language": lang}})
			if body := wantPage(t, rec, http.StatusConflict); !strings.Contains(body, want) || !strings.Contains(body, fmt.Sprintf(`id="approve-%d-err"`, taken)) {
				t.Errorf("%s: the refused approval does not say why beside its button: %.3000s", lang, body)
			}
		}
		wantProblem(t, e.send(req{method: http.MethodPost, path: fmt.Sprintf("/api/v1/orgs/%d/approve", taken), token: tokOp}), http.StatusConflict, "name")
		if n := count(); n != before {
			t.Errorf("a refused approval changed the waits: %d, then %d", before, n)
		}
		if rec := e.send(req{method: http.MethodPatch, path: fmt.Sprintf("/api/v1/orgs/%d", taken), token: tokOp, body: `{"name":"Impostor Trading"}`}); rec.Code != http.StatusOK {
			t.Fatalf("rename: %d %s", rec.Code, rec.Body)
		}
		if rec := e.send(req{method: http.MethodPost, path: fmt.Sprintf("/api/v1/orgs/%d/approve", taken), token: tokOp}); rec.Code != http.StatusNoContent {
			t.Errorf("approve after the rename: %d %s", rec.Code, rec.Body)
		}
	})
}
