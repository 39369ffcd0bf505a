// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package purl

import (
	"strings"

	"github.com/package-url/packageurl-go"
)

// identityQualifiers are the qualifiers that make two packages with the
// same type, namespace and name different packages: another registry
// (repository_url), another distribution release (distro) or another
// conda channel. Qualifiers such as arch, classifier, checksum or
// download_url describe one artifact of the same package and do not count.
func identityQualifiers() []string {
	return []string{"repository_url", "distro", "channel"}
}

// caseInsensitiveName reports the types whose registries treat names
// case-insensitively beyond what packageurl-go already folds.
func caseInsensitiveName(typ string) bool {
	switch typ {
	case "nuget", "composer", "pypi", "hex", "cran", "conda":
		return true
	}
	return false
}

// IdentityKey returns the version-less canonical purl that advisory
// indexes and inventory both key packages by: "pkg:type/namespace/name",
// with type rules applied and names folded where the registry is
// case-insensitive. Qualifiers are not part of the key (see SamePackage).
func IdentityKey(p packageurl.PackageURL) string {
	q := packageurl.PackageURL{Type: strings.ToLower(p.Type), Namespace: p.Namespace, Name: p.Name}
	if caseInsensitiveName(q.Type) {
		q.Namespace, q.Name = strings.ToLower(q.Namespace), strings.ToLower(q.Name)
	}
	return String(q)
}

// SamePackage reports whether an advisory's purl and an SBOM component's
// purl name the same package, ignoring versions, and why not when they do
// not. Type, namespace and name must be equal after normalisation; an
// identity qualifier (repository_url, distro, channel) must be equal when
// both sides carry it — a side that omits it names the package in general
// and matches any value.
func SamePackage(advisory, component packageurl.PackageURL) (bool, string) {
	if a, c := IdentityKey(advisory), IdentityKey(component); a != c {
		return false, "different package: " + a + " vs " + c
	}
	am, cm := advisory.Qualifiers.Map(), component.Qualifiers.Map()
	for _, k := range identityQualifiers() {
		av, aok := am[k]
		cv, cok := cm[k]
		if aok && cok && !strings.EqualFold(strings.TrimRight(av, "/"), strings.TrimRight(cv, "/")) {
			return false, "qualifier " + k + " differs: " + av + " vs " + cv
		}
	}
	return true, "same package " + IdentityKey(advisory)
}
