// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"fmt"
	"strings"

	"vigil/internal/system"
)

// fleetTargets are the products under assessment (those with a system
// model) that feed rows are attributed to, with their declared
// identifiers and the fingerprints their rows showed before.
func (a *App) fleetTargets(ctx context.Context) ([]system.Target, error) {
	ps, err := a.st.SystemProducts(ctx, system.DocModel)
	if err != nil {
		return nil, err
	}
	var out []system.Target
	for _, p := range ps {
		m, _, err := system.Load[system.Model](ctx, a.st, system.DocModel, p, 0)
		if err != nil {
			return nil, err
		}
		t := m.Target()
		fl, err := a.st.FleetGet(ctx, p)
		if err != nil {
			return nil, err
		}
		for _, k := range fl.Keys {
			t.Fingerprints = append(t.Fingerprints, k.Fingerprint)
		}
		out = append(out, t)
	}
	return out, nil
}

// fleetAdd stores one ingest's fleet aggregates.
func (a *App) fleetAdd(ctx context.Context, bs []system.FleetBatch) error {
	for _, b := range bs {
		if err := a.st.FleetAdd(ctx, b); err != nil {
			return err
		}
	}
	return nil
}

// FleetView is a product's fleet evidence.
type FleetView struct {
	Product  system.Product       `json:"product"`
	Evidence system.FleetEvidence `json:"evidence"`
	Keys     []system.KeySummary  `json:"keys"`
}

// Text describes the evidence.
func (v FleetView) Text() string {
	var b strings.Builder
	e := v.Evidence
	fmt.Fprintf(&b, "%s: %d feed rows (%s)\n", v.Product, e.Rows, strings.Join(e.Sources, ", "))
	for _, s := range []string{system.ServiceTelnet, system.ServiceMQTT, system.ServiceRDP, system.ServiceVNC} {
		if n := e.Services[s]; n > 0 {
			fmt.Fprintf(&b, "  exposed %s: %d sightings\n", s, n)
		}
	}
	for _, f := range e.Firmware {
		fmt.Fprintf(&b, "  firmware %s: %d sightings (last %s)\n", f.Value, f.Count, f.LastSeen.Format("2006-01-02"))
	}
	for _, k := range v.Keys {
		shared := ""
		if k.Shared() {
			shared = " SHARED across units"
		}
		fmt.Fprintf(&b, "  %s %s: %d sightings in %d networks%s\n", k.Kind, k.Fingerprint, k.Addresses, k.Networks, shared)
	}
	return b.String()
}

// Fleet returns a product's fleet evidence from every source.
func (a *App) Fleet(ctx context.Context, p system.Product) (FleetView, error) {
	fl, err := a.st.FleetGet(ctx, p)
	if err != nil {
		return FleetView{}, err
	}
	return FleetView{Product: p, Evidence: fl.Evidence(nil), Keys: fl.Keys}, nil
}
