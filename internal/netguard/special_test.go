// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package netguard

import (
	"net/netip"
	"testing"
)

// TestSpecialRanges judges one address in each row of the special-purpose
// table (and fails when a row has no case), then addresses that carry an
// IPv4 address, which are judged by the IPv4 address they carry.
func TestSpecialRanges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr string
		row  string // the registry name of the most specific row
		want bool
	}{
		// IPv4, one per row.
		{"8.8.8.8", "IPv4 unicast", true},
		{"193.0.6.139", "IPv4 unicast", true},
		{"0.1.2.3", "\"This network\"", false},
		{"0.0.0.0", "\"This host on this network\"", false},
		{"10.1.2.3", "Private-Use", false},
		{"100.64.0.1", "Shared Address Space", false},
		{"100.127.255.254", "Shared Address Space", false},
		{"127.0.0.1", "Loopback", false},
		{"127.255.255.254", "Loopback", false},
		{"169.254.169.254", "Link Local", false},
		{"172.16.0.1", "Private-Use", false},
		{"172.31.255.255", "Private-Use", false},
		{"192.0.0.100", "IETF Protocol Assignments", false},
		{"192.0.0.1", "IPv4 Service Continuity Prefix", false},
		{"192.0.0.8", "IPv4 dummy address", false},
		{"192.0.0.9", "Port Control Protocol Anycast", true},
		{"192.0.0.10", "Traversal Using Relays around NAT Anycast", true},
		{"192.0.0.171", "NAT64/DNS64 Discovery", false},
		{"192.0.2.1", "Documentation (TEST-NET-1)", false},
		{"192.31.196.1", "AS112-v4", true},
		{"192.52.193.1", "AMT", true},
		{"192.88.99.1", "Deprecated (6to4 Relay Anycast)", false},
		{"192.168.1.1", "Private-Use", false},
		{"192.175.48.1", "Direct Delegation AS112 Service", true},
		{"198.19.255.1", "Benchmarking", false},
		{"198.51.100.7", "Documentation (TEST-NET-2)", false},
		{"203.0.113.9", "Documentation (TEST-NET-3)", false},
		{"224.0.0.1", "Multicast (iana-multicast-addresses)", false},
		{"239.255.255.250", "Multicast (iana-multicast-addresses)", false},
		{"240.0.0.1", "Reserved", false},
		{"255.255.255.255", "Limited Broadcast", false},
		// Edges of private blocks: the neighbours are public.
		{"172.32.0.1", "IPv4 unicast", true},
		{"100.128.0.1", "IPv4 unicast", true},
		{"11.0.0.1", "IPv4 unicast", true},

		// IPv6, one per row.
		{"2001:67c:2e8:22::c100:68b", "Global Unicast (iana-ipv6-address-space)", true},
		{"2a00:1450:4001:80b::200e", "Global Unicast (iana-ipv6-address-space)", true},
		{"4000::1", "Reserved or not global unicast (iana-ipv6-address-space)", false},
		{"::2", "Reserved or not global unicast (iana-ipv6-address-space)", false},
		{"::7f00:1", "Reserved or not global unicast (iana-ipv6-address-space)", false}, // IPv4-compatible (deprecated)
		{"fec0::1", "Reserved or not global unicast (iana-ipv6-address-space)", false},  // site-local (deprecated)
		{"::1", "Loopback Address", false},
		{"::", "Unspecified Address", false},
		{"100::1", "Discard-Only Address Block", false},
		{"100:0:0:1::1", "Dummy IPv6 Prefix", false},
		{"2001:4::1", "IETF Protocol Assignments", false},
		{"2001:1::1", "Port Control Protocol Anycast", true},
		{"2001:1::2", "Traversal Using Relays around NAT Anycast", true},
		{"2001:1::3", "DNS-SD Service Registration Protocol Anycast", true},
		{"2001:2::1", "Benchmarking", false},
		{"2001:3::1", "AMT", true},
		{"2001:4:112::1", "AS112-v6", true},
		{"2001:10::1", "Deprecated (previously ORCHID)", false},
		{"2001:20::1", "ORCHIDv2", true},
		{"2001:30::1", "Drone Remote ID Protocol Entity Tags (DETs) Prefix", true},
		{"2001:db8::1", "Documentation", false},
		{"3fff::1", "Documentation", false},
		{"2620:4f:8000::1", "Direct Delegation AS112 Service", true},
		{"5f00::1", "Segment Routing (SRv6) SIDs", false},
		{"fc00::1", "Unique-Local", false},
		{"fd12:3456::1", "Unique-Local", false},
		{"fe80::1", "Link-Local Unicast", false},
		{"fe80::1%eth0", "Link-Local Unicast", false},
		{"ff02::1", "Multicast (iana-ipv6-multicast-addresses)", false},

		// IPv4 carried in IPv6: judged by the IPv4 address.
		{"::ffff:127.0.0.1", "IPv4-mapped Address", false},
		{"::ffff:10.0.0.1", "IPv4-mapped Address", false},
		{"::ffff:8.8.8.8", "IPv4-mapped Address", true},
		{"64:ff9b::7f00:1", "IPv4-IPv6 Translat.", false}, // 127.0.0.1 through NAT64
		{"64:ff9b::a9fe:a9fe", "IPv4-IPv6 Translat.", false},
		{"64:ff9b::c0a8:101", "IPv4-IPv6 Translat.", false},
		{"64:ff9b::808:808", "IPv4-IPv6 Translat.", true}, // 8.8.8.8 from an IPv6-only host
		{"64:ff9b:1::7f00:1", "IPv4-IPv6 Translat.", false},
		{"64:ff9b:1::808:808", "IPv4-IPv6 Translat.", true},
		{"64:ff9b:1:7f00:1::", "IPv4-IPv6 Translat.", false},      // /48 reading: 127.0.0.1
		{"64:ff9b:1:7f:0:1::", "IPv4-IPv6 Translat.", false},      // /56 reading: 127.0.0.1
		{"64:ff9b:1:0:7f:0:100:0", "IPv4-IPv6 Translat.", false},  // /64 reading: 127.0.0.1
		{"64:ff9b:1:0:8:808:800:0", "IPv4-IPv6 Translat.", true},  // /64 reading 8.8.8.8, /96 reading 8.0.0.0
		{"64:ff9b:1:0:8:808:a00:0", "IPv4-IPv6 Translat.", false}, // /64 reading 8.8.8.10, /96 reading 10.0.0.0
		{"64:ff9b:1:808:8:800::", "IPv4-IPv6 Translat.", false},   // /96 reading 0.0.0.0
		{"2002:7f00:1::1", "6to4", false},
		{"2002:a00:1::", "6to4", false},
		{"2002:808:808::1", "6to4", true},
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", "TEREDO", false}, // RFC 4380 example: server 65.54.227.120, client 192.0.2.45 (TEST-NET-1)
		{"2001:0:808:808::80ff:fffe", "TEREDO", false},            // client 127.0.0.1
		{"2001:0:7f00:1::f7f7:f7f7", "TEREDO", false},             // server 127.0.0.1
		{"2001:0:808:808::f7f7:f7f7", "TEREDO", true},             // server 8.8.8.8, client 8.8.8.8
	}
	seen := map[netip.Prefix]bool{}
	for _, tt := range tests {
		a := netip.MustParseAddr(tt.addr)
		r := lookupSpecial(a.WithZone(""))
		seen[r.prefix] = true
		if r.name != tt.row {
			t.Errorf("%s: row %q (%s); want %q", tt.addr, r.name, r.prefix, tt.row)
		}
		if got := IsPublic(a); got != tt.want {
			t.Errorf("IsPublic(%s) = %v; want %v (row %q, carries %v)", tt.addr, got, tt.want, r.name, embeddedIPv4(a, r.embeds))
		}
	}
	for _, r := range specialRanges() {
		if !seen[r.prefix] {
			t.Errorf("row %s %q has no case", r.prefix, r.name)
		}
	}
}
