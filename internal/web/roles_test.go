// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/keyset"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// tokAMaker is the name of organisation A's maker token (read and write,
// Maker) that TestOrgRolesAPI makes.
const tokAMaker = "A:maker"

// TestOrgRolesAPI is generated from the route table, as
// TestTenantIsolation is, for the roles in an organisation: a maker's
// token of organisation A (read and write) gets 403 on every operator-only
// route and on every route of A's that the table does not open to makers
// (Makers), changing nothing of A, while A's member token is served there
// (so the 403 is the role's); on A's routes open to makers it is served
// like a member (every GET answers its success status, no change is
// refused), and another organisation's routes answer it 404, exactly as
// for one that does not exist. GET /api/v1/me says the token is a
// maker's.
func TestOrgRolesAPI(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		seedNotices(t, e)
		seedAssessments(t, e)
		A, B := e.orgs[0], e.orgs[1]
		// The operator makes the lab's token through the API.
		rec := e.send(req{method: "POST", path: "/api/v1/tokens", token: tokOp,
			body: fmt.Sprintf(`{"org_id":%d,"name":"lab","scopes":["read","write"],"maker":true}`, A.ID)})
		wantStatus(t, rec, http.StatusCreated)
		created := decodeAs[TokenCreated](t, rec)
		if !created.Token.Maker || created.Token.OrgID != A.ID {
			t.Fatalf("token made = %+v; want a maker's token of organisation %d", created.Token, A.ID)
		}
		e.tok[tokAMaker] = created.Secret
		ts, err := st.TokenList(context.Background(), tenant.Operator(), keyset.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range ts {
			if tk.Maker != (tk.ID == created.Token.ID) {
				t.Errorf("listed token %d (%s): maker %v", tk.ID, tk.Name, tk.Maker)
			}
		}
		wantProblem(t, e.send(req{method: "POST", path: "/api/v1/tokens", token: tokOp, body: `{"name":"lab","scopes":["admin"],"maker":true}`}), http.StatusUnprocessableEntity, "maker")
		if me := decodeAs[Me](t, e.send(req{method: "GET", path: "/api/v1/me", token: tokAMaker})); !me.Maker || me.OrgID != A.ID || me.Operator {
			t.Errorf("me = %+v; want a maker of organisation %d", me, A.ID)
		}
		state := storetest.OrgSnapshot(t, st)
		own, victim := e.idsOf(A), e.idsOf(B)
		counts := map[string]int{}
		// The GETs first: the changes a maker may make (a device deleted)
		// must not take away the objects the GETs read.
		for _, pass := range []bool{true, false} {
			for _, rt := range e.srv.Routes() {
				if rt.Public || rt.IsPage() || (rt.Method == http.MethodGet) != pass {
					continue
				}
				body := e.bodyFor(rt, "roles-"+rt.ID)
				if rt.OwnAct {
					// The organisation's own answer: an operator token
					// is refused as staff are on the page.
					counts["own_act"]++
					t.Run(rt.ID+"/operator_own_act", func(t *testing.T) {
						was := state(t, A.ID)
						wantProblem(t, e.send(req{method: rt.Method, path: fill(rt.Path, own), token: tokOp, body: body}), http.StatusForbidden, "")
						if diff := cmp.Diff(was, state(t, A.ID)); diff != "" {
							t.Errorf("an operator's refused %s changed organisation A (-before +after):\n%s", rt.ID, diff)
						}
					})
				}
				switch {
				case rt.OperatorOnly():
					counts["operator"]++
					t.Run(rt.ID+"/operator_only", func(t *testing.T) {
						wantProblem(t, e.send(req{method: rt.Method, path: fill(rt.Path, own), token: tokAMaker, body: body}), http.StatusForbidden, "")
					})
				case !rt.OrgScoped():
					// Self-scoped (the caller's own list, me): the token's
					// organisation, as TestTenantIsolation checks.
				case !rt.Makers:
					counts["members"]++
					t.Run(rt.ID+"/members_only", func(t *testing.T) {
						was := state(t, A.ID)
						wantProblem(t, e.send(req{method: rt.Method, path: fill(rt.Path, own), token: tokAMaker, body: body}), http.StatusForbidden, "")
						if diff := cmp.Diff(was, state(t, A.ID)); diff != "" {
							t.Errorf("a maker's refused %s changed organisation A (-before +after):\n%s", rt.ID, diff)
						}
						if rt.Method == http.MethodGet {
							wantStatus(t, e.send(req{method: rt.Method, path: fill(rt.Path, own), token: tokARW}), rt.successStatus())
						}
					})
				default:
					counts["makers"]++
					t.Run(rt.ID+"/maker", func(t *testing.T) {
						rec := e.send(req{method: rt.Method, path: fill(rt.Path, own), token: tokAMaker, body: body})
						if rt.Method == http.MethodGet {
							wantStatus(t, rec, rt.successStatus())
						} else if rec.Code == http.StatusForbidden {
							t.Errorf("%s refuses a maker: %s", rt.ID, rec.Body)
						}
					})
				}
				if rt.OrgScoped() && !rt.OperatorOnly() {
					t.Run(rt.ID+"/other_org", func(t *testing.T) {
						was := state(t, B.ID)
						wantProblem(t, e.send(req{method: rt.Method, path: fill(rt.Path, victim), token: tokAMaker, body: body}), http.StatusNotFound, "")
						if diff := cmp.Diff(was, state(t, B.ID)); diff != "" {
							t.Errorf("a maker of A changed organisation B (-before +after):\n%s", diff)
						}
					})
				}
			}
		}
		if counts["own_act"] != 2 {
			t.Errorf("%d routes are the organisation's own answer; want 2 (acknowledge, dispute)", counts["own_act"])
		}
		for _, k := range []string{"operator", "members", "makers"} {
			if counts[k] < 5 {
				t.Errorf("only %d %s routes: the table lost its roles?", counts[k], k)
			}
		}
	})
}
