// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"strings"
)

// Bulk statements. A statement has at most 32766 parameters on SQLite and
// 65535 on PostgreSQL, so long IN lists and multi-row INSERTs are cut into
// chunks; every method of the store builds them with these helpers.

// chunkRows is the usual chunk: the values of one IN list, or the rows of
// one multi-row statement of a few columns.
const chunkRows = 500

// inList returns "?, ?, …" for n values.
func inList(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// anys returns vs as statement arguments.
func anys[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// chunked calls fn with consecutive slices of at most n values of vs, and
// stops at the first error.
func chunked[T any](vs []T, n int, fn func([]T) error) error {
	for start := 0; start < len(vs); start += n {
		if err := fn(vs[start:min(start+n, len(vs))]); err != nil {
			return err
		}
	}
	return nil
}

// multiRow is a statement that writes many rows: head ("INSERT INTO t (a,
// b) VALUES "), then one tuple of placeholders per row ("(?, ?)"), then
// tail (an ON CONFLICT or RETURNING clause, or empty).
type multiRow struct {
	head, tuple, tail string
}

// sql returns the statement for n rows.
func (m multiRow) sql(n int) string {
	var b strings.Builder
	b.Grow(len(m.head) + n*(len(m.tuple)+2) + len(m.tail))
	b.WriteString(m.head)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(m.tuple)
	}
	b.WriteString(m.tail)
	return b.String()
}

// width is the number of parameters of one row.
func (m multiRow) width() int { return strings.Count(m.tuple, "?") }

// insertRows writes rows with one statement of m per chunk of at most per
// rows; args appends the values of one row to a.
func insertRows[T any](ctx context.Context, s *Store, m multiRow, per int, rows []T, args func(a []any, row T) []any) error {
	return chunked(rows, per, func(c []T) error {
		a := make([]any, 0, len(c)*m.width())
		for _, r := range c {
			a = args(a, r)
		}
		_, err := s.Exec(ctx, m.sql(len(c)), a...)
		return err
	})
}
