// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"vigil/internal/store/storetest"
)

// TestMetrics checks that /metrics serves the request counter and latency
// histogram, labelled by route pattern and status code, from the registry
// passed in.
func TestMetrics(t *testing.T) {
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
	st := storetest.OpenSQLite(t, storetest.Options{Now: fixedNow})
	reg := prometheus.NewRegistry()
	for i := range 2 {
		if _, err := New(Config{Store: st, Metrics: reg}); err != nil {
			t.Fatalf("server %d: %v", i, err)
		}
	}
	if _, err := New(Config{Store: st}); err != nil {
		t.Fatalf("own registry: %v", err)
	}
}
