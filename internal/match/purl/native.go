// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package purl

import (
	"fmt"
	"strings"

	"vigil/internal/text"
)

// FromNative converts a version range in an ecosystem's own notation into
// a normalised vers range. Implemented notations: npm (node-semver:
// "||", hyphen ranges, ^, ~, x-ranges, partial versions), conan (Conan 2
// version ranges), pypi (PEP 440 specifiers), gem (RubyGems requirements
// incl. "~>"), nuget (interval notation), nginx (security advisory lists
// such as "1.5.0+, 1.4.1+") and openssl (comma-separated version lists).
func FromNative(scheme, native string) (Range, error) {
	var cs []Constraint
	var err error
	switch scheme {
	case "npm":
		cs, err = npmNative(native)
	case "conan":
		cs, err = conanNative(native)
	case "pypi":
		cs, err = pypiNative(native)
	case "gem":
		cs, err = gemNative(native)
	case "nuget":
		cs, err = nugetNative(native)
	case "nginx":
		cs, err = nginxNative(native)
	case "openssl":
		for _, v := range strings.Split(native, ",") {
			if v = strings.TrimSpace(v); v != "" {
				cs = append(cs, Constraint{Eq, v})
			}
		}
	default:
		return Range{}, fmt.Errorf("%w: no native range notation for %q", ErrScheme, scheme)
	}
	if err != nil {
		return Range{}, fmt.Errorf("%w: %s range %q: %v", ErrVers, scheme, text.Truncate(native, maxQuoted), err)
	}
	r := Range{Scheme: scheme, Constraints: cs}
	if len(cs) == 1 && cs[0].Comparator == All {
		return r, nil
	}
	if err := r.Normalize(); err != nil {
		return Range{}, err
	}
	return r, nil
}

// splitOp splits a leading comparison operator from s (spaces allowed
// between them).
func splitOp(s string, ops ...string) (string, string) {
	s = strings.TrimSpace(s)
	for _, op := range ops {
		if strings.HasPrefix(s, op) {
			return op, strings.TrimSpace(s[len(op):])
		}
	}
	return "", s
}

// ---- npm (node-semver) ----

// npmPartial reads a possibly partial version "1", "1.2", "1.2.x",
// "v1.2.3-beta": the numbers given (nil for x/*), and the pre-release tail.
func npmPartial(s string) (parts []string, xAt int, pre string, err error) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "="), "v")
	if i := strings.IndexByte(s, '+'); i >= 0 {
		s = s[:i]
	}
	core := s
	if i := strings.IndexByte(s, '-'); i >= 0 {
		core, pre = s[:i], s[i:]
	}
	xAt = -1
	for i, p := range strings.Split(core, ".") {
		if p == "x" || p == "X" || p == "*" {
			if xAt < 0 {
				xAt = i
			}
			continue
		}
		if xAt >= 0 || !allDigits(p) {
			return nil, 0, "", fmt.Errorf("invalid version %q", s)
		}
		parts = append(parts, p)
	}
	if len(parts) > 3 {
		return nil, 0, "", fmt.Errorf("invalid version %q", s)
	}
	return parts, xAt, pre, nil
}

func fill3(parts []string) string {
	p := append([]string{}, parts...)
	for len(p) < 3 {
		p = append(p, "0")
	}
	return strings.Join(p, ".")
}

// bump increments parts[i] and drops the rest, zero-filled to 3 parts.
func bump(parts []string, i int) string {
	p := append([]string{}, parts[:i+1]...)
	p[i] = incDigits(p[i])
	return fill3(p)
}

func incDigits(d string) string {
	b := []byte(strings.TrimLeft(d, "0"))
	if len(b) == 0 {
		return "1"
	}
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b)
		}
		b[i] = '0'
	}
	return "1" + string(b)
}

func npmNative(native string) ([]Constraint, error) {
	var out []Constraint
	for _, alt := range strings.Split(native, "||") {
		alt = strings.TrimSpace(alt)
		if alt == "" || alt == "*" || alt == "x" {
			if strings.TrimSpace(native) == alt {
				return []Constraint{{Comparator: All}}, nil
			}
			continue
		}
		// Hyphen range "a - b".
		if a, b, ok := strings.Cut(alt, " - "); ok {
			pa, _, prea, err := npmPartial(strings.TrimSpace(a))
			if err != nil {
				return nil, err
			}
			pb, _, preb, err := npmPartial(strings.TrimSpace(b))
			if err != nil {
				return nil, err
			}
			out = append(out, Constraint{Ge, fill3(pa) + prea}, Constraint{Le, fill3(pb) + preb})
			continue
		}
		// Glue operators to their versions: ">= 1.0" → ">=1.0".
		toks := strings.Fields(alt)
		var comps []string
		for i := 0; i < len(toks); i++ {
			t := toks[i]
			if strings.Trim(t, "<>=~^") == "" && i+1 < len(toks) {
				t += toks[i+1]
				i++
			}
			comps = append(comps, t)
		}
		for _, c := range comps {
			cs, err := npmComparator(c)
			if err != nil {
				return nil, err
			}
			out = append(out, cs...)
		}
	}
	return out, nil
}

func npmComparator(c string) ([]Constraint, error) {
	op, rest := splitOp(c, ">=", "<=", ">", "<", "=", "^", "~")
	parts, xAt, pre, err := npmPartial(rest)
	if err != nil {
		return nil, err
	}
	switch op {
	case "^":
		lower := fill3(parts) + pre
		i := 0
		for i < len(parts)-1 && cmpDigits(parts[i], "0") == 0 {
			i++
		}
		if len(parts) == 0 {
			return []Constraint{{Comparator: All}}, nil
		}
		return []Constraint{{Ge, lower}, {Lt, bump(parts, i)}}, nil
	case "~":
		if len(parts) == 0 {
			return []Constraint{{Comparator: All}}, nil
		}
		i := min(1, len(parts)-1)
		return []Constraint{{Ge, fill3(parts) + pre}, {Lt, bump(parts, i)}}, nil
	}
	if xAt >= 0 {
		// x-range: "1.2.x", ">= 2.2.x" → the whole branch.
		if len(parts) == 0 {
			return []Constraint{{Comparator: All}}, nil
		}
		return []Constraint{{Ge, fill3(parts)}, {Lt, bump(parts, len(parts)-1)}}, nil
	}
	v := fill3(parts) + pre
	switch op {
	case ">=":
		return []Constraint{{Ge, v}}, nil
	case "<=":
		return []Constraint{{Le, v}}, nil
	case ">":
		return []Constraint{{Gt, v}}, nil
	case "<":
		return []Constraint{{Lt, v}}, nil
	}
	return []Constraint{{Eq, v}}, nil
}

// ---- conan ----

func conanNative(native string) ([]Constraint, error) {
	expr, _, _ := strings.Cut(native, ",") // drop options: "*, include_prerelease=True"
	var out []Constraint
	for _, alt := range strings.Split(expr, "||") {
		for _, c := range strings.Fields(alt) {
			cs, err := conanCondition(c)
			if err != nil {
				return nil, err
			}
			out = append(out, cs...)
		}
	}
	return out, nil
}

// conanUpper is Version.upper_bound: bump item i, drop the rest, append
// "-" (the lowest pre-release).
func conanUpper(items []string, i int) string {
	p := append([]string{}, items[:i+1]...)
	if allDigits(p[i]) {
		p[i] = incDigits(p[i])
	}
	return strings.Join(p, ".") + "-"
}

func conanCondition(c string) ([]Constraint, error) {
	op, v := splitOp(c, ">=", "<=", ">", "<", "=", "^", "~")
	v = strings.TrimSuffix(v, "-")
	if v == "" || v == "*" {
		if op == "" || op == "=" || op == ">=" {
			return []Constraint{{Ge, "0.0.0"}}, nil
		}
		return nil, fmt.Errorf("invalid condition %q", c)
	}
	switch op {
	case "~", "^":
		items := strings.Split(v, ".")
		i := 0
		if op == "~" {
			if len(items) > 1 {
				i = 1
			}
		} else {
			for i < len(items)-1 && items[i] == "0" {
				i++
			}
		}
		return []Constraint{{Ge, v}, {Lt, conanUpper(items, i)}}, nil
	case ">=":
		return []Constraint{{Ge, v}}, nil
	case "<=":
		return []Constraint{{Le, v}}, nil
	case ">":
		return []Constraint{{Gt, v}}, nil
	case "<":
		return []Constraint{{Lt, v}}, nil
	}
	return []Constraint{{Eq, v}}, nil
}

// ---- pypi (PEP 440 specifiers) ----

func pypiNative(native string) ([]Constraint, error) {
	var out []Constraint
	for _, spec := range strings.Split(native, ",") {
		spec = strings.TrimSpace(spec)
		if spec == "" {
			continue
		}
		op, v := splitOp(spec, "===", "~=", "==", "!=", ">=", "<=", ">", "<")
		if v == "" {
			return nil, fmt.Errorf("specifier %q without a version", spec)
		}
		switch op {
		case "~=":
			p, err := parsePEP440(v)
			if err != nil {
				return nil, err
			}
			rel := strings.Split(strings.Split(strings.Split(v, "!")[len(strings.Split(v, "!"))-1], "+")[0], ".")
			if len(rel) < 2 || len(p.release) == 0 {
				return nil, fmt.Errorf("~= needs at least two release segments: %q", spec)
			}
			upper := append([]string{}, rel[:len(rel)-1]...)
			last := upper[len(upper)-1]
			k := 0
			for k < len(last) && isDigit(last[k]) {
				k++
			}
			upper[len(upper)-1] = incDigits(last[:k])
			out = append(out, Constraint{Ge, v}, Constraint{Lt, strings.Join(upper, ".")})
		case "==", "===", "":
			if strings.HasSuffix(v, ".*") {
				base := strings.Split(strings.TrimSuffix(v, ".*"), ".")
				out = append(out, Constraint{Ge, strings.Join(base, ".")}, Constraint{Lt, bumpLast(base)})
				continue
			}
			out = append(out, Constraint{Eq, v})
		case "!=":
			out = append(out, Constraint{Ne, v})
		default:
			out = append(out, Constraint{Comparator(op), v})
		}
	}
	return out, nil
}

func bumpLast(parts []string) string {
	p := append([]string{}, parts...)
	p[len(p)-1] = incDigits(p[len(p)-1])
	return strings.Join(p, ".")
}

// ---- gem (RubyGems requirements) ----

func gemNative(native string) ([]Constraint, error) {
	var out []Constraint
	for _, req := range strings.Split(native, ",") {
		req = strings.TrimSpace(req)
		if req == "" {
			continue
		}
		op, v := splitOp(req, "~>", ">=", "<=", "!=", ">", "<", "=")
		if _, err := parseGem(v); err != nil {
			return nil, err
		}
		switch op {
		case "~>":
			segs := strings.Split(v, ".")
			// Drop pre-release segments, then the last one, and bump.
			for len(segs) > 1 && !allDigits(segs[len(segs)-1]) {
				segs = segs[:len(segs)-1]
			}
			if len(segs) > 1 {
				segs = segs[:len(segs)-1]
			}
			out = append(out, Constraint{Ge, v}, Constraint{Lt, bumpLast(segs)})
		case "", "=":
			out = append(out, Constraint{Eq, v})
		default:
			out = append(out, Constraint{Comparator(op), v})
		}
	}
	return out, nil
}

// ---- nuget (interval notation) ----

func nugetNative(native string) ([]Constraint, error) {
	s := strings.TrimSpace(native)
	if s == "" {
		return nil, fmt.Errorf("empty range")
	}
	if s[0] != '[' && s[0] != '(' {
		return []Constraint{{Ge, s}}, nil // a bare version is a minimum
	}
	if len(s) < 2 || (s[len(s)-1] != ']' && s[len(s)-1] != ')') {
		return nil, fmt.Errorf("unbalanced interval %q", s)
	}
	inner := s[1 : len(s)-1]
	lo, hi, two := strings.Cut(inner, ",")
	lo, hi = strings.TrimSpace(lo), strings.TrimSpace(hi)
	if !two {
		if s[0] != '[' || s[len(s)-1] != ']' {
			return nil, fmt.Errorf("exact version needs [ ]: %q", s)
		}
		return []Constraint{{Eq, lo}}, nil
	}
	var out []Constraint
	if lo != "" {
		out = append(out, Constraint{map[bool]Comparator{true: Ge, false: Gt}[s[0] == '['], lo})
	}
	if hi != "" {
		out = append(out, Constraint{map[bool]Comparator{true: Le, false: Lt}[s[len(s)-1] == ']'], hi})
	}
	if len(out) == 0 {
		return []Constraint{{Comparator: All}}, nil
	}
	return out, nil
}

// ---- nginx (security advisory lists) ----

// nginxNative reads lists such as "1.5.0+, 1.4.1+", "0.7.52-0.8.39",
// "0.9.10". "X+" on a stable branch (even minor) means X up to the next
// branch; on a mainline branch (odd minor) it means X and everything later.
func nginxNative(native string) ([]Constraint, error) {
	var out []Constraint
	for _, item := range strings.Split(native, ",") {
		item = strings.TrimSpace(item)
		switch {
		case item == "":
		case strings.HasSuffix(item, "+"):
			v := strings.TrimSuffix(item, "+")
			parts := strings.Split(v, ".")
			if len(parts) < 2 || !allDigits(parts[0]) || !allDigits(parts[1]) {
				return nil, fmt.Errorf("invalid nginx version %q", item)
			}
			out = append(out, Constraint{Ge, v})
			if minor := parts[1]; (minor[len(minor)-1]-'0')%2 == 0 {
				out = append(out, Constraint{Lt, parts[0] + "." + incDigits(minor) + ".0"})
			}
		case strings.Contains(item, "-"):
			lo, hi, _ := strings.Cut(item, "-")
			out = append(out, Constraint{Ge, strings.TrimSpace(lo)}, Constraint{Le, strings.TrimSpace(hi)})
		default:
			out = append(out, Constraint{Eq, item})
		}
	}
	return out, nil
}
