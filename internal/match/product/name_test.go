// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package product

import (
	"strings"
	"testing"
)

// TestNameMatch: advisory product names from CISA CSAF documents against
// models as owners register them, with the rule that must match (empty:
// no match).
func TestNameMatch(t *testing.T) {
	t.Parallel()
	siemens := NameOptions{Brands: []string{"simatic", "scalance", "siplus", "sinamics", "ruggedcom"}}
	tests := []struct {
		name, model string
		rule        string
		o           NameOptions
	}{
		// Exact, brand words, lists.
		{"SCALANCE X208", "Scalance x-208", "exact", siemens},
		// A roman numeral written as a digit (icsa-22-223-06,
		// icsa-18-282-03, icsma-19-080-01), and a digit for another
		// generation.
		{"SICAM TOOLBOX II", "SICAM TOOLBOX 2", "roman", siemens},
		{"RUGGEDCOM ROX II", "ROX 2", "roman", siemens},
		{"Virtuoso II ICD", "Virtuoso 2 ICD", "roman", NameOptions{}},
		{"Maximo II CRT-D and ICD", "Maximo 3 ICD", "", NameOptions{}},
		{"SICAM TOOLBOX II", "SICAM TOOLBOX 3", "", siemens},
		// Descriptive words after the name the model leaves out
		// (icsa-21-278-03), but not a brand alone.
		{"MXview Network Management Software", "MXview", "descriptor", NameOptions{}},
		{"MXview Network Management Software", "MX view", "descriptor", NameOptions{}},
		{"IGSS SCADA Software", "IGSS", "", NameOptions{Brands: []string{"igss"}}},
		{"SCALANCE Industrial Ethernet switches", "SCALANCE", "", siemens},
		{"SIMATIC CP 443-1 RNA", "CP 443-1 RNA", "brand", siemens},
		// A variant designation the device lacks; a member of a family
		// with a suffix after its port count.
		{"SIMATIC CP 343-1 Advanced (6GK7343-1GX31-0XE0)", "SIMATIC CP 343-1", "", siemens},
		{"SIMATIC S7-1500 CPU 1518-4 PN/DP MFP (6ES7518-4AX00-1AC0)", "SIMATIC S7-1500 CPU 1518-4 PN/DP", "", siemens},
		// A family prefix before the same code names another module,
		// unless the title writes the model's own (icsa-20-345-02,
		// icsa-22-263-04).
		{"H4-ECOM100 Module", "H0-ECOM100", "", NameOptions{Title: "Host Engineering H2-ECOM100 Module"}},
		{"H4-ECOM100 Module", "H2-ECOM100", "code", NameOptions{Title: "Host Engineering H2-ECOM100 Module"}},
		{"H4-ECOM100 Module", "H4-ECOM100", "generic", NameOptions{Title: "Host Engineering H2-ECOM100 Module"}},
		{"H0-ECOM100 Communications Module", "H2-ECOM100", "", NameOptions{Title: "Host Engineering Communications Module"}},
		// A round series number ends where the model's does
		// (icsa-20-280-01); "GT27" still takes "GT2710".
		{"Micro800 family", "Micro8000", "", NameOptions{}},
		// "(includes X)" lists X as a name of the entry (icsa-19-036-02),
		// not "udes X" after the product line.
		{"1756-EWEB (includes 1756-EWEBK)", "1756-EWEBK", "listed", NameOptions{}},
		{"SCALANCE X-200IRT switch family (incl. SIPLUS NET variants)", "SCALANCE X202-2IRT", "family", siemens},
		{"Airlink Router (ES450, GX450) running ALEOS software", "GX450", "listed", NameOptions{}},
		{"SIMATIC HMI KTP Mobile Panels KTP400F, KTP700, KTP700F, KTP900 and KTP900F", "KTP700F", "listed", siemens},
		{"R04/08/16/32/120(EN)CPU", "R08ENCPU", "listed", NameOptions{}},
		{"R04/08/16/32/120(EN)CPU", "R32CPU", "listed", NameOptions{}},
		{"R04/08/16/32/120(EN)CPU", "R64CPU", "", NameOptions{}},
		{"SCALANCE M874-2 (6GK5874-2AA00-2AA2)", "6GK5874-2AA00-2AA2", "listed", siemens},
		// Placeholders and series.
		{"SIMATIC S7-1500 ET 200pro CPU 6ES7655-5PX31-1XX0", "6ES7655-5PX31-1AA0", "pattern", siemens},
		{"SIMATIC S7-1500 ET 200pro CPU 6ES7655-5PX31-1XX0", "6ES7655-5PX31-2AA0", "", siemens},
		{"FOX61x", "FOX615", "pattern", NameOptions{}},
		{"FOX61x", "FOX6150", "", NameOptions{}},
		{"SIMATIC CP 44x-1 RNA", "SIMATIC CP 443-1 RNA", "pattern", siemens},
		{"SIMATIC CP 44x-1 RNA", "SIMATIC CP 443-1", "", siemens}, // the words after the pattern name the product too
		{"Magelis HMIGTO series", "HMIGTO5310", "series", NameOptions{}},
		{"IntelliVue patient monitor MP2-MP90", "IntelliVue MP70", "range", NameOptions{}},
		{"IntelliVue patient monitor MP2-MP90", "IntelliVue MX450", "", NameOptions{}},
		{"SCALANCE X-300 switch family (incl. X408 and SIPLUS NET variants)", "SCALANCE X307-3", "family", siemens},
		{"DS-2CD63xx Series", "DS-2CD6332FWD-IV", "pattern", NameOptions{}},
		// Items of several words around a slash, a one-word list item
		// with the first item's family, the family of the title before
		// the code, a suite the title names (2017–2020 advisories).
		{"Siemens SPECT Workplaces/Symbia.net Windows XP-Based", "Symbia.net", "listed", NameOptions{Vendor: [][]string{{"siemens"}}}},
		{"Siemens SPECT Workplaces/Symbia.net Windows XP-Based", "SPECT Workplaces", "listed", NameOptions{Vendor: [][]string{{"siemens"}}}},
		{"Siemens PET/CT Systems Windows XP-Based", "PET/CT Systems", "clause", NameOptions{Vendor: [][]string{{"siemens"}}}},
		{"PACSystems CPU320/CRU320 and RXi", "PACSystems RXi", "listed", NameOptions{}},
		{"RX3i CPE 400", "PACSystems RX3i CPE400", "title-family", NameOptions{Title: "GE PACSystems CPE305/310, CPE330, CPE400, RSTi-EP CPE 100, CPU320/CRU320, RXi"}},
		{"RX3i CPE 400", "PACSystems RX3i CPE400", "", NameOptions{}},
		{"MX350 Relay firmware", "Multilin MX350", "code", NameOptions{Title: "GE Multilin SR, UR, and URplus Protective Relays"}},
		{"MX350 Relay firmware", "Multilin MX350", "", NameOptions{}},
		{"750 Feeder Protection Relay", "Multilin 750 Feeder Protection Relay", "member", NameOptions{Title: "GE Multilin SR, UR, and URplus Protective Relays"}},
		{"750 Feeder Protection Relay", "Multilin 760 Feeder Protection Relay", "", NameOptions{Title: "GE Multilin SR, UR, and URplus Protective Relays"}},
		{"PC Worx Express", "Automation Worx Software Suite", "suite", NameOptions{Vendor: [][]string{{"phoenix", "contact"}}, Suite: "PHOENIX CONTACT Automation Worx Software Suite"}},
		{"PC Worx Express", "Automation Worx", "suite", NameOptions{Vendor: [][]string{{"phoenix", "contact"}}, Suite: "PHOENIX CONTACT Automation Worx Software Suite"}},
		{"PC Worx Express", "Automation Worx Software Suite", "", NameOptions{Vendor: [][]string{{"phoenix", "contact"}}}},
		// Product lines and models named inside a longer name.
		{"eWON Flexy", "eWON Flexy 205", "member", NameOptions{}},
		{"Modicon Quantum", "Modicon Quantum 140CPU65150", "member", NameOptions{}},
		{"SIMATIC HMI Comfort Panels 4\" - 22\" (incl. SIPLUS variants)", "SIMATIC HMI TP700 Comfort", "member", siemens},
		// A SIPLUS variant the name includes, under SIPLUS in SIMATIC's
		// place (icsa-19-283-02, icsa-21-033-02); not where the name
		// includes none.
		{"SIMATIC HMI Comfort Panels 4\" - 22\" (incl. SIPLUS variants)", "SIPLUS HMI TP700 Comfort", "member", siemens},
		{"SIMATIC HMI Comfort Panels", "SIPLUS HMI TP700 Comfort", "", siemens},
		// A short word of a line's name carrying the model number
		// (icsa-19-283-02, icsa-21-033-02); a single digit is a generation
		// (icsa-21-180-04 lists "Plus EFR" and "Plus EFR2").
		{"SIMATIC HMI KTP Mobile Panels", "SIMATIC HMI KTP900F Mobile", "member", siemens},
		{"SIMATIC HMI KTP Mobile Panels", "SIMATIC HMI KTP700 Basic", "", siemens},
		{"Plus EFR", "Plus EFR2", "", NameOptions{}},
		{"SIMATIC HMI Comfort Panels 4\" - 22\" (incl. SIPLUS variants)", "SINAMICS HMI TP700 Comfort", "", siemens},
		{"Industrial Managed Switch 852-303", "852-303", "contained", NameOptions{}},
		{"MELSEC iQ-R R08 (EN) CPU firmware", "R08ENCPU", "contained", NameOptions{}},
		{"MELSEC L L26 CPU - (P) BT", "L26CPU-PBT", "contained", NameOptions{}},
		{"STARDOM Controller FCJ", "FCJ", "contained", NameOptions{}},
		{"SIMATIC STEP 7 (TIA Portal) V14", "SIMATIC STEP 7 (TIA Portal)", "listed", siemens},
		{"SIMATIC CFU DIQ (6ES7655-5PX31-1XX0)", "6ES7655-5PX31-1AA0", "pattern", siemens}, // a pattern in parentheses
		{"GT27 Model FTP server", "GT2710-VTBA", "series", NameOptions{}},
		{"GOT2000 Series GT21 Model", "GT2107-WTBD", "series", NameOptions{}},
		{"GT23 Model FTP server", "GOT2000 GT23", "series", NameOptions{}},
		{"Relion 670 series", "REB670", "series", NameOptions{}},
		{"Relion 670 series", "REB650", "", NameOptions{}},
		{"ThinManager ThinServer", "ThinManager", "prefix", NameOptions{}},
		{"Eurotherm by Schneider Electric GUIcon", "Eurotherm GUIcon", "exact", NameOptions{Vendor: [][]string{{"schneider"}, {"schneider", "electric"}}}},
		{"Connected Components Workbench", "Connected Components Workbench Developer Edition", "edition", NameOptions{}},
		{"EntraPass Corporate Edition", "EntraPass Special Edition", "", NameOptions{}},
		{"Simcenter STAR-CCM+ Viewer", "Simcenter STAR-CCM+", "", NameOptions{}}, // a program of its own
		{"V-Server Lite", "V-Server", "", NameOptions{}},                         // rule edition (icsa-18-254-02)
		{"Lumada APM Edge", "Lumada APM", "", NameOptions{}},                     // rule edition (icsa-22-270-02)
		{"CodeMeter Runtime", "CodeMeter", "prefix", NameOptions{}},              // the part owners run
		{"Siveillance Video Client", "Siveillance Video", "", NameOptions{}},
		{"Armor GuardLogix Safety Controllers", "Armor GuardLogix", "prefix", NameOptions{}},
		{"Siveillance Video Open Network Bridge", "Siveillance Video", "", NameOptions{}},
		// Different products of one family.
		{"SIMATIC ET200SP IM155-6 PN HF", "SIMATIC ET200SP IM155-6 PN ST", "", siemens},
		{"D2-250", "D2-250-1", "", NameOptions{}},
		{"SIMATIC S7-300 CPU 315-2 PN/DP (6ES7315-2EH14-0AB0)", "SIMATIC S7-300 CPU 315-2 DP", "", siemens},
		{"SIMATIC HMI KTP Mobile Panels KTP400F, KTP700, KTP700F, KTP900 and KTP900F", "SIMATIC HMI KTP700 Basic", "", siemens},
		{"SIMATIC S7-1500 Software Controller", "SIMATIC S7-1500 CPU 1511-1 PN", "", siemens},
		{"InRouter 302", "InRouter 615", "", NameOptions{}},
		// Hardware revisions are revisions, not model codes.
		{"1756-EN2T Series C", "1756-EN2T Series D", "", NameOptions{}},
		{"1756-EN2T Series C", "1756-EN2T Series C", "exact", NameOptions{}},
		{"1756-EN2T Series C", "1756-EN2T", "exact", NameOptions{}},
		// A major version in the name, either way.
		{"FactoryTalk View 13", "FactoryTalk View", "major", NameOptions{}},
		{"ThinManager", "ThinManager 13", "major", NameOptions{}},
		{"Mendix Applications using Mendix 9", "Mendix", "major", NameOptions{}}, // the product used
		// Letter designations of three or more parts list models; two
		// parts are one designation.
		// Codes of one family listed with spaces only.
		{"PageWriter TC10 TC20 TC30 TC50 TC70 Cardiographs", "PageWriter TC20 Cardiograph", "generic", NameOptions{}},
		{"PageWriter TC10 TC20 TC30 TC50 TC70 Cardiographs", "PageWriter TC40 Cardiograph", "", NameOptions{}},
		// The product a name says it is part of, or included in.
		{"CODESYS Control Win V3 (also part of the CODESYS Development System setup) containing the CmpUserMgr", "CODESYS Development System", "container", NameOptions{}},
		{"CODESYS V3 Simulation Runtime (part of the CODESYS Development System)", "CODESYS Development System", "container", NameOptions{}},
		{"CODESYS Control Win V3 (also part of the CODESYS Development System setup) containing the CmpUserMgr", "CODESYS Control for Linux", "", NameOptions{}},
		{"CODESYS Control Win V3 (also part of the CODESYS setup)", "CODESYS", "", NameOptions{}},                               // a brand alone
		{"EN100 Ethernet module included in SIPROTEC Merging Unit 6MU80", "SIPROTEC Merging Unit 6MU80", "code", NameOptions{}}, // its code, before this rule
		{"EN100 Ethernet module included in SIPROTEC Merging Unit 6MU80", "SIPROTEC Merging Unit 6MU85", "", NameOptions{}},
		{"FactoryTalk Security part of the FactoryTalk Services Platform if configured and deployed", "FactoryTalk Services Platform", "container", NameOptions{}},
		// An order number written before the name.
		{"2700974 ILC 151 ETH", "ILC 151 ETH", "listed", NameOptions{}},
		{"2700974 ILC 151 ETH", "ILC 191 ETH", "", NameOptions{}},
		{"1SAP120600R0071 PM554-TP-ETH", "PM554-TP-ETH", "listed", NameOptions{}},
		{"1SAP120600R0071 PM554-TP-ETH", "PM564-TP-ETH", "", NameOptions{}},
		{"6ES7211-1AE40-0XB0 Simatic S7-1211", "SIMATIC S7-1211", "listed", NameOptions{}},
		{"6ES7211-1AE40-0XB0 Simatic S7-1211", "SIMATIC S7-1214", "", NameOptions{}},
		// A medical device's class word the model leaves out or adds.
		{"PageWriter TC10 TC20 TC30 TC50 TC70 Cardiographs", "PageWriter TC50", "generic", NameOptions{}},
		{"PageWriter TC10 TC20 TC30 TC50 TC70 Cardiographs", "PageWriter TC40", "", NameOptions{}},
		{"MiniMed 508 pump", "MiniMed 508", "generic", NameOptions{}},
		{"MiniMed 508 pump", "MiniMed 512", "", NameOptions{}},
		{"GOT2000 models GT27 GT25 GT23", "GOT2000 GT25", "generic", NameOptions{}},
		// A series whose members the name lists (icsa-21-208-02): a listed
		// member's model is the series', another member is not.
		{"GOT2000 models GT27 GT25 GT23", "GOT2000 GT2510-VTBA", "series", NameOptions{}},
		{"GOT2000 models GT27 GT25 GT23", "GOT2000 GT21", "", NameOptions{}},
		{"GOT2000 models GT27 GT25 GT23", "GOT2000 GT2107-WTBD", "", NameOptions{}},
		{"GOT2000 models GT27 GT25 GT23", "GOT2000 HMI", "code", NameOptions{}}, // no member named
		{"GOT2000 Series GT21 Model", "GOT2000 GT2107-WTBD", "series", NameOptions{}},
		{"GOT2000 Series GT21 Model", "GOT2000 GT2710-STBA", "", NameOptions{}},
		{"APOGEE MEC/MBC/PXC (P2)", "APOGEE MBC", "listed", NameOptions{}},
		{"APOGEE MEC/MBC/PXC (P2)", "APOGEE MEC Controller", "generic", NameOptions{}},
		{"APOGEE MEC/MBC/PXC (P2)", "APOGEE MXC", "", NameOptions{}},
		// Class words, editions, plurals, initials, family words.
		{"IntelliBridge EC40 Hub", "IntelliBridge EC 40", "generic", NameOptions{}},
		{"ControlEdge RTU", "ControlEdge", "generic", NameOptions{}},
		{"Connected Components Workbench - Developer Edition 9328-CCWDEVENE", "Connected Components Workbench", "edition", NameOptions{}},
		{"Connected Components Workbench - Developer Edition 9328-CCWDEVENE", "Connected Component Workbench", "plural", NameOptions{}},
		{"Connected Components Workbench - Developer Edition 9328-CCWDEVENE", "CCW", "acronym", NameOptions{}},
		{"Applications using PI Software Development Kit (SDK)", "PI SDK", "acronym", NameOptions{}},
		{"P2P Software Development Kit", "P2P SDK", "acronym", NameOptions{}},
		{"Applications using PI Asset Framework (AF) Client", "PI AF Client", "acronym", NameOptions{}},
		{"P2P Software Development Kit", "P2P SD", "", NameOptions{}},
		{"Wonderware InTouch Access Anywhere", "InTouch Access Anywhere", "family-word", NameOptions{}},
		{"Wonderware InTouch Access Anywhere", "InTouch", "", NameOptions{}},
		// A release the model omits.
		{"SIMATIC WinAC RTX (F) 2010", "SIMATIC WinAC RTX", "release", siemens},
		{"Solid Edge SE2022", "Solid Edge", "release", NameOptions{}},
		// The model writes the release's year, the version its revision.
		{"Siveillance VMS 2017 R2", "Siveillance VMS 2017", "release", siemens},
		{"Siveillance VMS 2017 R2", "Siveillance VMS", "release", siemens},
		{"MELSEC GOT2000", "MELSEC", "", NameOptions{}},
		{"MELSEC L L26 CPU - (P) BT", "L26CPU", "", NameOptions{}}, // a model's suffix, not an edition
		// Names that are sentences: the product before the clause, the
		// product it is built on after "based on", quantities and word
		// sizes dropped (never an exact match then).
		{"CODESYS Control for Linux containing the CmpUserMgr component", "CODESYS Control for Linux", "clause", NameOptions{}},
		{"CODESYS Control for Linux containing the CmpUserMgr component", "CmpUserMgr", "", NameOptions{}},
		{"All 32 and 64 bit CODESYS Development System V3", "CODESYS Development System", "clause", NameOptions{}},
		{"All 32 and 64 bit CODESYS Development System V3", "CODESYS Development System 64-bit", "clause", NameOptions{}},
		{"PowerSCADA Anywhere redistributed with PowerSCADA Expert v8.1 and PowerSCADA Expert v8.2", "PowerSCADA Anywhere", "clause", NameOptions{}},
		{"Rittal Chiller SK 3232-Series web interface as built upon Carel pCOWeb", "Chiller SK 3232", "prefix", NameOptions{Vendor: [][]string{{"rittal"}}}},
		{"Rittal Chiller SK 3232-Series web interface as built upon Carel pCOWeb", "Carel pCOWeb", "listed", NameOptions{Vendor: [][]string{{"rittal"}}}},
		// A brand the model omits with a generic word the name adds, or a
		// family carrying a number.
		{"Studio 5000 Logix Designer software", "Logix Designer", "family-word", NameOptions{}},
		{"EcoStruxure Operator Terminal Expert 3.1", "Operator Terminal Expert", "family-word", NameOptions{}},
		{"Studio 5000 Logix Designer software", "Designer", "", NameOptions{}},
		// A version line written without "V".
		{"Niagara 4.6", "Niagara", "exact", NameOptions{}},
		{"Niagara 4.6", "Niagara 4", "major", NameOptions{}},
		// An abbreviation the advisory's title writes out, initials or not.
		{"VBASE Editor", "VISAM Automation Base Editor", "abbreviation", NameOptions{Title: "VISAM Automation Base (VBASE) (Update B)"}},
		{"exacqVision ESM", "exacqVision Enterprise System Manager", "abbreviation", NameOptions{Title: "Johnson Controls exacqVision Enterprise System Manager"}},
		{"DeltaV DCS", "DeltaV Distributed Control System", "abbreviation", NameOptions{Title: "Emerson DeltaV Distributed Control System"}},
		{"DeltaV DCS", "DeltaV Distributed Control System", "", NameOptions{}},
		{"VBASE Editor", "VISAM Automation Base Editor", "", NameOptions{Title: "VISAM Automation Suite"}},
		// Another brand or product line of the vendor on one side.
		{"ControlLogix 5570", "GuardLogix 5570", "", NameOptions{Brands: []string{"controllogix", "guardlogix", "compactlogix"}}},
		{"CompactLogix 5370 L3 controllers", "Compact GuardLogix 5370 L3", "", NameOptions{Brands: []string{"controllogix", "guardlogix", "compactlogix"}}},
		{"CompactLogix 5370 L3 controllers", "CompactLogix 5370 L3", "generic", NameOptions{Brands: []string{"controllogix", "guardlogix", "compactlogix"}}},
		{"Modicon Premium", "Premium", "brand", NameOptions{Brands: []string{"modicon", "premium"}}},
		// A model code inside the name, descriptive words after it.
		{"Medfusion 4000 Wireless Syringe Infusion Pump", "Medfusion 4000", "contained", NameOptions{}},
		{"Welch Allyn ELI 380 Resting Electrocardiograph", "ELI 380", "contained", NameOptions{}},
		{"Medfusion 4000 Wireless Syringe Infusion Pump", "Medfusion 3500", "", NameOptions{}},
		{"SIMATIC CP 443-1 RNA", "CP 443-1", "", NameOptions{}}, // a designation, not a descriptive word
		{"SINUMERIK Integrate Operate Client as part of Sinumerik Integrate Product suite", "SINUMERIK Integrate Operate Client", "clause", NameOptions{}},
		{"SINUMERIK Integrate Operate Client as part of Sinumerik Integrate Product suite", "SINUMERIK Integrate", "", NameOptions{}},
		// A model that is only a brand is no product of it.
		{"Teamcenter Visualization", "Teamcenter", "", NameOptions{Brands: []string{"teamcenter"}}},
		{"FactoryTalk Linx Gateway", "FactoryTalk", "", NameOptions{Brands: []string{"factorytalk"}}},
		{"RSLinx Classic", "RSLinx", "prefix", NameOptions{Brands: []string{"factorytalk"}}},
	}
	for _, tt := range tests {
		n := CompileName(tt.name, tt.o)
		r := n.Match(CompileModel(tt.model, nil))
		if tt.rule == "" {
			if r.OK {
				t.Errorf("%q / %q: matched by %s (%.2f): %s", tt.name, tt.model, r.Rule, r.Conf, r.Why)
			}
			continue
		}
		if !r.OK || r.Rule != tt.rule || r.Why == "" {
			t.Errorf("%q / %q = %v %s %.2f (%s); want rule %s", tt.name, tt.model, r.OK, r.Rule, r.Conf, r.Why, tt.rule)
		}
		if r.Conf >= ConfExact && r.Rule != "exact" {
			t.Errorf("%q / %q: rule %s at full confidence", tt.name, tt.model, r.Rule)
		}
	}
}

// TestNameParts: what CompileName reads besides the name proper.
func TestNameParts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		line      string // op and version, "" for none
		revisions string
		cond      string
	}{
		{"SIMATIC WinCC V7.4", "= 7.4", "", ""},
		{"SIMATIC PCS 7 V8.0 and earlier", "<= 8.0", "", ""},
		{"RUGGEDCOM RSG2488 V5.X", "= 5.X", "", ""},
		{"1756-EN2T Series A and B", "", "a b", ""},
		{"Stratix 5400 hardware revision 3", "", "3", ""},
		{"PowerLogic ION8650 Serial number 17X**** or later", "", "", "Serial number 17X**** or later"},
		{"Niagara 4.4u2", "= 4.4", "", ""},
		{"EcoStruxure Operator Terminal Expert 3.1", "= 3.1", "", ""},
		{"CODESYS HMI V3 containing the CmpUserMgr component", "= 3", "", "containing the CmpUserMgr component"},
		{"PowerSCADA Anywhere redistributed with PowerSCADA Expert v8.1 and PowerSCADA Expert v8.2", "", "", "redistributed with PowerSCADA Expert v8.1 and PowerSCADA Expert v8.2"},
	}
	for _, tt := range tests {
		n := CompileName(tt.name, NameOptions{})
		line := ""
		if n.Line != nil {
			line = n.Line.Op + " " + n.Line.Version
		}
		if line != tt.line || strings.Join(n.Revisions, " ") != tt.revisions || strings.Join(n.Conditions, "; ") != tt.cond {
			t.Errorf("CompileName(%q): line %q revisions %q conditions %q; want %q %q %q", tt.name, line, n.Revisions, n.Conditions, tt.line, tt.revisions, tt.cond)
		}
	}
}

func FuzzNameMatch(f *testing.F) {
	f.Add("R04/08/16/32/120(EN)CPU", "R08ENCPU")
	f.Add("SIMATIC CP 44x-1 RNA", "CP 443-1")
	f.Add("MELSEC L L26 CPU - (P) BT", "L26CPU-PBT")
	f.Add("\xff\xff\xff\xff\xff\xff\xff\xff running x", "x")
	f.Add("\xff\xff\xff\xff\xff\xff\xff\xff using x", "x")
	f.Add("Modicon M340", "Modicon M340 BMX P34 2020")
	f.Fuzz(func(t *testing.T, name, model string) {
		r := CompileName(name, NameOptions{}).Match(CompileModel(model, nil))
		if r.OK != (r.Conf > 0) || r.Conf > 1 {
			t.Fatalf("%q / %q = %+v", name, model, r)
		}
		if r := MatchModelCode(name, model); r.OK != (r.Conf > 0) || r.Conf >= 1 {
			t.Fatalf("MatchModelCode(%q, %q) = %+v", name, model, r)
		}
		if SpellsInitials(model, name) && (len(model) < 3 || len(model) > 6) {
			t.Fatalf("SpellsInitials(%q, %q): not three to six letters", model, name)
		}
	})
}

// TestBrandLine: a brand alone names the one product line it leads in
// every 2017–2020 product name (icsa-17-194-01, icsa-21-350-19), not a
// product of a brand that leads many (icsa-18-158-01).
func TestBrandLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, model, brand string
		ok                 bool
	}{
		{"SiPass integrated V2.85", "SiPass", "sipass", true},
		{"SiPass integrated", "Sipass", "sipass", true},
		{"SiPass integrated", "SiPass", "", false},
		{"FactoryTalk Linx Gateway", "FactoryTalk", "factorytalk", false},
		{"SiPass integrated", "SiPass integrated", "sipass", false},
	}
	for _, tc := range tests {
		n := CompileName(tc.name, NameOptions{Brands: []string{tc.brand}})
		if r := n.BrandLine(CompileModel(tc.model, nil)); r.OK != tc.ok {
			t.Errorf("%q / %q: %+v; want ok %v", tc.name, tc.model, r, tc.ok)
		}
	}
}
