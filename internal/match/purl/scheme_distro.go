// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package purl

import (
	"errors"
	"fmt"
	"strings"
)

// ---- Debian (dpkg) ----

type debVersion struct{ epoch, upstream, revision string }

func parseDebian(v string) (debVersion, error) {
	s := strings.TrimSpace(v)
	var d debVersion
	if i := strings.IndexByte(s, ':'); i >= 0 {
		if !allDigits(s[:i]) {
			return debVersion{}, errors.New("epoch is not a number")
		}
		d.epoch, s = s[:i], s[i+1:]
	}
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		d.upstream, d.revision = s[:i], s[i+1:]
	} else {
		d.upstream = s
	}
	if d.upstream == "" || !isDigit(d.upstream[0]) {
		return debVersion{}, errors.New("upstream version must start with a digit")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) && !isAlpha(c) && !strings.ContainsRune(".+-~:", rune(c)) {
			return debVersion{}, fmt.Errorf("invalid character %q", c)
		}
	}
	return d, nil
}

func compareDebian(a, b debVersion) int {
	if c := cmpDigits(a.epoch, b.epoch); c != 0 {
		return c
	}
	if c := dpkgVerrevcmp(a.upstream, b.upstream); c != 0 {
		return c
	}
	return dpkgVerrevcmp(a.revision, b.revision)
}

// dpkgOrder is order() of dpkg's lib/dpkg/version.c.
func dpkgOrder(c byte) int {
	switch {
	case isDigit(c):
		return 0
	case isAlpha(c):
		return int(c)
	case c == '~':
		return -1
	case c != 0:
		return int(c) + 256
	}
	return 0
}

// dpkgVerrevcmp is verrevcmp() of dpkg.
func dpkgVerrevcmp(a, b string) int {
	i, j := 0, 0
	at := func(s string, k int) byte {
		if k < len(s) {
			return s[k]
		}
		return 0
	}
	for i < len(a) || j < len(b) {
		firstDiff := 0
		for (i < len(a) && !isDigit(a[i])) || (j < len(b) && !isDigit(b[j])) {
			ac, bc := dpkgOrder(at(a, i)), dpkgOrder(at(b, j))
			if ac != bc {
				return sign(ac - bc)
			}
			i++
			j++
		}
		for i < len(a) && a[i] == '0' {
			i++
		}
		for j < len(b) && b[j] == '0' {
			j++
		}
		for i < len(a) && isDigit(a[i]) && j < len(b) && isDigit(b[j]) {
			if firstDiff == 0 {
				firstDiff = int(a[i]) - int(b[j])
			}
			i++
			j++
		}
		if i < len(a) && isDigit(a[i]) {
			return 1
		}
		if j < len(b) && isDigit(b[j]) {
			return -1
		}
		if firstDiff != 0 {
			return sign(firstDiff)
		}
	}
	return 0
}

// ---- RPM ----

// splitEVR splits "[epoch:]version[-release]".
func splitEVR(s string) (epoch, ver, rel string, hasRel bool) {
	if i := strings.IndexByte(s, ':'); i >= 0 && allDigits(s[:i]) {
		epoch, s = s[:i], s[i+1:]
	}
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		return epoch, s[:i], s[i+1:], true
	}
	return epoch, s, "", false
}

func compareRPMEVR(a, b string) int {
	ae, av, ar, _ := splitEVR(a)
	be, bv, br, _ := splitEVR(b)
	if c := cmpDigits(ae, be); c != 0 {
		return c
	}
	if c := rpmvercmp(av, bv); c != 0 {
		return c
	}
	return rpmvercmp(ar, br)
}

func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }

// rpmvercmp is rpmvercmp() of rpm's rpmio/rpmvercmp.c, with "~" (sorts
// before everything) and "^" (sorts after the base, before anything else).
func rpmvercmp(a, b string) int {
	if a == b {
		return 0
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		for i < len(a) && !isAlnum(a[i]) && a[i] != '~' && a[i] != '^' {
			i++
		}
		for j < len(b) && !isAlnum(b[j]) && b[j] != '~' && b[j] != '^' {
			j++
		}
		// tilde
		if (i < len(a) && a[i] == '~') || (j < len(b) && b[j] == '~') {
			if i >= len(a) || a[i] != '~' {
				return 1
			}
			if j >= len(b) || b[j] != '~' {
				return -1
			}
			i++
			j++
			continue
		}
		// caret
		if (i < len(a) && a[i] == '^') || (j < len(b) && b[j] == '^') {
			if i >= len(a) {
				return -1
			}
			if j >= len(b) {
				return 1
			}
			if a[i] != '^' {
				return 1
			}
			if b[j] != '^' {
				return -1
			}
			i++
			j++
			continue
		}
		if i >= len(a) || j >= len(b) {
			break
		}
		si, sj := i, j
		isnum := isDigit(a[i])
		if isnum {
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
		} else {
			for i < len(a) && isAlpha(a[i]) {
				i++
			}
			for j < len(b) && isAlpha(b[j]) {
				j++
			}
		}
		if sj == j { // different segment types: numeric is newer
			if isnum {
				return 1
			}
			return -1
		}
		x, y := a[si:i], b[sj:j]
		if isnum {
			if c := cmpDigits(x, y); c != 0 {
				return c
			}
		} else if c := strings.Compare(x, y); c != 0 {
			return c
		}
	}
	switch {
	case i >= len(a) && j >= len(b):
		return 0
	case i >= len(a):
		return -1
	}
	return 1
}

// ---- Arch Linux (pacman alpm_pkg_vercmp) ----

func compareALPM(a, b string) int {
	if a == b {
		return 0
	}
	ae, av, ar, aHas := splitEVR(a)
	be, bv, br, bHas := splitEVR(b)
	if ae == "" {
		ae = "0"
	}
	if be == "" {
		be = "0"
	}
	if c := alpmRpmvercmp(ae, be); c != 0 {
		return c
	}
	if c := alpmRpmvercmp(av, bv); c != 0 {
		return c
	}
	if aHas && bHas {
		return alpmRpmvercmp(ar, br)
	}
	return 0
}

// alpmRpmvercmp is rpmvercmp() of pacman's lib/libalpm/version.c.
func alpmRpmvercmp(a, b string) int {
	if a == b {
		return 0
	}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		pi, pj := i, j
		for i < len(a) && !isAlnum(a[i]) {
			i++
		}
		for j < len(b) && !isAlnum(b[j]) {
			j++
		}
		if i >= len(a) || j >= len(b) {
			break
		}
		if i-pi != j-pj {
			if i-pi < j-pj {
				return -1
			}
			return 1
		}
		si, sj := i, j
		isnum := isDigit(a[i])
		if isnum {
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
		} else {
			for i < len(a) && isAlpha(a[i]) {
				i++
			}
			for j < len(b) && isAlpha(b[j]) {
				j++
			}
		}
		if si == i {
			return -1 // cannot happen: a[i] is alnum
		}
		if sj == j {
			if isnum {
				return 1
			}
			return -1
		}
		x, y := a[si:i], b[sj:j]
		if isnum {
			if c := cmpDigits(x, y); c != 0 {
				return c
			}
		} else if c := strings.Compare(x, y); c != 0 {
			return c
		}
	}
	ra, rb := a[min(i, len(a)):], b[min(j, len(b)):]
	if ra == "" && rb == "" {
		return 0
	}
	// The final showdown: a remaining alpha string never beats an empty one.
	if (ra == "" && !(rb != "" && isAlpha(rb[0]))) || (ra != "" && isAlpha(ra[0])) {
		return -1
	}
	return 1
}

// ---- Alpine (apk-tools version.c) ----

const (
	apkInvalid = iota - 1
	apkDigitOrZero
	apkDigit
	apkLetter
	apkSuffix
	apkSuffixNo
	apkRevisionNo
	apkEnd
)

type apkTok struct {
	s string
	t int
}

func (b *apkTok) next() {
	n := apkInvalid
	switch {
	case b.s == "":
		n = apkEnd
	case (b.t == apkDigit || b.t == apkDigitOrZero) && b.s[0] >= 'a' && b.s[0] <= 'z':
		n = apkLetter
	case b.t == apkLetter && isDigit(b.s[0]):
		n = apkDigit
	case b.t == apkSuffix && isDigit(b.s[0]):
		n = apkSuffixNo
	default:
		switch b.s[0] {
		case '.':
			n = apkDigitOrZero
		case '_':
			n = apkSuffix
		case '-':
			if len(b.s) > 1 && b.s[1] == 'r' {
				n = apkRevisionNo
				b.s = b.s[1:]
			}
		}
		b.s = b.s[1:]
	}
	if n < b.t {
		if !((n == apkDigitOrZero && b.t == apkDigit) || (n == apkSuffix && b.t == apkSuffixNo) || (n == apkDigit && b.t == apkLetter)) {
			n = apkInvalid
		}
	}
	b.t = n
}

// get reads one token value (get_token of apk-tools).
func (b *apkTok) get() apkVal {
	if b.s == "" {
		b.t = apkEnd
		return apkVal{}
	}
	var v apkVal
	nt := apkInvalid
	i := 0
	switch b.t {
	case apkDigitOrZero:
		if b.s[0] == '0' {
			for i < len(b.s) && b.s[i] == '0' {
				i++
			}
			nt = apkDigit
			v = apkVal{n: -int64(i)}
			break
		}
		fallthrough
	case apkDigit, apkSuffixNo, apkRevisionNo:
		for i < len(b.s) && isDigit(b.s[i]) {
			i++
		}
		v = apkNumber(b.s[:i])
	case apkLetter:
		v = apkVal{n: int64(b.s[0])}
		i = 1
	case apkSuffix:
		pre := []string{"alpha", "beta", "pre", "rc"}
		post := []string{"cvs", "svn", "git", "hg", "p"}
		found := false
		for k, s := range pre {
			if strings.HasPrefix(b.s, s) {
				i, v, found = len(s), apkVal{n: int64(k - len(pre))}, true
				break
			}
		}
		if !found {
			for k, s := range post {
				if strings.HasPrefix(b.s, s) {
					i, v, found = len(s), apkVal{n: int64(k)}, true
					break
				}
			}
		}
		if !found {
			b.t = apkInvalid
			return apkVal{n: -1}
		}
		nt = apkSuffixNo
	default:
		b.t = apkInvalid
		return apkVal{n: -1}
	}
	b.s = b.s[i:]
	switch {
	case b.s == "":
		b.t = apkEnd
	case nt != apkInvalid:
		b.t = nt
	default:
		b.next()
	}
	return v
}

// apkVal is a token value: a small integer n (negative for pre-release
// suffixes and leading-zero counts), or a decimal number too large for
// int64 in big.
type apkVal struct {
	n   int64
	big string
}

func apkNumber(digits string) apkVal {
	d := strings.TrimLeft(digits, "0")
	if len(d) > 18 {
		return apkVal{big: d}
	}
	var n int64
	for i := 0; i < len(d); i++ {
		n = n*10 + int64(d[i]-'0')
	}
	return apkVal{n: n}
}

func (x apkVal) cmp(y apkVal) int {
	switch {
	case x.big != "" && y.big != "":
		return cmpDigits(x.big, y.big)
	case x.big != "":
		return 1
	case y.big != "":
		return -1
	case x.n < y.n:
		return -1
	case x.n > y.n:
		return 1
	}
	return 0
}

func compareAPK(a, b string) int {
	x, y := &apkTok{s: a, t: apkDigit}, &apkTok{s: b, t: apkDigit}
	var av, bv apkVal
	for x.t == y.t && x.t != apkEnd && x.t != apkInvalid && av.cmp(bv) == 0 {
		av = x.get()
		bv = y.get()
	}
	if c := av.cmp(bv); c != 0 {
		return c
	}
	if x.t == y.t {
		return 0
	}
	// A suffix after a suffix without number ("_alpha_pre2") is read as a
	// suffix, so a trailing pre-release suffix makes the version older
	// (apk-tools 3).
	for _, t := range []*apkTok{x, y} {
		if t.t == apkSuffixNo && strings.HasPrefix(t.s, "_") {
			t.t, t.s = apkSuffix, t.s[1:]
		}
	}
	if x.t == apkSuffix {
		t := *x
		if t.get().cmp(apkVal{}) < 0 {
			return -1
		}
	}
	if y.t == apkSuffix {
		t := *y
		if t.get().cmp(apkVal{}) < 0 {
			return 1
		}
	}
	if x.t > y.t {
		return -1
	}
	if y.t > x.t {
		return 1
	}
	return 0
}

// ---- Gentoo (PMS §3.3 version comparison) ----

type gentooVersion struct {
	nums     []string
	letter   byte
	suffixes []gentooSuffix
	rev      string
}

type gentooSuffix struct {
	kind int // alpha 0, beta 1, pre 2, rc 3, p 5 (none = 4)
	num  string
}

func parseGentoo(v string) (gentooVersion, error) {
	s := strings.TrimSpace(v)
	var g gentooVersion
	if i := strings.LastIndex(s, "-r"); i >= 0 && allDigits(s[i+2:]) {
		g.rev, s = s[i+2:], s[:i]
	}
	i := 0
	for {
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == i {
			return gentooVersion{}, fmt.Errorf("invalid gentoo version %q", v)
		}
		g.nums = append(g.nums, s[i:j])
		i = j
		if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
			i++
			continue
		}
		break
	}
	if i < len(s) && s[i] >= 'a' && s[i] <= 'z' {
		g.letter = s[i]
		i++
	}
	for i < len(s) {
		if s[i] != '_' {
			return gentooVersion{}, fmt.Errorf("invalid gentoo version %q", v)
		}
		i++
		kind := -1
		for k, w := range []string{"alpha", "beta", "pre", "rc", "", "p"} {
			if w != "" && strings.HasPrefix(s[i:], w) {
				kind = k
				i += len(w)
				break
			}
		}
		if kind < 0 {
			return gentooVersion{}, fmt.Errorf("invalid gentoo suffix in %q", v)
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		g.suffixes = append(g.suffixes, gentooSuffix{kind: kind, num: s[i:j]})
		i = j
	}
	return g, nil
}

func compareGentoo(a, b gentooVersion) int {
	if c := cmpDigits(a.nums[0], b.nums[0]); c != 0 {
		return c
	}
	for i := 1; i < len(a.nums) && i < len(b.nums); i++ {
		x, y := a.nums[i], b.nums[i]
		if strings.HasPrefix(x, "0") || strings.HasPrefix(y, "0") {
			x, y = strings.TrimRight(x, "0"), strings.TrimRight(y, "0")
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
		} else if c := cmpDigits(x, y); c != 0 {
			return c
		}
	}
	if c := sign(len(a.nums) - len(b.nums)); c != 0 {
		return c
	}
	if c := sign(int(a.letter) - int(b.letter)); c != 0 {
		return c
	}
	for i := 0; i < len(a.suffixes) || i < len(b.suffixes); i++ {
		x, y := gentooSuffix{kind: 4}, gentooSuffix{kind: 4}
		if i < len(a.suffixes) {
			x = a.suffixes[i]
		}
		if i < len(b.suffixes) {
			y = b.suffixes[i]
		}
		if x.kind != y.kind {
			return sign(x.kind - y.kind)
		}
		if c := cmpDigits(x.num, y.num); c != 0 {
			return c
		}
	}
	return cmpDigits(a.rev, b.rev)
}
