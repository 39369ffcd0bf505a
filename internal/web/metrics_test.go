// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"vigil/internal/source"
	"vigil/internal/store/storetest"
)

// TestMetrics checks that /metrics serves the request counter and latency
// histogram, labelled by route pattern and status code, from the registry
// passed in.
func TestMetrics(t *testing.T) {
	t.Parallel()
	st := storetest.OpenSQLite(t, storetest.Options{Now: fixedNow})
	e := newEnv(t, st)
	e.send(req{method: "GET", path: "/api/v1/me", token: tokAR})
	e.send(req{method: "GET", path: "/api/v1/me", token: tokAR})
	e.send(req{method: "GET", path: "/api/v1/orgs/999999", token: tokAR})
	e.send(req{method: "GET", path: "/nowhere"})
	rec := e.send(req{method: "GET", path: "/metrics"})
	wantStatus(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type = %q; want the text exposition format", ct)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`vigil_http_requests_total{code="200",route="GET /api/v1/me"} 2`,
		`vigil_http_requests_total{code="404",route="GET /api/v1/orgs/{id}"} 1`,
		`vigil_http_requests_total{code="404",route="unmatched"} 1`,
		`vigil_http_request_duration_seconds_bucket{route="GET /api/v1/me",le="+Inf"} 2`,
		`vigil_http_request_duration_seconds_count{route="GET /api/v1/me"} 2`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// The registry passed in holds the metrics; the global one does not.
	mfs, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, mf := range mfs {
		found = found || mf.GetName() == MetricRequests
	}
	if !found {
		t.Errorf("registry passed in lacks %s", MetricRequests)
	}
	if gmfs, _ := prometheus.DefaultGatherer.Gather(); len(gmfs) > 0 {
		for _, mf := range gmfs {
			if strings.HasPrefix(mf.GetName(), "vigil_") {
				t.Errorf("global registry has %s", mf.GetName())
			}
		}
	}
}

// TestTwoServersShareARegistry checks that a second server on the same
// registry reuses the collectors instead of failing.
func TestTwoServersShareARegistry(t *testing.T) {
	t.Parallel()
	st := storetest.OpenSQLite(t, storetest.Options{Now: fixedNow})
	reg := prometheus.NewRegistry()
	for i := range 2 {
		if _, err := New(Config{Store: st, App: testApp(st), Metrics: reg}); err != nil {
			t.Fatalf("server %d: %v", i, err)
		}
	}
	if _, err := New(Config{Store: st, App: testApp(st)}); err != nil {
		t.Fatalf("own registry: %v", err)
	}
}

// TestInternalErrorsAreLoggedNotShown checks that a failing handler's cause
// reaches the log and not the client, and that a panic is a 500 problem.
func TestInternalErrorsAreLoggedNotShown(t *testing.T) {
	t.Parallel()
	st := storetest.OpenSQLite(t, storetest.Options{Now: fixedNow})
	var logged bytes.Buffer
	srv, err := New(Config{Store: st, App: testApp(st), Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	if err != nil {
		t.Fatal(err)
	}
	for name, h := range map[string]func(c *call) (any, error){
		"error": func(*call) (any, error) { return nil, errors.New("disk on fire at /var/lib/secret") },
		"panic": func(*call) (any, error) { panic("disk on fire at /var/lib/secret") },
	} {
		t.Run(name, func(t *testing.T) {
			logged.Reset()
			rt := &Route{ID: name, Method: "GET", Path: "/x", Public: true, api: h}
			rec := httptest.NewRecorder()
			srv.wrap(rt).ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
			wantProblem(t, rec, http.StatusInternalServerError, "")
			if strings.Contains(rec.Body.String(), "secret") {
				t.Errorf("client sees the cause: %s", rec.Body.String())
			}
			if !strings.Contains(logged.String(), "disk on fire") {
				t.Errorf("cause not logged: %q", logged.String())
			}
		})
	}
}

// TestMetricsSourceAge: /metrics shows every scheduled source's age of its
// last success, read from the database at the scrape.
func TestMetricsSourceAge(t *testing.T) {
	t.Parallel()
	st := storetest.OpenSQLite(t, storetest.Options{Now: fixedNow})
	e := newEnv(t, st)
	if err := st.SourceCreate(context.Background(), &source.Source{Name: "kev", Kind: source.KindKEV, URL: "https://example.org/kev.json", Every: source.Duration(time.Hour)}, ""); err != nil {
		t.Fatal(err)
	}
	rec := e.send(req{method: "GET", path: "/metrics"})
	wantStatus(t, rec, http.StatusOK)
	if want := MetricSourceAge + `{kind="kev",source="kev"} 0`; !strings.Contains(rec.Body.String(), want) {
		t.Errorf("/metrics lacks %s", want)
	}
}
