// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"bytes"
	"context"
	_ "embed" // axe-core
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

//go:embed testdata/axe.min.js
var axeSource string

// screenshots is where the suite saves its screenshots; empty: a
// temporary directory. docs/screenshots/refresh.sh runs the journeys with
// it and keeps the pictures the README shows.
var screenshots = flag.String("screenshots", "", "directory for the screenshots (default: a temporary one)")

// chromiumPath finds Debian's chromium. Outside CI a missing browser skips
// the suite with the command that installs it; in CI it fails.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("VIGIL_CHROMIUM"), "chromium", "chromium-browser"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed, and CI must run the browser suite: apt-get install -y chromium")
	}
	t.Skip("chromium is not installed: apt-get install -y chromium (the browser suite is skipped)")
	return ""
}

// browser is one headless chromium with a tab, recording console errors
// and failed checks of the pages it visits.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string // screenshots

	mu     sync.Mutex
	errors []message
}

// newBrowser starts chromium with the flags this machine needs (no sandbox
// as root, no background networking on a closed network) and a fresh
// profile, for a journey of at most eight minutes (a bound for a machine
// shared with other work, not a timing assertion).
func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	return newBrowserFor(t, base, 8*time.Minute)
}

// newBrowserFor is newBrowser for a test that may take up to limit.
func newBrowserFor(t *testing.T, base string, limit time.Duration) *browser {
	t.Helper()
	path := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:0:0],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("password-store", "basic"),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, limit)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	b := &browser{t: t, ctx: ctx, base: base, dir: *screenshots}
	if b.dir == "" {
		b.dir = t.TempDir()
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.fail(message{text: fmt.Sprintf("console %s: %s (%s)", m.Type, m.Text, m.URL), url: m.URL, network: m.Source == "network"})
			}
		}
	}()
	client := chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"X-Forwarded-For": nextClientAddr()}})
		return err
	})
	if err := chromedp.Do(ctx, client, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return b
}

// clients counts the browsers started, one address each.
var clients atomic.Uint32

// nextClientAddr is the address the next browser says it comes from (in
// 198.18.0.0/15, the range set aside for tests). Every browser is another
// person at another address, as in the field: the portal's per-client
// limits (sign-in, reset, invitation) count each journey's own attempts,
// not those of every journey before it. The portal under test trusts
// X-Forwarded-For from loopback (trustedLoopback) to see it.
func nextClientAddr() string {
	n := clients.Add(1)
	return fmt.Sprintf("198.%d.%d.%d", 18+n>>16&1, n>>8&0xff, n&0xff)
}

// message is a console message the suite fails on.
type message struct {
	text, url string
	network   bool // a failed load
}

func (b *browser) fail(msg message) {
	b.mu.Lock()
	b.errors = append(b.errors, msg)
	b.mu.Unlock()
}

// run runs browser actions and fails the test on an error.
func (b *browser) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// get runs one browser action and returns its value.
func get[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	return v
}

// open navigates to a path of the portal and checks the page.
func (b *browser) open(path, shot string) {
	b.t.Helper()
	b.run("open "+path, chromedp.Navigate(b.base+path), chromedp.WaitReady(chromedp.CSS("body")))
	b.check(shot)
}

// submit fills the form fields (CSS selector → value), clicks the submit
// button matched by button and checks the page it lands on.
func (b *browser) submit(fields map[string]string, button, shot string) {
	b.t.Helper()
	var acts []chromedp.Action[chromedp.Void]
	for sel, v := range fields {
		acts = append(acts, chromedp.SetValue(chromedp.CSS(sel), v))
	}
	if len(acts) > 0 {
		b.run("fill the form of "+button, acts...)
	}
	b.clickAndLoad("submit "+button, button)
	b.check(shot)
}

// loadTimeout bounds the wait for the page a click leads to.
const loadTimeout = 30 * time.Second

// clickAndLoad clicks the element matched by sel and waits until the page
// it leads to has loaded: the current document is marked before the click,
// and the wait ends when a document without the mark is complete. A fixed
// pause raced the navigation when the machine was busy.
func (b *browser) clickAndLoad(what, sel string) {
	b.t.Helper()
	get(b, what+": mark the page", chromedp.Evaluate[bool](`window.__vigilBefore = true`))
	b.run(what, chromedp.Click(chromedp.CSS(sel)))
	deadline := time.Now().Add(loadTimeout)
	for {
		// Errors are expected while the old document goes away.
		loaded, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](
			`window.__vigilBefore !== true && document.readyState === "complete"`))
		if err == nil && loaded {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: no new page loaded within %s", what, loadTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// axeResult is the part of axe.run's result the suite reads.
type axeResult struct {
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any  `json:"target"`
			HTML   string `json:"html"`
		} `json:"nodes"`
	} `json:"violations"`
}

// check runs axe-core on the current page and fails on serious or
// critical violations, fails on console errors so far, and saves a
// screenshot when shot is not empty.
func (b *browser) check(shot string) {
	b.t.Helper()
	loc := get(b, "location", chromedp.Location())
	lang := get(b, "lang", chromedp.AttributeValue(chromedp.CSS("html"), "lang")).Value
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[*runtime.RemoteObject](axeSource)); err != nil {
		b.t.Fatalf("inject axe-core on %s: %v", loc, err)
	}
	s := get(b, "axe on "+loc, chromedp.Evaluate[string](
		`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify({violations: r.violations}))`, chromedp.EvalAwaitPromise))
	var res axeResult
	if err := json.Unmarshal([]byte(s), &res); err != nil {
		b.t.Fatalf("axe result on %s: %v", loc, err)
	}
	for _, v := range res.Violations {
		if v.Impact == "serious" || v.Impact == "critical" {
			var where []string
			for _, n := range v.Nodes {
				where = append(where, n.HTML)
			}
			b.t.Errorf("axe on %s (%s): %s %s: %s — %s", loc, lang, v.Impact, v.ID, v.Help, strings.Join(where, " | "))
		}
	}
	// No page scrolls sideways at the window's width: the overflow names
	// the element that reaches furthest right.
	if wide := get(b, "width of "+loc, chromedp.Evaluate[string](overflowJS)); wide != "" {
		b.t.Errorf("on %s (%s): the page is wider than the window: %s", loc, lang, wide)
	}
	time.Sleep(100 * time.Millisecond) // console messages arrive asynchronously
	b.mu.Lock()
	errs := b.errors
	b.errors = nil
	b.mu.Unlock()
	for _, e := range errs {
		// The page's own error status (a 404 page, a refused form) is
		// what the journey asserts; any other failed load is an error.
		if e.network && strings.SplitN(e.url, "#", 2)[0] == strings.SplitN(loc, "#", 2)[0] {
			continue
		}
		b.t.Errorf("on %s: %s", loc, e.text)
	}
	if shot != "" {
		shotPNG := get(b, "screenshot", chromedp.FullScreenshot(100))
		if err := saveShot(filepath.Join(b.dir, shot+".png"), shotPNG); err != nil {
			b.t.Fatal(err)
		}
	}
	b.t.Logf("checked %s (%s)", loc, lang)
}

// overflowJS answers "" when document.documentElement.scrollWidth fits
// window.innerWidth, else both widths and the element whose right edge is
// furthest out.
const overflowJS = `(() => {
  const sw = document.documentElement.scrollWidth, w = window.innerWidth;
  if (sw <= w) return "";
  let far = null, right = 0;
  const clipped = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect().right + window.scrollX;
    if (r > right && !clipped(el)) { right = r; far = el; }
  }
  const what = far ? far.tagName.toLowerCase() + (far.id ? "#" + far.id : "") + " " + JSON.stringify((far.textContent || "").trim().slice(0, 40)) : "?";
  return "scrollWidth " + sw + " > innerWidth " + w + "; " + what + " ends at x=" + Math.round(right);
})()`

// maxShotHeight bounds a screenshot's height in pixels (at the window's
// 1280 wide): a long page is cut there, below what a reader of the README
// looks at, so that the pictures stay small.
const maxShotHeight = 1500

// saveShot writes a full-page screenshot cut to maxShotHeight, compressed
// as much as PNG allows.
func saveShot(file string, data []byte) error {
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("screenshot %s: %w", file, err)
	}
	if r := img.Bounds(); r.Dy() > maxShotHeight {
		if sub, ok := img.(interface {
			SubImage(image.Rectangle) image.Image
		}); ok {
			img = sub.SubImage(image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+maxShotHeight))
		}
	}
	var out bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, img); err != nil {
		return fmt.Errorf("screenshot %s: %w", file, err)
	}
	return os.WriteFile(file, out.Bytes(), 0o644)
}

// text returns the text of the first element matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return get(b, "text of "+sel, chromedp.Text(chromedp.CSS(sel)))
}

// has reports whether an element matches sel.
func (b *browser) has(sel string) bool {
	b.t.Helper()
	n := get(b, "find "+sel, chromedp.Evaluate[bool](fmt.Sprintf("document.querySelector(%q) !== null", sel)))
	return n
}

// path returns the current path and query.
func (b *browser) path() string {
	b.t.Helper()
	return strings.TrimPrefix(get(b, "location", chromedp.Location()), b.base)
}

// wantPath fails unless the current path matches the pattern.
func (b *browser) wantPath(pattern string) {
	b.t.Helper()
	if p := b.path(); !regexp.MustCompile("^" + pattern + "$").MatchString(p) {
		b.t.Fatalf("at %s; want %s", p, pattern)
	}
}
