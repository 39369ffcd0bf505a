// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package product

import (
	"fmt"
	"slices"
	"strings"

	"vigil/internal/text"
)

// Confidence levels of MatchModel, highest first.
const (
	ConfExact       = 1.0  // normalised names equal
	ConfListed      = 0.95 // the model equals one the advisory lists ("(ES450, GX450)", order numbers)
	ConfGeneric     = 0.9  // equal once generic words (firmware, router, …) are dropped
	ConfCode        = 0.8  // the model code appears as a whole token in the other name
	ConfWildcard    = 0.65 // the advisory names a pattern ("6XX", "M87x") the model fits
	ConfAbbreviated = 0.6  // same model number, series name abbreviated ("InRouter 302" / "IR302")
	ConfSeries      = 0.5  // the advisory names a series ("DSM Series") the model belongs to
)

// genericWord reports words that describe a product class rather than
// identify it.
func genericWord(t string) bool {
	switch t {
	case "firmware", "software", "hardware", "device", "devices", "model", "models", "series", "router", "routers",
		"app", "application", "system", "systems", "version", "versions", "all", "the", "and", "for", "with",
		"running", "on", "of", "unit", "units", "camera", "cameras", "controller", "controllers", "module",
		"modules", "switch", "switches", "gateway", "gateways", "server", "servers", "thermostat", "charger", "cpu", "cpus",
		"family", "families", "products", "product", "variants", "incl", "panel", "operating", "hub", "hubs", "rtu", "rtus", "interface",
		"nvr", "nvrs", "dvr", "dvrs", "plc", "plcs",
		// classes of medical devices named after the model ("PageWriter
		// TC10 … Cardiographs", "MiniMed 508 pump").
		"cardiograph", "cardiographs", "electrocardiograph", "electrocardiographs", "pump", "pumps":
		return true
	}
	return false
}

// companionWord reports words that name a program of its own beside a
// product ("Simcenter STAR-CCM+ Viewer", "Siveillance Video Client",
// "Historian Client"): a name that adds one is not the product without it.
func companionWord(t string) bool {
	switch t {
	case "viewer", "viewers", "client", "clients", "reader", "player", "editor", "plugin", "agent", "simulator", "emulator":
		return true
	}
	return false
}

// fillerWord reports generic words that say nothing about which product
// is meant ("firmware", "operating system software"), unlike the class
// words ("CPU", "controller") a model code may carry ("R08ENCPU").
func fillerWord(t string) bool {
	switch t {
	case "firmware", "software", "hardware", "operating", "system", "systems", "version", "versions", "all", "the",
		"and", "for", "with", "running", "on", "of", "incl", "variants", "products", "product":
		return true
	}
	return false
}

func withoutFiller(ts []string) []string {
	var out []string
	for _, t := range ts {
		if !fillerWord(t) {
			out = append(out, t)
		}
	}
	return out
}

func hasLetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'a' && s[i] <= 'z' {
			return true
		}
	}
	return false
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}

// codes returns the model-code-like words of s: split on whitespace,
// commas, semicolons, slashes and parentheses (not on hyphens: "M874-2"
// is one code), compacted to alphanumerics, keeping those with both a
// letter and a digit and at least three characters, and numbers joined by
// hyphens ("852-303", "315-2").
func codes(s string) []string {
	f := strings.FieldsFunc(fold(s), func(r rune) bool {
		return r == ' ' || r == ',' || r == ';' || r == '/' || r == '(' || r == ')' || r == '\t'
	})
	var out []string
	for _, w := range f {
		c := compact(tokens(w))
		if len(c) >= 3 && hasLetter(c) && hasDigit(c) || len(c) >= 4 && hyphenNumber(w) {
			out = append(out, c)
		}
	}
	return out
}

// hyphenNumber reports whether w is numbers joined by hyphens ("852-303").
func hyphenNumber(w string) bool {
	parts := strings.Split(w, "-")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.TrimLeft(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

// alternatives splits an advisory product name into the names it lists:
// the text outside parentheses and each comma- or semicolon-separated
// item inside them. "running …" tails are dropped.
func alternatives(name string) []string {
	var outside, inside strings.Builder
	depth := 0
	var items []string
	for _, r := range name {
		switch {
		case r == '(':
			depth++
			if depth == 1 {
				inside.Reset()
				continue
			}
		case r == ')' && depth > 0:
			depth--
			if depth == 0 {
				items = append(items, strings.FieldsFunc(inside.String(), func(r rune) bool { return r == ',' || r == ';' })...)
				continue
			}
		}
		if depth > 0 {
			inside.WriteRune(r)
		} else {
			outside.WriteRune(r)
		}
	}
	main := outside.String()
	if i := text.IndexFold(main, " running "); i >= 0 {
		main = main[:i]
	}
	return append([]string{main}, items...)
}

// addsDesignation reports whether the advisory's name (tokens adv) is the
// device's model (tokens dev, with a model number) followed by the
// designation of a variant: one or two words of three or more letters
// that name no class ("SIMATIC CP 343-1 Advanced", "SIMATIC S7-1500 CPU
// 1518-4 PN/DP MFP", "CP 1243-7 LTE EU"). The model without it is another
// module of the family.
func addsDesignation(adv, dev []string) bool {
	k := len(dev)
	if k == 0 || k >= len(adv) || len(adv)-k > 2 || !slices.Equal(adv[:k], dev) || !hasDigitToken(dev) {
		return false
	}
	t := adv[k]
	return !hasDigit(t) && len(t) >= 3 && !genericWord(t) && !fillerWord(t) && !companionWord(t)
}

func withoutGeneric(ts []string) []string {
	var out []string
	for i, t := range ts {
		if !genericWord(t) && !trailingClass(ts, i) {
			out = append(out, t)
		}
	}
	return out
}

// trailingClass reports whether ts[i] is a class word written after the
// model that is no class word elsewhere: "drive" (or "drives") ending a
// name after a word with a digit ("SINAMICS PERFECT HARMONY GH180 Drives",
// "9000X Drive"), where "SIMATIC Drive Controller" and "ABB Drive
// Composer" use the word to name the product.
//
// "HMI" ending a name, and "relay" after a word with a digit, are class
// words an owner adds after the product ("myPRO HMI", "Easergy P5
// relay", "D60 relay"); elsewhere they name a line ("SIMATIC HMI KTP
// Mobile Panels", "Universal Relay", "469 Motor Protection Relay").
func trailingClass(ts []string, i int) bool {
	if i != len(ts)-1 || i == 0 {
		return false
	}
	switch ts[i] {
	case "drive", "drives", "relay":
		return hasDigit(ts[i-1])
	case "hmi":
		return true
	}
	return false
}

// lettersDigits splits a compact code into its letter and digit runs.
func lettersDigits(c string) (letters, digits []string) {
	for i := 0; i < len(c); {
		j := i
		if isDigit(c[i]) {
			for j < len(c) && isDigit(c[j]) {
				j++
			}
			digits = append(digits, strings.TrimLeft(c[i:j], "0"))
		} else {
			for j < len(c) && !isDigit(c[j]) {
				j++
			}
			letters = append(letters, c[i:j])
		}
		i = j
	}
	return letters, digits
}

// abbreviates reports whether short is an abbreviation of long: same first
// letter, and its letters appear in order in long ("ir" of "inrouter").
func abbreviates(short, long string) bool {
	if len(short) == 0 || len(short) >= len(long) || short[0] != long[0] {
		return false
	}
	j := 0
	for i := 0; i < len(long) && j < len(short); i++ {
		if long[i] == short[j] {
			j++
		}
	}
	return j == len(short)
}

// otherSeriesLetters reports whether two names that differ only in letters
// write a series designation of letters and the model number in one word
// each, one's letters extending the other's ("xc208" of "SCALANCE XC208",
// "x208" of "SCALANCE X208"; "gh150" and "g150"; "rsl910" and "rs910"):
// the corpus writes such pairs for distinct products of one vendor
// (SCALANCE X, XB, XC, XF and XP switches; SINAMICS G150 and GH150,
// S150 and SH150, SL150 and SM150; RUGGEDCOM RS910 and RSL910; GE D60 and
// DR60), never for one product. A number word without letters ("Optima
// 320", "VxWorks 7") or extra letters in a word of their own
// ("WirelessHART 1410", "Modicon M340") is left to the abbreviation rule.
func otherSeriesLetters(a, d []string) bool {
	wa, wd := numberWord(a), numberWord(d)
	if wa == "" || wd == "" || isDigit(wa[0]) || isDigit(wd[0]) {
		return false
	}
	la, da := lettersDigits(wa)
	ld, dd := lettersDigits(wd)
	if len(da) == 0 || len(dd) == 0 || da[0] != dd[0] {
		return false
	}
	short, long := la[0], ld[0]
	if len(short) > len(long) {
		short, long = long, short
	}
	return short != long && strings.HasPrefix(long, short)
}

// numberWord is the first word of ts holding a digit.
func numberWord(ts []string) string {
	for _, t := range ts {
		if hasDigit(t) {
			return t
		}
	}
	return ""
}

// fitsWildcard reports whether code fits a pattern whose "x" stand for
// digits ("6xx" fits "615", "m87x" fits "m874"). A word that is only x
// is a letter, not a placeholder: the X of "SCALANCE X-200" is the
// family's name, and a switch's "-2" does not fit it. So is an x that
// starts a word before a digit: placeholders stand for the digits after a
// stem, while "SCALANCE X200", "Modicon X80" and "IntelliVue X2" write a
// series letter before the number (every such word of the 2017–2020
// product names), so "x200" is not "1200" of an S7-1200.
func fitsWildcard(pattern, code string) bool {
	if strings.Trim(pattern, "x") == "" || !strings.Contains(pattern, "x") || len(pattern) != len(code) || !hasDigit(pattern) && !strings.HasSuffix(pattern, "x") {
		return false
	}
	letter := len(pattern) > 1 && pattern[0] == 'x' && isDigit(pattern[1])
	wild := false
	for i := 0; i < len(pattern); i++ {
		p, c := pattern[i], code[i]
		switch {
		case p == 'x' && isDigit(c) && !(i == 0 && letter):
			wild = true
		case p != c:
			return false
		}
	}
	return wild
}

// MatchModel compares the product name an advisory gives with a device's
// registered model, for devices known only by strings (the vendor is
// compared separately with VendorKey). It is deliberately conservative: a
// shared generic word ("Thermostat") or a different model number never
// matches. The reason names the rule and its evidence.
func MatchModel(advisoryProductName, deviceModel string) (ok bool, confidence float64, reason string) {
	a, d := tokens(advisoryProductName), tokens(deviceModel)
	if len(a) == 0 || len(d) == 0 {
		return false, 0, "empty name"
	}
	ca, cd := compact(a), compact(d)
	if ca == cd {
		return true, ConfExact, fmt.Sprintf("exact: normalised names equal (%q)", ca)
	}
	alts := alternatives(advisoryProductName)
	for _, alt := range alts[1:] {
		if c := compact(tokens(alt)); c != "" && c == cd {
			return true, ConfListed, fmt.Sprintf("listed: advisory lists model %q", strings.TrimSpace(alt))
		}
	}
	if c := compact(tokens(alts[0])); c == cd {
		if len(alts) > 1 && !hasDigit(c) {
			// "Airlink Router (ES450, GX450)": the device names only the
			// family, the advisory lists models of it.
			return true, ConfSeries, fmt.Sprintf("series: device names the family %q; the advisory lists models %q", strings.TrimSpace(alts[0]), alts[1:])
		}
		return true, ConfListed, fmt.Sprintf("listed: advisory names %q", strings.TrimSpace(alts[0]))
	}
	ga, gd := compact(withoutGeneric(tokens(alts[0]))), compact(withoutGeneric(d))
	if ga != "" && ga == gd && (hasDigit(ga) || len(ga) >= 4) {
		return true, ConfGeneric, fmt.Sprintf("generic words ignored: %q", ga)
	}
	ac, dc := codes(advisoryProductName), codes(deviceModel)
	for _, x := range ac {
		if x == cd {
			return true, ConfCode, fmt.Sprintf("model code: device model %q appears in advisory product %q", deviceModel, advisoryProductName)
		}
	}
	for _, x := range dc {
		if x == ga && ga != "" {
			return true, ConfCode, fmt.Sprintf("model code: advisory product %q appears in device model %q", ga, deviceModel)
		}
	}
	// Codes in both names: every code of the device must be one of the
	// advisory's ("S7-300" alone does not make a CPU 315-2 DP a CPU 315-2
	// PN/DP), and the advisory must not name a variant of the model.
	if len(dc) > 0 && !addsDesignation(tokens(alts[0]), d) {
		all := true
		for _, x := range dc {
			if !slices.Contains(ac, x) {
				all = false
				break
			}
		}
		if all && len(dc) >= 1 && (len(dc) > 1 || len(dc[0]) >= 5) {
			return true, ConfCode, fmt.Sprintf("model codes %q all in %q", dc, advisoryProductName)
		}
	}
	// Patterns with x wildcards.
	for _, t := range append(tokens(advisoryProductName), ca) {
		for _, x := range append(append(dc, cd), d...) {
			if fitsWildcard(t, x) {
				return true, ConfWildcard, fmt.Sprintf("wildcard: model %q fits advisory pattern %q", x, t)
			}
		}
	}
	// Abbreviated series name with the same model number: "InRouter 302" / "IR302".
	// Not when both names write series letters in the number's word and
	// one extends the other's ("SCALANCE XC208" / "SCALANCE X208"): those
	// are two series.
	if la, da := lettersDigits(ga); len(da) > 0 {
		if ld, dd := lettersDigits(gd); len(dd) > 0 && strings.Join(da, ".") == strings.Join(dd, ".") &&
			len(la) == 1 && len(ld) == 1 && (abbreviates(ld[0], la[0]) || abbreviates(la[0], ld[0])) &&
			!otherSeriesLetters(withoutGeneric(tokens(alts[0])), withoutGeneric(d)) {
			return true, ConfAbbreviated, fmt.Sprintf("abbreviated: %q and %q share model number %s", ga, gd, strings.Join(da, "."))
		}
	}
	// A named series: "DSM Series", "RUT model routers" and a model "DSM-150", "RUT955".
	for i, t := range a {
		if i+1 >= len(a) || (a[i+1] != "series" && a[i+1] != "model" && a[i+1] != "models") {
			continue
		}
		if len(t) < 2 || hasDigit(t) || genericWord(t) {
			continue
		}
		for _, x := range append(dc, cd) {
			if strings.HasPrefix(x, t) && len(x) > len(t) && isDigit(x[len(t)]) {
				return true, ConfSeries, fmt.Sprintf("series: model %q belongs to advisory series %q", x, t)
			}
		}
	}
	return false, 0, "no rule matched"
}
