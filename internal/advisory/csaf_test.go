// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package advisory_test

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/advisory"
)

func TestParseCSAFCorpus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		id        string
		modified  string
		cves      int
		productID string
		want      advisory.Product // compared without Status
		cve       string
		status    advisory.Status
		cvss      []string
		remedy    string // a remediation category the vulnerability must have
	}{
		{
			file: "2024/icsa-24-074-01.json", id: "ICSA-24-074-01", modified: "2024-03-12T00:00:00Z", cves: 1,
			productID: "CSAFPID-0001",
			want: advisory.Product{
				ID: "CSAFPID-0001", FullName: "SENTRON 7KM PAC3120 AC/DC (7KM3120-0BA01-1DA0)", Vendor: "Siemens",
				Name: "SENTRON 7KM PAC3120 AC/DC (7KM3120-0BA01-1DA0)",
				Ranges: []advisory.VersionRange{{Type: "text",
					Text: ">=V3.2.3_<V3.3.0_only_when_manufactured_between_LQN231003..._and_LQN231215..._with_LQNYYMMDD..."}},
				ModelNumbers: []string{"7KM3120-0BA01-1DA0"},
			},
			cve: "CVE-2024-21483", status: advisory.StatusKnownAffected, cvss: []string{"3.1:4.6"}, remedy: "vendor_fix",
		},
		{
			file: "2025/icsa-25-035-01.json", id: "ICSA-25-035-01", modified: "2025-02-04T07:00:00Z", cves: 1,
			productID: "CSAFPID-0003",
			want: advisory.Product{
				ID: "CSAFPID-0003", FullName: "Western Telematic Inc Console Server + PDU Combo Unit (CPM Series): <=Firmware_6.62",
				Vendor: "Western Telematic Inc", Name: "Console Server + PDU Combo Unit (CPM Series)",
				Ranges: []advisory.VersionRange{{Type: "text", Text: "<=Firmware_6.62"}},
			},
			cve: "CVE-2025-0630", status: advisory.StatusKnownAffected, cvss: []string{"3.1:6.5"}, remedy: "mitigation",
		},
		{
			file: "2023/icsa-23-171-01.json", id: "ICSA-23-171-01", modified: "2023-07-13T06:00:00Z", cves: 1,
			productID: "CSAFPID-0001",
			want: advisory.Product{
				ID: "CSAFPID-0001", FullName: "Envoy: D7.0.88", Vendor: "Enphase", Name: "Envoy", Version: "D7.0.88",
			},
			cve: "CVE-2023-33869", status: advisory.StatusKnownAffected, cvss: []string{"3.0:6.3"}, remedy: "mitigation",
		},
		{
			file: "2024/icsa-24-116-03.json", id: "ICSA-24-116-03", modified: "2024-04-19T00:00:00Z", cves: 1,
			productID: "CSAFPID-0001",
			want: advisory.Product{
				ID: "CSAFPID-0001", FullName: "RUGGEDCOM APE1808", Vendor: "Siemens", Name: "RUGGEDCOM APE1808",
				Ranges: []advisory.VersionRange{{Type: "vers", Vers: "vers:all/*", Text: "vers:all/*"}},
			},
			cve: "CVE-2024-3400", status: advisory.StatusKnownAffected, cvss: []string{"3.1:10"}, remedy: "vendor_fix",
		},
		{
			file: "2023/icsa-23-131-08.json", id: "ICSA-23-131-08", modified: "2023-05-11T06:00:00Z", cves: 8,
			productID: "CSAFPID-0003",
			want: advisory.Product{
				ID: "CSAFPID-0003", FullName: "Teltonika RUT model routers: >=00.07.00|<=00.07.03.4", Vendor: "Teltonika", Name: "RUT model routers",
				Ranges: []advisory.VersionRange{{Type: "text", Text: ">=00.07.00|<=00.07.03.4"}},
			},
			cve: "CVE-2023-32349", status: advisory.StatusKnownAffected, cvss: []string{"3.0:8"}, remedy: "mitigation",
		},
		{
			file: "2024/icsa-24-235-03.json", id: "ICSA-24-235-03", modified: "2024-08-22T10:00:00Z", cves: 1,
			productID: "CSAFPID-1390",
			want: advisory.Product{
				ID: "CSAFPID-1390", FullName: "Mobotix Mx6 Firmware MX-V5.4.9.4-r3 installed on Mobotix Mx6 p26",
				Vendor: "Mobotix", Name: "Mx6 Firmware", Version: "MX-V5.4.9.4-r3",
				Hashes:       []advisory.FileHash{{Filename: "MX_system_5_494_r3.mpl", Algorithm: "sha256", Value: "f1282fa349db9ebbbda36ebcd0314a3cac3351c12eeb62672728dc19c42873e9"}},
				Relationship: "installed_on", Component: "CSAFPID-0108",
				Platform: &advisory.Product{ID: "CSAFPID-0032", FullName: "Mobotix Mx6 p26", Vendor: "Mobotix", Family: "Mx6", Name: "p26"},
			},
			cve: "CVE-2023-34873", status: advisory.StatusFixed, cvss: []string{"3.1:8.8"}, remedy: "vendor_fix",
		},
		{
			file: "2024/icsa-24-214-07.json", id: "ICSA-24-214-07", modified: "2024-08-01T06:00:00Z", cves: 1,
			productID: "CSAFPID-0001",
			want: advisory.Product{
				ID: "CSAFPID-0001", FullName: "AVTECH SECURITY Corporation AVM1203: <=firmware_FullImg-1023-1007-1011-1009",
				Vendor: "AVTECH SECURITY Corporation", Name: "AVM1203",
				Ranges: []advisory.VersionRange{{Type: "text", Text: "<=firmware_FullImg-1023-1007-1011-1009"}},
			},
			cve: "CVE-2024-7029", status: advisory.StatusKnownAffected, cvss: []string{"3.1:8.8"}, remedy: "mitigation",
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			a := loadOne(t, advisory.ParseCSAF, filepath.Join("testdata/csaf", tt.file))
			if a.ID != tt.id || a.Source != advisory.SourceCSAF || a.Publisher != "CISA" || !a.Modified.Equal(date(tt.modified)) {
				t.Errorf("got id %q source %q publisher %q modified %v; want %q csaf CISA %s", a.ID, a.Source, a.Publisher, a.Modified, tt.id, tt.modified)
			}
			if len(a.CVEs) != tt.cves || len(a.Vulns) != tt.cves {
				t.Errorf("got %d CVEs, %d vulns; want %d", len(a.CVEs), len(a.Vulns), tt.cves)
			}
			p := product(t, a, tt.productID)
			if got := p.Status[tt.cve]; got != tt.status {
				t.Errorf("status of %s for %s = %q; want %q", tt.productID, tt.cve, got, tt.status)
			}
			p.Status = nil
			if diff := cmp.Diff(tt.want, p); diff != "" {
				t.Errorf("product %s (-want +got):\n%s", tt.productID, diff)
			}
			v := vuln(t, a, tt.cve)
			if diff := cmp.Diff(tt.cvss, bases(v)); diff != "" {
				t.Errorf("CVSS (-want +got):\n%s", diff)
			}
			if !slices.ContainsFunc(v.Remedies, func(r advisory.Remediation) bool { return r.Category == tt.remedy }) {
				t.Errorf("no %s remediation in %+v", tt.remedy, v.Remedies)
			}
		})
	}
}

func TestParseCSAFStatusPrecedence(t *testing.T) {
	t.Parallel()
	// icsa-24-235-03 lists 33 products under both "fixed" and "recommended":
	// they count as fixed. The counts were taken from the file with jq.
	a := loadOne(t, advisory.ParseCSAF, "testdata/csaf/2024/icsa-24-235-03.json")
	got := map[advisory.Status]int{}
	for _, p := range a.Products {
		if s, ok := p.Status["CVE-2023-34873"]; ok {
			got[s]++
		}
	}
	want := map[advisory.Status]int{advisory.StatusKnownAffected: 644, advisory.StatusFixed: 439, advisory.StatusKnownNotAffected: 200}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status counts (-want +got):\n%s", diff)
	}
	if len(a.Products) != 1391 {
		t.Errorf("%d products; want 1391 (108 in branches, 1283 relationships)", len(a.Products))
	}
}

func TestParseCSAFScoresAndRemediations(t *testing.T) {
	t.Parallel()
	a := loadOne(t, advisory.ParseCSAF, "testdata/csaf/2024/icsa-24-074-01.json")
	v := vuln(t, a, "CVE-2024-21483")
	want := []advisory.Score{{Version: "3.1", Vector: "CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", Base: 4.6, Severity: "MEDIUM",
		ProductIDs: []string{"CSAFPID-0001", "CSAFPID-0002", "CSAFPID-0003", "CSAFPID-0004"}}}
	if diff := cmp.Diff(want, v.CVSS); diff != "" {
		t.Errorf("scores (-want +got):\n%s", diff)
	}
	if v.CWEs[0] != "CWE-284" || v.Remedies[1].Details != "Update to V3.3.0 or later version" {
		t.Errorf("cwe %v, remediation %+v", v.CWEs, v.Remedies[1])
	}
}

func TestParseCSAFBad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		doc      string
		rejected int
		vulns    int
		field    string
		warn     string
	}{
		{"not_json", `{"document": [}`, 1, 0, "", ""},
		{"no_tracking_id", `{"document": {"title": "x"}}`, 1, 0, "document.tracking.id", ""},
		{"bad_vuln_kept_others", `{"document": {"tracking": {"id": "X-1"}}, "vulnerabilities": [{"cve": 5}, {"cve": "CVE-2024-0001"}, {"cve": "CVE-1"}]}`,
			2, 1, "vulnerabilities[0].cve", ""},
		{"unknown_product_warns", `{"document": {"tracking": {"id": "X-2"}}, "vulnerabilities": [{"cve": "CVE-2024-0001", "product_status": {"known_affected": ["P9"]}}]}`,
			0, 1, "", "vulnerabilities[0].product_status.known_affected"},
		{"bad_vector_warns", `{"document": {"tracking": {"id": "X-3"}}, "vulnerabilities": [{"cve": "CVE-2024-0001", "scores": [{"cvss_v3": {"version": "3.1", "vectorString": "CVSS:3.1/AV:N", "baseScore": 5}, "products": []}]}]}`,
			0, 1, "", "vulnerabilities[0].scores[0].cvss_v3"},
		{"mismatched_base_warns", `{"document": {"tracking": {"id": "X-4"}}, "vulnerabilities": [{"cve": "CVE-2024-0001", "scores": [{"cvss_v3": {"version": "3.1", "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "baseScore": 5}, "products": []}]}]}`,
			0, 1, "", "vulnerabilities[0].scores[0].cvss_v3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			as, st, rows := loadBytes(t, advisory.ParseCSAF, tt.name, []byte(tt.doc))
			if len(rows) != tt.rejected {
				t.Fatalf("rows %v; want %d", rows, tt.rejected)
			}
			if tt.field != "" && rows[0].Field != tt.field {
				t.Errorf("field %q; want %q", rows[0].Field, tt.field)
			}
			if tt.vulns > 0 && (len(as) != 1 || len(as[0].Vulns) != tt.vulns) {
				t.Errorf("got %d advisories; want 1 with %d vulns", len(as), tt.vulns)
			}
			if tt.warn != "" && (len(st.Warnings) != 1 || st.Warnings[0].Field != tt.warn) {
				t.Errorf("warnings %v; want one on %s", st.Warnings, tt.warn)
			}
		})
	}
}

// TestCrossref checks every row of CROSSREF.csv: the CVE is found in the
// CSAF advisory the row names, the products that advisory gives a status for
// that CVE carry the row's vendor and product names, the NVD and CVE 5 files
// the row names hold that CVE (with CPE applicability exactly when the row
// says so), and in_kev agrees with the KEV catalog.
func TestCrossref(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/CROSSREF.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	kev, _, rows, err := advisory.ParseKEVIndex(t.Context(), mustOpen(t, "testdata/kev/known_exploited_vulnerabilities.json"), "kev")
	if err != nil || len(rows) != 0 {
		t.Fatalf("KEV: %v %v", err, rows)
	}
	csafs := map[string]advisory.Advisory{}
	checked := 0
	for _, r := range recs[1:] {
		cve, inKEV, csafFile, nvdFile, cve5File, vendor, prod, hasCPE := r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]
		a, ok := csafs[csafFile]
		if !ok {
			a = loadOne(t, advisory.ParseCSAF, filepath.Join("testdata", csafFile))
			csafs[csafFile] = a
		}
		if !slices.Contains(a.CVEs, cve) {
			t.Errorf("%s: %s not in CVEs of %s", csafFile, cve, a.ID)
			continue
		}
		var vendors, names []string
		for _, p := range a.Products {
			if _, ok := p.Status[cve]; ok && p.Relationship == "" {
				vendors = appendSet(vendors, p.Vendor)
				names = appendSet(names, p.Name)
			}
		}
		if vendor != "" {
			if diff := cmp.Diff(splitSet(vendor), vendors); diff != "" {
				t.Errorf("%s %s vendors (-crossref +got):\n%s", csafFile, cve, diff)
			}
			if diff := cmp.Diff(splitSet(prod), names); diff != "" {
				t.Errorf("%s %s products (-crossref +got):\n%s", csafFile, cve, diff)
			}
		}
		if _, ok := kev[cve]; ok != (inKEV == "true") {
			t.Errorf("%s: in KEV index = %v; crossref says %s", cve, ok, inKEV)
		}
		if nvdFile != "" {
			n := loadOne(t, advisory.ParseNVD, filepath.Join("testdata", nvdFile))
			if n.ID != cve {
				t.Errorf("%s holds %s; want %s", nvdFile, n.ID, cve)
			}
			gotCPE := len(n.Vulns[0].Configurations) > 0
			if gotCPE != (hasCPE == "true") {
				t.Errorf("%s: has configurations = %v; crossref says %s", nvdFile, gotCPE, hasCPE)
			}
		}
		if cve5File != "" {
			c := loadOne(t, advisory.ParseCVE5, filepath.Join("testdata", cve5File))
			if c.ID != cve || len(c.Products) == 0 {
				t.Errorf("%s holds %s with %d products; want %s", cve5File, c.ID, len(c.Products), cve)
			}
		}
		checked++
	}
	if checked != 134 {
		t.Errorf("checked %d rows; want 134", checked)
	}
}

func splitSet(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "; ") {
		out = appendSet(out, p)
	}
	return out
}

func appendSet(ss []string, s string) []string {
	s = strings.TrimSpace(s)
	if s == "" || slices.Contains(ss, s) {
		return ss
	}
	ss = append(ss, s)
	slices.Sort(ss)
	return ss
}

func mustOpen(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
