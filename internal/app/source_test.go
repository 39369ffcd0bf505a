// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/registry"
	"vigil/internal/source"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

const (
	fakeKey    = "ss-key-7f3a"
	fakeSecret = "ss-secret-do-not-print-91c2"
	exchange   = "2025-06-01-scan_exchange-vigil_test-asn.csv"
)

// fakeShadowserver is a loopback Shadowserver Reports API: reports/list
// answers the reports of the asked date to a request whose HMAC2 header is
// the HMAC-SHA256 of its body under the secret (401 otherwise); a report
// is downloaded from /dl/<id>, the first time cut short when partial.
type fakeShadowserver struct {
	mu        sync.Mutex
	reports   map[string][]map[string]string // date → list entries
	files     map[string][]byte              // id → body
	partial   map[string]bool                // id → cut the next download short
	downloads map[string]int
	lists     int
	badSigs   int
	gone      bool
}

func (f *fakeShadowserver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.gone {
		http.Error(w, "gone", http.StatusServiceUnavailable)
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/api/reports/list":
		body, _ := io.ReadAll(r.Body)
		if !hmac.Equal([]byte(r.Header.Get("HMAC2")), []byte(source.ShadowserverSign(fakeSecret, body))) {
			f.badSigs++
			http.Error(w, `{"error":"invalid signature"}`, http.StatusUnauthorized)
			return
		}
		var req struct{ Apikey, Date string }
		if err := json.Unmarshal(body, &req); err != nil || req.Apikey != fakeKey {
			http.Error(w, `{"error":"unknown key"}`, http.StatusUnauthorized)
			return
		}
		f.lists++
		list := f.reports[req.Date]
		if list == nil {
			list = []map[string]string{}
		}
		json.NewEncoder(w).Encode(list)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/dl/"):
		id := strings.TrimPrefix(r.URL.Path, "/dl/")
		body, ok := f.files[id]
		if !ok {
			http.NotFound(w, r)
			return
		}
		f.downloads[id]++
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		if f.partial[id] {
			f.partial[id] = false
			w.Write(body[:len(body)/2]) // the connection closes short of Content-Length
			return
		}
		w.Write(body)
	default:
		http.NotFound(w, r)
	}
}

// clock is a test clock the store and the sources share.
type clock struct{ t atomic.Pointer[time.Time] }

func newClock(t time.Time) *clock { c := &clock{}; c.set(t); return c }
func (c *clock) now() time.Time   { return *c.t.Load() }
func (c *clock) set(t time.Time)  { c.t.Store(&t) }
func (c *clock) add(d time.Duration) {
	c.set(c.now().Add(d))
}

// sourceOrgs registers the two organisations of the Exchange report, with
// immediate warnings.
func sourceOrgs(t *testing.T, s *store.Store) {
	t.Helper()
	for _, o := range []registry.Org{
		{Name: "Ziekenhuis Midden", Policy: registry.Policy{Mode: "immediate"},
			Assets: []registry.Asset{{Kind: registry.KindCIDR, Value: "198.51.100.0/25"}}, Contacts: []registry.Contact{{Email: "soc@ziekenhuis.example", Role: "security"}}},
		{Name: "Gemeente Voorbeeld", Policy: registry.Policy{Mode: "immediate"}, Assets: []registry.Asset{{Kind: registry.KindCIDR, Value: "192.0.2.128/25"}},
			Contacts: []registry.Contact{{Email: "cert@gemeente.example", Role: "security"}}},
	} {
		if err := s.OrgCreate(context.Background(), tenant.Operator(), &o); err != nil {
			t.Fatal(err)
		}
	}
}

// sourceApp is the application layer with sources allowed on loopback,
// mail to the in-process sink, and a logger writing to logs.
func sourceApp(t *testing.T, s *store.Store, logs io.Writer) *app.App {
	t.Helper()
	cfg := config.Defaults()
	cfg.Labels.Keys = t.TempDir()
	cfg.Sources.AllowPrivate = true
	cfg.Sources.AlertTo = "operator@cert.example"
	cfg.Notify.SMTPURL = "sink:"
	return app.New(s, cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
}

// TestSourceShadowserver runs a Shadowserver source against its fake: a
// download cut short fails the run and ingests nothing, the retry ingests
// the report (findings, notices), the next run downloads nothing, a wrong
// secret is refused by the fake, and a provider that goes away fails runs
// until exactly one alert is raised. The credentials appear in no output
// and no log line.
func TestSourceShadowserver(t *testing.T) {
	csv, err := os.ReadFile("testdata/" + exchange)
	if err != nil {
		t.Fatal(err)
	}
	clk := newClock(time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC))
	storetest.EachOpts(t, storetest.Options{Now: clk.now}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clk.set(time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC))
		fake := &fakeShadowserver{files: map[string][]byte{"1001": csv}, partial: map[string]bool{"1001": true}, downloads: map[string]int{}}
		srv := httptest.NewServer(fake)
		t.Cleanup(srv.Close)
		// Today has the report; yesterday had none.
		fake.reports = map[string][]map[string]string{"2026-12-06": {{"id": "1001", "type": "scan_exchange", "file": exchange, "url": srv.URL + "/dl/1001"}}}
		sourceOrgs(t, s)
		var logs bytes.Buffer
		x := sourceApp(t, s, &logs)
		src, err := x.SourceAdd(ctx, source.Source{Name: "shadowserver", Kind: source.KindShadowserver, URL: srv.URL + "/api",
			Expect: source.Duration(24 * time.Hour), Credentials: source.Credentials{Key: fakeKey, Secret: fakeSecret}})
		if err != nil || !src.HasCredentials || src.AlertAfter != source.Duration(source.DefaultAlertAfter) {
			t.Fatalf("SourceAdd = %+v, %v", src, err)
		}

		run, err := x.SourceRun(ctx, "shadowserver")
		if err == nil || run.State != "failed" || len(run.Files) != 0 || !strings.Contains(run.Error, "unexpected EOF") {
			t.Fatalf("run with a download cut short = %+v, %v; want failed, nothing ingested", run, err)
		}
		run, err = x.SourceRun(ctx, "shadowserver")
		if err != nil || run.State != "ok" || len(run.Files) != 1 || run.Files[0].Key != "1001" || run.Files[0].Rows != 25 || run.Files[0].Findings == 0 {
			t.Fatalf("retry = %+v, %v; want the report ingested", run, err)
		}
		res, err := x.NotifyRun(ctx, app.NotifyRunOptions{EscalateAfter: notify.DefaultEscalateAfter})
		if err != nil || res.Composed.Notices != 2 {
			t.Fatalf("notices composed from the run = %+v, %v; want 2", res, err)
		}
		run, err = x.SourceRun(ctx, "shadowserver")
		if err != nil || run.State != "ok" || len(run.Files) != 0 || fake.downloads["1001"] != 2 {
			t.Fatalf("second run = %+v, %v, %d downloads; want nothing new fetched", run, err, fake.downloads["1001"])
		}
		det, err := x.SourceShow(ctx, "shadowserver")
		if err != nil || det.LastSuccess == nil || det.LastData == nil || det.Failures != 0 || det.LastError != "" || len(det.Runs) != 3 ||
			det.Runs[1].Files[0].SHA256 == "" || det.Runs[2].State != "failed" {
			t.Fatalf("SourceShow = %+v, %v", det, err)
		}

		// A wrong secret: the fake refuses the signature.
		if _, err := x.SourceAdd(ctx, source.Source{Name: "shadowserver-bad", Kind: source.KindShadowserver, URL: srv.URL + "/api",
			Credentials: source.Credentials{Key: fakeKey, Secret: "wrong"}}); err != nil {
			t.Fatal(err)
		}
		if run, err := x.SourceRun(ctx, "shadowserver-bad"); err == nil || !strings.Contains(run.Error, "401") || fake.badSigs == 0 {
			t.Errorf("run with a wrong secret = %+v, %v; want HTTP 401 from the signature check", run, err)
		}

		// The provider goes away: three failed runs raise one alert.
		fake.mu.Lock()
		fake.gone = true
		fake.mu.Unlock()
		for range 3 {
			clk.add(time.Hour)
			if _, err := x.SourceRun(ctx, "shadowserver"); err == nil {
				t.Fatal("run against a provider that went away succeeded")
			}
		}
		alerts, err := x.SourceAlerts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range alerts {
			names = append(names, a.Source)
		}
		if len(alerts) != 1 || alerts[0].Source != "shadowserver" || !strings.Contains(alerts[0].Reason, "runs failed") {
			t.Errorf("alerts = %v; want one for shadowserver", names)
		}
		if again, err := x.SourceAlerts(ctx); err != nil || len(again) != 0 {
			t.Errorf("alerts raised again: %+v, %v", again, err)
		}
		calls, err := x.Calls(ctx, tenant.Operator(), 0)
		if err != nil || len(calls) != 1 || !strings.HasPrefix(calls[0].EscalationReason, "source shadowserver: its last 3 runs failed") {
			t.Errorf("call list = %+v, %v; want the alert with its reason", calls, err)
		}
		st, err := x.OutboxStatus(ctx, tenant.Operator(), notify.OutboxPending, keyset.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var mailed bool
		for _, r := range st.Rows {
			mailed = mailed || r.Recipient == "operator@cert.example"
		}
		if !mailed {
			t.Errorf("alert not queued to the operator: %+v", st.Rows)
		}
		if _, err := x.NotifyRun(ctx, app.NotifyRunOptions{EscalateAfter: notify.DefaultEscalateAfter}); err != nil {
			t.Fatal(err)
		}
		sent, err := x.OutboxStatus(ctx, tenant.Operator(), notify.OutboxSent, keyset.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		mailed = false
		for _, r := range sent.Rows {
			mailed = mailed || r.Recipient == "operator@cert.example"
		}
		if !mailed {
			t.Errorf("alert e-mail not sent to the operator: %+v", sent.Rows)
		}

		// The secret is nowhere: not in JSON, text, nor the log.
		out, _ := json.Marshal(det)
		list, _ := x.Sources(ctx)
		all, _ := json.Marshal(list)
		for what, text := range map[string]string{"show JSON": string(out), "list JSON": string(all), "log": logs.String()} {
			if strings.Contains(text, fakeSecret) || strings.Contains(text, fakeKey) {
				t.Errorf("%s shows the credentials", what)
			}
		}
		if logs.Len() == 0 {
			t.Error("nothing logged: the leak check read nothing")
		}
	})
}

// TestSourceFeeds runs KEV, EPSS and watched-directory sources against a
// loopback server and a directory: each ingests its file once, a second
// run fetches nothing new, and the same file under another name is not
// ingested again.
func TestSourceFeeds(t *testing.T) {
	kev, err := os.ReadFile("testdata/kev-crossref.json")
	if err != nil {
		t.Fatal(err)
	}
	epss, err := os.ReadFile("testdata/epss_scores-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(epss)
	zw.Close()
	csv, err := os.ReadFile("testdata/" + exchange)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feeds/known_exploited_vulnerabilities.json":
			w.Write(kev)
		case "/epss_scores-current.csv.gz":
			w.Write(gz.Bytes())
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sourceOrgs(t, s)
		x := sourceApp(t, s, io.Discard)
		dir := t.TempDir()
		for _, src := range []source.Source{
			{Name: "kev", Kind: source.KindKEV, URL: srv.URL + "/feeds/known_exploited_vulnerabilities.json"},
			{Name: "epss", Kind: source.KindEPSS, URL: srv.URL + "/epss_scores-current.csv.gz"},
			{Name: "drop", Kind: source.KindDir, URL: dir},
			{Name: "gone", Kind: source.KindKEV, URL: srv.URL + "/missing.json"},
		} {
			if _, err := x.SourceAdd(ctx, src); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, exchange), csv, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, ".partial.csv"), csv[:100], 0o600); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name     string
			rows     int64
			findings bool
		}{{"kev", 16, false}, {"epss", 8, false}, {"drop", 25, true}} {
			run, err := x.SourceRun(ctx, tc.name)
			if err != nil || len(run.Files) != 1 || run.Files[0].Rows != tc.rows || (run.Files[0].Findings > 0) != tc.findings {
				t.Errorf("%s: first run = %+v, %v; want one file of %d rows", tc.name, run, err, tc.rows)
			}
			run, err = x.SourceRun(ctx, tc.name)
			if err != nil || len(run.Files) != 0 || run.Skipped != 1 {
				t.Errorf("%s: second run = %+v, %v; want nothing new", tc.name, run, err)
			}
		}
		// The same report under another name is the same file.
		if err := os.WriteFile(filepath.Join(dir, "copy-"+exchange), csv, 0o600); err != nil {
			t.Fatal(err)
		}
		if run, err := x.SourceRun(ctx, "drop"); err != nil || len(run.Files) != 0 || run.Skipped != 2 {
			t.Errorf("a copy of an ingested file = %+v, %v; want skipped", run, err)
		}
		if run, err := x.SourceRun(ctx, "gone"); err == nil || !strings.Contains(run.Error, "404") {
			t.Errorf("a KEV URL that is gone = %+v, %v; want HTTP 404", run, err)
		}
		res, err := x.NotifyRun(ctx, app.NotifyRunOptions{EscalateAfter: notify.DefaultEscalateAfter})
		if err != nil || res.Composed.Notices != 2 {
			t.Errorf("notices composed from the watched directory = %+v, %v; want 2", res, err)
		}
		if err := x.SourcePause(ctx, "drop", true); err != nil {
			t.Fatal(err)
		}
		list, err := x.Sources(ctx)
		if err != nil || len(list) != 4 || list[0].Name != "drop" || !list[0].Paused {
			t.Errorf("Sources = %+v, %v", list, err)
		}
		if err := x.SourcePause(ctx, "nothing", true); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("pause of an unknown source = %v", err)
		}
	})
}

// TestSourceAdd refuses bad sources with the field named.
func TestSourceAdd(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		x := sourceApp(t, s, io.Discard)
		for _, tc := range []struct {
			name  string
			src   source.Source
			field string
		}{
			{"bad_name", source.Source{Name: "Bad Name", Kind: source.KindKEV, URL: "https://example.org/kev.json"}, "name"},
			{"unknown_kind", source.Source{Name: "x", Kind: "ftp", URL: "https://example.org/"}, "kind"},
			{"no_url", source.Source{Name: "x", Kind: source.KindEPSS}, "url"},
			{"no_secret", source.Source{Name: "x", Kind: source.KindShadowserver, URL: "https://transform.shadowserver.org/api2/", Credentials: source.Credentials{Key: "k"}}, "credentials"},
			{"too_often", source.Source{Name: "x", Kind: source.KindKEV, URL: "https://example.org/kev.json", Every: source.Duration(time.Second)}, "every"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := x.SourceAdd(ctx, tc.src)
				var e *errs.Error
				if !errors.As(err, &e) || e.Code != errs.Invalid || e.Field != tc.field {
					t.Errorf("SourceAdd = %v; want invalid %s", err, tc.field)
				}
			})
		}
		ok := source.Source{Name: "kev", Kind: source.KindKEV, URL: "https://example.org/kev.json"}
		if _, err := x.SourceAdd(ctx, ok); err != nil {
			t.Fatal(err)
		}
		if _, err := x.SourceAdd(ctx, ok); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("second source of the same name = %v; want conflict", err)
		}
	})
}

// TestSourceSilent: a source that expects daily data and gets none raises
// exactly one alert after 36 hours, however often the sweep looks; data
// arriving ends it, and /metrics' ages follow the last success.
func TestSourceSilent(t *testing.T) {
	clk := newClock(time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC))
	csv, err := os.ReadFile("testdata/" + exchange)
	if err != nil {
		t.Fatal(err)
	}
	storetest.EachOpts(t, storetest.Options{Now: clk.now}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clk.set(time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC))
		x := sourceApp(t, s, io.Discard)
		dir := t.TempDir()
		if _, err := x.SourceAdd(ctx, source.Source{Name: "daily", Kind: source.KindDir, URL: dir, Expect: source.Duration(24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := x.SourceAdd(ctx, source.Source{Name: "whenever", Kind: source.KindDir, URL: dir}); err != nil {
			t.Fatal(err)
		}
		var raised []app.SourceAlert
		for range 48 { // two days of hourly runs and sweeps
			clk.add(time.Hour)
			if _, err := x.SourceRun(ctx, "daily"); err != nil {
				t.Fatal(err)
			}
			a, err := x.SourceAlerts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(a) > 0 && len(raised) == 0 && clk.now().Sub(time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)) <= 36*time.Hour {
				t.Errorf("alert raised after %s; want after 36h", clk.now().Sub(time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)))
			}
			raised = append(raised, a...)
		}
		if len(raised) != 1 || raised[0].Source != "daily" || !strings.Contains(raised[0].Reason, "no new data") {
			t.Fatalf("alerts = %+v; want exactly one, for daily", raised)
		}
		ages, err := x.SourceAges(ctx)
		if err != nil || len(ages) != 2 || ages[0].Name != "daily" || ages[0].Seconds != 0 || ages[1].Seconds != 48*3600 {
			t.Errorf("ages = %+v, %v; want daily just succeeded, whenever never (48h)", ages, err)
		}
		if err := os.WriteFile(filepath.Join(dir, exchange), csv, 0o600); err != nil {
			t.Fatal(err)
		}
		if run, err := x.SourceRun(ctx, "daily"); err != nil || len(run.Files) != 1 {
			t.Fatalf("run with data = %+v, %v", run, err)
		}
		if det, err := x.SourceShow(ctx, "daily"); err != nil || det.Alerted != nil {
			t.Errorf("after data the alert stays: %+v, %v", det.Alerted, err)
		}
		clk.add(37 * time.Hour)
		if a, err := x.SourceAlerts(ctx); err != nil || len(a) != 1 {
			t.Errorf("a new silence = %+v, %v; want a new alert", a, err)
		}
	})
}

// TestSourceLease: one run of a source at a time; a run a crash left
// holding the lease blocks others until the lease expires, then the next
// run marks it failed and goes on.
func TestSourceLease(t *testing.T) {
	clk := newClock(time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC))
	storetest.EachOpts(t, storetest.Options{Now: clk.now}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clk.set(time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC))
		x := sourceApp(t, s, io.Discard)
		src, err := x.SourceAdd(ctx, source.Source{Name: "drop", Kind: source.KindDir, URL: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SourceRunStart(ctx, src.ID, clk.now().Add(app.SourceLease)); err != nil { // a run that crashes
			t.Fatal(err)
		}
		if _, err := x.SourceRun(ctx, "drop"); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("run while another holds the lease = %v; want conflict", err)
		}
		clk.add(app.SourceLease + time.Minute)
		if run, err := x.SourceRun(ctx, "drop"); err != nil || run.State != "ok" {
			t.Fatalf("run after the lease expired = %+v, %v", run, err)
		}
		det, err := x.SourceShow(ctx, "drop")
		if err != nil || len(det.Runs) != 2 || det.Runs[1].State != "failed" || !strings.Contains(det.Runs[1].Error, "without ending") {
			t.Errorf("runs = %+v, %v; want the crashed one failed", det.Runs, err)
		}
	})
}

// TestSourceJobs: the node's job queue runs a due source (the sweep
// enqueues it as a job, one per source) on SQLite and PostgreSQL.
func TestSourceJobs(t *testing.T) {
	csv, err := os.ReadFile("testdata/" + exchange)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sourceOrgs(t, s)
		x := sourceApp(t, s, io.Discard)
		if s.Dialect() == store.Postgres {
			cfg := x.Config()
			cfg.DB = storetest.DSN(t, s)
			x = app.New(s, cfg, nil)
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, exchange), csv, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := x.SourceAdd(ctx, source.Source{Name: "drop", Kind: source.KindDir, URL: dir}); err != nil {
			t.Fatal(err)
		}
		j, err := x.OpenJobs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer j.Stop(ctx)
		var det app.SourceDetail
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if det, err = x.SourceShow(ctx, "drop"); err != nil {
				t.Fatal(err)
			}
			if len(det.Runs) > 0 && det.Runs[0].State != "running" {
				break
			}
		}
		if len(det.Runs) != 1 || det.Runs[0].State != "ok" || len(det.Runs[0].Files) != 1 || det.Runs[0].Files[0].Findings == 0 {
			t.Fatalf("runs after the sweep = %+v; want one run that ingested the file", det.Runs)
		}
	})
}

// fakeNVD is a loopback NVD CVE API 2.0: it answers the records modified
// in [lastModStartDate, lastModEndDate] page by page (at most pageSize a
// page, whatever resultsPerPage asks), refuses a window longer than 120
// days or without both dates (404, as NVD does) and a request sooner than
// gap after the previous one (403, its rate limit).
type fakeNVD struct {
	mu       sync.Mutex
	records  []map[string]any // NVD "cve" objects
	pageSize int
	gap      time.Duration
	last     time.Time
	requests int
	refused  []string
}

func (f *fakeNVD) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	if !f.last.IsZero() && now.Sub(f.last) < f.gap {
		f.refused = append(f.refused, "rate")
		w.Header().Set("message", "rate limit exceeded")
		w.WriteHeader(http.StatusForbidden)
		return
	}
	f.last = now
	f.requests++
	q := r.URL.Query()
	const layout = "2006-01-02T15:04:05.000-07:00"
	from, err1 := time.Parse(layout, q.Get("lastModStartDate"))
	to, err2 := time.Parse(layout, q.Get("lastModEndDate"))
	if err1 != nil || err2 != nil || to.Sub(from) > 120*24*time.Hour || to.Before(from) {
		f.refused = append(f.refused, "window")
		w.Header().Set("message", "invalid date range")
		w.WriteHeader(http.StatusNotFound)
		return
	}
	start, _ := strconv.Atoi(q.Get("startIndex"))
	var hits []map[string]any
	for _, c := range f.records {
		mod, _ := time.Parse("2006-01-02T15:04:05.000", c["lastModified"].(string))
		if !mod.Before(from) && !mod.After(to) {
			hits = append(hits, c)
		}
	}
	var page []any
	for i := start; i < len(hits) && len(page) < f.pageSize; i++ {
		page = append(page, map[string]any{"cve": hits[i]})
	}
	if page == nil {
		page = []any{}
	}
	json.NewEncoder(w).Encode(map[string]any{"resultsPerPage": len(page), "startIndex": start, "totalResults": len(hits),
		"format": "NVD_CVE", "version": "2.0", "timestamp": now.UTC().Format("2006-01-02T15:04:05.000"), "vulnerabilities": page})
}

// TestSourceNVD runs an NVD source against its fake: the first run pages
// through the last day's records at the rate limit's pace, the second
// fetches nothing new, a record modified later is the third run's only
// one, a resume point 300 days back is fetched in 120-day windows, and a
// client that does not keep the pace is refused by the fake.
func TestSourceNVD(t *testing.T) {
	raw, err := os.ReadFile("testdata/CVE-2023-46604.json")
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	clk := newClock(t0)
	record := func(id string, mod time.Time) map[string]any {
		var c map[string]any
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		c["id"], c["lastModified"] = id, mod.UTC().Format("2006-01-02T15:04:05.000")
		return c
	}
	storetest.EachOpts(t, storetest.Options{Now: clk.now}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clk.set(t0)
		fake := &fakeNVD{pageSize: 2, gap: 200 * time.Millisecond}
		for i := range 5 {
			fake.records = append(fake.records, record("CVE-2026-4660"+strconv.Itoa(i), t0.Add(-time.Duration(i+1)*time.Hour)))
		}
		fake.records = append(fake.records, record("CVE-2026-46700", t0.Add(-200*24*time.Hour)))
		srv := httptest.NewServer(fake)
		t.Cleanup(srv.Close)
		x := sourceApp(t, s, io.Discard)
		cfg := x.Config()
		cfg.Sources.NVDPace = "250ms"
		x = app.New(s, cfg, nil)
		if _, err := x.SourceAdd(ctx, source.Source{Name: "nvd", Kind: source.KindNVD, URL: srv.URL + "/rest/json/cves/2.0", Expect: source.Duration(24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		run, err := x.SourceRun(ctx, "nvd")
		var rows int64
		for _, f := range run.Files {
			rows += f.Rows
		}
		if err != nil || len(run.Files) != 3 || rows != 5 || fake.requests != 3 {
			t.Fatalf("first run = %+v, %v (%d requests); want 5 records on 3 pages", run, err, fake.requests)
		}
		clk.add(time.Hour)
		if run, err = x.SourceRun(ctx, "nvd"); err != nil || len(run.Files) != 0 || run.Skipped != 0 {
			t.Errorf("second run = %+v, %v; want nothing new", run, err)
		}
		fake.mu.Lock()
		fake.records = append(fake.records, record("CVE-2026-46699", clk.now().Add(30*time.Minute)))
		fake.mu.Unlock()
		clk.add(time.Hour)
		if run, err = x.SourceRun(ctx, "nvd"); err != nil || len(run.Files) != 1 || run.Files[0].Rows != 1 {
			t.Errorf("third run = %+v, %v; want the one record modified since", run, err)
		}

		// A resume point 300 days back: three windows, none refused.
		if _, err := x.SourceAdd(ctx, source.Source{Name: "nvd-back", Kind: source.KindNVD, URL: srv.URL + "/rest/json/cves/2.0"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Exec(ctx, `UPDATE sources SET resume = ? WHERE name = 'nvd-back'`, clk.now().Add(-300*24*time.Hour).Format(time.RFC3339Nano)); err != nil {
			t.Fatal(err)
		}
		run, err = x.SourceRun(ctx, "nvd-back")
		if err != nil || len(fake.refused) != 0 {
			t.Fatalf("300 days back = %+v, %v, refused %v", run, err, fake.refused)
		}
		// Its records were ingested by the first source already, except
		// the one modified 200 days ago, which only this run's window has.
		var ids []string
		for _, f := range run.Files {
			ids = append(ids, f.Name)
		}
		if len(run.Files) != 4 {
			t.Errorf("files of the run 300 days back = %v; want 4 new pages", ids)
		}

		// Without the pace the fake's rate limit refuses the second page.
		cfg.Sources.NVDPace = "1ns"
		fast := app.New(s, cfg, nil)
		if _, err := fast.SourceAdd(ctx, source.Source{Name: "nvd-fast", Kind: source.KindNVD, URL: srv.URL + "/rest/json/cves/2.0"}); err != nil {
			t.Fatal(err)
		}
		if run, err := fast.SourceRun(ctx, "nvd-fast"); err == nil || !strings.Contains(run.Error, "403") {
			t.Errorf("run without the pace = %+v, %v; want refused by the rate limit", run, err)
		}
	})
}

// TestSourceCSAF runs a CSAF provider source against a loopback provider
// (provider-metadata.json, a directory distribution with changes.csv and
// SHA-512 files): the first run loads the advisory, the second lists it as
// not newer than the resume point and loads nothing, and a provider that
// went away fails the run.
func TestSourceCSAF(t *testing.T) {
	doc, err := os.ReadFile("testdata/icsa-23-206-01.json")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	files := map[string][]byte{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		b, ok := files[r.URL.Path]
		mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	const dir = "/.well-known/csaf/white/"
	sum := sha512.Sum512(doc)
	files[dir+"2023/icsa-23-206-01.json"] = doc
	files[dir+"2023/icsa-23-206-01.json.sha512"] = []byte(hex.EncodeToString(sum[:]) + "  icsa-23-206-01.json\n")
	files[dir+"changes.csv"] = []byte("\"2023/icsa-23-206-01.json\",\"2023-07-25T00:00:00Z\"\n")
	pmd, _ := json.Marshal(map[string]any{
		"canonical_url": srv.URL + "/.well-known/csaf/provider-metadata.json", "distributions": []any{map[string]any{"directory_url": srv.URL + dir}},
		"last_updated": "2024-08-01T00:00:00Z", "list_on_CSAF_aggregators": true, "metadata_version": "2.0", "mirror_on_CSAF_aggregators": true,
		"public_openpgp_keys": []any{}, "publisher": map[string]any{"category": "coordinator", "name": "test CERT", "namespace": "https://example.org"},
		"role": "csaf_trusted_provider",
	})
	files["/.well-known/csaf/provider-metadata.json"] = pmd
	url := srv.URL + "/.well-known/csaf/provider-metadata.json"
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		x := sourceApp(t, s, io.Discard)
		if _, err := x.SourceAdd(ctx, source.Source{Name: "csaf", Kind: source.KindCSAF, URL: url}); err != nil {
			t.Fatal(err)
		}
		run, err := x.SourceRun(ctx, "csaf")
		if err != nil || run.Advisories != 1 {
			t.Fatalf("first run = %+v, %v; want one advisory", run, err)
		}
		if run, err = x.SourceRun(ctx, "csaf"); err != nil || run.Advisories != 0 || run.Skipped != 1 {
			t.Errorf("second run = %+v, %v; want nothing new, one document not newer", run, err)
		}
		det, err := x.SourceShow(ctx, "csaf")
		if err != nil || det.LastData == nil || det.Failures != 0 {
			t.Errorf("show = %+v, %v", det, err)
		}
		mu.Lock()
		delete(files, "/.well-known/csaf/provider-metadata.json")
		mu.Unlock()
		if run, err := x.SourceRun(ctx, "csaf"); err == nil || run.State != "failed" {
			t.Errorf("run against a provider that went away = %+v, %v; want failed", run, err)
		}
		mu.Lock()
		files["/.well-known/csaf/provider-metadata.json"] = pmd
		mu.Unlock()
	})
}

// TestSourceMaildir runs a mail drop: the report attached (base64) to an
// e-mail in the maildir is ingested once; a message without attachments
// and a file that is not mail are passed over; the message read again
// after the mail reader moved it to cur/ is not ingested again.
func TestSourceMaildir(t *testing.T) {
	csv, err := os.ReadFile("testdata/" + exchange)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.StdEncoding.EncodeToString(csv)
	var wrapped strings.Builder
	for len(enc) > 76 {
		wrapped.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	wrapped.WriteString(enc + "\r\n")
	report := "From: Shadowserver <autoreports@shadowserver.org>\r\nTo: reports@cert.example\r\nSubject: [Scan Exchange] 2025-06-01\r\n" +
		"Message-ID: <r1@shadowserver.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain\r\n\r\nThe report is attached.\r\n" +
		"--b1\r\nContent-Type: text/csv; name=\"" + exchange + "\"\r\nContent-Disposition: attachment; filename=\"" + exchange + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		wrapped.String() + "--b1--\r\n"
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sourceOrgs(t, s)
		x := sourceApp(t, s, io.Discard)
		md := t.TempDir()
		for _, d := range []string{"new", "cur", "tmp"} {
			if err := os.Mkdir(filepath.Join(md, d), 0o700); err != nil {
				t.Fatal(err)
			}
		}
		for name, body := range map[string]string{
			"1765000000.r1.host":   report,
			"1765000001.note.host": "From: a@b.example\r\nSubject: hello\r\n\r\nno report today\r\n",
			"1765000002.junk.host": "\x00\x01 not mail",
		} {
			if err := os.WriteFile(filepath.Join(md, "new", name), []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := x.SourceAdd(ctx, source.Source{Name: "drop", Kind: source.KindMaildir, URL: md, Expect: source.Duration(24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		run, err := x.SourceRun(ctx, "drop")
		if err != nil || len(run.Files) != 1 || run.Files[0].Name != exchange || run.Files[0].Rows != 25 || run.Files[0].Findings == 0 {
			t.Fatalf("first run = %+v, %v; want the attached report ingested", run, err)
		}
		if err := os.Rename(filepath.Join(md, "new", "1765000000.r1.host"), filepath.Join(md, "cur", "1765000000.r1.host:2,S")); err != nil {
			t.Fatal(err)
		}
		if run, err = x.SourceRun(ctx, "drop"); err != nil || len(run.Files) != 0 || run.Skipped != 0 {
			t.Errorf("second run = %+v, %v; want nothing fetched", run, err)
		}
		res, err := x.NotifyRun(ctx, app.NotifyRunOptions{EscalateAfter: notify.DefaultEscalateAfter})
		if err != nil || res.Composed.Notices != 2 {
			t.Errorf("notices composed from the mail drop = %+v, %v; want 2", res, err)
		}
	})
}

// TestSourceOSV runs an OSV source whose URL is an ecosystem's all.zip:
// its records are loaded once, the same archive again is nothing new, and
// an archive that is not one fails the run.
func TestSourceOSV(t *testing.T) {
	rec, err := os.ReadFile("testdata/GHSA-jfh8-c2jp-5v3q.json")
	if err != nil {
		t.Fatal(err)
	}
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("GHSA-jfh8-c2jp-5v3q.json")
	w.Write(rec)
	zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/Maven/all.zip":
			w.Write(zbuf.Bytes())
		case "/Broken/all.zip":
			w.Write([]byte("not a zip"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		x := sourceApp(t, s, io.Discard)
		for _, name := range []string{"Maven", "Broken"} {
			if _, err := x.SourceAdd(ctx, source.Source{Name: strings.ToLower(name), Kind: source.KindOSV, URL: srv.URL + "/" + name + "/all.zip"}); err != nil {
				t.Fatal(err)
			}
		}
		run, err := x.SourceRun(ctx, "maven")
		if err != nil || len(run.Files) != 1 || run.Files[0].Rows != 1 {
			t.Fatalf("first run = %+v, %v; want one record", run, err)
		}
		if run, err = x.SourceRun(ctx, "maven"); err != nil || len(run.Files) != 0 || run.Skipped != 1 {
			t.Errorf("second run = %+v, %v; want nothing new", run, err)
		}
		if run, err := x.SourceRun(ctx, "broken"); err == nil || !strings.Contains(run.Error, "not a zip") {
			t.Errorf("broken archive = %+v, %v; want refused", run, err)
		}
	})
}

// TestSourceOneRunAtATime starts the same source on two nodes (two
// application layers on one database) at once, several times: each time
// one run holds the source and the other is refused as a conflict, and the
// watched file is ingested exactly once.
func TestSourceOneRunAtATime(t *testing.T) {
	csv, err := os.ReadFile("testdata/" + exchange)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sourceOrgs(t, s)
		nodes := []*app.App{sourceApp(t, s, io.Discard), sourceApp(t, s, io.Discard)}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, exchange), csv, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := nodes[0].SourceAdd(ctx, source.Source{Name: "drop", Kind: source.KindDir, URL: dir}); err != nil {
			t.Fatal(err)
		}
		var files, runs atomic.Int64
		for range 5 {
			var wg sync.WaitGroup
			for _, x := range nodes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					run, err := x.SourceRun(ctx, "drop")
					switch {
					case err == nil:
						runs.Add(1)
						files.Add(int64(len(run.Files)))
					case !errors.Is(err, errs.ErrConflict):
						t.Errorf("run = %v; want success or conflict", err)
					}
				}()
			}
			wg.Wait()
		}
		det, err := nodes[1].SourceShow(ctx, "drop")
		if err != nil {
			t.Fatal(err)
		}
		if files.Load() != 1 || int64(len(det.Runs)) != runs.Load() || runs.Load() < 5 {
			t.Errorf("%d files ingested in %d runs (%d recorded); want the file once, at least one run per round", files.Load(), runs.Load(), len(det.Runs))
		}
		for _, r := range det.Runs {
			if r.State != "ok" {
				t.Errorf("run %d %s: %s", r.ID, r.State, r.Error)
			}
		}
	})
}

// TestSourceNVDOverlap: NVD shows a record some time after its
// lastModified, so a record modified just before a run's end may appear
// only after that run. The next run's window starts source.NVDOverlap
// earlier and takes it; the record at the previous window's end, which the
// previous run fetched, is not handed on again.
func TestSourceNVDOverlap(t *testing.T) {
	raw, err := os.ReadFile("testdata/CVE-2023-46604.json")
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	clk := newClock(t0)
	record := func(id string, mod time.Time) map[string]any {
		var c map[string]any
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		c["id"], c["lastModified"] = id, mod.UTC().Format("2006-01-02T15:04:05.000")
		return c
	}
	storetest.EachOpts(t, storetest.Options{Now: clk.now}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clk.set(t0)
		// One record an hour ago, one at the very end of the first run's
		// window.
		fake := &fakeNVD{pageSize: 2000, records: []map[string]any{record("CVE-2026-46601", t0.Add(-time.Hour)), record("CVE-2026-46602", t0)}}
		srv := httptest.NewServer(fake)
		t.Cleanup(srv.Close)
		cfg := sourceApp(t, s, io.Discard).Config()
		cfg.Sources.NVDPace = "1ms"
		x := app.New(s, cfg, nil)
		if _, err := x.SourceAdd(ctx, source.Source{Name: "nvd", Kind: source.KindNVD, URL: srv.URL + "/rest/json/cves/2.0"}); err != nil {
			t.Fatal(err)
		}
		rows := func(r source.Run) (n int64) {
			for _, f := range r.Files {
				n += f.Rows
			}
			return n
		}
		if run, err := x.SourceRun(ctx, "nvd"); err != nil || rows(run) != 2 {
			t.Fatalf("first run = %+v, %v; want 2 records", run, err)
		}
		// The resume point carries the record of the run's last stretch.
		if det, err := x.SourceShow(ctx, "nvd"); err != nil || det.Resume != t0.Format(time.RFC3339Nano)+" CVE-2026-46602@2026-12-06T09:00:00.000" {
			t.Errorf("resume point = %q, %v", det.Resume, err)
		}
		// A record modified a minute before the first run's end shows up
		// only now.
		fake.mu.Lock()
		fake.records = append(fake.records, record("CVE-2026-46603", t0.Add(-time.Minute)))
		fake.mu.Unlock()
		clk.add(time.Hour)
		run, err := x.SourceRun(ctx, "nvd")
		if err != nil || len(run.Files) != 1 || rows(run) != 1 {
			t.Fatalf("second run = %+v, %v; want only the record that showed up late", run, err)
		}
		var n int
		if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM vuln_advisories WHERE source = 'nvd' AND ext_id = 'CVE-2026-46603'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("the late record stored %d times, %v; want once", n, err)
		}
		clk.add(time.Hour)
		if run, err := x.SourceRun(ctx, "nvd"); err != nil || len(run.Files) != 0 {
			t.Errorf("third run = %+v, %v; want nothing new", run, err)
		}
	})
}

// TestSourceRunOutlivesDefaultTimeout runs a scheduled source whose
// download takes longer than the queue's default job timeout (shortened
// from River's minute to 200 ms): the run job has a timeout of its own
// (the source lease), so the download is not cancelled and the run ends
// ok. The fake holds the download well past the default timeout and
// records whether the request was cancelled meanwhile.
func TestSourceRunOutlivesDefaultTimeout(t *testing.T) {
	rec, err := os.ReadFile("testdata/GHSA-jfh8-c2jp-5v3q.json")
	if err != nil {
		t.Fatal(err)
	}
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("GHSA-jfh8-c2jp-5v3q.json")
	w.Write(rec)
	zw.Close()
	const dflt = 200 * time.Millisecond
	var mu sync.Mutex
	cancelled := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * dflt):
		case <-r.Context().Done():
			mu.Lock()
			cancelled = true
			mu.Unlock()
			return
		}
		w.Write(zbuf.Bytes())
	}))
	t.Cleanup(srv.Close)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		x := sourceApp(t, s, io.Discard)
		if s.Dialect() == store.Postgres {
			cfg := x.Config()
			cfg.DB = storetest.DSN(t, s)
			x = app.New(s, cfg, nil)
		}
		if _, err := x.SourceAdd(ctx, source.Source{Name: "slow", Kind: source.KindOSV, URL: srv.URL + "/Maven/all.zip"}); err != nil {
			t.Fatal(err)
		}
		j, err := x.OpenJobsDefaultTimeout(ctx, dflt)
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer j.Stop(ctx)
		var det app.SourceDetail
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if det, err = x.SourceShow(ctx, "slow"); err != nil {
				t.Fatal(err)
			}
			if len(det.Runs) > 0 && det.Runs[0].State != "running" {
				break
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if cancelled || len(det.Runs) == 0 || det.Runs[0].State != "ok" || len(det.Runs[0].Files) != 1 {
			t.Fatalf("runs = %+v, download cancelled %v; want one run that ingested the archive", det.Runs, cancelled)
		}
	})
}
