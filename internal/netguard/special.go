// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package netguard

import (
	"encoding/binary"
	"net/netip"
	"sync"
)

// embedding says how an IPv6 prefix carries an IPv4 address.
type embedding uint8

const (
	embedsNone       embedding = iota
	embedsMapped               // ::ffff:a.b.c.d (RFC 4291)
	embedsNAT64                // RFC 6052 at the prefix's length (the low 32 bits for a /96)
	embedsNAT64Local           // RFC 8215 local-use /48: any RFC 6052 length from /48 to /96
	embedsSixToFour            // 2002:aabb:ccdd::/48 (RFC 3056)
	embedsTeredo               // 2001:0:server::client-xor-ffffffff (RFC 4380)
)

// specialRange is one row of the IANA special-purpose address registries
// (iana-ipv4-special-registry, iana-ipv6-special-registry, as of 2025), plus
// the multicast blocks and the IPv6 address space outside global unicast,
// which the special-purpose registries leave to other registries.
type specialRange struct {
	prefix netip.Prefix
	// name is the registry's name for the block.
	name string
	// global is the registry's "Globally Reachable" column; a block whose
	// column is N/A carries an IPv4 address (embeds) and is judged by it.
	global bool
	embeds embedding
}

// specialRanges returns the table IsPublic reads. An address is judged by the
// most specific row that contains it.
var specialRanges = sync.OnceValue(func() []specialRange {
	p := netip.MustParsePrefix
	return []specialRange{
		// IPv4: everything not listed below is public.
		{p("0.0.0.0/0"), "IPv4 unicast", true, embedsNone},
		{p("0.0.0.0/8"), "\"This network\"", false, embedsNone},
		{p("0.0.0.0/32"), "\"This host on this network\"", false, embedsNone},
		{p("10.0.0.0/8"), "Private-Use", false, embedsNone},
		{p("100.64.0.0/10"), "Shared Address Space", false, embedsNone},
		{p("127.0.0.0/8"), "Loopback", false, embedsNone},
		{p("169.254.0.0/16"), "Link Local", false, embedsNone},
		{p("172.16.0.0/12"), "Private-Use", false, embedsNone},
		{p("192.0.0.0/24"), "IETF Protocol Assignments", false, embedsNone},
		{p("192.0.0.0/29"), "IPv4 Service Continuity Prefix", false, embedsNone},
		{p("192.0.0.8/32"), "IPv4 dummy address", false, embedsNone},
		{p("192.0.0.9/32"), "Port Control Protocol Anycast", true, embedsNone},
		{p("192.0.0.10/32"), "Traversal Using Relays around NAT Anycast", true, embedsNone},
		{p("192.0.0.170/31"), "NAT64/DNS64 Discovery", false, embedsNone},
		{p("192.0.2.0/24"), "Documentation (TEST-NET-1)", false, embedsNone},
		{p("192.31.196.0/24"), "AS112-v4", true, embedsNone},
		{p("192.52.193.0/24"), "AMT", true, embedsNone},
		{p("192.88.99.0/24"), "Deprecated (6to4 Relay Anycast)", false, embedsNone},
		{p("192.168.0.0/16"), "Private-Use", false, embedsNone},
		{p("192.175.48.0/24"), "Direct Delegation AS112 Service", true, embedsNone},
		{p("198.18.0.0/15"), "Benchmarking", false, embedsNone},
		{p("198.51.100.0/24"), "Documentation (TEST-NET-2)", false, embedsNone},
		{p("203.0.113.0/24"), "Documentation (TEST-NET-3)", false, embedsNone},
		{p("224.0.0.0/4"), "Multicast (iana-multicast-addresses)", false, embedsNone},
		{p("240.0.0.0/4"), "Reserved", false, embedsNone},
		{p("255.255.255.255/32"), "Limited Broadcast", false, embedsNone},

		// IPv6: only global unicast (2000::/3, iana-ipv6-address-space) is
		// public, less its special-purpose blocks; blocks that embed an IPv4
		// address are judged by that address.
		{p("::/0"), "Reserved or not global unicast (iana-ipv6-address-space)", false, embedsNone},
		{p("2000::/3"), "Global Unicast (iana-ipv6-address-space)", true, embedsNone},
		{p("::1/128"), "Loopback Address", false, embedsNone},
		{p("::/128"), "Unspecified Address", false, embedsNone},
		{p("::ffff:0:0/96"), "IPv4-mapped Address", false, embedsMapped},
		{p("64:ff9b::/96"), "IPv4-IPv6 Translat.", true, embedsNAT64},
		{p("64:ff9b:1::/48"), "IPv4-IPv6 Translat.", false, embedsNAT64Local},
		{p("100::/64"), "Discard-Only Address Block", false, embedsNone},
		{p("100:0:0:1::/64"), "Dummy IPv6 Prefix", false, embedsNone},
		{p("2001::/23"), "IETF Protocol Assignments", false, embedsNone},
		{p("2001::/32"), "TEREDO", false, embedsTeredo},
		{p("2001:1::1/128"), "Port Control Protocol Anycast", true, embedsNone},
		{p("2001:1::2/128"), "Traversal Using Relays around NAT Anycast", true, embedsNone},
		{p("2001:1::3/128"), "DNS-SD Service Registration Protocol Anycast", true, embedsNone},
		{p("2001:2::/48"), "Benchmarking", false, embedsNone},
		{p("2001:3::/32"), "AMT", true, embedsNone},
		{p("2001:4:112::/48"), "AS112-v6", true, embedsNone},
		{p("2001:10::/28"), "Deprecated (previously ORCHID)", false, embedsNone},
		{p("2001:20::/28"), "ORCHIDv2", true, embedsNone},
		{p("2001:30::/28"), "Drone Remote ID Protocol Entity Tags (DETs) Prefix", true, embedsNone},
		{p("2001:db8::/32"), "Documentation", false, embedsNone},
		{p("2002::/16"), "6to4", false, embedsSixToFour},
		{p("2620:4f:8000::/48"), "Direct Delegation AS112 Service", true, embedsNone},
		{p("3fff::/20"), "Documentation", false, embedsNone},
		{p("5f00::/16"), "Segment Routing (SRv6) SIDs", false, embedsNone},
		{p("fc00::/7"), "Unique-Local", false, embedsNone},
		{p("fe80::/10"), "Link-Local Unicast", false, embedsNone},
		{p("ff00::/8"), "Multicast (iana-ipv6-multicast-addresses)", false, embedsNone},
	}
})

// lookupSpecial returns the most specific row containing a (a valid, unmapped
// address; every address matches a /0 row).
func lookupSpecial(a netip.Addr) specialRange {
	var best specialRange
	bits := -1
	for _, r := range specialRanges() {
		if r.prefix.Bits() > bits && r.prefix.Contains(a) {
			best, bits = r, r.prefix.Bits()
		}
	}
	return best
}

// embeddedIPv4 returns the IPv4 addresses an address of row r carries: one
// for most encodings, both ends of a Teredo address, and for the local-use
// NAT64 prefix every RFC 6052 reading the address is consistent with.
func embeddedIPv4(a netip.Addr, e embedding) []netip.Addr {
	b := a.As16()
	v4 := func(x []byte) netip.Addr { return netip.AddrFrom4([4]byte(x)) }
	switch e {
	case embedsMapped:
		return []netip.Addr{v4(b[12:16])}
	case embedsNAT64:
		return []netip.Addr{v4(b[12:16])}
	case embedsSixToFour:
		return []netip.Addr{v4(b[2:6])}
	case embedsTeredo:
		client := binary.BigEndian.Uint32(b[12:16]) ^ 0xffffffff
		var c [4]byte
		binary.BigEndian.PutUint32(c[:], client)
		return []netip.Addr{v4(b[4:8]), netip.AddrFrom4(c)}
	case embedsNAT64Local:
		return nat64Readings(b)
	}
	return nil
}

// nat64Readings returns the IPv4 address under each RFC 6052 prefix length
// (48, 56, 64, 96) that an address of 64:ff9b:1::/48 is consistent with:
// bits 64-71 (the "u" octet) zero and nothing after the IPv4 address but the
// zero suffix. The /96 reading always applies.
func nat64Readings(b [16]byte) []netip.Addr {
	zero := func(x []byte) bool {
		for _, c := range x {
			if c != 0 {
				return false
			}
		}
		return true
	}
	out := []netip.Addr{netip.AddrFrom4([4]byte(b[12:16]))}
	if b[8] != 0 {
		return out
	}
	// RFC 6052 section 2.2: the IPv4 bytes around the u octet (byte 8).
	if zero(b[11:16]) { // /48: bits 48-63, then 72-87
		out = append(out, netip.AddrFrom4([4]byte{b[6], b[7], b[9], b[10]}))
	}
	if zero(b[12:16]) { // /56: bits 56-63, then 72-95
		out = append(out, netip.AddrFrom4([4]byte{b[7], b[9], b[10], b[11]}))
	}
	if zero(b[13:16]) { // /64: bits 72-103
		out = append(out, netip.AddrFrom4([4]byte(b[9:13])))
	}
	return out
}
