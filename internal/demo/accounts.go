// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package demo

import (
	"context"
	"fmt"

	"vigil/internal/account"
	"vigil/internal/keyset"
	"vigil/internal/store"
	"vigil/internal/tenant"
)

// Login is a demo account: its address, a generated password and, for
// staff, the TOTP secret to add to an authenticator app.
type Login struct {
	Role       string `json:"role"`
	Email      string `json:"email"`
	Password   string `json:"password"`
	TOTPSecret string `json:"totp_secret,omitempty"`
	Org        string `json:"org,omitempty"`
}

// LoadAccounts creates the demo's three portal accounts: an administrator,
// an analyst (both with a second factor already enrolled) and a member of
// the first demo organisation. Passwords are generated anew each run.
func LoadAccounts(ctx context.Context, s *store.Store) ([]Login, error) {
	orgs, err := s.OrgList(ctx, tenant.Operator(), keyset.Page{Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(orgs) == 0 {
		return nil, fmt.Errorf("demo accounts: no organisation loaded")
	}
	svc := &account.Service{Store: s, Now: s.Now, Issuer: "vigil demo"}
	var out []Login
	for _, l := range []struct {
		role  account.Role
		email string
		org   bool
	}{
		{account.RoleAdmin, "admin@vigil.demo", false},
		{account.RoleAnalyst, "analyst@vigil.demo", false},
		{"", "member@vigil.demo", true},
	} {
		n := account.NewUser{Email: l.email, Role: l.role, Password: account.NewToken(12)}
		login := Login{Role: string(l.role), Email: l.email, Password: n.Password}
		if l.org {
			n.Orgs = []account.Membership{{OrgID: orgs[0].ID, Role: account.RoleMember}}
			login.Role, login.Org = string(account.RoleMember), orgs[0].Name
		}
		u, err := svc.Create(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("demo account %s: %w", l.email, err)
		}
		if u.NeedsTOTP() {
			k, err := account.NewTOTP("vigil demo", l.email)
			if err != nil {
				return nil, err
			}
			if err := s.UserSetTOTP(ctx, u.ID, k.Secret); err != nil {
				return nil, err
			}
			login.TOTPSecret = k.Secret
		}
		out = append(out, login)
	}
	return out, nil
}
