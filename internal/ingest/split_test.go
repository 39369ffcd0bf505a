// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package ingest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/errs"
	"vigil/internal/ingest"
	"vigil/internal/keyset"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

const splitName = "2025-06-01-scan_exchange-vigil_test-asn.csv"

// splitReport builds the report the split tests cut: the exchange sample
// without its last six rows (a full report, so the findings of those are
// resolved), a row whose quoted field holds a line break, one with doubled
// quotes, a row that is quarantined, and the first five rows again later
// in the day (re-sightings in another part than the first).
func splitReport(t *testing.T) (day0, day1 []byte) {
	t.Helper()
	raw, err := os.ReadFile(exchange)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(string(raw), "\n"), "\n")
	day0 = []byte(strings.ReplaceAll(string(raw), `"2025-06-01 `, `"2025-05-31 `))
	var b strings.Builder
	b.WriteString(lines[0])
	for i, l := range lines[1:20] {
		b.WriteString(l)
		switch i {
		case 6:
			b.WriteString(`"2025-06-01 09:00:00","critical","198.51.100.40","tcp",443,,"exchange;cve-2021-26855",64498,"NL","UTRECHT","UTRECHT",622110,,"Healthcare","15.1.2507.6","EXCH` + "\n" + `NEWLINE",` + "\n")
		case 9:
			b.WriteString(`"2025-06-01 09:30:00","critical","198.51.100.41","tcp",443,,"exchange;cve-2021-26855",64498,"NL","UTRECHT","UTRECHT",622110,,"Healthcare","15.1 ""quoted""","EXCH41",` + "\n")
		case 12:
			b.WriteString(`"2025-06-01 10:00:00","critical","not-an-address","tcp",443` + "\n")
		}
	}
	hour := regexp.MustCompile(`^"2025-06-01 [0-9][0-9]:`)
	for _, l := range lines[1:6] {
		b.WriteString(hour.ReplaceAllString(l, `"2025-06-01 23:`))
	}
	return day0, []byte(b.String())
}

// splitCuts places cuts for n parts in report: inside lines, inside the
// quoted field that holds a line break, exactly at line breaks and just
// after them.
func splitCuts(t *testing.T, report []byte, n int) []int64 {
	t.Helper()
	quoted := int64(bytes.Index(report, []byte("EXCH\nNEWLINE")) + 4) // the line break inside quotes
	nl := func(k int) int64 {                                         // the k-th line break of the file
		off := -1
		for range k {
			off += 1 + bytes.IndexByte(report[off+1:], '\n')
		}
		return int64(off)
	}
	size := int64(len(report))
	switch n {
	case 1:
		return nil
	case 2:
		return []int64{quoted}
	case 3:
		return []int64{nl(5), nl(14) + 17}
	case 7:
		return []int64{nl(1) - 3, nl(3) + 1, quoted - 2, quoted, nl(12), nl(20) + 40, size - 1}
	}
	t.Fatalf("no cuts for %d parts", n)
	return nil
}

// TestSplitSameFindings ingests the same report unsplit and as 1, 2, 3
// and 7 parts (cuts inside lines, inside a quoted field with a line break,
// exactly at line breaks), the parts concurrently and in reverse order,
// one of them stopped after its first batch and run again (it resumes at
// its own resume point), after a report of the day before: every
// finding's identity, seen count, first and last sighting, severity,
// status, resolution and evidence, every finding's events, the quarantined
// rows with their lines and the run's counters are those of the unsplit
// ingest, on both engines.
func TestSplitSameFindings(t *testing.T) {
	day0, day1 := splitReport(t)
	clock := func() time.Time { return time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC) }
	storetest.EachOpts(t, storetest.Options{Now: clock}, func(t *testing.T, _ *store.Store) {
		open := func() *store.Store {
			if strings.HasSuffix(t.Name(), "/sqlite") {
				return storetest.OpenSQLite(t, storetest.Options{Now: clock})
			}
			return storetest.OpenPostgres(t, storetest.Options{Now: clock})
		}
		opts := ingest.Options{Name: splitName, FullReport: true, BatchSize: 3}
		want := func() splitState {
			s := open()
			registryFixture(t, s)
			feedBytes(t, s, day0, opts)
			sum := feedBytes(t, s, day1, opts)
			return stateOf(t, s, sum.RunID)
		}()
		if want.run.Resolved == 0 || want.run.Quarantined == 0 || len(want.quarantine) == 0 {
			t.Fatalf("unsplit run %+v: the report should resolve and quarantine", want.run)
		}
		for _, n := range []int{1, 2, 3, 7} {
			t.Run(fmt.Sprintf("parts_%d", n), func(t *testing.T) {
				s := open()
				registryFixture(t, s)
				feedBytes(t, s, day0, opts)
				sp, err := ingest.PlanSplit(bytes.NewReader(day1), splitCuts(t, day1, n))
				if err != nil || sp.Reason != "" {
					t.Fatalf("PlanSplit = %+v, %v", sp, err)
				}
				checkBoundaries(t, day1, sp)
				if n > 1 && len(sp.Parts) < 2 {
					t.Fatalf("%d cuts made %d parts", n-1, len(sp.Parts))
				}
				runID := feedSplit(t, s, day1, sp, opts)
				got := stateOf(t, s, runID)
				if d := cmp.Diff(want, got, cmp.AllowUnexported(splitState{})); d != "" {
					t.Errorf("unsplit (-) and %d parts (+) differ:\n%s", len(sp.Parts), d)
				}
			})
		}
	})
}

// checkBoundaries checks that every part starts at a line of its own
// outside quotes, and that the parts cover the records without a gap.
func checkBoundaries(t *testing.T, report []byte, sp ingest.Split) {
	t.Helper()
	quoted := int64(-1) // the line inside quotes
	if i := bytes.Index(report, []byte("EXCH\nNEWLINE")); i >= 0 {
		quoted = int64(i + 5)
	}
	end := sp.HeaderEnd
	for _, p := range sp.Parts {
		if p.Start != end || report[p.Start-1] != '\n' || p.Start == quoted {
			t.Errorf("part %d starts at %d (previous end %d)", p.Index, p.Start, end)
		}
		if want := int64(bytes.Count(report[:p.Start], []byte("\n")) + 1); p.FirstLine != want {
			t.Errorf("part %d starts on line %d; want %d", p.Index, p.FirstLine, want)
		}
		end = p.End
	}
	if end != int64(len(report)) {
		t.Errorf("the parts end at %d of %d bytes", end, len(report))
	}
}

// feedSplit ingests report as the parts of sp, concurrently, the last one
// first; the first part is stopped after its first batch and run again.
func feedSplit(t *testing.T, s *store.Store, report []byte, sp ingest.Split, opts ingest.Options) int64 {
	t.Helper()
	ctx := context.Background()
	ix, err := ingest.BuildIndex(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	header := report[:sp.HeaderEnd]
	run, err := ingest.StartSplit(ctx, s, header, sp, opts)
	if err != nil {
		t.Fatal(err)
	}
	part := func(ctx context.Context, p ingest.RunPart, o ingest.Options) (ingest.Summary, error) {
		return ingest.FeedPart(ctx, s, ix, header, bytes.NewReader(report[p.Start:p.End]), p, sp.HeaderLines, o)
	}
	// A crash: the first part stops after its first batch.
	killCtx, kill := context.WithCancel(ctx)
	crash := opts
	crash.Progress = func(int64) { kill() }
	var ended int
	sum, err := part(killCtx, sp.Parts[0], crash)
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped part: %+v, %v", sum, err)
	}
	if sum.FindingsResolved > 0 {
		ended++
	}
	var wg sync.WaitGroup
	errc := make(chan error, len(sp.Parts))
	var mu sync.Mutex
	for i := len(sp.Parts) - 1; i >= 0; i-- {
		wg.Add(1)
		go func(p ingest.RunPart) {
			defer wg.Done()
			sum, err := part(ctx, p, opts)
			if err != nil {
				errc <- fmt.Errorf("part %d: %w", p.Index, err)
				return
			}
			if p.Index == 0 && len(sp.Parts) > 1 && !sum.Resumed && sum.Rows > int64(opts.BatchSize) {
				errc <- fmt.Errorf("part 0 did not resume: %+v", sum)
			}
			mu.Lock()
			if sum.FindingsResolved > 0 {
				ended++
			}
			mu.Unlock()
		}(sp.Parts[i])
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if ended != 1 {
		t.Errorf("%d parts resolved findings; want 1", ended)
	}
	// A part run again after the end changes nothing.
	if _, err := part(ctx, sp.Parts[0], opts); err != nil {
		t.Fatal(err)
	}
	return run.ID
}

// feedBytes ingests report unsplit.
func feedBytes(t *testing.T, s *store.Store, report []byte, opts ingest.Options) ingest.Summary {
	t.Helper()
	ctx := context.Background()
	ix, err := ingest.BuildIndex(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := ingest.Feed(ctx, s, ix, bytes.NewReader(report), opts)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// splitState is what a store kept of the two days, engine-neutral.
type splitState struct {
	findings, events, quarantine []string
	run                          runCounts
}

// runCounts are the counters of a run that do not depend on how its rows
// were batched (updates do: a finding seen twice in one batch is one).
type runCounts struct {
	Rows, Matched, Unmatched, Quarantined, New, Resolved int64
	Finished                                             bool
}

func stateOf(t *testing.T, s *store.Store, runID int64) splitState {
	t.Helper()
	ctx := context.Background()
	var st splitState
	st.findings, st.events = readState(t, s)
	r, err := s.RunGet(ctx, runID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	st.run = runCounts{r.Rows, r.Matched, r.Unmatched, r.Quarantined, r.FindingsNew, r.FindingsResolved, r.FinishedAt != nil}
	q, err := s.QuarantineByRun(ctx, runID, keyset.Page{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range q {
		st.quarantine = append(st.quarantine, fmt.Sprintf("%s:%d %s %s %q", row.File, row.Line, row.Field, row.Reason, row.Raw))
	}
	slices.Sort(st.quarantine)
	return st
}

// TestPlanSplit checks the cuts of files the reader would read otherwise
// than by RFC 4180 (they are not split, with the reason) and of a file
// with a byte order mark and CRLF line ends.
func TestPlanSplit(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		cuts       []int64
		parts      int
		reason     string
	}{
		{"plain", "\"a\",\"b\"\n1,2\n3,4\n5,6\n", []int64{9, 13}, 3, ""},
		{"crlf_bom", "\ufeff\"a\",\"b\"\r\n1,2\r\n3,4\r\n", []int64{13}, 2, ""},
		{"quoted_break", "a,b\n\"x\ny\",2\n3,4\n", []int64{5}, 2, ""},
		{"doubled_quotes", "a,b\n\"x\"\"\n\"\"y\",2\n3,4\n", []int64{6}, 2, ""},
		{"cut_in_header", "a,b\n1,2\n3,4\n", []int64{1}, 2, ""},
		{"cut_past_end", "a,b\n1,2\n", []int64{7}, 1, ""},
		{"bare_quote", "a,b\n1,x\"y\n", nil, 0, "line 2: a quote inside an unquoted field"},
		{"text_after_quote", "a,b\n\"1\"x,2\n", nil, 0, "line 2: text after a closing quote"},
		{"unterminated", "a,b\n\"1,2\n", nil, 0, "a quoted field is not closed"},
		{"empty_first_line", "\na,b\n1,2\n", nil, 0, "an empty line before the header"},
		{"header_only", "a,b\n", nil, 0, "no records after the header"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sp, err := ingest.PlanSplit(strings.NewReader(tc.file), tc.cuts)
			if err != nil {
				t.Fatal(err)
			}
			if len(sp.Parts) != tc.parts || !strings.Contains(sp.Reason, tc.reason) || (tc.reason == "") != (sp.Reason == "") {
				t.Errorf("PlanSplit = %+v; want %d parts, reason %q", sp, tc.parts, tc.reason)
			}
			if tc.reason == "" {
				checkBoundaries(t, []byte(tc.file), sp)
			}
		})
	}
}

// TestSplitStaleAttemptRefused checks that a second attempt at a part (a
// job rescued while the first still ran) cannot commit a batch once the
// first has moved the part's resume point: its checkpoint is a conflict,
// so its transaction rolls back.
func TestSplitStaleAttemptRefused(t *testing.T) {
	_, day1 := splitReport(t)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		registryFixture(t, s)
		sp, err := ingest.PlanSplit(bytes.NewReader(day1), splitCuts(t, day1, 2))
		if err != nil || sp.Reason != "" {
			t.Fatalf("PlanSplit = %+v, %v", sp, err)
		}
		if _, err := ingest.StartSplit(ctx, s, day1[:sp.HeaderEnd], sp, ingest.Options{Name: splitName, FullReport: true}); err != nil {
			t.Fatal(err)
		}
		p := sp.Parts[0]
		p.CommittedLine, p.Rows = 5, 4
		if err := s.RunPartCheckpoint(ctx, &p, 0); err != nil {
			t.Fatalf("first attempt: %v", err)
		}
		stale := sp.Parts[0]
		stale.CommittedLine, stale.Rows = 5, 4
		if err := s.RunPartCheckpoint(ctx, &stale, 0); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("second attempt from line 0: %v; want a conflict", err)
		}
		_, got, err := s.RunSplitGet(ctx, p.RunID, p.Index)
		if err != nil || got.CommittedLine != 5 || got.Rows != 4 {
			t.Errorf("part after both = %+v, %v; want the first attempt's", got, err)
		}
	})
}
