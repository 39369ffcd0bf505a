// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/ingest"
	"vigil/internal/keyset"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestRunsStoppedShown: a run that stopped without ending (its process
// killed, a part given up by the job queue) is shown stopped in the runs
// list and on its run (the API's and the portal's), not running for ever:
// a run not ended is running while it made progress within
// notify.run_grace (its start, a batch, a part's batch, a part done), as
// composition and the look for a run of the same content take it.
func TestRunsStoppedShown(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var clock atomic.Int64
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	storetest.EachOpts(t, storetest.Options{Now: now}, func(t *testing.T, s *store.Store) {
		clock.Store(t0.UnixNano())
		ctx := context.Background()
		a := newApp(t, s, func(c *config.Config) { c.Notify.RunGrace = "2h" })
		done, err := a.IngestFeeds(ctx, "testdata/2025-06-01-scan_exchange-vigil_test-asn.csv", app.FeedOptions{})
		if err != nil || len(done) != 1 || done[0].RunID == 0 {
			t.Fatalf("ingest: %v %+v", err, done)
		}
		// An unsplit run that committed a batch at 9:30 and stopped.
		unsplit := ingest.Run{Source: "killed.csv", FeedType: "shadowserver", ReportType: "scan_exchange", FullReport: true, SourceSHA256: strings.Repeat("a", 64)}
		if err := s.RunStart(ctx, &unsplit); err != nil {
			t.Fatal(err)
		}
		clock.Store(t0.Add(30 * time.Minute).UnixNano())
		unsplit.CommittedLine, unsplit.Rows = 100, 99
		if err := s.RunCheckpoint(ctx, &unsplit); err != nil {
			t.Fatal(err)
		}
		// A split run whose first part committed a batch at 10:30, and
		// then was given up.
		clock.Store(t0.UnixNano())
		split := ingest.Run{Source: "big.csv", FeedType: "shadowserver", ReportType: "scan_exchange", FullReport: true, SourceSHA256: strings.Repeat("b", 64)}
		parts := []ingest.RunPart{{Index: 0, Start: 10, End: 20, FirstLine: 2}, {Index: 1, Start: 20, End: 30, FirstLine: 40}}
		if err := s.RunSplitStart(ctx, &split, parts); err != nil {
			t.Fatal(err)
		}
		clock.Store(t0.Add(90 * time.Minute).UnixNano())
		if err := s.Tx(ctx, func(tx *store.Store) error {
			p := parts[0]
			p.CommittedLine, p.Rows = p.FirstLine+5, 5
			return tx.RunPartCheckpoint(ctx, &p, parts[0].CommittedLine)
		}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			at                    time.Duration // after t0
			unsplitState, splitSt string
		}{
			{at: time.Hour, unsplitState: ingest.StateRunning, splitSt: ingest.StateRunning},
			{at: 2*time.Hour + 29*time.Minute, unsplitState: ingest.StateRunning, splitSt: ingest.StateRunning}, // the batch 1h59m ago
			{at: 2*time.Hour + 31*time.Minute, unsplitState: ingest.StateStopped, splitSt: ingest.StateRunning}, // the part's batch 1h01m ago
			{at: 3*time.Hour + 31*time.Minute, unsplitState: ingest.StateStopped, splitSt: ingest.StateStopped}, // the part's batch 2h01m ago
		} {
			clock.Store(t0.Add(tc.at).UnixNano())
			rs, err := a.IngestRuns(ctx, keyset.Page{Limit: 10})
			if err != nil || len(rs) != 3 {
				t.Fatalf("at t0+%s: runs %v %+v", tc.at, err, rs)
			}
			want := map[int64]string{done[0].RunID: ingest.StateFinished, unsplit.ID: tc.unsplitState, split.ID: tc.splitSt}
			for _, r := range rs {
				if r.State != want[r.ID] {
					t.Errorf("at t0+%s: run %d (%s) listed %s; want %s", tc.at, r.ID, r.Source, r.State, want[r.ID])
				}
			}
			for id, state := range want {
				d, err := a.IngestRun(ctx, id)
				if err != nil || d.Run.State != state {
					t.Errorf("at t0+%s: run %d is %q (%v); want %s", tc.at, id, d.Run.State, err, state)
				}
			}
			// The API answers with the runs as listed: the state is
			// in their JSON, and a split run names its parts.
			d, err := a.IngestRun(ctx, split.ID)
			if err != nil {
				t.Fatal(err)
			}
			js, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(js), `"state":"`+tc.splitSt+`"`) || !strings.Contains(string(js), `"parts":2`) {
				t.Errorf("at t0+%s: run %d as the API answers: %s; want state %s and its 2 parts", tc.at, split.ID, js, tc.splitSt)
			}
		}
	})
}
