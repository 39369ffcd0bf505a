// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package ipindex maps IP addresses to the organisations that registered
// them: one longest-prefix-match table (github.com/gaissmai/bart) over every
// organisation's IPv4 and IPv6 ranges, with a fallback to organisations
// registered by AS number.
//
// An address inside the ranges of two organisations goes to the most
// specific range (a hosting customer before its provider). Two
// organisations that registered the identical range both get the address,
// and the match is flagged as a tie.
package ipindex

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"

	"github.com/gaissmai/bart"

	"vigil/internal/errs"
)

// Entry is one registration: an IP range of an organisation, or, when
// Prefix is the zero value, an AS number of an organisation.
type Entry struct {
	Prefix netip.Prefix
	ASN    uint32
	OrgID  int64
}

// Match is the result of a lookup.
type Match struct {
	// Prefix is the matched range; zero for a match by AS number.
	Prefix netip.Prefix
	// ASN is the AS number matched by LookupASN's fallback; 0 otherwise.
	ASN uint32
	// Orgs are the matched organisations in ascending order: one, or
	// several for a tie. The slice is shared by all lookups: do not modify.
	Orgs []int64
}

// Tie reports whether several organisations registered the matched range
// (or AS number) identically.
func (m Match) Tie() bool { return len(m.Orgs) > 1 }

// ByASN reports whether the match came from the AS-number fallback.
func (m Match) ByASN() bool { return !m.Prefix.IsValid() && m.ASN != 0 }

// slot is one distinct range and its organisations.
type slot struct {
	prefix netip.Prefix
	orgs   []int64
}

// Index is an immutable snapshot of all registrations. Lookups may run
// concurrently. Build a new Index to change it.
type Index struct {
	table bart.Table[uint32] // prefix → index into slots
	slots []slot
	asn   map[uint32][]int64
}

// Build indexes entries. Ranges are masked and IPv4-mapped IPv6 ranges
// unmapped; duplicate entries are merged. An entry with neither a valid
// prefix nor an AS number is an error (errs.Invalid) naming its position.
func Build(entries []Entry) (*Index, error) {
	type pe struct {
		p   netip.Prefix
		org int64
	}
	var ps []pe
	type ae struct {
		asn uint32
		org int64
	}
	var as []ae
	for i, e := range entries {
		switch {
		case e.Prefix.IsValid():
			ps = append(ps, pe{normalize(e.Prefix), e.OrgID})
		case e.ASN != 0 && e.Prefix == (netip.Prefix{}):
			as = append(as, ae{e.ASN, e.OrgID})
		default:
			return nil, errs.Field(fmt.Sprintf("entries[%d]", i), e.Prefix, "neither a valid prefix nor an AS number")
		}
	}
	slices.SortFunc(ps, func(a, b pe) int {
		if c := comparePrefix(a.p, b.p); c != 0 {
			return c
		}
		return cmp.Compare(a.org, b.org)
	})
	ps = slices.Compact(ps)
	slices.SortFunc(as, func(a, b ae) int {
		if c := cmp.Compare(a.asn, b.asn); c != 0 {
			return c
		}
		return cmp.Compare(a.org, b.org)
	})
	as = slices.Compact(as)

	ix := &Index{asn: make(map[uint32][]int64)}
	orgs := make([]int64, 0, len(ps)+len(as))
	for i := 0; i < len(ps); {
		j := i
		start := len(orgs)
		for j < len(ps) && ps[j].p == ps[i].p {
			orgs = append(orgs, ps[j].org)
			j++
		}
		ix.slots = append(ix.slots, slot{prefix: ps[i].p, orgs: orgs[start:len(orgs):len(orgs)]})
		i = j
	}
	for i := range ix.slots {
		ix.table.Insert(ix.slots[i].prefix, uint32(i))
	}
	for i := 0; i < len(as); {
		j := i
		start := len(orgs)
		for j < len(as) && as[j].asn == as[i].asn {
			orgs = append(orgs, as[j].org)
			j++
		}
		ix.asn[as[i].asn] = orgs[start:len(orgs):len(orgs)]
		i = j
	}
	return ix, nil
}

// normalize masks p and unmaps an IPv4-mapped IPv6 prefix.
func normalize(p netip.Prefix) netip.Prefix {
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked()
}

// comparePrefix orders prefixes by address, then shorter first, so that a
// range comes before the ranges inside it.
func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return cmp.Compare(a.Bits(), b.Bits())
}

// Lookup returns the organisations of the most specific range containing
// addr (IPv4-mapped IPv6 addresses are unmapped first). It does not
// allocate.
func (ix *Index) Lookup(addr netip.Addr) (Match, bool) {
	v, ok := ix.table.Lookup(addr.Unmap())
	if !ok {
		return Match{}, false
	}
	s := &ix.slots[v]
	return Match{Prefix: s.prefix, Orgs: s.orgs}, true
}

// LookupASN is Lookup with a fallback: when no range contains addr, the
// organisations that registered asn (the AS announcing addr, from the feed
// or from an IP-to-AS table) match. It does not allocate.
func (ix *Index) LookupASN(addr netip.Addr, asn uint32) (Match, bool) {
	if m, ok := ix.Lookup(addr); ok {
		return m, true
	}
	if asn == 0 {
		return Match{}, false
	}
	if orgs, ok := ix.asn[asn]; ok {
		return Match{ASN: asn, Orgs: orgs}, true
	}
	return Match{}, false
}

// Len returns the number of distinct ranges and of distinct AS numbers.
func (ix *Index) Len() (ranges, asns int) { return len(ix.slots), len(ix.asn) }

// Overlap is a pair of ranges of two different organisations where one
// contains the other (CIDR ranges are either nested or disjoint). Identical
// ranges are ties.
type Overlap struct {
	Outer     netip.Prefix `json:"outer"`
	OuterOrg  int64        `json:"outer_org"`
	Inner     netip.Prefix `json:"inner"`
	InnerOrg  int64        `json:"inner_org"`
	Identical bool         `json:"identical"`
}

// Overlaps returns every pair of organisations whose ranges overlap,
// ordered by outer range, then inner range, then organisations. A range
// registered by the same organisation twice (or nested in its own range) is
// not reported.
func (ix *Index) Overlaps() []Overlap {
	var out []Overlap
	var stack []*slot // enclosing ranges of the current one
	for i := range ix.slots {
		s := &ix.slots[i]
		for len(stack) > 0 && !stack[len(stack)-1].prefix.Overlaps(s.prefix) {
			stack = stack[:len(stack)-1]
		}
		for _, outer := range stack {
			for _, oo := range outer.orgs {
				for _, io := range s.orgs {
					if oo != io {
						out = append(out, Overlap{Outer: outer.prefix, OuterOrg: oo, Inner: s.prefix, InnerOrg: io})
					}
				}
			}
		}
		for x, a := range s.orgs {
			for _, b := range s.orgs[x+1:] {
				out = append(out, Overlap{Outer: s.prefix, OuterOrg: a, Inner: s.prefix, InnerOrg: b, Identical: true})
			}
		}
		stack = append(stack, s)
	}
	return out
}
