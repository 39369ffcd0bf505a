// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"regexp"
	"strings"
	"testing"
	"time"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/ingest"
	"vigil/internal/keyset"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/store/storetest/pageseed"
)

// sampleFeed is a Shadowserver RDP report of three rows in the test
// registry's ranges and one unreadable address (see testdata/SOURCES.md).
const sampleFeed = pageseed.SampleFeed

func readSample(t testing.TB) []byte {
	t.Helper()
	return pageseed.Sample()
}

// seedRun ingests the sample feed, so that the run pages have a run.
func seedRun(t testing.TB, e *env) int64 {
	t.Helper()
	return pageseed.Run(t, e.srv.app)
}

// runCount counts the stored ingest runs.
func runCount(t *testing.T, st *store.Store) int {
	t.Helper()
	rs, err := st.RunList(context.Background(), keyset.Page{Limit: 1000}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return len(rs)
}

// ingestAPIHappyPath is the ingest part of TestEndpointsHappyPath: upload
// a feed, read its run and quarantine, preview and run notify.
func ingestAPIHappyPath(t *testing.T, e *env, ok func(t *testing.T, r req, status int, schema string) []byte) {
	body := ok(t, req{method: "POST", path: "/api/v1/ingest/runs?name=" + sampleFeed, token: tokOp, body: string(readSample(t)), ctype: "text/csv"}, 200, "IngestSummary")
	var sum ingest.Summary
	if err := json.Unmarshal(body, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.RunID == 0 || sum.ReportType != "scan_rdp" || sum.Quarantined != 1 || sum.Matched < 2 || sum.FindingsNew < 2 {
		t.Errorf("upload summary = %+v", sum)
	}
	n := runCount(t, e.st)
	wantProblem(t, e.send(req{method: "POST", path: "/api/v1/ingest/runs", token: tokOp, body: "x", ctype: "text/csv"}), 400, "name")
	wantProblem(t, e.send(req{method: "POST", path: "/api/v1/ingest/runs?name=" + sampleFeed, token: tokOp, ctype: "-"}), 422, "file")
	wantProblem(t, e.send(req{method: "POST", path: "/api/v1/ingest/runs?name=..%2Fx.csv", token: tokOp, body: "x", ctype: "text/csv"}), 422, "file")
	if got := runCount(t, e.st); got != n {
		t.Errorf("%d runs after refused uploads; want %d", got, n)
	}

	page := decodeAs[Page[ingest.RunStatus]](t, e.send(req{method: "GET", path: "/api/v1/ingest/runs", token: tokOp}))
	ok(t, req{method: "GET", path: "/api/v1/ingest/runs?limit=1", token: tokOp}, 200, "RunPage")
	if len(page.Items) == 0 || page.Items[0].ID != sum.RunID || page.Items[0].State != ingest.StateFinished || page.Items[0].Trigger != sum.Trigger {
		t.Errorf("runs = %+v; want run %d first", page.Items, sum.RunID)
	}
	ok(t, req{method: "GET", path: fmt.Sprintf("/api/v1/ingest/runs/%d", sum.RunID), token: tokOp}, 200, "RunDetail")
	d := decodeAs[app.RunDetail](t, e.send(req{method: "GET", path: fmt.Sprintf("/api/v1/ingest/runs/%d", sum.RunID), token: tokOp}))
	if len(d.Quarantine) != 1 || d.Quarantine[0].Line != 4 || !strings.Contains(d.Quarantine[0].Raw, "192.0.2.999") {
		t.Errorf("quarantine of the run = %+v", d.Quarantine)
	}

	ok(t, req{method: "GET", path: "/api/v1/notify/preview", token: tokOp}, 200, "NotifyRunResult")
	pv := decodeAs[app.NotifyRunResult](t, e.send(req{method: "GET", path: "/api/v1/notify/preview", token: tokOp}))
	var found bool
	for _, np := range pv.Composed.Previews {
		for _, it := range np.Findings {
			if it.Key == "192.0.2.5:3389" && np.OrgID == e.orgs[0].ID && len(np.Recipients) > 0 && np.Recipients[0].Subject != "" {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("the preview has no notice to %s with 192.0.2.5: %+v", e.orgs[0].Name, pv)
	}
	res := decodeAs[app.NotifyRunResult](t, e.send(req{method: "POST", path: "/api/v1/notify/run", token: tokOp}))
	if res.Composed.Notices == 0 {
		t.Errorf("notify run = %+v", res)
	}
	ok(t, req{method: "POST", path: "/api/v1/notify/run", token: tokOp}, 200, "NotifyRunResult")
	after := decodeAs[app.NotifyRunResult](t, e.send(req{method: "GET", path: "/api/v1/notify/preview", token: tokOp}))
	if len(after.Composed.Previews) != 0 || !after.DryRun {
		t.Errorf("after the notify run the preview still has %d notices", len(after.Composed.Previews))
	}
	audit := string(ok(t, req{method: "GET", path: "/api/v1/audit", token: tokOp}, 200, "AuditPage"))
	for _, action := range []string{`"ingest.upload"`, `"notify.run"`} {
		if !strings.Contains(audit, action) {
			t.Errorf("the audit log lacks %s: %.400s", action, audit)
		}
	}
}

// upload posts a multipart form with the session's CSRF token, fields and,
// when name is set, a file (with its Content-Type header when ctype is set).
func (e *pageEnv) upload(as, path string, fields map[string]string, name, ctype string, content []byte) *httptest.ResponseRecorder {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("csrf", e.sessions[as].CSRF)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if name != "" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
		if ctype != "" {
			h.Set("Content-Type", ctype)
		}
		fw, _ := w.CreatePart(h)
		_, _ = fw.Write(content)
	}
	_ = w.Close()
	hr := httptest.NewRequest(http.MethodPost, path, &b)
	hr.RemoteAddr = "192.0.2.10:40000"
	hr.Header.Set("Content-Type", w.FormDataContentType())
	hr.AddCookie(&http.Cookie{Name: sessionCookie, Value: e.cookies[as]})
	if e.lang != "" {
		hr.Header.Set("Accept-Language", e.lang)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, hr)
	return rec
}

// TestIngestPages drives the analysts' ingest and notify pages: refused
// uploads name their field and write nothing; a good one shows its run,
// counts and quarantine; the preview names recipients, subject and
// findings; sending composes the notices; both actions are in the audit
// log.
func TestIngestPages(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		cfg := config.Defaults()
		cfg.Notify.DefaultMode = "immediate" // notices now, not digests
		e.srv.app = app.New(st, cfg, nil)
		n := runCount(t, st)
		for _, tc := range []struct {
			name    string
			fields  map[string]string
			file    string
			content []byte
			field   string
		}{
			{"no_file", map[string]string{"type": "auto"}, "", nil, "file"},
			{"empty_file", map[string]string{"type": "auto"}, sampleFeed, nil, "file"},
			{"bad_type", map[string]string{"type": "mapping"}, sampleFeed, readSample(t), "type"},
			{"hidden_name", nil, ".profile", []byte("x"), "file"},
			{"not_a_feed", map[string]string{"type": "shadowserver"}, "notes.csv", []byte("\x00\x01\x02"), "file"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body := wantPage(t, e.upload(asAnalyst, "/analyst/runs", tc.fields, tc.file, "", tc.content), http.StatusUnprocessableEntity)
				if !strings.Contains(body, `role="alert"`) || !strings.Contains(body, `href="#`+tc.field+`"`) || !strings.Contains(body, `id="`+tc.field+`-err"`) {
					t.Errorf("the page does not name field %s visibly:\n%s", tc.field, body)
				}
			})
		}
		if got := runCount(t, st); got != n {
			t.Errorf("%d runs after refused uploads; want %d", got, n)
		}

		// The sample was ingested when the env was made: the same content
		// again is refused on the box that reads it again.
		body := wantPage(t, e.upload(asAnalyst, "/analyst/runs", map[string]string{"type": "shadowserver"}, sampleFeed, "", readSample(t)), http.StatusConflict)
		if !strings.Contains(body, `href="#again"`) || !strings.Contains(body, `id="again-err"`) {
			t.Errorf("a repeated upload does not name the again box:\n%s", body)
		}
		if got := runCount(t, st); got != n {
			t.Errorf("%d runs after a repeated upload; want %d", got, n)
		}
		rec := e.upload(asAnalyst, "/analyst/runs", map[string]string{"type": "shadowserver", "trigger": "rdp-portal", "again": "true"}, sampleFeed, "", readSample(t))
		wantPage(t, rec, http.StatusSeeOther)
		loc := rec.Header().Get("Location")
		if !regexp.MustCompile(`^/analyst/runs/\d+\?msg=runs.ingested$`).MatchString(loc) {
			t.Fatalf("after the upload: Location %q", loc)
		}
		for _, lang := range Languages() {
			body := wantPage(t, e.page(preq{method: "GET", path: loc, as: asAnalyst, header: map[string]string{"Accept-Language": lang}}), http.StatusOK)
			for _, want := range []string{"rdp-portal", "192.0.2.999", `id="run-quarantined">1<`, `role="status"`} {
				if !strings.Contains(body, want) {
					t.Errorf("%s run page lacks %q", lang, want)
				}
			}
		}
		runs := wantPage(t, e.page(preq{method: "GET", path: "/analyst/runs", as: asAnalyst}), http.StatusOK)
		if !strings.Contains(runs, strings.SplitN(loc, "?", 2)[0]) {
			t.Error("the runs page does not link the new run")
		}

		preview := wantPage(t, e.page(preq{method: "GET", path: "/analyst/notify", as: asAnalyst}), http.StatusOK)
		for _, want := range []string{"security@waterschap-lage-landen.example", "192.0.2.5:3389", "rdp-portal", `<q class="subject">`} {
			if !strings.Contains(preview, want) {
				t.Errorf("the preview lacks %q", want)
			}
		}
		sent := wantPage(t, e.page(preq{method: "POST", path: "/analyst/notify", as: asAnalyst, form: map[string][]string{}}), http.StatusOK)
		if !strings.Contains(sent, `id="notify-result"`) || strings.Contains(sent, `id="notify-composed">0<`) {
			t.Errorf("the notify run composed nothing:\n%s", sent)
		}
		if !strings.Contains(sent, `id="no-notices"`) {
			t.Error("after sending, the preview still lists notices")
		}
		audit := wantPage(t, e.page(preq{method: "GET", path: "/analyst/audit", as: asAnalyst}), http.StatusOK)
		for _, action := range []string{"ingest.upload", "notify.run"} {
			if !strings.Contains(audit, action) {
				t.Errorf("the audit log lacks %s", action)
			}
		}
	})
}

// TestDashboardAfterAck checks that an acknowledgement made in the portal
// shows on the dashboard at its next view.
func TestDashboardAfterAck(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		seedNotices(t, e.env)
		total := regexp.MustCompile(`<tr><th scope="row">Total</th><td>\d+</td><td>\d+</td><td>(\d+)</td>`)
		acked := func() string {
			m := total.FindStringSubmatch(wantPage(t, e.page(preq{method: "GET", path: "/analyst", as: asAnalyst}), http.StatusOK))
			if m == nil {
				t.Fatal("the dashboard has no total row")
			}
			return m[1]
		}
		before := acked()
		a := e.orgs[0].ID
		wantPage(t, e.page(preq{method: "POST", path: fmt.Sprintf("/orgs/%d/notices/%d/ack", a, e.notices[a]), as: asMemberA}), http.StatusSeeOther)
		if after := acked(); after == before {
			t.Errorf("acknowledged warnings on the dashboard: %s before and after an acknowledgement", before)
		}
	})
}

// TestRunProgressFragment follows a run through the fragment its page
// polls: while the run is running the page and the fragment carry the
// polling (and the page a reload link for browsers without script), the
// fragment shows the counts as they are committed, and once the run has
// ended it comes without the polling, which stops it. Only analysts reach
// it, like the page.
func TestRunProgressFragment(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		run := ingest.Run{Source: "live.csv", FeedType: "csv", ReportType: "scan_rdp"}
		if err := st.RunStart(ctx, &run); err != nil {
			t.Fatal(err)
		}
		pagePath := fmt.Sprintf("/analyst/runs/%d", run.ID)
		fragPath := pagePath + "/progress"
		poll := `hx-get="` + fragPath + `" hx-trigger="every 2s" hx-swap="outerHTML"`
		fragment := func(lang string) string {
			t.Helper()
			body := wantPage(t, e.page(preq{method: "GET", path: fragPath, as: asAnalyst, header: map[string]string{"Accept-Language": lang}}), http.StatusOK)
			if strings.Contains(body, "<html") || strings.Contains(body, "<main") || !strings.HasPrefix(strings.TrimSpace(body), `<div id="run-live"`) {
				t.Errorf("the fragment is not the run's live part alone:\n%.300s", body)
			}
			return body
		}

		page := wantPage(t, e.page(preq{method: "GET", path: pagePath, as: asAnalyst}), http.StatusOK)
		for _, want := range []string{poll, `<noscript><a href="` + pagePath + `">Reload to follow the run</a></noscript>`, `id="run-lines">0 lines committed<`} {
			if !strings.Contains(page, want) {
				t.Errorf("the running run's page lacks %q", want)
			}
		}
		for _, step := range []struct {
			name   string
			commit func() error
			want   map[string][]string // per language
			poll   bool
		}{
			{"started", func() error { return nil },
				map[string][]string{"en": {">running <", "0 lines committed"}, "nl": {">bezig <", "0 regels vastgelegd"}}, true},
			{"checkpoint", func() error {
				run.CommittedLine, run.Rows, run.Matched, run.FindingsNew, run.Quarantined = 1200, 1199, 900, 850, 1
				return st.RunCheckpoint(ctx, &run)
			}, map[string][]string{"en": {"1200 lines committed", `id="run-rows">1199<`, `id="run-new">850<`, `id="run-quarantined">1<`},
				"nl": {"1200 regels vastgelegd", `id="run-rows">1199<`}}, true},
			{"finished", func() error {
				run.CommittedLine, run.Rows, run.FindingsNew = 2400, 2399, 1700
				if err := st.RunCheckpoint(ctx, &run); err != nil {
					return err
				}
				return st.RunFinish(ctx, &run)
			}, map[string][]string{"en": {">finished", `value="1"`, `id="run-rows">2399<`}, "nl": {">klaar", `id="run-new">1700<`}}, false},
		} {
			t.Run(step.name, func(t *testing.T) {
				if err := step.commit(); err != nil {
					t.Fatal(err)
				}
				for lang, wants := range step.want {
					body := fragment(lang)
					for _, w := range wants {
						if !strings.Contains(body, w) {
							t.Errorf("%s fragment lacks %q:\n%s", lang, w, body)
						}
					}
					if got := strings.Contains(body, "hx-trigger"); got != step.poll {
						t.Errorf("%s fragment polls: %v; want %v", lang, got, step.poll)
					}
				}
			})
		}
		page = wantPage(t, e.page(preq{method: "GET", path: pagePath, as: asAnalyst}), http.StatusOK)
		if strings.Contains(page, "hx-trigger") || strings.Contains(page, "<noscript>") {
			t.Error("the finished run's page still polls or offers the reload link")
		}

		for _, tc := range []struct {
			name, as, path string
			status         int
		}{
			{"member", asMemberA, fragPath, http.StatusForbidden},
			{"maker", asMakerA, fragPath, http.StatusForbidden},
			{"unknown_run", asAnalyst, "/analyst/runs/999999/progress", http.StatusNotFound},
			{"not_an_id", asAnalyst, "/analyst/runs/x/progress", http.StatusBadRequest},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantPage(t, e.page(preq{method: "GET", path: tc.path, as: tc.as}), tc.status)
			})
		}
		rec := e.page(preq{method: "GET", path: fragPath})
		if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
			t.Errorf("anonymous: %d %q; want the login page", rec.Code, rec.Header().Get("Location"))
		}
	})
}

// TestRunStoppedPages: a run that stopped without ending (no progress for
// longer than notify.run_grace, 2h by default) is shown stopped, with what
// that means, on its page and in the runs list, in every language, and its
// page no longer polls.
func TestRunStoppedPages(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		run := ingest.Run{Source: "killed.csv", FeedType: "csv", ReportType: "scan_rdp", SourceSHA256: strings.Repeat("c", 64)}
		if err := st.RunStart(ctx, &run); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Exec(ctx, `UPDATE ingest_runs SET started_at = ? WHERE id = ?`, st.Now().Add(-3*time.Hour).UTC(), run.ID); err != nil {
			t.Fatal(err)
		}
		want := map[string][]string{
			"en": {">stopped<", "Ingesting the same file again resumes it"},
			"nl": {">gestopt<", "Hetzelfde bestand opnieuw inlezen hervat haar"},
		}
		for _, lang := range Languages() {
			h := map[string]string{"Accept-Language": lang}
			body := wantPage(t, e.page(preq{method: "GET", path: fmt.Sprintf("/analyst/runs/%d/progress", run.ID), as: asAnalyst, header: h}), http.StatusOK)
			for _, w := range want[lang] {
				if !strings.Contains(body, w) {
					t.Errorf("%s: the stopped run's page lacks %q:\n%s", lang, w, body)
				}
			}
			if strings.Contains(body, "hx-trigger") {
				t.Errorf("%s: the stopped run's page polls", lang)
			}
			list := wantPage(t, e.page(preq{method: "GET", path: "/analyst/runs", as: asAnalyst, header: h}), http.StatusOK)
			if !strings.Contains(list, want[lang][0][:len(want[lang][0])-1]+"</td>") || !strings.Contains(list, `id="runs-stopped"`) {
				t.Errorf("%s: the runs list lacks the stopped run and its note:\n%s", lang, list)
			}
		}
	})
}
