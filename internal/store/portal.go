// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"

	"vigil/internal/finding"
	"vigil/internal/tenant"
)

// FindingCount counts the findings FindingList would return without paging.
func (s *Store) FindingCount(ctx context.Context, sc tenant.Scope, f finding.Filter) (int, error) {
	cond, args := orgCond(sc, "f.org_id")
	q := `SELECT COUNT(*) FROM findings f JOIN triggers t ON t.id = f.trigger_id WHERE ` + cond
	add := func(cond string, v any) {
		q += " AND " + cond
		args = append(args, v)
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
