// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"context"
	"testing"
	"time"

	"vigil/internal/errs"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/system"
)

// TestSystemDocs stores three versions of a product's model and one of
// another kind, and reads them back by version, latest and product.
func TestSystemDocs(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := system.Product{Vendor: "Acme", Model: "Cam 2"}
		if _, err := s.SystemDocGet(ctx, system.DocModel, p, 0); errs.CodeOf(err) != errs.NotFound {
			t.Fatalf("no document yet: %v; want not found", err)
		}
		for i, body := range []string{`{"v":1}`, `{"v":2}`, `{"v":3}`} {
			// The product's name varies in case: one product.
			q := p
			if i == 1 {
				q = system.Product{Vendor: "ACME", Model: "cam 2"}
			}
			d := system.Doc{Kind: system.DocModel, Product: q, Body: []byte(body), Actor: "analyst"}
			if err := s.SystemDocPut(ctx, &d); err != nil {
				t.Fatal(err)
			}
			if d.Version != i+1 {
				t.Errorf("put %d: version %d; want %d", i, d.Version, i+1)
			}
		}
		other := system.Doc{Kind: system.DocRisks, Product: p, Body: []byte(`{}`), Actor: "analyst"}
		if err := s.SystemDocPut(ctx, &other); err != nil || other.Version != 1 {
			t.Fatalf("another kind: version %d, %v; want 1", other.Version, err)
		}
		d, err := s.SystemDocGet(ctx, system.DocModel, p, 0)
		if err != nil || string(d.Body) != `{"v":3}` || d.Version != 3 || d.Actor != "analyst" {
			t.Errorf("latest = %+v %s, %v; want version 3", d, d.Body, err)
		}
		if d, err = s.SystemDocGet(ctx, system.DocModel, p, 2); err != nil || string(d.Body) != `{"v":2}` || d.Product.Vendor != "ACME" {
			t.Errorf("version 2 = %+v %s, %v", d, d.Body, err)
		}
		if _, err := s.SystemDocGet(ctx, system.DocModel, p, 4); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("version 4: %v; want not found", err)
		}
		vs, err := s.SystemDocVersions(ctx, system.DocModel, p)
		if err != nil || len(vs) != 3 || vs[0].Version != 1 || vs[2].Version != 3 {
			t.Errorf("versions = %+v, %v", vs, err)
		}
		ps, err := s.SystemProducts(ctx, system.DocModel)
		if err != nil || len(ps) != 1 || ps[0] != p {
			t.Errorf("products = %+v, %v; want %v as named in its latest version", ps, err, p)
		}
	})
}

// TestFleetAggregates adds two ingests' aggregates and reads the sums:
// counters add up, a fingerprint's networks are counted once each.
func TestFleetAggregates(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := system.Product{Vendor: "Acme", Model: "Cam 2"}
		day := func(d int) time.Time { return time.Date(2026, 11, d, 4, 0, 0, 0, time.UTC) }
		for i, nets := range [][]string{{"AS64501", "AS64502"}, {"AS64502", "AS64503"}} {
			b := system.FleetBatch{Product: p, Counts: []system.FleetCount{
				{Source: "shadowserver", Metric: system.MetricRows, Count: 4, FirstSeen: day(i + 1), LastSeen: day(i + 1)},
				{Source: "shadowserver", Metric: system.MetricFirmware, Value: "1.4.2", Count: 3, FirstSeen: day(i + 1), LastSeen: day(i + 1)},
			}}
			for _, n := range nets {
				b.Keys = append(b.Keys, system.FleetKey{Source: "shadowserver", Fingerprint: "a1", Kind: system.KeyCertificate, Network: n, Addresses: 2, FirstSeen: day(i + 1), LastSeen: day(i + 1)})
			}
			if err := s.FleetAdd(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		fl, err := s.FleetGet(ctx, system.Product{Vendor: "ACME", Model: "cam 2"})
		if err != nil {
			t.Fatal(err)
		}
		if len(fl.Counts) != 2 || fl.Counts[0].Metric != system.MetricFirmware || fl.Counts[0].Count != 6 || fl.Counts[1].Count != 8 ||
			!fl.Counts[1].FirstSeen.Equal(day(1)) || !fl.Counts[1].LastSeen.Equal(day(2)) {
			t.Errorf("counts %+v", fl.Counts)
		}
		if len(fl.Keys) != 1 || fl.Keys[0].Networks != 3 || fl.Keys[0].Addresses != 8 || !fl.Keys[0].Shared() {
			t.Errorf("keys %+v; want a1 in 3 networks, 8 sightings", fl.Keys)
		}
		if empty, err := s.FleetGet(ctx, system.Product{Vendor: "Nobody", Model: "X"}); err != nil || len(empty.Counts)+len(empty.Keys) != 0 {
			t.Errorf("no fleet: %+v, %v", empty, err)
		}
	})
}
