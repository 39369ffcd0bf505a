// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// hostileText are the bytes the two engines differ on, as they appear in a
// JSON body: a NUL sent as an escape and invalid UTF-8 sent raw.
var hostileText = []struct{ name, json, query string }{
	{"nul", `"a\u0000b"`, "a%00b"},
	{"not_utf8", "\"a\xffb\xc3\"", "a%FFb%C3"},
	{"only_nul", `"\u0000"`, "%00"},
}

// TestHostileText is generated from the route table and the request
// schemas' examples: every string member of every JSON request body and
// every query parameter gets a NUL byte and invalid UTF-8, on SQLite and
// PostgreSQL. The answer is 422 naming the member (or another 4xx, such as
// 400 for a member whose type refuses the value first), never a 5xx, and
// nothing is stored.
func TestHostileText(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		good := e.idsOf(e.orgs[0])
		before := snapshot(t, st)
		n := 0
		for _, rt := range e.srv.Routes() {
			if rt.IsPage() || rt.Public && rt.Method == http.MethodGet {
				continue
			}
			path := fill(rt.Path, good)
			if body := e.bodyFor(rt, "hostile"); body != "" {
				var doc any
				if err := json.Unmarshal([]byte(body), &doc); err != nil {
					t.Fatalf("%s: body %s: %v", rt.ID, body, err)
				}
				leaves := stringLeaves(doc, "")
				if len(leaves) == 0 {
					continue
				}
				for _, leaf := range leaves {
					for _, h := range hostileText {
						raw := withLeaf(t, doc, leaf, h.json)
						t.Run(rt.ID+"/"+leaf+"="+h.name, func(t *testing.T) {
							rec := e.send(req{method: rt.Method, path: path, token: tokOp, body: string(raw)})
							if rec.Code >= 500 || rec.Code < 400 {
								t.Fatalf("status %d; want 4xx (body %s)", rec.Code, rec.Body.String())
							}
							if rec.Code == http.StatusUnprocessableEntity {
								wantProblem(t, rec, http.StatusUnprocessableEntity, leaf)
							}
						})
						n++
					}
				}
			}
			for _, p := range rt.Query {
				if p.Type == "integer" || len(p.Enum) > 0 {
					continue
				}
				for _, h := range hostileText {
					t.Run(rt.ID+"?"+p.Name+"="+h.name, func(t *testing.T) {
						rec := e.send(req{method: rt.Method, path: path + "?" + p.Name + "=" + h.query, token: tokOp, body: e.bodyFor(rt, "hostile-q")})
						wantProblem(t, rec, http.StatusUnprocessableEntity, p.Name)
					})
					n++
				}
			}
		}
		if n < 60 {
			t.Errorf("only %d generated cases", n)
		}
		t.Logf("%d generated cases", n)
		if diff := cmp.Diff(before, snapshot(t, st)); diff != "" {
			t.Errorf("hostile requests changed the registry:\n%s", diff)
		}
	})
}

// stringLeaves lists the JSON paths (name, assets[0].value) of the string
// members of a decoded JSON document, in a stable order.
func stringLeaves(v any, path string) []string {
	var out []string
	switch x := v.(type) {
	case string:
		return []string{path}
	case []any:
		for i, el := range x {
			out = append(out, stringLeaves(el, fmt.Sprintf("%s[%d]", path, i))...)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, stringLeaves(x[k], join(path, k))...)
		}
	}
	return out
}

// withLeaf returns doc as JSON with the string at path replaced by the raw
// JSON text value (which may hold bytes json.Marshal would not write).
func withLeaf(t *testing.T, doc any, path, value string) []byte {
	t.Helper()
	const mark = "\"@@hostile@@\""
	var set func(v any, p string) any
	set = func(v any, p string) any {
		switch x := v.(type) {
		case string:
			if p == path {
				return "@@hostile@@"
			}
			return x
		case []any:
			out := make([]any, len(x))
			for i, el := range x {
				out[i] = set(el, fmt.Sprintf("%s[%d]", p, i))
			}
			return out
		case map[string]any:
			out := make(map[string]any, len(x))
			for k, el := range x {
				out[k] = set(el, join(p, k))
			}
			return out
		}
		return v
	}
	b, err := json.Marshal(set(doc, ""))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Count(b, []byte(mark)) != 1 {
		t.Fatalf("path %s not found once in %s", path, b)
	}
	return bytes.Replace(b, []byte(mark), []byte(value), 1)
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
