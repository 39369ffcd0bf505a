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

// TestBadInput sends bad bodies to every endpoint that takes one and checks
// the status and the field the problem names, and that nothing was written.
func TestBadInput(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		A, B := e.orgs[0], e.orgs[1]
		org := fmt.Sprintf("/api/v1/orgs/%d", A.ID)
		big := `{"name":"` + strings.Repeat("x", DefaultMaxBodyBytes) + `"}`
		tests := []struct {
			name, method, path, token, body, ctype string
			status                                 int
			field                                  string
		}{
			// POST /orgs
			{"org_bad_json", "POST", "/api/v1/orgs", tokOp, `{"name":`, "", 400, ""},
			{"org_not_json", "POST", "/api/v1/orgs", tokOp, `name=x`, "", 400, ""},
			{"org_unknown_field", "POST", "/api/v1/orgs", tokOp, `{"name":"X BV","id":5}`, "", 400, "id"},
			{"org_nested_unknown_field", "POST", "/api/v1/orgs", tokOp, `{"name":"X BV","assets":[{"value":"192.0.2.0/24","org_id":9}]}`, "", 400, "org_id"},
			{"org_wrong_type", "POST", "/api/v1/orgs", tokOp, `{"name":5}`, "", 400, "name"},
			{"org_array_body", "POST", "/api/v1/orgs", tokOp, `[{"name":"X BV"}]`, "", 400, ""},
			{"org_trailing_data", "POST", "/api/v1/orgs", tokOp, `{"name":"X BV"} {"name":"Y"}`, "", 400, ""},
			{"org_empty_body", "POST", "/api/v1/orgs", tokOp, ``, "application/json", 400, ""},
			{"org_text_plain", "POST", "/api/v1/orgs", tokOp, `{"name":"X BV"}`, "text/plain", 415, ""},
			{"org_no_content_type", "POST", "/api/v1/orgs", tokOp, `{"name":"X BV"}`, "-", 415, ""},
			{"org_too_large", "POST", "/api/v1/orgs", tokOp, big, "", 413, ""},
			{"org_empty_name", "POST", "/api/v1/orgs", tokOp, `{"name":"  "}`, "", 422, "name"},
			{"org_bad_country", "POST", "/api/v1/orgs", tokOp, `{"name":"X BV","country":"Netherlands"}`, "", 422, "country"},
			{"org_bad_language", "POST", "/api/v1/orgs", tokOp, `{"name":"X BV","languages":["nl","xx-!!"]}`, "", 422, "languages[1]"},
			{"org_bad_policy", "POST", "/api/v1/orgs", tokOp, `{"name":"X BV","policy":{"mode":"hourly"}}`, "", 422, "policy.mode"},
			{"org_bad_webhook", "POST", "/api/v1/orgs", tokOp, `{"name":"X BV","policy":{"webhook_url":"http://hooks.example/x"}}`, "", 422, "policy.webhook_url"},
			{"org_bad_cidr", "POST", "/api/v1/orgs", tokOp, `{"name":"X BV","assets":[{"value":"192.0.2.0/24"},{"kind":"cidr","value":"192.0.2.300/24"}]}`, "", 422, "assets[1].value"},
			{"org_host_bits", "POST", "/api/v1/orgs", tokOp, `{"name":"X BV","assets":[{"kind":"cidr","value":"192.0.2.1/24"}]}`, "", 422, "assets[0].value"},
			{"org_bad_asn", "POST", "/api/v1/orgs", tokOp, `{"name":"X BV","assets":[{"kind":"asn","value":"AS0"}]}`, "", 422, "assets[0].value"},
			{"org_public_suffix", "POST", "/api/v1/orgs", tokOp, `{"name":"X BV","assets":[{"kind":"domain","value":"co.uk"}]}`, "", 422, "assets[0].value"},
			{"org_bad_kind", "POST", "/api/v1/orgs", tokOp, `{"name":"X BV","assets":[{"kind":"url","value":"https://x.example"}]}`, "", 422, "assets[0].kind"},
			{"org_bad_email", "POST", "/api/v1/orgs", tokOp, `{"name":"X BV","contacts":[{"email":"csirt@@example.nl"}]}`, "", 422, "contacts[0].email"},
			{"org_bad_cpe", "POST", "/api/v1/orgs", tokOp, `{"name":"X BV","devices":[{"vendor":"Axis","model":"A1001","cpe":"cpe:/h:axis:a1001"}]}`, "", 422, "devices[0].cpe"},
			{"org_bad_purl", "POST", "/api/v1/orgs", tokOp, `{"name":"X BV","devices":[{"vendor":"CERN","model":"editor","purl":"pkg:/nope"}]}`, "", 422, "devices[0].purl"},
			{"org_device_asset_link", "POST", "/api/v1/orgs", tokOp, `{"name":"X BV","devices":[{"vendor":"Axis","model":"A1001","asset_id":1}]}`, "", 422, "devices[0].asset_id"},
			{"org_duplicate_name", "POST", "/api/v1/orgs", tokOp, fmt.Sprintf(`{"name":%q}`, A.Name), "", 409, ""},

			// PATCH /orgs/{id}
			{"patch_unknown_field", "PATCH", org, tokARW, `{"sectr":"water"}`, "", 400, "sectr"},
			{"patch_bad_json", "PATCH", org, tokARW, `{"sector":}`, "", 400, ""},
			{"patch_wrong_type", "PATCH", org, tokARW, `{"languages":"nl"}`, "", 400, "languages"},
			{"patch_bad_country", "PATCH", org, tokARW, `{"country":"XX1"}`, "", 422, "country"},
			{"patch_bad_language", "PATCH", org, tokARW, `{"languages":["en","!"]}`, "", 422, "languages[1]"},
			{"patch_bad_severity", "PATCH", org, tokARW, `{"policy":{"min_severity":"urgent"}}`, "", 422, "policy.min_severity"},
			{"patch_empty_name", "PATCH", org, tokARW, `{"name":""}`, "", 422, "name"},
			{"patch_name_taken", "PATCH", org, tokARW, fmt.Sprintf(`{"name":%q}`, B.Name), "", 409, ""},
			{"patch_webhook_loopback", "PATCH", org, tokARW, `{"policy":{"webhook_url":"https://127.0.0.1:8443/hook"}}`, "", 422, "policy.webhook_url"},
			{"patch_webhook_nat64_loopback", "PATCH", org, tokARW, `{"policy":{"webhook_url":"https://[64:ff9b::7f00:1]/hook"}}`, "", 422, "policy.webhook_url"},
			{"patch_webhook_link_local", "PATCH", org, tokARW, `{"policy":{"webhook_url":"https://169.254.169.254/latest/meta-data/"}}`, "", 422, "policy.webhook_url"},
			{"patch_webhook_localhost", "PATCH", org, tokARW, `{"policy":{"webhook_url":"https://localhost/hook"}}`, "", 422, "policy.webhook_url"},
			{"patch_form", "PATCH", org, tokARW, `sector=water`, "application/x-www-form-urlencoded", 415, ""},

			// POST /orgs/{id}/contacts
			{"contact_bad_email", "POST", org + "/contacts", tokARW, `{"email":"security at example.nl"}`, "", 422, "email"},
			{"contact_display_name", "POST", org + "/contacts", tokARW, `{"email":"CERT <cert@example.nl>"}`, "", 422, "email"},
			{"contact_bad_phone", "POST", org + "/contacts", tokARW, `{"phone":"070-1234567"}`, "", 422, "phone"},
			{"contact_bad_role", "POST", org + "/contacts", tokARW, `{"email":"cert@example.nl","role":"ceo"}`, "", 422, "role"},
			{"contact_bad_lang", "POST", org + "/contacts", tokARW, `{"email":"cert@example.nl","lang":"dutch!"}`, "", 422, "lang"},
			{"contact_nothing", "POST", org + "/contacts", tokARW, `{"name":"CERT"}`, "", 422, "email"},
			{"contact_org_id", "POST", org + "/contacts", tokARW, fmt.Sprintf(`{"email":"cert@example.nl","org_id":%d}`, B.ID), "", 400, "org_id"},
			{"contact_tenant_verified", "POST", org + "/contacts", tokARW, `{"email":"cert@example.nl","verified":true}`, "", 403, "verified"},
			{"contact_bad_json", "POST", org + "/contacts", tokARW, `{"email"`, "", 400, ""},

			// POST /orgs/{id}/assets
			{"asset_bad_cidr", "POST", org + "/assets", tokARW, `{"value":"192.0.2.300/24"}`, "", 422, "value"},
			{"asset_host_bits", "POST", org + "/assets", tokARW, `{"kind":"cidr","value":"198.51.100.1/24"}`, "", 422, "value"},
			{"asset_whole_internet", "POST", org + "/assets", tokARW, `{"value":"0.0.0.0/0"}`, "", 422, "value"},
			{"asset_zoned_ip", "POST", org + "/assets", tokARW, `{"kind":"cidr","value":"fe80::1%eth0"}`, "", 422, "value"},
			{"asset_bad_asn", "POST", org + "/assets", tokARW, `{"kind":"asn","value":"AS4294967296"}`, "", 422, "value"},
			{"asset_as_trans", "POST", org + "/assets", tokARW, `{"value":"AS23456"}`, "", 422, "value"},
			{"asset_public_suffix", "POST", org + "/assets", tokARW, `{"kind":"domain","value":"co.uk"}`, "", 422, "value"},
			{"asset_bad_domain", "POST", org + "/assets", tokARW, `{"kind":"domain","value":"exa mple.nl"}`, "", 422, "value"},
			{"asset_bad_kind", "POST", org + "/assets", tokARW, `{"kind":"url","value":"https://example.nl/"}`, "", 422, "kind"},
			{"asset_duplicate", "POST", org + "/assets", tokARW, fmt.Sprintf(`{"value":%q}`, A.Assets[1].Value), "", 409, ""},
			{"asset_unknown_field", "POST", org + "/assets", tokARW, `{"value":"198.51.100.0/24","verified_at":"2026-01-01T00:00:00Z"}`, "", 400, "verified_at"},
			{"asset_value_number", "POST", org + "/assets", tokARW, `{"value":64500}`, "", 400, "value"},

			// POST /orgs/{id}/devices
			{"device_no_vendor", "POST", org + "/devices", tokARW, `{"model":"A1001"}`, "", 422, "vendor"},
			{"device_no_model", "POST", org + "/devices", tokARW, `{"vendor":"Axis"}`, "", 422, "model"},
			{"device_cpe22", "POST", org + "/devices", tokARW, `{"vendor":"Axis","model":"A1001","cpe":"cpe:/h:axis:a1001:-"}`, "", 422, "cpe"},
			{"device_cpe_short", "POST", org + "/devices", tokARW, `{"vendor":"Axis","model":"A1001","cpe":"cpe:2.3:h:axis:a1001"}`, "", 422, "cpe"},
			{"device_bad_purl", "POST", org + "/devices", tokARW, `{"vendor":"CERN","model":"editor","purl":"npm/lhc-vdm-editor@0.0.1"}`, "", 422, "purl"},
			{"device_other_orgs_asset", "POST", org + "/devices", tokARW, fmt.Sprintf(`{"vendor":"Axis","model":"A1001","asset_id":%d}`, B.Assets[0].ID), "", 422, "asset_id"},
			{"device_missing_asset", "POST", org + "/devices", tokARW, `{"vendor":"Axis","model":"A1001","asset_id":999999}`, "", 422, "asset_id"},
			{"device_asset_id_string", "POST", org + "/devices", tokARW, `{"vendor":"Axis","model":"A1001","asset_id":"1"}`, "", 400, "asset_id"},
			{"device_unknown_field", "POST", org + "/devices", tokARW, `{"vendor":"Axis","model":"A1001","os":"linux"}`, "", 400, "os"},

			// POST /tokens
			{"token_no_scopes", "POST", "/api/v1/tokens", tokOp, fmt.Sprintf(`{"org_id":%d}`, A.ID), "", 422, "scopes"},
			{"token_bad_scope", "POST", "/api/v1/tokens", tokOp, fmt.Sprintf(`{"org_id":%d,"scopes":["read","root"]}`, A.ID), "", 422, "scopes[1]"},
			{"token_org_admin", "POST", "/api/v1/tokens", tokOp, fmt.Sprintf(`{"org_id":%d,"scopes":["admin"]}`, A.ID), "", 422, "scopes"},
			{"token_operator_write", "POST", "/api/v1/tokens", tokOp, `{"scopes":["read","write"]}`, "", 422, "scopes"},
			{"token_org_operate", "POST", "/api/v1/tokens", tokOp, fmt.Sprintf(`{"org_id":%d,"scopes":["read","operate"]}`, A.ID), "", 422, "scopes"},
			{"token_expiry_negative", "POST", "/api/v1/tokens", tokOp, `{"scopes":["read"],"expires_days":-1}`, "", 422, "expires_days"},
			{"token_expiry_too_long", "POST", "/api/v1/tokens", tokOp, `{"scopes":["read"],"expires_days":3651}`, "", 422, "expires_days"},
			{"token_expiry_string", "POST", "/api/v1/tokens", tokOp, `{"scopes":["read"],"expires_days":"90"}`, "", 400, "expires_days"},
			{"token_missing_org", "POST", "/api/v1/tokens", tokOp, `{"org_id":999999,"scopes":["read"]}`, "", 422, "org_id"},
			{"token_negative_org", "POST", "/api/v1/tokens", tokOp, `{"org_id":-1,"scopes":["read"]}`, "", 422, "org_id"},
			{"token_org_id_float", "POST", "/api/v1/tokens", tokOp, `{"org_id":1.5,"scopes":["read"]}`, "", 400, "org_id"},
			{"token_unknown_field", "POST", "/api/v1/tokens", tokOp, `{"scopes":["admin"],"secret":"vigil_x"}`, "", 400, "secret"},
		}
		before := snapshot(t, st)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rec := e.send(req{method: tt.method, path: tt.path, token: tt.token, body: tt.body, ctype: tt.ctype})
				wantProblem(t, rec, tt.status, tt.field)
			})
		}
		if diff := cmp.Diff(before, snapshot(t, st)); diff != "" {
			t.Errorf("refused requests changed the registry (-before +after):\n%s", diff)
		}
	})
}

// snapshot returns the whole registry, to check that refused requests
// wrote nothing.
func snapshot(t *testing.T, st *store.Store) []registry.Org {
	t.Helper()
	all, err := st.OrgListAll(context.Background(), tenant.Operator())
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// TestBadPathAndQuery is generated from the route table: every path
// parameter of every route refuses non-ids, every query parameter refuses
// bad values, unknown query parameters are refused, and an id that does not
// exist answers 404.
func TestBadPathAndQuery(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		good := e.idsOf(e.orgs[0])
		n := 0
		for _, rt := range e.srv.Routes() {
			if rt.IsPage() {
				continue // TestPageBadPathAndQuery
			}
			// An organisation's own acts (Route.OwnAct) are its token's;
			// the operator's is refused before the path is read.
			tok := tokOp
			if rt.OwnAct {
				tok = tokARW
			}
			for _, p := range rt.PathParams() {
				if p == "token" || p == "hash" {
					continue // not ids: their routes' own tests try bad values (TestWKD, the ack tests)
				}
				for _, bad := range []string{"abc", "0", "-1", "1.5", "99999999999999999999"} {
					path := strings.Replace(rt.Path, "{"+p+"}", bad, 1)
					path = fill(path, good)
					t.Run(rt.ID+"/"+p+"="+bad, func(t *testing.T) {
						rec := e.send(req{method: rt.Method, path: path, token: tok, body: e.bodyFor(rt, "bad-"+p)})
						wantProblem(t, rec, http.StatusBadRequest, p)
					})
					n++
				}
				missing := good
				switch p {
				case "id":
					missing.Org = 999999
				case "cid":
					missing.Contact = 999999
				case "aid":
					missing.Asset = 999999
				case "did":
					missing.Device = 999999
				case "tid":
					missing.Token = 999999
				case "nid":
					missing.Notice = 999999
				case "fid":
					missing.Finding = 999999
				case "xid":
					missing.Dispute = 999999
				case "sid":
					missing.Assessment = 999999
				case "rid":
					missing.Run = 999999
				case "eid":
					missing.Evidence = 999999
				case "src":
					missing.Source = 999999
				case "uid":
					missing.User = 999999
				case "mid":
					missing.Member = 999999
				case "iid":
					missing.Invitation = 999999
				}
				if rt.Method == http.MethodPost && p != "id" {
					continue
				}
				t.Run(rt.ID+"/"+p+"=missing", func(t *testing.T) {
					rec := e.send(req{method: rt.Method, path: fill(rt.Path, missing), token: tok, body: e.bodyFor(rt, "missing-"+p)})
					wantProblem(t, rec, http.StatusNotFound, "")
				})
				n++
			}
			if rt.Public {
				continue
			}
			queries := []struct{ q, field string }{{"frobnicate=1", "frobnicate"}, {"%zz", ""}}
			for _, p := range rt.Query {
				queries = append(queries, struct{ q, field string }{p.Name + "=1&" + p.Name + "=2", p.Name})
				switch {
				case p.Name == "limit":
					for _, v := range []string{"0", "501", "abc", "-5"} {
						queries = append(queries, struct{ q, field string }{"limit=" + v, "limit"})
					}
				case p.Name == "after":
					for _, v := range []string{"-1", "x"} {
						queries = append(queries, struct{ q, field string }{"after=" + v, "after"})
					}
				case len(p.Enum) > 0:
					queries = append(queries, struct{ q, field string }{p.Name + "=bogus", p.Name})
				}
			}
			for _, q := range queries {
				t.Run(rt.ID+"?"+q.q, func(t *testing.T) {
					rec := e.send(req{method: rt.Method, path: fill(rt.Path, good) + "?" + q.q, token: tok, body: e.bodyFor(rt, "q")})
					wantProblem(t, rec, http.StatusBadRequest, q.field)
				})
				n++
			}
		}
		if n < 50 {
			t.Errorf("only %d generated cases", n)
		}
	})
}

// TestAuthentication is generated from the route table: every route but
// the public ones refuses missing, malformed, unknown and revoked tokens
// with 401, and tokens without the route's scope with 403.
func TestAuthentication(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		own := e.idsOf(e.orgs[0])
		for _, rt := range e.srv.Routes() {
			if rt.Public || rt.IsPage() {
				continue // pages: TestPageAuthorisation
			}
			path := fill(rt.Path, own)
			body := e.bodyFor(rt, "auth")
			for _, tok := range []string{"", "Basic dmlnaWw6dmlnaWw=", "Bearer", "Bearer vigil_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "Bearer ghp_notours", tokRevoked} {
				t.Run(rt.ID+"/"+tok, func(t *testing.T) {
					wantProblem(t, e.send(req{method: rt.Method, path: path, token: tok, body: body}), http.StatusUnauthorized, "")
				})
			}
			var weak []string
			switch {
			case rt.OperatorOnly():
				weak = []string{tokARW, tokAR, tokAW}
			case rt.Scope == "read":
				weak = []string{tokAW}
			case rt.Scope == "write":
				weak = []string{tokAR}
			}
			for _, tok := range weak {
				t.Run(rt.ID+"/scope/"+tok, func(t *testing.T) {
					wantProblem(t, e.send(req{method: rt.Method, path: path, token: tok, body: body}), http.StatusForbidden, "")
				})
			}
		}
	})
}

// TestUnmatchedRoutesAreProblems checks the ServeMux's own 404 and 405.
func TestUnmatchedRoutesAreProblems(t *testing.T) {
	t.Parallel()
	st := storetest.OpenSQLite(t, storetest.Options{Now: fixedNow})
	e := newEnv(t, st)
	wantProblem(t, e.send(req{method: "GET", path: "/api/v1/nope", token: tokOp}), 404, "")
	wantProblem(t, e.send(req{method: "GET", path: "/nope", token: tokOp}), 404, "")
	rec := e.send(req{method: "PUT", path: "/api/v1/orgs", token: tokOp, body: `{}`})
	p := wantProblem(t, rec, 405, "")
	if allow := rec.Header().Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
		t.Errorf("Allow = %q", allow)
	}
	if !strings.Contains(p.Detail, "GET") {
		t.Errorf("405 detail %q does not list the allowed methods", p.Detail)
	}
}
