// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"fmt"
	"time"

	"vigil/internal/account"
	"vigil/internal/errs"
	"vigil/internal/tenant"
)

// OrgMembers lists the memberships of organisation org of sc with their
// accounts' names and addresses, by address; disabled and unconfirmed
// accounts are listed too, since their memberships can be removed.
func (s *Store) OrgMembers(ctx context.Context, sc tenant.Scope, org int64) ([]account.Member, error) {
	return s.orgMembers(ctx, sc, org, "")
}

func (s *Store) orgMembers(ctx context.Context, sc tenant.Scope, org int64, lock string) ([]account.Member, error) {
	cond, args := orgCond(sc, "m.org_id")
	rows, err := s.Query(ctx, `SELECT m.user_id, u.name, u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.org_id = ? AND `+cond+` ORDER BY u.email, m.user_id`+lock, append([]any{org}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("members of organisation %d: %w", org, err)
	}
	defer rows.Close()
	out := []account.Member{}
	for rows.Next() {
		var m account.Member
		var role string
		if err := rows.Scan(&m.UserID, &m.Name, &m.Email, &role); err != nil {
			return nil, err
		}
		m.Role = account.Role(role)
		out = append(out, m)
	}
	return out, rows.Err()
}

// OrgMemberRemove ends the membership of user in organisation org of sc
// in one transaction: check sees the organisation's memberships (locked
// until the end, so that two removals cannot both pass a check of the
// ones left) and may refuse. The API tokens the account made for the
// organisation are revoked with it. It returns the membership removed and
// the number of tokens revoked; a user who is no member is errs.NotFound.
func (s *Store) OrgMemberRemove(ctx context.Context, sc tenant.Scope, org, user int64, check func(all []account.Member) error) (account.Member, int64, error) {
	var before account.Member
	var revoked int64
	err := s.Tx(ctx, func(tx *Store) error {
		lock := ""
		if tx.dialect == Postgres {
			lock = " FOR UPDATE OF m"
		}
		all, err := tx.orgMembers(ctx, sc, org, lock)
		if err != nil {
			return err
		}
		found := false
		for _, m := range all {
			if m.UserID == user {
				before, found = m, true
			}
		}
		if !found {
			return errs.Errorf(errs.NotFound, "user %d is no member of organisation %d", user, org)
		}
		if err := check(all); err != nil {
			return err
		}
		if err := tx.deleteOne(ctx, `DELETE FROM memberships WHERE user_id = ? AND org_id = ?`,
			fmt.Sprintf("membership of user %d in organisation %d", user, org), user, org); err != nil {
			return err
		}
		r, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE org_id = ? AND created_by = ? AND revoked_at IS NULL`, tx.Now(), org, user)
		if err != nil {
			return fmt.Errorf("tokens of user %d for organisation %d: %w", user, org, err)
		}
		revoked, _ = r.RowsAffected()
		return nil
	})
	return before, revoked, err
}

// OrgInvitations lists the open (unused, unexpired at now) invitations of
// organisation org of sc, oldest first.
func (s *Store) OrgInvitations(ctx context.Context, sc tenant.Scope, org int64, now time.Time) ([]account.OpenInvitation, error) {
	cond, args := orgCond(sc, "t.org_id")
	rows, err := s.Query(ctx, `SELECT t.id, t.email, t.role, COALESCE(u.email, ''), t.created_at, t.expires_at FROM account_tokens t LEFT JOIN users u ON u.id = t.created_by
WHERE t.org_id = ? AND t.purpose = ? AND t.used_at IS NULL AND t.expires_at > ? AND `+cond+` ORDER BY t.id`,
		append([]any{org, string(account.PurposeInvite), now}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("invitations of organisation %d: %w", org, err)
	}
	defer rows.Close()
	out := []account.OpenInvitation{}
	for rows.Next() {
		var i account.OpenInvitation
		var role string
		if err := rows.Scan(&i.ID, &i.Email, &role, &i.By, &i.Sent, &i.Expires); err != nil {
			return nil, err
		}
		i.Role = account.Role(role)
		out = append(out, i)
	}
	return out, rows.Err()
}

// OrgInvitationRevoke ends open invitation id of organisation org of sc
// at now: its link then answers as an expired one's. It returns the
// invitation as it was; one that is not open is errs.NotFound.
func (s *Store) OrgInvitationRevoke(ctx context.Context, sc tenant.Scope, org, id int64, now time.Time) (account.OpenInvitation, error) {
	var before account.OpenInvitation
	err := s.Tx(ctx, func(tx *Store) error {
		open, err := tx.OrgInvitations(ctx, sc, org, now)
		if err != nil {
			return err
		}
		found := false
		for _, i := range open {
			if i.ID == id {
				before, found = i, true
			}
		}
		if !found {
			return errs.Errorf(errs.NotFound, "open invitation %d of organisation %d not found", id, org)
		}
		return tx.updateOne(ctx, fmt.Sprintf("invitation %d", id),
			`UPDATE account_tokens SET expires_at = ? WHERE id = ? AND org_id = ? AND purpose = ? AND used_at IS NULL`,
			now, id, org, string(account.PurposeInvite))
	})
	return before, err
}

// OrgInvitationsSince counts the invitations made since since: those of
// organisation org of sc (by any member) and those made by account by (for
// any organisation). Used, revoked and expired invitations count: their
// e-mail went out. Inside a transaction on PostgreSQL the organisation's
// row stays locked until its end, so two invitations of one organisation
// cannot both pass a check of the same counts (SQLite has one writer). An
// organisation outside sc is errs.NotFound. The oldest invitation counted
// of each says when its count drops (the wait of a refusal).
func (s *Store) OrgInvitationsSince(ctx context.Context, sc tenant.Scope, org, by int64, since time.Time) (account.InviteCounts, error) {
	var n account.InviteCounts
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE"
	}
	if _, err := s.orgRow(ctx, sc, org, lock); err != nil {
		return n, err
	}
	err := s.QueryRow(ctx, `SELECT
(SELECT COUNT(*) FROM account_tokens WHERE purpose = 'invite' AND org_id = ? AND created_at >= ?),
(SELECT COUNT(*) FROM account_tokens WHERE purpose = 'invite' AND created_by = ? AND created_at >= ?)`,
		org, since, by, since).Scan(&n.Org, &n.Account)
	if err != nil {
		return n, fmt.Errorf("invitations of organisation %d since %s: %w", org, since.Format(time.RFC3339), err)
	}
	for _, c := range []struct {
		col   string
		id    int64
		count int
		to    *time.Time
	}{{"org_id", org, n.Org, &n.OrgOldest}, {"created_by", by, n.Account, &n.AccountOldest}} {
		if c.count == 0 {
			continue
		}
		err := s.QueryRow(ctx, `SELECT created_at FROM account_tokens WHERE purpose = 'invite' AND `+c.col+` = ? AND created_at >= ?
ORDER BY created_at LIMIT 1`, c.id, since).Scan(c.to)
		if err != nil {
			return n, fmt.Errorf("oldest invitation of organisation %d since %s: %w", org, since.Format(time.RFC3339), err)
		}
	}
	return n, nil
}
