// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/finding"
	"vigil/internal/ingest"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// runReportName is the file name of the generated report: Shadowserver's
// naming gives the report type.
const runReportName = "2026-12-01-scan_http_vulnerable-vigil_test-asn.csv"

// runOrgs registers nine organisations, org k owning 198.18.k.0/24: eight
// immediate ones and one (k = 4) with a daily digest, which gets only its
// critical findings at once.
func runOrgs(t *testing.T, s *store.Store) map[int64]string {
	t.Helper()
	names := map[int64]string{}
	for k := range 9 {
		mode := "immediate"
		if k == 4 {
			mode = "daily"
		}
		o := registry.Org{Name: fmt.Sprintf("Org %d", k), Policy: registry.Policy{Mode: mode},
			Assets:   []registry.Asset{{Value: fmt.Sprintf("198.18.%d.0/24", k)}},
			Contacts: []registry.Contact{{Email: fmt.Sprintf("cert@org%d.example", k), Role: "security"}}}
		if err := s.OrgCreate(context.Background(), tenant.Operator(), &o); err != nil {
			t.Fatal(err)
		}
		names[o.ID] = o.Name
	}
	return names
}

// runReport returns the rows of a scan_http_vulnerable-like report: org k
// has 4+k addresses; every third address is seen twice, first as medium and
// later as critical (a severity rise inside the run); a few rows are
// nobody's.
func runReport() []string {
	var rows []string
	row := func(ts, sev, ip string, port int) {
		rows = append(rows, fmt.Sprintf(`"%s","%s","%s","tcp",%d,,"http-vulnerable",64512`, ts, sev, ip, port))
	}
	for k := range 9 {
		for h := range 4 + k {
			ip := fmt.Sprintf("198.18.%d.%d", k, 10+h)
			sev := [...]string{"high", "critical", "medium"}[(k+h)%3]
			if h%3 == 0 {
				row("2026-12-01 01:00:00", "medium", ip, 80)
				row("2026-12-01 05:00:00", "critical", ip, 80)
				continue
			}
			row("2026-12-01 03:00:00", sev, ip, 443)
		}
	}
	for i := range 5 {
		row("2026-12-01 02:00:00", "high", fmt.Sprintf("203.0.113.%d", i), 443)
	}
	return rows
}

const runHeader = `"timestamp","severity","ip","protocol","port","hostname","tag","asn"`

// ordered returns the report's rows in the named order.
func ordered(rows []string, order string) []string {
	out := slices.Clone(rows)
	switch order {
	case "sorted":
	case "reversed":
		slices.Reverse(out)
	default: // shuffled with a seed
		var seed uint64
		fmt.Sscanf(order, "shuffled%d", &seed)
		r := rand.New(rand.NewPCG(seed, 7))
		r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	}
	return out
}

// runVariant is one way of ingesting and composing the same report.
type runVariant struct {
	order         string
	ingestBatch   int
	composeBatch  int
	during        bool // compose after every committed ingest batch
	interruptedAt int  // stop the ingest after this many batches and resume it
}

func (v runVariant) String() string {
	when := "after"
	if v.during {
		when = "during"
	}
	s := fmt.Sprintf("%s_ingest%d_compose%d_%s", v.order, v.ingestBatch, v.composeBatch, when)
	if v.interruptedAt > 0 {
		s += fmt.Sprintf("_resumed%d", v.interruptedAt)
	}
	return s
}

// noticeView is what a recipient sees of a notice, independent of ids and
// times.
type noticeView struct {
	Org      string
	Kind     notify.Kind
	Severity finding.Severity
	Items    []string // trigger|key|severity|event, in the notice's order
}

// noticeViews returns every notice of s as its recipient sees it, by
// organisation and kind.
func noticeViews(t *testing.T, s *store.Store) []noticeView {
	t.Helper()
	ctx := context.Background()
	ns, err := s.NoticeList(ctx, tenant.Operator(), notify.NoticeFilter{Page: keyset.Page{Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	var out []noticeView
	for _, n := range ns {
		c, err := s.NoticeContent(ctx, tenant.Operator(), n.ID)
		if err != nil {
			t.Fatal(err)
		}
		v := noticeView{Org: c.OrgName, Kind: c.Kind, Severity: c.Severity}
		for _, it := range c.Items {
			v.Items = append(v.Items, fmt.Sprintf("%s|%s|%s|%s", it.Trigger, it.Key, it.Severity, it.Event))
		}
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b noticeView) int {
		if c := strings.Compare(a.Org, b.Org); c != 0 {
			return c
		}
		return strings.Compare(string(a.Kind), string(b.Kind))
	})
	return out
}

// ingestVariant ingests the report as v says on a fresh store and composes
// its notices; it returns the notices.
func ingestVariant(t *testing.T, s *store.Store, v runVariant) []noticeView {
	t.Helper()
	ctx := context.Background()
	runOrgs(t, s)
	ix, err := ingest.BuildIndex(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	n := notify.NewNotifier(notify.NotifierConfig{Store: s, BatchSize: v.composeBatch, Now: s.Now,
		PlanConfig: notify.PlanConfig{Default: notify.DefaultPolicy(), DigestHour: 6, Languages: []string{"en"}}})
	compose := func() {
		if _, err := n.Compose(ctx, false); err != nil {
			t.Fatal(err)
		}
	}
	data := []byte(runHeader + "\n" + strings.Join(ordered(runReport(), v.order), "\n") + "\n")
	opts := ingest.Options{Name: runReportName, BatchSize: v.ingestBatch, SHA256: fmt.Sprintf("%x", v.String())}
	if v.interruptedAt > 0 {
		ictx, cancel := context.WithCancel(ctx)
		batches := 0
		o := opts
		o.Progress = func(int64) {
			if v.during {
				compose()
			}
			if batches++; batches == v.interruptedAt {
				cancel()
			}
		}
		_, err := ingest.Feed(ictx, s, ix, bytes.NewReader(data), o)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted ingest: %v", err)
		}
		compose()
		if got := noticeViews(t, s); len(got) != 0 {
			t.Fatalf("notices before the interrupted run ended: %+v", got)
		}
	}
	if v.during {
		opts.Progress = func(int64) { compose() }
	}
	sum, err := ingest.Feed(ctx, s, ix, bytes.NewReader(data), opts)
	if err != nil {
		t.Fatal(err)
	}
	if v.interruptedAt > 0 && !sum.Resumed {
		t.Fatalf("the second ingest did not resume the run: %+v", sum)
	}
	compose()
	return noticeViews(t, s)
}

// TestOneNoticePerOrgPerRun ingests one report in several row orders,
// ingest batch sizes and composition batch sizes, composing during and
// after the ingest, and once interrupted and resumed: every way gives the
// same notices, one per organisation with every finding of the report as
// an item (the daily organisation: its critical findings).
func TestOneNoticePerOrgPerRun(t *testing.T) {
	variants := []runVariant{
		{order: "sorted", ingestBatch: 10000, composeBatch: 5000},
		{order: "shuffled1", ingestBatch: 7, composeBatch: 5, during: true},
		{order: "reversed", ingestBatch: 13, composeBatch: 64, during: true},
		{order: "shuffled2", ingestBatch: 1, composeBatch: 3},
		{order: "shuffled3", ingestBatch: 9, composeBatch: 2, during: true, interruptedAt: 3},
	}
	open := map[string]func(testing.TB, storetest.Options) *store.Store{"sqlite": storetest.OpenSQLite}
	if os.Getenv(storetest.EnvPG) != "" {
		open["postgres"] = storetest.OpenPostgres
	}
	for _, dialect := range []string{"sqlite", "postgres"} {
		openStore, ok := open[dialect]
		if !ok {
			continue
		}
		t.Run(dialect, func(t *testing.T) {
			var want []noticeView
			for i, v := range variants {
				t.Run(v.String(), func(t *testing.T) {
					s := openStore(t, storetest.Options{})
					got := ingestVariant(t, s, v)
					if i == 0 {
						checkOnePerOrg(t, s, got)
						want = got
						return
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("notices differ from %s (-want +got):\n%s", variants[0], diff)
					}
				})
			}
		})
	}
}

// checkOnePerOrg checks the notices of the first variant against the
// findings: one immediate notice per organisation with every open finding
// (critical ones only for the daily organisation, the others held).
func checkOnePerOrg(t *testing.T, s *store.Store, got []noticeView) {
	t.Helper()
	ctx := context.Background()
	want := map[string][]string{}
	fs, err := s.FindingList(ctx, tenant.Operator(), finding.Filter{Page: keyset.Page{Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	orgName := map[int64]string{}
	orgs, err := s.OrgList(ctx, tenant.Operator(), keyset.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		orgName[o.ID] = o.Name
	}
	for _, f := range fs {
		name := orgName[f.OrgID]
		if name == "Org 4" && f.Severity < finding.Critical {
			continue
		}
		want[name] = append(want[name], f.Key)
	}
	if len(want) != 9 {
		t.Fatalf("findings of %d organisations, want 9", len(want))
	}
	seen := map[string]int{}
	for _, n := range got {
		if n.Kind != notify.KindImmediate {
			t.Errorf("%s: a %s notice", n.Org, n.Kind)
			continue
		}
		seen[n.Org]++
		var keys []string
		for _, it := range n.Items {
			keys = append(keys, strings.Split(it, "|")[1])
		}
		slices.Sort(keys)
		w := want[n.Org]
		slices.Sort(w)
		if diff := cmp.Diff(w, keys); diff != "" {
			t.Errorf("%s: items (-want +got):\n%s", n.Org, diff)
		}
	}
	for org := range want {
		if seen[org] != 1 {
			t.Errorf("%s: %d notices, want 1", org, seen[org])
		}
	}
	if len(got) != 9 {
		t.Errorf("%d notices, want 9: %+v", len(got), got)
	}
}

// TestSecondReportAndCap: the same report a second time sends nothing; a
// third report after an organisation's cap (here 1 a day) was reached
// sends only its critical findings, one notice, and folds the others into
// the next daily digest, counted by NotifyHeld and in the statistics.
func TestSecondReportAndCap(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	clk := &notifyClock{t: t0}
	storetest.EachOpts(t, storetest.Options{Now: clk.Now}, func(t *testing.T, s *store.Store) {
		clk.Set(t0)
		ctx := context.Background()
		runOrgs(t, s)
		ix, err := ingest.BuildIndex(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		def := notify.DefaultPolicy()
		def.Cap = 1
		n := notify.NewNotifier(notify.NotifierConfig{Store: s, Now: clk.Now,
			PlanConfig: notify.PlanConfig{Default: def, DigestHour: 6, Languages: []string{"en"}}})
		feed := func(name string, rows []string) notify.ComposeResult {
			t.Helper()
			data := runHeader + "\n" + strings.Join(rows, "\n") + "\n"
			if _, err := ingest.Feed(ctx, s, ix, strings.NewReader(data), ingest.Options{Name: name, SHA256: name}); err != nil {
				t.Fatal(err)
			}
			res, err := n.Compose(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		if res := feed("2026-12-01-scan_http_vulnerable-a-asn.csv", runReport()); res.Notices != 9 {
			t.Fatalf("first report: %d notices, want 9", res.Notices)
		}
		clk.Add(time.Hour)
		if res := feed("2026-12-01-scan_http_vulnerable-b-asn.csv", ordered(runReport(), "reversed")); res.Notices != 0 || res.Items != 0 {
			t.Fatalf("the same report again: %+v; want nothing", res)
		}
		clk.Add(time.Hour)
		res := feed("2026-12-01-scan_http_vulnerable-c-asn.csv", []string{
			`"2026-12-01 08:00:00","high","198.18.0.200","tcp",443,,"http-vulnerable",64512`,
			`"2026-12-01 08:00:00","critical","198.18.1.200","tcp",443,,"http-vulnerable",64512`,
			`"2026-12-01 08:00:00","high","198.18.1.201","tcp",443,,"http-vulnerable",64512`,
		})
		if res.Notices != 1 || res.Folded != 2 || res.Held != 2 {
			t.Fatalf("third report beyond the cap: %+v; want 1 notice, 2 items folded", res)
		}
		views := noticeViews(t, s)
		var org1 []noticeView
		for _, v := range views {
			if v.Org == "Org 1" {
				org1 = append(org1, v)
			}
		}
		if len(org1) != 2 || len(org1[1].Items) != 1 || !strings.Contains(org1[1].Items[0], "198.18.1.200:443|critical") {
			t.Errorf("Org 1's notices: %+v; want the first report's and one with the critical finding only", org1)
		}
		held, err := s.NotifyHeld(ctx, t0)
		if err != nil || held.Folded != 2 || held.FoldedOrgs != 2 || held.Waiting != 0 {
			t.Errorf("NotifyHeld = %+v, %v; want 2 folded items of 2 organisations", held, err)
		}
		// The next morning the folded items go out in daily digests (and
		// the daily organisation's held ones in its own).
		clk.Set(time.Date(2026, 12, 2, 7, 0, 0, 0, time.UTC))
		res, err = n.Compose(ctx, false)
		if err != nil || res.Digests != 3 || len(res.Orgs) != 3 || res.Orgs[0].Name != "Org 0" || res.Orgs[1].Name != "Org 1" || res.Orgs[2].Name != "Org 4" {
			t.Fatalf("next morning: %+v, %v; want digests for Org 0, Org 1 and Org 4", res, err)
		}
		st, err := notify.LoadStats(ctx, s, tenant.Operator(), time.Time{}, notify.PeriodNone)
		if err != nil || st.Overall.Folded != 2 {
			t.Errorf("stats: folded %d, %v; want 2", st.Overall.Folded, err)
		}
	})
}
