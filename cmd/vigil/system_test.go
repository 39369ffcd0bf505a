// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"path/filepath"
	"testing"
)

// TestSystemCommands imports a system model twice, shows versions and
// refuses a bad model with file, line, field and reason (exit 2).
func TestSystemCommands(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "system.db")
	model := filepath.Join("testdata", "system", "camera.yaml")
	runSteps(t, db, []step{
		{[]string{"system", "show", "Acme", "Cam 2"}, 3, "model of Acme Cam 2 not found"},
		{[]string{"system", "import", model, "--actor", "lead"}, 0, "Acme Cam 2: system model version 1 of 1"},
		{[]string{"system", "import", model}, 0, "version 2 of 2"},
		{[]string{"system", "show", "acme", "cam 2"}, 0, "flow app → api: login and live view (HTTPS, encrypted)"},
		{[]string{"system", "show", "Acme", "Cam 2", "--version", "1"}, 0, "version 1 of 2 (lead,"},
		{[]string{"system", "show", "Acme", "Cam 2", "--version", "x"}, 2, `version: "x": not a number`},
		{[]string{"system", "import", filepath.Join("testdata", "system", "bad.yaml")}, 2, "bad.yaml:8: components[1].kind: unknown kind \"toaster\""},
	})
}
