// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"vigil/internal/advisory"
)

// loadFile parses one testdata file with the loader its directory implies
// (csaf/, nvd/, cve5/, kev/, osv/) and fails the test on any row error.
func loadFile(t testing.TB, rel string) []advisory.Advisory {
	t.Helper()
	path := filepath.Join("testdata", rel)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []advisory.Advisory
	yield := func(a advisory.Advisory) error { out = append(out, a); return nil }
	ctx := context.Background()
	var rows int
	switch strings.Split(filepath.ToSlash(rel), "/")[0] {
	case "csaf":
		_, re, e := advisory.ParseCSAF(ctx, f, rel, yield)
		rows, err = len(re), e
	case "nvd":
		_, re, e := advisory.ParseNVD(ctx, f, rel, yield)
		rows, err = len(re), e
	case "cve5":
		_, re, e := advisory.ParseCVE5(ctx, f, rel, yield)
		rows, err = len(re), e
	case "kev":
		_, re, e := advisory.ParseKEV(ctx, f, rel, yield)
		rows, err = len(re), e
	case "osv":
		_, re, e := advisory.ParseOSV(ctx, f, rel, yield)
		rows, err = len(re), e
	default:
		t.Fatalf("no loader for %s", rel)
	}
	if err != nil || rows > 0 {
		t.Fatalf("load %s: %d row errors, %v", rel, rows, err)
	}
	return out
}

var compiledCache sync.Map // rel → []*Compiled

// compiled returns the compiled advisories of a testdata file (cached; the
// values are read-only).
func compiledFile(t testing.TB, rel string) []*Compiled {
	t.Helper()
	if v, ok := compiledCache.Load(rel); ok {
		return v.([]*Compiled)
	}
	var out []*Compiled
	for _, a := range loadFile(t, rel) {
		a := a
		out = append(out, Compile(0, &a, nil))
	}
	compiledCache.Store(rel, out)
	return out
}

// crossRow is one row of testdata/CROSSREF.csv.
type crossRow struct {
	CVE, InKEV, CSAF, NVD, CVE5, Vendor, Product, HasCPE string
}

func crossRows(t testing.TB) []crossRow {
	t.Helper()
	f, err := os.Open("testdata/CROSSREF.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []crossRow
	for _, r := range recs[1:] {
		out = append(out, crossRow{r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]})
	}
	return out
}

// corpusFile maps a CROSSREF path ("csaf/2023/icsa-23-012-03.json",
// "nvd/CVE-….json") to its testdata path.
func corpusFile(p string) string {
	if strings.HasPrefix(p, "csaf/") {
		return "csaf/" + filepath.Base(p)
	}
	return p
}

// matchedCVEs returns the vulnerability keys any of the advisories matches
// for the target, with the matches.
func matchedCVEs(cs []*Compiled, tg Target) map[string][]Match {
	out := map[string][]Match{}
	for _, c := range cs {
		for _, m := range MatchOne(c, tg, DefaultMinConfidence) {
			out[m.CVE] = append(out[m.CVE], m)
		}
	}
	return out
}
