// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package rating_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"vigil/internal/assess"
	"vigil/internal/feed"
	"vigil/internal/label"
	"vigil/internal/rating"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/system"
)

// ingestFleet reads a synthetic scan report into the fleet aggregates of
// the fixture's product, whose certificates carry the subject "Acme Cam 2".
func ingestFleet(t *testing.T, s *store.Store, name string) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "fleet", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := feed.NewReader(context.Background(), f, feed.Options{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	agg := system.NewAggregator([]system.Target{{Product: system.Product{Vendor: "Lumen Labs", Model: "LumiCam Indoor 2"}, CertSubjects: []string{"Acme Cam 2"}}})
	for o, err := range rd.All() {
		if err != nil {
			t.Fatal(err)
		}
		agg.Observe(o, rd.Header())
	}
	for _, b := range agg.Batches(string(rd.Format())) {
		if err := s.FleetAdd(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFleetRegrade: fleet evidence of unique certificates leaves a label
// alone; a certificate shared across networks lowers it to E, explained,
// and the registry shows the counts only when the source is public.
func TestFleetRegrade(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
		f := setup(t, s, c)
		keys, err := label.OpenKeyStore(filepath.Join(t.TempDir(), "keys"), c.now, nil)
		if err != nil {
			t.Fatal(err)
		}
		if f.svc, err = rating.New(rating.Config{Store: s, System: s, Keys: keys, Now: c.now}); err != nil {
			t.Fatal(err)
		}
		_, is := f.labelled(t)
		if is.Label.Grade != assess.GradeA {
			t.Fatalf("issued %s", is.Label.Grade)
		}
		ingestFleet(t, s, "2026-11-01-scan_ssl-vigil_test-asn-unique.csv")
		if res, err := f.svc.Regrade(ctx, nil, ""); err != nil || len(res.Changes) != 0 {
			t.Fatalf("unique certificates: %+v, %v; want no change", res, err)
		}
		ingestFleet(t, s, "2026-11-01-scan_ssl-vigil_test-asn-shared.csv")
		res, err := f.svc.Regrade(ctx, nil, "Shadowserver scan_ssl 2026-11-01")
		if err != nil || len(res.Changes) != 1 {
			t.Fatalf("shared certificate: %+v, %v", res, err)
		}
		ch := res.Changes[0]
		const want = "fleet-keys (cap E): fleet evidence: the same key on units in different networks, so keys are shared across units, not unique per device (EN 303 645 5.4-3, 5.4-4): certificate a1a1a1a1a1a1… in 4 networks (Shadowserver scan_ssl 2026-11-01)"
		if ch.OldGrade != assess.GradeA || ch.NewGrade != assess.GradeE || ch.Why != want {
			t.Errorf("change %s → %s: %q; want A → E: %q", ch.OldGrade, ch.NewGrade, ch.Why, want)
		}
		rs, err := f.svc.Registry(ctx, ch.NewLabel)
		if err != nil || rs.System == nil || rs.System.Fleet != nil {
			t.Errorf("registry without public sources: %+v, %v; want no fleet counts", rs.System, err)
		}
		pub, err := rating.New(rating.Config{Store: s, System: s, Keys: keys, Now: c.now, PublicFleetSources: []string{"shadowserver"}})
		if err != nil {
			t.Fatal(err)
		}
		rs, err = pub.Registry(ctx, ch.NewLabel)
		if err != nil || rs.System == nil || rs.System.Fleet == nil || rs.System.Fleet.Rows != 12 || len(rs.System.Fleet.SharedKeys) != 1 {
			t.Errorf("registry with shadowserver public: %+v, %v; want 12 rows, one shared key", rs.System, err)
		}
		if !strings.Contains(rating.Rules(), "| fleet-keys |") {
			t.Error("rules text lacks fleet-keys")
		}
	})
}
