// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"vigil/internal/errs"
)

// LabelKeyGet returns the label key file name kept in the database; an
// error wrapping fs.ErrNotExist when there is none.
func (s *Store) LabelKeyGet(ctx context.Context, name string) ([]byte, error) {
	var b []byte
	err := s.QueryRow(ctx, `SELECT data FROM label_keys WHERE name = ?`, name).Scan(&b)
	if err = Scan(err, "label key file "+name); errors.Is(err, errs.ErrNotFound) {
		return nil, fmt.Errorf("label key file %s: %w", name, fs.ErrNotExist)
	}
	return b, err
}

// LabelKeyPut stores label key file name: replacing it, or with create
// only when there is none (errs.Conflict otherwise).
func (s *Store) LabelKeyPut(ctx context.Context, name string, data []byte, create bool) error {
	q := `INSERT INTO label_keys (name, data, updated_at) VALUES (?, ?, ?)`
	if !create {
		q += ` ON CONFLICT (name) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`
	}
	if _, err := s.Exec(ctx, q, name, data, s.Now()); err != nil {
		return fmt.Errorf("label key file %s: %w", name, err)
	}
	return nil
}

// LabelKeyDelete deletes label key file name (fs.ErrNotExist when there
// is none).
func (s *Store) LabelKeyDelete(ctx context.Context, name string) error {
	r, err := s.Exec(ctx, `DELETE FROM label_keys WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("label key file %s: %w", name, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("label key file %s: %w", name, fs.ErrNotExist)
	}
	return nil
}
