// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"vigil/internal/account"
	"vigil/internal/keyset"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestRemoveMember: the registry page lists the organisation's members
// with a Remove button; removing one is audited with the membership
// before and ends that account's access at once (its next request for the
// organisation is 404, as for one it never belonged to); the last member
// is refused beside its row in both languages, with nothing written.
func TestRemoveMember(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newPageEnv(t, st)
		A := e.orgs[0]
		maker := e.users[asMakerA]
		registryPath := fmt.Sprintf("/orgs/%d/registry", A.ID)
		products := fmt.Sprintf("/orgs/%d/products", A.ID)
		remove := func(as string, uid int64, lang string) *httptest.ResponseRecorder {
			return e.page(preq{method: http.MethodPost, path: fmt.Sprintf("/orgs/%d/members/%d/delete", A.ID, uid), as: as,
				header: map[string]string{"Accept-Language": lang}})
		}

		page := wantPage(t, e.page(preq{method: http.MethodGet, path: registryPath, as: asMemberA}), http.StatusOK)
		for _, want := range []string{"membera@portal.example", "makera@portal.example", fmt.Sprintf(`action="/orgs/%d/members/%d/delete"`, A.ID, maker.ID)} {
			if !strings.Contains(page, want) {
				t.Errorf("the registry page lacks %q", want)
			}
		}
		wantPage(t, e.page(preq{method: http.MethodGet, path: products, as: asMakerA}), http.StatusOK)

		wantPage(t, remove(asMemberA, maker.ID, "en"), http.StatusSeeOther)
		wantPage(t, e.page(preq{method: http.MethodGet, path: products, as: asMakerA}), http.StatusNotFound)
		wantPage(t, remove(asMemberA, maker.ID, "en"), http.StatusNotFound)
		last, err := st.AuditList(ctx, keyset.Page{Limit: 1})
		if err != nil || len(last) != 1 {
			t.Fatalf("audit: %v %v", last, err)
		}
		var before account.Member
		if e := last[0]; e.Action != "member.remove" || e.OrgID != A.ID || e.Actor != "membera@portal.example" || json.Unmarshal(e.Before, &before) != nil ||
			before != (account.Member{UserID: maker.ID, Name: maker.Name, Email: maker.Email, Role: account.RoleMaker}) {
			t.Errorf("audit entry = %+v (before %+v)", e, before)
		}

		// Down to one member: the last is refused, in either language.
		ms, err := e.srv.app.Members(ctx, tenant.Org(A.ID), A.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.Email != "membera@portal.example" {
				wantPage(t, remove(asMemberA, m.UserID, "en"), http.StatusSeeOther)
			}
		}
		self := e.users[asMemberA].ID
		entries := auditCount(t, st)
		for lang, text := range map[string]string{"en": "last member", "nl": "laatste lid"} {
			body := wantPage(t, remove(asMemberA, self, lang), http.StatusConflict)
			if !strings.Contains(body, fmt.Sprintf(`id="member-%d-err"`, self)) || !strings.Contains(body, text) {
				t.Errorf("%s: the refusal does not show %q beside the member:\n%s", lang, text, body)
			}
		}
		if n := auditCount(t, st); n != entries {
			t.Errorf("a refused removal wrote %d audit entries", n-entries)
		}
		if ms, err := e.srv.app.Members(ctx, tenant.Org(A.ID), A.ID); err != nil || len(ms) != 1 {
			t.Errorf("members after the refusal: %v %v", ms, err)
		}
		wantPage(t, e.page(preq{method: http.MethodGet, path: registryPath, as: asMemberA}), http.StatusOK)
	})
}

func auditCount(t *testing.T, st *store.Store) int {
	t.Helper()
	es, err := st.AuditList(context.Background(), keyset.Page{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}
