// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"vigil/internal/account"
	"vigil/internal/notify"
	"vigil/internal/tenant"
)

// The journeys of this file drive, as a person would in the browser, the
// page features that the other journeys only open: settling deliveries of
// unknown outcome, following up the call list, the JSON download, paging
// through findings, a lab invited into a second organisation, and a
// journey done with the keyboard alone. Each sets its language and reads
// the database to check what the pages did.

// journeyLimit bounds each journey of this file (a bound for a machine
// shared with other work, not a timing assertion).
const journeyLimit = 4 * time.Minute

// ids reads the int64 column of a query.
func (p *portal) ids(t *testing.T, q string, args ...any) []int64 {
	t.Helper()
	rows, err := p.st.Query(context.Background(), q, args...)
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
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// strs reads the text column of a query.
func (p *portal) strs(t *testing.T, q string, args ...any) []string {
	t.Helper()
	rows, err := p.st.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// str reads one text value.
func (p *portal) str(t *testing.T, q string, args ...any) string {
	t.Helper()
	var s string
	if err := p.st.QueryRow(context.Background(), q, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
}

// outboxJourney: two e-mails are in flight when their worker dies (the
// journal says their send began, no outcome was recorded); once the lease
// has run out the next delivery sweep puts them in state unknown. The
// analyst sees both on the outbox page, settles one as sent (the recipient
// confirmed it arrived) and the other as not sent (to send again): both
// leave the list, the second is delivered once, and the audit log names
// the analyst.
func outboxJourney(t *testing.T, p *portal, shot func(string) string) {
	ctx := context.Background()
	rcpts := []string{"arrived@e2e-outbox.example", "lost@e2e-outbox.example"}
	var rows []int64
	for _, to := range rcpts {
		if _, err := p.st.AccountMail(ctx, to, "en", notify.Message{Subject: "vigil: test", Text: "A message for " + to}); err != nil {
			t.Fatal(err)
		}
		id := p.ids(t, `SELECT id FROM outbox WHERE recipient = ? ORDER BY id DESC LIMIT 1`, to)[0]
		// The worker claims the row with a short lease, writes its
		// journal, and dies before recording an outcome.
		now := time.Now().UTC()
		if _, err := p.st.OutboxClaim(ctx, id, []notify.Channel{notify.Email}, now, time.Millisecond); err != nil {
			t.Fatalf("claim outbox %d: %v", id, err)
		}
		if err := p.st.OutboxStarted(ctx, id, now); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, id)
	}
	time.Sleep(50 * time.Millisecond) // the lease runs out
	d, err := p.app.Delivery(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Deliverer.DeliverDue(ctx, 0); err != nil {
		t.Fatalf("delivery sweep: %v", err)
	}
	for _, id := range rows {
		if st := p.str(t, `SELECT state FROM outbox WHERE id = ?`, id); st != "unknown" {
			t.Fatalf("outbox %d is %s after the sweep; want unknown", id, st)
		}
	}
	sentBefore := p.sink.Count()

	b := newBrowserFor(t, p.base, journeyLimit)
	p.signIn(b, "analyst", "")
	b.setLang("en")
	b.open("/analyst", "")
	b.follow("outbox link", `main a[href="/analyst/outbox"]`)
	b.check(shot("outbox-unknown"))
	form := func(id int64) string { return fmt.Sprintf(`form[action="/analyst/outbox/%d/resolve"]`, id) }
	for i, id := range rows {
		if !b.has(form(id)) {
			t.Fatalf("outbox %d (unknown) is not on the outbox page: %q", id, b.textIf("main"))
		}
		if got := b.textIf(fmt.Sprintf(`main tbody tr:has(%s)`, form(id))); !strings.Contains(got, rcpts[i]) || !strings.Contains(got, "outcome unknown") {
			t.Errorf("outbox %d's row = %q; want its recipient and why", id, got)
		}
	}
	analyst := p.logins["analyst"].Email
	b.follow("resolve as sent", form(rows[0])+` button[value="sent"]`)
	b.wantPath(`/analyst/outbox\?msg=outbox.resolved`)
	b.check("")
	if b.has(form(rows[0])) {
		t.Error("the delivery settled as sent is still listed")
	}
	b.follow("resolve as not sent", form(rows[1])+` button[value="resend"]`)
	b.wantPath(`/analyst/outbox\?msg=outbox.resolved`)
	if b.has(form(rows[0])) || b.has(form(rows[1])) {
		t.Error("a settled delivery is still listed as unknown")
	}
	if got := p.str(t, `SELECT state FROM outbox WHERE id = ?`, rows[0]); got != "sent" {
		t.Errorf("the delivery settled as sent is %s", got)
	}
	if got := p.str(t, `SELECT state FROM outbox WHERE id = ?`, rows[1]); got != "pending" {
		t.Errorf("the delivery settled as not sent is %s; want pending (to send again)", got)
	}
	// The sent one shows under its state; the other goes out with the
	// next sweep, once.
	b.run("choose state sent", b.setValue("#state", "sent"))
	b.follow("filter", `form.filters button[type="submit"]`)
	b.wantPath(`/analyst/outbox\?state=sent`)
	if got := b.textIf("main tbody"); !strings.Contains(got, rcpts[0]) {
		t.Errorf("the delivery settled as sent is not under sent: %q", got)
	}
	if _, err := d.Deliverer.DeliverDue(ctx, 0); err != nil {
		t.Fatalf("delivery sweep: %v", err)
	}
	got := map[string]int{}
	for _, m := range p.sink.Messages()[sentBefore:] {
		for _, to := range m.To {
			got[to]++
		}
	}
	if got[rcpts[0]] != 0 || got[rcpts[1]] != 1 {
		t.Errorf("after settling, the mail server got %v; want %s once and %s not again", got, rcpts[1], rcpts[0])
	}
	if st := p.str(t, `SELECT state FROM outbox WHERE id = ?`, rows[1]); st != "sent" {
		t.Errorf("the delivery sent again is %s", st)
	}
	// The audit log names the analyst and each outcome.
	b.open("/analyst/audit?kind=outbox", "")
	log := b.textIf("#audit-entries tbody")
	for i, outcome := range []string{"sent", "resend"} {
		row := get(b, "audit row", chromedp.Evaluate[string](fmt.Sprintf(
			`(() => { for (const tr of document.querySelectorAll("#audit-entries tbody tr")) { if (tr.textContent.includes(%q)) return tr.textContent; } return ""; })()`,
			fmt.Sprintf("outbox %d", rows[i]))))
		if !strings.Contains(row, analyst) || !strings.Contains(row, "outbox.resolve") || !strings.Contains(row, outcome) {
			t.Errorf("the audit log's entry of outbox %d = %q; want %s, outbox.resolve, %s (log %q)", rows[i], row, analyst, outcome, log)
		}
	}
	if n := p.ids(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'outbox.resolve' AND actor = ?`, analyst)[0]; n != 2 {
		t.Errorf("%d audit entries of the analyst's resolutions; want 2", n)
	}
}

// callsJourney: a warning's e-mail comes back as a bounce (a DSN), which
// puts the organisation on the call list with the reason. The analyst
// opens the call list, sees the organisation with its phone number and
// the reason, follows it to the warnings and records what the call gave:
// the organisation acknowledged the warning on the telephone. The call
// list then no longer shows it, and the audit log names the analyst.
func callsJourney(t *testing.T, p *portal, shot func(string) string) {
	ctx := context.Background()
	// An organisation other than the demo member's (whose address the
	// other journeys mail) with an open warning e-mailed to a contact.
	var org int64
	var addr, name string
	err := p.st.QueryRow(ctx, `SELECT n.org_id, o.recipient, g.name FROM notices n JOIN outbox o ON o.notice_id = n.id
JOIN orgs g ON g.id = n.org_id
WHERE n.state = 'open' AND n.acked_at IS NULL AND o.channel = 'email' AND o.state = 'sent' AND n.org_id <> ?
ORDER BY n.org_id DESC LIMIT 1`, p.orgID).Scan(&org, &addr, &name)
	if err != nil {
		t.Fatalf("no warning to bounce: %v", err)
	}
	dsn := strings.ReplaceAll(`From: MAILER-DAEMON@mx.e2e.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: cert@vigil-demo.example
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B0UND"
Message-Id: <20261207010000.B0UND@mx.e2e.example>

--B0UND
Content-Type: text/plain; charset=utf-8

Your message could not be delivered.

--B0UND
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.e2e.example

Final-Recipient: rfc822; `+addr+`
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <`+addr+`>: mailbox unavailable

--B0UND--
`, "\n", "\r\n")
	res, err := p.app.Receive(ctx, []byte(dsn), "e2e")
	if err != nil || res.Escalated == 0 {
		t.Fatalf("the bounce escalated nothing: %+v %v", res, err)
	}
	escalated := p.ids(t, `SELECT id FROM notices WHERE org_id = ? AND state = 'escalated' ORDER BY id`, org)
	if len(escalated) == 0 {
		t.Fatal("no escalated warning")
	}

	b := newBrowserFor(t, p.base, journeyLimit)
	p.signIn(b, "analyst", "")
	b.setLang("en")
	b.open("/analyst", "")
	b.follow("call list link", `main a[href="/analyst/calls"]`)
	b.check(shot("calls-escalated"))
	orgLink := fmt.Sprintf(`a[href="/orgs/%d/notices"]`, org)
	link := "main tbody " + orgLink
	if !b.has(link) {
		t.Fatalf("%s is not on the call list: %q", name, b.textIf("main"))
	}
	row := b.textIf(fmt.Sprintf(`main tbody tr:has(%s)`, orgLink))
	if !strings.Contains(row, "bounced: "+addr) {
		t.Errorf("the call list's row of %s = %q; want the bounce", name, row)
	}
	// The numbers to call are the organisation's contacts'.
	for _, phone := range p.strs(t, `SELECT phone FROM contacts WHERE org_id = ? AND phone <> ''`, org) {
		if !b.has(fmt.Sprintf(`main tbody tr:has(%s) a[href="tel:%s"]`, orgLink, phone)) {
			t.Errorf("the call list's row of %s does not offer %s to call", name, phone)
		}
	}
	// The call: the organisation acknowledges on the telephone, and the
	// analyst records that outcome on the call list; the warnings page
	// offers staff no acknowledgement of its own.
	b.follow("the organisation's warnings", link)
	b.wantPath(fmt.Sprintf(`/orgs/%d/notices`, org))
	b.check("")
	for _, n := range escalated {
		if ack := fmt.Sprintf(`form[action="/orgs/%d/notices/%d/ack"] button`, org, n); b.has(ack) {
			t.Errorf("the warnings page offers the analyst to acknowledge warning %d for the organisation", n)
		}
	}
	for _, n := range escalated {
		b.open("/analyst/calls", "")
		form := fmt.Sprintf(`form[action="/analyst/calls/%d/outcome"]`, n)
		b.run("choose the outcome", b.setValue(fmt.Sprintf("#outcome-%d", n), "acknowledged"), b.setValue(fmt.Sprintf("#note-%d", n), "the IT manager will patch tonight"))
		b.follow("record the call", form+" button")
		b.check("")
	}
	analyst := p.logins["analyst"].Email
	for _, n := range escalated {
		var state, by string
		if err := p.st.QueryRow(ctx, `SELECT state, COALESCE(acked_by, '') FROM notices WHERE id = ?`, n).Scan(&state, &by); err != nil {
			t.Fatal(err)
		}
		if state != "acknowledged" || !strings.Contains(by, analyst) {
			t.Errorf("warning %d after the call: %s by %q; want acknowledged by %s", n, state, by, analyst)
		}
	}
	b.open("/analyst/calls", "")
	if b.has(link) {
		t.Errorf("%s is still on the call list after the call", name)
	}
	b.open("/analyst/audit?kind=notice", "")
	if got := b.textIf("#audit-entries tbody"); !strings.Contains(got, analyst) || !strings.Contains(got, fmt.Sprintf("notice %d", escalated[0])) {
		t.Errorf("the audit log does not name the analyst's acknowledgement: %q", got)
	}
}

// findingRow is a row of the findings page.
type findingRow struct {
	ID      int64  `json:"id"`
	Trigger string `json:"trigger"`
	IP      string `json:"ip"`
	Status  string `json:"status"`
}

// findingRows reads the rows of the findings page.
func findingRows(b *browser) []findingRow {
	b.t.Helper()
	s := get(b, "the findings' rows", chromedp.Evaluate[string](`JSON.stringify([...document.querySelectorAll("table.findings tbody tr[id^=f]")].map(tr => ({
  id: Number(tr.id.slice(1)),
  trigger: tr.querySelector("th a").textContent,
  ip: (tr.querySelector("td code") || {textContent: ""}).textContent.replace(/:\d+$/, ""),
  status: tr.querySelector("td:nth-child(4)").textContent})))`))
	var rows []findingRow
	if err := json.Unmarshal([]byte(s), &rows); err != nil {
		b.t.Fatal(err)
	}
	return rows
}

// back goes back in the browser's history to the page at path (the page
// may come back from the back/forward cache, without a new load).
func (b *browser) back(path string) {
	b.t.Helper()
	get(b, "back", chromedp.Evaluate[bool](`(() => { history.back(); return true; })()`))
	deadline := time.Now().Add(loadTimeout)
	for {
		loaded, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](fmt.Sprintf(
			`location.href === %q && document.readyState === "complete"`, b.base+path)))
		if err == nil && loaded {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("back to %s: not there within %s (at %s)", path, loadTimeout, b.path())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// download clicks the link sel and returns the file the browser saved,
// waiting at most loadTimeout.
func (b *browser) download(sel, dir string) []byte {
	b.t.Helper()
	if !b.has(sel) {
		b.t.Fatalf("no %s on %s", sel, b.path())
	}
	ctx, cancel := context.WithTimeout(b.ctx, loadTimeout)
	defer cancel()
	progress := chromedp.Events(ctx, cdpbrowser.DownloadProgress)
	b.run("download "+sel, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true)})
		return err
	}), chromedp.Click(chromedp.CSS(sel)))
	for ev, err := range progress {
		if err != nil {
			b.t.Fatalf("download %s: %v", sel, err)
		}
		switch ev.State {
		case cdpbrowser.DownloadProgressStateCompleted:
			data, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				b.t.Fatal(err)
			}
			return data
		case cdpbrowser.DownloadProgressStateCanceled:
			// The browser cancels a download the server refused: say why.
			href := get(b, "href", chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).href`, sel)))
			why := get(b, "fetch "+href, chromedp.Evaluate[string](fmt.Sprintf(
				`fetch(%q).then(async r => r.status + ": " + (await r.text()).slice(0, 300))`, href), chromedp.EvalAwaitPromise))
			b.t.Fatalf("download %s (%s) cancelled: %s", sel, href, why)
		}
	}
	b.t.Fatalf("download %s: not completed within %s", sel, loadTimeout)
	return nil
}

// findingsJourney: a member filters the findings on open ones, which take
// more than one page, follows "next" to the end and goes back: the filter
// stays, no finding is shown twice or skipped (the database's open
// findings of the organisation, every one once). The JSON and CSV
// downloads the page links hold the same findings as the pages.
func findingsJourney(t *testing.T, p *portal) {
	want := p.ids(t, `SELECT id FROM findings WHERE org_id = ? AND status = 'open' ORDER BY id`, p.orgID)
	if len(want) <= 50 {
		t.Fatalf("organisation %d has %d open findings; the journey needs more than a page (50)", p.orgID, len(want))
	}
	b := newBrowserFor(t, p.base, journeyLimit)
	p.signIn(b, "member", "")
	b.setLang("en")
	b.open(fmt.Sprintf("/orgs/%d", p.orgID), "")
	b.follow("findings", fmt.Sprintf(`nav.orgnav a[href="/orgs/%d/findings"]`, p.orgID))
	b.run("choose open", b.setValue("#status", "open"))
	b.follow("filter", `form.filters button[type="submit"]`)
	b.wantPath(fmt.Sprintf(`/orgs/%d/findings\?status=open&trigger=`, p.orgID))
	first := findingRows(b)
	var pages [][]findingRow
	var urls []string
	seen := map[int64]int{}
	for page := 1; ; page++ {
		urls = append(urls, b.path())
		rows := findingRows(b)
		if len(rows) == 0 || len(rows) > 50 {
			t.Fatalf("page %d shows %d findings", page, len(rows))
		}
		for _, r := range rows {
			seen[r.ID]++
			if r.Status != "open" {
				t.Errorf("page %d shows finding %d %s under the filter open", page, r.ID, r.Status)
			}
		}
		pages = append(pages, rows)
		if got := get(b, "status filter", chromedp.Evaluate[string](`document.querySelector("#status").value`)); got != "open" {
			t.Errorf("page %d's filter shows status %q; want open", page, got)
		}
		if !b.has(`a[rel="next"]`) {
			break
		}
		if page == 10 {
			t.Fatal("more than 10 pages")
		}
		next := get(b, "next link", chromedp.AttributeValue(chromedp.CSS(`a[rel="next"]`), "href")).Value
		if !strings.Contains(next, "status=open") {
			t.Errorf("the next link %s drops the filter", next)
		}
		b.follow("next page", `a[rel="next"]`)
		b.check("")
	}
	var got []int64
	for id, n := range seen {
		if n != 1 {
			t.Errorf("finding %d shown %d times", id, n)
		}
		got = append(got, id)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("the pages show %d findings %v; the organisation has %d open %v", len(got), got, len(want), want)
	}
	if len(pages) < 2 {
		t.Fatalf("%d open findings on one page", len(want))
	}
	// Back to the first page.
	for i := len(urls) - 2; i >= 0; i-- {
		b.back(urls[i])
	}
	if back := findingRows(b); !slices.Equal(back, first) {
		t.Errorf("back on the first page: %d rows, first %v; want %d, %v", len(back), back[:min(1, len(back))], len(first), first[:1])
	}
	if got := get(b, "status filter", chromedp.Evaluate[string](`document.querySelector("#status").value`)); got != "open" {
		t.Errorf("back on the first page the filter shows status %q", got)
	}

	// The downloads of the filtered list, through the page's links (the
	// page loaded anew: chromedp's queries do not follow a page restored
	// from the back/forward cache).
	b.open(urls[0], "")
	dir := t.TempDir()
	var doc struct {
		Items []findingRow `json:"items"`
	}
	data := b.download(`a[href*="/findings.json"]`, dir)
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("the JSON download: %v: %.200s", err, data)
	}
	byID := map[int64]findingRow{}
	var jsonIDs []int64
	for _, f := range doc.Items {
		byID[f.ID] = f
		jsonIDs = append(jsonIDs, f.ID)
	}
	if !slices.Equal(jsonIDs, want) {
		t.Errorf("the JSON download holds %d findings; want the %d open ones", len(jsonIDs), len(want))
	}
	for _, rows := range pages {
		for _, r := range rows {
			if f, ok := byID[r.ID]; !ok || f != r {
				t.Errorf("finding %d: page %+v, JSON %+v", r.ID, r, f)
			}
		}
	}
	data = b.download(`a[href*="/findings.csv"]`, dir)
	recs, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	if err != nil || len(recs) == 0 || strings.Join(recs[0][:6], ",") != "id,trigger,type,severity,status,ip" {
		t.Fatalf("the CSV download: %v %.200q", err, data)
	}
	var csvIDs []int64
	for _, r := range recs[1:] {
		id, _ := strconv.ParseInt(r[0], 10, 64)
		csvIDs = append(csvIDs, id)
		if f := byID[id]; f.Trigger != r[1] || f.Status != r[4] || f.IP != r[5] {
			t.Errorf("finding %d: CSV %v, JSON %+v", id, r[:6], f)
		}
	}
	if !slices.Equal(csvIDs, jsonIDs) {
		t.Errorf("the CSV holds findings %v; the JSON %v", csvIDs, jsonIDs)
	}
}

// labInviteJourney: a test lab's account, a maker of one organisation, is
// invited by e-mail into a second one by its member (the mail read from
// the suite's mail server), accepts with its own password, and then acts
// for each organisation by choosing it (the start page leads to its
// products): on each organisation's pages it sees that organisation's
// labels only, never the other's, and as a maker neither one's findings:
// the navigation offers no findings, warnings, registry or policy, and
// those pages refuse it.
func labInviteJourney(t *testing.T, p *portal) {
	ctx := context.Background()
	rec, err := p.st.LabelGet(ctx, tenant.Public(), p.label)
	if err != nil || rec.OrgID == 0 || rec.OrgID == p.orgID {
		t.Fatalf("demo label %s: %+v %v", p.label, rec, err)
	}
	maker, member := rec.OrgID, p.orgID
	const email, password = "lab.invited@e2e-lab.example", "the lab's own long password"
	svc := account.Service{Store: p.st, Now: p.st.Now, Issuer: "vigil"}
	if _, err := svc.Create(ctx, account.NewUser{Email: email, Password: password, Lang: "en",
		Orgs: []account.Membership{{OrgID: maker, Role: account.RoleMaker}}}); err != nil {
		t.Fatal(err)
	}
	// The member invites the lab.
	m := newBrowserFor(t, p.base, journeyLimit)
	p.signIn(m, "member", "")
	m.setLang("en")
	m.open(fmt.Sprintf("/orgs/%d/registry", member), "")
	m.run("invite as maker", m.setValue("#invite_role", "maker"), m.setValue("#invite_lang", "en"))
	m.submit(map[string]string{"#invite_email": email}, `section[aria-labelledby="invite-h"] button[type="submit"]`, "")
	m.wantPath(fmt.Sprintf(`/orgs/%d/registry\?msg=registry.invited`, member))
	link := p.mailedLink(t, email, `/invitation\?token=[A-Za-z0-9_%-]+`)

	b := newBrowserFor(t, p.base, journeyLimit)
	b.open("/login", "")
	b.setLang("en")
	b.open(link, "")
	// The lab has an account: the invitation asks for its own password.
	b.submit(map[string]string{"#password": password}, `main form button[type="submit"]`, "")
	b.wantPath(`/login\?msg=invitation.done`)
	b.submit(map[string]string{"#email": email, "#password": password}, `main form button[type="submit"]`, "")
	b.wantPath("/")
	b.check("")
	// The lab is a maker in both organisations: the start page leads to
	// each one's products, and it sees neither one's findings.
	orgName := map[int64]string{}
	for _, o := range []int64{maker, member} {
		orgName[o] = p.str(t, `SELECT name FROM orgs WHERE id = ?`, o)
		if !b.has(fmt.Sprintf(`main a[href="/orgs/%d/products"]`, o)) {
			t.Fatalf("the lab's start page does not offer %s: %q", orgName[o], b.textIf("main"))
		}
	}
	own := map[int64][]int64{}
	for _, o := range []int64{maker, member} {
		own[o] = p.ids(t, `SELECT id FROM findings WHERE org_id = ? ORDER BY id LIMIT 50`, o)
	}
	for _, o := range []int64{maker, member, maker} {
		b.open("/", "")
		b.follow("choose "+orgName[o], fmt.Sprintf(`main a[href="/orgs/%d/products"]`, o))
		b.wantPath(fmt.Sprintf("/orgs/%d/products", o))
		if got := b.textIf("nav.orgnav strong"); got != orgName[o] {
			t.Errorf("acting for %s, the page names %q", orgName[o], got)
		}
		for _, closed := range []string{"", "/findings", "/notices", "/registry", "/policy"} {
			if b.has(fmt.Sprintf(`a[href="/orgs/%d%s"]`, o, closed)) {
				t.Errorf("acting for %s as a maker, the page links to %s", orgName[o], closed)
			}
		}
		for _, f := range own[o] {
			if b.has(fmt.Sprintf(`a[href="/orgs/%d/findings/%d"]`, o, f)) {
				t.Errorf("acting for %s as a maker, the page links to its finding %d", orgName[o], f)
			}
		}
		if len(own[o]) > 0 {
			b.open(fmt.Sprintf("/orgs/%d/findings/%d", o, own[o][0]), "")
			if got := b.textIf("main"); !strings.Contains(got, "only the organisation's members") {
				t.Errorf("a finding of %s opened by a maker: %q", orgName[o], got)
			}
		}
		b.open(fmt.Sprintf("/orgs/%d/findings", o), "")
		if got := b.textIf("main"); !strings.Contains(got, "only the organisation's members") || len(findingRows(b)) > 0 {
			t.Errorf("the findings of %s opened by a maker: %q", orgName[o], got)
		}
		b.open(fmt.Sprintf("/orgs/%d/products", o), "")
		b.follow("labels", fmt.Sprintf(`nav.orgnav a[href="/orgs/%d/labels"]`, o))
		if has := b.has(fmt.Sprintf(`a[href$="/labels/%s.pdf"]`, p.label)); has != (o == maker) {
			t.Errorf("acting for %s, the label %s of %s shown: %v", orgName[o], p.label, orgName[maker], has)
		}
	}
	if n := p.ids(t, `SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = ? AND m.role = 'maker'`, email)[0]; n != 2 {
		t.Errorf("the lab has %d maker memberships; want 2", n)
	}
}

// follow clicks the element matching sel, failing at once when there is
// none, and waits for the page it leads to.
func (b *browser) follow(what, sel string) {
	b.t.Helper()
	if !b.has(sel) {
		b.t.Fatalf("%s: no %s on %s", what, sel, b.path())
	}
	b.clickAndLoad(what, sel)
}

// setValue returns the action that sets the value of the form control
// matching sel, failing at once when there is none.
func (b *browser) setValue(sel, v string) chromedp.Action[chromedp.Void] {
	b.t.Helper()
	if !b.has(sel) {
		b.t.Fatalf("no %s on %s", sel, b.path())
	}
	return chromedp.SetValue(chromedp.CSS(sel), v)
}

// textIf returns the text of the first element matching sel, or "" when
// none does (at once: chromedp.Text waits for the element to appear).
func (b *browser) textIf(sel string) string {
	b.t.Helper()
	return get(b, "text of "+sel, chromedp.Evaluate[string](fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.innerText : ""; })()`, sel)))
}

// focused describes the element that has the focus: a CSS-like name, its
// position in document order, and whether a focus style shows.
type focused struct {
	Name    string `json:"name"`
	Order   int    `json:"order"`
	Styled  bool   `json:"styled"`
	Visible bool   `json:"visible"`
	InMain  bool   `json:"inMain"`
}

// focus returns the focused element.
func (b *browser) focus() focused {
	b.t.Helper()
	s := get(b, "the focus", chromedp.Evaluate[string](`(() => {
  const e = document.activeElement;
  if (!e || e === document.body) return JSON.stringify({name: "body", order: -1});
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow !== "none" && s.boxShadow !== "";
  let name = e.tagName.toLowerCase();
  if (e.id) name += "#" + e.id;
  if (e.getAttribute("href")) name += "[href=" + e.getAttribute("href") + "]";
  if (e.getAttribute("value") && e.tagName === "BUTTON") name += "[value=" + e.getAttribute("value") + "]";
  return JSON.stringify({name, order: [...document.querySelectorAll("*")].indexOf(e), styled: outline || shadow,
    visible: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0 && r.left < innerWidth,
    inMain: document.querySelector("main").contains(e)});
})()`))
	var f focused
	if err := json.Unmarshal([]byte(s), &f); err != nil {
		b.t.Fatal(err)
	}
	return f
}

// key presses one key (with Shift when shift), and returns the focus.
func (b *browser) key(k string, shift bool) focused {
	b.t.Helper()
	var opts []chromedp.KeyOption
	if shift {
		opts = append(opts, chromedp.KeyModifiers(chromedp.ModifierShift))
	}
	b.run("key", chromedp.KeyEvent(k, opts...))
	return b.focus()
}

// tabTo presses Tab until the element matching sel has the focus (at
// most 80 times). Every stop must follow the previous one in the page and
// show a focus style.
func (b *browser) tabTo(sel string) focused {
	b.t.Helper()
	prev := b.focus()
	if get(b, "focus matches", chromedp.Evaluate[bool](fmt.Sprintf(`document.activeElement.matches(%q)`, sel))) {
		return prev
	}
	for range 80 {
		f := b.key(kb.Tab, false)
		if f.Order <= prev.Order && prev.Order >= 0 {
			b.t.Errorf("Tab went from %s back to %s", prev.Name, f.Name)
		}
		if !f.Styled || !f.Visible {
			b.t.Errorf("%s has the focus but shows no focus style (styled %v, on screen %v)", f.Name, f.Styled, f.Visible)
		}
		if get(b, "focus matches", chromedp.Evaluate[bool](fmt.Sprintf(`document.activeElement.matches(%q)`, sel))) {
			return f
		}
		prev = f
	}
	b.t.Fatalf("80 presses of Tab from %s did not reach %s", prev.Name, sel)
	return focused{}
}

// keyAndLoad presses key on the focused element and waits for the page
// it leads to.
func (b *browser) keyAndLoad(what, k string) {
	b.t.Helper()
	get(b, what+": mark the page", chromedp.Evaluate[bool](`window.__vigilBefore = true`))
	b.run(what, chromedp.KeyEvent(k))
	deadline := time.Now().Add(loadTimeout)
	for {
		loaded, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](
			`window.__vigilBefore !== true && document.readyState === "complete"`))
		if err == nil && loaded {
			b.check("")
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: no new page loaded within %s", what, loadTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// keyboardJourney: a member who uses no mouse signs in, skips the
// navigation with the skip link, chooses the organisation, reaches the
// findings through the organisation's navigation and acknowledges a
// warning, all with Tab, Shift-Tab, Enter and Space. Every element Tab
// stops at comes after the previous one in the page and shows a focus
// style.
func keyboardJourney(t *testing.T, p *portal, shot func(string) string) {
	ctx := context.Background()
	const email, password = "keyboard@e2e-keys.example", "a keyboard user's password"
	svc := account.Service{Store: p.st, Now: p.st.Now, Issuer: "vigil"}
	if _, err := svc.Create(ctx, account.NewUser{Email: email, Password: password, Name: "Keyboard User", Lang: "en",
		Orgs: []account.Membership{{OrgID: p.orgID, Role: account.RoleMember}}}); err != nil {
		t.Fatal(err)
	}
	b := newBrowserFor(t, p.base, journeyLimit)
	b.open("/login", "")
	b.setLang("en")
	b.open("/login", "")
	// The first stop is the skip link, shown when it has the focus.
	if f := b.key(kb.Tab, false); !strings.HasPrefix(f.Name, "a[href=#main]") || !f.Visible || !f.Styled {
		t.Errorf("the first Tab stop is %+v; want the skip link, shown", f)
	}
	b.tabTo("#email")
	b.run("type the address", chromedp.KeyEvent(email))
	if f := b.key(kb.Tab, false); f.Name != "input#password" {
		t.Errorf("after the address, Tab goes to %s", f.Name)
	}
	b.run("type the password", chromedp.KeyEvent(password))
	// Shift-Tab goes back to the address, Tab forward again.
	if f := b.key(kb.Tab, true); f.Name != "input#email" {
		t.Errorf("Shift-Tab from the password goes to %s", f.Name)
	}
	b.key(kb.Tab, false)
	b.tabTo(`main form button[type="submit"]`)
	b.keyAndLoad("sign in", kb.Enter)
	b.wantPath("/")

	// The skip link moves on to the page's own content: the next stop is
	// in main, past the navigation.
	if f := b.key(kb.Tab, false); !strings.HasPrefix(f.Name, "a[href=#main]") {
		t.Fatalf("the first Tab stop of the start page is %s", f.Name)
	}
	b.run("follow the skip link", chromedp.KeyEvent(kb.Enter))
	if f := b.key(kb.Tab, false); !f.InMain {
		t.Errorf("after the skip link, Tab goes to %s, outside main", f.Name)
	} else if !f.Styled {
		t.Errorf("%s shows no focus style", f.Name)
	}
	// The organisation is a link in main.
	b.tabTo(fmt.Sprintf(`main a[href="/orgs/%d"]`, p.orgID))
	b.keyAndLoad("choose the organisation", kb.Enter)
	b.wantPath(fmt.Sprintf("/orgs/%d", p.orgID))
	// The findings through the organisation's navigation.
	b.tabTo(fmt.Sprintf(`nav.orgnav a[href="/orgs/%d/findings"]`, p.orgID))
	b.keyAndLoad("findings", kb.Enter)
	b.wantPath(fmt.Sprintf("/orgs/%d/findings", p.orgID))
	b.check(shot("keyboard-findings"))
	if len(findingRows(b)) == 0 {
		t.Fatal("the findings page reached by keyboard lists nothing")
	}
	if !b.has(fmt.Sprintf(`nav.orgnav a[href="/orgs/%d/findings"][aria-current="page"]`, p.orgID)) {
		t.Error("the navigation does not mark the findings page as current")
	}
	// Acknowledge the warning about a finding: the warnings page, its
	// first open warning, Space on the button.
	b.tabTo(fmt.Sprintf(`nav.orgnav a[href="/orgs/%d/notices"]`, p.orgID))
	b.keyAndLoad("warnings", kb.Enter)
	b.wantPath(fmt.Sprintf("/orgs/%d/notices", p.orgID))
	action := get(b, "an open warning", chromedp.Evaluate[string](`(() => { const f = document.querySelector("main table form"); return f ? f.getAttribute("action") : ""; })()`))
	if action == "" {
		t.Fatal("no warning to acknowledge")
	}
	b.tabTo(fmt.Sprintf(`form[action=%q] button`, action))
	b.keyAndLoad("acknowledge", " ")
	b.wantPath(fmt.Sprintf(`/orgs/%d/notices\?msg=notices.acked`, p.orgID))
	var nid int64
	if _, err := fmt.Sscanf(action[strings.Index(action, "/notices/"):], "/notices/%d/ack", &nid); err != nil {
		t.Fatal(err)
	}
	if by := p.str(t, `SELECT COALESCE(acked_by, '') FROM notices WHERE id = ?`, nid); !strings.Contains(by, email) {
		t.Errorf("warning %d acknowledged by %q; want %s", nid, by, email)
	}
}
