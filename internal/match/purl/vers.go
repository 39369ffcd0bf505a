// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package purl

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"vigil/internal/text"
)

// Comparator is the operator of one vers constraint.
type Comparator string

// The vers comparators. Eq is written without an operator in canonical
// form ("vers:npm/1.0.0").
const (
	Eq  Comparator = "="
	Ne  Comparator = "!="
	Lt  Comparator = "<"
	Le  Comparator = "<="
	Gt  Comparator = ">"
	Ge  Comparator = ">="
	All Comparator = "*" // the whole range is "*": every version
)

// Constraint is one comparator and version of a vers range.
type Constraint struct {
	Comparator Comparator
	Version    string // decoded (not percent-encoded)
}

// String returns the canonical spelling of the constraint, with the
// version percent-encoded where vers requires it.
func (c Constraint) String() string {
	switch c.Comparator {
	case All:
		return "*"
	case Eq:
		return encodeVersion(c.Version)
	}
	return string(c.Comparator) + encodeVersion(c.Version)
}

// Range is a parsed vers version range ("vers:<scheme>/<constraints>").
type Range struct {
	Scheme      string
	Constraints []Constraint
}

// ErrVers is wrapped by every vers parse error; ErrScheme by errors about a
// versioning scheme this package does not implement.
var (
	ErrVers   = errors.New("vers: invalid range")
	ErrScheme = errors.New("vers: unsupported versioning scheme")
)

// String returns the range in canonical vers form. Constraints are written
// in their current order; [ParseRange] and [Range.Normalize] sort them.
func (r Range) String() string {
	var b strings.Builder
	b.WriteString("vers:")
	b.WriteString(r.Scheme)
	b.WriteByte('/')
	for i, c := range r.Constraints {
		if i > 0 {
			b.WriteByte('|')
		}
		b.WriteString(c.String())
	}
	return b.String()
}

// ParseRange parses a vers range leniently and returns it normalised: the
// scheme lower-cased, spaces removed, empty constraints dropped, and the
// constraints sorted by version in the scheme's order (duplicates are kept,
// as the vers test suite expects). Versions are checked against the
// scheme when it is implemented.
func ParseRange(s string) (Range, error) {
	r, err := splitVers(strings.Join(strings.Fields(s), ""), false)
	if err != nil {
		return Range{}, err
	}
	if err := r.Normalize(); err != nil {
		return Range{}, err
	}
	return r, nil
}

// ParseCanonical parses a vers range that must already be canonical: no
// whitespace, no empty constraints, canonical percent-encoding, versions
// sorted, and versions spelled canonically where the scheme fixes a
// spelling (datetime). It is the "parse" operation of the vers
// test suite.
func ParseCanonical(s string) (Range, error) {
	if strings.ContainsAny(s, " \t\r\n") {
		return Range{}, fmt.Errorf("%w: %q: whitespace is not permitted", ErrVers, text.Truncate(s, maxQuoted))
	}
	r, err := splitVers(s, true)
	if err != nil {
		return Range{}, err
	}
	sch, ok := lookupScheme(r.Scheme)
	if ok {
		for _, c := range r.Constraints {
			if c.Comparator == All || sch.canon == nil {
				continue
			}
			if err := sch.canon(c.Version); err != nil {
				return Range{}, fmt.Errorf("%w: %q: version %q: %v", ErrVers, text.Truncate(s, maxQuoted), c.Version, err)
			}
		}
		// Versions the scheme cannot read cannot be checked for order.
		sorted := slices.IsSortedFunc(r.Constraints, func(a, b Constraint) int {
			c, _ := sch.compare(a.Version, b.Version)
			return c
		})
		if !sorted {
			return Range{}, fmt.Errorf("%w: %q: constraints are not sorted by version", ErrVers, text.Truncate(s, maxQuoted))
		}
	}
	return r, nil
}

// splitVers splits "vers:scheme/c1|c2…". strict refuses empty
// constraints and non-canonical percent-encoding.
func splitVers(s string, strict bool) (Range, error) {
	const prefix = "vers:"
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return Range{}, fmt.Errorf("%w: %q: does not start with \"vers:\"", ErrVers, text.Truncate(s, maxQuoted))
	}
	scheme, rest, ok := strings.Cut(s[len(prefix):], "/")
	if !ok || scheme == "" {
		return Range{}, fmt.Errorf("%w: %q: missing versioning scheme", ErrVers, text.Truncate(s, maxQuoted))
	}
	if strict && strings.ToLower(scheme) != scheme {
		return Range{}, fmt.Errorf("%w: %q: scheme must be lower-case", ErrVers, text.Truncate(s, maxQuoted))
	}
	r := Range{Scheme: strings.ToLower(scheme)}
	rest = strings.TrimRight(rest, "/") // tolerate a trailing slash
	if rest == "" {
		return Range{}, fmt.Errorf("%w: %q: no constraints", ErrVers, text.Truncate(s, maxQuoted))
	}
	for _, part := range strings.Split(rest, "|") {
		if part == "" {
			if strict {
				return Range{}, fmt.Errorf("%w: %q: empty constraint (leading, trailing or consecutive pipes)", ErrVers, text.Truncate(s, maxQuoted))
			}
			continue
		}
		c, err := parseConstraint(part, strict)
		if err != nil {
			return Range{}, fmt.Errorf("%w: %q: %v", ErrVers, text.Truncate(s, maxQuoted), err)
		}
		r.Constraints = append(r.Constraints, c)
	}
	if len(r.Constraints) == 0 {
		return Range{}, fmt.Errorf("%w: %q: no constraints", ErrVers, text.Truncate(s, maxQuoted))
	}
	for _, c := range r.Constraints {
		if c.Comparator == All && len(r.Constraints) > 1 {
			return Range{}, fmt.Errorf("%w: %q: \"*\" must be the only constraint", ErrVers, text.Truncate(s, maxQuoted))
		}
	}
	return r, nil
}

func parseConstraint(part string, strict bool) (Constraint, error) {
	if part == "*" {
		return Constraint{Comparator: All}, nil
	}
	var cmp Comparator
	for _, op := range []Comparator{Ge, Le, Ne, Gt, Lt, Eq} {
		if strings.HasPrefix(part, string(op)) {
			cmp, part = op, part[len(op):]
			break
		}
	}
	if cmp == "" {
		cmp = Eq
	}
	if part == "" {
		return Constraint{}, errors.New("constraint without a version")
	}
	v, err := decodeVersion(part, strict)
	if err != nil {
		return Constraint{}, err
	}
	if v == "" || strings.ContainsAny(v[:1], "<>=!*") {
		return Constraint{}, fmt.Errorf("invalid constraint %q", part)
	}
	return Constraint{Comparator: cmp, Version: v}, nil
}

// mustEncode reports whether c must be percent-encoded in a vers version.
func mustEncode(c byte) bool {
	return c == '%' || c == '|' || c == '/' || c <= 0x20 || c >= 0x7f
}

func encodeVersion(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if mustEncode(c) {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func decodeVersion(v string, strict bool) (string, error) {
	if !strings.Contains(v, "%") {
		return v, nil
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+2 >= len(v) {
			return "", errors.New("invalid percent-encoding in version")
		}
		hi, ok1 := hexVal(v[i+1])
		lo, ok2 := hexVal(v[i+2])
		if !ok1 || !ok2 {
			return "", errors.New("invalid percent-encoding in version")
		}
		d := hi<<4 | lo
		if strict && (!mustEncode(d) || strings.ToUpper(v[i+1:i+3]) != v[i+1:i+3]) {
			return "", fmt.Errorf("percent-encoding %q in version is not canonical", v[i:i+3])
		}
		b.WriteByte(d)
		i += 2
	}
	return b.String(), nil
}

func hexVal(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Normalize validates every version against the scheme (when implemented)
// and sorts the constraints by version, stably; on the same version upper
// bounds (<, <=) come before =/!= and lower bounds (>=, >).
func (r *Range) Normalize() error {
	sch, ok := lookupScheme(r.Scheme)
	if !ok {
		return nil
	}
	for _, c := range r.Constraints {
		if c.Comparator == All {
			continue
		}
		if err := sch.validate(c.Version, false); err != nil {
			return fmt.Errorf("%w: vers:%s: version %q: %v", ErrVers, r.Scheme, c.Version, err)
		}
	}
	if sch.spell != nil {
		for i := range r.Constraints {
			r.Constraints[i].Version = sch.spell(r.Constraints[i].Version)
		}
	}
	slices.SortStableFunc(r.Constraints, func(a, b Constraint) int {
		if c, _ := sch.compare(a.Version, b.Version); c != 0 {
			return c
		}
		return tieRank(a.Comparator) - tieRank(b.Comparator)
	})
	return nil
}

// tieRank orders constraints on the same version: the upper bound of one
// interval before the lower bound of the next ("<1.5.0|>=1.5.0").
func tieRank(c Comparator) int {
	switch c {
	case Lt, Le:
		return 0
	case Ge, Gt:
		return 2
	}
	return 1
}

// Contains reports whether version lies in the range, by the containment
// algorithm of the vers specification. It fails when the scheme is not
// implemented or a version is not valid in it.
func (r Range) Contains(version string) (bool, error) {
	if len(r.Constraints) == 1 && r.Constraints[0].Comparator == All {
		return true, nil
	}
	sch, ok := lookupScheme(r.Scheme)
	if !ok {
		return false, fmt.Errorf("%w: %q", ErrScheme, r.Scheme)
	}
	if err := sch.validate(version, false); err != nil {
		return false, fmt.Errorf("%w: vers:%s: version %q: %v", ErrVers, r.Scheme, version, err)
	}
	cmpTo := func(other string) (int, error) { return sch.compare(version, other) }
	var rest []Constraint
	for _, c := range r.Constraints {
		switch c.Comparator {
		case Eq, Ne:
			d, err := cmpTo(c.Version)
			if err != nil {
				return false, err
			}
			if d == 0 {
				return c.Comparator == Eq, nil
			}
		case All:
			return true, nil
		default:
			rest = append(rest, c)
		}
	}
	if len(rest) == 0 {
		return false, nil
	}
	// Sorted copy (ranges built by hand may be unsorted).
	rest = slices.Clone(rest)
	var sortErr error
	slices.SortStableFunc(rest, func(a, b Constraint) int {
		c, err := sch.compare(a.Version, b.Version)
		if err != nil {
			sortErr = err
		}
		return c
	})
	if sortErr != nil {
		return false, sortErr
	}
	sat := func(c Constraint) (bool, error) {
		d, err := cmpTo(c.Version)
		if err != nil {
			return false, err
		}
		switch c.Comparator {
		case Lt:
			return d < 0, nil
		case Le:
			return d <= 0, nil
		case Gt:
			return d > 0, nil
		case Ge:
			return d >= 0, nil
		}
		return false, nil
	}
	isLess := func(c Comparator) bool { return c == Lt || c == Le }
	if len(rest) == 1 {
		return sat(rest[0])
	}
	for i := 0; i+1 < len(rest); i++ {
		cur, next := rest[i], rest[i+1]
		if i == 0 && isLess(cur.Comparator) {
			if ok, err := sat(cur); err != nil || ok {
				return ok, err
			}
		}
		if i+2 == len(rest) && !isLess(next.Comparator) {
			if ok, err := sat(next); err != nil || ok {
				return ok, err
			}
		}
		if !isLess(cur.Comparator) && isLess(next.Comparator) {
			a, err := sat(cur)
			if err != nil {
				return false, err
			}
			b, err := sat(next)
			if err != nil {
				return false, err
			}
			if a && b {
				return true, nil
			}
		}
	}
	return false, nil
}

// ContainsString parses a vers range and tests one version against it.
func ContainsString(vers, version string) (bool, error) {
	r, err := ParseRange(vers)
	if err != nil {
		return false, err
	}
	return r.Contains(version)
}

// CompareVersions compares two versions in a versioning scheme (-1, 0, +1).
func CompareVersions(scheme, a, b string) (int, error) {
	sch, ok := lookupScheme(strings.ToLower(scheme))
	if !ok {
		return 0, fmt.Errorf("%w: %q", ErrScheme, scheme)
	}
	if err := sch.validate(a, false); err != nil {
		return 0, fmt.Errorf("%s version %q: %w", scheme, a, err)
	}
	if err := sch.validate(b, false); err != nil {
		return 0, fmt.Errorf("%s version %q: %w", scheme, b, err)
	}
	return sch.compare(a, b)
}

// Schemes returns the names of the implemented versioning schemes, sorted.
func Schemes() []string {
	var out []string
	for name := range schemeTable() {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}
