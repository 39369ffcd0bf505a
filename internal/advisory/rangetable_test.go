// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package advisory_test

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"vigil/internal/advisory"
)

var updateBefore = flag.Bool("update-before", false, "rewrite the before column of testdata/ranges/table.tsv")

// rangeRow is one row of testdata/ranges/table.tsv (see its README.md).
type rangeRow struct {
	line                    int
	text                    string
	scheme, bounds, conds   string
	in, out, before, source string
}

func readRangeTable(t *testing.T, path string) ([]string, []rangeRow) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	var rows []rangeRow
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		lines = append(lines, l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Split(l, "\t")
		if len(f) != 8 {
			t.Fatalf("%s:%d: %d fields; want 8", path, n, len(f))
		}
		r := rangeRow{line: n, scheme: f[1], bounds: f[2], conds: f[3], in: f[4], out: f[5], before: f[6], source: f[7]}
		if err := json.Unmarshal([]byte(f[0]), &r.text); err != nil {
			t.Fatalf("%s:%d: range: %v", path, n, err)
		}
		rows = append(rows, r)
	}
	return lines, rows
}

// normVersion compares versions as the table's README says: case and
// spaces do not count.
func normVersion(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), ""))
}

// sameBounds compares a bounds column with a list of constraints.
func sameBounds(want string, got []string) bool {
	if want == "*" || want == "unparsed" {
		return len(got) == 1 && got[0] == want
	}
	ws := strings.Split(want, "|")
	if len(ws) != len(got) {
		return false
	}
	for i := range ws {
		if normVersion(ws[i]) != normVersion(got[i]) {
			return false
		}
	}
	return true
}

// oldBounds renders what advisory.ParseRangeText made of a string in the
// table's notation. A vers: range with a scheme the matcher could not
// evaluate ("vers:all/<V4.3.8") counts as unparsed: that is how the
// matcher treated it.
func oldBounds(r advisory.VersionRange) []string {
	switch {
	case r.All:
		return []string{"*"}
	case r.Vers != "" || !r.Bounded():
		return []string{"unparsed"}
	}
	var out []string
	add := func(op, v string) {
		if v != "" {
			out = append(out, op+v)
		}
	}
	add("=", r.Exact)
	add(">=", r.StartIncluding)
	add(">", r.StartExcluding)
	add("<=", r.EndIncluding)
	add("<", r.EndExcluding)
	return out
}

// TestRangeTableBefore records how the parser of the time read the
// interpretation table: the rows marked "pass" pass and the others fail
// (it keeps no conditions, so a row with conditions always fails).
func TestRangeTableBefore(t *testing.T) {
	t.Parallel()
	const path = "testdata/ranges/table.tsv"
	lines, rows := readRangeTable(t, path)
	if len(rows) < 200 {
		t.Fatalf("%d rows; the table needs at least 200", len(rows))
	}
	pass := 0
	for i, r := range rows {
		got := advisory.ParseRangeText(r.text)
		ok := sameBounds(r.bounds, oldBounds(got)) && r.conds == ""
		state := map[bool]string{true: "pass", false: "fail"}[ok]
		if ok {
			pass++
		}
		if *updateBefore {
			f := strings.Split(lines[r.line-1], "\t")
			f[6] = state
			lines[r.line-1] = strings.Join(f, "\t")
			rows[i].before = state
			continue
		}
		if r.before != state {
			t.Errorf("%s:%d: %q: before %s, now %s (bounds %q; parsed %q)", path, r.line, r.text, r.before, state, r.bounds, oldBounds(got))
		}
	}
	t.Logf("%d of %d interpretations pass with advisory.ParseRangeText", pass, len(rows))
	if *updateBefore {
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Println("rewrote", path)
	}
}
