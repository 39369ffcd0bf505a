// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLISource registers, runs, lists, shows, pauses and resumes sources;
// the credentials given on standard input are never printed.
func TestCLISource(t *testing.T) {
	const key, secret = "cli-key-55e1", "cli-secret-never-shown-0b7d"
	report, err := os.ReadFile("testdata/notify/2025-06-01-scan_exchange-vigil_test-asn.csv")
	if err != nil {
		t.Fatal(err)
	}
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "2025-06-01-scan_exchange-vigil_test-asn.csv"), report, 0o600); err != nil {
				t.Fatal(err)
			}
			v := runner(t, db)
			var printed []string
			out, errOut, code := cli(t, db, key+"\n"+secret+"\n", "source", "add", "shadowserver", "--kind", "shadowserver",
				"--url", "https://transform.shadowserver.org/api2/", "--expect", "24h", "--credentials", "-")
			if code != 0 || !strings.Contains(out, "added source shadowserver") {
				t.Fatalf("source add = %d %s %s", code, out, errOut)
			}
			printed = append(printed, out, errOut)
			v(0, "added source drop", "source", "add", "drop", "--kind", "dir", "--url", dir, "--every", "10m")
			printed = append(printed, v(0, "1 new files, 0 already ingested", "source", "run", "drop"))
			printed = append(printed, v(0, "0 new files, 1 already ingested", "source", "run", "drop"))
			v(0, "paused source drop", "source", "pause", "drop")
			printed = append(printed, v(0, "paused", "source", "list"))
			v(0, "resumed source drop", "source", "resume", "drop")
			printed = append(printed, v(0, "credentials: stored (not shown)", "source", "show", "shadowserver"))
			printed = append(printed, v(0, `"has_credentials": true`, "--json", "source", "show", "shadowserver"))
			printed = append(printed, v(0, `"items"`, "--json", "source", "list"))
			v(2, "kind", "source", "add", "x", "--kind", "ftp", "--url", "https://example.org/")
			v(2, "every", "source", "add", "x", "--kind", "kev", "--url", "https://example.org/k.json", "--every", "soon")
			v(3, "not found", "source", "run", "nothing")
			for _, p := range printed {
				if strings.Contains(p, secret) || strings.Contains(p, key) {
					t.Errorf("credentials printed:\n%s", p)
				}
			}
		})
	}
}
