// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"fmt"

	"vigil/internal/errs"
	"vigil/internal/match/vendor"
)

// VendorAliasAdd stores an operator's vendor alias: alias names the vendor
// a.Vendor. An alias whose normalised name is stored already is
// errs.Conflict; a name without letters or digits errs.Invalid.
func (s *Store) VendorAliasAdd(ctx context.Context, a vendor.Alias) error {
	k := vendor.Key(a.Alias)
	if k == "" || vendor.Key(a.Vendor) == "" {
		return errs.Errorf(errs.Invalid, "vendor alias %q → %q: both need letters or digits", a.Alias, a.Vendor)
	}
	_, err := s.Exec(ctx, `INSERT INTO vendor_aliases (alias_key, alias, vendor, note, created_at) VALUES (?, ?, ?, ?, ?)`,
		k, a.Alias, a.Vendor, a.Note, s.Now())
	if errs.CodeOf(err) == errs.Conflict {
		return errs.Errorf(errs.Conflict, "vendor alias %q: an alias with that name is stored already (vigil vendor list)", a.Alias)
	}
	if err != nil {
		return fmt.Errorf("vendor alias %q: %w", a.Alias, err)
	}
	return nil
}

// VendorAliasList returns the operators' vendor aliases, oldest first,
// with source vendor.SourceOperator.
func (s *Store) VendorAliasList(ctx context.Context) ([]vendor.Alias, error) {
	rows, err := s.Query(ctx, `SELECT alias, vendor, note FROM vendor_aliases ORDER BY created_at, alias_key`)
	if err != nil {
		return nil, fmt.Errorf("vendor aliases: %w", err)
	}
	defer rows.Close()
	var out []vendor.Alias
	for rows.Next() {
		a := vendor.Alias{Source: vendor.SourceOperator}
		if err := rows.Scan(&a.Alias, &a.Vendor, &a.Note); err != nil {
			return nil, fmt.Errorf("vendor aliases: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
