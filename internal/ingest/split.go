// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"vigil/internal/errs"
	"vigil/internal/feed"
	"vigil/internal/finding"
)

// A large feed file can be ingested as one run in several parts, byte
// ranges of the file that jobs on different nodes read at once. Each part
// commits its batches with its own resume point (RunPart.CommittedLine);
// the run counts its parts done, and the part that completes the count ends
// the run: resolution of the findings the report no longer lists and the
// run's end, after which notices are composed, happen once (FinishSplit).

// Split is how a file is cut into parts: its header record (given to every
// part) and the byte ranges of its records. Reason, when set, says why the
// file is not split; Parts is then empty.
type Split struct {
	// HeaderEnd is the offset after the header record's line break;
	// HeaderLines the physical lines it spans.
	HeaderEnd   int64 `json:"header_end"`
	HeaderLines int64 `json:"header_lines"`
	// Parts are the ranges, in file order, each starting at a record.
	Parts  []RunPart `json:"parts"`
	Reason string    `json:"reason,omitempty"`
}

// RunPart is one byte range of a split run and how far it got.
type RunPart struct {
	RunID int64 `json:"run_id"`
	Index int   `json:"part"`
	// Start and End are byte offsets: the part reads [Start, End).
	Start int64 `json:"start"`
	End   int64 `json:"end"`
	// FirstLine is the file's line number of the part's first record.
	FirstLine int64 `json:"first_line"`
	// CommittedLine is the part's resume point: the last line whose rows
	// are committed (0: none yet).
	CommittedLine   int64 `json:"committed_line"`
	Rows            int64 `json:"rows"`
	Matched         int64 `json:"matched"`
	Unmatched       int64 `json:"unmatched"`
	Quarantined     int64 `json:"quarantined"`
	FindingsNew     int64 `json:"findings_new"`
	FindingsUpdated int64 `json:"findings_updated"`
	Done            bool  `json:"done"`
}

// PartStore is the storage of a split run beside Store's.
type PartStore interface {
	Store
	// RunSplitStart records the start of run r (setting r.ID) with its
	// parts, in one transaction.
	RunSplitStart(ctx context.Context, r *Run, parts []RunPart) error
	// RunSplitGet returns the run with its counters (not summed) and the
	// part asked for, or errs.NotFound.
	RunSplitGet(ctx context.Context, runID int64, part int) (Run, RunPart, error)
	// RunPartCheckpoint records the part's progress inside the transaction
	// that committed its rows up to p.CommittedLine, if the part's resume
	// point is still from (else an error: another attempt at the part got
	// further, and the transaction must not commit).
	RunPartCheckpoint(ctx context.Context, p *RunPart, from int64) error
	// RunPartDone marks the part done and counts it, once; it reports
	// whether every part of the run is done now.
	RunPartDone(ctx context.Context, p *RunPart) (all bool, err error)
	// RunSplitClaimFinish claims the end of a run whose parts are all done
	// and returns it with the parts' counters summed; false when it is not
	// complete or another caller ended it.
	RunSplitClaimFinish(ctx context.Context, runID int64) (Run, bool, error)
}

// splitBuf is the read buffer of PlanSplit.
const splitBuf = 1 << 20

// PlanSplit reads a CSV file from r and cuts it at the record boundaries
// that follow the byte offsets cuts (ascending): a part starts after the
// first line break at or after its offset that ends a record, and ends
// where the next part starts (or at the end). A line break inside a quoted
// field ends no record. A file whose quoting the reader would read in
// another way than RFC 4180 (a quote inside an unquoted field, text after a
// closing quote, an unterminated quote), or that starts with an empty line,
// is not split: the Split says why. Parts that would be empty are dropped.
func PlanSplit(r io.Reader, cuts []int64) (Split, error) {
	br := bufio.NewReaderSize(r, splitBuf)
	var (
		sp                      Split
		pos                     int64
		line                    int64 = 1 // the line the next byte is on
		fieldStart, inQ, closeQ       = true, false, false
		recStart                int64 // offset of the current record
		prev                    byte
		next                    int // the next cut to place
		bounds                  []RunPart
	)
	irregular := func(what string) (Split, error) {
		return Split{Reason: fmt.Sprintf("line %d: %s; the file is read unsplit", line, what)}, nil
	}
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Split{}, fmt.Errorf("split: %w", err)
		}
		p := pos
		pos++
		last := prev
		prev = c
		if p == 0 && c == 0xEF {
			// A UTF-8 byte order mark before the header.
			if b, _ := br.Peek(2); len(b) == 2 && b[0] == 0xBB && b[1] == 0xBF {
				_, _ = br.Discard(2)
				pos += 2
				continue
			}
		}
		if inQ {
			switch c {
			case '"':
				inQ, closeQ = false, true
			case '\n':
				line++
			}
			continue
		}
		if closeQ {
			closeQ = false
			switch c {
			case '"': // a doubled quote inside the field
				inQ = true
				continue
			case ',', '\r', '\n':
			default:
				return irregular("text after a closing quote")
			}
		}
		switch c {
		case '"':
			if !fieldStart {
				return irregular("a quote inside an unquoted field")
			}
			inQ, fieldStart = true, false
		case ',':
			fieldStart = true
		case '\n':
			line++
			fieldStart = true
			if sp.HeaderEnd == 0 {
				if p == recStart || (p == recStart+1 && last == '\r') {
					return irregular("an empty line before the header")
				}
				sp.HeaderEnd, sp.HeaderLines = pos, line-1
			} else if next < len(cuts) && p >= cuts[next] {
				bounds = append(bounds, RunPart{Start: pos, FirstLine: line})
				for next < len(cuts) && p >= cuts[next] {
					next++
				}
			}
			recStart = pos
		default:
			fieldStart = false
		}
	}
	switch {
	case inQ:
		return irregular("a quoted field is not closed at the end of the file")
	case sp.HeaderEnd == 0:
		return Split{Reason: "no header line: the file is read unsplit"}, nil
	}
	parts := append([]RunPart{{Start: sp.HeaderEnd, FirstLine: sp.HeaderLines + 1}}, bounds...)
	for i := range parts {
		parts[i].End = pos
		if i+1 < len(parts) {
			parts[i].End = parts[i+1].Start
		}
	}
	for _, pt := range parts {
		if pt.End > pt.Start {
			pt.Index = len(sp.Parts)
			sp.Parts = append(sp.Parts, pt)
		}
	}
	if len(sp.Parts) == 0 {
		return Split{Reason: "no records after the header: the file is read unsplit"}, nil
	}
	return sp, nil
}

// EvenCuts returns the offsets that cut size bytes into n parts of about
// the same size.
func EvenCuts(size int64, n int) []int64 {
	var cuts []int64
	for i := 1; i < n; i++ {
		cuts = append(cuts, size*int64(i)/int64(n))
	}
	return cuts
}

// SplitFormat says whether a file of this format can be split: only
// Shadowserver's CSV reports are (each row is one record of a fixed
// header, read without state carried from row to row).
func SplitFormat(f feed.Format) bool { return f == feed.FormatShadowserver }

// FeedPart ingests one part of split run p.RunID: header is the file's
// header record, r the part's bytes. It resumes after the part's own resume
// point and marks the part done in the transaction of its last batch. When
// that completes the run's count of parts (or found every part done
// already: a retry after a crash), it ends the run (FinishSplit). A part
// that was done already reads nothing. opts.Name, Format, ReportType and
// Trigger must be the run's; opts.SHA256 is not used.
func FeedPart(ctx context.Context, s PartStore, ix *Index, header []byte, r io.Reader, p RunPart, headerLines int64, opts Options) (Summary, error) {
	start := time.Now()
	if opts.BatchSize <= 0 {
		opts.BatchSize = 10000
	}
	run, part, err := s.RunSplitGet(ctx, p.RunID, p.Index)
	if err != nil {
		return Summary{Source: opts.Name}, err
	}
	sum := Summary{Source: run.Source, Format: run.FeedType, ReportType: run.ReportType, RunID: run.ID, TLP: run.TLP}
	if part.Done {
		_, err := FinishSplit(ctx, s, run.ID)
		return sum, err
	}
	if part.CommittedLine > 0 {
		sum.Resumed, sum.ResumedAt = true, part.CommittedLine+1
	}
	rd, err := feed.NewReader(ctx, io.MultiReader(bytesReader(header), r), feed.Options{
		Name: opts.Name, Format: opts.Format, ReportType: opts.ReportType, Mapping: opts.Mapping,
		CredentialSalt: opts.CredentialSalt, Now: s.Now,
	})
	if err != nil {
		sum.Failed = errs.Message(err)
		return sum, err
	}
	sum.Trigger, sum.Warnings = opts.Trigger, rd.Warnings()
	if sum.Trigger == "" {
		sum.Trigger = rd.ReportType()
	}
	if rd.ReportType() != run.ReportType {
		return sum, fmt.Errorf("part %d of run %d reads as report type %q, the run is %q", part.Index, run.ID, rd.ReportType(), run.ReportType)
	}
	// Lines of the part's reader count from its copy of the header.
	shift := part.FirstLine - headerLines - 1
	// The part's counters travel in a Run (the writer's shape): its id is
	// the run's, so the findings' last run is the run.
	cur := Run{ID: run.ID, CommittedLine: part.CommittedLine, Rows: part.Rows, Matched: part.Matched, Unmatched: part.Unmatched,
		Quarantined: part.Quarantined, FindingsNew: part.FindingsNew, FindingsUpdated: part.FindingsUpdated}
	toPart := func(r *Run) *RunPart {
		q := part
		q.CommittedLine, q.Rows, q.Matched, q.Unmatched, q.Quarantined = r.CommittedLine, r.Rows, r.Matched, r.Unmatched, r.Quarantined
		q.FindingsNew, q.FindingsUpdated = r.FindingsNew, r.FindingsUpdated
		return &q
	}
	var all bool
	// cur keeps the last committed state until a batch commits: the
	// checkpoint moves the resume point only from there, so two attempts
	// at one part (a job River rescued while the first still ran) never
	// both commit a batch.
	checkpoint := func(tx Store, r *Run) error {
		return tx.(PartStore).RunPartCheckpoint(ctx, toPart(r), cur.CommittedLine)
	}
	done := func(tx Store, r *Run) error {
		var err error
		all, err = tx.(PartStore).RunPartDone(ctx, toPart(r))
		return err
	}
	pctx, stop := context.WithCancel(ctx)
	skip := part.CommittedLine
	err = write(ctx, s, &cur, &sum, produce(pctx, rd, ix, run.TriggerID, skip, shift, opts), stop, checkpoint, done, opts)
	stop()
	sum.Rows, sum.Matched, sum.Unmatched, sum.Quarantined = cur.Rows, cur.Matched, cur.Unmatched, cur.Quarantined
	sum.FindingsNew, sum.FindingsUpdated = cur.FindingsNew, cur.FindingsUpdated
	if err != nil {
		sum.Failed = errs.Message(err)
		return sum, err
	}
	if all {
		fin, err := FinishSplit(ctx, s, run.ID)
		if err != nil {
			return sum, err
		}
		sum.FindingsResolved, sum.ResolveSkipped = fin.FindingsResolved, fin.ResolveSkipped
	}
	sum.Seconds = time.Since(start).Seconds()
	return sum, nil
}

// Finished is what ending a split run did.
type Finished struct {
	// Ended says this call ended the run (false: not every part is done,
	// or another call ended it).
	Ended            bool
	Run              Run
	FindingsResolved int64
	ResolveSkipped   string
}

// FinishSplit ends split run runID if every part is done and no one ended
// it yet: in one transaction it claims the end, resolves the findings a
// full report no longer lists and records the run's summed counters and
// end, so that notice composition sees the whole run ended once.
func FinishSplit(ctx context.Context, s PartStore, runID int64) (Finished, error) {
	var out Finished
	err := s.IngestTx(ctx, func(tx Store) error {
		out = Finished{}
		r, ok, err := tx.(PartStore).RunSplitClaimFinish(ctx, runID)
		if err != nil || !ok {
			return err
		}
		skipped, resolve := resolveRule(&r)
		if resolve {
			if r.FindingsResolved, err = tx.FindingResolveUnseen(ctx, r.TriggerID, r.ReportType, r.ID); err != nil {
				return err
			}
		}
		if err := tx.RunFinish(ctx, &r); err != nil {
			return err
		}
		out = Finished{Ended: true, Run: r, FindingsResolved: r.FindingsResolved, ResolveSkipped: skipped}
		return nil
	})
	if err != nil {
		return Finished{}, fmt.Errorf("end run %d: %w", runID, err)
	}
	return out, nil
}

// resolveRule says whether run r, at its end, resolves the findings of its
// trigger it did not list, and if not why (a partial feed aside): a file
// that is mostly bad rows is not evidence of repair.
func resolveRule(r *Run) (skipped string, resolve bool) {
	switch good := r.Rows - r.Quarantined; {
	case !r.FullReport:
		return "", false
	case good == 0:
		return "no readable rows", false
	case r.Quarantined*10 > r.Rows:
		return fmt.Sprintf("%d of %d rows quarantined", r.Quarantined, r.Rows), false
	}
	return "", true
}

// StartSplit records a split run of the file described by opts (name,
// format, report type, trigger, full report, TLP, hash) and its parts;
// header is the file's header record, from which the report type is read.
func StartSplit(ctx context.Context, s PartStore, header []byte, sp Split, opts Options) (Run, error) {
	rd, err := feed.NewReader(ctx, bytesReader(header), feed.Options{
		Name: opts.Name, Format: opts.Format, ReportType: opts.ReportType, Mapping: opts.Mapping,
		CredentialSalt: opts.CredentialSalt, Now: s.Now,
	})
	if err != nil {
		return Run{}, err
	}
	if !SplitFormat(rd.Format()) {
		return Run{}, errors.New("only Shadowserver reports are split")
	}
	trig := opts.Trigger
	if trig == "" {
		trig = rd.ReportType()
	}
	trigID, err := s.TriggerEnsure(ctx, finding.Trigger{Name: trig, Kind: "feed", NotifyUnregistered: opts.NotifyUnregistered})
	if err != nil {
		return Run{}, err
	}
	run := Run{Source: opts.Name, FeedType: string(rd.Format()), ReportType: rd.ReportType(), TriggerID: trigID,
		FullReport: opts.FullReport, SourceSHA256: opts.SHA256, Header: headerJSON(rd.Header()), TLP: opts.TLP}
	if err := s.RunSplitStart(ctx, &run, sp.Parts); err != nil {
		return Run{}, err
	}
	return run, nil
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
