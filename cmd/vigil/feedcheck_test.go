// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIngestFeedRefusals: an empty file, a binary file and a file named
// .gz that is not gzip are refused with the file and the reason, and leave
// no trigger or run; a file all of whose rows were quarantined exits 2;
// the same content ingested completely before is skipped with a note
// unless --again; on SQLite and PostgreSQL.
func TestIngestFeedRefusals(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00binary"))
	zw.Close()
	exchange, err := os.ReadFile("testdata/notify/2025-06-01-scan_exchange-vigil_test-asn.csv")
	if err != nil {
		t.Fatal(err)
	}
	header, _, _ := bytes.Cut(exchange, []byte("\n"))
	bad := append(append([]byte{}, header...), "\n\"2025-06-01 00:00:00\",\"critical\",\"not-an-ip\",\"tcp\",443\n\"2025-06-01 00:00:00\",\"critical\",\"999.1.2.3\",\"tcp\",443\n"...)
	refused := []struct{ file, reason string }{
		{write("empty.csv", nil), "empty.csv: refused: empty file"},
		{write("tool.csv", []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00>\x00")), "tool.csv: refused: binary file"},
		{write("report.csv.gz", []byte("ip\n192.0.2.1\n")), "report.csv.gz: refused: named .gz but not gzip-compressed"},
		{write("packed.csv.gz", gz.Bytes()), "packed.csv.gz: refused: binary gzip content"},
	}
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			run := runner(t, db)
			run(0, "", "org", "add", "Ziekenhuis", "--cidr", "198.51.100.0/24", "--email", "soc@ziekenhuis.example")
			for _, r := range refused {
				run(2, r.reason, "ingest", "feed", r.file)
			}
			if out := run(0, "", "--json", "triggers"); strings.Contains(out, "\"name\"") {
				t.Errorf("refused files left a trigger: %s", out)
			}
			run(2, "every row quarantined", "ingest", "feed", write("2025-06-01-scan_exchange-bad-asn.csv", bad))
			file := write("2025-06-01-scan_exchange-vigil_test-asn.csv", exchange)
			run(0, "25 rows", "ingest", "feed", file)
			run(0, "the same content was ingested completely", "ingest", "feed", file)
			out := run(0, "25 rows", "ingest", "feed", file, "--again")
			if strings.Contains(out, "skipped") {
				t.Errorf("--again skipped: %s", out)
			}
		})
	}
}
