// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"vigil/internal/assess"
	"vigil/internal/system"
)

// Stored is a product document just stored.
type Stored struct {
	Doc system.Doc `json:"doc"`
}

// Text says what was stored.
func (s Stored) Text() string {
	return fmt.Sprintf("%s: %s version %d stored\n", s.Doc.Product, s.Doc.Kind, s.Doc.Version)
}

// PostureImport stores a product's update posture as its next version.
func (a *App) PostureImport(ctx context.Context, r io.Reader, name string) (Stored, error) {
	p, bad := system.ParsePosture(r, name)
	if len(bad) > 0 {
		return Stored{}, rowsInvalid(bad)
	}
	d, err := system.Save(ctx, a.st, system.DocPosture, p.Product, p, a.cfg.Actor)
	return Stored{Doc: d}, err
}

// TestsImport stores a product's external test report as its next version.
func (a *App) TestsImport(ctx context.Context, r io.Reader, name string) (Stored, error) {
	cat, err := assess.Load()
	if err != nil {
		return Stored{}, err
	}
	t, bad := system.ParseTestReport(r, name, func(id string) bool { _, ok := cat.Provision(id); return ok })
	if len(bad) > 0 {
		return Stored{}, rowsInvalid(bad)
	}
	d, err := system.Save(ctx, a.st, system.DocTests, t.Product, t, a.cfg.Actor)
	return Stored{Doc: d}, err
}

// FactsView is what the whole-system rating knows of a product now.
type FactsView struct {
	system.Facts
}

// Text describes the facts.
func (v FactsView) Text() string {
	f := v.Facts
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", f.Product)
	if f.RegisterVersion > 0 {
		fmt.Fprintf(&b, "  risk register version %d: %d unmitigated high residual risk(s)\n", f.RegisterVersion, len(f.Unmitigated))
		for _, r := range f.Unmitigated {
			fmt.Fprintf(&b, "    %s (%d×%d): %s\n", r.ID, r.Residual.Likelihood, r.Residual.Impact, r.Title)
		}
	}
	for _, u := range f.Uncredited {
		fmt.Fprintf(&b, "  no longer credited (test evidence expired or failed): %s\n", u)
	}
	if p := f.Posture; p != nil {
		share := "no field data"
		if p.LatestShare >= 0 {
			share = fmt.Sprintf("%.0f%% of field sightings", p.LatestShare*100)
		}
		fix := "no fixes declared"
		if p.FixDays >= 0 {
			fix = fmt.Sprintf("median %d days from advisory to fixed firmware", p.FixDays)
		}
		fmt.Fprintf(&b, "  update posture: support until %s, latest firmware %s (%s), %s\n", p.SupportEnd, p.LatestFirmware, share, fix)
	}
	if t := f.Test; t != nil {
		state := "counts until " + t.Expires.Format(time.DateOnly)
		if t.Expired {
			state = "expired " + t.Expires.Format(time.DateOnly) + ": a re-test is due"
		}
		fmt.Fprintf(&b, "  %s by %s on %s: %d passed, %d failed; %s\n", t.Kind, t.Lab, t.Date, t.Passed, len(t.Failed), state)
	}
	if fl := f.Fleet; fl != nil {
		fmt.Fprintf(&b, "  fleet: %d feed rows, %d shared key(s), exposed services %v\n", fl.Rows, len(fl.SharedKeys), fl.Services)
	}
	return b.String()
}

// SystemFacts returns the whole-system facts of a product as of now.
func (a *App) SystemFacts(ctx context.Context, p system.Product) (FactsView, error) {
	f, err := system.FactsFor(ctx, a.st, p, a.now())
	return FactsView{f}, err
}
