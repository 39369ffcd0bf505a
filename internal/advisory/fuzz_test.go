// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package advisory_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"vigil/internal/advisory"
)

// seed adds the testdata files matching the globs (up to 64 KiB each, so
// the fuzzer's mutations stay fast) to f's corpus.
func seed(f *testing.F, globs ...string) {
	for _, g := range globs {
		files, err := filepath.Glob(g)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			if len(data) <= 64<<10 {
				f.Add(data)
			}
		}
	}
}

// fuzzParser checks the invariants every loader keeps on any input: no
// panic, every record counted once, every rejection has a row error with a
// reason, yielded advisories have an id and a digest.
func fuzzParser(t *testing.T, p parser, data []byte) {
	n := 0
	st, rows, _ := p(context.Background(), bytes.NewReader(data), "fuzz", func(a advisory.Advisory) error {
		n++
		if a.ID == "" {
			t.Errorf("advisory without id")
		}
		_ = a.Digest()
		_ = a.IndexKeys()
		return nil
	})
	// Rejected counts whole records; CSAF may also return row errors for
	// vulnerabilities dropped from a document that was yielded.
	if st.Yielded != n || st.Rejected > len(rows) || st.Records < st.Yielded+st.Rejected {
		t.Errorf("stats %+v with %d yielded, %d rows", st, n, len(rows))
	}
	for _, r := range rows {
		if r.Reason == "" {
			t.Errorf("row error without reason: %+v", r)
		}
	}
}

func FuzzCSAF(f *testing.F) {
	seed(f, "testdata/csaf/20*/*.json")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParser(t, advisory.ParseCSAF, data) })
}

func FuzzNVD(f *testing.F) {
	seed(f, "testdata/nvd/*.json", "testdata/bad/nvd-feed-bad.json")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParser(t, advisory.ParseNVD, data) })
}

func FuzzCVE5(f *testing.F) {
	seed(f, "testdata/cve5/*.json")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParser(t, advisory.ParseCVE5, data) })
}

func FuzzOSV(f *testing.F) {
	seed(f, "testdata/osv/*.json", "testdata/bad/osv-bad.json")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParser(t, advisory.ParseOSV, data) })
}

func FuzzKEV(f *testing.F) {
	seed(f, "testdata/bad/kev-bad.json")
	f.Fuzz(func(t *testing.T, data []byte) { fuzzParser(t, advisory.ParseKEV, data) })
}

func FuzzEPSS(f *testing.F) {
	seed(f, "testdata/epss/*", "testdata/bad/epss-bad.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		n := 0
		st, rows, _ := advisory.ParseEPSS(context.Background(), bytes.NewReader(data), "fuzz", func(cve string, e advisory.EPSS) error {
			n++
			if !advisory.IsCVE(cve) || e.Score < 0 || e.Score > 1 || e.Percentile < 0 || e.Percentile > 1 {
				t.Errorf("bad score yielded: %s %+v", cve, e)
			}
			return nil
		})
		if st.Yielded != n || st.Rejected != len(rows) {
			t.Errorf("stats %+v with %d yielded, %d rows", st, n, len(rows))
		}
	})
}
