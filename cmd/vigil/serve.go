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
	"github.com/spf13/cobra"

	"vigil/internal/app"
	"vigil/internal/web"
	"vigil/internal/web/labels"
)

func (a *cmdline) serveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the REST API, health checks and metrics",
		Args:  usageArgs(0),
		RunE: a.withApp(func(ctx context.Context, x *app.App, _ []string) error {
			ln, err := net.Listen("tcp", a.cfg.Addr)
			if err != nil {
				return fmt.Errorf("listen %s: %w", a.cfg.Addr, err)
			}
			a.log.Info("serving", "url", "http://"+ln.Addr().String())
			return a.serve(ctx, x, ln)
		}),
	}
	cmd.Flags().StringVar(&a.cfg.Addr, "addr", a.cfg.Addr, "listen address (env VIGIL_ADDR)")
	a.ratingFlags(cmd)
	return cmd
}

// serve runs a server on ln until ctx ends, then stops it in order.
func (a *cmdline) serve(ctx context.Context, x *app.App, ln net.Listener) error {
	srv, err := openServer(ctx, x, ln, a.log)
	if err != nil {
		ln.Close()
		return err
	}
	return srv.Run(ctx)
}

// Shutdown deadlines of a server: in-flight requests get httpGrace to
// finish, running jobs jobsGrace (then they are cancelled and get
// jobs.HardStopWait to return).
const (
	httpGrace = 10 * time.Second
	jobsGrace = 10 * time.Second
)

// server is vigil serve: the REST API, the public label registry and the
// acknowledgement pages on a listener, and this node's job queue. Its life
// is openServer (build everything; nothing runs), Start, then Close, which
// stops in order: the HTTP server (no new requests; in-flight ones finish),
// then the job queue (no new jobs; running ones finish or are cancelled
// after the grace). The store is its owner's to close after that.
type server struct {
	http *http.Server
	ln   net.Listener
	jobs *app.Jobs
	log  *slog.Logger
	// errc gets Serve's error once it has been started.
	errc    chan error
	serving bool
}

// openServer builds the HTTP handler and opens the job queue.
func openServer(ctx context.Context, x *app.App, ln net.Listener, log *slog.Logger) (*server, error) {
	svc, err := x.Rating()
	if err != nil {
		return nil, err
	}
	public := web.AckRoutes(x.Store(), log)
	for _, r := range labels.New(svc, log).Routes() {
		public = append(public, web.PublicRoute{ID: operationID(r.Method, r.Path), Method: r.Method, Path: r.Path,
			Summary: r.Summary, Tag: "labels", ContentType: r.ContentType, Handler: r.Handler})
	}
	api, err := web.New(web.Config{Store: x.Store(), App: x, Logger: log, Metrics: prometheus.NewRegistry(), Version: version, Public: public})
	if err != nil {
		return nil, err
	}
	j, err := x.OpenJobs(ctx)
	if err != nil {
		return nil, err
	}
	return &server{ln: ln, jobs: j, log: log, errc: make(chan error, 1), http: &http.Server{
		Handler:           api.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}}, nil
}

// Start starts working jobs and serving HTTP.
func (s *server) Start(ctx context.Context) error {
	if err := s.jobs.Start(ctx); err != nil {
		return err
	}
	s.serving = true
	go func() { s.errc <- s.http.Serve(s.ln) }()
	return nil
}

// Run starts the server and blocks until ctx ends (a signal) or serving
// fails; either way it closes the server before it returns.
func (s *server) Run(ctx context.Context) error {
	if err := s.Start(ctx); err != nil {
		return errors.Join(err, s.Close())
	}
	select {
	case err := <-s.errc:
		s.errc <- err // Close reads it again
	case <-ctx.Done():
	}
	return s.Close()
}

// Close stops the HTTP server, then the job queue, each within its grace.
func (s *server) Close() error {
	httpCtx, cancel := context.WithTimeout(context.Background(), httpGrace)
	defer cancel()
	err := s.http.Shutdown(httpCtx)
	if s.serving && err == nil {
		if serr := <-s.errc; !errors.Is(serr, http.ErrServerClosed) {
			err = serr
		}
	}
	if !s.serving {
		s.ln.Close()
	}
	jobsCtx, cancel := context.WithTimeout(context.Background(), jobsGrace)
	defer cancel()
	if jerr := s.jobs.Stop(jobsCtx); jerr != nil {
		s.log.Warn("jobs still running at shutdown were cancelled; their work is retried", "err", jerr)
	}
	return err
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
