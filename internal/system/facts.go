// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package system

import (
	"context"
	"errors"
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
	// fleet are the aggregates, for the public view of some sources.
	fleet Fleet
}

// Public returns the facts the public registry page may show: the fleet
// evidence of the sources public allows only.
func (f Facts) Public(public func(source string) bool) Facts {
	out := f
	out.Fleet = nil
	if f.Fleet != nil {
		if ev := f.fleet.Evidence(func(s string) bool { return public != nil && public(s) }); ev.Rows > 0 {
			out.Fleet = &ev
		}
	}
	return out
}

// FactsFor gathers the facts of product p from st as of now. A product
// without documents has empty facts.
func FactsFor(ctx context.Context, st Store, p Product, now time.Time) (Facts, error) {
	f := Facts{Product: p}
	g, d, err := Load[Register](ctx, st, DocRisks, p, 0)
	switch {
	case errors.Is(err, errs.ErrNotFound):
	case err != nil:
		return f, err
	default:
		f.RegisterVersion = d.Version
		for _, r := range g.Unmitigated() {
			f.Unmitigated = append(f.Unmitigated, RiskRef{ID: r.ID, Title: r.Title, Residual: r.Residual})
		}
	}
	_ = now
	fl, err := st.FleetGet(ctx, p)
	if err != nil {
		return f, err
	}
	if ev := fl.Evidence(nil); ev.Rows > 0 {
		f.Fleet, f.fleet = &ev, fl
	}
	return f, nil
}
