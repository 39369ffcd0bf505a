// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package advisory

import (
	"strings"
)

// noVersion holds CVE 5 placeholder versions that say nothing.
var noVersion = map[string]bool{"n/a": true, "na": true, "unspecified": true, "unknown": true, "-": true, "": true}

// rangeText keeps a version range the source states in words or as a vers
// URI (a CSAF product_version_range name, a CVE 5 version that is prose) as
// written: Type "vers" with Vers set for vers URIs, else Type "text". The
// loaders do not interpret it; the matcher does (package match/vrange), so
// a better reading applies to advisories already stored.
func rangeText(s string) VersionRange {
	t := strings.TrimSpace(s)
	if len(t) >= 5 && strings.EqualFold(t[:5], "vers:") {
		return VersionRange{Type: "vers", Vers: t, Text: s}
	}
	return VersionRange{Type: "text", Text: s}
}

// versionFromText maps a CVE 5 "version" without lessThan: placeholders
// ("n/a") give ok == false, "*" and "all" every version, a version alone
// is Exact, and words are kept as written (rangeText).
func versionFromText(s string) (VersionRange, bool) {
	t := strings.TrimSpace(s)
	lower := strings.ToLower(t)
	switch {
	case noVersion[lower]:
		return VersionRange{}, false
	case lower == "*" || lower == "all" || lower == "any" || lower == "all versions":
		return VersionRange{Type: "text", All: true, Text: s}, true
	case !strings.ContainsAny(t, " \t<>=|") && !strings.HasPrefix(lower, "vers:"):
		return VersionRange{Exact: t}, true
	}
	return rangeText(s), true
}
