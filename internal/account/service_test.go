// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package account_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"vigil/internal/account"
	"vigil/internal/errs"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// clock is a settable clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// cheap hashing keeps the tests fast; TestPasswordHash covers argon2id.
func cheapHash(pw string) string       { return "plain:" + pw }
func cheapVerify(hash, pw string) bool { return hash == "plain:"+pw }

func newService(t *testing.T, st *store.Store) (*account.Service, *clock, int64) {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)}
	org := registry.Org{Name: "Waterschap Test"}
	if err := st.OrgCreate(context.Background(), tenant.Operator(), &org); err != nil {
		t.Fatal(err)
	}
	return &account.Service{Store: st, Now: c.now, Issuer: "vigil test", Hash: cheapHash, Verify: cheapVerify}, c, org.ID
}

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, err := account.HashPassword(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("hash %q is not an argon2id PHC string", h)
	}
	if h2, _ := account.HashPassword(ctx, "correct horse battery"); h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, tc := range []struct {
		name, hash, pw string
		want           bool
	}{
		{"right", h, "correct horse battery", true},
		{"wrong", h, "correct horse batterY", false},
		{"empty", h, "", false},
		{"malformed", "$argon2id$v=19$m=x$a$b", "correct horse battery", false},
		{"other_scheme", "$2a$10$abcdefghijklmnopqrstuv", "correct horse battery", false},
		{"huge_memory", "$argon2id$v=19$m=99999999,t=3,p=2$AAAA$AAAA", "x", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := account.VerifyPassword(ctx, tc.hash, tc.pw); got != tc.want || err != nil {
				t.Errorf("VerifyPassword = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestCreateRefusesBadInput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, _, org := newService(t, st)
		ctx := context.Background()
		ok := account.NewUser{Email: "a@example.org", Password: "long enough password"}
		if _, err := svc.Create(ctx, ok); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name  string
			in    account.NewUser
			field string
			code  errs.Code
		}{
			{"bad_email", account.NewUser{Email: "not an address", Password: "long enough password"}, "email", errs.Invalid},
			{"short_password", account.NewUser{Email: "b@example.org", Password: "short"}, "password", errs.Invalid},
			{"bad_role", account.NewUser{Email: "b@example.org", Password: "long enough password", Role: "root"}, "role", errs.Invalid},
			{"bad_lang", account.NewUser{Email: "b@example.org", Password: "long enough password", Lang: "de"}, "lang", errs.Invalid},
			{"duplicate", account.NewUser{Email: "A@example.org", Password: "long enough password"}, "email", errs.Conflict},
			{"bad_org_role", account.NewUser{Email: "c@example.org", Password: "long enough password",
				Orgs: []account.Membership{{OrgID: org, Role: "owner"}}}, "org_role", errs.Invalid},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := svc.Create(ctx, tc.in)
				var e *errs.Error
				if !errorsAs(err, &e) || e.Code != tc.code || e.Field != tc.field {
					t.Errorf("Create = %v; want %s on field %s", err, tc.code, tc.field)
				}
			})
		}
	})
}

func errorsAs(err error, target **errs.Error) bool {
	e, ok := err.(*errs.Error)
	if ok {
		*target = e
	}
	return ok
}

func TestLoginLockoutAndSessions(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, c, org := newService(t, st)
		ctx := context.Background()
		u, err := svc.Create(ctx, account.NewUser{Email: "member@example.org", Password: "member password 1",
			Orgs: []account.Membership{{OrgID: org, Role: account.RoleMember}}})
		if err != nil {
			t.Fatal(err)
		}
		if u.MemberOf(org) != account.RoleMember || u.Staff() {
			t.Fatalf("user = %+v", u)
		}
		// Unknown address and wrong password answer alike.
		if _, err := svc.Login(ctx, "nobody@example.org", "member password 1"); err != account.ErrLogin {
			t.Errorf("unknown address: %v", err)
		}
		l, err := svc.Login(ctx, "MEMBER@example.org", "member password 1")
		if err != nil || l.NeedTOTP || l.NeedEnrol || !l.Session.Verified {
			t.Fatalf("login = %+v, %v", l, err)
		}
		ses, got, err := svc.Session(ctx, l.Secret)
		if err != nil || got.ID != u.ID || ses.CSRF == "" {
			t.Fatalf("session = %+v %+v %v", ses, got, err)
		}
		// Idle sessions end.
		c.t = c.t.Add(account.IdleTimeout + time.Second)
		if _, _, err := svc.Session(ctx, l.Secret); errs.CodeOf(err) != errs.Unauthorized {
			t.Errorf("idle session: %v", err)
		}
		for i := 1; i < account.MaxFailures; i++ {
			if _, err := svc.Login(ctx, u.Email, "wrong password!"); err != account.ErrLogin {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		_, err = svc.Login(ctx, u.Email, "wrong password!")
		if err != account.ErrLogin {
			t.Fatalf("failure %d: %v", account.MaxFailures, err)
		}
		// Locked: even the right password is refused, as a wrong one is
		// (the answer does not tell that the address has an account).
		if _, err := svc.Login(ctx, u.Email, "member password 1"); err != account.ErrLogin {
			t.Fatalf("locked account: %v; want ErrLogin", err)
		}
		c.t = c.t.Add(account.LockFor)
		l, err = svc.Login(ctx, u.Email, "member password 1")
		if err != nil {
			t.Fatalf("after the lock: %v", err)
		}
		if err := svc.Logout(ctx, l.Secret); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Session(ctx, l.Secret); errs.CodeOf(err) != errs.Unauthorized {
			t.Errorf("session after logout: %v", err)
		}
	})
}

func TestStaffSecondFactor(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, c, _ := newService(t, st)
		ctx := context.Background()
		if _, err := svc.Create(ctx, account.NewUser{Email: "analyst@example.org", Password: "analyst password", Role: account.RoleAnalyst}); err != nil {
			t.Fatal(err)
		}
		l, err := svc.Login(ctx, "analyst@example.org", "analyst password")
		if err != nil || !l.NeedEnrol || l.Session.Verified {
			t.Fatalf("staff without a second factor: %+v %v", l, err)
		}
		key, err := account.NewTOTP("vigil test", "analyst@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Enrol(ctx, l.Session, key.Secret, "000000"); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("enrol with a wrong code: %v", err)
		}
		code, _ := account.TOTPCode(key.Secret, c.t)
		v, err := svc.Enrol(ctx, l.Session, key.Secret, code)
		if err != nil {
			t.Fatalf("enrol: %v", err)
		}
		// Enrolling replaces the half session by a new verified one; the
		// half session's cookie no longer works.
		ses, u, err := svc.Session(ctx, v.Secret)
		if err != nil || !ses.Verified || !u.TOTP || ses.ID == l.Session.ID || ses.CSRF == l.Session.CSRF {
			t.Fatalf("after enrolment: %+v %+v %v (half session %+v)", ses, u, err, l.Session)
		}
		if _, _, err := svc.Session(ctx, l.Secret); errs.CodeOf(err) != errs.Unauthorized {
			t.Errorf("the half session's cookie after enrolment: %v; want not signed in", err)
		}
		// Next login asks for the code; the same code is not accepted twice.
		l, err = svc.Login(ctx, "analyst@example.org", "analyst password")
		if err != nil || !l.NeedTOTP {
			t.Fatalf("second login: %+v %v", l, err)
		}
		if _, err := svc.SecondFactor(ctx, l.Session, code); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("replayed code: %v", err)
		}
		c.t = c.t.Add(30 * time.Second)
		code, _ = account.TOTPCode(key.Secret, c.t)
		v, err = svc.SecondFactor(ctx, l.Session, code)
		if err != nil {
			t.Fatalf("fresh code: %v", err)
		}
		if ses, _, err := svc.Session(ctx, v.Secret); err != nil || !ses.Verified || ses.CSRF == l.Session.CSRF || v.Secret == l.Secret {
			t.Errorf("the session after the second factor: %+v, %v; want a new verified one", ses, err)
		}
		if _, _, err := svc.Session(ctx, l.Secret); errs.CodeOf(err) != errs.Unauthorized {
			t.Errorf("the half session's cookie after the second factor: %v; want not signed in", err)
		}
	})
}

// TestSecondFactorGuessing: a half session ends at its third wrong code;
// wrong codes from one client lock that client out as failed sign-ins do;
// the account's wrong codes from every client reach a ceiling that locks
// its second factor (the owner is told once), refuses even the right
// code, ends by itself and is lifted by a new password.
func TestSecondFactorGuessing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, clk, _ := newService(t, st)
		var told []time.Time
		svc.OnTOTPLock = func(_ context.Context, u account.User, until time.Time) error {
			told = append(told, until)
			return nil
		}
		u, err := svc.Create(context.Background(), account.NewUser{Email: "admin@example.org", Password: "the admin password", Role: account.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		key, err := account.NewTOTP("vigil test", u.Email)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.UserSetTOTP(context.Background(), u.ID, key.Secret); err != nil {
			t.Fatal(err)
		}
		right := func() string {
			c, err := account.TOTPCode(key.Secret, clk.t)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		wrong := func() string { // a well-formed code that is not the right one
			c := []byte(right())
			c[0] = '0' + (c[0]-'0'+1)%10
			return string(c)
		}
		login := func(ctx context.Context) account.Login {
			t.Helper()
			l, err := svc.Login(ctx, u.Email, "the admin password")
			if err != nil || !l.NeedTOTP {
				t.Fatalf("login: %+v, %v", l, err)
			}
			return l
		}

		// The half session ends at the third wrong code.
		ctx := account.WithClient(context.Background(), "192.0.2.1")
		l := login(ctx)
		for i := 1; i <= account.MaxSessionTOTP; i++ {
			_, err := svc.SecondFactor(ctx, l.Session, wrong())
			if i < account.MaxSessionTOTP && errs.CodeOf(err) != errs.Invalid {
				t.Fatalf("wrong code %d: %v; want invalid", i, err)
			}
			if i == account.MaxSessionTOTP && !errors.Is(err, account.ErrTOTPAgain) {
				t.Fatalf("wrong code %d: %v; want ErrTOTPAgain", i, err)
			}
		}
		if _, _, err := svc.Session(ctx, l.Secret); errs.CodeOf(err) != errs.Unauthorized {
			t.Errorf("the half session after %d wrong codes: %v; want ended", account.MaxSessionTOTP, err)
		}
		if _, err := svc.SecondFactor(ctx, l.Session, right()); err == nil {
			t.Error("the ended half session took the right code")
		}

		// The account's ceiling holds across clients: each client stays
		// under its own lockout, the account's wrong codes add up.
		n := account.MaxSessionTOTP // counted so far
		for client := 2; n < account.MaxTOTPFailures; client++ {
			ctx := account.WithClient(context.Background(), fmt.Sprintf("2001:db8:%x::/64", client))
			l := login(ctx)
			for range account.MaxSessionTOTP - 1 {
				_, err := svc.SecondFactor(ctx, l.Session, wrong())
				n++
				switch {
				case n < account.MaxTOTPFailures && errs.CodeOf(err) != errs.Invalid:
					t.Fatalf("wrong code %d of the account: %v; want invalid", n, err)
				case n == account.MaxTOTPFailures && !account.IsTOTPLocked(err):
					t.Fatalf("wrong code %d of the account: %v; want the second factor locked", n, err)
				}
				if n == account.MaxTOTPFailures {
					break
				}
			}
		}
		if want := clk.t.Add(account.TOTPLockFor); len(told) != 1 || !told[0].Equal(want) {
			t.Errorf("the owner is told %v; want once, until %v", told, want)
		}
		// Locked: the right code from a fresh client is refused and does
		// not count.
		fresh := account.WithClient(context.Background(), "203.0.113.9")
		l = login(fresh)
		clk.t = clk.t.Add(30 * time.Second)
		if _, err := svc.SecondFactor(fresh, l.Session, right()); !account.IsTOTPLocked(err) {
			t.Errorf("the right code while locked: %v; want the lock", err)
		}
		// The lock ends by itself.
		clk.t = clk.t.Add(account.TOTPLockFor)
		if _, err := svc.SecondFactor(fresh, l.Session, right()); err != nil {
			t.Errorf("the right code after the lock: %v", err)
		}

		// Locked again, a new password lifts the lock.
		for i := 0; len(told) < 2; i++ {
			if i > account.MaxTOTPFailures {
				t.Fatal("no second lock")
			}
			ctx := account.WithClient(context.Background(), fmt.Sprintf("198.51.100.%d", i+1))
			_, _ = svc.SecondFactor(ctx, login(ctx).Session, wrong())
		}
		if err := svc.SetPassword(context.Background(), u.ID, "a new admin password", 0); err != nil {
			t.Fatal(err)
		}
		clk.t = clk.t.Add(30 * time.Second)
		l, err = svc.Login(fresh, u.Email, "a new admin password")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SecondFactor(fresh, l.Session, right()); err != nil {
			t.Errorf("the right code after a new password: %v", err)
		}
	})
}

func TestResetAndInvite(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, c, org := newService(t, st)
		ctx := context.Background()
		u, err := svc.Create(ctx, account.NewUser{Email: "m@example.org", Password: "first password"})
		if err != nil {
			t.Fatal(err)
		}
		old, _ := svc.Login(ctx, u.Email, "first password")
		_, secret, err := svc.RequestReset(ctx, u.Email)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Reset(ctx, secret, "short"); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("reset with a short password: %v", err)
		}
		if _, err := svc.Reset(ctx, secret, "second password"); err != nil {
			t.Fatalf("reset: %v (a refused form must leave the link valid)", err)
		}
		if _, err := svc.Reset(ctx, secret, "third password!"); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("second use of a reset link: %v", err)
		}
		if _, _, err := svc.Session(ctx, old.Secret); errs.CodeOf(err) != errs.Unauthorized {
			t.Errorf("old session survived the reset: %v", err)
		}
		if _, err := svc.Login(ctx, u.Email, "second password"); err != nil {
			t.Errorf("login with the new password: %v", err)
		}

		inv, err := svc.Invite(ctx, u.ID, org, "colleague@example.org", account.RoleMaker)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Accept(ctx, inv, "Colleague", "short"); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("accept with a short password: %v", err)
		}
		got, err := svc.Accept(ctx, inv, "Colleague", "colleague password")
		if err != nil || got.MemberOf(org) != account.RoleMaker {
			t.Fatalf("accept = %+v, %v", got, err)
		}
		c.t = c.t.Add(account.InviteValid + time.Hour)
		inv2, _ := svc.Invite(ctx, u.ID, org, "late@example.org", "")
		c.t = c.t.Add(account.InviteValid + time.Hour)
		if _, err := svc.Accept(ctx, inv2, "", "late password 12"); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("expired invitation: %v", err)
		}
	})
}

// failingMembership is a Store whose MembershipSet fails, in and out of
// its transactions: the step after the invitation is used.
type failingMembership struct{ account.Store }

func (f failingMembership) MembershipSet(context.Context, int64, int64, account.Role) error {
	return errs.Errorf(errs.Internal, "membership: injected failure")
}

func (f failingMembership) AccountTx(ctx context.Context, fn func(tx account.Store) error) error {
	return f.Store.AccountTx(ctx, func(tx account.Store) error { return fn(failingMembership{tx}) })
}

// TestAcceptInvitationAtomic makes the step after the invitation's token is
// used fail (the membership), for an invited address with no account and
// one with an account: nothing is written, the invitation stays valid, and
// accepting it again, without the failure, works once.
func TestAcceptInvitationAtomic(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, _, org := newService(t, st)
		ctx := context.Background()
		broken := *svc
		broken.Store = failingMembership{st}
		existing, err := svc.Create(ctx, account.NewUser{Email: "existing@example.org", Password: "existing password"})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ name, email, password string }{
			{"new_account", "newcomer@example.org", "newcomer password"},
			{"existing_account", existing.Email, "existing password"},
		} {
			t.Run(c.name, func(t *testing.T) {
				inv, err := svc.Invite(ctx, existing.ID, org, c.email, account.RoleMember)
				if err != nil {
					t.Fatal(err)
				}
				before, err := st.UserList(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := broken.Accept(ctx, inv, "Newcomer", c.password); err == nil || !strings.Contains(err.Error(), "injected failure") {
					t.Fatalf("accept with the membership failing: %v; want the failure", err)
				}
				after, err := st.UserList(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if len(after) != len(before) {
					t.Errorf("the failed accept left %d accounts; want %d", len(after), len(before))
				}
				for _, u := range after {
					if u.MemberOf(org) != "" {
						t.Errorf("the failed accept left %s a member", u.Email)
					}
				}
				got, err := svc.Accept(ctx, inv, "Newcomer", c.password)
				if err != nil || got.Email != c.email || got.MemberOf(org) != account.RoleMember {
					t.Fatalf("accept after the failure = %+v, %v; the invitation was lost", got, err)
				}
				if _, err := svc.Accept(ctx, inv, "Newcomer", c.password); errs.CodeOf(err) != errs.Invalid {
					t.Errorf("second use of the invitation: %v", err)
				}
				if err := st.MembershipDelete(ctx, got.ID, org); err != nil {
					t.Fatal(err)
				}
			})
		}
	})
}

// TestAcceptInvitationChecksPassword: an invitation of an address that
// has an account adds the membership only with that account's password. A
// wrong password (or a disabled account) writes nothing but the failed
// attempt, leaves the invitation valid and counts towards the lockout like
// a failed sign-in; a locked account is refused on the password field
// even with the right one; the right password adds the membership once.
func TestAcceptInvitationChecksPassword(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, clk, org := newService(t, st)
		ctx := context.Background()
		owner, err := svc.Create(ctx, account.NewUser{Email: "owner@example.org", Password: "owner password 1"})
		if err != nil {
			t.Fatal(err)
		}
		inviter, err := svc.Create(ctx, account.NewUser{Email: "inviter@example.org", Password: "inviter password"})
		if err != nil {
			t.Fatal(err)
		}
		inv, err := svc.Invite(ctx, inviter.ID, org, owner.Email, account.RoleMember)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := svc.Invitation(ctx, inv); err != nil || got != (account.Invitation{Email: owner.Email, HasAccount: true}) {
			t.Errorf("Invitation = %+v, %v; want the owner's address with an account", got, err)
		}
		failures := func() int {
			c, err := st.UserCredentials(ctx, owner.Email)
			if err != nil {
				t.Fatal(err)
			}
			return c.FailedLogins
		}
		member := func() account.Role {
			u, err := st.UserGet(ctx, owner.ID)
			if err != nil {
				t.Fatal(err)
			}
			return u.MemberOf(org)
		}
		for i, pw := range []string{"", "not the owner's password", "owner password 2"} {
			_, err := svc.Accept(ctx, inv, "Someone Else", pw)
			if !errors.Is(err, account.ErrInvitePassword) {
				t.Fatalf("accept with password %q: %v; want ErrInvitePassword", pw, err)
			}
			if got := failures(); got != i+1 {
				t.Errorf("after %d wrong passwords the account counts %d failed logins", i+1, got)
			}
			if r := member(); r != "" {
				t.Fatalf("a wrong password made the account a %s", r)
			}
		}
		if _, err := svc.Invitation(ctx, inv); err != nil {
			t.Errorf("the refused accepts used the invitation: %v", err)
		}
		// Two more failures lock the account: then even its password is
		// refused, on the password field, until the lock ends.
		for range account.MaxFailures - 3 {
			if _, err := svc.Accept(ctx, inv, "", "wrong again"); !errors.Is(err, account.ErrInvitePassword) {
				t.Fatalf("accept with a wrong password: %v", err)
			}
		}
		if _, err := svc.Accept(ctx, inv, "", "owner password 1"); !errors.Is(err, account.ErrInvitePassword) {
			t.Errorf("accept on a locked account: %v; want the answer to a wrong password", err)
		}
		if _, err := svc.Login(ctx, owner.Email, "owner password 1"); err != account.ErrLogin {
			t.Errorf("sign-in after %d wrong invitation passwords: %v; want locked (ErrLogin)", account.MaxFailures, err)
		}
		clk.t = clk.t.Add(account.LockFor + time.Minute)
		// A disabled account is refused like a wrong password.
		if _, _, err := svc.SetDisabled(ctx, inviter.ID, owner.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Accept(ctx, inv, "", "owner password 1"); !errors.Is(err, account.ErrInvitePassword) {
			t.Errorf("accept for a disabled account: %v; want ErrInvitePassword", err)
		}
		if _, _, err := svc.SetDisabled(ctx, inviter.ID, owner.ID, false); err != nil {
			t.Fatal(err)
		}
		got, err := svc.Accept(ctx, inv, "Someone Else", "owner password 1")
		if err != nil || got.ID != owner.ID || got.MemberOf(org) != account.RoleMember {
			t.Fatalf("accept with the account's password = %+v, %v", got, err)
		}
		if got.Name == "Someone Else" {
			t.Error("accepting renamed the existing account")
		}
		if _, err := svc.Accept(ctx, inv, "", "owner password 1"); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("second use of the invitation: %v", err)
		}
	})
}

// TestSignUpAndConfirm: a signed-up account cannot sign in until confirmed;
// the link confirms once and not after it expires; a password reset
// confirms too (its link reached the address); an address of a confirmed
// account changes nothing.
func TestSignUpAndConfirm(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, clk, _ := newService(t, st)
		signUp := func(email, pw string) account.SignUp {
			t.Helper()
			r, err := svc.SignUp(ctx, account.NewUser{Email: email, Name: "Lid", Lang: "nl", Password: pw, Role: account.RoleAdmin})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		r := signUp("Lid@Example.org", "member password 1")
		if r.Existing || r.Secret == "" || !r.User.Unconfirmed || r.User.Role != "" {
			t.Fatalf("sign-up = %+v", r)
		}
		if _, err := svc.Login(ctx, "lid@example.org", "member password 1"); err != account.ErrUnconfirmed {
			t.Errorf("unconfirmed login: %v; want ErrUnconfirmed", err)
		}
		if _, err := svc.Login(ctx, "lid@example.org", "wrong password 1"); err != account.ErrLogin {
			t.Errorf("unconfirmed login with a wrong password: %v; want ErrLogin", err)
		}
		// The link asks for the sign-up's password; a wrong one leaves it
		// unused.
		if _, err := svc.Confirm(ctx, r.Secret, "wrong password 1", true); err != account.ErrConfirmPassword {
			t.Errorf("confirmation with a wrong password: %v; want ErrConfirmPassword", err)
		}
		l, err := svc.Confirm(ctx, r.Secret, "member password 1", true)
		if err != nil || l.Secret == "" || !l.Session.Verified || l.User.Unconfirmed {
			t.Fatalf("confirm: %+v %v", l, err)
		}
		if _, err := svc.Confirm(ctx, r.Secret, "member password 1", true); err != account.ErrConfirmLink {
			t.Errorf("second confirmation: %v", err)
		}
		if _, err := svc.Login(ctx, "lid@example.org", "member password 1"); err != nil {
			t.Errorf("confirmed login: %v", err)
		}
		if again := signUp("lid@example.org", "other password 1"); !again.Existing || again.Secret != "" {
			t.Errorf("sign-up of a confirmed address = %+v", again)
		}
		if ok, _ := svc.CheckPassword(ctx, "lid@example.org", "other password 1"); ok {
			t.Error("signing up again changed a confirmed account's password")
		}
		if _, err := svc.SignUp(ctx, account.NewUser{Email: "x@example.org", Password: "short"}); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("short password: %v", err)
		}

		late := signUp("late@example.org", "member password 2")
		clk.t = clk.t.Add(account.ConfirmValid + time.Second)
		if _, err := svc.Confirm(ctx, late.Secret, "member password 2", false); err != account.ErrConfirmLink {
			t.Errorf("expired confirmation: %v", err)
		}
		_, reset, err := svc.RequestReset(ctx, "late@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Reset(ctx, reset, "member password 3"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Login(ctx, "late@example.org", "member password 3"); err != nil {
			t.Errorf("login after a reset of an unconfirmed account: %v", err)
		}
	})
}

// TestSignUpAgainTakesNoAccount: signing up again with an address that is
// not confirmed yet (as someone who knows the address but not the mailbox
// may) changes nothing of the account: its password stays, the earlier
// link ends (it would confirm the account with the later password), and
// the later link confirms with its own sign-up's password and ends every
// other session of the account.
func TestSignUpAgainTakesNoAccount(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, _, _ := newService(t, st)
		victim, err := svc.SignUp(ctx, account.NewUser{Email: "owner@example.org", Name: "Owner", Lang: "nl", Password: "the owner's password"})
		if err != nil {
			t.Fatal(err)
		}
		attacker, err := svc.SignUp(ctx, account.NewUser{Email: "owner@example.org", Name: "Mallory", Lang: "en", Password: "the attacker's password"})
		if err != nil || attacker.Secret == "" || attacker.Existing {
			t.Fatalf("second sign-up = %+v, %v", attacker, err)
		}
		u, err := st.UserGet(ctx, victim.User.ID)
		if err != nil {
			t.Fatal(err)
		}
		if u.Name != "Owner" || u.Lang != "nl" {
			t.Errorf("signing up again changed the account: %+v", u)
		}
		if _, err := svc.Login(ctx, "owner@example.org", "the attacker's password"); err != account.ErrLogin {
			t.Errorf("the second sign-up's password before any confirmation: %v; want ErrLogin", err)
		}
		// The owner follows the first link: it ended with the second
		// sign-up, so it cannot confirm the account with the attacker's
		// password.
		if _, err := svc.Confirm(ctx, victim.Secret, "the owner's password", true); err != account.ErrConfirmLink {
			t.Fatalf("the first link after a second sign-up: %v; want ErrConfirmLink", err)
		}
		// The owner follows the newest link, the attacker's: it asks for
		// the password of the sign-up that sent it, which the owner does
		// not know, so the account cannot take the attacker's password.
		if _, err := svc.Confirm(ctx, attacker.Secret, "the owner's password", true); err != account.ErrConfirmPassword {
			t.Fatalf("the attacker's link with the owner's password: %v; want ErrConfirmPassword", err)
		}
		if _, err := svc.Login(ctx, "owner@example.org", "the attacker's password"); err != account.ErrLogin {
			t.Errorf("the attacker signs in after the first link was followed: %v", err)
		}
		// The owner signs up again; the attacker's link ends with it.
		again, err := svc.SignUp(ctx, account.NewUser{Email: "owner@example.org", Password: "the owner's new password"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Confirm(ctx, attacker.Secret, "the attacker's password", false); err != account.ErrConfirmLink {
			t.Errorf("the attacker's link after a newer sign-up: %v; want ErrConfirmLink", err)
		}
		// A session of the account from before (made directly: an
		// unconfirmed account cannot sign in) ends at confirmation.
		old := account.Session{UserID: u.ID, CSRF: "x", Verified: true, CreatedAt: st.Now(), SeenAt: st.Now(), ExpiresAt: st.Now().Add(time.Hour)}
		if err := st.SessionCreate(ctx, &old, account.HashToken("an old session")); err != nil {
			t.Fatal(err)
		}
		l, err := svc.Confirm(ctx, again.Secret, "the owner's new password", true)
		if err != nil || l.Secret == "" {
			t.Fatalf("confirm: %+v, %v", l, err)
		}
		if _, _, err := svc.Session(ctx, "an old session"); errs.CodeOf(err) != errs.Unauthorized {
			t.Errorf("a session from before the confirmation lives on: %v", err)
		}
		if _, _, err := svc.Session(ctx, l.Secret); err != nil {
			t.Errorf("the confirming session: %v", err)
		}
		for pw, want := range map[string]bool{"the owner's new password": true, "the owner's password": false, "the attacker's password": false} {
			if ok, _ := svc.CheckPassword(ctx, "owner@example.org", pw); ok != want {
				t.Errorf("password %q holds: %t; want %t", pw, ok, want)
			}
		}
	})
}

// TestResetLinksEnd: a reset link works once; a newer request supersedes
// an older link; setting the password any way (a reset, a change, an
// administrator) ends every unused link, so no link asked for before the
// change can undo it.
func TestResetLinksEnd(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, _, _ := newService(t, st)
		u, err := svc.Create(ctx, account.NewUser{Email: "reset@example.org", Password: "the first password"})
		if err != nil {
			t.Fatal(err)
		}
		request := func() string {
			t.Helper()
			_, secret, err := svc.RequestReset(ctx, "reset@example.org")
			if err != nil {
				t.Fatal(err)
			}
			return secret
		}
		dead := func(what, secret string) {
			t.Helper()
			if _, err := svc.Reset(ctx, secret, "an attacker's password"); errs.CodeOf(err) != errs.Invalid {
				t.Errorf("%s: %v; want the link refused", what, err)
			}
			if ok, _ := svc.CheckPassword(ctx, "reset@example.org", "an attacker's password"); ok {
				t.Fatalf("%s reset the password", what)
			}
		}

		first, second := request(), request()
		dead("a link superseded by a newer request", first)
		if _, err := svc.Reset(ctx, second, "the second password"); err != nil {
			t.Fatal(err)
		}
		dead("a used link", second)

		// A password change ends the link asked for before it.
		link := request()
		if err := svc.SetPassword(ctx, u.ID, "the changed password", 0); err != nil {
			t.Fatal(err)
		}
		dead("a link asked for before a password change", link)

		// A reset ends every other unused link, also one made beside it
		// (two requests at the same moment).
		link = request()
		beside := account.Token{Purpose: account.PurposeReset, UserID: u.ID, Expires: st.Now().Add(account.ResetValid)}
		if err := st.AccountTokenCreate(ctx, &beside, account.HashToken("a link made beside it")); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Reset(ctx, link, "the third password"); err != nil {
			t.Fatal(err)
		}
		dead("a link made beside the one used", "a link made beside it")
	})
}

// TestLockoutPerClient: failed sign-ins lock out the address they came
// from, not the account: the owner signs in from another address all the
// while; the locked address gets the answer of a wrong password; the owner
// is told once per lock; a new password lifts every lock.
func TestLockoutPerClient(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, clk, _ := newService(t, st)
		type lock struct {
			email, client string
			until         time.Time
		}
		var locks []lock
		svc.OnLock = func(_ context.Context, u account.User, client string, until time.Time) error {
			locks = append(locks, lock{u.Email, client, until})
			return nil
		}
		u, err := svc.Create(context.Background(), account.NewUser{Email: "admin@example.org", Password: "the admin password", Role: ""})
		if err != nil {
			t.Fatal(err)
		}
		attacker := account.WithClient(context.Background(), "198.51.100.7")
		owner := account.WithClient(context.Background(), "192.0.2.10")
		for i := range account.MaxFailures + 3 { // failures past the lock do not lock again
			if _, err := svc.Login(attacker, u.Email, "a guessed password"); err != account.ErrLogin {
				t.Fatalf("guess %d: %v", i+1, err)
			}
		}
		if _, err := svc.Login(attacker, u.Email, "the admin password"); err != account.ErrLogin {
			t.Errorf("the right password from the locked address: %v; want ErrLogin, as a wrong one", err)
		}
		if _, err := svc.Login(owner, u.Email, "the admin password"); err != nil {
			t.Errorf("the owner, from another address, is locked out too: %v", err)
		}
		want := []lock{{u.Email, "198.51.100.7", clk.t.Add(account.LockFor)}}
		if len(locks) != 1 || locks[0] != want[0] {
			t.Errorf("the owner is told %+v; want once: %+v", locks, want)
		}
		// The owner's sign-in does not lift the stranger's lock ...
		if _, err := svc.Login(attacker, u.Email, "the admin password"); err != account.ErrLogin {
			t.Errorf("the owner's sign-in lifted the stranger's lock: %v", err)
		}
		// ... a new password does.
		if err := svc.SetPassword(context.Background(), u.ID, "a new admin password", 0); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Login(attacker, u.Email, "a new admin password"); err != nil {
			t.Errorf("after a new password the address is still locked: %v", err)
		}
		// A lock ends by itself, and the next one is told again.
		for range account.MaxFailures {
			_, _ = svc.Login(attacker, u.Email, "a guessed password")
		}
		clk.t = clk.t.Add(account.LockFor)
		if _, err := svc.Login(attacker, u.Email, "a new admin password"); err != nil {
			t.Errorf("after the lock: %v", err)
		}
		if len(locks) != 2 {
			t.Errorf("the owner is told of %d locks; want 2", len(locks))
		}
	})
}

// TestChangeNeedsProof: a signed-in session alone cannot replace the
// second factor (it takes the current password and a current code) nor the
// password (it takes the current one); a wrong current password counts
// towards the lockout of the client as a failed sign-in does.
func TestChangeNeedsProof(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		svc, clk, _ := newService(t, st)
		ctx := account.WithClient(context.Background(), "198.51.100.9")
		u, err := svc.Create(ctx, account.NewUser{Email: "owner@example.org", Password: "the owner password"})
		if err != nil {
			t.Fatal(err)
		}
		old, err := account.NewTOTP("vigil", u.Email)
		if err != nil {
			t.Fatal(err)
		}
		code := func(secret string, steps int) string {
			t.Helper()
			c, err := account.TOTPCode(secret, clk.t.Add(time.Duration(steps)*30*time.Second))
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		l, err := svc.Login(ctx, u.Email, "the owner password")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Enrol(ctx, l.Session, old.Secret, code(old.Secret, 0)); err != nil {
			t.Fatal(err)
		}
		clk.t = clk.t.Add(time.Minute)
		stolen, err := account.NewTOTP("vigil", u.Email)
		if err != nil {
			t.Fatal(err)
		}
		field := func(err error) string {
			var e *errs.Error
			if errors.As(err, &e) {
				return e.Field
			}
			return ""
		}
		if _, err := svc.Enrol(ctx, l.Session, stolen.Secret, code(stolen.Secret, 0)); field(err) != "current" {
			t.Errorf("enrol over a second factor without proof: %v; want refused", err)
		}
		for _, tt := range []struct {
			name, pw, current, field string
		}{
			{"no_password", "", code(old.Secret, 0), "password"},
			{"wrong_password", "not the password", code(old.Secret, 0), "password"},
			{"no_code", "the owner password", "", "current"},
			{"wrong_code", "the owner password", code(stolen.Secret, 0), "current"},
		} {
			_, err := svc.ChangeSecondFactor(ctx, l.Session, tt.pw, tt.current, stolen.Secret, code(stolen.Secret, 0))
			if field(err) != tt.field {
				t.Errorf("%s: %v; want refused on %s", tt.name, err, tt.field)
			}
		}
		c, err := st.UserCredentials(ctx, u.Email)
		if err != nil || c.TOTPSecret != old.Secret {
			t.Fatalf("a refused change replaced the second factor (%v)", err)
		}
		if c.FailedLogins != 4 {
			t.Errorf("the refused changes count %d failures; want 4", c.FailedLogins)
		}
		// The owner, with both, replaces it; the old factor no longer
		// signs in.
		if _, err := svc.ChangeSecondFactor(ctx, l.Session, "the owner password", code(old.Secret, 0), stolen.Secret, code(stolen.Secret, 1)); err != nil {
			t.Fatalf("the owner's change: %v", err)
		}
		if c, _ := st.UserCredentials(ctx, u.Email); c.TOTPSecret != stolen.Secret {
			t.Error("the owner's change did not replace the second factor")
		}

		// A wrong current password of a password change counts too: the
		// fifth locks the client out, after which even the right one is
		// refused as a wrong one.
		other := account.WithClient(context.Background(), "203.0.113.5")
		for i := range account.MaxFailures {
			if err := svc.ChangePassword(other, u.ID, "a guess", "a new long password", 0); field(err) != "old" {
				t.Fatalf("guess %d: %v; want refused on old", i+1, err)
			}
		}
		if err := svc.ChangePassword(other, u.ID, "the owner password", "a new long password", 0); field(err) != "old" {
			t.Errorf("the right password from a locked-out client: %v; want refused on old", err)
		}
		if ok, _ := svc.CheckPassword(ctx, u.Email, "a new long password"); ok {
			t.Error("a locked-out client changed the password")
		}
		if err := svc.ChangePassword(ctx, u.ID, "the owner password", "a new long password", 0); err != nil {
			t.Errorf("the owner's password change from another address: %v", err)
		}
	})
}
