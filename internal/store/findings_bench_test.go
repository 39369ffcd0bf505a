// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"context"
	"encoding/json"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"vigil/internal/finding"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/tenant"
)

// BenchmarkFindingUpsert folds 50,000 new sightings, then the same 50,000
// again (re-sightings), into findings on SQLite, in transactions of 5,000.
func BenchmarkFindingUpsert(b *testing.B) {
	ctx := context.Background()
	ev := json.RawMessage(`{"ip":"10.0.0.1","port":"443","tag":"cve-2021-41773","asn":"64500","geo":"NL","severity":"high","timestamp":"2025-06-01 00:00:00"}`)
	var all []finding.Sighting
	for i := 0; i < 50000; i++ {
		ip := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		all = append(all, finding.Sighting{OrgID: 1, TriggerID: 1, Type: "vulnerable-system", ReportType: "scan_http_vulnerable",
			Key: finding.KeyFor(ip, 443), IP: ip, Port: 443, ASN: 64500, Severity: finding.High, Time: time.Now(), Evidence: ev})
	}
	for _, phase := range []string{"new", "resighted"} {
		b.Run(phase, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s, err := store.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "b.db"), store.Options{})
				if err != nil {
					b.Fatal(err)
				}
				s.OrgCreate(ctx, tenant.Operator(), &registry.Org{Name: "o"})
				s.TriggerEnsure(ctx, finding.Trigger{Name: "t"})
				if phase == "resighted" {
					if _, _, err := s.FindingUpsert(ctx, 0, all); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				for start := 0; start < len(all); start += 5000 {
					err := s.Tx(ctx, func(tx *store.Store) error {
						_, _, err := tx.FindingUpsert(ctx, 0, all[start:start+5000])
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				s.Close()
			}
			b.ReportMetric(float64(len(all))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}

}
