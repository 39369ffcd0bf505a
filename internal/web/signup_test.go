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
	"time"

	"vigil/internal/app"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// signupClient sends the sign-up forms as one visitor: each client has its
// own address (the forms are rate-limited per address) and keeps the
// session cookie it is given.
type signupClient struct {
	e      *pageEnv
	from   string
	cookie string
}

// signupClients makes clients, each from its own address.
type signupClients struct {
	e *pageEnv
	n int
}

func (cs *signupClients) next() *signupClient {
	cs.n++
	return &signupClient{e: cs.e, from: fmt.Sprintf("203.0.113.%d:5000", cs.n%250+1)}
}

func (c *signupClient) do(method, path string, form url.Values) *httptest.ResponseRecorder {
	var body string
	if form != nil {
		body = form.Encode()
	}
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.RemoteAddr = c.from
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.cookie != "" {
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: c.cookie})
	}
	rec := httptest.NewRecorder()
	c.e.srv.ServeHTTP(rec, r)
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == sessionCookie {
			c.cookie = ck.Value
		}
	}
	return rec
}

// accountState counts what a sign-up may write: accounts, one-time tokens,
// account e-mails.
func accountState(t *testing.T, st *store.Store) string {
	t.Helper()
	var users, tokens, mails int
	ctx := context.Background()
	for q, n := range map[string]*int{
		`SELECT COUNT(*) FROM users`:                          &users,
		`SELECT COUNT(*) FROM account_tokens`:                 &tokens,
		`SELECT COUNT(*) FROM notices WHERE kind = 'account'`: &mails,
	} {
		if err := st.QueryRow(ctx, q).Scan(n); err != nil {
			t.Fatal(err)
		}
	}
	return fmt.Sprintf("%d users, %d tokens, %d account e-mails", users, tokens, mails)
}

// lastAccountMail returns the newest account e-mail: recipient and text.
func lastAccountMail(t *testing.T, st *store.Store) (string, string) {
	t.Helper()
	var to, payload string
	if err := st.QueryRow(context.Background(), `SELECT o.recipient, n.payload FROM notices n JOIN outbox o ON o.notice_id = n.id
		WHERE n.kind = 'account' ORDER BY n.id DESC LIMIT 1`).Scan(&to, &payload); err != nil {
		t.Fatal(err)
	}
	return to, payload
}

var confirmLinkRE = regexp.MustCompile(`https://vigil\.test/signup/confirm\?token=([A-Za-z0-9_%-]+)`)

// TestSignUp: a visitor signs up, cannot sign in before confirming, confirms
// with the link of the e-mail (which signs them in and leads to the
// registration of their organisation), and the link works once; an
// expired link is refused; bad input is refused naming the field with
// nothing written; an address that has an account gets the same answer and
// a notice instead of a link; a closed sign-up says so and writes nothing;
// the API does the same.
func TestSignUp(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		clients := &signupClients{e: e}
		newSignupClient := func(*pageEnv) *signupClient { return clients.next() }
		ctx := context.Background()
		const addr = "New.Member@waterschap.example"
		good := url.Values{"email": {addr}, "name": {"Nieuw Lid"}, "password": {"a long enough password"}, "lang": {"nl"}}

		t.Run("bad_input", func(t *testing.T) {
			for _, tt := range []struct {
				name, field, value string
			}{
				{"no_email", "email", ""},
				{"bad_email", "email", "not an address"},
				{"display_name_email", "email", "Lid <lid@waterschap.example>"},
				{"short_password", "password", "too short"},
				{"spaces_password", "password", strings.Repeat(" ", 14)},
				{"bad_lang", "lang", "fr"},
				{"long_name", "name", strings.Repeat("n", 201)},
			} {
				t.Run(tt.name, func(t *testing.T) {
					before := accountState(t, st)
					f := url.Values{}
					for k, v := range good {
						f[k] = v
					}
					f.Set(tt.field, tt.value)
					body := wantPage(t, newSignupClient(e).do("POST", "/signup", f), http.StatusUnprocessableEntity)
					if !strings.Contains(body, `id="`+tt.field+`" `) || !strings.Contains(body, `id="`+tt.field+`-err"`) || !strings.Contains(body, `href="#`+tt.field+`"`) {
						t.Errorf("the refusal does not name field %s: %.2000s", tt.field, body)
					}
					if after := accountState(t, st); after != before {
						t.Errorf("a refused sign-up wrote something: %s, then %s", before, after)
					}
				})
			}
		})

		c := newSignupClient(e)
		wantPage(t, c.do("GET", "/signup", nil), http.StatusOK)
		rec := c.do("POST", "/signup", good)
		wantPage(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/login?msg=signup.sent" {
			t.Fatalf("after signing up: Location %q", loc)
		}
		to, payload := lastAccountMail(t, st)
		m := confirmLinkRE.FindStringSubmatch(payload)
		if to != strings.ToLower(addr) || m == nil || !strings.Contains(payload, "Bevestig") {
			t.Fatalf("confirmation e-mail to %s (Dutch, with a link): %s", to, payload)
		}
		token, _ := url.QueryUnescape(m[1])

		// Not confirmed yet: the right password is refused, saying why.
		body := wantPage(t, c.do("POST", "/login", url.Values{"email": {addr}, "password": good["password"]}), http.StatusUnauthorized)
		if !strings.Contains(body, "confirm your e-mail address first") {
			t.Errorf("an unconfirmed account's sign-in does not say why: %.1500s", body)
		}
		// A wrong password of it gets the usual answer.
		body = wantPage(t, c.do("POST", "/login", url.Values{"email": {addr}, "password": {"not the password at all"}}), http.StatusUnauthorized)
		if strings.Contains(body, "confirm") {
			t.Error("a wrong password tells that the address signed up")
		}

		body = wantPage(t, c.do("GET", "/signup/confirm?token="+m[1], nil), http.StatusOK)
		if !strings.Contains(body, `name="token" value="`+token+`"`) {
			t.Error("the confirmation form lacks the token")
		}
		// The link asks for the sign-up's password: another one is refused
		// on its field and leaves the link unused.
		body = wantPage(t, c.do("POST", "/signup/confirm", url.Values{"token": {token}, "password": {"someone else's password"}}), http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="password-err"`) || !strings.Contains(body, `href="#password"`) {
			t.Errorf("a confirmation with another password does not name the field: %.1500s", body)
		}
		rec = c.do("POST", "/signup/confirm", url.Values{"token": {token}, "password": good["password"]})
		wantPage(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/register?msg=signup.confirmed" || c.cookie == "" {
			t.Fatalf("after confirming: Location %q, session %t", loc, c.cookie != "")
		}
		body = wantPage(t, c.do("GET", "/register?msg=signup.confirmed", nil), http.StatusOK)
		if !strings.Contains(body, `action="/register"`) || !strings.Contains(body, "Uw e-mailadres is bevestigd") && !strings.Contains(body, "Your e-mail address is confirmed") {
			t.Errorf("confirming does not lead, signed in, to the registration: %.1500s", body)
		}
		// The link works once.
		body = wantPage(t, newSignupClient(e).do("POST", "/signup/confirm", url.Values{"token": {token}}), http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="token-err"`) {
			t.Errorf("a used link is not refused visibly: %.1500s", body)
		}
		if rec := newSignupClient(e).do("POST", "/login", url.Values{"email": {addr}, "password": good["password"]}); rec.Code != http.StatusSeeOther {
			t.Errorf("the confirmed account cannot sign in: %d", rec.Code)
		}
		for _, action := range []string{"account.signup", "account.confirm"} {
			var n int
			if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND detail LIKE ?`, action, "%"+strings.ToLower(addr)+"%").Scan(&n); err != nil || n == 0 {
				t.Errorf("no audit entry %s for %s (%v)", action, addr, err)
			}
		}

		t.Run("existing_address", func(t *testing.T) {
			// The same answer as for a new address; the account's owner
			// gets a notice, nothing of the account changes.
			for _, a := range []string{addr, "memberA@portal.example"} {
				f := url.Values{"email": {a}, "password": {"an attacker's password"}}
				rec := newSignupClient(e).do("POST", "/signup", f)
				wantPage(t, rec, http.StatusSeeOther)
				if loc := rec.Header().Get("Location"); loc != "/login?msg=signup.sent" {
					t.Errorf("%s: Location %q (the answer must not tell whether the address has an account)", a, loc)
				}
				to, payload := lastAccountMail(t, st)
				if to != strings.ToLower(a) || confirmLinkRE.MatchString(payload) || !strings.Contains(payload, "/password/forgot") {
					t.Errorf("%s: the notice to an existing account: to %s: %s", a, to, payload)
				}
				if ok, _ := e.srv.accounts.CheckPassword(ctx, a, "an attacker's password"); ok {
					t.Errorf("%s: signing up again changed the password", a)
				}
			}
		})

		t.Run("signed_up_twice", func(t *testing.T) {
			// Signing up again ends the earlier link; the newest link
			// confirms with its own sign-up's password.
			const a = "twice@waterschap.example"
			var toks []string
			for _, pw := range []string{"the first password", "the second password"} {
				wantPage(t, newSignupClient(e).do("POST", "/signup", url.Values{"email": {a}, "password": {pw}}), http.StatusSeeOther)
				_, payload := lastAccountMail(t, st)
				m := confirmLinkRE.FindStringSubmatch(payload)
				if m == nil {
					t.Fatalf("no link in %s", payload)
				}
				tok, _ := url.QueryUnescape(m[1])
				toks = append(toks, tok)
			}
			body := wantPage(t, newSignupClient(e).do("POST", "/signup/confirm", url.Values{"token": {toks[0]}}), http.StatusUnprocessableEntity)
			if !strings.Contains(body, `id="token-err"`) {
				t.Errorf("the first link after a second sign-up is not refused: %.1500s", body)
			}
			wantPage(t, newSignupClient(e).do("POST", "/signup/confirm", url.Values{"token": {toks[1]}, "password": {"the second password"}}), http.StatusSeeOther)
			if ok, _ := e.srv.accounts.CheckPassword(ctx, a, "the second password"); !ok {
				t.Error("the second sign-up's password does not hold")
			}
		})

		t.Run("expired_link", func(t *testing.T) {
			const a = "late@waterschap.example"
			wantPage(t, newSignupClient(e).do("POST", "/signup", url.Values{"email": {a}, "password": {"a long enough password"}}), http.StatusSeeOther)
			_, payload := lastAccountMail(t, st)
			m := confirmLinkRE.FindStringSubmatch(payload)
			if m == nil {
				t.Fatalf("no link in %s", payload)
			}
			tok, _ := url.QueryUnescape(m[1])
			// The link was made a day and a second ago.
			if _, err := st.Exec(ctx, `UPDATE account_tokens SET expires_at = ? WHERE purpose = 'confirm' AND email = ?`, st.Now().Add(-time.Second), a); err != nil {
				t.Fatal(err)
			}
			body := wantPage(t, newSignupClient(e).do("POST", "/signup/confirm", url.Values{"token": {tok}}), http.StatusUnprocessableEntity)
			if !strings.Contains(body, `id="token-err"`) || !strings.Contains(body, `href="/signup"`) {
				t.Errorf("an expired link is not refused visibly: %.1500s", body)
			}
			if rec := newSignupClient(e).do("POST", "/login", url.Values{"email": {a}, "password": {"a long enough password"}}); rec.Code != http.StatusUnauthorized {
				t.Errorf("an account with an expired link signs in: %d", rec.Code)
			}
		})

		t.Run("api", func(t *testing.T) {
			const a = "api-signup@waterschap.example"
			wantProblem(t, e.send(req{method: "POST", path: "/api/v1/signup", body: `{"email":"api-signup@waterschap.example","password":"short"}`}), 422, "password")
			wantProblem(t, e.send(req{method: "POST", path: "/api/v1/signup", body: `{"email":"x@y.example","password":"long enough pass","role":"admin"}`}), 400, "role")
			if rec := e.send(req{method: "POST", path: "/api/v1/signup", body: fmt.Sprintf(`{"email":%q,"password":"a long enough password"}`, a)}); rec.Code != http.StatusAccepted {
				t.Fatalf("API sign-up: %d %s", rec.Code, rec.Body)
			}
			_, payload := lastAccountMail(t, st)
			m := confirmLinkRE.FindStringSubmatch(payload)
			if m == nil {
				t.Fatalf("no link in %s", payload)
			}
			tok, _ := url.QueryUnescape(m[1])
			wantProblem(t, e.send(req{method: "POST", path: "/api/v1/signup/confirm", body: fmt.Sprintf(`{"token":%q,"password":"not the password"}`, tok)}), 422, "password")
			rec := e.send(req{method: "POST", path: "/api/v1/signup/confirm", body: fmt.Sprintf(`{"token":%q,"password":"a long enough password"}`, tok)})
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), a) {
				t.Fatalf("API confirmation: %d %s", rec.Code, rec.Body)
			}
			wantProblem(t, e.send(req{method: "POST", path: "/api/v1/signup/confirm", body: fmt.Sprintf(`{"token":%q}`, tok)}), 422, "token")
		})

		t.Run("closed", func(t *testing.T) {
			if err := st.SettingSet(ctx, app.SignupSetting, "false"); err != nil {
				t.Fatal(err)
			}
			defer func() {
				if _, err := st.Exec(ctx, `DELETE FROM settings WHERE key = ?`, app.SignupSetting); err != nil {
					t.Error(err)
				}
			}()
			before := accountState(t, st)
			body := wantPage(t, newSignupClient(e).do("GET", "/signup", nil), http.StatusOK)
			if !strings.Contains(body, `id="signup-closed"`) || strings.Contains(body, `action="/signup"`) {
				t.Errorf("a closed sign-up shows its form: %.1500s", body)
			}
			body = wantPage(t, newSignupClient(e).do("POST", "/signup", url.Values{"email": {"closed@waterschap.example"}, "password": {"a long enough password"}}), http.StatusForbidden)
			if !strings.Contains(body, `id="signup-closed"`) {
				t.Errorf("a sign-up while closed is not told so: %.1500s", body)
			}
			wantProblem(t, e.send(req{method: "POST", path: "/api/v1/signup", body: `{"email":"closed@waterschap.example","password":"a long enough password"}`}), 403, "")
			if after := accountState(t, st); after != before {
				t.Errorf("a closed sign-up wrote something: %s, then %s", before, after)
			}
			if err := st.SettingSet(ctx, app.SignupSetting, "true"); err != nil {
				t.Fatal(err)
			}
			if body := wantPage(t, newSignupClient(e).do("GET", "/signup", nil), http.StatusOK); !strings.Contains(body, `action="/signup"`) {
				t.Error("signup.open true does not open sign-up")
			}
		})
	})
}
