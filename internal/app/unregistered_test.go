// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestUnregisteredOperatorPolicy: warnings to owners of unregistered
// addresses follow the operator's default policy (notify.default_*), not
// the built-in one: with default_min_severity critical, an unmatched
// blocklist address is below the minimum and nobody is looked up; with the
// defaults it is looked up (a documentation address, which RDAP refuses
// without any network traffic).
func TestUnregisteredOperatorPolicy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := registry.Org{Name: "X", Assets: []registry.Asset{{Kind: registry.KindCIDR, Value: "192.0.2.0/24"}}}
		if err := s.OrgCreate(ctx, tenant.Operator(), &o); err != nil {
			t.Fatal(err)
		}
		bl := filepath.Join(t.TempDir(), "bl.txt")
		if err := os.WriteFile(bl, []byte("198.51.100.77\n192.0.2.5\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			min, reason string
		}{{"critical", "below_min_severity"}, {"", "no_contact"}} {
			a := newApp(t, s, func(cfg *config.Config) {
				if c.min != "" {
					cfg.Notify.DefaultMinSeverity = c.min
				}
			})
			sums, err := a.IngestFeeds(ctx, bl, app.FeedOptions{Type: "blocklist", Trigger: "bl", NotifyUnregistered: true, UnregisteredMax: 10, Again: true})
			if err != nil || len(sums) != 1 {
				t.Fatalf("ingest (default_min_severity %q): %v %+v", c.min, err, sums)
			}
			if got := sums[0].Unregistered; got[c.reason] != 1 || len(got) != 1 {
				t.Errorf("default_min_severity %q: unregistered outcomes %v, want one %s", c.min, got, c.reason)
			}
		}
	})
}
