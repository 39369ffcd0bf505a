// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"vigil/internal/errs"
	"vigil/internal/jobs"
)

// SourceSweepEvery is how often the source sweep enqueues the runs that
// are due and raises missing-feed alerts.
const SourceSweepEvery = time.Minute

// SourceRunAttempts bounds the attempts of one scheduled run (River
// retries a failed one with its exponential backoff).
const SourceRunAttempts = 4

// sourceRunArgs is the job of one run of a source. Jobs are unique per
// source while one waits, runs or waits for its retry, so one node runs a
// source at a time (the store's lease backs this for `vigil source run`).
type sourceRunArgs struct {
	Source int64 `json:"source"`
}

// Kind implements river.JobArgs.
func (sourceRunArgs) Kind() string { return "source_run" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (sourceRunArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: SourceRunAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

type sourceRunWorker struct {
	river.WorkerDefaults[sourceRunArgs]
	a *App
	// timeout bounds one run (SourceRunTimeout, the run's lease).
	timeout time.Duration
}

// Timeout implements river.Worker: a run of a large feed (NVD,
// Shadowserver) takes longer than River's default minute.
func (w *sourceRunWorker) Timeout(*river.Job[sourceRunArgs]) time.Duration { return w.timeout }

// Work implements river.Worker: a failed run returns its error, so River
// retries it with backoff; a run held by another (a command's) returns
// nothing, the next sweep tries again.
func (w *sourceRunWorker) Work(ctx context.Context, j *river.Job[sourceRunArgs]) error {
	_, err := w.a.sourceRunByID(ctx, j.Args.Source)
	switch {
	case errors.Is(err, errs.ErrConflict):
		return nil
	case errors.Is(err, errs.ErrNotFound):
		return river.JobCancel(err) // the source was removed
	}
	return err
}

// sourceSweepArgs is the periodic sweep of the sources.
type sourceSweepArgs struct{}

// Kind implements river.JobArgs.
func (sourceSweepArgs) Kind() string { return "source_sweep" }

type sourceSweepWorker struct {
	river.WorkerDefaults[sourceSweepArgs]
	a *App
	q *jobs.Queue
	// timeout bounds one sweep (SourceSweepTimeout).
	timeout time.Duration
}

// Timeout implements river.Worker.
func (w *sourceSweepWorker) Timeout(*river.Job[sourceSweepArgs]) time.Duration { return w.timeout }

// Work implements river.Worker: it enqueues the due runs and raises the
// alerts that are due.
func (w *sourceSweepWorker) Work(ctx context.Context, _ *river.Job[sourceSweepArgs]) error {
	return w.a.SourceSweep(ctx, w.q)
}

// SourceSweep enqueues a run job for every source that is due on q, then
// raises the missing-feed alerts (SourceAlerts).
func (a *App) SourceSweep(ctx context.Context, q *jobs.Queue) error {
	due, err := a.st.SourceDue(ctx, a.now())
	if err != nil {
		return err
	}
	for _, s := range due {
		if _, err := q.Insert(ctx, sourceRunArgs{Source: s.ID}, nil); err != nil {
			return err
		}
	}
	_, err = a.SourceAlerts(ctx)
	return err
}

// sourceJobs registers the source workers and returns the periodic sweep
// and the function that hands the opened queue to the sweep.
func (a *App) sourceJobs(workers *river.Workers, lim jobLimits) (*river.PeriodicJob, func(*jobs.Queue)) {
	sweep := &sourceSweepWorker{a: a, timeout: lim.timeout(sourceSweepArgs{}.Kind())}
	river.AddWorker(workers, &sourceRunWorker{a: a, timeout: lim.timeout(sourceRunArgs{}.Kind())})
	river.AddWorker(workers, sweep)
	p := river.NewPeriodicJob(river.PeriodicInterval(SourceSweepEvery),
		func() (river.JobArgs, *river.InsertOpts) { return sourceSweepArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
	return p, func(q *jobs.Queue) { sweep.q = q }
}
