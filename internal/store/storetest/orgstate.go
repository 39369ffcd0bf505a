// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"

	"vigil/internal/store"
)

// OrgSnapshot returns a function that takes a snapshot of everything the
// database holds of an organisation, table by table, each row printed as
// text and the rows sorted: its orgs row, the rows of every table with an
// org_id column, and the rows that reference those through foreign keys
// (deliveries of its notices, components of its devices, evidence of its
// assessments…). The tables are found from the schema, once, so a table
// added later is covered without a change here. Two snapshots compare
// equal when nothing of the organisation changed.
func OrgSnapshot(t testing.TB, s *store.Store) func(t testing.TB, orgID int64) map[string][]string {
	t.Helper()
	cols, fks, err := schema(context.Background(), s)
	if err != nil {
		t.Fatalf("read the schema: %v", err)
	}
	// cond is the condition that selects the organisation's rows of a
	// table, with one "?" per occurrence of the organisation's id.
	cond := map[string]string{"orgs": "id = ?"}
	for table, cs := range cols {
		if slices.Contains(cs, "org_id") {
			cond[table] = "org_id = ?"
		}
	}
	for changed := true; changed; {
		changed = false
		for _, table := range sortedKeys(cols) {
			if _, ok := cond[table]; ok {
				continue
			}
			var refs []string
			for _, fk := range fks[table] {
				if pc, ok := cond[fk.parent]; ok && fk.parent != table {
					refs = append(refs, fmt.Sprintf("%s IN (SELECT %s FROM %s WHERE %s)", fk.col, fk.parentCol, fk.parent, pc))
				}
			}
			if len(refs) > 0 {
				cond[table] = "(" + strings.Join(refs, " OR ") + ")"
				changed = true
			}
		}
	}
	return func(t testing.TB, orgID int64) map[string][]string {
		t.Helper()
		return snapshot(t, s, cond, orgID)
	}
}

// snapshot reads the rows cond selects of each table for organisation
// orgID.
func snapshot(t testing.TB, s *store.Store, cond map[string]string, orgID int64) map[string][]string {
	t.Helper()
	ctx := context.Background()
	out := map[string][]string{}
	for table, c := range cond {
		args := make([]any, strings.Count(c, "?"))
		for i := range args {
			args[i] = orgID
		}
		rows, err := s.Query(ctx, `SELECT * FROM `+table+` WHERE `+c, args...)
		if err != nil {
			t.Fatalf("snapshot %s: %v", table, err)
		}
		names, _ := rows.Columns()
		var got []string
		for rows.Next() {
			vals := make([]any, len(names))
			ptrs := make([]any, len(names))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				t.Fatalf("snapshot %s: %v", table, err)
			}
			var b strings.Builder
			for i, v := range vals {
				if b2, ok := v.([]byte); ok {
					v = string(b2)
				}
				fmt.Fprintf(&b, "%s=%v ", names[i], v)
			}
			got = append(got, b.String())
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatalf("snapshot %s: %v", table, err)
		}
		slices.Sort(got)
		out[table] = got
	}
	return out
}

// foreignKey is a column of a table that references a column of parent.
type foreignKey struct {
	col, parent, parentCol string
}

// schema returns the columns of every table of vigil's schema and their
// foreign keys. The findings' running totals (finding_totals,
// finding_total_deltas) are left out: they are derived from the findings,
// which are compared, and folding PostgreSQL's differences into the totals
// moves any organisation's rows between the two without changing a total.
func schema(ctx context.Context, s *store.Store) (map[string][]string, map[string][]foreignKey, error) {
	cols := map[string][]string{}
	fks := map[string][]foreignKey{}
	var colQ, fkQ string
	if s.Dialect() == store.Postgres {
		colQ = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()
  AND table_name NOT LIKE 'goose%' AND table_name NOT LIKE 'river%' AND table_name NOT LIKE 'finding_total%' ORDER BY table_name, ordinal_position`
		fkQ = `SELECT tc.table_name, kcu.column_name, ccu.table_name, ccu.column_name
FROM information_schema.table_constraints tc
JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema
JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name AND ccu.table_schema = tc.table_schema
WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()`
	} else {
		colQ = `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite%' AND m.name NOT LIKE 'goose%' AND m.name NOT LIKE 'river%'
  AND m.name NOT LIKE 'finding_total%' ORDER BY m.name, p.cid`
		fkQ = `SELECT m.name, f."from", f."table", f."to" FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'`
	}
	rows, err := s.Query(ctx, colQ)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			rows.Close()
			return nil, nil, err
		}
		cols[table] = append(cols[table], col)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows, err = s.Query(ctx, fkQ)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var table string
		var fk foreignKey
		var parentCol sql.NullString // SQLite leaves it NULL for the parent's primary key
		if err := rows.Scan(&table, &fk.col, &fk.parent, &parentCol); err != nil {
			return nil, nil, err
		}
		fk.parentCol = parentCol.String
		if fk.parentCol == "" {
			fk.parentCol = "id"
		}
		if _, ok := cols[table]; ok {
			fks[table] = append(fks[table], fk)
		}
	}
	return cols, fks, rows.Err()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
