// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"encoding/json"
	"testing"

	"vigil/internal/store/storetest"
	"vigil/internal/store/storetest/pageseed"
)

// FuzzAPIRequestBody posts arbitrary bodies to every route that takes one
// (as the operator, so that only the body decides) and demands a non-5xx
// answer: a success that matches the documented schema, or problem
// details. Seeds: the request examples of the document, the organisations
// of the seeded registry (pageseed) and known-bad bodies.
func FuzzAPIRequestBody(f *testing.F) {
	st := storetest.OpenSQLite(f, storetest.Options{Now: fixedNow})
	e := newEnv(f, st)
	var routes []Route
	for _, rt := range e.srv.Routes() {
		if rt.Request != "" {
			routes = append(routes, rt)
		}
	}
	raw := pageseed.RegistryJSON()
	var orgs []json.RawMessage
	if err := json.Unmarshal(raw, &orgs); err != nil {
		f.Fatal(err)
	}
	for i, rt := range routes {
		f.Add(uint8(i), []byte(e.example(rt.Request)))
		for _, o := range orgs {
			f.Add(uint8(i), []byte(o))
		}
		for _, bad := range []string{``, `{`, `null`, `[]`, `"x"`, `{"name":null}`, `{"value":"192.0.2.300/24"}`,
			`{"vendor":"a","model":"b","cpe":"cpe:2.3:h:axis:a1001:-:*:*:*:*:*:*:*","purl":"pkg:npm/%40x"}`,
			`{"scopes":["admin","read"],"org_id":0}`, `{"languages":["nl","en-GB-oxendict"]}`, `{"asset_id":9223372036854775807,"vendor":"a","model":"b"}`,
			"{\"name\":\"\u0000\"}", `{"name":"a"} x`} {
			f.Add(uint8(i), []byte(bad))
		}
	}
	own := e.idsOf(e.orgs[0])
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		rt := routes[int(which)%len(routes)]
		rec := e.send(req{method: rt.Method, path: fill(rt.Path, own), token: tokOp, body: string(body), ctype: "application/json"})
		if rec.Code >= 500 {
			t.Fatalf("%s with %q: %d %s", rt.Pattern(), body, rec.Code, rec.Body.String())
		}
		if rec.Code >= 400 {
			if ct := rec.Header().Get("Content-Type"); ct != ProblemContentType {
				t.Fatalf("%s with %q: %d with Content-Type %q", rt.Pattern(), body, rec.Code, ct)
			}
			var p Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != rec.Code {
				t.Fatalf("%s with %q: bad problem %s (%v)", rt.Pattern(), body, rec.Body.String(), err)
			}
			return
		}
		if rt.Response == "" {
			if rec.Body.Len() != 0 {
				t.Fatalf("%s with %q: %d with a body but no response schema", rt.Pattern(), body, rec.Code)
			}
			return
		}
		if err := e.schemaErr(t, rt.Response, rec.Body.Bytes()); err != nil {
			t.Fatalf("%s with %q: response does not match %s: %v", rt.Pattern(), body, rt.Response, err)
		}
	})
}
