// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package ingest_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"vigil/internal/ingest"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestSameContentAtOnce ingests one file twice at the same moment (two
// nodes, or two commands, handed the same report): the second looks for an
// unfinished run of the content and starts one in the same step as the
// first, so they never start two runs that both count every sighting; the
// later one resumes the first's run and stops at a conflict. Ten reports,
// each its own content.
func TestSameContentAtOnce(t *testing.T) {
	one, err := os.ReadFile(exchange)
	if err != nil {
		t.Fatal(err)
	}
	// The report's rows forty times, in batches of 50 rows: neither ingest
	// ends before the other has begun.
	nl := bytes.IndexByte(one, '\n') + 1
	raw := append([]byte{}, one[:nl]...)
	for range 40 {
		raw = append(raw, one[nl:]...)
	}
	const batch = 50
	sightings := func(t *testing.T, s *store.Store) (n int64) {
		t.Helper()
		if err := s.QueryRow(context.Background(), `SELECT COALESCE(SUM(seen_count), 0) FROM findings`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	ref := storetest.OpenSQLite(t, storetest.Options{})
	registryFixture(t, ref)
	feedBytes(t, ref, raw, ingest.Options{Name: splitName, BatchSize: batch})
	perFile := sightings(t, ref)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		registryFixture(t, s)
		ix, err := ingest.BuildIndex(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		for round := range 10 {
			data := bytes.ReplaceAll(raw, []byte(`"2025-06-01 `), fmt.Appendf(nil, `"2025-06-%02d `, round+2))
			sha, err := ingest.HashFile(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			before := sightings(t, s)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					// One of the two may stop at a conflict: the other
					// counted its rows.
					_, _ = ingest.Feed(ctx, s, ix, bytes.NewReader(data), ingest.Options{Name: splitName, SHA256: sha, BatchSize: batch})
				}()
			}
			close(start)
			wg.Wait()
			var runs int
			if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM ingest_runs WHERE source_sha256 = ?`, sha).Scan(&runs); err != nil {
				t.Fatal(err)
			}
			if got := sightings(t, s) - before; runs != 1 || got != perFile {
				t.Fatalf("round %d: %d runs of the content, %d sightings counted; want one run and %d, as one ingest of the file", round, runs, got, perFile)
			}
		}
	})
}
