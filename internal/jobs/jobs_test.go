// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package jobs_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"vigil/internal/jobs"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

type addArgs struct {
	N int64 `json:"n"`
}

func (addArgs) Kind() string { return "test_add" }

type addWorker struct {
	river.WorkerDefaults[addArgs]
	sum *atomic.Int64
}

func (w *addWorker) Work(_ context.Context, j *river.Job[addArgs]) error {
	w.sum.Add(j.Args.N)
	return nil
}

func TestQueueWorksJobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var sum atomic.Int64
		workers := river.NewWorkers()
		river.AddWorker(workers, &addWorker{sum: &sum})
		cfg := jobs.Config{Workers: workers, PollInterval: 20 * time.Millisecond}
		if s.Dialect() == store.Postgres {
			cfg.DSN = storetest.DSN(t, s)
		}
		q, err := jobs.Open(ctx, s, cfg)
		if err != nil {
			t.Fatal(err)
		}
		done, cancel := q.Subscribe(river.EventKindJobCompleted)
		defer cancel()
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer q.Stop(ctx)
		for _, n := range []int64{1, 2, 39} {
			if _, err := q.Insert(ctx, addArgs{N: n}, nil); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < 3; i++ {
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatalf("only %d of 3 jobs completed", i)
			}
		}
		if got := sum.Load(); got != 42 {
			t.Errorf("sum = %d; want 42", got)
		}
	})
}
