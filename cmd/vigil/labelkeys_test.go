// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/internal/store/storetest"
)

// TestLabelKeysInDatabase: under PostgreSQL the label signing keys live in
// the database, encrypted with a secret from the environment or a file the
// configuration names, never in a vigil-keys directory of the current
// directory; each command that makes a key says where it is kept; without
// a secret the public keys still read and making a key says how to
// configure one. With SQLite the keys stay next to the database.
func TestLabelKeysInDatabase(t *testing.T) {
	cwd := t.TempDir()
	t.Chdir(cwd)
	sqlite := "sqlite:" + filepath.Join(t.TempDir(), "k.db")
	run := runner(t, sqlite)
	run(0, "", "label", "keys", "rotate")
	if _, err := os.Stat(filepath.Join(filepath.Dir(strings.TrimPrefix(sqlite, "sqlite:")), "vigil-keys", "vigil-keys.json")); err != nil {
		t.Errorf("SQLite: keys not next to the database: %v", err)
	}
	if os.Getenv(storetest.EnvPG) == "" {
		t.Skip("PostgreSQL: set " + storetest.EnvPG)
	}
	db := storetest.PostgresDSN(t)
	run = runner(t, db)
	t.Setenv("VIGIL_KEYS_SECRET", "")
	t.Setenv("VIGIL_KEYS_SECRET_FILE", "")
	run(0, "KID", "label", "keys", "list")
	run(2, "openssl rand -hex 32", "label", "keys", "rotate")

	secret := filepath.Join(t.TempDir(), "keys.secret")
	if err := os.WriteFile(secret, []byte("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("VIGIL_KEYS_SECRET_FILE", secret)
	_, errOut, code := cli(t, db, "", "label", "keys", "rotate")
	if code != 0 || !strings.Contains(errOut, "keys: the database's label_keys table, private keys encrypted with the secret of file "+secret) {
		t.Errorf("rotate = %d %q; want where the keys are and what to back up", code, errOut)
	}
	run(0, "active", "label", "keys", "list")
	run(0, "retired", "label", "keys", "rotate")
	out := run(0, "", "--json", "label", "keys", "list")
	if strings.Count(out, `"kid"`) != 2 {
		t.Errorf("keys list --json = %s; want two keys", out)
	}
	t.Setenv("VIGIL_KEYS_SECRET_FILE", "")
	t.Setenv("VIGIL_KEYS_SECRET", "ff112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"[:63])
	run(2, "want 64 hex digits", "label", "keys", "rotate")
	if entries, _ := os.ReadDir(cwd); len(entries) != 0 {
		t.Errorf("the current directory holds %v; want nothing (no ./vigil-keys)", entries)
	}
}
