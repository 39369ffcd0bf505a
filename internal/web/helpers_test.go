// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"vigil/internal/app"
	"vigil/internal/auth"
	"vigil/internal/config"
	"vigil/internal/label"
	"vigil/internal/rating"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest/pageseed"
	"vigil/internal/tenant"
)

// env is a server on a store seeded by pageseed.Orgs (its registry) and
// tokens for the operator and for organisations A and B.
type env struct {
	t    testing.TB
	st   *store.Store
	srv  *Server
	reg  *prometheus.Registry
	orgs []registry.Org // from testdata, with ids: A = orgs[0], B = orgs[1]
	tok  map[string]string

	mu  sync.Mutex
	hit map[string]bool // route patterns answered with a success status
	// audited are the patterns of changing routes whose successful calls
	// each added an audit entry naming an actor.
	audited map[string]bool
	// notices maps an organisation to one of its notices (seedNotices).
	notices map[int64]int64
	// outbox is a delivery of unknown outcome (seedNotices).
	outbox int64

	schemaOnce sync.Once
	schemaComp *jsonschema.Compiler
}

// Token names of an env.
const (
	tokOp      = "op"
	tokARW     = "A:rw"
	tokAR      = "A:r"
	tokAW      = "A:w"
	tokBRW     = "B:rw"
	tokRevoked = "revoked"
)

func fixedNow() time.Time { return time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC) }

func newEnv(t testing.TB, st *store.Store) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, st: st, reg: prometheus.NewRegistry(), tok: map[string]string{}, hit: map[string]bool{}}
	var err error
	ks, err := label.OpenKeyStore(t.TempDir(), time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	ratings, err := rating.New(rating.Config{Store: st, Keys: ks, BaseURL: "https://vigil.test"})
	if err != nil {
		t.Fatal(err)
	}
	// The env's application has the demo's mailbox: the portal's e-mail
	// forms work and the mailbox page is in the table (its tests come
	// from the table like every page's).
	x := testApp(st)
	if _, err := x.OpenMailbox(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = x.Close() })
	pageseed.Mail(t, x, "https://vigil.test")
	e.srv, err = New(Config{Store: st, App: x, Metrics: e.reg, Version: "test", BaseURL: "https://vigil.test", Verifier: &registry.Verifier{Resolver: e},
		Labels: ratings})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.orgs = pageseed.Orgs(t, st, ratings)
	pageseed.Leavers(st, e.orgs)
	mk := func(name string, org int64, scopes ...auth.Scope) {
		tk := auth.Token{OrgID: org, Name: name, Scopes: scopes}
		secret, err := st.TokenCreate(ctx, tenant.Operator(), &tk)
		if err != nil {
			t.Fatalf("token %s: %v", name, err)
		}
		e.tok[name] = secret
		if name == tokRevoked {
			if err := st.TokenRevoke(ctx, tenant.Operator(), tk.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	a, b := e.orgs[0].ID, e.orgs[1].ID
	mk(tokOp, 0, auth.ScopeAdmin)
	mk(tokARW, a, auth.ScopeRead, auth.ScopeWrite)
	mk(tokAR, a, auth.ScopeRead)
	mk(tokAW, a, auth.ScopeWrite)
	mk(tokBRW, b, auth.ScopeRead, auth.ScopeWrite)
	mk(tokRevoked, a, auth.ScopeRead, auth.ScopeWrite)
	return e
}

// req is one request of a test. Token is a token name of the env, a raw
// Authorization header when it contains a space, or empty for none.
type req struct {
	method, path, token, body string
	ctype                     string // default application/json when body is set; "-" for none
	from                      string // the client's address (RemoteAddr); default httptest's
}

// send serves r. It never fails the test (it is used inside fuzz targets).
func (e *env) send(r req) *httptest.ResponseRecorder {
	var body *bytes.Reader
	if r.body != "" {
		body = bytes.NewReader([]byte(r.body))
	} else {
		body = bytes.NewReader(nil)
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	if r.from != "" {
		hr.RemoteAddr = r.from
	}
	switch {
	case r.ctype == "-":
	case r.ctype != "":
		hr.Header.Set("Content-Type", r.ctype)
	case r.body != "":
		hr.Header.Set("Content-Type", "application/json")
	}
	switch {
	case strings.Contains(r.token, " "):
		hr.Header.Set("Authorization", r.token)
	case r.token != "":
		secret, ok := e.tok[r.token]
		if !ok {
			secret = r.token // a raw secret
		}
		hr.Header.Set("Authorization", "Bearer "+secret)
	}
	rec := httptest.NewRecorder()
	var last int64
	_ = e.st.QueryRow(context.Background(), `SELECT COALESCE(MAX(id), 0) FROM audit_log`).Scan(&last)
	e.srv.ServeHTTP(rec, hr)
	if rec.Code < 400 {
		if _, pattern := e.srv.mux.Handler(hr); pattern != "" {
			var n int
			_ = e.st.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE id > ? AND actor NOT IN ('', 'unknown')`, last).Scan(&n)
			e.mu.Lock()
			e.hit[pattern] = true
			if e.audited == nil {
				e.audited = map[string]bool{}
			}
			if r.method != http.MethodGet && r.method != http.MethodHead {
				if _, seen := e.audited[pattern]; !seen || !e.audited[pattern] {
					e.audited[pattern] = n > 0 && (!seen || e.audited[pattern])
				}
				if n == 0 {
					e.audited[pattern] = false
				}
			}
			e.mu.Unlock()
		}
	}
	return rec
}

// decodeAs decodes a JSON response body.
func decodeAs[T any](t testing.TB, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %T from %q: %v", v, rec.Body.String(), err)
	}
	return v
}

// decodeBody decodes a JSON body.
func decodeBody[T any](t testing.TB, body []byte) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %T from %q: %v", v, body, err)
	}
	return v
}

// wantProblem checks that rec is problem details with the status (and,
// when field is not empty, the field) and returns it.
func wantProblem(t testing.TB, rec *httptest.ResponseRecorder, status int, field string) Problem {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status = %d; want %d (body %s)", rec.Code, status, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); ct != ProblemContentType {
		t.Errorf("Content-Type = %q; want %q", ct, ProblemContentType)
	}
	p := decodeAs[Problem](t, rec)
	if p.Status != status || !strings.HasPrefix(p.Type, ProblemType) || p.Title == "" || p.Instance == "" || p.Detail == "" {
		t.Errorf("problem = %+v; want status %d, type %s…, title, detail and instance", p, status, ProblemType)
	}
	if field != "" && p.Field != field {
		t.Errorf("problem field = %q; want %q (detail %q)", p.Field, field, p.Detail)
	}
	if status == http.StatusUnauthorized && rec.Header().Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	if status == http.StatusInternalServerError && p.Detail != "internal error; it has been logged" {
		t.Errorf("500 detail %q shows more than a generic text", p.Detail)
	}
	return p
}

func wantStatus(t testing.TB, rec *httptest.ResponseRecorder, status int) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status = %d; want %d (body %s)", rec.Code, status, rec.Body.String())
	}
}

// validate checks a JSON body against a component schema of the served
// OpenAPI document.
func (e *env) validate(t testing.TB, schema string, body []byte) {
	t.Helper()
	if err := e.schemaErr(t, schema, body); err != nil {
		t.Errorf("response does not match schema %s: %v\n%s", schema, err, body)
	}
}

// schemaErr returns why body does not match the component schema.
func (e *env) schemaErr(t testing.TB, schema string, body []byte) error {
	t.Helper()
	e.schemaOnce.Do(func() {
		var doc map[string]any
		if err := json.Unmarshal(e.srv.OpenAPI(), &doc); err != nil {
			t.Fatalf("openapi: %v", err)
		}
		comp := map[string]any{"components": doc["components"]}
		raw, _ := json.Marshal(comp)
		res, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		if err := c.AddResource("vigil-openapi.json", res); err != nil {
			t.Fatal(err)
		}
		e.schemaComp = c
	})
	sch, err := e.schemaComp.Compile("vigil-openapi.json#/components/schemas/" + schema)
	if err != nil {
		t.Fatalf("compile schema %s: %v", schema, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("response is not JSON: %v: %s", err, body)
	}
	return sch.Validate(inst)
}

// example returns the example of a request schema as JSON.
func (e *env) example(schema string) string {
	ex, ok := e.srv.schemas.examples[schema]
	if !ok {
		e.t.Fatalf("schema %s has no example", schema)
	}
	b, err := json.Marshal(ex)
	if err != nil {
		e.t.Fatal(err)
	}
	return string(b)
}

// ids names the objects a route's path parameters point at.
type ids = pageseed.IDs

func (e *env) idsOf(o registry.Org) ids { return pageseed.IDsOf(e.st, o, e.notices[o.ID], e.outbox) }

// fill substitutes a route's path parameters.
func fill(path string, x ids) string { return x.Fill(path) }

// bodyFor returns a valid body for a route (its request example, adapted
// so that it does not collide with the testdata), or "".
func (e *env) bodyFor(rt Route, unique string) string {
	switch rt.Request {
	case "":
		return ""
	case "OrgCreate":
		return fmt.Sprintf(`{"name":"Org %s","country":"NL"}`, unique)
	case "TokenCreate":
		return fmt.Sprintf(`{"org_id":%d,"name":"%s","scopes":["read"]}`, e.orgs[0].ID, unique)
	case "AssetCreate":
		return `{"value":"203.0.113.0/24"}`
	}
	return e.example(rt.Request)
}

// testApp is the application layer on st with the default configuration.
func testApp(st *store.Store) *app.App { return app.New(st, config.Defaults(), nil) }

// LookupTXT makes the env the DNS of the ownership checks: every name
// carries organisation A's token (so A's assets verify, B's do not).
func (e *env) LookupTXT(ctx context.Context, _ string) ([]string, error) {
	tok, err := e.st.OrgVerifyToken(ctx, tenant.Operator(), e.orgs[0].ID)
	if err != nil {
		return nil, err
	}
	return []string{"vigil-verify=" + tok}, nil
}

// stopLimitClocks stops the clocks of srv's per-client limiters, so that a
// test counting refusals does not see buckets refill however slowly the
// machine runs it.
func stopLimitClocks(srv *Server) {
	at := time.Now()
	for _, l := range srv.limiters {
		l.now = func() time.Time { return at }
	}
}
