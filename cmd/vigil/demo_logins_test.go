// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"vigil/internal/config"
)

// TestCLIDemoLogins runs `vigil demo` as a newcomer would (served, on a
// free loopback port), reads what it prints until the logins, and signs in
// to the portal it serves with each printed login: the administrator, the
// analyst and the member of one demo organisation, staff with a code from
// the printed TOTP key. Each reaches a page of its role; the administrator
// finds the demo's warnings in its mailbox. The demo is then
// stopped through its context, as Ctrl-C would.
func TestCLIDemoLogins(t *testing.T) {
	args := []string{"demo", "--dir", t.TempDir(), "--addr", "127.0.0.1:0"}
	cfg, err := config.Load(args)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, cfg, args, strings.NewReader(""), pw, io.Discard)
		pw.CloseWithError(errors.Join(err, io.EOF))
		done <- err
	}()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("demo ended with %v", err)
			}
		case <-time.After(60 * time.Second):
			t.Error("the demo did not stop within a minute of its context ending")
		}
	}()

	type login struct{ role, email, password, totp string }
	var (
		base   string
		logins []login
		lines  []string
	)
	serving := regexp.MustCompile(`serving at (http://\S+) `)
	row := regexp.MustCompile(`^ {4}(admin|analyst|member)\s+(\S+)\s+password (\S+)(?:\s+TOTP key ([A-Z2-7]+))?`)
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := sc.Text()
		lines = append(lines, line)
		if m := serving.FindStringSubmatch(line); m != nil {
			base = m[1]
		}
		if m := row.FindStringSubmatch(line); m != nil {
			logins = append(logins, login{m[1], m[2], m[3], m[4]})
		}
		if strings.Contains(line, "try: curl") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }() // the rest of the summary
	if base == "" || len(logins) != 3 {
		t.Fatalf("demo printed no URL or not three logins (URL %q, logins %+v):\n%s", base, logins, strings.Join(lines, "\n"))
	}

	landing := map[string]string{"admin": "/admin/users", "analyst": "/analyst", "member": "/account"}
	for _, l := range logins {
		t.Run(l.role, func(t *testing.T) {
			if staff := l.role != "member"; staff != (l.totp != "") {
				t.Errorf("%s %s: TOTP key %q printed", l.role, l.email, l.totp)
			}
			jar, err := cookiejar.New(nil)
			if err != nil {
				t.Fatal(err)
			}
			c := &http.Client{Jar: jar, Timeout: 30 * time.Second,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			post := func(path string, form url.Values) *http.Response {
				t.Helper()
				res, err := c.PostForm(base+path, form)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				return res
			}
			get := func(path string) (int, string) {
				t.Helper()
				res, err := c.Get(base + path)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
				return res.StatusCode, string(b)
			}
			res := post("/login", url.Values{"email": {l.email}, "password": {l.password}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign-in of %s: status %d", l.email, res.StatusCode)
			}
			if l.totp != "" {
				if loc := res.Header.Get("Location"); loc != "/login/totp" {
					t.Fatalf("staff sign-in leads to %q; want the second factor", loc)
				}
				code, body := get("/login/totp")
				m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(body)
				if code != http.StatusOK || m == nil {
					t.Fatalf("second factor page: status %d, no CSRF field: %.300s", code, body)
				}
				otp, err := totp.GenerateCode(l.totp, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				if res := post("/login/totp", url.Values{"csrf": {m[1]}, "code": {otp}}); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
					t.Fatalf("second factor of %s: status %d to %q", l.email, res.StatusCode, res.Header.Get("Location"))
				}
			}
			if code, body := get(landing[l.role]); code != http.StatusOK {
				t.Errorf("%s after signing in: %s answers %d: %.300s", l.email, landing[l.role], code, body)
			}
			if l.role == "admin" {
				// The demo's warnings went to its mailbox, which the
				// administrator reads in the portal.
				if code, body := get("/admin/mailbox"); code != http.StatusOK || !strings.Contains(body, `href="/admin/mailbox?m=1#message"`) {
					t.Errorf("the demo mailbox: %d %.600s", code, body)
				}
			}
			if l.role == "member" {
				if _, body := get("/"); !strings.Contains(body, `href="/orgs/`) {
					t.Errorf("the member's home page leads to no organisation: %.600s", body)
				}
			}
		})
	}
}
