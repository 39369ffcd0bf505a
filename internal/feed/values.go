// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package feed

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"vigil/internal/finding"
)

// parseTime parses the time formats feeds use. The fast path is
// Shadowserver's "2006-01-02 15:04:05" (UTC, no zone); also accepted are an
// optional "T" separator, fractional seconds, a "Z", " UTC" or numeric zone
// suffix, a bare date, and Unix seconds.
func parseTime(s string) (time.Time, error) {
	if len(s) >= 10 && s[4] == '-' && s[7] == '-' {
		if t, ok := parseISO(s); ok {
			return t, nil
		}
		for _, layout := range [...]string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05 -0700", "2006-01-02T15:04:05-0700"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, errors.New("not a valid time")
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 && n < 1e11 {
		return time.Unix(n, 0).UTC(), nil
	}
	for _, layout := range [...]string{time.RFC1123, time.RFC1123Z, time.RFC822, "02/01/2006 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("not a valid time")
}

// parseISO parses "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS" and the same with "T",
// fractional seconds and a "Z" or " UTC" suffix, all as UTC, without
// allocating.
func parseISO(s string) (time.Time, bool) {
	num := func(s string) (int, bool) {
		n := 0
		for i := 0; i < len(s); i++ {
			d := s[i] - '0'
			if d > 9 {
				return 0, false
			}
			n = n*10 + int(d)
		}
		return n, true
	}
	y, ok1 := num(s[0:4])
	mo, ok2 := num(s[5:7])
	d, ok3 := num(s[8:10])
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) {
		return time.Time{}, false
	}
	if len(s) == 10 {
		return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC), true
	}
	if len(s) < 19 || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	h, ok1 := num(s[11:13])
	mi, ok2 := num(s[14:16])
	sec, ok3 := num(s[17:19])
	if !ok1 || !ok2 || !ok3 || h > 23 || mi > 59 || sec > 60 {
		return time.Time{}, false
	}
	rest := s[19:]
	ns := 0
	if len(rest) > 1 && rest[0] == '.' {
		i := 1
		scale := 100000000
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			ns += int(rest[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == 1 {
			return time.Time{}, false
		}
		rest = rest[i:]
	}
	switch rest {
	case "", "Z", " UTC", "+00:00", " +0000", "+0000":
	default:
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parseUint parses a decimal number up to max without allocating.
func parseUint(s string, max uint64) (uint64, bool) {
	if s == "" || len(s) > 20 {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		if n > (max-uint64(d))/10 {
			return 0, false
		}
		n = n*10 + uint64(d)
	}
	return n, true
}

// parsePort parses a port; empty is 0.
func parsePort(s string) (uint16, bool) {
	if s == "" {
		return 0, true
	}
	n, ok := parseUint(s, 65535)
	return uint16(n), ok
}

// parseASN parses "64500" or "AS64500"; empty is 0 (unknown).
func parseASN(s string) (uint32, bool) {
	if s == "" {
		return 0, true
	}
	if len(s) > 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's') {
		s = s[2:]
	}
	n, ok := parseUint(s, 1<<32-1)
	return uint32(n), ok
}

// parseIP parses an IPv4 or IPv6 address without zone, unmapping
// IPv4-in-IPv6. It refuses the unspecified address.
func parseIP(s string) (netip.Addr, string) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, "not an IP address"
	}
	return checkAddr(a)
}

// checkAddr refuses zoned and unspecified addresses and unmaps
// IPv4-in-IPv6.
func checkAddr(a netip.Addr) (netip.Addr, string) {
	if a.Zone() != "" {
		return netip.Addr{}, "IP address with a zone"
	}
	a = a.Unmap()
	if a.IsUnspecified() {
		return netip.Addr{}, "unspecified IP address"
	}
	return a, ""
}

// parseSeverity maps a severity name without allocating; ok is false for an
// unknown word.
func parseSeverity(s string) (finding.Severity, bool) {
	switch s {
	case "":
		return finding.Unknown, true
	case "critical":
		return finding.Critical, true
	case "high":
		return finding.High, true
	case "medium":
		return finding.Medium, true
	case "low":
		return finding.Low, true
	case "info":
		return finding.Info, true
	}
	v, err := finding.ParseSeverity(s)
	return v, err == nil
}

// noneValue reports whether s stands for "no value" in Shadowserver files.
func noneValue(s string) bool {
	return s == "" || s == "0" || s == "unknown"
}

// interner hands out one copy of each distinct string it is shown, up to a
// bound, so that repeated values (report types, CVE ids) are not allocated
// per row.
type interner struct {
	m   map[string]string
	max int
}

func newInterner(max int) *interner { return &interner{m: map[string]string{}, max: max} }

// upper returns s in upper case, interned.
func (in *interner) upper(s string) string {
	if v, ok := in.m[s]; ok {
		return v
	}
	v := strings.ToUpper(s)
	if len(in.m) < in.max {
		in.m[s] = v
	}
	return v
}

// appendCVEs appends the CVE ids found in a tag such as
// "exchange;cve-2021-26855" or "cve-2024-3400,paloalto" to dst.
func appendCVEs(dst []string, tag string, in *interner) []string {
	for len(tag) > 0 {
		i := strings.IndexAny(tag, ";, ")
		tok := tag
		if i >= 0 {
			tok, tag = tag[:i], tag[i+1:]
		} else {
			tag = ""
		}
		if isCVE(tok) {
			dst = append(dst, in.upper(tok))
		}
	}
	return dst
}

// isCVE reports whether s is a CVE id, "cve-YYYY-NNNN…", in any case.
func isCVE(s string) bool {
	if len(s) < 13 || !strings.EqualFold(s[:4], "cve-") || s[8] != '-' {
		return false
	}
	for i := 4; i < len(s); i++ {
		if i == 8 {
			continue
		}
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
