// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package ingest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"vigil/internal/errs"
	"vigil/internal/ingest"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestResumeLiveRunRefused: the same file handed in while its unsplit run
// is still being ingested (another node, a second command) resumes that
// run after its last committed batch, as a stopped run is resumed. The two
// ingests then write the same run: of the batches both read past the resume
// point only the first to commit counts; the other's checkpoint is a
// conflict and its transaction rolls back, so no sighting is counted twice
// and the run ends once.
func TestResumeLiveRunRefused(t *testing.T) {
	// About 230 KiB: the reader looks at the first 64 KiB before the run
	// starts.
	data := exchangeTimes(t, 40)
	sha, err := ingest.HashFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	ref := storetest.OpenSQLite(t, storetest.Options{})
	registryFixture(t, ref)
	feedBytes(t, ref, data, ingest.Options{Name: splitName, FullReport: true, BatchSize: 50})
	want := sightingsOf(t, ref)
	head := 100 << 10 // what the first ingest reads before it waits: whole lines, past 64 KiB
	head += 1 + bytes.IndexByte(data[head:], '\n')
	headLines := int64(bytes.Count(data[:head], []byte("\n")))
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		registryFixture(t, s)
		ix, err := ingest.BuildIndex(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		opts := ingest.Options{Name: splitName, FullReport: true, SHA256: sha, BatchSize: 50}
		pr, pw := io.Pipe()
		first := make(chan error, 1)
		go func() {
			_, err := ingest.Feed(ctx, s, ix, pr, opts)
			pr.CloseWithError(err)
			first <- err
		}()
		if _, err := pw.Write(data[:head]); err != nil {
			t.Fatal(err)
		}
		// The first ingest commits the full batches of what it got (a
		// row a line) and waits for more of its file.
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			r, err := s.RunUnfinished(ctx, sha)
			if err == nil && r.CommittedLine == 1+(headLines-1)/int64(opts.BatchSize)*int64(opts.BatchSize) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("first ingest did not commit what it got: %v", err)
			}
		}
		second, err := ingest.Feed(ctx, s, ix, bytes.NewReader(data), opts)
		if err != nil || !second.Resumed {
			t.Fatalf("second ingest: %+v, %v; want the run resumed and ended", second, err)
		}
		// The rest of its file; the first ingest may stop at its next
		// batch and close the pipe before it has read it all.
		_, _ = pw.Write(data[head:])
		pw.Close()
		if err := <-first; !errors.Is(err, errs.ErrConflict) {
			t.Errorf("first ingest after the second ended its run: %v; want a conflict", err)
		}
		if got := sightingsOf(t, s); got != want {
			t.Errorf("sightings counted %d; want %d, as one ingest of the file", got, want)
		}
	})
}
