// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
)

// FindingCount counts the findings FindingList would return without paging.
func (s *Store) FindingCount(ctx context.Context, f FindingFilter) (int, error) {
	q := `SELECT COUNT(*) FROM findings f JOIN triggers t ON t.id = f.trigger_id WHERE 1 = 1`
	var args []any
	add := func(cond string, v any) {
		q += " AND " + cond
		args = append(args, v)
	}
	if f.OrgID != 0 {
		add("f.org_id = ?", f.OrgID)
	}
	if f.Trigger != "" {
		add("t.name = ?", f.Trigger)
	}
	if f.Status != "" {
		add("f.status = ?", string(f.Status))
	}
	if f.Type != "" {
		add("f.type = ?", f.Type)
	}
	var n int
	err := s.QueryRow(ctx, q, args...).Scan(&n)
	return n, err
}
