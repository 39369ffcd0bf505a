// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"vigil/internal/errs"
)

// SettingGet returns a stored setting, or errs.NotFound.
func (s *Store) SettingGet(ctx context.Context, key string) (string, error) {
	var v string
	err := s.QueryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	return v, Scan(err, fmt.Sprintf("setting %q", key))
}

// SettingSecret returns the installation's random secret named key (32
// bytes), creating it on first use. Every node of a deployment shares it
// through the database. The value is never logged.
func (s *Store) SettingSecret(ctx context.Context, key string) ([]byte, error) {
	v, err := s.SettingGet(ctx, key)
	if errors.Is(err, errs.ErrNotFound) {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		// Two nodes may race: the loser's insert conflicts and it reads the
		// winner's value.
		if _, err := s.Exec(ctx, `INSERT INTO settings (key, value, created_at) VALUES (?, ?, ?)`, key, hex.EncodeToString(b[:]), s.Now()); err != nil && !errors.Is(err, errs.ErrConflict) {
			return nil, err
		}
		v, err = s.SettingGet(ctx, key)
	}
	if err != nil {
		return nil, err
	}
	b, err := hex.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("setting %q is not hex", key)
	}
	return b, nil
}

// SettingSet stores value under key, replacing an earlier value.
func (s *Store) SettingSet(ctx context.Context, key, value string) error {
	_, err := s.Exec(ctx, `INSERT INTO settings (key, value, created_at) VALUES (?, ?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value, s.Now())
	if err != nil {
		return fmt.Errorf("setting %q: %w", key, err)
	}
	return nil
}
