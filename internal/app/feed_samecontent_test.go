// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/ingest"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestFeedSkipsContentUnderWay hands `vigil ingest feed` a file whose
// content a split run (parts the nodes work) is still ingesting: it is
// skipped with a note naming that run, so its sightings are not counted a
// second time beside it; with --again it is ingested as a run of its own.
func TestFeedSkipsContentUnderWay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const path = "testdata/2025-06-01-scan_exchange-vigil_test-asn.csv"
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sha, err := ingest.HashFile(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		sp, err := ingest.PlanSplit(bytes.NewReader(data), ingest.EvenCuts(int64(len(data)), 2))
		if err != nil || len(sp.Parts) != 2 {
			t.Fatalf("split: %v (%+v)", err, sp)
		}
		run, err := ingest.StartSplit(ctx, s, data[:sp.HeaderEnd], sp, ingest.Options{Name: "upload.csv", FullReport: true, SHA256: sha})
		if err != nil {
			t.Fatal(err)
		}
		a := newApp(t, s, nil)
		sums, err := a.IngestFeeds(ctx, path, app.FeedOptions{})
		if err != nil || len(sums) != 1 {
			t.Fatalf("ingest beside the split run: %v %+v", err, sums)
		}
		if sums[0].RunID != run.ID || !strings.Contains(sums[0].Skipped, "is being ingested as upload.csv") || sums[0].Rows != 0 {
			t.Errorf("ingest beside split run %d: %+v, want it skipped naming the run", run.ID, sums[0])
		}
		var runs int
		if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM ingest_runs`).Scan(&runs); err != nil || runs != 1 {
			t.Errorf("runs after the skip: %d (%v), want the split run alone", runs, err)
		}
		sums, err = a.IngestFeeds(ctx, path, app.FeedOptions{Again: true})
		if err != nil || len(sums) != 1 || sums[0].Skipped != "" || sums[0].Rows == 0 || sums[0].RunID == run.ID {
			t.Errorf("ingest with --again: %v %+v, want a run of its own", err, sums)
		}
	})
}

// TestFeedStoppedSplitRunIngestible hands in again the content of a split
// run that stopped: a part cancelled or given up by the job queue, a part
// never enqueued, every node gone. A run that has not ended is under way
// only while it makes progress (a batch of one of its parts, a part done)
// within notify.run_grace, the time composition waits for it too; after
// that its content is ingested as a run of its own, not skipped forever.
func TestFeedStoppedSplitRunIngestible(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var clock atomic.Int64
	clock.Store(t0.UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	storetest.EachOpts(t, storetest.Options{Now: now}, func(t *testing.T, s *store.Store) {
		clock.Store(t0.UnixNano())
		ctx := context.Background()
		const path = "testdata/2025-06-01-scan_exchange-vigil_test-asn.csv"
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sha, err := ingest.HashFile(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		sp, err := ingest.PlanSplit(bytes.NewReader(data), ingest.EvenCuts(int64(len(data)), 2))
		if err != nil || len(sp.Parts) != 2 {
			t.Fatalf("split: %v (%+v)", err, sp)
		}
		run, err := ingest.StartSplit(ctx, s, data[:sp.HeaderEnd], sp, ingest.Options{Name: "upload.csv", FullReport: true, SHA256: sha})
		if err != nil {
			t.Fatal(err)
		}
		a := newApp(t, s, func(c *config.Config) { c.Notify.RunGrace = "2h" })
		// The first part commits a batch at 10:30 and then stops.
		clock.Store(t0.Add(90 * time.Minute).UnixNano())
		if err := s.Tx(ctx, func(tx *store.Store) error {
			p := sp.Parts[0]
			p.RunID, p.CommittedLine, p.Rows = run.ID, p.FirstLine, 1
			return tx.RunPartCheckpoint(ctx, &p, 0)
		}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			at      time.Duration // after t0
			skipped bool
		}{
			{at: time.Hour, skipped: true},                    // no batch yet, started an hour ago
			{at: 3*time.Hour + 29*time.Minute, skipped: true}, // the part's batch 1h59m ago
			{at: 3*time.Hour + 31*time.Minute, skipped: false},
		} {
			clock.Store(t0.Add(tc.at).UnixNano())
			sums, err := a.IngestFeeds(ctx, path, app.FeedOptions{})
			if err != nil || len(sums) != 1 {
				t.Fatalf("at t0+%s: %v %+v", tc.at, err, sums)
			}
			if got := sums[0].Skipped != ""; got != tc.skipped {
				t.Errorf("at t0+%s: skipped %v (%+v); want %v", tc.at, got, sums[0], tc.skipped)
			}
			if !tc.skipped && (sums[0].RunID == run.ID || sums[0].Rows == 0) {
				t.Errorf("at t0+%s: %+v, want a run of its own", tc.at, sums[0])
			}
		}
	})
}

// TestUploadSameContentAtOnce hands the same large report to two uploads
// at the same moment (two nodes on PostgreSQL, or two requests to one):
// one starts the split run, the other is skipped naming it, never two runs
// of one content side by side counting every sighting twice. Five reports,
// each its own content, each uploaded twice at once.
func TestUploadSameContentAtOnce(t *testing.T) {
	const path = "testdata/2025-06-01-scan_exchange-vigil_test-asn.csv"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		x := newApp(t, s, func(c *config.Config) {
			c.Ingest.SharedDir, c.Ingest.PartBytes = t.TempDir(), len(data)/2+1
			if s.Dialect() == store.Postgres {
				c.DB = storetest.DSN(t, s)
			}
		})
		j, err := x.OpenJobs(ctx) // the parts are enqueued, not worked
		if err != nil {
			t.Fatal(err)
		}
		defer j.Stop(ctx)
		for round := range 5 {
			report := bytes.Replace(data, []byte(`"2025-06-01 00:00:00"`), fmt.Appendf(nil, `"2025-06-01 00:00:0%d"`, round), 1)
			sha, err := ingest.HashFile(bytes.NewReader(report))
			if err != nil {
				t.Fatal(err)
			}
			var (
				wg   sync.WaitGroup
				sums [2]ingest.Summary
				errs [2]error
			)
			start := make(chan struct{})
			for i := range sums {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					sums[i], errs[i] = x.IngestUpload(ctx, "2025-06-01-scan_exchange-vigil_test-asn.csv", bytes.NewReader(report), app.FeedOptions{})
				}()
			}
			close(start)
			wg.Wait()
			var runs int
			if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM ingest_runs WHERE source_sha256 = ?`, sha).Scan(&runs); err != nil {
				t.Fatal(err)
			}
			parts := 0
			for i := range sums {
				if errs[i] != nil {
					t.Fatalf("round %d: upload %d: %v", round, i, errs[i])
				}
				parts += sums[i].Parts
			}
			if runs != 1 || parts != 2 || sums[0].RunID != sums[1].RunID || (sums[0].Skipped == "") == (sums[1].Skipped == "") {
				t.Fatalf("round %d: %d runs of the content, uploads %+v and %+v; want one split run in 2 parts and one upload skipped naming it",
					round, runs, sums[0], sums[1])
			}
		}
	})
}

// TestFeedDoneMeanwhileSkipped: a whole ingest of the same file that ends
// after `vigil ingest feed` looked whether the content was ingested
// completely, and before it started its run, is seen in the step that
// starts the run: the file is skipped naming that run, not ingested a
// second time counting every sighting again. The other ingest runs from
// the progress hook, which is called between the look and the start.
func TestFeedDoneMeanwhileSkipped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const path = "testdata/2025-06-01-scan_exchange-vigil_test-asn.csv"
		a := newApp(t, s, nil)
		var other []ingest.Summary
		hook := func(string, int64) (func(int64), func()) {
			if other == nil {
				var err error
				if other, err = a.IngestFeeds(ctx, path, app.FeedOptions{}); err != nil || len(other) != 1 || other[0].Skipped != "" {
					t.Fatalf("the other ingest: %v %+v", err, other)
				}
			}
			return func(int64) {}, func() {}
		}
		sums, err := a.IngestFeeds(ctx, path, app.FeedOptions{Progress: hook})
		if err != nil || len(sums) != 1 || other == nil {
			t.Fatalf("ingest: %v %+v (the other: %+v)", err, sums, other)
		}
		if sums[0].RunID != other[0].RunID || !strings.Contains(sums[0].Skipped, "was ingested completely") || sums[0].Rows != 0 {
			t.Errorf("ingest after the other ended: %+v; want it skipped naming run %d", sums[0], other[0].RunID)
		}
		var runs int
		if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM ingest_runs`).Scan(&runs); err != nil || runs != 1 {
			t.Errorf("runs: %d (%v); want the other ingest's alone", runs, err)
		}
	})
}

// TestFeedSplitRunMeanwhileSkipped: a split run of the same content that
// starts after `vigil ingest feed` looked for one (an upload of the same
// report to a node) and before it started its own run is seen in the step
// that starts the run: the file is skipped naming the split run, not
// ingested beside it counting every sighting twice. The split run starts
// from the progress hook, which is called between the look and the start.
func TestFeedSplitRunMeanwhileSkipped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const path = "testdata/2025-06-01-scan_exchange-vigil_test-asn.csv"
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sha, err := ingest.HashFile(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		sp, err := ingest.PlanSplit(bytes.NewReader(data), ingest.EvenCuts(int64(len(data)), 2))
		if err != nil || len(sp.Parts) != 2 {
			t.Fatalf("split: %v (%+v)", err, sp)
		}
		a := newApp(t, s, nil)
		var split ingest.Run
		hook := func(string, int64) (func(int64), func()) {
			if split.ID == 0 {
				if split, err = ingest.StartSplit(ctx, s, data[:sp.HeaderEnd], sp, ingest.Options{Name: "upload.csv", FullReport: true, SHA256: sha}); err != nil {
					t.Fatalf("the split run: %v", err)
				}
			}
			return func(int64) {}, func() {}
		}
		sums, err := a.IngestFeeds(ctx, path, app.FeedOptions{Progress: hook})
		if err != nil || len(sums) != 1 || split.ID == 0 {
			t.Fatalf("ingest: %v %+v (the split run: %+v)", err, sums, split)
		}
		if sums[0].RunID != split.ID || !strings.Contains(sums[0].Skipped, "is being ingested as upload.csv") || sums[0].Rows != 0 {
			t.Errorf("ingest after split run %d started: %+v; want it skipped naming that run", split.ID, sums[0])
		}
		var runs, sightings int
		if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM ingest_runs`).Scan(&runs); err != nil || runs != 1 {
			t.Errorf("runs: %d (%v); want the split run alone", runs, err)
		}
		if err := s.QueryRow(ctx, `SELECT COALESCE(SUM(seen_count), 0) FROM findings`).Scan(&sightings); err != nil || sightings != 0 {
			t.Errorf("sightings: %d (%v); want none beside the split run, whose parts have not run", sightings, err)
		}
	})
}
