// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"fmt"
	"net/http"
	"testing"

	"vigil/internal/store/storetest"
)

// BenchmarkAPI measures whole requests through the handler on SQLite:
// token lookup, tenant check, store query and JSON encoding.
func BenchmarkAPI(b *testing.B) {
	st := storetest.OpenSQLite(b, storetest.Options{Now: fixedNow})
	e := newEnv(b, st)
	A := e.orgs[0]
	for _, bc := range []struct {
		name string
		r    req
	}{
		{"get_org", req{method: "GET", path: fmt.Sprintf("/api/v1/orgs/%d", A.ID), token: tokAR}},
		{"list_assets", req{method: "GET", path: fmt.Sprintf("/api/v1/orgs/%d/assets?limit=100", A.ID), token: tokAR}},
		{"other_org_404", req{method: "GET", path: fmt.Sprintf("/api/v1/orgs/%d", e.orgs[1].ID), token: tokAR}},
		{"openapi", req{method: "GET", path: "/api/openapi.json"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if rec := e.send(bc.r); rec.Code >= 500 || rec.Code == http.StatusUnauthorized {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}
