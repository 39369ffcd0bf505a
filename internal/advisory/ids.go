// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package advisory

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/package-url/packageurl-go"
)

// cveRe is the CVE id syntax of the CVE JSON 5 schema.
var cveRe = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,19}$`)

// IsCVE reports whether s is a syntactically valid CVE id.
func IsCVE(s string) bool { return cveRe.MatchString(s) }

// splitCPE23 splits a CPE 2.3 formatted string on the colons that are not
// escaped by a backslash.
func splitCPE23(s string) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ':':
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// CheckCPE returns nil when s is a CPE 2.3 formatted string (13
// colon-separated fields, part a, o, h, * or -) or a CPE 2.2 URI (cpe:/...),
// and an error saying what is wrong otherwise. It checks the structure only.
func CheckCPE(s string) error {
	switch {
	case strings.HasPrefix(s, "cpe:2.3:"):
		f := splitCPE23(s)
		if len(f) != 13 {
			return fmt.Errorf("CPE 2.3 string has %d fields; want 13", len(f))
		}
		if !strings.Contains("aoh*-", f[2]) || len(f[2]) != 1 {
			return fmt.Errorf("CPE part %q is not a, o, h, * or -", f[2])
		}
		for i, v := range f[3:] {
			if v == "" {
				return fmt.Errorf("CPE field %d is empty", i+3)
			}
		}
		return nil
	case strings.HasPrefix(strings.ToLower(s), "cpe:/"):
		if f := strings.Split(s[5:], ":"); len(f) > 7 {
			return fmt.Errorf("CPE 2.2 URI has %d components; want at most 7", len(f))
		}
		return nil
	}
	return fmt.Errorf("not a CPE (want cpe:2.3:... or cpe:/...)")
}

// CPEVendorProduct returns the lowercased vendor and product fields of a CPE
// 2.3 formatted string or CPE 2.2 URI. ok is false when s is not a CPE or
// either field is a wildcard (* or -), since such a CPE cannot be indexed.
func CPEVendorProduct(s string) (vendor, product string, ok bool) {
	var f []string
	switch {
	case strings.HasPrefix(s, "cpe:2.3:"):
		f = splitCPE23(s)
		if len(f) < 5 {
			return "", "", false
		}
		vendor, product = f[3], f[4]
	case strings.HasPrefix(strings.ToLower(s), "cpe:/"):
		f = strings.Split(s[5:], ":")
		if len(f) < 3 {
			return "", "", false
		}
		vendor, product = f[1], f[2]
	default:
		return "", "", false
	}
	vendor, product = strings.ToLower(vendor), strings.ToLower(product)
	if vendor == "" || product == "" || vendor == "*" || vendor == "-" || product == "*" || product == "-" {
		return "", "", false
	}
	return vendor, product, true
}

// purlKey returns "type/namespace" and the name of a package URL.
func purlKey(s string) (ns, name string, ok bool) {
	p, err := packageurl.FromString(s)
	if err != nil || p.Name == "" {
		return "", "", false
	}
	ns = strings.ToLower(p.Type)
	if p.Namespace != "" {
		ns += "/" + strings.ToLower(p.Namespace)
	}
	return ns, strings.ToLower(p.Name), true
}

// CheckPURL returns nil when s parses as a package URL with a type and name.
func CheckPURL(s string) error {
	p, err := packageurl.FromString(s)
	if err != nil {
		return err
	}
	if p.Type == "" || p.Name == "" {
		return fmt.Errorf("package URL without type or name")
	}
	return nil
}
