// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// administration are the path prefixes of the API's administration:
// accounts, tokens, settings and personal data. The test's own list, so
// that it does not take the table's word for what needs admin.
var administration = []string{"/api/v1/users", "/api/v1/tokens", "/api/v1/settings", "/api/v1/privacy"}

// operatorNeeds is the scope an operator token must carry for rt, by the
// rule the tokens page states: admin for administration, read for GET,
// operate for every other method.
func operatorNeeds(rt Route) auth.Scope {
	for _, p := range administration {
		if rt.Path == p || strings.HasPrefix(rt.Path, p+"/") {
			return auth.ScopeAdmin
		}
	}
	if rt.Method == http.MethodGet {
		return auth.ScopeRead
	}
	return auth.ScopeOperate
}

// scopeRank orders the operator scopes.
var scopeRank = map[auth.Scope]int{auth.ScopeRead: 1, auth.ScopeOperate: 2, auth.ScopeAdmin: 3}

// TestOperatorTokenScopes is generated from the route table: for every
// API route that is not public and every operator scope, a token with a
// narrower scope than the route needs (read: GET only, not
// administration; operate: everything but administration) is refused
// with 403 in the problem shape, naming the scope and changing nothing,
// and a token with the scope passes the route's authorisation. The
// OpenAPI document states the same scope for every operation.
func TestOperatorTokenScopes(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		secrets := map[auth.Scope]string{}
		for _, sc := range auth.OperatorScopes() {
			tk := auth.Token{Name: "operator " + string(sc), Scopes: []auth.Scope{sc}}
			secret, err := st.TokenCreate(ctx, tenant.Operator(), &tk)
			if err != nil {
				t.Fatal(err)
			}
			secrets[sc] = secret
		}
		var doc struct {
			Paths map[string]map[string]map[string]any `json:"paths"`
		}
		if err := json.Unmarshal(e.send(req{method: "GET", path: "/api/openapi.json"}).Body.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		own := e.idsOf(e.orgs[0])
		before, audits := snapshot(t, st), auditCount(t, st)
		seen := map[auth.Scope]int{}
		for _, rt := range e.srv.Routes() {
			if rt.Public || rt.IsPage() {
				continue
			}
			need := operatorNeeds(rt)
			seen[need]++
			if got := rt.OperatorScope(); got != need {
				t.Errorf("%s: the table asks operator tokens for %q; want %q", rt.Pattern(), got, need)
			}
			if got := doc.Paths[rt.Path][strings.ToLower(rt.Method)]["x-vigil-operator-scope"]; got != string(need) {
				t.Errorf("%s: OpenAPI x-vigil-operator-scope = %v; want %s", rt.Pattern(), got, need)
			}
			path := fill(rt.Path, own)
			body := e.bodyFor(rt, "scope")
			for _, sc := range auth.OperatorScopes() {
				name := fmt.Sprintf("%s/%s", rt.ID, sc)
				if scopeRank[sc] < scopeRank[need] {
					t.Run(name, func(t *testing.T) {
						p := wantProblem(t, e.send(req{method: rt.Method, path: path, token: secrets[sc], body: body}), http.StatusForbidden, "")
						if want := fmt.Sprintf("the token lacks the %s scope", need); p.Detail != want {
							t.Errorf("detail = %q; want %q", p.Detail, want)
						}
					})
					continue
				}
				if rt.OwnAct {
					// Only the organisation's own members answer its
					// warnings: every operator token is refused.
					t.Run(name, func(t *testing.T) {
						wantProblem(t, e.send(req{method: rt.Method, path: path, token: secrets[sc], body: body}), http.StatusForbidden, "")
					})
					continue
				}
				// A token with the scope passes authorisation (what the
				// handler then does is the other tests' business).
				t.Run(name, func(t *testing.T) {
					hr := httptest.NewRequest(rt.Method, path, strings.NewReader(body))
					hr.Header.Set("Authorization", "Bearer "+secrets[sc])
					hr.Header.Set("Content-Type", "application/json")
					segs, vals := strings.Split(rt.Path, "/"), strings.Split(path, "/")
					for i, s := range segs {
						if strings.HasPrefix(s, "{") {
							hr.SetPathValue(strings.Trim(s, "{}"), vals[i])
						}
					}
					err := e.srv.prepare(&call{s: e.srv, w: httptest.NewRecorder(), r: hr, route: &rt})
					if code := errs.CodeOf(err); code == errs.Forbidden || code == errs.Unauthorized {
						t.Errorf("%s token: %v; want it let through", sc, err)
					}
				})
			}
		}
		for _, sc := range auth.OperatorScopes() {
			if seen[sc] == 0 {
				t.Errorf("no route needs %s: the test proves nothing for it", sc)
			}
		}
		if diff := cmp.Diff(before, snapshot(t, st)); diff != "" {
			t.Errorf("refused calls changed the organisations (-before +after):\n%s", diff)
		}
		if n := auditCount(t, st); n != audits {
			t.Errorf("refused calls left %d audit entries", n-audits)
		}
	})
}

// TestTokenExpiryAndLastUseAPI checks through the API: a token made with
// an expiry lists it, a call notes the token's last use in the list, and
// an expired token is answered exactly as an unknown one.
func TestTokenExpiryAndLastUseAPI(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		tests := []struct {
			name string
			body string
			want *time.Time
		}{
			{"default", `{"name":"default","scopes":["read"]}`, ptr(fixedNow().Add(auth.DefaultTokenDays * 24 * time.Hour))},
			{"thirty", `{"name":"thirty","scopes":["operate"],"expires_days":30}`, ptr(fixedNow().Add(30 * 24 * time.Hour))},
			{"never", `{"name":"never","scopes":["admin"],"expires_days":0}`, nil},
		}
		for _, tt := range tests {
			created := decodeAs[TokenCreated](t, e.send(req{method: "POST", path: "/api/v1/tokens", token: tokOp, body: tt.body}))
			if !cmp.Equal(created.Token.ExpiresAt, tt.want) {
				t.Errorf("%s: expires_at = %v; want %v", tt.name, created.Token.ExpiresAt, tt.want)
			}
			wantStatus(t, e.send(req{method: "GET", path: "/api/v1/me", token: created.Secret}), http.StatusOK)
			list := decodeAs[Page[auth.Token]](t, e.send(req{method: "GET", path: "/api/v1/tokens?limit=500", token: tokOp}))
			var got *auth.Token
			for i := range list.Items {
				if list.Items[i].ID == created.Token.ID {
					got = &list.Items[i]
				}
			}
			if got == nil || !cmp.Equal(got.ExpiresAt, tt.want) || got.LastUsedAt == nil || !got.LastUsedAt.Equal(fixedNow()) {
				t.Errorf("%s: listed as %+v; want expiry %v and last use %v", tt.name, got, tt.want, fixedNow())
			}
		}

		past := fixedNow().Add(-time.Second)
		tk := auth.Token{Name: "expired", Scopes: []auth.Scope{auth.ScopeAdmin}, ExpiresAt: &past}
		expired, err := st.TokenCreate(ctx, tenant.Operator(), &tk)
		if err != nil {
			t.Fatal(err)
		}
		problem := func(secret string) Problem {
			p := wantProblem(t, e.send(req{method: "GET", path: "/api/v1/me", token: secret}), http.StatusUnauthorized, "")
			p.Instance = ""
			return p
		}
		if got, want := problem(expired), problem(auth.NewSecret()); !cmp.Equal(got, want) {
			t.Errorf("expired token answered %+v; an unknown one %+v", got, want)
		}
		ts, err := st.TokenList(ctx, tenant.Operator(), keyset.Page{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ts {
			if x.ID == tk.ID && x.LastUsedAt != nil {
				t.Errorf("a refused expired token noted its use at %v", x.LastUsedAt)
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }
