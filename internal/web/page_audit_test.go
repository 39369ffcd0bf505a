// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"vigil/internal/account"
	"vigil/internal/assess"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestPagePostsAudited is generated from the route table: every POST page
// that changes stored data (every one the table does not mark Stateless,
// see TestStatelessRoutesLeaveNoEntry), called by a persona allowed to with
// valid input, succeeds and leaves at least one audit entry naming that
// persona (anonymous for a public form).
func TestPagePostsAudited(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		seedNotices(t, e.env)
		own := e.idsOf(e.orgs[0])
		forms := e.pageForms()
		count := func(actor string) int {
			var n int
			if err := st.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE actor = $1`, actor).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		calls := e.auditedCalls(t, own)
		n := 0
		for _, rt := range e.srv.Routes() {
			if !rt.IsPage() || !changes(&rt) {
				continue
			}
			n++
			as := asMemberA
			switch {
			case rt.Role != "":
				as = asAdmin
			case rt.half:
				as = asHalf
			case rt.Public:
				as = asAnon
			}
			actor := "anonymous"
			switch {
			case rt.ID == "pageLoginPost": // the entry names the account signed in
				actor = e.users[asMemberA].Email
			case as != asAnon:
				actor = e.users[as].Email
			}
			path := e.pageFill(rt.Path, own)
			before := count(actor)
			// Every call is one attempt: the sign-in and code steps share
			// a per-client bucket that the whole table would exhaust.
			resetLimits(e.srv)
			var rec *httptest.ResponseRecorder
			if call, ok := calls[rt.ID]; ok {
				rec = call(path, as)
			} else if form, ok := forms[rt.ID]; ok {
				rec = e.page(preq{method: rt.Method, path: path, as: as, form: form})
			} else {
				t.Errorf("route %s (%s) has no form in pageForms", rt.Pattern(), rt.ID)
				continue
			}
			if rec.Code >= 400 {
				t.Errorf("%s (%s) as %q: status %d (%.300s)", rt.Pattern(), rt.ID, as, rec.Code, rec.Body.String())
				continue
			}
			if count(actor) == before {
				t.Errorf("%s (%s) as %q succeeded without an audit entry naming %s", rt.Pattern(), rt.ID, as, actor)
			}
		}
		if n == 0 {
			t.Fatal("no POST page changes stored data")
		}
	})
}

// auditedCalls are the valid calls of the POST pages whose input depends on
// state made just before (a token sent by e-mail, a submitted assessment,
// a pending registration) or is an upload. Each returns the answer.
func (e *pageEnv) auditedCalls(t *testing.T, own ids) map[string]func(path, as string) *httptest.ResponseRecorder {
	t.Helper()
	ctx := context.Background()
	A := e.orgs[0]
	mailedToken := func(path string) string { return e.mailedToken(t, path) }
	submitted := func(accept bool) int64 { return e.submitted(t, accept) }
	totpCode := func(step int) string {
		code, err := account.TOTPCode(enrolSecret, e.st.Now().Add(time.Duration(step)*30*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	form := func(path, as string, f url.Values) *httptest.ResponseRecorder {
		return e.page(preq{method: http.MethodPost, path: path, as: as, form: f})
	}
	// The deletes take a spare asset and device, not the seed's, which
	// the routes after them use; apiTwinCalls adds the same.
	spareAsset, spareDevice := spareObjects(t, e.st, A.ID)
	return map[string]func(path, as string) *httptest.ResponseRecorder{
		"pageAssetDelete": func(_, as string) *httptest.ResponseRecorder {
			return form(fmt.Sprintf("/orgs/%d/assets/%d/delete", A.ID, spareAsset), as, url.Values{})
		},
		"pageDeviceDelete": func(_, as string) *httptest.ResponseRecorder {
			return form(fmt.Sprintf("/orgs/%d/devices/%d/delete", A.ID, spareDevice), as, url.Values{})
		},
		"pageResetPost": func(path, as string) *httptest.ResponseRecorder {
			form("/password/forgot", asAnon, url.Values{"email": {"makerA@portal.example"}})
			return form(path, as, url.Values{"token": {mailedToken("/password/reset")}, "password": {"the new password"}})
		},
		"pageSignupConfirmPost": func(path, as string) *httptest.ResponseRecorder {
			form("/signup", asAnon, url.Values{"email": {"confirming@portal.example"}, "password": {"a brand new password"}})
			return form(path, as, url.Values{"token": {mailedToken("/signup/confirm")}, "password": {"a brand new password"}})
		},
		"pageInvitationPost": func(path, as string) *httptest.ResponseRecorder {
			tok, err := e.srv.accounts.Invite(ctx, e.users[asAdmin].ID, A.ID, "invited@portal.example", account.RoleMember)
			if err != nil {
				t.Fatal(err)
			}
			return form(path, as, url.Values{"token": {tok}, "name": {"Invited"}, "password": {"a brand new password"}})
		},
		"pageTOTPPost": func(path, as string) *httptest.ResponseRecorder {
			// The persona has a second factor; its session awaits it.
			if err := e.st.UserSetTOTP(ctx, e.users[as].ID, enrolSecret); err != nil {
				t.Fatal(err)
			}
			rec := form(path, as, url.Values{"code": {totpCode(0)}})
			// The verified session replaces the half one: the browser
			// keeps the new cookie, as pageEnrolPost below needs.
			e.adoptSession(t, as, rec)
			return rec
		},
		"pageEnrolPost": func(path, as string) *httptest.ResponseRecorder {
			// A new key, with the code of the next step (the clock stands
			// still and a step is never used twice).
			// A persona that has a second factor (pageTOTPPost gave it
			// one) replaces it with its password and a current code.
			return form(path, as, url.Values{"secret": {enrolSecret}, "code": {totpCode(1)}, "password": {testPassword}, "current": {totpCode(1)}})
		},
		"pageApprove": func(_, as string) *httptest.ResponseRecorder {
			form("/register", asMemberA, url.Values{"name": {"Wachtend BV"}, "asset": {"wachtend.example"}})
			pending, err := e.st.OrgPending(ctx, tenant.Operator())
			if err != nil || len(pending) == 0 {
				t.Fatalf("pending organisations: %v %v", pending, err)
			}
			return form("/analyst/pending/"+strconv.FormatInt(pending[0].ID, 10)+"/approve", as, url.Values{})
		},
		"pageReject": func(_, as string) *httptest.ResponseRecorder {
			form("/register", asMemberA, url.Values{"name": {"Afgewezen BV"}, "asset": {"afgewezen.example"}})
			return form(fmt.Sprintf("/analyst/pending/%d/reject", e.orgNamed(t, "Afgewezen BV")), as, url.Values{"reason": {"not in the trade register"}})
		},
		"pageReapply": func(_, as string) *httptest.ResponseRecorder {
			form("/register", asMemberA, url.Values{"name": {"Opnieuw BV"}, "asset": {"opnieuw.example"}})
			id := e.orgNamed(t, "Opnieuw BV")
			if rec := form(fmt.Sprintf("/analyst/pending/%d/reject", id), asAdmin, url.Values{"reason": {"not in the trade register"}}); rec.Code != http.StatusSeeOther {
				t.Fatalf("rejecting %d: %d %s", id, rec.Code, rec.Body.String())
			}
			e.orgToken(t, id) // as the API twin needs one, so that the two databases stay alike
			return form(fmt.Sprintf("/orgs/%d/reapply", id), as, url.Values{"note": {"registration number 12345678"}})
		},
		"pageFindingDispute": func(_, as string) *httptest.ResponseRecorder {
			fs, err := e.st.FindingList(ctx, tenant.Org(A.ID), finding.Filter{Page: keyset.Page{Limit: 500}})
			if err != nil {
				t.Fatal(err)
			}
			var last *httptest.ResponseRecorder
			for _, f := range fs { // the first finding without a dispute
				last = form(fmt.Sprintf("/orgs/%d/findings/%d/dispute", A.ID, f.ID), as, url.Values{"reason": {"not_ours"}})
				if last.Code < 400 {
					break
				}
			}
			return last
		},
		"pageLogout": func(path, as string) *httptest.ResponseRecorder {
			// A session of its own ends, so that the order of the routes
			// does not matter to the persona's other calls.
			keep, keepCookie := e.sessions[as], e.cookies[as]
			defer func() { e.sessions[as], e.cookies[as] = keep, keepCookie }()
			secret, now := account.NewToken(32), e.st.Now()
			ses := account.Session{UserID: e.users[as].ID, CSRF: account.NewToken(24), Verified: keep.Verified, CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(account.MaxAge)}
			if err := e.st.SessionCreate(ctx, &ses, account.HashToken(secret)); err != nil {
				t.Fatal(err)
			}
			e.sessions[as], e.cookies[as] = ses, secret
			return form(path, as, url.Values{})
		},
		"pageDeviceSBOM": func(path, as string) *httptest.ResponseRecorder {
			return e.uploadAs(as, path, "sbom", "sbom.json", "application/vnd.cyclonedx+json",
				[]byte(`{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{"type":"library","name":"openssl","version":"1.1.1k","purl":"pkg:generic/openssl@1.1.1k"}]}`))
		},
		"pageEvidenceAdd": func(path, as string) *httptest.ResponseRecorder {
			return e.upload(as, path, nil, "ports.csv", "text/csv", []byte("port,state\n22,closed\n"))
		},
		"pageIngest": func(path, as string) *httptest.ResponseRecorder {
			return e.upload(as, path, map[string]string{"type": "shadowserver", "trigger": "rdp-portal", "again": "true"}, sampleFeed, "", readSample(t))
		},
		"pageReview": func(_, as string) *httptest.ResponseRecorder {
			return form(fmt.Sprintf("/analyst/assessments/%d/review", submitted(false)), as, url.Values{"decision": {"return"}, "comments": {"give the support period"}})
		},
		"pageIssue": func(_, as string) *httptest.ResponseRecorder {
			return form(fmt.Sprintf("/analyst/assessments/%d/label", submitted(true)), as, url.Values{})
		},
		"pageLabelRevoke": func(_, as string) *httptest.ResponseRecorder {
			id := submitted(true)
			if rec := e.send(req{method: "POST", path: fmt.Sprintf("/api/v1/assessments/%d/label", id), token: tokOp}); rec.Code != http.StatusCreated {
				t.Fatalf("issuing the label of %d: %d %s", id, rec.Code, rec.Body.String())
			}
			return form(fmt.Sprintf("/analyst/assessments/%d/revoke", id), as, url.Values{"reason": {"the maker withdrew the product"}, "confirm": {"yes"}})
		},
	}
}

// uploadAs posts a multipart form with the session's CSRF token and one
// file in the form field field.
func (e *pageEnv) uploadAs(as, path, field, name, ctype string, content []byte) *httptest.ResponseRecorder {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("csrf", e.sessions[as].CSRF)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, field, name))
	h.Set("Content-Type", ctype)
	fw, _ := w.CreatePart(h)
	_, _ = fw.Write(content)
	_ = w.Close()
	hr := httptest.NewRequest(http.MethodPost, path, &b)
	hr.RemoteAddr = "192.0.2.10:40000"
	hr.Header.Set("Content-Type", w.FormDataContentType())
	hr.AddCookie(&http.Cookie{Name: sessionCookie, Value: e.cookies[as]})
	if e.lang != "" {
		hr.Header.Set("Accept-Language", e.lang)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, hr)
	return rec
}

// enrolSecret is the second-factor key a persona enrols in these tests.
const enrolSecret = "JBSWY3DPEHPK3PXP"

// mailedToken returns the token of the last account e-mail with a link to
// path.
func (e *pageEnv) mailedToken(t *testing.T, path string) string {
	t.Helper()
	ctx := context.Background()
	var payload string
	if err := e.st.QueryRow(ctx, `SELECT n.payload FROM notices n WHERE n.kind = 'account' ORDER BY n.id DESC LIMIT 1`).Scan(&payload); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(regexp.QuoteMeta(path) + `\?token=([A-Za-z0-9_%-]+)`).FindStringSubmatch(payload)
	if m == nil {
		t.Fatalf("account e-mail without a link to %s: %s", path, payload)
	}
	tok, _ := url.QueryUnescape(m[1])
	return tok
}

// submitted starts an assessment of A's first device, submits it (every
// provision met) and, when accept, accepts it as an analyst would; it
// returns the assessment's number.
func (e *pageEnv) submitted(t *testing.T, accept bool) int64 {
	t.Helper()
	A := e.orgs[0]
	base := "/api/v1/orgs/" + strconv.FormatInt(A.ID, 10) + "/assessments"
	rec := e.send(req{method: "POST", path: base, token: tokARW, body: fmt.Sprintf(`{"device_id":%d}`, A.Devices[0].ID)})
	var a assess.Assessment
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil || a.ID == "" {
		t.Fatalf("starting an assessment: %d %s", rec.Code, rec.Body.String())
	}
	sid := base + "/"
	cat, err := assess.Load()
	if err != nil {
		t.Fatal(err)
	}
	items := map[string]assess.Answer{}
	for _, p := range cat.Provisions(a.Edition) {
		items[p.ID] = assess.Answer{Status: assess.Met}
	}
	body, err := json.Marshal(AnswersInput{Answers: assess.Answers{Edition: a.Edition, Items: items, Support: assess.Support{End: "2031-12-31"}}, Submit: true})
	if err != nil {
		t.Fatal(err)
	}
	if rec := e.send(req{method: "POST", path: sid + a.ID + "/answers", token: tokARW, body: string(body)}); rec.Code != http.StatusOK {
		t.Fatalf("submitting %s: %d %s", a.ID, rec.Code, rec.Body.String())
	}
	if accept {
		if rec := e.send(req{method: "POST", path: "/api/v1/assessments/" + a.ID + "/review", token: tokOp, body: `{"accept":true,"comments":"complete"}`}); rec.Code != http.StatusOK {
			t.Fatalf("accepting %s: %d %s", a.ID, rec.Code, rec.Body.String())
		}
	}
	id, err := assess.ParseID(a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
