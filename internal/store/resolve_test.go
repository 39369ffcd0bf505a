// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/finding"
	"vigil/internal/ingest"
	"vigil/internal/registry"
	"vigil/internal/tenant"
)

// TestResolveFewMatchesSetBased runs the same sequence of full reports on
// two new SQLite databases, one resolving unseen findings by id
// (findingResolveFew) and one with the set-based statements alone
// (resolveFew 0), and compares every row of findings, finding_events,
// finding_totals, trigger_totals and trigger_days: the same findings
// resolved, the same events with the same ids, in the same order. The
// findings differ in last sighting (the order of the index both walk), in
// organisation, severity and report type (another report type of the
// trigger is not resolved), with ties of last sighting broken by id; one
// report resolves nothing, one some, one all of a report type.
func TestResolveFewMatchesSetBased(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	// Each report lists the hosts it sees: host i is 192.0.2.i, seen at
	// t0 plus i%5 hours (several hosts share a last sighting).
	reports := []struct {
		reportType string
		hosts      []int
		resolved   int64
	}{
		{"scan_exchange", span(0, 40), 0},
		{"scan_ssl", span(0, 10), 0},
		{"scan_exchange", span(0, 40), 0}, // everything seen again
		{"scan_exchange", append(span(0, 12), span(30, 35)...), 23},
		{"scan_exchange", span(5, 20), 10}, // 0..4 and 30..34 gone, 12..19 reopened
		{"scan_exchange", nil, 15},         // an empty full report resolves all of its type
	}
	dump := func(few int) map[string][]string {
		resolveFew = few
		s, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "resolve.db"), Options{Now: func() time.Time { return t0.Add(72 * time.Hour) }})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var orgs []int64
		for _, name := range []string{"Resolve A", "Resolve B", "Resolve C"} {
			o := &registry.Org{Name: name}
			if err := s.OrgCreate(ctx, tenant.Operator(), o); err != nil {
				t.Fatal(err)
			}
			orgs = append(orgs, o.ID)
		}
		trig, err := s.TriggerEnsure(ctx, finding.Trigger{Name: "resolve"})
		if err != nil {
			t.Fatal(err)
		}
		for day, rep := range reports {
			r := ingest.Run{Source: "r.csv", FeedType: "shadowserver", ReportType: rep.reportType, TriggerID: trig, FullReport: true}
			if err := s.RunStart(ctx, &r); err != nil {
				t.Fatal(err)
			}
			var batch []finding.Sighting
			for _, i := range rep.hosts {
				ip := netip.AddrFrom4([4]byte{192, 0, 2, byte(i)})
				batch = append(batch, finding.Sighting{OrgID: orgs[i%len(orgs)], TriggerID: trig, Type: "vulnerable-system",
					ReportType: rep.reportType, Key: finding.KeyFor(ip, 443), IP: ip, Port: 443, Severity: finding.Severity(1 + (i+day)%4),
					Time: t0.Add(time.Duration(day*24+i%5) * time.Hour), Evidence: []byte(fmt.Sprintf(`{"ip":%q}`, ip))})
			}
			if len(batch) > 0 {
				if err := s.Tx(ctx, func(tx *Store) error {
					_, _, err := tx.FindingUpsert(ctx, r.ID, batch)
					return err
				}); err != nil {
					t.Fatal(err)
				}
			}
			n, err := s.FindingResolveUnseen(ctx, trig, rep.reportType, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if n != rep.resolved {
				t.Errorf("resolveFew %d, report %d: resolved %d; want %d", few, day, n, rep.resolved)
			}
		}
		out := map[string][]string{}
		for _, table := range []string{"findings", "finding_events", "finding_totals", "trigger_totals", "trigger_days"} {
			rows, err := s.Query(ctx, `SELECT * FROM `+table+` ORDER BY 1, 2`)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				out[table] = append(out[table], strings.TrimSpace(fmt.Sprint(vals...)))
			}
			if err := rows.Close(); err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	defer func(n int) { resolveFew = n }(resolveFew)
	byID, setBased := dump(20000), dump(0)
	if len(byID["finding_events"]) < 40+52 {
		t.Fatalf("only %d events", len(byID["finding_events"]))
	}
	if d := cmp.Diff(setBased, byID); d != "" {
		t.Errorf("resolving by id differs from the set-based statements (-set-based +by id):\n%s", d)
	}
}

// span returns from, from+1, …, to-1.
func span(from, to int) []int {
	var out []int
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
}
