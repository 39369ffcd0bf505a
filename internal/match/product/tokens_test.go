// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package product

import "testing"

// TestMatchTokens: the token rules on names and models of CISA advisories
// (set 9 of the accuracy tables and siblings from the same advisories),
// matches and the near misses that must stay apart.
func TestMatchTokens(t *testing.T) {
	t.Parallel()
	oda := TokenOptions{Lead: [][]string{{"open", "design", "alliance"}, {"oda"}}, Title: "Open Design Alliance Drawings SDK"}
	emerson := TokenOptions{Lead: [][]string{{"emerson"}}, Title: "ICSA-21-138-01_Emerson Rosemount X-STREAM"}
	moxa := TokenOptions{Lead: [][]string{{"moxa"}}, Title: "Moxa UC Series"}
	delta := TokenOptions{Lead: [][]string{{"delta", "electronics"}, {"delta"}}, Title: "Delta Electronics CNCSoft"}
	for _, c := range []struct {
		name, model string
		o           TokenOptions
		rule        string // "" = no match
	}{
		{"Drawings SDK", "ODA Drawings SDK", oda, "tokens"},
		{"Drawings SDK", "Open Design Alliance Drawings SDK", oda, "tokens"},
		{"Drawings SDK", "Drawings SDK", oda, ""}, // the named rules' case
		{"Drawings SDK", "ODA Visualize SDK", oda, ""},
		{"X-STREAM enhanced XEGP", "Rosemount X-STREAM XEGP", emerson, "token-omitted"},
		{"X-STREAM enhanced XEGP", "X-STREAM XEXF", emerson, ""},
		{"X-STREAM enhanced XEXF", "X-STREAM XEXF", emerson, "token-omitted"},
		{"X-STREAM enhanced XEXF", "Rosemount 3051", emerson, ""},
		// Only a brand the title writes right before the name is dropped.
		{"X-STREAM enhanced XEXF", "Fisher X-STREAM XEXF", emerson, ""},
		{"UC-8100 Series", "UC-8112-LX", moxa, "series-digits"},
		{"UC-8200 Series", "UC-8220-T-LX", moxa, "series-digits"},
		{"UC-3100 Series", "UC-3111-T-US-LX", moxa, "series-digits"},
		{"UC-8100A-ME-T Series", "UC-8112-LX", moxa, ""},
		{"UC-2100-W Series", "UC-2111-LX", moxa, ""},
		// The series' letters and number in one word, a brand key
		// ("allenbradley") leading the model apart (icsa-20-280-01).
		{"Micro800 family", "Micro850", TokenOptions{}, "series-digits"},
		{"Micro800 family", "Allen-Bradley Micro870", TokenOptions{Lead: [][]string{{"allenbradley"}}}, "series-digits"},
		{"Micro800 family", "Micro8000", TokenOptions{}, ""},
		{"Micro800 family", "MicroLogix 1400", TokenOptions{}, ""},
		{"Micro800 family", "Macro850", TokenOptions{}, ""},
		{"UC-8580 Series", "UC-8581-LX", moxa, ""}, // no zeros: no placeholder
		{"UC-8100 Series", "UC-8212-LX", moxa, ""},
		{"UC-8100", "UC-8112-LX", moxa, ""}, // no series word
		// A family name alone is not its sub-product (last word left out).
		{"CNCSoft ScreenEditor", "CNCSoft", delta, ""},
		{"CNCSoft ScreenEditor", "DOPSoft", delta, ""},
		// A word with a digit is never left out.
		{"Spectrum Power 4", "Spectrum Power", TokenOptions{}, ""},
		{"Spectrum Power 4", "Spectrum Power 7", TokenOptions{}, ""},
		// A companion program is another product.
		{"Historian Client Viewer", "Historian Viewer", TokenOptions{}, ""},
		// Words written together ("TBoxLT2") and a variant of a series.
		{"TBoxLT2 (All models)", "TBox LT2-532", TokenOptions{}, "series-member"},
		{"TBoxLT2 (All models)", "TBox LT2", TokenOptions{}, ""}, // same words: the named rules' case
		{"TBoxLT2 (All models)", "TBox MS-CPU32", TokenOptions{}, ""},
		{"TBoxLT2", "TBox LT2-532", TokenOptions{}, ""}, // not a series
		{"UC-8100 Series", "UC-8100 Software Controller", moxa, ""},
		// One word misspelt, six letters or more.
		{"IPSoft", "ISPSoft", delta, "spelling"},
		{"IPSoft", "WPLSoft", delta, ""},
		{"ISPSoft", "DOPSoft", delta, ""},
		{"CNCSoft ScreenEditor", "CNCSoft ScreenEdit", delta, ""},
		{"SCALANCE X-200", "SCALANCE X-201", TokenOptions{}, ""},
		// A word with letters at both ends may be left out ("P2P"), a
		// number not.
		{"Kalay P2P SDK", "Kalay SDK", TokenOptions{}, "token-omitted"},
		{"Kalay X200 SDK", "Kalay SDK", TokenOptions{}, ""},
	} {
		r := MatchTokens(c.name, c.model, c.o)
		if got := map[bool]string{true: r.Rule}[r.OK]; got != c.rule {
			t.Errorf("MatchTokens(%q, %q) = %q (%s); want %q", c.name, c.model, got, r.Why, c.rule)
		}
		if r.OK && (r.Conf >= ConfGeneric || r.Why == "") {
			t.Errorf("MatchTokens(%q, %q): confidence %.2f, why %q; want below %.2f with a reason", c.name, c.model, r.Conf, r.Why, ConfGeneric)
		}
	}
}
