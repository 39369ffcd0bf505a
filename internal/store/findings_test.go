// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/ingest"
	"vigil/internal/keyset"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

func sighting(org, trig int64, ip string, port uint16, sev finding.Severity, at time.Time) finding.Sighting {
	a := netip.MustParseAddr(ip)
	return finding.Sighting{OrgID: org, TriggerID: trig, Type: "vulnerable-system", ReportType: "scan_exchange",
		Key: finding.KeyFor(a, port), IP: a, Port: port, Severity: sev, Time: at, ASN: 64500,
		Evidence: json.RawMessage(fmt.Sprintf(`{"ip":%q,"port":%d}`, ip, port))}
}

func TestFindingLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o, trig := orgTrigger(t, s, "F", "scan_exchange")
		if again, _ := s.TriggerEnsure(ctx, finding.Trigger{Name: "scan_exchange"}); again != trig {
			t.Fatalf("TriggerEnsure not idempotent: %d vs %d", again, trig)
		}
		t0 := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
		run := func(sightings ...finding.Sighting) (int, int, int64) {
			r := ingest.Run{Source: "t.csv", FeedType: "shadowserver", ReportType: "scan_exchange", TriggerID: trig, FullReport: true}
			if err := s.RunStart(ctx, &r); err != nil {
				t.Fatal(err)
			}
			var c, u int
			err := s.Tx(ctx, func(tx *store.Store) error {
				var err error
				c, u, err = tx.FindingUpsert(ctx, r.ID, sightings)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			n, err := s.FindingResolveUnseen(ctx, trig, "scan_exchange", r.ID)
			if err != nil {
				t.Fatal(err)
			}
			return c, u, n
		}
		// Day 1: two hosts, one seen twice in the same report.
		c, u, n := run(sighting(o.ID, trig, "192.0.2.1", 443, finding.Medium, t0),
			sighting(o.ID, trig, "192.0.2.1", 443, finding.Medium, t0.Add(time.Hour)),
			sighting(o.ID, trig, "2001:db8::1", 443, finding.High, t0))
		if c != 2 || u != 0 || n != 0 {
			t.Fatalf("day 1: created %d updated %d resolved %d; want 2 0 0", c, u, n)
		}
		// Day 2: the IPv4 host again with higher severity; the IPv6 host is gone.
		c, u, n = run(sighting(o.ID, trig, "192.0.2.1", 443, finding.Critical, t0.Add(24*time.Hour)))
		if c != 0 || u != 1 || n != 1 {
			t.Fatalf("day 2: created %d updated %d resolved %d; want 0 1 1", c, u, n)
		}
		// Day 3: the IPv6 host is back.
		c, u, n = run(sighting(o.ID, trig, "192.0.2.1", 443, finding.Critical, t0.Add(48*time.Hour)),
			sighting(o.ID, trig, "2001:db8::1", 443, finding.High, t0.Add(48*time.Hour)))
		if c != 0 || u != 2 || n != 0 {
			t.Fatalf("day 3: created %d updated %d resolved %d; want 0 2 0", c, u, n)
		}
		fs, err := s.FindingList(ctx, tenant.Org(o.ID), finding.Filter{})
		if err != nil || len(fs) != 2 {
			t.Fatalf("FindingList = %v, %v", fs, err)
		}
		v4 := fs[0]
		if v4.Key != "192.0.2.1:443" || v4.Count != 4 || v4.Severity != finding.Critical || v4.Status != finding.Open ||
			!v4.FirstSeen.Equal(t0) || !v4.LastSeen.Equal(t0.Add(48*time.Hour)) || v4.Trigger != "scan_exchange" {
			t.Errorf("v4 finding = %+v", v4)
		}
		if fs[1].Key != "[2001:db8::1]:443" || fs[1].Status != finding.Open || fs[1].ResolvedAt != nil {
			t.Errorf("v6 finding = %+v", fs[1])
		}
		evs, _ := s.EventList(ctx, tenant.Org(o.ID), keyset.Page{})
		var kinds []string
		for _, e := range evs {
			kinds = append(kinds, fmt.Sprintf("%d:%s", e.FindingID, e.Kind))
		}
		want := fmt.Sprintf("[%d:new %d:new %d:severity_up %d:resolved %d:reopened]", fs[0].ID, fs[1].ID, fs[0].ID, fs[1].ID, fs[1].ID)
		if got := fmt.Sprint(kinds); got != want {
			t.Errorf("events = %s; want %s", got, want)
		}
		st, err := s.TriggerStats(ctx, tenant.Operator())
		if err != nil || len(st) != 1 || st[0].Findings != 2 || st[0].Organisations != 1 || st[0].Observations != 6 || st[0].Open != 2 {
			t.Errorf("TriggerStats = %+v, %v", st, err)
		}
	})
}

func TestFindingUpsertLargeBatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := &registry.Org{Name: "Big"}
		if err := s.OrgCreate(ctx, tenant.Operator(), o); err != nil {
			t.Fatal(err)
		}
		trig, _ := s.TriggerEnsure(ctx, finding.Trigger{Name: "big"})
		var batch []finding.Sighting
		for i := 0; i < 2500; i++ {
			batch = append(batch, sighting(o.ID, trig, fmt.Sprintf("10.0.%d.%d", i/256, i%256), 80, finding.Low, time.Now()))
		}
		c, u, err := s.FindingUpsert(ctx, 0, batch)
		if err != nil || c != 2500 || u != 0 {
			t.Fatalf("first = %d %d %v", c, u, err)
		}
		c, u, err = s.FindingUpsert(ctx, 0, batch)
		if err != nil || c != 0 || u != 2500 {
			t.Fatalf("second = %d %d %v", c, u, err)
		}
	})
}

func TestQuarantine(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := ingest.Run{Source: "x.csv", FeedType: "csv"}
		if err := s.RunStart(ctx, &r); err != nil {
			t.Fatal(err)
		}
		bad := []errs.RowError{{File: "x.csv", Line: 7, Field: "ip", Reason: "not an IP address", Raw: "999.1.1.1,80"},
			{File: "x.csv", Line: 9, Reason: "invalid UTF-8", Raw: "\xff\xfe"}}
		if err := s.QuarantineAdd(ctx, r.ID, bad); err != nil {
			t.Fatal(err)
		}
		got, err := s.QuarantineList(ctx, keyset.Page{})
		if err != nil || len(got) != 2 || got[0].Line != 7 || got[0].Field != "ip" || got[1].Raw != `\xff\xfe` || got[0].RunID != r.ID {
			t.Fatalf("QuarantineList = %+v, %v", got, err)
		}
	})
}

// TestFindingIdentCollision plants a finding of another identity at the
// identity hash of a sighting: the upsert must not merge the two but store
// the sighting at its next probe, and resolving by identity must touch only
// its own row.
func TestFindingIdentCollision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o, trig := orgTrigger(t, s, "C", "scan_collide")
		t0 := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
		sg := sighting(o.ID, trig, "192.0.2.7", 443, finding.High, t0)
		// The squatter: key 198.51.100.1:80 stored under sg's hash.
		if _, err := s.Exec(ctx, `INSERT INTO findings (ident, org_id, trigger_id, type, key, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			finding.Ident(sg.OrgID, sg.TriggerID, sg.Type, sg.Key), o.ID, trig, sg.Type, "198.51.100.1:80", t0, t0); err != nil {
			t.Fatal(err)
		}
		for day := range 2 {
			sg.Time = t0.Add(time.Duration(day) * 24 * time.Hour)
			var c, u int
			err := s.Tx(ctx, func(tx *store.Store) error {
				var err error
				c, u, err = tx.FindingUpsert(ctx, 0, []finding.Sighting{sg})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if want := [2]int{1 - day, day}; [2]int{c, u} != want {
				t.Fatalf("day %d: created %d updated %d; want %v", day, c, u, want)
			}
		}
		fs, err := s.FindingList(ctx, tenant.Org(o.ID), finding.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, f := range fs {
			got[f.Key] = f.Count
		}
		if len(fs) != 2 || got["192.0.2.7:443"] != 2 || got["198.51.100.1:80"] != 1 {
			t.Fatalf("findings %v; want the squatter untouched and the sighting counted twice", got)
		}
		n, err := s.FindingResolveKeys(ctx, []finding.Key{{OrgID: o.ID, TriggerID: trig, Type: sg.Type, Key: sg.Key}})
		if err != nil || n != 1 {
			t.Fatalf("resolve: %d, %v; want 1", n, err)
		}
		open, err := s.FindingList(ctx, tenant.Org(o.ID), finding.Filter{Status: finding.Open})
		if err != nil || len(open) != 1 || open[0].Key != "198.51.100.1:80" {
			t.Fatalf("open after resolve: %+v, %v; want only the squatter", open, err)
		}
	})
}

// TestFindingChangesCommitOrder: a change written by a transaction that
// commits after a later one is not stepped over by a reader that read in
// between (PostgreSQL; SQLite commits one writer at a time).
func TestFindingChangesCommitOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if s.Dialect() != store.Postgres {
			t.Skip("SQLite serialises writers: ids are in commit order")
		}
		ctx := context.Background()
		o, trig := orgTrigger(t, s, "F", "scan_exchange")
		sc := tenant.Org(o.ID)
		at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		written, commit, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			done <- s.Tx(ctx, func(tx *store.Store) error {
				_, _, err := tx.FindingUpsert(ctx, 0, []finding.Sighting{sighting(o.ID, trig, "192.0.2.1", 443, finding.High, at)})
				close(written)
				<-commit
				return err
			})
		}()
		<-written
		if _, _, err := s.FindingUpsert(ctx, 0, []finding.Sighting{sighting(o.ID, trig, "192.0.2.2", 443, finding.High, at)}); err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		p, err := s.FindingChanges(ctx, sc, finding.Cursor{}, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Changes {
			seen[c.Finding.IP]++
		}
		close(commit)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		cur, _ := finding.ParseCursor(p.Next)
		for i := 0; i < 400 && seen["192.0.2.1"]+seen["192.0.2.2"] < 2; i++ {
			p, err := s.FindingChanges(ctx, sc, cur, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range p.Changes {
				seen[c.Finding.IP]++
			}
			cur, _ = finding.ParseCursor(p.Next)
			time.Sleep(25 * time.Millisecond)
		}
		if seen["192.0.2.1"] != 1 || seen["192.0.2.2"] != 1 {
			t.Errorf("changes read along the cursor = %v; want each finding once", seen)
		}
	})
}

// TestFindingUpsertTwiceInOneTx: two batches upserted in one transaction
// are two batches (PostgreSQL writes each with one set-based statement):
// the second neither repeats the first nor loses its own rows.
func TestFindingUpsertTwiceInOneTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o, trig := orgTrigger(t, s, "Twice", "twice")
		at := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
		a := []finding.Sighting{sighting(o.ID, trig, "192.0.2.1", 443, finding.Low, at), sighting(o.ID, trig, "192.0.2.2", 443, finding.Low, at)}
		b := []finding.Sighting{sighting(o.ID, trig, "192.0.2.2", 443, finding.High, at.Add(time.Hour)), sighting(o.ID, trig, "192.0.2.3", 443, finding.Low, at)}
		var got [2][2]int
		err := s.Tx(ctx, func(tx *store.Store) error {
			for i, batch := range [][]finding.Sighting{a, b} {
				c, u, err := tx.FindingUpsert(ctx, 0, batch)
				if err != nil {
					return err
				}
				got[i] = [2]int{c, u}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := [2][2]int{{2, 0}, {1, 1}}; got != want {
			t.Errorf("created, updated = %v; want %v", got, want)
		}
		fs, err := s.FindingList(ctx, tenant.Org(o.ID), finding.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]string{}
		for _, f := range fs {
			counts[f.Key] = fmt.Sprintf("%d %s", f.Count, f.Severity)
		}
		want := map[string]string{"192.0.2.1:443": "1 low", "192.0.2.2:443": "2 high", "192.0.2.3:443": "1 low"}
		if fmt.Sprint(counts) != fmt.Sprint(want) {
			t.Errorf("findings %v; want %v", counts, want)
		}
	})
}

// TestTriggerDaysResighting: a finding counts on the day of its first
// sighting. A re-sighting on a later day leaves it there, an older
// sighting that arrives late moves it to its own day, on both engines
// (migration 00790 narrowed PostgreSQL's move trigger to the second case).
func TestTriggerDaysResighting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o, trig := orgTrigger(t, s, "D", "scan_days")
		day := func(d int) time.Time { return time.Date(2025, 6, d, 23, 30, 0, 0, time.UTC) }
		upsert := func(at time.Time) {
			t.Helper()
			err := s.Tx(ctx, func(tx *store.Store) error {
				_, _, err := tx.FindingUpsert(ctx, 0, []finding.Sighting{sighting(o.ID, trig, "192.0.2.7", 443, finding.High, at),
					sighting(o.ID, trig, "192.0.2.8", 443, finding.High, day(3))})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		want := func(step string, days ...string) {
			t.Helper()
			got, err := s.TriggerDays(ctx, tenant.Operator(), day(1))
			if err != nil {
				t.Fatal(err)
			}
			var g []string
			for _, d := range got {
				g = append(g, fmt.Sprintf("%s %s %d", d.Day, d.Trigger, d.Findings))
			}
			if fmt.Sprint(g) != fmt.Sprint(days) {
				t.Errorf("%s: trigger days %q; want %q", step, g, days)
			}
		}
		upsert(day(3))
		want("first sighting", "2025-06-03 scan_days 2")
		upsert(day(4))
		want("re-sighted a day later", "2025-06-03 scan_days 2")
		upsert(day(3).Add(-time.Hour))
		want("re-sighted earlier the same day", "2025-06-03 scan_days 2")
		upsert(day(2))
		want("an older sighting arrives late", "2025-06-02 scan_days 1", "2025-06-03 scan_days 1")
	})
}

// orgTrigger makes an organisation named org and ensures a trigger named
// trig, failing t on an error.
func orgTrigger(t *testing.T, s *store.Store, org, trig string) (*registry.Org, int64) {
	t.Helper()
	ctx := context.Background()
	o := &registry.Org{Name: org}
	if err := s.OrgCreate(ctx, tenant.Operator(), o); err != nil {
		t.Fatal(err)
	}
	id, err := s.TriggerEnsure(ctx, finding.Trigger{Name: trig})
	if err != nil {
		t.Fatal(err)
	}
	return o, id
}
