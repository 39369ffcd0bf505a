// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package feed_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"vigil/internal/errs"
	"vigil/internal/feed"
)

// seed adds every file matching pattern under testdata to f's corpus.
func seed(f *testing.F, patterns ...string) {
	for _, p := range patterns {
		files, err := filepath.Glob(filepath.Join("testdata", p))
		if err != nil || len(files) == 0 {
			f.Fatalf("no seeds %s", p)
		}
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
}

// consume reads everything and checks the reader's invariants: row errors
// and observations carry lines in increasing order, the counts add up, and
// secrets never leak.
func consume(t *testing.T, data []byte, opts feed.Options, secrets map[int]string) {
	rd, err := feed.NewReader(context.Background(), bytes.NewReader(data), opts)
	if err != nil {
		if errs.CodeOf(err) == errs.Internal && !strings.Contains(err.Error(), "gzip") && !strings.Contains(err.Error(), "EOF") {
			t.Fatalf("NewReader: uncoded error %v", err)
		}
		return
	}
	last, obs, bad := 0, 0, 0
	for o, err := range rd.All() {
		var line int
		var raw string
		if err != nil {
			var re *errs.RowError
			if !errors.As(err, &re) {
				continue // I/O (gzip) errors end the stream
			}
			bad++
			line, raw = re.Line, re.Raw+re.Reason
		} else {
			obs++
			line, raw = o.Line, o.Raw
			if o.IP.Is4In6() || o.IP.Zone() != "" {
				t.Fatalf("line %d: IP %v not normalised", o.Line, o.IP)
			}
			if o.Credential != nil {
				raw += o.Credential.User
			}
		}
		if line < last || line < 1 {
			t.Fatalf("line %d after line %d", line, last)
		}
		last = line
		if s := secrets[line]; s != "" && strings.Contains(raw, s) {
			t.Fatalf("line %d: secret %q in %q", line, s, raw)
		}
	}
	st := rd.Stats()
	if st.Observations != obs || st.Bad != bad || st.Rows < bad || (rd.Format() != feed.FormatBlocklist && st.Rows != obs+bad) {
		t.Fatalf("stats %+v; yielded %d observations, %d bad", st, obs, bad)
	}
}

func FuzzShadowserver(f *testing.F) {
	seed(f, "shadowserver/*.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		consume(t, data, feed.Options{Name: "2025-06-01-scan_http_vulnerable-x-asn.csv", Format: feed.FormatShadowserver, MaxRecordBytes: 4096}, nil)
		consume(t, data, feed.Options{Name: "upload.csv"}, nil)
	})
}

func FuzzGenericCSV(f *testing.F) {
	seed(f, "csv/*.csv")
	m := &feed.Mapping{Delimiter: ";", Columns: feed.Columns{IP: "src", Port: "dport", Time: "first_seen", CVE: "cve_list", Severity: "prio"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		consume(t, data, feed.Options{Format: feed.FormatCSV, MaxRecordBytes: 4096}, nil)
		consume(t, data, feed.Options{Format: feed.FormatCSV, Mapping: m}, nil)
	})
}

func FuzzBlocklist(f *testing.F) {
	seed(f, "blocklist/*.txt")
	f.Fuzz(func(t *testing.T, data []byte) {
		consume(t, data, feed.Options{Format: feed.FormatBlocklist, MaxRecordBytes: 4096}, nil)
	})
}

func FuzzCredentials(f *testing.F) {
	seed(f, "credentials/*.txt")
	f.Fuzz(func(t *testing.T, data []byte) {
		// Whatever follows the user field is a password and must not
		// come out: check the third field of each well-formed line.
		secrets := map[int]string{}
		for i, line := range strings.Split(string(data), "\n") {
			if parts := strings.SplitN(line, ",", 3); len(parts) == 3 && len(strings.TrimSpace(parts[2])) >= 4 &&
				// (a secret that the row's other fields spell, also as quoted
				// in a reason, cannot be told from them)
				!strings.Contains(parts[0]+","+parts[1]+",<redacted>"+strconv.Quote(strings.TrimSpace(parts[0]))+strconv.Quote(strings.TrimSpace(parts[1])), strings.TrimSpace(parts[2])) && !strings.Contains(line, ";") &&
				!strings.Contains(line, "\t") && !strings.Contains(line, "|") {
				secrets[i+1] = strings.TrimSpace(parts[2])
			}
		}
		consume(t, data, feed.Options{Format: feed.FormatCredentials, CredentialSalt: []byte("salt")}, secrets)
	})
}
