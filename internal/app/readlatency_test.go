// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/tenant"
)

// TestReadLatencyUnderIngest measures, in one run on a SQLite file, the
// p99 latency of the reads a request makes (a page of findings, the list
// of organisations) alone and while a feed of 200,000 rows is ingested.
// It is a measurement, not a check: VIGIL_BENCH_READS=1 runs it.
//
//	VIGIL_BENCH_READS=1 go test -run TestReadLatencyUnderIngest -v ./internal/app/
func TestReadLatencyUnderIngest(t *testing.T) {
	if os.Getenv("VIGIL_BENCH_READS") == "" {
		t.Skip("set VIGIL_BENCH_READS=1 to measure")
	}
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "bench.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	o := registry.Org{Name: "Bench BV", Assets: []registry.Asset{{Value: "10.0.0.0/8"}}}
	if err := st.OrgCreate(ctx, tenant.Operator(), &o); err != nil {
		t.Fatal(err)
	}
	a := app.New(st, config.Defaults(), nil)
	feed := filepath.Join(dir, "2026-12-06-scan_http-bench.csv")
	var b strings.Builder
	b.WriteString("timestamp,ip,port,hostname\n")
	const rows = 200000
	for i := range rows {
		fmt.Fprintf(&b, "2026-12-06 10:00:00,10.%d.%d.%d,80,h%d.example\n", i>>16&0xff, i>>8&0xff, i&0xff, i)
	}
	if err := os.WriteFile(feed, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	// Some findings to read before the big ingest.
	seed := filepath.Join(dir, "seed.csv")
	if err := os.WriteFile(seed, []byte(strings.Join(strings.SplitAfter(b.String(), "\n")[:2001], "")), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := a.IngestFeeds(ctx, seed, app.FeedOptions{Type: "auto", ReportType: "scan_http", Partial: true}); err != nil {
		t.Fatal(err)
	}
	read := func() time.Duration {
		start := time.Now()
		if _, err := st.FindingList(ctx, tenant.Operator(), finding.Filter{Page: keyset.Page{Limit: 101}}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.OrgListAll(ctx, tenant.Operator()); err != nil {
			t.Fatal(err)
		}
		return time.Since(start)
	}
	p99 := func(ds []time.Duration) time.Duration {
		slices.Sort(ds)
		return ds[len(ds)*99/100]
	}
	const samples = 2000
	var idle []time.Duration
	for range samples {
		idle = append(idle, read())
	}
	done := make(chan error, 1)
	go func() {
		_, err := a.IngestFeeds(ctx, feed, app.FeedOptions{Type: "auto", ReportType: "scan_http", Partial: true})
		done <- err
	}()
	var busy []time.Duration
	ingesting := true
	for ingesting && len(busy) < 200000 {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			ingesting = false
		default:
			busy = append(busy, read())
		}
	}
	if ingesting {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if len(busy) == 0 {
		t.Fatal("no read during the ingest")
	}
	pi, pb := p99(slices.Clone(idle)), p99(slices.Clone(busy))
	t.Logf("read p99 without ingest: %v (%d reads); during a %d-row ingest: %v (%d reads); ratio %.2f; slowest during ingest %v",
		pi, len(idle), rows, pb, len(busy), float64(pb)/float64(pi), slices.Max(busy))
}
