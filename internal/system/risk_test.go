// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package system

import (
	"os"
	"strings"
	"testing"
)

func TestLevelOf(t *testing.T) {
	for _, tc := range []struct {
		l, i int
		want Level
	}{
		{1, 1, Low}, {1, 7, Low}, {2, 3, Low}, {7, 1, Low},
		{2, 4, Medium}, {4, 2, Medium}, {3, 3, Medium}, {2, 5, Medium}, {3, 4, Medium}, {7, 2, Medium},
		{3, 5, High}, {5, 3, High}, {4, 4, High}, {5, 5, High},
	} {
		s := Score{tc.l, tc.i}
		if got := s.Level(); got != tc.want {
			t.Errorf("%d×%d = %d: level %s; want %s", tc.l, tc.i, s.Value(), got, tc.want)
		}
	}
}

// TestLayeredDefence: a high inherent risk needs mitigations on at least
// two layers before a lower residual risk is credited; lower risks need
// one.
func TestLayeredDefence(t *testing.T) {
	m := func(layers ...string) []Mitigation {
		var out []Mitigation
		for _, l := range layers {
			out = append(out, Mitigation{Control: "c", Layer: l, Provision: "5.1-1"})
		}
		return out
	}
	low := &Score{1, 4}
	for _, tc := range []struct {
		name        string
		inherent    Score
		mits        []Mitigation
		claimed     *Score
		independent int
		layered     bool
		residual    Score
		unmitigated bool
	}{
		{"high_two_layers", Score{4, 4}, m("authentication", "network"), low, 2, true, Score{1, 4}, false},
		{"high_three_layers", Score{5, 5}, m("authentication", "network", "monitoring"), low, 3, true, Score{1, 4}, false},
		{"high_one_layer", Score{4, 4}, m("authentication"), low, 1, false, Score{4, 4}, true},
		{"high_two_of_one_layer", Score{3, 5}, m("cryptography", "cryptography"), low, 1, false, Score{3, 5}, true},
		{"high_none", Score{3, 5}, nil, nil, 0, false, Score{3, 5}, true},
		{"high_two_layers_no_claim", Score{3, 5}, m("cryptography", "update"), nil, 2, true, Score{3, 5}, true},
		{"high_claim_still_high", Score{5, 5}, m("cryptography", "update"), &Score{4, 4}, 2, true, Score{4, 4}, true},
		{"medium_one_layer", Score{3, 4}, m("network"), &Score{1, 4}, 1, true, Score{1, 4}, false},
		{"medium_none", Score{3, 4}, nil, nil, 0, true, Score{3, 4}, false},
		{"boundary_14_one_layer", Score{2, 7}, m("network"), &Score{1, 2}, 1, true, Score{1, 2}, false},
		{"boundary_15_one_layer", Score{3, 5}, m("network"), &Score{1, 2}, 1, false, Score{3, 5}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Risk{Inherent: tc.inherent, Mitigations: tc.mits}
			r.Evaluate(tc.claimed)
			if r.Independent != tc.independent || r.LayeredDefence != tc.layered || r.Residual != tc.residual || r.Unmitigated() != tc.unmitigated {
				t.Errorf("got independent %d, layered %v, residual %v, unmitigated %v; want %d, %v, %v, %v",
					r.Independent, r.LayeredDefence, r.Residual, r.Unmitigated(), tc.independent, tc.layered, tc.residual, tc.unmitigated)
			}
		})
	}
}

func cameraRegister(t *testing.T) Register {
	t.Helper()
	m, bad := parseFile(t, "camera.yaml")
	if len(bad) > 0 {
		t.Fatal(bad)
	}
	f, err := os.Open("testdata/camera-risks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, bad := BuildRegister(m, 1, f, "camera-risks.yaml", func(p string) bool { return strings.HasPrefix(p, "5.") })
	if len(bad) > 0 {
		t.Fatal(bad)
	}
	return g
}

func TestBuildRegister(t *testing.T) {
	g := cameraRegister(t)
	want := 0
	for _, k := range Kinds() {
		want += len(ThreatsFor(k))
	}
	if len(g.Risks) != want {
		t.Errorf("%d risks; want %d (every catalogue threat of every component)", len(g.Risks), want)
	}
	byID := map[string]Risk{}
	for _, r := range g.Risks {
		byID[r.ID] = r
	}
	if r := byID["web/default-credentials"]; !r.Assessed || r.Residual != (Score{1, 4}) || !r.LayeredDefence || r.Unmitigated() {
		t.Errorf("web/default-credentials = %+v; want credited to 1×4", r)
	}
	if r := byID["fw/shared-keys"]; r.Independent != 1 || r.LayeredDefence || r.Residual != (Score{3, 5}) || !r.Unmitigated() {
		t.Errorf("fw/shared-keys = %+v; want one layer, not credited, high", r)
	}
	if r := byID["api/cloud-fleet-control"]; !r.Assessed || r.Residual != (Score{3, 5}) || !r.Unmitigated() {
		t.Errorf("api/cloud-fleet-control = %+v; want assessed high without mitigation", r)
	}
	if r := byID["fw/default-credentials"]; r.Assessed || r.Residual != (Score{4, 4}) {
		t.Errorf("fw/default-credentials = %+v; want the catalogue default 4×4", r)
	}
	var ids []string
	for _, r := range g.Unmitigated() {
		ids = append(ids, r.ID)
	}
	if got := strings.Join(ids, " "); got != "fw/default-credentials fw/shared-keys mqtt/shared-keys api/cloud-fleet-control" {
		t.Errorf("unmitigated = %s", got)
	}
	hm, n := g.HeatMap(), 0
	for _, row := range hm {
		for _, c := range row {
			n += c
		}
	}
	if n != len(g.Risks) || hm[0][3] != 2 || hm[2][4] != 3 {
		t.Errorf("heat map %v: %d risks, cells 1×4 = %d (want 2), 3×5 = %d (want 3)", hm, n, hm[0][3], hm[2][4])
	}
}

func TestBuildRegisterErrors(t *testing.T) {
	m, _ := parseFile(t, "camera.yaml")
	in := `format: vigil-risks/1
product: {vendor: Acme, model: Cam 2}
risks:
  - {component: nope, threat: injection, likelihood: 3, impact: 3}
  - {component: db, threat: debug-port, likelihood: 3, impact: 3}
  - {component: web, threat: injection, likelihood: 6, impact: 3}
  - component: app
    threat: injection
    likelihood: 3
    impact: 3
    mitigations: [{control: input validation, layer: design}]
  - {component: api, threat: injection, likelihood: 2, impact: 2, residual: {likelihood: 3, impact: 2}}
  - component: api
    threat: account-takeover
    likelihood: 3
    impact: 4
    mitigations: [{control: MFA, layer: authentication, provision: "9.9-9"}]
`
	_, bad := BuildRegister(m, 1, strings.NewReader(in), "r.yaml", func(p string) bool { return strings.HasPrefix(p, "5.") })
	got := make([]string, len(bad))
	for i, b := range bad {
		got[i] = b.Error()
	}
	want := []string{
		`r.yaml:4: risks[0].component: no component "nope" in the system model`,
		`r.yaml:5: risks[1].threat: threat "debug-port" does not apply to a database component`,
		`r.yaml:6: risks[2].likelihood: 6 is not on the 1–5 scale`,
		`r.yaml:11: risks[3].mitigations[0]: a mitigation is linked to an EN 303 645 provision or to evidence`,
		`r.yaml:12: risks[4].residual: residual 3×2 exceeds the inherent 2×2`,
		`r.yaml:17: risks[5].mitigations[0].provision: unknown EN 303 645 provision "9.9-9"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
