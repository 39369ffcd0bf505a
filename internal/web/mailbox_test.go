// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"net/http"
	"net/smtp"
	"net/url"
	"strings"
	"testing"

	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestLinkify: a plain text's http(s) links become links, without the
// punctuation that ends the sentence; anything else stays text.
func TestLinkify(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want []textPart
	}{
		{"", nil},
		{"no links here", []textPart{{Text: "no links here"}}},
		{"Follow https://vigil.test/signup/confirm?token=a%2Bb.", []textPart{{Text: "Follow "},
			{Text: "https://vigil.test/signup/confirm?token=a%2Bb", URL: "https://vigil.test/signup/confirm?token=a%2Bb"}, {Text: "."}}},
		{"(see http://x.test/a), then javascript:alert(1)", []textPart{{Text: "(see "}, {Text: "http://x.test/a", URL: "http://x.test/a"},
			{Text: "), then javascript:alert(1)"}}},
		{"https://a.test/1\nhttps://b.test/<b>", []textPart{{Text: "https://a.test/1", URL: "https://a.test/1"}, {Text: "\n"},
			{Text: "https://b.test/", URL: "https://b.test/"}, {Text: "<b>"}}},
	} {
		got := linkify(c.in)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("linkify(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}

// TestMailboxPage: the demo mailbox lists what arrived by SMTP, newest
// first, and shows a message's plain text with its web links clickable and
// everything else escaped, in English and Dutch; an unknown message is
// not found; the navigation offers it to administrators only; a server
// whose application has no mailbox has no such page.
func TestMailboxPage(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		mb := e.srv.app.Mailbox()
		send := func(subject, body string) {
			t.Helper()
			msg := "From: cert@vigil.test\r\nTo: someone@example.org\r\nSubject: " + subject + "\r\nDate: Mon, 23 Nov 2026 09:30:00 +0000\r\n" +
				"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
			if err := smtp.SendMail(mb.Addr(), nil, "cert@vigil.test", []string{"someone@example.org"}, []byte(msg)); err != nil {
				t.Fatal(err)
			}
		}
		// pageseed.Mail sent the first message.
		send("Second", "plain")
		send("<b>Confirm</b> your address", "Follow https://vigil.test/signup/confirm?token=a%2Bb&x=1.\n<script>alert(1)</script> javascript:alert(2)")
		for _, c := range []struct{ lang, title string }{{"en", "Demo mailbox"}, {"nl", "Demo-postvak"}} {
			h := map[string]string{"Accept-Language": c.lang}
			list := wantPage(t, e.page(preq{method: http.MethodGet, path: "/admin/mailbox", as: asAdmin, header: h}), http.StatusOK)
			third, second, first := strings.Index(list, `href="/admin/mailbox?m=3#message"`), strings.Index(list, `href="/admin/mailbox?m=2#message"`),
				strings.Index(list, `href="/admin/mailbox?m=1#message"`)
			if !strings.Contains(list, c.title) || third < 0 || second < third || first < second {
				t.Errorf("%s: the list lacks its title or the messages newest first: %.3000s", c.lang, list)
			}
			if strings.Contains(list, "<b>Confirm") || !strings.Contains(list, "&lt;b&gt;Confirm&lt;/b&gt; your address") {
				t.Errorf("%s: the subject is not escaped: %.3000s", c.lang, list)
			}
			msg := wantPage(t, e.page(preq{method: http.MethodGet, path: "/admin/mailbox?m=3", as: asAdmin, header: h}), http.StatusOK)
			for _, want := range []string{
				`<a href="https://vigil.test/signup/confirm?token=a%2Bb&amp;x=1" rel="noopener noreferrer">https://vigil.test/signup/confirm?token=a%2Bb&amp;x=1</a>.`,
				"&lt;script&gt;alert(1)&lt;/script&gt; javascript:alert(2)", "cert@vigil.test", "someone@example.org",
			} {
				if !strings.Contains(msg, want) {
					t.Errorf("%s: the message lacks %q: %.4000s", c.lang, want, msg)
				}
			}
			if strings.Contains(msg, "<script>alert") || strings.Contains(msg, `href="javascript`) {
				t.Errorf("%s: the message's text is not escaped: %.4000s", c.lang, msg)
			}
			if !strings.Contains(msg, `href="/admin/mailbox"`) {
				t.Errorf("%s: the administrator's navigation lacks the mailbox", c.lang)
			}
		}
		wantPage(t, e.page(preq{method: http.MethodGet, path: "/admin/mailbox?m=4", as: asAdmin}), http.StatusNotFound)
		wantPage(t, e.page(preq{method: http.MethodGet, path: "/admin/mailbox?m=0", as: asAdmin}), http.StatusNotFound)
		if body := wantPage(t, e.page(preq{method: http.MethodGet, path: "/analyst", as: asAnalyst}), http.StatusOK); strings.Contains(body, `href="/admin/mailbox"`) {
			t.Error("an analyst's navigation offers the mailbox")
		}

		plain := withoutMail(t, e)
		if body := wantPage(t, plain.page(preq{method: http.MethodGet, path: "/admin/users", as: asAdmin}), http.StatusOK); strings.Contains(body, "/admin/mailbox") {
			t.Error("without a mailbox the navigation offers one")
		}
		for _, rt := range plain.srv.Routes() {
			if rt.ID == "pageMailbox" {
				t.Error("without a mailbox the route table has its page")
			}
		}
	})
}

// withoutMail serves e's requests, from now on, by another server over
// its store whose application has neither a mailbox nor an SMTP relay: it
// sends no e-mail (vigil serve without notify.smtp_url).
func withoutMail(t *testing.T, e *pageEnv) *pageEnv {
	t.Helper()
	srv, err := New(Config{Store: e.st, App: testApp(e.st), BaseURL: "https://vigil.test", Version: "test", Labels: e.srv.labels})
	if err != nil {
		t.Fatal(err)
	}
	srv.accounts.Hash, srv.accounts.Verify = cheapHash, cheapVerify
	e.srv = srv
	return e
}

// TestNoMailRefusesForms: an installation that sends no e-mail says so on
// the sign-up, password reset and invitation forms instead of offering
// them, in English and Dutch, and refuses their POSTs (page 503 with the
// same words, API 503 unavailable) with nothing written.
func TestNoMailRefusesForms(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := withoutMail(t, newPageEnv(t, st))
		ctx := context.Background()
		org := e.orgs[0].ID
		registry := fmt.Sprintf("/orgs/%d/registry", org)
		notice := map[string]string{"en": "This installation sends no e-mail", "nl": "Deze installatie verstuurt geen e-mail"}
		refusal := map[string]string{"en": "this installation sends no e-mail", "nl": "deze installatie verstuurt geen e-mail"}
		for _, lang := range []string{"en", "nl"} {
			h := map[string]string{"Accept-Language": lang}
			for _, c := range []struct{ path, as, form string }{
				{"/signup", asAnon, `action="/signup"`},
				{"/password/forgot", asAnon, `action="/password/forgot"`},
				{registry, asMemberA, `name="invite_email"`},
			} {
				body := wantPage(t, e.page(preq{method: http.MethodGet, path: c.path, as: c.as, header: h}), http.StatusOK)
				if !strings.Contains(body, notice[lang]) || strings.Contains(body, c.form) {
					t.Errorf("%s in %s: no word that no e-mail is sent, or the form is offered: %.3000s", c.path, lang, body)
				}
			}
		}
		state := func() string {
			var audit, invitations int
			for q, n := range map[string]*int{`SELECT COUNT(*) FROM audit_log`: &audit, `SELECT COUNT(*) FROM account_tokens`: &invitations} {
				if err := st.QueryRow(ctx, q).Scan(n); err != nil {
					t.Fatal(err)
				}
			}
			return fmt.Sprintf("%s, %d audit entries, %d tokens", accountState(t, st), audit, invitations)
		}
		before := state()
		member := e.users[asMemberA].Email
		for i, c := range []struct {
			path, as string
			form     url.Values
		}{
			{"/signup", asAnon, url.Values{"email": {"newcomer@example.org"}, "password": {"correct horse battery staple"}, "lang": {"en"}}},
			{"/password/forgot", asAnon, url.Values{"email": {member}}},
			{fmt.Sprintf("/orgs/%d/invitations", org), asMemberA, url.Values{"invite_email": {"colleague@example.org"}, "invite_role": {"member"}, "invite_lang": {"nl"}}},
		} {
			path := c.path
			for _, lang := range []string{"en", "nl"} {
				rec := e.page(preq{method: http.MethodPost, path: path, as: c.as, form: c.form, header: map[string]string{"Accept-Language": lang},
					remote: fmt.Sprintf("198.51.100.%d:4000", 10*i+len(lang))})
				if body := wantPage(t, rec, http.StatusServiceUnavailable); !strings.Contains(body, refusal[lang]) {
					t.Errorf("POST %s in %s: the refusal does not say why: %.3000s", path, lang, body)
				}
			}
		}
		for _, c := range []struct{ path, token, body string }{
			{"/api/v1/signup", "", `{"email":"newcomer@example.org","password":"correct horse battery staple"}`},
			{"/api/v1/password/forgot", "", fmt.Sprintf(`{"email":%q}`, member)},
			{fmt.Sprintf("/api/v1/orgs/%d/invitations", org), tokARW, `{"email":"colleague@example.org"}`},
		} {
			p := wantProblem(t, e.send(req{method: http.MethodPost, path: c.path, token: c.token, body: c.body}), http.StatusServiceUnavailable, "")
			if p.Type != ProblemType+"unavailable" || !strings.Contains(p.Detail, "sends no e-mail") {
				t.Errorf("POST %s: %+v", c.path, p)
			}
		}
		if after := state(); after != before {
			t.Errorf("refused forms wrote: before %s, after %s", before, after)
		}
	})
}
