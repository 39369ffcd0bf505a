// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"vigil/internal/asn"
	"vigil/internal/errs"
	"vigil/internal/feed"
	"vigil/internal/ingest"
	"vigil/internal/store"
	"vigil/internal/system"
	"vigil/internal/text"
	"vigil/internal/tlp"
)

// FeedOptions configure a feed ingest.
type FeedOptions struct {
	// Again ingests a file whose content was ingested completely before
	// (by default it is skipped with a note).
	Again bool
	// Type is auto, shadowserver, csv, blocklist or credentials.
	Type string
	// Trigger names the campaign (default: the report type); ReportType
	// forces the report type (default: from the file name or header).
	Trigger, ReportType string
	// Mapping is a YAML column mapping file for generic CSV files.
	Mapping string
	// Partial says the feed is not a full report: findings it does not
	// list are not resolved.
	Partial bool
	// NotifyUnregistered warns owners of unregistered addresses found
	// through security.txt or RDAP, at most UnregisteredMax addresses per
	// file (the most severe first); AllowPrivate lets those look-ups reach
	// private addresses.
	NotifyUnregistered bool
	UnregisteredMax    int
	AllowPrivate       bool
	// TLP is the marking the files arrived under (tlp.None: unmarked);
	// every finding they make carries it.
	TLP tlp.Marking
	// Stdin is read for the file "-".
	Stdin io.Reader
	// Progress, when set, is told that a file of size bytes starts; it
	// returns the function called with the bytes read so far after each
	// committed batch, and the one called when the file is done.
	Progress Progress
	// Done, when set, receives each file's summary as soon as it is done.
	Done func(ingest.Summary)
	// auditAs, when set, is the action of the audit entry each run writes
	// in the transaction that ends it (IngestUpload: the portal's upload).
	auditAs string
}

// IngestFeeds streams a feed (a file, "-", or every file of a directory in
// name order), matches its rows to registered organisations and folds
// them into findings. Bad rows are quarantined and counted; a run stopped
// half-way resumes when the same file is ingested again.
func (a *App) IngestFeeds(ctx context.Context, arg string, opt FeedOptions) ([]ingest.Summary, error) {
	format, err := feed.ParseFormat(opt.Type)
	if err != nil {
		return nil, err
	}
	var mapping *feed.Mapping
	if opt.Mapping != "" {
		f, err := os.Open(opt.Mapping)
		if err != nil {
			return nil, errs.Field("mapping", opt.Mapping, err.Error())
		}
		mapping, err = feed.LoadMapping(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("mapping %s: %w", opt.Mapping, err)
		}
	}
	salt, err := a.st.SettingSecret(ctx, "credential_salt")
	if err != nil {
		return nil, err
	}
	ix, err := ingest.BuildIndex(ctx, a.st)
	if err != nil {
		return nil, err
	}
	asnTable, err := a.currentASNTable(ctx)
	if err != nil {
		return nil, err
	}
	files, err := FeedFiles(arg)
	if err != nil {
		return nil, err
	}
	targets, err := a.fleetTargets(ctx)
	if err != nil {
		return nil, err
	}
	agg := system.NewAggregator(targets)
	var (
		sums   []ingest.Summary
		failed []string
	)
	for _, name := range files {
		opts := ingest.Options{Format: format, Trigger: opt.Trigger, ReportType: opt.ReportType, Mapping: mapping,
			CredentialSalt: salt, FullReport: !opt.Partial, NotifyUnregistered: opt.NotifyUnregistered, TLP: opt.TLP, BatchSize: a.cfg.Ingest.BatchRows}
		unreg := newUnregisteredSet(opt.UnregisteredMax)
		if opt.NotifyUnregistered {
			opts.Unmatched = unreg.add
		}
		if asnTable != nil {
			opts.ASN = asnTable
		}
		opts.Observe = agg.Observe
		if opt.auditAs != "" {
			opts.Ended = a.auditRunEnd(opt.auditAs)
		}
		sum, err := a.ingestOne(ctx, ix, name, opts, opt)
		if err != nil {
			// A file that cannot be read to its end (bad input) is
			// reported and the next one goes on; anything else stops.
			if errs.CodeOf(err) != errs.Invalid {
				return sums, err
			}
			if sum.Source == "" {
				sum.Source = name
			}
			sum.Failed = errs.Message(err)
			failed = append(failed, sum.Source)
			sums = append(sums, sum)
			if opt.Done != nil {
				opt.Done(sum)
			}
			continue
		}
		if sum.Skipped != "" {
			sums = append(sums, sum)
			if opt.Done != nil {
				opt.Done(sum)
			}
			continue
		}
		if sum.Rows > 0 && sum.Quarantined == sum.Rows {
			// Nothing of it could be used: the file is wrong, not its rows.
			failed = append(failed, sum.Source+" (every row quarantined: vigil quarantine list)")
		}
		if err := a.fleetAdd(ctx, agg.Batches(sum.Format)); err != nil {
			return sums, err
		}
		if opt.NotifyUnregistered {
			if sum.Unregistered, err = a.warnUnregistered(ctx, sum.Trigger, unreg, opt.AllowPrivate); err != nil {
				return sums, err
			}
		}
		sums = append(sums, sum)
		if opt.Done != nil {
			opt.Done(sum)
		}
	}
	return sums, failedUnits("file", failed, len(files))
}

// FeedNote says why a feed file was not ingested: it failed (how many of
// its rows were committed) or was skipped.
func FeedNote(sum ingest.Summary) string {
	if sum.Skipped != "" {
		return sum.Skipped
	}
	if i := strings.Index(sum.Failed, "refused: "); i >= 0 && sum.RunID == 0 { // before a row was read
		return sum.Failed[i:]
	}
	return fmt.Sprintf("FAILED after %s committed, nothing resolved: %s", text.Plural(sum.Rows, "row", "rows"), sum.Failed)
}

// failedUnits is the error of a run over units (files, documents) some of
// which failed as bad input: it names them, and the run exits 2.
func failedUnits(what string, failed []string, total int) error {
	if len(failed) == 0 {
		return nil
	}
	return errs.Keyed(errs.Invalid, "", "feed.failed", "%d of %s failed: %s", len(failed), text.Plural(total, what, what+"s"), strings.Join(failed, ", "))
}

// skipSameContent returns why a file whose content has this SHA-256 is not
// ingested, and the run that is the reason, or "" to go on: the same
// content was ingested completely before, or a split run of it is still
// under way (its parts are jobs the nodes work), whose sightings an ingest
// beside it would count a second time. A split run that went without
// progress for notify.run_grace has stopped (a part cancelled or given up,
// its nodes gone): its content is ingested again. again is how the caller
// asks to ingest it anyway.
func (a *App) skipSameContent(ctx context.Context, st *store.Store, sha, again string) (int64, string, error) {
	prev, err := st.RunDone(ctx, sha)
	if err == nil {
		return prev.ID, fmt.Sprintf("the same content was ingested completely on %s as %s (run %d, %s): skipped; %s to ingest it again",
			prev.StartedAt.UTC().Format(time.DateTime), prev.Source, prev.ID, text.Plural(prev.Rows, "row", "rows"), again), nil
	} else if !errors.Is(err, errs.ErrNotFound) {
		return 0, "", err
	}
	grace, err := a.runGrace()
	if err != nil {
		return 0, "", err
	}
	open, err := st.RunSplitUnfinished(ctx, sha, st.Now().Add(-grace))
	switch {
	case errors.Is(err, errs.ErrNotFound):
		return 0, "", nil
	case err != nil:
		return 0, "", err
	}
	return open.ID, fmt.Sprintf("the same content is being ingested as %s (run %d, started %s, in parts the nodes work): skipped; %s to ingest it beside that run, which counts its sightings twice",
		open.Source, open.ID, open.StartedAt.UTC().Format(time.DateTime), again), nil
}

// ingestOne ingests one file (or standard input).
func (a *App) ingestOne(ctx context.Context, ix *ingest.Index, name string, opts ingest.Options, opt FeedOptions) (ingest.Summary, error) {
	var r io.Reader = opt.Stdin
	var size int64
	opts.Name = "stdin"
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return ingest.Summary{}, errs.Field("file", name, err.Error())
		}
		defer f.Close()
		if opts.SHA256, err = ingest.HashFile(f); err != nil {
			return ingest.Summary{}, fmt.Errorf("%s: %w", name, err)
		}
		if !opt.Again {
			id, skip, err := a.skipSameContent(ctx, a.st, opts.SHA256, "--again")
			if err != nil || skip != "" {
				return ingest.Summary{Source: filepath.Base(name), RunID: id, Skipped: skip}, err
			}
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return ingest.Summary{}, err
		}
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		r = f
		opts.Name = filepath.Base(name)
	}
	if opt.Progress != nil && size > 0 {
		cr := &countingReader{r: r}
		r = cr
		update, done := opt.Progress(opts.Name, size)
		opts.Progress = func(int64) { update(cr.n.Load()) }
		defer done()
	}
	// An unsplit run of the same content still being ingested (another
	// node, a second command) is named, not resumed beside it: one of the
	// two would stop at a conflict at its first batch. Whether the content
	// was ingested completely is decided again in the same step: an
	// ingest of it may have ended since skipSameContent looked.
	grace, err := a.runGrace()
	if err != nil {
		return ingest.Summary{}, err
	}
	opts.RunGrace, opts.Again = grace, opt.Again
	return ingest.Feed(ctx, a.st, ix, r, opts)
}

// countingReader counts the bytes read from r. The ingest's producer reads
// while its writer reports progress after each committed batch, so the
// count is atomic.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// ASNSummary reports a loaded IP-to-AS table.
type ASNSummary struct {
	File     string `json:"file"`
	Lines    int    `json:"lines"`
	Prefixes int    `json:"prefixes"`
	Bad      int    `json:"bad"`
	Unrouted int    `json:"unrouted"`
	// Errors are the bad lines (quarantined).
	Errors []errs.RowError `json:"-"`
}

// IngestASN loads an IP-to-AS table (CAIDA pfx2as or ip2asn TSV, gzip too)
// from the file at path, which replaces the previous one: feed rows
// without an AS number get the announcing AS from it. Bad lines are
// quarantined.
func (a *App) IngestASN(ctx context.Context, path string) (ASNSummary, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return ASNSummary{}, errs.Field("file", path, err.Error())
	}
	name := filepath.Base(path)
	t, bad, err := asn.Load(ctx, bytes.NewReader(raw), name)
	if err != nil {
		return ASNSummary{}, err
	}
	st := t.Stats()
	if st.Prefixes == 0 {
		return ASNSummary{}, errs.FieldKeyed("file", path, "asn.noprefixes", "no prefixes in it")
	}
	sha, _ := ingest.HashFile(bytes.NewReader(raw))
	gz := raw
	if len(raw) < 2 || raw[0] != 0x1f || raw[1] != 0x8b {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write(raw)
		w.Close()
		gz = b.Bytes()
	}
	if err := a.st.QuarantineAdd(ctx, 0, bad); err != nil {
		return ASNSummary{}, err
	}
	if err := a.st.ASNTablePut(ctx, name, sha, st.Prefixes, gz); err != nil {
		return ASNSummary{}, err
	}
	return ASNSummary{File: name, Lines: st.Lines, Prefixes: st.Prefixes, Bad: st.Bad, Unrouted: st.Unrouted, Errors: bad}, nil
}

// currentASNTable loads the stored IP-to-AS table, or returns nil when none
// was loaded.
func (a *App) currentASNTable(ctx context.Context) (*asn.Table, error) {
	name, gz, err := a.st.ASNTableCurrent(ctx)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	t, _, err := asn.Load(ctx, bytes.NewReader(gz), name)
	return t, err
}
