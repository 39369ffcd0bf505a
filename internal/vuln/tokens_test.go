// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"slices"
	"strings"
	"testing"

	"vigil/internal/registry"
)

// TestGeneralRules: the word and version rules below the named ones, on
// devices against advisories of the accuracy tables: each match says its
// rule and stays below confidence 1; the near misses stay out.
func TestGeneralRules(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		adv, cve, vendor, model, firmware string
		rule                              string // a check rule the match has; "" = no match
	}{
		// The vendor's initials lead the model.
		{"icsa-21-159-02", "CVE-2021-32946", "Open Design Alliance", "ODA Drawings SDK", "2022.3", "tokens"},
		// A word of the name left out, a brand of the title added.
		{"icsa-21-138-01", "CVE-2021-27457", "Emerson", "X-STREAM XEXF", "", "token-omitted"},
		{"icsa-21-138-01", "CVE-2021-27457", "Emerson", "Rosemount X-STREAM XEGP", "", "token-omitted"},
		{"icsa-21-138-01", "CVE-2021-27457", "Emerson", "X-STREAM XEXX", "", ""},
		// A series whose number ends in zeros.
		{"icsa-22-333-04", "CVE-2023-1257", "Moxa", "UC-8112-LX", "1.2", "series-digits"},
		{"icsa-22-333-04", "CVE-2023-1257", "Moxa", "UC-8112-LX", "1.4", ""},
		{"icsa-22-333-04", "CVE-2023-1257", "Moxa", "UC-8612-LX", "1.2", ""},
		// The title's name of the advisory's one product (set 11).
		{"icsa-19-010-01", "CVE-2018-19021", "Emerson", "DeltaV", "14.3", "title-name"},
		{"icsa-18-228-01", "CVE-2018-14797", "Emerson", "DeltaV DCS Workstation", "13.3.0", "title-name"},
		{"icsa-18-228-01", "CVE-2018-14797", "Emerson", "DeltaV DCS", "13.3.0", "title-name"}, // the title's first words, the product's name in them
		{"icsa-18-228-01", "CVE-2018-14797", "Emerson", "DeltaV Workstation", "13.3.0", ""},   // not the title's words in order
		{"icsa-18-228-01", "CVE-2018-14797", "Emerson", "DeltaV DCS Workstation", "14.3", ""}, // a release not named
		// Words weighted by how rare they are (set 11).
		{"icsa-20-100-01", "CVE-2020-10642", "Rockwell Automation", "RSLinx Classic", "4.10.00", "title-name"},
		{"icsa-20-100-01", "CVE-2020-10642", "Rockwell Automation", "RSLinx Enterprise", "4.10.00", ""},
		{"icsma-18-347-01", "CVE-2018-18984", "Medtronic", "CareLink 2090", "", "weighted-tokens"},
		// The title names the former owner with the new one; the curated
		// table (known.tsv) knows eSOMS as a line that passed from ABB to
		// Hitachi Energy, and that rule comes before the title's.
		{"icsa-21-077-02", "CVE-2021-26845", "ABB", "eSOMS", "6.2", "shared-brand"},
		{"icsa-21-077-02", "CVE-2021-26845", "Siemens", "eSOMS", "6.2", ""},
		// A line fixed by its own range ("Version 6.1 prior to 6.1.4").
		{"icsa-21-077-02", "CVE-2021-26845", "Hitachi Energy", "eSOMS", "6.1.4", ""},
		{"icsa-21-077-02", "CVE-2021-26845", "Hitachi Energy", "eSOMS", "6.1.3", "range"},
		{"icsa-21-077-02", "CVE-2021-26845", "Hitachi Energy", "eSOMS", "6.2.1", "range"},
		// A family's name and a member's model code after it.
		{"icsa-20-210-01", "CVE-2020-14500", "Secomea", "GateManager 8250", "9.1", "model-code"},
		{"icsa-20-210-01", "CVE-2020-14500", "Secomea", "GateManager 8250", "9.2c", ""}, // the fix
		{"icsa-20-210-01", "CVE-2020-14500", "Secomea", "SiteManager 1149", "9.1", ""},
		{"icsa-19-136-01", "CVE-2019-6821", "Schneider Electric", "Modicon M340 BMX P34 2020", "2.9", "model-code"},
		{"icsa-19-136-01", "CVE-2019-6821", "Schneider Electric", "Modicon M580 BME P58 2040", "2.20", "model-code"},
		{"icsa-19-136-01", "CVE-2019-6821", "Schneider Electric", "Modicon M580 BME P58 2040", "2.30", ""}, // M580's fix
		{"icsa-19-136-01", "CVE-2019-6821", "Schneider Electric", "Modicon M221 TM221CE16R", "1.6", ""},    // not named
		// Names joined by a slash between spaces, each a name.
		{"icsa-18-144-01", "CVE-2016-2177", "Schneider Electric SE", "Vijeo Citect", "7.40", "contained"},
		{"icsa-18-144-01", "CVE-2016-2177", "Schneider Electric SE", "Vijeo Citect", "7.50", ""}, // not listed
		{"icsa-18-144-01", "CVE-2016-2177", "Schneider Electric Software, LLC", "CitectSCADA", "7.30", "slash-name"},
		{"icsa-20-105-05", "CVE-2018-5390", "Siemens", "SCALANCE S615", "V6.0", "brand"},
		{"icsa-20-105-05", "CVE-2018-5390", "Siemens", "S615", "V6.0", "slash-name"},
		{"icsa-20-105-05", "CVE-2018-5390", "Siemens", "SCALANCE S615", "V6.1", ""},
		{"icsa-20-105-05", "CVE-2018-5390", "Siemens", "SCALANCE S627-2M", "V6.0", ""},
		// The product a name says it is part of.
		{"icsa-19-255-03", "CVE-2019-9008", "3S-Smart Software Solutions", "CODESYS Development System", "3.5.12.0", "container"},
		{"icsa-19-255-03", "CVE-2019-9008", "3S-Smart Software Solutions", "CODESYS Development System", "3.5.13.0", ""},
		{"icsa-19-255-03", "CVE-2019-9008", "3S-Smart Software Solutions", "CODESYS Control for Linux", "3.5.12.0", ""},
		// The initials the advisory's text writes for the product.
		{"icsma-18-025-01", "CVE-2018-5438", "Philips", "ISCV", "2.2.1", "initials"},
		{"icsma-18-025-01", "CVE-2018-5438", "Philips", "ISCV", "3.1", ""}, // after the bound
		{"icsma-18-025-01", "CVE-2018-5438", "Philips", "ISC", "2.2.1", ""},
		{"icsma-18-025-01", "CVE-2018-5438", "Philips", "ISPACS", "2.2.1", ""},
		// An earlier build than the one version the advisory names.
		{"icsa-19-213-06", "CVE-2019-10994", "LCDS", "LAquis SCADA", "4.1.0.3870", "earlier-build"},
		{"icsa-19-213-06", "CVE-2019-10994", "LCDS", "LAquis SCADA", "4.3.1.71", "exact"},
		{"icsa-19-213-06", "CVE-2019-10994", "LCDS", "LAquis SCADA", "4.3.1.323", ""}, // the fix
		{"icsa-19-213-06", "CVE-2019-10994", "LCDS", "LAquis SCADA", "4.3.1.80", ""},  // later: not read
		{"icsa-19-213-06", "CVE-2019-10994", "LCDS", "LAquis SCADA", "3.9.0.12", ""},  // another major
		{"icsa-19-213-06", "CVE-2019-10994", "LCDS", "LAquis SCADA", "4.1", ""},       // not a build
		// Several entries of one name list their versions: none is read
		// as the one version named (GMS600 1.2.0, 1.3.0, 1.3.1.0).
		{"icsa-21-343-01", "CVE-2021-35534", "Hitachi Energy", "GMS600", "1.3.0.5", ""},
		// A business of the vendor the vendor table keeps apart.
		{"icsma-20-023-01", "CVE-2020-6962", "GE Healthcare", "B450", "2.1", "division"},
		{"icsma-20-023-01", "CVE-2020-6962", "GE Healthcare", "B450", "3.1", ""},
		{"icsma-20-023-01", "CVE-2020-6962", "GE Healthcare", "B460", "2.1", ""},
		{"icsma-20-023-01", "CVE-2020-6962", "Philips Healthcare", "B450", "2.1", ""},
		// Words written together, a variant of "(All models)".
		{"icsa-21-054-04", "CVE-2021-22646", "Ovarro", "TBox LT2-532", "1.44", "series-member"},
		{"icsa-21-054-04", "CVE-2021-22646", "Ovarro", "TBox LT2-532", "1.46", ""},
		// A misspelt product tree, a word left out.
		{"icsa-21-021-01", "CVE-2020-27280", "Delta Electronics", "ISPSoft", "3.10", "spelling"},
		{"icsa-21-021-01", "CVE-2020-27280", "Delta Electronics", "WPLSoft", "3.10", ""},
		{"icsa-21-229-01", "CVE-2021-28372", "ThroughTek", "Kalay SDK", "3.1.4", "token-omitted"},
		{"icsa-21-229-01", "CVE-2021-28372", "ThroughTek", "Kalay SDK", "3.1.6", ""},
		// A named version written with a trailing zero ("2.20" of the CSAF's
		// "2.2"), and a patch of a listed two-part release ("6.1.1" of
		// "5.1 | 6.0 | 6.1"); other versions stay out.
		{"icsma-20-170-05", "CVE-2019-18246", "BIOTRONIK", "CardioMessenger II-S T-Line T4APP", "2.20", "decimal"},
		{"icsma-20-170-05", "CVE-2019-18246", "BIOTRONIK", "CardioMessenger II-S T-Line T4APP", "2.30", ""},
		{"icsma-20-170-05", "CVE-2019-18246", "BIOTRONIK", "CardioMessenger II-S T-Line T4APP", "2.21", ""},
		{"icsa-20-154-04", "CVE-2020-8481", "ABB", "800xA", "6.1.1", "release-line"},
		{"icsa-20-154-04", "CVE-2020-8481", "ABB", "800xA", "6.0.2", "release-line"},
		{"icsa-20-154-04", "CVE-2020-8481", "ABB", "800xA", "6.2.1", ""},
		{"icsa-20-154-04", "CVE-2020-8481", "ABB", "800xA", "5.11", ""},
		// A patch of a listed release led by a letter ("C.02.05" of "B.02
		// | C.02 | C.03"), but not one a vendor fix of the CVE names
		// (icsma-21-322-02: "… a remediation for CVE-2021-43548 … in PIC
		// iX C.03.06", while CVE-2021-43552 is still to be fixed).
		{"icsma-20-254-01", "CVE-2020-16214", "Philips", "Patient Information Center iX", "C.02.05", "release-line"},
		{"icsma-20-254-01", "CVE-2020-16214", "Philips", "Patient Information Center iX", "D.02.05", ""},
		{"icsma-18-233-01", "CVE-1999-0103", "Philips", "IntelliVue Information Center iX", "B.02.01", "release-line"},
		{"icsma-18-233-01", "CVE-1999-0103", "Philips", "IntelliVue Information Center iX", "B.03.01", ""},
		{"icsma-21-322-02", "CVE-2021-43548", "Philips", "Patient Information Center iX", "C.03.06", ""},
		{"icsma-21-322-02", "CVE-2021-43552", "Philips", "Patient Information Center iX", "C.03.06", "release-line"},
		// "6.10" is not "6.1" written otherwise: the product's name does
		// not write it so.
		{"icsa-20-154-04", "CVE-2020-8481", "ABB", "800xA", "6.10", ""},
		// A joint advisory's second vendor ("Siemens and PKE …").
		{"icsa-20-070-01", "CVE-2019-13947", "PKE", "Control Center Server", "1.4", "co-vendor"},
		{"icsa-20-070-01", "CVE-2019-13947", "PKE", "Control Center Server", "1.5.1", ""},
		{"icsa-20-070-01", "CVE-2019-13947", "Milestone Systems", "Control Center Server", "1.4", ""},
		// A model on another major line than the title names ("CODESYS
		// Control V2" in an advisory about "CODESYS Control V3").
		{"icsa-19-255-03", "CVE-2019-9008", "3S-Smart Software Solutions", "CODESYS Control V2", "2.3.9", ""},
		{"icsa-19-255-03", "CVE-2019-9008", "3S-Smart Software Solutions", "CODESYS Control for BeagleBone", "3.5.12.0", "clause"},
		// A bound that is a version once the shared prefix is dropped.
		{"icsa-22-167-11", "CVE-2022-31465", "Siemens", "Xpedition Designer", "VX.2.11", ""},
		{"icsa-22-167-11", "CVE-2022-31465", "Siemens", "Xpedition Designer", "VX.2.12", ""},
		{"icsa-22-167-11", "CVE-2022-31465", "Siemens", "Xpedition Designer", "VX.2.10", "prefix-compared"},
	} {
		d := registry.Device{ID: 1, Vendor: c.vendor, Model: c.model, Firmware: c.firmware}
		var got *Match
		for _, m := range MatchOne(accuracyAdvisory(t, c.adv), DeviceTarget(d), DefaultMinConfidence) {
			if m.CVE == c.cve {
				got = &m
			}
		}
		name := strings.Join([]string{c.adv, c.vendor, c.model, c.firmware}, " / ")
		switch {
		case c.rule == "" && got != nil:
			t.Errorf("%s: matched (%.2f %s); want none", name, got.Confidence, got.Evidence.Reason)
		case c.rule == "":
		case got == nil:
			t.Errorf("%s: no match; want rule %s", name, c.rule)
		default:
			found := false
			for _, ch := range got.Evidence.Checks {
				found = found || ch.Rule == c.rule
			}
			// Only the exact range of the named product reaches 1.
			if !found || !strings.Contains(got.Evidence.Reason, c.rule) || got.Confidence >= 1 && c.rule != "range" {
				t.Errorf("%s: %.2f %s; want rule %s (below confidence 1 unless exact)", name, got.Confidence, got.Evidence.Reason, c.rule)
			}
		}
	}
}

// TestIndexFindsMatches: the engine compares a device only with the
// advisories whose index keys meet its own (expandKeys); every case of the
// accuracy tables that MatchOne matches must meet them, so that the vendor
// rules (division, title-vendor, short-form, shared-brand) work in the
// engine too and not only in MatchOne.
func TestIndexFindsMatches(t *testing.T) {
	t.Parallel()
	n := 0
	for _, file := range accuracyFiles {
		for _, c := range readAccuracyCases(t, file.path) {
			adv := accuracyAdvisory(t, c.advisory)
			d := registry.Device{ID: int64(c.line), Vendor: c.vendor, Model: c.model, Firmware: c.firmware}
			if len(MatchOne(adv, DeviceTarget(d), DefaultMinConfidence)) == 0 {
				continue
			}
			n++
			tk := prepare(DeviceTarget(d), adv.vendors).keys()
			if !slices.ContainsFunc(expandKeys(adv.vendors, adv.Keys), func(k string) bool { return slices.Contains(tk, k) }) {
				t.Errorf("%s:%d %s: device keys %v do not meet the advisory's %v", c.path, c.line, c.advisory, tk, adv.Keys)
			}
		}
	}
	if n < 300 {
		t.Errorf("only %d matched cases", n)
	}
}

// TestIncludedNames: the products a full name's parentheses include
// (icsa-19-113-01, icsa-22-083-01), not Siemens' variants or a bound's
// "(including)".
func TestIncludedNames(t *testing.T) {
	t.Parallel()
	for full, want := range map[string][]string{
		"CompactLogix 5370 L3 controllers: (includes CompactLogix GuardLogix controllers) v30.014 and earlier":    {"CompactLogix GuardLogix controllers"},
		"CENTUM and Exaopc - CENTUM CS 3000 (Including CENTUM CS 3000 Entry Class): R3.08.10 - R3.09.00":          {"CENTUM CS 3000 Entry Class"},
		"SIMATIC S7-1200 CPU family (incl. SIPLUS variants)":                                                      nil,
		"SINUMERIK Integrate Operate Client: All versions between 2.0.3.00.016 (including) and 2.0.6 (excluding)": nil,
		"SIMATIC ET200SP (incl. SIPLUS variants, except IM155-6 PN ST and IM155-6 PN HF)":                         nil,
		"1756-EWEB (includes 1756-EWEBK): Version 5.001 and earlier":                                              {"1756-EWEBK"},
		"SCALANCE X-200 switch family (including SIPLUS NET variants)":                                            nil,
	} {
		if got := includedNames(full); !slices.Equal(got, want) {
			t.Errorf("includedNames(%q) = %q; want %q", full, got, want)
		}
	}
}
