// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package iprange converts address ranges ("first-last", as feeds and
// IP-to-AS tables give them) into the CIDR prefixes that cover them.
package iprange

import (
	"errors"
	"net/netip"
)

// The ranges Prefixes refuses.
var (
	ErrInvalid     = errors.New("not an address range: an address is invalid or zoned")
	ErrMixedFamily = errors.New("not an address range: it mixes IPv4 and IPv6")
	ErrReversed    = errors.New("not an address range: it ends before it starts")
)

// Prefixes splits [first, last] into the fewest CIDR prefixes covering
// exactly that range: at each step the largest prefix that starts at first
// and does not pass last. first and last must be valid, unzoned, of one
// family (an IPv4-mapped IPv6 address is IPv6 here: unmap both first) and
// first not after last; otherwise Prefixes returns ErrInvalid,
// ErrMixedFamily or ErrReversed and no prefixes. At most 2×128 prefixes
// come back.
func Prefixes(first, last netip.Addr) ([]netip.Prefix, error) {
	switch {
	case !first.IsValid() || !last.IsValid() || first.Zone() != "" || last.Zone() != "":
		return nil, ErrInvalid
	case first.BitLen() != last.BitLen():
		return nil, ErrMixedFamily
	case last.Less(first):
		return nil, ErrReversed
	}
	var out []netip.Prefix
	for {
		bits := first.BitLen()
		for bits > 0 {
			p := netip.PrefixFrom(first, bits-1).Masked()
			if p.Addr() != first || Last(p).Compare(last) > 0 {
				break
			}
			bits--
		}
		p := netip.PrefixFrom(first, bits)
		out = append(out, p)
		end := Last(p)
		if end.Compare(last) >= 0 {
			return out, nil
		}
		first = end.Next()
	}
}

// Last returns the last address of p.
func Last(p netip.Prefix) netip.Addr {
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
