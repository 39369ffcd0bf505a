// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
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
