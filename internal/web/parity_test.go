// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"vigil/internal/account"
	"vigil/internal/auth"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// pagePersona is who does a page action in the parity tests: the persona
// its route allows (twinRole), and the API credential of the same role.
func pagePersona(rt Route) (as, token string) {
	switch twinRole(rt) {
	case "public":
		return asAnon, ""
	case "operator":
		return asAdmin, tokOp
	case "account":
		return asMemberA, ""
	}
	return asMemberA, tokARW
}

// memberCreds is the credentials member A's API twins of Self pages carry.
var memberCreds = fmt.Sprintf(`{"email":"memberA@portal.example","password":%q}`, testPassword)

// apiTwinCalls are the API calls that do what each page action (the form
// of pageForms or the call of auditedCalls) does, by page route id, on
// the API twin's path filled with own's ids. TestPageActionsMatchAPI fails
// for a page action that is missing here.
func (e *pageEnv) apiTwinCalls(t *testing.T, own ids) map[string]func(path, token string) *httptest.ResponseRecorder {
	t.Helper()
	ctx := context.Background()
	A := e.orgs[0]
	send := func(method, body string) func(path, token string) *httptest.ResponseRecorder {
		return func(path, token string) *httptest.ResponseRecorder {
			return e.send(req{method: method, path: path, token: token, body: body})
		}
	}
	get := func(query string) func(path, token string) *httptest.ResponseRecorder {
		return func(path, token string) *httptest.ResponseRecorder {
			return e.send(req{method: http.MethodGet, path: path + query, token: token})
		}
	}
	// The deletes take a spare asset and device, as auditedCalls'.
	spareAsset, spareDevice := spareObjects(t, e.st, A.ID)
	return map[string]func(path, token string) *httptest.ResponseRecorder{
		"pageAssetDelete": func(_, token string) *httptest.ResponseRecorder {
			return e.send(req{method: http.MethodDelete, path: fmt.Sprintf("/api/v1/orgs/%d/assets/%d", A.ID, spareAsset), token: token})
		},
		"pageDeviceDelete": func(_, token string) *httptest.ResponseRecorder {
			return e.send(req{method: http.MethodDelete, path: fmt.Sprintf("/api/v1/orgs/%d/devices/%d", A.ID, spareDevice), token: token})
		},
		"pageForgotPost": send("POST", `{"email":"memberA@portal.example"}`),
		"pageSignupPost": send("POST", `{"email":"signed-up@portal.example","name":"Signed Up","password":"a brand new password","lang":"nl"}`),
		"pageSignupConfirmPost": func(path, token string) *httptest.ResponseRecorder {
			e.send(req{method: "POST", path: "/api/v1/signup", body: `{"email":"confirming@portal.example","password":"a brand new password"}`})
			return e.send(req{method: "POST", path: path, body: fmt.Sprintf(`{"token":%q,"password":"a brand new password"}`, e.mailedToken(t, "/signup/confirm"))})
		},
		"pageSettingsPost": send("PUT", `{"signup_open":false}`),
		"pageResetPost": func(path, token string) *httptest.ResponseRecorder {
			e.send(req{method: "POST", path: "/api/v1/password/forgot", body: `{"email":"makerA@portal.example"}`})
			return e.send(req{method: "POST", path: path, body: fmt.Sprintf(`{"token":%q,"password":"the new password"}`, e.mailedToken(t, "/password/reset"))})
		},
		"pageAccountPassword": send("POST", fmt.Sprintf(`{"account":%s,"password":"a brand new password"}`, memberCreds)),
		"pageUserCreate": func(path, token string) *httptest.ResponseRecorder {
			// pageForms makes a new address each call; the twin does too.
			return e.send(req{method: "POST", path: path, token: token, body: fmt.Sprintf(`{"email":"twin-%d@portal.example","password":"long enough password"}`, e.st.Now().UnixNano())})
		},
		"pageNoticeAck":        send("POST", ""),
		"pageFindingsCSV":      get("?format=csv"),
		"pageFindingsJSON":     get(""),
		"pageOutboxResolve":    send("POST", `{"outcome":"resend"}`),
		"pageCallRecord":       send("POST", `{"outcome":"left_message","note":"voicemail of the security desk"}`),
		"pageAuditExport":      get("?format=csv"),
		"pageAssetAdd":         send("POST", `{"value":"203.0.113.0/24"}`),
		"pageAssetVerify":      send("POST", ""),
		"pageContactAdd":       send("POST", `{"email":"desk@portal.example"}`),
		"pageContactEdit":      send("PATCH", `{"name":"Desk","email":"desk-edited@portal.example","phone":"","role":"technical","lang":"en"}`),
		"pageContactDelete":    send("DELETE", ""),
		"pageMemberRemove":     send("DELETE", ""),
		"pageInvitationRevoke": send("DELETE", ""),
		"pageInvite":           send("POST", `{"email":"colleague@portal.example"}`),
		"pageInvitationPost": func(path, token string) *httptest.ResponseRecorder {
			tok, err := e.srv.accounts.Invite(ctx, e.users[asAdmin].ID, A.ID, "invited@portal.example", account.RoleMember)
			if err != nil {
				t.Fatal(err)
			}
			return e.send(req{method: "POST", path: path, body: fmt.Sprintf(`{"token":%q,"name":"Invited","password":"a brand new password"}`, tok)})
		},
		"pageLabelVerifyPost": send("POST", `{"id":"VL-0000-0000-0000"}`),
		"verifyPageLookup":    send("POST", `{"ticket":"VGL-0000-0000"}`),
		// The account's password is the one pageAccountPassword set.
		"pageRegisterPost": send("POST", `{"account":{"email":"memberA@portal.example","password":"a brand new password"},"name":"Nieuw BV","asset":"nieuw.example"}`),
		"pageApprove": func(_, token string) *httptest.ResponseRecorder {
			e.send(req{method: "POST", path: "/api/v1/register", body: `{"account":{"email":"memberA@portal.example","password":"a brand new password"},"name":"Wachtend BV","asset":"wachtend.example"}`})
			pending, err := e.st.OrgPending(ctx, tenant.Operator())
			if err != nil || len(pending) == 0 {
				t.Fatalf("pending organisations: %v %v", pending, err)
			}
			return e.send(req{method: "POST", path: fmt.Sprintf("/api/v1/orgs/%d/approve", pending[0].ID), token: token})
		},
		"pageReject": func(_, token string) *httptest.ResponseRecorder {
			// From an address of its own: the sign-in budget of the
			// default one is the other twins'.
			e.send(req{method: "POST", path: "/api/v1/register", from: "198.51.100.21:1", body: `{"account":{"email":"memberA@portal.example","password":"a brand new password"},"name":"Afgewezen BV","asset":"afgewezen.example"}`})
			return e.send(req{method: "POST", path: fmt.Sprintf("/api/v1/orgs/%d/reject", e.orgNamed(t, "Afgewezen BV")), token: token, body: `{"reason":"not in the trade register"}`})
		},
		"pageReapply": func(_, token string) *httptest.ResponseRecorder {
			e.send(req{method: "POST", path: "/api/v1/register", from: "198.51.100.22:1", body: `{"account":{"email":"memberA@portal.example","password":"a brand new password"},"name":"Opnieuw BV","asset":"opnieuw.example"}`})
			id := e.orgNamed(t, "Opnieuw BV")
			if rec := e.send(req{method: "POST", path: fmt.Sprintf("/api/v1/orgs/%d/reject", id), token: "parity", body: `{"reason":"not in the trade register"}`}); rec.Code != http.StatusOK {
				t.Fatalf("rejecting %d: %d %s", id, rec.Code, rec.Body.String())
			}
			return e.send(req{method: "POST", path: fmt.Sprintf("/api/v1/orgs/%d/reapply", id), token: e.orgToken(t, id), body: `{"note":"registration number 12345678"}`})
		},
		"pageAssetConfirm": send("POST", `{"how":"RIR contact confirmed by telephone"}`),
		"pageFindingDispute": func(_, token string) *httptest.ResponseRecorder {
			var last *httptest.ResponseRecorder
			for _, f := range e.findingIDs(t, A.ID) { // the first finding without a dispute
				last = e.send(req{method: "POST", path: fmt.Sprintf("/api/v1/orgs/%d/findings/%d/disputes", A.ID, f), token: token, body: `{"reason":"not_ours"}`})
				if last.Code < 400 {
					break
				}
			}
			return last
		},
		"pageDisputeDecide":     send("POST", `{"accept":false,"reason":"still seen"}`),
		"pageDeviceAdd":         send("POST", `{"vendor":"Axis","model":"M3106","firmware":"10.1"}`),
		"pageDeviceSBOM":        e.sendAs("application/vnd.cyclonedx+json", `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{"type":"library","name":"openssl","version":"1.1.1k","purl":"pkg:generic/openssl@1.1.1k"}]}`, ""),
		"pageAssessmentStart":   send("POST", `{"device_id":1}`),
		"pageAssessmentAnswers": send("POST", `{"answers":{"format":"vigil-answers/1","answers":{"5.1-1":{"status":"met"}}}}`),
		"pageReview": func(_, token string) *httptest.ResponseRecorder {
			return e.send(req{method: "POST", path: fmt.Sprintf("/api/v1/assessments/%s/review", assessID(e.submitted(t, false))), token: token, body: `{"accept":false,"comments":"give the support period"}`})
		},
		"pageIssue": func(_, token string) *httptest.ResponseRecorder {
			return e.send(req{method: "POST", path: fmt.Sprintf("/api/v1/assessments/%s/label", assessID(e.submitted(t, true))), token: token})
		},
		"pageLabelRevoke": func(_, token string) *httptest.ResponseRecorder {
			id := assessID(e.submitted(t, true))
			if rec := e.send(req{method: "POST", path: "/api/v1/assessments/" + id + "/label", token: tokOp}); rec.Code != http.StatusCreated {
				t.Fatalf("issuing the label of %s: %d %s", id, rec.Code, rec.Body.String())
			}
			return e.send(req{method: "POST", path: "/api/v1/assessments/" + id + "/revoke", token: token, body: `{"reason":"the maker withdrew the product"}`})
		},
		"pageSecurityTxtPost": get("?target=vendor.test"),
		"pageIngest":          e.sendAs("", string(readSample(t)), "?name="+url.QueryEscape(sampleFeed)+"&type=shadowserver&trigger=rdp-portal&again=true"),
		"pageNotifySend":      send("POST", ""),
		"pageEvidenceAdd":     e.sendAs("text/csv", "port,state\n22,closed\n", "?name=ports.csv"),
		"pageEvidenceGet":     get(""),
		"pageTokenCreate":     send("POST", fmt.Sprintf(`{"name":"ticketing","scopes":["admin"],"org_id":%d}`, 0)),
		"pageTokenRevoke":     send("DELETE", ""),
		"pageUserRole":        send("POST", `{"role":"analyst"}`),
		"pageUserDisable":     send("POST", ""),
		"pageUserEnable":      send("POST", ""),
		"pageUserTOTPReset":   send("POST", ""),
		"pagePolicySave":      send("PATCH", `{"policy":{"mode":"daily","min_severity":"high","channels":["email"]}}`),
		"pageProductAdd":      send("POST", `{"vendor":"Axis","model":"M3200","firmware":"11.1"}`),
		"pageProductSave":     send("PUT", `{"vendor":"Axis","model":"M3106","firmware":"10.2"}`),
		"pageProductAssess":   send("POST", fmt.Sprintf(`{"device_id":%d}`, own.Device)),
		"pageSourceAdd":       send("POST", `{"name":"kev-page","kind":"kev","url":"https://kev.example/known.json"}`),
		"pageSourcePause":     send("POST", ""),
		"pageSourceResume":    send("POST", ""),
		"pageSourceRun":       send("POST", ""),
		"pagePrivacyExport":   get("?contact=memberA@portal.example"),
		"pagePrivacyErase":    send("POST", `{"contact":"nobody@portal.example"}`),
	}
}

// orgNamed is the id of the organisation named name.
func (e *pageEnv) orgNamed(t *testing.T, name string) int64 {
	t.Helper()
	id, err := e.st.OrgGetByName(context.Background(), tenant.Operator(), name)
	if err != nil {
		t.Fatalf("organisation %q: %v", name, err)
	}
	return id
}

// orgToken makes a read and write token of organisation org and returns
// its name in e.tok.
func (e *pageEnv) orgToken(t *testing.T, org int64) string {
	t.Helper()
	tok := auth.Token{Name: fmt.Sprintf("org-%d", org), OrgID: org, Scopes: []auth.Scope{auth.ScopeRead, auth.ScopeWrite}}
	secret, err := e.st.TokenCreate(context.Background(), tenant.Operator(), &tok)
	if err != nil {
		t.Fatal(err)
	}
	e.tok[tok.Name] = secret
	return tok.Name
}

// sendAs returns a call posting body as Content-Type ctype ("" lets the
// server sniff it) with query.
func (e *pageEnv) sendAs(ctype, body, query string) func(path, token string) *httptest.ResponseRecorder {
	return func(path, token string) *httptest.ResponseRecorder {
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		return e.send(req{method: http.MethodPost, path: path + query, token: token, body: body, ctype: ctype})
	}
}

// findingIDs are organisation org's findings' ids, oldest first.
func (e *pageEnv) findingIDs(t *testing.T, org int64) []int64 {
	t.Helper()
	rows, err := e.st.Query(context.Background(), `SELECT id FROM findings WHERE org_id = $1 ORDER BY id`, org)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// assessID is an assessment's id as its API paths spell it.
func assessID(n int64) string { return fmt.Sprintf("%d", n) }

// parityIgnore are the tables and columns that differ between doing an
// action in the portal and through the API by design: sessions (a page
// has one; a credentials call opens and closes its own), the audit log
// (who and how; TestPagePostsAudited and TestEndpointsHappyPath check it)
// an account's sign-in bookkeeping, which a credentials call updates, and
// the last use of the token an API call authenticates with.
var parityIgnore = []string{"sessions", "audit_log", "users.last_login", "users.failed_logins", "users.locked_until", "login_locks", "api_tokens.last_used_at"}

// unchanged are the page actions whose parity calls change no table the
// state compares, and why; for every other POST an empty change would make
// the comparison say nothing, so it fails. (The audit export differs by
// design: it lists who did what, and how.)
var unchanged = map[string]bool{
	"pageSourceRun":    true, // the run is a job, in the queue's own tables, which the state leaves out
	"pagePrivacyErase": true, // the form names a person the seed does not hold (TestPrivacyPage erases one)
}

// TestPageActionsMatchAPI is generated from the route table: every page
// action (a form or a download) names an API route, or says why it has
// none; the API route is open to the same callers as the page (public,
// the account itself, an organisation's members, staff and operator
// tokens) and refuses the others as the API does; and doing each action
// through the API leaves the same stored effect as doing it through the
// page: the two are done in the route table's order on two databases
// seeded alike, and after each the tables changed (rows added, removed,
// columns changed) must be the same.
func TestPageActionsMatchAPI(t *testing.T) {
	t.Parallel()
	opts := storetest.Options{Now: fixedNow}
	storetest.EachOpts(t, opts, func(t *testing.T, st *store.Store) {
		st2 := storetest.OpenSQLite(t, opts)
		if st.Dialect() == store.Postgres {
			st2 = storetest.OpenPostgres(t, opts)
		}
		pe, ae := newPageEnv(t, st), newPageEnv(t, st2)
		seedNotices(t, pe.env)
		seedNotices(t, ae.env)
		pState, aState := storetest.DBState(t, st), storetest.DBState(t, st2)
		pOwn, aOwn := pe.idsOf(pe.orgs[0]), ae.idsOf(ae.orgs[0])
		// The signed links' tokens and the label's id differ: each
		// database has its own key and draws its own id.
		if diff := cmp.Diff(pOwn, aOwn, cmpopts.IgnoreFields(ids{}, "Ack", "OptOut", "Label")); diff != "" {
			t.Fatalf("the two databases are not seeded alike (-page +api):\n%s", diff)
		}
		forms, calls, twins := pe.pageForms(), pe.auditedCalls(t, pOwn), ae.apiTwinCalls(t, aOwn)
		// The API's operator calls carry a token of their own: the token
		// actions revoke token 1 on both sides, as the page forms do.
		op := auth.Token{Name: "parity", Scopes: []auth.Scope{auth.ScopeAdmin}}
		secret, err := st2.TokenCreate(context.Background(), tenant.Operator(), &op)
		if err != nil {
			t.Fatal(err)
		}
		ae.tok["parity"] = secret
		actions := 0
		for _, rt := range pe.srv.Routes() {
			if !rt.PageAction() {
				continue
			}
			if rt.NoAPI != "" {
				continue // checkRoutes demands the reason; the action only touches the browser's session
			}
			actions++
			api := pe.srv.routeByID(rt.API)
			as, token := pagePersona(rt)
			if token == tokOp {
				token = "parity"
			}
			t.Run(rt.ID+"/roles", func(t *testing.T) {
				if twinRole(rt) != twinRole(api) {
					t.Fatalf("page %s is for %s, its API route %s for %s", rt.ID, twinRole(rt), api.ID, twinRole(api))
				}
				path := ae.pageFill(api.Path, aOwn)
				switch twinRole(rt) {
				case "operator": // an organisation's token is refused as on every operator route
					wantProblem(t, ae.send(req{method: api.Method, path: path, token: tokARW, body: ae.bodyFor(api, "role")}), http.StatusForbidden, "")
				case "organisation": // another organisation's token: as if it did not exist
					wantProblem(t, ae.send(req{method: api.Method, path: path, token: tokBRW, body: ae.bodyFor(api, "role")}), http.StatusNotFound, "")
				case "account": // no credentials, no action
					rec := ae.send(req{method: api.Method, path: path, body: `{"account":{"email":"memberA@portal.example","password":"wrong password"}}`, from: "198.51.100.99:1"})
					if rec.Code != http.StatusUnauthorized && rec.Code != http.StatusBadRequest {
						t.Errorf("%s without the account's password: %d %s", api.ID, rec.Code, rec.Body.String())
					}
				}
			})
			twin, ok := twins[rt.ID]
			if !ok {
				t.Errorf("page action %s (%s) has no API call in apiTwinCalls", rt.Pattern(), rt.ID)
				continue
			}
			t.Run(rt.ID+"/same_effect", func(t *testing.T) {
				before := pState(t)
				var rec *httptest.ResponseRecorder
				path := pe.pageFill(rt.Path, pOwn) + pageQueries[rt.ID]
				if call, ok := calls[rt.ID]; ok {
					rec = call(path, as)
				} else {
					rec = pe.page(preq{method: rt.Method, path: path, as: as, form: forms[rt.ID]})
				}
				pageDiff := storetest.Changes(before, pState(t), parityIgnore...)
				before = aState(t)
				arec := twin(ae.pageFill(api.Path, aOwn), token)
				apiDiff := storetest.Changes(before, aState(t), parityIgnore...)
				pageOK, apiOK := rec.Code < 400, arec.Code < 300
				if pageOK != apiOK || (!pageOK && !rt.Stateless) {
					t.Fatalf("page %s answered %d, API %s %d (%.300s | %.300s)", rt.ID, rec.Code, api.ID, arec.Code, rec.Body.String(), arec.Body.String())
				}
				if diff := cmp.Diff(pageDiff, apiDiff); diff != "" {
					t.Errorf("page %s and API %s changed different things (-page +api):\n%s", rt.ID, api.ID, diff)
				}
				if ct := rec.Header().Get("Content-Type"); api.ID != "auditList" && strings.HasPrefix(ct, "text/csv") && strings.HasPrefix(arec.Header().Get("Content-Type"), "text/csv") && rec.Body.String() != arec.Body.String() {
					t.Errorf("page %s and API %s download different CSV:\n%s\n%s", rt.ID, api.ID, rec.Body.String(), arec.Body.String())
				}
				if _, why := unchanged[rt.ID]; len(pageDiff) == 0 && rt.Method == http.MethodPost && !rt.Stateless && !why {
					t.Errorf("page %s changed nothing", rt.ID)
				}
			})
		}
		if actions < 30 {
			t.Errorf("only %d page actions with an API twin", actions)
		}
	})
}
