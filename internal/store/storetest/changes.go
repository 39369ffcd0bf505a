// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package storetest

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"vigil/internal/store"
)

// Change is what happened to one table between two DBState snapshots:
// rows added and removed (counted), and the columns that changed in rows
// kept (named, not valued, so that two databases seeded alike but with
// different random secrets and times compare equal when the same kind of
// write happened in both).
type Change struct {
	Added, Removed int
	Changed        []string
}

// String renders c for a diff.
func (c Change) String() string {
	return fmt.Sprintf("+%d -%d changed %v", c.Added, c.Removed, c.Changed)
}

// DBState reads every table of the database (every column of every row,
// rows by their first column), for Changes. The tables are found from the
// schema, once (the tables OrgSnapshot leaves out are left out here too).
func DBState(t testing.TB, s *store.Store) func(t testing.TB) map[string]map[string]map[string]string {
	t.Helper()
	cols, _, err := schema(context.Background(), s)
	if err != nil {
		t.Fatalf("read the schema: %v", err)
	}
	return func(t testing.TB) map[string]map[string]map[string]string {
		t.Helper()
		out := map[string]map[string]map[string]string{}
		for table, cs := range cols {
			rows, err := s.Query(context.Background(), `SELECT `+strings.Join(cs, ", ")+` FROM `+table)
			if err != nil {
				t.Fatalf("state of %s: %v", table, err)
			}
			tab := map[string]map[string]string{}
			for rows.Next() {
				vals := make([]any, len(cs))
				ptrs := make([]any, len(cs))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					t.Fatalf("state of %s: %v", table, err)
				}
				row := map[string]string{}
				for i, v := range vals {
					if b, ok := v.([]byte); ok {
						v = string(b)
					}
					row[cs[i]] = fmt.Sprint(v)
				}
				key := row[cs[0]]
				if !strings.HasSuffix(cs[0], "id") { // no id: the row is its own key
					key = fmt.Sprint(vals)
				}
				tab[key] = row
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				t.Fatalf("state of %s: %v", table, err)
			}
			out[table] = tab
		}
		return out
	}
}

// Changes compares two DBState snapshots: per table that changed, the
// rows added and removed and the columns changed in rows kept, leaving
// out the tables and columns named in ignore ("table" or "table.column").
func Changes(before, after map[string]map[string]map[string]string, ignore ...string) map[string]Change {
	out := map[string]Change{}
	for table, rows := range after {
		if slices.Contains(ignore, table) {
			continue
		}
		var c Change
		changed := map[string]bool{}
		for key, row := range rows {
			old, ok := before[table][key]
			if !ok {
				c.Added++
				continue
			}
			for col, v := range row {
				if old[col] != v && !slices.Contains(ignore, table+"."+col) {
					changed[col] = true
				}
			}
		}
		for key := range before[table] {
			if _, ok := rows[key]; !ok {
				c.Removed++
			}
		}
		for col := range changed {
			c.Changed = append(c.Changed, col)
		}
		sort.Strings(c.Changed)
		if c.Added != 0 || c.Removed != 0 || len(c.Changed) != 0 {
			out[table] = c
		}
	}
	return out
}
