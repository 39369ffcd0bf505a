// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package advisory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/advisory"
)

func TestParseKEVCatalog(t *testing.T) {
	t.Parallel()
	as, st, rows := load(t, advisory.ParseKEV, "testdata/kev/known_exploited_vulnerabilities.json")
	if len(rows) != 0 || st.Records != 1404 || st.Yielded != 1404 || len(as) != 1404 {
		t.Fatalf("stats %+v rows %v; want 1404 good records", st, rows)
	}
	if st.Version != "2025.08.25" || !st.Released.Equal(date("2025-08-25T17:04:19.9796Z")) {
		t.Errorf("catalog %q released %v", st.Version, st.Released)
	}
	ransomware := 0
	byID := map[string]advisory.Advisory{}
	for _, a := range as {
		byID[a.ID] = a
		if a.Vulns[0].KEV.RansomwareUse {
			ransomware++
		}
	}
	if ransomware != 293 {
		t.Errorf("%d entries with known ransomware use; want 293", ransomware)
	}
	tests := []struct {
		cve, vendor, product, added, due string
		ransomware                       bool
	}{
		{"CVE-2024-3400", "Palo Alto Networks", "PAN-OS", "2024-04-12", "2024-04-19", true},
		{"CVE-2019-7256", "Nice", "Linear eMerge E3-Series", "2024-03-25", "2024-04-15", false},
		{"CVE-2024-21762", "Fortinet", "FortiOS", "2024-02-09", "2024-02-16", true},
		{"CVE-2023-20198", "Cisco", "IOS XE Web UI", "2023-10-16", "2023-10-20", false},
		{"CVE-2021-44228", "Apache", "Log4j2", "2021-12-10", "2021-12-24", true},
	}
	for _, tt := range tests {
		a, ok := byID[tt.cve]
		if !ok {
			t.Errorf("%s missing", tt.cve)
			continue
		}
		k := a.Vulns[0].KEV
		p := a.Products[0]
		if p.Vendor != tt.vendor || p.Name != tt.product || p.Status[tt.cve] != advisory.StatusKnownAffected {
			t.Errorf("%s: product %+v; want %s %s", tt.cve, p, tt.vendor, tt.product)
		}
		if !k.DateAdded.Equal(date(tt.added)) || !k.DueDate.Equal(date(tt.due)) || k.RansomwareUse != tt.ransomware || k.RequiredAction == "" {
			t.Errorf("%s: KEV %+v; want added %s due %s ransomware %v", tt.cve, k, tt.added, tt.due, tt.ransomware)
		}
	}
	if u := byID["CVE-2025-48384"].URLs; len(u) != 6 || u[0] != "https://github.com/git/git/security/advisories/GHSA-vwqx-4fm8-6qc9" {
		t.Errorf("CVE-2025-48384 URLs from notes: %v", u)
	}
}

func TestParseKEVBad(t *testing.T) {
	t.Parallel()
	as, st, rows := load(t, advisory.ParseKEV, "testdata/bad/kev-bad.json")
	var ids []string
	for _, a := range as {
		ids = append(ids, a.ID)
	}
	if len(ids) != 3 || st.Records != 6 || st.Rejected != 3 {
		t.Errorf("yielded %v, stats %+v; want 3 of 6", ids, st)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Field)
		if r.Line < 8 || r.File != "testdata/bad/kev-bad.json" || r.Raw == "" {
			t.Errorf("row error without position or raw record: %+v", r)
		}
	}
	want := []string{"vulnerabilities[1].cveID", "vulnerabilities[3].dueDate", "vulnerabilities[4].cveID"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	// Lines are increasing and each points at the "{" of its entry.
	data, _ := os.ReadFile("testdata/bad/kev-bad.json")
	lines := strings.Split(string(data), "\n")
	for _, r := range rows {
		if strings.TrimSpace(lines[r.Line-1]) != "{" {
			t.Errorf("line %d is %q; want the opening brace of the entry", r.Line, lines[r.Line-1])
		}
	}
}

func TestParseNVDRecords(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file     string
		status   string
		cvss     []string
		cwes     []string
		configs  int
		products int
		kevDue   string
	}{
		{"CVE-2019-7256", "Modified", []string{"3.1:9.8", "3.1:9.8", "2.0:10"}, []string{"CWE-78"}, 2, 2, "2024-04-15"},
		{"CVE-2024-21762", "Analyzed", []string{"3.1:9.8", "3.1:9.8"}, []string{"CWE-787"}, 1, 10, "2024-02-16"},
		{"CVE-2024-7029", "Undergoing Analysis", []string{"4.0:8.7", "3.1:8.8"}, []string{"CWE-77"}, 0, 0, ""},
		{"CVE-2024-21483", "Awaiting Analysis", []string{"4.0:5.1", "3.1:4.6"}, []string{"CWE-284"}, 0, 0, ""},
		{"CVE-2024-4622", "Awaiting Analysis", nil, []string{"CWE-1392"}, 0, 0, ""},
		{"CVE-2023-6448", "Modified", []string{"3.1:9.8", "3.1:9.8"}, []string{"CWE-798", "CWE-1188"}, 13, 13, "2023-12-18"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			a := loadOne(t, advisory.ParseNVD, "testdata/nvd/"+tt.file+".json")
			v := a.Vulns[0]
			if a.ID != tt.file || a.Status != tt.status || v.CVE != tt.file || v.Description == "" {
				t.Errorf("id %q status %q cve %q; want %s %s", a.ID, a.Status, v.CVE, tt.file, tt.status)
			}
			if diff := cmp.Diff(tt.cvss, bases(v)); diff != "" {
				t.Errorf("CVSS (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.cwes, v.CWEs); diff != "" {
				t.Errorf("CWEs (-want +got):\n%s", diff)
			}
			if len(v.Configurations) != tt.configs || len(a.Products) != tt.products {
				t.Errorf("%d configurations, %d products; want %d, %d", len(v.Configurations), len(a.Products), tt.configs, tt.products)
			}
			if tt.kevDue == "" && v.KEV != nil || tt.kevDue != "" && (v.KEV == nil || !v.KEV.DueDate.Equal(date(tt.kevDue))) {
				t.Errorf("KEV %+v; want due %q", v.KEV, tt.kevDue)
			}
		})
	}
}

func TestParseNVDConfigurations(t *testing.T) {
	t.Parallel()
	// CVE-2023-6448: each configuration is firmware AND the hardware it runs on.
	a := loadOne(t, advisory.ParseNVD, "testdata/nvd/CVE-2023-6448.json")
	want := advisory.Config{Operator: "AND", Nodes: []advisory.Node{
		{Operator: "OR", Matches: []advisory.CPEMatch{{Vulnerable: true, Criteria: "cpe:2.3:o:unitronics:vision1210_firmware:-:*:*:*:*:*:*:*", MatchCriteriaID: "77C7A79D-4EFE-41C2-88E9-F9A1A65C4D6E"}}},
		{Operator: "OR", Matches: []advisory.CPEMatch{{Vulnerable: false, Criteria: "cpe:2.3:h:unitronics:vision1210:-:*:*:*:*:*:*:*", MatchCriteriaID: "32D6EFD3-61C3-4C4D-8B17-16591255EAE5"}}},
	}}
	if diff := cmp.Diff(want, a.Vulns[0].Configurations[0]); diff != "" {
		t.Errorf("configuration 0 (-want +got):\n%s", diff)
	}
	// CVE-2024-21762: version ranges become product ranges.
	b := loadOne(t, advisory.ParseNVD, "testdata/nvd/CVE-2024-21762.json")
	p := product(t, b, "C119229A-3805-47C1-B3F9-AF1A4007A63B")
	wantP := advisory.Product{
		ID: "C119229A-3805-47C1-B3F9-AF1A4007A63B", Vendor: "fortinet", Name: "fortios",
		Ranges: []advisory.VersionRange{{Type: "cpe", StartIncluding: "7.0.0", EndExcluding: "7.0.14"}},
		CPEs:   []string{"cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*"},
		Status: map[string]advisory.Status{"CVE-2024-21762": advisory.StatusKnownAffected},
	}
	if diff := cmp.Diff(wantP, p); diff != "" {
		t.Errorf("product (-want +got):\n%s", diff)
	}
	keys := b.IndexKeys()
	for _, k := range []string{"cpe:fortinet:fortios", "cpe:fortinet:fortiproxy", "name:fortinet:fortios"} {
		if !slices.ContainsFunc(keys, func(x advisory.IndexKey) bool { return x.String() == k }) {
			t.Errorf("index keys %v lack %s", keys, k)
		}
	}
}

func TestParseNVDFeedMatchesRecords(t *testing.T) {
	t.Parallel()
	as, st, rows := load(t, advisory.ParseNVD, "testdata/nvd-feed.json")
	if len(rows) != 0 || len(as) != 15 || st.Version != "2.0" || !st.Released.Equal(date("2025-08-25T12:00:00Z")) {
		t.Fatalf("feed: %d advisories, rows %v, stats %+v", len(as), rows, st)
	}
	for _, a := range as {
		one := loadOne(t, advisory.ParseNVD, "testdata/nvd/"+a.ID+".json")
		if a.Digest() != one.Digest() {
			t.Errorf("%s: digest from feed %s differs from single record %s", a.ID, a.Digest(), one.Digest())
		}
	}
}

func TestParseNVDFeedBad(t *testing.T) {
	t.Parallel()
	as, st, rows := load(t, advisory.ParseNVD, "testdata/bad/nvd-feed-bad.json")
	var ids []string
	for _, a := range as {
		ids = append(ids, a.ID)
	}
	if diff := cmp.Diff([]string{"CVE-2023-6448", "CVE-2024-21762", "CVE-2024-7029", "CVE-2024-70290"}, ids); diff != "" {
		t.Errorf("yielded (-want +got):\n%s", diff)
	}
	var fields []string
	for _, r := range rows {
		fields = append(fields, r.Field)
	}
	want := []string{"vulnerabilities[1].cve.id", "vulnerabilities[3].cve.published", "vulnerabilities[4].cve.metrics"}
	if diff := cmp.Diff(want, fields); diff != "" {
		t.Errorf("row fields (-want +got):\n%s", diff)
	}
	if st.Rejected != 3 || st.Records != 7 || len(st.Warnings) != 1 ||
		!strings.Contains(st.Warnings[0].Reason, "base score 4.2 does not match") ||
		st.Warnings[0].Field != "vulnerabilities[6].cve.metrics.cvssMetricV31[0].cvssData" {
		t.Errorf("stats %+v", st)
	}
	// The warned record keeps the computed score.
	if got := bases(as[3].Vulns[0]); !slices.Contains(got, "3.1:8.8") {
		t.Errorf("scores %v; want the computed 8.8", got)
	}
}

func TestParseCVE5Records(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		productID string
		want      advisory.Product
		cvss      []string
		kevAdded  string
		ssvc      string
		warnings  int
	}{
		{
			file: "CVE-2023-49897", productID: "cna/affected[1]",
			want: advisory.Product{ID: "cna/affected[1]", Vendor: "FXC Inc.", Name: "AE1021",
				Ranges: []advisory.VersionRange{{Type: "text", Text: "2.0.9 and earlier"}},
				Status: map[string]advisory.Status{"CVE-2023-49897": advisory.StatusKnownAffected}},
			cvss: []string{"3.1:8.8"}, kevAdded: "2023-12-21", ssvc: "active",
		},
		{
			file: "CVE-2023-33869", productID: "cna/affected[0]",
			want: advisory.Product{ID: "cna/affected[0]", Vendor: "Enphase", Name: "Envoy", DefaultStatus: advisory.StatusKnownNotAffected,
				Ranges: []advisory.VersionRange{{Exact: "D7.0.88"}},
				Status: map[string]advisory.Status{"CVE-2023-33869": advisory.StatusKnownAffected}},
			cvss: []string{"3.1:6.3"},
		},
		{
			file: "CVE-2023-34873", productID: "cna/affected[0]",
			want: advisory.Product{ID: "cna/affected[0]", Vendor: "MOBOTIX", Name: "P3", DefaultStatus: advisory.StatusKnownNotAffected,
				Ranges: []advisory.VersionRange{{Type: "custom", EndExcluding: "MX-V4.7.2.18"}},
				Status: map[string]advisory.Status{"CVE-2023-34873": advisory.StatusKnownAffected}},
			cvss: []string{"4.0:8.7"},
		},
		{
			file: "CVE-2024-21762", productID: "adp:CISA-ADP/affected[6]",
			want: advisory.Product{ID: "adp:CISA-ADP/affected[6]", Vendor: "fortinet", Name: "fortios", DefaultStatus: advisory.StatusUnknown,
				Ranges: []advisory.VersionRange{{Type: "custom", StartIncluding: "7.0.0", EndExcluding: "7.0.14"}},
				CPEs:   []string{"cpe:2.3:o:fortinet:fortios:7.0.0:*:*:*:*:*:*:*"},
				Status: map[string]advisory.Status{"CVE-2024-21762": advisory.StatusKnownAffected}},
			// Fortinet states the temporal score 9.6 as the base score.
			cvss: []string{"3.1:9.8"}, kevAdded: "2024-02-09", ssvc: "active", warnings: 1,
		},
		{
			file: "CVE-2024-3400", productID: "cna/affected[1]",
			want: advisory.Product{ID: "cna/affected[1]", Vendor: "Palo Alto Networks", Name: "Cloud NGFW", DefaultStatus: advisory.StatusKnownNotAffected,
				Ranges: []advisory.VersionRange{{Type: "text", All: true, Text: "All", Status: advisory.StatusKnownNotAffected}},
				Status: map[string]advisory.Status{"CVE-2024-3400": advisory.StatusKnownNotAffected}},
			cvss: []string{"3.1:10"}, kevAdded: "2024-04-12", ssvc: "active",
		},
		{
			file: "CVE-2022-47376", productID: "cna/affected[0]",
			want: advisory.Product{ID: "cna/affected[0]", Name: "Alaris Infusion Central",
				Ranges: []advisory.VersionRange{{Type: "text", Text: "<=1.3.2"}},
				Status: map[string]advisory.Status{"CVE-2022-47376": advisory.StatusKnownAffected}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			as, st, rows := load(t, advisory.ParseCVE5, "testdata/cve5/"+tt.file+".json")
			if len(as) != 1 || len(rows) != 0 || len(st.Warnings) != tt.warnings {
				t.Fatalf("%d advisories, rows %v, warnings %v", len(as), rows, st.Warnings)
			}
			a := as[0]
			if a.ID != tt.file || a.Source != advisory.SourceCVE5 || a.Status != "PUBLISHED" {
				t.Errorf("id %q source %q state %q", a.ID, a.Source, a.Status)
			}
			if diff := cmp.Diff(tt.want, product(t, a, tt.productID)); diff != "" {
				t.Errorf("product (-want +got):\n%s", diff)
			}
			v := a.Vulns[0]
			if diff := cmp.Diff(tt.cvss, bases(v)); diff != "" {
				t.Errorf("CVSS (-want +got):\n%s", diff)
			}
			if tt.kevAdded == "" && v.KEV != nil || tt.kevAdded != "" && (v.KEV == nil || !v.KEV.DateAdded.Equal(date(tt.kevAdded))) {
				t.Errorf("KEV %+v; want added %q", v.KEV, tt.kevAdded)
			}
			if tt.ssvc != "" && (v.SSVC == nil || v.SSVC.Exploitation != tt.ssvc) {
				t.Errorf("SSVC %+v; want exploitation %q", v.SSVC, tt.ssvc)
			}
		})
	}
}

func TestParseCVE5PANOSRanges(t *testing.T) {
	t.Parallel()
	a := loadOne(t, advisory.ParseCVE5, "testdata/cve5/CVE-2024-3400.json")
	p := product(t, a, "cna/affected[0]")
	want := []advisory.VersionRange{
		{Exact: "9.0.0", Status: advisory.StatusKnownNotAffected},
		{Exact: "9.1.0", Status: advisory.StatusKnownNotAffected},
		{Exact: "10.0.0", Status: advisory.StatusKnownNotAffected},
		{Exact: "10.1.0", Status: advisory.StatusKnownNotAffected},
		{Type: "custom", StartIncluding: "10.2.0", EndExcluding: "10.2.9-h1", Changes: []advisory.VersionChange{{At: "10.2.9-h1", Status: advisory.StatusKnownNotAffected}}},
		{Type: "custom", StartIncluding: "11.0.0", EndExcluding: "11.0.4-h1", Changes: []advisory.VersionChange{{At: "11.0.4-h1", Status: advisory.StatusKnownNotAffected}}},
		{Type: "custom", StartIncluding: "11.1.0", EndExcluding: "11.1.2-h3", Changes: []advisory.VersionChange{{At: "11.1.2-h3", Status: advisory.StatusKnownNotAffected}}},
	}
	if diff := cmp.Diff(want, p.Ranges); diff != "" {
		t.Errorf("PAN-OS ranges (-want +got):\n%s", diff)
	}
}

func TestParseCVE5Array(t *testing.T) {
	t.Parallel()
	// All 22 records as one streamed JSON array, one record per line.
	files := []string{"CVE-2019-7256", "CVE-2022-47376", "CVE-2023-20198", "CVE-2023-20273", "CVE-2023-21406", "CVE-2023-33869",
		"CVE-2023-34873", "CVE-2023-38545", "CVE-2023-38546", "CVE-2023-44487", "CVE-2023-47537", "CVE-2023-49897", "CVE-2023-6448",
		"CVE-2024-21483", "CVE-2024-21762", "CVE-2024-2197", "CVE-2024-23113", "CVE-2024-3400", "CVE-2024-3850", "CVE-2024-4622",
		"CVE-2024-7029", "CVE-2025-0630"}
	var buf bytes.Buffer
	buf.WriteString("[\n")
	for _, f := range files {
		data, err := os.ReadFile("testdata/cve5/" + f + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var c bytes.Buffer
		if err := json.Compact(&c, data); err != nil {
			t.Fatal(err)
		}
		buf.Write(c.Bytes())
		buf.WriteString(",\n")
	}
	buf.WriteString("{\"cveMetadata\": {\"cveId\": \"nope\"}}\n]\n")
	as, st, rows := loadBytes(t, advisory.ParseCVE5, "all.json", buf.Bytes())
	if len(as) != 22 || st.Records != 23 || len(rows) != 1 || rows[0].Line != 24 || rows[0].Field != "[22].cveMetadata.cveId" {
		t.Fatalf("%d advisories, stats %+v, rows %+v", len(as), st, rows)
	}
	for i, a := range as {
		if a.ID != files[i] {
			t.Errorf("record %d is %s; want %s", i, a.ID, files[i])
		}
	}
}

func TestParseOSV(t *testing.T) {
	t.Parallel()
	log4j := loadOne(t, advisory.ParseOSV, "testdata/osv/GHSA-jfh8-c2jp-5v3q.json")
	if log4j.ID != "GHSA-jfh8-c2jp-5v3q" || !slices.Equal(log4j.CVEs, []string{"CVE-2021-44228"}) || len(log4j.Products) != 4 {
		t.Fatalf("log4j: %+v", log4j)
	}
	v := vuln(t, log4j, "CVE-2021-44228")
	if v.ID != "GHSA-jfh8-c2jp-5v3q" || !slices.Equal(bases(v), []string{"3.1:10"}) || len(v.CWEs) != 4 || len(v.Remedies) != 4 {
		t.Errorf("log4j vuln %+v", v)
	}
	want := advisory.Product{
		ID: "affected[1]", Name: "org.apache.logging.log4j:log4j-core", Ecosystem: "Maven",
		Ranges: []advisory.VersionRange{{Type: "ecosystem", StartIncluding: "2.0-beta9", EndExcluding: "2.3.1"}},
		PURLs:  []string{"pkg:maven/org.apache.logging.log4j/log4j-core"},
		Status: map[string]advisory.Status{"CVE-2021-44228": advisory.StatusKnownAffected},
	}
	if diff := cmp.Diff(want, product(t, log4j, "affected[1]")); diff != "" {
		t.Errorf("log4j product (-want +got):\n%s", diff)
	}
	if p := product(t, log4j, "affected[3]"); !slices.Equal(p.PURLs, []string{"pkg:maven/org.ops4j.pax.logging/pax-logging-log4j2"}) {
		t.Errorf("derived purl %v", p.PURLs)
	}

	as, _, rows := load(t, advisory.ParseOSV, "testdata/osv/curl-and-go.json")
	if len(as) != 2 || len(rows) != 0 {
		t.Fatalf("%d records, rows %v", len(as), rows)
	}
	curl := as[0]
	cp := curl.Products[0]
	if curl.ID != "CURL-CVE-2023-38545" || len(cp.Versions) != 34 || len(cp.Ranges) != 2 ||
		!cmp.Equal(cp.Ranges[0], advisory.VersionRange{Type: "semver", StartIncluding: "7.69.0", EndExcluding: "8.4.0"}) ||
		cp.Ranges[1].Type != "git" || cp.Ranges[1].Repo != "https://github.com/curl/curl.git" {
		t.Errorf("curl: %+v", cp)
	}
	goRec := as[1]
	wantRanges := []advisory.VersionRange{{Type: "semver", EndExcluding: "1.20.10"}, {Type: "semver", StartIncluding: "1.21.0-0", EndExcluding: "1.21.3"}}
	if diff := cmp.Diff(wantRanges, goRec.Products[0].Ranges); diff != "" {
		t.Errorf("Go stdlib ranges (-want +got):\n%s", diff)
	}
	if !slices.Equal(goRec.CVEs, []string{"CVE-2023-39325"}) || !slices.Equal(goRec.Products[1].PURLs, []string{"pkg:golang/golang.org/x/net"}) {
		t.Errorf("Go record: CVEs %v purls %v", goRec.CVEs, goRec.Products[1].PURLs)
	}
}

func TestParseOSVBad(t *testing.T) {
	t.Parallel()
	as, st, rows := load(t, advisory.ParseOSV, "testdata/bad/osv-bad.json")
	if len(as) != 2 || st.Rejected != 3 || len(st.Warnings) != 2 {
		t.Fatalf("%d yielded, stats %+v", len(as), st)
	}
	got := []string{}
	for _, r := range rows {
		got = append(got, r.Field+"@"+ftoa(float64(r.Line)))
	}
	want := []string{"[1].id@5", "[2].modified@6", "[3].affected.package.name@7"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	good := as[0].Products[0]
	if !cmp.Equal(good.Ranges[0], advisory.VersionRange{Type: "semver", StartIncluding: "1.0.0", EndIncluding: "1.4.2"}) || good.PURLs[0] != "pkg:npm/%40scope/pkg" {
		t.Errorf("npm product %+v", good)
	}
	if p := as[1].Products[0]; !slices.Equal(p.PURLs, []string{"pkg:pypi/requests"}) {
		t.Errorf("bad purl should be replaced by the derived one: %v", p.PURLs)
	}
}

func TestParseEPSS(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"testdata/epss/epss_scores-sample.csv", "testdata/epss/epss_scores-sample.csv.gz"} {
		idx, st, rows, err := advisory.ParseEPSSIndex(t.Context(), mustOpen(t, f), f)
		if err != nil || len(rows) != 0 {
			t.Fatalf("%s: %v %v", f, err, rows)
		}
		if len(idx) != 8 || st.Version != "v2025.03.14" || !st.Released.Equal(date("2025-08-25T12:55:00Z")) {
			t.Errorf("%s: %d scores, stats %+v", f, len(idx), st)
		}
		want := advisory.EPSS{Score: 0.94279, Percentile: 0.9996, Date: date("2025-08-25"), Model: "v2025.03.14"}
		if diff := cmp.Diff(want, idx["CVE-2024-3400"]); diff != "" {
			t.Errorf("%s: CVE-2024-3400 (-want +got):\n%s", f, diff)
		}
	}
	idx, st, rows, err := advisory.ParseEPSSIndex(t.Context(), mustOpen(t, "testdata/bad/epss-bad.csv"), "bad.csv")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, ftoa(float64(r.Line))+":"+r.Field)
	}
	if diff := cmp.Diff([]string{"4:cve", "5:epss", "6:epss", "7:"}, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if len(idx) != 2 || st.Records != 6 || st.Rejected != 4 {
		t.Errorf("%d scores, stats %+v", len(idx), st)
	}
}

func TestEnrich(t *testing.T) {
	t.Parallel()
	kev, _, _, err := advisory.ParseKEVIndex(t.Context(), mustOpen(t, "testdata/kev/known_exploited_vulnerabilities.json"), "kev")
	if err != nil {
		t.Fatal(err)
	}
	epss, _, _, err := advisory.ParseEPSSIndex(t.Context(), mustOpen(t, "testdata/epss/epss_scores-sample.csv"), "epss")
	if err != nil {
		t.Fatal(err)
	}
	a := loadOne(t, advisory.ParseCSAF, "testdata/csaf/2024/icsa-24-116-03.json")
	before := a.Digest()
	if !a.Enrich(kev, epss) {
		t.Fatal("Enrich changed nothing")
	}
	v := a.Vulns[0]
	if v.KEV == nil || !v.KEV.DueDate.Equal(date("2024-04-19")) || v.EPSS == nil || v.EPSS.Score != 0.94279 {
		t.Errorf("enriched %+v %+v", v.KEV, v.EPSS)
	}
	if a.Digest() == before || a.Enrich(kev, epss) {
		t.Error("enrichment must change the digest once and then be stable")
	}
}

func TestDigestStable(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"testdata/csaf/2024/icsa-24-235-03.json", "testdata/csaf/2023/icsa-23-075-01.json"} {
		a := loadOne(t, advisory.ParseCSAF, f)
		b := loadOne(t, advisory.ParseCSAF, f)
		if a.Digest() != b.Digest() || !strings.HasPrefix(a.Digest(), "sha256:") {
			t.Errorf("%s: digests %s and %s", f, a.Digest(), b.Digest())
		}
		b.Products[len(b.Products)-1].Status = nil
		if a.Digest() == b.Digest() {
			t.Errorf("%s: a changed product status must change the digest", f)
		}
	}
}

func TestMalformedStopsWithLine(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/nvd-feed.json")
	if err != nil {
		t.Fatal(err)
	}
	// Cut the feed in the middle of the fifth record.
	cut := bytes.Index(data, []byte(`"id": "CVE-2023-46604"`))
	var got []string
	_, rows, err := advisory.ParseNVD(t.Context(), bytes.NewReader(data[:cut]), "cut.json", func(a advisory.Advisory) error {
		got = append(got, a.ID)
		return nil
	})
	if !errors.Is(err, advisory.ErrMalformed) || !strings.Contains(err.Error(), "line ") {
		t.Errorf("err = %v; want ErrMalformed with a line", err)
	}
	if len(got) != 5 || len(rows) != 0 {
		t.Errorf("yielded %v before the damage, rows %v; want the first 5", got, rows)
	}
	for _, tc := range []struct {
		name string
		p    parser
		in   string
	}{
		{"kev_not_object", advisory.ParseKEV, `[1,2]`},
		{"kev_no_array", advisory.ParseKEV, `{"title": "x"}`},
		{"nvd_garbage", advisory.ParseNVD, `{"vulnerabilities": [ {"cve": }`},
		{"osv_garbage", advisory.ParseOSV, `[{"id": "x", `},
	} {
		_, _, err := tc.p(t.Context(), strings.NewReader(tc.in), tc.name, func(advisory.Advisory) error { return nil })
		if !errors.Is(err, advisory.ErrMalformed) {
			t.Errorf("%s: err = %v; want ErrMalformed", tc.name, err)
		}
	}
}

func TestYieldErrorAndCancel(t *testing.T) {
	t.Parallel()
	stop := errors.New("stop")
	n := 0
	_, _, err := advisory.ParseKEV(t.Context(), mustOpen(t, "testdata/kev/known_exploited_vulnerabilities.json"), "kev", func(advisory.Advisory) error {
		n++
		if n == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 10 {
		t.Errorf("err %v after %d; want stop after 10", err, n)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, err = advisory.ParseNVD(ctx, mustOpen(t, "testdata/nvd-feed.json"), "nvd", func(advisory.Advisory) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v; want context.Canceled", err)
	}
}

func TestCPEHelpers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, vendor, product string
		ok, valid           bool
	}{
		{"cpe:2.3:o:fortinet:fortios:7.0.0:*:*:*:*:*:*:*", "fortinet", "fortios", true, true},
		{"cpe:2.3:a:avtec:avm1203\\/ipcamera\\/:*:*:*:*:*:*:*:*", "avtec", "avm1203\\/ipcamera\\/", true, true},
		{"cpe:2.3:a:foo\\:bar:baz:1:*:*:*:*:*:*:*", "foo\\:bar", "baz", true, true},
		{"cpe:/o:Cisco:IOS_XE:16.1.1", "cisco", "ios_xe", true, true},
		{"cpe:2.3:a:*:*:*:*:*:*:*:*:*:*", "", "", false, true},
		{"cpe:2.3:a:x:y", "x", "y", true, false},
		{"cpe:2.3:q:x:y:*:*:*:*:*:*:*:*", "x", "y", true, false},
		{"pkg:npm/x", "", "", false, false},
	}
	for _, tt := range tests {
		v, p, ok := advisory.CPEVendorProduct(tt.in)
		if v != tt.vendor || p != tt.product || ok != tt.ok {
			t.Errorf("CPEVendorProduct(%q) = %q, %q, %v; want %q, %q, %v", tt.in, v, p, ok, tt.vendor, tt.product, tt.ok)
		}
		if err := advisory.CheckCPE(tt.in); (err == nil) != tt.valid {
			t.Errorf("CheckCPE(%q) = %v; want valid %v", tt.in, err, tt.valid)
		}
	}
	if got := advisory.NormalizeName("  Johnson Controls, Inc. "); got != "johnson controls inc" {
		t.Errorf("NormalizeName = %q", got)
	}
}

func TestParseCVSS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		vector, version string
		base            float64
		severity        string
	}{
		{"AV:N/AC:L/Au:N/C:C/I:C/A:C", "2.0", 10, "HIGH"},
		{"CVSS:3.0/AV:A/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", "3.0", 8, "HIGH"},
		{"CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", "3.1", 4.6, "MEDIUM"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "4.0", 8.7, "HIGH"},
	}
	for _, tt := range tests {
		v, b, s, err := advisory.ParseCVSS(tt.vector)
		if err != nil || v != tt.version || b != tt.base || s != tt.severity {
			t.Errorf("ParseCVSS(%q) = %s %v %s %v; want %s %v %s", tt.vector, v, b, s, err, tt.version, tt.base, tt.severity)
		}
	}
	for _, bad := range []string{"", "CVSS:3.1/AV:N", "CVSS:9.9/AV:N", "AV:Q/AC:L/Au:N/C:C/I:C/A:C"} {
		if _, _, _, err := advisory.ParseCVSS(bad); err == nil {
			t.Errorf("ParseCVSS(%q) accepted", bad)
		}
	}
}
