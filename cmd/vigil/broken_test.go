// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"vigil/internal/store"
)

// brokenInputs is the one table of broken inputs every ingester is tried
// with: each makes a broken file from a good sample.
var brokenInputs = []struct {
	name string
	make func(good []byte) []byte
	// csvOK: a CSV cut short is a shorter CSV whose last row is refused
	// (quarantined) or, cut inside its last value, read; nothing else
	// tells it apart (gzip, as these files travel, does: its trailer).
	csvOK bool
}{
	{"truncated_gzip", func(b []byte) []byte { z := gz(b); return z[:len(z)/2] }, false},
	{"corrupt_gzip", func(b []byte) []byte {
		z := bytes.Clone(gz(b))
		for i := 12; i < len(z)-8; i += 7 {
			z[i] ^= 0x5a
		}
		return z
	}, false},
	{"gzip_bad_checksum", func(b []byte) []byte {
		z := bytes.Clone(gz(b))
		z[len(z)-8] ^= 0xff // the CRC-32 of the trailer
		return z
	}, false},
	{"random", func([]byte) []byte {
		r := rand.New(rand.NewPCG(17, 17))
		b := make([]byte, 4096)
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		return b
	}, false},
	{"truncated", func(b []byte) []byte {
		n := len(b) / 2
		for n > 1 && b[n-1] == '\n' { // cut inside a line
			n--
		}
		return b[:n]
	}, true},
	{"too_deep_json", func([]byte) []byte {
		return []byte(strings.Repeat(`{"a":[`, 50000) + strings.Repeat(`]}`, 50000))
	}, false},
	{"empty", func([]byte) []byte { return nil }, false},
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	_, _ = w.Write(b)
	_ = w.Close()
	return buf.Bytes()
}

// TestIngestBrokenInput runs every ingester over the table of broken
// inputs on SQLite and PostgreSQL: each exits 2 naming the file, and
// writes nothing of it.
func TestIngestBrokenInput(t *testing.T) {
	feedCSV := "timestamp,ip,port,hostname\n"
	for i := range 40 {
		feedCSV += "2026-11-20 10:00:00,192.0.2." + strconv.Itoa(i+1) + ",80,h" + strconv.Itoa(i) + ".example\n"
	}
	// More scores than one batch (5,000): a file cut short must not
	// leave the batches before the cut.
	epssLarge := "#model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z\ncve,epss,percentile\n"
	for i := range 12000 {
		epssLarge += "CVE-2020-" + strconv.Itoa(10000+i) + ",0.00" + strconv.Itoa(100+i%900) + ",0.5\n"
	}
	ingesters := []struct {
		name, sample string
		args         []string
		csv          bool
		stored       string // counts what the ingester writes
	}{
		{"kev", "testdata/vuln/kev-crossref.json", []string{"ingest", "kev"}, false, "SELECT count(*) FROM vuln_advisories"},
		{"nvd", "testdata/vuln/CVE-2023-46604.json", []string{"ingest", "nvd"}, false, "SELECT count(*) FROM vuln_advisories"},
		{"osv", "testdata/vuln/GHSA-jfh8-c2jp-5v3q.json", []string{"ingest", "osv"}, false, "SELECT count(*) FROM vuln_advisories"},
		{"cve5", "testdata/vuln/CVE-2023-21406.json", []string{"ingest", "cve5"}, false, "SELECT count(*) FROM vuln_advisories"},
		{"csaf", "testdata/vuln/icsa-23-206-01.json", []string{"ingest", "csaf"}, false, "SELECT count(*) FROM vuln_advisories"},
		{"epss", "testdata/vuln/epss_scores-sample.csv", []string{"ingest", "epss"}, true, "SELECT count(*) FROM vuln_cves WHERE epss IS NOT NULL"},
		{"epss_large", "", []string{"ingest", "epss"}, true, "SELECT count(*) FROM vuln_cves WHERE epss IS NOT NULL"},
		{"feed", "", []string{"ingest", "feed", "--report-type", "scan_http"}, true, "SELECT count(*) FROM findings"},
	}
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			if out, errOut, code := cli(t, db, "", "org", "add", "Energie Noord", "--cidr", "192.0.2.0/24"); code != 0 {
				t.Fatalf("org add = %q %q %d", out, errOut, code)
			}
			st, err := store.Open(ctx, db, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			count := func(q string) int {
				var n int
				if err := st.QueryRow(ctx, q).Scan(&n); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				return n
			}
			dir := t.TempDir()
			for _, ing := range ingesters {
				good := []byte(feedCSV)
				if ing.name == "epss_large" {
					good = []byte(epssLarge)
				}
				if ing.sample != "" {
					if good, err = os.ReadFile(ing.sample); err != nil {
						t.Fatal(err)
					}
				}
				for _, c := range brokenInputs {
					t.Run(ing.name+"/"+c.name, func(t *testing.T) {
						file := filepath.Join(dir, ing.name+"-"+c.name+".json")
						if ing.csv {
							file = strings.TrimSuffix(file, ".json") + ".csv"
						}
						if err := os.WriteFile(file, c.make(good), 0o600); err != nil {
							t.Fatal(err)
						}
						before := count(ing.stored)
						out, errOut, code := cli(t, db, "", append(ing.args, file)...)
						if ing.csv && c.csvOK {
							// The rows before the cut go in; the cut row is
							// quarantined when it is short of fields, and read
							// when it is not (a cut value reads as a value).
							if code != 0 {
								t.Errorf("exit %d\nstdout: %s\nstderr: %s\nwant 0", code, out, errOut)
							}
							return
						}
						if code != 2 || !strings.Contains(errOut, filepath.Base(file)) {
							t.Errorf("exit %d\nstdout: %s\nstderr: %s\nwant 2 naming %s", code, out, errOut, filepath.Base(file))
						}
						if after := count(ing.stored); after != before {
							t.Errorf("%s: %d before, %d after: the broken file wrote something", ing.stored, before, after)
						}
					})
				}
			}
		})
	}
}

// TestIngestDirGoesOn: a corrupt file in a directory is reported (summary
// and exit 2 name it) and the files after it are ingested, for feeds and
// for CSAF documents (a binary file among them).
func TestIngestDirGoesOn(t *testing.T) {
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			if out, errOut, code := cli(t, db, "", "org", "add", "Energie Noord", "--cidr", "192.0.2.0/24"); code != 0 {
				t.Fatalf("org add = %q %q %d", out, errOut, code)
			}
			feeds := t.TempDir()
			good := func(ip string) []byte {
				return []byte("timestamp,ip,port,hostname\n2026-11-20 10:00:00," + ip + ",80,h.example\n")
			}
			write(t, filepath.Join(feeds, "a.csv"), good("192.0.2.1"))
			z := gz(good("192.0.2.2"))
			write(t, filepath.Join(feeds, "b.csv.gz"), z[:len(z)-6])
			write(t, filepath.Join(feeds, "c.csv"), good("192.0.2.3"))
			out, errOut, code := cli(t, db, "", "ingest", "feed", "--report-type", "scan_http", feeds)
			if code != 2 || !strings.Contains(out, "b.csv.gz: FAILED") || !strings.Contains(errOut, "1 of 3 files failed: b.csv.gz") ||
				!strings.Contains(out, "a.csv: scan_http") || !strings.Contains(out, "c.csv: scan_http") {
				t.Errorf("ingest feed DIR = %d\nstdout: %s\nstderr: %s", code, out, errOut)
			}
			if out, _, _ := cli(t, db, "", "findings"); !strings.Contains(out, "192.0.2.1:80") || !strings.Contains(out, "192.0.2.3:80") || strings.Contains(out, "192.0.2.2:80") {
				t.Errorf("findings after the directory:\n%s", out)
			}

			docs := t.TempDir()
			for _, f := range []string{"icsa-23-206-01.json", "icsa-24-214-07.json"} {
				b, err := os.ReadFile(filepath.Join("testdata/vuln", f))
				if err != nil {
					t.Fatal(err)
				}
				write(t, filepath.Join(docs, f), b)
			}
			write(t, filepath.Join(docs, "icsa-24-000-00.json"), brokenInputs[3].make(nil)) // random bytes, named like a document
			out, errOut, code = cli(t, db, "", "ingest", "csaf", docs)
			if code != 2 || !strings.Contains(errOut, "1 of 3 files failed") || !strings.Contains(errOut, "icsa-24-000-00.json") ||
				strings.Count(out, "advisories 1 new") != 2 {
				t.Errorf("ingest csaf DIR = %d\nstdout: %s\nstderr: %s", code, out, errOut)
			}
			// A document that is refused as a whole (well-formed JSON, but
			// not CSAF) fails its only unit.
			notCSAF := filepath.Join(t.TempDir(), "not-csaf.json")
			write(t, notCSAF, []byte(`{"document":{"category":"csaf_base","title":"x"}}`))
			out, errOut, code = cli(t, db, "", "ingest", "csaf", notCSAF)
			if code != 2 || !strings.Contains(out, "FAILED") {
				t.Errorf("ingest csaf of a refused document = %d\nstdout: %s\nstderr: %s", code, out, errOut)
			}
		})
	}
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
