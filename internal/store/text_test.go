// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestTextGate: a NUL byte or invalid UTF-8 is refused the same way on
// both engines, by every way a statement runs (errs.Invalid, nothing
// written), and a quarantined row keeps such bytes escaped.
func TestTextGate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		insert := `INSERT INTO orgs (name, verify_token, created_at, updated_at) VALUES (?, 'tok', ?, ?)`
		for _, bad := range []string{"Bad\x00 BV", "Bad\xff BV", "\x00"} {
			_, err := s.Exec(ctx, insert, bad, s.Now(), s.Now())
			if !errors.Is(err, errs.ErrInvalid) {
				t.Errorf("Exec(%q) = %v; want errs.Invalid", bad, err)
			}
			_, err = s.InsertID(ctx, insert, bad, s.Now(), s.Now())
			if !errors.Is(err, errs.ErrInvalid) {
				t.Errorf("InsertID(%q) = %v; want errs.Invalid", bad, err)
			}
			_, err = s.Query(ctx, `SELECT id FROM orgs WHERE name = ?`, bad)
			if !errors.Is(err, errs.ErrInvalid) {
				t.Errorf("Query(%q) = %v; want errs.Invalid", bad, err)
			}
			var id int64
			err = s.QueryRow(ctx, `SELECT id FROM orgs WHERE name = ?`, bad).Scan(&id)
			if err = store.Scan(err, "org"); !errors.Is(err, errs.ErrInvalid) {
				t.Errorf("QueryRow(%q).Scan = %v; want errs.Invalid", bad, err)
			}
			err = s.Tx(ctx, func(tx *store.Store) error {
				st, err := tx.Prepare(ctx, insert)
				if err != nil {
					return err
				}
				defer st.Close()
				_, err = st.ExecContext(ctx, sql.NullString{String: bad, Valid: true}, s.Now(), s.Now())
				return err
			})
			if !errors.Is(err, errs.ErrInvalid) {
				t.Errorf("Stmt.ExecContext(%q) = %v; want errs.Invalid", bad, err)
			}
		}
		if all, err := s.OrgListAll(ctx, tenant.Operator()); err != nil || len(all) != 0 {
			t.Errorf("orgs after refusals = %v, %v; want none", all, err)
		}
		raw := "192.0.2.1,\"nul\x00 and \xff and \\\""
		if err := s.QuarantineAdd(ctx, 0, []errs.RowError{{File: "f\xff.csv", Line: 3, Field: "host", Reason: "contains a NUL byte", Raw: raw}}); err != nil {
			t.Fatalf("QuarantineAdd: %v", err)
		}
		rows, err := s.QuarantineList(ctx, keyset.Page{})
		if err != nil || len(rows) != 1 {
			t.Fatalf("QuarantineList = %v, %v", rows, err)
		}
		if want := `192.0.2.1,"nul\x00 and \xff and \\"`; rows[0].Raw != want || rows[0].File != `f\xff.csv` {
			t.Errorf("quarantined raw %q file %q; want %q and %q", rows[0].Raw, rows[0].File, want, `f\xff.csv`)
		}
	})
}
