// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package registry

import (
	"cmp"
	"net/netip"
	"slices"
)

// Overlap is a pair of IP ranges of two different organisations where one
// contains the other (CIDR ranges never overlap partially). Overlaps are
// allowed — a hosting provider and its customer may both register a range —
// but analysts want to see them, because a finding in the inner range goes
// to the most specific registrant.
type Overlap struct {
	Outer     Asset `json:"outer"`
	Inner     Asset `json:"inner"`
	Identical bool  `json:"identical"`
}

// Overlaps returns every pair of CIDR assets of different organisations where
// one range contains the other, sorted by outer then inner range. Assets of
// other kinds and unparsable values are ignored.
//
// CIDR prefixes are either disjoint or nested, so one sort and a stack of
// enclosing ranges find all pairs in O(n log n + pairs).
func Overlaps(assets []Asset) []Overlap {
	type item struct {
		p netip.Prefix
		a Asset
	}
	items := make([]item, 0, len(assets))
	for _, a := range assets {
		if a.Kind != KindCIDR {
			continue
		}
		p, err := netip.ParsePrefix(a.Value)
		if err != nil {
			continue
		}
		items = append(items, item{p.Masked(), a})
	}
	slices.SortFunc(items, func(x, y item) int {
		if c := x.p.Addr().Compare(y.p.Addr()); c != 0 {
			return c
		}
		if c := cmp.Compare(x.p.Bits(), y.p.Bits()); c != 0 {
			return c
		}
		return cmp.Compare(x.a.OrgID, y.a.OrgID)
	})
	var out []Overlap
	var stack []item
	for _, it := range items {
		for len(stack) > 0 && !stack[len(stack)-1].p.Overlaps(it.p) {
			stack = stack[:len(stack)-1]
		}
		for _, outer := range stack {
			if outer.a.OrgID != it.a.OrgID {
				out = append(out, Overlap{Outer: outer.a, Inner: it.a, Identical: outer.p == it.p})
			}
		}
		stack = append(stack, it)
	}
	return out
}
