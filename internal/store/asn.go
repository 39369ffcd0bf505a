// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"fmt"
)

// ASNTablePut stores a gzipped IP-to-AS table as the current one, dropping
// older ones.
func (s *Store) ASNTablePut(ctx context.Context, name, sha256 string, prefixes int, gz []byte) error {
	return s.Tx(ctx, func(tx *Store) error {
		if _, err := tx.Exec(ctx, `DELETE FROM asn_tables`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO asn_tables (name, sha256, prefixes, data, loaded_at) VALUES (?, ?, ?, ?, ?)`, name, sha256, prefixes, gz, tx.Now())
		if err != nil {
			return fmt.Errorf("asn table %s: %w", name, err)
		}
		return nil
	})
}

// ASNTableCurrent returns the current gzipped IP-to-AS table and its name,
// or errs.NotFound when none was loaded.
func (s *Store) ASNTableCurrent(ctx context.Context) (name string, gz []byte, err error) {
	err = s.QueryRow(ctx, `SELECT name, data FROM asn_tables ORDER BY id DESC LIMIT 1`).Scan(&name, &gz)
	return name, gz, Scan(err, "IP-to-AS table")
}
