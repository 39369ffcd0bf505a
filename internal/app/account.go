// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"strings"

	"vigil/internal/account"
)

// Accounts returns the portal account service on the store.
func (a *App) Accounts() *account.Service {
	return &account.Service{Store: a.st, Now: a.st.Now, Issuer: "vigil"}
}

// CreateUser creates a portal account; orgs are ORG[:role] references (an
// organisation by id or name, the role member by default) it acts for.
func (a *App) CreateUser(ctx context.Context, n account.NewUser, orgs []string) (account.User, error) {
	for _, o := range orgs {
		ref, role, _ := strings.Cut(o, ":")
		var m account.Membership
		var err error
		if m.Role, err = account.ParseOrgRole(role); err != nil {
			return account.User{}, err
		}
		if m.OrgID, err = a.OrgID(ctx, ref); err != nil {
			return account.User{}, err
		}
		n.Orgs = append(n.Orgs, m)
	}
	return a.Accounts().Create(ctx, n)
}

// SetPassword sets the password of the account with e-mail address email
// (ending its sessions and lifting a lockout) and returns the account's id.
func (a *App) SetPassword(ctx context.Context, email, password string) (int64, error) {
	email, err := account.NormalizeEmail(email)
	if err != nil {
		return 0, err
	}
	c, err := a.st.UserCredentials(ctx, email)
	if err != nil {
		return 0, err
	}
	return c.User.ID, a.Accounts().SetPassword(ctx, c.User.ID, password, 0)
}
