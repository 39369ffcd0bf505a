// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"vigil/internal/app"
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
