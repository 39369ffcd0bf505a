// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"time"
)

// Shutdown deadlines of a Server: in-flight requests get HTTPGrace to
// finish, running jobs JobsGrace (then they are cancelled and get
// jobs.HardStopWait to return).
const (
	HTTPGrace = 10 * time.Second
	JobsGrace = 10 * time.Second
)

// Server is a vigil node: an HTTP handler (the API, the label registry,
// the portal) on a listener, and the node's job queue. Its life is
// OpenServer (everything built, nothing running), Start, then Close,
// which stops in order: the HTTP server (no new requests; in-flight ones
// finish within HTTPGrace), then the job queue (no new jobs; running ones
// finish within JobsGrace, then are cancelled). The store is its owner's
// to close after that. Run combines them for a process: start, wait for
// the signal, close.
type Server struct {
	http *http.Server
	ln   net.Listener
	jobs *Jobs
	a    *App
	// errc gets Serve's error once serving started.
	errc    chan error
	serving bool
}

// OpenServer builds a server for handler on ln and opens the job queue.
func (a *App) OpenServer(ctx context.Context, handler http.Handler, ln net.Listener) (*Server, error) {
	j, err := a.OpenJobs(ctx)
	if err != nil {
		return nil, err
	}
	if w := BaseURLMismatch(a.cfg.BaseURL, ln.Addr().String()); w != "" {
		a.log.Warn(w)
	}
	return &Server{ln: ln, jobs: j, a: a, errc: make(chan error, 1), http: &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}}, nil
}

// Start starts working jobs and serving HTTP.
func (s *Server) Start(ctx context.Context) error {
	if err := s.jobs.Start(ctx); err != nil {
		return err
	}
	s.serving = true
	go func() { s.errc <- s.http.Serve(s.ln) }()
	return nil
}

// Run starts the server and blocks until ctx ends (a signal) or serving
// fails; either way it closes the server before it returns.
func (s *Server) Run(ctx context.Context) error {
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
func (s *Server) Close() error {
	httpCtx, cancel := context.WithTimeout(context.Background(), HTTPGrace)
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
	jobsCtx, cancel := context.WithTimeout(context.Background(), JobsGrace)
	defer cancel()
	if jerr := s.jobs.Stop(jobsCtx); jerr != nil {
		s.a.log.Warn("jobs still running at shutdown were cancelled; their work is retried", "err", jerr)
	}
	return err
}

// BaseURLMismatch says, when base (the configured base URL, which
// acknowledgement and verification links in warnings and labels' QR codes
// use) does not name the address the server listens on, what that means;
// "" when they agree. A listener on every interface agrees with any host
// at its port.
func BaseURLMismatch(base, served string) string {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" {
		return fmt.Sprintf("base URL %q is not an absolute URL: links in warnings and labels will not work (set --base-url or VIGIL_BASE_URL)", base)
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	shost, sport, err := net.SplitHostPort(served)
	if err != nil {
		return ""
	}
	sameHost := host == shost || (host == "localhost" && net.ParseIP(shost).IsLoopback())
	if ip, err := netip.ParseAddr(shost); err == nil && ip.IsUnspecified() {
		sameHost = true
	}
	if sameHost && port == sport {
		return ""
	}
	return fmt.Sprintf("serving on http://%s but the base URL is %s: acknowledgement and verification links in warnings and labels point to the base URL; "+
		"fine behind a proxy that forwards it here, else set --base-url (env VIGIL_BASE_URL)", served, base)
}
