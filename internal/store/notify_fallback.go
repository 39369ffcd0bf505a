// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"vigil/internal/notify"
)

// NoticeUndeliverableList returns those of notices ids that could be sent
// to nobody and wait on the call list, with their organisations' domains
// (notify.FallbackStore).
func (s *Store) NoticeUndeliverableList(ctx context.Context, ids []int64) ([]notify.UndeliverableNotice, error) {
	var out []notify.UndeliverableNotice
	err := chunked(ids, chunkRows, func(ids []int64) error {
		rows, err := s.Query(ctx, `SELECT n.id, n.org_id, n.undeliverable, n.payload FROM notices n
WHERE n.id IN (`+inList(len(ids))+`) AND n.undeliverable IS NOT NULL AND n.state = 'escalated' AND n.org_id IS NOT NULL ORDER BY n.id`, anys(ids)...)
		if err != nil {
			return fmt.Errorf("undeliverable notices: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var n notify.UndeliverableNotice
			var payload string
			if err := rows.Scan(&n.ID, &n.OrgID, &n.Reason, &payload); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(payload), &n.Content); err != nil {
				return fmt.Errorf("notice %d payload: %w", n.ID, err)
			}
			out = append(out, n)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		rows, err := s.Query(ctx, `SELECT value FROM assets WHERE org_id = ? AND kind = 'domain' ORDER BY id`, out[i].OrgID)
		if err != nil {
			return nil, fmt.Errorf("domains of organisation %d: %w", out[i].OrgID, err)
		}
		for rows.Next() {
			var d string
			if err := rows.Scan(&d); err != nil {
				rows.Close()
				return nil, err
			}
			out[i].Domains = append(out[i].Domains, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// NoticeFallback settles undeliverable notice id after the fallback chain
// (notify.FallbackStore): with d, the notice gets that outbox row and
// source as its contact source and leaves the call list (open again);
// without, the call list's reason gains why.
func (s *Store) NoticeFallback(ctx context.Context, id int64, d *notify.Delivery, source, why string, now time.Time) error {
	return s.Tx(ctx, func(tx *Store) error {
		if d == nil {
			_, err := tx.Exec(ctx, `UPDATE notices SET undeliverable = undeliverable || ?, escalation_reason = escalation_reason || ?
WHERE id = ? AND undeliverable IS NOT NULL`, "; "+why, "; "+why, id)
			if err != nil {
				return fmt.Errorf("notice %d: %w", id, err)
			}
			return nil
		}
		r, err := tx.Exec(ctx, `UPDATE notices SET state = 'open', escalated_at = NULL, undeliverable = NULL, escalation_reason = '', contact_source = ?
WHERE id = ? AND undeliverable IS NOT NULL AND state = 'escalated'`, source, id)
		if err != nil {
			return fmt.Errorf("notice %d to its discovered contact: %w", id, err)
		}
		if n, err := r.RowsAffected(); err != nil || n == 0 {
			return err // settled meanwhile
		}
		return tx.outboxInsert(ctx, now, []outboxRow{{id, *d}})
	})
}
