// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package ingest_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"vigil/internal/ingest"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestFeedFailedRunResumedAtOnce: an ingest that ends with an error (here
// its run's end refused, as a refused audit entry refuses it) marks its
// run stopped (and the runs lists show it so), so the same content handed
// in again at once resumes and ends that run instead of being skipped as
// still being ingested until notify.run_grace has passed.
func TestFeedFailedRunResumedAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		registryFixture(t, s)
		data := exchangeTimes(t, 1)
		sha, err := ingest.HashFile(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		ix, err := ingest.BuildIndex(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		refused := errors.New("the run's end refused")
		opts := ingest.Options{Name: "upload.csv", SHA256: sha, FullReport: true, RunGrace: 2 * time.Hour,
			Ended: func(context.Context, ingest.Store, ingest.Run) error { return refused }}
		first, err := ingest.Feed(ctx, s, ix, bytes.NewReader(data), opts)
		if !errors.Is(err, refused) {
			t.Fatalf("first ingest: %+v, %v; want the refusal", first, err)
		}
		if st, err := s.RunGet(ctx, first.RunID, time.Time{}); err != nil || st.State != ingest.StateStopped {
			t.Errorf("run %d after the failed ingest: %q, %v; want it shown stopped", first.RunID, st.State, err)
		}
		opts.Ended = nil
		again := feedBytes(t, s, data, opts)
		if again.Skipped != "" || !again.Resumed || again.RunID != first.RunID {
			t.Errorf("the same content again at once: %+v; want run %d resumed", again, first.RunID)
		}
		var open int
		if err := s.QueryRow(ctx, `SELECT COUNT(*) - COUNT(finished_at) FROM ingest_runs WHERE source_sha256 = ?`, sha).Scan(&open); err != nil || open != 0 {
			t.Errorf("%d runs of the content unfinished (%v); want the resumed run ended", open, err)
		}
	})
}
