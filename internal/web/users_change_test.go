// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"vigil/internal/account"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/store/storetest/pageseed"
)

// TestUserRoleAndDisable changes roles and disables and enables accounts
// from the accounts page: a change takes effect on the next request, a
// disabled account cannot sign in and its session and reset link are gone,
// and refusals (the last administrator, oneself) name their field and
// change nothing.
func TestUserRoleAndDisable(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		admin, analyst, member, maker := e.users[asAdmin], e.users[asAnalyst], e.users[asMemberA], e.users[pageseed.MakerA]
		audits := func() int {
			var n int
			if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'user.%' AND action <> 'user.create'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		post := func(path string, form url.Values) *httptest.ResponseRecorder {
			return e.page(preq{method: "POST", path: path, as: asAdmin, form: form})
		}

		// Refusals first: each names its field beside the account's row and
		// writes nothing.
		n := audits()
		for _, tc := range []struct {
			name, path string
			form       url.Values
			field      string
		}{
			{"demote_last_admin", fmt.Sprintf("/admin/users/%d/role", admin.ID), url.Values{"role": {"member"}}, fmt.Sprintf("role-%d", admin.ID)},
			{"disable_self", fmt.Sprintf("/admin/users/%d/disable", admin.ID), url.Values{}, fmt.Sprintf("user-%d", admin.ID)},
			{"role_maker", fmt.Sprintf("/admin/users/%d/role", member.ID), url.Values{"role": {"maker"}}, fmt.Sprintf("role-%d", member.ID)},
			{"role_unknown", fmt.Sprintf("/admin/users/%d/role", member.ID), url.Values{"role": {"root"}}, fmt.Sprintf("role-%d", member.ID)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body := wantPage(t, post(tc.path, tc.form), http.StatusUnprocessableEntity)
				if !strings.Contains(body, `role="alert"`) || !strings.Contains(body, `href="#`+tc.field+`"`) ||
					!strings.Contains(body, `id="`+tc.field+`-err"`) || !strings.Contains(body, `id="`+tc.field+`"`) {
					t.Errorf("the page does not name field %s visibly:\n%s", tc.field, body)
				}
			})
		}
		if got := audits(); got != n {
			t.Errorf("%d audit entries after refusals; want %d", got, n)
		}
		if u, err := st.UserGet(ctx, admin.ID); err != nil || u.Role != account.RoleAdmin || u.Disabled {
			t.Errorf("administrator after refusals = %+v, %v", u, err)
		}
		if u, err := st.UserGet(ctx, member.ID); err != nil || u.Role != "" || len(u.Memberships) != 1 {
			t.Errorf("member after refusals = %+v, %v", u, err)
		}
		wantPage(t, e.page(preq{method: "GET", path: "/admin/users", as: asAdmin}), http.StatusOK)

		// An analyst made member loses the analyst pages at once.
		wantPage(t, e.page(preq{method: "GET", path: "/analyst", as: asAnalyst}), http.StatusOK)
		wantPage(t, post(fmt.Sprintf("/admin/users/%d/role", analyst.ID), url.Values{"role": {"member"}}), http.StatusSeeOther)
		wantPage(t, e.page(preq{method: "GET", path: "/analyst", as: asAnalyst}), http.StatusForbidden)

		// A maker made analyst, without a second factor, is signed out and
		// must enrol one at the next sign-in; memberships stay.
		wantPage(t, post(fmt.Sprintf("/admin/users/%d/role", maker.ID), url.Values{"role": {"analyst"}}), http.StatusSeeOther)
		if loc := e.page(preq{method: "GET", path: "/account", as: pageseed.MakerA}).Header().Get("Location"); !strings.HasPrefix(loc, "/login") {
			t.Errorf("the promoted maker's old session goes to %q; want the sign-in", loc)
		}
		if l, err := e.srv.accounts.Login(ctx, maker.Email, testPassword); err != nil || !l.NeedEnrol {
			t.Errorf("promoted maker's sign-in = %+v, %v; want enrolment", l, err)
		}
		if u, err := st.UserGet(ctx, maker.ID); err != nil || u.Role != account.RoleAnalyst || len(u.Memberships) != 1 || u.Memberships[0].Role != account.RoleMaker {
			t.Errorf("promoted maker = %+v, %v", u, err)
		}

		// A disabled member cannot sign in; the session and an unused
		// reset link are gone. Enabled again, the member signs in.
		_, resetLink, err := e.srv.accounts.RequestReset(ctx, member.Email)
		if err != nil {
			t.Fatal(err)
		}
		wantPage(t, post(fmt.Sprintf("/admin/users/%d/disable", member.ID), url.Values{}), http.StatusSeeOther)
		if loc := e.page(preq{method: "GET", path: "/account", as: asMemberA}).Header().Get("Location"); !strings.HasPrefix(loc, "/login") {
			t.Errorf("the disabled member's session goes to %q; want the sign-in", loc)
		}
		var sessions int
		if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM sessions WHERE user_id = ?`, member.ID).Scan(&sessions); err != nil || sessions != 0 {
			t.Errorf("%d sessions of the disabled member (%v)", sessions, err)
		}
		if _, err := e.srv.accounts.Login(ctx, member.Email, testPassword); err == nil {
			t.Error("a disabled member signed in")
		}
		if _, err := e.srv.accounts.Reset(ctx, resetLink, "a brand new password"); err == nil {
			t.Error("the reset link of a disabled member still works")
		}
		body := wantPage(t, e.page(preq{method: "GET", path: "/admin/users?msg=users.changed", as: asAdmin}), http.StatusOK)
		if !strings.Contains(body, fmt.Sprintf(`action="/admin/users/%d/enable"`, member.ID)) {
			t.Errorf("the accounts page offers no enable button for the disabled member:\n%s", body)
		}
		wantPage(t, post(fmt.Sprintf("/admin/users/%d/enable", member.ID), url.Values{}), http.StatusSeeOther)
		if _, err := e.srv.accounts.Login(ctx, member.Email, testPassword); err != nil {
			t.Errorf("the enabled member cannot sign in: %v", err)
		}

		// Each change left an entry with the account before and after.
		var before, after string
		if err := st.QueryRow(ctx, `SELECT before_json, after_json FROM audit_log WHERE action = 'user.disable' AND object = ?`, fmt.Sprintf("user %d", member.ID)).Scan(&before, &after); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(before, `"disabled":true`) || !strings.Contains(after, `"disabled":true`) {
			t.Errorf("audit of the disable: before %s, after %s", before, after)
		}
		if got := audits(); got != n+4 {
			t.Errorf("%d audit entries of account changes; want %d", got, n+4)
		}
	})
}
