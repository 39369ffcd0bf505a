// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vigil/internal/ingest"
)

// liveTimeout bounds the wait for a polled part of a page to show a
// change (the page polls every 2 s; the bound is for a busy machine, not
// a timing assertion).
const liveTimeout = 30 * time.Second

// runProgressJourney: an analyst opens the page of an ingest run that is
// running; while the run commits batches the page's progress and counts
// change without the page being reloaded (htmx polls the run's progress
// fragment), and once the run has finished the page shows it and stops
// polling. The page is checked (axe, console) while running and after.
func runProgressJourney(t *testing.T, p *portal, shot func(string) string) {
	ctx := context.Background()
	run := ingest.Run{Source: "e2e-live.csv", FeedType: "csv", ReportType: "scan_rdp"}
	if err := p.st.RunStart(ctx, &run); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, p.base)
	p.signIn(b, "analyst", "")
	path := fmt.Sprintf("/analyst/runs/%d", run.ID)
	b.open(path, "")
	// The analyst's language is whatever an earlier journey left it at;
	// the texts follow it.
	lang := get(b, "the page's language", chromedp.Evaluate[string](`document.documentElement.lang`))
	texts, ok := map[string][2]string{"en": {"%d lines committed", "finished"}, "nl": {"%d regels vastgelegd", "klaar"}}[lang]
	if !ok {
		t.Fatalf("the run page's language is %q", lang)
	}
	lines := func(n int) string { return fmt.Sprintf(texts[0], n) }
	if got := b.text("#run-lines"); got != lines(0) {
		t.Errorf("a new run's progress = %q", got)
	}
	if !b.has(`#run-live[hx-trigger]`) {
		t.Fatal("the running run's page does not poll its progress")
	}
	// A reload would drop this mark.
	get(b, "mark the page", chromedp.Evaluate[bool](`window.__vigilRunPage = true`))
	notReloaded := func(when string) {
		t.Helper()
		if !get(b, "the mark", chromedp.Evaluate[bool](`window.__vigilRunPage === true`)) {
			t.Errorf("%s: the page was reloaded", when)
		}
	}

	run.CommittedLine, run.Rows, run.Matched, run.FindingsNew = 1200, 1199, 900, 850
	if err := p.st.RunCheckpoint(ctx, &run); err != nil {
		t.Fatal(err)
	}
	waitText(b, "#run-lines", lines(1200))
	waitText(b, "#run-new", "850")
	notReloaded("after a batch")
	if !b.has(`#run-live[hx-trigger]`) {
		t.Error("the page stopped polling while the run is running")
	}
	b.check(shot("run-progress"))

	run.CommittedLine, run.Rows, run.FindingsNew = 2400, 2399, 1700
	if err := p.st.RunCheckpoint(ctx, &run); err != nil {
		t.Fatal(err)
	}
	if err := p.st.RunFinish(ctx, &run); err != nil {
		t.Fatal(err)
	}
	waitText(b, "#run-state", texts[1])
	notReloaded("after the end")
	if got := b.text("#run-rows"); got != "2399" {
		t.Errorf("the finished run's rows = %q; want 2399", got)
	}
	if b.has(`[hx-trigger]`) {
		t.Error("the page still polls after the run has finished")
	}
	b.check(shot("run-finished"))
}

// waitText waits, at most liveTimeout, until the text of the element
// matched by sel is want.
func waitText(b *browser, sel, want string) {
	b.t.Helper()
	deadline := time.Now().Add(liveTimeout)
	js := fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, sel)
	var got string
	for time.Now().Before(deadline) {
		got = strings.TrimSpace(get(b, "text of "+sel, chromedp.Evaluate[string](js)))
		if got == want {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.t.Fatalf("%s shows %q, not %q, %s after the change (no reload)", sel, got, want, liveTimeout)
}
