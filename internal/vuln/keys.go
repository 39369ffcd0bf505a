// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"slices"
	"strings"

	"vigil/internal/advisory"
	"vigil/internal/match/cpe"
	"vigil/internal/match/purl"
	"vigil/internal/match/vendor"
)

// Index keys. An advisory can only match a device or component with which
// it shares a key; both sides are indexed by them in the store so that a
// new advisory re-checks only inventory that could match and a new device
// only advisories that could match it.
//
//	v:<vendor>            vendor group of a vendor (devices known by strings; see expandKeys)
//	n:<name>              compact product name (components known by name)
//	cpe:<vendor>:<product> CPE vendor and product, lower case
//	purl:<package>        purl.IdentityKey (version-less package URL)
const (
	keyVendor = "v:"
	keyName   = "n:"
	keyCPE    = "cpe:"
	keyPURL   = "purl:"
)

// nameKey is the compact form of a product or component name: lower-case
// letters and digits only ("Alaris Infusion Central" → "alarisinfusioncentral").
func nameKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cpeKey returns "cpe:vendor:product" of a WFN whose vendor and product are
// plain strings.
func cpeKey(w cpe.WFN) (string, bool) {
	v, p := w.Vendor(), w.Product()
	if v.Kind != cpe.Str || p.Kind != cpe.Str || v.HasWildcards() || p.HasWildcards() {
		return "", false
	}
	return keyCPE + strings.ToLower(v.Unquoted()) + ":" + strings.ToLower(p.Unquoted()), true
}

// trimFirmware drops a "_firmware" suffix of a CPE product: NVD names the
// operating system of a device "<model>_firmware".
func trimFirmware(p string) string {
	return strings.TrimSuffix(strings.TrimSuffix(p, "_firmware"), "-firmware")
}

// AdvisoryKeys returns the sorted, unique index keys of an advisory: the
// vendor of every product, the names of products (for components), the
// vendor:product of every CPE (products and NVD configuration criteria, with
// the CPE vendor also as a vendor key so devices known only by strings meet
// NVD criteria) and the package of every purl. KEV entries and withdrawn
// advisories have no keys: they do not match on their own.
func AdvisoryKeys(a *advisory.Advisory) []string {
	return Compile(0, a, nil).Keys
}

// TargetKeys returns the sorted, unique index keys of a device or
// component: its vendor (devices), its name (components), the
// vendor:product of its CPE and of the CPEs inferred from it (a "_firmware"
// operating system and its hardware), and its package URL.
func TargetKeys(t Target) []string {
	p := prepare(t, nil)
	return p.keys()
}

func (p *prepared) keys() []string { return p.appendKeys(nil) }

// appendKeys appends the target's sorted, unique index keys to keys[:0]
// and returns them.
func (p *prepared) appendKeys(keys []string) []string {
	keys = keys[:0]
	if p.vendorKey != "" && p.comp == nil {
		keys = append(keys, keyVendor+p.vendorKey)
		// Its short forms (rule short-form) and the known vendor its first
		// words name (rule division: "GE Healthcare" meets General
		// Electric's advisories).
		for _, f := range vendor.ShortForms(p.vendor) {
			keys = append(keys, keyVendor+f)
		}
		if p.vendors != nil {
			ws := strings.Fields(p.vendor)
			for n := 1; n < len(ws); n++ {
				if lead := strings.Trim(strings.Join(ws[:n], " "), ","); len(vendor.Key(lead)) >= 2 && p.vendors.Known(lead) {
					keys = append(keys, keyVendor+p.vendors.Group(lead))
				}
			}
		}
	}
	if p.comp != nil && p.nameIndex != "" {
		keys = append(keys, p.nameIndex)
	}
	keys = append(keys, p.ownKeys...) // cpeKey of each of p.own
	if p.purlOK {
		keys = append(keys, keyPURL+purl.IdentityKey(p.purl))
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}
