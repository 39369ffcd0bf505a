// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vigil/internal/errs"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestSignInWhileSignedIn submits the sign-in form from a browser that is
// signed in already: with the session's token (the form shows it when a
// session exists) and without it (a form loaded before another tab signed
// in). Both sign in and end the old session. The form stays protected: a
// cross-origin one is refused and leaves the session, a wrong password
// leaves it too, and every other form of the session still needs its
// token.
func TestSignInWhileSignedIn(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		login := url.Values{"email": {"membera@portal.example"}, "password": {testPassword}}
		alive := func(e *pageEnv, as string) bool {
			_, _, err := e.srv.accounts.Session(ctx, e.cookies[as])
			if err != nil && errs.CodeOf(err) != errs.Unauthorized {
				t.Fatal(err)
			}
			return err == nil
		}
		newCookie := func(rec interface{ Result() *http.Response }) string {
			for _, c := range rec.Result().Cookies() {
				if c.Name == sessionCookie && c.Value != "" {
					return c.Value
				}
			}
			return ""
		}

		e := newPageEnv(t, st)
		loginForm := func(body string) string {
			i := strings.Index(body, `action="/login`)
			if i < 0 {
				return ""
			}
			return body[i : i+strings.Index(body[i:], "</form>")]
		}
		t.Run("form_carries_the_token", func(t *testing.T) {
			form := loginForm(wantPage(t, e.page(preq{method: "GET", path: "/login", as: asHalf}), http.StatusOK))
			if !strings.Contains(form, `name="csrf" value="`+e.sessions[asHalf].CSRF+`"`) {
				t.Errorf("the sign-in form of a signed-in browser carries no token:\n%s", form)
			}
			if form := loginForm(wantPage(t, e.page(preq{method: "GET", path: "/login", as: asAnon}), http.StatusOK)); strings.Contains(form, `name="csrf"`) {
				t.Errorf("a visitor's sign-in form carries a token:\n%s", form)
			}
		})
		t.Run("still_protected", func(t *testing.T) {
			wantPage(t, e.page(preq{method: "POST", path: "/login", as: asMemberA, form: login, noCSRF: true,
				header: map[string]string{"Sec-Fetch-Site": "cross-site"}}), http.StatusForbidden)
			bad := url.Values{"email": {"membera@portal.example"}, "password": {"not the password"}}
			wantPage(t, e.page(preq{method: "POST", path: "/login", as: asMemberA, form: bad, noCSRF: true}), http.StatusUnauthorized)
			if !alive(e, asMemberA) {
				t.Error("a refused sign-in ended the session")
			}
			body := wantPage(t, e.page(preq{method: "POST", path: "/account/password", as: asMemberA, noCSRF: true,
				form: url.Values{"old": {testPassword}, "password": {"a brand new password"}}}), http.StatusForbidden)
			if !strings.Contains(body, "expired") {
				t.Errorf("another form without its token: %.300s", body)
			}
			if _, err := e.srv.accounts.Login(ctx, "membera@portal.example", testPassword); err != nil {
				t.Errorf("the refused password change changed the password: %v", err)
			}
		})
		for _, c := range []struct {
			name, as string
			noCSRF   bool
		}{
			{"with_token", asMemberA, false},
			{"without_token_second_factor_pending", asHalf, true},
			{"without_token", asMemberA, true},
		} {
			t.Run(c.name, func(t *testing.T) {
				if !alive(e, c.as) { // signed out by the case before: sign in again
					l, err := e.srv.accounts.Login(ctx, "membera@portal.example", testPassword)
					if err != nil {
						t.Fatal(err)
					}
					e.cookies[c.as], e.sessions[c.as] = l.Secret, l.Session
				}
				rec := e.page(preq{method: "POST", path: "/login?next=/account", as: c.as, form: login, noCSRF: c.noCSRF})
				wantPage(t, rec, http.StatusSeeOther)
				if loc := rec.Header().Get("Location"); loc != "/account" {
					t.Errorf("sign-in leads to %q; want /account", loc)
				}
				fresh := newCookie(rec)
				if fresh == "" || fresh == e.cookies[c.as] {
					t.Errorf("no new session cookie (%q)", fresh)
				}
				if alive(e, c.as) {
					t.Error("the old session outlived the sign-in")
				}
				if _, u, err := e.srv.accounts.Session(ctx, fresh); err != nil || u.Email != "membera@portal.example" {
					t.Errorf("the new session is %+v, %v", u, err)
				}
			})
		}
	})
}
