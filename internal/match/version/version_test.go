// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package version

import (
	"bufio"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCanonical(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"V5.1.2 build 230512", "5.1.2+230512"},
		{"1.0.24_rc2", "1.0.24-rc2"},
		{"v2.0.0-beta.1", "2-beta1"},
		{"3.10", "3.10"},
		{"R7.2.1.5", "7.2.1.5"},
		{"20230512", "20230512"},
		{"1.0.0 (Build 12)", "1+12"},
		// A date build after an underscore (WECON PLC Editor, icsa-19-353-03).
		{"1.3.5_20190129", "1.3.5+20190129"},
		{"1.3.5 Build 20190129", "1.3.5+20190129"},
		{"1.3_2019", "1.3.2019"},                 // four digits: a number of the release
		{"20190129_1", "20190129.1"},             // not after a release
		{"1.3.5_20190129_1", "1.3.5.20190129.1"}, // not the last number
		{"1.0.2k", "1.0.2k"},
		{"1.00-06", "1.0.6"},
		{"FW 2.4.49", "2.4.49"},
		{"5.0 SP1", "5-sp1"},
		{"7.83.0-r0", "7.83-r"},
		{"1.0-final", "1"},
		{"", "0"},
		{"beta", "0-beta"},
		{"007.010", "7.10"},
	}
	for _, tt := range tests {
		if got := Parse(tt.in).Canonical(); got != tt.want {
			t.Errorf("Parse(%q).Canonical() = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestCompare(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"1.0", "1.0.0", 0},
		{"V5.1.2", "5.1.2", 0},
		{"v1.2", "V1.2", 0},
		{"3.9", "3.10", -1},
		{"2.4.49", "2.4.50", -1},
		{"1.0.2", "1.0.2k", -1},
		{"1.0.2j", "1.0.2k", -1},
		{"1.0.2k", "1.0.3", -1},
		{"1.0.24_rc2", "1.0.24", -1},
		{"1.0.24_rc1", "1.0.24_rc2", -1},
		{"1.0.23", "1.0.24_rc1", -1},
		{"2.0.0-alpha", "2.0.0-beta.1", -1},
		{"2.0.0-beta.1", "2.0.0-beta.2", -1},
		{"2.0.0-beta.2", "2.0.0-rc.1", -1},
		{"2.0.0-rc.1", "2.0.0", -1},
		{"2.0.0", "2.0.0-p1", -1},
		{"5.1.2", "V5.1.2 build 230512", -1},
		{"V5.1.2 build 230511", "V5.1.2 build 230512", -1},
		{"V5.1.2 build 999999", "5.1.3", -1},
		{"1.0.0 (Build 12)", "1.0.0 (Build 9)", 1},
		{"R7.2.1.5", "7.2.1.10", -1},
		{"20230512", "20240101", -1},
		{"1.00-06", "1.00-07", -1},
		{"1.00-06", "1.0.6", 0},
		{"5.0", "5.0 SP1", -1},
		{"5.0 SP1", "5.0 SP2", -1},
		{"V7.4 Update 3", "V7.4 SP1", -1},
		{"V7.4 SP1", "V7.4 SP1 Upd 11", -1},
		{"V7.4 SP1 Upd 11", "V7.4 SP2", -1},
		{"V15.1 Upd 4", "V15.1 Update 4", 0},
		{"V5.0 QU1", "V5.0 Update 1", 0},
		{"V4.8 HF4", "V4.8 SP1", -1},
		{"V4.8 Hotfix 4", "V4.8 HF4", 0},
		{"V5.2 SP3 HF12", "V5.2 SP 3 HF 13", -1},
		{"V5.2 SP3 HF13", "V5.2 SP4", -1},
		{"3.1 Service Pack 1A", "3.1 SP1A", 0},
		{"2020 R2", "2020 R2 P01", -1},
		{"1.0-SNAPSHOT", "1.0-alpha", -1},
		{"99999999999999999999999", "100000000000000000000000", -1},
	}
	for _, tt := range tests {
		if got := CompareStrings(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareStrings(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
		if got := CompareStrings(tt.b, tt.a); got != -tt.want {
			t.Errorf("CompareStrings(%q, %q) = %d; want %d", tt.b, tt.a, got, -tt.want)
		}
	}
}

func TestInRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v                                    string
		lowIncl, lowExcl, highIncl, highExcl string
		want                                 bool
	}{
		{"1.00-06", "", "", "1.00-06", "", true},    // CVE-2019-7256 nortek, last vulnerable
		{"1.00-07", "", "", "1.00-06", "", false},   // first fixed
		{"1.65.4", "", "", "1.65.4", "", true},      // CVE-2023-21406 axis
		{"1.65.5", "", "", "1.65.4", "", false},     //
		{"2.0.9", "", "", "", "2.0.10", true},       // CVE-2023-49897 fxc
		{"2.0.10", "", "", "", "2.0.10", false},     //
		{"7.0.14", "7.0.0", "", "", "7.0.15", true}, // CVE-2024-21762 fortiproxy
		{"6.9.9", "7.0.0", "", "", "7.0.15", false},
		{"1.0", "1.0", "", "", "", true},
		{"1.0", "", "1.0", "", "", false},
		{"1.0.1", "", "1.0", "", "", true},
		{"anything", "", "", "", "", true},
		{"5.1.2 build 230512", "", "", "5.1.2", "", true},  // bound names no build
		{"5.1.2 build 230512", "", "", "", "5.1.2", false}, // same release: not below it
		{"5.1.2 build 230512", "", "", "5.1.2 build 230511", "", false},
		{"5.1.2 build 230510", "", "", "5.1.2 build 230511", "", true},
		{"5.1.2-rc1", "", "", "", "5.1.2", true},
	}
	for _, tt := range tests {
		if got := InRange(tt.v, tt.lowIncl, tt.lowExcl, tt.highIncl, tt.highExcl); got != tt.want {
			t.Errorf("InRange(%q, %q, %q, %q, %q) = %v; want %v", tt.v, tt.lowIncl, tt.lowExcl, tt.highIncl, tt.highExcl, got, tt.want)
		}
	}
}

func TestSortOrder(t *testing.T) {
	t.Parallel()
	want := []string{
		"0.9", "1.0-dev", "1.0-alpha", "1.0a1", "1.0-beta", "1.0-beta.2", "1.0-rc1", "1.0",
		"1.0+1", "1.0-p1", "1.0a", "1.0.1", "V1.0.2 build 7", "1.2", "1.10", "2",
	}
	got := slices.Clone(want)
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
	slices.SortStableFunc(got, CompareStrings)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sort order (-want +got):\n%s", diff)
	}
}

// corpus reads testdata/versions.txt: real version strings from the NVD,
// CVE 5 and CSAF files of the shared corpus.
func corpus(tb testing.TB) []string {
	tb.Helper()
	f, err := os.Open("testdata/versions.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimRight(sc.Text(), "\r"); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(out) < 20 {
		tb.Fatalf("only %d versions in testdata/versions.txt", len(out))
	}
	return out
}

// randomVersion builds version-like strings from the pieces firmware
// vendors use.
func randomVersion(r *rand.Rand, pool []string) string {
	if r.IntN(3) == 0 {
		return pool[r.IntN(len(pool))]
	}
	pieces := []string{"0", "1", "2", "10", "007", ".", ".", "-", "_", " ", "rc", "beta", "a", "k", "sp", "build", "V", "R", "+", "(", ")"}
	var b strings.Builder
	for range 1 + r.IntN(8) {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// TestCompareProperties checks reflexivity, antisymmetry, transitivity and
// agreement of Compare with Canonical on seeded random triples.
func TestCompareProperties(t *testing.T) {
	t.Parallel()
	pool := corpus(t)
	r := rand.New(rand.NewPCG(42, 42))
	n := 200000
	if testing.Short() {
		n = 20000
	}
	for range n {
		a, b, c := Parse(randomVersion(r, pool)), Parse(randomVersion(r, pool)), Parse(randomVersion(r, pool))
		if Compare(a, a) != 0 {
			t.Fatalf("Compare(%q, itself) != 0", a)
		}
		ab, ba := Compare(a, b), Compare(b, a)
		if ab != -ba {
			t.Fatalf("antisymmetry: Compare(%q,%q)=%d, Compare(%q,%q)=%d", a, b, ab, b, a, ba)
		}
		if (ab == 0) != (a.Canonical() == b.Canonical()) {
			t.Fatalf("Compare(%q,%q)=%d but canonical %q vs %q", a, b, ab, a.Canonical(), b.Canonical())
		}
		bc, ac := Compare(b, c), Compare(a, c)
		if ab <= 0 && bc <= 0 && ac > 0 {
			t.Fatalf("transitivity: %q <= %q <= %q but Compare(a,c)=%d", a, b, c, ac)
		}
		if ab >= 0 && bc >= 0 && ac < 0 {
			t.Fatalf("transitivity: %q >= %q >= %q but Compare(a,c)=%d", a, b, c, ac)
		}
	}
}

// TestCorpusSorts sorts every real version string and checks the result is
// a consistent order (each adjacent pair non-decreasing).
func TestCorpusSorts(t *testing.T) {
	t.Parallel()
	vs := corpus(t)
	slices.SortFunc(vs, CompareStrings)
	for i := 1; i < len(vs); i++ {
		if CompareStrings(vs[i-1], vs[i]) > 0 {
			t.Errorf("%q sorted before %q", vs[i-1], vs[i])
		}
	}
}

func FuzzVersionCompare(f *testing.F) {
	for _, v := range corpus(f) {
		f.Add(v, "1.0.2k")
	}
	f.Add("V5.1.2 build 230512", "5.1.2")
	f.Fuzz(func(t *testing.T, a, b string) {
		va, vb := Parse(a), Parse(b)
		if Compare(va, va) != 0 {
			t.Fatalf("Compare(%q, itself) != 0", a)
		}
		if x, y := Compare(va, vb), Compare(vb, va); x != -y {
			t.Fatalf("antisymmetry: %q vs %q: %d, %d", a, b, x, y)
		}
		if (Compare(va, vb) == 0) != (va.Canonical() == vb.Canonical()) {
			t.Fatalf("equality disagrees with canonical: %q %q", va.Canonical(), vb.Canonical())
		}
		_ = InRange(a, b, "", b, "")
	})
}

func BenchmarkCompare(b *testing.B) {
	x, y := Parse("V5.1.2 build 230512"), Parse("5.1.2-rc1")
	b.ReportAllocs()
	for b.Loop() {
		Compare(x, y)
	}
}

func BenchmarkInRange(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		InRange("7.0.14", "7.0.0", "", "", "7.0.15")
	}
}
