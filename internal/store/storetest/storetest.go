// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package storetest opens real databases for tests: a fresh SQLite file
// always, and a fresh PostgreSQL schema when VIGIL_TEST_PG names a database
// (postgres://user@host:port/db). Every store test runs through Each, so the
// same test table covers both dialects.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"vigil/internal/store"
)

// EnvPG is the environment variable naming the PostgreSQL test database.
const EnvPG = "VIGIL_TEST_PG"

// Options tune the opened stores.
type Options struct {
	Now func() time.Time
	// Rand is the randomness of notice tickets (store.Options.Rand).
	Rand io.Reader
}

// Each runs fn as a subtest once per available dialect ("sqlite", and
// "postgres" when VIGIL_TEST_PG is set), each with a fresh, migrated store.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	EachOpts(t, Options{}, fn)
}

// EachOpts is Each with options.
func EachOpts(t *testing.T, opts Options, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		fn(t, OpenSQLite(t, opts))
	})
	if os.Getenv(EnvPG) != "" {
		t.Run("postgres", func(t *testing.T) {
			fn(t, OpenPostgres(t, opts))
		})
	}
}

// OpenSQLite returns a migrated store on a new SQLite file in t.TempDir().
func OpenSQLite(t testing.TB, opts Options) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "test.db"), store.Options{Now: opts.Now, Rand: opts.Rand})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// OpenPostgres returns a migrated store in a new schema of the VIGIL_TEST_PG
// database; the schema is dropped when the test ends. It skips the test when
// VIGIL_TEST_PG is not set.
func OpenPostgres(t testing.TB, opts Options) *store.Store {
	t.Helper()
	dsn := os.Getenv(EnvPG)
	if dsn == "" {
		t.Skip(EnvPG + " not set")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("open %s: %v", EnvPG, err)
	}
	t.Cleanup(func() { admin.Close() })
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPG, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	s, err := store.Open(ctx, u.String(), store.Options{Now: opts.Now, Rand: opts.Rand})
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() {
		s.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return s
}

// PostgresDSN creates a fresh schema in the VIGIL_TEST_PG database and
// returns a DSN that uses it (for tests that open the store themselves, such
// as CLI tests). The schema is dropped when the test ends.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	return DSN(t, OpenPostgres(t, Options{}))
}

// DSN returns a DSN that reaches the schema of s, a store opened by
// OpenPostgres (for components such as the job queue that open their own
// connections).
func DSN(t testing.TB, s *store.Store) string {
	t.Helper()
	var schema string
	if err := s.DB().QueryRow("SELECT current_schema()").Scan(&schema); err != nil {
		t.Fatalf("current_schema: %v", err)
	}
	u, err := url.Parse(os.Getenv(EnvPG))
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPG, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
