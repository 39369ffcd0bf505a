// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package assess

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEvaluateConditions(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	base := Answers{Edition: EditionV3, Device: Device{Vendor: "Acme", Model: "Cam"}, Items: map[string]Answer{
		"5.1-1": {Status: Met},
		"5.1-2": {Status: Met},
		"5.1-5": {Status: NotMet},
	}}
	tests := []struct {
		name       string
		conditions map[string]bool
		findings   []Finding
		id         string
		want       Result
	}{
		{
			name: "condition_undeclared_applies", id: "5.1-2",
			want: Result{ID: "5.1-2", Section: "5.1", Kind: Mandatory, Status: Met, Source: FromMaker},
		},
		{
			name: "condition_true_applies", conditions: map[string]bool{"Fb": true}, id: "5.1-2",
			want: Result{ID: "5.1-2", Section: "5.1", Kind: Mandatory, Status: Met, Source: FromMaker},
		},
		{
			name: "condition_false_not_applicable_whatever_the_answer", conditions: map[string]bool{"Fb": false}, id: "5.1-2",
			want: Result{ID: "5.1-2", Section: "5.1", Kind: Mandatory, Status: NotApplicable, Source: FromCondition,
				Detail: "condition does not hold: Fb (pre-installed unique per-device passwords used)"},
		},
		{
			name: "one_of_two_conditions_false", conditions: map[string]bool{"C14": true, "Fe": false}, id: "5.1-5",
			want: Result{ID: "5.1-5", Section: "5.1", Kind: Mandatory, Status: NotApplicable, Source: FromCondition,
				Detail: "condition does not hold: Fe (authentication reachable via network interfaces)"},
		},
		{
			name: "unanswered", id: "5.2-1",
			want: Result{ID: "5.2-1", Section: "5.2", Kind: Mandatory, Status: Unanswered, Source: FromNone},
		},
		{
			name: "probe_contradicts_met", id: "5.1-1",
			findings: []Finding{{Provision: "5.1-1", Check: "telnet-default-credentials", Target: "192.0.2.7:23", Detail: "admin/admin accepted"}},
			want: Result{ID: "5.1-1", Section: "5.1", Kind: Mandatory, Status: NotMet, Source: FromProbe, Contradicted: true,
				Detail:   "probe: telnet-default-credentials on 192.0.2.7:23: admin/admin accepted",
				Findings: []Finding{{Provision: "5.1-1", Check: "telnet-default-credentials", Target: "192.0.2.7:23", Detail: "admin/admin accepted"}}},
		},
		{
			name: "probe_contradicts_condition", conditions: map[string]bool{"Fa": false}, id: "5.1-1",
			findings: []Finding{{Provision: "5.1-1", Check: "mqtt-default-credentials"}},
			want: Result{ID: "5.1-1", Section: "5.1", Kind: Mandatory, Status: NotMet, Source: FromProbe, Contradicted: true,
				Detail: "probe: mqtt-default-credentials", Findings: []Finding{{Provision: "5.1-1", Check: "mqtt-default-credentials"}}},
		},
		{
			name: "probe_confirms_not_met", id: "5.1-5",
			findings: []Finding{{Provision: "5.1-5", Check: "http-no-rate-limit"}},
			want: Result{ID: "5.1-5", Section: "5.1", Kind: Mandatory, Status: NotMet, Source: FromProbe,
				Detail: "probe: http-no-rate-limit", Findings: []Finding{{Provision: "5.1-5", Check: "http-no-rate-limit"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := base
			a.Conditions = tt.conditions
			ev := c.Evaluate(a, tt.findings)
			got, ok := ev.Result(tt.id)
			if !ok {
				t.Fatalf("no result for %s", tt.id)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateUnmappedFindings(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	fs := []Finding{{Provision: "5.3-4", Check: "x"}, {Provision: "9.9-9", Check: "y"}, {Provision: "5.6-1", Check: "telnet-open"}}
	ev := c.Evaluate(Answers{Edition: EditionV3}, fs)
	if diff := cmp.Diff(fs[:2], ev.Unmapped); diff != "" {
		t.Errorf("unmapped (-want +got):\n%s", diff)
	}
	if r, _ := ev.Result("5.6-1"); r.Status != NotMet {
		t.Errorf("5.6-1 = %s; want not_met", r.Status)
	}
}

func TestEvaluateTestdata(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	tests := []struct {
		file         string
		mand, rec    Tally
		notApplicble int
	}{
		{"answers-good.yaml", Tally{34, 34}, Tally{35, 38}, 6},
		{"answers-poor.yaml", Tally{23, 29}, Tally{5, 34}, 15},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			ev := c.Evaluate(loadFile(t, c, tt.file), nil)
			if len(ev.Results) != 78 || len(ev.Missing()) != 0 {
				t.Errorf("%d results, missing %v", len(ev.Results), ev.Missing())
			}
			m, r := ev.Totals()
			if m != tt.mand || r != tt.rec {
				t.Errorf("totals = %+v, %+v; want %+v, %+v", m, r, tt.mand, tt.rec)
			}
			// Section summaries add up to the totals.
			var sm, sr Tally
			na := 0
			for _, s := range c.SectionSummaries(ev) {
				sm.Met += s.Mandatory.Met
				sm.Total += s.Mandatory.Total
				sr.Met += s.Recommended.Met
				sr.Total += s.Recommended.Total
				na += s.NotApplicable
				if s.Title == "" {
					t.Errorf("section %s without title", s.Section)
				}
			}
			if sm != m || sr != r || na != tt.notApplicble {
				t.Errorf("sections sum to %+v, %+v, n/a %d", sm, sr, na)
			}
		})
	}
	// The good camera has no pre-installed passwords: 5.1-2 does not apply.
	ev := c.Evaluate(loadFile(t, c, "answers-good.yaml"), nil)
	if r, _ := ev.Result("5.1-2"); r.Status != NotApplicable || r.Source != FromCondition || !strings.Contains(r.Detail, "Fb") {
		t.Errorf("5.1-2 = %+v", r)
	}
}

func TestReport(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	poor := c.Evaluate(loadFile(t, c, "answers-poor.yaml"), nil)
	rep, err := c.Report(poor, "cra")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]RefStatus{}
	for _, r := range rep.Refs {
		got[r.Ref] = r.Status
	}
	want := map[string]RefStatus{
		"I.2a":  RefPartial, // 5.3-8 met, 5.2-3 (R) not
		"I.2d":  RefNotMet,  // 5.1-5 not met
		"II.5":  RefNotMet,  // 5.2-1 not met
		"I.2m":  RefPartial, // 5.11-1 met, 5.11-2 (R) not
		"I.2h":  RefMet,     // 5.9-1, 5.9-2 met
		"AII.7": RefNotMet,  // 5.3-13 not met
		"I.2g":  RefPartial, // 6-6 met; 6-4, 6-8 not; 6-7 n/a
	}
	for ref, w := range want {
		if got[ref] != w {
			t.Errorf("cra %s = %q; want %q", ref, got[ref], w)
		}
	}
	sum := 0
	for _, n := range rep.Counts {
		sum += n
	}
	if sum != len(rep.Refs) || rep.Title == "" || rep.Device.Vendor != "Voltaro" {
		t.Errorf("counts %v over %d refs; title %q", rep.Counts, len(rep.Refs), rep.Title)
	}
	psti, err := c.Report(c.Evaluate(loadFile(t, c, "answers-good.yaml"), nil), "uk_psti")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range psti.Refs {
		if r.Status != RefMet {
			t.Errorf("good device psti %s = %s; want met", r.Ref, r.Status)
		}
	}
	if _, err := c.Report(poor, "nope"); err == nil {
		t.Error("Report(nope) succeeded")
	}
}

func TestRefStatus(t *testing.T) {
	t.Parallel()
	m := func(s Status) Result { return Result{Kind: Mandatory, Status: s} }
	r := func(s Status) Result { return Result{Kind: Recommended, Status: s} }
	tests := []struct {
		in   []Result
		want RefStatus
	}{
		{[]Result{m(Met), r(Met)}, RefMet},
		{[]Result{m(NotApplicable), r(NotApplicable)}, RefNotApplicable},
		{[]Result{m(Met), r(NotMet)}, RefPartial},
		{[]Result{m(Met), r(Unanswered)}, RefIncomplete},
		{[]Result{m(NotMet), r(Met)}, RefNotMet},
		{[]Result{m(Unanswered), r(Met)}, RefNotMet},
		{[]Result{m(NotApplicable), r(Met)}, RefMet},
	}
	for i, tt := range tests {
		if got := refStatus(tt.in); got != tt.want {
			t.Errorf("%d: refStatus = %s; want %s", i, got, tt.want)
		}
	}
}
