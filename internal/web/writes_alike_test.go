// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"vigil/internal/auth"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestPageAndAPIWriteAlike does the writes of the device, product, policy
// and tokens pages and their API twins on real data and wants the
// same audit entry from both (the application service's action, about the
// organisation, naming the caller), and the same refusals: the policy
// page's checks (a channel chosen, a webhook's URL) hold for PATCH
// /api/v1/orgs/{id} too, which took both before.
func TestPageAndAPIWriteAlike(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		A := e.orgs[0]
		own := e.idsOf(A)
		org := fmt.Sprintf("/orgs/%d", A.ID)
		api := fmt.Sprintf("/api/v1/orgs/%d", A.ID)
		// newest is the action, organisation and actor of the newest
		// audit entry.
		newest := func() (action string, orgID int64, actor string) {
			t.Helper()
			err := st.QueryRow(context.Background(), `SELECT action, COALESCE(org_id, 0), actor FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&action, &orgID, &actor)
			if err != nil {
				t.Fatal(err)
			}
			return action, orgID, actor
		}
		// count counts the entries of the services' actions (a refused
		// page form still leaves the route's own entry: see
		// TestStatelessRoutesLeaveNoEntry's failed sign-in).
		count := func() (n int) {
			t.Helper()
			if err := st.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action IN ('device.add', 'device.update', 'org.update', 'token.revoke')`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		page := func(as, path string, form url.Values) func() *httptest.ResponseRecorder {
			return func() *httptest.ResponseRecorder {
				return e.page(preq{method: http.MethodPost, path: path, as: as, form: form})
			}
		}
		callAs := func(token, method, path, body string) func() *httptest.ResponseRecorder {
			return func() *httptest.ResponseRecorder {
				return e.send(req{method: method, path: path, token: token, body: body})
			}
		}
		call := func(method, path, body string) func() *httptest.ResponseRecorder {
			return callAs(tokARW, method, path, body)
		}
		// Two tokens of organisation A to revoke, one from each side.
		var revoke [2]int64
		for i := range revoke {
			tok := auth.Token{Name: fmt.Sprintf("to revoke %d", i), OrgID: A.ID, Scopes: []auth.Scope{auth.ScopeRead}}
			if _, err := st.TokenCreate(context.Background(), tenant.Operator(), &tok); err != nil {
				t.Fatal(err)
			}
			revoke[i] = tok.ID
		}
		v := func(kv ...string) url.Values {
			f := url.Values{}
			for i := 0; i < len(kv); i += 2 {
				f.Add(kv[i], kv[i+1])
			}
			return f
		}
		for _, c := range []struct {
			name      string
			page, api func() *httptest.ResponseRecorder
			as        string // the page's persona
			org       int64  // the organisation the entry names
			action    string // "": refused by both, with field
			pageField string
			apiField  string
		}{
			{name: "device_add", as: asMemberA, action: "device.add",
				page: page(asMemberA, org+"/devices", v("vendor", "Axis", "model", "M3106", "firmware", "10.1")),
				api:  call("POST", api+"/devices", `{"vendor":"Axis","model":"M3106","firmware":"10.1"}`)},
			{name: "product_add", as: asMakerA, action: "device.add",
				page: page(asMakerA, org+"/products", v("vendor", "Axis", "model", "M3200", "purl", "pkg:generic/axis/m3200@11.1")),
				api:  call("POST", api+"/devices", `{"vendor":"Axis","model":"M3200","purl":"pkg:generic/axis/m3200@11.1"}`)},
			{name: "product_save", as: asMakerA, action: "device.update",
				page: page(asMakerA, fmt.Sprintf("%s/products/%d", org, own.Device), v("vendor", "Axis", "model", "M3106", "firmware", "10.2")),
				api:  call("PUT", fmt.Sprintf("%s/devices/%d", api, own.Device), `{"vendor":"Axis","model":"M3106","firmware":"10.3"}`)},
			{name: "product_save_bad_cpe", as: asMakerA, pageField: "cpe", apiField: "cpe",
				page: page(asMakerA, fmt.Sprintf("%s/products/%d", org, own.Device), v("vendor", "Axis", "model", "M3106", "cpe", "cpe:nonsense")),
				api:  call("PUT", fmt.Sprintf("%s/devices/%d", api, own.Device), `{"vendor":"Axis","model":"M3106","cpe":"cpe:nonsense"}`)},
			{name: "policy_save", as: asMemberA, action: "org.update",
				page: page(asMemberA, org+"/policy", v("mode", "weekly", "min_severity", "high", "channels", "email")),
				api:  call("PATCH", api, `{"policy":{"mode":"daily","min_severity":"high","channels":["email"]}}`)},
			{name: "policy_webhook_without_url", as: asMemberA, pageField: "webhook_url", apiField: "policy.webhook_url",
				page: page(asMemberA, org+"/policy", v("mode", "daily", "channels", "webhook")),
				api:  call("PATCH", api, `{"policy":{"mode":"daily","channels":["webhook"]}}`)},
			{name: "policy_no_channel", as: asMemberA, pageField: "channels", apiField: "policy.channels",
				page: page(asMemberA, org+"/policy", v("mode", "daily")),
				api:  call("PATCH", api, `{"policy":{"mode":"daily","channels":[]}}`)},
			{name: "token_revoke", as: asAdmin, action: "token.revoke", org: -1,
				page: page(asAdmin, fmt.Sprintf("/admin/tokens/%d/revoke", revoke[0]), v()),
				api:  callAs(tokOp, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", revoke[1]), "")},
		} {
			t.Run(c.name, func(t *testing.T) {
				org := A.ID
				if c.org == -1 {
					org = 0
				}
				n := count()
				rec := c.page()
				if c.action == "" {
					body := wantPage(t, rec, http.StatusUnprocessableEntity)
					if fieldMessage(t, body, c.pageField) == "" {
						t.Errorf("the page does not name field %s", c.pageField)
					}
					wantProblem(t, c.api(), http.StatusUnprocessableEntity, c.apiField)
					if got := count(); got != n {
						t.Errorf("refused, yet %d audit entries written", got-n)
					}
					return
				}
				if rec.Code >= 400 {
					t.Fatalf("page: %d %.300s", rec.Code, rec.Body.String())
				}
				action, orgID, actor := newest()
				if action != c.action || orgID != org || actor != e.users[c.as].Email {
					t.Errorf("page audited %s about %d by %s; want %s about %d by %s", action, orgID, actor, c.action, org, e.users[c.as].Email)
				}
				if arec := c.api(); arec.Code >= 300 {
					t.Fatalf("API: %d %s", arec.Code, arec.Body.String())
				}
				if action, orgID, actor := newest(); action != c.action || orgID != org || actor == "unknown" || actor == "anonymous" {
					t.Errorf("API audited %s about %d by %s; want %s about %d by its token", action, orgID, actor, c.action, org)
				}
				if got := count(); got != n+2 {
					t.Errorf("%d audit entries for the two writes; want one each", got-n)
				}
			})
		}
	})
}
