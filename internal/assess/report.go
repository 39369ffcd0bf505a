// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package assess

// RefStatus is the outcome of one framework reference for a device.
type RefStatus string

// Reference outcomes, from best to worst.
const (
	RefMet           RefStatus = "met"            // every applicable mapped provision is met
	RefNotApplicable RefStatus = "not_applicable" // no mapped provision applies
	RefPartial       RefStatus = "partial"        // all mandatory ones met, some recommended not
	RefIncomplete    RefStatus = "incomplete"     // nothing failed, but some mapped provision is unanswered
	RefNotMet        RefStatus = "not_met"        // a mapped mandatory provision is not met
)

// RefResult is one framework reference with the device's results for the
// provisions mapped to it.
type RefResult struct {
	Ref     string    `json:"ref"`
	Title   string    `json:"title,omitempty"`
	Status  RefStatus `json:"status"`
	Results []Result  `json:"results"`
}

// FrameworkReport shows a device's results per reference of one framework:
// "what does this mean for the CRA".
type FrameworkReport struct {
	Framework Framework   `json:"framework"`
	Title     string      `json:"title"`
	Edition   Edition     `json:"edition"`
	Device    Device      `json:"device"`
	Refs      []RefResult `json:"refs"`
	// Counts of references per status.
	Counts map[RefStatus]int `json:"counts"`
}

// Report maps evaluation e onto a framework. Provisions not in e's edition
// are skipped; references with no provision in the edition are left out.
// Unknown framework names give errs.NotFound.
func (c *Catalogue) Report(e Evaluation, framework string) (FrameworkReport, error) {
	fw, err := c.ByFramework(framework)
	if err != nil {
		return FrameworkReport{}, err
	}
	rep := FrameworkReport{Framework: fw.Name, Title: fw.Title, Edition: e.Edition, Device: e.Device, Counts: map[RefStatus]int{}}
	byID := make(map[string]Result, len(e.Results))
	for _, r := range e.Results {
		byID[r.ID] = r
	}
	for _, ref := range fw.Refs {
		rr := RefResult{Ref: ref.Ref, Title: ref.Title}
		for _, id := range ref.Provisions {
			if r, ok := byID[id]; ok {
				rr.Results = append(rr.Results, r)
			}
		}
		if len(rr.Results) == 0 {
			continue
		}
		rr.Status = refStatus(rr.Results)
		rep.Counts[rr.Status]++
		rep.Refs = append(rep.Refs, rr)
	}
	return rep, nil
}

func refStatus(rs []Result) RefStatus {
	applicable, unanswered, recFail := 0, 0, false
	for _, r := range rs {
		switch r.Status {
		case NotApplicable:
			continue
		case NotMet:
			if r.Kind == Mandatory {
				return RefNotMet
			}
			recFail = true
		case Unanswered:
			if r.Kind == Mandatory {
				return RefNotMet
			}
			unanswered++
		}
		applicable++
	}
	switch {
	case applicable == 0:
		return RefNotApplicable
	case recFail:
		return RefPartial
	case unanswered > 0:
		return RefIncomplete
	}
	return RefMet
}
