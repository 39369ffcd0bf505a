// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package ipindex_test

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"vigil/internal/match/ipindex"
)

// benchIndex builds 100,000 ranges of 20,000 organisations, shaped like
// bench/feed/gen's registry, and 64 Ki addresses of which about 60 % hit.
func benchIndex(b *testing.B) (*ipindex.Index, []netip.Addr) {
	r := rand.New(rand.NewPCG(42, 42))
	const n, orgs = 100_000, 20_000
	entries := make([]ipindex.Entry, 0, n)
	next := uint32(11) << 24
	for i := range n {
		if i%10 == 0 {
			a := netip.AddrFrom16([16]byte{0x2a, 0x02, byte(i >> 16), byte(i >> 8), byte(i)})
			entries = append(entries, ipindex.Entry{Prefix: netip.PrefixFrom(a, 48), OrgID: int64(i % orgs)})
			continue
		}
		bits := 20 + r.IntN(10)
		size := uint32(1) << (32 - bits)
		next = (next+size-1)&^(size-1) + size*uint32(r.IntN(3))
		a := netip.AddrFrom4([4]byte{byte(next >> 24), byte(next >> 16), byte(next >> 8), byte(next)})
		entries = append(entries, ipindex.Entry{Prefix: netip.PrefixFrom(a, bits), OrgID: int64(i % orgs)})
		next += size
	}
	ix, err := ipindex.Build(entries)
	if err != nil {
		b.Fatal(err)
	}
	addrs := make([]netip.Addr, 1<<16)
	for i := range addrs {
		if r.IntN(10) < 6 {
			p := entries[r.IntN(len(entries))].Prefix
			addrs[i] = p.Addr() // the first address is inside
			continue
		}
		addrs[i] = netip.AddrFrom4([4]byte{byte(101 + r.IntN(100)), byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))})
	}
	return ix, addrs
}

func BenchmarkLookup(b *testing.B) {
	ix, addrs := benchIndex(b)
	b.ReportAllocs()
	i, hits := 0, 0
	for b.Loop() {
		if _, ok := ix.LookupASN(addrs[i&(len(addrs)-1)], 64500); ok {
			hits++
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

func BenchmarkLookupParallel(b *testing.B) {
	ix, addrs := benchIndex(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			ix.Lookup(addrs[i&(len(addrs)-1)])
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}

func BenchmarkBuild(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	entries := make([]ipindex.Entry, 100_000)
	for i := range entries {
		a := netip.AddrFrom4([4]byte{byte(11 + r.IntN(200)), byte(r.IntN(256)), byte(r.IntN(256)), 0})
		entries[i] = ipindex.Entry{Prefix: netip.PrefixFrom(a, 24), OrgID: int64(i % 20000)}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ipindex.Build(entries); err != nil {
			b.Fatal(err)
		}
	}
}
