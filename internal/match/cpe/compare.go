// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package cpe

import (
	"strings"
)

// Relation is the set relation between a source and a target attribute
// value or name (NISTIR 7696 §5.2).
type Relation uint8

// The relations of NISTIR 7696 Table 5-1.
const (
	Disjoint  Relation = iota // the two denote no common name
	Subset                    // the source is a subset of the target
	Superset                  // the source is a superset of the target
	Equal                     // the two are the same
	Undefined                 // the target has wildcards: not defined
)

// String returns the NISTIR name of the relation.
func (r Relation) String() string {
	switch r {
	case Disjoint:
		return "DISJOINT"
	case Subset:
		return "SUBSET"
	case Superset:
		return "SUPERSET"
	case Equal:
		return "EQUAL"
	}
	return "UNDEFINED"
}

// lowerASCII returns s lower-cased, without allocating when it already is.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// CompareAttr compares one source and one target attribute value
// (NISTIR 7696 §6.1.2 compare): case-insensitive, with wildcards in the
// source honoured and wildcards in the target giving Undefined.
func CompareAttr(source, target Value) Relation {
	if target.HasWildcards() {
		return Undefined
	}
	if source.Kind == target.Kind && (source.Kind != Str || strings.EqualFold(source.S, target.S)) {
		return Equal
	}
	if source.Kind == Any {
		return Superset
	}
	if target.Kind == Any {
		return Subset
	}
	if source.Kind == NA || target.Kind == NA {
		return Disjoint
	}
	return compareStrings(lowerASCII(source.S), lowerASCII(target.S))
}

// compareStrings is compare_strings of NISTIR 7696 §6.1.2: the source may
// begin or end with "*" (any run of characters) or with runs of n "?"
// (up to n characters, as the NISTIR's algorithm counts them).
func compareStrings(source, target string) Relation {
	start, end := 0, len(source)
	begins, ends := 0, 0
	if strings.HasPrefix(source, "*") {
		start, begins = 1, -1
	} else {
		for start < len(source) && source[start] == '?' {
			start++
			begins++
		}
	}
	if end > start && source[end-1] == '*' && !quotedAt(source, end-1) {
		end--
		ends = -1
	} else {
		for end > start && source[end-1] == '?' && !quotedAt(source, end-1) {
			end--
			ends++
		}
	}
	source = source[start:end]
	index := -1
	leftover := len(target)
	for leftover > 0 && index+1 <= len(target) {
		i := strings.Index(target[index+1:], source)
		if i < 0 {
			break
		}
		index += 1 + i
		escapes := countEscapes(target, 0, index)
		if index > 0 && begins != -1 && begins < index-escapes {
			break
		}
		// Characters after the match, not counting quoting backslashes.
		// (The pseudocode counts escapes from index+1, which also counts
		// the source's own backslashes; counting after the match is the
		// intended reading.)
		after := index + len(source)
		leftover = len(target) - after - countEscapes(target, after, len(target))
		if leftover > 0 && ends != -1 && leftover > ends {
			continue
		}
		return Superset
	}
	return Disjoint
}

// countEscapes counts the quoting backslashes in s[start:end].
func countEscapes(s string, start, end int) int {
	n := 0
	active := false
	for i := start; i < end; i++ {
		active = !active && s[i] == '\\'
		if active {
			n++
		}
	}
	return n
}

// Relations returns the attribute-wise relations of source to target
// (NISTIR 7696 §6.2 compare_wfns).
func Relations(source, target WFN) [NumAttrs]Relation {
	var r [NumAttrs]Relation
	for i := range source.Attrs {
		r[i] = CompareAttr(source.Attrs[i], target.Attrs[i])
	}
	return r
}

// Compare returns the name-level relation of source to target
// (NISTIR 7696 §6.2): Disjoint when any attribute is disjoint, Equal when
// all are equal, Superset when every attribute is a superset or equal,
// Subset when every attribute is a subset or equal, and Undefined otherwise.
func Compare(source, target WFN) Relation {
	sup, sub, eq := true, true, true
	for i := range source.Attrs {
		switch CompareAttr(source.Attrs[i], target.Attrs[i]) {
		case Disjoint:
			return Disjoint
		case Equal:
		case Superset:
			sub, eq = false, false
		case Subset:
			sup, eq = false, false
		default:
			sup, sub, eq = false, false, false
		}
	}
	switch {
	case eq:
		return Equal
	case sup:
		return Superset
	case sub:
		return Subset
	}
	return Undefined
}

// Match reports whether source matches target: every attribute of source
// is a superset of or equal to the target's (CPE_SUPERSET or CPE_EQUAL of
// NISTIR 7696 §6.2), as the NVD applies a match criterion (source) to a
// platform CPE (target). It stops at the first attribute that fails.
func Match(source, target WFN) bool {
	// Vendor and product first: they reject almost every pair.
	for _, i := range [NumAttrs]int{AttrProduct, AttrVendor, AttrPart, AttrVersion, AttrUpdate,
		AttrEdition, AttrLanguage, AttrSWEdition, AttrTargetSW, AttrTargetHW, AttrOther} {
		switch CompareAttr(source.Attrs[i], target.Attrs[i]) {
		case Superset, Equal:
		default:
			return false
		}
	}
	return true
}
