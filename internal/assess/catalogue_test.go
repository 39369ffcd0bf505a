// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package assess

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/errs"
)

func mustLoad(tb testing.TB) *Catalogue {
	tb.Helper()
	c, err := Load()
	if err != nil {
		tb.Fatalf("Load: %v", err)
	}
	return c
}

func TestLoadCounts(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	// meta.editions says V2.1.1 has 68 provisions; V3.1.3 drops the 6 split
	// ones (5.3-4, 5.3-6, 5.3-15, 5.6-4, 5.13-1, 6-3), gains 12 split parts
	// and 5.1-2A, 6-6, 6-7, 6-8.
	for _, tt := range []struct {
		ed   Edition
		want int
	}{{"", 84}, {EditionV2, 68}, {EditionV3, 68 - 6 + 12 + 4}} {
		if got := len(c.Provisions(tt.ed)); got != tt.want {
			t.Errorf("len(Provisions(%q)) = %d; want %d", tt.ed, got, tt.want)
		}
	}
	if len(c.Sections()) != 15 {
		t.Errorf("sections = %d; want 15", len(c.Sections()))
	}
	if !strings.HasPrefix(c.Version, catalogueDate+"+") || len(c.Version) != len(catalogueDate)+9 {
		t.Errorf("Version = %q", c.Version)
	}
}

func TestProvisions(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	tests := []struct {
		id     string
		ed     Edition
		want   Requirement
		absent bool
	}{
		{id: "5.0-1", ed: EditionV3, want: Requirement{Kind: Mandatory, Raw: "M"}},
		{id: "5.1-1", ed: EditionV2, want: Requirement{Kind: Mandatory, Conditions: []string{"C1"}, Raw: "M C (1)"}},
		{id: "5.1-1", ed: EditionV3, want: Requirement{Kind: Mandatory, Conditions: []string{"Fa"}, Raw: "M F (a)"}},
		{id: "5.1-5", ed: EditionV3, want: Requirement{Kind: Mandatory, Conditions: []string{"C14", "Fe"}, Raw: "M C (14) F (e)"}},
		{id: "5.3-6", ed: EditionV2, want: Requirement{Kind: Recommended, Conditions: []string{"C9", "C12"}, Raw: "R C (9, 12)"}},
		{id: "5.3-10", ed: EditionV2, want: Requirement{Kind: Mandatory, Conditions: []string{"C11", "C12"}, Raw: "M C (11, 12)"}},
		{id: "6-7", ed: EditionV3, want: Requirement{Kind: Recommended, Conditions: []string{"Faa"}, Raw: "R F (aa)"}},
		{id: "5.3-6", ed: EditionV3, absent: true},
		{id: "6-6", ed: EditionV2, absent: true},
	}
	for _, tt := range tests {
		t.Run(tt.id+"_"+string(tt.ed), func(t *testing.T) {
			p, ok := c.Provision(tt.id)
			if !ok {
				t.Fatalf("Provision(%q) not found", tt.id)
			}
			got, ok := p.In(tt.ed)
			if ok == tt.absent {
				t.Fatalf("In(%s) ok = %v; want %v", tt.ed, ok, !tt.absent)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("requirement (-want +got):\n%s", diff)
			}
		})
	}
	p, _ := c.Provision("5.1-1")
	wantMap := map[Framework][]string{UKCoP: {"1"}, UKPSTI: {"psti.1"}, ENISA: {"GP-TM-09", "GP-TM-22"}, NIST8259A: {"logical_access"}, CRA: {"I.2b", "I.2d"}}
	if diff := cmp.Diff(wantMap, p.Map); diff != "" {
		t.Errorf("5.1-1 map (-want +got):\n%s", diff)
	}
	if !p.FILabel || p.Test != "probe-partial" || p.Section != "5.1" {
		t.Errorf("5.1-1 = %+v", p)
	}
	// The fourth check of 5.5-1 is a plain "key: value" line that YAML reads
	// as a mapping; it must come back as text.
	p, _ = c.Provision("5.5-1")
	if len(p.Checks) != 4 || p.Checks[3] != "outbound: MITM with untrusted CA; device must not accept" {
		t.Errorf("5.5-1 checks = %q", p.Checks)
	}
	if _, ok := c.Provision("5.99-1"); ok {
		t.Error("Provision(5.99-1) found")
	}
	if txt, ok := c.Condition("Fb"); !ok || txt != "pre-installed unique per-device passwords used" {
		t.Errorf("Condition(Fb) = %q, %v", txt, ok)
	}
	if got, want := c.Conditions(EditionV3)[:6], []string{"C3", "C12", "C14", "C15", "C16", "Fa"}; !cmp.Equal(got, want) {
		t.Errorf("Conditions(v3)[:6] = %v; want %v", got, want)
	}
	if got := c.Conditions(EditionV3); got[len(got)-1] != "Faa" {
		t.Errorf("last v3 condition = %s; want Faa", got[len(got)-1])
	}
}

func TestParseStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Requirement
		wantErr bool
	}{
		{in: "M", want: Requirement{Kind: Mandatory, Raw: "M"}},
		{in: "R", want: Requirement{Kind: Recommended, Raw: "R"}},
		{in: "R C (3, 4)", want: Requirement{Kind: Recommended, Conditions: []string{"C3", "C4"}, Raw: "R C (3, 4)"}},
		{in: "M C (14) F (e)", want: Requirement{Kind: Mandatory, Conditions: []string{"C14", "Fe"}, Raw: "M C (14) F (e)"}},
		{in: "M (11, 12)", wantErr: true},
		{in: "X", wantErr: true},
		{in: "M C ()", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		got, err := parseStatus(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("parseStatus(%q) err = %v; wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got); !tt.wantErr && diff != "" {
			t.Errorf("parseStatus(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseCatalogueRefusesBadData(t *testing.T) {
	t.Parallel()
	edits := []struct {
		name, old, new string
	}{
		{"duplicate_id", `id: "5.1-2"`, `id: "5.1-1"`},
		{"unknown_section", "section: \"5.1\"\n    versions: [v2, v3]\n    kind: M\n    status_v2: \"M C (1)\"", "section: \"5.99\"\n    versions: [v2, v3]\n    kind: M\n    status_v2: \"M C (1)\""},
		{"unknown_condition", `status_v3: "M F (a)"`, `status_v3: "M F (zz)"`},
		{"kind_mismatch", "kind: M\n    status_v2: \"M C (1)\"", "kind: R\n    status_v2: \"M C (1)\""},
		{"status_without_version", "versions: [v3]\n    kind: R\n    status_v2: null\n    status_v3: \"R\"\n    summary: Machine", "versions: [v2]\n    kind: R\n    status_v2: null\n    status_v3: \"R\"\n    summary: Machine"},
		{"unknown_field", "fi_label: true", "fi_lable: true"},
		{"unknown_framework", "nist_8259b: null, cra: [I.2b, I.2d]}", "nist_8259b: null, cra: [I.2b, I.2d], foo: 1}"},
	}
	for _, e := range edits {
		t.Run(e.name, func(t *testing.T) {
			if !bytes.Contains(catalogueYAML, []byte(e.old)) {
				t.Fatalf("test edit does not apply: %q", e.old)
			}
			bad := bytes.Replace(catalogueYAML, []byte(e.old), []byte(e.new), 1)
			if _, err := parseCatalogue(bad, frameworksYAML); err == nil {
				t.Errorf("parseCatalogue accepted %s", e.name)
			}
		})
	}
}

func TestVersionFollowsContent(t *testing.T) {
	t.Parallel()
	a, err := parseCatalogue(catalogueYAML, frameworksYAML)
	if err != nil {
		t.Fatal(err)
	}
	b, err := parseCatalogue(append(bytes.Clone(catalogueYAML), "\n# edited\n"...), frameworksYAML)
	if err != nil {
		t.Fatal(err)
	}
	if a.Version == b.Version {
		t.Errorf("Version did not change with content: %s", a.Version)
	}
}

func TestByFramework(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	refs := func(fw string) map[string][]string {
		info, err := c.ByFramework(fw)
		if err != nil {
			t.Fatalf("ByFramework(%s): %v", fw, err)
		}
		m := map[string][]string{}
		for _, r := range info.Refs {
			if r.Title == "" && fw != "enisa" {
				t.Errorf("%s %s has no title", fw, r.Ref)
			}
			m[r.Ref] = r.Provisions
		}
		return m
	}
	psti := refs("uk_psti")
	if diff := cmp.Diff(map[string][]string{
		"psti.1": {"5.1-1", "5.1-2"}, "psti.2": {"5.2-1"}, "psti.3": {"5.3-13"},
	}, psti); diff != "" {
		t.Errorf("uk_psti (-want +got):\n%s", diff)
	}
	cra := refs("cra")
	if got, want := cra["I.2a"], []string{"5.2-3", "5.3-8"}; !cmp.Equal(got, want) {
		t.Errorf("cra I.2a = %v; want %v", got, want)
	}
	if got, want := cra["Art.13(8)"], []string{"5.3-13"}; !cmp.Equal(got, want) {
		t.Errorf("cra Art.13(8) = %v; want %v", got, want)
	}
	if _, ok := cra["II.4"]; ok {
		t.Error("cra II.4 has no provision and must be left out")
	}
	if got := len(refs("uk_cop")); got != 13 {
		t.Errorf("uk_cop refs = %d; want 13", got)
	}
	if got := len(refs("nist_8259a")); got != 6 {
		t.Errorf("nist_8259a refs = %d; want 6", got)
	}
	if got := refs("enisa")["GP-TM-09"]; !cmp.Equal(got, []string{"5.1-1", "5.1-2"}) {
		t.Errorf("enisa GP-TM-09 = %v", got)
	}
	// Every provision's every mapping shows up under its framework.
	n := 0
	for _, p := range c.Provisions("") {
		for fw, rs := range p.Map {
			for _, r := range rs {
				n++
				info, _ := c.ByFramework(string(fw))
				found := false
				for _, ref := range info.Refs {
					if ref.Ref == r {
						found = true
					}
				}
				if !found {
					t.Errorf("%s → %s %s missing from ByFramework", p.ID, fw, r)
				}
			}
		}
	}
	if n < 300 {
		t.Errorf("only %d mappings checked", n)
	}
	_, err := c.ByFramework("gdpr")
	if !errors.Is(err, errs.ErrNotFound) || !strings.Contains(err.Error(), "cra") {
		t.Errorf("ByFramework(gdpr) err = %v; want not found listing known", err)
	}
}

func TestWriteYAML(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteYAML(&b); err != nil || !bytes.Equal(b.Bytes(), catalogueYAML) {
		t.Errorf("WriteYAML wrote %d bytes, err %v", b.Len(), err)
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}
