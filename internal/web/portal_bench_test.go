// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/internal/account"
	"vigil/internal/finding"
	"vigil/internal/ingest"
	"vigil/internal/keyset"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestPortalPagesBench measures the three heaviest pages on a large
// database: the analysts' findings page (every organisation, one trigger,
// open, 50 rows, the most recently seen first), a member's findings page
// (an organisation with 5,000 findings) and the dashboard (aggregates over
// every row, nothing cached). Each page's p95 is reported beside the p95 of
// running its own store queries directly, in the same run, as a ratio.
//
// Each page is measured VIGIL_BENCH_RUNS times (200 by default; the
// analysts' findings page and its SQL take the triggers in turn, so its
// p95 is over all of them), its SQL as often.
//
// It runs only when VIGIL_BENCH_PORTAL is set (it loads 1,000,000
// findings); VIGIL_BENCH_ORGS and VIGIL_BENCH_FINDINGS scale it down. With
// VIGIL_TEST_PG it also runs on PostgreSQL. VIGIL_BENCH_KEEP names a file
// to copy the loaded SQLite database to (for EXPLAIN QUERY PLAN);
// VIGIL_BENCH_NO_RECOUNT leaves out the former dashboard queries (the
// reference row, minutes on PostgreSQL).
func TestPortalPagesBench(t *testing.T) {
	if os.Getenv("VIGIL_BENCH_PORTAL") == "" {
		t.Skip("set VIGIL_BENCH_PORTAL=1 to load 10,000 organisations and 1,000,000 findings and measure the portal's pages")
	}
	nOrgs, nFindings := envInt("VIGIL_BENCH_ORGS", 10000), envInt("VIGIL_BENCH_FINDINGS", 1000000)
	nRuns := envInt("VIGIL_BENCH_RUNS", 200)
	results := &[]benchRow{}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		start := time.Now()
		trigs, memberOrg := loadBench(t, st, nOrgs, nFindings)
		t.Logf("%s: loaded %d organisations, %d findings in %s", st.Dialect(), nOrgs, nFindings, time.Since(start).Round(time.Second))
		var warned int
		if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM org_warnings`).Scan(&warned); err != nil || warned == 0 {
			t.Fatalf("org_warnings has %d rows (%v): the dashboard's organisations warned would be measured on nothing", warned, err)
		}
		t.Logf("%s: %d rows of organisations warned per trigger and day", st.Dialect(), warned)
		if keep := os.Getenv("VIGIL_BENCH_KEEP"); keep != "" && st.Dialect() == store.SQLite {
			// A copy to look at the query plans with the sqlite3 shell.
			if _, err := st.Exec(ctx, `VACUUM INTO ?`, keep); err != nil {
				t.Fatal(err)
			}
		}
		if st.Dialect() == store.Postgres {
			// What the readers of the running totals scan besides their
			// rows: the space of folded differences that no vacuum has
			// freed yet (autovacuum may be off on a test server).
			var av string
			var pages int64
			if err := st.QueryRow(ctx, `SELECT current_setting('autovacuum'), pg_relation_size('finding_total_deltas') / 8192`).Scan(&av, &pages); err != nil {
				t.Fatal(err)
			}
			t.Logf("postgres: autovacuum %s; finding_total_deltas has %d pages", av, pages)
		}
		srv, err := New(Config{Store: st, App: testApp(st), Version: "bench"})
		if err != nil {
			t.Fatal(err)
		}
		cookie := func(role account.Role, org int64) string {
			n := account.NewUser{Email: fmt.Sprintf("%s-%d@bench.example", role, org), Password: "bench password", Role: role}
			if org != 0 {
				n.Role, n.Orgs = "", []account.Membership{{OrgID: org, Role: account.RoleMember}}
			}
			srv.accounts.Hash = func(pw string) string { return "plain:" + pw }
			u, err := srv.accounts.Create(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			secret, now := account.NewToken(32), st.Now()
			ses := account.Session{UserID: u.ID, CSRF: "x", Verified: true, CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(account.MaxAge)}
			if err := st.SessionCreate(ctx, &ses, account.HashToken(secret)); err != nil {
				t.Fatal(err)
			}
			return secret
		}
		analyst, member := cookie(account.RoleAnalyst, 0), cookie("", memberOrg)
		// The findings per day plot and its table: new findings and
		// organisations warned per trigger and day of the plot's span.
		trendSQL := func() error {
			start := st.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -(plotSpan - 1))
			if _, err := st.TriggerDays(ctx, tenant.Operator(), start); err != nil {
				return err
			}
			_, err := st.OrgWarnDays(ctx, tenant.Operator(), start)
			return err
		}
		// A case's path and SQL get the run's number: the analysts'
		// findings page takes the triggers in turn.
		fixed := func(path string) func(int) string { return func(int) string { return path } }
		cases := []struct {
			name   string
			path   func(run int) string // nil: the SQL only
			cookie string
			sql    func(run int) error
		}{
			{"analyst findings", func(run int) string {
				return "/analyst/findings?status=open&trigger=" + trigs[run%len(trigs)]
			}, analyst, func(run int) error {
				fs, err := st.FindingListBySeen(ctx, tenant.Operator(), finding.Filter{Trigger: trigs[run%len(trigs)], Status: finding.Open, Page: keyset.Page{Limit: 51}}, finding.Seen{})
				if err != nil {
					return err
				}
				var ids []int64
				for _, f := range fs {
					ids = append(ids, f.OrgID)
				}
				if _, err := st.OrgNames(ctx, tenant.Operator(), ids); err != nil {
					return err
				}
				_, err = st.TriggerNames(ctx, tenant.Operator())
				return err
			}},
			// The member's page lists the triggers of its own findings
			// (a scoped query), not every trigger.
			{"member findings", fixed(fmt.Sprintf("/orgs/%d/findings", memberOrg)), member, func(int) error {
				if _, err := st.FindingList(ctx, tenant.Org(memberOrg), finding.Filter{Page: keyset.Page{Limit: 51}}); err != nil {
					return err
				}
				_, err := st.TriggerNames(ctx, tenant.Org(memberOrg))
				return err
			}},
			{"dashboard", fixed("/analyst"), analyst, func(int) error {
				if _, err := st.TriggerStats(ctx, tenant.Operator()); err != nil {
					return err
				}
				if _, err := st.LabelGrades(ctx, tenant.Operator()); err != nil {
					return err
				}
				if err := trendSQL(); err != nil {
					return err
				}
				if _, err := st.NoticeAckDays(ctx, tenant.Operator(), st.Now().Add(-dashSince).Truncate(24*time.Hour)); err != nil {
					return err
				}
				_, err := st.NoticeDayFigures(ctx, tenant.Operator(), st.Now().Add(-dashSince).Truncate(24*time.Hour))
				return err
			}},
			// The dashboard's two plots (server-side SVG), each beside the
			// one query it draws: the ratio is the cost of drawing.
			{"notices plot", fixed("/analyst/plots/notices.svg"), analyst, func(int) error {
				_, err := st.NoticeDayFigures(ctx, tenant.Operator(), st.Now().Add(-dashSince).Truncate(24*time.Hour))
				return err
			}},
			{"triggers plot", fixed("/analyst/plots/triggers.svg"), analyst, func(int) error {
				_, err := st.TriggerStats(ctx, tenant.Operator())
				return err
			}},
			{"acknowledgement plot", fixed("/analyst/plots/acks.svg"), analyst, func(int) error {
				_, err := st.NoticeAckDays(ctx, tenant.Operator(), st.Now().Add(-dashSince).Truncate(24*time.Hour))
				return err
			}},
			{"findings per day plot", fixed("/analyst/plots/trend.svg"), analyst, func(int) error { return trendSQL() }},
			{"grades plot", fixed("/analyst/plots/grades.svg"), analyst, func(int) error {
				_, err := st.LabelGrades(ctx, tenant.Operator())
				return err
			}},
			// The dashboard's aggregates counted from every finding and
			// notice item, as before the running totals: the SQL only, a
			// reference for the row above.
			{"dashboard recount", nil, analyst, func(int) error {
				rows, err := st.Query(ctx, `SELECT t.id, COUNT(DISTINCT f.org_id), COUNT(f.id), COALESCE(SUM(CASE WHEN f.status = 'open' THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(f.seen_count), 0) FROM triggers t LEFT JOIN findings f ON f.trigger_id = t.id GROUP BY t.id ORDER BY t.id`)
				if err != nil {
					return err
				}
				for rows.Next() {
				}
				rows.Close()
				_, err = st.NoticeStatRows(ctx, tenant.Operator(), st.Now().Add(-dashSince).Truncate(24*time.Hour))
				return err
			}},
		}
		for _, c := range cases {
			if c.path == nil && os.Getenv("VIGIL_BENCH_NO_RECOUNT") != "" {
				continue // minutes on PostgreSQL; a reference only
			}
			runs := nRuns
			var page timing
			if c.path != nil {
				page = percentiles(t, runs, func(run int) error {
					path := c.path(run)
					r := httptest.NewRequest("GET", path, nil)
					r.AddCookie(&http.Cookie{Name: sessionCookie, Value: c.cookie})
					rec := httptest.NewRecorder()
					srv.ServeHTTP(rec, r)
					if rec.Code != http.StatusOK {
						return fmt.Errorf("%s: %d %.200s", path, rec.Code, rec.Body.String())
					}
					return nil
				})
			} else {
				runs = 1 // seconds to minutes on a full-size database
			}
			sql := percentiles(t, runs, c.sql)
			*results = append(*results, benchRow{page: c.name, engine: string(st.Dialect()), pageT: page, sqlT: sql})
		}
	})
	var b strings.Builder
	fmt.Fprintf(&b, "\n%d organisations, %d findings; %d runs a page and its SQL after a warm-up (p95: the %s slowest), the recount once\n",
		nOrgs, nFindings, nRuns, ordinal(nRuns-p95Index(nRuns)))
	fmt.Fprintf(&b, "%-18s %-9s %9s %9s %13s %7s\n", "page", "engine", "p50 ms", "p95 ms", "its SQL p95", "ratio")
	for _, r := range *results {
		if r.pageT.p95 == 0 {
			fmt.Fprintf(&b, "%-18s %-9s %9s %9s %13.1f %7s\n", r.page, r.engine, "-", "-", ms(r.sqlT.p95), "-")
			continue
		}
		fmt.Fprintf(&b, "%-18s %-9s %9.1f %9.1f %13.1f %7.2f\n", r.page, r.engine, ms(r.pageT.p50), ms(r.pageT.p95), ms(r.sqlT.p95),
			float64(r.pageT.p95)/float64(r.sqlT.p95))
	}
	t.Log(b.String())
}

// benchRow is one line of TestPortalPagesBench's table.
type benchRow struct {
	page, engine string
	pageT, sqlT  timing
}

// timing is the median and 95th percentile of a measurement.
type timing struct{ p50, p95 time.Duration }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// percentiles runs fn n times with the run's number (after one warm-up
// run, which only loads the statement caches of the driver, when n > 1)
// and returns the median and the 95th percentile.
func percentiles(t *testing.T, n int, fn func(run int) error) timing {
	t.Helper()
	if n > 1 {
		if err := fn(0); err != nil {
			t.Fatal(err)
		}
	}
	ds := make([]time.Duration, n)
	for i := range ds {
		start := time.Now()
		if err := fn(i); err != nil {
			t.Fatal(err)
		}
		ds[i] = time.Since(start)
	}
	slices.Sort(ds)
	return timing{p50: ds[(n-1)/2], p95: ds[p95Index(n)]}
}

// p95Index is the index of the 95th percentile in n sorted samples (the
// nearest-rank method).
func p95Index(n int) int { return (n*95+99)/100 - 1 }

// ordinal writes n as "11th", "2nd".
func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return strconv.Itoa(n) + suffix
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// loadBench fills st with nOrgs organisations and nFindings findings under
// eight triggers: the first organisation has 5,000 of them (or all, in a
// small run), spread over the load, the others share the rest. Every
// organisation gets one warning holding its findings. It returns the
// triggers' names and the first organisation's id.
func loadBench(t *testing.T, st *store.Store, nOrgs, nFindings int) ([]string, int64) {
	t.Helper()
	ctx := context.Background()
	orgs := make([]registry.Org, nOrgs)
	for i := range orgs {
		orgs[i] = registry.Org{Name: fmt.Sprintf("Bench org %05d", i)}
	}
	if _, _, err := st.OrgImport(ctx, tenant.Operator(), orgs); err != nil {
		t.Fatal(err)
	}
	ids, err := st.OrgListAll(ctx, tenant.Operator())
	if err != nil {
		t.Fatal(err)
	}
	var trigs []int64
	var names []string
	for i := range 8 {
		name := fmt.Sprintf("bench_trigger_%d", i)
		id, err := st.TriggerEnsure(ctx, finding.Trigger{Name: name, Kind: "feed"})
		if err != nil {
			t.Fatal(err)
		}
		trigs, names = append(trigs, id), append(names, name)
	}
	run := ingest.Run{Source: "bench", FeedType: "csv", ReportType: "bench", TriggerID: trigs[0]}
	if err := st.RunStart(ctx, &run); err != nil {
		t.Fatal(err)
	}
	member := min(5000, nFindings)
	step := max(1, nFindings/member)
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	batch := make([]finding.Sighting, 0, 10000)
	// As the feed ingest writes: a transaction per batch.
	flush := func() {
		if err := st.IngestTx(ctx, func(tx ingest.Store) error {
			_, _, err := tx.FindingUpsert(ctx, run.ID, batch)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		batch = batch[:0]
	}
	for i := range nFindings {
		// The first organisation's findings are spread over the whole
		// load (every step-th), as a member's findings arrive among
		// everyone's; the others take the rest in turn.
		org := ids[0].ID
		if i%step != 0 || i/step >= member {
			org = ids[1+i%(len(ids)-1)].ID
		}
		ip := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		batch = append(batch, finding.Sighting{OrgID: org, TriggerID: trigs[i%len(trigs)], Type: "vulnerable-system", ReportType: "bench",
			Key: ip.String() + ":443", IP: ip, Port: 443, Severity: finding.Severity(1 + i%5), Time: base.Add(time.Duration(i) * time.Second),
			Evidence: []byte(`{"bench":"1"}`)})
		if len(batch) == cap(batch) {
			flush()
		}
	}
	flush()
	seedBenchNotices(t, st, ids)
	return names, ids[0].ID
}

// seedBenchNotices gives every organisation one warning created on one of
// the last fortnight's days that holds all its findings as items (as many
// items as findings), with one delivery: 80 % sent (a third of those
// acknowledged), the rest failed or pending. What the sending transaction
// writes besides the delivery is written too: the delivery's sent time and
// the organisation warned about each trigger of its items on the day of
// sending (org_warnings, one row per organisation and trigger), which the
// dashboard's "organisations warned" counts read.
func seedBenchNotices(t *testing.T, st *store.Store, orgs []registry.Org) {
	t.Helper()
	ctx := context.Background()
	now := st.Now()
	err := st.Tx(ctx, func(tx *store.Store) error {
		for i, o := range orgs {
			created := now.Add(-time.Duration(i%14)*24*time.Hour - time.Hour)
			var first, acked any
			if i%10 >= 2 {
				first = created.Add(time.Minute)
				if i%3 == 0 {
					acked = created.Add(time.Duration(2+i%50) * time.Minute)
				}
			}
			if _, err := tx.Exec(ctx, `INSERT INTO notices (org_id, kind, severity, state, payload, created_at, first_sent_at, acked_at)
VALUES (?, 'immediate', 3, 'open', '{}', ?, ?, ?)`, o.ID, created, first, acked); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO notice_items (org_id, finding_id, trigger_id, kind, severity, created_at, notice_id)
SELECT f.org_id, f.id, f.trigger_id, 'new', f.severity, n.created_at, n.id FROM findings f JOIN notices n ON n.org_id = f.org_id`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO outbox (notice_id, channel, recipient, idem_key, state, next_attempt_at, created_at, updated_at, sent_at)
SELECT id, 'email', 'soc@bench.example', 'bench-' || id, CASE WHEN first_sent_at IS NOT NULL THEN 'sent' WHEN id % 2 = 0 THEN 'dead' ELSE 'pending' END,
  created_at, created_at, created_at, first_sent_at FROM notices`); err != nil {
			return err
		}
		// As store.orgWarned does when a delivery is marked sent, per
		// sent notice (the day is the sending's, in UTC).
		for i, o := range orgs {
			if i%10 < 2 {
				continue
			}
			day := now.Add(-time.Duration(i%14)*24*time.Hour - time.Hour + time.Minute).UTC().Format(time.DateOnly)
			if _, err := tx.Exec(ctx, `INSERT INTO org_warnings (day, trigger_id, org_id)
SELECT DISTINCT ?, i.trigger_id, n.org_id FROM notices n JOIN notice_items i ON i.notice_id = n.id
WHERE n.org_id = ? AND n.first_sent_at IS NOT NULL
ON CONFLICT DO NOTHING`, day, o.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed notices: %v", err)
	}
}
