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

type waitArgs struct{}

func (waitArgs) Kind() string { return "test_wait" }

// waitWorker signals that it started, then waits for release or for its
// context to end, and reports which.
type waitWorker struct {
	river.WorkerDefaults[waitArgs]
	started  chan struct{}
	release  chan struct{}
	finished chan error
}

func (w *waitWorker) Work(ctx context.Context, _ *river.Job[waitArgs]) error {
	w.started <- struct{}{}
	select {
	case <-w.release:
		w.finished <- nil
	case <-ctx.Done():
		w.finished <- ctx.Err()
	}
	return nil
}

// TestQueueStopsGracefully: the context given to Start ending (a signal)
// does not cancel a running job; Stop lets it finish, and cancels it only
// when Stop's own deadline passes.
func TestQueueStopsGracefully(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for _, tc := range []struct {
			name    string
			release bool // the job finishes while Stop waits
			want    error
		}{
			{"running_job_finishes", true, nil},
			{"deadline_cancels_job", false, context.Canceled},
		} {
			t.Run(tc.name, func(t *testing.T) {
				w := &waitWorker{started: make(chan struct{}, 1), release: make(chan struct{}), finished: make(chan error, 1)}
				workers := river.NewWorkers()
				river.AddWorker(workers, w)
				cfg := jobs.Config{Workers: workers, PollInterval: 20 * time.Millisecond}
				if s.Dialect() == store.Postgres {
					cfg.DSN = storetest.DSN(t, s)
				}
				runCtx, signal := context.WithCancel(context.Background())
				q, err := jobs.Open(runCtx, s, cfg)
				if err != nil {
					t.Fatal(err)
				}
				if err := q.Start(runCtx); err != nil {
					t.Fatal(err)
				}
				if _, err := q.Insert(runCtx, waitArgs{}, nil); err != nil {
					t.Fatal(err)
				}
				select {
				case <-w.started:
				case <-time.After(20 * time.Second):
					t.Fatal("the job did not start")
				}
				signal() // SIGTERM: the server's context ends
				stopCtx, cancel := context.WithCancel(context.Background())
				stopped := make(chan error, 1)
				go func() { stopped <- q.Stop(stopCtx) }()
				if tc.release {
					close(w.release)
				} else {
					cancel() // the shutdown deadline passes
				}
				if got := <-w.finished; got != tc.want {
					t.Errorf("job ended with %v; want %v", got, tc.want)
				}
				if err := <-stopped; (err == nil) != tc.release {
					t.Errorf("Stop = %v", err)
				}
				cancel()
			})
		}
	})
}
