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

	"vigil/internal/ingest"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/tenant"
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
	// Feeds: what ingesting the bundled reports produced.
	FeedRows    int64 `json:"feed_rows"`
	Matched     int64 `json:"matched"`
	Unmatched   int64 `json:"unmatched"`
	Quarantined int64 `json:"quarantined"`
	Findings    int64 `json:"findings"`
	Triggers    int   `json:"triggers"`
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
	if sum.Organisations, sum.Assets, err = s.OrgImport(ctx, tenant.Operator(), orgs); err != nil {
		return sum, fmt.Errorf("load demo registry: %w", err)
	}
	for _, o := range orgs {
		sum.Contacts += len(o.Contacts)
		sum.Devices += len(o.Devices)
	}
	cidrs, err := s.AssetAll(ctx, tenant.Operator(), registry.KindCIDR)
	if err != nil {
		return sum, err
	}
	sum.Overlaps = len(registry.Overlaps(cidrs))
	if err := loadFeeds(ctx, s, &sum); err != nil {
		return sum, err
	}
	return sum, nil
}

// loadFeeds ingests the bundled Shadowserver reports.
func loadFeeds(ctx context.Context, s *store.Store, sum *Summary) error {
	ix, err := ingest.BuildIndex(ctx, s)
	if err != nil {
		return err
	}
	entries, err := data.ReadDir("data/feeds")
	if err != nil {
		return err
	}
	for _, e := range entries {
		f, err := data.Open("data/feeds/" + e.Name())
		if err != nil {
			return err
		}
		fs, err := ingest.Feed(ctx, s, ix, f, ingest.Options{Name: e.Name(), FullReport: true})
		f.Close()
		if err != nil {
			return fmt.Errorf("demo feed %s: %w", e.Name(), err)
		}
		sum.FeedRows += fs.Rows
		sum.Matched += fs.Matched
		sum.Unmatched += fs.Unmatched
		sum.Quarantined += fs.Quarantined
		sum.Findings += fs.FindingsNew
	}
	ts, err := s.TriggerStats(ctx, tenant.Operator())
	if err != nil {
		return err
	}
	sum.Triggers = len(ts)
	return nil
}
