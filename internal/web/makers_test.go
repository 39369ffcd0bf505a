// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/account"
	"vigil/internal/assess"
	"vigil/internal/auth"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestEvidenceUpload uploads evidence files of an assessment through the
// page: accepted types are listed on the assessment, a file whose content
// is not an allowed type or not its declared type is refused on the file
// field, and nothing of a refused upload is stored.
func TestEvidenceUpload(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		A := e.orgs[0]
		as, err := st.AssessmentList(ctx, tenant.Org(A.ID), assess.Filter{})
		if err != nil || len(as) == 0 {
			t.Fatalf("assessments of A: %v %v", as, err)
		}
		id, _ := assess.ParseID(as[0].ID)
		path := fmt.Sprintf("/orgs/%d/assessments/%d/evidence", A.ID, id)
		count := func() int {
			ev, err := st.EvidenceList(ctx, tenant.Org(A.ID), id)
			if err != nil {
				t.Fatal(err)
			}
			return len(ev)
		}
		for _, tc := range []struct {
			name, ctype string
			content     []byte
			status      int
			msg         string // in the refusal
		}{
			{"report.pdf", "application/pdf", []byte("%PDF-1.7\n1 0 obj\n<< >>\nendobj\n"), http.StatusSeeOther, ""},
			{"ports.csv", "text/csv", []byte("port,state\n22,closed\n"), http.StatusSeeOther, ""},
			{"setup.exe", "application/octet-stream", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), http.StatusUnprocessableEntity, "must be a PDF"},
			{"photo.png", "image/png", []byte("%PDF-1.7\n"), http.StatusUnprocessableEntity, "not the declared image/png"},
			{"empty.txt", "text/plain", nil, http.StatusUnprocessableEntity, "empty"},
			{"../evil.txt", "text/plain", []byte("hello"), http.StatusSeeOther, ""}, // the browser's file name is cut to its base
			// Above the server's request limit (1 MiB) and within the
			// route's (20 MiB, as the API's), then above the route's.
			{"scan-report.pdf", "application/pdf", append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("%"), 2<<20)...), http.StatusSeeOther, ""},
			{"capture.pdf", "application/pdf", append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("%"), assess.MaxEvidenceBytes)...), http.StatusUnprocessableEntity, "larger than 20 MiB"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := count()
				rec := e.upload(asMakerA, path, nil, tc.name, tc.ctype, tc.content)
				body := wantPage(t, rec, tc.status)
				if tc.status != http.StatusSeeOther {
					if !strings.Contains(body, `id="file" name="file" type="file"`) || !strings.Contains(body, `aria-describedby="file-err"`) || !strings.Contains(html.UnescapeString(body), tc.msg) {
						t.Errorf("the refusal is not shown on the file field with %q: %s", tc.msg, body)
					}
					if count() != before {
						t.Error("a refused upload was stored")
					}
					return
				}
				if count() != before+1 {
					t.Errorf("evidence files: %d; want %d", count(), before+1)
				}
			})
		}
		page := wantPage(t, e.page(preq{method: http.MethodGet, path: fmt.Sprintf("/orgs/%d/assessments/%d", A.ID, id), as: asMemberA}), http.StatusOK)
		for _, want := range []string{"report.pdf", "application/pdf", "ports.csv", "text/csv"} {
			if !strings.Contains(page, want) {
				t.Errorf("the assessment page does not list %s", want)
			}
		}
		// Another organisation's member cannot upload to A's assessment.
		wantPage(t, e.upload(asMemberB, path, nil, "x.txt", "text/plain", []byte("x")), http.StatusNotFound)
	})
}

// TestOrgLabelsAndLabs shows an organisation's labels with downloads and
// an escaped embed snippet, and a test lab's account acting for two
// organisations: it reaches both (the organisation chosen in the path),
// and a third stays unknown to it (404).
func TestOrgLabelsAndLabs(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		seedLabels(t, e.env)
		A, B := e.orgs[0], e.orgs[1]
		body := wantPage(t, e.page(preq{method: http.MethodGet, path: fmt.Sprintf("/orgs/%d/labels", A.ID), as: asMakerA}), http.StatusOK)
		for _, want := range []string{
			`href="https://vigil.test/labels/VL-TEST-0000-0001.svg"`,
			`&lt;a href=&#34;https://vigil.test/labels/VL-TEST-0000-0001&#34;&gt;&lt;img src=&#34;https://vigil.test/labels/VL-TEST-0000-0001.svg&#34;`,
			"M3106-L Mk II",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("A's labels page lacks %s", want)
			}
		}
		body = wantPage(t, e.page(preq{method: http.MethodGet, path: fmt.Sprintf("/orgs/%d/labels", B.ID), as: asMemberB, header: map[string]string{"Accept-Language": "nl"}}), http.StatusOK)
		if strings.Contains(body, "VL-TEST") || !strings.Contains(body, "Nog geen labels") {
			t.Errorf("B's labels page shows A's labels or no Dutch text: %s", body)
		}

		// A lab acting for A and B, a maker in both: the start page leads
		// to each organisation's products (a maker may not see the
		// overview, with its findings and contacts).
		e.persona(t, "lab", account.Membership{OrgID: A.ID, Role: account.RoleMaker}, account.Membership{OrgID: B.ID, Role: account.RoleMaker})
		home := wantPage(t, e.page(preq{method: http.MethodGet, path: "/", as: "lab"}), http.StatusOK)
		for _, o := range []int64{A.ID, B.ID} {
			if !strings.Contains(home, fmt.Sprintf(`href="/orgs/%d/products"`, o)) {
				t.Errorf("the lab's start page does not offer organisation %d", o)
			}
			for _, p := range []string{"/products", "/labels", "/assessments", "/devices"} {
				wantPage(t, e.page(preq{method: http.MethodGet, path: fmt.Sprintf("/orgs/%d%s", o, p), as: "lab"}), http.StatusOK)
			}
			wantPage(t, e.page(preq{method: http.MethodGet, path: fmt.Sprintf("/orgs/%d", o), as: "lab"}), http.StatusForbidden)
		}
		if len(e.orgs) > 2 {
			wantPage(t, e.page(preq{method: http.MethodGet, path: fmt.Sprintf("/orgs/%d/labels", e.orgs[2].ID), as: "lab"}), http.StatusNotFound)
		}
	})
}

// persona gives the env a signed-in account name with the memberships,
// for requests made as name.
func (e *pageEnv) persona(t *testing.T, name string, orgs ...account.Membership) account.User {
	t.Helper()
	ctx := context.Background()
	u, err := e.srv.accounts.Create(ctx, account.NewUser{Email: name + "@portal.example", Password: testPassword, Orgs: orgs})
	if err != nil {
		t.Fatal(err)
	}
	secret, now := account.NewToken(32), e.st.Now()
	ses := account.Session{UserID: u.ID, CSRF: account.NewToken(24), Verified: true, CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(account.MaxAge)}
	if err := e.st.SessionCreate(ctx, &ses, account.HashToken(secret)); err != nil {
		t.Fatal(err)
	}
	e.users[name], e.sessions[name], e.cookies[name] = u, ses, secret
	return u
}

// TestLabMakerHereMemberThere: one account, a maker of organisation A
// and a member of B, sees B's findings, warnings, registry and policy
// (the pages, their links, the finding itself) and none of A's: A's
// answer 403 and its pages link to none of them, while A's products,
// assessments and labels serve it. The organisation chosen in the path
// decides, not the account.
func TestLabMakerHereMemberThere(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		seedNotices(t, e.env)
		ctx := context.Background()
		A, B := e.orgs[0], e.orgs[1]
		e.persona(t, "lab", account.Membership{OrgID: A.ID, Role: account.RoleMaker}, account.Membership{OrgID: B.ID, Role: account.RoleMember})
		findingsOf := func(o int64) []finding.Finding {
			fs, err := st.FindingList(ctx, tenant.Org(o), finding.Filter{Page: keyset.Page{Limit: 50}})
			if err != nil || len(fs) == 0 {
				t.Fatalf("findings of %d: %v, %v", o, fs, err)
			}
			return fs
		}
		fa, fb := findingsOf(A.ID), findingsOf(B.ID)
		home := wantPage(t, e.page(preq{method: http.MethodGet, path: "/", as: "lab"}), http.StatusOK)
		for _, want := range []string{fmt.Sprintf(`href="/orgs/%d/products"`, A.ID), fmt.Sprintf(`href="/orgs/%d"`, B.ID)} {
			if !strings.Contains(home, want) {
				t.Errorf("the start page lacks %s", want)
			}
		}

		// B: a member's pages, B's findings listed.
		body := wantPage(t, e.page(preq{method: http.MethodGet, path: fmt.Sprintf("/orgs/%d/findings", B.ID), as: "lab"}), http.StatusOK)
		for _, f := range fb {
			if !strings.Contains(body, fmt.Sprintf(`/orgs/%d/findings/%d"`, B.ID, f.ID)) {
				t.Errorf("B's findings page lacks B's finding %d", f.ID)
			}
		}
		for _, f := range fa {
			if strings.Contains(body, fmt.Sprintf(`/findings/%d"`, f.ID)) {
				t.Errorf("B's findings page shows A's finding %d", f.ID)
			}
		}
		for _, p := range []string{"", "/notices", "/registry", "/policy", fmt.Sprintf("/findings/%d", fb[0].ID)} {
			wantPage(t, e.page(preq{method: http.MethodGet, path: fmt.Sprintf("/orgs/%d%s", B.ID, p), as: "lab"}), http.StatusOK)
		}
		for _, nav := range []string{"/findings", "/notices", "/registry", "/policy"} {
			if !strings.Contains(body, fmt.Sprintf(`href="/orgs/%d%s"`, B.ID, nav)) {
				t.Errorf("B's navigation lacks %s", nav)
			}
		}

		// A: a maker's pages only; A's findings, warnings, registry,
		// policy and overview answer 403, by GET and by POST.
		for _, p := range []string{"", "/findings", "/findings.csv", "/findings.json", "/notices", "/registry", "/policy", fmt.Sprintf("/findings/%d", fa[0].ID)} {
			body := wantPage(t, e.page(preq{method: http.MethodGet, path: fmt.Sprintf("/orgs/%d%s", A.ID, p), as: "lab"}), http.StatusForbidden)
			for _, f := range fa {
				if strings.Contains(body, fmt.Sprintf(`href="/orgs/%d/findings/%d"`, A.ID, f.ID)) || strings.Contains(body, f.Key) && f.Key != "" {
					t.Errorf("the refused page %s shows A's finding %d", p, f.ID)
				}
			}
		}
		before := storetest.OrgSnapshot(t, st)
		was := before(t, A.ID)
		for _, r := range []struct {
			path string
			form url.Values
		}{
			{fmt.Sprintf("/orgs/%d/notices/%d/ack", A.ID, e.notices[A.ID]), url.Values{}},
			{fmt.Sprintf("/orgs/%d/findings/%d/dispute", A.ID, fa[0].ID), url.Values{"reason": {"not_ours"}}},
			{fmt.Sprintf("/orgs/%d/invitations", A.ID), url.Values{"invite_email": {"friend@portal.example"}}},
			{fmt.Sprintf("/orgs/%d/contacts", A.ID), url.Values{"contact_email": {"desk@portal.example"}}},
			{fmt.Sprintf("/orgs/%d/policy", A.ID), url.Values{"mode": {"daily"}, "min_severity": {"high"}, "channels": {"email"}}},
		} {
			wantPage(t, e.page(preq{method: http.MethodPost, path: r.path, as: "lab", form: r.form}), http.StatusForbidden)
		}
		if diff := cmp.Diff(was, before(t, A.ID)); diff != "" {
			t.Errorf("the lab's refused forms changed A (-before +after):\n%s", diff)
		}
		for _, p := range []string{"/products", "/devices", "/assessments", "/labels"} {
			body := wantPage(t, e.page(preq{method: http.MethodGet, path: fmt.Sprintf("/orgs/%d%s", A.ID, p), as: "lab"}), http.StatusOK)
			wantMakerLinks(t, e, body)
			if strings.Contains(body, fmt.Sprintf(`/orgs/%d/findings`, A.ID)) {
				t.Errorf("A's %s page links to A's findings", p)
			}
		}
	})
}

// TestTokenPages makes, lists and revokes API tokens as an administrator:
// the secret is shown once, bad input is refused on its field with
// nothing stored, and a revoked token no longer authenticates.
func TestTokenPages(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		A := e.orgs[0]
		tokens := func() int {
			ts, err := st.TokenList(ctx, tenant.Operator(), keyset.Page{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			return len(ts)
		}
		before := tokens()
		for _, tc := range []struct {
			name  string
			form  url.Values
			field string
		}{
			{"no name", url.Values{"scopes": {"read"}, "org_id": {fmt.Sprint(A.ID)}}, "name"},
			{"no scope", url.Values{"name": {"ci"}, "org_id": {fmt.Sprint(A.ID)}}, "scopes"},
			{"organisation token with admin", url.Values{"name": {"ci"}, "org_id": {fmt.Sprint(A.ID)}, "scopes": {"read", "admin"}}, "scopes"},
			{"operator token with write", url.Values{"name": {"ci"}, "scopes": {"read", "write"}}, "scopes"},
			{"organisation token with operate", url.Values{"name": {"ci"}, "org_id": {fmt.Sprint(A.ID)}, "scopes": {"operate"}}, "scopes"},
			{"expiry not a number", url.Values{"name": {"ci"}, "scopes": {"read"}, "expires_days": {"a month"}}, "expires_days"},
			{"expiry too far", url.Values{"name": {"ci"}, "scopes": {"read"}, "expires_days": {"3651"}}, "expires_days"},
			{"unknown scope", url.Values{"name": {"ci"}, "scopes": {"root"}}, "scopes"},
			{"organisation not a number", url.Values{"name": {"ci"}, "org_id": {"A"}, "scopes": {"read"}}, "org_id"},
			{"unknown organisation", url.Values{"name": {"ci"}, "org_id": {"987654"}, "scopes": {"read"}}, "org_id"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body := wantPage(t, e.page(preq{method: http.MethodPost, path: "/admin/tokens", as: asAdmin, form: tc.form}), http.StatusUnprocessableEntity)
				if !strings.Contains(body, fmt.Sprintf(`href="#%s"`, tc.field)) || !strings.Contains(body, tc.field+`-err"`) {
					t.Errorf("the refusal does not name %s: %s", tc.field, body)
				}
				if tokens() != before {
					t.Error("a refused token was stored")
				}
			})
		}
		body := wantPage(t, e.page(preq{method: http.MethodPost, path: "/admin/tokens", as: asAdmin,
			form: url.Values{"name": {"ticketing"}, "org_id": {fmt.Sprint(A.ID)}, "scopes": {"read", "write"}}}), http.StatusCreated)
		secret := regexp.MustCompile(`id="secret" readonly value="([^"]+)"`).FindStringSubmatch(body)
		if len(secret) != 2 || !strings.HasPrefix(secret[1], auth.SecretPrefix) {
			t.Fatalf("the new secret is not shown: %s", body)
		}
		p, err := st.TokenAuthenticate(ctx, secret[1])
		if err != nil || p.OrgID != A.ID || !p.Has(auth.ScopeWrite) {
			t.Fatalf("the shown secret authenticates as %+v, %v", p, err)
		}
		admin := e.users[asAdmin]
		if p.Owner != admin.ID {
			t.Errorf("the token made on the page belongs to account %d; want the administrator %d", p.Owner, admin.ID)
		}
		list := wantPage(t, e.page(preq{method: http.MethodGet, path: "/admin/tokens", as: asAdmin, header: map[string]string{"Accept-Language": "nl"}}), http.StatusOK)
		if strings.Contains(list, secret[1]) || !strings.Contains(list, "ticketing") || !strings.Contains(list, "Token aanmaken") {
			t.Errorf("the token list shows the secret again or lacks the token: %s", list)
		}
		if _, row, _ := strings.Cut(list, "ticketing</th>"); !strings.Contains(strings.SplitN(row, "</tr>", 2)[0], "<td>"+admin.Email+"</td>") {
			t.Errorf("the token list does not name %s as the token's maker: %s", admin.Email, list)
		}
		// An operator read token made for 30 days: the list shows its
		// scope and expiry, "not yet" used until a call, then the call's
		// time; the default expiry is 90 days, and "never" is offered.
		ro := wantPage(t, e.page(preq{method: http.MethodPost, path: "/admin/tokens", as: asAdmin,
			form: url.Values{"name": {"dashboard"}, "scopes": {"read"}, "expires_days": {"30"}}}), http.StatusCreated)
		roSecret := regexp.MustCompile(`id="secret" readonly value="([^"]+)"`).FindStringSubmatch(ro)
		if len(roSecret) != 2 {
			t.Fatalf("the read token's secret is not shown: %s", ro)
		}
		if !strings.Contains(ro, `<option value="90" selected>`) || !strings.Contains(ro, `<option value="0">never</option>`) {
			t.Errorf("the form does not offer 90 days by default and never: %s", ro)
		}
		rowOf := func(page, name string) string {
			_, row, _ := strings.Cut(page, name+"</th>")
			return strings.SplitN(row, "</tr>", 2)[0]
		}
		expiry := fmt.Sprintf(`<time datetime="%s">`, fixedNow().Add(30*24*time.Hour).Format(time.RFC3339))
		used := fmt.Sprintf(`<time datetime="%s">`, fixedNow().Format(time.RFC3339))
		nl := map[string]string{"Accept-Language": "nl"}
		row := rowOf(wantPage(t, e.page(preq{method: http.MethodGet, path: "/admin/tokens", as: asAdmin, header: nl}), http.StatusOK), "dashboard")
		if !strings.Contains(row, "<code>read</code>") || !strings.Contains(row, expiry) || !strings.Contains(row, "nog niet") {
			t.Errorf("the new read token's row lacks its scope, expiry or \"nog niet\" used: %s", row)
		}
		wantStatus(t, e.send(req{method: http.MethodGet, path: "/api/v1/orgs", token: roSecret[1]}), http.StatusOK)
		wantProblem(t, e.send(req{method: http.MethodPost, path: "/api/v1/notify/run", token: roSecret[1], body: `{}`}), http.StatusForbidden, "")
		row = rowOf(wantPage(t, e.page(preq{method: http.MethodGet, path: "/admin/tokens", as: asAdmin}), http.StatusOK), "dashboard")
		if !strings.Contains(row, used) || strings.Contains(row, "not yet") {
			t.Errorf("the used token's row does not show its last use %s: %s", used, row)
		}
		// A token made through the API with an operator token belongs to
		// the account that made the operator token.
		op := wantPage(t, e.page(preq{method: http.MethodPost, path: "/admin/tokens", as: asAdmin,
			form: url.Values{"name": {"automation"}, "scopes": {"admin"}}}), http.StatusCreated)
		opSecret := regexp.MustCompile(`id="secret" readonly value="([^"]+)"`).FindStringSubmatch(op)
		if len(opSecret) != 2 {
			t.Fatalf("the operator token's secret is not shown: %s", op)
		}
		req := httptest.NewRequest(http.MethodPost, "/api/v1/tokens", strings.NewReader(fmt.Sprintf(`{"org_id": %d, "name": "made by automation", "scopes": ["read"]}`, A.ID)))
		req.Header.Set("Authorization", "Bearer "+opSecret[1])
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.srv.ServeHTTP(rec, req)
		var made TokenCreated
		if err := json.Unmarshal(rec.Body.Bytes(), &made); rec.Code != http.StatusCreated || err != nil || made.Token.CreatedBy != admin.ID {
			t.Errorf("POST /api/v1/tokens = %d %s (%v); want a token made by account %d", rec.Code, rec.Body, err, admin.ID)
		}
		var after string
		if err := st.QueryRow(ctx, `SELECT after_json FROM audit_log WHERE action = 'token.create' AND object = ?`, fmt.Sprintf("token %d", made.Token.ID)).Scan(&after); err != nil ||
			!strings.Contains(after, fmt.Sprintf(`"created_by":%d`, admin.ID)) {
			t.Errorf("audit of the API's token = %s, %v; want its maker", after, err)
		}
		wantPage(t, e.page(preq{method: http.MethodPost, path: fmt.Sprintf("/admin/tokens/%d/revoke", p.TokenID), as: asAdmin}), http.StatusSeeOther)
		if _, err := st.TokenAuthenticate(ctx, secret[1]); err == nil {
			t.Error("a revoked token still authenticates")
		}
		wantPage(t, e.page(preq{method: http.MethodPost, path: fmt.Sprintf("/admin/tokens/%d/revoke", p.TokenID), as: asAdmin}), http.StatusNotFound)
		audit, err := st.AuditList(ctx, keyset.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, a := range audit {
			actions = append(actions, a.Action)
		}
		if !slices.Contains(actions, "token.create") || !slices.Contains(actions, "token.revoke") {
			t.Errorf("audit actions = %v", actions)
		}
	})
}

// TestPolicyPage saves a member's notification policy through the form
// and refuses bad input on its field, leaving the stored policy as it was.
func TestPolicyPage(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		A := e.orgs[0]
		path := fmt.Sprintf("/orgs/%d/policy", A.ID)
		policy := func() registry.Policy {
			o, err := st.OrgGet(ctx, tenant.Org(A.ID), A.ID)
			if err != nil {
				t.Fatal(err)
			}
			return o.Policy
		}
		rec := e.page(preq{method: http.MethodPost, path: path, as: asMemberA,
			form: url.Values{"mode": {"daily"}, "min_severity": {"high"}, "channels": {"email"}, "renotify_after": {"72h"}}})
		wantPage(t, rec, http.StatusSeeOther)
		saved := policy()
		if saved.Mode != "daily" || saved.MinSeverity != "high" || saved.RenotifyAfter != "72h" || !slices.Equal(saved.Channels, []string{"email"}) {
			t.Fatalf("saved policy = %+v", saved)
		}
		for _, tc := range []struct {
			name  string
			form  url.Values
			field string
		}{
			{"no channel", url.Values{"mode": {"daily"}}, "channels"},
			{"webhook without URL", url.Values{"channels": {"webhook"}}, "webhook_url"},
			{"plain http webhook", url.Values{"channels": {"webhook"}, "webhook_url": {"http://hooks.example/x"}}, "webhook_url"},
			{"loopback webhook", url.Values{"channels": {"webhook"}, "webhook_url": {"https://127.0.0.1/x"}}, "webhook_url"},
			{"bad mode", url.Values{"channels": {"email"}, "mode": {"hourly"}}, "mode"},
			{"bad duration", url.Values{"channels": {"email"}, "renotify_after": {"a week"}}, "renotify_after"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body := wantPage(t, e.page(preq{method: http.MethodPost, path: path, as: asMemberA, form: tc.form}), http.StatusUnprocessableEntity)
				if !strings.Contains(body, fmt.Sprintf(`href="#%s"`, tc.field)) || !strings.Contains(body, tc.field+`-err"`) {
					t.Errorf("the refusal does not name %s: %s", tc.field, body)
				}
				if got := policy(); !slices.Equal(got.Channels, saved.Channels) || got.Mode != saved.Mode || got.WebhookURL != saved.WebhookURL {
					t.Errorf("a refused form changed the policy: %+v", got)
				}
			})
		}
		body := wantPage(t, e.page(preq{method: http.MethodGet, path: path, as: asMemberA, header: map[string]string{"Accept-Language": "nl"}}), http.StatusOK)
		if !strings.Contains(body, "Meldingsbeleid") || !strings.Contains(body, `<option value="daily" selected>`) {
			t.Errorf("the Dutch policy page: %s", body)
		}
	})
}
