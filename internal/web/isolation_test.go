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

	"github.com/google/go-cmp/cmp"

	"vigil/internal/assess"
	"vigil/internal/label"
	"vigil/internal/notify"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
	"vigil/internal/vuln"
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
// the others. After every request the victim's whole state — every row of
// every table with an organisation, and the rows that hang off them, found
// from the schema (storetest.OrgSnapshot) — must be as before, and no answer
// may carry the victim's name, contacts or notice tickets. It runs in both
// directions (A against B, B against A), on SQLite and PostgreSQL.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		checks := selfScoped()
		seedNotices(t, e)
		seedAssessments(t, e)
		for _, dir := range []struct {
			attacker    string
			own, victim registry.Org
		}{
			{tokARW, e.orgs[0], e.orgs[1]},
			{tokBRW, e.orgs[1], e.orgs[0]},
		} {
			t.Run(dir.attacker, func(t *testing.T) {
				state := storetest.OrgSnapshot(t, st)
				before := state(t, dir.victim.ID)
				for _, table := range victimTables {
					if len(before[table]) == 0 {
						t.Fatalf("the victim has no rows in %s: the snapshot would prove nothing there", table)
					}
				}
				canaries := victimCanaries(t, e, dir.victim)
				// send sends r, then checks that the answer leaks nothing
				// of the victim and that the victim's state is unchanged.
				send := func(t *testing.T, r req) *httptest.ResponseRecorder {
					t.Helper()
					rec := e.send(r)
					for _, c := range canaries {
						if strings.Contains(rec.Body.String(), c) {
							t.Errorf("%s %s answers with the victim's %q: %s", r.method, r.path, c, rec.Body.String())
						}
					}
					if diff := cmp.Diff(before, state(t, dir.victim.ID)); diff != "" {
						t.Fatalf("%s %s changed the victim's data (-before +after):\n%s", r.method, r.path, diff)
					}
					return rec
				}
				victim, own := e.idsOf(dir.victim), e.idsOf(dir.own)
				// Own organisation, victim's children.
				mixed := victim
				mixed.Org = own.Org
				for _, rt := range e.srv.Routes() {
					if rt.Public || rt.IsPage() {
						continue // pages: TestPageAuthorisation
					}
					body := e.bodyFor(rt, "isolation-"+dir.attacker)
					switch {
					case rt.OperatorOnly():
						t.Run(rt.ID, func(t *testing.T) {
							rec := send(t, req{method: rt.Method, path: fill(rt.Path, victim), token: dir.attacker, body: body})
							wantProblem(t, rec, http.StatusForbidden, "")
						})
					case rt.OrgScoped():
						t.Run(rt.ID+"/other_org", func(t *testing.T) {
							rec := send(t, req{method: rt.Method, path: fill(rt.Path, victim), token: dir.attacker, body: body})
							p := wantProblem(t, rec, http.StatusNotFound, "")
							// The answer is the one for an organisation that does not exist.
							gone := victim
							gone.Org = 987654
							q := wantProblem(t, send(t, req{method: rt.Method, path: fill(rt.Path, gone), token: dir.attacker, body: body}), http.StatusNotFound, "")
							if p.Type != q.Type || p.Title != q.Title || strings.ReplaceAll(p.Detail, fmt.Sprint(victim.Org), "N") != strings.ReplaceAll(q.Detail, "987654", "N") {
								t.Errorf("other organisation answers %+v; a missing one %+v", p, q)
							}
						})
						if len(rt.PathParams()) > 1 {
							t.Run(rt.ID+"/other_orgs_child", func(t *testing.T) {
								rec := send(t, req{method: rt.Method, path: fill(rt.Path, mixed), token: dir.attacker, body: body})
								wantProblem(t, rec, http.StatusNotFound, "")
							})
						}
					default:
						check, ok := checks[rt.ID]
						if !ok {
							t.Errorf("route %s (%s) is neither below %s nor operator-only: add a tenant isolation check for it to selfScoped", rt.Pattern(), rt.ID, OrgPath)
							continue
						}
						t.Run(rt.ID+"/self", func(t *testing.T) {
							check(t, e, dir.attacker, dir.own, dir.victim)
							if diff := cmp.Diff(before, state(t, dir.victim.ID)); diff != "" {
								t.Errorf("the victim's data changed (-before +after):\n%s", diff)
							}
						})
					}
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

// victimTables are tables the seeded victim has rows in: the snapshot must
// hold them, or it could not see a change there.
var victimTables = []string{"orgs", "contacts", "assets", "devices", "api_tokens", "findings", "finding_events", "notices",
	"notice_items", "outbox", "assessments", "assessment_evidence", "labels", "label_events", "vuln_components"}

// victimCanaries are strings of the victim's that no answer to another
// tenant may contain: its name, its contacts' addresses, its notices'
// tickets and its label's id.
func victimCanaries(t *testing.T, e *env, victim registry.Org) []string {
	t.Helper()
	out := []string{victim.Name, "VL-" + victim.Name}
	for _, c := range victim.Contacts {
		if c.Email != "" {
			out = append(out, c.Email)
		}
	}
	ns, err := e.st.NoticeList(context.Background(), tenant.Org(victim.ID), notify.NoticeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns {
		out = append(out, string(n.Ticket))
	}
	return out
}

// seedAssessments gives organisations A and B an assessment of their first
// device, with an evidence file, a label and its event, and an SBOM
// component of the device.
func seedAssessments(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	op := tenant.Operator()
	for _, o := range e.orgs[:2] {
		dev := o.Devices[0].ID
		a, err := e.st.AssessmentCreate(ctx, op, assess.Request{DeviceID: dev, Actor: "maker"})
		if err != nil {
			t.Fatal(err)
		}
		aid, _ := assess.ParseID(a.ID)
		if _, err := e.st.EvidenceAdd(ctx, op, aid, "pentest.md", "text/markdown", []byte("pentest of "+o.Name), "maker"); err != nil {
			t.Fatal(err)
		}
		l := label.Record{ID: "VL-" + o.Name, AssessmentID: aid, DeviceID: dev, OrgID: o.ID, Grade: assess.GradeB, Rule: assess.RuleVersion,
			KeyID: "k1", Signed: json.RawMessage(`{}`), Issued: fixedNow(), Expires: fixedNow().AddDate(1, 0, 0)}
		if err := e.st.LabelCreate(ctx, op, &l); err != nil {
			t.Fatal(err)
		}
		if err := e.st.LabelEventAdd(ctx, op, &label.Event{AssessmentID: aid, LabelID: l.ID, Kind: label.EventIssued, Grade: "B", Actor: "lead"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.VulnComponentReplace(ctx, op, dev, []vuln.Component{{Name: "openssl", Version: "1.1.1k"}}); err != nil {
			t.Fatal(err)
		}
	}
}
