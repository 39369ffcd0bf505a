// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"vigil/internal/account"
	"vigil/internal/errs"
	"vigil/internal/store"
)

// OperationsCommands are `vigil backup` and `vigil restore`, built by
// cmd/vigil from these rows. Restore opens no database (NoStore): it replaces
// the file --db names.
func OperationsCommands() []Command {
	return []Command{
		{Use: "backup FILE", Short: "Copy the SQLite database to FILE, safely while vigil serve runs", Args: 1,
			Long: `Write a consistent copy of the SQLite database --db names to FILE (which must not exist),
while vigil serve and other commands go on using it, and check the copy's integrity. On
PostgreSQL it prints how to back up with pg_dump and restore with pg_restore instead.`,
			Run: func(ctx context.Context, x *App, in Input) (Output, error) {
				return x.Backup(ctx, in.Args[0])
			}},
		{Use: "restore FILE", Short: "Replace the SQLite database with a backup", Args: 1, NoStore: true,
			Long: `Replace the SQLite database --db names with the backup FILE (made by vigil backup),
after checking that FILE is a whole vigil database. A database that exists is replaced only
with --force, and never while a vigil process (serve, or any command) has it open: stop it
first. The next start migrates a backup of an older version. On PostgreSQL it prints how to
restore a pg_dump with pg_restore.`,
			Flags: []Flag{{Name: "force", Default: "false", Usage: "replace a database that exists"}},
			Run: func(ctx context.Context, _ *App, in Input) (Output, error) {
				return Restore(ctx, in.DB, in.Args[0], in.Flags["force"] == "true")
			}},
	}
}

// BackupResult is what a backup wrote.
type BackupResult struct {
	File  string `json:"file"`
	Bytes int64  `json:"bytes"`
}

// Text implements Output.
func (r BackupResult) Text() string {
	return fmt.Sprintf("backed up to %s (%d bytes, integrity checked)\n", r.File, r.Bytes)
}

// Backup writes a consistent copy of the SQLite database to file (see
// store.Store.Backup). On PostgreSQL it is errs.Invalid carrying the
// pg_dump and pg_restore commands (PostgresGuidance).
func (a *App) Backup(ctx context.Context, file string) (BackupResult, error) {
	if a.st.Dialect() == store.Postgres {
		return BackupResult{}, errs.Errorf(errs.Invalid, "%s", PostgresGuidance(a.cfg.DB))
	}
	n, err := a.st.Backup(ctx, file)
	if err != nil {
		return BackupResult{}, err
	}
	a.log.Info("database backed up", "file", file, "bytes", n)
	return BackupResult{File: file, Bytes: n}, nil
}

// RestoreResult is what a restore replaced.
type RestoreResult struct {
	DB    string `json:"db"`
	From  string `json:"from"`
	Bytes int64  `json:"bytes"`
}

// Text implements Output.
func (r RestoreResult) Text() string {
	return fmt.Sprintf("restored %s from %s (%d bytes); the next start migrates it if it is older\n", r.DB, r.From, r.Bytes)
}

// Restore replaces the SQLite database of dsn with the backup at from
// (store.Restore: checked first, an existing database only with force,
// never one a vigil process has open). On PostgreSQL it is errs.Invalid
// carrying the pg_restore commands.
func Restore(ctx context.Context, dsn, from string, force bool) (RestoreResult, error) {
	path, ok := store.SQLitePath(dsn)
	if !ok {
		return RestoreResult{}, errs.Errorf(errs.Invalid, "%s", PostgresGuidance(dsn))
	}
	n, err := store.Restore(ctx, from, path, force)
	if err != nil {
		return RestoreResult{}, err
	}
	// The restored database records the restore (its own log ends at the
	// backup).
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		return RestoreResult{}, fmt.Errorf("open the restored database to record the restore: %w", err)
	}
	defer st.Close()
	e := account.AuditEntry{Action: "restore", Object: from, Actor: "unknown"}
	if t := AuditTrailOf(ctx); t != nil {
		e.Actor, e.Via = t.Actor, t.Via
	}
	if err := st.AuditAdd(ctx, e); err != nil {
		return RestoreResult{}, fmt.Errorf("record the restore: %w", err)
	}
	return RestoreResult{DB: path, From: from, Bytes: n}, nil
}

// PostgresDumpArgs is the pg_dump command line that backs up the
// database of dsn to file (custom format, vigil's schema only when dsn
// names one with search_path).
func PostgresDumpArgs(dsn, file string) []string {
	conn, schema := pgConn(dsn)
	args := []string{"pg_dump", "--format=custom", "--no-owner", "--file=" + file}
	if schema != "" {
		args = append(args, "--schema="+schema)
	}
	return append(args, "--dbname="+conn)
}

// PostgresRestoreArgs is the pg_restore command line that restores file
// (made by PostgresDumpArgs) into the fresh, empty database of dsn.
func PostgresRestoreArgs(dsn, file string) []string {
	conn, _ := pgConn(dsn)
	return []string{"pg_restore", "--no-owner", "--exit-on-error", "--dbname=" + conn, file}
}

// pgConn is dsn without the parameters pg_dump does not know (vigil's
// search_path), and the schema search_path names.
func pgConn(dsn string) (string, string) {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn, ""
	}
	q := u.Query()
	schema := q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String(), schema
}

// PostgresGuidance says how to back up and restore a PostgreSQL database
// (vigil does not copy one itself), with the password left out.
func PostgresGuidance(dsn string) string {
	shown := dsn
	if u, err := url.Parse(dsn); err == nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "PASSWORD")
		}
		shown = u.String()
	}
	return "vigil backs up SQLite only; back up PostgreSQL with pg_dump (safe while vigil serve runs):\n  " +
		strings.Join(PostgresDumpArgs(shown, "vigil.dump"), " ") +
		"\nand restore into a new, empty database (createdb vigil_restored), then point --db at it:\n  " +
		strings.Join(PostgresRestoreArgs(withDB(shown, "vigil_restored"), "vigil.dump"), " ") +
		"\nsee docs/operations.md"
}

// withDB is dsn naming database name instead.
func withDB(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Path = "/" + name
	return u.String()
}
