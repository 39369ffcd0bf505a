// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package purl

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"vigil/internal/match/version"
)

// scheme is one versioning scheme: a total order on its valid versions.
type scheme struct {
	cmp   func(a, b string) (int, error)
	valid func(v string, strict bool) error // nil: every string is valid
	canon func(v string) error              // optional: is v spelled canonically
	spell func(v string) string             // optional: canonical spelling of a valid v
}

func (s scheme) compare(a, b string) (int, error) { return s.cmp(a, b) }

func (s scheme) validate(v string, strict bool) error {
	if v == "" {
		return errors.New("empty version")
	}
	if s.valid == nil {
		return nil
	}
	return s.valid(v, strict)
}

// schemeNames lists the implemented schemes (vers scheme names and purl
// types that share one).
func schemeNames() []string {
	return []string{
		"alpine", "alpm", "apk", "arch", "cargo", "conan", "datetime", "deb", "debian", "ebuild", "gem",
		"generic", "gentoo", "golang", "hex", "lexicographic", "maven", "nginx", "npm", "nuget",
		"openssl", "pub", "pypi", "rpm", "semver", "swift",
	}
}

func schemeTable() map[string]struct{} {
	m := map[string]struct{}{}
	for _, n := range schemeNames() {
		m[n] = struct{}{}
	}
	return m
}

// lookupScheme returns the scheme of a vers scheme name.
func lookupScheme(name string) (scheme, bool) {
	switch name {
	case "npm", "semver", "cargo", "hex", "pub", "swift":
		return scheme{cmp: errCmp(parseSemver, compareSemver), valid: errValid(parseSemver)}, true
	case "golang":
		return scheme{cmp: errCmp(parseGoVersion, compareSemver), valid: errValid(parseGoVersion)}, true
	case "pypi":
		return scheme{cmp: errCmp(parsePEP440, comparePEP440), valid: errValid(parsePEP440)}, true
	case "maven":
		return scheme{cmp: plainCmp(compareMaven)}, true
	case "deb", "debian":
		return scheme{cmp: errCmp(parseDebian, compareDebian), valid: errValid(parseDebian)}, true
	case "rpm":
		return scheme{cmp: plainCmp(compareRPMEVR)}, true
	case "apk", "alpine":
		return scheme{cmp: plainCmp(compareAPK)}, true
	case "alpm", "arch":
		return scheme{cmp: plainCmp(compareALPM)}, true
	case "gentoo", "ebuild":
		return scheme{cmp: errCmp(parseGentoo, compareGentoo), valid: errValid(parseGentoo)}, true
	case "nuget":
		return scheme{cmp: errCmp(parseNuGet, compareNuGet), valid: errValid(parseNuGet)}, true
	case "conan":
		return scheme{cmp: plainCmp(compareConan)}, true
	case "openssl":
		return scheme{cmp: errCmp(parseOpenSSL, compareOpenSSL), valid: errValid(parseOpenSSL)}, true
	case "gem":
		return scheme{cmp: errCmp(parseGem, compareGem), valid: errValid(parseGem)}, true
	case "datetime":
		return scheme{cmp: compareDatetime, valid: validDatetime, canon: func(v string) error { return validDatetime(v, true) }, spell: strings.ToUpper}, true
	case "lexicographic":
		return scheme{cmp: plainCmp(strings.Compare)}, true
	case "generic", "nginx":
		return scheme{cmp: plainCmp(version.CompareStrings)}, true
	}
	return scheme{}, false
}

func plainCmp(f func(a, b string) int) func(a, b string) (int, error) {
	return func(a, b string) (int, error) { return f(a, b), nil }
}

func errCmp[T any](parse func(string) (T, error), cmp func(a, b T) int) func(a, b string) (int, error) {
	return func(a, b string) (int, error) {
		x, err := parse(a)
		if err != nil {
			return 0, err
		}
		y, err := parse(b)
		if err != nil {
			return 0, err
		}
		return cmp(x, y), nil
	}
}

func errValid[T any](parse func(string) (T, error)) func(string, bool) error {
	return func(v string, _ bool) error {
		_, err := parse(v)
		return err
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// cmpDigits compares two strings of decimal digits numerically, whatever
// their length.
func cmpDigits(a, b string) int {
	a = strings.TrimLeft(a, "0")
	b = strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// ---- datetime ----

func parseDatetime(v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("not an RFC 3339 timestamp: %w", err)
	}
	return t, nil
}

func validDatetime(v string, strict bool) error {
	if strict && strings.ContainsAny(v, "tz") {
		return errors.New("datetime must use uppercase T and Z")
	}
	_, err := parseDatetime(strings.ToUpper(v))
	return err
}

func compareDatetime(a, b string) (int, error) {
	x, err := parseDatetime(strings.ToUpper(a))
	if err != nil {
		return 0, err
	}
	y, err := parseDatetime(strings.ToUpper(b))
	if err != nil {
		return 0, err
	}
	return x.Compare(y), nil
}
