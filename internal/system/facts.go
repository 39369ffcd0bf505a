// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package system

import (
	"context"
	"errors"
	"strings"
	"time"

	"vigil/internal/errs"
)

// RiskRef names a risk of the register.
type RiskRef struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Residual Score  `json:"residual"`
}

// Facts are what the whole-system rating knows of a product at one time:
// the grade rule vigil-grade/2 reads them.
type Facts struct {
	Product Product `json:"product"`
	// RegisterVersion is the risk register's version, 0 without one.
	RegisterVersion int `json:"register_version,omitempty"`
	// Unmitigated lists the register's high residual risks.
	Unmitigated []RiskRef `json:"unmitigated,omitempty"`
	// Fleet is the evidence of the fleet aggregates (every source), nil
	// without any.
	Fleet *FleetEvidence `json:"fleet,omitempty"`
	// Posture is the update posture, nil without one.
	Posture *PostureFacts `json:"posture,omitempty"`
	// Test is the latest external test report, nil without one.
	Test *TestFacts `json:"test,omitempty"`
	// RetestDue says the latest test report is older than the policy
	// allows: its items no longer count as evidence.
	RetestDue bool `json:"retest_due,omitempty"`
	// Uncredited lists mitigations that no longer count because the test
	// evidence behind them expired or failed ("risk id: control").
	Uncredited []string `json:"uncredited,omitempty"`
	// fleet are the aggregates, for the public view of some sources.
	fleet Fleet
}

// Public returns the facts the public registry page may show: the fleet
// evidence of the sources public allows only.
func (f Facts) Public(public func(source string) bool) Facts {
	out := f
	out.Fleet = nil
	var ev FleetEvidence
	if f.Fleet != nil {
		if ev = f.fleet.Evidence(func(s string) bool { return public != nil && public(s) }); ev.Rows > 0 {
			out.Fleet = &ev
		}
	}
	if f.Posture != nil {
		// The share of the field on the latest firmware comes from the
		// feeds: only the public sources' counts.
		pf := *f.Posture
		pf.LatestShare = postureFacts(Posture{LatestFirmware: pf.LatestFirmware}, ev.Firmware).LatestShare
		out.Posture = &pf
	}
	return out
}

// FactsFor gathers the facts of product p from st as of now. A product
// without documents has empty facts.
func FactsFor(ctx context.Context, st Store, p Product, now time.Time) (Facts, error) {
	f := Facts{Product: p}
	// Test evidence first: mitigations resting on it count only while it
	// is current and the item passed.
	passed := map[string]bool{}
	t, _, err := Load[TestReport](ctx, st, DocTests, p, 0)
	switch {
	case errors.Is(err, errs.ErrNotFound):
	case err != nil:
		return f, err
	default:
		tf := TestFacts{Kind: t.Kind, Lab: t.Lab, Date: t.Date, Expires: t.Expires()}
		tf.Expired = !now.Before(tf.Expires)
		for _, it := range t.Items {
			if it.Result == "pass" {
				tf.Passed++
				passed[it.ID] = !tf.Expired
			} else {
				tf.Failed = append(tf.Failed, it.ID)
			}
		}
		f.Test, f.RetestDue = &tf, tf.Expired
	}
	g, d, err := Load[Register](ctx, st, DocRisks, p, 0)
	switch {
	case errors.Is(err, errs.ErrNotFound):
	case err != nil:
		return f, err
	default:
		f.RegisterVersion = d.Version
		for i := range g.Risks {
			r := &g.Risks[i]
			keep := r.Mitigations[:0:0]
			for _, m := range r.Mitigations {
				item, isTest := strings.CutPrefix(m.Evidence, "pentest:")
				if m.Provision == "" && isTest && !passed[item] {
					f.Uncredited = append(f.Uncredited, r.ID+": "+m.Control)
					continue
				}
				keep = append(keep, m)
			}
			if len(keep) != len(r.Mitigations) {
				r.Mitigations = keep
				r.Evaluate(r.Claimed)
			}
		}
		for _, r := range g.Unmitigated() {
			f.Unmitigated = append(f.Unmitigated, RiskRef{ID: r.ID, Title: r.Title, Residual: r.Residual})
		}
	}
	fl, err := st.FleetGet(ctx, p)
	if err != nil {
		return f, err
	}
	if ev := fl.Evidence(nil); ev.Rows > 0 {
		f.Fleet, f.fleet = &ev, fl
	}
	pos, _, err := Load[Posture](ctx, st, DocPosture, p, 0)
	switch {
	case errors.Is(err, errs.ErrNotFound):
	case err != nil:
		return f, err
	default:
		pf := postureFacts(pos, fl.Evidence(nil).Firmware)
		f.Posture = &pf
	}
	return f, nil
}
