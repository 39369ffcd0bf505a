// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web_test

import (
	"context"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/demo"
	"vigil/internal/web"
)

// TestDemoMailboxSignUp is a newcomer's sign-up in the served demo: the
// sign-up page sends the confirmation through the outbox, whose delivery
// (real SMTP) leaves it in the demo mailbox; the administrator finds it on
// the mailbox page, the newcomer follows its link, confirms with the
// password of the sign-up and is signed in, then signs in again from a new
// browser.
func TestDemoMailboxSignUp(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the whole demo")
	}
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	x, res, err := demo.Run(ctx, demo.Options{Dir: t.TempDir(), URL: base, Config: config.Defaults()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = x.Close() })
	if x.Mailbox() == nil || !x.SendsMail() {
		t.Fatal("the served demo has no mailbox")
	}
	srv, err := web.New(web.Config{Store: x.Store(), App: x, Version: "test", BaseURL: x.Config().BaseURL})
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })

	newcomer, admin := newBrowser(t, base), newBrowser(t, base)
	const addr, password = "newcomer@example.org", "a long enough demo password"
	if code, body := newcomer.get("/signup"); code != http.StatusOK || !strings.Contains(body, `action="/signup"`) {
		t.Fatalf("sign-up page: %d %.500s", code, body)
	}
	if r := newcomer.post("/signup", url.Values{"email": {addr}, "name": {"New Comer"}, "password": {password}, "lang": {"en"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-up: status %d", r.StatusCode)
	}
	// What the node's delivery job does every half minute.
	run, err := x.NotifyRun(ctx, app.NotifyRunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if run.Delivery == nil || run.Delivery.Sent == 0 || !run.EmailReady {
		t.Fatalf("the outbox sent nothing: %+v", run)
	}

	var adminLogin demo.Login
	for _, l := range res.Logins {
		if l.Role == "admin" {
			adminLogin = l
		}
	}
	admin.signIn(adminLogin.Email, adminLogin.Password, adminLogin.TOTPSecret)
	code, list := admin.get("/")
	if code != http.StatusOK || !strings.Contains(list, `href="/admin/mailbox"`) {
		t.Fatalf("the administrator's navigation lacks the mailbox: %d %.1000s", code, list)
	}
	code, list = admin.get("/admin/mailbox")
	row := regexp.MustCompile(`<td>` + regexp.QuoteMeta(addr) + `</td>\s*<td><a href="(/admin/mailbox\?m=\d+)#message">`).FindStringSubmatch(list)
	if code != http.StatusOK || row == nil {
		t.Fatalf("the mailbox lists no message to %s: %d %.3000s", addr, code, list)
	}
	code, msg := admin.get(html.UnescapeString(row[1]))
	link := regexp.MustCompile(`<a href="(` + regexp.QuoteMeta(base) + `/signup/confirm\?token=[^"]+)" rel="noopener noreferrer">`).FindStringSubmatch(msg)
	if code != http.StatusOK || link == nil {
		t.Fatalf("the message has no confirmation link: %d %.3000s", code, msg)
	}

	path := strings.TrimPrefix(html.UnescapeString(link[1]), base)
	code, page := newcomer.get(path)
	token := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(page)
	if code != http.StatusOK || token == nil {
		t.Fatalf("confirmation page: %d %.1000s", code, page)
	}
	r := newcomer.post("/signup/confirm", url.Values{"token": {html.UnescapeString(token[1])}, "password": {password}})
	if loc := r.Header.Get("Location"); r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/register") {
		t.Fatalf("confirmation: %d to %q", r.StatusCode, loc)
	}
	if code, body := newcomer.get("/account"); code != http.StatusOK || !strings.Contains(body, addr) {
		t.Errorf("after confirming, the account page: %d %.500s", code, body)
	}
	again := newBrowser(t, base)
	again.signIn(addr, password, "")
	if code, body := again.get("/account"); code != http.StatusOK || !strings.Contains(body, addr) {
		t.Errorf("signed in again, the account page: %d %.500s", code, body)
	}
}

// browser is a client with its own cookies that does not follow
// redirects.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	res, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	return res.StatusCode, string(body)
}

func (b *browser) post(path string, form url.Values) *http.Response {
	b.t.Helper()
	if strings.HasPrefix(path, "/login/totp") || strings.HasPrefix(path, "/signup/confirm") {
		// A page that has a session sends its CSRF token.
		_, page := b.get(path)
		if m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page); m != nil {
			form.Set("csrf", html.UnescapeString(m[1]))
		}
	}
	res, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// signIn signs in with the password and, for staff, a code of the TOTP
// key.
func (b *browser) signIn(email, password, key string) {
	b.t.Helper()
	res := b.post("/login", url.Values{"email": {email}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("sign-in of %s: status %d", email, res.StatusCode)
	}
	if key == "" {
		return
	}
	code, err := totp.GenerateCode(key, time.Now())
	if err != nil {
		b.t.Fatal(err)
	}
	if res := b.post("/login/totp", url.Values{"code": {code}}); res.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("second factor of %s: status %d", email, res.StatusCode)
	}
}
