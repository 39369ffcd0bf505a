// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package ingest_test

import (
	"bytes"
	"context"
	"fmt"
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
	// In batches of 50 rows: neither ingest ends before the other has
	// begun.
	raw := exchangeTimes(t, 40)
	const batch = 50
	ref := storetest.OpenSQLite(t, storetest.Options{})
	registryFixture(t, ref)
	feedBytes(t, ref, raw, ingest.Options{Name: splitName, BatchSize: batch})
	perFile := sightingsOf(t, ref)
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
			before := sightingsOf(t, s)
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
			if got := sightingsOf(t, s) - before; runs != 1 || got != perFile {
				t.Fatalf("round %d: %d runs of the content, %d sightings counted; want one run and %d, as one ingest of the file", round, runs, got, perFile)
			}
		}
	})
}
