// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package feed

import (
	"errors"
	"net/netip"
	"strings"

	"vigil/internal/iprange"
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
	return iprange.Prefixes(first, last)
}
