// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package e2e drives the portal in Debian's headless chromium: journeys of
// a visitor, an organisation member, an analyst and an administrator on
// SQLite and on PostgreSQL. Every page visited is checked with axe-core
// (no serious or critical violation) and for browser console errors, in
// English and in Dutch.
package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"net/netip"
	"net/textproto"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/demo"
	"vigil/internal/dnstest"
	"vigil/internal/label"
	"vigil/internal/notify/smtpsink"
	"vigil/internal/rating"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/web"
)

// portal is a served portal on the demo data with three accounts.
type portal struct {
	st     *store.Store
	base   string
	logins map[string]demo.Login
	orgID  int64
	dns    *dnstest.Server
	label  string // a demo label's id
	labels *rating.Service
	sink   *smtpsink.Sink // the mail server notify runs deliver to
	app    *app.App       // the portal's application layer (delivers the outbox in journeys)
	// totpUsed is the last second-factor time step used per role: the
	// server refuses a step not greater than the last (a replay), so
	// sign-ins within one 30-second step need the next one.
	totpUsed map[string]int64
}

// startPortal serves the portal; opts adjust its configuration (a
// journey's outbound client).
func startPortal(t *testing.T, st *store.Store, opts ...func(*web.Config)) *portal {
	t.Helper()
	ctx := context.Background()
	if _, err := demo.Load(ctx, st); err != nil {
		t.Fatalf("demo data: %v", err)
	}
	if _, err := demo.LoadVulns(ctx, st); err != nil {
		t.Fatalf("demo advisories: %v", err)
	}
	if _, err := demo.Notify(ctx, st, demo.NotifyOptions{KeyDir: t.TempDir(), BaseURL: "http://127.0.0.1"}); err != nil {
		t.Fatalf("demo warnings: %v", err)
	}
	logins, err := demo.LoadAccounts(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	p := &portal{st: st, logins: map[string]demo.Login{}, totpUsed: map[string]int64{}}
	for _, l := range logins {
		p.logins[l.Role] = l
	}
	c, err := st.UserCredentials(ctx, p.logins["member"].Email)
	if err != nil {
		t.Fatal(err)
	}
	p.orgID = c.User.Memberships[0].OrgID
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	keys := t.TempDir()
	ls, err := demo.LoadLabels(ctx, st, demo.LabelOptions{KeyDir: keys, BaseURL: "http://" + ln.Addr().String(), SkipProbes: true})
	if err != nil || len(ls.Labels) == 0 {
		t.Fatalf("demo labels: %v %+v", err, ls)
	}
	p.label = ls.Labels[0].Label
	ks, err := label.OpenKeyStore(keys, time.Now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.labels, err = rating.New(rating.Config{Store: st, Keys: ks, BaseURL: "http://" + ln.Addr().String(), Logger: logger}); err != nil {
		t.Fatal(err)
	}
	p.dns = dnstest.Start(t)
	// Notify runs from the portal deliver to a mail server on loopback,
	// under an immediate default policy without a daily cap (the demo's
	// warnings used it up), so that a run's findings make a notice at once.
	if p.sink, err = smtpsink.Start(smtpsink.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.sink.Close() })
	ac := config.Defaults()
	ac.BaseURL = "http://" + ln.Addr().String()
	ac.Notify.SMTPURL = fmt.Sprintf("smtp://%s?starttls=none", p.sink.Addr())
	ac.Notify.From, ac.Notify.Sender, ac.Notify.DefaultMode, ac.Notify.ImmediateCap = "cert@vigil-demo.example", "vigil demo CERT", "immediate", 0
	cfg := web.Config{Store: st, App: app.New(st, ac, logger), Logger: logger, Version: "e2e",
		BaseURL: "http://" + ln.Addr().String(), Verifier: &registry.Verifier{Resolver: loopbackResolver(p.dns.Addr())}, Labels: p.labels,
		TrustedProxies: trustedLoopback}
	for _, o := range opts {
		o(&cfg)
	}
	p.app = cfg.App
	srv, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	p.base = "http://" + ln.Addr().String()
	return p
}

// trustedLoopback makes the portal under test read each browser's own
// address from X-Forwarded-For (see nextClientAddr), as it would behind a
// reverse proxy.
var trustedLoopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}

// testWriter sends the server's warnings to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// signIn signs in as the demo account of role, giving the second factor
// when asked.
func (p *portal) signIn(b *browser, role, shot string) {
	b.t.Helper()
	l := p.logins[role]
	b.open("/login", shot)
	b.submit(map[string]string{"#email": l.Email, "#password": l.Password}, `main form button[type="submit"]`, "")
	if strings.HasPrefix(b.path(), "/login/totp") {
		code, err := account.TOTPCode(l.TOTPSecret, p.nextTOTPTime(role))
		if err != nil {
			b.t.Fatal(err)
		}
		b.submit(map[string]string{"#code": code}, `main form button[type="submit"]`, "")
	}
	b.wantPath("/")
}

// nextTOTPTime returns a time whose second-factor code role has not used
// yet: now, or the next 30-second step (accepted as one step of clock
// drift) when now's step was used, after waiting for a new step when that
// one was used too.
func (p *portal) nextTOTPTime(role string) time.Time {
	const period = 30
	now := time.Now()
	step := now.Unix() / period
	if used := p.totpUsed[role]; used > step {
		time.Sleep(time.Until(time.Unix(used*period, 0)) + 100*time.Millisecond)
		now = time.Now()
		step = now.Unix() / period
	}
	if p.totpUsed[role] == step {
		step++
	}
	p.totpUsed[role] = step
	return time.Unix(step*period, 0)
}

// setLang switches the interface language with the form in the header.
func (b *browser) setLang(lang string) {
	b.t.Helper()
	b.run("language "+lang, chromedp.SetValue(chromedp.CSS("#lang-select"), lang))
	b.clickAndLoad("language "+lang, `form.lang button`)
}

func TestPortalJourneys(t *testing.T) {
	chromiumPath(t)
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		p := startPortal(t, st)
		shots := st.Dialect() == store.SQLite // one set of pictures

		shot := func(name string) string {
			if shots {
				return name
			}
			return ""
		}

		var disputed string   // the finding the member disputes, the analyst decides
		var assessment string // the assessment the member submits, the analyst reviews

		t.Run("visitor", func(t *testing.T) {
			b := newBrowser(t, p.base)
			b.open("/", shot("home"))
			if !b.has(`a[href="/login"]`) {
				t.Error("the start page does not invite a visitor to sign in")
			}
			b.setLang("nl")
			b.check(shot("home-nl"))
			if got := b.text("h1"); got != "Welkom" {
				t.Errorf("Dutch start page h1 = %q", got)
			}
			b.open("/login", shot("login-nl"))
			b.submit(map[string]string{"#email": "nobody@vigil.demo", "#password": "not the password"}, `main form button[type="submit"]`, shot("login-failed-nl"))
			if !b.has(`#password[aria-invalid="true"]`) || !b.has(`[role="alert"] a[href="#password"]`) {
				t.Error("a failed sign-in does not name the field")
			}
			b.setLang("en")
			b.open(fmt.Sprintf("/orgs/%d/findings", p.orgID), "")
			b.wantPath(`/login\?next=.*`)

			// Verify a label by its id, then a tampered copy of it.
			b.open("/labels/verify", shot("verify"))
			b.submit(map[string]string{"#id": p.label}, `main form button[type="submit"]`, shot("verify-valid"))
			if got := b.text("#result-h"); !strings.Contains(got, "is valid") {
				t.Errorf("label %s: %q", p.label, got)
			}
			refuseTampered(t, b, p, p.label, shot("verify-tampered"))
		})

		t.Run("member", func(t *testing.T) {
			b := newBrowser(t, p.base)
			p.signIn(b, "member", "")
			b.check(shot("member-home"))
			b.open(fmt.Sprintf("/orgs/%d", p.orgID), shot("member-org"))
			b.open(fmt.Sprintf("/orgs/%d/findings", p.orgID), shot("member-findings"))
			if !b.has("table tbody tr") {
				t.Error("the member's findings page lists no finding")
			}
			b.run("open evidence", chromedp.Click(chromedp.CSS("table tbody tr details summary")))
			b.check(shot("member-finding-evidence"))
			b.submit(map[string]string{"#status": "open"}, `form.filters button[type="submit"]`, "")
			if !strings.Contains(b.path(), "status=open") {
				t.Errorf("filter did not apply: %s", b.path())
			}
			// Download the findings as CSV (what the link fetches).
			csv := get(b, "download CSV", chromedp.Evaluate[string](fmt.Sprintf(
				`fetch("/orgs/%d/findings.csv?status=open").then(r => r.text())`, p.orgID), chromedp.EvalAwaitPromise))
			if !strings.HasPrefix(csv, "id,trigger,type,severity,status,ip,port") || strings.Count(csv, "\n") < 2 {
				t.Errorf("CSV download = %.200q", csv)
			}
			// Open a finding: its evidence is a definition list; dispute it,
			// first without a reason (refused, naming the field).
			b.open(fmt.Sprintf("/orgs/%d/findings", p.orgID), "")
			disputed = get(b, "finding link", chromedp.AttributeValue(chromedp.CSS("table tbody tr th a"), "href")).Value
			b.open(disputed, shot("member-finding"))
			if !b.has("dl.evidence dt") {
				t.Error("the finding's evidence is not a definition list")
			}
			b.submit(map[string]string{"#comment": "patched on Monday"}, `form[action$="/dispute"] button[type="submit"]`, shot("member-dispute-error"))
			if !b.has(`[role="alert"] a[href="#reason"]`) {
				t.Error("a dispute without a reason does not name the field")
			}
			b.run("choose a reason", chromedp.Click(chromedp.CSS(`input[name="reason"][value="fixed"]`)))
			b.submit(map[string]string{"#comment": "patched on Monday"}, `form[action$="/dispute"] button[type="submit"]`, shot("member-disputed"))
			b.wantPath(`/orgs/\d+/findings/\d+\?msg=finding.disputed`)
			if !strings.Contains(b.text("#dispute-list"), "Already fixed") {
				t.Errorf("the dispute is not listed: %q", b.text("#dispute-list"))
			}
			// Add a device, upload its SBOM and see its vulnerabilities.
			b.open(fmt.Sprintf("/orgs/%d/devices", p.orgID), shot("member-devices"))
			b.submit(map[string]string{"#vendor": "Fortinet", "#model": "FortiGate 60F", "#firmware": "7.0.12", "#location": "Gemaal Noord"},
				`form[action$="/devices"] button[type="submit"]`, "")
			b.wantPath(`/orgs/\d+/devices/\d+\?msg=devices.added`)
			sbom, err := filepath.Abs("testdata/firewall.cdx.json")
			if err != nil {
				t.Fatal(err)
			}
			b.run("upload the SBOM", chromedp.SetUploadFiles(chromedp.CSS("#sbom"), []string{sbom}))
			b.clickAndLoad("upload the SBOM", `form[action$="/sbom"] button[type="submit"]`)
			b.check(shot("member-device-sbom"))
			if got := b.text("#sbom-result"); !strings.Contains(got, "cyclonedx") && !strings.Contains(got, "CycloneDX") {
				t.Errorf("SBOM result = %q", got)
			}
			if !strings.Contains(b.text("main"), "CVE-2024-21762") {
				t.Errorf("the device's vulnerabilities do not list CVE-2024-21762: %q", b.text("main"))
			}
			// Assess the firewall: start, submit unanswered (refused), answer
			// every provision and submit.
			device := regexp.MustCompile(`/devices/(\d+)`).FindStringSubmatch(b.path())
			b.open(fmt.Sprintf("/orgs/%d/assessments", p.orgID), "")
			if len(device) == 2 {
				b.run("choose the firewall", chromedp.SetValue(chromedp.CSS("#device_id"), device[1]))
			}
			b.submit(nil, `form[action$="/assessments"] button[type="submit"]`, "")
			b.wantPath(`/orgs/\d+/assessments/\d+\?msg=assessment.started`)
			assessment = strings.SplitN(b.path(), "?", 2)[0]
			b.submit(nil, "#submit-review", shot("member-assessment-error"))
			if !b.has(`[role="alert"]`) || !strings.Contains(b.text(`[role="alert"]`), "unanswered") {
				t.Error("submitting an unanswered questionnaire is not refused visibly")
			}
			if n := get(b, "answer every provision", chromedp.Evaluate[int](
				`(() => { const ss = document.querySelectorAll("select.answer"); ss.forEach(s => { s.value = "met"; }); return ss.length; })()`)); n < 30 {
				t.Errorf("the questionnaire has %d questions", n)
			}
			b.run("support period", chromedp.SetValue(chromedp.CSS("#support_end"), "2031-12-31"))
			b.check(shot("member-assessment"))
			b.submit(nil, "#submit-review", "")
			b.wantPath(`/orgs/\d+/assessments/\d+\?msg=assessment.submitted`)
			if got := b.text("#a-state"); got != "submitted for review" {
				t.Errorf("assessment state %q after submitting", got)
			}
			// Acknowledge a warning, as the signed link in the e-mail would.
			b.open(fmt.Sprintf("/orgs/%d/notices", p.orgID), shot("member-notices"))
			if !b.has("main table form button") {
				t.Fatal("no warning to acknowledge")
			}
			b.submit(nil, "main table form button", shot("member-notice-acked"))
			if !b.has(`[role="status"]`) {
				t.Error("no confirmation after acknowledging")
			}
			// Register a range and prove it by DNS (a TXT record on the
			// loopback DNS server).
			b.open(fmt.Sprintf("/orgs/%d/registry", p.orgID), "")
			b.submit(map[string]string{"#value": "203.0.113.0/24"}, `form[action$="/assets"] button[type="submit"]`, "")
			b.wantPath(fmt.Sprintf(`/orgs/%d/registry\?msg=registry.added`, p.orgID))
			b.clickAndLoad("choose the new range", `button[aria-label="Check 203.0.113.0/24"]`)
			if !b.has(`[role="alert"]`) {
				t.Error("an unproven range is not refused visibly")
			}
			b.check(shot("member-registry-unproven"))
			p.dns.SetTXT("_vigil-verify.113.0.203.in-addr.arpa", []string{b.text("#txt-value")})
			b.clickAndLoad("check again", `button[aria-label="Check 203.0.113.0/24"]`)
			b.wantPath(fmt.Sprintf(`/orgs/%d/registry\?msg=registry.verified`, p.orgID))
			b.check(shot("member-registry"))
			if !strings.Contains(b.text("main table"), "dns") {
				t.Error("the range does not show as proven by DNS")
			}
			// A person of another organisation signs up in the browser,
			// reads the confirmation e-mail from the mail server, confirms
			// (which signs them in) and registers the organisation: it
			// waits until a range is proven by DNS, which approves it.
			const newcomer = "beheer@e2e-registered.example"
			n := newBrowser(t, p.base)
			n.open("/", "")
			n.run("sign-up link", chromedp.Click(chromedp.CSS(`main a[href="/signup"]`)), chromedp.WaitReady(chromedp.CSS("#email")))
			n.check(shot("signup"))
			n.submit(map[string]string{"#email": newcomer, "#name": "Beheer E2E", "#password": "too short"}, `main form button[type="submit"]`, shot("signup-error"))
			if !n.has(`[role="alert"] a[href="#password"]`) || !n.has(`#password[aria-invalid="true"]`) {
				t.Error("a sign-up with a short password does not name the field")
			}
			n.submit(map[string]string{"#email": newcomer, "#name": "Beheer E2E", "#password": "the newcomer's own password"}, `main form button[type="submit"]`, "")
			n.wantPath(`/login\?msg=signup.sent`)
			if !n.has(`[role="status"]`) {
				t.Error("no word that the confirmation link is on its way")
			}
			n.submit(map[string]string{"#email": newcomer, "#password": "the newcomer's own password"}, `main form button[type="submit"]`, "")
			if !strings.Contains(n.text(`[role="alert"]`), "confirm your e-mail address") {
				t.Errorf("an unconfirmed account signs in, or is not told why: %q", n.text("main"))
			}
			link := p.mailedLink(t, newcomer, `/signup/confirm\?token=[A-Za-z0-9_%-]+`)
			n.open(link, shot("signup-confirm"))
			// The link asks for the password of the sign-up that sent it.
			n.submit(map[string]string{"#password": "not the newcomer's password"}, `main form button[type="submit"]`, "")
			if !n.has(`[role="alert"] a[href="#password"]`) || !n.has(`#password[aria-invalid="true"]`) {
				t.Error("a confirmation with another password does not name the field")
			}
			n.submit(map[string]string{"#password": "the newcomer's own password"}, `main form button[type="submit"]`, "")
			n.wantPath(`/register\?msg=signup\.confirmed`)
			n.check(shot("register"))
			n.submit(map[string]string{"#name": "E2E Registered BV", "#asset": "198.51.100.0/24"}, `main form button[type="submit"]`, "")
			n.wantPath(`/orgs/\d+/registry\?msg=register.done`)
			reg := strings.TrimSuffix(strings.SplitN(n.path(), "/registry", 2)[0], "")
			n.open(reg, shot("register-pending"))
			if !n.has("#pending") {
				t.Error("a newly registered organisation is not shown as waiting")
			}
			n.open(reg+"/registry", "")
			p.dns.SetTXT("_vigil-verify.100.51.198.in-addr.arpa", []string{n.text("#txt-value")})
			n.clickAndLoad("prove the range", `button[aria-label="Check 198.51.100.0/24"]`)
			n.wantPath(reg + `/registry\?msg=registry.verified`)
			n.open(reg, "")
			if n.has("#pending") {
				t.Error("the organisation still waits after proving its range")
			}
			// The link worked once.
			n.open(link, "")
			n.submit(map[string]string{"#password": "the newcomer's own password"}, `main form button[type="submit"]`, "")
			if !n.has(`#token-err`) {
				t.Error("a used confirmation link is not refused visibly")
			}
			b.open("/account", shot("member-account"))
			b.setLang("nl")
			b.open(fmt.Sprintf("/orgs/%d/findings", p.orgID), shot("member-findings-nl"))
			b.open("/account", "")
			b.open("/analyst", "")
			if got := b.text("h1"); got != "Er ging iets mis" {
				t.Errorf("a member on the dashboard sees %q", got)
			}
			b.open(fmt.Sprintf("/orgs/%d", p.orgID+1), "")
			if !strings.Contains(b.text("main"), "niet gevonden") { // the member chose Dutch above
				t.Errorf("a member on another organisation's page sees %q", b.text("main"))
			}
		})

		t.Run("analyst", func(t *testing.T) {
			b := newBrowser(t, p.base)
			p.signIn(b, "analyst", shot("login"))
			b.open("/analyst", shot("dashboard"))
			// The member's acknowledgement (the member journey ran first)
			// is in the dashboard's table.
			if total := b.text("#notices-h + .plotrow table tbody tr:last-child td:nth-child(4)"); total == "0" {
				t.Errorf("dashboard shows %s acknowledged warnings", total)
			}
			b.open("/analyst/findings?status=open", shot("analyst-findings"))
			if !b.has("main table tbody tr") {
				t.Error("the analysts' findings page lists nothing")
			}
			// Decide the member's dispute: a reason is required; accepting
			// resolves the finding.
			b.open("/analyst/disputes", shot("disputes"))
			if !b.has("form.decide") {
				t.Fatal("the member's dispute is not in the queue")
			}
			b.submit(nil, `form.decide button[value="accept"]`, "")
			if !b.has(`[role="alert"]`) || !b.has(`form.decide input[aria-invalid="true"]`) {
				t.Error("a decision without a reason is not refused visibly")
			}
			b.submit(map[string]string{"form.decide input[name=reason]": "our rescan of Tuesday no longer sees it"}, `form.decide button[value="accept"]`, "")
			b.wantPath(`/analyst/disputes\?msg=disputes.decided`)
			b.open(disputed, shot("analyst-finding-accepted"))
			if got := b.text("#dispute-list"); !strings.Contains(got, "Accepted") || !strings.Contains(got, "rescan of Tuesday") {
				t.Errorf("the decision is not shown on the finding: %q", got)
			}
			if !strings.Contains(b.text("#facts-h"), "resolved") {
				t.Errorf("the accepted dispute did not resolve the finding: %q", b.text("#facts-h"))
			}
			// Review the member's assessment: return it with comments (a
			// return needs them), the member submits again, accept it and
			// issue the label, which the member then sees.
			b.open("/analyst/assessments", shot("reviews"))
			b.submit(nil, `form.decide button[value="return"]`, "")
			if !b.has(`[role="alert"]`) {
				t.Error("returning an assessment without comments is not refused visibly")
			}
			b.submit(map[string]string{"form.decide input[name=comments]": "5.3-13: publish the support period on your site"}, `form.decide button[value="return"]`, "")
			b.wantPath(`/analyst/assessments\?msg=reviews.done`)
			m := newBrowser(t, p.base)
			p.signIn(m, "member", "")
			m.open(assessment, shot("member-assessment-returned"))
			if !strings.Contains(m.text("#trail"), "publish the support period") {
				t.Errorf("the reviewer's comments are not shown to the member: %q", m.text("#trail"))
			}
			m.submit(nil, "#submit-review", "")
			m.wantPath(`/orgs/\d+/assessments/\d+\?msg=assessment.submitted`)
			b.open("/analyst/assessments", "")
			b.submit(map[string]string{"form.decide input[name=comments]": "support period published"}, `form.decide button[value="accept"]`, "")
			b.open("/analyst/assessments?state=reviewed", shot("reviews-issue"))
			b.submit(nil, `main table form button[type="submit"]`, "")
			b.wantPath(`/analyst/assessments\?state=labelled&msg=reviews.issued`)
			m.open(assessment, shot("member-assessment-labelled"))
			if !m.has("#label a") {
				t.Fatal("the member does not see the issued label")
			}
			issued := m.text("#label a")
			// A visitor, signed in as nobody, verifies the issued label
			// and sees a tampered copy of it refused.
			v := newBrowser(t, p.base)
			v.open("/labels/verify", "")
			v.submit(map[string]string{"#id": issued}, `main form button[type="submit"]`, shot("verify-issued"))
			if got := v.text("#result-h"); !strings.Contains(got, "is valid") {
				t.Errorf("the issued label %s does not verify: %q", issued, got)
			}
			refuseTampered(t, v, p, issued, "")
			// Revoke it from its history page (a reason and the
			// confirmation); the history says who revoked it and why, and
			// the public verification then says revoked.
			sid := path.Base(assessment)
			b.open("/analyst/assessments?state=labelled", "")
			b.clickAndLoad("label history", fmt.Sprintf(`a[href="/analyst/assessments/%s/labels"]`, sid))
			b.check(shot("label-history"))
			b.run("confirm the revocation", chromedp.Click(chromedp.CSS("#confirm")))
			b.submit(map[string]string{"#reason": "universal telnet password found in firmware 1.2"}, `#revoke-form button[type="submit"]`, shot("label-revoked"))
			b.wantPath(fmt.Sprintf(`/analyst/assessments/%s/labels\?msg=lhist.revoked`, sid))
			if got := b.text("#label-events"); !strings.Contains(got, "revoked") || !strings.Contains(got, "universal telnet password") || !strings.Contains(got, p.logins["analyst"].Email) {
				t.Errorf("the history does not show the revocation: %q", got)
			}
			v.open("/labels/verify", "")
			v.submit(map[string]string{"#id": issued}, `main form button[type="submit"]`, "")
			if got := v.text("#result-h"); !strings.Contains(strings.ToLower(got), "revoked") {
				t.Errorf("the revoked label %s does not show as revoked: %q", issued, got)
			}
			b.open("/analyst/pending", shot("pending"))
			b.open("/analyst/outbox", shot("outbox"))
			b.open("/analyst/outbox?state=sent", shot("outbox-sent"))
			b.open("/analyst/calls", shot("calls"))
			b.open("/analyst/audit", shot("audit"))
			b.open(fmt.Sprintf("/orgs/%d/findings", p.orgID), "")
			b.setLang("nl")
			b.open("/analyst", shot("dashboard-nl"))
			b.open(fmt.Sprintf("/analyst/assessments/%s/labels", sid), "")
			if got := b.text("#label-events"); !strings.Contains(got, "ingetrokken") {
				t.Errorf("the Dutch history does not say ingetrokken: %q", got)
			}
		})

		t.Run("ingest_notify_ack", func(t *testing.T) {
			// An analyst ingests a Shadowserver report in the portal,
			// follows its run and quarantine, previews the notices and
			// sends them; the member sees the new finding with its
			// evidence, acknowledges its warning and downloads the CSV;
			// the dashboard counts the acknowledgement.
			const (
				ackedCell = "#notices-h + .plotrow table tbody tr:last-child td:nth-child(4)"
				trigger   = "exposed-rdp"
				member    = "security@waterschap-lage-landen.example"
			)
			b := newBrowser(t, p.base)
			p.signIn(b, "analyst", "")
			b.setLang("en")
			b.open("/analyst", "")
			ackedBefore, err := strconv.Atoi(b.text(ackedCell))
			if err != nil {
				t.Fatalf("dashboard acknowledged cell: %v", err)
			}
			day := time.Now().UTC().Format(time.DateOnly) // of the notice the journey sends
			plotBefore := dashAcks(b)
			b.open("/analyst/runs", shot("runs"))
			newest := ""
			if b.has("#runs tbody tr th a") {
				newest = b.text("#runs tbody tr th a")
			}
			// Without a file the upload is refused, naming the field, and
			// no run is made.
			b.submit(map[string]string{"#trigger": trigger}, `#upload button[type="submit"]`, shot("runs-error"))
			if !b.has(`[role="alert"] a[href="#file"]`) || !b.has(`#file[aria-invalid="true"]`) {
				t.Error("an upload without a file does not name the field")
			}
			if got := b.text("#runs tbody tr th a"); got != newest {
				t.Errorf("a refused upload made run %s", got)
			}
			sample, err := filepath.Abs("testdata/2025-06-02-scan_rdp-vigil_portal-asn.csv")
			if err != nil {
				t.Fatal(err)
			}
			b.run("choose the report", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{sample}))
			b.clickAndLoad("ingest the report", `#upload button[type="submit"]`)
			b.wantPath(`/analyst/runs/\d+\?msg=runs.ingested`)
			run := strings.SplitN(b.path(), "?", 2)[0]
			b.check(shot("run"))
			if got := b.text("#run-state"); got != "finished" {
				t.Errorf("run state %q", got)
			}
			if got := b.text("#run-quarantined"); got != "1" {
				t.Errorf("%s rows quarantined; want 1", got)
			}
			if got := b.text("#run-new"); got == "0" {
				t.Error("the run made no new finding")
			}
			if got := b.text("#quarantine"); !strings.Contains(got, "192.0.2.999") {
				t.Errorf("the quarantined row is not listed: %q", got)
			}
			b.open("/analyst/runs", "")
			if !b.has(fmt.Sprintf(`#runs a[href=%q]`, run)) {
				t.Error("the runs page does not list the new run")
			}
			// The preview: per notice its recipients, subject and findings.
			b.open("/analyst/notify", shot("notify"))
			preview := b.text("#preview")
			for _, want := range []string{member, "192.0.2.5:3389", trigger} {
				if !strings.Contains(preview, want) {
					t.Errorf("the preview lacks %q: %.600q", want, preview)
				}
			}
			if !b.has("#preview .subject") {
				t.Error("the preview shows no subject")
			}
			sent := p.sink.Count()
			b.clickAndLoad("send the notices", `#send button[type="submit"]`)
			b.check(shot("notify-sent"))
			if got := b.text("#notify-composed"); got == "0" {
				t.Error("the notify run composed no notice")
			}
			if !b.has("#no-notices") {
				t.Error("after sending, the preview still lists notices")
			}
			var mail string
			for _, m := range p.sink.Messages()[sent:] {
				if slices.Contains(m.To, member) && strings.Contains(string(m.Data), trigger) {
					mail = string(m.Data)
				}
			}
			if mail == "" {
				t.Errorf("no warning about %s reached %s (%d messages sent)", trigger, member, p.sink.Count()-sent)
			}
			b.open("/analyst/audit", "")
			for _, action := range []string{"ingest.upload", "notify.run"} {
				if !strings.Contains(b.text("main table"), action) {
					t.Errorf("the audit log lacks %s", action)
				}
			}
			// Every new page in Dutch too.
			b.setLang("nl")
			b.open(run, shot("run-nl"))
			b.open("/analyst/runs", "")
			b.open("/analyst/notify", "")
			if got := b.text("h1"); got != "Te versturen waarschuwingen" {
				t.Errorf("Dutch notify page h1 = %q", got)
			}
			b.setLang("en")

			// The member: the finding with its evidence, the warning
			// acknowledged, the CSV downloaded.
			m := newBrowser(t, p.base)
			p.signIn(m, "member", "")
			m.setLang("en")
			m.open(fmt.Sprintf("/orgs/%d/findings?trigger=%s", p.orgID, trigger), "")
			if !m.has("table tbody tr th a") {
				t.Fatal("the member does not see the ingested finding")
			}
			m.open(get(m, "finding link", chromedp.AttributeValue(chromedp.CSS("table tbody tr th a"), "href")).Value, shot("member-ingested-finding"))
			if got := m.text("dl.evidence"); !strings.Contains(got, "192.0.2.5") || !strings.Contains(got, "rdp-gemaal") {
				t.Errorf("the finding's evidence = %q", got)
			}
			m.open(fmt.Sprintf("/orgs/%d/notices", p.orgID), "")
			nid := get(m, "the new warning", chromedp.Evaluate[string](fmt.Sprintf(
				`(() => { for (const tr of document.querySelectorAll("main table tbody tr")) { if (tr.textContent.includes(%q)) { const f = tr.querySelector("form"); return f ? f.getAttribute("action") : ""; } } return ""; })()`, trigger)))
			if nid == "" {
				t.Fatalf("no warning about %s to acknowledge", trigger)
			}
			m.clickAndLoad("acknowledge", fmt.Sprintf(`form[action=%q] button`, nid))
			m.wantPath(`/orgs/\d+/notices\?msg=notices.acked`)
			if !m.has(`[role="status"]`) {
				t.Error("no confirmation after acknowledging")
			}
			csv := get(m, "download CSV", chromedp.Evaluate[string](fmt.Sprintf(
				`fetch("/orgs/%d/findings.csv?trigger=%s").then(r => r.text())`, p.orgID, trigger), chromedp.EvalAwaitPromise))
			if !strings.HasPrefix(csv, "id,trigger,type,severity,status,ip,port") || !strings.Contains(csv, "192.0.2.5") {
				t.Errorf("CSV download = %.300q", csv)
			}

			// The dashboard's table counts the acknowledgement, and so does
			// its plot: the bar of the day in the SVG the page shows.
			b.open("/analyst", shot("dashboard-acked"))
			if got, want := b.text(ackedCell), strconv.Itoa(ackedBefore+1); got != want {
				t.Errorf("the dashboard shows %s acknowledged warnings; want %s", got, want)
			}
			if now := time.Now().UTC().Format(time.DateOnly); now != day {
				t.Skipf("the day changed during the journey (%s, %s): the day's figures moved", day, now)
			}
			after := dashAcks(b)
			got, want := after.Plot[day], plotBefore.Plot[day]
			want.Value++
			want.Title = fmt.Sprintf("Acknowledged %s: %d", day, want.Value)
			if got != want {
				t.Errorf("the notices plot's acknowledged bar of %s = %+v; want %+v (before %+v)", day, got, want, plotBefore.Plot[day])
			}
			if after.Table[day] != want.Value {
				t.Errorf("the notices table's acknowledged of %s = %d; the plot shows %d", day, after.Table[day], want.Value)
			}
		})

		t.Run("register_approve", func(t *testing.T) {
			// An organisation that cannot prove a range yet registers with
			// a domain; it waits until an analyst approves it.
			const name = "E2E Approved BV"
			m := newBrowser(t, p.base)
			p.signIn(m, "member", "")
			m.setLang("en")
			m.open("/register", "")
			m.submit(map[string]string{"#name": name, "#asset": "e2e-approved.example"}, `main form button[type="submit"]`, "")
			m.wantPath(`/orgs/\d+/registry\?msg=register.done`)
			org := strings.SplitN(m.path(), "/registry", 2)[0]
			m.open(org, "")
			if !m.has("#pending") {
				t.Fatal("the registered organisation is not shown as waiting")
			}
			b := newBrowser(t, p.base)
			p.signIn(b, "analyst", "")
			b.setLang("en")
			b.open("/analyst/pending", shot("pending-approve"))
			approve := fmt.Sprintf(`button[aria-label="Approve %s"]`, name)
			if !b.has(approve) {
				t.Fatalf("%s is not in the analysts' queue", name)
			}
			b.clickAndLoad("approve", approve)
			b.wantPath(`/analyst/pending\?msg=pending.approved`)
			if b.has(approve) {
				t.Error("the approved organisation is still waiting")
			}
			b.open("/analyst/audit", "")
			if !strings.Contains(b.text("main table"), "org.approve") {
				t.Error("the approval is not in the audit log")
			}
			m.open(org, "")
			if m.has("#pending") {
				t.Error("the organisation still waits after the analyst approved it")
			}
		})

		t.Run("administrator", func(t *testing.T) {
			b := newBrowser(t, p.base)
			p.signIn(b, "admin", "")
			b.open("/admin/users", shot("admin-users"))
			b.submit(map[string]string{"#email": "new.analyst@vigil.demo", "#password": "short", "#role": "analyst"},
				`#user-form button[type="submit"]`, shot("admin-users-error"))
			if !b.has(`#password[aria-invalid="true"]`) {
				t.Error("a short password is not marked on the form")
			}
			b.submit(map[string]string{"#email": "new.analyst@vigil.demo", "#password": "a long enough password", "#role": "analyst"},
				`#user-form button[type="submit"]`, "")
			if !strings.Contains(b.text("main table"), "new.analyst@vigil.demo") {
				t.Error("the new account is not listed")
			}
			userID := func(email string) int64 {
				var id int64
				if err := st.QueryRow(context.Background(), `SELECT id FROM users WHERE email = ?`, email).Scan(&id); err != nil {
					t.Fatalf("account %s: %v", email, err)
				}
				return id
			}
			// An administrator's own account cannot be disabled: the
			// refusal is a whole page naming the account's button.
			self := userID(p.logins["admin"].Email)
			b.submit(nil, fmt.Sprintf("#user-%d", self), shot("admin-users-self-disable"))
			if !b.has(fmt.Sprintf(`[role="alert"] a[href="#user-%d"]`, self)) || !b.has(fmt.Sprintf("#user-%d-err", self)) {
				t.Error("the refused self-disable does not name the account's button")
			}
			if get(b, "title", chromedp.Title()) == "" || !b.has("html[lang]") {
				t.Error("the refused self-disable is not a whole page (no title or language)")
			}
			// The new analyst is disabled and enabled again.
			analyst := userID("new.analyst@vigil.demo")
			b.submit(nil, fmt.Sprintf("#user-%d", analyst), "")
			b.wantPath(`/admin/users\?msg=users.changed`)
			if got := b.text(fmt.Sprintf("#user-%d", analyst)); got != "Enable" {
				t.Errorf("the disabled analyst's button says %q; want Enable", got)
			}
			b.submit(nil, fmt.Sprintf("#user-%d", analyst), "")
			if got := b.text(fmt.Sprintf("#user-%d", analyst)); got != "Disable" {
				t.Errorf("the enabled analyst's button says %q; want Disable", got)
			}
			// Sign-up closed on the settings page is closed for a visitor at
			// once; opened again, the visitor's form is back.
			b.open("/admin/settings", shot("admin-settings"))
			b.run("close sign-up", chromedp.Click(chromedp.CSS("#signup_open")))
			b.submit(nil, `#settings-form button[type="submit"]`, "")
			b.wantPath(`/admin/settings\?msg=settings.saved`)
			if b.has("#signup_open:checked") {
				t.Error("sign-up still shows open after closing it")
			}
			v := newBrowser(t, p.base)
			v.open("/signup", "")
			if v.has(`main form #password`) {
				t.Error("the sign-up form is still offered after an administrator closed sign-up")
			}
			b.run("open sign-up", chromedp.Click(chromedp.CSS("#signup_open")))
			b.submit(nil, `#settings-form button[type="submit"]`, "")
			v.open("/signup", "")
			if !v.has(`main form #password`) {
				t.Error("the sign-up form is not back after an administrator opened sign-up")
			}
			b.open("/admin/users", "")
			b.setLang("nl")
			b.check("")
			// A staff account without a second factor enrols one at its
			// first sign-in.
			b2 := newBrowser(t, p.base)
			b2.open("/login", "")
			b2.submit(map[string]string{"#email": "new.analyst@vigil.demo", "#password": "a long enough password"}, `main form button[type="submit"]`, "")
			b2.wantPath("/login/enrol")
			b2.check(shot("enrol"))
			code, err := account.TOTPCode(b2.text("#totp-key"), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			b2.submit(map[string]string{"#code": code}, `main form button[type="submit"]`, "")
			b2.wantPath("/")
			b2.open("/analyst", "")
		})

		// The features the journeys above only open, driven as a person
		// would (driven_test.go). They run before the password reset,
		// which changes the member's password.
		t.Run("outbox_resolve", func(t *testing.T) { outboxJourney(t, p, shot) })
		t.Run("call_list", func(t *testing.T) { callsJourney(t, p, shot) })
		t.Run("findings_pages", func(t *testing.T) { findingsJourney(t, p) })
		t.Run("lab_invited", func(t *testing.T) { labInviteJourney(t, p) })
		t.Run("keyboard", func(t *testing.T) { keyboardJourney(t, p, shot) })
		t.Run("invitation", func(t *testing.T) {
			b := newBrowser(t, p.base)
			p.signIn(b, "member", "")
			b.open(fmt.Sprintf("/orgs/%d/registry", p.orgID), "")
			b.submit(map[string]string{"#invite_email": "colleague@hosting-oost.example"},
				`section[aria-labelledby="invite-h"] button[type="submit"]`, "")
			// The invitation waits in the outbox; its link is in the notice.
			var payload string
			if err := st.QueryRow(context.Background(), `SELECT payload FROM notices WHERE kind = 'account' ORDER BY id DESC LIMIT 1`).Scan(&payload); err != nil {
				t.Fatal(err)
			}
			link := regexp.MustCompile(`/invitation\?token=[A-Za-z0-9_%-]+`).FindString(payload)
			if link == "" {
				t.Fatalf("no invitation link in %.300s", payload)
			}
			c := newBrowser(t, p.base)
			c.open(link, shot("invitation"))
			c.submit(map[string]string{"#name": "A Colleague", "#password": "the colleague's own password"}, `main form button[type="submit"]`, "")
			c.wantPath(`/login\?msg=invitation.done`)
			c.submit(map[string]string{"#email": "colleague@hosting-oost.example", "#password": "the colleague's own password"}, `main form button[type="submit"]`, "")
			c.wantPath("/")
		})
		t.Run("password_reset", func(t *testing.T) {
			b := newBrowser(t, p.base)
			b.open("/login", "")
			b.run("forgot link", chromedp.Click(chromedp.CSS(`a[href="/password/forgot"]`)), chromedp.WaitReady(chromedp.CSS("#email")))
			b.check(shot("forgot"))
			b.submit(map[string]string{"#email": p.logins["member"].Email}, `main form button[type="submit"]`, "")
			b.wantPath(`/login\?msg=forgot.sent`)
			if !b.has(`[role="status"]`) {
				t.Error("no word that the link is on its way")
			}
			// The e-mail waits in the outbox; its link is in the notice.
			var payload string
			if err := st.QueryRow(context.Background(), `SELECT payload FROM notices WHERE kind = 'account' ORDER BY id DESC LIMIT 1`).Scan(&payload); err != nil {
				t.Fatal(err)
			}
			link := regexp.MustCompile(`/password/reset\?token=[A-Za-z0-9_%-]+`).FindString(payload)
			if link == "" {
				t.Fatalf("no reset link in %s", payload)
			}
			b.open(link, shot("reset"))
			b.submit(map[string]string{"#password": "the member's new password"}, `main form button[type="submit"]`, "")
			b.wantPath(`/login\?msg=reset.done`)
			b.submit(map[string]string{"#email": p.logins["member"].Email, "#password": "the member's new password"}, `main form button[type="submit"]`, "")
			b.wantPath("/")
		})
	})
}

// mailedLink delivers the newest account e-mail to addr from the outbox to
// the suite's mail server (the delivery job's work), reads it there and
// returns the portal path of its link that matches pattern.
func (p *portal) mailedLink(t *testing.T, addr, pattern string) string {
	t.Helper()
	ctx := context.Background()
	var id int64
	if err := p.st.QueryRow(ctx, `SELECT o.id FROM outbox o JOIN notices n ON n.id = o.notice_id
		WHERE n.kind = 'account' AND o.recipient = ? ORDER BY o.id DESC LIMIT 1`, addr).Scan(&id); err != nil {
		t.Fatalf("no account e-mail to %s in the outbox: %v", addr, err)
	}
	d, err := p.app.Delivery(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	sent := p.sink.Count()
	if res, err := d.Deliverer.Deliver(ctx, id); err != nil {
		t.Fatalf("delivering the e-mail to %s: %v (%v)", addr, err, res)
	}
	for _, m := range p.sink.Messages()[sent:] {
		if !slices.Contains(m.To, addr) {
			continue
		}
		text := mailText(t, m.Data)
		if link := regexp.MustCompile(regexp.QuoteMeta(p.base) + pattern).FindString(text); link != "" {
			return strings.TrimPrefix(link, p.base)
		}
		t.Fatalf("the e-mail to %s has no link %s: %s", addr, pattern, text)
	}
	t.Fatalf("no e-mail to %s reached the mail server", addr)
	return ""
}

// mailText returns the decoded text parts of a MIME message.
func mailText(t *testing.T, raw []byte) string {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("reading the e-mail: %v", err)
	}
	var b strings.Builder
	var part func(h textproto.MIMEHeader, body io.Reader)
	part = func(h textproto.MIMEHeader, body io.Reader) {
		mt, params, _ := mime.ParseMediaType(h.Get("Content-Type"))
		switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
		case "quoted-printable":
			body = quotedprintable.NewReader(body)
		case "base64":
			body = base64.NewDecoder(base64.StdEncoding, body)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err != nil {
					return
				}
				part(p.Header, p)
			}
		}
		if mt == "" || strings.HasPrefix(mt, "text/plain") {
			data, err := io.ReadAll(body)
			if err != nil {
				t.Fatalf("reading the e-mail: %v", err)
			}
			b.Write(data)
		}
	}
	part(textproto.MIMEHeader(m.Header), m.Body)
	return b.String()
}

// loopbackResolver asks only the DNS server at addr.
func loopbackResolver(addr string) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
}

// ackFigures are the acknowledged warnings per day the dashboard shows:
// in its notices plot (each bar of the series as the SVG carries it, with
// its title) and in the table beside it.
type ackFigures struct {
	Plot  map[string]ackMark `json:"plot"`
	Table map[string]int     `json:"table"`
}

// ackMark is a bar of the notices plot.
type ackMark struct {
	Value int    `json:"value"`
	Title string `json:"title"`
}

// dashAcks reads, in the browser on the dashboard, the acknowledged
// warnings per day from the notices plot the page shows (the SVG of its
// image, loaded and drawn, fetched again by the page) and
// from the table beside it.
func dashAcks(b *browser) ackFigures {
	b.t.Helper()
	s := get(b, "the notices plot and table", chromedp.Evaluate[string](`(async () => {
  const img = document.querySelector("#notices-h + .plotrow img");
  if (!img || !img.complete || img.naturalWidth === 0) throw new Error("the notices plot is not drawn");
  // The marks are read from the text (a DOM of the drawing would apply
  // its style attributes, which the page's policy forbids).
  const text = await (await fetch(img.src)).text();
  const data = text.slice(text.indexOf('<g class="plot-data">'));
  const out = {plot: {}, table: {}};
  const re = /<rect [^>]*data-series="acknowledged" data-key="([^"]*)" data-value="([^"]*)"><title>([^<]*)<\/title><\/rect>/g;
  for (const m of data.matchAll(re)) {
    out.plot[m[1]] = {value: Number(m[2]), title: m[3]};
  }
  for (const tr of document.querySelectorAll("#notices-h + .plotrow table tbody tr")) {
    out.table[tr.querySelector("th").textContent] = Number(tr.querySelector("td:nth-child(4)").textContent);
  }
  return JSON.stringify(out);
})()`, chromedp.EvalAwaitPromise))
	var f ackFigures
	if err := json.Unmarshal([]byte(s), &f); err != nil {
		b.t.Fatalf("the notices plot and table: %v", err)
	}
	if len(f.Plot) == 0 {
		b.t.Fatal("the notices plot carries no acknowledged bar")
	}
	return f
}

// refuseTampered uploads a copy of label id with its grade raised by one
// letter (A becomes B) on the public verification page of b: the signature
// no longer matches, and the page must say so.
func refuseTampered(t *testing.T, b *browser, p *portal, id, shot string) {
	t.Helper()
	doc, _, err := p.labels.Signed(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	tampered := regexp.MustCompile(`"grade":\s*"[A-G]"`).ReplaceAllFunc(doc, func(m []byte) []byte {
		g := m[len(m)-2]
		if g == 'A' {
			g = 'B'
		} else {
			g--
		}
		return []byte(fmt.Sprintf(`"grade": "%c"`, g))
	})
	if bytes.Equal(tampered, doc) {
		t.Fatalf("label %s has no grade to tamper with", id)
	}
	file := filepath.Join(t.TempDir(), "label.json")
	if err := os.WriteFile(file, tampered, 0o600); err != nil {
		t.Fatal(err)
	}
	b.open("/labels/verify", "")
	b.run("upload", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}))
	b.clickAndLoad("upload", `main form button[type="submit"]`)
	b.check(shot)
	if got := b.text("#result-h"); !strings.Contains(got, "NOT valid") || !strings.Contains(got, "tampered") {
		t.Errorf("tampered upload of %s: %q", id, got)
	}
}
