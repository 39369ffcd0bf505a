// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify_test

import (
	"context"
	"encoding/json"
	"net/netip"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"vigil/internal/finding"
	"vigil/internal/jobs"
	"vigil/internal/notify"
	"vigil/internal/notify/smtpsink"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// slowCompose holds every composition step for a while before it runs:
// a composition that takes longer than the queue's default job timeout.
type slowCompose struct {
	notify.ComposeStore
	wait time.Duration
}

func (s slowCompose) NotifyCompose(ctx context.Context, req notify.ComposeRequest, plan func(*notify.Batch) *notify.Plan) (notify.ComposeResult, error) {
	select {
	case <-ctx.Done():
		return notify.ComposeResult{}, ctx.Err()
	case <-time.After(s.wait):
	}
	return s.ComposeStore.NotifyCompose(ctx, req, plan)
}

// openQueue opens a job queue on s (with workers: it works jobs once
// started; without, it only inserts).
func openQueue(t *testing.T, s *store.Store, cfg jobs.Config) *jobs.Queue {
	t.Helper()
	if s.Dialect() == store.Postgres {
		cfg.DSN = storetest.DSN(t, s)
	}
	q, err := jobs.Open(context.Background(), s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestSweepJobs: sweeps enqueued by several nodes collapse into one job,
// and a sweep whose composition outlasts the queue's default job timeout
// still composes and delivers.
func TestSweepJobs(t *testing.T) {
	t0 := time.Now().UTC()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		t.Run("unique_while_waiting", func(t *testing.T) {
			q := openQueue(t, s, jobs.Config{})
			defer q.Stop(ctx)
			var ids []int64
			for range 3 {
				id, err := q.Insert(ctx, notify.SweepArgs{}, nil)
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			if ids[0] != ids[1] || ids[1] != ids[2] {
				t.Fatalf("three sweeps enqueued as jobs %v; want one job", ids)
			}
			var n int
			if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM river_job WHERE kind = 'notify_sweep'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Fatalf("%d sweep jobs; want 1", n)
			}
			if _, err := s.Exec(ctx, `DELETE FROM river_job WHERE kind = 'notify_sweep'`); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("composes_past_the_default_job_timeout", func(t *testing.T) {
			clk := &testClock{t: t0}
			e := newDeliveryEnv(t, s, clk, smtpsink.Options{})
			a := netip.MustParseAddr("198.51.100.40")
			sg := finding.Sighting{OrgID: e.org.ID, TriggerID: e.trig, Type: "vulnerable-system", ReportType: "scan_exchange", Key: finding.KeyFor(a, 443),
				IP: a, Port: 443, Severity: finding.Critical, Time: clk.Now(), Evidence: json.RawMessage(`{"ip":"198.51.100.40"}`)}
			if err := s.Tx(ctx, func(tx *store.Store) error { _, _, err := tx.FindingUpsert(ctx, 0, []finding.Sighting{sg}); return err }); err != nil {
				t.Fatal(err)
			}
			// Every step waits ten times the queue's job timeout: a
			// sweep bound by that timeout never composes.
			n := notify.NewNotifier(notify.NotifierConfig{Store: slowCompose{ComposeStore: s, wait: 500 * time.Millisecond}, Now: clk.Now,
				PlanConfig: notify.PlanConfig{Languages: e.renderer.Languages()}})
			j := &notify.Jobs{Deliverer: e.deliverer(t, s, 8), Notifier: n, Outbox: s, Now: clk.Now}
			workers := river.NewWorkers()
			j.Register(workers)
			q := openQueue(t, s, jobs.Config{Workers: workers, PollInterval: 20 * time.Millisecond, JobTimeout: 50 * time.Millisecond,
				PeriodicJobs: j.Periodic(time.Hour)})
			j.Queue = q
			if err := q.Start(ctx); err != nil {
				t.Fatal(err)
			}
			defer q.Stop(ctx)
			wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if err := e.sink.Wait(wctx, 1); err != nil {
				t.Fatalf("no notice delivered: %v; outbox %v", err, e.states(t))
			}
		})
	})
}
