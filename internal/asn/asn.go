// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package asn maps IP addresses to the autonomous system announcing them,
// from a local routing snapshot: CAIDA's RouteViews prefix-to-AS files
// (pfx2as: "prefix<TAB>length<TAB>asn", multi-origin "a_b", AS sets "a,b")
// or iptoasn.com's ip2asn TSV ("range_start<TAB>range_end<TAB>AS_number
// <TAB>country_code<TAB>AS_description"), plain or gzipped.
//
// The table is a longest-prefix-match trie (github.com/gaissmai/bart);
// ip2asn ranges are split into the CIDR prefixes covering them.
package asn

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gaissmai/bart"

	"vigil/internal/errs"
	"vigil/internal/iprange"
	"vigil/internal/text"
)

// MaxRowErrors is how many row errors Load returns at most; Stats.Bad
// counts them all.
const MaxRowErrors = 1000

// Stats counts what Load read.
type Stats struct {
	Lines    int `json:"lines"`    // data lines (not comments or blank)
	Prefixes int `json:"prefixes"` // distinct prefixes in the table
	Bad      int `json:"bad"`      // lines refused
	Unrouted int `json:"unrouted"` // ip2asn ranges with AS 0 ("Not routed"), skipped
}

// Table maps addresses to announcing AS numbers. It is immutable after Load
// and safe for concurrent lookups.
type Table struct {
	t       bart.Table[uint32] // prefix → index into origins
	origins [][]uint32
	stats   Stats
}

// Lookup returns the first origin AS of the most specific prefix containing
// addr (IPv4-mapped IPv6 is unmapped), and that prefix. It does not
// allocate.
func (t *Table) Lookup(addr netip.Addr) (asn uint32, prefix netip.Prefix, ok bool) {
	o, p, ok := t.Origins(addr)
	if !ok {
		return 0, netip.Prefix{}, false
	}
	return o[0], p, true
}

// Origins is Lookup returning all origin ASes of the prefix (several for a
// multi-origin prefix or an AS set). The slice is shared: do not modify.
func (t *Table) Origins(addr netip.Addr) ([]uint32, netip.Prefix, bool) {
	if !addr.IsValid() {
		return nil, netip.Prefix{}, false
	}
	addr = addr.Unmap()
	p, v, ok := t.t.LookupPrefixLPM(netip.PrefixFrom(addr, addr.BitLen()))
	if !ok {
		return nil, netip.Prefix{}, false
	}
	return t.origins[v], p, true
}

// Stats returns the counts of the load.
func (t *Table) Stats() Stats { return t.stats }

// Load reads a pfx2as or ip2asn file (the format is told per line; gzip is
// detected by its magic bytes). Bad lines are returned as row errors (at
// most MaxRowErrors) and do not stop the others; I/O errors are returned as
// the error. name labels the row errors.
func Load(ctx context.Context, r io.Reader, name string) (*Table, []errs.RowError, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("asn %s: gzip: %w", name, err)
		}
		defer gz.Close()
		br = bufio.NewReaderSize(gz, 64<<10)
	}
	t := &Table{}
	sets := map[string]uint32{} // origin field → index into t.origins
	var bad []errs.RowError
	addBad := func(line int, field, reason, raw string) {
		t.stats.Bad++
		if len(bad) < MaxRowErrors {
			bad = append(bad, errs.RowError{File: name, Line: line, Field: field, Reason: reason, Raw: text.Truncate(strings.ToValidUTF8(raw, "\uFFFD"), 256)})
		}
	}
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	line := 0
	for sc.Scan() {
		line++
		if line&0xfff == 0 {
			if err := ctx.Err(); err != nil {
				return nil, bad, err
			}
		}
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 || b[0] == '#' {
			continue
		}
		t.stats.Lines++
		text := string(b)
		prefixes, originField, field, reason := parseLine(text)
		if reason != "" {
			addBad(line, field, reason, text)
			continue
		}
		if prefixes == nil {
			t.stats.Unrouted++
			continue
		}
		idx, ok := sets[originField]
		if !ok {
			origins, err := parseOrigins(originField)
			if err != nil {
				addBad(line, "asn", err.Error(), text)
				continue
			}
			idx = uint32(len(t.origins))
			t.origins = append(t.origins, origins)
			sets[strings.Clone(originField)] = idx
		}
		for _, p := range prefixes {
			t.t.Insert(p, idx)
		}
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			addBad(line+1, "", "line longer than 64 KiB", "")
			return nil, bad, fmt.Errorf("asn %s: line %d: %w", name, line+1, err)
		}
		return nil, bad, fmt.Errorf("asn %s: %w", name, err)
	}
	t.stats.Prefixes = t.t.Size()
	return t, bad, nil
}

// parseLine reads one data line. It returns the prefixes and the origin
// field, or nil prefixes for an unrouted ip2asn range, or a problem.
func parseLine(text string) (prefixes []netip.Prefix, origin, field, reason string) {
	f := strings.Split(text, "\t")
	if len(f) < 2 {
		f = strings.Fields(text)
	}
	switch {
	case len(f) == 2 && strings.Contains(f[0], "/"):
		// "prefix/len asn"
		p, err := netip.ParsePrefix(f[0])
		if err != nil {
			return nil, "", "prefix", fmt.Sprintf("%q is not a CIDR prefix", f[0])
		}
		return []netip.Prefix{normalize(p)}, strings.TrimSpace(f[1]), "", ""
	case len(f) == 3 && !strings.ContainsAny(f[1], ".:"):
		// pfx2as: prefix, length, origin
		a, err := netip.ParseAddr(strings.TrimSpace(f[0]))
		if err != nil || a.Zone() != "" {
			return nil, "", "prefix", fmt.Sprintf("%q is not an IP address", f[0])
		}
		bits, err := strconv.Atoi(strings.TrimSpace(f[1]))
		if err != nil || bits < 0 || bits > a.BitLen() {
			return nil, "", "length", fmt.Sprintf("%q is not a prefix length for %s", f[1], a)
		}
		p := netip.PrefixFrom(a, bits)
		if p.Masked() != p {
			return nil, "", "prefix", fmt.Sprintf("%s has host bits set", p)
		}
		return []netip.Prefix{normalize(p)}, strings.TrimSpace(f[2]), "", ""
	case len(f) >= 3:
		// ip2asn: first, last, AS number, [country, description]
		first, err1 := netip.ParseAddr(strings.TrimSpace(f[0]))
		last, err2 := netip.ParseAddr(strings.TrimSpace(f[1]))
		if err1 != nil || err2 != nil || first.Zone() != "" || last.Zone() != "" {
			return nil, "", "range_start", fmt.Sprintf("%q–%q is not an address range", f[0], f[1])
		}
		first, last = first.Unmap(), last.Unmap()
		if first.Is4() != last.Is4() || last.Less(first) {
			return nil, "", "range_end", fmt.Sprintf("%s–%s is not an address range", first, last)
		}
		o := strings.TrimSpace(f[2])
		if o == "0" {
			return nil, "", "", ""
		}
		ps, err := iprange.Prefixes(first, last)
		if err != nil {
			return nil, "", "range_end", fmt.Sprintf("%s–%s: %v", first, last, err)
		}
		return ps, o, "", ""
	}
	return nil, "", "", "neither pfx2as (prefix, length, asn) nor ip2asn (start, end, asn, …)"
}

// parseOrigins parses "13335", "AS13335", "a_b" (multi-origin) and "a,b"
// (AS set), or combinations, into AS numbers in the order given.
func parseOrigins(s string) ([]uint32, error) {
	var out []uint32
	for part := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == '_' || r == ',' || r == ' ' || r == '{' || r == '}' }) {
		part = strings.TrimPrefix(strings.TrimPrefix(part, "AS"), "as")
		n, err := strconv.ParseUint(part, 10, 32)
		if err != nil || n == 0 {
			return nil, fmt.Errorf("%q is not an AS number", s)
		}
		out = append(out, uint32(n))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%q is not an AS number", s)
	}
	return out, nil
}

func normalize(p netip.Prefix) netip.Prefix {
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked()
}
