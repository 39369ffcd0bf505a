// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"vigil/internal/notify"
	"vigil/internal/tenant"
	"vigil/internal/text"
)

// NoticeReplyAdd attaches reply r to its notice, which must belong to
// organisation r.OrgID in scope sc (else errs.NotFound). A reply with the
// same Message-ID attached before changes nothing: added is false.
func (s *Store) NoticeReplyAdd(ctx context.Context, sc tenant.Scope, r *notify.Reply) (added bool, err error) {
	if err := allows(sc, r.OrgID); err != nil {
		return false, err
	}
	err = s.Tx(ctx, func(tx *Store) error {
		var org sql.NullInt64
		err := tx.QueryRow(ctx, `SELECT org_id FROM notices WHERE id = ?`, r.NoticeID).Scan(&org)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && org.Int64 != r.OrgID) {
			return notFound("notice %d", r.NoticeID)
		}
		if err != nil {
			return err
		}
		var id int64
		err = tx.QueryRow(ctx, `SELECT id FROM notice_replies WHERE notice_id = ? AND message_id = ?`, r.NoticeID, r.MessageID).Scan(&id)
		if err == nil {
			r.ID = id
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		r.ID, err = tx.InsertID(ctx, `INSERT INTO notice_replies (notice_id, org_id, message_id, from_addr, subject, body, source, received_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, r.NoticeID, nullID(r.OrgID), r.MessageID, r.From, r.Subject, r.Text, r.Source, r.Received)
		added = err == nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("notice reply: %w", err)
	}
	return added, nil
}

// NoticeReplyList returns the replies attached to the notices ids of sc,
// by notice and oldest first; another organisation's notices have none.
func (s *Store) NoticeReplyList(ctx context.Context, sc tenant.Scope, ids []int64) ([]notify.Reply, error) {
	out := []notify.Reply{}
	cond, cargs := orgCond(sc, "COALESCE(org_id, 0)")
	err := chunked(ids, chunkRows, func(c []int64) error {
		rows, err := s.Query(ctx, `SELECT id, notice_id, COALESCE(org_id, 0), message_id, from_addr, subject, body, source, received_at
FROM notice_replies WHERE notice_id IN (`+inList(len(c))+`) AND `+cond+` ORDER BY notice_id, id`, append(anys(c), cargs...)...)
		if err != nil {
			return fmt.Errorf("notice replies: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r notify.Reply
			if err := rows.Scan(&r.ID, &r.NoticeID, &r.OrgID, &r.MessageID, &r.From, &r.Subject, &r.Text, &r.Source, &r.Received); err != nil {
				return err
			}
			r.Received = r.Received.UTC()
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// NoticeEscalateBounce puts every notice not yet acknowledged or resolved
// whose e-mail went to address on the analysts' call list with reason,
// and returns how many. A bounce is the operator's: every organisation's
// notices to the address, as ContactMarkBounced marks every organisation's
// contacts.
func (s *Store) NoticeEscalateBounce(ctx context.Context, address, reason string, now time.Time) (int, error) {
	r, err := s.Exec(ctx, `UPDATE notices SET state = 'escalated', escalated_at = COALESCE(escalated_at, ?), escalation_reason = ?
WHERE state IN ('open', 'escalated') AND acked_at IS NULL
  AND id IN (SELECT notice_id FROM outbox WHERE channel = 'email' AND LOWER(recipient) = ?)`, now, text.Truncate(reason, 500), strings.ToLower(address))
	if err != nil {
		return 0, fmt.Errorf("escalate bounced notices: %w", err)
	}
	n, err := r.RowsAffected()
	return int(n), err
}
