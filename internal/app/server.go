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
	"sync/atomic"
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
	http  *http.Server
	ln    net.Listener
	front *Front
	jobs  *Jobs
	a     *App
	// errc gets Serve's error once serving started.
	errc    chan error
	serving bool
}

// Readiness states of a node (/readyz answers 503 with the state while it
// is not ReadyOK).
const (
	ReadyOK        = ""
	ReadyMigrating = "migrating the database"
	ReadyDraining  = "draining: stopping after a signal"
)

// Front is a node's HTTP server, serving from before the database is
// open: until the node's handler is set it answers /healthz with ok,
// /readyz with 503 and the node's readiness (migrating), and everything
// else with 503. Its Ready is what the node's /readyz reports after that.
type Front struct {
	http    *http.Server
	ln      net.Listener
	h       atomic.Pointer[http.Handler]
	state   atomic.Pointer[string]
	errc    chan error
	serving bool
}

// NewFront makes the front of a node on ln, in state (ReadyMigrating
// while the database is opened).
func NewFront(ln net.Listener, state string) *Front {
	f := &Front{ln: ln, errc: make(chan error, 1)}
	f.SetReady(state)
	f.http = &http.Server{
		Handler:           f,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	return f
}

// Serve starts serving (once).
func (f *Front) Serve() {
	if !f.serving {
		f.serving = true
		go func() { f.errc <- f.http.Serve(f.ln) }()
	}
}

// SetReady sets the node's readiness (ReadyOK or why not).
func (f *Front) SetReady(state string) { f.state.Store(&state) }

// Ready is the node's readiness: ReadyOK, or why it is not ready.
func (f *Front) Ready() string { return *f.state.Load() }

// ServeHTTP hands the request to the node's handler once it is set.
func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := f.h.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if r.URL.Path == "/healthz" {
		fmt.Fprintln(w, "ok")
		return
	}
	w.Header().Set("Retry-After", "5")
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprintln(w, "not ready: "+f.Ready())
}

// OpenServer builds a server for handler on ln and opens the job queue.
func (a *App) OpenServer(ctx context.Context, handler http.Handler, ln net.Listener) (*Server, error) {
	return a.OpenServerFront(ctx, handler, NewFront(ln, ReadyOK))
}

// OpenServerFront builds a server for handler on front (which may be
// serving already) and opens the job queue.
func (a *App) OpenServerFront(ctx context.Context, handler http.Handler, front *Front) (*Server, error) {
	j, err := a.OpenJobs(ctx)
	if err != nil {
		return nil, err
	}
	if w := BaseURLMismatch(a.cfg.BaseURL, front.ln.Addr().String()); w != "" {
		a.log.Warn(w)
	}
	if !a.SendsMail() {
		a.log.Warn(mailOffWarning)
	}
	front.h.Store(&handler)
	return &Server{ln: front.ln, front: front, jobs: j, a: a, errc: front.errc, http: front.http}, nil
}

// Start starts working jobs and serving HTTP; the node is ready.
func (s *Server) Start(ctx context.Context) error {
	if err := s.jobs.Start(ctx); err != nil {
		return err
	}
	s.serving = true
	s.front.SetReady(ReadyOK)
	s.front.Serve()
	return nil
}

// Run starts the server and blocks until ctx ends (a signal) or serving
// fails; either way it closes the server before it returns. After a
// signal it first drains: /readyz answers 503 for drain while requests
// are still served, so that a load balancer takes the node out first.
func (s *Server) Run(ctx context.Context, drain time.Duration) error {
	if err := s.Start(ctx); err != nil {
		return errors.Join(err, s.Close())
	}
	select {
	case err := <-s.errc:
		s.errc <- err // Close reads it again
	case <-ctx.Done():
		s.front.SetReady(ReadyDraining)
		s.a.log.Info("draining", "for", drain.String())
		time.Sleep(drain)
	}
	return s.Close()
}

// Close stops the HTTP server, then the job queue, each within its grace.
func (s *Server) Close() error {
	httpCtx, cancel := context.WithTimeout(context.Background(), HTTPGrace)
	defer cancel()
	err := s.http.Shutdown(httpCtx)
	if (s.serving || s.front.serving) && err == nil {
		if serr := <-s.errc; !errors.Is(serr, http.ErrServerClosed) {
			err = serr
		}
	}
	if !s.serving && !s.front.serving {
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
