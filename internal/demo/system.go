// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package demo

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"vigil/internal/assess"
	"vigil/internal/feed"
	"vigil/internal/store"
	"vigil/internal/system"
)

// SystemSummary is what LoadSystem stored.
type SystemSummary struct {
	Product   system.Product `json:"product"`
	Risks     int            `json:"risks"`
	HighLeft  int            `json:"high_residual"`
	FleetRows int64          `json:"fleet_rows"`
	Firmware  int            `json:"firmware_versions"`
	// SharedKeys counts certificates seen in several networks (none: the
	// demo camera has a key per unit).
	SharedKeys int `json:"shared_keys"`
}

// LoadSystem stores the demo camera's system model, its risk register, its
// update posture and a penetration test dated two months before now, and
// folds the bundled fleet reports (data/fleet: device identification and
// certificates of its units) into its fleet aggregates.
func LoadSystem(ctx context.Context, s *store.Store, now time.Time) (SystemSummary, error) {
	var sum SystemSummary
	read := func(name string) ([]byte, error) { return data.ReadFile("data/system/" + name) }
	raw, err := read("lumicam.yaml")
	if err != nil {
		return sum, err
	}
	m, bad := system.ParseModel(bytes.NewReader(raw), "demo/lumicam.yaml")
	if len(bad) > 0 {
		return sum, fmt.Errorf("bundled demo system model: %s", bad[0].Error())
	}
	md, err := system.Save(ctx, s, system.DocModel, m.Product, m, "demo")
	if err != nil {
		return sum, err
	}
	sum.Product = m.Product
	cat, err := assess.Load()
	if err != nil {
		return sum, err
	}
	known := func(id string) bool { _, ok := cat.Provision(id); return ok }
	if raw, err = read("lumicam-risks.yaml"); err != nil {
		return sum, err
	}
	g, bad := system.BuildRegister(m, md.Version, bytes.NewReader(raw), "demo/lumicam-risks.yaml", known)
	if len(bad) > 0 {
		return sum, fmt.Errorf("bundled demo risks: %s", bad[0].Error())
	}
	if _, err := system.Save(ctx, s, system.DocRisks, m.Product, g, "demo"); err != nil {
		return sum, err
	}
	sum.Risks, sum.HighLeft = len(g.Risks), len(g.Unmitigated())
	if raw, err = read("lumicam-posture.yaml"); err != nil {
		return sum, err
	}
	pos, bad := system.ParsePosture(bytes.NewReader(raw), "demo/lumicam-posture.yaml")
	if len(bad) > 0 {
		return sum, fmt.Errorf("bundled demo posture: %s", bad[0].Error())
	}
	if _, err := system.Save(ctx, s, system.DocPosture, m.Product, pos, "demo"); err != nil {
		return sum, err
	}
	if raw, err = read("lumicam-pentest.yaml"); err != nil {
		return sum, err
	}
	rep, bad := system.ParseTestReport(bytes.NewReader(raw), "demo/lumicam-pentest.yaml", known)
	if len(bad) > 0 {
		return sum, fmt.Errorf("bundled demo pentest: %s", bad[0].Error())
	}
	rep.Date = now.AddDate(0, -2, 0).UTC().Format(time.DateOnly)
	if _, err := system.Save(ctx, s, system.DocTests, m.Product, rep, "demo"); err != nil {
		return sum, err
	}

	agg := system.NewAggregator([]system.Target{m.Target()})
	entries, err := data.ReadDir("data/fleet")
	if err != nil {
		return sum, err
	}
	for _, e := range entries {
		f, err := data.Open("data/fleet/" + e.Name())
		if err != nil {
			return sum, err
		}
		rd, err := feed.NewReader(ctx, f, feed.Options{Name: e.Name()})
		if err != nil {
			f.Close()
			return sum, fmt.Errorf("demo fleet %s: %w", e.Name(), err)
		}
		for o, err := range rd.All() {
			if err == nil {
				agg.Observe(o, rd.Header())
			}
		}
		f.Close()
		for _, b := range agg.Batches(string(rd.Format())) {
			if err := s.FleetAdd(ctx, b); err != nil {
				return sum, err
			}
		}
	}
	fl, err := s.FleetGet(ctx, m.Product)
	if err != nil {
		return sum, err
	}
	ev := fl.Evidence(nil)
	sum.FleetRows, sum.Firmware, sum.SharedKeys = ev.Rows, len(ev.Firmware), len(ev.SharedKeys)
	return sum, nil
}
