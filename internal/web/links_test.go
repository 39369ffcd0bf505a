// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"vigil/internal/notify"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestOptOutLinkPage drives the opt-out link of a warning through the
// portal: opening it (GET or HEAD, as a mail scanner does) opts nobody
// out, a mail client's RFC 8058 one-click POST (no cookie, no form token)
// does, and a forged token is 404.
func TestOptOutLinkPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		key, err := st.SettingSecret(ctx, notify.AckKeySetting)
		if err != nil {
			t.Fatal(err)
		}
		const addr = "abuse@hosting.example"
		path := notify.OptOutPath + notify.OptOutToken(key, addr)
		for _, m := range []string{http.MethodGet, http.MethodHead} {
			rec := e.send(req{method: m, path: path})
			wantStatus(t, rec, http.StatusOK)
			if m == http.MethodGet && !strings.Contains(rec.Body.String(), addr) {
				t.Errorf("opt-out page does not name the address: %s", rec.Body.String())
			}
			if how, _ := st.AddressSuppressed(ctx, addr); how != "" {
				t.Fatalf("%s opted %s out (%q); only a POST may", m, addr, how)
			}
		}
		wantStatus(t, e.send(req{method: http.MethodPost, path: path + "x", body: "List-Unsubscribe=One-Click",
			ctype: "application/x-www-form-urlencoded"}), http.StatusNotFound)
		if how, _ := st.AddressSuppressed(ctx, addr); how != "" {
			t.Fatalf("a forged token opted %s out (%q)", addr, how)
		}
		wantStatus(t, e.send(req{method: http.MethodPost, path: path, body: "List-Unsubscribe=One-Click",
			ctype: "application/x-www-form-urlencoded"}), http.StatusOK)
		if how, _ := st.AddressSuppressed(ctx, addr); how != notify.SuppressLink {
			t.Errorf("after the one-click POST: suppressed %q, want %q", how, notify.SuppressLink)
		}
	})
}
