// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/errs"
	"vigil/internal/ingest"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// newApp returns the application layer on s with the default configuration
// changed by edit.
func newApp(t *testing.T, s *store.Store, edit func(*config.Config)) *app.App {
	t.Helper()
	cfg := config.Defaults()
	cfg.Labels.Keys = t.TempDir()
	if edit != nil {
		edit(&cfg)
	}
	return app.New(s, cfg, nil)
}

// registerHospital registers the two organisations of the Exchange report
// in testdata and ingests it: 9 findings, critical ones among them.
func registerHospital(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	for _, o := range []registry.Org{
		{Name: "Ziekenhuis Midden", Languages: []string{"nl"}, Policy: registry.Policy{Mode: "immediate"},
			Assets: []registry.Asset{{Kind: registry.KindCIDR, Value: "198.51.100.0/25"}}, Contacts: []registry.Contact{{Email: "soc@ziekenhuis.example", Role: "security", Lang: "nl"}}},
		{Name: "Gemeente Voorbeeld", Assets: []registry.Asset{{Kind: registry.KindCIDR, Value: "192.0.2.128/25"}},
			Contacts: []registry.Contact{{Email: "cert@gemeente.example", Role: "security"}}},
	} {
		if err := s.OrgCreate(ctx, tenant.Operator(), &o); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open("testdata/2025-06-01-scan_exchange-vigil_test-asn.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ix, err := ingest.BuildIndex(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Feed(ctx, s, ix, f, ingest.Options{Name: "2025-06-01-scan_exchange-vigil_test-asn.csv", FullReport: true}); err != nil {
		t.Fatal(err)
	}
}

func TestOrgID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := registry.Org{Name: "Energie Noord"}
		if err := s.OrgCreate(ctx, tenant.Operator(), &o); err != nil {
			t.Fatal(err)
		}
		x := newApp(t, s, nil)
		for ref, want := range map[string]int64{"Energie Noord": o.ID, fmt.Sprint(o.ID): o.ID} {
			if got, err := x.OrgID(ctx, ref); err != nil || got != want {
				t.Errorf("OrgID(%q) = %d, %v; want %d", ref, got, err, want)
			}
		}
		if _, err := x.OrgID(ctx, "Nobody"); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("OrgID of an unknown name: %v; want not found", err)
		}
		if _, err := x.OrgID(ctx, "42"); errs.CodeOf(err) != errs.NotFound || err.Error() != "organisation 42 not found" {
			t.Errorf("OrgID of an unknown id: %v; want organisation 42 not found", err)
		}
	})
}
