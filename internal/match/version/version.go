// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package version is a vendor-tolerant version scheme for device firmware and
// other strings that follow no published scheme: "V5.1.2 build 230512",
// "1.0.24_rc2", "v2.0.0-beta.1", "R7.2.1.5", "1.0.2k", "20230512",
// "1.0.0 (Build 12)".
//
// A version is read as three parts:
//
//   - the release: the leading run of numbers ("5.1.2", "1.00-06" → 1.0.6),
//     with trailing zeros insignificant (1.0 == 1.0.0);
//   - qualifiers after it: pre-release words (dev, snapshot, alpha/a,
//     beta/b, milestone/m, pre/preview, rc/cr) sort BEFORE the release,
//     everything else (p, patch, sp, update, hotfix, openssl-style letters
//     "k", unknown words) sorts after it; each qualifier may carry numbers.
//     Service packs contain updates, updates contain hot fixes and patches
//     ("V7.4 Update 3" < "V7.4 SP1" < "V7.4 SP1 Upd 11" < "V7.4 SP2"), and
//     the vendors' spellings are one word (Upd, U, QU, CU, RU → update;
//     "Service Pack" → sp; Hotfix → hf);
//   - a build: the numbers after "build"/"bld" or after "+".
//
// Leading text before the first digit ("V", "R", "FW ", "Version ") is a
// label, not part of the version. Comparison is case-insensitive.
//
// [Compare] is a total order (antisymmetric and transitive): a version
// without a build sorts before the same version with one. [InRange] is
// build-tolerant instead: a bound that names no build ignores the build of
// the version, so "5.1.2 build 230512" is within "<= 5.1.2".
package version

import (
	"slices"
	"strings"
)

// Version is a parsed version. The zero value is the empty version, which
// sorts before every other.
type Version struct {
	raw     string
	release []string // canonical decimal numbers, trailing zeros trimmed
	quals   []qual
	build   []string // canonical decimal numbers
}

type qual struct {
	rank int      // < 0 pre-release, > 0 post-release
	word string   // lower-case word; "" for a bare number group
	nums []string // canonical decimal numbers, trailing zeros trimmed
}

// Pre- and post-release ranks. The release itself is 0.
const (
	rankDev       = -6
	rankAlpha     = -5
	rankBeta      = -4
	rankMilestone = -3
	rankPre       = -2
	rankRC        = -1
	rankNumber    = 1 // a bare number group after a qualifier
	rankPost      = 2 // known post-release words
	rankLetter    = 3 // openssl-style letter glued to the release ("1.0.2k")
	rankWord      = 4 // unknown words
)

// wordRank maps a qualifier word to its rank and canonical spelling
// ("a" → "alpha"); words not listed are rankWord. Neutral words (release,
// final, ga, stable) are dropped.
func wordRank(w string) (rank int, canon string, neutral bool) {
	switch w {
	case "dev", "snapshot", "nightly":
		return rankDev, "dev", false
	case "alpha", "a":
		return rankAlpha, "alpha", false
	case "beta", "b":
		return rankBeta, "beta", false
	case "milestone", "m":
		return rankMilestone, "m", false
	case "pre", "preview", "pr":
		return rankPre, "pre", false
	case "rc", "cr":
		return rankRC, "rc", false
	case "release", "final", "ga", "stable", "rel":
		return 0, "", true
	case "p", "patch", "pl", "post":
		return rankPost, "p", false
	case "sp", "servicepack":
		return rankPost, "sp", false
	case "hf", "hotfix", "fix":
		return rankPost, "hf", false
	case "update", "upd", "u", "cu", "qu", "ru", "uc":
		return rankPost, "update", false
	case "fp", "mp", "sr", "rev", "r":
		return rankPost, w, false
	}
	return rankWord, w, false
}

// postLevel orders post-release words the way vendors nest them: a service
// (feature, maintenance) pack contains updates, an update contains hot
// fixes and patches, so "V7.4 SP1" is after "V7.4 Update 3" and "V4.8 SP1"
// after "V4.8 HF4".
func postLevel(word string) int {
	switch word {
	case "sp", "fp", "mp", "sr":
		return 3
	case "update":
		return 2
	}
	return 1
}

type token struct {
	s     string
	num   bool
	glued bool // directly follows the previous token without a separator
	sep   byte // the separator before the token (0 at the start or when glued)
}

func tokenize(s string) []token {
	var toks []token
	glued := false
	var sep byte
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case isDigit(c):
			j := i
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			toks = append(toks, token{s: s[i:j], num: true, glued: glued, sep: sep})
			sep = 0
			i = j
			glued = true
		case isLetter(c):
			j := i
			for j < len(s) && isLetter(s[j]) {
				j++
			}
			toks = append(toks, token{s: s[i:j], glued: glued, sep: sep})
			sep = 0
			i = j
			glued = true
		case c == '+':
			toks = append(toks, token{s: "+"})
			sep = 0
			i++
			glued = false
		default: // separators: . - _ ~ space ( ) / , : and any other byte
			if sep == 0 || c != ' ' {
				sep = c
			}
			i++
			glued = false
		}
	}
	return toks
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' }

// canonNum strips leading zeros ("007" → "7", "000" → "0").
func canonNum(s string) string {
	s = strings.TrimLeft(s, "0")
	if s == "" {
		return "0"
	}
	return s
}

func trimZeros(nums []string) []string {
	for len(nums) > 0 && nums[len(nums)-1] == "0" {
		nums = nums[:len(nums)-1]
	}
	return nums
}

// Parse reads s as a version. It never fails: text it cannot place becomes
// a post-release word, so two different strings still compare
// deterministically.
func Parse(s string) Version {
	v := Version{raw: s}
	toks := tokenize(strings.ToLower(s))
	// Drop a leading label before the first number ("v", "fw", "version").
	first := -1
	for i, t := range toks {
		if t.num {
			first = i
			break
		}
		if t.s == "+" {
			break
		}
	}
	if first > 0 {
		toks = toks[first:]
	}
	i := 0
	for i < len(toks) && toks[i].num {
		if dateBuild(toks, i) {
			// "1.3.5_20190129": the build the vendor writes after an
			// underscore, as "1.3.5 Build 20190129" writes it after a word.
			v.build = append(v.build, canonNum(toks[i].s))
			i++
			break
		}
		v.release = append(v.release, canonNum(toks[i].s))
		i++
	}
	v.release = trimZeros(v.release)
	for i < len(toks) {
		t := toks[i]
		if t.s == "+" || t.s == "build" || t.s == "bld" {
			for _, b := range toks[i+1:] {
				if b.num {
					v.build = append(v.build, canonNum(b.s))
				}
			}
			break
		}
		if t.num {
			// A number group after a qualifier: "1.0-rc1.2" → rc [1 2] was
			// consumed below; reaching here means a number after a neutral
			// word or after the build marker was absent.
			q := qual{rank: rankNumber}
			for i < len(toks) && toks[i].num {
				q.nums = append(q.nums, canonNum(toks[i].s))
				i++
			}
			q.nums = trimZeros(q.nums)
			if len(q.nums) > 0 {
				v.quals = append(v.quals, q)
			}
			continue
		}
		if t.s == "service" && i+1 < len(toks) && toks[i+1].s == "pack" {
			i++ // "Service Pack 1": one word
			t.s = "sp"
		}
		rank, word, neutral := wordRank(t.s)
		if !neutral && len(t.s) == 1 && t.glued && i > 0 && toks[i-1].num &&
			(i+1 >= len(toks) || !toks[i+1].num || !toks[i+1].glued) {
			// "1.0.2k": a single letter glued to a number and not followed
			// by a glued number is an openssl-style patch letter.
			rank, word = rankLetter, t.s
		}
		i++
		var nums []string
		for i < len(toks) && toks[i].num {
			nums = append(nums, canonNum(toks[i].s))
			i++
		}
		if neutral {
			if len(nums) > 0 {
				v.quals = append(v.quals, qual{rank: rankNumber, nums: trimZeros(nums)})
			}
			continue
		}
		v.quals = append(v.quals, qual{rank: rank, word: word, nums: trimZeros(nums)})
	}
	return v
}

// dateBuild reports whether toks[i] is a build number written after an
// underscore: the last token, of six digits or more, after a release of
// two numbers or more.
func dateBuild(toks []token, i int) bool {
	return i >= 2 && i == len(toks)-1 && toks[i].sep == '_' && len(toks[i].s) >= 6
}

// String returns the string the version was parsed from.
func (v Version) String() string { return v.raw }

// Canonical returns a normalised spelling: release numbers joined by dots,
// qualifiers joined by "-", and the build after "+", e.g.
// "V5.1.2 build 230512" → "5.1.2+230512", "1.0.24_rc2" → "1.0.24-rc2".
// Two versions compare equal exactly when their canonical forms are equal.
func (v Version) Canonical() string {
	var b strings.Builder
	if len(v.release) == 0 {
		b.WriteString("0")
	}
	b.WriteString(strings.Join(v.release, "."))
	for _, q := range v.quals {
		if q.rank != rankLetter {
			b.WriteByte('-')
		}
		b.WriteString(q.word)
		b.WriteString(strings.Join(q.nums, "."))
	}
	if len(v.build) > 0 {
		b.WriteByte('+')
		b.WriteString(strings.Join(v.build, "."))
	}
	return b.String()
}

// IsPrerelease reports whether the version carries a pre-release qualifier
// (alpha, beta, rc, …).
func (v Version) IsPrerelease() bool {
	for _, q := range v.quals {
		if q.rank < 0 {
			return true
		}
	}
	return false
}

// Release returns the release numbers of the version, canonical (no
// leading zeros) and without trailing zeros: "V3.02.10" → [3 2 10].
func (v Version) Release() []string { return slices.Clone(v.release) }

// CompareNoBuild compares a and b as Compare does, ignoring their builds:
// how a bound that names no build judges a version that has one.
func CompareNoBuild(a, b Version) int { return compareNoBuild(a, b) }

// HasBuild reports whether the version names a build number.
func (v Version) HasBuild() bool { return len(v.build) > 0 }

// cmpNum compares two canonical decimal numbers of any length.
func cmpNum(a, b string) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// CompareNumbers compares lists of decimal numbers ("4", "012"), leading
// zeros ignored and missing entries counting as zero: -1, 0 or +1.
func CompareNumbers(a, b []string) int {
	trim := func(xs []string) []string {
		out := make([]string, len(xs))
		for i, x := range xs {
			if out[i] = strings.TrimLeft(x, "0"); out[i] == "" {
				out[i] = "0"
			}
		}
		return out
	}
	return cmpNums(trim(a), trim(b))
}

// cmpNums compares number lists, missing entries counting as zero.
func cmpNums(a, b []string) int {
	for i := 0; i < len(a) || i < len(b); i++ {
		x, y := "0", "0"
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if c := cmpNum(x, y); c != 0 {
			return c
		}
	}
	return 0
}

func cmpQual(a, b qual) int {
	if a.rank != b.rank {
		if a.rank < b.rank {
			return -1
		}
		return 1
	}
	if a.rank == rankPost && a.word != b.word {
		if la, lb := postLevel(a.word), postLevel(b.word); la != lb {
			if la < lb {
				return -1
			}
			return 1
		}
	}
	if c := strings.Compare(a.word, b.word); c != 0 {
		return c
	}
	return cmpNums(a.nums, b.nums)
}

// Compare returns -1, 0 or +1 as a sorts before, equal to or after b.
func Compare(a, b Version) int {
	if c := compareNoBuild(a, b); c != 0 {
		return c
	}
	return cmpBuild(a.build, b.build)
}

func compareNoBuild(a, b Version) int {
	if c := cmpNums(a.release, b.release); c != 0 {
		return c
	}
	for i := 0; i < len(a.quals) || i < len(b.quals); i++ {
		x, y := qual{}, qual{} // the release itself: rank 0
		if i < len(a.quals) {
			x = a.quals[i]
		}
		if i < len(b.quals) {
			y = b.quals[i]
		}
		if c := cmpQual(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// cmpBuild orders builds lexicographically; no build sorts first.
func cmpBuild(a, b []string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := cmpNum(a[i], b[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return 0
}

// CompareStrings parses both strings and compares them.
func CompareStrings(a, b string) int { return Compare(Parse(a), Parse(b)) }

// compareBound compares v with a bound, ignoring v's build when the bound
// names none.
func compareBound(v, bound Version) int {
	if len(bound.build) == 0 {
		return compareNoBuild(v, bound)
	}
	return Compare(v, bound)
}

// InRange reports whether v lies within the bounds, each given as a version
// string where "" means unbounded: lowIncl (>=), lowExcl (>), highIncl (<=),
// highExcl (<) — the four NVD versionStart/End fields. A bound that names no
// build ignores v's build (see the package comment).
func InRange(v, lowIncl, lowExcl, highIncl, highExcl string) bool {
	return (*Cache)(nil).InRange(v, lowIncl, lowExcl, highIncl, highExcl)
}

// Cache keeps the versions one goroutine parsed, for a matcher that
// compares many targets with the same bounds (a full re-match parses the
// same few hundred bounds millions of times otherwise). It holds at most
// maxCached versions, starting again when full. A nil *Cache parses every
// time. Not safe for concurrent use.
type Cache struct{ m map[string]Version }

// maxCached bounds a Cache.
const maxCached = 1 << 14

// Parse is Parse(s), parsed once while it stays in the cache. The
// version returned shares its parts with the cached one: they are never
// modified.
func (c *Cache) Parse(s string) Version {
	if c == nil {
		return Parse(s)
	}
	if v, ok := c.m[s]; ok {
		return v
	}
	v := Parse(s)
	if c.m == nil {
		c.m = map[string]Version{}
	} else if len(c.m) >= maxCached {
		clear(c.m)
	}
	c.m[s] = v
	return v
}

// InRange is InRange with the versions parsed through c.
func (c *Cache) InRange(v, lowIncl, lowExcl, highIncl, highExcl string) bool {
	pv := c.Parse(v)
	if lowIncl != "" && compareBound(pv, c.Parse(lowIncl)) < 0 {
		return false
	}
	if lowExcl != "" && compareBound(pv, c.Parse(lowExcl)) <= 0 {
		return false
	}
	if highIncl != "" && compareBound(pv, c.Parse(highIncl)) > 0 {
		return false
	}
	if highExcl != "" && compareBound(pv, c.Parse(highExcl)) >= 0 {
		return false
	}
	return true
}
