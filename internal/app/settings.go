// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"strconv"
	"strings"

	"vigil/internal/account"
	"vigil/internal/errs"
	"vigil/internal/store"
)

// SignupSetting is the key of Settings.SignupOpen in the settings table:
// "true" or "false"; absent (or unreadable) means open.
const SignupSetting = "signup.open"

// Settings are the installation's settings an administrator changes while
// the service runs (the settings page, PUT /api/v1/settings). Every node
// reads them from the database, so a change holds on all of them at once;
// what a node needs at start stays in its configuration file.
type Settings struct {
	// SignupOpen says whether anyone may sign up for a portal account
	// (confirmed by e-mail); closed, accounts come from an administrator
	// or an invitation only.
	SignupOpen bool `json:"signup_open"`
}

// Settings reads the installation's settings.
func (a *App) Settings(ctx context.Context) (Settings, error) { return settingsOn(ctx, a.st) }

// settingsOn reads the installation's settings through st.
func settingsOn(ctx context.Context, st *store.Store) (Settings, error) {
	v, err := st.SettingGet(ctx, SignupSetting)
	switch {
	case errs.CodeOf(err) == errs.NotFound:
		return Settings{SignupOpen: true}, nil
	case err != nil:
		return Settings{}, err
	}
	open, perr := strconv.ParseBool(strings.TrimSpace(v))
	return Settings{SignupOpen: perr != nil || open}, nil
}

// SetSettings stores the installation's settings and audits the change
// with the settings before and after (nothing is written or audited when
// nothing changes). The audit entry is written in the change's
// transaction, so that neither stays without the other.
func (a *App) SetSettings(ctx context.Context, s Settings) (Settings, error) {
	out := s
	err := a.st.Tx(ctx, func(tx *store.Store) error {
		before, err := settingsOn(ctx, tx)
		if err != nil || before == s {
			out = before
			return err
		}
		if err := tx.SettingSet(ctx, SignupSetting, strconv.FormatBool(s.SignupOpen)); err != nil {
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "settings.change", Object: "settings",
			Before: auditJSON(before), After: auditJSON(s)})
	})
	if err != nil {
		return Settings{}, err
	}
	return out, nil
}
