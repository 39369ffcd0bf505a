// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/errs"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// orgNames lists the organisations of s.
func orgNames(t *testing.T, s *store.Store) []string {
	t.Helper()
	orgs, err := s.OrgListAll(context.Background(), tenant.Operator())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range orgs {
		out = append(out, o.Name)
	}
	return out
}

func addOrg(t *testing.T, s *store.Store, name string) {
	t.Helper()
	o := registry.Org{Name: name}
	if err := s.OrgCreate(context.Background(), tenant.Operator(), &o); err != nil {
		t.Fatal(err)
	}
}

// TestBackupRestoreSQLite backs up a SQLite database while it is open and
// written to, and restores it: the backup holds what was there when it
// was made; a restore refuses a database that exists without force, one
// that a vigil process has open even with force, and a file that is not a
// vigil database.
func TestBackupRestoreSQLite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "vigil.db")
	dsn := "sqlite:" + dbPath
	s, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	addOrg(t, s, "Voor de backup")
	x := newApp(t, s, func(c *config.Config) { c.DB = dsn })

	// A second node of the same file writes while the backup runs.
	other, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for i := range 20 {
			o := registry.Org{Name: fmt.Sprintf("Tijdens %02d", i)}
			if err := other.OrgCreate(ctx, tenant.Operator(), &o); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	backup := filepath.Join(dir, "backup.db")
	res, err := x.Backup(ctx, backup)
	if err != nil || res.Bytes == 0 || res.File != backup {
		t.Fatalf("Backup = %+v, %v", res, err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	other.Close()
	if _, err := x.Backup(ctx, backup); !errors.Is(err, errs.ErrConflict) {
		t.Errorf("backup over an existing file = %v; want conflict", err)
	}
	addOrg(t, s, "Na de backup")

	for _, tc := range []struct {
		name  string
		from  string
		force bool
		code  errs.Code
		why   string
	}{
		{"exists_without_force", backup, false, errs.Conflict, "--force"},
		{"open_in_a_running_vigil", backup, true, errs.Conflict, "stop it"},
		{"not_a_database", "testdata/epss_scores-sample.csv", true, errs.Invalid, "not a SQLite database"},
		{"missing", filepath.Join(dir, "nothing.db"), true, errs.Invalid, "cannot be read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := app.Restore(ctx, dsn, tc.from, tc.force)
			if errs.CodeOf(err) != tc.code || !strings.Contains(err.Error(), tc.why) {
				t.Errorf("Restore = %v; want %s saying %q", err, tc.code, tc.why)
			}
		})
	}
	if got := orgNames(t, s); len(got) != 22 {
		t.Fatalf("the refused restores changed the database: %d organisations", len(got))
	}
	s.Close()

	if r, err := app.Restore(ctx, dsn, backup, true); err != nil || r.Bytes == 0 {
		t.Fatalf("Restore with force = %+v, %v", r, err)
	}
	s, err = store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := orgNames(t, s)
	if len(got) == 0 || got[0] == "Na de backup" || strings.Contains(strings.Join(got, ","), "Na de backup") || !strings.Contains(strings.Join(got, ","), "Voor de backup") {
		t.Errorf("restored organisations = %v; want those of the backup only", got)
	}
	// A restore into a new file needs no force.
	fresh := "sqlite:" + filepath.Join(dir, "fresh.db")
	if _, err := app.Restore(ctx, fresh, backup, false); err != nil {
		t.Errorf("Restore into a new file = %v", err)
	}
}

// TestBackupPostgres: vigil backup and restore on PostgreSQL refuse with
// the pg_dump and pg_restore commands, and those commands (as the
// guidance prints them) restore a dump into a fresh database that vigil
// opens with the same data. Skipped without VIGIL_TEST_PG or without
// pg_dump and pg_restore on PATH.
func TestBackupPostgres(t *testing.T) {
	if os.Getenv(storetest.EnvPG) == "" {
		t.Skip("VIGIL_TEST_PG is not set: no PostgreSQL to dump")
	}
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: the dump-and-restore check needs it", tool)
		}
	}
	ctx := context.Background()
	s := storetest.OpenPostgres(t, storetest.Options{})
	addOrg(t, s, "In de dump")
	dsn := storetest.DSN(t, s)
	x := newApp(t, s, func(c *config.Config) { c.DB = dsn })
	if _, err := x.Backup(ctx, filepath.Join(t.TempDir(), "x.db")); errs.CodeOf(err) != errs.Invalid || !strings.Contains(err.Error(), "pg_dump --format=custom") {
		t.Errorf("Backup on PostgreSQL = %v; want the pg_dump guidance", err)
	}
	if _, err := app.Restore(ctx, dsn, "x.dump", true); errs.CodeOf(err) != errs.Invalid || !strings.Contains(err.Error(), "pg_restore") {
		t.Errorf("Restore on PostgreSQL = %v; want the pg_restore guidance", err)
	}

	dump := filepath.Join(t.TempDir(), "vigil.dump")
	if out, err := exec.CommandContext(ctx, app.PostgresDumpArgs(dsn, dump)[0], app.PostgresDumpArgs(dsn, dump)[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	// A fresh database beside the test's.
	name := fmt.Sprintf("vigil_restore_%d", time.Now().UnixNano())
	if _, err := s.DB().ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := s.DB().ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	restored := u.String()
	args := app.PostgresRestoreArgs(restored, dump)
	if out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}
	r, err := store.Open(ctx, restored, store.Options{})
	if err != nil {
		t.Fatalf("open the restored database: %v", err)
	}
	defer r.Close()
	if got := orgNames(t, r); len(got) != 1 || got[0] != "In de dump" {
		t.Errorf("restored organisations = %v", got)
	}
	var db *sql.DB = r.DB()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM findings`).Scan(&n); err != nil {
		t.Errorf("the restored schema has no findings table: %v", err)
	}
}
