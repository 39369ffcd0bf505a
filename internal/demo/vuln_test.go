// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package demo_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/demo"
	"vigil/internal/keyset"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
	"vigil/internal/vuln"
)

// TestLoadVulns: the bundled advisories match the demo devices they name,
// and not the ones whose firmware is fixed or that no bundled advisory
// covers.
func TestLoadVulns(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		sum, err := demo.LoadVulns(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v", sum)
		if sum.Advisories < 30 || sum.Findings < 90 || sum.KEVFindings < 5 {
			t.Errorf("summary = %+v", sum)
		}
		devs, err := s.DeviceList(ctx, tenant.Operator(), keyset.Page{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		var matched, unmatched []string
		for _, d := range devs {
			fs, err := s.VulnFindingList(ctx, tenant.Operator(), vuln.FindingFilter{DeviceID: d.ID})
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) > 0 {
				matched = append(matched, d.Model)
			} else {
				unmatched = append(unmatched, d.Model)
			}
		}
		slices.Sort(matched)
		slices.Sort(unmatched)
		want := []string{"AVM1203", "AXIS A1001", "E11", "InRouter302", "Linear eMerge E3-Series", "NVR301-04S2-P4",
			"RUGGEDCOM APE1808", "SCALANCE M874-3", "XL824 Thermostat"}
		if diff := cmp.Diff(want, matched); diff != "" {
			t.Errorf("matched devices (-want +got):\n%s\nunmatched: %v", diff, unmatched)
		}
		// Loading again changes nothing.
		again, err := demo.LoadVulns(ctx, s)
		if err != nil || again != sum {
			t.Errorf("second load = %+v, %v; want %+v", again, err, sum)
		}
	})
}
