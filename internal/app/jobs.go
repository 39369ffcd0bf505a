// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"vigil/internal/errs"
	"vigil/internal/jobs"
	"vigil/internal/notify"
	"vigil/internal/store"
)

// SweepEvery is how often the notify sweep composes notices and enqueues
// due deliveries.
const SweepEvery = 30 * time.Second

// Job timeouts of the kinds whose bound is not configured. River cancels a
// job at its timeout (its default is a minute, too short for most of
// vigil's jobs), so every worker vigil registers sets one of its own
// (TestEveryJobKindHasTimeout).
const (
	// SourceRunTimeout bounds one scheduled run of a source: the run's
	// lease (SourceLease), after which another run may take the source.
	SourceRunTimeout = SourceLease
	// SourceSweepTimeout bounds the source sweep (enqueueing the due runs
	// and raising the missing-feed alerts).
	SourceSweepTimeout = 5 * time.Minute
	// RetentionPurgeTimeout bounds the daily retention purge; a purge cut
	// short deletes the rest at its retry or the next day.
	RetentionPurgeTimeout = 30 * time.Minute
	// RDAPRefreshTimeout bounds the daily refresh of the RDAP bootstrap
	// files (a few small downloads).
	RDAPRefreshTimeout = 5 * time.Minute
)

// jobLimits are the job timeouts and the rescue window the configuration
// sets.
type jobLimits struct {
	// part bounds one attempt at a part of a split ingest
	// (ingest.part_timeout).
	part time.Duration
	// rescue is jobs.rescue_after (0: River's default, an hour).
	rescue time.Duration
}

// bound returns a fixed timeout d as the queue applies it: a rescue window
// below a minute (crash tests, labs) caps it, as it caps jobs without a
// timeout of their own.
func (l jobLimits) bound(d time.Duration) time.Duration {
	if l.rescue > 0 && l.rescue < time.Minute {
		return min(d, l.rescue)
	}
	return d
}

// jobTimeout is one job kind's timeout and the setting or reason it
// comes from.
type jobTimeout struct {
	kind    string
	timeout time.Duration
	from    string
}

// timeouts returns the timeout of every job kind vigil registers.
func (l jobLimits) timeouts() []jobTimeout {
	return []jobTimeout{
		{notify.SweepArgs{}.Kind(), l.bound(notify.DefaultSweepTimeout), "the notify sweep"},
		{notify.DeliverArgs{}.Kind(), l.bound(notify.DefaultDeliverTimeout), "a delivery"},
		{rdapRefreshArgs{}.Kind(), l.bound(RDAPRefreshTimeout), "the RDAP bootstrap refresh"},
		{ingestPartArgs{}.Kind(), l.part, "ingest.part_timeout"},
		{sourceRunArgs{}.Kind(), l.bound(SourceRunTimeout), "a source run's lease"},
		{sourceSweepArgs{}.Kind(), l.bound(SourceSweepTimeout), "the source sweep"},
		{retentionPurgeArgs{}.Kind(), l.bound(RetentionPurgeTimeout), "the retention purge"},
	}
}

// timeout returns kind's timeout (0 for a kind timeouts does not list).
func (l jobLimits) timeout(kind string) time.Duration {
	ts := l.timeouts()
	if i := slices.IndexFunc(ts, func(t jobTimeout) bool { return t.kind == kind }); i >= 0 {
		return ts[i].timeout
	}
	return 0
}

// jobTimes returns the job limits the configuration sets, checked against
// each other: the rescue window must not be shorter than any job kind's
// timeout, or a job still running would be taken for stuck and run twice,
// and notify.run_grace must be longer than the rescue window
// (checkRunGrace).
func (a *App) jobTimes() (jobLimits, error) {
	l := jobLimits{part: PartTimeout}
	var err error
	if v := a.cfg.Ingest.PartTimeout; v != "" {
		if l.part, err = time.ParseDuration(v); err != nil || l.part <= 0 {
			return jobLimits{}, errs.FieldKeyed("ingest.part_timeout", v, "duration.positive45", "not a positive duration (e.g. 45m)")
		}
	}
	if v := a.cfg.Jobs.RescueAfter; v != "" {
		if l.rescue, err = time.ParseDuration(v); err != nil || l.rescue <= 0 {
			return jobLimits{}, errs.FieldKeyed("jobs.rescue_after", v, "duration.positive1h", "not a positive duration (e.g. 1h)")
		}
		for _, t := range l.timeouts() {
			if l.rescue < t.timeout {
				return jobLimits{}, errs.FieldKeyed("jobs.rescue_after", v, "jobs.rescue", "shorter than the timeout of job %s (%s, %s): a job still running would be taken for stuck", t.kind, t.timeout, t.from)
			}
		}
	}
	if err := a.checkRunGrace(l.rescue); err != nil {
		return jobLimits{}, err
	}
	return l, nil
}

// riverRescueAfter is River's rescue window, the one a node has when
// jobs.rescue_after is unset.
const riverRescueAfter = time.Hour

// checkRunGrace refuses a notify.run_grace not longer than the rescue
// window (rescue; 0: River's). A run without progress for the grace is
// taken as stopped, and the same content handed in again is ingested anew
// beside it (RunContentClaim); a part of the stopped run that the rescuer
// retries after that would resume it, and both would count the part's
// rows. A grace longer than the window leaves the rescue inside it.
func (a *App) checkRunGrace(rescue time.Duration) error {
	grace, err := a.runGrace()
	if err != nil {
		return err
	}
	if rescue <= 0 {
		rescue = riverRescueAfter
	}
	if grace <= rescue {
		return errs.FieldKeyed("notify.run_grace", a.cfg.Notify.RunGrace, "notify.grace.rescue",
			"not longer than jobs.rescue_after (%s): a part rescued after the grace could resume after its content was ingested again", rescue)
	}
	return nil
}

// Jobs is this node's background work on the job queue (River on the
// store's database; on PostgreSQL shared with the other nodes, each job
// claimed by one): notice composition at every sweep, outbox delivery, the
// daily RDAP bootstrap refresh, and the scheduled sources' runs and alerts.
type Jobs struct {
	q *jobs.Queue
	d *Delivery
}

// OpenJobs builds the workers and the periodic jobs and opens the queue;
// Start starts working.
func (a *App) OpenJobs(ctx context.Context) (*Jobs, error) { return a.openJobs(ctx, 0) }

// openJobs is OpenJobs with jobs that set no timeout of their own bounded
// by dflt (0: River's minute); tests shorten it to show that no worker
// relies on it.
func (a *App) openJobs(ctx context.Context, dflt time.Duration) (*Jobs, error) {
	lim, err := a.jobTimes()
	if err != nil {
		return nil, err
	}
	d, err := a.Delivery(ctx)
	if err != nil {
		return nil, err
	}
	w := a.jobWorkers(lim, d)
	cfg := jobs.Config{Workers: w.workers, PeriodicJobs: w.periodic, Logger: a.log,
		Queues: map[string]int{IngestQueue: 1}, RescueAfter: lim.rescue, JobTimeout: dflt}
	if a.st.Dialect() == store.Postgres {
		cfg.DSN = a.cfg.DB
	}
	q, err := jobs.Open(ctx, a.st, cfg)
	if err != nil {
		d.Close()
		return nil, err
	}
	w.setQueue(q)
	a.jobsQ = q
	return &Jobs{q: q, d: d}, nil
}

// jobWorkers are the registered workers and the periodic jobs of a node.
type jobWorkers struct {
	workers  *river.Workers
	periodic []*river.PeriodicJob
	// setQueue hands the opened queue to the workers that enqueue.
	setQueue func(*jobs.Queue)
}

// jobWorkers registers every worker with its timeout from lim; d may be
// nil when no job is worked (tests that list the workers).
func (a *App) jobWorkers(lim jobLimits, d *Delivery) jobWorkers {
	workers := river.NewWorkers()
	nj := &notify.Jobs{Outbox: a.st, Now: a.st.Now, Logger: a.log,
		SweepTimeout:   lim.timeout(notify.SweepArgs{}.Kind()),
		DeliverTimeout: lim.timeout(notify.DeliverArgs{}.Kind())}
	if d != nil {
		nj.Deliverer, nj.Notifier = d.Deliverer, d.Notifier
	}
	nj.Register(workers)
	river.AddWorker(workers, &rdapRefreshWorker{a: a, timeout: lim.timeout(rdapRefreshArgs{}.Kind())})
	river.AddWorker(workers, &ingestPartWorker{a: a, timeout: lim.part})
	sourceSweep, sourceQueue := a.sourceJobs(workers, lim)
	periodic := append(nj.Periodic(SweepEvery), sourceSweep, a.retentionJobs(workers, lim))
	if a.cfg.RDAPRefresh {
		periodic = append(periodic, rdapRefreshPeriodic())
	}
	return jobWorkers{workers: workers, periodic: periodic, setQueue: func(q *jobs.Queue) {
		nj.Queue = q
		sourceQueue(q)
	}}
}

// Start starts working jobs. Cancelling ctx does not stop them: Stop does.
func (j *Jobs) Start(ctx context.Context) error { return j.q.Start(ctx) }

// Stop stops the queue gracefully (running jobs get until ctx ends to
// finish, then they are cancelled; see jobs.Queue.Stop) and closes the
// delivery wiring. A delivery cut short is not lost: its outbox row is
// retried, or waits for an operator when an e-mail may have left.
func (j *Jobs) Stop(ctx context.Context) error {
	err := j.q.Stop(ctx)
	j.d.Close()
	return err
}
