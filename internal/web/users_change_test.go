// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/pquerna/otp/totp"

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

// TestUserTOTPReset resets lost second factors from the accounts page: an
// analyst's and a member's (who had enrolled one by choice). Each is signed
// out, must enrol a new factor after the password at the next sign-in, and
// enrolling one ends that demand; each reset is audited without the secret.
// An administrator's reset of their own factor is refused beside their row
// and changes nothing.
func TestUserTOTPReset(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		admin, analyst, member := e.users[asAdmin], e.users[asAnalyst], e.users[asMemberA]
		const secret = "JBSWY3DPEHPK3PXP"
		for _, u := range []account.User{admin, analyst, member} {
			if err := st.UserSetTOTP(ctx, u.ID, secret); err != nil {
				t.Fatal(err)
			}
		}
		audits := func() int {
			var n int
			if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'user.totp_reset'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		post := func(id int64) *httptest.ResponseRecorder {
			return e.page(preq{method: "POST", path: fmt.Sprintf("/admin/users/%d/totp/reset", id), as: asAdmin, form: url.Values{}})
		}

		field := fmt.Sprintf("totp-%d", admin.ID)
		body := wantPage(t, post(admin.ID), http.StatusUnprocessableEntity)
		if !strings.Contains(body, `href="#`+field+`"`) || !strings.Contains(body, `id="`+field+`-err"`) || !strings.Contains(body, `id="`+field+`"`) {
			t.Errorf("the refusal of one's own reset does not name field %s visibly:\n%s", field, body)
		}
		if u, err := st.UserGet(ctx, admin.ID); err != nil || !u.TOTP || u.TOTPEnrol || audits() != 0 {
			t.Errorf("administrator after refusing their own reset = %+v, %v, %d audit entries", u, err, audits())
		}
		wantPage(t, e.page(preq{method: "GET", path: "/admin/users", as: asAdmin}), http.StatusOK)

		for _, c := range []struct {
			as   string
			user account.User
		}{{asAnalyst, analyst}, {asMemberA, member}} {
			t.Run(c.as, func(t *testing.T) {
				wantPage(t, post(c.user.ID), http.StatusSeeOther)
				if loc := e.page(preq{method: "GET", path: "/account", as: c.as}).Header().Get("Location"); !strings.HasPrefix(loc, "/login") {
					t.Errorf("the old session goes to %q; want the sign-in", loc)
				}
				u, err := st.UserGet(ctx, c.user.ID)
				if err != nil || u.TOTP || !u.TOTPEnrol {
					t.Fatalf("after the reset = %+v, %v; want no factor, one to enrol", u, err)
				}
				if !strings.Contains(wantPage(t, e.page(preq{method: "GET", path: "/admin/users", as: asAdmin}), http.StatusOK), "to enrol at the next sign-in") {
					t.Error("the accounts page does not say the account enrols at its next sign-in")
				}
				l, err := e.srv.accounts.Login(ctx, c.user.Email, testPassword)
				if err != nil || l.NeedTOTP || !l.NeedEnrol || l.Session.Verified {
					t.Fatalf("sign-in after the reset = %+v, %v; want enrolment first", l, err)
				}
				code, err := totp.GenerateCode(secret, fixedNow())
				if err != nil {
					t.Fatal(err)
				}
				if _, err := e.srv.accounts.Enrol(ctx, l.Session, secret, code); err != nil {
					t.Fatalf("enrolling again: %v", err)
				}
				if u, err := st.UserGet(ctx, c.user.ID); err != nil || !u.TOTP || u.TOTPEnrol {
					t.Errorf("after enrolling again = %+v, %v", u, err)
				}
				var before, after string
				if err := st.QueryRow(ctx, `SELECT before_json, after_json FROM audit_log WHERE action = 'user.totp_reset' AND object = ? AND actor = ?`,
					fmt.Sprintf("user %d", c.user.ID), admin.Email).Scan(&before, &after); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(before, `"totp":true`) || !strings.Contains(after, `"totp":false`) || !strings.Contains(after, `"totp_enrol":true`) ||
					strings.Contains(before+after, secret) {
					t.Errorf("audit of the reset: before %s, after %s", before, after)
				}
			})
		}
		if got := audits(); got != 2 {
			t.Errorf("%d audit entries of resets; want 2", got)
		}
	})
}

// TestUserCreateAuditedAlike: an account made through the API is audited
// as one made on the page, by the application service: the entry names
// the token by its id and name and holds the account made (address, staff
// role, memberships), never its password. A token stops working when the
// account that made it is disabled.
func TestUserCreateAuditedAlike(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		A := e.orgs[0].ID
		entry := func(email string) (actor, after string) {
			t.Helper()
			if err := st.QueryRow(ctx, `SELECT actor, after_json FROM audit_log WHERE action = 'user.create' AND detail = ?`, email).Scan(&actor, &after); err != nil {
				t.Fatalf("no user.create entry for %s: %v", email, err)
			}
			return actor, after
		}
		rec := e.send(req{method: "POST", path: "/api/v1/users", token: tokOp,
			body: fmt.Sprintf(`{"email":"api-made@portal.example","name":"API","password":"a long enough password","orgs":[{"org_id":%d,"role":"maker"}]}`, A)})
		if rec.Code != http.StatusCreated {
			t.Fatalf("POST /api/v1/users: %d %s", rec.Code, rec.Body.String())
		}
		actor, after := entry("api-made@portal.example")
		if !strings.HasPrefix(actor, "token ") || !strings.HasSuffix(actor, " ("+tokOp+")") {
			t.Errorf("the API's entry names its actor %q; want the token's id and name", actor)
		}
		if !strings.Contains(after, `"email":"api-made@portal.example"`) || !strings.Contains(after, fmt.Sprintf(`"org_id":%d`, A)) || !strings.Contains(after, `"maker"`) ||
			strings.Contains(after, "long enough") {
			t.Errorf("the API's entry holds %s; want the account with its membership and no password", after)
		}
		wantPage(t, e.page(preq{method: "POST", path: "/admin/users", as: asAdmin,
			form: url.Values{"email": {"page-made@portal.example"}, "password": {"a long enough password"}, "role": {"admin"}}}), http.StatusSeeOther)
		if actor, after := entry("page-made@portal.example"); actor != e.users[asAdmin].Email || !strings.Contains(after, `"role":"admin"`) {
			t.Errorf("the page's entry: %s %s", actor, after)
		}

		// The administrator makes a token on the page, then is disabled by
		// another one: the token stops.
		body := wantPage(t, e.page(preq{method: http.MethodPost, path: "/admin/tokens", as: asAdmin,
			form: url.Values{"name": {"leaver's script"}, "org_id": {fmt.Sprint(A)}, "scopes": {"read"}}}), http.StatusCreated)
		secret := regexp.MustCompile(`id="secret" readonly value="([^"]+)"`).FindStringSubmatch(body)
		if len(secret) != 2 {
			t.Fatalf("no secret shown: %.500s", body)
		}
		if _, err := st.TokenAuthenticate(ctx, secret[1]); err != nil {
			t.Fatalf("the new token does not authenticate: %v", err)
		}
		if _, err := testApp(st).SetUserDisabled(ctx, 0, e.users[asAdmin].ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := st.TokenAuthenticate(ctx, secret[1]); err == nil {
			t.Error("a token made by a disabled account still authenticates")
		}
		if _, err := testApp(st).SetUserDisabled(ctx, 0, e.users[asAdmin].ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := st.TokenAuthenticate(ctx, secret[1]); err != nil {
			t.Errorf("the token of the account enabled again: %v", err)
		}
	})
}
