// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package demo loads vigil's bundled sample data into a fresh store, so that
// `vigil demo` shows the whole pipeline with no set-up and no network.
package demo

import (
	"bytes"
	"context"
	"embed"
	"fmt"

	"vigil/internal/registry"
	"vigil/internal/store"
)

//go:embed data
var data embed.FS

// Summary is what the demo loaded and produced.
type Summary struct {
	Database      string `json:"database"`
	Organisations int    `json:"organisations"`
	Assets        int    `json:"assets"`
	Contacts      int    `json:"contacts"`
	Devices       int    `json:"devices"`
	Overlaps      int    `json:"overlaps"`
	// URL is where the demo server listens (empty with --once).
	URL string `json:"url,omitempty"`
	// OperatorToken is an API token for the demo's analyst (demo only).
	OperatorToken string `json:"operator_token,omitempty"`
}

// Load fills s with the sample registry and returns a summary.
func Load(ctx context.Context, s *store.Store) (Summary, error) {
	var sum Summary
	raw, err := data.ReadFile("data/orgs.json")
	if err != nil {
		return sum, err
	}
	orgs, bad, err := registry.ParseJSON(bytes.NewReader(raw), "demo/orgs.json")
	if err != nil {
		return sum, err
	}
	if len(bad) > 0 {
		return sum, fmt.Errorf("bundled demo data is invalid: %s", bad[0].Error())
	}
	if sum.Organisations, sum.Assets, err = s.OrgImport(ctx, orgs); err != nil {
		return sum, fmt.Errorf("load demo registry: %w", err)
	}
	for _, o := range orgs {
		sum.Contacts += len(o.Contacts)
		sum.Devices += len(o.Devices)
	}
	cidrs, err := s.AssetAll(ctx, registry.KindCIDR)
	if err != nil {
		return sum, err
	}
	sum.Overlaps = len(registry.Overlaps(cidrs))
	return sum, nil
}
