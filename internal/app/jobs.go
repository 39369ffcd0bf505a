// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"vigil/internal/jobs"
	"vigil/internal/notify"
	"vigil/internal/store"
)

// SweepEvery is how often the notify sweep composes notices and enqueues
// due deliveries.
const SweepEvery = 30 * time.Second

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
func (a *App) OpenJobs(ctx context.Context) (*Jobs, error) {
	partTimeout, rescue, err := a.jobTimes()
	if err != nil {
		return nil, err
	}
	d, err := a.Delivery(ctx)
	if err != nil {
		return nil, err
	}
	workers := river.NewWorkers()
	nj := &notify.Jobs{Deliverer: d.Deliverer, Notifier: d.Notifier, Outbox: a.st, Now: a.st.Now, Logger: a.log}
	nj.Register(workers)
	river.AddWorker(workers, &rdapRefreshWorker{a: a})
	river.AddWorker(workers, &ingestPartWorker{a: a, timeout: partTimeout})
	sourceSweep, sourceQueue := a.sourceJobs(workers)
	cfg := jobs.Config{Workers: workers, PeriodicJobs: append(nj.Periodic(SweepEvery), sourceSweep, a.retentionJobs(workers)), Logger: a.log,
		Queues: map[string]int{IngestQueue: 1}, RescueAfter: rescue}
	if a.cfg.RDAPRefresh {
		cfg.PeriodicJobs = append(cfg.PeriodicJobs, rdapRefreshPeriodic())
	}
	if a.st.Dialect() == store.Postgres {
		cfg.DSN = a.cfg.DB
	}
	q, err := jobs.Open(ctx, a.st, cfg)
	if err != nil {
		d.Close()
		return nil, err
	}
	nj.Queue = q
	sourceQueue(q)
	a.jobsQ = q
	return &Jobs{q: q, d: d}, nil
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
