// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package feed

import (
	"errors"
	"net/netip"
	"strings"
)

// parseRange parses "first-last" (spaces around the dash allowed) into the
// smallest list of CIDR prefixes covering exactly that range.
func parseRange(s string) ([]netip.Prefix, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return nil, errors.New("not an address range")
	}
	first, err1 := netip.ParseAddr(strings.TrimSpace(a))
	last, err2 := netip.ParseAddr(strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return nil, errors.New("not an address range")
	}
	first, last = first.Unmap(), last.Unmap()
	if first.Is4() != last.Is4() || first.Zone() != "" || last.Zone() != "" {
		return nil, errors.New("range mixes address families")
	}
	if last.Less(first) {
		return nil, errors.New("range ends before it starts")
	}
	return rangePrefixes(first, last), nil
}

// rangePrefixes splits [first, last] into CIDR prefixes: at each step the
// largest prefix that starts at first and does not pass last.
func rangePrefixes(first, last netip.Addr) []netip.Prefix {
	var out []netip.Prefix
	for {
		bits := first.BitLen()
		for bits > 0 {
			p := netip.PrefixFrom(first, bits-1).Masked()
			if p.Addr() != first || lastAddr(p).Compare(last) > 0 {
				break
			}
			bits--
		}
		p := netip.PrefixFrom(first, bits)
		out = append(out, p)
		end := lastAddr(p)
		if end.Compare(last) >= 0 {
			return out
		}
		first = end.Next()
	}
}

// lastAddr returns the last address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Addr().AsSlice()
	bits := p.Bits()
	for i := range a {
		switch {
		case bits >= 8:
			bits -= 8
		case bits > 0:
			a[i] |= 0xff >> bits
			bits = 0
		default:
			a[i] = 0xff
		}
	}
	out, _ := netip.AddrFromSlice(a)
	return out
}
