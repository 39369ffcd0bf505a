// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// recorder is a Progress that remembers what it was told.
type recorder struct {
	what     []string
	total    []int64
	last     int64
	finished int
}

func (r *recorder) progress(what string, total int64) (func(int64), func()) {
	r.what, r.total = append(r.what, what), append(r.total, total)
	return func(n int64) { r.last = n }, func() { r.finished++ }
}

// TestProgress: long work tells its progress (the CLI draws it as a bar
// on a terminal): an organisation import per organisation, plain and
// --upsert, and a notify run per message delivered.
func TestProgress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		x := newApp(t, s, nil)
		var r recorder
		csv := "name,cidrs\nWaterschap Zuid,192.0.2.64/26\nZiekenhuis Midden,198.51.100.0/25\nHosting Oost,203.0.113.0/24\n"
		if _, err := x.ImportOrgs(ctx, strings.NewReader(csv), "orgs.csv", app.ImportOptions{Progress: r.progress}); err != nil {
			t.Fatal(err)
		}
		if len(r.total) != 1 || r.what[0] != "organisations" || r.total[0] != 3 || r.last != 3 || r.finished != 1 {
			t.Errorf("import told %+v; want 3 organisations, all done", r)
		}
		r = recorder{}
		if _, err := x.ImportOrgs(ctx, strings.NewReader(csv), "orgs.csv", app.ImportOptions{Upsert: true, Progress: r.progress}); err != nil {
			t.Fatal(err)
		}
		if len(r.total) != 1 || r.total[0] != 3 || r.finished != 1 {
			t.Errorf("upsert told %+v", r)
		}

		// A feed tells the bytes read after each committed batch; the
		// batches are committed while the next rows are read.
		const feedFile = "testdata/2025-06-01-scan_exchange-vigil_test-asn.csv"
		st, err := os.Stat(feedFile)
		if err != nil {
			t.Fatal(err)
		}
		small := newApp(t, s, func(c *config.Config) { c.Ingest.BatchRows = 2 })
		r = recorder{}
		if _, err := small.IngestFeeds(ctx, feedFile, app.FeedOptions{Progress: r.progress}); err != nil {
			t.Fatal(err)
		}
		if len(r.total) != 1 || r.what[0] != filepath.Base(feedFile) || r.total[0] != st.Size() || r.last != st.Size() || r.finished != 1 {
			t.Errorf("feed ingest told %+v; want the file's %d bytes, all read", r, st.Size())
		}

		s2 := storetest.OpenSQLite(t, storetest.Options{})
		registerHospital(t, s2)
		sink := newApp(t, s2, func(c *config.Config) { c.Notify.SMTPURL = "sink:" })
		if _, err := sink.NotifyRun(ctx, app.NotifyRunOptions{NoDeliver: true}); err != nil {
			t.Fatal(err)
		}
		r = recorder{}
		res, err := sink.NotifyRun(ctx, app.NotifyRunOptions{Progress: r.progress})
		if err != nil || res.Delivery == nil {
			t.Fatalf("notify run: %+v, %v", res, err)
		}
		if len(r.total) != 1 || r.what[0] != "messages" || r.total[0] != int64(res.Delivery.Attempted) || r.last != int64(res.Delivery.Attempted) || r.finished != 1 || r.last == 0 {
			t.Errorf("notify run told %+v; delivered %+v", r, res.Delivery)
		}
	})
}
