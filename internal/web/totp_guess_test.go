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
	"vigil/internal/errs"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// totpBrowser is one browser signing in to an account with a second
// factor through the pages, from the address it is given on each request.
type totpBrowser struct {
	t      *testing.T
	e      *pageEnv
	email  string
	secret string // the account's TOTP secret
	cookie string
}

// send posts form to path with the browser's cookie and its session's
// CSRF token, from remote.
func (b *totpBrowser) send(method, path, remote string, form url.Values) *httptest.ResponseRecorder {
	b.t.Helper()
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	if b.cookie != "" {
		if ses, _, err := b.e.srv.accounts.Session(context.Background(), b.cookie); err == nil {
			f.Set("csrf", ses.CSRF)
		}
	}
	r := httptest.NewRequest(method, path, strings.NewReader(f.Encode()))
	r.RemoteAddr = remote
	if method == http.MethodPost {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.cookie != "" {
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: b.cookie})
	}
	rec := httptest.NewRecorder()
	b.e.srv.ServeHTTP(rec, r)
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie {
			b.cookie = c.Value
		}
	}
	return rec
}

// password gives the account's password from remote.
func (b *totpBrowser) password(remote string) *httptest.ResponseRecorder {
	return b.send(http.MethodPost, "/login", remote, url.Values{"email": {b.email}, "password": {testPassword}})
}

// code gives a TOTP code from remote.
func (b *totpBrowser) code(remote, code string) *httptest.ResponseRecorder {
	return b.send(http.MethodPost, "/login/totp", remote, url.Values{"code": {code}})
}

// right is the account's code now; wrong is a well-formed code that is
// not it.
func (b *totpBrowser) right() string {
	c, err := account.TOTPCode(b.secret, fixedNow())
	if err != nil {
		b.t.Fatal(err)
	}
	return c
}

func (b *totpBrowser) wrong() string {
	c := []byte(b.right())
	c[0] = '0' + (c[0]-'0'+1)%10
	return string(c)
}

// half reports whether the browser's session waits for its second factor.
func (b *totpBrowser) half() bool {
	ses, _, err := b.e.srv.accounts.Session(context.Background(), b.cookie)
	return err == nil && !ses.Verified
}

// adoptSession makes the session cookie rec set, if any, persona as's,
// as a browser keeps it (the second factor replaces the session).
func (e *pageEnv) adoptSession(t *testing.T, as string, rec *httptest.ResponseRecorder) {
	t.Helper()
	for _, c := range rec.Result().Cookies() {
		if c.Name != sessionCookie || c.Value == "" {
			continue
		}
		ses, _, err := e.srv.accounts.Session(context.Background(), c.Value)
		if err != nil {
			t.Fatalf("the new session of %s: %v", as, err)
		}
		e.cookies[as], e.sessions[as] = c.Value, ses
	}
}

// TestSecondFactorLimits guesses the second factor through the pages:
// wrong codes from addresses that rotate within one IPv6 /64 count as one
// client (its lock stops them, and its password step, while another /64
// signs in); the page's code step takes the sign-in's per-client limit; a
// half session ends at its third wrong code and the person is sent back
// to the password with a message; the account's wrong codes from many
// /64s reach its ceiling, which locks the second factor, tells the owner
// by e-mail and is audited; and a right code replaces the session, so the
// cookie that passed only the password no longer works.
func TestSecondFactorLimits(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newPageEnv(t, st)
		stopLimitClocks(e.srv)
		browser := func(name string) *totpBrowser {
			t.Helper()
			u, err := e.srv.accounts.Create(ctx, account.NewUser{Email: name + "@portal.example", Password: testPassword, Role: account.RoleAnalyst})
			if err != nil {
				t.Fatal(err)
			}
			k, err := account.NewTOTP("vigil", u.Email)
			if err != nil {
				t.Fatal(err)
			}
			if err := st.UserSetTOTP(ctx, u.ID, k.Secret); err != nil {
				t.Fatal(err)
			}
			return &totpBrowser{t: t, e: e, email: u.Email, secret: k.Secret}
		}
		wantTo := func(rec *httptest.ResponseRecorder, loc string) {
			t.Helper()
			wantPage(t, rec, http.StatusSeeOther)
			if got := rec.Header().Get("Location"); got != loc {
				t.Fatalf("Location %q; want %q", got, loc)
			}
		}

		t.Run("half_session_ends_after_three", func(t *testing.T) {
			b := browser("three")
			wantTo(b.password("192.0.2.31:4000"), "/login/totp")
			for i := 1; i < account.MaxSessionTOTP; i++ {
				body := wantPage(t, b.code("192.0.2.31:4000", b.wrong()), http.StatusUnprocessableEntity)
				if !strings.Contains(body, `id="code-err"`) {
					t.Errorf("wrong code %d does not name the field: %.300s", i, body)
				}
			}
			half := b.cookie
			wantTo(b.code("192.0.2.31:4000", b.wrong()), "/login?msg=login.again")
			if b.cookie != "" {
				t.Error("the ended half session's cookie is not cleared")
			}
			if _, _, err := e.srv.accounts.Session(ctx, half); errs.CodeOf(err) != errs.Unauthorized {
				t.Errorf("the half session after %d wrong codes: %v; want ended", account.MaxSessionTOTP, err)
			}
			for _, lang := range []string{"en", "nl"} {
				e.lang = lang
				body := wantPage(t, e.page(preq{method: "GET", path: "/login?msg=login.again", as: asAnon}), http.StatusOK)
				if want := e.srv.messages(lang)["login.again"]; !strings.Contains(body, want) {
					t.Errorf("%s: the sign-in page does not say why: %q", lang, want)
				}
			}
			e.lang = ""
			// The right code with the ended session's cookie leads to
			// the sign-in, not into the portal.
			b.cookie = half
			if rec := b.code("192.0.2.31:4000", b.right()); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
				t.Errorf("the right code with the ended session: %d %q", rec.Code, rec.Header().Get("Location"))
			}
		})

		t.Run("rotating_addresses_in_one_64", func(t *testing.T) {
			b := browser("rotate")
			n := 0
			from := func() string { n++; return fmt.Sprintf("[2001:db8:77:1::%x]:4000", n) }
			// Three wrong codes end the first half session, two more of
			// the second reach the lockout of the /64 (each from its own
			// address).
			wantTo(b.password(from()), "/login/totp")
			for range account.MaxSessionTOTP - 1 {
				wantPage(t, b.code(from(), b.wrong()), http.StatusUnprocessableEntity)
			}
			wantTo(b.code(from(), b.wrong()), "/login?msg=login.again")
			wantTo(b.password(from()), "/login/totp")
			for range account.MaxFailures - account.MaxSessionTOTP {
				wantPage(t, b.code(from(), b.wrong()), http.StatusUnprocessableEntity)
			}
			body := wantPage(t, b.code(from(), b.right()), http.StatusForbidden)
			if !strings.Contains(body, "too many failed attempts from your address") {
				t.Errorf("the right code from a new address of the locked /64: %.300s", body)
			}
			if !b.half() {
				t.Error("the refused code verified the session")
			}
			// The password step from yet another address of the /64 is
			// refused as a wrong password is; another /64 signs in.
			other := &totpBrowser{t: t, e: e, email: b.email, secret: b.secret}
			wantPage(t, other.password(from()), http.StatusUnauthorized)
			wantTo(other.password("[2001:db8:77:2::1]:4000"), "/login/totp")
			var client string
			if err := st.QueryRow(ctx, `SELECT client FROM login_locks l JOIN users u ON u.id = l.user_id WHERE u.email = ? AND l.locked_until IS NOT NULL`,
				b.email).Scan(&client); err != nil || client != "2001:db8:77:1::/64" {
				t.Errorf("the lock is kept for %q (%v); want the /64", client, err)
			}
		})

		t.Run("code_step_is_rate_limited", func(t *testing.T) {
			b := browser("limited")
			l, err := e.srv.accounts.Login(account.WithClient(ctx, "2001:db8:78:1::/64"), b.email, testPassword)
			if err != nil || !l.NeedTOTP {
				t.Fatalf("login: %+v %v", l, err)
			}
			b.cookie = l.Secret
			// Other requests of the /64's addresses use up its bucket
			// (sign-in attempts, as TestLoginRateLimit sends them); the
			// code step of the /64 is refused then.
			for i := 1; e.srv.loginLimit.Allow(fmt.Sprintf("2001:db8:78:1::%x", i)); i++ {
				if i > 50 {
					t.Fatal("50 attempts from one /64 were all allowed")
				}
			}
			body := wantPage(t, b.code("[2001:db8:78:1::ffff]:4000", b.right()), http.StatusForbidden)
			if !strings.Contains(body, "too many attempts from your address") {
				t.Errorf("the code step over the limit: %.300s", body)
			}
			if !b.half() {
				t.Error("the code step over the limit verified the session")
			}
			var n int
			if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'account.totp' AND actor = ? AND detail LIKE 'refused: too many attempts%'`,
				b.email).Scan(&n); err != nil || n != 1 {
				t.Errorf("%d audit entries of the refused code (%v); want 1", n, err)
			}
		})

		t.Run("account_ceiling_across_64s", func(t *testing.T) {
			b := browser("ceiling")
			wrongs, net := 0, 0
			var body string
			for wrongs < account.MaxTOTPFailures {
				net++
				from := fmt.Sprintf("[2001:db8:%x::1]:4000", 0x100+net)
				wantTo(b.password(from), "/login/totp")
				for range account.MaxSessionTOTP - 1 {
					wrongs++
					rec := b.code(from, b.wrong())
					if wrongs == account.MaxTOTPFailures {
						body = wantPage(t, rec, http.StatusForbidden)
						break
					}
					wantPage(t, rec, http.StatusUnprocessableEntity)
				}
			}
			if !strings.Contains(body, "its second factor is locked until") {
				t.Errorf("the wrong code that reaches the ceiling: %.300s", body)
			}
			// A new /64 with the password and the right code is refused.
			fresh := &totpBrowser{t: t, e: e, email: b.email, secret: b.secret}
			wantTo(fresh.password("[2001:db8:fff::1]:4000"), "/login/totp")
			wantPage(t, fresh.code("[2001:db8:fff::1]:4000", fresh.right()), http.StatusForbidden)
			if !fresh.half() {
				t.Error("the right code verified the session while the second factor is locked")
			}
			var mails, audits int
			if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM notices n JOIN outbox o ON o.notice_id = n.id
				WHERE n.kind = 'account' AND o.recipient = ? AND n.payload LIKE ?`, b.email, "%second factor is locked until%").Scan(&mails); err != nil || mails != 1 {
				t.Errorf("%d mails of the lock to the owner (%v); want 1", mails, err)
			}
			if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'account.totp.lock' AND actor = ?`, b.email).Scan(&audits); err != nil || audits != 1 {
				t.Errorf("%d audit entries of the lock (%v); want 1", audits, err)
			}
		})

		t.Run("verified_session_is_new", func(t *testing.T) {
			b := browser("rotated")
			wantTo(b.password("192.0.2.44:4000"), "/login/totp")
			half := b.cookie
			halfSes, _, err := e.srv.accounts.Session(ctx, half)
			if err != nil {
				t.Fatal(err)
			}
			wantTo(b.code("192.0.2.44:4000", b.right()), "/")
			if b.cookie == half {
				t.Fatal("the second factor kept the half session's cookie")
			}
			ses, _, err := e.srv.accounts.Session(ctx, b.cookie)
			if err != nil || !ses.Verified || ses.CSRF == halfSes.CSRF {
				t.Errorf("the new session: %+v, %v; want verified with a new CSRF token", ses, err)
			}
			wantPage(t, b.send(http.MethodGet, "/account", "192.0.2.44:4000", nil), http.StatusOK)
			old := &totpBrowser{t: t, e: e, cookie: half}
			if rec := old.send(http.MethodGet, "/account", "192.0.2.44:4000", nil); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
				t.Errorf("the half session's cookie after the second factor: %d %q; want sent to the sign-in", rec.Code, rec.Header().Get("Location"))
			}
		})
	})
}
