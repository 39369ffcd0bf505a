// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"vigil/internal/account"
	"vigil/internal/netguard"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
	"vigil/internal/web"
)

// wellKnownSite is the web sites of the domains of a journey on one
// loopback server: a file is published at a host and path (as the
// registry page shows its address) and served at /HOST/PATH, where the
// portal's ownership check is pointed (registry.Verifier.URLFor).
type wellKnownSite struct {
	srv   *httptest.Server
	mu    sync.Mutex
	files map[string]string // host + path → content
}

func startWellKnownSite(t *testing.T) *wellKnownSite {
	w := &wellKnownSite{files: map[string]string{}}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		body, ok := w.files[strings.TrimPrefix(r.URL.Path, "/")]
		w.mu.Unlock()
		if !ok {
			http.NotFound(rw, r)
			return
		}
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprint(rw, body)
	}))
	t.Cleanup(w.srv.Close)
	return w
}

// publish puts content at the address rawURL (https://HOST/PATH).
func (w *wellKnownSite) publish(t *testing.T, rawURL, content string) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		t.Fatalf("the page shows %q as the file's address", rawURL)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.files[u.Host+u.Path] = content
}

// urlFor is where the portal fetches a domain's well-known file.
func (w *wellKnownSite) urlFor(domain string) string {
	return w.srv.URL + "/" + domain + "/.well-known/vigil-verify.txt"
}

// TestRoleJourneys: what organisation members, analysts and
// administrators do beside the journeys of TestPortalJourneys. A member
// proves a domain by the well-known file the registry page shows (served
// on loopback, which only this test lets the guarded client reach); an
// analyst rejects a member's dispute with a reason that the member then
// reads on the finding; an administrator changes an account's role, which
// the audit log records; an existing account accepts an invitation only
// with its own password; a member edits a contact.
func TestRoleJourneys(t *testing.T) {
	chromiumPath(t)
	site := startWellKnownSite(t)
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		p := startPortal(t, st, func(c *web.Config) {
			c.Verifier.HTTP = netguard.New(netguard.Options{AllowPrivate: true})
			c.Verifier.URLFor = site.urlFor
		})
		shot := func(name string) string {
			if st.Dialect() == store.SQLite {
				return name
			}
			return ""
		}
		t.Run("member_wellknown", func(t *testing.T) { wellKnownJourney(t, p, site, shot) })
		t.Run("dispute_rejected", func(t *testing.T) { disputeRejectJourney(t, p) })
		t.Run("admin_role", func(t *testing.T) { adminRoleJourney(t, p, shot) })
		t.Run("invitation_existing", func(t *testing.T) { invitationExistingJourney(t, p, shot) })
		t.Run("contact_edit", func(t *testing.T) { contactEditJourney(t, p, shot) })
	})
}

// wellKnownJourney: a member registers a domain; the registry page shows
// the address of the file to publish and its content; Check before the
// file is there is refused visibly; once the file is published at that
// address, Check proves the domain (method http), and the audit log has it.
func wellKnownJourney(t *testing.T, p *portal, site *wellKnownSite, shot func(string) string) {
	const domain = "e2e-wellknown.example"
	b := newBrowser(t, p.base)
	p.signIn(b, "member", "")
	b.setLang("en")
	reg := fmt.Sprintf("/orgs/%d/registry", p.orgID)
	b.open(reg, "")
	b.submit(map[string]string{"#value": domain}, `form[action$="/assets"] button[type="submit"]`, "")
	b.wantPath(reg + `\?msg=registry.added`)
	aid := p.ids(t, `SELECT id FROM assets WHERE org_id = ? AND value = ?`, p.orgID, domain)
	if len(aid) != 1 {
		t.Fatalf("the domain was registered %d times", len(aid))
	}
	file := b.text(fmt.Sprintf("#file-%d", aid[0]))
	if file != "https://"+domain+"/.well-known/vigil-verify.txt" {
		t.Errorf("the page shows the file %q for %s", file, domain)
	}
	content := b.text("#txt-value")
	if !strings.HasPrefix(content, "vigil-verify=") {
		t.Fatalf("the page shows %q as the value to publish", content)
	}
	check := fmt.Sprintf(`button[aria-label="Check %s"]`, domain)
	b.clickAndLoad("check before publishing", check)
	if !b.has(fmt.Sprintf("#asset-%d-err", aid[0])) || !b.has(fmt.Sprintf(`[role="alert"] a[href="#asset-%d"]`, aid[0])) {
		t.Error("an unpublished file is not refused visibly on the domain's row")
	}
	if got := p.str(t, `SELECT CASE WHEN verified_at IS NULL THEN 'unproven' ELSE 'proven' END FROM assets WHERE id = ?`, aid[0]); got != "unproven" {
		t.Fatalf("the refused check left the domain %s", got)
	}
	b.check(shot("member-registry-file"))
	site.publish(t, file, "# vigil ownership\n"+content+"\n")
	b.clickAndLoad("check again", check)
	b.wantPath(reg + `\?msg=registry.verified`)
	if got := p.str(t, `SELECT verify_method FROM assets WHERE id = ?`, aid[0]); got != "http" {
		t.Errorf("the domain is proven by %q; want http (the file)", got)
	}
	row := get(b, "the domain's row", chromedp.Evaluate[string](fmt.Sprintf(
		`(() => { for (const tr of document.querySelectorAll("main table tbody tr")) { if (tr.querySelector("th").textContent.includes(%q)) return tr.textContent; } return ""; })()`, domain)))
	if !strings.Contains(row, "proven") || !strings.Contains(row, "http") {
		t.Errorf("the domain's row does not show it proven by the file: %q", row)
	}
	b.setLang("nl")
	b.open(reg, "")
	if got := b.text("main"); !strings.Contains(got, "of het bestand") {
		t.Error("the Dutch registry page does not show the file to publish")
	}
	b.setLang("en")
	if n := p.ids(t, `SELECT id FROM audit_log WHERE action = 'asset.verify' AND detail = ?`, domain+" by http"); len(n) != 1 {
		t.Errorf("%d audit entries of the proof by the file; want 1", len(n))
	}
}

// disputeRejectJourney: a member disputes a finding as not theirs; an
// analyst rejects the dispute (a reason is required) and the member reads
// the decision and its reason on the finding, which stays open.
func disputeRejectJourney(t *testing.T, p *portal) {
	const why = "the address is in your range 192.0.2.0/24 since 2019"
	m := newBrowser(t, p.base)
	p.signIn(m, "member", "")
	m.setLang("en")
	m.open(fmt.Sprintf("/orgs/%d/findings?status=open", p.orgID), "")
	finding := get(m, "finding link", chromedp.AttributeValue(chromedp.CSS("table tbody tr th a"), "href")).Value
	finding = strings.SplitN(finding, "?", 2)[0]
	m.open(finding, "")
	m.run("choose a reason", chromedp.Click(chromedp.CSS(`input[name="reason"][value="not_ours"]`)))
	m.submit(map[string]string{"#comment": "we never had this address"}, `form[action$="/dispute"] button[type="submit"]`, "")
	m.wantPath(`/orgs/\d+/findings/\d+\?msg=finding.disputed`)
	did := p.ids(t, `SELECT id FROM finding_disputes WHERE finding_id = ? ORDER BY id DESC LIMIT 1`, lastID(finding))
	if len(did) != 1 {
		t.Fatal("the dispute was not stored")
	}

	a := newBrowser(t, p.base)
	p.signIn(a, "analyst", "")
	a.setLang("en")
	a.open("/analyst/disputes", "")
	reject := fmt.Sprintf(`button[aria-label="Reject %d"]`, did[0])
	if !a.has(reject) {
		t.Fatalf("dispute %d is not in the analysts' queue", did[0])
	}
	a.submit(nil, reject, "")
	if !a.has(fmt.Sprintf(`#reason-%d[aria-invalid="true"]`, did[0])) || !a.has(fmt.Sprintf(`[role="alert"] a[href="#reason-%d"]`, did[0])) {
		t.Error("a rejection without a reason is not refused on its field")
	}
	if got := p.str(t, `SELECT state FROM finding_disputes WHERE id = ?`, did[0]); got != "pending" {
		t.Fatalf("the refused rejection left the dispute %s", got)
	}
	a.submit(map[string]string{fmt.Sprintf("#reason-%d", did[0]): why}, reject, "")
	a.wantPath(`/analyst/disputes\?msg=disputes.decided`)
	if got := p.str(t, `SELECT state FROM finding_disputes WHERE id = ?`, did[0]); got != "rejected" {
		t.Errorf("the dispute is %s after the rejection", got)
	}

	m.open(finding, "")
	got := m.text("#dispute-list")
	if !strings.Contains(got, "Rejected") || !strings.Contains(got, why) || !strings.Contains(got, p.logins["analyst"].Email) {
		t.Errorf("the member does not read the rejection, its reason and who decided: %q", got)
	}
	if strings.Contains(m.text("#facts-h"), "resolved") {
		t.Error("the rejected dispute resolved the finding")
	}
	m.setLang("nl")
	m.open(finding, "")
	if got := m.text("#dispute-list"); !strings.Contains(got, "Afgewezen") || !strings.Contains(got, why) {
		t.Errorf("the Dutch finding page does not show the rejection: %q", got)
	}
}

// lastID is the number at the end of a path.
func lastID(path string) string {
	return path[strings.LastIndex(path, "/")+1:]
}

// adminRoleJourney: an administrator makes a member's account an analyst
// on the accounts page and back again; the page shows each role, the
// account's new role holds (the analyst's pages open to it) and the audit
// log names both changes with the administrator.
func adminRoleJourney(t *testing.T, p *portal, shot func(string) string) {
	ctx := context.Background()
	const email, password = "promoted@vigil.demo", "the promoted person's password"
	svc := account.Service{Store: p.st, Now: p.st.Now, Issuer: "vigil"}
	u, err := svc.Create(ctx, account.NewUser{Email: email, Password: password,
		Orgs: []account.Membership{{OrgID: p.orgID, Role: account.RoleMember}}})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, p.base)
	p.signIn(b, "admin", "")
	b.setLang("en")
	b.open("/admin/users", "")
	sel := fmt.Sprintf("#role-%d", u.ID)
	button := fmt.Sprintf(`form[action="/admin/users/%d/role"] button[type="submit"]`, u.ID)
	b.run("choose analyst", chromedp.SetValue(chromedp.CSS(sel), "analyst"))
	b.submit(nil, button, shot("admin-role"))
	b.wantPath(`/admin/users\?msg=users.changed`)
	if got := p.str(t, `SELECT role FROM users WHERE id = ?`, u.ID); got != "analyst" {
		t.Fatalf("the account's role is %q after making it an analyst", got)
	}
	if got := get(b, "the selected role", chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).value`, sel))); got != "analyst" {
		t.Errorf("the accounts page shows the role %q", got)
	}
	b.open("/analyst/audit?kind=user.role", "")
	entries := b.text("main table")
	if !strings.Contains(entries, "user.role") || !strings.Contains(entries, email) || !strings.Contains(entries, p.logins["admin"].Email) {
		t.Errorf("the audit log does not record the role change by the administrator: %q", entries)
	}
	// The account is an analyst now: at its next sign-in it enrols a
	// second factor, as staff must.
	n := newBrowser(t, p.base)
	n.open("/login", "")
	n.submit(map[string]string{"#email": email, "#password": password}, `main form button[type="submit"]`, "")
	n.wantPath("/login/enrol")
	// Back to member (no staff role), in Dutch.
	b.setLang("nl")
	b.open("/admin/users", "")
	b.run("choose member", chromedp.SetValue(chromedp.CSS(sel), "member"))
	b.submit(nil, button, "")
	b.wantPath(`/admin/users\?msg=users.changed`)
	if got := p.str(t, `SELECT role FROM users WHERE id = ?`, u.ID); got != "" {
		t.Errorf("the account's role is %q after making it a member again", got)
	}
	if got := p.ids(t, `SELECT id FROM audit_log WHERE action = 'user.role' AND object = ?`, fmt.Sprintf("user %d", u.ID)); len(got) != 2 {
		t.Errorf("%d audit entries of the account's role; want 2", len(got))
	}
	b.setLang("en")
}

// invitationExistingJourney: a member invites the address of an account
// of another organisation; the invitation's page asks for that account's
// password; a wrong one is refused naming the field and adds no
// membership; the right one adds it, and the account then sees the
// organisation.
func invitationExistingJourney(t *testing.T, p *portal, shot func(string) string) {
	ctx := context.Background()
	const email, password = "elsewhere@e2e-invited.example", "the invited person's own password"
	svc := account.Service{Store: p.st, Now: p.st.Now, Issuer: "vigil"}
	u, err := svc.Create(ctx, account.NewUser{Email: email, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, p.base)
	p.signIn(b, "member", "")
	b.setLang("en")
	b.open(fmt.Sprintf("/orgs/%d/registry", p.orgID), "")
	b.submit(map[string]string{"#invite_email": email}, `section[aria-labelledby="invite-h"] button[type="submit"]`, "")
	b.wantPath(fmt.Sprintf(`/orgs/%d/registry\?msg=registry.invited`, p.orgID))
	link := p.mailedLink(t, email, `/invitation\?token=[A-Za-z0-9_%-]+`)
	memberships := func() []int64 {
		return p.ids(t, `SELECT org_id FROM memberships WHERE user_id = ?`, u.ID)
	}
	c := newBrowser(t, p.base)
	c.open(link, "")
	c.setLang("en")
	c.open(link, shot("invitation-existing"))
	if !strings.Contains(c.text("#invitation-existing"), email) || c.has("#name") {
		t.Errorf("the invitation page does not ask the existing account for its password: %q", c.text("main"))
	}
	c.submit(map[string]string{"#password": "someone else's guess"}, `main form button[type="submit"]`, shot("invitation-existing-error"))
	if !c.has(`#password[aria-invalid="true"]`) || !c.has(`[role="alert"] a[href="#password"]`) || !strings.Contains(c.text("#password-err"), "password of that account") {
		t.Errorf("a wrong password is not refused on its field: %q", c.text("main"))
	}
	if got := memberships(); len(got) != 0 {
		t.Fatalf("a wrong password added the memberships %v", got)
	}
	c.setLang("nl")
	c.open(link, "")
	c.submit(map[string]string{"#password": "nog een gok"}, `main form button[type="submit"]`, "")
	if !strings.Contains(c.text("#password-err"), "wachtwoord van dat account") {
		t.Errorf("the Dutch refusal: %q", c.text("main"))
	}
	c.setLang("en")
	c.open(link, "")
	c.submit(map[string]string{"#password": password}, `main form button[type="submit"]`, "")
	c.wantPath(`/login\?msg=invitation.done`)
	if got := memberships(); len(got) != 1 || got[0] != p.orgID {
		t.Fatalf("after accepting, the account's memberships are %v; want [%d]", got, p.orgID)
	}
	c.submit(map[string]string{"#email": email, "#password": password}, `main form button[type="submit"]`, "")
	c.wantPath("/")
	c.open(fmt.Sprintf("/orgs/%d", p.orgID), "")
	if strings.Contains(c.text("main"), "not found") {
		t.Error("the account does not reach the organisation it joined")
	}
}

// contactEditJourney: a member opens a contact's edit form on the registry
// page; the address of another of the organisation's contacts is refused
// on that form's field, the form open with what was sent, and nothing
// changes; then the name, telephone
// number, role and language are changed and the list shows them; the
// audit log has the change with the contact before and after; the form in
// Dutch.
func contactEditJourney(t *testing.T, p *portal, shot func(string) string) {
	ctx := context.Background()
	c := registry.Contact{OrgID: p.orgID, Name: "NOC", Email: "noc@e2e-contact.example", Role: "technical", Lang: "nl"}
	if err := p.st.ContactCreate(ctx, tenant.Operator(), &c); err != nil {
		t.Fatal(err)
	}
	field := func(f string) string { return fmt.Sprintf("#contact-%d-%s", c.ID, f) }
	stored := func() string {
		return p.str(t, `SELECT name || '|' || email || '|' || phone || '|' || role || '|' || lang FROM contacts WHERE id = ?`, c.ID)
	}
	was := stored()
	b := newBrowser(t, p.base)
	p.signIn(b, "member", "")
	b.setLang("en")
	reg := fmt.Sprintf("/orgs/%d/registry", p.orgID)
	b.open(reg, "")
	save := fmt.Sprintf(`form[action$="/contacts/%d/edit"] button[type="submit"]`, c.ID)
	b.run("open the edit form", chromedp.Click(chromedp.CSS(field("edit"))), chromedp.WaitVisible(chromedp.CSS(field("email"))))
	if got := get(b, "the form's address", chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).value`, field("email")))); got != c.Email {
		t.Errorf("the edit form shows the address %q; want %q", got, c.Email)
	}
	// The address of another of the organisation's contacts (a
	// refusal the browser cannot know of).
	taken := p.str(t, `SELECT email FROM contacts WHERE org_id = ? AND phone = '' AND email <> '' AND id <> ? ORDER BY id LIMIT 1`, p.orgID, c.ID)
	b.run("another contact's address", b.setValue(field("email"), taken), b.setValue(field("name"), "NOC 24/7"))
	b.clickAndLoad("save", save)
	b.check(shot("member-contact-edit-error"))
	if !b.has(field("email")+`[aria-invalid="true"]`) || !b.has(fmt.Sprintf(`[role="alert"] a[href="%s"]`, field("email"))) || !strings.Contains(b.text(field("email-err")), "already exists") {
		t.Errorf("another contact's address is not refused on the edit form's field: %q", b.text("main"))
	}
	if !b.has(fmt.Sprintf(`details.contact-edit[open] %s`, field("email"))) {
		t.Error("the refused edit form is not shown open")
	}
	if got := get(b, "the name sent", chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).value`, field("name")))); got != "NOC 24/7" {
		t.Errorf("the refused form lost what was sent: name %q", got)
	}
	if got := stored(); got != was {
		t.Fatalf("a refused edit changed the contact: %s, was %s", got, was)
	}
	b.run("a good edit", b.setValue(field("email"), "noc@e2e-contact.example"), b.setValue(field("phone"), "+31 20 555 0199"),
		chromedp.SetValue(chromedp.CSS(field("role")), "abuse"), chromedp.SetValue(chromedp.CSS(field("lang")), "en"))
	b.clickAndLoad("save", save)
	b.wantPath(reg + `\?msg=registry.contactsaved`)
	if got, want := stored(), "NOC 24/7|noc@e2e-contact.example|+31205550199|abuse|en"; got != want {
		t.Errorf("the edited contact is %s; want %s", got, want)
	}
	if got := b.text("#contacts-h + ul"); !strings.Contains(got, "NOC 24/7 · noc@e2e-contact.example · +31205550199 (abuse)") {
		t.Errorf("the contact list does not show the edit: %q", got)
	}
	a := newBrowser(t, p.base)
	p.signIn(a, "analyst", "")
	a.setLang("en")
	a.open("/analyst/audit?kind=contact.update", "")
	if got := a.text("main table"); !strings.Contains(got, "contact.update") || !strings.Contains(got, p.logins["member"].Email) || !strings.Contains(got, fmt.Sprintf("contact %d", c.ID)) {
		t.Errorf("the audit log does not have the member's edit: %q", got)
	}
	b.setLang("nl")
	b.open(reg, "")
	b.run("open the edit form", chromedp.Click(chromedp.CSS(field("edit"))), chromedp.WaitVisible(chromedp.CSS(field("email"))))
	b.run("another contact's address", b.setValue(field("email"), taken), chromedp.Clear(chromedp.CSS(field("phone"))))
	b.clickAndLoad("opslaan", save)
	b.check(shot("member-contact-edit-error-nl"))
	if got := b.text(field("email-err")); !strings.Contains(got, "al een contactpersoon") {
		t.Errorf("the Dutch refusal: %q", got)
	}
	if got := stored(); got != "NOC 24/7|noc@e2e-contact.example|+31205550199|abuse|en" {
		t.Errorf("a refused edit changed the contact: %s", got)
	}
	b.setLang("en")
}
