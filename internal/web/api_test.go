// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/assess"
	"vigil/internal/auth"
	"vigil/internal/config"
	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/label"
	"vigil/internal/netguard"
	"vigil/internal/notify"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestEndpointsHappyPath calls every route successfully, checks the answers
// and validates every JSON answer against its documented schema. It fails
// when a route of the table was not exercised.
func TestEndpointsHappyPath(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		A, H := e.orgs[0], e.orgs[3]
		aPath := fmt.Sprintf("/api/v1/orgs/%d", A.ID)

		// ok sends r, wants status, validates the body against schema.
		ok := func(t *testing.T, r req, status int, schema string) []byte {
			t.Helper()
			rec := e.send(r)
			wantStatus(t, rec, status)
			if schema != "" {
				if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type = %q", ct)
				}
				e.validate(t, schema, rec.Body.Bytes())
			}
			return rec.Body.Bytes()
		}

		t.Run("system", func(t *testing.T) {
			for _, p := range []string{"/healthz", "/readyz"} {
				if body := ok(t, req{method: "GET", path: p}, 200, ""); string(body) != "ok\n" {
					t.Errorf("%s = %q", p, body)
				}
			}
			ok(t, req{method: "GET", path: "/metrics"}, 200, "")
			if body := ok(t, req{method: "GET", path: "/api/openapi.json"}, 200, ""); !strings.Contains(string(body), `"openapi": "3.1.0"`) {
				t.Errorf("openapi.json does not declare 3.1.0")
			}
		})

		var registrant int64
		t.Run("users", func(t *testing.T) {
			rec := e.send(req{method: "POST", path: "/api/v1/users", token: tokOp, body: fmt.Sprintf(`{"email":"m@example.org","password":"member password","orgs":[{"org_id":%d,"role":"maker"}]}`, A.ID)})
			wantStatus(t, rec, 201)
			e.validate(t, "User", rec.Body.Bytes())
			u := decodeAs[account.User](t, rec)
			if len(u.Memberships) != 1 || u.Memberships[0].Role != account.RoleMaker {
				t.Errorf("created user = %+v", u)
			}
			registrant = u.ID
			wantProblem(t, e.send(req{method: "POST", path: "/api/v1/users", token: tokOp, body: `{"email":"x@example.org","password":"member password","orgs":[{"org_id":99999}]}`}), 422, "orgs[0].org_id")
			wantProblem(t, e.send(req{method: "POST", path: "/api/v1/users", token: tokOp, body: `{"email":"M@example.org","password":"member password"}`}), 409, "email") // the address exists, in another case: a conflict
			body := ok(t, req{method: "GET", path: "/api/v1/users", token: tokOp}, 200, "UserList")
			if strings.Contains(string(body), "argon2") || strings.Contains(string(body), "password") {
				t.Errorf("user list shows password material: %s", body)
			}
			rec = e.send(req{method: "POST", path: "/api/v1/users", token: tokOp, body: `{"email":"r@example.org","password":"member password"}`})
			wantStatus(t, rec, 201)
			r := decodeAs[account.User](t, rec)
			for _, c := range []struct{ path, body, role string }{
				{"role", `{"role":"analyst"}`, "analyst"},
				{"disable", "", "analyst"},
				{"enable", "", "analyst"},
				{"role", `{"role":"member"}`, ""},
			} {
				body := ok(t, req{method: "POST", path: fmt.Sprintf("/api/v1/users/%d/%s", r.ID, c.path), token: tokOp, body: c.body}, 200, "User")
				var got account.User
				if err := json.Unmarshal(body, &got); err != nil {
					t.Fatal(err)
				}
				if string(got.Role) != c.role || got.Disabled != (c.path == "disable") {
					t.Errorf("after %s %s: %+v", c.path, c.body, got)
				}
			}
			wantProblem(t, e.send(req{method: "POST", path: fmt.Sprintf("/api/v1/users/%d/role", r.ID), token: tokOp, body: `{"role":"maker"}`}), 422, "role")
			if err := st.UserSetTOTP(context.Background(), r.ID, "JBSWY3DPEHPK3PXP"); err != nil {
				t.Fatal(err)
			}
			body = ok(t, req{method: "POST", path: fmt.Sprintf("/api/v1/users/%d/totp/reset", r.ID), token: tokOp}, 200, "User")
			var reset account.User
			if err := json.Unmarshal(body, &reset); err != nil || reset.TOTP || !reset.TOTPEnrol {
				t.Errorf("after totp/reset: %+v, %v; want no second factor, one to enrol", reset, err)
			}
		})

		t.Run("assets", func(t *testing.T) {
			for _, rt := range e.srv.Routes() {
				if strings.HasPrefix(rt.Path, "/assets/") {
					ok(t, req{method: "GET", path: rt.Path}, 200, "")
				}
			}
		})

		t.Run("me", func(t *testing.T) {
			rec := e.send(req{method: "GET", path: "/api/v1/me", token: tokOp})
			wantStatus(t, rec, 200)
			e.validate(t, "Me", rec.Body.Bytes())
			if me := decodeAs[Me](t, rec); !me.Operator || me.OrgID != 0 {
				t.Errorf("operator me = %+v", me)
			}
			rec = e.send(req{method: "GET", path: "/api/v1/me", token: tokAR})
			want := Me{TokenID: 3, OrgID: A.ID, Scopes: []auth.Scope{auth.ScopeRead}}
			if diff := cmp.Diff(want, decodeAs[Me](t, rec)); diff != "" {
				t.Errorf("tenant me (-want +got):\n%s", diff)
			}
		})

		t.Run("orgs", func(t *testing.T) {
			page := decodeAs[Page[registry.Org]](t, e.send(req{method: "GET", path: "/api/v1/orgs", token: tokOp}))
			if len(page.Items) != len(e.orgs) || page.NextAfter != nil {
				t.Errorf("operator list: %d items, next %v; want %d, null", len(page.Items), page.NextAfter, len(e.orgs))
			}
			body := ok(t, req{method: "GET", path: "/api/v1/orgs", token: tokAR}, 200, "OrgPage")
			if !strings.Contains(string(body), A.Name) || strings.Contains(string(body), e.orgs[1].Name) {
				t.Errorf("tenant list shows other organisations: %s", body)
			}

			rec := e.send(req{method: "POST", path: "/api/v1/orgs", token: tokOp, body: e.example("OrgCreate")})
			wantStatus(t, rec, 201)
			e.validate(t, "Org", rec.Body.Bytes())
			created := decodeAs[registry.Org](t, rec)
			if loc := rec.Header().Get("Location"); loc != fmt.Sprintf("/api/v1/orgs/%d", created.ID) {
				t.Errorf("Location = %q", loc)
			}
			var values []string
			for _, a := range created.Assets {
				values = append(values, a.Value)
			}
			if diff := cmp.Diff([]string{"198.51.100.128/28", "64505", "drinkwater-oost.example"}, values); diff != "" {
				t.Errorf("created assets not canonical (-want +got):\n%s", diff)
			}
			if len(created.Contacts) != 1 || len(created.Devices) != 1 || created.Devices[0].CPE == "" {
				t.Errorf("created org children = %+v", created)
			}
			got := decodeAs[registry.Org](t, e.send(req{method: "GET", path: fmt.Sprintf("/api/v1/orgs/%d", created.ID), token: tokOp}))
			if diff := cmp.Diff(created, got); diff != "" {
				t.Errorf("GET after POST (-post +get):\n%s", diff)
			}

			body = ok(t, req{method: "GET", path: aPath, token: tokAR}, 200, "Org")
			for _, want := range []string{A.Name, A.Contacts[0].Email, A.Assets[0].Value, A.Devices[0].Model} {
				if !strings.Contains(string(body), want) {
					t.Errorf("GET own org lacks %q", want)
				}
			}

			rec = e.send(req{method: "PATCH", path: aPath, token: tokARW, body: `{"sector":"drinking water","languages":["nl","en"],"policy":{"mode":"immediate","min_severity":"high"}}`})
			wantStatus(t, rec, 200)
			e.validate(t, "Org", rec.Body.Bytes())
			patched := decodeAs[registry.Org](t, rec)
			if patched.Sector != "drinking water" || patched.Name != A.Name || patched.Policy.Mode != "immediate" || len(patched.Languages) != 2 || len(patched.Assets) != len(A.Assets) {
				t.Errorf("patched = %+v", patched)
			}

			ok(t, req{method: "DELETE", path: fmt.Sprintf("/api/v1/orgs/%d", created.ID), token: tokOp}, 204, "")
			wantProblem(t, e.send(req{method: "GET", path: fmt.Sprintf("/api/v1/orgs/%d", created.ID), token: tokOp}), 404, "")
		})

		t.Run("members", func(t *testing.T) {
			leaver := e.idsOf(A).Member
			ok(t, req{method: "DELETE", path: fmt.Sprintf("%s/members/%d", aPath, leaver), token: tokARW}, 204, "")
			wantProblem(t, e.send(req{method: "DELETE", path: fmt.Sprintf("%s/members/%d", aPath, leaver), token: tokARW}), 404, "")
		})

		t.Run("invitations", func(t *testing.T) {
			secret, err := e.srv.accounts.Invite(context.Background(), 0, A.ID, "leaving-soon@portal.example", account.RoleMember)
			if err != nil {
				t.Fatal(err)
			}
			var list InvitationList
			err = json.Unmarshal(ok(t, req{method: "GET", path: aPath + "/invitations", token: tokAR}, 200, "InvitationList"), &list)
			var open []account.OpenInvitation
			for _, i := range list.Items {
				if i.Email == "leaving-soon@portal.example" {
					open = append(open, i)
				}
			}
			if err != nil || len(open) != 1 {
				t.Fatalf("open invitations = %+v (%v)", list.Items, err)
			}
			ok(t, req{method: "DELETE", path: fmt.Sprintf("%s/invitations/%d", aPath, open[0].ID), token: tokARW}, 204, "")
			wantProblem(t, e.send(req{method: "DELETE", path: fmt.Sprintf("%s/invitations/%d", aPath, open[0].ID), token: tokARW}), 404, "")
			if _, err := e.srv.accounts.Invitation(context.Background(), secret); errs.CodeOf(err) != errs.Invalid {
				t.Errorf("a revoked invitation's link answers %v; want the expired one's", err)
			}
		})

		t.Run("contacts", func(t *testing.T) {
			path := aPath + "/contacts"
			ok(t, req{method: "GET", path: path, token: tokAR}, 200, "ContactPage")
			rec := e.send(req{method: "POST", path: path, token: tokARW, body: e.example("ContactCreate")})
			wantStatus(t, rec, 201)
			e.validate(t, "Contact", rec.Body.Bytes())
			c := decodeAs[registry.Contact](t, rec)
			if c.Phone != "+31701234567" || c.OrgID != A.ID || c.Verified {
				t.Errorf("created contact = %+v", c)
			}
			if n := len(decodeAs[Page[registry.Contact]](t, e.send(req{method: "GET", path: path, token: tokAR})).Items); n != 2 {
				t.Errorf("%d contacts after create; want 2", n)
			}
			// Edited: the members given change, the others stay; bad
			// input names its member; another organisation's token does
			// not find it.
			rec = e.send(req{method: "PATCH", path: fmt.Sprintf("%s/%d", path, c.ID), token: tokARW, body: e.example("ContactUpdate")})
			wantStatus(t, rec, 200)
			e.validate(t, "Contact", rec.Body.Bytes())
			if ed := decodeAs[registry.Contact](t, rec); ed.Name != "CERT desk (24/7)" || ed.Phone != "+31701234568" || ed.Email != c.Email || ed.Role != c.Role || ed.Lang != c.Lang {
				t.Errorf("edited contact = %+v (was %+v)", ed, c)
			}
			wantProblem(t, e.send(req{method: "PATCH", path: fmt.Sprintf("%s/%d", path, c.ID), token: tokARW, body: `{"role":"boss"}`}), 422, "role")
			wantProblem(t, e.send(req{method: "PATCH", path: fmt.Sprintf("/api/v1/orgs/%d/contacts/%d", e.orgs[1].ID, c.ID), token: tokBRW, body: `{"name":"taken over"}`}), 404, "")
			ok(t, req{method: "DELETE", path: fmt.Sprintf("%s/%d", path, c.ID), token: tokARW}, 204, "")
			if n := len(decodeAs[Page[registry.Contact]](t, e.send(req{method: "GET", path: path, token: tokAR})).Items); n != 1 {
				t.Errorf("%d contacts after delete; want 1", n)
			}
			// The operator may create verified contacts.
			rec = e.send(req{method: "POST", path: path, token: tokOp, body: `{"email":"noc@waterschap-lage-landen.example","verified":true}`})
			wantStatus(t, rec, 201)
			if !decodeAs[registry.Contact](t, rec).Verified {
				t.Error("operator's verified contact is not verified")
			}
		})

		var newAsset registry.Asset
		t.Run("assets", func(t *testing.T) {
			path := aPath + "/assets"
			ok(t, req{method: "GET", path: path, token: tokAR}, 200, "AssetPage")
			cidrs := decodeAs[Page[registry.Asset]](t, e.send(req{method: "GET", path: path + "?kind=cidr", token: tokAR}))
			if len(cidrs.Items) != 2 {
				t.Errorf("?kind=cidr gave %d assets; want 2", len(cidrs.Items))
			}
			for _, in := range []struct{ body, kind, value string }{
				{`{"value":"198.51.100.7"}`, "cidr", "198.51.100.7/32"},
				{`{"kind":"cidr","value":"2001:DB8:AAAA::/48"}`, "cidr", "2001:db8:aaaa::/48"},
				{`{"value":"as64499"}`, "asn", "64499"},
				{`{"value":"Sub.Waterschap-Lage-Landen.example."}`, "domain", "sub.waterschap-lage-landen.example"},
			} {
				rec := e.send(req{method: "POST", path: path, token: tokARW, body: in.body})
				wantStatus(t, rec, 201)
				e.validate(t, "Asset", rec.Body.Bytes())
				newAsset = decodeAs[registry.Asset](t, rec)
				if string(newAsset.Kind) != in.kind || newAsset.Value != in.value {
					t.Errorf("%s → %s %s; want %s %s", in.body, newAsset.Kind, newAsset.Value, in.kind, in.value)
				}
			}
			one := fmt.Sprintf("%s/%d", path, newAsset.ID)
			ok(t, req{method: "GET", path: one, token: tokAR}, 200, "Asset")
			ok(t, req{method: "DELETE", path: one, token: tokARW}, 204, "")
			wantProblem(t, e.send(req{method: "GET", path: one, token: tokAR}), 404, "")
		})

		t.Run("devices", func(t *testing.T) {
			path := aPath + "/devices"
			ok(t, req{method: "GET", path: path, token: tokAR}, 200, "DevicePage")
			body := fmt.Sprintf(`{"vendor":"Axis Communications","model":"AXIS A1001","cpe":"cpe:2.3:h:axis:a1001:-:*:*:*:*:*:*:*","purl":"pkg:generic/axis/a1001@1.65.2","asset_id":%d}`, A.Assets[1].ID)
			rec := e.send(req{method: "POST", path: path, token: tokARW, body: body})
			wantStatus(t, rec, 201)
			e.validate(t, "Device", rec.Body.Bytes())
			d := decodeAs[registry.Device](t, rec)
			if d.AssetID == nil || *d.AssetID != A.Assets[1].ID {
				t.Errorf("device asset link = %v", d.AssetID)
			}
			one := fmt.Sprintf("%s/%d", path, d.ID)
			got := decodeAs[registry.Device](t, e.send(req{method: "GET", path: one, token: tokAR}))
			if diff := cmp.Diff(d, got); diff != "" {
				t.Errorf("GET device (-post +get):\n%s", diff)
			}
			ok(t, req{method: "GET", path: one, token: tokAR}, 200, "Device")
			ok(t, req{method: "DELETE", path: one, token: tokARW}, 204, "")
			wantProblem(t, e.send(req{method: "GET", path: one, token: tokAR}), 404, "")
		})

		t.Run("overlaps", func(t *testing.T) {
			rec := e.send(req{method: "GET", path: "/api/v1/assets/overlaps", token: tokOp})
			wantStatus(t, rec, 200)
			e.validate(t, "OverlapList", rec.Body.Bytes())
			list := decodeAs[List[registry.Overlap]](t, rec)
			var pairs []string
			for _, o := range list.Items {
				if o.Outer.OrgID != H.ID {
					t.Errorf("overlap outer %v is not the hosting provider's", o.Outer)
				}
				pairs = append(pairs, o.Outer.Value+">"+o.Inner.Value)
			}
			want := []string{"192.0.2.0/24>192.0.2.0/28", "192.0.2.0/24>192.0.2.16/28", "192.0.2.0/24>192.0.2.32/28"}
			if diff := cmp.Diff(want, pairs); diff != "" {
				t.Errorf("overlaps (-want +got):\n%s", diff)
			}
		})

		t.Run("tokens", func(t *testing.T) {
			rec := e.send(req{method: "POST", path: "/api/v1/tokens", token: tokOp, body: fmt.Sprintf(`{"org_id":%d,"name":"ticketing","scopes":["read","read"]}`, A.ID)})
			wantStatus(t, rec, 201)
			e.validate(t, "TokenCreated", rec.Body.Bytes())
			tc := decodeAs[TokenCreated](t, rec)
			if !strings.HasPrefix(tc.Secret, auth.SecretPrefix) || tc.Token.OrgID != A.ID || len(tc.Token.Scopes) != 1 {
				t.Errorf("created token = %+v", tc)
			}
			me := decodeAs[Me](t, e.send(req{method: "GET", path: "/api/v1/me", token: tc.Secret}))
			if me.OrgID != A.ID || me.TokenID != tc.Token.ID {
				t.Errorf("new token's me = %+v", me)
			}
			op := decodeAs[TokenCreated](t, e.send(req{method: "POST", path: "/api/v1/tokens", token: tokOp, body: `{"name":"analyst","scopes":["admin"]}`}))
			if op.Token.OrgID != 0 {
				t.Errorf("operator token org = %d", op.Token.OrgID)
			}
			ok(t, req{method: "DELETE", path: fmt.Sprintf("/api/v1/tokens/%d", tc.Token.ID), token: tokOp}, 204, "")
			wantProblem(t, e.send(req{method: "GET", path: "/api/v1/me", token: tc.Secret}), 401, "")
			wantProblem(t, e.send(req{method: "DELETE", path: fmt.Sprintf("/api/v1/tokens/%d", tc.Token.ID), token: tokOp}), 404, "")
		})

		t.Run("notices", func(t *testing.T) {
			seedNotices(t, e)
			ok(t, req{method: "GET", path: aPath + "/notices", token: tokARW}, 200, "")
			ok(t, req{method: "POST", path: fmt.Sprintf("%s/notices/%d/ack", aPath, e.notices[A.ID]), token: tokARW}, 200, "")
			ok(t, req{method: "GET", path: fmt.Sprintf("%s/notices/%d/replies", aPath, e.notices[A.ID]), token: tokAR}, 200, "ReplyList")
			ok(t, req{method: "POST", path: "/api/v1/bounces", token: tokOp, body: `{"address":"nobody@example.nl"}`}, 200, "")
			ok(t, req{method: "POST", path: "/api/v1/suppressions", token: tokOp, body: `{"address":"Opted.Out@example.nl","reason":"asked"}`}, 201, "Suppressed")
			ok(t, req{method: "GET", path: "/api/v1/suppressions", token: tokOp}, 200, "SuppressionPage")
			ok(t, req{method: "POST", path: "/api/v1/suppressions/remove", token: tokOp, body: `{"address":"opted.out@example.nl"}`}, 200, "Suppression")
			ok(t, req{method: "GET", path: "/api/v1/stats", token: tokOp}, 200, "")
			ok(t, req{method: "GET", path: "/api/v1/outbox?state=unknown", token: tokOp}, 200, "OutboxPage")
			wantProblem(t, e.send(req{method: "GET", path: "/api/v1/outbox?state=lost", token: tokOp}), 400, "")
			resolve := fmt.Sprintf("/api/v1/outbox/%d/resolve", e.outbox)
			wantProblem(t, e.send(req{method: "POST", path: resolve, token: tokOp, body: `{"outcome":"maybe"}`}), 422, "")
			ok(t, req{method: "POST", path: resolve, token: tokOp, body: `{"outcome":"resend"}`}, 200, "OutboxResolved")
			calls := decodeAs[List[notify.Call]](t, e.send(req{method: "GET", path: "/api/v1/calls", token: tokOp}))
			if len(calls.Items) == 0 || calls.Items[0].LastCall != nil || calls.Items[0].Calls != 0 {
				t.Fatalf("call list before a call = %+v", calls)
			}
			record := fmt.Sprintf("/api/v1/calls/%d/outcome", calls.Items[0].ID)
			wantProblem(t, e.send(req{method: "POST", path: record, token: tokOp, body: `{"outcome":"busy"}`}), 422, "outcome")
			wantProblem(t, e.send(req{method: "POST", path: record, token: tokARW, body: `{"outcome":"reached"}`}), 403, "")
			wantProblem(t, e.send(req{method: "POST", path: fmt.Sprintf("/api/v1/calls/%d/outcome", e.notices[A.ID]), token: tokOp, body: `{"outcome":"reached"}`}), 404, "")
			ok(t, req{method: "POST", path: record, token: tokOp, body: `{"outcome":"no_answer"}`}, 201, "CallRecord")
			rec := decodeBody[notify.CallRecord](t, ok(t, req{method: "POST", path: record, token: tokOp, body: `{"outcome":"reached","note":" the CISO will call back "}`}, 201, "CallRecord"))
			if rec.Outcome != notify.CallReached || rec.Note != "the CISO will call back" || rec.Actor == "" || rec.NoticeID != calls.Items[0].ID {
				t.Errorf("recorded = %+v", rec)
			}
			calls = decodeAs[List[notify.Call]](t, e.send(req{method: "GET", path: "/api/v1/calls", token: tokOp}))
			if l := calls.Items[0].LastCall; l == nil || l.ID != rec.ID || calls.Items[0].Calls != 2 {
				t.Errorf("call list after two calls = %+v", calls.Items[0])
			}
			all := decodeAs[FindingSeenPage](t, e.send(req{method: "GET", path: "/api/v1/findings?status=open&limit=1", token: tokOp}))
			if len(all.Items) != 1 || all.Next == nil {
				t.Fatalf("findings by sighting = %+v", all)
			}
			next := fmt.Sprintf("/api/v1/findings?status=open&limit=1&before_seen=%s&before_id=%d", all.Next.BeforeSeen.Format(time.RFC3339Nano), all.Next.BeforeID)
			if more := decodeAs[FindingSeenPage](t, e.send(req{method: "GET", path: next, token: tokOp})); len(more.Items) != 1 || more.Items[0].ID == all.Items[0].ID {
				t.Errorf("second page = %+v", more)
			}
			ok(t, req{method: "GET", path: "/api/v1/findings?trigger=seeded", token: tokOp}, 200, "FindingSeenPage")
			wantProblem(t, e.send(req{method: "GET", path: "/api/v1/findings?before_seen=yesterday&before_id=1", token: tokOp}), 400, "before_seen")
			// Ownership: A's token is in the env's DNS, B's is not.
			v := decodeAs[app.AssetProof](t, e.send(req{method: "POST", path: fmt.Sprintf("%s/assets/%d/verify", aPath, A.Assets[0].ID), token: tokARW}))
			if v.Method != "dns" || v.Asset.VerifiedAt == nil {
				t.Errorf("verified = %+v", v)
			}
			B := e.orgs[1]
			wantProblem(t, e.send(req{method: "POST", path: fmt.Sprintf("/api/v1/orgs/%d/assets/%d/verify", B.ID, B.Assets[0].ID), token: tokBRW}), 403, "")
			// An analyst checks what DNS cannot prove, saying how.
			confirm := fmt.Sprintf("/api/v1/orgs/%d/assets/%d/confirm", B.ID, B.Assets[0].ID)
			wantProblem(t, e.send(req{method: "POST", path: confirm, token: tokOp, body: `{"how":""}`}), 422, "how")
			wantProblem(t, e.send(req{method: "POST", path: confirm, token: tokBRW, body: `{"how":"by telephone"}`}), 403, "")
			cv := decodeBody[app.AssetProof](t, ok(t, req{method: "POST", path: confirm, token: tokOp, body: `{"how":"RIR contact confirmed by telephone"}`}, 200, "AssetVerified"))
			if cv.Method != "manual" || cv.Asset.VerifyNote != "RIR contact confirmed by telephone" || cv.Asset.VerifiedAt == nil {
				t.Errorf("confirmed = %+v", cv)
			}
			ok(t, req{method: "POST", path: aPath + "/invitations", token: tokARW, body: `{"email":"colleague@example.org","role":"maker"}`}, 202, "")
			wantProblem(t, e.send(req{method: "POST", path: aPath + "/invitations", token: tokARW, body: `{"email":"nope"}`}), 422, "email")
			ok(t, req{method: "GET", path: "/api/v1/audit?limit=5", token: tokOp}, 200, "AuditPage")
			body := ok(t, req{method: "GET", path: aPath + "/findings?status=open&limit=5", token: tokAR}, 200, "FindingPage")
			ok(t, req{method: "GET", path: aPath + "/changes?since=0.0&limit=5", token: tokAR}, 200, "ChangePage")
			if page := decodeAs[Page[finding.Finding]](t, e.send(req{method: "GET", path: aPath + "/findings", token: tokAR})); len(page.Items) == 0 || page.Items[0].OrgID != A.ID {
				t.Errorf("findings of A = %s", body)
			}
			wantProblem(t, e.send(req{method: "POST", path: resolve, token: tokOp, body: `{"outcome":"sent"}`}), 404, "")
			// An SBOM replaces a device's components; a document that is
			// no SBOM is refused.
			sbomPath := fmt.Sprintf("%s/devices/%d/sbom", aPath, A.Devices[0].ID)
			res := decodeAs[app.SBOMResult](t, e.send(req{method: "POST", path: sbomPath, token: tokARW, ctype: "application/vnd.cyclonedx+json",
				body: `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{"type":"library","name":"openssl","version":"1.1.1k","purl":"pkg:generic/openssl@1.1.1k"}]}`}))
			if res.Components != 1 || res.Format == "" {
				t.Errorf("SBOM import = %+v", res)
			}
			ok(t, req{method: "POST", path: sbomPath, token: tokARW, ctype: "application/json",
				body: `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[]}`}, 200, "SBOMResult")
			wantProblem(t, e.send(req{method: "POST", path: sbomPath, token: tokARW, ctype: "text/plain", body: "not an SBOM"}), 422, "")
			// Assessments: A starts one, answers every provision and submits;
			// the operator returns it with comments, A submits again, the
			// operator accepts it and issues the label.
			started := decodeAs[assess.Assessment](t, e.send(req{method: "POST", path: aPath + "/assessments", token: tokARW, body: fmt.Sprintf(`{"device_id":%d}`, A.Devices[0].ID)}))
			if started.State != assess.Draft || started.OrgID != A.ID {
				t.Fatalf("started = %+v", started)
			}
			wantProblem(t, e.send(req{method: "POST", path: aPath + "/assessments", token: tokARW, body: `{"device_id":0}`}), 422, "device_id")
			apath := aPath + "/assessments/" + started.ID
			ok(t, req{method: "GET", path: apath, token: tokAR}, 200, "Assessment")
			ok(t, req{method: "GET", path: aPath + "/assessments", token: tokAR}, 200, "AssessmentList")
			items := map[string]assess.Answer{}
			cat, err := assess.Load()
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range cat.Provisions(started.Edition) {
				items[p.ID] = assess.Answer{Status: assess.Met}
			}
			answersBody, err := json.Marshal(AnswersInput{Answers: assess.Answers{Edition: started.Edition, Items: items, Support: assess.Support{End: "2031-12-31"}}, Submit: true})
			if err != nil {
				t.Fatal(err)
			}
			saved := decodeAs[AnswersSaved](t, e.send(req{method: "POST", path: apath + "/answers", token: tokARW, body: string(answersBody)}))
			if saved.Assessment.State != assess.Submitted {
				t.Fatalf("after answers = %+v", saved)
			}
			ok(t, req{method: "GET", path: "/api/v1/assessments", token: tokOp}, 200, "AssessmentList")
			rev := "/api/v1/assessments/" + started.ID + "/review"
			wantProblem(t, e.send(req{method: "POST", path: rev, token: tokOp, body: `{"accept":false}`}), 422, "comments")
			ok(t, req{method: "POST", path: rev, token: tokOp, body: `{"accept":false,"comments":"5.3-13: publish the support period"}`}, 200, "Assessment")
			ok(t, req{method: "POST", path: apath + "/answers", token: tokARW, body: string(answersBody)}, 200, "AnswersSaved")
			ok(t, req{method: "POST", path: rev, token: tokOp, body: `{"accept":true,"comments":"complete"}`}, 200, "Assessment")
			issued := decodeAs[LabelIssued](t, e.send(req{method: "POST", path: "/api/v1/assessments/" + started.ID + "/label", token: tokOp}))
			if issued.ID == "" || issued.Grade == "" {
				t.Errorf("issued = %+v", issued)
			}
			wantProblem(t, e.send(req{method: "POST", path: "/api/v1/assessments/" + started.ID + "/label", token: tokOp}), 409, "")
			// The label's history, then its revocation: a reason is required,
			// the history shows who revoked it and why, a second revocation
			// conflicts and the public status says revoked.
			hpath := "/api/v1/assessments/" + started.ID
			hist := decodeAs[LabelHistory](t, e.send(req{method: "GET", path: hpath + "/labels", token: tokOp}))
			if hist.Valid != issued.ID || len(hist.Events) != 1 || hist.Events[0].Kind != label.EventIssued {
				t.Errorf("history before revocation = %+v", hist)
			}
			ok(t, req{method: "GET", path: hpath + "/labels", token: tokOp}, 200, "LabelHistory")
			wantProblem(t, e.send(req{method: "POST", path: hpath + "/revoke", token: tokOp, body: `{"reason":"  "}`}), 422, "reason")
			revBody := ok(t, req{method: "POST", path: hpath + "/revoke", token: tokOp, body: `{"reason":"universal telnet password"}`}, 200, "LabelHistory")
			var after LabelHistory
			if err := json.Unmarshal(revBody, &after); err != nil {
				t.Fatal(err)
			}
			if last := after.Events[len(after.Events)-1]; after.Valid != "" || last.Kind != label.EventRevoked || last.Reason != "universal telnet password" || last.Actor == "" {
				t.Errorf("history after revocation = %+v", after)
			}
			wantProblem(t, e.send(req{method: "POST", path: hpath + "/revoke", token: tokOp, body: `{"reason":"again"}`}), 409, "")
			if v := e.send(req{method: "GET", path: "/labels/verify?id=" + issued.ID}); v.Code != http.StatusUnprocessableEntity || !strings.Contains(v.Body.String(), "universal telnet password") {
				t.Errorf("public verification after revocation: %d %s", v.Code, v.Body)
			}
			// Disputes: an analyst's token rejects the seeded dispute of A's
			// finding with a reason; A disputes it again.
			pend := decodeAs[Page[finding.Dispute]](t, e.send(req{method: "GET", path: "/api/v1/disputes?state=pending", token: tokOp}))
			var seeded finding.Dispute
			for _, d := range pend.Items {
				if d.OrgID == A.ID {
					seeded = d
				}
			}
			if seeded.ID == 0 {
				t.Fatalf("no pending dispute of A in %+v", pend)
			}
			ok(t, req{method: "GET", path: "/api/v1/disputes?state=pending", token: tokOp}, 200, "DisputePage")
			decision := fmt.Sprintf("/api/v1/disputes/%d/decision", seeded.ID)
			wantProblem(t, e.send(req{method: "POST", path: decision, token: tokOp, body: `{"accept":false,"reason":" "}`}), 422, "reason")
			ok(t, req{method: "POST", path: decision, token: tokOp, body: `{"accept":false,"reason":"the range is still registered to you"}`}, 200, "Dispute")
			fpath := fmt.Sprintf("%s/findings/%d", aPath, seeded.FindingID)
			ok(t, req{method: "GET", path: fpath, token: tokAR}, 200, "Finding")
			wantProblem(t, e.send(req{method: "POST", path: fpath + "/disputes", token: tokARW, body: `{"reason":"mine"}`}), 422, "reason")
			d := decodeAs[finding.Dispute](t, e.send(req{method: "POST", path: fpath + "/disputes", token: tokARW, body: `{"reason":"not_ours","comment":"sold in May"}`}))
			if d.State != finding.DisputePending || d.OrgID != A.ID {
				t.Fatalf("dispute = %+v", d)
			}
			wantProblem(t, e.send(req{method: "POST", path: fpath + "/disputes", token: tokARW, body: `{"reason":"fixed"}`}), 409, "")
			wantProblem(t, e.send(req{method: "POST", path: decision, token: tokOp, body: `{"accept":true,"reason":"x"}`}), 409, "")
		})

		t.Run("verification", func(t *testing.T) {
			seedNotices(t, e)
			n, err := st.NoticeGet(context.Background(), tenant.Operator(), e.notices[A.ID])
			if err != nil || n.Ticket == "" {
				t.Fatalf("seeded notice = %+v, %v", n, err)
			}
			body := ok(t, req{method: "POST", path: "/api/v1/verify", body: fmt.Sprintf(`{"ticket":%q}`, n.Ticket)}, 200, "Verification")
			if !strings.Contains(string(body), `"genuine":true`) {
				t.Errorf("verify = %s", body)
			}
			ok(t, req{method: "GET", path: "/verify"}, 200, "")
			if page := ok(t, req{method: "POST", path: "/verify", body: "ticket=" + string(n.Ticket), ctype: "application/x-www-form-urlencoded"}, 200, ""); !strings.Contains(string(page), string(n.Ticket)) {
				t.Errorf("verify page does not show the ticket")
			}
			if schema := ok(t, req{method: "GET", path: "/schemas/notice.json"}, 200, ""); !strings.Contains(string(schema), `"$schema": "https://json-schema.org/draft/2020-12/schema"`) {
				t.Errorf("/schemas/notice.json = %.80s", schema)
			}
		})

		t.Run("pending", func(t *testing.T) {
			// An organisation registered by an account (its credentials in
			// the body, as the portal's form is sent by a signed-in one)
			// waits for approval.
			wantProblem(t, e.send(req{method: "POST", path: "/api/v1/register", body: `{"account":{"email":"m@example.org","password":"not it"},"name":"Zelf Aangemeld BV","asset":"zelf-aangemeld.example"}`}), 401, "account.password")
			wantProblem(t, e.send(req{method: "POST", path: "/api/v1/register", body: `{"account":{"email":"m@example.org","password":"member password"},"name":"Zelf Aangemeld BV","asset":"192.0.2.1/24"}`}), 422, "asset")
			rec := e.send(req{method: "POST", path: "/api/v1/register", body: `{"account":{"email":"m@example.org","password":"member password"},"name":"Zelf Aangemeld BV","asset":"zelf-aangemeld.example"}`})
			wantStatus(t, rec, 201)
			e.validate(t, "Org", rec.Body.Bytes())
			reg := decodeAs[registry.Org](t, rec)
			if us, err := st.UserList(context.Background()); err != nil || !slices.ContainsFunc(us, func(u account.User) bool {
				return u.ID == registrant && slices.ContainsFunc(u.Memberships, func(m account.Membership) bool { return m.OrgID == reg.ID })
			}) {
				t.Errorf("the registering account is not a member of %d (%v)", reg.ID, err)
			}
			pending := decodeAs[app.Approvals](t, e.send(req{method: "GET", path: "/api/v1/pending?state=pending", token: tokOp}))
			if len(pending.Pending) != 1 || pending.Pending[0].Org.ID != reg.ID || len(pending.Rejected) != 0 {
				t.Errorf("pending = %+v", pending)
			}
			// Rejected with a reason (required), it draws nothing and its
			// member is told by e-mail; asking again (with a note) puts it
			// back in the wait; an analyst approves it.
			reject := fmt.Sprintf("/api/v1/orgs/%d/reject", reg.ID)
			wantProblem(t, e.send(req{method: "POST", path: reject, token: tokOp, body: `{"reason":"  "}`}), 422, "reason")
			mails := func() int {
				var n int
				if err := st.QueryRow(context.Background(), `SELECT COUNT(*) FROM outbox WHERE recipient = 'm@example.org'`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			before := mails()
			body := ok(t, req{method: "POST", path: reject, token: tokOp, body: `{"reason":"not in the trade register"}`}, 200, "Approval")
			if ap := decodeBody[registry.Approval](t, body); ap.State != registry.Rejected || ap.Reason != "not in the trade register" || ap.RejectedBy == "" {
				t.Errorf("rejected = %+v", ap)
			}
			if got := mails(); got != before+1 {
				t.Errorf("mails to the member after the rejection: %d; want %d", got, before+1)
			}
			wantProblem(t, e.send(req{method: "POST", path: reject, token: tokOp, body: `{"reason":"twice"}`}), 404, "")
			if pending := decodeAs[app.Approvals](t, e.send(req{method: "GET", path: "/api/v1/pending?state=pending", token: tokOp})); len(pending.Pending) != 0 || len(pending.Rejected) != 0 {
				t.Errorf("pending after the rejection = %+v", pending)
			}
			// The rejected organisation is listed with its reason, alone
			// when asked for the rejected ones, beside the waiting ones
			// when not filtered.
			rejected := decodeAs[app.Approvals](t, e.send(req{method: "GET", path: "/api/v1/pending?state=rejected", token: tokOp}))
			if len(rejected.Pending) != 0 || len(rejected.Rejected) != 1 || rejected.Rejected[0].Org.ID != reg.ID || rejected.Rejected[0].Approval.Reason != "not in the trade register" {
				t.Errorf("rejected = %+v", rejected)
			}
			if all := decodeAs[app.Approvals](t, e.send(req{method: "GET", path: "/api/v1/pending", token: tokOp})); len(all.Rejected) != 1 {
				t.Errorf("every wait = %+v", all)
			}
			wantProblem(t, e.send(req{method: "GET", path: "/api/v1/pending?state=approved", token: tokOp}), 400, "state")
			regTok := auth.Token{Name: "registrant", OrgID: reg.ID, Scopes: []auth.Scope{auth.ScopeRead, auth.ScopeWrite}}
			secret, err := st.TokenCreate(context.Background(), tenant.Operator(), &regTok)
			if err != nil {
				t.Fatal(err)
			}
			e.tok["registrant"] = secret
			reapply := fmt.Sprintf("/api/v1/orgs/%d/reapply", reg.ID)
			wantProblem(t, e.send(req{method: "POST", path: reapply, token: "registrant", body: `{}`}), 422, "note")
			body = ok(t, req{method: "POST", path: reapply, token: "registrant", body: `{"note":"registration number 12345678"}`}, 200, "Approval")
			if ap := decodeBody[registry.Approval](t, body); ap.State != registry.Pending || ap.Note != "registration number 12345678" || ap.Reason != "" {
				t.Errorf("asked again = %+v", ap)
			}
			wantProblem(t, e.send(req{method: "POST", path: reapply, token: "registrant", body: `{"note":"again"}`}), 404, "")
			ok(t, req{method: "POST", path: fmt.Sprintf("/api/v1/orgs/%d/approve", reg.ID), token: tokOp}, 204, "")
			wantProblem(t, e.send(req{method: "POST", path: fmt.Sprintf("/api/v1/orgs/%d/approve", reg.ID), token: tokOp}), 404, "")
			ok(t, req{method: "GET", path: "/api/v1/pending", token: tokOp}, 200, "Approvals")
		})

		t.Run("account_twins", func(t *testing.T) {
			ctx := context.Background()
			// From an address of their own: these eight calls fit one client's
			// sign-in budget, which the subtests before them have spent.
			const from = "198.51.100.6:4000"
			ok(t, req{method: "POST", path: "/api/v1/password/forgot", body: `{"email":"m@example.org"}`, from: from}, 202, "")
			ok(t, req{method: "POST", path: "/api/v1/password/forgot", body: `{"email":"nobody@example.org","lang":"nl"}`, from: from}, 202, "")
			wantProblem(t, e.send(req{method: "POST", path: "/api/v1/password/forgot", body: `{"email":"not an address"}`, from: from}), 422, "email")
			_, secret, err := e.srv.accounts.RequestReset(ctx, "m@example.org")
			if err != nil {
				t.Fatal(err)
			}
			wantProblem(t, e.send(req{method: "POST", path: "/api/v1/password/reset", body: fmt.Sprintf(`{"token":%q,"password":"short"}`, secret), from: from}), 422, "password")
			ok(t, req{method: "POST", path: "/api/v1/password/reset", body: fmt.Sprintf(`{"token":%q,"password":"member password"}`, secret), from: from}, 204, "")
			wantProblem(t, e.send(req{method: "POST", path: "/api/v1/password/reset", body: fmt.Sprintf(`{"token":%q,"password":"member password"}`, secret), from: from}), 422, "token")
			ok(t, req{method: "POST", path: "/api/v1/account/password", body: `{"account":{"email":"m@example.org","password":"member password"},"password":"member password too"}`, from: from}, 204, "")
			ok(t, req{method: "POST", path: "/api/v1/account/password", body: `{"account":{"email":"m@example.org","password":"member password too"},"password":"member password"}`, from: from}, 204, "")
			inv, err := e.srv.accounts.Invite(ctx, registrant, A.ID, "invitee@example.org", account.RoleMember)
			if err != nil {
				t.Fatal(err)
			}
			// (from another address: the calls above used up theirs)
			ok(t, req{method: "POST", path: "/api/v1/invitations/accept", body: fmt.Sprintf(`{"token":%q,"name":"I. Nvitee","password":"invitee password"}`, inv), from: "198.51.100.7:4000"}, 200, "User")
			var id string
			if err := st.QueryRow(ctx, `SELECT id FROM labels WHERE revoked_at IS NOT NULL ORDER BY id LIMIT 1`).Scan(&id); err != nil {
				t.Fatal(err)
			}
			body := ok(t, req{method: "POST", path: "/api/v1/labels/verify", body: fmt.Sprintf(`{"id":%q}`, strings.ToLower(id))}, 200, "LabelVerification")
			if !strings.Contains(string(body), `"status":"revoked"`) || !strings.Contains(string(body), `"id":"`+id+`"`) {
				t.Errorf("label %s by id: %s", id, body)
			}
			wantProblem(t, e.send(req{method: "POST", path: "/api/v1/labels/verify", body: `{"id":"VL-0000-0000-0000"}`}), 422, "id")
			wantProblem(t, e.send(req{method: "POST", path: "/api/v1/labels/verify", body: `{}`}), 422, "id")
		})

		t.Run("openpgp", func(t *testing.T) {
			// The Web Key Directory answers once the service has a key.
			cfg := config.Defaults()
			cfg.Labels.Keys, cfg.Notify.From = t.TempDir(), "cert@vigil.test"
			setup, err := app.OpenPGPInit(cfg, fixedNow())
			if err != nil {
				t.Fatal(err)
			}
			keep := e.srv
			defer func() { e.srv = keep }()
			if e.srv, err = New(Config{Store: st, App: app.New(st, cfg, nil), Metrics: prometheus.NewRegistry(), Version: "test"}); err != nil {
				t.Fatal(err)
			}
			ok(t, req{method: "GET", path: setup.WKDPath}, 200, "")
			ok(t, req{method: "GET", path: "/.well-known/openpgpkey/policy"}, 200, "")
		})

		t.Run("makers", func(t *testing.T) {
			aPath := fmt.Sprintf("/api/v1/orgs/%d", A.ID)
			a := decodeAs[assess.Assessment](t, e.send(req{method: "POST", path: aPath + "/assessments", token: tokARW, body: fmt.Sprintf(`{"device_id":%d}`, A.Devices[0].ID)}))
			ev := aPath + "/assessments/" + a.ID + "/evidence"
			rec := e.send(req{method: "POST", path: ev + "?name=pentest.pdf", token: tokARW, body: "%PDF-1.4\n1 0 obj\n", ctype: "application/pdf"})
			wantStatus(t, rec, 201)
			e.validate(t, "Attachment", rec.Body.Bytes())
			added := decodeAs[assess.Attachment](t, rec)
			if body := ok(t, req{method: "GET", path: fmt.Sprintf("%s/%d", ev, added.ID), token: tokAR}, 200, ""); string(body) != "%PDF-1.4\n1 0 obj\n" {
				t.Errorf("evidence download = %q", body)
			}
			wantProblem(t, e.send(req{method: "POST", path: ev + "?name=x.pdf", token: tokARW, body: "plain words", ctype: "application/pdf"}), 422, "file")
			wantProblem(t, e.send(req{method: "POST", path: ev, token: tokARW, body: "plain words", ctype: "text/plain"}), 422, "name")
			ok(t, req{method: "GET", path: ev, token: tokAR}, 200, "AttachmentList")
			dev := fmt.Sprintf("%s/devices/%d", aPath, A.Devices[0].ID)
			if d := decodeAs[registry.Device](t, e.send(req{method: "PUT", path: dev, token: tokARW, body: `{"vendor":"Axis","model":"M3106-L Mk II","firmware":"10.12"}`})); d.Firmware != "10.12" || d.ID != A.Devices[0].ID {
				t.Errorf("device after PUT = %+v", d)
			}
			ok(t, req{method: "PUT", path: dev, token: tokARW, body: `{"vendor":"Axis","model":"M3106-L Mk II","firmware":"10.12"}`}, 200, "Device")
			wantProblem(t, e.send(req{method: "PUT", path: dev, token: tokARW, body: `{"vendor":"Axis","model":""}`}), 422, "model")
			ok(t, req{method: "GET", path: aPath + "/labels", token: tokAR}, 200, "OrgLabelList")
			ok(t, req{method: "GET", path: "/api/v1/tokens?limit=2", token: tokOp}, 200, "TokenPage")
		})

		t.Run("public", func(t *testing.T) {
			seedLabels(t, e)
			ok(t, req{method: "GET", path: "/api/v1/labels?vendor=axis&limit=1"}, 200, "LabelPage")
			ok(t, req{method: "POST", path: "/api/v1/signup", from: "198.51.100.201:4000", body: `{"email":"signup@portal.example","name":"Signed Up","password":"a brand new password","lang":"nl"}`}, 202, "")
			var payload string
			if err := e.st.QueryRow(context.Background(), `SELECT payload FROM notices WHERE kind = 'account' ORDER BY id DESC LIMIT 1`).Scan(&payload); err != nil {
				t.Fatal(err)
			}
			link := regexp.MustCompile(`/signup/confirm\?token=([A-Za-z0-9_%-]+)`).FindStringSubmatch(payload)
			if link == nil {
				t.Fatalf("no confirmation link in %s", payload)
			}
			token, _ := url.QueryUnescape(link[1])
			ok(t, req{method: "POST", path: "/api/v1/signup/confirm", from: "198.51.100.201:4000", body: fmt.Sprintf(`{"token":%q,"password":"a brand new password"}`, token)}, 200, "User")
			site := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				fmt.Fprint(w, goodSecurityTxt)
			}))
			defer site.Close()
			keep := e.srv.fetch
			defer func() { e.srv.fetch = keep }()
			e.srv.fetch = netguard.New(netguard.Options{AllowPrivate: true, Transport: site.Client().Transport.(*http.Transport)})
			ok(t, req{method: "GET", path: "/api/v1/securitytxt?target=" + url.QueryEscape(site.URL)}, 200, "SecurityTxtResult")
		})

		t.Run("sources", func(t *testing.T) {
			body := ok(t, req{method: "GET", path: "/api/v1/sources", token: tokOp}, 200, "SourceInfoList")
			if !strings.Contains(string(body), `"has_credentials":true`) || strings.Contains(string(body), "sealed-test-credentials") {
				t.Errorf("source list shows credentials or hides that there are some: %s", body)
			}
			rec := e.send(req{method: "POST", path: "/api/v1/sources", token: tokOp, body: `{"name":"nvd","kind":"nvd","url":"https://services.nvd.example/rest/json/cves/2.0","every":"2h","key":"nvd-api-key-1234"}`})
			wantStatus(t, rec, 201)
			e.validate(t, "SourceInfo", rec.Body.Bytes())
			si := decodeAs[SourceInfo](t, rec)
			if !si.HasCredentials || si.Every != "2h" || strings.Contains(rec.Body.String(), "nvd-api-key-1234") {
				t.Errorf("created source = %s", rec.Body.String())
			}
			path := fmt.Sprintf("/api/v1/sources/%d/", si.ID)
			ok(t, req{method: "POST", path: path + "pause", token: tokOp}, 200, "SourceInfo")
			wantProblem(t, e.send(req{method: "POST", path: path + "run", token: tokOp}), 409, "")
			ok(t, req{method: "POST", path: path + "resume", token: tokOp}, 200, "SourceInfo")
			ok(t, req{method: "POST", path: path + "run", token: tokOp}, 202, "SourceInfo")
			wantProblem(t, e.send(req{method: "POST", path: "/api/v1/sources", token: tokOp, body: `{"name":"dir","kind":"dir","url":"/etc"}`}), 422, "kind")
			wantProblem(t, e.send(req{method: "POST", path: "/api/v1/sources", token: tokOp, body: `{"name":"ss","kind":"shadowserver","url":"https://ss.example/api2/","key":"k"}`}), 422, "key")
			wantProblem(t, e.send(req{method: "POST", path: "/api/v1/sources", token: tokOp, body: `{"name":"kev2","kind":"kev","url":"https://kev.example/x.json","expect":"daily"}`}), 422, "expect")
		})

		t.Run("ingest", func(t *testing.T) { ingestAPIHappyPath(t, e, ok) })

		t.Run("settings", func(t *testing.T) {
			if body := ok(t, req{method: "GET", path: "/api/v1/settings", token: tokOp}, 200, "Settings"); !strings.Contains(string(body), `"signup_open":true`) {
				t.Errorf("settings by default = %s", body)
			}
			ok(t, req{method: "PUT", path: "/api/v1/settings", token: tokOp, body: `{"signup_open":false}`}, 200, "Settings")
			wantProblem(t, e.send(req{method: "POST", path: "/api/v1/signup", from: "198.51.100.202:4000", body: `{"email":"closed@portal.example","password":"a brand new password"}`}), 403, "")
			wantProblem(t, e.send(req{method: "PUT", path: "/api/v1/settings", token: tokARW, body: `{"signup_open":true}`}), 403, "")
			if body := ok(t, req{method: "PUT", path: "/api/v1/settings", token: tokOp, body: `{"signup_open":true}`}, 200, "Settings"); !strings.Contains(string(body), `"signup_open":true`) {
				t.Errorf("settings reopened = %s", body)
			}
		})

		t.Run("privacy", func(t *testing.T) {
			last := e.orgs[len(e.orgs)-1]
			if len(last.Contacts) == 0 {
				t.Fatalf("organisation %s has no contact", last.Name)
			}
			addr := last.Contacts[0].Email
			body := ok(t, req{method: "GET", path: "/api/v1/privacy/export?contact=" + url.QueryEscape(strings.ToUpper(addr)), token: tokOp}, 200, "PrivacyExport")
			if !strings.Contains(string(body), last.Name) {
				t.Errorf("export of %s lacks its organisation: %s", addr, body)
			}
			wantProblem(t, e.send(req{method: "GET", path: "/api/v1/privacy/export?contact=nobody", token: tokOp}), 422, "contact")
			ok(t, req{method: "POST", path: "/api/v1/privacy/erase", token: tokOp, body: fmt.Sprintf(`{"contact":%q}`, addr)}, 200, "PrivacyErased")
			if body := ok(t, req{method: "GET", path: "/api/v1/privacy/export?contact=" + url.QueryEscape(addr), token: tokOp}, 200, "PrivacyExport"); strings.Contains(string(body), last.Name) {
				t.Errorf("the erased contact is still held: %s", body)
			}
		})

		var withRecord int
		if err := e.st.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE org_id IS NOT NULL AND before_json <> '' AND after_json <> '' AND via = 'api'`).Scan(&withRecord); err != nil || withRecord == 0 {
			t.Errorf("no API audit entry holds an organisation's record before and after (%v)", err)
		}
		for _, rt := range e.srv.Routes() {
			if rt.IsPage() {
				continue // TestPagesHappyPath
			}
			if !e.hit[rt.Pattern()] {
				t.Errorf("route %s (%s) has no successful call in this test", rt.Pattern(), rt.ID)
			}
			// Every successful call of a route that changes something left
			// an audit entry naming its actor; those of an organisation's
			// registry data also hold its record before and after.
			// (A route the table marks Stateless changes no stored data:
			// TestStatelessRoutesLeaveNoEntry.)
			if changes(&rt) && e.hit[rt.Pattern()] && !e.audited[rt.Pattern()] {
				t.Errorf("route %s (%s) succeeded without an audit entry naming its actor", rt.Pattern(), rt.ID)
			}
		}
	})
}

// TestPagination walks every paginated list page by page and compares the
// result with the whole list.
func TestPagination(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		ctx := context.Background()
		A := e.orgs[0]
		for i := range 7 {
			if err := st.OrgCreate(ctx, tenant.Operator(), &registry.Org{Name: fmt.Sprintf("Paged %d", i)}); err != nil {
				t.Fatal(err)
			}
			c := registry.Contact{OrgID: A.ID, Email: fmt.Sprintf("c%d@waterschap-lage-landen.example", i)}
			if err := st.ContactCreate(ctx, tenant.Operator(), &c); err != nil {
				t.Fatal(err)
			}
			a := registry.Asset{OrgID: A.ID, Value: fmt.Sprintf("198.51.100.%d", i)}
			if err := st.AssetCreate(ctx, tenant.Operator(), &a); err != nil {
				t.Fatal(err)
			}
			d := registry.Device{OrgID: A.ID, Vendor: "Teltonika", Model: fmt.Sprintf("RUT24%d", i)}
			if err := st.DeviceCreate(ctx, tenant.Operator(), &d); err != nil {
				t.Fatal(err)
			}
		}
		base := fmt.Sprintf("/api/v1/orgs/%d", A.ID)
		for _, tt := range []struct {
			name, path string
			total      int
		}{
			{"orgs", "/api/v1/orgs", len(e.orgs) + 7},
			{"contacts", base + "/contacts", len(A.Contacts) + 7},
			{"assets", base + "/assets", len(A.Assets) + 7},
			{"devices", base + "/devices", len(A.Devices) + 7},
		} {
			t.Run(tt.name, func(t *testing.T) {
				all := pageIDs(t, e, tt.path+"?limit=500", 500)
				if len(all) != tt.total {
					t.Fatalf("whole list has %d items; want %d", len(all), tt.total)
				}
				for _, limit := range []int{1, 3, tt.total, tt.total + 1} {
					if got := pageIDs(t, e, tt.path+fmt.Sprintf("?limit=%d", limit), limit); !cmp.Equal(got, all) {
						t.Errorf("limit %d: paged ids %v; want %v", limit, got, all)
					}
				}
			})
		}
	})
}

// pageIDs follows next_after until it is null and returns the ids in order.
func pageIDs(t *testing.T, e *env, first string, limit int) []int64 {
	t.Helper()
	var out []int64
	path := first
	for range 100 {
		rec := e.send(req{method: "GET", path: path, token: tokOp})
		wantStatus(t, rec, 200)
		var page Page[struct {
			ID int64 `json:"id"`
		}]
		if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(page.Items) > limit {
			t.Fatalf("%s: %d items, over the limit %d", path, len(page.Items), limit)
		}
		for _, it := range page.Items {
			out = append(out, it.ID)
		}
		if page.NextAfter == nil {
			return out
		}
		if len(page.Items) != limit || *page.NextAfter != out[len(out)-1] {
			t.Fatalf("%s: next_after %d with %d items; want the last id of a full page", path, *page.NextAfter, len(page.Items))
		}
		path = fmt.Sprintf("%s&after=%d", first, *page.NextAfter)
	}
	t.Fatalf("%s: no last page after 100 pages", first)
	return nil
}

// TestSchemaExamplesValidate checks that every example in the document
// matches its schema and is accepted by the API.
func TestSchemaExamplesValidate(t *testing.T) {
	t.Parallel()
	st := storetest.OpenSQLite(t, storetest.Options{Now: fixedNow})
	e := newEnv(t, st)
	if len(e.srv.schemas.examples) < 6 {
		t.Fatalf("only %d examples", len(e.srv.schemas.examples))
	}
	for name := range e.srv.schemas.examples {
		t.Run(name, func(t *testing.T) {
			e.validate(t, name, []byte(e.example(name)))
		})
	}
	// The schemas are strict enough to refuse these.
	for _, bad := range []struct{ schema, body string }{
		{"OrgCreate", `{"name":5}`},
		{"OrgCreate", `{"sector":"water"}`},
		{"AssetCreate", `{"value":"192.0.2.0/24","org_id":2}`},
		{"AssetCreate", `{"kind":"url","value":"https://example.nl"}`},
		{"TokenCreate", `{"scopes":["root"]}`},
		{"Org", `{"id":1,"name":"x"}`},
		{"OrgPage", `{"items":[]}`},
	} {
		if e.schemaErr(t, bad.schema, []byte(bad.body)) == nil {
			t.Errorf("schema %s accepts %s", bad.schema, bad.body)
		}
	}
}
