// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupCommands runs vigil backup and vigil restore on SQLite: the
// backup of a database, a restore refused over it without --force, the
// restore with --force, and the organisation made after the backup gone.
func TestBackupCommands(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "vigil.db")
	v := runner(t, db)
	v(0, "", "org", "add", "Voor")
	backup := filepath.Join(dir, "backup.db")
	v(0, "backed up to "+backup, "backup", backup)
	v(4, "exists already", "backup", backup)
	v(0, "", "org", "add", "Na")
	v(4, "only with --force", "restore", backup)
	v(0, "restored", "restore", "--force", backup)
	if out := v(0, `"Voor"`, "--json", "org", "list"); strings.Contains(out, `"Na"`) {
		t.Errorf("org list after the restore shows the organisation made after the backup:\n%s", out)
	}
	v(0, `"bytes"`, "--json", "backup", filepath.Join(dir, "second.db"))
}
