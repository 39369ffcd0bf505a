// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vrange

import (
	"regexp"
	"strings"

	"vigil/internal/match/purl"
	"vigil/internal/match/version"
)

// Contains reports whether version v lies in the range. ok is false when
// the range was not understood or v cannot be compared in its scheme; the
// conditions are not checked (see Unchecked and AppliesTo).
func (r Range) Contains(v string) (in, ok bool) {
	if !r.Understood() {
		return false, false
	}
	if r.All {
		return true, true
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return false, false
	}
	if r.vers != "" {
		in, err := purl.ContainsString(r.vers, v)
		return in, err == nil
	}
	cs := r.Constraints
	for i := 0; i < len(cs); i++ {
		c := cs[i]
		if c.Op.lower() && i+1 < len(cs) && cs[i+1].Op.upper() {
			lo, ok1 := r.sat(v, c)
			hi, ok2 := r.sat(v, cs[i+1])
			if !ok1 || !ok2 {
				return false, false
			}
			if lo && hi {
				return true, true
			}
			i++
			continue
		}
		s, ok := r.sat(v, c)
		if !ok {
			return false, false
		}
		if s {
			return true, true
		}
	}
	return false, true
}

// Fixed returns the first version the range no longer covers after v: the
// exclusive upper bound of the interval v lies in, if any.
func (r Range) Fixed(v string) string {
	if !r.Understood() || r.All {
		return ""
	}
	cs := r.Constraints
	for i, c := range cs {
		if c.Op != Lt {
			continue
		}
		if s, ok := r.sat(v, c); ok && s && (i == 0 || !cs[i-1].Op.lower() || r.satOK(v, cs[i-1])) {
			return c.Version
		}
	}
	return ""
}

func (r Range) satOK(v string, c Constraint) bool {
	s, ok := r.sat(v, c)
	return s && ok
}

// sat reports whether v satisfies one constraint.
func (r Range) sat(v string, c Constraint) (bool, bool) {
	if r.Aka != "" && akaApplies(c.Version, v) {
		c.Version = r.Aka // "1.4.8.100" against "2018 SP1 (Version 1.4.7.602)"
	}
	if r.Firmware != "" && !sameMajor(v, c.Version) {
		c.Version = r.Firmware // "1.44" against "< 12.4 (firmware 1.46)"
	}
	if r.Scheme != SchemeVendor {
		d, err := purl.CompareVersions(r.Scheme, v, c.Version)
		if err != nil {
			return false, false
		}
		return opHolds(c.Op, d), true
	}
	return vendorSat(v, c), true
}

// akaApplies reports whether version v is compared with the bound's Aka
// instead of the bound: a version not written as a release year against a
// release-year bound ("1.8.0" against "2017 (1.9.0)"), or a build number
// against a bound with qualifiers ("2.1.650" against "V2.1 SP3 (2.1.670)";
// "V2.1 SP2" is compared with the bound).
func akaApplies(bound, v string) bool {
	v = strings.TrimSpace(v)
	if yearLedRE.MatchString(strings.TrimSpace(bound)) {
		return !yearLedRE.MatchString(v)
	}
	return buildRE.MatchString(v)
}

// sameMajor reports whether versions a and b start with the same number.
func sameMajor(a, b string) bool {
	x, ok1 := leadingNumber(strings.TrimLeft(strings.TrimSpace(a), "vV"))
	y, ok2 := leadingNumber(strings.TrimLeft(strings.TrimSpace(b), "vV"))
	return ok1 && ok2 && cmpDecimal(x, y) == 0
}

var (
	compactMinorRE = regexp.MustCompile(`^([vV]?\d+)\.(\d)(\d)$`)
	dottedRE       = regexp.MustCompile(`^[vV]?\d+\.\d\.\d+(?:\.\d+)*$`)
)

// dottedMinor writes bound b the way v is written when the vendor packs a
// minor and a patch into two digits: against a version of three or more
// parts with a one-digit minor ("3.4.1", "9.1.1"), a bound of two parts
// with a two-digit minor ("3.40", "9.02") is that minor and patch ("3.4.0",
// "9.0.2"). Omron released CX-Supervisor 3.4.1 after "3.40 and prior" and
// 3.5.0.11 after "3.42"; Advantech WebAccess 9.1.1 after "9.02".
func dottedMinor(b, v string) string {
	m := compactMinorRE.FindStringSubmatch(strings.TrimSpace(b))
	if m == nil || !dottedRE.MatchString(strings.TrimSpace(v)) {
		return b
	}
	return m[1] + "." + m[2] + "." + m[3]
}

func opHolds(op Op, d int) bool {
	switch op {
	case Lt:
		return d < 0
	case Le:
		return d <= 0
	case Gt:
		return d > 0
	case Ge:
		return d >= 0
	}
	return d == 0
}

var (
	fwIndexRE  = regexp.MustCompile(`(?i)^fw\s*0*(\d+)$`)
	verIndexRE = regexp.MustCompile(`\(0*(\d+)\)\s*$`)
)

// vendorSat compares in the vendor-tolerant order with wildcards and WAGO
// firmware indexes.
func vendorSat(v string, c Constraint) bool {
	b := c.Version
	// "< FW14" against "03.02.02(14)": the index in parentheses is the FW
	// number.
	if m := fwIndexRE.FindStringSubmatch(b); m != nil {
		if n := verIndexRE.FindStringSubmatch(v); n != nil {
			return opHolds(c.Op, cmpDecimal(n[1], m[1]))
		}
	}
	if letterVersion(b) {
		// Letter versions ("W", "N"): alphabetical; a revision of a
		// letter release ("L.01", "N.00.03") is in that release.
		if l := letterRelease(v); l != "" {
			return opHolds(c.Op, strings.Compare(strings.ToUpper(l), strings.ToUpper(strings.TrimSpace(b))))
		}
	}
	if hasWildcard(b) {
		return wildcardSat(v, c)
	}
	if major, ok := bareMajor(b); ok {
		// A bound that is a bare number names a release line: "33 and
		// prior" holds 33.011, "versions 10 and 11" hold 10.1.
		if vm, ok := leadingNumber(v); ok {
			return opHolds(c.Op, cmpDecimal(vm, major))
		}
	}
	b = dottedMinor(b, v)
	pv, pb := version.Parse(v), version.Parse(b)
	d := version.Compare(pv, pb)
	if !pb.HasBuild() && pv.HasBuild() {
		// A bound that names no build ignores the build of v.
		d = version.CompareNoBuild(pv, pb)
	}
	return opHolds(c.Op, d)
}

// letterVersion reports whether s is a version of one or two letters
// ("W", "N", "AB").
func letterVersion(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 2 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// bareMajor reports whether a bound is a bare number ("33", "V10"),
// returning it.
func bareMajor(b string) (string, bool) {
	b = strings.TrimSpace(b)
	if len(b) > 1 && (b[0] == 'V' || b[0] == 'v') {
		b = b[1:]
	}
	if b == "" || strings.TrimLeft(b, "0123456789") != "" {
		return "", false
	}
	return b, true
}

// leadingNumber returns the first number of a version ("V33.011" → "33").
func leadingNumber(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if len(v) > 1 && (v[0] == 'V' || v[0] == 'v') {
		v = v[1:]
	}
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	return v[:i], i > 0
}

// letterRelease returns the letter release of a version: the version
// itself when it is letters ("W"), its leading letters before a dot or
// hyphen ("L.01" → "L"), else "".
func letterRelease(v string) string {
	v = strings.TrimSpace(v)
	if letterVersion(v) {
		return v
	}
	if i := strings.IndexAny(v, ".-"); i > 0 && letterVersion(v[:i]) && i+1 < len(v) && v[i+1] >= '0' && v[i+1] <= '9' {
		return v[:i]
	}
	return ""
}

func cmpDecimal(a, b string) int { return version.CompareNumbers([]string{a}, []string{b}) }

// hasWildcard reports whether a bound has an "x" or "*" standing for a
// component: "1.5.x", "12.2.x.x", "V3.X.17", "2.3x", "8.1x", "1.2.*".
func hasWildcard(b string) bool {
	for _, comp := range splitComponents(b) {
		if comp.wild {
			return true
		}
	}
	return false
}

// component is one dot-separated piece of a bound's release: its digits
// and whether it ends in a wildcard ("3x": digits "3", wild).
type component struct {
	digits string
	wild   bool
}

// splitComponents reads the release part of a bound: "V3.X.17" → [3, x,
// 17]; "2.3x" → [2, 3x]; "12.2.x.x" → [12, 2, x, x]. Text after the
// release (qualifiers) stops it.
func splitComponents(b string) []component {
	s := strings.TrimSpace(b)
	// Drop a leading label ("V", "R").
	i := 0
	for i < len(s) && (s[i] < '0' || s[i] > '9') && s[i] != '*' {
		if s[i] == 'x' || s[i] == 'X' {
			break
		}
		i++
	}
	if i > 2 {
		return nil
	}
	s = s[i:]
	var out []component
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == '.' || r == '-' }) {
		p = strings.TrimSpace(p)
		j := 0
		for j < len(p) && p[j] >= '0' && p[j] <= '9' {
			j++
		}
		rest := p[j:]
		switch {
		case rest == "x" || rest == "X" || rest == "*" || strings.EqualFold(rest, "xx"):
			out = append(out, component{digits: p[:j], wild: true})
		case rest == "" && j > 0:
			out = append(out, component{digits: p})
		default:
			return out
		}
	}
	return out
}

// wildcardSat compares v with a bound holding wildcards. A wildcard
// inside the release takes v's own component; trailing wildcards make the
// bound a prefix: "= 1.5.x" is every 1.5 version, "<= 12.2.x.x" every
// version up to the 12.2 line, "< 3.x" everything below 3, "> 2.3x"…
// glued digits ("2.3x") spread over 30–39.
func wildcardSat(v string, c Constraint) bool {
	comps := splitComponents(c.Version)
	vr := version.Parse(v).Release()
	// Trailing wildcards: the number of components compared.
	n := len(comps)
	for n > 0 && comps[n-1].wild && comps[n-1].digits == "" {
		n--
	}
	lowBound := make([]string, 0, len(comps))
	highBound := make([]string, 0, len(comps))
	for i := 0; i < n; i++ {
		cp := comps[i]
		switch {
		case cp.wild && cp.digits == "":
			// Inside: v's own component.
			x := "0"
			if i < len(vr) {
				x = vr[i]
			}
			lowBound = append(lowBound, x)
			highBound = append(highBound, x)
		case cp.wild:
			lowBound = append(lowBound, cp.digits+"0")
			highBound = append(highBound, cp.digits+"9")
		default:
			lowBound = append(lowBound, cp.digits)
			highBound = append(highBound, cp.digits)
		}
	}
	prefix := vr
	if len(prefix) > n {
		prefix = prefix[:n]
	}
	lo := version.CompareNumbers(prefix, lowBound)
	hi := version.CompareNumbers(prefix, highBound)
	switch c.Op {
	case Lt:
		return lo < 0
	case Le:
		return hi <= 0
	case Gt:
		return hi > 0
	case Ge:
		return lo >= 0
	}
	return lo >= 0 && hi <= 0
}
