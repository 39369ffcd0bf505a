// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vendor

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSameVendor: spellings of one vendor across the advisory data (CSAF
// vendor branches, CVE 5 vendors and CPEs, NVD CPE vendors, KEV) and as
// owners write them end in one group of the embedded table.
func TestSameVendor(t *testing.T) {
	t.Parallel()
	tbl := Embedded()
	groups := [][]string{
		{"AVTECH SECURITY Corporation", "AVTech", "avtech"},
		{"Axis Communications", "Axis Communications AB", "axis"},
		{"Becton, Dickinson and Company (BD)", "bd", "Becton Dickinson"},
		{"Enphase ", "Enphase", "enphase energy"},
		{"FXC", "FXC Inc.", "fxc"},
		{"MOBOTIX", "Mobotix", "MOBOTIX AG"},
		{"Palo Alto Networks", "paloaltonetworks"},
		{"Nice", "nortekcontrol", "Nortek Security & Control"},
		{"Western Telematic Inc", "WTI"},
		{"Siemens", "Siemens AG", "SIEMENS"},
		{"Johnson Controls, Inc.", "Johnson Controls Inc.", "Johnson Controls", "Sensormatic", "Exacq Technologies", "Kantech", "American Dynamics"},
		{"Hikvision", "Hangzhou Hikvision Digital Technology Co., Ltd.", "Hangzhou Hikvision Digital Technology"},
		{"Schneider", "Schneider Electric", "schneider-electric", "Schneider Electric SE", "Schneider Electric Software, LLC", "APC", "Modicon", "Eurotherm"},
		{"Rockwell", "Rockwell Automation", "Allen-Bradley", "rockwellautomation"},
		{"InHand Networks", "inhandnetworks"},
		{"Unitronics", "unitronics"},
		{"Uniview", "Zhejiang Uniview Technologies Co., Ltd."},
		{"Schnéider Électric", "Schneider Electric"},
		{"Delta Electronics", "Delta Electronics, Inc."},
		{"Geutebrück", "GeutebrÃ¼ck", "Geutebrueck GmbH", "Geutebruck"},
		{"Weidmueller", "Weidmüller", "Weidmueller Interface GmbH & Co. KG"},
		{"Phoenix Contact", "PHOENIX CONTACT", "Innominate", "Phoenix Contact GmbH & Co. KG"},
		{"LS ELECTRIC", "LSIS", "LS Industrial Systems", "LS Electric Co., Ltd."},
		{"Mitsubishi Electric", "Mitsubishi Electric Corporation", "MITSUBISHI ELECTRIC", "ICONICS"},
		{"General Electric (GE)", "GE", "General Electric"},
		{"WAGO", "WAGO Kontakttechnik GmbH & Co. KG"},
		{"Moxa", "Moxa Inc.", "MOXA"},
		{"B. Braun", "B. Braun Melsungen AG"},                    // with the seat the data never writes
		{"Philips", "Koninklijke Philips N.V.", "Royal Philips"}, // a title before the name
	}
	for _, g := range groups {
		want := tbl.Group(g[0])
		if want == "" {
			t.Errorf("Group(%q) is empty", g[0])
		}
		for _, v := range g[1:] {
			if got := tbl.Group(v); got != want {
				t.Errorf("Group(%q) = %q; want %q (as %q)", v, got, want, g[0])
			}
		}
	}
}

// TestDistinctVendors: vendors that share words stay apart.
func TestDistinctVendors(t *testing.T) {
	t.Parallel()
	tbl := Embedded()
	distinct := []string{"Siemens", "Schneider Electric", "Cisco", "Fortinet", "Axis", "AVTECH", "Delta Electronics", "Delta Controls",
		"Trane", "Teltonika", "Mobotix", "Johnson Controls", "Johnson & Johnson", "Rockwell Automation", "Phoenix Broadband Technologies",
		"Phoenix Contact", "General Motors", "General Electric", "Real Time Automation", "Real-Time Innovations", "Hitachi Energy", "ABB"}
	seen := map[string]string{}
	for _, v := range distinct {
		k := tbl.Group(v)
		if other, dup := seen[k]; dup {
			t.Errorf("Group(%q) = Group(%q) = %q", v, other, k)
		}
		seen[k] = v
	}
	if g := tbl.Group("Delta"); g == tbl.Group("Delta Electronics") || g == tbl.Group("Delta Controls") {
		t.Errorf("Group(Delta) = %q: ambiguous short form taken", g)
	}
}

func TestKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Siemens AG", "siemens"},
		{"Becton, Dickinson and Company (BD)", "bectondickinson"},
		{"Beispiel GmbH & Co. KG", "beispiel"},
		{"Example B.V.", "example"},
		{"GeutebrÃ¼ck GmbH", "geutebrueck"},
		{"Hangzhou Xiongmai Technology Co, Ltd", "xiongmaitechnology"},
		{"LCDS - LeÃ£o Consultoria e Desenvolvimento de Sistemas LTDA ME", "lcdsleaoconsultoriaedesenvolvimentodesistemas"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Key(tt.in); got != tt.want {
			t.Errorf("Key(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestParts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
		rel  Relation
	}{
		{"Siemens", []string{"Siemens"}, Single},
		{"Schneider Electric Software, LLC", []string{"Schneider Electric Software, LLC"}, Single},
		{"Sensormatic Electronics, LLC, Johnson Controls Inc.", []string{"Sensormatic Electronics, LLC", "Johnson Controls Inc."}, Owned},
		{"CKS, a subsidiary of Johnson Controls Inc.", []string{"CKS", "Johnson Controls Inc."}, Owned},
		{"General Electric (GE) and Emerson", []string{"General Electric (GE)", "Emerson"}, List},
		{"ABB, Phoenix Contact, Schneider Electric, Siemens, and WAGO", []string{"ABB", "Phoenix Contact", "Schneider Electric", "Siemens", "WAGO"}, List},
		{"AVEVA Software, LLC and Schneider Electric Software, LLC", []string{"AVEVA Software, LLC", "Schneider Electric Software, LLC"}, List},
		{"Schweitzer Engineering Laboratories, Inc. (SEL)", []string{"Schweitzer Engineering Laboratories, Inc. (SEL)"}, Single},
		{"Becton, Dickinson and Company (BD)", []string{"Becton, Dickinson and Company (BD)"}, Single},
		{"Hillrom and ELI, Baxter International Inc.", []string{"Hillrom", "ELI", "Baxter International Inc."}, Owned},
	}
	for _, tt := range tests {
		got, rel := Parts(tt.in)
		if diff := cmp.Diff(tt.want, got); diff != "" || rel != tt.rel {
			t.Errorf("Parts(%q) = %q %v; want %q %v", tt.in, got, rel, tt.want, tt.rel)
		}
	}
}

// TestDerive learns from a few real records (CISA CSAF vendor branches and
// products, KEV and CVE 5 entries of the corpus): compound names join,
// CPE vendors of the same products join, a third-party vendor (Cisco IOS
// XE inside a Rockwell switch) does not.
func TestDerive(t *testing.T) {
	t.Parallel()
	in := Input{
		CSAF: []Product{
			{Doc: "icsa-20-142-01", Vendor: "Sensormatic Electronics, LLC, Johnson Controls Inc.", Name: "Software House C•CURE 9000", CVEs: []string{"CVE-2020-9044"}},
			{Doc: "icsa-21-350-01", Vendor: "Johnson Controls Inc", Name: "Metasys ADS", CVEs: []string{"CVE-2021-36200"}},
			{Doc: "icsa-23-297-01", Vendor: "Rockwell Automation", Name: "Stratix 5800", CVEs: []string{"CVE-2023-20198"}},
			{Doc: "icsa-24-065-01", Vendor: "Nice", Name: "Linear eMerge E3-Series", CVEs: []string{"CVE-2019-7256"}},
			{Doc: "icsa-18-226-02", Vendor: "Siemens", Name: "SIMATIC S7-1200"},
			{Doc: "icsa-20-042-05", Vendor: "Siemens", Name: "SIMATIC S7-300 CPU 315-2 PN/DP"},
			{Doc: "icsa-22-104-06", Vendor: "Siemens", Name: "SIMATIC CFU DIQ"},
			{Doc: "icsa-20-142-01", Vendor: "Sensormatic Electronics, LLC, Johnson Controls Inc.", Name: "American Dynamics victor Video Management System"},
			{Doc: "icsa-20-282-01", Vendor: "Sensormatic Electronics, LLC, Johnson Controls Inc.", Name: "American Dynamics victor Web Client"},
			{Doc: "icsa-20-324-01", Vendor: "Sensormatic Electronics, LLC, Johnson Controls Inc.", Name: "American Dynamics victor Web Client, Software House C•CURE Web Client"},
			{Doc: "icsa-18-347-01", Vendor: "Schneider Electric Software, LLC", Name: "Eurotherm by Schneider Electric GUIcon"},
			{Doc: "icsa-22-263-01", Vendor: "Schneider Electric", Name: "Modicon M340"},
		},
		KEV: []Named{
			{CVE: "CVE-2023-20198", Vendor: "Cisco", Product: "IOS XE Web UI"},
			{CVE: "CVE-2023-20273", Vendor: "Cisco", Product: "IOS XE Software"},
			{CVE: "CVE-2019-7256", Vendor: "Nice", Product: "Linear eMerge E3-Series"},
		},
		CPEs: []CPEVendor{{CVE: "CVE-2019-7256", Vendor: "nortekcontrol", Product: "linear_emerge_essential_firmware", Source: SourceNVD}},
	}
	tbl := New(Derive(in))
	same := func(a, b string) bool { return tbl.Group(a) == tbl.Group(b) }
	for _, p := range [][2]string{{"Sensormatic", "Johnson Controls"}, {"nortekcontrol", "Nice"}, {"SIMATIC", "Siemens"},
		// Brands the product names show: two words that always lead
		// together, "<Brand> by <Vendor>".
		{"American Dynamics", "Johnson Controls"}, {"Eurotherm", "Schneider Electric"}} {
		if !same(p[0], p[1]) {
			t.Errorf("%q and %q not one vendor", p[0], p[1])
		}
	}
	if same("American", "Johnson Controls") {
		t.Error("the first word of a two-word brand names the vendor alone")
	}
	if same("Cisco", "Rockwell Automation") {
		t.Error("Cisco joined Rockwell Automation through a shared CVE")
	}
	for _, a := range tbl.List() {
		if a.Source == "" || a.Vendor == "" {
			t.Errorf("alias without source or vendor: %+v", a)
		}
	}
}

// TestEmbeddedTable checks the generated file: it parses, every group
// names itself first, every alias says where it came from.
func TestEmbeddedTable(t *testing.T) {
	t.Parallel()
	if !strings.HasPrefix(aliasesTSV, "# Vendor aliases derived from advisory data") {
		t.Fatal("aliases.tsv does not carry the generator's header")
	}
	as, err := ParseTSV(aliasesTSV)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) < 500 {
		t.Fatalf("%d aliases", len(as))
	}
	sources := map[string]int{}
	for _, a := range as {
		sources[a.Source]++
	}
	for _, s := range []string{SourceName, SourceCompound, SourceParenthesis, SourceDescriptor, SourceBrand, SourceKEV, SourceCVE5, SourceNVD, SourceTranslit, SourceInitials} {
		if sources[s] == 0 {
			t.Errorf("no alias from %s", s)
		}
	}
	if got := FormatTSV(as); !strings.Contains(aliasesTSV, got[:200]) {
		t.Error("FormatTSV does not reproduce the file")
	}
}

func TestWithOperatorAlias(t *testing.T) {
	t.Parallel()
	base := Embedded()
	if base.Group("Acme Widgets") == base.Group("Siemens") {
		t.Fatal("unexpected alias in the embedded table")
	}
	tbl := base.With([]Alias{{Vendor: "Siemens", Alias: "Acme Widgets", Source: SourceOperator, Note: "reseller"}})
	if tbl.Group("Acme Widgets Ltd.") != tbl.Group("Siemens AG") {
		t.Errorf("operator alias not applied: %q vs %q", tbl.Group("Acme Widgets Ltd."), tbl.Group("Siemens AG"))
	}
	if !slices.ContainsFunc(tbl.List(), func(a Alias) bool { return a.Source == SourceOperator }) {
		t.Error("operator alias not listed")
	}
	if base.Group("Acme Widgets") == base.Group("Siemens") {
		t.Error("With changed the embedded table")
	}
	if how := tbl.How("Acme Widgets", tbl.Group("Siemens")); !strings.Contains(how, "operator") {
		t.Errorf("How = %q", how)
	}
}

func FuzzKey(f *testing.F) {
	for _, s := range []string{"Siemens AG", "GeutebrÃ¼ck", "Sensormatic Electronics, LLC, Johnson Controls Inc.", "(", "a, and b",
		"x, \xff\xff\xff\xff and b", "İİ, LLC and B", "a subsidiary of X", "X, a subsidiary of ", "AND b, c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = Key(s)
		parts, _ := Parts(s)
		for _, p := range parts {
			if strings.TrimSpace(p) == "" {
				t.Fatalf("Parts(%q) has an empty part", s)
			}
		}
		_ = Embedded().Groups(s)
	})
}

// TestKnownRelations: the curated relations of known.tsv — former, legal
// and trading names join the vendor's group; a company the vendor owns
// stays a vendor of its own, related to it; a product line that changed
// hands is a brand of both owners and joins neither; companies of like
// names that are not related stay apart.
func TestKnownRelations(t *testing.T) {
	t.Parallel()
	known, err := ParseKnown(knownTSV)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range known {
		if !strings.Contains(a.Note, ": ") || len(a.Note) < 20 {
			t.Errorf("%s / %s: note %q names no public source", a.Vendor, a.Alias, a.Note)
		}
	}
	tbl := Embedded()
	same := [][]string{
		{"B&R Industrial Automation", "Bernecker + Rainer", "Bernecker + Rainer Industrie-Elektronik Ges.m.b.H.", "B&R"},
		{"CODESYS GmbH", "3S-Smart Software Solutions GmbH", "3S", "CODESYS, GmbH"},
		{"ARC Informatique", "PcVue Solutions"},
		{"SpiderControl", "iniNet Solutions GmbH"},
		{"Hitachi Energy", "Hitachi ABB Power Grids"},
		{"Johnson Controls", "Software House", "Tyco"},
		{"Abbott Laboratories", "St. Jude Medical"},
		{"Hanwha Techwin", "Samsung Techwin"},
	}
	for _, g := range same {
		want := tbl.Group(g[0])
		for _, v := range g[1:] {
			if got := tbl.Group(v); got != want {
				t.Errorf("Group(%q) = %q; want %q (as %q)", v, got, want, g[0])
			}
		}
	}
	related := [][2]string{{"ABB", "B&R"}, {"AVEVA", "OSIsoft"}, {"Honeywell", "Tridium"}, {"Carrier", "Automated Logic Corporation (ALC)"}}
	for _, r := range related {
		a, b := tbl.Group(r[0]), tbl.Group(r[1])
		if a == b {
			t.Errorf("%q and %q joined; want two related groups", r[0], r[1])
		}
		if !slices.Contains(tbl.Related(a), b) || !slices.Contains(tbl.Related(b), a) || tbl.Relation(a, b) == "" {
			t.Errorf("%q and %q: related %v, %v; want each other", r[0], r[1], tbl.Related(a), tbl.Related(b))
		}
	}
	// A product line that changed hands relates no other products.
	if aveva, se := tbl.Group("AVEVA"), tbl.Group("Schneider Electric"); aveva == se || slices.Contains(tbl.Related(aveva), se) {
		t.Errorf("AVEVA and Schneider Electric related as vendors; want only their shared lines")
	}
	for _, b := range []string{"CitectSCADA", "Wonderware"} {
		if o := tbl.SharedOwners(b); !slices.Contains(o, tbl.Group("AVEVA")) || !slices.Contains(o, tbl.Group("Schneider Electric")) {
			t.Errorf("SharedOwners(%q) = %v; want AVEVA and Schneider Electric", b, o)
		}
	}
	for _, p := range [][2]string{{"Rockwell Collins", "Rockwell Automation"}, {"Emerson Network Power", "Emerson"}, {"Schneider Kreuznach", "Schneider Electric"}, {"ADT", "Johnson Controls"}} {
		if tbl.Group(p[0]) == tbl.Group(p[1]) || slices.Contains(tbl.Related(tbl.Group(p[0])), tbl.Group(p[1])) {
			t.Errorf("%q and %q are not related", p[0], p[1])
		}
	}
	if _, err := ParseKnown("A\tB\tcousin\tsomewhere\n"); err == nil {
		t.Error("unknown relation accepted")
	}
	if _, err := ParseKnown("A\tB\tbrand\t\n"); err == nil {
		t.Error("relation without a source accepted")
	}
}

// TestLeadingVendorName: an unknown name that starts with a known vendor's
// name is that vendor's only when the words after it name no other
// company: legal forms, words of a business, a country, a unit's code, the
// vendor's own other words. Names of the advisory data and of owners; the
// table is the embedded one without its "distinct" lines, so the rule
// alone keeps like-named companies apart.
func TestLeadingVendorName(t *testing.T) {
	t.Parallel()
	as, err := ParseTSV(aliasesTSV)
	if err != nil {
		t.Fatal(err)
	}
	known, err := ParseKnown(knownTSV)
	if err != nil {
		t.Fatal(err)
	}
	known = slices.DeleteFunc(known, func(a Alias) bool { return a.Source == SourceKnownDistinct })
	tbl := New(append(as, known...))
	for _, c := range []struct {
		name, vendor string
		joins        bool
	}{
		{"Rockwell Automation Inc.", "Rockwell Automation", true},
		{"Rockwell Automation, Inc.", "Rockwell", true},
		{"Panasonic Electric Works", "Panasonic", true},      // a business: descriptor and "Works"
		{"KUKA Deutschland GmbH", "KUKA", true},              // a country
		{"Horner APG, LLC", "Horner Automation", true},       // a unit's code (Automation Products Group)
		{"Smiths Medical ASD, Inc.", "Smiths Medical", true}, // a unit's code
		{"Fuji Electric FA Components & Systems", "Fuji Electric", true},
		{"Secomea A/S", "Secomea", true}, // a legal form split by punctuation
		{"Reolink Innovation Limited", "Reolink", true},
		{"Uffizio India Software Consultants", "Uffizio", true},
		{"Mitsubishi Electric Iconics", "Mitsubishi Electric", true}, // the vendor's own brand
		// Siemens Healthineers AG is majority-owned by Siemens AG, which
		// publishes its advisories; the data names it "Siemens
		// Healthineers, Siemens" (icsa-21-350-16), so it joins Siemens by
		// that alias, not by this rule.
		{"Siemens Healthineers", "Siemens", true},
		{"Rockwell Collins", "Rockwell Automation", false},   // avionics, spun off in 2001
		{"Emerson Network Power", "Emerson", false},          // now Vertiv
		{"Schneider Kreuznach", "Schneider Electric", false}, // optics, unrelated
		{"Johnson & Johnson", "Johnson Controls", false},
		{"General Motors", "General Electric", false},
		{"Mitsubishi Heavy Industries", "Mitsubishi Electric", false},
		// A known name at either end: neither vendor's.
		{"Schneider National", "Schneider Electric", false},
		{"Schneider National", "National Instruments", false},
		{"Koninklijke Philips N.V.", "Philips", true}, // a title before the name
		{"Honeywell Tridium", "Tridium", true},        // the owner's name before the company's
	} {
		if got, want := tbl.Group(c.name), tbl.Group(c.vendor); (got == want) != c.joins {
			t.Errorf("Group(%q) = %q, Group(%q) = %q; joins = %v, want %v", c.name, got, c.vendor, want, got == want, c.joins)
		}
	}
}
