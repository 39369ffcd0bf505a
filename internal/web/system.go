// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"vigil/internal/errs"
)

// systemRoutes are the public operational routes.
func (s *Server) systemRoutes() []Route {
	return []Route{
		{ID: "healthz", Method: http.MethodGet, Path: "/healthz", Tag: "operations", Public: true, ContentType: "text/plain",
			Summary: "Liveness: the process is up", raw: s.healthz},
		{ID: "readyz", Method: http.MethodGet, Path: "/readyz", Tag: "operations", Public: true, ContentType: "text/plain",
			Summary: "Readiness: the node is not migrating or draining, and the database answers", raw: s.readyz},
		{ID: "metrics", Method: http.MethodGet, Path: "/metrics", Tag: "operations", Public: true, ContentType: "text/plain",
			Summary: "Prometheus metrics (text exposition format)",
			raw:     promhttp.HandlerFor(s.gatherer, promhttp.HandlerOpts{ErrorLog: slogPrinter{s}}).ServeHTTP},
		{ID: "openapi", Method: http.MethodGet, Path: "/api/openapi.json", Tag: "operations", Public: true, ContentType: "application/json",
			Summary: "This OpenAPI 3.1 document", raw: s.serveOpenAPI},
	}
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.ready != nil {
		if why := s.ready(); why != "" {
			// A state, not a failure: answered without an error log line
			// (a load balancer polls it).
			w.Header().Set("Retry-After", "5")
			writeProblem(w, s.problemFor(errs.Keyed(codeUnavailable, "", "ready.not", "not ready: %s", why), r.URL.Path))
			return
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		s.log.Warn("readiness check failed", "err", err)
		s.writeError(w, r, errs.Keyed(codeUnavailable, "", "db.down", "the database does not answer"))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

func (s *Server) serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(s.openapi)
}

// slogPrinter adapts the server's logger to promhttp's error log.
type slogPrinter struct{ s *Server }

func (p slogPrinter) Println(v ...any) { p.s.log.Error("metrics: " + fmt.Sprint(v...)) }
