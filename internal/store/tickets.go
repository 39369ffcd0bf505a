// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"vigil/internal/notify"
	"vigil/internal/tenant"
	"vigil/internal/ticket"
	"vigil/internal/verify"
)

var _ verify.Store = (*Store)(nil)

// ticketProbes bounds the draws for one notice's ticket. With 40 bits and
// a million notices a draw is taken with probability 1e-6, so a second
// draw is rare and a ninth never happens by chance.
const ticketProbes = 8

// noticeTickets gives each notice of ids that has none a fresh ticket. A
// drawn ticket that another notice holds is drawn again (the unique index
// would refuse it, and on PostgreSQL abort the transaction).
func (s *Store) noticeTickets(ctx context.Context, ids []int64) error {
	for _, id := range ids {
		done := false
		for range ticketProbes {
			t, err := ticket.New(s.rand)
			if err != nil {
				return err
			}
			var one int
			err = s.QueryRow(ctx, `SELECT 1 FROM notices WHERE ticket = ?`, string(t)).Scan(&one)
			if err == nil {
				continue // taken: draw again
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("notice %d ticket: %w", id, err)
			}
			if _, err := s.Exec(ctx, `UPDATE notices SET ticket = ? WHERE id = ? AND ticket IS NULL`, string(t), id); err != nil {
				return fmt.Errorf("notice %d ticket: %w", id, interpret(err))
			}
			done = true
			break
		}
		if !done {
			return fmt.Errorf("notice %d: no free ticket in %d draws (is the random source broken?)", id, ticketProbes)
		}
	}
	return nil
}

// ticketBackfill gives the notices written before tickets existed theirs,
// 500 at a time. Several nodes may run it at once: a notice that has a
// ticket keeps it.
func (s *Store) ticketBackfill(ctx context.Context) error {
	for {
		var ids []int64
		rows, err := s.Query(ctx, `SELECT id FROM notices WHERE ticket IS NULL ORDER BY id LIMIT 500`)
		if err != nil {
			return fmt.Errorf("ticket backfill: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return err
		}
		if err := s.Tx(ctx, func(tx *Store) error { return tx.noticeTickets(ctx, ids) }); err != nil {
			return fmt.Errorf("ticket backfill: %w", err)
		}
	}
}

// NoticeByTicket implements verify.Store. The ticket is the capability:
// the public scope (and the operator's) finds any notice; an
// organisation's scope only its own; the zero scope nothing.
func (s *Store) NoticeByTicket(ctx context.Context, sc tenant.Scope, t ticket.Ticket) (verify.Record, error) {
	var r verify.Record
	if sc.IsZero() || t == "" {
		return r, notFound("ticket %s", t)
	}
	var payload, state string
	var first, acked sql.NullTime
	err := s.QueryRow(ctx, `SELECT id, COALESCE(org_id, 0), state, created_at, first_sent_at, acked_at, payload FROM notices WHERE ticket = ?`, string(t)).
		Scan(&r.NoticeID, &r.OrgID, &state, &r.Created, &first, &acked, &payload)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !sc.IsPublic() && !sc.Allows(r.OrgID)) {
		return verify.Record{}, notFound("ticket %s", t)
	}
	if err != nil {
		return r, fmt.Errorf("ticket %s: %w", t, err)
	}
	r.Ticket, r.State, r.Created = t, notify.State(state), r.Created.UTC()
	r.FirstSent, r.AckedAt = nullTimePtr(first), nullTimePtr(acked)
	if err := json.Unmarshal([]byte(payload), &r.Content); err != nil {
		return r, fmt.Errorf("notice %d payload: %w", r.NoticeID, err)
	}
	rows, err := s.Query(ctx, `SELECT DISTINCT recipient FROM outbox WHERE notice_id = ? AND channel = ? AND state = ? ORDER BY recipient`,
		r.NoticeID, string(notify.Email), string(notify.OutboxSent))
	if err != nil {
		return r, fmt.Errorf("ticket %s recipients: %w", t, err)
	}
	defer rows.Close()
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return r, err
		}
		r.Recipients = append(r.Recipients, a)
	}
	return r, rows.Err()
}
