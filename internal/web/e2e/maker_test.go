// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"vigil/internal/account"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestOperationsJourneys: a maker registers and edits a product and
// assesses it, with an evidence file downloaded back; an analyst registers
// a scheduled source with write-only credentials, pauses, resumes and runs
// it; an administrator looks up a contact's personal data, downloads it
// and erases it after confirming; in English and Dutch, with refused input
// named on its field; an analyst follows a running ingest run's progress
// live on its page.
func TestOperationsJourneys(t *testing.T) {
	chromiumPath(t)
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		p := startPortal(t, st)
		shot := func(name string) string {
			if st.Dialect() == store.SQLite {
				return name
			}
			return ""
		}
		t.Run("maker products", func(t *testing.T) { productJourney(t, p, shot) })
		t.Run("analyst sources", func(t *testing.T) { sourceJourney(t, p, shot) })
		t.Run("admin privacy", func(t *testing.T) { privacyJourney(t, p, shot) })
		t.Run("analyst run progress", func(t *testing.T) { runProgressJourney(t, p, shot) })
		t.Run("analyst reject", func(t *testing.T) { rejectJourney(t, p, shot) })
	})
}

// productJourney: a maker of the demo member's organisation registers a
// product (first with a malformed CPE: refused on the field, nothing
// stored), records a new firmware version, starts its assessment from the
// product page, uploads an evidence file and downloads it (an attachment,
// nosniff); the product pages in Dutch.
func productJourney(t *testing.T, p *portal, shot func(string) string) {
	ctx := context.Background()
	const email, password = "maker@vigil.demo", "a long maker password"
	svc := account.Service{Store: p.st, Now: p.st.Now, Issuer: "vigil"}
	if _, err := svc.Create(ctx, account.NewUser{Email: email, Password: password,
		Orgs: []account.Membership{{OrgID: p.orgID, Role: account.RoleMaker}}}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, p.base)
	b.open("/login", "")
	b.submit(map[string]string{"#email": email, "#password": password}, `main form button[type="submit"]`, "")
	b.wantPath("/")
	b.open(fmt.Sprintf("/orgs/%d", p.orgID), "")
	b.clickAndLoad("products link", fmt.Sprintf(`nav a[href="/orgs/%d/products"]`, p.orgID))
	b.check(shot("maker-products"))
	rows := strings.Count(b.text("main"), "\n")
	b.submit(map[string]string{"#vendor": "Vigil Devices", "#model": "Sensor 2", "#firmware": "1.0", "#cpe": "cpe:/h:vigil:sensor_2"},
		`#product-form button[type="submit"]`, shot("maker-products-error"))
	if !b.has(`#cpe[aria-invalid="true"]`) || !b.has(`[role="alert"] a[href="#cpe"]`) {
		t.Error("a malformed CPE is not refused on its field")
	}
	if strings.Contains(b.text("main"), "Sensor 2</a>") || b.has(`#product-list a[href$="/products/0"]`) {
		t.Error("a refused product is listed")
	}
	b.submit(map[string]string{"#vendor": "Vigil Devices", "#model": "Sensor 2", "#firmware": "1.0", "#cpe": "cpe:2.3:h:vigil:sensor_2:-:*:*:*:*:*:*:*"},
		`#product-form button[type="submit"]`, "")
	b.wantPath(fmt.Sprintf(`/orgs/%d/products/\d+\?msg=products.added`, p.orgID))
	product := strings.SplitN(b.path(), "?", 2)[0]
	b.submit(map[string]string{"#firmware": "1.1"}, `#product-form button[type="submit"]`, "")
	b.wantPath(product + `\?msg=product.saved`)
	b.check(shot("maker-product"))
	if got := b.text("#product-h"); got != "Vigil Devices Sensor 2 1.1" {
		t.Errorf("product heading = %q", got)
	}
	b.clickAndLoad("assess the product", `#assess-form button[type="submit"]`)
	b.wantPath(fmt.Sprintf(`/orgs/%d/assessments/\d+\?msg=assessment.started`, p.orgID))
	assessment := strings.SplitN(b.path(), "?", 2)[0]
	if got := b.text("#a-h"); !strings.Contains(got, "Vigil Devices Sensor 2 1.1") {
		t.Errorf("the assessment is not of the product: %q", got)
	}
	abs, err := filepath.Abs(filepath.Join("testdata", "pentest-report.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	b.run("choose the report", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{abs}))
	b.clickAndLoad("upload the report", `#evidence-form button[type="submit"]`)
	b.check(shot("maker-evidence"))
	link := fmt.Sprintf(`#evidence-list a[download][href^="%s/evidence/"]`, assessment)
	if !b.has(link) {
		t.Fatal("the evidence file has no download link")
	}
	// Download it as the page's link does: an attachment of the stored
	// type that the browser must not sniff.
	js := fmt.Sprintf(`fetch(document.querySelector(%q).href).then(async r => JSON.stringify({status: r.status,
		type: r.headers.get("Content-Type"), disposition: r.headers.get("Content-Disposition"),
		nosniff: r.headers.get("X-Content-Type-Options"), size: (await r.arrayBuffer()).byteLength}))`, link)
	var got struct {
		Status      int    `json:"status"`
		Type        string `json:"type"`
		Disposition string `json:"disposition"`
		Nosniff     string `json:"nosniff"`
		Size        int    `json:"size"`
	}
	if err := json.Unmarshal([]byte(get(b, "download the evidence", chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))), &got); err != nil {
		t.Fatal(err)
	}
	if got.Status != 200 || got.Type != "application/pdf" || !strings.HasPrefix(got.Disposition, "attachment;") ||
		!strings.Contains(got.Disposition, "pentest-report.pdf") || got.Nosniff != "nosniff" || got.Size == 0 {
		t.Errorf("evidence download = %+v", got)
	}

	b.setLang("nl")
	b.open(fmt.Sprintf("/orgs/%d/products", p.orgID), shot("maker-products-nl"))
	if got := b.text("h1"); got != "Producten" {
		t.Errorf("Dutch products h1 = %q", got)
	}
	if n := strings.Count(b.text("main"), "\n"); n <= rows {
		t.Errorf("the product list did not grow (%d lines, %d before)", n, rows)
	}
	b.open(product, "")
	b.submit(map[string]string{"#model": " "}, `#product-form button[type="submit"]`, shot("maker-product-error-nl"))
	if !b.has(`#model[aria-invalid="true"]`) || !b.has(`[role="alert"] a[href="#model"]`) {
		t.Error("an empty model is not refused on its field")
	}
	b.open(assessment, shot("maker-assessment-nl"))
}

// sourceJourney: an analyst opens the sources from the dashboard, registers
// a Shadowserver source (first with a schedule that is not a duration:
// refused on the field, the credentials typed not sent back), sees it with
// its credentials stored but not shown, pauses, resumes and runs it; the
// page in Dutch.
func sourceJourney(t *testing.T, p *portal, shot func(string) string) {
	const key, secret = "e2e-key-7d1f", "e2e-secret-c0ffee"
	b := newBrowser(t, p.base)
	p.signIn(b, "analyst", "")
	b.open("/analyst", "")
	b.clickAndLoad("sources link", `main a[href="/analyst/sources"]`)
	b.check(shot("sources"))
	form := map[string]string{"#name": "shadowserver-daily", "#kind": "shadowserver", "#url": "https://transform.shadowserver.example/api2/",
		"#every": "daily", "#expect": "24h", "#key": key, "#secret": secret}
	b.submit(form, `#source-form button[type="submit"]`, shot("sources-error"))
	if !b.has(`#every[aria-invalid="true"]`) || !b.has(`[role="alert"] a[href="#every"]`) {
		t.Error("a schedule that is not a duration is not refused on its field")
	}
	if v := get(b, "key field", chromedp.Value(chromedp.CSS("#key"))); v != "" {
		t.Errorf("the refused form sends the key back: %q", v)
	}
	if b.has("#source-shadowserver-daily") {
		t.Error("a refused source is listed")
	}
	form["#every"] = "6h"
	b.submit(form, `#source-form button[type="submit"]`, "")
	b.wantPath(`/analyst/sources\?msg=sources.added#source-shadowserver-daily`)
	row := b.text("#source-shadowserver-daily")
	if !strings.Contains(row, "credentials stored (not shown)") || strings.Contains(row, key) || strings.Contains(b.text("main"), secret) {
		t.Errorf("the new source's row = %q", row)
	}
	b.clickAndLoad("pause", `#source-shadowserver-daily button[aria-label="Pause source shadowserver-daily"]`)
	b.wantPath(`/analyst/sources\?msg=sources.paused#source-shadowserver-daily`)
	if !strings.Contains(b.text("#source-shadowserver-daily"), "paused") || b.has(`#source-shadowserver-daily form[action$="/run"]`) {
		t.Errorf("the paused source's row = %q", b.text("#source-shadowserver-daily"))
	}
	b.clickAndLoad("resume", `#source-shadowserver-daily button[aria-label="Resume source shadowserver-daily"]`)
	b.clickAndLoad("run now", `#source-shadowserver-daily button[aria-label="Run now: source shadowserver-daily"]`)
	b.wantPath(`/analyst/sources\?msg=sources.queued#source-shadowserver-daily`)
	b.check(shot("sources-queued"))
	b.setLang("nl")
	b.check(shot("sources-nl"))
	if got := b.text("h1"); got != "Bronnen" {
		t.Errorf("Dutch sources h1 = %q", got)
	}
}

// privacyJourney: an administrator looks up a contact of the demo
// organisation, downloads the export (a JSON attachment), is refused an
// erasure confirmed with another address (named on the field), then
// erases it; the page in Dutch.
func privacyJourney(t *testing.T, p *portal, shot func(string) string) {
	cs, err := p.st.ContactList(context.Background(), tenant.Org(p.orgID))
	if err != nil {
		t.Fatal(err)
	}
	addr := ""
	for _, c := range cs {
		login := false
		for _, l := range p.logins {
			login = login || strings.EqualFold(l.Email, c.Email)
		}
		if c.Email != "" && !login {
			addr = c.Email
			break
		}
	}
	if addr == "" {
		t.Fatalf("the demo organisation has no contact address to erase: %+v", cs)
	}
	b := newBrowser(t, p.base)
	p.signIn(b, "admin", "")
	b.run("open the administration menu", chromedp.Click(chromedp.CSS(`header details.dropdown summary`)))
	b.clickAndLoad("privacy link", `nav a[href="/admin/privacy"]`)
	b.check("")
	b.submit(map[string]string{"#contact": addr}, `#lookup-form button[type="submit"]`, shot("privacy"))
	if got := b.text("#held"); !strings.Contains(got, "Contact of organisations") {
		t.Errorf("what is held about %s: %q", addr, got)
	}
	js := `fetch(document.querySelector("#export-link").href).then(async r => JSON.stringify({status: r.status,
		type: r.headers.get("Content-Type"), disposition: r.headers.get("Content-Disposition"), body: await r.text()}))`
	var got struct {
		Status      int    `json:"status"`
		Type        string `json:"type"`
		Disposition string `json:"disposition"`
		Body        string `json:"body"`
	}
	if err := json.Unmarshal([]byte(get(b, "download the export", chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))), &got); err != nil {
		t.Fatal(err)
	}
	if got.Status != 200 || got.Type != "application/json" || !strings.HasPrefix(got.Disposition, "attachment;") || !strings.Contains(got.Body, `"email": "`+strings.ToLower(addr)+`"`) {
		t.Errorf("export download = %+v", got)
	}
	b.submit(map[string]string{"#confirm": "someone@else.example"}, `#erase-form button[type="submit"]`, shot("privacy-error"))
	if !b.has(`#confirm[aria-invalid="true"]`) || !b.has(`[role="alert"] a[href="#confirm"]`) {
		t.Error("a wrong confirmation is not refused on its field")
	}
	b.submit(map[string]string{"#confirm": addr}, `#erase-form button[type="submit"]`, shot("privacy-erased"))
	if got := b.text("#erased"); !strings.Contains(got, "@erased.invalid") {
		t.Errorf("the erasure's result: %q", got)
	}
	b.open("/admin/privacy", "")
	b.setLang("nl")
	b.submit(map[string]string{"#contact": addr}, `#lookup-form button[type="submit"]`, shot("privacy-nl"))
	if got := b.text("h1"); got != "Persoonsgegevens" {
		t.Errorf("Dutch privacy h1 = %q", got)
	}
	if got := b.text("#held"); strings.Contains(got, "Contactpersoon van organisaties\n1") {
		t.Errorf("the erased contact is still held: %q", got)
	}
}
