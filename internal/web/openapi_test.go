// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"vigil/internal/errs"
	"vigil/internal/registry"
	"vigil/internal/store/storetest"
)

type openAPIDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]openAPIOp       `json:"paths"`
	Components map[string]map[string]json.RawMessage `json:"components"`
}

type openAPIOp struct {
	OperationID string `json:"operationId"`
	Parameters  []struct {
		Name string `json:"name"`
		In   string `json:"in"`
	} `json:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Schema map[string]string `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]json.RawMessage `json:"responses"`
	Security  *[]map[string][]string     `json:"security"`
}

// TestOpenAPIMatchesRoutes walks the served document: every documented
// path and method must reach a real route of the ServeMux (no 404 or 405
// from the mux), every route of the table must be documented, and every
// reference must resolve.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	st := storetest.OpenSQLite(t, storetest.Options{Now: fixedNow})
	e := newEnv(t, st)
	rec := e.send(req{method: "GET", path: "/api/openapi.json"})
	wantStatus(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var doc openAPIDoc
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}
	for _, name := range []string{"Org", "Contact", "Asset", "Device", "Token", "Problem", "OrgPage", "ContactPage", "AssetPage", "DevicePage"} {
		if _, ok := doc.Components["schemas"][name]; !ok {
			t.Errorf("components.schemas lacks %s", name)
		}
	}
	if _, ok := doc.Components["securitySchemes"]["bearer"]; !ok {
		t.Error("components.securitySchemes lacks bearer")
	}

	documented := map[string]bool{}
	opIDs := map[string]bool{}
	paramRE := regexp.MustCompile(`\{[a-z_]+\}`)
	for path, ops := range doc.Paths {
		for method, op := range ops {
			m := strings.ToUpper(method)
			pattern := m + " " + path
			documented[pattern] = true
			if opIDs[op.OperationID] {
				t.Errorf("%s: duplicate operationId %q", pattern, op.OperationID)
			}
			opIDs[op.OperationID] = true

			concrete := paramRE.ReplaceAllString(path, "1")
			r := httptest.NewRequest(m, concrete, nil)
			if _, got := e.srv.mux.Handler(r); got != pattern {
				t.Errorf("documented %s reaches ServeMux pattern %q", pattern, got)
			}
			// And over the full handler: the mux itself must not answer.
			res := e.send(req{method: m, path: concrete, token: tokOp})
			if res.Code == http.StatusMethodNotAllowed || strings.Contains(res.Body.String(), "no route for") {
				t.Errorf("documented %s: the mux answered %d %s", pattern, res.Code, res.Body.String())
			}

			var inPath []string
			for _, p := range op.Parameters {
				if p.In == "path" {
					inPath = append(inPath, "{"+p.Name+"}")
				}
			}
			if want := paramRE.FindAllString(path, -1); !slices.Equal(inPath, want) {
				t.Errorf("%s documents path parameters %v; want %v", pattern, inPath, want)
			}
			if _, ok := op.Responses["500"]; !ok {
				t.Errorf("%s lacks the 500 response", pattern)
			}
			if op.Security == nil {
				t.Errorf("%s does not state its security", pattern)
			}
		}
	}
	pages := 0
	for _, rt := range e.srv.Routes() {
		if rt.IsPage() {
			if documented[rt.Pattern()] {
				t.Errorf("page %s is in the OpenAPI document", rt.Pattern())
			}
			pages++
			continue
		}
		if !documented[rt.Pattern()] {
			t.Errorf("route %s is not in the OpenAPI document", rt.Pattern())
		}
		if rt.Public != (len(*doc.Paths[rt.Path][strings.ToLower(rt.Method)].Security) == 0) {
			t.Errorf("route %s: public %v but documented security differs", rt.Pattern(), rt.Public)
		}
	}
	if len(documented) != len(e.srv.Routes())-pages {
		t.Errorf("%d documented operations for %d routes", len(documented), len(e.srv.Routes())-pages)
	}

	// Every $ref resolves.
	refRE := regexp.MustCompile(`"\$ref":\s*"#/components/([A-Za-z]+)/([A-Za-z]+)"`)
	var missing []string
	for _, m := range refRE.FindAllStringSubmatch(rec.Body.String(), -1) {
		if _, ok := doc.Components[m[1]][m[2]]; !ok {
			missing = append(missing, m[1]+"/"+m[2])
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("unresolved references: %v", slices.Compact(missing))
	}
}

// TestRouteTableChecks checks that New refuses a defective table.
func TestRouteTableChecks(t *testing.T) {
	t.Parallel()
	st := storetest.OpenSQLite(t, storetest.Options{Now: fixedNow})
	e := newEnv(t, st)
	base := e.srv.routes
	noop := func(c *call) (any, error) { return nil, nil }
	tests := []struct {
		name string
		add  Route
	}{
		{"duplicate_id", Route{ID: "orgList", Method: "GET", Path: "/api/v1/x", api: noop}},
		{"duplicate_pattern", Route{ID: "x", Method: "GET", Path: "/api/v1/orgs", api: noop}},
		{"no_handler", Route{ID: "x", Method: "GET", Path: "/api/v1/x"}},
		{"public_org_route", Route{ID: "x", Method: "GET", Path: OrgPath + "/x", Public: true, api: noop}},
		{"unknown_schema", Route{ID: "x", Method: "POST", Path: "/api/v1/x", Request: "Nope", api: noop}},
		{"raw_not_public", Route{ID: "x", Method: "GET", Path: "/api/v1/x", raw: func(http.ResponseWriter, *http.Request) {}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.srv.routes = append(slices.Clone(base), tt.add)
			if err := e.srv.checkRoutes(); err == nil {
				t.Error("checkRoutes accepted the table")
			}
		})
	}
	e.srv.routes = base
	if err := e.srv.checkRoutes(); err != nil {
		t.Errorf("real table: %v", err)
	}
}

// TestHandlersMustUseDocumentedTypes checks that a handler decoding or
// returning another type than its route documents fails loudly (500,
// logged) instead of serving undocumented JSON.
func TestHandlersMustUseDocumentedTypes(t *testing.T) {
	t.Parallel()
	st := storetest.OpenSQLite(t, storetest.Options{Now: fixedNow})
	e := newEnv(t, st)
	rt := &Route{ID: "x", Method: "POST", Path: "/api/v1/x", Request: "AssetCreate", Response: "Asset"}
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/api/v1/x", strings.NewReader(`{"value":"192.0.2.1"}`))
	c := &call{s: e.srv, w: rec, r: r, route: rt}
	var wrong DeviceInput
	if err := c.decode(&wrong); err == nil || errs.CodeOf(err) != errs.Internal {
		t.Errorf("decode into %T: %v; want an internal error", wrong, err)
	}
	e.srv.writeResult(c, registry.Device{})
	wantProblem(t, rec, http.StatusInternalServerError, "")
}
