// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package assess

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// perfect is an input that grades A; each case changes one thing.
func perfect() ScoreInput {
	return ScoreInput{Mandatory: Tally{100, 100}, Recommended: Tally{100, 100}, SupportEnd: now.AddDate(5, 0, 0), Now: now}
}

func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", prefix, i+1)
	}
	return out
}

func TestRateBoundaries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*ScoreInput)
		want Grade
	}{
		{"perfect", func(*ScoreInput) {}, GradeA},
		// recommended: A at >= 80 %, B at >= 50 %, else C (all mandatory met).
		{"rec_80_pct_A", func(in *ScoreInput) { in.Recommended = Tally{80, 100} }, GradeA},
		{"rec_79_pct_B", func(in *ScoreInput) { in.Recommended = Tally{79, 100} }, GradeB},
		{"rec_4_of_5_A", func(in *ScoreInput) { in.Recommended = Tally{4, 5} }, GradeA},
		{"rec_50_pct_B", func(in *ScoreInput) { in.Recommended = Tally{50, 100} }, GradeB},
		{"rec_49_pct_C", func(in *ScoreInput) { in.Recommended = Tally{49, 100} }, GradeC},
		{"rec_none_C", func(in *ScoreInput) { in.Recommended = Tally{0, 38} }, GradeC},
		{"rec_none_applicable_A", func(in *ScoreInput) { in.Recommended = Tally{0, 0} }, GradeA},
		// mandatory: all → A..C; >= 90 % D; >= 75 % E; >= 50 % F; else G.
		{"mand_all_A", func(in *ScoreInput) { in.Mandatory = Tally{34, 34} }, GradeA},
		{"mand_none_applicable_A", func(in *ScoreInput) { in.Mandatory = Tally{0, 0} }, GradeA},
		{"mand_99_pct_D", func(in *ScoreInput) { in.Mandatory = Tally{99, 100} }, GradeD},
		{"mand_90_pct_D", func(in *ScoreInput) { in.Mandatory = Tally{90, 100} }, GradeD},
		{"mand_89_pct_E", func(in *ScoreInput) { in.Mandatory = Tally{89, 100} }, GradeE},
		{"mand_75_pct_E", func(in *ScoreInput) { in.Mandatory = Tally{75, 100} }, GradeE},
		{"mand_74_pct_F", func(in *ScoreInput) { in.Mandatory = Tally{74, 100} }, GradeF},
		{"mand_50_pct_F", func(in *ScoreInput) { in.Mandatory = Tally{50, 100} }, GradeF},
		{"mand_49_pct_G", func(in *ScoreInput) { in.Mandatory = Tally{49, 100} }, GradeG},
		{"mand_0_G", func(in *ScoreInput) { in.Mandatory = Tally{0, 29} }, GradeG},
		{"mand_not_all_ignores_recommended", func(in *ScoreInput) { in.Mandatory = Tally{33, 34}; in.Recommended = Tally{0, 10} }, GradeD},
		// probe contradiction: one step, once.
		{"probe_none_A", func(in *ScoreInput) { in.Contradicted = nil }, GradeA},
		{"probe_one_B", func(in *ScoreInput) { in.Contradicted = ids("5.1", 1) }, GradeB},
		{"probe_three_B", func(in *ScoreInput) { in.Contradicted = ids("5.1", 3) }, GradeB},
		{"probe_on_E_F", func(in *ScoreInput) { in.Mandatory = Tally{80, 100}; in.Contradicted = ids("5.1", 1) }, GradeF},
		{"probe_on_G_G", func(in *ScoreInput) { in.Mandatory = Tally{0, 100}; in.Contradicted = ids("5.1", 1) }, GradeG},
		// KEV: 1..2 cap E, >= 3 cap F.
		{"kev_0_A", func(in *ScoreInput) { in.KEV = nil }, GradeA},
		{"kev_1_E", func(in *ScoreInput) { in.KEV = ids("CVE", 1) }, GradeE},
		{"kev_2_E", func(in *ScoreInput) { in.KEV = ids("CVE", 2) }, GradeE},
		{"kev_3_F", func(in *ScoreInput) { in.KEV = ids("CVE", 3) }, GradeF},
		{"kev_does_not_raise_G", func(in *ScoreInput) { in.Mandatory = Tally{1, 100}; in.KEV = ids("CVE", 1) }, GradeG},
		// critical: 1..2 cap C, >= 3 cap D.
		{"critical_1_C", func(in *ScoreInput) { in.Critical = ids("CVE", 1) }, GradeC},
		{"critical_2_C", func(in *ScoreInput) { in.Critical = ids("CVE", 2) }, GradeC},
		{"critical_3_D", func(in *ScoreInput) { in.Critical = ids("CVE", 3) }, GradeD},
		// high: 1..4 cap B, >= 5 cap C.
		{"high_1_B", func(in *ScoreInput) { in.High = ids("CVE", 1) }, GradeB},
		{"high_4_B", func(in *ScoreInput) { in.High = ids("CVE", 4) }, GradeB},
		{"high_5_C", func(in *ScoreInput) { in.High = ids("CVE", 5) }, GradeC},
		// support period.
		{"support_none_E", func(in *ScoreInput) { in.SupportEnd = time.Time{} }, GradeE},
		{"support_ended_long_ago_F", func(in *ScoreInput) { in.SupportEnd = now.AddDate(-3, 0, 0) }, GradeF},
		{"support_ends_now_F", func(in *ScoreInput) { in.SupportEnd = now }, GradeF},
		{"support_1ns_left_D", func(in *ScoreInput) { in.SupportEnd = now.Add(time.Nanosecond) }, GradeD},
		{"support_just_under_1y_D", func(in *ScoreInput) { in.SupportEnd = now.AddDate(1, 0, 0).Add(-time.Nanosecond) }, GradeD},
		{"support_1y_B", func(in *ScoreInput) { in.SupportEnd = now.AddDate(1, 0, 0) }, GradeB},
		{"support_just_under_2y_B", func(in *ScoreInput) { in.SupportEnd = now.AddDate(2, 0, 0).Add(-time.Nanosecond) }, GradeB},
		{"support_2y_A", func(in *ScoreInput) { in.SupportEnd = now.AddDate(2, 0, 0) }, GradeA},
		// worst cap wins; caps combine with base and penalty.
		{"worst_cap_wins", func(in *ScoreInput) {
			in.High = ids("CVE", 1)
			in.Critical = ids("CVE", 1)
			in.SupportEnd = time.Time{}
		}, GradeE},
		{"base_worse_than_caps", func(in *ScoreInput) { in.Mandatory = Tally{60, 100}; in.High = ids("CVE", 1) }, GradeF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := perfect()
			tt.edit(&in)
			s := Rate(in)
			if s.Grade != tt.want {
				t.Errorf("grade = %s; want %s (reasons %+v)", s.Grade, tt.want, s.Reasons)
			}
			if s.Rule != RuleVersion {
				t.Errorf("rule = %q", s.Rule)
			}
			// A grade below A always explains itself; an A never has reasons.
			if (s.Grade == GradeA) != (len(s.Reasons) == 0) {
				t.Errorf("grade %s with reasons %+v", s.Grade, s.Reasons)
			}
		})
	}
}

func TestRateReasons(t *testing.T) {
	t.Parallel()
	in := perfect()
	in.Mandatory = Tally{85, 100}
	in.MandatoryNotMet = []string{"5.1-1", "5.2-1"}
	in.Contradicted = []string{"5.1-1"}
	in.KEV = []string{"CVE-2024-3400"}
	in.Critical = []string{"CVE-2024-3400", "CVE-2024-21762", "CVE-2023-46604"}
	in.High = []string{"CVE-2023-4212"}
	in.SupportEnd = now.AddDate(0, 6, 0)
	s := Rate(in)
	want := []Reason{
		{Rule: "mandatory", Effect: "base E", Detail: "85 of 100 applicable mandatory provisions met (85%); not met: 5.1-1, 5.2-1"},
		{Rule: "probe", Effect: "-1 step", Detail: "probe findings contradict the maker's declaration for 5.1-1"},
	}
	// Base E, probe → F; caps E (kev), D (critical), B (high), D (support)
	// are all better than F, so none lowered it.
	if diff := cmp.Diff(want, s.Reasons); diff != "" || s.Grade != GradeF || s.Base != GradeE {
		t.Errorf("grade %s base %s; reasons (-want +got):\n%s", s.Grade, s.Base, diff)
	}

	in = perfect()
	in.Recommended = Tally{60, 100}
	in.KEV = []string{"CVE-2024-3400"}
	in.SupportEnd = time.Time{}
	s = Rate(in)
	want = []Reason{
		{Rule: "recommended", Effect: "base B", Detail: "60 of 100 applicable recommended provisions met (60%)"},
		{Rule: "kev", Effect: "cap E", Detail: "known exploited vulnerability (CISA KEV) in components: CVE-2024-3400"},
		{Rule: "support", Effect: "cap E", Detail: "no security-update support period declared"},
	}
	if diff := cmp.Diff(want, s.Reasons); diff != "" || s.Grade != GradeE {
		t.Errorf("grade %s; reasons (-want +got):\n%s", s.Grade, diff)
	}
}

func TestRateTestdata(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		file     string
		findings []Finding
		vulns    []Vuln
		want     Grade
		rules    []string
	}{
		{file: "answers-good.yaml", want: GradeA},
		{file: "answers-poor.yaml", want: GradeE, rules: []string{"mandatory"}},
		{
			file:     "answers-poor.yaml",
			findings: []Finding{{Provision: "5.1-1", Check: "telnet-default-credentials", Target: "192.0.2.7:23"}},
			want:     GradeF, rules: []string{"mandatory", "probe"},
		},
		{
			file:  "answers-good.yaml",
			vulns: []Vuln{{ID: "CVE-2023-38545", Component: "pkg:generic/curl@8.3.0", Severity: Critical}, {ID: "CVE-2023-38545", Component: "pkg:generic/libcurl@8.3.0", Severity: Critical}},
			want:  GradeC, rules: []string{"critical"},
		},
	}
	for _, tt := range tests {
		ev := c.Evaluate(loadFile(t, c, tt.file), tt.findings)
		s := Rate(NewScoreInput(ev, tt.vulns, day))
		var rules []string
		for _, r := range s.Reasons {
			rules = append(rules, r.Rule)
		}
		if s.Grade != tt.want || !cmp.Equal(rules, tt.rules) {
			t.Errorf("%s %v: grade %s, rules %v; want %s, %v", tt.file, tt.findings, s.Grade, rules, tt.want, tt.rules)
		}
		if len(s.Input.Critical) > 1 {
			t.Errorf("same CVE counted twice: %v", s.Input.Critical)
		}
	}
}

func TestRulesText(t *testing.T) {
	t.Parallel()
	txt := Rules()
	for _, want := range []string{RuleVersion, "≥ 80%", "≥ 50%", "≥ 90%", "≥ 75%", "| kev | ≥ 1 known exploited", "| support | no security-update support period declared | E |", "| high | ≥ 5 open high vulnerabilities | C |"} {
		if !strings.Contains(txt, want) {
			t.Errorf("Rules() lacks %q", want)
		}
	}
	// Every rule id used in reasons is documented.
	for _, id := range []string{"mandatory", "recommended", "probe", "kev", "critical", "high", "support"} {
		if !strings.Contains(txt, "| "+id+" |") {
			t.Errorf("Rules() does not document rule %q", id)
		}
	}
}

func TestGrade(t *testing.T) {
	t.Parallel()
	for i, g := range Grades() {
		b, err := json.Marshal(g)
		if err != nil || string(b) != `"`+g.String()+`"` || g.Index() != i {
			t.Errorf("grade %v: json %s, err %v, index %d", g, b, err, g.Index())
		}
		var back Grade
		if err := json.Unmarshal(b, &back); err != nil || back != g {
			t.Errorf("unmarshal %s = %v, %v", b, back, err)
		}
	}
	for _, bad := range []string{"", "H", "a", "AB"} {
		if _, err := ParseGrade(bad); err == nil {
			t.Errorf("ParseGrade(%q) accepted", bad)
		}
	}
	if _, err := json.Marshal(Grade(0)); err == nil {
		t.Error("zero grade marshalled")
	}
	if GradeG.lower(1) != GradeG || GradeA.lower(2) != GradeC {
		t.Error("lower")
	}
}

func TestSeverityFromCVSS(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		score float64
		want  Severity
	}{{10, Critical}, {9.0, Critical}, {8.9, High}, {7.0, High}, {6.9, Medium}, {4.0, Medium}, {3.9, Low}, {0.1, Low}, {0, None}} {
		if got := SeverityFromCVSS(tt.score); got != tt.want {
			t.Errorf("SeverityFromCVSS(%v) = %s; want %s", tt.score, got, tt.want)
		}
	}
}

func BenchmarkEvaluateAndRate(b *testing.B) {
	c := mustLoad(b)
	f := loadBytes(b, "answers-good.yaml")
	a, _ := c.LoadAnswers(strings.NewReader(string(f)), "good")
	b.ReportAllocs()
	for b.Loop() {
		Rate(NewScoreInput(c.Evaluate(a, nil), nil, now))
	}
}
