// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package asn_test

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/asn"
	"vigil/internal/errs"
)

func load(t testing.TB, file string) (*asn.Table, []errs.RowError) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tb, bad, err := asn.Load(context.Background(), f, file)
	if err != nil {
		t.Fatal(err)
	}
	return tb, bad
}

func TestPfx2as(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"routeviews-sample.pfx2as", "routeviews-sample.pfx2as.gz"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			tb, bad := load(t, file)
			tests := []struct {
				addr    string
				origins []uint32
				prefix  string
			}{
				{"1.0.0.1", []uint32{13335}, "1.0.0.0/24"},
				{"1.0.7.255", []uint32{38803}, "1.0.4.0/22"},
				{"192.0.2.10", []uint32{64496}, "192.0.2.0/24"},
				{"192.0.2.200", []uint32{64497}, "192.0.2.128/25"},
				{"::ffff:192.0.2.200", []uint32{64497}, "192.0.2.128/25"},
				{"198.51.100.7", []uint32{64498, 64499}, "198.51.100.0/24"},
				{"203.0.113.1", []uint32{64500, 64501}, "203.0.113.0/24"},
				{"203.0.113.130", []uint32{64502, 64503, 64504}, "203.0.113.128/26"},
				{"2001:db8:1::5", []uint32{64496}, "2001:db8:1::/48"},
				{"2001:db8:3::5", []uint32{64500}, "2001:db8::/32"},
				{"8.8.8.8", nil, ""},
				{"2001:db9::1", nil, ""},
			}
			for _, tt := range tests {
				a := netip.MustParseAddr(tt.addr)
				o, p, ok := tb.Origins(a)
				if ok != (tt.origins != nil) || !slices.Equal(o, tt.origins) || (ok && p.String() != tt.prefix) {
					t.Errorf("Origins(%s) = %v %v %v; want %v %s", tt.addr, o, p, ok, tt.origins, tt.prefix)
				}
				n, p2, ok := tb.Lookup(a)
				if ok && (n != tt.origins[0] || p2 != p) {
					t.Errorf("Lookup(%s) = %d %v", tt.addr, n, p2)
				}
			}
			want := []errs.RowError{
				{File: file, Line: 12, Field: "length", Reason: `"33" is not a prefix length for 192.0.2.0`, Raw: "192.0.2.0\t33\t64496"},
				{File: file, Line: 13, Field: "prefix", Reason: "192.0.2.1/24 has host bits set", Raw: "192.0.2.1\t24\t64496"},
				{File: file, Line: 14, Field: "prefix", Reason: `"198.51.100" is not an IP address`, Raw: "198.51.100\t24\t64498"},
				{File: file, Line: 15, Field: "asn", Reason: `"AS-EXAMPLE" is not an AS number`, Raw: "203.0.113.0\t24\tAS-EXAMPLE"},
				{File: file, Line: 16, Field: "asn", Reason: `"0" is not an AS number`, Raw: "203.0.113.0\t24\t0"},
			}
			if diff := cmp.Diff(want, bad); diff != "" {
				t.Errorf("row errors (-want +got):\n%s", diff)
			}
			if st := tb.Stats(); st != (asn.Stats{Lines: 16, Prefixes: 11, Bad: 5}) {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestIP2ASN(t *testing.T) {
	t.Parallel()
	tb, bad := load(t, "ip2asn-sample.tsv")
	tests := []struct {
		addr   string
		asn    uint32
		prefix string
	}{
		{"1.0.0.9", 13335, "1.0.0.0/24"},
		{"1.0.2.1", 0, ""}, // not routed
		{"1.0.5.1", 38803, "1.0.4.0/22"},
		{"192.0.2.127", 64496, "192.0.2.0/25"},
		{"198.51.100.99", 64498, "198.51.100.96/30"},
		{"198.51.100.100", 64499, "198.51.100.100/30"},
		{"203.0.113.255", 64500, "203.0.113.0/24"},
		{"2001:db8:0:1::1", 64500, "2001:db8::/48"},
		{"2001:db8:1:2::1", 64496, "2001:db8:1::/48"},
	}
	for _, tt := range tests {
		n, p, ok := tb.Lookup(netip.MustParseAddr(tt.addr))
		if ok != (tt.asn != 0) || n != tt.asn || (ok && p.String() != tt.prefix) {
			t.Errorf("Lookup(%s) = %d %v %v; want %d %s", tt.addr, n, p, ok, tt.asn, tt.prefix)
		}
	}
	var lines []int
	for _, b := range bad {
		lines = append(lines, b.Line)
	}
	if !slices.Equal(lines, []int{11, 12, 13}) || bad[0].Field != "range_end" || bad[2].Field != "range_start" {
		t.Errorf("row errors %+v", bad)
	}
	if st := tb.Stats(); st.Lines != 13 || st.Bad != 3 || st.Unrouted != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestRangeSplitOracle(t *testing.T) {
	t.Parallel()
	// Every address of a range and its neighbours: inside exactly when
	// the table says so.
	in := "10.0.0.3\t10.0.1.17\t64496\tNL\tX\n"
	tb, bad, err := asn.Load(context.Background(), strings.NewReader(in), "r")
	if err != nil || len(bad) != 0 {
		t.Fatal(err, bad)
	}
	first, last := netip.MustParseAddr("10.0.0.3"), netip.MustParseAddr("10.0.1.17")
	for a := first.Prev(); a.Compare(last.Next()) <= 0; a = a.Next() {
		_, _, ok := tb.Lookup(a)
		want := a.Compare(first) >= 0 && a.Compare(last) <= 0
		if ok != want {
			t.Fatalf("Lookup(%s) = %v; want %v", a, ok, want)
		}
	}
}

func TestLookupAllocs(t *testing.T) {
	tb, _ := load(t, "routeviews-sample.pfx2as")
	a, b := netip.MustParseAddr("198.51.100.7"), netip.MustParseAddr("2001:db8:1::5")
	if n := testing.AllocsPerRun(100, func() { tb.Lookup(a); tb.Lookup(b) }); n != 0 {
		t.Errorf("Lookup allocates %v times", n)
	}
}

func BenchmarkLookup(b *testing.B) {
	var buf bytes.Buffer
	for i := range 100_000 {
		fmt.Fprintf(&buf, "%d.%d.%d.0\t24\t%d\n", 11+i>>16, (i>>8)&255, i&255, 64496+i%1000)
	}
	tb, _, err := asn.Load(context.Background(), &buf, "bench")
	if err != nil {
		b.Fatal(err)
	}
	addrs := make([]netip.Addr, 4096)
	for i := range addrs {
		addrs[i] = netip.AddrFrom4([4]byte{11, byte(i * 7), byte(i * 13), byte(i)})
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		tb.Lookup(addrs[i&4095])
		i++
	}
}

func FuzzASN(f *testing.F) {
	for _, file := range []string{"routeviews-sample.pfx2as", "ip2asn-sample.tsv"} {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, bad, err := asn.Load(context.Background(), bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		st := tb.Stats()
		if st.Bad != len(bad) && len(bad) != asn.MaxRowErrors {
			t.Fatalf("stats %+v, %d row errors", st, len(bad))
		}
		for _, re := range bad {
			if re.Line < 1 || re.Reason == "" {
				t.Fatalf("row error %+v", re)
			}
		}
		// Every prefix named on a good pfx2as line must be found.
		for _, line := range strings.Split(string(data), "\n") {
			f := strings.Split(strings.TrimSpace(line), "\t")
			if len(f) != 3 {
				continue
			}
			a, err := netip.ParseAddr(f[0])
			if err != nil || a.Zone() != "" {
				continue // not a good line: a zoned address is refused as no IP address
			}
			if _, _, ok := tb.Lookup(a); !ok && strings.Trim(f[2], "0123456789_,") == "" && f[2] != "0" && !strings.Contains(string(bad2str(bad)), f[0]) {
				t.Fatalf("%q loaded but %s not found", line, a)
			}
		}
	})
}

func bad2str(bad []errs.RowError) string {
	var b strings.Builder
	for _, r := range bad {
		b.WriteString(r.Raw)
		b.WriteByte('\n')
	}
	return b.String()
}
