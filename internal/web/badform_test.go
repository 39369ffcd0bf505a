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
	"golang.org/x/net/html"

	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// formsWithoutFields are the page forms a visitor fills in nothing of, so
// no input of theirs can be bad (a button on a row: the path names the
// object, which TestPageBadPathAndQuery and TestPageAuthorisation try),
// with the reason.
var formsWithoutFields = map[string]string{
	"pageLang":             "two buttons (nl, en); any other value is refused whole with 422 and nothing stored (TestPageForms)",
	"pageLogout":           "a button",
	"pageNoticeAck":        "a button on a warning",
	"pageContactDelete":    "a button on a contact",
	"pageAssetDelete":      "a button on an asset",
	"pageDeviceDelete":     "a button on a device",
	"pageMemberRemove":     "a button on a member (its refusal, the organisation's last member: TestRemoveMember)",
	"pageInvitationRevoke": "a button on an open invitation (one that is not open: TestInvitationsPage)",
	"pageApprove":          "a button on a pending organisation (its refusal, a name another organisation has: TestRegisterNameTaken)",
	"pageIssue":            "a button on an accepted assessment",
	"pageNotifySend":       "a button",
	"pageTokenRevoke":      "a button on a token",
	"pageUserDisable":      "a button on an account (its refusals: TestUserRoleAndDisable)",
	"pageUserEnable":       "a button on an account",
	"pageUserTOTPReset":    "a button on an account (its refusal, one's own: TestUserTOTPReset)",
	"pageProductAssess":    "a button on a product",
	"pageSourcePause":      "a button on a source",
	"pageSourceResume":     "a button on a source",
	"pageSourceRun":        "a button on a source",
	"ackConfirm":           "a button on the page of a warning's signed link (a forged link: TestLinkPages)",
	"optOutConfirm":        "a button on the page of a warning's signed link, or a mail client's one-click request (a forged link: TestLinkPages)",
}

// badForm is a refused form: who sends what, and the field the visible
// message must name.
type badForm struct {
	name, as, path string
	form           url.Values
	// upload, when set, sends the form as multipart with this file in the
	// form field file field.
	upload *badUpload
	status int
	field  string
	// forged, instead of field, names a parameter only buttons send (a
	// decision, an outcome): a value no button sends is a forged request,
	// refused with an error page that names the parameter.
	forged string
	// touches are the tables or "table.column"s a refusal may write, and
	// why (a failed sign-in counts against the account and is audited).
	touches []string
}

type badUpload struct{ field, name, ctype, content string }

// badForms are refused forms of every page form with fields, by route id;
// TestPageFormsRefuseBadInput fails for a POST page missing here and from
// formsWithoutFields.
func (e *pageEnv) badForms(t *testing.T, own, other ids) map[string][]badForm {
	t.Helper()
	A := e.orgs[0]
	// A finding without a dispute (its page shows the dispute form) and
	// an assessment with a valid label (its page shows the revoke form).
	fids := e.findingIDs(t, A.ID)
	undisputed := fids[len(fids)-1]
	labelled := e.submitted(t, true)
	if rec := e.send(req{method: "POST", path: fmt.Sprintf("/api/v1/assessments/%d/label", labelled), token: tokOp}); rec.Code != http.StatusCreated {
		t.Fatalf("issuing the label of %d: %d %s", labelled, rec.Code, rec.Body.String())
	}
	org := fmt.Sprintf("/orgs/%d", own.Org)
	// An organisation that waits, on the pending page with its reject form.
	w := registry.Org{Name: "Wacht Nog BV", Assets: []registry.Asset{{Value: "wacht-nog.example"}}}
	if err := e.st.OrgRegister(context.Background(), &w, e.users[asMemberA].ID); err != nil {
		t.Fatal(err)
	}
	waiting := w.ID
	// A second contact of the organisation, whose address another may
	// not be edited into.
	noc := registry.Contact{OrgID: own.Org, Email: "noc@portal.example", Role: "technical"}
	if err := e.st.ContactCreate(context.Background(), tenant.Operator(), &noc); err != nil {
		t.Fatal(err)
	}
	v := func(kv ...string) url.Values {
		out := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Add(kv[i], kv[i+1])
		}
		return out
	}
	signIn := []string{"users.failed_logins", "users.locked_until", "audit_log", "login_locks"}
	return map[string][]badForm{
		"pageLoginPost":         {{name: "wrong_password", as: asAnon, path: "/login", form: v("email", "memberA@portal.example", "password", "wrong"), status: 401, field: "password", touches: signIn}},
		"pageForgotPost":        {{name: "bad_email", as: asAnon, path: "/password/forgot", form: v("email", "not an address"), status: 422, field: "email"}},
		"pageResetPost":         {{name: "unknown_token", as: asAnon, path: "/password/reset", form: v("token", "nope", "password", "a brand new password"), status: 422, field: "token"}},
		"pageInvitationPost":    {{name: "unknown_token", as: asAnon, path: "/invitation", form: v("token", "nope", "password", "a brand new password"), status: 422, field: "token"}},
		"pageTOTPPost":          {{name: "bad_code", as: asHalf, path: "/login/totp", form: v("code", "12"), status: 422, field: "code", touches: signIn}},
		"pageEnrolPost":         {{name: "wrong_code", as: asMemberA, path: "/login/enrol", form: v("secret", enrolSecret, "code", "000000"), status: 422, field: "code"}},
		"pageAccountPassword":   {{name: "wrong_old", as: asMemberA, path: "/account/password", form: v("old", "not it", "password", "a brand new password"), status: 422, field: "old", touches: signIn}},
		"pageUserRole":          {{name: "maker", as: asAdmin, path: fmt.Sprintf("/admin/users/%d/role", e.users[asMemberA].ID), form: v("role", "maker"), status: 422, field: fmt.Sprintf("role-%d", e.users[asMemberA].ID)}},
		"pageSignupPost":        {{name: "short_password", as: asAnon, path: "/signup", form: v("email", "bad-form@portal.example", "password", "too short"), status: 422, field: "password"}},
		"pageSignupConfirmPost": {{name: "unknown_token", as: asAnon, path: "/signup/confirm", form: v("token", "nope"), status: 422, field: "token"}},
		"pageSettingsPost":      {{name: "not_a_box", as: asAdmin, path: "/admin/settings", form: v("signup_open", "maybe"), status: 422, field: "signup_open"}},
		"pageUserCreate": {
			{name: "bad_email", as: asAdmin, path: "/admin/users", form: v("email", "nope", "password", "long enough password"), status: 422, field: "email"},
			{name: "short_password", as: asAdmin, path: "/admin/users", form: v("email", "x@portal.example", "password", "short"), status: 422, field: "password"},
		},
		"pageReject":       {{name: "no_reason", as: asAdmin, path: fmt.Sprintf("/analyst/pending/%d/reject", waiting), form: v("reason", "  "), status: 422, field: fmt.Sprintf("reason-%d", waiting)}},
		"pageReapply":      {{name: "no_note", as: asMemberA, path: org + "/reapply", form: v("note", ""), status: 422, field: "note"}},
		"pageAssetConfirm": {{name: "no_how", as: asAdmin, path: fmt.Sprintf("/analyst/orgs/%d/assets/%d/confirm", own.Org, own.Asset), form: v("how", ""), status: 422, field: fmt.Sprintf("how-%d", own.Asset)}},
		"pageAssetAdd":     {{name: "bad_cidr", as: asMemberA, path: org + "/assets", form: v("value", "192.0.2.300/24", "kind", "cidr"), status: 422, field: "value"}},
		"pageAssetVerify":  {{name: "not_proven", as: asMemberB, path: fmt.Sprintf("/orgs/%d/assets/%d/verify", other.Org, other.Asset), status: 422, field: fmt.Sprintf("asset-%d", other.Asset)}},
		"pageContactAdd":   {{name: "bad_email", as: asMemberA, path: org + "/contacts", form: v("contact_email", "a@@b"), status: 422, field: "contact_email"}},
		"pageContactEdit": {{name: "bad_email", as: asMemberA, path: fmt.Sprintf("%s/contacts/%d/edit", org, own.Contact), form: v("contact_email", "a@@b"), status: 422, field: fmt.Sprintf("contact-%d-email", own.Contact)},
			{name: "taken", as: asMemberA, path: fmt.Sprintf("%s/contacts/%d/edit", org, own.Contact), form: v("contact_email", noc.Email), status: 409, field: fmt.Sprintf("contact-%d-email", own.Contact)}},
		"pageInvite": {{name: "bad_email", as: asMemberA, path: org + "/invitations", form: v("invite_email", "nope"), status: 422, field: "invite_email"}},
		"pageRegisterPost": {
			{name: "no_asset", as: asMemberA, path: "/register", form: v("name", "Nieuw BV"), status: 422, field: "asset"},
			{name: "host_bits", as: asMemberA, path: "/register", form: v("name", "Nieuw BV", "asset", "192.0.2.1/24"), status: 422, field: "asset"},
			{name: "name_link", as: asMemberA, path: "/register", form: v("name", "Rabobank https://rabo-login.example/", "asset", "nieuw.example"), status: 422, field: "name"},
			{name: "name_domain", as: asMemberA, path: "/register", form: v("name", "Rabobank-verificatie.nl", "asset", "nieuw.example"), status: 422, field: "name"},
			{name: "name_bidi", as: asMemberA, path: "/register", form: v("name", "Drinkwater \u202eOost", "asset", "nieuw.example"), status: 422, field: "name"},
			{name: "name_markup", as: asMemberA, path: "/register", form: v("name", "<b>Nieuw</b> BV", "asset", "nieuw.example"), status: 422, field: "name"},
		},
		"pageLabelVerifyPost": {{name: "unknown_id", as: asAnon, path: "/labels/verify", form: v("id", "VL-0000-0000-0000"), status: 422, field: "id"}},
		"verifyPageLookup":    {{name: "unknown_ticket", as: asAnon, path: "/verify", form: v("ticket", "VGL-0000-0000"), status: 404, field: "ticket"}},
		"pageSecurityTxtPost": {{name: "no_target", as: asAnon, path: "/tools/securitytxt", form: v("target", ""), status: 422, field: "target"}},
		"pageFindingDispute":  {{name: "bad_reason", as: asMemberA, path: fmt.Sprintf("%s/findings/%d/dispute", org, undisputed), form: v("reason", "bored"), status: 422, field: "reason"}},
		"pageDisputeDecide":   {{name: "forged_decision", as: asAdmin, path: fmt.Sprintf("/analyst/disputes/%d", own.Dispute), form: v("decision", "maybe", "reason", "x"), status: 422, forged: "decision"}},
		"pageDeviceAdd": {
			{name: "no_vendor", as: asMemberA, path: org + "/devices", form: v("model", "M3106"), status: 422, field: "vendor"},
			{name: "bad_cpe", as: asMemberA, path: org + "/devices", form: v("vendor", "Axis", "model", "M3106", "cpe", "cpe:/h:axis"), status: 422, field: "cpe"},
		},
		"pageDeviceSBOM": {{name: "not_an_sbom", as: asMemberA, path: fmt.Sprintf("%s/devices/%d/sbom", org, own.Device),
			upload: &badUpload{"sbom", "sbom.json", "application/json", `{"hello":"world"}`}, status: 422, field: "sbom"}},
		"pageAssessmentStart": {
			{name: "no_device", as: asMemberA, path: org + "/assessments", form: v("device_id", ""), status: 422, field: "device_id"},
			{name: "other_orgs_device", as: asMemberA, path: org + "/assessments", form: v("device_id", fmt.Sprint(other.Device)), status: 422, field: "device_id"},
		},
		"pageAssessmentAnswers": {{name: "bad_status", as: asMemberA, path: fmt.Sprintf("%s/assessments/%d/answers", org, own.Assessment), form: v("s-5.1-1", "mostly"), status: 422, field: "s-5.1-1"}},
		"pageEvidenceAdd": {{name: "no_file", as: asMemberA, path: fmt.Sprintf("%s/assessments/%d/evidence", org, own.Assessment),
			upload: &badUpload{"other", "x.txt", "text/plain", "x"}, status: 422, field: "file"}},
		"pageReview":      {{name: "forged_decision", as: asAdmin, path: fmt.Sprintf("/analyst/assessments/%d/review", own.Assessment), form: v("decision", "maybe"), status: 422, forged: "decision"}},
		"pageLabelRevoke": {{name: "not_confirmed", as: asAdmin, path: fmt.Sprintf("/analyst/assessments/%d/revoke", labelled), form: v("reason", "withdrawn"), status: 422, field: "confirm"}},
		"pageOutboxResolve": {
			{name: "forged_outcome", as: asAdmin, path: fmt.Sprintf("/analyst/outbox/%d/resolve", own.Outbox), form: v("outcome", "lost"), status: 422, forged: "outcome"},
			{name: "no_outcome", as: asAdmin, path: fmt.Sprintf("/analyst/outbox/%d/resolve", own.Outbox), form: v(), status: 422, forged: "outcome"},
		},
		"pageCallRecord": {
			{name: "bad_outcome", as: asAnalyst, path: fmt.Sprintf("/analyst/calls/%d/outcome", own.Call), form: v("outcome", "busy"), status: 422, field: fmt.Sprintf("outcome-%d", own.Call)},
			{name: "long_note", as: asAnalyst, path: fmt.Sprintf("/analyst/calls/%d/outcome", own.Call), form: url.Values{"outcome": {"reached"}, "note": {strings.Repeat("x", 2001)}}, status: 422, field: fmt.Sprintf("note-%d", own.Call)},
		},
		"pageIngest": {{name: "bad_type", as: asAdmin, path: "/analyst/runs", upload: &badUpload{"file", sampleFeed, "", "x"}, form: v("type", "csv"), status: 422, field: "type"}},
		"pageTokenCreate": {
			{name: "no_name", as: asAdmin, path: "/admin/tokens", form: v("scopes", "admin"), status: 422, field: "name"},
			{name: "maker_not_a_box", as: asAdmin, path: "/admin/tokens", form: v("name", "lab", "org_id", fmt.Sprint(own.Org), "scopes", "read", "maker", "maybe"), status: 422, field: "maker"},
			{name: "maker_operator_token", as: asAdmin, path: "/admin/tokens", form: v("name", "lab", "scopes", "admin", "maker", "on"), status: 422, field: "maker"},
			{name: "expiry_not_a_number", as: asAdmin, path: "/admin/tokens", form: v("name", "ci", "scopes", "read", "expires_days", "soon"), status: 422, field: "expires_days"},
			{name: "expiry_too_long", as: asAdmin, path: "/admin/tokens", form: v("name", "ci", "scopes", "read", "expires_days", "9999"), status: 422, field: "expires_days"},
			{name: "operator_write", as: asAdmin, path: "/admin/tokens", form: v("name", "ci", "scopes", "write"), status: 422, field: "scopes"},
			{name: "organisation_operate", as: asAdmin, path: "/admin/tokens", form: v("name", "ci", "org_id", fmt.Sprint(own.Org), "scopes", "operate"), status: 422, field: "scopes"},
		},
		"pagePolicySave": {{name: "webhook_without_url", as: asMemberA, path: org + "/policy", form: v("mode", "daily", "min_severity", "high", "channels", "webhook"), status: 422, field: "webhook_url"},
			{name: "no_channel", as: asMemberA, path: org + "/policy", form: v("mode", "daily", "min_severity", "high"), status: 422, field: "channels"}},
		"pageProductAdd":  {{name: "no_vendor", as: asMakerA, path: org + "/products", form: v("model", "M3200"), status: 422, field: "vendor"}},
		"pageProductSave": {{name: "no_model", as: asMakerA, path: fmt.Sprintf("%s/products/%d", org, own.Device), form: v("vendor", "Axis"), status: 422, field: "model"}},
		"pageSourceAdd":   {{name: "bad_kind", as: asAdmin, path: "/analyst/sources", form: v("name", "x", "kind", "maildir", "url", "https://kev.example/k.json"), status: 422, field: "kind"}},
		// The refusal shows again what would be erased: that look at a
		// person's data is audited as the export is.
		"pagePrivacyErase": {{name: "not_confirmed", as: asAdmin, path: "/admin/privacy/erase", form: v("contact", "memberA@portal.example", "confirm", "someone@else.example"), status: 422, field: "confirm", touches: []string{"audit_log"}}},
	}
}

// TestPageFormsRefuseBadInput is generated from the route table: every
// page form with fields has refused inputs here (else it is listed in
// formsWithoutFields with the reason), and each refusal answers the form
// again with a visible message (an alert linking to the field, the field's
// own error) and writes nothing: every table of the database is the same
// before and after, save what a refusal is meant to record.
func TestPageFormsRefuseBadInput(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		seedNotices(t, e.env)
		state := storetest.DBState(t, st)
		cases := e.badForms(t, e.idsOf(e.orgs[0]), e.idsOf(e.orgs[1]))
		n := 0
		for _, rt := range e.srv.Routes() {
			if !rt.IsPage() || rt.Method != http.MethodPost {
				continue
			}
			bad, ok := cases[rt.ID]
			_, exempt := formsWithoutFields[rt.ID]
			switch {
			case ok && exempt:
				t.Errorf("page form %s (%s) has bad-input cases and is listed as having no fields", rt.Pattern(), rt.ID)
			case !ok && !exempt:
				t.Errorf("page form %s (%s) has no bad-input case in badForms (nor a reason in formsWithoutFields)", rt.Pattern(), rt.ID)
			}
			for _, bf := range bad {
				n++
				t.Run(rt.ID+"/"+bf.name, func(t *testing.T) {
					if !rt.OrgScoped() && !strings.HasPrefix(bf.path, strings.SplitN(strings.TrimPrefix(rt.Path, "/"), "/", 2)[0]) && !strings.HasPrefix(bf.path, "/"+strings.SplitN(strings.TrimPrefix(rt.Path, "/"), "/", 2)[0]) {
						t.Fatalf("case path %s is not the route's %s", bf.path, rt.Path)
					}
					before := state(t)
					send := func(lang string) string {
						resetLimits(e.srv)
						e.lang = lang
						defer func() { e.lang = "" }()
						var rec *httptest.ResponseRecorder
						if bf.upload != nil {
							fields := map[string]string{}
							for k := range bf.form {
								fields[k] = bf.form.Get(k)
							}
							rec = e.uploadField(bf.as, bf.path, fields, bf.upload)
						} else {
							rec = e.page(preq{method: http.MethodPost, path: bf.path, as: bf.as, form: bf.form})
						}
						if got := rec.Header().Get("Content-Language"); got != lang {
							t.Errorf("Content-Language %q; want %q", got, lang)
						}
						return wantPage(t, rec, bf.status)
					}
					body := send("en")
					if bf.forged != "" {
						if !strings.Contains(body, bf.forged) {
							t.Errorf("the error page does not name %s:\n%.3000s", bf.forged, body)
						}
					} else if !strings.Contains(body, `role="alert"`) || !strings.Contains(body, `href="#`+bf.field+`"`) || !strings.Contains(body, `id="`+bf.field+`-err"`) {
						t.Errorf("the page does not name field %s visibly:\n%.3000s", bf.field, body)
					}
					// The same refusal in Dutch: the message is the Dutch
					// one, and the summary names the field by its label.
					nl := send("nl")
					if bf.forged != "" {
						if en, got := errorDetail(t, body), errorDetail(t, nl); en == got {
							t.Errorf("the Dutch error page shows the English message %q", got)
						}
					} else {
						en, got := fieldMessage(t, body, bf.field), fieldMessage(t, nl, bf.field)
						if got == "" || got == en {
							t.Errorf("field %s: the Dutch page shows %q; want a Dutch message (English: %q)", bf.field, got, en)
						}
						for lang, page := range map[string]string{"en": body, "nl": nl} {
							if l := summaryLabel(t, page, bf.field); l == "" || l == bf.field {
								t.Errorf("%s: the summary names field %s as %q; want its label:\n%.3000s", lang, bf.field, l, page)
							}
						}
					}
					if diff := cmp.Diff(map[string]storetest.Change{}, storetest.Changes(before, state(t), append([]string{"sessions"}, bf.touches...)...)); diff != "" {
						t.Errorf("a refused form wrote (-want +got):\n%s", diff)
					}
				})
			}
		}
		if n < 30 {
			t.Errorf("only %d bad-input cases", n)
		}
	})
}

// uploadField posts a multipart form with the session's CSRF token, fields
// and the file of u in its form field.
func (e *pageEnv) uploadField(as, path string, fields map[string]string, u *badUpload) *httptest.ResponseRecorder {
	if u.field == "file" {
		return e.upload(as, path, fields, u.name, u.ctype, []byte(u.content))
	}
	if len(fields) == 0 {
		return e.uploadAs(as, path, u.field, u.name, u.ctype, []byte(u.content))
	}
	panic("uploadField: fields with a file outside the field file")
}

// parseHTML parses a page for the checks below.
func parseHTML(t *testing.T, body string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// fieldMessage returns the text of the field's own message (the element
// with id field-err).
func fieldMessage(t *testing.T, body, field string) string {
	t.Helper()
	n := findNode(parseHTML(t, body), func(n *html.Node) bool { return attr(n, "id") == field+"-err" })
	if n == nil {
		return ""
	}
	return clean(allText(n))
}

// summaryLabel returns the text of the summary's link to the field.
func summaryLabel(t *testing.T, body, field string) string {
	t.Helper()
	sum := findNode(parseHTML(t, body), func(n *html.Node) bool { return attr(n, "class") == "error-summary" })
	if sum == nil {
		return ""
	}
	a := findNode(sum, func(n *html.Node) bool { return attr(n, "href") == "#"+field })
	if a == nil {
		return ""
	}
	return clean(allText(a))
}

// errorDetail returns the first paragraph of an error page's main part.
func errorDetail(t *testing.T, body string) string {
	t.Helper()
	m := findNode(parseHTML(t, body), func(n *html.Node) bool { return attr(n, "id") == "main" })
	if m == nil {
		return ""
	}
	p := findNode(m, func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == "p" })
	if p == nil {
		return ""
	}
	return clean(allText(p))
}

func allText(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(allText(c))
	}
	return b.String()
}

// resetLimits empties the server's per-client buckets, so that a form sent
// once per language is not refused for its rate.
func resetLimits(srv *Server) {
	for _, l := range srv.limiters {
		l.reset()
	}
}
