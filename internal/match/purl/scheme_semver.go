// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package purl

import (
	"errors"
	"fmt"
	"strings"
)

// ---- SemVer 2.0.0 (npm, cargo, semver, …) ----

type semver struct {
	core []string // numeric identifiers (3 for semver, up to 4 for nuget)
	pre  []string
}

// parseSemver reads MAJOR.MINOR.PATCH[-pre][+build]; a leading "v" or "="
// is tolerated, as npm does.
func parseSemver(v string) (semver, error) {
	s := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(v), "="), "v")
	return parseSemverN(s, 3, 3)
}

// parseSemverN reads a dotted numeric core of min..max parts.
func parseSemverN(s string, minParts, maxParts int) (semver, error) {
	if i := strings.IndexByte(s, '+'); i >= 0 {
		if s[i+1:] == "" {
			return semver{}, errors.New("empty build metadata")
		}
		s = s[:i]
	}
	var out semver
	core := s
	if i := strings.IndexByte(s, '-'); i >= 0 {
		core = s[:i]
		pre := s[i+1:]
		if pre == "" {
			return semver{}, errors.New("empty pre-release")
		}
		out.pre = strings.Split(pre, ".")
		for _, id := range out.pre {
			if id == "" {
				return semver{}, errors.New("empty pre-release identifier")
			}
			for j := 0; j < len(id); j++ {
				if c := id[j]; !isDigit(c) && !isAlpha(c) && c != '-' {
					return semver{}, fmt.Errorf("invalid character %q in pre-release", c)
				}
			}
		}
	}
	out.core = strings.Split(core, ".")
	if len(out.core) < minParts || len(out.core) > maxParts {
		return semver{}, fmt.Errorf("want %d to %d numeric parts", minParts, maxParts)
	}
	for _, n := range out.core {
		if !allDigits(n) {
			return semver{}, fmt.Errorf("non-numeric part %q", n)
		}
	}
	return out, nil
}

func compareSemver(a, b semver) int {
	for i := 0; i < len(a.core) || i < len(b.core); i++ {
		x, y := "0", "0"
		if i < len(a.core) {
			x = a.core[i]
		}
		if i < len(b.core) {
			y = b.core[i]
		}
		if c := cmpDigits(x, y); c != 0 {
			return c
		}
	}
	return comparePre(a.pre, b.pre, false)
}

// comparePre orders pre-release identifier lists per SemVer §11; no
// pre-release sorts after any. fold compares letters case-insensitively
// (NuGet).
func comparePre(a, b []string, fold bool) int {
	switch {
	case len(a) == 0 && len(b) == 0:
		return 0
	case len(a) == 0:
		return 1
	case len(b) == 0:
		return -1
	}
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		xn, yn := allDigits(x), allDigits(y)
		switch {
		case xn && yn:
			if c := cmpDigits(x, y); c != 0 {
				return c
			}
		case xn:
			return -1
		case yn:
			return 1
		default:
			if fold {
				x, y = strings.ToLower(x), strings.ToLower(y)
			}
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
		}
	}
	return sign(len(a) - len(b))
}

// parseGoVersion reads a Go module version: "v" + semver, including
// pseudo-versions and "+incompatible".
func parseGoVersion(v string) (semver, error) {
	return parseSemverN(strings.TrimPrefix(v, "v"), 1, 3)
}

// ---- NuGet (SemVer 2 with an optional fourth part, case-insensitive) ----

func parseNuGet(v string) (semver, error) {
	return parseSemverN(strings.TrimSpace(v), 1, 4)
}

func compareNuGet(a, b semver) int {
	for i := 0; i < 4; i++ {
		x, y := "0", "0"
		if i < len(a.core) {
			x = a.core[i]
		}
		if i < len(b.core) {
			y = b.core[i]
		}
		if c := cmpDigits(x, y); c != 0 {
			return c
		}
	}
	return comparePre(a.pre, b.pre, true)
}

// ---- RubyGems ----

type gemVersion []string // segments: digit runs and letter runs

func parseGem(v string) (gemVersion, error) {
	s := strings.TrimSpace(v)
	if s == "" {
		return nil, errors.New("empty version")
	}
	var segs []string
	for _, part := range strings.Split(s, ".") {
		if part == "" {
			return nil, errors.New("empty segment")
		}
		i := 0
		for i < len(part) {
			j := i
			if isDigit(part[i]) {
				for j < len(part) && isDigit(part[j]) {
					j++
				}
			} else if isAlpha(part[i]) {
				for j < len(part) && isAlpha(part[j]) {
					j++
				}
			} else if part[i] == '-' {
				// "1.0-beta" is "1.0.pre.beta" in RubyGems.
				segs = append(segs, "pre")
				i++
				continue
			} else {
				return nil, fmt.Errorf("invalid character %q", part[i])
			}
			segs = append(segs, part[i:j])
			i = j
		}
	}
	// Canonical segments: drop zeros that precede the first letter segment
	// or end the version (Gem::Version#canonical_segments).
	first := len(segs)
	for i, s := range segs {
		if !allDigits(s) {
			first = i
			break
		}
	}
	rel, pre := segs[:first], segs[first:]
	for len(rel) > 0 && cmpDigits(rel[len(rel)-1], "0") == 0 {
		rel = rel[:len(rel)-1]
	}
	for len(pre) > 0 && allDigits(pre[len(pre)-1]) && cmpDigits(pre[len(pre)-1], "0") == 0 {
		pre = pre[:len(pre)-1]
	}
	return append(append(gemVersion{}, rel...), pre...), nil
}

func compareGem(a, b gemVersion) int {
	for i := 0; i < len(a) || i < len(b); i++ {
		x, y := "0", "0"
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		xn, yn := allDigits(x), allDigits(y)
		switch {
		case xn && yn:
			if c := cmpDigits(x, y); c != 0 {
				return c
			}
		case xn: // number > letters (a letter segment is a pre-release)
			return 1
		case yn:
			return -1
		default:
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
		}
	}
	return 0
}

// ---- PEP 440 (pypi) ----

type pep440 struct {
	epoch   string
	release []string // trailing zeros trimmed
	preKind int      // 0 none; 1 a, 2 b, 3 rc
	preNum  string
	post    string // "" none
	hasPost bool
	dev     string
	hasDev  bool
	local   []string
}

func parsePEP440(v string) (pep440, error) {
	s := strings.ToLower(strings.TrimSpace(v))
	s = strings.TrimPrefix(s, "v")
	var p pep440
	if i := strings.IndexByte(s, '+'); i >= 0 {
		loc := s[i+1:]
		s = s[:i]
		if loc == "" {
			return pep440{}, errors.New("empty local version")
		}
		p.local = strings.FieldsFunc(loc, func(r rune) bool { return r == '.' || r == '-' || r == '_' })
	}
	if i := strings.IndexByte(s, '!'); i >= 0 {
		if !allDigits(s[:i]) {
			return pep440{}, errors.New("invalid epoch")
		}
		p.epoch = strings.TrimLeft(s[:i], "0")
		s = s[i+1:]
	}
	// release
	i := 0
	for {
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		if j == i {
			return pep440{}, fmt.Errorf("invalid release segment in %q", v)
		}
		p.release = append(p.release, s[i:j])
		i = j
		if i+1 < len(s) && s[i] == '.' && isDigit(s[i+1]) {
			i++
			continue
		}
		break
	}
	for len(p.release) > 1 && cmpDigits(p.release[len(p.release)-1], "0") == 0 {
		p.release = p.release[:len(p.release)-1]
	}
	rest := s[i:]
	sepNum := func() string { // optional separator, then digits (default 0)
		if rest != "" && strings.ContainsRune(".-_", rune(rest[0])) && len(rest) > 1 && isDigit(rest[1]) {
			rest = rest[1:]
		}
		k := 0
		for k < len(rest) && isDigit(rest[k]) {
			k++
		}
		n := rest[:k]
		rest = rest[k:]
		if n == "" {
			return "0"
		}
		return n
	}
	word := func(words ...string) (string, bool) {
		r := strings.TrimLeft(rest, ".-_")
		if len(rest)-len(r) > 1 {
			return "", false
		}
		for _, w := range words {
			if strings.HasPrefix(r, w) {
				rest = r[len(w):]
				return w, true
			}
		}
		return "", false
	}
	if w, ok := word("alpha", "beta", "preview", "pre", "rc", "a", "b", "c"); ok {
		switch w {
		case "alpha", "a":
			p.preKind = 1
		case "beta", "b":
			p.preKind = 2
		default:
			p.preKind = 3
		}
		p.preNum = sepNum()
	}
	if _, ok := word("post", "rev", "r"); ok {
		p.hasPost, p.post = true, sepNum()
	} else if len(rest) > 1 && rest[0] == '-' && isDigit(rest[1]) {
		rest = rest[1:]
		p.hasPost, p.post = true, sepNum()
	}
	if _, ok := word("dev"); ok {
		p.hasDev, p.dev = true, sepNum()
	}
	if rest != "" {
		return pep440{}, fmt.Errorf("invalid PEP 440 version %q", v)
	}
	return p, nil
}

func comparePEP440(a, b pep440) int {
	if c := cmpDigits(a.epoch, b.epoch); c != 0 {
		return c
	}
	for i := 0; i < len(a.release) || i < len(b.release); i++ {
		x, y := "0", "0"
		if i < len(a.release) {
			x = a.release[i]
		}
		if i < len(b.release) {
			y = b.release[i]
		}
		if c := cmpDigits(x, y); c != 0 {
			return c
		}
	}
	// pre: a dev release without pre/post sorts before any pre-release.
	preKey := func(p pep440) (int, string) {
		switch {
		case p.preKind == 0 && !p.hasPost && p.hasDev:
			return -1, "0"
		case p.preKind == 0:
			return 4, "0"
		}
		return p.preKind, p.preNum
	}
	ak, an := preKey(a)
	bk, bn := preKey(b)
	if ak != bk {
		return sign(ak - bk)
	}
	if c := cmpDigits(an, bn); c != 0 {
		return c
	}
	if a.hasPost != b.hasPost {
		if a.hasPost {
			return 1
		}
		return -1
	}
	if c := cmpDigits(a.post, b.post); c != 0 {
		return c
	}
	if a.hasDev != b.hasDev {
		if a.hasDev {
			return -1
		}
		return 1
	}
	if c := cmpDigits(a.dev, b.dev); c != 0 {
		return c
	}
	// local: none sorts first; numeric segments after alphanumeric ones.
	for i := 0; i < len(a.local) && i < len(b.local); i++ {
		x, y := a.local[i], b.local[i]
		xn, yn := allDigits(x), allDigits(y)
		switch {
		case xn && yn:
			if c := cmpDigits(x, y); c != 0 {
				return c
			}
		case xn:
			return 1
		case yn:
			return -1
		default:
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
		}
	}
	return sign(len(a.local) - len(b.local))
}
