// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package ipindex_test

import (
	"errors"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/errs"
	"vigil/internal/match/ipindex"
)

func mp(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func ma(s string) netip.Addr   { return netip.MustParseAddr(s) }

// corpusEntries are the ranges of the Shadowserver test corpus
// (internal/feed/testdata/shadowserver/FORMATS.md): five organisations by
// prefix, plus a customer inside the ISP's range, a tie, and one
// organisation registered by AS number only.
func corpusEntries() []ipindex.Entry {
	return []ipindex.Entry{
		{Prefix: mp("192.0.2.0/25"), OrgID: 1},      // ISP, AS64496
		{Prefix: mp("192.0.2.128/25"), OrgID: 2},    // government, AS64497
		{Prefix: mp("198.51.100.0/25"), OrgID: 3},   // healthcare, AS64498
		{Prefix: mp("198.51.100.128/25"), OrgID: 4}, // manufacturing, AS64499
		{Prefix: mp("2001:db8:1::/48"), OrgID: 1},
		{Prefix: mp("2001:db8:2::/48"), OrgID: 3},
		{Prefix: mp("192.0.2.64/28"), OrgID: 6},     // a customer of the ISP
		{Prefix: mp("198.51.100.128/25"), OrgID: 7}, // a second registrant: tie
		{Prefix: mp("::ffff:198.51.100.0/121"), OrgID: 3},
		{ASN: 64500, OrgID: 5},                 // BE org, by AS number only
		{Prefix: mp("192.0.2.0/25"), OrgID: 1}, // duplicate
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	ix, err := ipindex.Build(corpusEntries())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		addr string
		asn  uint32
		want ipindex.Match
		ok   bool
	}{
		{"isp", "192.0.2.10", 0, ipindex.Match{Prefix: mp("192.0.2.0/25"), Orgs: []int64{1}}, true},
		{"customer_inside_isp", "192.0.2.70", 64496, ipindex.Match{Prefix: mp("192.0.2.64/28"), Orgs: []int64{6}}, true},
		{"government", "192.0.2.231", 0, ipindex.Match{Prefix: mp("192.0.2.128/25"), Orgs: []int64{2}}, true},
		{"tie", "198.51.100.222", 0, ipindex.Match{Prefix: mp("198.51.100.128/25"), Orgs: []int64{4, 7}}, true},
		{"mapped_prefix_merged", "198.51.100.126", 0, ipindex.Match{Prefix: mp("198.51.100.0/25"), Orgs: []int64{3}}, true},
		{"mapped_address", "::ffff:192.0.2.10", 0, ipindex.Match{Prefix: mp("192.0.2.0/25"), Orgs: []int64{1}}, true},
		{"ipv6", "2001:db8:2:1::8", 0, ipindex.Match{Prefix: mp("2001:db8:2::/48"), Orgs: []int64{3}}, true},
		{"ipv6_unregistered", "2001:db8:3::1", 0, ipindex.Match{}, false},
		{"asn_fallback", "203.0.113.99", 64500, ipindex.Match{ASN: 64500, Orgs: []int64{5}}, true},
		{"asn_unknown", "203.0.113.99", 64511, ipindex.Match{}, false},
		{"prefix_beats_asn", "192.0.2.10", 64500, ipindex.Match{Prefix: mp("192.0.2.0/25"), Orgs: []int64{1}}, true},
		{"invalid_addr", "", 0, ipindex.Match{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var a netip.Addr
			if tt.addr != "" {
				a = ma(tt.addr)
			}
			got, ok := ix.LookupASN(a, tt.asn)
			if ok != tt.ok {
				t.Fatalf("LookupASN(%s, %d) ok = %v; want %v", tt.addr, tt.asn, ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
				t.Errorf("LookupASN(%s, %d) (-want +got):\n%s", tt.addr, tt.asn, diff)
			}
			if got.Tie() != (len(tt.want.Orgs) > 1) {
				t.Errorf("Tie() = %v", got.Tie())
			}
			if tt.ok && got.ByASN() != (tt.want.ASN != 0) {
				t.Errorf("ByASN() = %v", got.ByASN())
			}
		})
	}
	if r, a := ix.Len(); r != 7 || a != 1 {
		t.Errorf("Len() = %d ranges, %d asns; want 7, 1", r, a)
	}
}

func TestOverlaps(t *testing.T) {
	t.Parallel()
	ix, err := ipindex.Build(append(corpusEntries(), ipindex.Entry{Prefix: mp("192.0.2.64/26"), OrgID: 1}))
	if err != nil {
		t.Fatal(err)
	}
	want := []ipindex.Overlap{
		{Outer: mp("192.0.2.0/25"), OuterOrg: 1, Inner: mp("192.0.2.64/28"), InnerOrg: 6},
		{Outer: mp("192.0.2.64/26"), OuterOrg: 1, Inner: mp("192.0.2.64/28"), InnerOrg: 6},
		{Outer: mp("198.51.100.128/25"), OuterOrg: 4, Inner: mp("198.51.100.128/25"), InnerOrg: 7, Identical: true},
	}
	if diff := cmp.Diff(want, ix.Overlaps(), cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("Overlaps() (-want +got):\n%s", diff)
	}
}

func TestBuildRejectsEmptyEntry(t *testing.T) {
	t.Parallel()
	for _, e := range []ipindex.Entry{{OrgID: 1}, {Prefix: netip.PrefixFrom(ma("192.0.2.1"), 40), OrgID: 1}} {
		_, err := ipindex.Build([]ipindex.Entry{{Prefix: mp("192.0.2.0/24"), OrgID: 1}, e})
		if !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("Build(%+v) error = %v; want invalid", e, err)
		}
	}
}

// naive is the oracle: a slice scanned in full for every lookup.
type naive []ipindex.Entry

func (n naive) lookup(a netip.Addr) (netip.Prefix, []int64) {
	a = a.Unmap()
	best := -1
	var p netip.Prefix
	for _, e := range n {
		if e.Prefix.Contains(a) && e.Prefix.Bits() > best {
			best, p = e.Prefix.Bits(), e.Prefix
		}
	}
	if best < 0 {
		return netip.Prefix{}, nil
	}
	var orgs []int64
	for _, e := range n {
		if e.Prefix == p && !slices.Contains(orgs, e.OrgID) {
			orgs = append(orgs, e.OrgID)
		}
	}
	slices.Sort(orgs)
	return p, orgs
}

// The random prefixes and addresses live in 10.0.0.0/8 and 2001:db8::/32,
// small spaces, so that ranges nest and lookups hit.
func randomPrefix(r *rand.Rand) netip.Prefix {
	if r.IntN(4) == 0 {
		b := [16]byte{0x20, 0x01, 0x0d, 0xb8, byte(r.IntN(16)), byte(r.IntN(4)), byte(r.IntN(4)), byte(r.IntN(4))}
		return netip.PrefixFrom(netip.AddrFrom16(b), 40+r.IntN(25)).Masked()
	}
	a := netip.AddrFrom4([4]byte{10, byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))})
	return netip.PrefixFrom(a, 16+r.IntN(17)).Masked()
}

func randomAddr(r *rand.Rand) netip.Addr {
	if r.IntN(4) == 0 {
		b := [16]byte{0x20, 0x01, 0x0d, 0xb8, byte(r.IntN(16)), byte(r.IntN(4)), byte(r.IntN(4)), byte(r.IntN(4))}
		for i := 8; i < 16; i++ {
			b[i] = byte(r.IntN(256))
		}
		return netip.AddrFrom16(b)
	}
	a := netip.AddrFrom4([4]byte{10, byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))})
	if r.IntN(10) == 0 {
		return netip.AddrFrom16(a.As16()) // 4in6
	}
	return a
}

func TestLookupOracle(t *testing.T) {
	t.Parallel()
	nEntries, nLookups := 5000, 20000
	if testing.Short() {
		nEntries, nLookups = 500, 2000
	}
	r := rand.New(rand.NewPCG(42, 42))
	entries := make(naive, nEntries)
	for i := range entries {
		if i > 0 && r.IntN(50) == 0 {
			entries[i] = ipindex.Entry{Prefix: entries[r.IntN(i)].Prefix, OrgID: int64(r.IntN(nEntries / 4))} // a tie
			continue
		}
		entries[i] = ipindex.Entry{Prefix: randomPrefix(r), OrgID: int64(r.IntN(nEntries / 4))}
	}
	ix, err := ipindex.Build(entries)
	if err != nil {
		t.Fatal(err)
	}
	matched, ties := 0, 0
	for range nLookups {
		a := randomAddr(r)
		wantP, wantOrgs := entries.lookup(a)
		got, ok := ix.Lookup(a)
		if ok != (wantOrgs != nil) {
			t.Fatalf("Lookup(%s) ok = %v; oracle %v %v", a, ok, wantP, wantOrgs)
		}
		if !ok {
			continue
		}
		matched++
		if got.Tie() {
			ties++
		}
		if got.Prefix != wantP || !slices.Equal(got.Orgs, wantOrgs) {
			t.Fatalf("Lookup(%s) = %v %v; oracle %v %v", a, got.Prefix, got.Orgs, wantP, wantOrgs)
		}
	}
	if matched < nLookups/4 || ties == 0 {
		t.Errorf("weak workload: %d of %d matched, %d ties", matched, nLookups, ties)
	}

	// Overlaps against the oracle: every pair of distinct-org entries where
	// one prefix contains the other.
	type key struct {
		outer, inner netip.Prefix
		oo, io       int64
	}
	want := map[key]bool{}
	for _, a := range entries {
		for _, b := range entries {
			if a.OrgID == b.OrgID || a.Prefix.Bits() > b.Prefix.Bits() || !a.Prefix.Overlaps(b.Prefix) {
				continue
			}
			if a.Prefix == b.Prefix && a.OrgID > b.OrgID {
				continue
			}
			want[key{a.Prefix, b.Prefix, a.OrgID, b.OrgID}] = true
		}
	}
	got := map[key]bool{}
	for _, o := range ix.Overlaps() {
		k := key{o.Outer, o.Inner, o.OuterOrg, o.InnerOrg}
		if got[k] {
			t.Errorf("overlap %+v reported twice", o)
		}
		got[k] = true
		if o.Identical != (o.Outer == o.Inner) {
			t.Errorf("overlap %+v: Identical wrong", o)
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("Overlaps() misses %+v", k)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("Overlaps() reports %+v, which the oracle does not", k)
		}
	}
	if len(want) == 0 {
		t.Error("weak workload: no overlaps")
	}
	t.Logf("%d entries, %d lookups (%d matched, %d ties), %d overlaps", len(entries), nLookups, matched, ties, len(want))
}

func TestLookupDoesNotAllocate(t *testing.T) {
	ix, err := ipindex.Build(corpusEntries())
	if err != nil {
		t.Fatal(err)
	}
	addrs := []netip.Addr{ma("192.0.2.70"), ma("2001:db8:2::1"), ma("203.0.113.1"), ma("::ffff:198.51.100.222")}
	allocs := testing.AllocsPerRun(100, func() {
		for _, a := range addrs {
			ix.LookupASN(a, 64500)
		}
	})
	if allocs != 0 {
		t.Errorf("LookupASN allocates %v times per run; want 0", allocs)
	}
}
