// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"strings"

	"vigil/internal/advisory"
	"vigil/internal/match/purl"
	"vigil/internal/match/version"
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

// rangeContains reports whether v lies in r: by the range's vers URI, by
// the versioning scheme sch when set and the range is an ecosystem or
// semver range, else by the vendor-tolerant scheme. ok is false when r
// says nothing machine-readable (prose that was not understood).
func rangeContains(r *advisory.VersionRange, v, sch string) (in, ok bool) {
	switch {
	case r.All:
		return true, true
	case r.Vers != "":
		in, err := purl.ContainsString(r.Vers, v)
		if err == nil {
			return in, true
		}
		return false, false
	case r.Exact != "":
		if sch != "" {
			if c, err := purl.CompareVersions(sch, v, r.Exact); err == nil {
				return c == 0, true
			}
		}
		return sameVersion(v, r.Exact), true
	case !r.Bounded():
		return false, false
	}
	if sch != "" && (r.Type == "ecosystem" || r.Type == "semver" || r.Type == "") {
		if in, err := schemeInRange(sch, v, r); err == nil {
			return in, true
		}
	}
	return inRange(v, r.StartIncluding, r.StartExcluding, r.EndIncluding, r.EndExcluding), true
}

func schemeInRange(sch, v string, r *advisory.VersionRange) (bool, error) {
	check := func(bound string, ok func(int) bool) (bool, error) {
		if bound == "" || bound == "0" && ok(1) {
			return true, nil
		}
		c, err := purl.CompareVersions(sch, v, bound)
		if err != nil {
			return false, err
		}
		return ok(c), nil
	}
	for _, b := range []struct {
		bound string
		ok    func(int) bool
	}{
		{r.StartIncluding, func(c int) bool { return c >= 0 }},
		{r.StartExcluding, func(c int) bool { return c > 0 }},
		{r.EndIncluding, func(c int) bool { return c <= 0 }},
		{r.EndExcluding, func(c int) bool { return c < 0 }},
	} {
		in, err := check(b.bound, b.ok)
		if err != nil || !in {
			return in, err
		}
	}
	return true, nil
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

// fixedVersion names the first version a range says is no longer affected:
// its exclusive upper bound, or an "unaffected" change point.
func fixedVersion(r *advisory.VersionRange) string {
	for _, c := range r.Changes {
		if c.Status.NotAffected() {
			return c.At
		}
	}
	return r.EndExcluding
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
