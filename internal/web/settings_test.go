// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestSettingsPage closes and reopens self-service sign-up on the
// administrators' settings page: the sign-up page follows at once, each
// change is audited with the value before and after, saving without a
// change writes nothing, a value that is not a ticked box is refused naming
// the field, and staff who are not administrators never reach the page.
func TestSettingsPage(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		audits := func() (n int) {
			t.Helper()
			if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'settings.change'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}

		body := wantPage(t, e.page(preq{method: http.MethodGet, path: "/admin/settings", as: asAdmin}), http.StatusOK)
		if !strings.Contains(body, `id="signup_open" name="signup_open" checked`) {
			t.Errorf("sign-up is not shown open by default: %s", body)
		}
		if body := wantPage(t, e.page(preq{method: http.MethodGet, path: "/admin/settings", as: asAdmin, header: map[string]string{"Accept-Language": "nl"}}), http.StatusOK); !strings.Contains(body, "Iedereen mag zich aanmelden") {
			t.Errorf("the Dutch settings page: %s", body)
		}
		for _, as := range []string{asAnalyst, asMemberA} {
			wantPage(t, e.page(preq{method: http.MethodGet, path: "/admin/settings", as: as}), http.StatusForbidden)
		}

		// Unticked: sign-up closes, on the page and in the API.
		rec := e.page(preq{method: http.MethodPost, path: "/admin/settings", as: asAdmin, form: url.Values{}})
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/admin/settings?msg=settings.saved" {
			t.Fatalf("saving = %d %s", rec.Code, rec.Header().Get("Location"))
		}
		if body := wantPage(t, e.page(preq{method: http.MethodGet, path: "/admin/settings?msg=settings.saved", as: asAdmin}), http.StatusOK); strings.Contains(body, "signup_open\" checked") || !strings.Contains(body, "The settings were saved.") {
			t.Errorf("after closing: %s", body)
		}
		if body := wantPage(t, e.page(preq{method: http.MethodGet, path: "/signup", as: asAnon}), http.StatusOK); !strings.Contains(body, "closed") {
			t.Errorf("the sign-up page after closing: %s", body)
		}
		if n := audits(); n != 1 {
			t.Errorf("%d settings audit entries after one change", n)
		}
		var before, after string
		if err := st.QueryRow(ctx, `SELECT before_json, after_json FROM audit_log WHERE action = 'settings.change'`).Scan(&before, &after); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(before, `"signup_open":true`) || !strings.Contains(after, `"signup_open":false`) {
			t.Errorf("audit before %s, after %s", before, after)
		}

		// The same again changes nothing and writes nothing.
		e.page(preq{method: http.MethodPost, path: "/admin/settings", as: asAdmin, form: url.Values{}})
		if n := audits(); n != 1 {
			t.Errorf("%d settings audit entries after saving without a change", n)
		}

		// A value no checkbox sends: refused on its field, nothing written.
		body = wantPage(t, e.page(preq{method: http.MethodPost, path: "/admin/settings", as: asAdmin, form: url.Values{"signup_open": {"yes please"}}}), http.StatusUnprocessableEntity)
		if !strings.Contains(body, `href="#signup_open"`) || !strings.Contains(body, `aria-describedby="signup_open-err"`) {
			t.Errorf("the refused value is not shown on its field: %s", body)
		}
		if v, err := st.SettingGet(ctx, "signup.open"); err != nil || v != "false" {
			t.Errorf("after a refused value the setting is %q (%v)", v, err)
		}

		// Ticked: open again.
		e.page(preq{method: http.MethodPost, path: "/admin/settings", as: asAdmin, form: url.Values{"signup_open": {"on"}}})
		if body := wantPage(t, e.page(preq{method: http.MethodGet, path: "/signup", as: asAnon}), http.StatusOK); !strings.Contains(body, `name="password"`) {
			t.Errorf("the sign-up page after reopening shows no form: %s", body)
		}
		if n := audits(); n != 2 {
			t.Errorf("%d settings audit entries after two changes", n)
		}
	})
}
