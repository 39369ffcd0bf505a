// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestSystemCommands imports a system model twice, shows versions and
// refuses a bad model with file, line, field and reason (exit 2).
func TestSystemCommands(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "system.db")
	model := filepath.Join("testdata", "system", "camera.yaml")
	risks := filepath.Join("testdata", "system", "camera-risks.yaml")
	pdf := filepath.Join(t.TempDir(), "risks.pdf")
	runSteps(t, db, []step{
		{[]string{"system", "import", model, "--actor", "lead"}, 0, "Acme Cam 2: system model version 1 of 1"},
		{[]string{"system", "show", "Acme", "Cam 3"}, 3, "model of Acme Cam 3 not found"},
		{[]string{"system", "import", model}, 0, "version 2 of 2"},
		{[]string{"system", "show", "acme", "cam 2"}, 0, "flow app → api: login and live view (HTTPS, encrypted)"},
		{[]string{"system", "show", "Acme", "Cam 2", "--version", "1"}, 0, "version 1 of 2 (lead,"},
		{[]string{"system", "show", "Acme", "Cam 2", "--version", "x"}, 2, `version: "x": not a number`},
		{[]string{"system", "import", filepath.Join("testdata", "system", "bad.yaml")}, 2, "bad.yaml:8: components[1].kind: unknown kind \"toaster\""},
		{[]string{"system", "risks", "Acme", "Cam 2"}, 3, "risks of Acme Cam 2 not found"},
		{[]string{"system", "assess", risks}, 0, "Acme Cam 2: risk register version 1 of 1"},
		{[]string{"system", "risks", "Acme", "Cam 2"}, 0, "unmitigated high residual risk: fw/shared-keys"},
		{[]string{"system", "risks", "Acme", "Cam 2"}, 0, "fw/shared-keys                     fleet-takeover         inherent 15 high   residual 15 high   (layered defence not met: 1 independent mitigation(s))"},
		{[]string{"system", "risks", "Acme", "Cam 2", "--format", "csv"}, 0, "web/default-credentials,web,local-service,default-credentials,spoofing,true,4,4,16,high,2,2,true,1,4,4,low,5.1-1 5.1-5"},
		{[]string{"system", "risks", "Acme", "Cam 2", "--format", "pdf", "--output", pdf}, 0, "wrote " + pdf},
		{[]string{"system", "risks", "Acme", "Cam 2", "--format", "xls"}, 2, "want text, csv or pdf"},
		{[]string{"ingest", "feed", filepath.Join("testdata", "system", "2026-11-01-scan_ssl-vigil_test-asn-shared.csv")}, 0, "9 rows"},
		{[]string{"system", "posture", filepath.Join("testdata", "system", "posture.yaml")}, 0, "Acme Cam 2: posture version 1 stored"},
		{[]string{"system", "tests", filepath.Join("testdata", "system", "pentest.yaml")}, 0, "Acme Cam 2: tests version 1 stored"},
		{[]string{"system", "facts", "Acme", "Cam 2"}, 0, "pentest by Example Lab on 2025-01-10: 1 passed, 0 failed; expired 2026-01-10: a re-test is due"},
		{[]string{"system", "facts", "Acme", "Cam 2"}, 0, "update posture: support until 2031-12-31, latest firmware 1.4.2 (no field data), median 20 days from advisory to fixed firmware"},
		{[]string{"system", "fleet", "Acme", "Cam 2"}, 0, "certificate a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1: 6 sightings in 4 networks SHARED across units"},
	})
	if b, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Errorf("risk report: %.8q, %v", b, err)
	}
}
