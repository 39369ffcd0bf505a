// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"vigil/internal/account"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/registry"
	"vigil/internal/tenant"
)

var _ account.Store = (*Store)(nil)

// AccountTx implements account.Store: fn runs in one transaction.
func (s *Store) AccountTx(ctx context.Context, fn func(tx account.Store) error) error {
	return s.Tx(ctx, func(tx *Store) error { return fn(tx) })
}

const userCols = `u.id, u.email, u.name, u.lang, u.role, u.totp_secret <> '', u.disabled, u.unconfirmed, u.created_at, u.last_login, u.locked_until, u.totp_enrol`

func scanUser(sc scanner, extra ...any) (account.User, error) {
	var u account.User
	var role string
	var last, locked sql.NullTime
	err := sc.Scan(append([]any{&u.ID, &u.Email, &u.Name, &u.Lang, &role, &u.TOTP, &u.Disabled, &u.Unconfirmed, &u.CreatedAt, &last, &locked, &u.TOTPEnrol}, extra...)...)
	u.Role = account.Role(role)
	u.CreatedAt = u.CreatedAt.UTC()
	if last.Valid {
		t := last.Time.UTC()
		u.LastLogin = &t
	}
	if locked.Valid {
		t := locked.Time.UTC()
		u.LockedUntil = &t
	}
	u.Memberships = []account.Membership{}
	return u, err
}

// UserCreate implements account.Store.
func (s *Store) UserCreate(ctx context.Context, u *account.User, passwordHash string) error {
	id, err := s.InsertID(ctx, `INSERT INTO users (email, name, lang, role, password_hash, unconfirmed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		u.Email, u.Name, u.Lang, string(u.Role), passwordHash, u.Unconfirmed, u.CreatedAt)
	if err != nil {
		return fmt.Errorf("user %s: %w", u.Email, err)
	}
	u.ID = id
	return nil
}

// UserGet implements account.Store: the user with its memberships.
func (s *Store) UserGet(ctx context.Context, id int64) (account.User, error) {
	u, err := scanUser(s.QueryRow(ctx, `SELECT `+userCols+` FROM users u WHERE u.id = ?`, id))
	if err != nil {
		return u, Scan(err, fmt.Sprintf("user %d", id))
	}
	return u, s.memberships(ctx, []*account.User{&u})
}

// memberships fills the users' memberships.
func (s *Store) memberships(ctx context.Context, us []*account.User) error {
	if len(us) == 0 {
		return nil
	}
	byID := map[int64]*account.User{}
	for _, u := range us {
		byID[u.ID] = u
	}
	q := `SELECT m.user_id, m.org_id, o.name, m.role FROM memberships m JOIN orgs o ON o.id = m.org_id`
	var args []any
	if len(us) == 1 {
		q += ` WHERE m.user_id = ?`
		args = append(args, us[0].ID)
	}
	rows, err := s.Query(ctx, q+` ORDER BY o.name, m.org_id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var uid int64
		var m account.Membership
		var role string
		if err := rows.Scan(&uid, &m.OrgID, &m.OrgName, &role); err != nil {
			return err
		}
		m.Role, m.OrgName = account.Role(role), shownName(m.OrgName)
		if u := byID[uid]; u != nil {
			u.Memberships = append(u.Memberships, m)
		}
	}
	return rows.Err()
}

// UserCredentials implements account.Store.
func (s *Store) UserCredentials(ctx context.Context, email string) (account.Credentials, error) {
	var c account.Credentials
	u, err := scanUser(s.QueryRow(ctx, `SELECT `+userCols+`, u.password_hash, u.totp_secret, u.failed_logins FROM users u WHERE u.email = ?`, email),
		&c.PasswordHash, &c.TOTPSecret, &c.FailedLogins)
	if err != nil {
		return c, Scan(err, "user "+email)
	}
	c.User = u
	return c, s.memberships(ctx, []*account.User{&c.User})
}

// UserList implements account.Store: every user, by e-mail address.
func (s *Store) UserList(ctx context.Context) ([]account.User, error) {
	out, err := queryAll(ctx, s, func(r scanner) (account.User, error) { return scanUser(r) }, `SELECT `+userCols+` FROM users u ORDER BY u.email`)
	if err != nil {
		return nil, err
	}
	ptrs := make([]*account.User, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	return out, s.memberships(ctx, ptrs)
}

// UserUpdate implements account.Store: fn changes the name, language, role
// or disabled flag of the user, in one transaction.
func (s *Store) UserUpdate(ctx context.Context, id int64, fn func(u *account.User) error) (account.User, error) {
	var out account.User
	err := s.Tx(ctx, func(tx *Store) error {
		u, err := tx.UserGet(ctx, id)
		if err != nil {
			return err
		}
		if err := fn(&u); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET name = ?, lang = ?, role = ?, disabled = ? WHERE id = ?`,
			u.Name, u.Lang, string(u.Role), u.Disabled, id); err != nil {
			return err
		}
		out = u
		return nil
	})
	return out, err
}

// UserChange implements account.Store: in one transaction it counts the
// active administrators (locking their rows on PostgreSQL, so that two
// changes cannot both remove the last one), lets fn change the user's role
// or disabled flag, writes the user and, when fn asks, ends the user's
// sessions and unused password-reset links. It returns the user before and
// after.
func (s *Store) UserChange(ctx context.Context, id int64, fn func(u *account.User, admins int) (end bool, err error)) (before, after account.User, err error) {
	err = s.Tx(ctx, func(tx *Store) error {
		rows, err := tx.Query(ctx, `SELECT id FROM users WHERE role = ? AND NOT disabled`+tx.forUpdate(), string(account.RoleAdmin))
		if err != nil {
			return fmt.Errorf("administrators: %w", err)
		}
		admins := 0
		for rows.Next() {
			admins++
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("administrators: %w", err)
		}
		if before, err = tx.UserGet(ctx, id); err != nil {
			return err
		}
		after = before
		end, err := fn(&after, admins)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET role = ?, disabled = ? WHERE id = ?`, string(after.Role), after.Disabled, id); err != nil {
			return fmt.Errorf("user %d: %w", id, err)
		}
		if !end {
			return nil
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return fmt.Errorf("sessions of user %d: %w", id, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM account_tokens WHERE user_id = ? AND purpose = ? AND used_at IS NULL`, id, string(account.PurposeReset)); err != nil {
			return fmt.Errorf("reset links of user %d: %w", id, err)
		}
		return nil
	})
	return before, after, err
}

// UserSetPassword implements account.Store; it also lifts a lockout and
// ends the user's unused password-reset links (a link asked for before the
// change must not undo it).
func (s *Store) UserSetPassword(ctx context.Context, id int64, hash string) error {
	return s.Tx(ctx, func(tx *Store) error {
		if err := tx.updateOne(ctx, fmt.Sprintf("user %d", id),
			`UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?`, hash, id); err != nil {
			return err
		}
		if err := tx.unlock(ctx, id); err != nil {
			return err
		}
		return tx.AccountTokenDrop(ctx, id, account.PurposeReset)
	})
}

// UserSetTOTP implements account.Store ("" removes the second factor;
// enrolling one clears an administrator's demand to enrol).
func (s *Store) UserSetTOTP(ctx context.Context, id int64, secret string) error {
	if secret == "" {
		return s.updateOne(ctx, fmt.Sprintf("user %d", id), `UPDATE users SET totp_secret = '', totp_last_step = 0 WHERE id = ?`, id)
	}
	return s.updateOne(ctx, fmt.Sprintf("user %d", id), `UPDATE users SET totp_secret = ?, totp_last_step = 0, totp_enrol = FALSE WHERE id = ?`, secret, id)
}

// UserResetTOTP implements account.Store: in one transaction it lets check
// refuse, removes the user's second factor, marks that one must be
// enrolled at the next sign-in and ends the user's sessions. It returns
// the user before and after.
func (s *Store) UserResetTOTP(ctx context.Context, id int64, check func(u account.User) error) (before, after account.User, err error) {
	err = s.Tx(ctx, func(tx *Store) error {
		if before, err = tx.UserGet(ctx, id); err != nil {
			return err
		}
		if err := check(before); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET totp_secret = '', totp_last_step = 0, totp_enrol = TRUE WHERE id = ?`, id); err != nil {
			return fmt.Errorf("user %d: %w", id, err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
			return fmt.Errorf("sessions of user %d: %w", id, err)
		}
		after, err = tx.UserGet(ctx, id)
		return err
	})
	return before, after, err
}

// UserTOTPUse implements account.Store.
func (s *Store) UserTOTPUse(ctx context.Context, id int64, step int64) error {
	r, err := s.Exec(ctx, `UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, id, step)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return errs.Errorf(errs.Conflict, "the code was used already")
	}
	return nil
}

// UserLoginFailed implements account.Store: it counts the failure of
// client (upserting its row) and, at max failures, locks client out of the
// account until now+lockFor, which it returns (zero when this failure did
// not lock). users.failed_logins and locked_until keep the newest count
// and lock of any client, for the administrators' view.
func (s *Store) UserLoginFailed(ctx context.Context, id int64, client string, now time.Time, max int, lockFor time.Duration) (time.Time, error) {
	var until time.Time
	err := s.Tx(ctx, func(tx *Store) error {
		var n int
		err := tx.QueryRow(ctx, `INSERT INTO login_locks (user_id, client, failures, updated_at) VALUES (?, ?, 1, ?)
ON CONFLICT (user_id, client) DO UPDATE SET failures = login_locks.failures + 1, updated_at = excluded.updated_at RETURNING failures`,
			id, client, now).Scan(&n)
		if err != nil {
			return fmt.Errorf("failed sign-in of user %d: %w", id, err)
		}
		if n < max {
			_, err := tx.Exec(ctx, `UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?`, id)
			return err
		}
		until = now.Add(lockFor)
		if _, err := tx.Exec(ctx, `UPDATE login_locks SET failures = 0, locked_until = ? WHERE user_id = ? AND client = ?`, until, id, client); err != nil {
			return fmt.Errorf("lock user %d: %w", id, err)
		}
		_, err = tx.Exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = ? WHERE id = ?`, until, id)
		return err
	})
	return until, err
}

// UserLockedUntil implements account.Store: when client's lock on the
// account ends (zero: none).
func (s *Store) UserLockedUntil(ctx context.Context, id int64, client string) (time.Time, error) {
	var until sql.NullTime
	err := s.QueryRow(ctx, `SELECT locked_until FROM login_locks WHERE user_id = ? AND client = ?`, id, client).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !until.Valid {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("lock of user %d: %w", id, err)
	}
	return until.Time.UTC(), nil
}

// UserConfirm implements account.Store; a new password also lifts a
// lockout.
func (s *Store) UserConfirm(ctx context.Context, id int64, passwordHash string) error {
	var err error
	if passwordHash == "" {
		_, err = s.Exec(ctx, `UPDATE users SET unconfirmed = FALSE WHERE id = ?`, id)
	} else if _, err = s.Exec(ctx, `UPDATE users SET unconfirmed = FALSE, password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?`, passwordHash, id); err == nil {
		err = s.unlock(ctx, id)
	}
	if err != nil {
		return fmt.Errorf("confirm user %d: %w", id, err)
	}
	return nil
}

// UserLoginOK implements account.Store: client's failures on the account
// are forgiven (another client's lock stays).
func (s *Store) UserLoginOK(ctx context.Context, id int64, client string, at time.Time) error {
	return s.Tx(ctx, func(tx *Store) error {
		if _, err := tx.Exec(ctx, `DELETE FROM login_locks WHERE user_id = ? AND client = ?`, id, client); err != nil {
			return fmt.Errorf("sign-in of user %d: %w", id, err)
		}
		_, err := tx.Exec(ctx, `UPDATE users SET failed_logins = 0, last_login = ? WHERE id = ?`, at, id)
		return err
	})
}

// unlock lifts every lock and failure count of user id, the second
// factor's included (its password changed: whoever was guessing codes
// with the old one no longer has it).
func (s *Store) unlock(ctx context.Context, id int64) error {
	if _, err := s.Exec(ctx, `DELETE FROM login_locks WHERE user_id = ?`, id); err != nil {
		return fmt.Errorf("unlock user %d: %w", id, err)
	}
	if _, err := s.Exec(ctx, `DELETE FROM totp_failures WHERE user_id = ?`, id); err != nil {
		return fmt.Errorf("unlock user %d: %w", id, err)
	}
	if _, err := s.Exec(ctx, `UPDATE users SET totp_locked_until = NULL WHERE id = ?`, id); err != nil {
		return fmt.Errorf("unlock user %d: %w", id, err)
	}
	return nil
}

// MembershipSet implements account.Store: grants or changes a membership.
func (s *Store) MembershipSet(ctx context.Context, userID, orgID int64, role account.Role) error {
	if err := s.OrgExists(ctx, tenant.Operator(), orgID); err != nil {
		return err
	}
	_, err := s.Exec(ctx, `INSERT INTO memberships (user_id, org_id, role) VALUES (?, ?, ?)
		ON CONFLICT (user_id, org_id) DO UPDATE SET role = excluded.role`, userID, orgID, string(role))
	return interpret(err)
}

// MembershipDelete implements account.Store.
func (s *Store) MembershipDelete(ctx context.Context, userID, orgID int64) error {
	return s.deleteOne(ctx, `DELETE FROM memberships WHERE user_id = ? AND org_id = ?`,
		fmt.Sprintf("membership of user %d in organisation %d", userID, orgID), userID, orgID)
}

// SessionCreate implements account.Store.
func (s *Store) SessionCreate(ctx context.Context, ses *account.Session, hash string) error {
	id, err := s.InsertID(ctx, `INSERT INTO sessions (hash, user_id, csrf, verified, created_at, seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		hash, ses.UserID, ses.CSRF, ses.Verified, ses.CreatedAt, ses.SeenAt, ses.ExpiresAt)
	ses.ID = id
	return err
}

// SessionGet implements account.Store. It writes the seen time at most once
// a minute, so that browsing does not make every page a write; an expired
// session is deleted.
func (s *Store) SessionGet(ctx context.Context, hash string, now time.Time) (account.Session, error) {
	var ses account.Session
	err := s.QueryRow(ctx, `SELECT id, user_id, csrf, verified, created_at, seen_at, expires_at FROM sessions WHERE hash = ?`, hash).
		Scan(&ses.ID, &ses.UserID, &ses.CSRF, &ses.Verified, &ses.CreatedAt, &ses.SeenAt, &ses.ExpiresAt)
	if err != nil {
		return ses, Scan(err, "session")
	}
	if ses.Expired(now) {
		_, _ = s.Exec(ctx, `DELETE FROM sessions WHERE id = ?`, ses.ID)
		return account.Session{}, errs.Errorf(errs.NotFound, "session not found")
	}
	if now.Sub(ses.SeenAt) > time.Minute {
		if _, err := s.Exec(ctx, `UPDATE sessions SET seen_at = ? WHERE id = ?`, now, ses.ID); err != nil {
			return ses, err
		}
		ses.SeenAt = now
	}
	return ses, nil
}

// SessionReplace implements account.Store: in one transaction session old
// ends and ses is stored under hash; a session old that has ended already
// is errs.NotFound and nothing is stored.
func (s *Store) SessionReplace(ctx context.Context, old int64, ses *account.Session, hash string) error {
	return s.Tx(ctx, func(tx *Store) error {
		if err := tx.deleteOne(ctx, `DELETE FROM sessions WHERE id = ?`, fmt.Sprintf("session %d", old), old); err != nil {
			return err
		}
		return tx.SessionCreate(ctx, ses, hash)
	})
}

// SessionTOTPFailed implements account.Store: it counts a wrong code given
// in session id and, at max, ends the session (ended is true). A session
// that has ended already is ended too.
func (s *Store) SessionTOTPFailed(ctx context.Context, id int64, max int) (ended bool, err error) {
	err = s.Tx(ctx, func(tx *Store) error {
		var n int
		err := tx.QueryRow(ctx, `UPDATE sessions SET totp_failures = totp_failures + 1 WHERE id = ? RETURNING totp_failures`, id).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			ended = true
			return nil
		}
		if err != nil {
			return fmt.Errorf("wrong code in session %d: %w", id, err)
		}
		if n < max {
			return nil
		}
		ended = true
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE id = ?`, id); err != nil {
			return fmt.Errorf("end session %d: %w", id, err)
		}
		return nil
	})
	return ended, err
}

// UserTOTPFailed implements account.Store: it keeps the wrong code of
// client and, when the account's wrong codes of the last window reach max,
// locks the account's second factor until now+lockFor, which it returns
// (zero when this failure did not lock), and starts the count afresh.
// Codes older than the window are forgotten.
func (s *Store) UserTOTPFailed(ctx context.Context, id int64, client string, now time.Time, max int, window, lockFor time.Duration) (time.Time, error) {
	var until time.Time
	err := s.Tx(ctx, func(tx *Store) error {
		// The user's row first: concurrent failures of one account take
		// their turns, so that exactly one of them locks.
		if err := tx.updateOne(ctx, fmt.Sprintf("user %d", id), `UPDATE users SET failed_logins = failed_logins WHERE id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM totp_failures WHERE user_id = ? AND at <= ?`, id, now.Add(-window)); err != nil {
			return fmt.Errorf("forget old wrong codes of user %d: %w", id, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO totp_failures (user_id, client, at) VALUES (?, ?, ?)`, id, client, now); err != nil {
			return fmt.Errorf("wrong code of user %d: %w", id, err)
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM totp_failures WHERE user_id = ?`, id).Scan(&n); err != nil {
			return fmt.Errorf("wrong codes of user %d: %w", id, err)
		}
		if n < max {
			return nil
		}
		until = now.Add(lockFor)
		if _, err := tx.Exec(ctx, `DELETE FROM totp_failures WHERE user_id = ?`, id); err != nil {
			return fmt.Errorf("wrong codes of user %d: %w", id, err)
		}
		_, err := tx.Exec(ctx, `UPDATE users SET totp_locked_until = ? WHERE id = ?`, until, id)
		return err
	})
	return until, err
}

// UserTOTPLockedUntil implements account.Store: when the lock on the
// account's second factor ends (zero: none).
func (s *Store) UserTOTPLockedUntil(ctx context.Context, id int64) (time.Time, error) {
	var until sql.NullTime
	err := s.QueryRow(ctx, `SELECT totp_locked_until FROM users WHERE id = ?`, id).Scan(&until)
	if err != nil {
		return time.Time{}, Scan(err, fmt.Sprintf("user %d", id))
	}
	if !until.Valid {
		return time.Time{}, nil
	}
	return until.Time.UTC(), nil
}

// SessionDelete implements account.Store.
func (s *Store) SessionDelete(ctx context.Context, hash string) error {
	return s.deleteOne(ctx, `DELETE FROM sessions WHERE hash = ?`, "session", hash)
}

// SessionDeleteUser implements account.Store.
func (s *Store) SessionDeleteUser(ctx context.Context, userID, keep int64) error {
	_, err := s.Exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, keep)
	return err
}

// SessionPurge deletes sessions that expired before now.
func (s *Store) SessionPurge(ctx context.Context, now time.Time) (int64, error) {
	r, err := s.Exec(ctx, `DELETE FROM sessions WHERE expires_at < ? OR seen_at < ?`, now, now.Add(-account.IdleTimeout))
	if err != nil {
		return 0, err
	}
	// Failure counts a day old are forgotten, with ended locks.
	if _, err := s.Exec(ctx, `DELETE FROM login_locks WHERE updated_at < ? AND (locked_until IS NULL OR locked_until < ?)`, now.Add(-24*time.Hour), now); err != nil {
		return 0, fmt.Errorf("purge sign-in failures: %w", err)
	}
	if _, err := s.Exec(ctx, `DELETE FROM totp_failures WHERE at < ?`, now.Add(-24*time.Hour)); err != nil {
		return 0, fmt.Errorf("purge wrong codes: %w", err)
	}
	return r.RowsAffected()
}

// AccountTokenCreate implements account.Store (one-time tokens, not API tokens).
func (s *Store) AccountTokenCreate(ctx context.Context, t *account.Token, hash string) error {
	id, err := s.InsertID(ctx, `INSERT INTO account_tokens (hash, purpose, user_id, org_id, email, role, created_by, created_at, expires_at, password_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, hash, string(t.Purpose), nullID(t.UserID), nullID(t.OrgID), t.Email, string(t.Role),
		nullID(t.By), s.Now(), t.Expires, t.PasswordHash)
	t.ID = id
	return err
}

const accountTokenCols = `id, purpose, COALESCE(user_id, 0), COALESCE(org_id, 0), email, role, COALESCE(created_by, 0), expires_at, password_hash`

func scanAccountToken(sc scanner) (account.Token, error) {
	var t account.Token
	var purpose, role string
	err := sc.Scan(&t.ID, &purpose, &t.UserID, &t.OrgID, &t.Email, &role, &t.By, &t.Expires, &t.PasswordHash)
	t.Purpose, t.Role = account.Purpose(purpose), account.Role(role)
	return t, err
}

// AccountTokenGet implements account.Store.
func (s *Store) AccountTokenGet(ctx context.Context, purpose account.Purpose, hash string, now time.Time) (account.Token, error) {
	t, err := scanAccountToken(s.QueryRow(ctx, `SELECT `+accountTokenCols+` FROM account_tokens
		WHERE hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?`, hash, string(purpose), now))
	return t, Scan(err, string(purpose)+" token")
}

// AccountTokenUse implements account.Store.
func (s *Store) AccountTokenUse(ctx context.Context, purpose account.Purpose, hash string, now time.Time) (account.Token, error) {
	var t account.Token
	err := s.Tx(ctx, func(tx *Store) error {
		var err error
		if t, err = tx.AccountTokenGet(ctx, purpose, hash, now); err != nil {
			return err
		}
		return tx.updateOne(ctx, string(purpose)+" token", `UPDATE account_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL`, now, t.ID)
	})
	return t, err
}

// AccountTokenDrop implements account.Store.
func (s *Store) AccountTokenDrop(ctx context.Context, userID int64, purpose account.Purpose) error {
	if _, err := s.Exec(ctx, `DELETE FROM account_tokens WHERE user_id = ? AND purpose = ? AND used_at IS NULL`, userID, string(purpose)); err != nil {
		return fmt.Errorf("unused %s links of user %d: %w", purpose, userID, err)
	}
	return nil
}

// AuditAdd implements account.Store.
func (s *Store) AuditAdd(ctx context.Context, e account.AuditEntry) error {
	if e.At.IsZero() {
		e.At = s.Now()
	}
	_, err := s.Exec(ctx, `INSERT INTO audit_log (at, user_id, actor, action, org_id, object, detail, via, before_json, after_json)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.At, nullID(e.UserID), e.Actor, e.Action, nullID(e.OrgID), e.Object, e.Detail, e.Via, string(e.Before), string(e.After))
	if err != nil {
		return fmt.Errorf("audit %s: %w", e.Action, err)
	}
	return nil
}

// AuditList returns audit entries, newest first, before id p.After (0: the
// newest).
func (s *Store) AuditList(ctx context.Context, p keyset.Page) ([]account.AuditEntry, error) {
	return s.AuditQuery(ctx, account.AuditFilter{}, p)
}

// AuditQuery returns the audit entries f selects, newest first, before id
// p.After (0: the newest).
func (s *Store) AuditQuery(ctx context.Context, f account.AuditFilter, p keyset.Page) ([]account.AuditEntry, error) {
	q := `SELECT id, at, COALESCE(user_id, 0), actor, action, COALESCE(org_id, 0), object, detail, via, before_json, after_json FROM audit_log WHERE 1 = 1`
	var args []any
	if p.After > 0 {
		q += ` AND id < ?`
		args = append(args, p.After)
	}
	if f.Actor != "" {
		q += ` AND lower(actor) = ?`
		args = append(args, strings.ToLower(strings.TrimSpace(f.Actor)))
	}
	if k := strings.ToLower(strings.TrimSpace(f.Kind)); k != "" {
		q += ` AND (action = ? OR action LIKE ? ESCAPE '\')`
		args = append(args, k, likeEscape(k)+".%")
	}
	if !f.Since.IsZero() {
		q += ` AND at >= ?`
		args = append(args, f.Since.UTC())
	}
	if !f.Until.IsZero() {
		q += ` AND at < ?`
		args = append(args, f.Until.UTC())
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, p.Size())
	out, err := queryAll(ctx, s, scanAudit, q, args...)
	if err != nil {
		return nil, fmt.Errorf("audit list: %w", err)
	}
	return out, nil
}

// scanAudit reads one entry of the audit trail.
func scanAudit(r scanner) (account.AuditEntry, error) {
	var e account.AuditEntry
	var before, after string
	if err := r.Scan(&e.ID, &e.At, &e.UserID, &e.Actor, &e.Action, &e.OrgID, &e.Object, &e.Detail, &e.Via, &before, &after); err != nil {
		return e, err
	}
	e.At = e.At.UTC()
	if before != "" {
		e.Before = json.RawMessage(before)
	}
	if after != "" {
		e.After = json.RawMessage(after)
	}
	return e, nil
}

func (s *Store) updateOne(ctx context.Context, what, q string, args ...any) error {
	r, err := s.Exec(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return errs.Errorf(errs.NotFound, "%s not found", what)
	}
	return nil
}

// AccountMail queues a portal e-mail (a password reset, an invitation) to
// address in the outbox: a notice of kind account, of no organisation, and
// one e-mail delivery, in one transaction. It returns the notice id. The
// secrets m names (m.Redact: a live link's token) leave the stored notice
// once its delivery is sent or given up (redactSent).
func (s *Store) AccountMail(ctx context.Context, address, lang string, m notify.Message) (int64, error) {
	var id int64
	err := s.Tx(ctx, func(tx *Store) error {
		now := tx.Now()
		payload, err := json.Marshal(notify.Content{Kind: notify.KindAccount, Created: now, Message: &m, Languages: []string{lang}})
		if err != nil {
			return err
		}
		id, err = tx.InsertID(ctx, `INSERT INTO notices (kind, severity, state, payload, created_at, resolved_at) VALUES (?, 0, 'resolved', ?, ?, ?)`,
			string(notify.KindAccount), string(payload), now, now)
		if err != nil {
			return fmt.Errorf("account mail: %w", err)
		}
		if err := tx.noticeTickets(ctx, []int64{id}); err != nil {
			return err
		}
		return tx.outboxInsert(ctx, now, []outboxRow{{id, notify.Delivery{Channel: notify.Email, Recipient: address, Lang: lang}}})
	})
	return id, err
}

// redactSent removes the secrets of the account e-mail of notice id from
// its stored payload (notify.Message.Redact), once its one delivery is
// sent or given up: notices are kept for years, and whoever reads the
// database or a backup must not find a live reset, invitation or
// confirmation link there. Any other notice is left alone.
func (s *Store) redactSent(ctx context.Context, id int64) error {
	var payload string
	err := s.QueryRow(ctx, `SELECT payload FROM notices WHERE id = ? AND kind = ?`, id, string(notify.KindAccount)).Scan(&payload)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("notice %d: %w", id, err)
	}
	var c notify.Content
	if err := json.Unmarshal([]byte(payload), &c); err != nil {
		return fmt.Errorf("notice %d payload: %w", id, err)
	}
	if c.Message == nil {
		return nil
	}
	m, ok := c.Message.Redacted()
	if !ok {
		return nil
	}
	c.Message = &m
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if _, err := s.Exec(ctx, `UPDATE notices SET payload = ? WHERE id = ?`, string(b), id); err != nil {
		return fmt.Errorf("notice %d: redact: %w", id, err)
	}
	return nil
}

// OrgRegister creates an organisation registered through the portal by
// user: the organisation (with its first assets, registered as the
// member's: registry.AddedByMember), the user's membership and its pending
// mark, in one transaction. A name another organisation has is
// registered as a new one is, the stored name marked (nameMark) and shown
// as given: the registration answers alike whether the name was taken or
// not, so it cannot tell anyone which organisations are registered. The
// analyst sees the two side by side (app.Approvals' lookalikes) and
// approves the newcomer only under another name.
func (s *Store) OrgRegister(ctx context.Context, o *registry.Org, user int64) error {
	for k := range o.Assets {
		o.Assets[k].AddedBy = registry.AddedByMember
	}
	return s.Tx(ctx, func(tx *Store) error {
		var taken int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM orgs WHERE name = ?`, strings.TrimSpace(o.Name)).Scan(&taken); err != nil {
			return fmt.Errorf("organisation name %q: %w", o.Name, err)
		}
		asked := o.Name
		if taken > 0 {
			// A stand-in that passes the name's checks and is replaced
			// in this transaction.
			o.Name = "Registration " + account.NewToken(12)
		}
		if err := tx.OrgCreate(ctx, tenant.Operator(), o); err != nil {
			return err
		}
		if taken > 0 {
			o.Name = strings.TrimSpace(asked)
			if _, err := tx.Exec(ctx, `UPDATE orgs SET name = ? WHERE id = ?`, fmt.Sprintf("%s%s%d", o.Name, nameMark, o.ID), o.ID); err != nil {
				return fmt.Errorf("organisation %d: name: %w", o.ID, err)
			}
		}
		if err := tx.MembershipSet(ctx, user, o.ID, account.RoleMember); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO org_pending (org_id, registered_by, created_at) VALUES (?, ?, ?)`, o.ID, nullID(user), tx.Now())
		return err
	})
}

// OrgPendingCount counts the organisations that account user
// registered and that still wait for approval (neither approved nor
// rejected). In a transaction it first locks the account's row
// (PostgreSQL), so two registrations of one account are counted one after
// the other and a cap on the count holds.
func (s *Store) OrgPendingCount(ctx context.Context, user int64) (int, error) {
	var id int64
	if err := s.QueryRow(ctx, `SELECT id FROM users WHERE id = ?`+s.forUpdate(), user).Scan(&id); err != nil {
		return 0, fmt.Errorf("lock account %d: %w", user, err)
	}
	var n int
	err := s.QueryRow(ctx, `SELECT COUNT(*) FROM org_pending WHERE registered_by = ? AND rejected_at IS NULL`, user).Scan(&n)
	return n, err
}

// OrgPending lists the organisations of sc that wait for approval (not
// the rejected ones), oldest first.
func (s *Store) OrgPending(ctx context.Context, sc tenant.Scope) ([]registry.Org, error) {
	cond, args := orgCond(sc, "p.org_id")
	rows, err := s.Query(ctx, `SELECT p.org_id FROM org_pending p WHERE p.rejected_at IS NULL AND `+cond+` ORDER BY p.created_at, p.org_id`, args...)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []registry.Org{}
	for _, id := range ids {
		o, err := s.OrgGet(ctx, sc, id)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

const approvalCols = `org_id, created_at, rejected_at, rejected_by, reason, note`

// scanApproval reads one row of approvalCols.
func scanApproval(r scanner) (registry.Approval, error) {
	var a registry.Approval
	var rej sql.NullTime
	if err := r.Scan(&a.OrgID, &a.RegisteredAt, &rej, &a.RejectedBy, &a.Reason, &a.Note); err != nil {
		return a, err
	}
	a.RegisteredAt, a.State = a.RegisteredAt.UTC(), registry.Pending
	if rej.Valid {
		t := rej.Time.UTC()
		a.RejectedAt, a.State = &t, registry.Rejected
	}
	return a, nil
}

// OrgApprovals lists the waits of every organisation of sc that is not
// approved, pending or rejected, oldest first (the match index leaves out
// what they claim).
func (s *Store) OrgApprovals(ctx context.Context, sc tenant.Scope) ([]registry.Approval, error) {
	cond, args := orgCond(sc, "org_id")
	return queryAll(ctx, s, scanApproval, `SELECT `+approvalCols+` FROM org_pending WHERE `+cond+` ORDER BY created_at, org_id`, args...)
}

// OrgApprovalGet returns the wait of organisation id of sc; an approved
// organisation (or one an operator made) has none: errs.NotFound.
func (s *Store) OrgApprovalGet(ctx context.Context, sc tenant.Scope, id int64) (registry.Approval, error) {
	cond, args := orgCond(sc, "org_id")
	as, err := queryAll(ctx, s, scanApproval, `SELECT `+approvalCols+` FROM org_pending WHERE org_id = ? AND `+cond, append([]any{id}, args...)...)
	if err != nil {
		return registry.Approval{}, err
	}
	if len(as) == 0 {
		return registry.Approval{}, notFound("pending organisation %d", id)
	}
	return as[0], nil
}

// OrgReject marks pending organisation id of sc rejected by by at at for
// reason; one that does not wait (approved, rejected already) is
// errs.NotFound.
func (s *Store) OrgReject(ctx context.Context, sc tenant.Scope, id int64, by, reason string, at time.Time) error {
	cond, args := orgCond(sc, "org_id")
	return s.updateOne(ctx, fmt.Sprintf("pending organisation %d", id),
		`UPDATE org_pending SET rejected_at = ?, rejected_by = ?, reason = ? WHERE org_id = ? AND rejected_at IS NULL AND `+cond,
		append([]any{at.UTC(), by, reason, id}, args...)...)
}

// OrgReapply puts rejected organisation id of sc back in the wait, with
// its members' note; one that was not rejected is errs.NotFound. The
// reason of the rejection stays in the audit log.
func (s *Store) OrgReapply(ctx context.Context, sc tenant.Scope, id int64, note string) error {
	cond, args := orgCond(sc, "org_id")
	return s.updateOne(ctx, fmt.Sprintf("rejected organisation %d", id),
		`UPDATE org_pending SET rejected_at = NULL, rejected_by = '', reason = '', note = ? WHERE org_id = ? AND rejected_at IS NOT NULL AND `+cond,
		append([]any{note, id}, args...)...)
}

// OrgMemberList lists the accounts with a membership (member or maker) of
// organisation id of sc, by e-mail address, disabled and unconfirmed ones left out.
func (s *Store) OrgMemberList(ctx context.Context, sc tenant.Scope, id int64) ([]account.User, error) {
	cond, args := orgCond(sc, "m.org_id")
	return queryAll(ctx, s, func(r scanner) (account.User, error) { return scanUser(r) }, `SELECT `+userCols+` FROM users u JOIN memberships m ON m.user_id = u.id
WHERE m.org_id = ? AND NOT u.disabled AND NOT u.unconfirmed AND `+cond+` ORDER BY u.email`, append([]any{id}, args...)...)
}

// OrgApprove ends the wait of organisation id of sc; approving one that
// does not wait is errs.NotFound.
func (s *Store) OrgApprove(ctx context.Context, sc tenant.Scope, id int64) error {
	cond, args := orgCond(sc, "org_id")
	return s.deleteOne(ctx, `DELETE FROM org_pending WHERE org_id = ? AND `+cond, fmt.Sprintf("pending organisation %d", id), append([]any{id}, args...)...)
}
