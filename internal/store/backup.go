// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"vigil/internal/errs"
)

// SQLitePath is the file of a SQLite DSN ("sqlite:PATH" or "PATH.db"),
// and false for any other DSN (PostgreSQL, ":memory:").
func SQLitePath(dsn string) (string, bool) {
	switch {
	case len(dsn) > 7 && dsn[:7] == "sqlite:":
		p := dsn[7:]
		return p, p != ":memory:"
	case filepath.Ext(dsn) == ".db" && !isPostgres(dsn):
		return dsn, true
	}
	return "", false
}

func isPostgres(dsn string) bool {
	for _, p := range []string{"postgres://", "postgresql://"} {
		if len(dsn) >= len(p) && dsn[:len(p)] == p {
			return true
		}
	}
	return false
}

// Backup writes a consistent copy of a SQLite database to dest (VACUUM
// INTO: one read transaction, so writers of other processes, a running
// `vigil serve` among them, go on) and checks the copy's integrity. dest
// must not exist. On PostgreSQL it is errs.Invalid: pg_dump makes its
// backups.
func (s *Store) Backup(ctx context.Context, dest string) (int64, error) {
	if s.dialect != SQLite || s.rdb == nil {
		return 0, errs.Errorf(errs.Invalid, "backup copies a SQLite database file; back up PostgreSQL with pg_dump")
	}
	if _, err := os.Lstat(dest); err == nil {
		return 0, errs.Errorf(errs.Conflict, "backup %s exists already: name a new file", dest)
	}
	dir := filepath.Dir(dest)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return 0, errs.Field("file", dest, "its directory does not exist")
	}
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		os.Remove(dest)
		return 0, fmt.Errorf("backup to %s: %w", dest, err)
	}
	if err := CheckSQLite(ctx, dest); err != nil {
		os.Remove(dest)
		return 0, fmt.Errorf("backup to %s: %w", dest, err)
	}
	st, err := os.Stat(dest)
	if err != nil {
		return 0, fmt.Errorf("backup to %s: %w", dest, err)
	}
	return st.Size(), nil
}

// CheckSQLite opens the SQLite file at path read-only and checks that it
// is a whole vigil database: SQLite's integrity check passes and it has
// vigil's schema. A file that is not one is errs.Invalid naming it.
func CheckSQLite(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return errs.Field("file", path, "cannot be read: "+err.Error())
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil {
		return errs.Field("file", path, "not a SQLite database: "+err.Error())
	}
	if check != "ok" {
		return errs.Field("file", path, "SQLite's integrity check fails: "+check)
	}
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('orgs', 'findings')`).Scan(&tables); err != nil || tables != 2 {
		return errs.Field("file", path, "not a vigil database (no orgs and findings tables)")
	}
	return nil
}

// Restore replaces the SQLite database at path with the backup at from
// (checked with CheckSQLite first). A database that exists is replaced
// only with force; one that a vigil process has open (see lockShared) is
// never replaced. The copy is written beside path and renamed over it, and
// the old database's WAL files are removed, so a restore cut short leaves
// the old database as it was.
func Restore(ctx context.Context, from, path string, force bool) (int64, error) {
	if err := CheckSQLite(ctx, from); err != nil {
		return 0, err
	}
	if abs1, err1 := filepath.Abs(from); err1 == nil {
		if abs2, err2 := filepath.Abs(path); err2 == nil && abs1 == abs2 {
			return 0, errs.Field("file", from, "is the database itself")
		}
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return 0, errs.Field("db", path, "its directory does not exist")
	}
	if _, err := os.Stat(path); err == nil {
		if !force {
			return 0, errs.Errorf(errs.Conflict, "database %s exists: restore replaces it only with --force", path)
		}
		unlock, err := lockExclusive(path)
		if err != nil {
			return 0, err
		}
		defer unlock()
	}
	in, err := os.Open(from)
	if err != nil {
		return 0, errs.Field("file", from, err.Error())
	}
	defer in.Close()
	tmp, err := os.CreateTemp(dir, ".vigil-restore-*")
	if err != nil {
		return 0, fmt.Errorf("restore: %w", err)
	}
	n, err := io.Copy(tmp, in)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o600)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return 0, fmt.Errorf("restore: %w", err)
	}
	for _, side := range []string{path + "-wal", path + "-shm"} {
		if err := os.Remove(side); err != nil && !errors.Is(err, os.ErrNotExist) {
			os.Remove(tmp.Name())
			return 0, fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return 0, fmt.Errorf("restore: %w", err)
	}
	return n, nil
}
