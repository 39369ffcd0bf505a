// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package demo

import (
	"context"
	"testing"

	"vigil/internal/account"
	"vigil/internal/store/storetest"
)

func TestLoadAccounts(t *testing.T) {
	t.Parallel()
	st := storetest.OpenSQLite(t, storetest.Options{})
	ctx := context.Background()
	if _, err := Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	logins, err := LoadAccounts(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	svc := &account.Service{Store: st, Now: st.Now}
	roles := map[string]bool{}
	for _, l := range logins {
		roles[l.Role] = true
		login, err := svc.Login(ctx, l.Email, l.Password)
		if err != nil {
			t.Fatalf("%s cannot sign in: %v", l.Email, err)
		}
		if staff := l.Role != string(account.RoleMember); staff != (l.TOTPSecret != "") || staff != login.NeedTOTP {
			t.Errorf("%s: role %s, TOTP secret %q, second factor asked %v", l.Email, l.Role, l.TOTPSecret, login.NeedTOTP)
		}
		if l.Role == string(account.RoleMember) && (l.Org == "" || len(login.User.Memberships) != 1) {
			t.Errorf("member %+v acts for %v", l, login.User.Memberships)
		}
	}
	if len(logins) != 3 || !roles["admin"] || !roles["analyst"] || !roles["member"] {
		t.Errorf("logins = %+v", logins)
	}
}
