// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package rating_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"vigil/internal/assess"
	"vigil/internal/label"
	"vigil/internal/rating"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/system"
)

func TestRateSystem(t *testing.T) {
	risks := func(n int) system.Facts {
		f := system.Facts{RegisterVersion: 2}
		for i := range n {
			f.Unmitigated = append(f.Unmitigated, system.RiskRef{ID: "c/t" + string(rune('a'+i)), Residual: system.Score{Likelihood: 3, Impact: 5}})
		}
		return f
	}
	for _, tc := range []struct {
		name   string
		grade  assess.Grade
		facts  system.Facts
		want   assess.Grade
		effect string
	}{
		{"no_facts", assess.GradeA, system.Facts{}, assess.GradeA, ""},
		{"one_risk", assess.GradeA, risks(1), assess.GradeC, "cap C"},
		{"two_risks", assess.GradeB, risks(2), assess.GradeC, "cap C"},
		{"three_risks", assess.GradeA, risks(3), assess.GradeE, "cap E"},
		{"already_lower", assess.GradeD, risks(1), assess.GradeD, ""},
		{"already_lower_many", assess.GradeF, risks(4), assess.GradeF, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := rating.RateSystem(assess.Score{Rule: assess.RuleVersion, Grade: tc.grade, Base: tc.grade}, tc.facts)
			effect := ""
			for _, r := range got.Reasons {
				if r.Rule == "risk" {
					effect = r.Effect
					if !strings.Contains(r.Detail, "c/ta (3×5)") || !strings.Contains(r.Detail, "version 2") {
						t.Errorf("detail %q does not list the risks", r.Detail)
					}
				}
			}
			if got.Grade != tc.want || effect != tc.effect || got.Rule != rating.RuleVersion {
				t.Errorf("grade %s, effect %q, rule %s; want %s, %q, %s", got.Grade, effect, got.Rule, tc.want, tc.effect, rating.RuleVersion)
			}
		})
	}
	if !strings.HasPrefix(rating.Rules(), "# Grading rule vigil-grade/2") || !strings.Contains(rating.Rules(), "| risk | ≥ 3 unmitigated high residual risks | E |") {
		t.Errorf("rules text:\n%s", rating.Rules())
	}
}

// TestRateSystemFleetKeys: a shared key is named by the start of its
// fingerprint, cut on a rune boundary (a feed's fingerprint is any text:
// a cut inside a UTF-8 sequence made the reason text no database takes).
func TestRateSystemFleetKeys(t *testing.T) {
	for _, tc := range []struct {
		name, fingerprint, want string
	}{
		{"sha256", "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", "certificate a1a1a1a1a1a1… in 3 networks"},
		{"short", "ab12", "certificate ab12 in 3 networks"},
		{"twelve", "0123456789ab", "certificate 0123456789ab in 3 networks"},
		{"multibyte_at_cut", "aaaaaaaaaaa€€€", "certificate aaaaaaaaaaa… in 3 networks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			facts := system.Facts{Fleet: &system.FleetEvidence{SharedKeys: []system.KeySummary{{Fingerprint: tc.fingerprint, Kind: "certificate", Networks: 3}}}}
			got := rating.RateSystem(assess.Score{Rule: assess.RuleVersion, Grade: assess.GradeA, Base: assess.GradeA}, facts)
			if len(got.Reasons) != 1 || !strings.HasSuffix(got.Reasons[0].Detail, ": "+tc.want) || !utf8.ValidString(got.Reasons[0].Detail) {
				t.Fatalf("reasons %+v; want one ending in %q", got.Reasons, tc.want)
			}
		})
	}
}

const lumenModel = `format: vigil-system/1
product: {vendor: Lumen Labs, model: LumiCam Indoor 2}
components:
  - {id: web, kind: local-service, name: Local web interface}
  - {id: app, kind: app, name: Lumen app}
`

const lumenRisks = `format: vigil-risks/1
product: {vendor: Lumen Labs, model: LumiCam Indoor 2}
risks:
  - component: web
    threat: default-credentials
    likelihood: 4
    impact: 4
    mitigations:
      - {control: unique per-unit password, layer: authentication, provision: "5.1-1"}
      - {control: login back-off, layer: network, provision: "5.1-5"}
    residual: {likelihood: 1, impact: 4}
`

// TestSystemRegrade: a labelled device whose product gets a risk register
// with an unmitigated high residual risk is regraded under vigil-grade/2
// with the risk named, on the new label and on its registry page; the
// mitigation brings the grade back, explained; and a label signed under
// vigil-grade/1 keeps verifying.
func TestSystemRegrade(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
		f := setup(t, s, c)
		keys, err := label.OpenKeyStore(filepath.Join(t.TempDir(), "keys"), c.now, nil)
		if err != nil {
			t.Fatal(err)
		}
		if f.svc, err = rating.New(rating.Config{Store: s, System: s, Keys: keys, Now: c.now, BaseURL: "https://labels.cert.example"}); err != nil {
			t.Fatal(err)
		}
		_, is := f.labelled(t)
		if is.Label.Grade != assess.GradeA || is.Label.Rule != rating.RuleVersion {
			t.Fatalf("issued %s under %s; want A under %s", is.Label.Grade, is.Label.Rule, rating.RuleVersion)
		}

		m, bad := system.ParseModel(strings.NewReader(lumenModel), "lumen.yaml")
		if len(bad) > 0 {
			t.Fatal(bad)
		}
		md, err := system.Save(ctx, s, system.DocModel, m.Product, m, "analyst")
		if err != nil {
			t.Fatal(err)
		}
		register := func(in string) {
			g, bad := system.BuildRegister(m, md.Version, strings.NewReader(in), "risks.yaml", nil)
			if len(bad) > 0 {
				t.Fatal(bad)
			}
			if _, err := system.Save(ctx, s, system.DocRisks, m.Product, g, "analyst"); err != nil {
				t.Fatal(err)
			}
		}
		// Nothing assessed: web/default-credentials keeps 4×4.
		register("format: vigil-risks/1\nproduct: {vendor: Lumen Labs, model: LumiCam Indoor 2}\nrisks: []\n")
		res, err := f.svc.Regrade(ctx, nil, "risk register 1")
		if err != nil || len(res.Changes) != 1 {
			t.Fatalf("regrade: %+v, %v", res, err)
		}
		ch := res.Changes[0]
		if ch.NewGrade != assess.GradeC || !ch.Downgrade || !strings.Contains(ch.Why, "risk (cap C): 1 unmitigated high residual risk(s) in the risk register (version 1): web/default-credentials (4×4)") {
			t.Errorf("downgrade = %+v", ch)
		}
		rs, err := f.svc.Registry(ctx, ch.NewLabel)
		if err != nil || rs.System == nil || len(rs.System.Unmitigated) != 1 || rs.System.Unmitigated[0].ID != "web/default-credentials" {
			t.Errorf("registry of %s: %+v, %v; want the unmitigated risk listed", ch.NewLabel, rs.System, err)
		}
		_, nl, err := f.svc.Signed(ctx, ch.NewLabel)
		if err != nil || nl.Rule != rating.RuleVersion || len(nl.Reasons) == 0 || !strings.Contains(nl.Reasons[len(nl.Reasons)-1].Detail, "web/default-credentials") {
			t.Errorf("new label %+v, %v; want the risk among its reasons", nl.Reasons, err)
		}

		// Mitigated on two layers: back to A, explained.
		c.t = c.t.Add(time.Hour)
		register(lumenRisks)
		res, err = f.svc.Regrade(ctx, nil, "")
		if err != nil || len(res.Changes) != 1 || res.Changes[0].NewGrade != assess.GradeA || res.Changes[0].Why != "risk (cap C) no longer applies" {
			t.Fatalf("upgrade: %+v, %v", res, err)
		}

		// A label signed under vigil-grade/1 stays valid as issued.
		ev := assess.Evaluation{Device: assess.Device{Vendor: "Lumen Labs", Model: "LumiCam Indoor 2"}, Edition: assess.EditionV3,
			Support: assess.Support{End: "2031-12-31"}}
		old, err := label.New(label.Params{ID: "VL-0000-0000-0001", Catalogue: f.svc.Catalogue(), Eval: ev,
			Score: assess.Rate(assess.NewScoreInput(ev, nil, c.t)), Issuer: "test", Issued: c.t, BaseURL: "https://labels.cert.example"})
		if err != nil {
			t.Fatal(err)
		}
		signer, err := keys.Signer()
		if err != nil {
			t.Fatal(err)
		}
		doc, err := signer.Sign(old)
		if err != nil {
			t.Fatal(err)
		}
		kr, err := keys.Keyring()
		if err != nil {
			t.Fatal(err)
		}
		var got label.Label
		_ = json.Unmarshal(doc, &got)
		if v := rating.Check(doc, kr, c.t, nil); !v.OK() || got.Rule != assess.RuleVersion {
			t.Errorf("a %s label: %+v; want valid", got.Rule, v)
		}
	})
}

const lumenRisksPentest = `format: vigil-risks/1
product: {vendor: Lumen Labs, model: LumiCam Indoor 2}
risks:
  - component: web
    threat: default-credentials
    likelihood: 4
    impact: 4
    mitigations:
      - {control: unique per-unit password, layer: authentication, provision: "5.1-1"}
      - {control: lockout verified by the lab, layer: network, evidence: "pentest:LAB-3"}
    residual: {likelihood: 1, impact: 4}
`

const lumenPentest = `format: vigil-tests/1
product: {vendor: Lumen Labs, model: LumiCam Indoor 2}
kind: pentest
lab: Example Lab
date: 2026-01-10
items:
  - {id: LAB-3, title: login lockout after 5 attempts, provision: "5.1-5", result: pass}
  - {id: LAB-4, title: debug port open, provision: "5.6-4", result: fail}
`

// TestRetestDue: a mitigation that rests on a penetration test counts for
// 12 months; after that the registry says a re-test is due and the next
// grade, issued as a new label, no longer credits it.
func TestRetestDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
		f := setup(t, s, c)
		keys, err := label.OpenKeyStore(filepath.Join(t.TempDir(), "keys"), c.now, nil)
		if err != nil {
			t.Fatal(err)
		}
		if f.svc, err = rating.New(rating.Config{Store: s, System: s, Keys: keys, Now: c.now}); err != nil {
			t.Fatal(err)
		}
		m, _ := system.ParseModel(strings.NewReader(lumenModel), "lumen.yaml")
		if _, err := system.Save(ctx, s, system.DocModel, m.Product, m, "analyst"); err != nil {
			t.Fatal(err)
		}
		g, bad := system.BuildRegister(m, 1, strings.NewReader(lumenRisksPentest), "risks.yaml", nil)
		if len(bad) > 0 {
			t.Fatal(bad)
		}
		if _, err := system.Save(ctx, s, system.DocRisks, m.Product, g, "analyst"); err != nil {
			t.Fatal(err)
		}
		rep, bad := system.ParseTestReport(strings.NewReader(lumenPentest), "pentest.yaml", nil)
		if len(bad) > 0 {
			t.Fatal(bad)
		}
		if _, err := system.Save(ctx, s, system.DocTests, m.Product, rep, "analyst"); err != nil {
			t.Fatal(err)
		}
		_, is := f.labelled(t)
		rs, err := f.svc.Registry(ctx, is.Label.ID)
		if is.Label.Grade != assess.GradeA || err != nil || rs.System.RetestDue || rs.System.Test == nil || rs.System.Test.Passed != 1 {
			t.Fatalf("with a current pentest: grade %s, %+v, %v", is.Label.Grade, rs.System, err)
		}
		// One day short of 12 months: still counts.
		c.t = time.Date(2027, 1, 9, 10, 0, 0, 0, time.UTC)
		if res, err := f.svc.Regrade(ctx, nil, ""); err != nil || len(res.Changes) != 0 {
			t.Fatalf("before expiry: %+v, %v", res, err)
		}
		c.t = time.Date(2027, 1, 10, 10, 0, 0, 0, time.UTC)
		res, err := f.svc.Regrade(ctx, nil, "")
		if err != nil || len(res.Changes) != 1 || res.Changes[0].NewGrade != assess.GradeC || res.Changes[0].NewLabel == is.Label.ID ||
			!strings.Contains(res.Changes[0].Why, "web/default-credentials (4×4)") {
			t.Fatalf("after expiry: %+v, %v; want a new label with grade C", res, err)
		}
		rs, err = f.svc.Registry(ctx, res.Changes[0].NewLabel)
		if err != nil || !rs.System.RetestDue || len(rs.System.Uncredited) != 1 || rs.System.Uncredited[0] != "web/default-credentials: lockout verified by the lab" {
			t.Errorf("registry after expiry: %+v, %v; want a re-test due and the mitigation uncredited", rs.System, err)
		}
	})
}
