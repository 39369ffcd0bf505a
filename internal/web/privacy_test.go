// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vigil/internal/keyset"
	"vigil/internal/privacy"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestPrivacyPage: an administrator looks up a contact by address, sees
// what is held per kind, downloads the export (a JSON attachment, the
// same document as the API's), is refused an erasure whose confirmation
// does not repeat the address (named on the field, nothing erased), then
// erases; each lookup, download and erasure is in the audit log under a
// digest of the address, never the address; an analyst gets 403.
func TestPrivacyPage(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		A := e.orgs[0]
		addr := A.Contacts[0].Email
		contacts := func() int {
			cs, err := st.ContactList(ctx, tenant.Org(A.ID))
			if err != nil {
				t.Fatal(err)
			}
			return len(cs)
		}
		wantPage(t, e.page(preq{method: "GET", path: "/admin/privacy?contact=" + url.QueryEscape(addr), as: asAnalyst}), http.StatusForbidden)
		body := wantPage(t, e.page(preq{method: "GET", path: "/admin/privacy?contact=" + url.QueryEscape(" "+strings.ToUpper(addr)), as: asAdmin}), http.StatusOK)
		if !strings.Contains(body, A.Name) || !strings.Contains(body, `id="erase-form"`) || !strings.Contains(body, `href="/admin/privacy/export.json?contact=`) {
			t.Errorf("the lookup does not show what is held: %s", body)
		}
		body = wantPage(t, e.page(preq{method: "GET", path: "/admin/privacy?contact=not-an-address", as: asAdmin}), http.StatusUnprocessableEntity)
		if !strings.Contains(body, `aria-describedby="contact-err"`) {
			t.Errorf("a bad address is not refused on its field: %s", body)
		}
		rec := e.page(preq{method: "GET", path: "/admin/privacy/export.json?contact=" + url.QueryEscape(addr), as: asAdmin})
		wantPage(t, rec, http.StatusOK)
		var ex privacy.Export
		if err := json.Unmarshal(rec.Body.Bytes(), &ex); err != nil || ex.Email != addr || len(ex.Contacts) == 0 {
			t.Errorf("export = %+v, %v", ex, err)
		}
		if h := rec.Header(); h.Get("Content-Type") != "application/json" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") ||
			strings.Contains(h.Get("Content-Disposition"), "@") {
			t.Errorf("export headers = %v", h)
		}
		before := contacts()
		body = wantPage(t, e.page(preq{method: "POST", path: "/admin/privacy/erase", as: asAdmin, form: url.Values{"contact": {addr}, "confirm": {"someone@else.example"}}}), http.StatusUnprocessableEntity)
		if !strings.Contains(body, `aria-describedby="confirm-err"`) || !strings.Contains(body, `href="#confirm"`) {
			t.Errorf("a wrong confirmation is not refused on its field: %s", body)
		}
		if contacts() != before {
			t.Fatal("a refused erasure erased")
		}
		body = wantPage(t, e.page(preq{method: "POST", path: "/admin/privacy/erase", as: asAdmin, form: url.Values{"contact": {addr}, "confirm": {strings.ToUpper(addr)}}}), http.StatusOK)
		if !strings.Contains(body, `id="erased"`) || !strings.Contains(body, "@erased.invalid") {
			t.Errorf("the erasure's result is not shown: %s", body)
		}
		if contacts() != before-1 {
			t.Errorf("contacts of A: %d; want %d", contacts(), before-1)
		}
		entries, err := st.AuditList(ctx, keyset.Page{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, a := range entries {
			if strings.Contains(a.Object+a.Detail, addr) {
				t.Errorf("the audit log names the address: %+v", a)
			}
			if strings.HasPrefix(a.Action, "privacy.") && a.Object == privacy.Ref(addr) && a.Actor == "admin@portal.example" {
				actions = append(actions, a.Action)
			}
		}
		if got := strings.Join(actions, " "); got != "privacy.erase privacy.export privacy.export privacy.export" {
			t.Errorf("audit entries of the address = %q", got)
		}
	})
}
