// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package purl parses and normalises package URLs (ECMA-427, on top of
// github.com/package-url/packageurl-go), compares package identities
// between advisories and SBOM components, and implements "vers" version
// ranges with per-scheme version ordering (semver for npm/cargo/golang,
// PEP 440 for pypi, Maven, Debian, RPM, Alpine, Arch, Gentoo, NuGet, Conan,
// OpenSSL, datetime, lexicographic and a generic scheme).
//
// All functions are pure and safe for concurrent use.
package purl

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/package-url/packageurl-go"

	"vigil/internal/text"
)

// maxQuoted bounds the input quoted in an error message.
const maxQuoted = 200

// ErrInvalid is wrapped by every parse and build error of this package.
var ErrInvalid = errors.New("purl: invalid")

// Parse parses a package URL and returns it in canonical form: type and
// qualifier keys lower-cased, type-specific case folding and name rules
// applied (pypi "_" → "-", lower-cased names for github, deb, git, …),
// qualifiers sorted, empty qualifier values dropped, subpath cleaned.
// Format it with [String], which knows the types whose names contain "/"
// (git).
func Parse(s string) (packageurl.PackageURL, error) {
	return parse(lowerQualifierKeys(s))
}

// querySpan returns the qualifier part of s (between "?" and "#").
func querySpan(s string) (start, end int) {
	end = len(s)
	if i := strings.IndexByte(s, '#'); i >= 0 {
		end = i
	}
	q := strings.IndexByte(s[:end], '?')
	if q < 0 {
		return end, end
	}
	return q + 1, end
}

func lowerQualifierKeys(s string) string {
	start, end := querySpan(s)
	if start == end {
		return s
	}
	parts := strings.Split(s[start:end], "&")
	for i, kv := range parts {
		k, v, ok := strings.Cut(kv, "=")
		if ok {
			parts[i] = strings.ToLower(k) + "=" + v
		}
	}
	return s[:start] + strings.Join(parts, "&") + s[end:]
}

func parse(s string) (packageurl.PackageURL, error) {
	p, err := packageurl.FromString(s)
	if err != nil {
		return packageurl.PackageURL{}, fmt.Errorf("%w: %q: %v", ErrInvalid, text.Truncate(s, maxQuoted), err)
	}
	if err := normalize(&p); err != nil {
		return packageurl.PackageURL{}, fmt.Errorf("%w: %q: %v", ErrInvalid, text.Truncate(s, maxQuoted), err)
	}
	return p, nil
}

// Canonical parses s and returns its canonical string.
func Canonical(s string) (string, error) {
	p, err := Parse(s)
	if err != nil {
		return "", err
	}
	return String(p), nil
}

// String formats p canonically. It differs from p.ToString only for types
// whose names are paths (git: "pkg:git/codeberg.org/forgejo/forgejo").
func String(p packageurl.PackageURL) string {
	if p.Type == typeGit && strings.Contains(p.Name, "/") {
		dir, base := p.Name[:strings.LastIndexByte(p.Name, '/')], p.Name[strings.LastIndexByte(p.Name, '/')+1:]
		q := p
		q.Namespace = strings.Trim(p.Namespace+"/"+dir, "/")
		q.Name = base
		return q.ToString()
	}
	return p.ToString()
}

const typeGit = "git"

// Build validates and normalises decoded components into a package URL
// (the "build" operation of the purl test suite).
func Build(typ, namespace, name, version string, qualifiers map[string]string, subpath string) (packageurl.PackageURL, error) {
	if typ == "" {
		return packageurl.PackageURL{}, fmt.Errorf("%w: type is required", ErrInvalid)
	}
	if name == "" {
		return packageurl.PackageURL{}, fmt.Errorf("%w: name is required", ErrInvalid)
	}
	for k := range qualifiers {
		if !validQualifierKey(k) {
			return packageurl.PackageURL{}, fmt.Errorf("%w: qualifier key %q", ErrInvalid, k)
		}
	}
	p := packageurl.PackageURL{
		Type: typ, Namespace: namespace, Name: name, Version: version,
		Qualifiers: packageurl.QualifiersFromMap(qualifiers), Subpath: subpath,
	}
	if err := p.Normalize(); err != nil {
		return packageurl.PackageURL{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := normalize(&p); err != nil {
		return packageurl.PackageURL{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return p, nil
}

func validQualifierKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == '-' || c == '_' || (i > 0 && c >= '0' && c <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// normalize applies the type rules of the purl-spec type definitions that
// packageurl-go leaves to callers.
func normalize(p *packageurl.PackageURL) error {
	// Qualifiers: sorted by key, empty values dropped (packageurl-go
	// Normalize does both; keep the invariant explicit for built values).
	q := p.Qualifiers[:0:0]
	for _, x := range p.Qualifiers {
		if x.Value != "" {
			q = append(q, x)
		}
	}
	slices.SortFunc(q, func(a, b packageurl.Qualifier) int { return strings.Compare(a.Key, b.Key) })
	p.Qualifiers = q
	switch p.Type {
	case typeGit:
		// The namespace is the host; the name is the repository path.
		full := strings.Trim(p.Namespace+"/"+p.Name, "/")
		host, path, ok := strings.Cut(full, "/")
		if !ok {
			return errors.New("a git purl needs a host namespace and a repository name")
		}
		p.Namespace, p.Name = strings.ToLower(host), strings.ToLower(path)
	}
	return nil
}
