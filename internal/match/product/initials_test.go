// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package product

import "testing"

// TestSpellsInitials: initials the corpus's advisories use for product
// names they write out, and near misses.
func TestSpellsInitials(t *testing.T) {
	t.Parallel()
	tests := []struct {
		abbr, name string
		ok         bool
	}{
		{"ISCV", "IntelliSpace Cardiovascular", true},
		{"SISW", "Safety Instrumented Systems Workstation", true},
		{"DWP", "DoseWise Portal", true},
		{"FLM", "Floating License Manager", true},
		{"FTSP", "FactoryTalk Services Platform", true},
		{"CNM", "ConneXium Network Manager", true},
		{"SESU", "Schneider Electric Software Update", true},
		{"CXP", "CX-Programmer", true},
		{"SSM", "Smart Security Manager", true},
		// Every word gives its first letter.
		{"ROS", "RUGGEDCOM RSG2200", false},
		{"CVE", "CARESCAPE Telemetry Server", false},
		{"MITM", "MiSeq Instrument LRM", false},
		{"PAS", "Pyxis MedStation ES System", false},
		// Words with digits, a class word, a word of the name.
		{"CVSS", "CODESYS V3 Safety SIL2", false},
		{"AFS", "AFS660-SR", false},
		{"PLC", "Plus Logic Controller", false},
		{"ISCV", "ISCV Cardiovascular", false},
		// Not initials: lower case, too short, one word.
		{"iscv", "IntelliSpace Cardiovascular", false},
		{"IS", "IntelliSpace", false},
		{"ISC", "IntelliSpace", false},
		{"ISVC", "IntelliSpace Cardiovascular", false},
	}
	for _, tt := range tests {
		if got := SpellsInitials(tt.abbr, tt.name); got != tt.ok {
			t.Errorf("SpellsInitials(%q, %q) = %v; want %v", tt.abbr, tt.name, got, tt.ok)
		}
	}
}
