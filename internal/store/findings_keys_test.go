// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"context"
	"testing"
	"time"

	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/ingest"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestFindingKeys checks what the foreign keys of findings and their events
// promised, now that PostgreSQL checks them per statement (migration
// 00801): a finding of a missing organisation or trigger, or an event of a
// missing finding, is refused; deleting an organisation or a trigger
// deletes its findings and their events, and only those; an organisation
// deleted while a batch with its findings is not committed yet loses those
// findings too once both have ended.
func TestFindingKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var orgs []int64
		for _, name := range []string{"Kept", "Deleted", "Deleted meanwhile"} {
			o := &registry.Org{Name: name}
			if err := s.OrgCreate(ctx, tenant.Operator(), o); err != nil {
				t.Fatal(err)
			}
			orgs = append(orgs, o.ID)
		}
		trigs := map[string]int64{}
		for _, name := range []string{"scan_exchange", "scan_gone"} {
			id, err := s.TriggerEnsure(ctx, finding.Trigger{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			trigs[name] = id
		}
		t0 := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
		upsert := func(tx *store.Store, sightings ...finding.Sighting) error {
			r := ingest.Run{Source: "t.csv", FeedType: "shadowserver", ReportType: "scan_exchange", TriggerID: trigs["scan_exchange"], FullReport: true}
			if err := tx.RunStart(ctx, &r); err != nil {
				return err
			}
			_, _, err := tx.FindingUpsert(ctx, r.ID, sightings)
			return err
		}
		count := func(q string, args ...any) int {
			t.Helper()
			var n int
			if err := s.QueryRow(ctx, q, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if err := s.Tx(ctx, func(tx *store.Store) error {
			return upsert(tx, sighting(orgs[0], trigs["scan_exchange"], "192.0.2.1", 443, 3, t0), sighting(orgs[0], trigs["scan_gone"], "192.0.2.2", 443, 3, t0),
				sighting(orgs[1], trigs["scan_exchange"], "192.0.2.3", 443, 3, t0), sighting(orgs[1], trigs["scan_exchange"], "192.0.2.4", 443, 3, t0))
		}); err != nil {
			t.Fatal(err)
		}
		if got := count(`SELECT COUNT(*) FROM finding_events`); got != 4 {
			t.Fatalf("%d events after 4 new findings; want 4", got)
		}

		for _, tc := range []struct {
			name string
			sg   finding.Sighting
		}{
			{"missing_organisation", sighting(orgs[2]+1000, trigs["scan_exchange"], "192.0.2.9", 443, 3, t0)},
			{"missing_trigger", sighting(orgs[0], trigs["scan_gone"]+1000, "192.0.2.9", 443, 3, t0)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := s.Tx(ctx, func(tx *store.Store) error {
					return upsert(tx, sighting(orgs[0], trigs["scan_exchange"], "192.0.2.8", 443, 3, t0), tc.sg)
				})
				if errs.CodeOf(err) != errs.NotFound {
					t.Errorf("upsert: got %v; want a not-found error", err)
				}
			})
		}
		if _, err := s.Exec(ctx, `INSERT INTO finding_events (finding_id, org_id, kind, severity, at) VALUES (?, ?, 'new', 3, ?)`,
			1<<40, orgs[0], t0); err == nil {
			t.Errorf("an event of a missing finding was stored")
		}

		if err := s.OrgDelete(ctx, tenant.Operator(), orgs[1]); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Exec(ctx, `DELETE FROM triggers WHERE id = ?`, trigs["scan_gone"]); err != nil {
			t.Fatal(err)
		}
		if got, want := count(`SELECT COUNT(*) FROM findings`), 1; got != want {
			t.Errorf("%d findings after deleting an organisation and a trigger; want %d", got, want)
		}
		if got, want := count(`SELECT COUNT(*) FROM finding_events e JOIN findings f ON f.id = e.finding_id`), 1; got != want {
			t.Errorf("%d events of findings left; want %d", got, want)
		}
		if got := count(`SELECT COUNT(*) FROM finding_events e WHERE NOT EXISTS (SELECT 1 FROM findings f WHERE f.id = e.finding_id)`); got != 0 {
			t.Errorf("%d events outlived their findings", got)
		}

		// A delete that starts while a batch of the organisation is
		// uncommitted: whichever waits for the other, nothing of the
		// organisation is left once both have ended.
		deleted := make(chan error, 1)
		err := s.IngestTx(ctx, func(ingest.Store) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		err = s.Tx(ctx, func(tx *store.Store) error {
			if err := upsert(tx, sighting(orgs[2], trigs["scan_exchange"], "192.0.2.20", 443, 3, t0)); err != nil {
				return err
			}
			go func() { deleted <- s.OrgDelete(ctx, tenant.Operator(), orgs[2]) }()
			select {
			case err := <-deleted:
				deleted <- err
			case <-time.After(300 * time.Millisecond):
			}
			return nil
		})
		if err != nil && errs.CodeOf(err) != errs.NotFound {
			t.Fatal(err)
		}
		if err := <-deleted; err != nil {
			t.Fatal(err)
		}
		if got := count(`SELECT COUNT(*) FROM findings WHERE org_id = ?`, orgs[2]); got != 0 {
			t.Errorf("%d findings of a deleted organisation left", got)
		}
		if got := count(`SELECT COUNT(*) FROM finding_events WHERE org_id = ?`, orgs[2]); got != 0 {
			t.Errorf("%d events of a deleted organisation left", got)
		}
	})
}
