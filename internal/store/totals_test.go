// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/finding"
	"vigil/internal/ingest"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestFindingTotalsMatchRecount runs a mixed workload of writes to
// findings (new findings, re-sightings with duplicates in a batch,
// resolutions of a full report, reopenings, an accepted dispute, a
// transaction rolled back half-way as a crashed ingest leaves it, and the
// deletion of an organisation with its findings) and after each step
// compares the running totals (finding_totals and on PostgreSQL the
// differences not folded yet, read by TriggerStats) with a count of the
// findings from scratch, for the operator and for each organisation.
func TestFindingTotalsMatchRecount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var orgs []int64
		for _, name := range []string{"Totals A", "Totals B", "Totals C"} {
			o := &registry.Org{Name: name}
			if err := s.OrgCreate(ctx, tenant.Operator(), o); err != nil {
				t.Fatal(err)
			}
			orgs = append(orgs, o.ID)
		}
		var trigs []int64
		for _, name := range []string{"scan_exchange", "scan_http_vulnerable"} {
			id, err := s.TriggerEnsure(ctx, finding.Trigger{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			trigs = append(trigs, id)
		}
		t0 := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
		// sightings returns n sightings of trigger trig spread over the
		// organisations, addresses from base on.
		sightings := func(trig int64, base, n int, at time.Time) []finding.Sighting {
			var out []finding.Sighting
			for i := range n {
				ip := fmt.Sprintf("192.0.2.%d", base+i)
				out = append(out, sighting(orgs[(base+i)%len(orgs)], trig, ip, 443, finding.Severity(1+i%4), at))
			}
			return out
		}
		// ingest runs one full report of trigger trig: the sightings, then
		// the findings it did not contain are resolved.
		ingest1 := func(trig int64, sg []finding.Sighting) {
			t.Helper()
			r := ingest.Run{Source: "t.csv", FeedType: "shadowserver", ReportType: "scan_exchange", TriggerID: trig, FullReport: true}
			if err := s.RunStart(ctx, &r); err != nil {
				t.Fatal(err)
			}
			if err := s.IngestTx(ctx, func(tx ingest.Store) error {
				_, _, err := tx.FindingUpsert(ctx, r.ID, sg)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.FindingResolveUnseen(ctx, trig, "scan_exchange", r.ID); err != nil {
				t.Fatal(err)
			}
		}
		steps := []struct {
			name string
			do   func(t *testing.T)
		}{
			{"new findings of two triggers", func(t *testing.T) {
				ingest1(trigs[0], sightings(trigs[0], 0, 40, t0))
				ingest1(trigs[1], sightings(trigs[1], 10, 25, t0))
			}},
			{"re-sightings with duplicates in one batch", func(t *testing.T) {
				sg := sightings(trigs[0], 0, 40, t0.Add(time.Hour))
				sg = append(sg, sightings(trigs[0], 5, 10, t0.Add(2*time.Hour))...)
				ingest1(trigs[0], sg)
			}},
			{"a full report without half of them resolves those", func(t *testing.T) {
				ingest1(trigs[0], sightings(trigs[0], 0, 20, t0.Add(3*time.Hour)))
			}},
			{"resolved findings seen again reopen", func(t *testing.T) {
				ingest1(trigs[0], sightings(trigs[0], 0, 30, t0.Add(4*time.Hour)))
			}},
			{"an accepted dispute resolves its finding", func(t *testing.T) {
				fs, err := s.FindingList(ctx, tenant.Org(orgs[1]), finding.Filter{Status: finding.Open})
				if err != nil || len(fs) == 0 {
					t.Fatalf("open findings of B: %d, %v", len(fs), err)
				}
				d := &finding.Dispute{FindingID: fs[0].ID, Reason: finding.AlreadyFixed, By: "b@example.org"}
				if err := s.DisputeCreate(ctx, tenant.Org(orgs[1]), d); err != nil {
					t.Fatal(err)
				}
				if _, err := s.DisputeDecide(ctx, tenant.Operator(), d.ID, finding.Decision{Accept: true, Reason: "gone", By: "analyst", At: t0}); err != nil {
					t.Fatal(err)
				}
			}},
			{"an ingest that stops half-way leaves nothing behind", func(t *testing.T) {
				crash := errors.New("crash")
				err := s.IngestTx(ctx, func(tx ingest.Store) error {
					if _, _, err := tx.FindingUpsert(ctx, 0, sightings(trigs[1], 50, 30, t0.Add(5*time.Hour))); err != nil {
						return err
					}
					if _, _, err := tx.FindingUpsert(ctx, 0, sightings(trigs[0], 0, 40, t0.Add(5*time.Hour))); err != nil {
						return err
					}
					return crash
				})
				if !errors.Is(err, crash) {
					t.Fatalf("got %v, want the crash", err)
				}
			}},
			{"an organisation deleted with its findings", func(t *testing.T) {
				if err := s.OrgDelete(ctx, tenant.Operator(), orgs[2]); err != nil {
					t.Fatal(err)
				}
			}},
		}
		steps = append(steps, struct {
			name string
			do   func(t *testing.T)
		}{"the differences folded into the totals", func(t *testing.T) {
			// An ingest transaction ends with a fold (PostgreSQL).
			if err := s.IngestTx(ctx, func(ingest.Store) error { return nil }); err != nil {
				t.Fatal(err)
			}
		}})
		for _, step := range steps {
			step.do(t)
			for _, sc := range []tenant.Scope{tenant.Operator(), tenant.Org(orgs[0]), tenant.Org(orgs[1]), tenant.Org(orgs[2])} {
				got, err := s.TriggerStats(ctx, sc)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(recount(t, s, sc), statCounts(got)); diff != "" {
					t.Errorf("after %s, %s: TriggerStats differs from a recount of the findings (-recount +totals):\n%s", step.name, sc, diff)
				}
			}
		}
		// Folded, the totals hold only rows of organisations with
		// findings, and no difference waits.
		var stale, waiting int
		if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM finding_totals WHERE findings <= 0 OR org_id = ?`, orgs[2]).Scan(&stale); err != nil {
			t.Fatal(err)
		}
		if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM finding_total_deltas`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if stale != 0 || waiting != 0 {
			t.Errorf("%d totals rows without findings remain, %d differences wait", stale, waiting)
		}
	})
}

// triggerCount is what TriggerStats counts for one trigger.
type triggerCount struct {
	Name                                        string
	Organisations, Findings, Open, Observations int64
}

func statCounts(ts []finding.TriggerStats) []triggerCount {
	out := []triggerCount{}
	for _, x := range ts {
		out = append(out, triggerCount{x.Name, x.Organisations, x.Findings, x.Open, x.Observations})
	}
	return out
}

// recount counts the findings of sc per trigger from the findings table.
func recount(t *testing.T, s *store.Store, sc tenant.Scope) []triggerCount {
	t.Helper()
	cond, args := "1 = 1", []any{}
	if !sc.IsOperator() {
		cond, args = "f.org_id = ?", []any{sc.OrgID()}
	}
	rows, err := s.Query(context.Background(), `
SELECT t.name, COUNT(DISTINCT f.org_id), COUNT(f.id), COALESCE(SUM(CASE WHEN f.status = 'open' THEN 1 ELSE 0 END), 0), COALESCE(SUM(f.seen_count), 0)
FROM triggers t LEFT JOIN findings f ON f.trigger_id = t.id AND `+cond+`
GROUP BY t.id, t.name ORDER BY t.id`, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []triggerCount{}
	for rows.Next() {
		var c triggerCount
		if err := rows.Scan(&c.Name, &c.Organisations, &c.Findings, &c.Open, &c.Observations); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
