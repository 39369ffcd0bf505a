// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package advisory

import (
	"regexp"
	"strings"
)

var (
	comparatorRe = regexp.MustCompile(`^(<=|>=|=<|=>|<|>|==|=)\s*`)
	earlierRe    = regexp.MustCompile(`(?i)^(.+?)[\s_]+(?:and|or)[\s_]+(?:earlier|prior|before|lower|below|older)(?:[\s_]+versions?)?$`)
	laterRe      = regexp.MustCompile(`(?i)^(.+?)[\s_]+(?:and|or)[\s_]+(?:later|above|newer|higher|greater)(?:[\s_]+versions?)?$`)
	priorToRe    = regexp.MustCompile(`(?i)^(?:all\s+versions\s+)?(?:prior\s+to|before|earlier\s+than|older\s+than|below|lower\s+than)\s+(.+)$`)
	upToRe       = regexp.MustCompile(`(?i)^(?:all\s+versions\s+)?(?:up\s+to(?:\s+and\s+including)?|through|until)\s+(.+)$`)
	// qualifierRe finds where a version ends and wording begins:
	// "V3.3.0_only_when_..." or "1.2 with patch".
	qualifierRe = regexp.MustCompile(`[\s_,;(]+(?:[a-z]{3,}(?:[\s_]|$)|\()`)
	// nextConstraintRe finds a second comparator: ">=V3.2.3_<V3.3.0".
	nextConstraintRe = regexp.MustCompile(`[\s_,;]+(?:<=|>=|<|>|=)`)
)

// noVersion holds CVE 5 placeholder versions that say nothing.
var noVersion = map[string]bool{"n/a": true, "na": true, "unspecified": true, "unknown": true, "-": true, "": true}

// ParseRangeText parses version-range wording as CSAF product_version_range
// names and CVE 5 free-text versions use it: "vers:" URIs (kept in Vers),
// "<= 1.65.4", ">=V3.2.3_<V3.3.0_only_when_...", ">= 1.1 | <= 1.3.2",
// "2.0.9 and earlier", "prior to 4.2", "All versions". The original is kept in
// Text. When nothing is recognised the result has no bounds (Bounded is
// false) and only Text.
func ParseRangeText(s string) VersionRange {
	r := VersionRange{Type: "text", Text: s}
	t := strings.TrimSpace(s)
	lower := strings.ToLower(t)
	switch {
	case strings.HasPrefix(lower, "vers:"):
		r.Type, r.Vers = "vers", t
		if i := strings.IndexByte(t, '/'); i >= 0 && strings.TrimSpace(t[i+1:]) == "*" {
			r.All = true
		}
		return r
	case lower == "*" || lower == "all" || lower == "any" || strings.HasPrefix(lower, "all versions") && !priorToRe.MatchString(t) && !upToRe.MatchString(t):
		r.All = true
		return r
	}
	if comparatorRe.MatchString(t) {
		for _, part := range strings.Split(t, "|") {
			parseConstraints(strings.TrimSpace(part), &r)
		}
		return r
	}
	if m := earlierRe.FindStringSubmatch(t); m != nil {
		r.EndIncluding = strings.TrimSpace(m[1])
	} else if m := laterRe.FindStringSubmatch(t); m != nil {
		r.StartIncluding = strings.TrimSpace(m[1])
	} else if m := priorToRe.FindStringSubmatch(t); m != nil {
		r.EndExcluding = cutQualifier(strings.TrimSpace(m[1]))
	} else if m := upToRe.FindStringSubmatch(t); m != nil {
		r.EndIncluding = cutQualifier(strings.TrimSpace(m[1]))
	}
	return r
}

// parseConstraints reads comparator-version pairs from s into r.
func parseConstraints(s string, r *VersionRange) {
	for s != "" {
		m := comparatorRe.FindStringSubmatch(s)
		if m == nil {
			return
		}
		rest := s[len(m[0]):]
		val, next := rest, ""
		if loc := nextConstraintRe.FindStringIndex(rest); loc != nil {
			val, next = rest[:loc[0]], strings.TrimLeft(rest[loc[0]:], " _,;")
		}
		val = cutQualifier(strings.TrimSpace(val))
		if val == "" {
			return
		}
		switch m[1] {
		case "<":
			r.EndExcluding = val
		case "<=", "=<":
			r.EndIncluding = val
		case ">":
			r.StartExcluding = val
		case ">=", "=>":
			r.StartIncluding = val
		case "=", "==":
			r.Exact = val
		}
		s = next
	}
}

// cutQualifier drops trailing wording from a version: "V3.3.0_only_when_..."
// becomes "V3.3.0". A separator at the very start is never a cut point.
func cutQualifier(v string) string {
	if loc := qualifierRe.FindStringIndex(v); loc != nil && loc[0] > 0 {
		v = v[:loc[0]]
	}
	return strings.TrimSpace(v)
}

// versionFromText maps a version string that may be prose (CVE 5 "version"
// without lessThan) to a range: a bare version becomes Exact, wording is
// parsed by ParseRangeText, placeholders ("n/a") give ok == false.
func versionFromText(s string) (VersionRange, bool) {
	t := strings.TrimSpace(s)
	if noVersion[strings.ToLower(t)] {
		return VersionRange{}, false
	}
	r := ParseRangeText(t)
	if r.Bounded() {
		return r, true
	}
	if !strings.ContainsAny(t, " \t") || looksLikeVersion(t) {
		return VersionRange{Exact: t}, true
	}
	return r, true
}

// looksLikeVersion reports whether s contains a digit and no more than two
// words ("AXIS OS 10.12" is a version, "see the vendor site" is not).
func looksLikeVersion(s string) bool {
	return strings.ContainsAny(s, "0123456789") && len(strings.Fields(s)) <= 3
}
