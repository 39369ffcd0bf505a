// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/text"
)

// SuppressionAdd implements notify.SuppressionStore in one transaction: the
// address goes on the list (an address already listed keeps its first
// entry), the unsent e-mail to it ends in state suppressed, and a notice
// left with no delivery at all goes to the call list with the reason.
func (s *Store) SuppressionAdd(ctx context.Context, sp notify.Suppression) (int64, error) {
	addr, err := notify.SuppressionAddress(sp.Address)
	if err != nil {
		return 0, err
	}
	switch sp.How {
	case notify.SuppressLink, notify.SuppressBounce, notify.SuppressAnalyst:
	default:
		return 0, errs.Field("how", sp.How, "not link, bounce or analyst")
	}
	if sp.At.IsZero() {
		sp.At = s.Now()
	}
	sp.Actor, sp.Reason = text.Truncate(text.Clean(sp.Actor), 200), text.Truncate(text.Clean(sp.Reason), 1000)
	var ended int64
	err = s.Tx(ctx, func(tx *Store) error {
		if _, err := tx.Exec(ctx, `INSERT INTO suppressions (address, how, actor, reason, created_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (address) DO NOTHING`, addr, sp.How, sp.Actor, sp.Reason, sp.At); err != nil {
			return fmt.Errorf("suppress %s: %w", addr, err)
		}
		rows, err := tx.Query(ctx, `UPDATE outbox SET state = 'suppressed', last_error = ?, lease_until = NULL, updated_at = ?
WHERE channel = 'email' AND lower(recipient) = ? AND state IN ('pending', 'failed') RETURNING notice_id`,
			"recipient is on the suppression list ("+sp.How+")", sp.At, addr)
		if err != nil {
			return fmt.Errorf("end mail to a suppressed address: %w", err)
		}
		var notices []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			notices = append(notices, id)
			ended++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return tx.suppressedToCallList(ctx, notices, sp.At)
	})
	return ended, err
}

// suppressedReason is the call list's reason for a notice whose every
// recipient is on the suppression list.
const suppressedReason = "every recipient is on the suppression list"

// suppressedToCallList puts those of notices that are left with no
// delivery (none sent, none waiting) on the call list: their findings
// would otherwise go unwarned.
func (s *Store) suppressedToCallList(ctx context.Context, notices []int64, now time.Time) error {
	return chunked(notices, chunkRows, func(ids []int64) error {
		_, err := s.Exec(ctx, `UPDATE notices SET state = 'escalated', escalated_at = ?, undeliverable = ?, escalation_reason = ?
WHERE id IN (`+inList(len(ids))+`) AND state = 'open'
  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.notice_id = notices.id AND o.state IN ('pending', 'sending', 'failed', 'sent', 'unknown'))`,
			append([]any{now, suppressedReason, "could be sent to nobody: " + suppressedReason}, anys(ids)...)...)
		if err != nil {
			return fmt.Errorf("suppressed notices to the call list: %w", err)
		}
		return nil
	})
}

// AddressSuppressed implements notify.SuppressionStore: how address is on
// the suppression list, or "bounce" for a bounce record older than the
// list.
func (s *Store) AddressSuppressed(ctx context.Context, address string) (string, error) {
	addr, err := notify.SuppressionAddress(address)
	if err != nil {
		return "", nil
	}
	var how string
	err = s.QueryRow(ctx, `SELECT how FROM suppressions WHERE address = ?
UNION ALL SELECT 'bounce' FROM bounces WHERE lower(address) = ? LIMIT 1`, addr, addr).Scan(&how)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("suppression of %s: %w", addr, err)
	}
	return how, nil
}

// SuppressionRemove takes address off the suppression list; for a bounced
// address its bounce records go too and its contacts are no longer marked
// bouncing (the address was fixed). An address not on the list is
// errs.NotFound.
func (s *Store) SuppressionRemove(ctx context.Context, address string) (notify.Suppression, error) {
	addr, err := notify.SuppressionAddress(address)
	if err != nil {
		return notify.Suppression{}, err
	}
	var sp notify.Suppression
	err = s.Tx(ctx, func(tx *Store) error {
		if err := tx.QueryRow(ctx, `SELECT id, address, how, actor, reason, created_at FROM suppressions WHERE address = ?`, addr).
			Scan(&sp.ID, &sp.Address, &sp.How, &sp.Actor, &sp.Reason, &sp.At); errors.Is(err, sql.ErrNoRows) {
			return errs.Errorf(errs.NotFound, "%s is not on the suppression list", addr)
		} else if err != nil {
			return err
		}
		sp.At = sp.At.UTC()
		for _, q := range []string{`DELETE FROM suppressions WHERE address = ?`, `DELETE FROM bounces WHERE lower(address) = ?`,
			`UPDATE contacts SET bounced_at = NULL WHERE lower(email) = ?`} {
			if _, err := tx.Exec(ctx, q, addr); err != nil {
				return fmt.Errorf("unsuppress %s: %w", addr, err)
			}
		}
		return nil
	})
	return sp, err
}

// SuppressionList returns the suppression list in id order (keyset page).
func (s *Store) SuppressionList(ctx context.Context, p keyset.Page) ([]notify.Suppression, error) {
	rows, err := s.Query(ctx, `SELECT id, address, how, actor, reason, created_at FROM suppressions WHERE id > ? ORDER BY id LIMIT ?`, p.After, p.Size())
	if err != nil {
		return nil, fmt.Errorf("suppression list: %w", err)
	}
	defer rows.Close()
	out := []notify.Suppression{}
	for rows.Next() {
		var sp notify.Suppression
		if err := rows.Scan(&sp.ID, &sp.Address, &sp.How, &sp.Actor, &sp.Reason, &sp.At); err != nil {
			return nil, err
		}
		sp.At = sp.At.UTC()
		out = append(out, sp)
	}
	return out, rows.Err()
}
