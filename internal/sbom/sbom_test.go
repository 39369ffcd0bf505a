// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package sbom_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/sbom"
)

func parseFile(t testing.TB, path string) (*sbom.BOM, int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bom, rows, err := sbom.Parse(context.Background(), bytes.NewReader(data), path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return bom, len(rows)
}

func find(bom *sbom.BOM, name string) (sbom.Component, bool) {
	i := slices.IndexFunc(bom.Components, func(c sbom.Component) bool { return c.Name == name })
	if i < 0 {
		return sbom.Component{}, false
	}
	return bom.Components[i], true
}

func TestParseCorpus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file    string
		format  sbom.Format
		spec    string
		n       int
		subject string
		want    sbom.Component
	}{
		{"sbom-cern-lhc-vdm-editor.cdx.json", sbom.CycloneDXJSON, "1.2", 43, "lhc-vdm-editor",
			sbom.Component{Name: "puppeteer", Version: "1.19.0", PURL: "pkg:npm/puppeteer@1.19.0", Type: "library", BOMRef: "pkg:npm/puppeteer@1.19.0"}},
		{"sbom-cern-lhc-vdm-editor.cdx.xml", sbom.CycloneDXXML, "1.2", 43, "lhc-vdm-editor",
			sbom.Component{Name: "puppeteer", Version: "1.19.0", PURL: "pkg:npm/puppeteer@1.19.0", Type: "library", BOMRef: "pkg:npm/puppeteer@1.19.0"}},
		{"hbom-pcie-sata-adapter-board.cdx.json", sbom.CycloneDXJSON, "1.4", 6, "pcie-sata-adaptor-board",
			sbom.Component{Name: "PCIE-098-02-F-D-EMS2", Version: "2.9.10", Supplier: "Samtec", Type: "device", BOMRef: "PCIE-098-02-F-D-EMS2"}},
		{"vex-example-bom.cdx.json", sbom.CycloneDXJSON, "1.3", 3, "example-app",
			sbom.Component{Name: "jackson-databind", Group: "com.fasterxml.jackson.core", Version: "2.10.0", Supplier: "FasterXML", Type: "library",
				PURL: "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar", BOMRef: "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar"}},
		{"vex-example-vex.cdx.json", sbom.CycloneDXJSON, "1.4", 0, "", sbom.Component{}},
		{"cyclonedx-go-valid-bom.cdx.xml", sbom.CycloneDXXML, "1.6", 0, "", sbom.Component{}},
		{"04-SBOMwSecurity.spdx.json", sbom.SPDXJSON, "SPDX-2.3", 1, "tools-java",
			sbom.Component{Name: "xlsx", Version: "0.16.6", Supplier: "Webjar", PURL: "pkg:maven/org.webjars.npm/xlsx@0.16.6", BOMRef: "SPDXRef-xlsx"}},
		{"ACME-v2.3.spdx.json", sbom.SPDXJSON, "SPDX-2.3", 3, "Acme Applcation",
			sbom.Component{Name: "OpenSSL", Version: "3.0.4", PURL: "pkg:alpine/openssl@3.0.4", BOMRef: "SPDXRef-openssl"}},
		{"example11-sbom.spdx.json", sbom.SPDXJSON, "SPDX-2.3", 4, "",
			sbom.Component{Name: "tokio", Version: "1.19.2", PURL: "pkg:cargo/tokio@1.19.2", BOMRef: "SPDXRef-Package-SPDXRef-Package-cargo-tokio-1"}},
		{"example11-sbom.spdx", sbom.SPDXTagValue, "SPDX-2.3", 4, "",
			sbom.Component{Name: "tokio", Version: "1.19.2", PURL: "pkg:cargo/tokio@1.19.2", BOMRef: "SPDXRef-Package-SPDXRef-Package-cargo-tokio-1"}},
		{"SPDXTagExample-v2.3.spdx", sbom.SPDXTagValue, "SPDX-2.3", 0, "",
			sbom.Component{Name: "glibc", Version: "2.11.1", Supplier: "Jane Doe (jane.doe@example.com)", CPE: "cpe:2.3:a:pivotal_software:spring_framework:4.1.0:*:*:*:*:*:*:*", BOMRef: "SPDXRef-Package"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			bom, rows := parseFile(t, filepath.Join("testdata", tt.file))
			if bom.Format != tt.format || bom.SpecVersion != tt.spec || rows != 0 {
				t.Errorf("format %s %s, %d row errors; want %s %s, none", bom.Format, bom.SpecVersion, rows, tt.format, tt.spec)
			}
			if tt.n > 0 && len(bom.Components) != tt.n {
				t.Errorf("%d components; want %d", len(bom.Components), tt.n)
			}
			if tt.subject != "" && (bom.Subject == nil || bom.Subject.Name != tt.subject) {
				t.Errorf("subject %+v; want %q", bom.Subject, tt.subject)
			}
			if tt.want.Name == "" {
				return
			}
			got, ok := find(bom, tt.want.Name)
			if !ok {
				t.Fatalf("no component %q in %+v", tt.want.Name, bom.Components)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("component (-want +got):\n%s", diff)
			}
		})
	}
}

// The same BOM in JSON and in XML (and SPDX JSON and tag-value) gives the
// same components.
func TestFormatsAgree(t *testing.T) {
	t.Parallel()
	for _, pair := range [][2]string{
		{"sbom-cern-lhc-vdm-editor.cdx.json", "sbom-cern-lhc-vdm-editor.cdx.xml"},
		{"example11-sbom.spdx.json", "example11-sbom.spdx"},
	} {
		a, _ := parseFile(t, "testdata/"+pair[0])
		b, _ := parseFile(t, "testdata/"+pair[1])
		// SPDX package order carries no meaning (the tag-value writer
		// reorders them).
		byRef := func(x, y sbom.Component) int { return strings.Compare(x.BOMRef, y.BOMRef) }
		slices.SortFunc(a.Components, byRef)
		slices.SortFunc(b.Components, byRef)
		if diff := cmp.Diff(a.Components, b.Components); diff != "" {
			t.Errorf("%s vs %s (-json +other):\n%s", pair[0], pair[1], diff)
		}
	}
}

func TestBadIdentifiersAreReportedNotFatal(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/bad-identifiers.cdx.json")
	if err != nil {
		t.Fatal(err)
	}
	bom, rows, err := sbom.Parse(t.Context(), bytes.NewReader(data), "bad.json")
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, r := range rows {
		fields = append(fields, r.Field)
		if r.File != "bad.json" || r.Reason == "" {
			t.Errorf("row error %+v", r)
		}
	}
	if diff := cmp.Diff([]string{"components[1].cpe", "components[2].purl", "components[3].name"}, fields); diff != "" {
		t.Errorf("row fields (-want +got):\n%s", diff)
	}
	var names []string
	for _, c := range bom.Components {
		names = append(names, c.Name+"@"+c.Version+"|"+c.PURL+"|"+c.CPE)
	}
	want := []string{
		"ipc-firmware@5.1.2||cpe:2.3:o:example:ipc_firmware:5.1.2:*:*:*:*:*:*:*",
		"busybox@1.36.1|pkg:generic/busybox@1.36.1|",
		"openssl@3.0.4||",
		"zlib@1.2.13|pkg:generic/zlib@1.2.13|",
		"libz.so.1@1.2.13||",
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("components (-want +got):\n%s", diff)
	}
	if bom.Subject == nil || bom.Subject.Version != "V5.1.2 build 230512" || bom.Subject.Supplier != "Example Cameras Ltd" || bom.Subject.Type != "device" {
		t.Errorf("subject %+v", bom.Subject)
	}
}

func TestDetect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want sbom.Format
		ok   bool
	}{
		{`{"bomFormat": "CycloneDX", "specVersion": "1.5"}`, sbom.CycloneDXJSON, true},
		{"\xef\xbb\xbf  {\"spdxVersion\": \"SPDX-2.3\"}", sbom.SPDXJSON, true},
		{`{"bomFormat": "CycloneDX", "components": [`, sbom.CycloneDXJSON, true},
		{`<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.4"/>`, sbom.CycloneDXXML, true},
		{"# comment\n\nSPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n", sbom.SPDXTagValue, true},
		{`{"vulnerabilities": []}`, "", false},
		{`<rdf:RDF xmlns:spdx="http://spdx.org/rdf/terms#"/>`, "", false},
		{"name,version\nfoo,1\n", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := sbom.Detect([]byte(tt.in))
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("Detect(%.30q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if !tt.ok && !errors.Is(err, sbom.ErrUnknownFormat) {
			t.Errorf("Detect(%.30q) error %v does not wrap ErrUnknownFormat", tt.in, err)
		}
	}
	if _, _, err := sbom.Parse(t.Context(), bytes.NewReader([]byte(`{"bomFormat": "CycloneDX", "components": 7}`)), "x"); err == nil {
		t.Error("broken CycloneDX accepted")
	}
}

func FuzzSBOM(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil && len(data) < 64<<10 {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		bom, rows, err := sbom.Parse(context.Background(), bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		for _, c := range bom.Components {
			if c.Name == "" {
				t.Errorf("component without name kept: %+v", c)
			}
		}
		for _, r := range rows {
			if r.Reason == "" {
				t.Errorf("row without reason: %+v", r)
			}
		}
	})
}
