// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"context"
	"errors"
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

// TestDisputeLifecycle disputes two findings: one dispute is rejected (the
// finding stays open), the other accepted (the finding is resolved with an
// event); a second pending dispute of a finding, a decision without a
// reason and a second decision are refused without writing anything.
func TestDisputeLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := &registry.Org{Name: "D"}
		if err := s.OrgCreate(ctx, tenant.Operator(), o); err != nil {
			t.Fatal(err)
		}
		sc := tenant.Org(o.ID)
		trig, err := s.TriggerEnsure(ctx, finding.Trigger{Name: "scan_exchange"})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
		r := ingest.Run{Source: "t.csv", FeedType: "shadowserver", ReportType: "scan_exchange", TriggerID: trig}
		if err := s.RunStart(ctx, &r); err != nil {
			t.Fatal(err)
		}
		sg := []finding.Sighting{sighting(o.ID, trig, "192.0.2.1", 443, finding.High, now), sighting(o.ID, trig, "192.0.2.2", 443, finding.High, now)}
		if err := s.Tx(ctx, func(tx *store.Store) error { _, _, err := tx.FindingUpsert(ctx, r.ID, sg); return err }); err != nil {
			t.Fatal(err)
		}
		fs, err := s.FindingList(ctx, sc, finding.Filter{})
		if err != nil || len(fs) != 2 {
			t.Fatalf("findings: %v %v", fs, err)
		}
		if _, err := s.FindingGet(ctx, sc, fs[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DisputeCreate(ctx, sc, &finding.Dispute{FindingID: fs[0].ID, Reason: "mine"}); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("unknown reason: %v", err)
		}
		d1 := finding.Dispute{FindingID: fs[0].ID, Reason: finding.FalsePositive, Comment: "a honeypot", By: "m@d.example"}
		d2 := finding.Dispute{FindingID: fs[1].ID, Reason: finding.AlreadyFixed, By: "m@d.example"}
		for _, d := range []*finding.Dispute{&d1, &d2} {
			if err := s.DisputeCreate(ctx, sc, d); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.DisputeCreate(ctx, sc, &finding.Dispute{FindingID: fs[0].ID, Reason: finding.NotOurs}); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("second pending dispute: %v", err)
		}
		pending, err := s.DisputeList(ctx, tenant.Operator(), finding.DisputeFilter{State: finding.DisputePending})
		if err != nil || len(pending) != 2 || pending[0].ID != d2.ID || pending[0].Trigger != "scan_exchange" || pending[0].IP != "192.0.2.2" {
			t.Fatalf("pending: %+v %v", pending, err)
		}
		if _, err := s.DisputeDecide(ctx, tenant.Operator(), d1.ID, finding.Decision{By: "a", At: now}); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("decision without reason: %v", err)
		}
		got, err := s.DisputeDecide(ctx, tenant.Operator(), d1.ID, finding.Decision{Reason: "still answers on 443", By: "a", At: now})
		if err != nil || got.State != finding.DisputeRejected || got.Decision != "still answers on 443" || got.DecidedAt == nil {
			t.Fatalf("reject: %+v %v", got, err)
		}
		if _, err := s.DisputeDecide(ctx, tenant.Operator(), d1.ID, finding.Decision{Accept: true, Reason: "x", By: "a", At: now}); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("second decision: %v", err)
		}
		if _, err := s.DisputeDecide(ctx, tenant.Operator(), d2.ID, finding.Decision{Accept: true, Reason: "rescan is clean", By: "a", At: now}); err != nil {
			t.Fatal(err)
		}
		f0, _ := s.FindingGet(ctx, sc, fs[0].ID)
		f1, _ := s.FindingGet(ctx, sc, fs[1].ID)
		if f0.Status != finding.Open || f1.Status != finding.Resolved || f1.ResolvedAt == nil {
			t.Errorf("after decisions: %s, %s", f0.Status, f1.Status)
		}
		es, err := s.EventList(ctx, sc, keyset.Page{Limit: 100})
		if err != nil || es[len(es)-1].Kind != finding.EventResolved || es[len(es)-1].FindingID != fs[1].ID {
			t.Errorf("events: %+v %v", es, err)
		}
		if err := s.DisputeCreate(ctx, sc, &finding.Dispute{FindingID: fs[1].ID, Reason: finding.NotOurs}); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("dispute of a resolved finding: %v", err)
		}
	})
}
