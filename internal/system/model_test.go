// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package system

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/errs"
)

func parseFile(t *testing.T, name string) (Model, []errs.RowError) {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return ParseModel(f, name)
}

func TestParseModel(t *testing.T) {
	m, bad := parseFile(t, "camera.yaml")
	if len(bad) > 0 {
		t.Fatalf("camera.yaml: %v", bad)
	}
	if m.Product.Key() != "acme\tcam 2" || len(m.Components) != 7 || len(m.Flows) != 4 {
		t.Errorf("model = %+v", m)
	}
	kinds := map[Kind]bool{}
	for _, c := range m.Components {
		kinds[c.Kind] = true
	}
	if len(kinds) != len(Kinds()) {
		t.Errorf("kinds %v; want every kind once", kinds)
	}
	if c, ok := m.Component("web"); !ok || c.Interfaces[0].Exposure != "local" {
		t.Errorf("Component(web) = %+v, %v", c, ok)
	}
	if err := m.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

// TestParseModelErrors: every problem comes back with the file, the line,
// the field path and the reason.
func TestParseModelErrors(t *testing.T) {
	_, bad := parseFile(t, "bad.yaml")
	got := make([]string, len(bad))
	for i, r := range bad {
		got[i] = r.Error()
	}
	want := []string{
		"bad.yaml:2: product.model: required",
		"bad.yaml:7: components[1].id: duplicate component id \"board\"",
		"bad.yaml:8: components[1].kind: unknown kind \"toaster\" (want one of hardware, firmware, local-service, device-cloud, cloud-api, database, app)",
		"bad.yaml:11: components[1].interfaces[0].exposure: unknown exposure \"everywhere\" (want one of physical, local, internet)",
		"bad.yaml:11: components[1].interfaces[0].port: 70000 is not a port (0–65535)",
		"bad.yaml:13: flows[0].to: no component with id \"cloud\"",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("errors (-want +got):\n%s", d)
	}
	for _, tc := range []struct{ name, in, want string }{
		{"unknown_key", "format: vigil-system/1\nproduct: {vendor: A, model: B}\ncolour: red\n", "x.yaml:3: field colour not found in type system.Model"},
		{"not_yaml", "format: [\n", "x.yaml:1: did not find expected node content"},
		{"empty", "", "x.yaml: empty file"},
		{"wrong_format", "format: vigil-system/9\nproduct: {vendor: A, model: B}\ncomponents: [{id: a, kind: app, name: App}]\n", `x.yaml:1: format: want "vigil-system/1"`},
		{"json", `{"format": "vigil-system/1", "product": {"vendor": "A", "model": "B"}, "components": [{"id": "a", "kind": "app", "name": "App"}]}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, bad := ParseModel(strings.NewReader(tc.in), "x.yaml")
			switch {
			case tc.want == "" && len(bad) > 0:
				t.Errorf("errors %v; want none", bad)
			case tc.want != "" && (len(bad) == 0 || !strings.HasPrefix(bad[0].Error(), tc.want)):
				t.Errorf("errors %v; want one starting %q", bad, tc.want)
			}
		})
	}
}
