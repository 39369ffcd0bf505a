// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package iprange

import (
	"errors"
	"fmt"
	"net/netip"
	"testing"
)

func TestPrefixes(t *testing.T) {
	for _, c := range []struct{ first, last, want string }{
		{"192.0.2.0", "192.0.2.255", "[192.0.2.0/24]"},
		{"192.0.2.7", "192.0.2.7", "[192.0.2.7/32]"},
		{"192.0.2.1", "192.0.2.6", "[192.0.2.1/32 192.0.2.2/31 192.0.2.4/31 192.0.2.6/32]"},
		{"10.0.0.0", "10.1.255.255", "[10.0.0.0/15]"},
		{"0.0.0.0", "255.255.255.255", "[0.0.0.0/0]"},
		{"2001:db8::", "2001:db8::ffff:ffff:ffff:ffff", "[2001:db8::/64]"},
		{"2001:db8::ff", "2001:db8::100", "[2001:db8::ff/128 2001:db8::100/128]"},
		{"192.0.2.1", "2001:db8::1", ErrMixedFamily.Error()},
		{"::ffff:192.0.2.1", "192.0.2.9", ErrMixedFamily.Error()},
		{"192.0.2.9", "192.0.2.1", ErrReversed.Error()},
		{"fe80::1%eth0", "fe80::9", ErrInvalid.Error()},
	} {
		ps, err := Prefixes(netip.MustParseAddr(c.first), netip.MustParseAddr(c.last))
		got := fmt.Sprint(ps)
		if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("Prefixes(%s, %s) = %s; want %s", c.first, c.last, got, c.want)
		}
	}
}

func TestLast(t *testing.T) {
	for p, want := range map[string]string{
		"192.0.2.0/24": "192.0.2.255", "192.0.2.9/32": "192.0.2.9", "0.0.0.0/0": "255.255.255.255",
		"10.0.0.0/13": "10.7.255.255", "2001:db8::/33": "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff",
	} {
		if got := Last(netip.MustParsePrefix(p)).String(); got != want {
			t.Errorf("Last(%s) = %s; want %s", p, got, want)
		}
	}
}

// FuzzPrefixes checks that the prefixes tile [first, last] exactly: in
// order, each starting where the previous ended, the last ending at last.
func FuzzPrefixes(f *testing.F) {
	f.Add([]byte{192, 0, 2, 1}, []byte{192, 0, 2, 6})
	f.Add([]byte{0, 0, 0, 0}, []byte{255, 255, 255, 255})
	f.Add([]byte{0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff}, []byte{0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0})
	// Two families: the function refuses them itself (it used to run
	// until memory ran out).
	f.Add([]byte{192, 0, 2, 1}, []byte{0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Add([]byte{0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, []byte{192, 0, 2, 1})
	f.Add([]byte{192, 0, 2, 9}, []byte{192, 0, 2, 1})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		first, ok1 := netip.AddrFromSlice(a)
		last, ok2 := netip.AddrFromSlice(b)
		if !ok1 || !ok2 {
			return
		}
		ps, err := Prefixes(first, last)
		switch {
		case first.BitLen() != last.BitLen():
			if !errors.Is(err, ErrMixedFamily) || ps != nil {
				t.Fatalf("Prefixes(%s, %s) = %v, %v; want ErrMixedFamily", first, last, ps, err)
			}
			return
		case last.Less(first):
			if !errors.Is(err, ErrReversed) || ps != nil {
				t.Fatalf("Prefixes(%s, %s) = %v, %v; want ErrReversed", first, last, ps, err)
			}
			return
		case err != nil:
			t.Fatalf("Prefixes(%s, %s): %v", first, last, err)
		}
		if len(ps) == 0 || len(ps) > 2*first.BitLen() {
			t.Fatalf("Prefixes(%s, %s): %d prefixes", first, last, len(ps))
		}
		next := first
		for i, p := range ps {
			if p.Addr() != next || p.Masked() != p {
				t.Fatalf("Prefixes(%s, %s)[%d] = %s; want a prefix starting at %s", first, last, i, p, next)
			}
			next = Last(p).Next()
		}
		if Last(ps[len(ps)-1]) != last {
			t.Fatalf("Prefixes(%s, %s) ends at %s", first, last, Last(ps[len(ps)-1]))
		}
	})
}
