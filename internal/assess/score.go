// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package assess

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"vigil/internal/errs"
)

// RuleVersion names the scoring rule implemented by Rate. Labels record it;
// any change to thresholds or rules must bump it.
const RuleVersion = "vigil-grade/1"

// Grade is a label grade, A (best) … G (worst).
type Grade byte

// The grades.
const (
	GradeA Grade = 'A'
	GradeB Grade = 'B'
	GradeC Grade = 'C'
	GradeD Grade = 'D'
	GradeE Grade = 'E'
	GradeF Grade = 'F'
	GradeG Grade = 'G'
)

// Grades returns A … G.
func Grades() []Grade { return []Grade{GradeA, GradeB, GradeC, GradeD, GradeE, GradeF, GradeG} }

// ParseGrade parses "A" … "G".
func ParseGrade(s string) (Grade, error) {
	if len(s) == 1 && s[0] >= 'A' && s[0] <= 'G' {
		return Grade(s[0]), nil
	}
	return 0, errs.Field("grade", s, "want one letter A…G")
}

// Valid reports whether g is A … G.
func (g Grade) Valid() bool { return g >= GradeA && g <= GradeG }

// String returns the letter.
func (g Grade) String() string {
	if !g.Valid() {
		return "?"
	}
	return string(rune(g))
}

// Index returns 0 for A … 6 for G.
func (g Grade) Index() int { return int(g - GradeA) }

// MarshalText implements encoding.TextMarshaler.
func (g Grade) MarshalText() ([]byte, error) {
	if !g.Valid() {
		return nil, fmt.Errorf("grade %d: not A…G", g)
	}
	return []byte{byte(g)}, nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (g *Grade) UnmarshalText(b []byte) error {
	v, err := ParseGrade(string(b))
	if err != nil {
		return err
	}
	*g = v
	return nil
}

// lower returns g moved n steps towards G, stopping at G.
func (g Grade) lower(n int) Grade { return min(g+Grade(n), GradeG) }

// Severity is the qualitative severity of a vulnerability.
type Severity string

// Severities (CVSS v3/v4 qualitative rating).
const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
	None     Severity = "none"
)

// SeverityFromCVSS maps a CVSS base score to its qualitative rating.
func SeverityFromCVSS(score float64) Severity {
	switch {
	case score >= 9.0:
		return Critical
	case score >= 7.0:
		return High
	case score >= 4.0:
		return Medium
	case score > 0:
		return Low
	}
	return None
}

// Vuln is an open (unfixed) vulnerability in one of the device's components.
type Vuln struct {
	ID        string   `json:"id"`        // CVE id
	Component string   `json:"component"` // purl or name@version
	Severity  Severity `json:"severity"`
	KEV       bool     `json:"kev"` // in CISA's Known Exploited Vulnerabilities catalog
}

// ScoreInput is everything the rule looks at.
type ScoreInput struct {
	Mandatory   Tally `json:"mandatory"`
	Recommended Tally `json:"recommended"`
	// MandatoryNotMet lists the applicable mandatory provisions not met
	// (or unanswered), for the explanation.
	MandatoryNotMet []string `json:"mandatory_not_met,omitempty"`
	// Contradicted lists provisions where a probe contradicted the maker.
	Contradicted []string `json:"contradicted,omitempty"`
	// KEV, Critical and High list distinct open vulnerability ids.
	KEV      []string `json:"kev,omitempty"`
	Critical []string `json:"critical,omitempty"`
	High     []string `json:"high,omitempty"`
	// SupportEnd is when security-update support ends; zero when the
	// maker declared none.
	SupportEnd time.Time `json:"support_end,omitzero"`
	Now        time.Time `json:"now"`
}

// NewScoreInput gathers the rule's inputs from an evaluation and the
// device's open vulnerabilities, as of now.
func NewScoreInput(ev Evaluation, vulns []Vuln, now time.Time) ScoreInput {
	in := ScoreInput{Now: now}
	in.Mandatory, in.Recommended = ev.Totals()
	for _, r := range ev.Results {
		if r.Kind == Mandatory && r.Applicable() && r.Status != Met {
			in.MandatoryNotMet = append(in.MandatoryNotMet, r.ID)
		}
		if r.Contradicted {
			in.Contradicted = append(in.Contradicted, r.ID)
		}
	}
	add := func(list *[]string, id string) {
		if !slices.Contains(*list, id) {
			*list = append(*list, id)
		}
	}
	for _, v := range vulns {
		if v.KEV {
			add(&in.KEV, v.ID)
		}
		switch v.Severity {
		case Critical:
			add(&in.Critical, v.ID)
		case High:
			add(&in.High, v.ID)
		}
	}
	if end, ok := ev.Support.EndTime(); ok {
		in.SupportEnd = end
	}
	return in
}

// Reason is one fact that lowered a grade.
type Reason struct {
	// Rule is the rule's id in the rule text: mandatory, recommended,
	// probe, kev, critical, high, support.
	Rule string `json:"rule"`
	// Effect is what the rule did: "base D", "-1 step", "cap E".
	Effect string `json:"effect"`
	Detail string `json:"detail"`
}

// Score is a grade with its explanation.
type Score struct {
	Rule  string `json:"rule"` // RuleVersion
	Grade Grade  `json:"grade"`
	// Base is the grade from provisions alone, before penalties and caps.
	Base Grade `json:"base"`
	// Reasons lists, in rule order, every fact that lowered the grade
	// below A; empty for an A.
	Reasons []Reason   `json:"reasons,omitempty"`
	Input   ScoreInput `json:"input"`
}

// Thresholds of vigil-grade/1. Percentages are compared as integers
// (met*100 >= total*pct), so boundaries are exact.
const (
	recommendedForA = 80 // % of applicable recommended met for A
	recommendedForB = 50 // … for B; below: C
	mandatoryForD   = 90 // % of applicable mandatory met for D when not all are
	mandatoryForE   = 75
	mandatoryForF   = 50 // below: G

	kevCapOne       = GradeE // one KEV vulnerability
	kevManyCount    = 3
	kevCapMany      = GradeF
	criticalCapOne  = GradeC
	criticalMany    = 3
	criticalCapMany = GradeD
	highCapOne      = GradeB
	highMany        = 5
	highCapMany     = GradeC

	supportNoneCap  = GradeE // no support period declared
	supportEndedCap = GradeF // support period over
	supportYear1Cap = GradeD // less than one year left
	supportYear2Cap = GradeB // less than two years left
)

func atLeast(met, total, pct int) bool { return met*100 >= total*pct }

// Rate applies vigil-grade/1 (see Rules) to in.
func Rate(in ScoreInput) Score {
	s := Score{Rule: RuleVersion, Input: in}
	m, r := in.Mandatory, in.Recommended
	var base Grade
	switch {
	case m.Met >= m.Total:
		switch {
		case atLeast(r.Met, r.Total, recommendedForA):
			base = GradeA
		case atLeast(r.Met, r.Total, recommendedForB):
			base = GradeB
		default:
			base = GradeC
		}
		if base != GradeA {
			s.Reasons = append(s.Reasons, Reason{Rule: "recommended", Effect: "base " + base.String(),
				Detail: fmt.Sprintf("%d of %d applicable recommended provisions met (%s)", r.Met, r.Total, pct(r))})
		}
	default:
		switch {
		case atLeast(m.Met, m.Total, mandatoryForD):
			base = GradeD
		case atLeast(m.Met, m.Total, mandatoryForE):
			base = GradeE
		case atLeast(m.Met, m.Total, mandatoryForF):
			base = GradeF
		default:
			base = GradeG
		}
		s.Reasons = append(s.Reasons, Reason{Rule: "mandatory", Effect: "base " + base.String(),
			Detail: fmt.Sprintf("%d of %d applicable mandatory provisions met (%s); not met: %s",
				m.Met, m.Total, pct(m), list(in.MandatoryNotMet))})
	}
	s.Base = base
	g := base
	if len(in.Contradicted) > 0 {
		g = g.lower(1)
		s.Reasons = append(s.Reasons, Reason{Rule: "probe", Effect: "-1 step",
			Detail: "probe findings contradict the maker's declaration for " + list(in.Contradicted)})
	}
	pre := g
	capAt := func(rule string, c Grade, detail string) {
		if c > pre {
			s.Reasons = append(s.Reasons, Reason{Rule: rule, Effect: "cap " + c.String(), Detail: detail})
		}
		g = max(g, c)
	}
	switch n := len(in.KEV); {
	case n >= kevManyCount:
		capAt("kev", kevCapMany, fmt.Sprintf("%d known exploited vulnerabilities (CISA KEV) in components: %s", n, list(in.KEV)))
	case n >= 1:
		capAt("kev", kevCapOne, "known exploited vulnerability (CISA KEV) in components: "+list(in.KEV))
	}
	switch n := len(in.Critical); {
	case n >= criticalMany:
		capAt("critical", criticalCapMany, fmt.Sprintf("%d open critical vulnerabilities: %s", n, list(in.Critical)))
	case n >= 1:
		capAt("critical", criticalCapOne, "open critical vulnerability: "+list(in.Critical))
	}
	switch n := len(in.High); {
	case n >= highMany:
		capAt("high", highCapMany, fmt.Sprintf("%d open high-severity vulnerabilities: %s", n, list(in.High)))
	case n >= 1:
		capAt("high", highCapOne, fmt.Sprintf("%d open high-severity vulnerabilities: %s", n, list(in.High)))
	}
	end, now := in.SupportEnd, in.Now
	switch {
	case end.IsZero():
		capAt("support", supportNoneCap, "no security-update support period declared")
	case !end.After(now):
		capAt("support", supportEndedCap, "security-update support ended "+end.AddDate(0, 0, -1).Format(time.DateOnly))
	case end.Before(now.AddDate(1, 0, 0)):
		capAt("support", supportYear1Cap, "less than one year of security-update support left (until "+end.AddDate(0, 0, -1).Format(time.DateOnly)+")")
	case end.Before(now.AddDate(2, 0, 0)):
		capAt("support", supportYear2Cap, "less than two years of security-update support left (until "+end.AddDate(0, 0, -1).Format(time.DateOnly)+")")
	}
	s.Grade = g
	return s
}

func pct(t Tally) string {
	if t.Total == 0 {
		return "none applicable"
	}
	return fmt.Sprintf("%d%%", t.Met*100/t.Total)
}

func list(ids []string) string {
	const max = 8
	if len(ids) <= max {
		return strings.Join(ids, ", ")
	}
	return strings.Join(ids[:max], ", ") + fmt.Sprintf(" and %d more", len(ids)-max)
}

// Rules returns the text of vigil-grade/1 as Markdown, for
// `vigil label rules` and the README. It is generated from the same
// constants Rate uses, so it cannot drift from the code.
func Rules() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Grading rule %s\n\n", RuleVersion)
	p("A device gets a grade from A (best) to G (worst) from its ETSI EN 303 645 results, the open\n")
	p("vulnerabilities in its components and the security-update support period its maker declares.\n")
	p("Only provisions that apply to the device count: a provision whose condition does not hold is\n")
	p("not applicable; an applicable provision nobody answered counts as not met; a probe finding\n")
	p("showing a provision is not met overrides the maker's answer.\n\n")
	p("## 1. Base grade from the provisions\n\n")
	p("| rule | when | base |\n|---|---|---|\n")
	p("| recommended | all applicable mandatory provisions met and ≥ %d%% of applicable recommended ones met | A |\n", recommendedForA)
	p("| recommended | all mandatory met, ≥ %d%% and < %d%% of recommended met | B |\n", recommendedForB, recommendedForA)
	p("| recommended | all mandatory met, < %d%% of recommended met | C |\n", recommendedForB)
	p("| mandatory | ≥ %d%% (but not all) of applicable mandatory provisions met | D |\n", mandatoryForD)
	p("| mandatory | ≥ %d%% and < %d%% of mandatory met | E |\n", mandatoryForE, mandatoryForD)
	p("| mandatory | ≥ %d%% and < %d%% of mandatory met | F |\n", mandatoryForF, mandatoryForE)
	p("| mandatory | < %d%% of mandatory met | G |\n\n", mandatoryForF)
	p("With no applicable provisions of a kind, that kind counts as 100%% met. Percentages are exact\n")
	p("(met × 100 ≥ total × threshold).\n\n")
	p("## 2. Penalty\n\n")
	p("| rule | when | effect |\n|---|---|---|\n")
	p("| probe | a probe finding contradicts the maker's declaration (declared met or not applicable) | one grade lower (once) |\n\n")
	p("## 3. Caps (the grade is at best the cap; the worst cap wins)\n\n")
	p("| rule | when | cap |\n|---|---|---|\n")
	p("| kev | ≥ 1 known exploited vulnerability (CISA KEV) open in a component | %s |\n", kevCapOne)
	p("| kev | ≥ %d known exploited vulnerabilities | %s |\n", kevManyCount, kevCapMany)
	p("| critical | ≥ 1 open critical vulnerability (CVSS ≥ 9.0) | %s |\n", criticalCapOne)
	p("| critical | ≥ %d open critical vulnerabilities | %s |\n", criticalMany, criticalCapMany)
	p("| high | ≥ 1 open high vulnerability (CVSS 7.0–8.9) | %s |\n", highCapOne)
	p("| high | ≥ %d open high vulnerabilities | %s |\n", highMany, highCapMany)
	p("| support | no security-update support period declared | %s |\n", supportNoneCap)
	p("| support | support period ended | %s |\n", supportEndedCap)
	p("| support | less than one year of support left | %s |\n", supportYear1Cap)
	p("| support | less than two years of support left | %s |\n\n", supportYear2Cap)
	p("Vulnerabilities are counted once per CVE id, however many components carry them. The support\n")
	p("period ends at the end (UTC) of the last day the maker declares; years are calendar years.\n\n")
	p("## Explanation\n\n")
	p("Every grade lists the facts that lowered it: the base rule when the base is below A, the\n")
	p("penalty, and each cap that is below the grade it was applied to.\n")
	return b.String()
}
