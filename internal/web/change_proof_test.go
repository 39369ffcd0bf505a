// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"vigil/internal/account"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestChangeNeedsProofPages: a signed-in session of an account with a
// second factor cannot replace it with a new key and its code alone (the
// form asks for the current password and a current code, in both
// languages); with them it can, and the owner is mailed; a password change
// mails the owner too, and its wrong current password counts as a failed
// sign-in.
func TestChangeNeedsProofPages(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		id := e.users[asMemberA].ID
		if err := st.UserSetTOTP(ctx, id, enrolSecret); err != nil {
			t.Fatal(err)
		}
		const newSecret = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"
		code := func(secret string, step int) string {
			c, err := account.TOTPCode(secret, st.Now().Add(time.Duration(step)*30*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		secretNow := func() string {
			c, err := st.UserCredentials(ctx, e.users[asMemberA].Email)
			if err != nil {
				t.Fatal(err)
			}
			return c.TOTPSecret
		}
		mails := func(what string) int {
			var n int
			if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM notices n JOIN outbox o ON o.notice_id = n.id
				WHERE n.kind = 'account' AND o.recipient = ? AND n.payload LIKE ?`, "membera@portal.example", "%"+what+"%").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for _, lang := range []string{"en", "nl"} {
			e.lang = lang
			body := wantPage(t, e.page(preq{method: "GET", path: "/login/enrol", as: asMemberA}), http.StatusOK)
			if !strings.Contains(body, `<label for="password">`) || !strings.Contains(body, `<label for="current">`) {
				t.Errorf("%s: the form to replace a second factor does not ask for the current password and code", lang)
			}
		}
		e.lang = ""
		body := wantPage(t, e.page(preq{method: "POST", path: "/login/enrol", as: asMemberA,
			form: url.Values{"secret": {newSecret}, "code": {code(newSecret, 0)}}}), http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="password-err"`) || secretNow() != enrolSecret {
			t.Fatalf("a session alone replaced the second factor (or was not told why): %.1500s", body)
		}
		wantPage(t, e.page(preq{method: "POST", path: "/login/enrol", as: asMemberA,
			form: url.Values{"secret": {newSecret}, "code": {code(newSecret, 0)}, "password": {testPassword}, "current": {"000000"}}}), http.StatusUnprocessableEntity)
		if secretNow() != enrolSecret {
			t.Fatal("a wrong current code replaced the second factor")
		}
		rec := e.page(preq{method: "POST", path: "/login/enrol", as: asMemberA,
			form: url.Values{"secret": {newSecret}, "code": {code(newSecret, 1)}, "password": {testPassword}, "current": {code(enrolSecret, 1)}}})
		wantPage(t, rec, http.StatusSeeOther)
		if secretNow() != newSecret || mails("second factor") != 1 {
			t.Errorf("the owner's change: secret replaced %t, %d mails", secretNow() == newSecret, mails("second factor"))
		}

		// The password: a wrong current one counts, the change mails.
		wantPage(t, e.page(preq{method: "POST", path: "/account/password", as: asMemberA,
			form: url.Values{"old": {"not it at all"}, "password": {"a brand new password"}}}), http.StatusUnprocessableEntity)
		var failed int
		if err := st.QueryRow(ctx, `SELECT failures FROM login_locks WHERE user_id = ?`, id).Scan(&failed); err != nil || failed == 0 {
			t.Errorf("a wrong current password counted no failure (%d, %v)", failed, err)
		}
		wantPage(t, e.page(preq{method: "POST", path: "/account/password", as: asMemberA,
			form: url.Values{"old": {testPassword}, "password": {"a brand new password"}}}), http.StatusSeeOther)
		if n := mails("password of the vigil account"); n != 1 {
			t.Errorf("the owner got %d mails of the password change; want 1", n)
		}
	})
}
