// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"

	"vigil/internal/account"
)

// Accounts returns the portal account service on the store.
func (a *App) Accounts() *account.Service {
	return &account.Service{Store: a.st, Now: a.st.Now, Issuer: "vigil"}
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
