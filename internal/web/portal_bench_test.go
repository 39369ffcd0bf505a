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
	"testing"
	"time"

	"vigil/internal/account"
	"vigil/internal/finding"
	"vigil/internal/ingest"
	"vigil/internal/keyset"
	"vigil/internal/notify"
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
// It runs only when VIGIL_BENCH_PORTAL is set (it loads 1,000,000
// findings); VIGIL_BENCH_ORGS and VIGIL_BENCH_FINDINGS scale it down. With
// VIGIL_TEST_PG it also runs on PostgreSQL.
func TestPortalPagesBench(t *testing.T) {
	if os.Getenv("VIGIL_BENCH_PORTAL") == "" {
		t.Skip("set VIGIL_BENCH_PORTAL=1 to load 10,000 organisations and 1,000,000 findings and measure the portal's pages")
	}
	nOrgs, nFindings := envInt("VIGIL_BENCH_ORGS", 10000), envInt("VIGIL_BENCH_FINDINGS", 1000000)
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		start := time.Now()
		trig, memberOrg := loadBench(t, st, nOrgs, nFindings)
		t.Logf("%s: loaded %d organisations, %d findings in %s", st.Dialect(), nOrgs, nFindings, time.Since(start).Round(time.Second))
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
		cases := []struct {
			name, path, cookie string
			sql                func() error
		}{
			{"analyst findings", "/analyst/findings?status=open&trigger=" + trig, analyst, func() error {
				fs, err := st.FindingListBySeen(ctx, tenant.Operator(), finding.Filter{Trigger: trig, Status: finding.Open, Page: keyset.Page{Limit: 51}}, finding.Seen{})
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
				_, err = st.TriggerNames(ctx)
				return err
			}},
			{"member findings", fmt.Sprintf("/orgs/%d/findings", memberOrg), member, func() error {
				if _, err := st.FindingList(ctx, tenant.Org(memberOrg), finding.Filter{Page: keyset.Page{Limit: 51}}); err != nil {
					return err
				}
				_, err := st.TriggerNames(ctx)
				return err
			}},
			{"dashboard", "/analyst", analyst, func() error {
				if _, err := st.TriggerStats(ctx, tenant.Operator()); err != nil {
					return err
				}
				_, err := notify.LoadStats(ctx, st, tenant.Operator(), st.Now().Add(-dashSince).Truncate(24*time.Hour), notify.PeriodDay)
				return err
			}},
		}
		const runs = 40
		for _, c := range cases {
			page := p95(t, runs, func() error {
				r := httptest.NewRequest("GET", c.path, nil)
				r.AddCookie(&http.Cookie{Name: sessionCookie, Value: c.cookie})
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, r)
				if rec.Code != http.StatusOK {
					return fmt.Errorf("%s: %d %.200s", c.path, rec.Code, rec.Body.String())
				}
				return nil
			})
			sql := p95(t, runs, c.sql)
			t.Logf("%-8s %-16s page p95 %8.1f ms   its SQL p95 %8.1f ms   ratio %.2f", st.Dialect(), c.name,
				ms(page), ms(sql), float64(page)/float64(sql))
		}
	})
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// p95 runs fn n times (after one warm-up run, which only loads the
// statement caches of the driver) and returns the 95th percentile.
func p95(t *testing.T, n int, fn func() error) time.Duration {
	t.Helper()
	if err := fn(); err != nil {
		t.Fatal(err)
	}
	ds := make([]time.Duration, n)
	for i := range ds {
		start := time.Now()
		if err := fn(); err != nil {
			t.Fatal(err)
		}
		ds[i] = time.Since(start)
	}
	slices.Sort(ds)
	return ds[(n*95+99)/100-1]
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// loadBench fills st with nOrgs organisations and nFindings findings under
// eight triggers: the first organisation has 5,000 of them (or all, in a
// small run), the others share the rest. It returns a trigger's name and
// the first organisation's id.
func loadBench(t *testing.T, st *store.Store, nOrgs, nFindings int) (string, int64) {
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
	for i := range 8 {
		id, err := st.TriggerEnsure(ctx, finding.Trigger{Name: fmt.Sprintf("bench_trigger_%d", i), Kind: "feed"})
		if err != nil {
			t.Fatal(err)
		}
		trigs = append(trigs, id)
	}
	run := ingest.Run{Source: "bench", FeedType: "csv", ReportType: "bench", TriggerID: trigs[0]}
	if err := st.RunStart(ctx, &run); err != nil {
		t.Fatal(err)
	}
	member := min(5000, nFindings)
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	batch := make([]finding.Sighting, 0, 10000)
	flush := func() {
		if _, _, err := st.FindingUpsert(ctx, run.ID, batch); err != nil {
			t.Fatal(err)
		}
		batch = batch[:0]
	}
	for i := range nFindings {
		org := ids[0].ID
		if i >= member {
			org = ids[1+(i-member)%(len(ids)-1)].ID
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
	return "bench_trigger_3", ids[0].ID
}
