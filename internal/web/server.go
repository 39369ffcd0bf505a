// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package web serves vigil's REST API under /api/v1, its OpenAPI 3.1
// document at /api/openapi.json, the health checks /healthz and /readyz and
// Prometheus metrics at /metrics.
//
// Every route is a row of one table (see Route). The table drives the
// ServeMux registration, authentication, scope and tenant checks, query
// parameter validation and the generated OpenAPI document, so a new
// capability adds rows and handlers, nothing else.
//
// Requests carry an API token (Authorization: Bearer vigil_…). A token of an
// organisation sees and changes only that organisation: any other
// organisation's id, or an object of another organisation, is answered
// 404 Not Found, exactly as if it did not exist. Errors are RFC 9457 problem
// details (application/problem+json).
package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"golang.org/x/text/language"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/errs"
	"vigil/internal/netguard"
	"vigil/internal/registry"
)

// DefaultMaxBodyBytes is the request body limit when Config.MaxBodyBytes is
// zero: 1 MiB.
const DefaultMaxBodyBytes = 1 << 20

// Config configures a Server.
type Config struct {
	// Store is the database. Required.
	Store Store
	// App is the application layer, which the handlers call for flows
	// that are more than one store call (bounces). Required.
	App *app.App
	// Logger receives internal errors (with their causes, which clients
	// never see). Nil discards.
	Logger *slog.Logger
	// Ready, when set, is the node's readiness: "" when ready, else why
	// not (migrating, draining); /readyz answers 503 with it.
	Ready func() string
	// Metrics is the registry the HTTP metrics are registered in and that
	// /metrics serves. Nil makes a fresh registry with the Go and process
	// collectors; the global default registry is never used.
	Metrics *prometheus.Registry
	// Version is reported in the OpenAPI document's info.version.
	Version string
	// MaxBodyBytes limits request bodies; larger ones get 413. Zero means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// BaseURL is the portal's public address (https://vigil.example),
	// used in links sent by e-mail (password reset). Empty: reset by
	// e-mail is off.
	BaseURL string
	// Verifier checks ownership tokens of domains and ranges (the portal's
	// re-check button and POST …/assets/{aid}/verify) instead of the
	// application's (App.Verifier: notify.dns_server or the system's
	// resolver, and the guarded HTTP client); tests point it at loopback.
	Verifier *registry.Verifier
	// Labels is the assessment and label workflow (the rating service):
	// the public verification page, members' assessments and analysts'
	// reviews and label issue; nil turns those pages off.
	Labels Ratings
	// Fetch is the outbound client of the public checks that fetch a URL
	// on a visitor's behalf (the security.txt checker). Nil: the guarded
	// client's defaults, which refuse private and loopback addresses; only
	// tests enable them.
	Fetch *netguard.Client
	// Public are extra public routes served by other packages' handlers
	// (the label registry's pages and keys). They join the route table, so
	// they are documented, measured and checked like the others.
	Public []PublicRoute
	// TrustedProxies are the networks of the reverse proxies in front of
	// the server (config trusted_proxies). A request whose direct peer is
	// in one of them has its client address, which the per-client rate
	// limits key on, taken from X-Forwarded-For; from any other peer the
	// header is ignored. Nil: the peer is always the client.
	TrustedProxies []netip.Prefix
}

// PublicRoute is a public route whose handler writes its own response.
type PublicRoute struct {
	ID          string // OpenAPI operationId (default: from method and path, GET /a/{id} → getAId)
	Method      string
	Path        string // ServeMux pattern path
	Summary     string
	Tag         string
	ContentType string
	Handler     http.HandlerFunc
}

// Server is the HTTP handler of the API. It is safe for concurrent use.
type Server struct {
	// downloadPage is the rows read and written at a time by the findings
	// downloads (findingsDownloadPage; tests make it small).
	downloadPage int
	store        Store
	app          *app.App
	log          *slog.Logger
	ready        func() string
	version      string
	maxBody      int64
	routes       []Route
	mux          *http.ServeMux
	problems     map[errs.Code]problemKind
	public       []PublicRoute
	schemas      *schemaSet
	openapi      []byte
	metrics      *metrics
	gatherer     prometheus.Gatherer

	accounts       *account.Service
	tmpl           templates
	msgs           map[string]map[string]string
	matcher        language.Matcher
	cop            *http.CrossOriginProtection
	loginLimit     *limiter
	registerLimit  *limiter // the registration page's, apart from the sign-in's
	baseURL        string
	verifier       *registry.Verifier
	labels         Ratings
	checkLimit     *limiter
	limiters       []*limiter // every per-client limiter, loginLimit and checkLimit included
	fetch          *netguard.Client
	trustedProxies []netip.Prefix
}

// New builds the server: it checks the route table, registers the routes
// and metrics and generates the OpenAPI document. An error means a defect
// in the route table or a metrics registration clash.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.App == nil {
		return nil, errors.New("web: Config.Store and Config.App are required")
	}
	s := &Server{downloadPage: findingsDownloadPage,
		store:    cfg.Store,
		app:      cfg.App,
		log:      cfg.Logger,
		ready:    cfg.Ready,
		version:  cfg.Version,
		maxBody:  cfg.MaxBodyBytes,
		mux:      http.NewServeMux(),
		problems: problemTable(),
		public:   cfg.Public,

		accounts:       &account.Service{Store: cfg.Store, Now: cfg.Store.Now, Issuer: "vigil"},
		msgs:           messageTables(),
		matcher:        newMatcher(),
		cop:            http.NewCrossOriginProtection(),
		baseURL:        strings.TrimRight(cfg.BaseURL, "/"),
		labels:         cfg.Labels,
		trustedProxies: cfg.TrustedProxies,
	}
	s.accounts.OnLock = s.mailLocked
	s.accounts.OnTOTPLock = s.totpLocked
	s.loginLimit = s.newLimiter(6*time.Second, 10)
	s.registerLimit = s.newLimiter(30*time.Second, 10)
	s.checkLimit = s.newLimiter(3*time.Second, 20)
	s.fetch = cfg.Fetch
	if s.fetch == nil {
		s.fetch = netguard.New(netguard.Options{MaxBytes: maxSecurityTxt})
	}
	s.verifier = cfg.Verifier
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.log = slog.New(requestIDHandler{s.log.Handler()})
	if s.version == "" {
		s.version = "dev"
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	reg := cfg.Metrics
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	var err error
	if s.metrics, err = newMetrics(reg); err != nil {
		return nil, err
	}
	if cfg.App != nil {
		if _, err = register(reg, newSourceAges(cfg.App)); err != nil {
			return nil, err
		}
	}
	s.gatherer = reg
	if s.schemas, err = newSchemas(); err != nil {
		return nil, err
	}
	if s.tmpl, err = parseTemplates(); err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	s.routes = s.table()
	if err := s.checkRoutes(); err != nil {
		return nil, err
	}
	for i := range s.routes {
		s.mux.Handle(s.routes[i].Pattern(), s.wrap(&s.routes[i]))
	}
	if s.openapi, err = s.buildOpenAPI(); err != nil {
		return nil, fmt.Errorf("web: openapi: %w", err)
	}
	return s, nil
}

// table is the route table: every route the server answers. Later
// capabilities add their group here.
func (s *Server) table() []Route {
	var rs []Route
	for _, group := range [][]Route{
		s.systemRoutes(),
		s.orgRoutes(),
		s.contactRoutes(),
		s.assetRoutes(),
		s.deviceRoutes(),
		s.tokenRoutes(),
		s.notifyRoutes(),
		s.trustRoutes(),
		s.linkRoutes(),
		s.labelPageRoutes(),
		s.findingRoutes(),
		s.userRoutes(),
		s.portalRoutes(),
		s.opsRoutes(),
		s.registryRoutes(),
		s.labelRoutes(),
		s.accountAPIRoutes(),
		s.analystRoutes(),
		s.registerRoutes(),
		s.signupRoutes(),
		s.disputeRoutes(),
		s.devicePageRoutes(),
		s.assessRoutes(),
		s.publicRoutes(),
		s.ingestRoutes(),
		s.makerRoutes(),
		s.tokenPageRoutes(),
		s.policyRoutes(),
		s.productRoutes(),
		s.sourceRoutes(),
		s.privacyRoutes(),
		s.settingsRoutes(),
		s.mailboxRoutes(),
	} {
		rs = append(rs, group...)
	}
	for _, p := range s.public {
		if p.ID == "" {
			p.ID = operationID(p.Method, p.Path)
		}
		rs = append(rs, Route{ID: p.ID, Method: p.Method, Path: p.Path, Summary: p.Summary, Tag: p.Tag,
			Public: true, ContentType: p.ContentType, raw: p.Handler})
	}
	return rs
}

// Handler returns the server as an http.Handler.
func (s *Server) Handler() http.Handler { return s }

// Routes returns a copy of the route table.
func (s *Server) Routes() []Route {
	out := make([]Route, len(s.routes))
	copy(out, s.routes)
	return out
}

// OpenAPI returns the OpenAPI 3.1 document served at /api/openapi.json.
func (s *Server) OpenAPI() []byte { return s.openapi }

// ServeHTTP routes the request. Requests no route matches get a 404 or 405
// problem instead of the ServeMux's plain-text answers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	r = withRequestID(w, r)
	// Failed sign-ins count, and lock, per account and client, grouped
	// as the per-client limits group addresses (an IPv6 /64 is one
	// client), so that rotating addresses within a /64 does not escape
	// the lock.
	r = r.WithContext(account.WithClient(r.Context(), clientKey(s.clientIP(r))))
	sw := &statusWriter{ResponseWriter: w}
	s.route(sw, r)
	if sw.status == 0 {
		sw.status = http.StatusOK
	}
	s.logRequest(r, sw.status, time.Since(start))
}

// route hands the request to its route, or answers the problem of none.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	if _, pattern := s.mux.Handler(r); pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	start := time.Now()
	iw := &unmatchedWriter{w: w, s: s, r: r}
	s.mux.ServeHTTP(iw, r)
	if iw.status == 0 {
		iw.status = http.StatusOK
	}
	s.metrics.observe("unmatched", iw.status, time.Since(start))
}

// unmatchedWriter turns the ServeMux's own 404 and 405 responses into
// problem details.
type unmatchedWriter struct {
	w        http.ResponseWriter
	s        *Server
	r        *http.Request
	status   int
	replaced bool
}

func (u *unmatchedWriter) Header() http.Header { return u.w.Header() }

func (u *unmatchedWriter) WriteHeader(code int) {
	if u.status != 0 {
		return
	}
	u.status = code
	var err error
	switch code {
	case http.StatusNotFound:
		err = errs.Keyed(errs.NotFound, "", "route.none", "no route for %s %s", u.r.Method, u.r.URL.Path)
		if wantsPage(u.r) {
			u.replaced = true
			u.s.notFoundPage(u.w, u.r, err)
			return
		}
	case http.StatusMethodNotAllowed:
		err = errs.Keyed(codeMethodNotAllowed, "", "route.method", "%s is not allowed on %s (allowed: %s)", u.r.Method, u.r.URL.Path, u.w.Header().Get("Allow"))
	default:
		u.w.WriteHeader(code)
		return
	}
	u.replaced = true
	u.s.writeError(u.w, u.r, err)
}

// wantsPage reports whether an unmatched request is a person's browser
// asking for a portal page: a path outside /api/ and text/html among the
// types it accepts. Such a request gets the portal's HTML error page; API
// paths always get problem details.
func wantsPage(r *http.Request) bool {
	if r.URL.Path == "/api" || strings.HasPrefix(r.URL.Path, "/api/") {
		return false
	}
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		mt, _, _ := strings.Cut(part, ";")
		if strings.EqualFold(strings.TrimSpace(mt), "text/html") {
			return true
		}
	}
	return false
}

// notFoundPage answers an unknown portal address with the error page in
// the layout and the pages' security headers, for the signed-in user if
// the request carries a valid, fully signed-in session.
func (s *Server) notFoundPage(w http.ResponseWriter, r *http.Request, err error) {
	setPageHeaders(w.Header())
	pc := &pageCall{s: s, w: w, r: r}
	if c, cerr := r.Cookie(sessionCookie); cerr == nil && c.Value != "" {
		if ses, u, serr := s.accounts.Session(r.Context(), c.Value); serr == nil && ses.Verified {
			pc.ses, pc.user, pc.secret = ses, &u, c.Value
		}
	}
	s.pageError(pc, err)
}

func (u *unmatchedWriter) Write(b []byte) (int, error) {
	if u.status == 0 {
		u.WriteHeader(http.StatusOK)
	}
	if u.replaced {
		return len(b), nil
	}
	return u.w.Write(b)
}

// statusWriter records the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// wrap returns the handler of a route: metrics, panic recovery, then the
// route's checks and handler.
func (s *Server) wrap(rt *Route) http.Handler {
	label := rt.Pattern()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				err := fmt.Errorf("panic in %s: %v\n%s", label, v, debug.Stack())
				if sw.status == 0 {
					s.writeError(sw, r, err)
				} else {
					s.log.Error("panic after response started", "route", label, "err", err)
				}
			}
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			s.metrics.observe(label, sw.status, time.Since(start))
		}()
		s.serveRoute(sw, r, rt)
	})
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
