// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package product

import (
	_ "embed"
	"strings"
	"sync"
)

// leadsTSV holds, for each word of letters that leads product names of
// two words or more in the CISA advisories of 2017–2020, the one word all
// of them go on with, when there is one ("sipass integrated";
// gen/main.go): a brand of one product line.
//
//go:embed leads.tsv
var leadsTSV string

// leadLines parses leadsTSV: word → the one word its names go on with.
var leadLines = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(leadsTSV, "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		if f := strings.Split(line, "\t"); len(f) == 3 {
			m[f[0]] = f[1]
		}
	}
	return m
})

// LeadLine returns the one word every 2017–2020 product name that the
// normalised word leads goes on with ("sipass" → "integrated"), "" when
// the word leads names that go on in several ways ("factorytalk") or none.
func LeadLine(w string) string { return leadLines()[w] }

// ConfBrandLine is the confidence of rule "brand-line": a model that is a
// brand of the vendor, alone, for the one product line the brand leads in
// every 2017–2020 product name ("SiPass" / "SiPass integrated V2.85").
const ConfBrandLine = 0.7
