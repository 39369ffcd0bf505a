// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package assess

import (
	"fmt"
	"slices"
	"strings"
)

// Source says where a result came from.
type Source string

// Result sources.
const (
	FromMaker     Source = "maker"     // the maker's answer
	FromCondition Source = "condition" // a declared condition does not hold
	FromProbe     Source = "probe"     // a probe finding showed the provision is not met
	FromNone      Source = "none"      // nobody answered
)

// Finding is a probe (or firmware, or lab) observation showing that a
// provision is not met, e.g. default credentials on Telnet → 5.1-1. The
// probe package produces them; only failures are findings.
type Finding struct {
	Provision string `json:"provision"`
	// Check names the probe, e.g. "telnet-default-credentials".
	Check  string `json:"check"`
	Target string `json:"target,omitempty"` // e.g. "192.0.2.7:23"
	Detail string `json:"detail,omitempty"`
}

// Result is the effective outcome of one provision for one device.
type Result struct {
	ID      string `json:"id"`
	Section string `json:"section"`
	Kind    Kind   `json:"kind"`
	Status  Status `json:"status"`
	Source  Source `json:"source"`
	// Detail explains the status: the maker's justification, the
	// condition that does not hold, or the probe findings.
	Detail   string     `json:"detail,omitempty"`
	Evidence []Evidence `json:"evidence,omitempty"`
	// Findings are the probe findings for this provision.
	Findings []Finding `json:"findings,omitempty"`
	// Contradicted is true when a probe finding contradicts the maker's
	// declaration (met, or not applicable).
	Contradicted bool `json:"contradicted,omitempty"`
}

// Applicable reports whether the provision applies to the device.
func (r Result) Applicable() bool { return r.Status != NotApplicable }

// Evaluation is the per-provision outcome of a device's answers, conditions
// and probe findings in one edition.
type Evaluation struct {
	Edition          Edition  `json:"edition"`
	CatalogueVersion string   `json:"catalogue_version"`
	Device           Device   `json:"device"`
	Support          Support  `json:"support,omitzero"`
	Results          []Result `json:"results"`
	// Unmapped are findings naming a provision that is not in the edition;
	// they do not affect results but are kept so none is lost.
	Unmapped []Finding `json:"unmapped,omitempty"`
}

// Evaluate resolves answers and probe findings into one result per
// provision of the answers' edition, in catalogue order:
//   - a conditional provision with a condition declared false is
//     not_applicable (source condition), whatever the maker answered;
//   - otherwise the maker's answer counts, or unanswered when there is none;
//   - a probe finding always wins: the provision is not_met (source probe),
//     and Contradicted is set when the maker had declared it met or not
//     applicable (by answer or condition).
func (c *Catalogue) Evaluate(a Answers, findings []Finding) Evaluation {
	ed := a.Edition
	if !ed.Valid() {
		ed = DefaultEdition
	}
	ev := Evaluation{Edition: ed, CatalogueVersion: c.Version, Device: a.Device, Support: a.Support}
	byProv := map[string][]Finding{}
	for _, f := range findings {
		p, ok := c.Provision(f.Provision)
		if _, in := p.In(ed); !ok || !in {
			ev.Unmapped = append(ev.Unmapped, f)
			continue
		}
		byProv[f.Provision] = append(byProv[f.Provision], f)
	}
	for _, p := range c.provisions {
		req, ok := p.In(ed)
		if !ok {
			continue
		}
		r := Result{ID: p.ID, Section: p.Section, Kind: req.Kind, Status: Unanswered, Source: FromNone}
		var unmet []string
		for _, k := range req.Conditions {
			if holds, declared := a.Conditions[k]; declared && !holds {
				unmet = append(unmet, fmt.Sprintf("%s (%s)", k, c.conditions[k]))
			}
		}
		ans, answered := a.Items[p.ID]
		switch {
		case len(unmet) > 0:
			r.Status, r.Source = NotApplicable, FromCondition
			r.Detail = "condition does not hold: " + strings.Join(unmet, "; ")
		case answered:
			r.Status, r.Source = ans.Status, FromMaker
			r.Detail = ans.Justification
			r.Evidence = slices.Clone(ans.Evidence)
		}
		if fs := byProv[p.ID]; len(fs) > 0 {
			r.Contradicted = r.Status == Met || r.Status == NotApplicable
			r.Status, r.Source, r.Findings = NotMet, FromProbe, fs
			parts := make([]string, len(fs))
			for i, f := range fs {
				parts[i] = f.Check
				if f.Target != "" {
					parts[i] += " on " + f.Target
				}
				if f.Detail != "" {
					parts[i] += ": " + f.Detail
				}
			}
			r.Detail = "probe: " + strings.Join(parts, "; ")
		}
		ev.Results = append(ev.Results, r)
	}
	return ev
}

// Result returns the result for one provision.
func (e Evaluation) Result(id string) (Result, bool) {
	for _, r := range e.Results {
		if r.ID == id {
			return r, true
		}
	}
	return Result{}, false
}

// Missing returns the ids of applicable provisions nobody answered.
func (e Evaluation) Missing() []string {
	var ids []string
	for _, r := range e.Results {
		if r.Status == Unanswered {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// Tally counts applicable provisions and those met.
type Tally struct {
	Met   int `json:"met"`
	Total int `json:"total"` // applicable provisions (unanswered count as not met)
}

// add counts one result.
func (t *Tally) add(r Result) {
	if !r.Applicable() {
		return
	}
	t.Total++
	if r.Status == Met {
		t.Met++
	}
}

// SectionSummary is the tally of one section of the standard, as printed on
// a label.
type SectionSummary struct {
	Section     string `json:"section"`
	Title       string `json:"title"`
	Mandatory   Tally  `json:"mandatory"`
	Recommended Tally  `json:"recommended"`
	// NotApplicable counts provisions of the section that do not apply.
	NotApplicable int `json:"not_applicable"`
}

// Totals returns the mandatory and recommended tallies over all sections.
func (e Evaluation) Totals() (mandatory, recommended Tally) {
	for _, r := range e.Results {
		if r.Kind == Mandatory {
			mandatory.add(r)
		} else {
			recommended.add(r)
		}
	}
	return mandatory, recommended
}

// SectionSummaries returns one summary per section of the standard, in
// order, for evaluation e.
func (c *Catalogue) SectionSummaries(e Evaluation) []SectionSummary {
	out := make([]SectionSummary, 0, len(c.sections))
	idx := map[string]int{}
	for _, s := range c.sections {
		idx[s.ID] = len(out)
		out = append(out, SectionSummary{Section: s.ID, Title: s.Title})
	}
	for _, r := range e.Results {
		i, ok := idx[r.Section]
		if !ok {
			continue
		}
		s := &out[i]
		switch {
		case !r.Applicable():
			s.NotApplicable++
		case r.Kind == Mandatory:
			s.Mandatory.add(r)
		default:
			s.Recommended.add(r)
		}
	}
	return out
}
