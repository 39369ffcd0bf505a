// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package product

import "testing"

// TestMatchWeighted: the weighted word rule on names and models of CISA
// advisories of 2017–2020 (set 11 of the accuracy tables) and of the
// counted tables, with the near misses that must stay apart: siblings,
// variants of one or two letters, another role of a product and other
// platforms.
func TestMatchWeighted(t *testing.T) {
	t.Parallel()
	none := TokenOptions{}
	for _, c := range []struct {
		name, model string
		match       bool
	}{
		// Common words the model leaves out or adds.
		{"RSLinx", "RSLinx Classic", false},                                           // an edition word added: the title-name rule's case
		{"RSLinx", "RSLinx Enterprise", false},                                        // another product
		{"FactoryTalk Linx Enterprise software", "FactoryTalk Linx", false},           // rule edition (icsa-22-209-01)
		{"RSLinx Classic", "RSLinx", true},                                            // the first edition's name
		{"IntelliSpace Cardiovascular", "IntelliSpace Cardiovascular Software", true}, // a class word added
		{"SIMATIC WinCC Sm@rtClient Lite for Android", "Sm@rtClient Lite for Android", true},
		{"DeltaV", "DeltaV DCS Workstation", false}, // two words added
		// Words of letters after the name's last code.
		{"CareLink 2090 Programmer", "CareLink 2090", true},
		{"CareLink 2090 Programmer", "CareLink 9790", false},
		// One code of a list of codes of one shape.
		{"PageWriter TC10 TC20 TC30 TC50 TC70 Cardiographs", "PageWriter TC50", true},
		{"PageWriter TC10 TC20 TC30 TC50 TC70 Cardiographs", "PageWriter TC35", false},
		// Numbers must agree.
		{"Stratix 5400 Industrial Ethernet Switches", "Stratix 5410", false},
		{"Alpha7 PC Loader", "Alpha5 PC Loader", false},
		{"Easergy T300 with firmware", "Easergy T200", false},
		// A rare word added or left out: another product.
		{"V-Server Lite", "V-Server", false},
		{"V-Server", "V-Server Lite", false},
		{"Philips HealthSuite Health Android App", "HealthSuite Health iOS App", false},
		{"SINEMA Server", "SINEMA Remote Connect Server", false},
		{"FPWIN Pro", "FPWIN GR", false},
		// Designations of one or two letters and role words are never common.
		{"MicroLogix 1400 Controllers Series A", "MicroLogix 1400 Series B", false},
		{"SIMATIC ET200SP IM155-6 PN HF (incl. SIPLUS variants)", "SIMATIC ET200SP IM155-6 PN ST", false},
		{"SINEMA Remote Connect Server", "SINEMA Remote Connect Client", false},
		{"Siveillance Video Client", "Siveillance Video", false},
		// The same words are the named rules' case.
		{"RSLinx", "RSLinx", false},
	} {
		r := MatchWeighted(c.name, c.model, none)
		if r.OK != c.match || r.OK && (r.Rule != "weighted-tokens" || r.Conf != ConfWeighted || r.Why == "") {
			t.Errorf("MatchWeighted(%q, %q) = %+v; want match %v", c.name, c.model, r, c.match)
		}
	}
}

// TestWordNames: the embedded counts know the common words and not the
// rare ones.
func TestWordNames(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		word   string
		common bool
	}{
		{"simatic", true}, {"classic", true}, {"industrial", true},
		{"rslinx", false}, {"lite", false}, {"b", false}, {"client", false}, {"5400", false},
	} {
		if got := commonWord(c.word); got != c.common {
			t.Errorf("commonWord(%q) = %v (%d names); want %v", c.word, got, WordNames(c.word), c.common)
		}
	}
	if _, total := wordCounts(); total < 1000 {
		t.Errorf("words.tsv counts %d names; want the 2017–2020 product names", total)
	}
}
