// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"testing"
	"time"

	"vigil/internal/finding"
	"vigil/internal/ingest"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestFindingTotalsWriteCost measures what keeping the findings' running
// totals (migration 00720) costs the ingest: rounds of new findings and
// then re-sightings of them, written as the feed ingest writes (batches of
// 5,000 in ingest transactions), alternately with the totals triggers on
// and off, in one run on each engine. The rows/s of both and their ratio
// are logged. It runs only when VIGIL_BENCH_TOTALS is set;
// VIGIL_BENCH_TOTALS_ROWS sets the rows of a round (default 50,000).
func TestFindingTotalsWriteCost(t *testing.T) {
	if os.Getenv("VIGIL_BENCH_TOTALS") == "" {
		t.Skip("set VIGIL_BENCH_TOTALS=1 to measure the ingest with and without the findings' running totals")
	}
	rows := 50000
	if n, err := strconv.Atoi(os.Getenv("VIGIL_BENCH_TOTALS_ROWS")); err == nil && n > 0 {
		rows = n
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var orgs []int64
		for i := range 100 {
			o := &registry.Org{Name: fmt.Sprintf("Bench %03d", i)}
			if err := s.OrgCreate(ctx, tenant.Operator(), o); err != nil {
				t.Fatal(err)
			}
			orgs = append(orgs, o.ID)
		}
		off, on := totalsSwitch(t, s)
		ev := json.RawMessage(`{"ip":"10.0.0.1","port":"443","tag":"cve-2021-41773","asn":"64500","geo":"NL","severity":"high"}`)
		// elapsed[with totals][phase] sums the rounds' times.
		var elapsed [2][2]time.Duration
		const rounds = 8
		for round := range rounds {
			withTotals := round%2 == 0
			if withTotals {
				on()
			} else {
				off()
			}
			trig, err := s.TriggerEnsure(ctx, finding.Trigger{Name: fmt.Sprintf("bench_%d", round)})
			if err != nil {
				t.Fatal(err)
			}
			all := make([]finding.Sighting, rows)
			for i := range all {
				ip := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
				all[i] = finding.Sighting{OrgID: orgs[i%len(orgs)], TriggerID: trig, Type: "vulnerable-system", ReportType: "scan_http_vulnerable",
					Key: finding.KeyFor(ip, 443), IP: ip, Port: 443, ASN: 64500, Severity: finding.High, Time: time.Now(), Evidence: ev}
			}
			for phase := range 2 { // new, then re-sighted
				start := time.Now()
				for from := 0; from < len(all); from += 5000 {
					err := s.IngestTx(ctx, func(tx ingest.Store) error {
						_, _, err := tx.FindingUpsert(ctx, 0, all[from:min(from+5000, len(all))])
						return err
					})
					if err != nil {
						t.Fatal(err)
					}
				}
				w := 0
				if withTotals {
					w = 1
				}
				elapsed[w][phase] += time.Since(start)
			}
		}
		on()
		per := float64(rows * rounds / 2)
		for phase, name := range []string{"new", "re-sighted"} {
			with, without := per/elapsed[1][phase].Seconds(), per/elapsed[0][phase].Seconds()
			t.Logf("%-8s %-10s without totals %8.0f rows/s   with totals %8.0f rows/s   ratio %.2f", s.Dialect(), name, without, with, with/without)
		}
	})
}

// totalsSwitch returns functions that drop and re-create the triggers that
// keep finding_totals (their definitions read from the schema), for the
// benchmark's baseline.
func totalsSwitch(t *testing.T, s *store.Store) (off, on func()) {
	t.Helper()
	ctx := context.Background()
	exec := func(q string) {
		t.Helper()
		if _, err := s.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if s.Dialect() == store.Postgres {
		return func() { exec(`ALTER TABLE findings DISABLE TRIGGER USER`) }, func() { exec(`ALTER TABLE findings ENABLE TRIGGER USER`) }
	}
	rows, err := s.Query(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'finding_totals%'`)
	if err != nil {
		t.Fatal(err)
	}
	defs := map[string]string{}
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			t.Fatal(err)
		}
		defs[name] = def
	}
	rows.Close()
	if len(defs) == 0 {
		t.Fatal("no finding_totals triggers in the schema")
	}
	enabled := true
	off = func() {
		if enabled {
			for name := range defs {
				exec(`DROP TRIGGER ` + name)
			}
			enabled = false
		}
	}
	on = func() {
		if !enabled {
			for _, def := range defs {
				exec(def)
			}
			enabled = true
		}
	}
	return off, on
}
