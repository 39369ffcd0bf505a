// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package product

import "testing"

// TestMatchModelCode: a family's name and a member's model code after it,
// as the corpus writes them ("NPort" / "NPort 5110", "SIMOTION" /
// "SIMOTION P320-4E", "Nano CPU" / "Nano CPU TUC-6941"), and what is no
// model code.
func TestMatchModelCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, model string
		ok          bool
	}{
		{"GateManager", "GateManager 8250", true},
		{"Modicon M340", "Modicon M340 BMX P34 2020", true},
		{"NPort", "NPort 5110", true},
		{"SIMOTION", "SIMOTION P320-4E", true},
		{"SINUMERIK ONE", "SINUMERIK ONE NCU 1740", true},
		{"Nano CPU", "Nano CPU TUC-6941", true},
		{"SIMATIC ET200AL", "SIMATIC ET200AL IM157-1 PN", true},
		{"gatemanager", "GateManager 8250", true}, // case
		// A hyphen inside a word is no boundary.
		{"750", "750-8207", false},
		{"PFC200", "PFC200 750-8207", false}, // the name has no word of four letters or more
		// Versions, lines, service packs, releases and years are no codes.
		{"Solid Edge", "Solid Edge SE2020", false},
		{"Process Historian", "Process Historian 2014", false},
		{"VxWorks", "VxWorks 6.9", false},
		{"WinCC", "WinCC V7", false},
		{"WinCC Runtime", "WinCC Runtime SP1", false},
		{"PcVue", "PcVue 12", false}, // a major, no model number
		// Words, not codes, after the name; more than three words.
		{"SCALANCE", "SCALANCE Advanced 100", false},
		{"GateManager", "GateManager 8250 Appliance Virtual Edition 2", false},
		{"SiteManager", "GateManager 8250", false},
		{"GateManager", "GateManager", false},
	}
	for _, tt := range tests {
		r := MatchModelCode(tt.name, tt.model)
		if r.OK != tt.ok || r.Why == "" {
			t.Errorf("MatchModelCode(%q, %q) = %v (%s); want %v", tt.name, tt.model, r.OK, r.Why, tt.ok)
		}
		if r.OK && (r.Rule != "model-code" || r.Conf != ConfModelCode || r.Conf >= ConfExact) {
			t.Errorf("MatchModelCode(%q, %q): rule %s at %.2f", tt.name, tt.model, r.Rule, r.Conf)
		}
	}
}
