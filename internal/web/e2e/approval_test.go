// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// rejectJourney: a member registers an organisation; an analyst rejects it
// on the pending page with a reason; the member is told by e-mail (with a
// link to the registry page), sees on the organisation's pages that it was
// rejected and why, and asks again with a note; the analyst finds it
// waiting again with the note, and verifies its domain by hand, which
// approves it. The pending page and the rejected
// registry page in English and Dutch.
func rejectJourney(t *testing.T, p *portal, shot func(string) string) {
	const name, reason, note = "E2E Rejected BV", "We cannot find this organisation in the trade register.", "Our registration number is 12345678."
	m := newBrowser(t, p.base)
	p.signIn(m, "member", "")
	m.setLang("en")
	m.open("/register", "")
	m.submit(map[string]string{"#name": name, "#asset": "e2e-rejected.example"}, `main form button[type="submit"]`, "")
	m.wantPath(`/orgs/\d+/registry\?msg=register.done`)
	org := strings.SplitN(m.path(), "/registry", 2)[0]
	id := strings.TrimPrefix(org, "/orgs/")

	b := newBrowser(t, p.base)
	p.signIn(b, "analyst", "")
	b.setLang("en")
	b.open("/analyst/pending", shot("pending-reject"))
	reject := fmt.Sprintf(`button[aria-label="Reject %s"]`, name)
	if !b.has(reject) || !b.has("#reason-"+id) {
		t.Fatalf("%s has no reject form on the pending page", name)
	}
	b.submit(map[string]string{"#reason-" + id: reason}, reject, "")
	b.wantPath(`/analyst/pending\?msg=pending.rejected`)
	if b.has(reject) || !strings.Contains(b.text("#rejected-h + div"), reason) {
		t.Errorf("the rejected organisation is not listed as rejected with its reason: %q", b.text("main"))
	}
	b.setLang("nl")
	b.open("/analyst/pending", shot("pending-reject-nl"))
	b.setLang("en")

	// The member's e-mail leads to the registry page, which says why.
	link := p.mailedLink(t, p.logins["member"].Email, `/orgs/\d+/registry`)
	if link != org+"/registry" {
		t.Errorf("the e-mail links to %s; want %s/registry", link, org)
	}
	m.open(org, "")
	if !m.has("#rejected") || !strings.Contains(m.text("#rejected"), reason) {
		t.Errorf("the overview does not say that the organisation was rejected and why: %q", m.text("main"))
	}
	m.open(link, shot("member-registry-rejected"))
	m.setLang("nl")
	m.open(link, "")
	m.setLang("en")
	m.submit(map[string]string{"#note": note}, `form[action$="/reapply"] button[type="submit"]`, "")
	m.wantPath(org + `/registry\?msg=registry.reapplied`)
	m.open(org, "")
	if m.has("#rejected") || !m.has("#pending") {
		t.Error("the organisation does not wait again after asking again")
	}
	b.open("/analyst/pending", "")
	if !b.has(reject) || !strings.Contains(b.text("main table"), note) {
		t.Errorf("the analyst does not find the organisation waiting with the note: %q", b.text("main"))
	}
	// An analyst checks ownership by hand (as for an AS number), which
	// approves the organisation that waits again.
	b.open(org+"/registry", shot("registry-confirm"))
	b.submit(map[string]string{`form.confirm input[name="how"]`: "Domain holder confirmed by telephone"}, `form.confirm button[type="submit"]`, "")
	b.wantPath(org + `/registry\?msg=registry.confirmed`)
	if !strings.Contains(b.text("main table"), "Domain holder confirmed by telephone") {
		t.Errorf("the registry does not show how ownership was checked: %q", b.text("main table"))
	}
	m.open(org, "")
	if m.has("#pending") || m.has("#rejected") {
		t.Error("the organisation still waits after an analyst verified its domain")
	}
	b.open("/analyst/audit", "")
	if txt := b.text("main table"); !strings.Contains(txt, "org.reject") || !strings.Contains(txt, "org.reapply") || !strings.Contains(txt, "asset.verify") {
		t.Error("the rejection, the new request and the check are not in the audit log")
	}
}
