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

// TestInvitationExistingAccount: an invitation of an address that has an
// account asks, on its page, for that account's password (and says so, in
// English and in Dutch); accepting with a wrong one is refused naming the
// password field, writes no membership and leaves the link valid, through
// the page and through the API; the right password adds the membership.
func TestInvitationExistingAccount(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		clients := &signupClients{e: e}
		// Member B is invited into organisation A by member A.
		invitee, orgA := e.users[asMemberB], e.orgs[0].ID
		secret, err := e.srv.accounts.Invite(ctx, e.users[asMemberA].ID, orgA, invitee.Email, account.RoleMember)
		if err != nil {
			t.Fatal(err)
		}
		member := func() account.Role {
			u, err := st.UserGet(ctx, invitee.ID)
			if err != nil {
				t.Fatal(err)
			}
			return u.MemberOf(orgA)
		}
		for _, lang := range []struct{ code, intro, refused string }{
			{"en", "This address has an account already", "give the password of that account"},
			{"nl", "Dit adres heeft al een account", "geef het wachtwoord van dat account"},
		} {
			t.Run("wrong_password_"+lang.code, func(t *testing.T) {
				c := clients.next()
				do := func(method, path string, form url.Values) *httptest.ResponseRecorder {
					var body string
					if form != nil {
						body = form.Encode()
					}
					r := httptest.NewRequest(method, path, strings.NewReader(body))
					r.RemoteAddr = c.from
					r.Header.Set("Accept-Language", lang.code)
					if form != nil {
						r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					}
					rec := httptest.NewRecorder()
					e.srv.ServeHTTP(rec, r)
					return rec
				}
				body := wantPage(t, do("GET", "/invitation?token="+url.QueryEscape(secret), nil), http.StatusOK)
				if !strings.Contains(body, lang.intro) || !strings.Contains(body, invitee.Email) || !strings.Contains(body, `autocomplete="current-password"`) {
					t.Errorf("the invitation page does not ask for the account's password: %.2000s", body)
				}
				body = wantPage(t, do("POST", "/invitation", url.Values{"token": {secret}, "password": {"not member B's password"}}), http.StatusUnprocessableEntity)
				if !strings.Contains(body, lang.refused) || !strings.Contains(body, `id="password-err"`) || !strings.Contains(body, `href="#password"`) || !strings.Contains(body, `aria-invalid="true"`) {
					t.Errorf("a wrong password is not named on its field: %.2000s", body)
				}
				if r := member(); r != "" {
					t.Fatalf("a wrong password made member B a %s of organisation A", r)
				}
			})
		}
		// The API twin refuses the same way.
		wantProblem(t, e.send(req{method: "POST", path: "/api/v1/invitations/accept", from: "198.51.100.9:4000",
			body: fmt.Sprintf(`{"token":%q,"password":"an attacker's password"}`, secret)}), http.StatusUnprocessableEntity, "password")
		if r := member(); r != "" {
			t.Fatalf("a wrong password through the API made member B a %s of organisation A", r)
		}
		c := clients.next()
		rec := c.do("POST", "/invitation", url.Values{"token": {secret}, "password": {pageseed.Password}})
		wantPage(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/login?msg=invitation.done" {
			t.Errorf("after accepting: Location %q", loc)
		}
		if r := member(); r != account.RoleMember {
			t.Errorf("member B is %q of organisation A after accepting with the right password", r)
		}
	})
}
