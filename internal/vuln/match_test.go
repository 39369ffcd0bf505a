// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"encoding/json"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"vigil/internal/advisory"
	"vigil/internal/match/cpe"
	"vigil/internal/match/product"
	"vigil/internal/registry"
)

func TestAlignVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"IR302 3.5.56", "3.5.56"},
		{"IR302 V3.5.56", "V3.5.56"},
		{"V3.5.45", "V3.5.45"},
		{"InRouter6XX-S-V2.3.0.r5542", "V2.3.0.r5542"},
		{"RUT2M_R_00.07.04.4", "00.07.04.4"},
		{"Firmware_6.62", "6.62"},
		{"AXIS OS 1.65.4", "1.65.4"},
		{"MX-V4.1.4.11", "V4.1.4.11"},
		{"V5.4.5 build 170124", "V5.4.5 build 170124"},
		{"1.00-06", "1.00-06"},
		{"firmware_FullImg-1023-1007-1011-1009", "firmware_FullImg-1023-1007-1011-1009"},
		{"NVR-B3801.20.17.240507", "NVR-B3801.20.17.240507"},
		{" 7.1 ", "7.1"},
		{"", ""},
		{"latest", "latest"},
		{"SP3 Update 1", "SP3 Update 1"}, // a service pack and update, not a product word and a version
		{"Update 5", "Update 5"},
	} {
		if got := AlignVersion(tc.in); got != tc.want {
			t.Errorf("AlignVersion(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// TestRules checks each rule on real records, with an affected and an
// unaffected target.
func TestRules(t *testing.T) {
	t.Parallel()
	dev := func(vendor, model, fw, c string) Target {
		return DeviceTarget(registry.Device{ID: 1, OrgID: 1, Vendor: vendor, Model: model, Firmware: fw, CPE: c})
	}
	comp := func(name, version, purl, c string) Target {
		return Target{Device: registry.Device{ID: 1, OrgID: 1, Vendor: "x", Model: "y"}, Component: &Component{ID: 9, DeviceID: 1, Name: name, Version: version, PURL: purl, CPE: c}}
	}
	for _, tc := range []struct {
		name     string
		file     string
		target   Target
		cve      string // "" = must not match anything
		rule     string
		minConf  float64
		inferred bool
	}{
		{"nvd_and_inferred_hardware", "nvd/CVE-2023-21406.json", dev("x", "y", "", "cpe:2.3:o:axis:a1001_firmware:1.65.2:*:*:*:*:*:*:*"), "CVE-2023-21406", RuleCPE, 0.95, true},
		{"nvd_and_needs_the_hardware", "nvd/CVE-2023-21406.json", dev("x", "y", "", "cpe:2.3:a:axis:a1001_firmware:1.65.2:*:*:*:*:*:*:*"), "", "", 0, false},
		{"nvd_hardware_registered_firmware_from_field", "nvd/CVE-2023-21406.json", dev("x", "y", "1.65.4", "cpe:2.3:h:axis:a1001:-:*:*:*:*:*:*:*"), "CVE-2023-21406", RuleCPE, 0.95, true},
		{"nvd_hardware_registered_unknown_firmware", "nvd/CVE-2023-21406.json", dev("x", "y", "", "cpe:2.3:h:axis:a1001:-:*:*:*:*:*:*:*"), "", "", 0, false},
		{"nvd_by_names", "nvd/CVE-2023-21406.json", dev("Axis Communications AB", "AXIS A1001", "1.65.4", ""), "CVE-2023-21406", RuleCPEName, 0.7, false},
		{"nvd_by_names_fixed", "nvd/CVE-2023-21406.json", dev("Axis Communications AB", "AXIS A1001", "1.65.5", ""), "", "", 0, false},
		{"nvd_by_names_other_model", "nvd/CVE-2023-21406.json", dev("Axis Communications AB", "AXIS A1601", "1.65.4", ""), "", "", 0, false},
		{"nvd_by_names_other_vendor", "nvd/CVE-2023-21406.json", dev("Bosch", "A1001", "1.65.4", ""), "", "", 0, false},
		{"nvd_or_component_cpe", "nvd/CVE-2024-21762.json", comp("fortios", "7.2.6", "", "cpe:2.3:o:fortinet:fortios:7.2.6:*:*:*:*:*:*:*"), "CVE-2024-21762", RuleCPE, 1, false},
		{"nvd_or_component_cpe_fixed", "nvd/CVE-2024-21762.json", comp("fortios", "7.2.7", "", "cpe:2.3:o:fortinet:fortios:7.2.7:*:*:*:*:*:*:*"), "", "", 0, false},
		{"nvd_component_by_name", "nvd/CVE-2023-46604.json", comp("activemq", "5.17.5", "", ""), "CVE-2023-46604", RuleCPEName, 0.5, false},
		{"nvd_na_version_means_all", "nvd/CVE-2023-6448.json", dev("x", "y", "", "cpe:2.3:o:unitronics:vision570_firmware:4.2:*:*:*:*:*:*:*"), "CVE-2023-6448", RuleCPE, 0.95, true},
		{"osv_purl", "osv/GHSA-jfh8-c2jp-5v3q.json", comp("log4j-core", "2.14.1", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", ""), "CVE-2021-44228", RulePURL, 1, false},
		{"osv_purl_second_range", "osv/GHSA-jfh8-c2jp-5v3q.json", comp("log4j-core", "", "pkg:maven/org.apache.logging.log4j/log4j-core@2.0-beta9", ""), "CVE-2021-44228", RulePURL, 1, false},
		{"osv_purl_fixed", "osv/GHSA-jfh8-c2jp-5v3q.json", comp("log4j-core", "2.15.0", "pkg:maven/org.apache.logging.log4j/log4j-core@2.15.0", ""), "", "", 0, false},
		{"osv_purl_fixed_backport", "osv/GHSA-jfh8-c2jp-5v3q.json", comp("log4j-core", "2.12.2", "pkg:maven/org.apache.logging.log4j/log4j-core@2.12.2", ""), "", "", 0, false},
		{"osv_purl_other_package", "osv/GHSA-jfh8-c2jp-5v3q.json", comp("log4j-api", "2.14.1", "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1", ""), "", "", 0, false},
		{"osv_go", "osv/curl-and-go.json", comp("golang.org/x/net", "v0.16.0", "pkg:golang/golang.org/x/net@v0.16.0", ""), "CVE-2023-39325", RulePURL, 1, false},
		{"osv_go_fixed", "osv/curl-and-go.json", comp("golang.org/x/net", "v0.17.0", "pkg:golang/golang.org/x/net@v0.17.0", ""), "", "", 0, false},
		{"cve5_unaffected_version", "cve5/CVE-2024-3400.json", dev("Palo Alto Networks", "PAN-OS", "10.1.0", ""), "", "", 0, false},
		{"cve5_affected_range", "cve5/CVE-2024-3400.json", dev("Palo Alto Networks", "PAN-OS", "10.2.5", ""), "CVE-2024-3400", RuleProduct, 1, false},
		{"cve5_change_point_unaffected", "cve5/CVE-2024-3400.json", dev("Palo Alto Networks", "PAN-OS", "10.2.9-h1", ""), "", "", 0, false},
		{"cve5_adp_cpe", "cve5/CVE-2024-3400.json", dev("x", "y", "", "cpe:2.3:o:paloaltonetworks:pan-os:11.1.1:*:*:*:*:*:*:*"), "CVE-2024-3400", RuleCPE, 1, false},
		{"cve5_prose_range", "cve5/CVE-2023-49897.json", dev("FXC Inc.", "AE1021", "2.0.9", ""), "CVE-2023-49897", RuleProduct, 0.9, false},
		{"cve5_prose_range_fixed", "cve5/CVE-2023-49897.json", dev("FXC Inc.", "AE1021", "2.0.10", ""), "", "", 0, false},
		// The range holds a condition on the serial number that cannot be
		// checked: it lowers the confidence and is named in the notes.
		{"csaf_model_number", "csaf/icsa-24-074-01.json", dev("Siemens", "7KM3220-1BA01-1EA0", "V3.2.3", ""), "CVE-2024-21483", RuleProduct, 0.8, false},
		{"csaf_series", "csaf/icsa-25-035-01.json", dev("Western Telematic", "NPS-8D", "6.60", ""), "CVE-2025-0630", RuleProduct, 0.5, false},
		// No firmware registered: "possibly affected", at half confidence.
		{"csaf_firmware_unknown_range", "csaf/icsa-23-206-01.json", dev("Axis Communications", "AXIS A1001", "", ""), "CVE-2023-21406", RuleProduct, 0.5, false},
		{"csaf_firmware_unknown_series", "csaf/icsa-25-035-01.json", dev("Western Telematic", "NPS-8D", "", ""), "", "", 0, false},
		{"csaf_firmware_unknown_all_versions", "csaf/icsa-23-068-01.json", dev("Akuvox", "E11", "", ""), "CVE-2023-0343", RuleProduct, 1, false},
		{"csaf_installed_on_not_affected", "csaf/icsa-24-235-03.json", dev("Mobotix", "M16", "MX-V5.2.6.7", ""), "", "", 0, false},
		{"csaf_installed_on_affected", "csaf/icsa-24-235-03.json", dev("Mobotix", "Mx6 M16", "MX-V5.1.0.99-r3", ""), "CVE-2023-34873", RuleProduct, 1, false},
		{"csaf_other_model_same_vendor", "csaf/icsa-23-075-01.json", dev("Siemens", "SCALANCE X208", "5.0", ""), "", "", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := matchedCVEs(compiledFile(t, tc.file), tc.target)
			if tc.cve == "" {
				if len(got) > 0 {
					for cve, ms := range got {
						t.Errorf("unexpected match %s:%s", cve, describe(ms))
					}
				}
				return
			}
			ms := got[tc.cve]
			if len(ms) == 0 {
				t.Fatalf("%s not matched (got %d others)", tc.cve, len(got))
			}
			m := ms[0]
			if m.Rule != tc.rule || m.Confidence < tc.minConf || m.Confidence > 1 || m.Evidence.Reason == "" || m.Evidence.Advisory == "" {
				t.Errorf("match = %s %.2f %+v", m.Rule, m.Confidence, m.Evidence)
			}
			inferred := strings.Contains(strings.Join(m.Evidence.Notes, " "), "inferred")
			if inferred != tc.inferred {
				t.Errorf("inferred note = %v; notes %v", inferred, m.Evidence.Notes)
			}
		})
	}
}

// TestMayMatchModel: the pre-filter never rejects a pair MatchModel
// accepts, over every product and CPE product name of the testdata and the
// device models of the CROSSREF tables plus random mutations of them.
func TestMayMatchModel(t *testing.T) {
	t.Parallel()
	var names []string
	for _, d := range []string{"csaf", "nvd", "cve5"} {
		files, _ := filepath.Glob(filepath.Join("testdata", d, "*.json"))
		for _, f := range files {
			for _, c := range compiledFile(t, d+"/"+filepath.Base(f)) {
				for _, p := range c.products {
					names = append(names, p.names...)
				}
				for _, v := range c.vulns {
					for _, cr := range v.crits {
						names = append(names, strings.ReplaceAll(trimFirmware(c.tab.value(cr.attrs[cpe.AttrProduct]).Unquoted()), "_", " "))
					}
				}
			}
		}
	}
	models := []string{"NPS-8D", "DSM-40", "InRouter615-S", "IR302", "M874-3", "SCALANCE M876-4 (EU)", "RUT955", "6GK5874-3AA00-2AA2"}
	for _, m := range stringDevices {
		for _, s := range m {
			models = append(models, s.model)
		}
	}
	rng := rand.New(rand.NewPCG(42, 42))
	for _, n := range names[:min(len(names), 400)] {
		models = append(models, n, strings.ToUpper(n), strings.ReplaceAll(n, " ", "-"))
		if f := strings.Fields(n); len(f) > 1 {
			models = append(models, f[rng.IntN(len(f))])
		}
	}
	checked, accepted := 0, 0
	for _, n := range uniqStrings(names) {
		for _, m := range uniqStrings(models) {
			ok, _, _ := product.MatchModel(n, m)
			checked++
			if ok {
				accepted++
				if !mayMatchModel(n, m) {
					t.Errorf("mayMatchModel(%q, %q) = false but MatchModel matches", n, m)
				}
			}
		}
	}
	if accepted < 100 {
		t.Errorf("only %d of %d pairs match: the oracle is too weak", accepted, checked)
	}
	t.Logf("%d pairs, %d accepted by MatchModel", checked, accepted)
}

func uniqStrings(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] && s != "" {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// TestEvidenceJSON: the evidence a finding carries round-trips and names
// the rule, advisory and subject.
func TestEvidenceJSON(t *testing.T) {
	t.Parallel()
	ms := MatchOne(compiledFile(t, "csaf/icsa-23-012-03.json")[0], DeviceTarget(registry.Device{ID: 3, OrgID: 2, Vendor: "InHand", Model: "InRouter 302", Firmware: "V3.5.45"}), 0.5)
	if len(ms) != 5 {
		t.Fatalf("got %d matches", len(ms))
	}
	b, err := json.Marshal(ms[0].Evidence)
	if err != nil {
		t.Fatal(err)
	}
	var ev Evidence
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Rule != RuleProduct || ev.Advisory != "csaf:ICSA-23-012-03" || ev.Subject != "InHand InRouter 302 V3.5.45" || ev.Fixed != "3.5.56" ||
		!strings.Contains(ev.Remedy, "update firmware to IR302 V3.5.56") || !strings.HasPrefix(ev.URL, "https://www.cisa.gov/") || ms[0].Target != "device:3" || ms[0].OrgID != 2 {
		t.Errorf("evidence = %s", b)
	}
}

// TestKEVDoesNotMatch: KEV entries name products without versions; they
// enrich, they never match on their own.
func TestKEVDoesNotMatch(t *testing.T) {
	t.Parallel()
	for _, c := range compiledFile(t, "kev/kev-crossref.json") {
		if len(c.Keys) != 0 {
			t.Errorf("%s has index keys %v", c.Name, c.Keys)
		}
		if ms := MatchOne(c, DeviceTarget(registry.Device{ID: 1, Vendor: "Nice", Model: "Linear eMerge E3-Series", Firmware: "1.00-07"}), 0); len(ms) > 0 {
			t.Errorf("%s matched", c.Name)
		}
	}
}

func TestPlatformCPEs(t *testing.T) {
	t.Parallel()
	pc := platformCPEs("cpe:2.3:o:fxc:ae1021pe_firmware:*:*:*:*:*:*:*:*", "2.0.9", true)
	if len(pc) != 2 || pc[0].wfn.Version().Unquoted() != "2.0.9" || pc[1].wfn.Product().Unquoted() != "ae1021pe" || pc[1].wfn.Version().Kind != cpe.NA {
		t.Errorf("platform = %+v", pc)
	}
	if pc := platformCPEs("not a cpe", "1", true); pc != nil {
		t.Errorf("bad CPE gave %v", pc)
	}
}

func BenchmarkMatchOne(b *testing.B) {
	var all []*Compiled
	for _, d := range []string{"csaf", "nvd", "cve5"} {
		files, _ := filepath.Glob(filepath.Join("testdata", d, "*.json"))
		for _, f := range files {
			all = append(all, compiledFile(b, d+"/"+filepath.Base(f))...)
		}
	}
	ix := indexCompiled(all)
	targets := []Target{
		DeviceTarget(registry.Device{ID: 1, Vendor: "Siemens", Model: "SCALANCE M874-3", Firmware: "7.1"}),
		DeviceTarget(registry.Device{ID: 2, Vendor: "Axis", Model: "A1001", Firmware: "1.65.2", CPE: "cpe:2.3:o:axis:a1001_firmware:1.65.2:*:*:*:*:*:*:*"}),
		{Device: registry.Device{ID: 3}, Component: &Component{ID: 4, Name: "activemq", Version: "5.15.10", CPE: "cpe:2.3:a:apache:activemq:5.15.10:*:*:*:*:*:*:*"}},
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		p := prepare(targets[i%len(targets)], nil)
		for _, c := range ix.candidates(p) {
			matchPrepared(c, p, DefaultMinConfidence)
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	advs := loadFile(b, "csaf/icsa-23-075-01.json")
	b.ReportAllocs()
	for b.Loop() {
		Compile(1, &advs[0], nil)
	}
}

var _ = advisory.SourceCSAF

// TestVersionNotCompared: a range vigil cannot read still yields a
// finding, below exact confidence, whose evidence says in words that the
// version could not be compared; so does a device without a version.
func TestVersionNotCompared(t *testing.T) {
	t.Parallel()
	adv := accuracyAdvisory(t, "icsa-20-343-08") // "No version" for every product
	for _, tt := range []struct {
		firmware, check, words string
	}{
		{"V16", VersionNotCompared, "could not be compared"},
		{"", VersionUnknown, "No firmware version is registered"},
	} {
		d := registry.Device{ID: 1, Vendor: "Siemens", Model: "SIMATIC KTP700F Mobile", Firmware: tt.firmware}
		var ms []Match
		for _, m := range MatchOne(adv, DeviceTarget(d), DefaultMinConfidence) {
			if m.CVE == "CVE-2019-8287" {
				ms = append(ms, m)
			}
		}
		if len(ms) == 0 {
			t.Fatalf("firmware %q: no finding", tt.firmware)
		}
		fe := buildEvidence(pair{"device:1", "CVE-2019-8287"}, ms, CVEInfo{})
		if fe.Confidence >= 1 || fe.VersionCheck != tt.check || !strings.Contains(fe.Caveat, tt.words) {
			t.Errorf("firmware %q: confidence %.2f version_check %q caveat %q; want below 1, %q, %q", tt.firmware, fe.Confidence, fe.VersionCheck, fe.Caveat, tt.check, tt.words)
		}
		last := ms[0].Evidence.Checks[len(ms[0].Evidence.Checks)-1]
		if last.Part != "version" || last.Factor >= 1 || last.Why == "" {
			t.Errorf("firmware %q: version check %+v", tt.firmware, last)
		}
	}
}

// TestFirmwareNamesSoftware: a firmware string that names its software
// restricts matches to advisories about that software (the APE1808 runs
// Fortinet's or Palo Alto Networks' firewall; this advisory is about the
// latter).
func TestFirmwareNamesSoftware(t *testing.T) {
	t.Parallel()
	adv := compiledFile(t, "csaf/icsa-24-116-03.json")
	for _, tt := range []struct {
		firmware string
		want     bool
	}{
		{"FortiOS 7.2.5", false},
		{"Fortinet NGFW 7.2.5", false},
		{"PAN-OS 11.1.1", true},
		{"V2.0", true}, // no software named: the advisory may apply
	} {
		got := matchedCVEs(adv, DeviceTarget(registry.Device{ID: 1, Vendor: "Siemens", Model: "RUGGEDCOM APE1808", Firmware: tt.firmware}))
		if (len(got["CVE-2024-3400"]) > 0) != tt.want {
			t.Errorf("firmware %q: matched %v; want %v%s", tt.firmware, len(got["CVE-2024-3400"]) > 0, tt.want, describe(got["CVE-2024-3400"]))
		}
	}
}

// TestNameCVEs reads the notes about vulnerabilities in real full product
// names of CISA advisories.
func TestNameCVEs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		full     string
		cves     []string
		versions map[string][]string
	}{
		{"CodeMeter: All versions prior to 6.81 are affected by CVE-2020-14513", []string{"CVE-2020-14513"}, nil},
		{"CodeMeter: All versions prior to 7.10a are affected by CVE-2020-14509 and CVE-2020-14519", []string{"CVE-2020-14509", "CVE-2020-14519"}, nil},
		{"B450: Version 2.X (Impacted by CVE-2020- 6962 and CVE-2020-6965)", []string{"CVE-2020-6962", "CVE-2020-6965"}, nil},
		{"SiteOmat: versions prior to 6.4.414.122 only are vulnerable to stack-based buffer overflow CVE-2017-14854 and Code Injection CVE-2017-14853", []string{"CVE-2017-14854", "CVE-2017-14853"}, nil},
		{"FactoryTalk Linx software: Versions 6.20 and prior (CVE-2020-5806 only affects Versions 6.10 6.11 and 6.20)", nil, map[string][]string{"CVE-2020-5806": {"6.10", "6.11", "6.20"}}},
		{"CVE-2019-18273: PI Vision 2017 R2 and PI Vision 2017 R2 SP1", nil, nil}, // a heading, not a statement
		{"CARESCAPE Central Station (CSCS): Versions 1.X", nil, nil},
	}
	for _, tt := range tests {
		cves, versions := nameCVEs(tt.full)
		if !slices.Equal(cves, tt.cves) || !reflect.DeepEqual(versions, tt.versions) {
			t.Errorf("nameCVEs(%q) = %v, %v; want %v, %v", tt.full, cves, versions, tt.cves, tt.versions)
		}
	}
}
