// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"vigil/internal/errs"
)

// DeliverArgs is the River job that sends one outbox row. It carries only
// the row's id: everything else is read from the outbox when the job runs.
type DeliverArgs struct {
	OutboxID int64 `json:"outbox_id"`
}

// Kind implements river.JobArgs.
func (DeliverArgs) Kind() string { return "notify_deliver" }

// InsertOpts makes repeated enqueues of the same row collapse into one
// job while it waits or runs (the sweep enqueues every due row each time).
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		// Delivery retries are the outbox's (backoff, dead after N); River
		// must not retry on its own.
		MaxAttempts: 1,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
			rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
			rivertype.JobStateScheduled, rivertype.JobStateRetryable,
		}},
	}
}

// SweepArgs is the periodic River job that composes notices from new
// events (when the Jobs have a Notifier) and enqueues a DeliverArgs job
// for every due outbox row, so that nothing committed is lost when the
// process died between commit and enqueue.
type SweepArgs struct{}

// Kind implements river.JobArgs.
func (SweepArgs) Kind() string { return "notify_sweep" }

// InsertOpts makes the sweep unique while one waits or runs: the leader's
// schedule, a new leader's run at start and a split run that ended on any
// node then enqueue one sweep between them, not one each. A sweep enqueued
// while another runs is dropped; the running one or the next on the
// schedule composes what arrived meanwhile.
func (SweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateScheduled, rivertype.JobStateRetryable,
	}}}
}

// DefaultSweepTimeout is how long one sweep job may run by default
// (Jobs.SweepTimeout): composing the notices of a run that ended over tens
// of thousands of organisations takes longer than River's default minute.
// Every composition batch commits with its cursor, so a sweep cut short
// loses nothing; the next one goes on from there.
const DefaultSweepTimeout = 30 * time.Minute

// DefaultDeliverTimeout is how long one delivery job may run by default
// (Jobs.DeliverTimeout): room for a slow SMTP server inside the outbox
// lease.
const DefaultDeliverTimeout = 2 * time.Minute

// Enqueuer inserts jobs (a *jobs.Queue).
type Enqueuer interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (int64, error)
}

// Jobs wires notify into the job queue. Register its workers before
// jobs.Open and set Queue afterwards:
//
//	j := &notify.Jobs{Deliverer: d, Notifier: n}
//	workers := river.NewWorkers()
//	j.Register(workers)
//	q, err := jobs.Open(ctx, st, jobs.Config{Workers: workers, PeriodicJobs: j.Periodic(30 * time.Second)})
//	j.Queue = q
type Jobs struct {
	Deliverer *Deliverer
	// Notifier, when set, composes notices at every sweep.
	Notifier *Notifier
	// Outbox lists the due rows.
	Outbox Outbox
	Queue  Enqueuer
	// SweepTimeout bounds one sweep job (default DefaultSweepTimeout).
	SweepTimeout time.Duration
	// DeliverTimeout bounds one delivery job (default
	// DefaultDeliverTimeout).
	DeliverTimeout time.Duration
	Now            func() time.Time
	Logger         *slog.Logger
}

// Register adds the delivery and sweep workers.
func (j *Jobs) Register(w *river.Workers) {
	river.AddWorker(w, &deliverWorker{j: j})
	river.AddWorker(w, &sweepWorker{j: j})
}

// Periodic returns the sweep as a periodic job every interval (default
// 30 s), run once at start.
func (j *Jobs) Periodic(every time.Duration) []*river.PeriodicJob {
	if every <= 0 {
		every = 30 * time.Second
	}
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})}
}

// Sweep composes (when a Notifier is set) and enqueues the due rows; it
// returns how many jobs it enqueued.
func (j *Jobs) Sweep(ctx context.Context) (int, error) {
	if j.Queue == nil {
		return 0, errors.New("notify jobs: Queue not set")
	}
	if j.Notifier != nil {
		if _, err := j.Notifier.Compose(ctx, false); err != nil {
			return 0, err
		}
	}
	now := time.Now
	if j.Now != nil {
		now = j.Now
	}
	ids, err := j.Outbox.OutboxDue(ctx, now().UTC(), 10000)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, err := j.Queue.Insert(ctx, DeliverArgs{OutboxID: id}, nil); err != nil {
			return 0, fmt.Errorf("enqueue delivery %d: %w", id, err)
		}
	}
	return len(ids), nil
}

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	j *Jobs
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	_, err := w.j.Deliverer.Deliver(ctx, job.Args.OutboxID)
	if errs.CodeOf(err) == errs.NotFound {
		return nil // handled by another worker, or not due yet: the sweep comes back
	}
	return err
}

// Timeout is the Jobs' DeliverTimeout, by default room for a slow SMTP
// server inside the outbox lease.
func (w *deliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration {
	if w.j.DeliverTimeout > 0 {
		return w.j.DeliverTimeout
	}
	return DefaultDeliverTimeout
}

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	j *Jobs
}

// Timeout is the Jobs' SweepTimeout instead of River's default minute.
func (w *sweepWorker) Timeout(*river.Job[SweepArgs]) time.Duration {
	if w.j.SweepTimeout > 0 {
		return w.j.SweepTimeout
	}
	return DefaultSweepTimeout
}

func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	n, err := w.j.Sweep(ctx)
	if err == nil && n > 0 && w.j.Logger != nil {
		w.j.Logger.Info("notify sweep", "enqueued", n)
	}
	return err
}
