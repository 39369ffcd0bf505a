// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"vigil/internal/store"
	"vigil/internal/web"
	"vigil/internal/web/labels"
)

func (a *app) serveCmd() *cobra.Command {
	var addr string
	var rf ratingFlags
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
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("listen %s: %w", addr, err)
			}
			a.log.Info("serving", "url", "http://"+ln.Addr().String())
			return a.serve(ctx, s, ln, &rf)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "listen address")
	rf.register(cmd)
	return cmd
}

// serve runs the HTTP server on ln until ctx ends, then shuts down
// gracefully. It serves the REST API and the public label registry.
func (a *app) serve(ctx context.Context, s *store.Store, ln net.Listener, rf *ratingFlags) error {
	svc, err := a.rating(ctx, rf)
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
