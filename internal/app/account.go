// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bufio"
	"context"
	"io"
	"strconv"
	"strings"

	"vigil/internal/account"
	"vigil/internal/errs"
	"vigil/internal/store"
)

// Accounts returns the portal account service on the store.
func (a *App) Accounts() *account.Service { return a.accountsOn(a.st) }

// accountsOn is the account service on st: a transaction's store, so that
// an account's change and its audit entry are kept or lost together.
func (a *App) accountsOn(st *store.Store) *account.Service {
	return &account.Service{Store: st, Now: a.st.Now, Issuer: "vigil"}
}

// CreateUser creates a portal account, acting for n.Orgs and for orgs:
// ORG[:role] references (an organisation by id or name, the role member by
// default). The audit entry (user.create) holds the account made: its
// address, staff role and memberships, never the password.
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
	var u account.User
	err := a.st.Tx(ctx, func(tx *store.Store) error {
		var err error
		if u, err = a.accountsOn(tx).Create(ctx, n); err != nil {
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "user.create", Object: "user " + strconv.FormatInt(u.ID, 10), Detail: u.Email, After: auditJSON(u)})
	})
	return u, err
}

// SetPassword sets the password of the account with e-mail address email
// (ending its sessions and lifting a lockout) and returns the account's id.
func (a *App) SetPassword(ctx context.Context, email, password string) (int64, error) {
	id, err := a.UserID(ctx, email)
	if err != nil {
		return 0, err
	}
	return id, a.Accounts().SetPassword(ctx, id, password, 0)
}

// UserID returns the id of the account with e-mail address email.
func (a *App) UserID(ctx context.Context, email string) (int64, error) {
	email, err := account.NormalizeEmail(email)
	if err != nil {
		return 0, err
	}
	c, err := a.st.UserCredentials(ctx, email)
	if err != nil {
		return 0, err
	}
	return c.User.ID, nil
}

// SetUserRole gives account id the role admin, analyst, or member for no
// staff role (account.ParseAccountRole), done by account by (0: an
// operator), and audits the change with the account before and after.
func (a *App) SetUserRole(ctx context.Context, by, id int64, role string) (account.User, error) {
	return a.changeUser(ctx, "user.role", func(svc *account.Service) (account.User, account.User, error) {
		return svc.SetRole(ctx, by, id, role)
	})
}

// SetUserDisabled disables or enables account id, done by account by (0:
// an operator; see account.Service.SetDisabled for what is refused), and
// audits the change with the account before and after.
func (a *App) SetUserDisabled(ctx context.Context, by, id int64, disabled bool) (account.User, error) {
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	return a.changeUser(ctx, action, func(svc *account.Service) (account.User, account.User, error) {
		return svc.SetDisabled(ctx, by, id, disabled)
	})
}

// ResetUserTOTP removes the second factor of account id for a person who
// lost it, done by account by (0: an operator; see
// account.Service.ResetTOTP for what is refused): their sessions end and
// they enrol a new one at their next sign-in. The change is audited with
// the account before and after (never the secret).
func (a *App) ResetUserTOTP(ctx context.Context, by, id int64) (account.User, error) {
	return a.changeUser(ctx, "user.totp_reset", func(svc *account.Service) (account.User, account.User, error) {
		return svc.ResetTOTP(ctx, by, id)
	})
}

// changeUser runs change, a change of an account through the account
// service, and writes its audit entry (action, with the account before and
// after) in the change's transaction, so that neither stays without the
// other; it returns the account after.
func (a *App) changeUser(ctx context.Context, action string, change func(svc *account.Service) (before, after account.User, err error)) (account.User, error) {
	var after account.User
	err := a.st.Tx(ctx, func(tx *store.Store) error {
		before, out, err := change(a.accountsOn(tx))
		if err != nil {
			return err
		}
		after = out
		return a.auditIn(ctx, tx, account.AuditEntry{Action: action, Object: "user " + strconv.FormatInt(after.ID, 10), Detail: after.Email,
			Before: auditJSON(before), After: auditJSON(after)})
	})
	return after, err
}

// ReadPassword reads a password from the first line of r when fromStdin is
// set, or makes one; the second result says it was made.
func ReadPassword(r io.Reader, fromStdin bool) (string, bool, error) {
	if !fromStdin {
		return account.NewToken(15), true, nil
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && line == "" {
		return "", false, errs.FieldKeyed("password", "", "password.stdin", "--password-stdin: standard input is empty")
	}
	return strings.TrimRight(line, "\r\n"), false, nil
}

// UserRow is an account as the columns of vigil user list: id, e-mail
// address, staff role, organisations with the role in each, second factor,
// last sign-in, disabled.
func UserRow(u account.User) []any {
	var ms []string
	for _, m := range u.Memberships {
		ms = append(ms, m.OrgName+" ("+string(m.Role)+")")
	}
	last := "-"
	if u.LastLogin != nil {
		last = u.LastLogin.Format("2006-01-02 15:04")
	}
	role := string(u.Role)
	if role == "" {
		role = "-"
	}
	return []any{u.ID, u.Email, role, strings.Join(ms, ", "), u.TOTP, last, u.Disabled}
}

// SetUserLang stores language lang (nl or en) as account id's choice (the
// portal's language buttons while signed in; a visitor's lives only in a
// cookie) and audits it as user.lang.
func (a *App) SetUserLang(ctx context.Context, id int64, lang string) (account.User, error) {
	if lang != "nl" && lang != "en" {
		return account.User{}, errs.FieldKeyed("lang", lang, "lang.nlen", "must be nl or en")
	}
	var out account.User
	err := a.st.Tx(ctx, func(tx *store.Store) error {
		var err error
		if out, err = tx.UserUpdate(ctx, id, func(u *account.User) error { u.Lang = lang; return nil }); err != nil {
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "user.lang", Object: "user " + strconv.FormatInt(id, 10), Detail: out.Email + ": lang " + lang})
	})
	return out, err
}
