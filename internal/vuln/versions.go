// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"fmt"
	"regexp"
	"strings"

	"vigil/internal/advisory"
	"vigil/internal/match/purl"
	"vigil/internal/match/version"
	"vigil/internal/match/vrange"
)

// AlignVersion strips a leading product or model word from a vendor
// version string so that bounds and firmware compare on the version proper:
// "IR302 3.5.56" → "3.5.56", "RUT2M_R_00.07.04.4" → "00.07.04.4",
// "Firmware_6.62" → "6.62", "AXIS OS 1.65.4" → "1.65.4",
// "InRouter6XX-S-V2.3.0.r5542" → "V2.3.0.r5542", "MX-V4.1.4.11" →
// "V4.1.4.11". A string that starts with a version ("V5.4.5 build 170124",
// "1.00-06") or has no recognisable version part is returned unchanged
// (trimmed); package version reads labels such as "FullImg-" itself.
func AlignVersion(s string) string {
	s = strings.TrimSpace(s)
	if qualifierRE.MatchString(s) {
		return s // "SP3 Update 1": a service pack and update, not a product word
	}
	sep := func(c byte) bool { return c == ' ' || c == '_' || c == '\t' }
	first := true
	for i := 0; i < len(s); i++ {
		if sep(s[i]) || i > 0 && !sep(s[i-1]) {
			continue
		}
		// s[i:] starts a field.
		if startsVersion(s[i:]) {
			if first {
				return s
			}
			return s[i:]
		}
		first = false
	}
	// One word: a "-V<digit>" inside ("MX-V4.1.4.11").
	for i := 0; i+2 < len(s); i++ {
		if (s[i] == '-' || s[i] == '.') && (s[i+1] == 'v' || s[i+1] == 'V') && isDigit(s[i+2]) {
			return s[i+1:]
		}
	}
	return s
}

// qualifierRE matches versions that start with a service pack, update,
// hotfix or patch ("SP3 Update 1", "Update 5", "HF2").
var qualifierRE = regexp.MustCompile(`(?i)^(?:sp|update|upd|hf|hotfix|patch)\s*\d`)

// startsVersion reports whether w starts like a version: a digit, or "v"
// followed by a digit.
func startsVersion(w string) bool {
	if w == "" {
		return false
	}
	if isDigit(w[0]) {
		return true
	}
	return len(w) > 1 && (w[0] == 'v' || w[0] == 'V') && isDigit(w[1])
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// inRange compares version v with vendor-tolerant bounds after aligning
// both.
func inRange(v, startIncl, startExcl, endIncl, endExcl string) bool {
	a := func(s string) string {
		if s == "" {
			return ""
		}
		return AlignVersion(s)
	}
	return version.InRange(a(v), a(startIncl), a(startExcl), a(endIncl), a(endExcl))
}

// sameVersion reports whether two vendor version strings name the same
// version (build-tolerant when one names no build).
func sameVersion(a, b string) bool {
	a, b = AlignVersion(a), AlignVersion(b)
	if strings.EqualFold(a, b) {
		return true
	}
	return version.InRange(a, b, "", b, "")
}

// scheme returns the vers versioning scheme for a purl type or OSV
// ecosystem when package purl implements it, else "".
func scheme(name string) string {
	s := strings.ToLower(name)
	switch s {
	case "go":
		s = "golang"
	case "crates.io":
		s = "cargo"
	case "packagist":
		s = "composer"
	case "rubygems":
		s = "gem"
	}
	for _, k := range purl.Schemes() {
		if k == s {
			return s
		}
	}
	return ""
}

// interpret reads one version range of a product: words and vers URIs
// through package vrange, the bounds of structured sources (NVD, CVE 5,
// OSV) in the versioning scheme sch ("" = vendor-tolerant).
func interpret(r *advisory.VersionRange, sch string) vrange.Range {
	text := r.Text
	if text == "" {
		text = r.Vers
	}
	structured := r.Exact != "" || r.StartIncluding != "" || r.StartExcluding != "" || r.EndIncluding != "" || r.EndExcluding != ""
	var out vrange.Range
	switch {
	case r.All:
		out = vrange.Range{Text: text, Scheme: vrange.SchemeVendor, All: true}
	case r.Vers != "" && !structured:
		out = vrange.Parse(r.Vers)
	case text != "" && !structured:
		out = vrange.Parse(text)
	case r.Exact != "":
		out = vrange.Exact(sch, r.Exact)
	case structured:
		out = vrange.FromBounds(sch, r.StartIncluding, r.StartExcluding, r.EndIncluding, r.EndExcluding)
	default:
		out = vrange.Range{Text: text, Scheme: vrange.SchemeVendor, Unparsed: "the range states no versions"}
	}
	if out.Text == "" || text != "" {
		out.Text = rangeText(r)
	}
	return out
}

// contains reports whether version v lies in r, comparing vendor versions
// aligned (a leading product word dropped) and falling back to the
// vendor-tolerant order when a scheme cannot read them.
func contains(r vrange.Range, v string) (in, ok bool) {
	if r.Scheme == vrange.SchemeVendor {
		return r.Contains(AlignVersion(v))
	}
	if in, ok := r.Contains(v); ok {
		return in, ok
	}
	if !r.Understood() {
		return false, false
	}
	r.Scheme = vrange.SchemeVendor
	return r.Contains(AlignVersion(v))
}

// rangeStatus returns the status of v inside r: r's own status (affected
// when empty), changed by CVE 5 "changes" entries at or below v.
func rangeStatus(r *advisory.VersionRange, v string, dflt advisory.Status) advisory.Status {
	st := r.Status
	if st == "" {
		st = dflt
	}
	for _, c := range r.Changes {
		if inRange(v, c.At, "", "", "") {
			st = c.Status
		}
	}
	return st
}

// fixedVersion names the first version a range says is no longer affected
// after v: an "unaffected" change point, or the exclusive upper bound of
// the interval v lies in.
func fixedVersion(r *crange, v string) string {
	for _, c := range r.src.Changes {
		if c.Status.NotAffected() {
			return c.At
		}
	}
	if f := r.r.Fixed(AlignVersion(v)); f != "" {
		return f
	}
	return r.src.EndExcluding
}

// rangeText describes a range for evidence.
func rangeText(r *advisory.VersionRange) string {
	if r.Text != "" {
		return r.Text
	}
	if r.Vers != "" {
		return r.Vers
	}
	var parts []string
	add := func(op, v string) {
		if v != "" {
			parts = append(parts, op+" "+v)
		}
	}
	if r.All {
		return "all versions"
	}
	add("=", r.Exact)
	add(">=", r.StartIncluding)
	add(">", r.StartExcluding)
	add("<=", r.EndIncluding)
	add("<", r.EndExcluding)
	return strings.Join(parts, ", ")
}

// factorPrefixCompared is the version factor of a range whose bound is no
// version until the prefix it shares with the device's version is dropped
// ("< VX.2.11" at "VX.2.10"): compared, but not as the range was written.
const factorPrefixCompared = 0.9

// prefixCompare compares version v with an unread range of one comparator
// whose bound starts like v with letters or punctuation that make it no
// version ("< VX.2.11" and "VX.2.10": both without "VX."). ok is false when
// the range is not of that shape or the rests are no versions.
func prefixCompare(text, v string) (in, ok bool, why string) {
	s := strings.TrimSpace(text)
	if strings.ContainsAny(s, "|,;") {
		return false, false, ""
	}
	op := ""
	for _, o := range []string{"<=", ">=", "<", ">", "="} {
		if rest, found := strings.CutPrefix(s, o); found {
			op, s = o, strings.TrimSpace(rest)
			break
		}
	}
	if op == "" || strings.ContainsAny(s, " \t") || strings.ContainsAny(v, " \t") {
		return false, false, ""
	}
	n := 0
	for n < len(s) && n < len(v) && lowerASCII(s[n]) == lowerASCII(v[n]) && !isDigit(s[n]) {
		n++
	}
	letter := strings.IndexFunc(s[:n], func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }) >= 0
	if n == 0 || !letter || n >= len(s) || n >= len(v) || !isDigit(s[n]) || !isDigit(v[n]) {
		return false, false, ""
	}
	r := vrange.Parse(op + " " + s[n:])
	if !r.Understood() || len(r.Conditions) > 0 {
		return false, false, ""
	}
	in, ok = contains(r, v[n:])
	if !ok {
		return false, false, ""
	}
	return in, true, fmt.Sprintf("version %q compared with %q once the prefix %q both share is dropped: %s lies %s %s", v, text, s[:n], v[n:], map[bool]string{true: "in", false: "outside"}[in], r.Bounds())
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// lineFixed reports whether a product's range is a version line's affected
// span, a lower bound that is the line ("> 6.1", ">= 6.1") and an upper
// bound in it ("< 6.1.4"), and version v is in that line at or after the
// upper bound: the vendor fixed the device's line there.
func lineFixed(cp *cproduct, v string) bool {
	for _, r := range cp.ranges {
		cs := r.r.Constraints
		if !r.r.Understood() || len(cs) != 2 || len(r.r.Conditions) > 0 || r.r.All {
			continue
		}
		lo, hi := cs[0], cs[1]
		if lo.Op != vrange.Gt && lo.Op != vrange.Ge || hi.Op != vrange.Lt && hi.Op != vrange.Le {
			continue
		}
		// The lower bound as the advisory writes it, not one the parser
		// infers ("< 4.5" is read as >= 4, < 4.5).
		if !strings.Contains(r.r.Text, ">") || !strings.Contains(r.r.Text, lo.Version) {
			continue
		}
		line := strings.TrimPrefix(strings.ToLower(lo.Version), "v")
		bound := strings.TrimPrefix(strings.ToLower(hi.Version), "v")
		w := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(v)), "v")
		if !strings.HasPrefix(bound, line+".") || !strings.HasPrefix(w, line+".") {
			continue
		}
		after := vrange.Range{Scheme: r.r.Scheme, Constraints: []vrange.Constraint{{Op: map[vrange.Op]vrange.Op{vrange.Lt: vrange.Ge, vrange.Le: vrange.Gt}[hi.Op], Version: hi.Version}}, Text: r.r.Text}
		if in, ok := contains(after, v); ok && in {
			return true
		}
	}
	return false
}
