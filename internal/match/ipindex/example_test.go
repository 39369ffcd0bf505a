// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package ipindex_test

import (
	"fmt"
	"net/netip"

	"vigil/internal/match/ipindex"
)

func ExampleIndex_LookupASN() {
	ix, err := ipindex.Build([]ipindex.Entry{
		{Prefix: netip.MustParsePrefix("192.0.2.0/24"), OrgID: 1},  // a provider
		{Prefix: netip.MustParsePrefix("192.0.2.64/26"), OrgID: 2}, // its customer
		{Prefix: netip.MustParsePrefix("192.0.2.64/26"), OrgID: 3}, // and a second registrant
		{ASN: 64500, OrgID: 4},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, q := range []struct {
		ip  string
		asn uint32
	}{{"192.0.2.1", 0}, {"192.0.2.70", 64496}, {"203.0.113.9", 64500}, {"203.0.113.9", 0}} {
		m, ok := ix.LookupASN(netip.MustParseAddr(q.ip), q.asn)
		fmt.Println(q.ip, ok, m.Prefix, m.Orgs, m.Tie(), m.ByASN())
	}
	// Output:
	// 192.0.2.1 true 192.0.2.0/24 [1] false false
	// 192.0.2.70 true 192.0.2.64/26 [2 3] true false
	// 203.0.113.9 true invalid Prefix [4] false true
	// 203.0.113.9 false invalid Prefix [] false false
}
