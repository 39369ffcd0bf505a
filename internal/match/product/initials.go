// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package product

import (
	"regexp"
	"strings"
)

// ConfInitials: a model that is the initials an advisory's text uses for
// a product name it writes out ("ISCV" for "IntelliSpace Cardiovascular").
const ConfInitials = 0.7

var (
	initialsRE  = regexp.MustCompile(`^[A-Z]{3,6}$`)
	nameSplitRE = regexp.MustCompile(`[^A-Za-z0-9+]+`)
)

// SpellsInitials reports whether abbr, three to six capitals, is the
// initials of name as vendors shorten product names: each word of the name
// (two to five words, each starting with a capital, none with a digit)
// gives its first letter and, after it, none or more of its later letters
// in order ("IntelliSpace Cardiovascular": I·S, C·V, "ISCV"; "Safety
// Instrumented Systems Workstation": "SISW"; "DoseWise Portal": "DWP").
// Every word gives at least its first letter, so "ROS" is no initials of
// "RUGGEDCOM RSG2200" and "CVE" none of "CARESCAPE Telemetry Server"; an
// abbreviation that is a word of the name or a class word ("PLC") is none.
func SpellsInitials(abbr, name string) bool {
	if !initialsRE.MatchString(abbr) || genericWord(strings.ToLower(abbr)) {
		return false
	}
	var ws []string
	for _, w := range nameSplitRE.Split(name, -1) {
		if w == "" {
			continue
		}
		if w[0] < 'A' || w[0] > 'Z' || hasDigit(strings.ToLower(w)) || strings.EqualFold(w, abbr) {
			return false
		}
		ws = append(ws, strings.ToLower(w))
	}
	if len(ws) < 2 || len(ws) > 5 || len(ws) > len(abbr) {
		return false
	}
	return spellsWords(strings.ToLower(abbr), ws)
}

// spellsWords aligns a with the words ws: a starts with ws[0]'s first
// letter, takes none or more of its later letters in order, and goes on
// with the next word, ending with the last.
func spellsWords(a string, ws []string) bool {
	if len(ws) == 0 {
		return a == ""
	}
	w := ws[0]
	if a == "" || a[0] != w[0] {
		return false
	}
	p := 1
	for j := 1; ; j++ {
		if spellsWords(a[j:], ws[1:]) {
			return true
		}
		if j >= len(a) {
			return false
		}
		q := strings.IndexByte(w[p:], a[j])
		if q < 0 {
			return false
		}
		p += q + 1
	}
}
