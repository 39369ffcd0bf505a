// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"vigil/internal/account"
	"vigil/internal/netguard"
	"vigil/internal/rating"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
	"vigil/internal/web"
	"vigil/internal/web/labels"
)

// TestPublicJourneys: a visitor searches the label registry, opens a
// label, verifies it from its row, and checks a vendor's security.txt
// (served on loopback, which only this test lets the guarded client reach);
// in English and in Dutch, with refused input named on its field.
func TestPublicJourneys(t *testing.T) {
	chromiumPath(t)
	site := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		switch r.URL.Path {
		case "/.well-known/security.txt":
			fmt.Fprint(w, "Contact: mailto:security@vendor.test\nExpires: 2099-06-30T00:00:00Z\nPreferred-Languages: en, nl\n")
		case "/bad/security.txt":
			fmt.Fprint(w, "Hiring: https://vendor.test/jobs\n")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(site.Close)
	fetch := netguard.New(netguard.Options{AllowPrivate: true, Transport: site.Client().Transport.(*http.Transport)})
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		p := startPortal(t, st, func(c *web.Config) {
			c.Fetch = fetch
			// The label pages, as `vigil serve` mounts them.
			for _, r := range labels.New(c.Labels.(*rating.Service), nil).Routes() {
				c.Public = append(c.Public, web.PublicRoute{Method: r.Method, Path: r.Path, Summary: r.Summary, Tag: "labels", ContentType: r.ContentType, Handler: r.Handler})
			}
		})
		shot := func(name string) string {
			if st.Dialect() == store.SQLite {
				return name
			}
			return ""
		}
		_, l, err := p.labels.Signed(context.Background(), p.label)
		if err != nil {
			t.Fatal(err)
		}
		vendor := l.Device.Vendor
		b := newBrowser(t, p.base)

		b.open("/", "")
		b.clickAndLoad("registry link", `a[href="/labels"]`)
		b.check(shot("labels"))
		if !b.has(fmt.Sprintf(`#label-results a[href="/labels/%s"]`, p.label)) {
			t.Errorf("the registry does not list the demo label %s", p.label)
		}
		// Search by part of the vendor's name in another case, and a grade.
		part := strings.ToLower(vendor[:min(4, len(vendor))])
		b.submit(map[string]string{"#vendor": part}, `form[role="search"] button[type="submit"]`, shot("labels-search"))
		b.wantPath(`/labels\?vendor=` + part + `.*`)
		if got := b.text("#label-results tbody"); !strings.Contains(got, vendor) {
			t.Errorf("searching %q does not list %s: %q", part, vendor, got)
		}
		b.open("/labels", "")
		b.submit(map[string]string{"#grade": "G"}, `form[role="search"] button[type="submit"]`, "")
		if b.has(fmt.Sprintf(`a[href="/labels/%s"]`, p.label)) && l.Grade.String() != "G" {
			t.Errorf("grade G lists the demo label of grade %s", l.Grade)
		}
		// Open the label's page, then verify it from its row.
		b.open("/labels?vendor="+part, "")
		b.clickAndLoad("open the label", fmt.Sprintf(`#label-results a[href="/labels/%s"]`, p.label))
		b.check(shot("label-page"))
		b.wantPath("/labels/" + p.label)
		b.open("/labels?vendor="+part, "")
		b.clickAndLoad("verify the label", fmt.Sprintf(`#label-results a[href="/labels/verify?id=%s"]`, p.label))
		b.check(shot("labels-verified"))
		if got := b.text("#result-h"); !strings.Contains(got, "is valid") {
			t.Errorf("verifying %s from the registry: %q", p.label, got)
		}

		// The security.txt checker: a valid file, an invalid one, and an
		// empty field.
		b.open("/tools/securitytxt", "")
		b.submit(map[string]string{"#target": site.URL}, `main form button[type="submit"]`, shot("securitytxt-valid"))
		if got := b.text("#sectxt-h"); !strings.Contains(got, "valid") || strings.Contains(got, "not valid") {
			t.Errorf("a valid security.txt: %q", got)
		}
		b.submit(map[string]string{"#target": site.URL + "/bad/security.txt"}, `main form button[type="submit"]`, shot("securitytxt-invalid"))
		if got := b.text("main"); !strings.Contains(got, "not valid") || !strings.Contains(got, "no_contact") {
			t.Errorf("an invalid security.txt: %q", got)
		}

		// In Dutch: the registry, a refused search, the checker refusing an
		// address the guard does not allow.
		b.setLang("nl")
		b.open("/labels", shot("labels-nl"))
		if got := b.text("h1"); got != "Labelregister" {
			t.Errorf("Dutch registry h1 = %q", got)
		}
		b.open("/labels?grade=Z", shot("labels-error-nl"))
		if !b.has(`#grade[aria-invalid="true"]`) || !b.has(`[role="alert"] a[href="#grade"]`) {
			t.Error("a bad grade is not named on its field")
		}
		b.open("/tools/securitytxt", "")
		b.submit(map[string]string{"#target": "ftp://vendor.test/x"}, `main form button[type="submit"]`, shot("securitytxt-error-nl"))
		if !b.has(`#target[aria-invalid="true"]`) || !b.has(`[role="alert"] a[href="#target"]`) {
			t.Error("a bad target is not named on its field")
		}
		b.submit(map[string]string{"#target": site.URL}, `main form button[type="submit"]`, "")
		if got := b.text("#sectxt-h"); !strings.Contains(got, "geldig") {
			t.Errorf("Dutch checker result: %q", got)
		}

		t.Run("lab", func(t *testing.T) { labJourney(t, p, shot) })
		t.Run("admin tokens", func(t *testing.T) { tokenJourney(t, p, shot) })
		t.Run("member policy", func(t *testing.T) { policyJourney(t, p, shot) })
	})
}

// labJourney: a test lab's account acts for the demo member's organisation
// and for the organisation of a demo label, chosen in the path of every
// page: it sees the label with its downloads and embed snippet, uploads
// evidence files to an assessment (a refused type named on the field, then
// a PDF), in English and Dutch, and another organisation stays unknown.
func labJourney(t *testing.T, p *portal, shot func(string) string) {
	ctx := context.Background()
	rec, err := p.st.LabelGet(ctx, tenant.Public(), p.label)
	if err != nil || rec.OrgID == 0 {
		t.Fatalf("demo label %s: %+v %v", p.label, rec, err)
	}
	maker, member := rec.OrgID, p.orgID
	const email, password = "lab@vigil.demo", "a long lab password"
	svc := account.Service{Store: p.st, Now: p.st.Now, Issuer: "vigil"}
	if _, err := svc.Create(ctx, account.NewUser{Email: email, Password: password,
		Orgs: []account.Membership{{OrgID: maker, Role: account.RoleMaker}, {OrgID: member, Role: account.RoleMaker}}}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, p.base)
	b.open("/login", "")
	b.submit(map[string]string{"#email": email, "#password": password}, `main form button[type="submit"]`, "")
	b.wantPath("/")
	// A maker's membership leads to the organisation's products (its
	// overview, with findings and contacts, is for members).
	for _, o := range []int64{maker, member} {
		if !b.has(fmt.Sprintf(`main a[href="/orgs/%d/products"]`, o)) {
			t.Errorf("the lab's start page does not offer organisation %d", o)
		}
	}
	b.open(fmt.Sprintf("/orgs/%d/labels", maker), shot("lab-labels"))
	if got := get(b, "embed snippet", chromedp.Value(chromedp.CSS(fmt.Sprintf("#embed-%s", p.label)))); !strings.Contains(got, "/labels/"+p.label+".svg") || !strings.HasPrefix(got, "<a href=") {
		t.Errorf("embed snippet = %q", got)
	}
	if !b.has(fmt.Sprintf(`a[download][href$="/labels/%s.pdf"]`, p.label)) {
		t.Error("no PDF download of the label")
	}
	b.open(fmt.Sprintf("/orgs/%d/labels", member), "")

	// Evidence files of a new assessment of the maker's first device.
	b.open(fmt.Sprintf("/orgs/%d/assessments", maker), "")
	b.submit(nil, `form[action$="/assessments"] button[type="submit"]`, "")
	b.wantPath(`/orgs/\d+/assessments/\d+\?msg=assessment.started`)
	upload := func(file string) {
		abs, err := filepath.Abs(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		b.run("choose "+file, chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{abs}))
		b.clickAndLoad("upload "+file, `#evidence-form button[type="submit"]`)
	}
	upload("firmware.bin")
	b.check(shot("lab-evidence-error"))
	if !b.has(`#file[aria-invalid="true"]`) || !b.has(`[role="alert"] a[href="#file"]`) {
		t.Error("a refused evidence file is not named on its field")
	}
	if b.has("#evidence-list") {
		t.Error("a refused evidence file is listed")
	}
	upload("pentest-report.pdf")
	b.check(shot("lab-evidence"))
	if got := b.text("#evidence-list"); !strings.Contains(got, "pentest-report.pdf") || !strings.Contains(got, "application/pdf") {
		t.Errorf("evidence list = %q", got)
	}
	b.setLang("nl")
	b.open(fmt.Sprintf("/orgs/%d/labels", maker), shot("lab-labels-nl"))
	if got := b.text("h1"); got != "Labels" || !strings.Contains(b.text("main"), "Op uw site plaatsen") {
		t.Errorf("Dutch labels page: %q", b.text("main"))
	}
	b.open(strings.SplitN(b.path(), "/labels", 2)[0]+"/assessments", "")
	b.open(fmt.Sprintf("/orgs/%d/labels", max(maker, member)+1000), "")
	if got := b.text("h1"); got != "Er ging iets mis" {
		t.Errorf("an organisation the lab does not act for: %q", got)
	}
}

// tokenJourney: an administrator makes an API token for the demo member's
// organisation (first without a scope: refused on the field), sees its
// secret once, finds its expiry and "not yet" used in the list, and
// revokes it; in English and Dutch.
func tokenJourney(t *testing.T, p *portal, shot func(string) string) {
	b := newBrowser(t, p.base)
	p.signIn(b, "admin", "")
	b.open("/", "")
	b.run("open the administration menu", chromedp.Click(chromedp.CSS(`header details.dropdown summary`)))
	b.clickAndLoad("tokens link", `a[href="/admin/tokens"]`)
	b.check(shot("admin-tokens"))
	b.submit(map[string]string{"#name": "ticketing system", "#org_id": fmt.Sprint(p.orgID)}, `#token-form button[type="submit"]`, shot("admin-tokens-error"))
	if !b.has(`[role="alert"] a[href="#scopes"]`) || !b.has(`#scopes-err`) {
		t.Error("a token without a scope is not refused on its field")
	}
	b.run("choose read", chromedp.Click(chromedp.CSS(`input[name="scopes"][value="read"]`)))
	b.submit(map[string]string{"#name": "ticketing system", "#org_id": fmt.Sprint(p.orgID)}, `#token-form button[type="submit"]`, shot("admin-token-created"))
	secret := get(b, "secret", chromedp.Value(chromedp.CSS("#secret")))
	if !strings.HasPrefix(secret, "vigil_") {
		t.Fatalf("the new token's secret is not shown: %q", secret)
	}
	b.open("/admin/tokens", "")
	if strings.Contains(b.text("main"), secret) {
		t.Error("the secret is shown a second time")
	}
	b.setLang("nl")
	b.open("/admin/tokens", shot("admin-tokens-nl"))
	// The new token's row, by its id (the list holds other tokens too).
	row := get(b, "the new token's row", chromedp.Evaluate[string](
		`([...document.querySelectorAll("#token-list tbody tr")].find(r => r.querySelector("th").textContent.trim() === "ticketing system") || {id: ""}).id`))
	if row == "" {
		t.Fatalf("the new token is not in the list: %q", b.text("#token-list"))
	}
	// Made with the default lifetime (90 days) and not used yet.
	if !b.has("#"+row+" td:nth-of-type(6) time") || b.text("#"+row+" td:nth-of-type(7)") != "nog niet" {
		t.Errorf("the new token's row does not show its expiry and no use: %q", b.text("#"+row))
	}
	active := func() int {
		return get(b, "active tokens", chromedp.Evaluate[int](`document.querySelectorAll("#token-list tbody tr button").length`))
	}
	before := active()
	b.clickAndLoad("revoke", "#"+row+" button")
	b.wantPath(`/admin/tokens\?msg=tokens.revoked`)
	if got := b.text("#" + row + " td:last-child"); !strings.Contains(got, "ingetrokken") || b.has("#"+row+" button") {
		t.Errorf("the revoked token's row is not shown as revoked: %q", got)
	}
	if after := active(); after != before-1 {
		t.Errorf("%d tokens revocable after revoking one; before %d", after, before)
	}
}

// policyJourney: a member asks for webhook warnings without a URL (refused
// on the field), then saves a daily digest of high findings by e-mail; the
// form in Dutch.
func policyJourney(t *testing.T, p *portal, shot func(string) string) {
	b := newBrowser(t, p.base)
	p.signIn(b, "member", "")
	b.open(fmt.Sprintf("/orgs/%d", p.orgID), "")
	b.clickAndLoad("policy link", fmt.Sprintf(`a[href="/orgs/%d/policy"]`, p.orgID))
	b.check(shot("member-policy"))
	b.run("choose the webhook", chromedp.Click(chromedp.CSS("#channel-webhook")))
	b.submit(nil, `#policy-form button[type="submit"]`, shot("member-policy-error"))
	if !b.has(`#webhook_url[aria-invalid="true"]`) || !b.has(`[role="alert"] a[href="#webhook_url"]`) {
		t.Error("webhook warnings without a URL are not refused on the field")
	}
	b.run("e-mail only", chromedp.Click(chromedp.CSS("#channel-webhook")))
	b.submit(map[string]string{"#mode": "daily", "#min_severity": "high"}, `#policy-form button[type="submit"]`, "")
	b.wantPath(fmt.Sprintf(`/orgs/%d/policy\?msg=policy.saved`, p.orgID))
	// Loaded afresh, the form shows what was saved.
	b.open(fmt.Sprintf("/orgs/%d/policy", p.orgID), "")
	saved := get(b, "the saved policy", chromedp.Evaluate[string](
		`[document.querySelector("#mode").value, document.querySelector("#min_severity").value,
		  document.querySelector("#channels").checked, document.querySelector("#channel-webhook").checked].join(" ")`))
	if saved != "daily high true false" {
		t.Errorf("the policy read back as %q (mode, minimum severity, e-mail, webhook); want daily high true false", saved)
	}
	b.setLang("nl")
	b.check(shot("member-policy-nl"))
	if got := b.text("h1"); got != "Meldingsbeleid" {
		t.Errorf("Dutch policy page h1 = %q", got)
	}
}
