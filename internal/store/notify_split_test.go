// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"context"
	"testing"
	"time"

	"vigil/internal/finding"
	"vigil/internal/ingest"
	"vigil/internal/notify"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestNotifyComposeSplitRunProgress: composition waits for a run that
// has not ended while it makes progress within the grace. The parts of a
// split run commit their batches with their own resume points and leave
// the run's row alone until a part is done, so the parts' batches are its
// progress: a split run whose first part is still committing three hours
// after the start has not stopped, and its items wait for its end.
func TestNotifyComposeSplitRunProgress(t *testing.T) {
	clk := &notifyClock{t: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	t0 := clk.Now()
	storetest.EachOpts(t, storetest.Options{Now: clk.Now}, func(t *testing.T, s *store.Store) {
		clk.Set(t0)
		ctx := context.Background()
		org, trig := orgTrigger(t, s, "Waterschap", "scan_exchange")
		run := ingest.Run{Source: "big.csv", FeedType: "shadowserver", ReportType: "scan_exchange", TriggerID: trig, FullReport: true}
		parts := []ingest.RunPart{{Index: 0, Start: 10, End: 20, FirstLine: 2}, {Index: 1, Start: 20, End: 30, FirstLine: 40}}
		if err := s.RunSplitStart(ctx, &run, parts); err != nil {
			t.Fatal(err)
		}
		for i, at := range []time.Duration{time.Hour, 3 * time.Hour} {
			clk.Set(t0.Add(at))
			sg := notifySighting(org.ID, trig, "192.0.2.10", uint16(443+i), finding.Critical, clk.Now())
			if err := s.Tx(ctx, func(tx *store.Store) error {
				if _, _, err := tx.FindingUpsert(ctx, run.ID, []finding.Sighting{sg}); err != nil {
					return err
				}
				p := parts[0]
				p.CommittedLine, p.Rows = p.FirstLine+int64(i), int64(i+1)
				return tx.RunPartCheckpoint(ctx, &p, parts[0].CommittedLine)
			}); err != nil {
				t.Fatal(err)
			}
			parts[0].CommittedLine = parts[0].FirstLine + int64(i)
		}
		for _, tc := range []struct {
			at    time.Duration
			ended bool
		}{
			{at: 3*time.Hour + 30*time.Minute, ended: false}, // the part's last batch 30 minutes ago
			{at: 5*time.Hour + 1*time.Minute, ended: true},   // none for longer than the grace: stopped
		} {
			clk.Set(t0.Add(tc.at))
			var ended map[int64]bool
			if _, err := s.NotifyCompose(ctx, notify.ComposeRequest{Now: clk.Now(), Limit: 100, Grace: 2 * time.Hour, DryRun: true},
				func(b *notify.Batch) *notify.Plan {
					ended = b.Ended
					return &notify.Plan{}
				}); err != nil {
				t.Fatal(err)
			}
			if ended[run.ID] != tc.ended {
				t.Errorf("at t0+%s: run %d taken as ended %v; want %v", tc.at, run.ID, ended[run.ID], tc.ended)
			}
		}
	})
}
