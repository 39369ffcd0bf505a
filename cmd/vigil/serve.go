// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/spf13/cobra"

	"vigil/internal/jobs"
	"vigil/internal/netguard"
	"vigil/internal/notify"
	"vigil/internal/store"
	"vigil/internal/web"
	"vigil/internal/web/labels"
)

func (a *app) serveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the REST API, health checks and metrics",
		Args:  usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", a.cfg.Addr)
			if err != nil {
				return fmt.Errorf("listen %s: %w", a.cfg.Addr, err)
			}
			a.log.Info("serving", "url", "http://"+ln.Addr().String())
			return a.serve(ctx, s, ln)
		},
	}
	cmd.Flags().StringVar(&a.cfg.Addr, "addr", a.cfg.Addr, "listen address (env VIGIL_ADDR)")
	a.ratingFlags(cmd)
	return cmd
}

// serve runs the HTTP server on ln until ctx ends, then shuts down
// gracefully. It serves the REST API and the public label registry.
func (a *app) serve(ctx context.Context, s *store.Store, ln net.Listener) error {
	svc, err := a.rating(ctx)
	if err != nil {
		return err
	}
	public := web.AckRoutes(s, a.log)
	for _, r := range labels.New(svc, a.log).Routes() {
		public = append(public, web.PublicRoute{ID: operationID(r.Method, r.Path), Method: r.Method, Path: r.Path,
			Summary: r.Summary, Tag: "labels", ContentType: r.ContentType, Handler: r.Handler})
	}
	api, err := web.New(web.Config{Store: s, Logger: a.log, Metrics: prometheus.NewRegistry(), Version: version, Public: public})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           api.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	closeJobs, err := a.startJobs(ctx, s)
	if err != nil {
		return err
	}
	defer closeJobs()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// operationID makes an OpenAPI operationId from a method and path:
// GET /labels/{id}/status.json → getLabelsIdStatusJson.
func operationID(method, path string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	up := true
	for _, r := range path {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			if up && r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			up = false
			continue
		}
		up = true
	}
	return b.String()
}

// startJobs starts this node's job queue: notice composition at every
// sweep and outbox delivery (e-mail when VIGIL_SMTP_URL is set, webhooks),
// and the daily RDAP bootstrap refresh, shared with the other nodes on
// PostgreSQL. The returned function stops it.
func (a *app) startJobs(ctx context.Context, s *store.Store) (func(), error) {
	ns, err := a.notifySetup(ctx, s)
	if err != nil {
		return nil, err
	}
	workers := river.NewWorkers()
	j := &notify.Jobs{Deliverer: ns.deliverer, Notifier: ns.notifier, Outbox: s, Now: s.Now, Logger: a.log}
	j.Register(workers)
	rw := &rdapRefreshWorker{s: s, client: netguard.New(netguard.Options{MaxBytes: 4 << 20}), log: a.log}
	river.AddWorker(workers, rw)
	cfg := jobs.Config{Workers: workers, PeriodicJobs: append(j.Periodic(30*time.Second), rw.periodic()), Logger: a.log}
	if s.Dialect() == store.Postgres {
		cfg.DSN = a.cfg.DB
	}
	q, err := jobs.Open(ctx, s, cfg)
	if err != nil {
		ns.close()
		return nil, err
	}
	j.Queue = q
	if err := q.Start(ctx); err != nil {
		ns.close()
		return nil, err
	}
	return func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(stopCtx)
		ns.close()
	}, nil
}

// rdapRefreshArgs is the daily job that refreshes the IANA RDAP bootstrap
// files into the database.
type rdapRefreshArgs struct{}

// Kind implements river.JobArgs.
func (rdapRefreshArgs) Kind() string { return "rdap_bootstrap_refresh" }

// rdapRefreshWorker fetches the bootstrap files from IANA through the
// guarded client and saves them (refreshRDAPBootstrap).
type rdapRefreshWorker struct {
	river.WorkerDefaults[rdapRefreshArgs]
	s      *store.Store
	client *netguard.Client
	log    *slog.Logger
}

// Work implements river.Worker. A failed refresh is logged and left to the
// next day's run: the files in use stay valid meanwhile.
func (w *rdapRefreshWorker) Work(ctx context.Context, _ *river.Job[rdapRefreshArgs]) error {
	b, err := refreshRDAPBootstrap(ctx, w.s, w.client, "")
	if err != nil {
		w.log.Warn("RDAP bootstrap refresh failed; the files in use stay", "err", err)
		return nil
	}
	w.log.Info("RDAP bootstrap refreshed", "published", b.Published())
	return nil
}

func (w *rdapRefreshWorker) periodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(24*time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return rdapRefreshArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true})
}
