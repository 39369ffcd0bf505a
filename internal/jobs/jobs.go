// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package jobs runs vigil's background work on River: riversqlite on the
// SQLite store, riverpgxv5 on PostgreSQL, where several vigil nodes share
// the queue and every job is claimed by exactly one of them. The jobs are
// registered by internal/app (app.OpenJobs): notice composition at every
// sweep and outbox delivery (internal/notify), the scheduled sources' runs,
// the parts of a split ingest, the daily retention purge and RDAP bootstrap
// refresh. Every worker sets a Timeout of its own, no longer than
// Config.RescueAfter: JobTimeout (River's minute by default) is too short
// for most of them.
//
// Work that must not be lost is recorded in the store first (an outbox row)
// and a job only points at it, so a crash between commit and enqueue loses
// nothing: a periodic sweep enqueues what is still pending.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"vigil/internal/store"
)

// Config tunes the queue.
type Config struct {
	// DSN is the PostgreSQL URL (needed on PostgreSQL only, where River uses
	// its own pgx pool).
	DSN string
	// Workers are the registered job workers; nil means this node only
	// inserts jobs.
	Workers *river.Workers
	// MaxWorkers bounds concurrent jobs on this node (default 4).
	MaxWorkers int
	// Queues are further queues beside the default one, with the most
	// jobs of each this node works at once (a queue of heavy jobs with 1
	// spreads them over the nodes).
	Queues map[string]int
	// PollInterval is how often idle nodes look for jobs (default 1s).
	PollInterval time.Duration
	// PeriodicJobs run on a schedule (for example the outbox sweep).
	PeriodicJobs []*river.PeriodicJob
	// JobTimeout bounds a job whose worker sets no Timeout of its own
	// (default River's, a minute).
	JobTimeout time.Duration
	// RescueAfter is how long a job may stay running before the leader
	// takes it for stuck (its node died) and schedules it again (default
	// River's, an hour). River waits at least the job's own timeout
	// either way. Below a minute it also becomes the timeout of jobs
	// without one of their own, as River's rescue window must not be
	// shorter than that.
	RescueAfter time.Duration
	Logger      *slog.Logger
}

// client is what vigil uses of a *river.Client, whatever its driver.
type client interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func())
}

// Queue is a River client bound to the store's database.
type Queue struct {
	c     client
	close func()
}

// Open migrates River's tables and returns a queue on s's database.
func Open(ctx context.Context, s *store.Store, cfg Config) (*Queue, error) {
	if cfg.MaxWorkers <= 0 {
		cfg.MaxWorkers = 4
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RescueAfter > 0 && cfg.JobTimeout <= 0 && cfg.RescueAfter < river.JobTimeoutDefault {
		cfg.JobTimeout = cfg.RescueAfter
	}
	rc := &river.Config{
		Logger:               cfg.Logger,
		FetchPollInterval:    cfg.PollInterval,
		FetchCooldown:        min(cfg.PollInterval, river.FetchCooldownDefault),
		PeriodicJobs:         cfg.PeriodicJobs,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		Workers:              cfg.Workers,
	}
	if cfg.Workers != nil {
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.MaxWorkers}}
		for name, n := range cfg.Queues {
			rc.Queues[name] = river.QueueConfig{MaxWorkers: max(n, 1)}
		}
	}
	switch s.Dialect() {
	case store.SQLite:
		drv := riversqlite.New(s.DB())
		if err := migrate(ctx, drv); err != nil {
			return nil, err
		}
		rc.PollOnly = true
		c, err := river.NewClient(drv, rc)
		if err != nil {
			return nil, fmt.Errorf("job queue: %w", err)
		}
		return &Queue{c: c, close: func() {}}, nil
	case store.Postgres:
		if cfg.DSN == "" {
			return nil, fmt.Errorf("job queue: PostgreSQL needs the DSN")
		}
		pool, err := pgxpool.New(ctx, cfg.DSN)
		if err != nil {
			return nil, fmt.Errorf("job queue: %w", err)
		}
		drv := riverpgxv5.New(pool)
		if err := migrateLocked(ctx, pool, drv); err != nil {
			pool.Close()
			return nil, err
		}
		c, err := river.NewClient(drv, rc)
		if err != nil {
			pool.Close()
			return nil, fmt.Errorf("job queue: %w", err)
		}
		return &Queue{c: c, close: pool.Close}, nil
	}
	return nil, fmt.Errorf("job queue: unsupported dialect %q", s.Dialect())
}

// migrateLock is the PostgreSQL advisory lock key under which a node
// migrates River's tables ("vigil-rv" in ASCII).
const migrateLock = 0x7669_6769_6c2d_7276

// migrateLocked migrates River's tables on PostgreSQL while holding an
// advisory lock: several nodes starting on a new database at once would
// otherwise create the same tables concurrently and all but one fail.
func migrateLocked(ctx context.Context, pool *pgxpool.Pool, drv *riverpgxv5.Driver) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("job queue migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(migrateLock)); err != nil {
		return fmt.Errorf("job queue migrate: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(migrateLock)) //nolint:errcheck // the lock ends with the session anyway
	return migrate(ctx, drv)
}

func migrate[TTx any](ctx context.Context, drv riverdriver.Driver[TTx]) error {
	m, err := rivermigrate.New(drv, nil)
	if err != nil {
		return fmt.Errorf("job queue migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("job queue migrate: %w", err)
	}
	return nil
}

// Insert enqueues a job. Unique options in opts make repeated inserts of the
// same work collapse into one job.
func (q *Queue) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (int64, error) {
	r, err := q.c.Insert(ctx, args, opts)
	if err != nil {
		return 0, fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return r.Job.ID, nil
}

// Start starts working jobs until Stop. Cancelling ctx (a signal) does not
// stop the queue or cancel running jobs: Stop does, gracefully.
func (q *Queue) Start(ctx context.Context) error { return q.c.Start(context.WithoutCancel(ctx)) }

// HardStopWait bounds how long Stop waits for jobs to return after it has
// cancelled them.
const HardStopWait = 10 * time.Second

// Stop stops fetching jobs and lets the running ones finish until ctx ends
// (a graceful stop). Jobs still running then have their contexts cancelled,
// and Stop waits up to HardStopWait for them to return; it then returns
// ctx's error. The queue's own connections are closed either way.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.c.Stop(ctx)
	if err != nil {
		hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), HardStopWait)
		_ = q.c.StopAndCancel(hard)
		cancel()
	}
	q.close()
	return err
}

// Subscribe returns a channel of job events of the given kinds (tests and
// progress reporting use it) and a function that cancels the subscription.
func (q *Queue) Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	return q.c.Subscribe(kinds...)
}
