// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// selfScoped are the isolation checks of routes that are neither
// operator-only nor below OrgPath: their handlers filter by the caller, so
// each needs its own check. A new such route without an entry here fails
// TestTenantIsolation.
func selfScoped() map[string]func(t *testing.T, e *env, attacker string, own, victim registry.Org) {
	return map[string]func(t *testing.T, e *env, attacker string, own, victim registry.Org){
		"orgList": func(t *testing.T, e *env, attacker string, own, victim registry.Org) {
			rec := e.send(req{method: "GET", path: "/api/v1/orgs?limit=500", token: attacker})
			wantStatus(t, rec, http.StatusOK)
			page := decodeAs[Page[registry.Org]](t, rec)
			if len(page.Items) != 1 || page.Items[0].ID != own.ID || page.NextAfter != nil {
				t.Errorf("tenant's organisation list = %+v; want only its own organisation %d", page, own.ID)
			}
			// Paging past its own organisation shows nothing else.
			rec = e.send(req{method: "GET", path: fmt.Sprintf("/api/v1/orgs?after=%d", own.ID), token: attacker})
			if page := decodeAs[Page[registry.Org]](t, rec); len(page.Items) != 0 {
				t.Errorf("tenant's list after its own id = %+v; want empty", page.Items)
			}
		},
		"me": func(t *testing.T, e *env, attacker string, own, victim registry.Org) {
			rec := e.send(req{method: "GET", path: "/api/v1/me", token: attacker})
			wantStatus(t, rec, http.StatusOK)
			if me := decodeAs[Me](t, rec); me.OrgID != own.ID || me.Operator {
				t.Errorf("me = %+v; want organisation %d, not operator", me, own.ID)
			}
		},
	}
}

// TestTenantIsolation is generated from the route table. For every route,
// an organisation's read-write token aimed at another organisation's
// objects gets 404 on organisation-scoped routes (exactly as for an id that
// does not exist), 403 on operator-only routes, and only its own data on
// the others. The other organisation's data must be unchanged afterwards.
// It runs in both directions (A against B, B against A).
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		checks := selfScoped()
		seedNotices(t, e)
		for _, dir := range []struct {
			attacker    string
			own, victim registry.Org
		}{
			{tokARW, e.orgs[0], e.orgs[1]},
			{tokBRW, e.orgs[1], e.orgs[0]},
		} {
			t.Run(dir.attacker, func(t *testing.T) {
				before := orgState(t, st, dir.victim.ID)
				victim, own := e.idsOf(dir.victim), e.idsOf(dir.own)
				// Own organisation, victim's children.
				mixed := victim
				mixed.org = own.org
				for _, rt := range e.srv.Routes() {
					if rt.Public {
						continue
					}
					body := e.bodyFor(rt, "isolation-"+dir.attacker)
					switch {
					case rt.OperatorOnly():
						t.Run(rt.ID, func(t *testing.T) {
							rec := e.send(req{method: rt.Method, path: fill(rt.Path, victim), token: dir.attacker, body: body})
							wantProblem(t, rec, http.StatusForbidden, "")
						})
					case rt.OrgScoped():
						t.Run(rt.ID+"/other_org", func(t *testing.T) {
							rec := e.send(req{method: rt.Method, path: fill(rt.Path, victim), token: dir.attacker, body: body})
							p := wantProblem(t, rec, http.StatusNotFound, "")
							// The answer is the one for an organisation that does not exist.
							gone := victim
							gone.org = 987654
							q := wantProblem(t, e.send(req{method: rt.Method, path: fill(rt.Path, gone), token: dir.attacker, body: body}), http.StatusNotFound, "")
							if p.Type != q.Type || p.Title != q.Title || strings.ReplaceAll(p.Detail, fmt.Sprint(victim.org), "N") != strings.ReplaceAll(q.Detail, "987654", "N") {
								t.Errorf("other organisation answers %+v; a missing one %+v", p, q)
							}
						})
						if len(rt.PathParams()) > 1 {
							t.Run(rt.ID+"/other_orgs_child", func(t *testing.T) {
								rec := e.send(req{method: rt.Method, path: fill(rt.Path, mixed), token: dir.attacker, body: body})
								wantProblem(t, rec, http.StatusNotFound, "")
							})
						}
					default:
						check, ok := checks[rt.ID]
						if !ok {
							t.Errorf("route %s (%s) is neither below %s nor operator-only: add a tenant isolation check for it to selfScoped", rt.Pattern(), rt.ID, OrgPath)
							continue
						}
						t.Run(rt.ID+"/self", func(t *testing.T) { check(t, e, dir.attacker, dir.own, dir.victim) })
					}
				}
				if diff := cmp.Diff(before, orgState(t, st, dir.victim.ID)); diff != "" {
					t.Errorf("the victim's data changed (-before +after):\n%s", diff)
				}
			})
		}
		for id := range checks {
			found := false
			for _, rt := range e.srv.Routes() {
				found = found || rt.ID == id
			}
			if !found {
				t.Errorf("selfScoped has a check for %q, which is not a route", id)
			}
		}
	})
}

func orgState(t *testing.T, st *store.Store, id int64) registry.Org {
	t.Helper()
	o, err := st.OrgGet(context.Background(), tenant.Operator(), id)
	if err != nil {
		t.Fatalf("victim organisation %d: %v", id, err)
	}
	return o
}
