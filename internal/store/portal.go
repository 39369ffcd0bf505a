// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"fmt"
	"slices"

	"vigil/internal/finding"
	"vigil/internal/tenant"
)

// FindingCount counts the findings FindingList would return without paging.
func (s *Store) FindingCount(ctx context.Context, sc tenant.Scope, f finding.Filter) (int, error) {
	cond, args := findingScope(sc, "f")
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

// FindingListBySeen lists the findings of sc that match f (its Page.After
// is ignored), the most recently seen first, after the position from, at
// most f.Size() of them. The analysts' findings page reads it over every
// organisation; the indexes of migration 00501 serve it per trigger and
// status.
func (s *Store) FindingListBySeen(ctx context.Context, sc tenant.Scope, f finding.Filter, from finding.Seen) ([]finding.Finding, error) {
	cond, args := findingScope(sc, "f")
	q := `SELECT ` + findingCols + ` FROM findings f JOIN triggers t ON t.id = f.trigger_id WHERE ` + cond
	add := func(cond string, v ...any) {
		q += " AND " + cond
		args = append(args, v...)
	}
	if f.Trigger != "" {
		add("f.trigger_id = (SELECT id FROM triggers WHERE name = ?)", f.Trigger)
	}
	if f.Status != "" {
		add("f.status = ?", string(f.Status))
	}
	if f.Type != "" {
		add("f.type = ?", f.Type)
	}
	if from.Back {
		// The page before the position: read from it towards the newest,
		// give the page newest first.
		add("(f.last_seen > ? OR (f.last_seen = ? AND f.id > ?))", from.At, from.At, from.ID)
		q += fmt.Sprintf(" ORDER BY f.last_seen, f.id LIMIT %d", f.Size())
		fs, err := s.queryFindings(ctx, q, args...)
		slices.Reverse(fs)
		return fs, err
	}
	if from.ID != 0 {
		add("(f.last_seen < ? OR (f.last_seen = ? AND f.id < ?))", from.At, from.At, from.ID)
	}
	q += fmt.Sprintf(" ORDER BY f.last_seen DESC, f.id DESC LIMIT %d", f.Size())
	return s.queryFindings(ctx, q, args...)
}

// OrgNames returns the names of the organisations ids of sc, by id.
func (s *Store) OrgNames(ctx context.Context, sc tenant.Scope, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	cond, scopeArgs := orgCond(sc, "id")
	err := chunked(ids, chunkRows, func(c []int64) error {
		rows, err := s.Query(ctx, `SELECT id, name FROM orgs WHERE `+cond+` AND id IN (`+inList(len(c))+`)`, append(slices.Clone(scopeArgs), anys(c)...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				return err
			}
			out[id] = shownName(name)
		}
		return rows.Err()
	})
	return out, err
}

// TriggerNames returns the names of the triggers sc may know of, sorted:
// every trigger for the operator (the analysts' filters), for an
// organisation those of its own findings (a member's filter never names
// another organisation's campaigns, nor one whose only findings are
// TLP:RED), none for the zero or the public scope.
func (s *Store) TriggerNames(ctx context.Context, sc tenant.Scope) ([]string, error) {
	q, args := `SELECT name FROM triggers ORDER BY name`, []any(nil)
	if !sc.IsOperator() {
		var cond string
		cond, args = findingScope(sc, "f")
		q = `SELECT t.name FROM triggers t WHERE EXISTS (SELECT 1 FROM findings f WHERE f.trigger_id = t.id AND ` + cond + `) ORDER BY t.name`
	}
	rows, err := s.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// OrgNameIndex returns the name of every organisation of sc, by id (as
// shown: without a taken name's mark); an analyst's look for names alike
// reads them all (app.Approvals).
func (s *Store) OrgNameIndex(ctx context.Context, sc tenant.Scope) (map[int64]string, error) {
	cond, args := orgCond(sc, "id")
	rows, err := s.Query(ctx, `SELECT id, name FROM orgs WHERE `+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("organisation names: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = shownName(name)
	}
	return out, rows.Err()
}
