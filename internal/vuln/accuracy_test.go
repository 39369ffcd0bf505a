// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/internal/advisory"
	"vigil/internal/registry"
)

var updateAccuracy = flag.Bool("update-accuracy", false, "rewrite the before column of testdata/accuracy/cases.csv")

// accuracyCase is one row of testdata/accuracy/cases.csv (see the
// README.md there): a device as an owner registers it, one CVE of one
// advisory, and whether a careful analyst says the advisory makes the
// device affected by it.
type accuracyCase struct {
	line                    int
	advisory, cve           string
	vendor, model, firmware string
	expect                  bool
	why, before             string
}

// split names the evaluation set of an advisory: tuning (2017–2020) or
// held out (2021–2022), by the year in its id ("icsa-19-…").
func (c accuracyCase) split() string {
	f := strings.Split(c.advisory, "-")
	if len(f) > 1 && f[1] <= "20" {
		return "2017-2020"
	}
	return "2021-2022"
}

func readAccuracyCases(t *testing.T, path string) ([][]string, []accuracyCase) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []accuracyCase
	for i, r := range recs[1:] {
		if len(r) != 8 {
			t.Fatalf("%s:%d: %d fields; want 8", path, i+2, len(r))
		}
		c := accuracyCase{line: i + 2, advisory: r[0], cve: r[1], vendor: r[2], model: r[3], firmware: r[4], why: r[6], before: r[7]}
		switch r[5] {
		case "yes":
			c.expect = true
		case "no":
		default:
			t.Fatalf("%s:%d: expect %q; want yes or no", path, c.line, r[5])
		}
		out = append(out, c)
	}
	return recs, out
}

// accuracyAdvisory loads one advisory of testdata/accuracy/csaf.
func accuracyAdvisory(t *testing.T, id string) *Compiled {
	t.Helper()
	if v, ok := compiledCache.Load("accuracy/" + id); ok {
		return v.(*Compiled)
	}
	path := filepath.Join("testdata", "accuracy", "csaf", id+".json")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var a advisory.Advisory
	if _, _, err := advisory.ParseCSAF(context.Background(), f, path, func(x advisory.Advisory) error { a = x; return nil }); err != nil {
		t.Fatal(err)
	}
	c := Compile(0, &a)
	compiledCache.Store("accuracy/"+id, c)
	return c
}

// score counts one evaluation set.
type score struct{ tp, fp, fn, tn int }

func (s score) precision() float64 { return ratio(s.tp, s.tp+s.fp) }
func (s score) recall() float64    { return ratio(s.tp, s.tp+s.fn) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// TestMatchAccuracy matches every labelled device of
// testdata/accuracy/cases.csv against its advisory and prints precision
// and recall separately for the advisories of 2017–2020 (used to tune the
// matcher) and of 2021–2022 (held out). A case is predicted affected when
// the advisory gives the device a match for the CVE at the engine's
// default minimum confidence.
func TestMatchAccuracy(t *testing.T) {
	const path = "testdata/accuracy/cases.csv"
	recs, cases := readAccuracyCases(t, path)
	if len(cases) < 300 {
		t.Fatalf("%d cases; the table needs at least 300", len(cases))
	}
	scores := map[string]*score{"2017-2020": {}, "2021-2022": {}}
	changed := 0
	for _, c := range cases {
		adv := accuracyAdvisory(t, c.advisory)
		if _, ok := adv.Advisory.Vuln(c.cve); !ok {
			t.Fatalf("%s:%d: %s is not in %s", path, c.line, c.cve, c.advisory)
		}
		d := registry.Device{ID: int64(c.line), Vendor: c.vendor, Model: c.model, Firmware: c.firmware}
		var got *Match
		for _, m := range MatchOne(adv, DeviceTarget(d), DefaultMinConfidence) {
			if m.CVE == c.cve {
				got = &m
				break
			}
		}
		s := scores[c.split()]
		switch {
		case got != nil && c.expect:
			s.tp++
		case got != nil:
			s.fp++
			t.Logf("false positive %s:%d %s %q %q %q: %s (%.2f %s)", path, c.line, c.cve, c.vendor, c.model, c.firmware, c.why, got.Confidence, got.Evidence.Reason)
		case c.expect:
			s.fn++
			t.Logf("false negative %s:%d %s %q %q %q: %s", path, c.line, c.cve, c.vendor, c.model, c.firmware, c.why)
		default:
			s.tn++
		}
		predicted := map[bool]string{true: "yes", false: "no"}[got != nil]
		if *updateAccuracy {
			recs[c.line-1][7] = predicted
		} else if predicted != c.before {
			changed++
		}
	}
	for _, name := range []string{"2017-2020", "2021-2022"} {
		s := scores[name]
		fmt.Printf("match accuracy %s: precision %.3f recall %.3f (tp %d fp %d fn %d tn %d)\n",
			name, s.precision(), s.recall(), s.tp, s.fp, s.fn, s.tn)
	}
	if *updateAccuracy {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		w := csv.NewWriter(f)
		if err := w.WriteAll(recs); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		return
	}
	if changed > 0 {
		t.Errorf("%d cases predicted differently from the before column", changed)
	}
}
