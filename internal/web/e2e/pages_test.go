// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/label"
	"vigil/internal/rating"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/store/storetest/pageseed"
	"vigil/internal/web"
)

// pagesExempt are the GET pages of the route table TestEveryPage does not
// open, each with the reason. A new page is visited unless it is named
// here.
var pagesExempt = map[string]string{}

// errorTitle is the heading of the error page per language.
var errorTitle = map[string]string{"en": "Something went wrong", "nl": "Er ging iets mis"}

// TestEveryPage is generated from the route table: every GET page is
// opened in chromium in English and in Dutch by a persona allowed to see
// it (the administrator for staff pages, the session awaiting its second
// factor for the second-factor pages, nobody for public pages, a member
// for the organisation's pages, and the organisation's maker as well for
// each page open to makers: Route.Makers), on
// the data the server-side page tests use (pageseed). Each page must
// answer 200 with its own heading in the chosen language (not the error
// page), pass axe-core with no serious or critical violation and log no
// console error. Downloads and images (routes with a content type) are
// fetched with the persona's session and must answer 200 with their type.
func TestEveryPage(t *testing.T) {
	chromiumPath(t)
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		base := "http://" + ln.Addr().String()
		logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
		ks, err := label.OpenKeyStore(t.TempDir(), time.Now, nil)
		if err != nil {
			t.Fatal(err)
		}
		ratings, err := rating.New(rating.Config{Store: st, Keys: ks, BaseURL: base, Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		a := app.New(st, config.Defaults(), logger)
		// The demo's mailbox, with a message: its page is in the table.
		if _, err := a.OpenMailbox(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = a.Close() })
		pageseed.Mail(t, a, base)
		orgs := pageseed.Orgs(t, st, ratings)
		pageseed.Leavers(st, orgs) // an open invitation per organisation
		pageseed.Run(t, a)
		notices, outbox := pageseed.Warnings(t, st, orgs)
		// The sessions are given to the browser as cookies: passwords are
		// not used, so a cheap hash will do.
		accounts := &account.Service{Store: st, Now: st.Now, Issuer: "vigil",
			Hash: func(pw string) string { return "plain:" + pw }, Verify: func(h, pw string) bool { return h == "plain:"+pw }}
		personas := pageseed.Personas(t, st, accounts, orgs)
		own := pageseed.IDsOf(st, orgs[0], notices[orgs[0].ID], outbox)
		queries := pageseed.PageQueries()

		srv, err := web.New(web.Config{Store: st, App: a, Logger: logger, Version: "e2e", BaseURL: base, Labels: ratings})
		if err != nil {
			t.Fatal(err)
		}
		hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = hs.Serve(ln) }()
		t.Cleanup(func() { _ = hs.Close() })

		b := newBrowserFor(t, base, 10*time.Minute)
		// as gives the browser the persona's session (none for Anon) and
		// the language cookie.
		as := func(persona, lang string) {
			cookies := []*network.CookieParam{{Name: web.LangCookie, Value: lang, URL: base}}
			if persona != pageseed.Anon {
				cookies = append(cookies, &network.CookieParam{Name: web.SessionCookie, Value: personas[persona].Cookie, URL: base, HTTPOnly: true})
			}
			b.run("cookies of "+persona+" in "+lang, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				if _, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
					return err
				}
				_, err := cdp.Call(ctx, tg, network.SetCookies, network.SetCookiesParams{Cookies: cookies})
				return err
			}))
		}
		pages, visited, asMaker := 0, 0, 0
		stale := maps.Clone(pagesExempt)
		for _, rt := range srv.Routes() {
			if !rt.IsPage() || rt.Method != http.MethodGet {
				continue
			}
			pages++
			delete(stale, rt.ID)
			if why, ok := pagesExempt[rt.ID]; ok {
				t.Logf("%s not opened: %s", rt.ID, why)
				continue
			}
			persona := pageseed.MemberA
			switch {
			case rt.Role != "":
				persona = pageseed.Admin
			case rt.HalfSession():
				persona = pageseed.Half
			case rt.Public:
				persona = pageseed.Anon
			}
			// A page open to makers (Route.Makers) is opened by the
			// organisation's maker too, who sees it with a maker's
			// navigation and links.
			visits := []struct{ persona, suffix string }{{persona, ""}}
			if rt.Makers {
				visits = append(visits, struct{ persona, suffix string }{pageseed.MakerA, "/maker"})
				asMaker++
			}
			path := own.Fill(rt.Path) + queries[rt.ID]
			visited++
			for _, v := range visits {
				for _, lang := range web.Languages() {
					t.Run(rt.ID+"/"+lang+v.suffix, func(t *testing.T) {
						b.t = t
						openPage(b, base, path, v.persona, lang, rt.ContentType, as)
					})
				}
			}
		}
		b.t = t
		for id := range stale {
			t.Errorf("exempt page %s is not a GET page of the table", id)
		}
		if asMaker == 0 {
			t.Error("no page was opened as a maker: the table opens none to makers")
		}
		if pages < 40 || visited+len(pagesExempt) != pages {
			t.Errorf("%d GET pages in the table, %d opened, %d exempt", pages, visited, len(pagesExempt))
		}
	})
}

// openPage opens path in chromium as persona in lang (as sets the
// cookies) and checks it: 200 on the page itself with its own heading in
// that language, axe-core and the console clean. A download or an image
// (ctype set) is fetched with the session instead.
func openPage(b *browser, base, path, persona, lang, ctype string, as func(persona, lang string)) {
	t := b.t
	t.Helper()
	as(persona, lang)
	if ctype != "" {
		fetchDownload(b, path, ctype)
		return
	}
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Navigate(base+path))
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	b.run("open "+path, chromedp.WaitReady(chromedp.CSS("body")))
	if resp.Status != http.StatusOK {
		t.Errorf("%s as %q: status %d; want 200 (%q)", path, persona, resp.Status, b.text("main"))
	}
	if got := b.path(); got != path {
		t.Errorf("%s as %q: landed on %s", path, persona, got)
	}
	if got := get(b, "lang", chromedp.AttributeValue(chromedp.CSS("html"), "lang")).Value; got != lang {
		t.Errorf("%s: lang %q; want %q", path, got, lang)
	}
	if !b.has("main h1") {
		t.Errorf("%s has no heading", path)
	} else if h := b.text("main h1"); h == errorTitle[lang] {
		t.Errorf("%s as %q is the error page", path, persona)
	}
	// The main navigation is one line at the window's 1280 px, however
	// many links the persona has (an administrator's are the most).
	if rows := get(b, "navigation rows on "+path, chromedp.Evaluate[int](navRowsJS)); rows != 1 {
		t.Errorf("%s as %q (%s): the main navigation takes %d lines at 1280 px; want 1", path, persona, lang, rows)
	}
	shot := ""
	if *screenshots != "" && persona == pageseed.Admin {
		shot = "every-" + strings.NewReplacer("/", "-", "?", "-", "=", "-", "&", "-").Replace(strings.Trim(path, "/")) + "-" + lang
	}
	b.check(shot)
}

// navRowsJS counts the lines the main navigation's items take (a closed
// menu's items aside): items whose vertical middles lie within 8 px of
// each other share a line.
const navRowsJS = `(() => {
  const mids = [...document.querySelectorAll('body > header nav:first-of-type > ul > li')]
    .map(li => li.getBoundingClientRect()).filter(r => r.height > 0).map(r => r.top + r.height / 2).sort((a, b) => a - b);
  let rows = 0, last = -1e9;
  for (const m of mids) { if (m - last > 8) { rows++; last = m; } }
  return rows;
})()`

// fetchDownload fetches a download or an image with the browser's session
// and checks that it answers 200 with a body of the route's type.
func fetchDownload(b *browser, path, ctype string) {
	b.t.Helper()
	if !strings.HasPrefix(b.path(), "/") {
		b.run("open the start page", chromedp.Navigate(b.base+"/"), chromedp.WaitReady(chromedp.CSS("body")))
	}
	js := fmt.Sprintf(`fetch(%q).then(async r => JSON.stringify({status: r.status, type: r.headers.get("Content-Type"), size: (await r.arrayBuffer()).byteLength}))`, path)
	var got struct {
		Status int    `json:"status"`
		Type   string `json:"type"`
		Size   int    `json:"size"`
	}
	if err := json.Unmarshal([]byte(get(b, "fetch "+path, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))), &got); err != nil {
		b.t.Fatal(err)
	}
	if got.Status != http.StatusOK || !strings.HasPrefix(got.Type, ctype) || got.Size == 0 {
		b.t.Errorf("%s: %+v; want 200, %s, a body", path, got, ctype)
	}
}
