// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vrange_test

import (
	"bufio"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"vigil/internal/match/version"
	"vigil/internal/match/vrange"
)

// tableRow is one row of testdata/table.tsv (see testdata/README.md).
type tableRow struct {
	line                   int
	text                   string
	scheme, bounds, conds  string
	in, out, before, where string
}

func readTable(t *testing.T) []tableRow {
	t.Helper()
	const path = "testdata/table.tsv"
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []tableRow
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		fs := strings.Split(l, "\t")
		if len(fs) != 8 {
			t.Fatalf("%s:%d: %d fields; want 8", path, n, len(fs))
		}
		r := tableRow{line: n, scheme: fs[1], bounds: fs[2], conds: fs[3], in: fs[4], out: fs[5], before: fs[6], where: fs[7]}
		if err := json.Unmarshal([]byte(fs[0]), &r.text); err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// sameVersion compares versions of the table: equal as text (case and
// spaces aside) or equal in the vendor order ("5.0" and "5").
func sameVersion(a, b string) bool {
	norm := func(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), "")) }
	return norm(a) == norm(b) || version.CompareStrings(a, b) == 0
}

func sameBounds(want string, r vrange.Range) bool {
	got := r.Bounds()
	if want == "*" || want == "unparsed" || got == "*" || got == "unparsed" {
		return want == got
	}
	ws := strings.Split(want, "|")
	if len(ws) != len(r.Constraints) {
		return false
	}
	for i, w := range ws {
		c := r.Constraints[i]
		op := strings.TrimRight(w, "^")
		k := 0
		for k < len(op) && strings.ContainsRune("<>=", rune(op[k])) {
			k++
		}
		if vrange.Op(op[:k]) != c.Op || !sameVersion(op[k:], c.Version) {
			return false
		}
	}
	return true
}

func sameConditions(want string, r vrange.Range) bool {
	var ws []string
	for _, w := range strings.Split(want, "; ") {
		if w = strings.TrimSpace(w); w != "" {
			ws = append(ws, strings.ToLower(w))
		}
	}
	var got []string
	for _, c := range r.Conditions {
		if c.Model == "" {
			got = append(got, strings.ToLower(c.Text))
		}
	}
	return strings.Join(ws, "\n") == strings.Join(got, "\n")
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ";")
}

// TestInterpretations checks every row of the interpretation table, written
// before this parser: bounds, scheme, conditions, and versions that must and
// must not lie in the range.
func TestInterpretations(t *testing.T) {
	t.Parallel()
	rows := readTable(t)
	if len(rows) < 200 {
		t.Fatalf("%d rows; the table needs at least 200", len(rows))
	}
	for _, row := range rows {
		r := vrange.Parse(row.text)
		where := "testdata/table.tsv:" + strconv.Itoa(row.line)
		if r.Scheme != row.scheme {
			t.Errorf("%s: %q: scheme %q; want %q", where, row.text, r.Scheme, row.scheme)
		}
		if !sameBounds(row.bounds, r) {
			t.Errorf("%s: %q: bounds %q; want %q (%s)", where, row.text, r.Bounds(), row.bounds, r.Unparsed)
			continue
		}
		if !sameConditions(row.conds, r) {
			var got []string
			for _, c := range r.Conditions {
				got = append(got, c.Text)
			}
			t.Errorf("%s: %q: conditions %q; want %q", where, row.text, strings.Join(got, "; "), row.conds)
		}
		for _, v := range split(row.in) {
			if in, ok := r.Contains(v); !in || !ok {
				t.Errorf("%s: %q (%s) does not contain %q (ok %v)", where, row.text, r.Bounds(), v, ok)
			}
		}
		for _, v := range split(row.out) {
			if in, ok := r.Contains(v); in || !ok {
				t.Errorf("%s: %q (%s) contains %q (ok %v)", where, row.text, r.Bounds(), v, ok)
			}
		}
	}
}

// TestCorpusCoverage reads every distinct product_version_range string of
// the CISA OT advisories of 2017–2022 with its number of branches and
// keeps the share of branches interpreted from falling.
func TestCorpusCoverage(t *testing.T) {
	t.Parallel()
	const path = "testdata/corpus.tsv"
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var total, understood, distinct int
	var unparsed []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		count, quoted, ok := strings.Cut(l, "\t")
		c, err := strconv.Atoi(count)
		if !ok || err != nil {
			t.Fatalf("%s:%d: want count<TAB>string", path, n)
		}
		var s string
		if err := json.Unmarshal([]byte(quoted), &s); err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		distinct++
		total += c
		r := vrange.Parse(s)
		if r.Understood() {
			understood += c
		} else {
			unparsed = append(unparsed, strconv.Itoa(c)+" "+quoted+": "+r.Unparsed)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	share := float64(understood) / float64(total)
	t.Logf("%d distinct ranges, %d branches, %d interpreted (%.4f); unparsed:\n%s", distinct, total, understood, share, strings.Join(unparsed, "\n"))
	if total != 8493 || distinct != 2544 {
		t.Errorf("%d branches, %d distinct strings; want 8493 and 2544", total, distinct)
	}
	if share < 0.99 {
		t.Errorf("%.4f of the range branches interpreted; want at least 0.99", share)
	}
}

// TestNeverAllWhenUnderstoodPartly pins the defect the parser was written
// for: a range with words between "All versions" and the bound is bounded.
func TestNeverAllWhenUnderstoodPartly(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"All versions with WinCC before V7.4",
		"All versions < V9.0 SP2 with WinCC V7.4 SP1 Upd11",
		"All versions with U-Boot < V2016.05RS09",
		"see the vendor's site",
	} {
		r := vrange.Parse(s)
		if in, ok := r.Contains("V99"); in && ok && len(r.Unchecked()) == 0 {
			t.Errorf("Parse(%q) = %s: contains V99 with nothing to check", s, r)
		}
	}
}

// TestContains: comparisons the interpretation table has no in/out
// versions for.
func TestContains(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rng, v string
		want   bool
	}{
		{"<=N", "L.01", true},    // a revision of an earlier letter release
		{"<=N", "N.00.03", true}, // of release N itself
		{"<N", "N.01", false},
		{"<=N", "P.01", false},
		{"<=W", "V", true},
		{"<=W", "X", false},
		{"<NVR-B3801.20.17.240507", "NVR-B3801.20.17.240400", true}, // a build named with its line
		{"<= 33", "33.011", true},                                   // a bare number is a release line
		{"< 33", "33.011", false},
		{"10 | 11", "10.1", true},
		{"10 | 11", "12.0", false},
		{"<NVR-B3801.20.17.240507", "NVR-B3801.20.17.240507", false},
		// A release restated as a build number: each compares with its own.
		{"<= PI SDK 2018 SP1 Version 1.4.7.602", "1.4.7.602", true},
		{"<= PI SDK 2018 SP1 Version 1.4.7.602", "1.4.8.100", false},
		{"<= PI SDK 2018 SP1 Version 1.4.7.602", "2018", true},
		{"<= PI SDK 2018 SP1 Version 1.4.7.602", "2019", false},
		{"All versions < SP3 Update 1", "SP2 Update 4", true},
		{"All versions < SP3 Update 1", "SP3 Update 1", false},
		// Ranges in words and numbers (2017–2020 product names and full
		// names: icsa-20-049-02, icsa-20-289-02, icsa-20-147-02,
		// icsa-17-243-04, icsa-17-208-01).
		{"3.1 through 3.3.3", "3.2", true},
		{"3.1 through 3.3.3", "3.3.4", false},
		{"Versions 1.5.1 through 2.4.10 and 3.0 through 3.1", "3.0.5", true},
		{"Versions 1.5.1 through 2.4.10 and 3.0 through 3.1", "2.5", false},
		{"All versions up to and including v8.22", "8.22", true},
		{"All versions up to and including v8.22", "8.23", false},
		{"5.0 up to and including Version 5.0.5.31", "5.0.5.31", true},
		{"5.0 up to and including Version 5.0.5.31", "4.9", false},
		{"V191-V195", "V193", true},
		{"V191-V195", "V190", false},
		{"V175-V189", "V189", true},
		{"2014-2016", "2016", true},
		{"2014-2016", "2017", false},
		// A firmware bound beside the software's (icsa-19-353-04): the
		// firmware compares with it, the software with its own.
		{"< 2.15 (Firmware versions prior to 8.26.4)", "8.26.3", true},
		{"< 2.15 (Firmware versions prior to 8.26.4)", "8.26.4", false},
		{"< 2.15 (Firmware versions prior to 8.26.4)", "2.14", true},
		{"< 2.15 (Firmware versions prior to 8.26.4)", "2.15", false},
		{"< 12.4 (firmware 1.46)", "1.44", true},
		{"< 12.4 (firmware 1.46)", "1.46", false},
		// A bound restated as a build number in parentheses
		// (icsa-17-164-03, icsa-18-093-01): a build compares with it,
		// a release or service pack with the bound.
		{"< 2017 (1.9.0)", "1.8.0", true},
		{"< 2017 (1.9.0)", "1.9.0", false},
		{"< 2017 (1.9.0)", "2016 R2", true},
		{"< 2017 (1.9.0)", "2017", false},
		{"All versions < V2.1 SP3 (2.1.670)", "2.1.650", true},
		{"All versions < V2.1 SP3 (2.1.670)", "2.1.670", false},
		{"All versions < V2.1 SP3 (2.1.670)", "V2.1 SP2", true},
		{"All versions < V2.1 SP3 (2.1.670)", "V2.1 SP3", false},
		// A two-digit minor without its dot (icsa-18-072-01,
		// icsa-19-017-01): against versions written with dots it is a
		// minor and a patch; against its own form it compares as written.
		{"<= 3.40", "3.4.1", false},
		{"<= 3.40", "3.4.0", true},
		{"<= 3.40", "3.40", true},
		{"<= 3.40", "3.39", true},
		{"<= 3.42", "3.5.0.11", false},
		{"<= 3.42", "3.4.2", true},
		{"<= 3.42", "3.41", true},
	}
	for _, tt := range tests {
		r := vrange.Parse(tt.rng)
		if got, ok := r.Contains(tt.v); got != tt.want || !ok {
			t.Errorf("%q (%s) contains %q = %v (ok %v); want %v", tt.rng, r, tt.v, got, ok, tt.want)
		}
	}
}

// TestDashIsNoRange: a hyphen joins two numbers into a range only when
// they are written alike and ascend; versions with a build ("8.00-20140730",
// "3.4.5-100") and model numbers beside models stay what they are.
func TestDashIsNoRange(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"8.00-20140730", "3.4.5-100", "33-20", "V1-2", "750-823 | 750-832/xxx-xxx"} {
		r := vrange.Parse(s)
		for _, c := range r.Constraints {
			if c.Op == vrange.Ge {
				t.Errorf("Parse(%q) = %s: read as a range", s, r)
			}
		}
	}
}

func TestFromBounds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r    vrange.Range
		v    string
		want bool
	}{
		{vrange.FromBounds("", "7.0.0", "", "", "7.0.15"), "7.0.14", true},
		{vrange.FromBounds("", "7.0.0", "", "", "7.0.15"), "6.9.9", false},
		{vrange.FromBounds("", "", "", "5.1.2", ""), "5.1.2 build 230512", true},
		{vrange.FromBounds("", "", "", "", "5.1.2"), "5.1.2 build 230512", false},
		{vrange.FromBounds("semver", "1.0.0", "", "", "2.0.0"), "1.5.0", true},
		{vrange.FromBounds("semver", "1.0.0", "", "", "2.0.0"), "2.0.0", false},
		{vrange.Exact("", "V2.1"), "2.1", true},
		{vrange.FromBounds("", "", "", "", ""), "anything", true},
	}
	for _, tt := range tests {
		if got, ok := tt.r.Contains(tt.v); got != tt.want || !ok {
			t.Errorf("%s contains %q = %v (ok %v); want %v", tt.r.Bounds(), tt.v, got, ok, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"< V4.1.3", "All versions < V5.2 SP3 HF13", ">= 1.0 | <= 1.32", "vers:all/>=V1.80<V2.20",
		"<= 1.12.0.27 | 1.12.13.2 | 1.12.14.5", "1SAP520100R0001 | G1  with BSP <= UN31 1.76", "<=(R4.02)", "6.x (Wireless (16 | 17"} {
		f.Add(s, "1.2.3")
	}
	f.Fuzz(func(t *testing.T, s, v string) {
		r := vrange.Parse(s)
		in, ok := r.Contains(v)
		if !r.Understood() && (in || ok) {
			t.Fatalf("unparsed %q contains %q", s, v)
		}
		if r.Understood() && !r.All && len(r.Constraints) == 0 {
			t.Fatalf("Parse(%q): understood without constraints", s)
		}
		_ = r.String()
	})
}
