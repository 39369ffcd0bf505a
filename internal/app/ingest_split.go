// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"vigil/internal/account"
	"vigil/internal/errs"
	"vigil/internal/feed"
	"vigil/internal/ingest"
	"vigil/internal/notify"
	"vigil/internal/store"
	"vigil/internal/system"
	"vigil/internal/tlp"
)

// A feed file handed to `vigil serve` that is larger than the configured
// part size (ingest.part_bytes) is kept in the shared directory
// (ingest.shared_dir, which every node reads at the same path) and
// ingested as one run in parts: one River job per byte range, which any
// node claims. Each part resumes at its own resume point after a crash (the
// job is retried); the part that completes the run's count of parts ends
// the run (resolution, then notice composition), once.

// IngestQueue is the River queue of the part jobs. A node works one part
// at a time (a part keeps a core busy parsing and matching while it
// commits), so the parts of a file spread over the nodes.
const IngestQueue = "ingest"

// PartTimeout is the default bound of one attempt at a part
// (ingest.part_timeout). It stays below the time after which River's
// rescuer retries a job it takes for stuck (jobs.rescue_after, an hour by
// default), so a live node's part is not run twice at once; an attempt cut
// short resumes at its resume point, and RunPartCheckpoint refuses a
// second attempt's batches should two run at once anyway.
const PartTimeout = 45 * time.Minute

// partRetryMax bounds the wait before a part is tried again: a part
// resumes after its last committed batch, so a retry loses no work and
// River's backoff (attempt⁴ seconds) would only leave it waiting.
const partRetryMax = time.Minute

// ingestPartArgs is the job of one part of a split run.
type ingestPartArgs struct {
	RunID int64 `json:"run_id"`
	Part  int   `json:"part"`
	// Path is the file in the shared directory; Name the name it was
	// handed in under (it gives the report type).
	Path        string      `json:"path"`
	Name        string      `json:"name"`
	HeaderEnd   int64       `json:"header_end"`
	HeaderLines int64       `json:"header_lines"`
	Trigger     string      `json:"trigger,omitempty"`
	ReportType  string      `json:"report_type,omitempty"`
	TLP         tlp.Marking `json:"tlp,omitempty"`
}

// Kind implements river.JobArgs.
func (ingestPartArgs) Kind() string { return "ingest_part" }

// InsertOpts implements river.JobArgsWithInsertOpts: a part is enqueued
// once while it waits, runs or waits for its retry.
func (ingestPartArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: IngestQueue, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

type ingestPartWorker struct {
	river.WorkerDefaults[ingestPartArgs]
	a *App
	// timeout bounds one attempt (ingest.part_timeout).
	timeout time.Duration
}

// Timeout implements river.Worker: a part of a large file takes longer
// than River's default minute.
func (w *ingestPartWorker) Timeout(*river.Job[ingestPartArgs]) time.Duration { return w.timeout }

// NextRetry implements river.Worker: a part is tried again after attempt²
// seconds, at most partRetryMax (it resumes where it stopped).
func (w *ingestPartWorker) NextRetry(j *river.Job[ingestPartArgs]) time.Time {
	n := time.Duration(max(j.Attempt, 1))
	return time.Now().Add(min(n*n*time.Second, partRetryMax))
}

// Work implements river.Worker: an error makes River retry the part, which
// resumes after its last committed batch.
func (w *ingestPartWorker) Work(ctx context.Context, j *river.Job[ingestPartArgs]) error {
	w.a.log.Info("ingest part started", "run", j.Args.RunID, "part", j.Args.Part, "attempt", j.Attempt)
	sum, err := w.a.IngestPart(ctx, j.Args)
	if errs.CodeOf(err) == errs.Invalid {
		// A file that cannot be read to its end will not be readable at
		// the next attempt either: the part keeps what it committed.
		w.a.log.Error("ingest part failed", "run", j.Args.RunID, "part", j.Args.Part, "err", err)
		return river.JobCancel(err)
	}
	if err == nil {
		w.a.log.Info("ingest part done", "run", j.Args.RunID, "part", j.Args.Part, "rows", sum.Rows, "resumed", sum.Resumed)
	}
	return err
}

// splitPlan returns how the file at path (size bytes) is split, or why a
// file larger than a part is not (no parts, and "" for a small file or
// when splitting is off).
func (a *App) splitPlan(path string, size int64, opt FeedOptions) (ingest.Split, string) {
	part := int64(a.cfg.Ingest.PartBytes)
	switch {
	case a.cfg.Ingest.SharedDir == "" || part <= 0 || size <= part:
		return ingest.Split{}, ""
	case a.jobsQ == nil:
		return ingest.Split{}, "no job queue on this node"
	case opt.NotifyUnregistered:
		return ingest.Split{}, "warnings to owners of unregistered addresses pick the most severe rows of the whole file"
	case opt.Mapping != "" || (opt.Type != "" && opt.Type != "auto" && opt.Type != string(feed.FormatShadowserver)):
		return ingest.Split{}, "only Shadowserver reports are split"
	}
	f, err := os.Open(path)
	if err != nil {
		return ingest.Split{}, err.Error()
	}
	defer f.Close()
	head := make([]byte, 2)
	if n, _ := io.ReadFull(f, head); n == 2 && head[0] == 0x1f && head[1] == 0x8b {
		return ingest.Split{}, "a gzip file is read from its start"
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return ingest.Split{}, err.Error()
	}
	n := int((size + part - 1) / part)
	sp, err := ingest.PlanSplit(f, ingest.EvenCuts(size, n))
	switch {
	case err != nil:
		return ingest.Split{}, err.Error()
	case sp.Reason != "":
		return ingest.Split{}, sp.Reason
	case len(sp.Parts) < 2:
		return ingest.Split{}, "one record boundary only"
	}
	return sp, ""
}

// ingestSplit starts a split run of the file at path (a private copy,
// which it moves into the shared directory) and enqueues its parts. The
// summary names the run and its parts; its counters come when the run ends
// (GET /api/v1/ingest/runs/{id}).
func (a *App) ingestSplit(ctx context.Context, path, name string, sp ingest.Split, opt FeedOptions) (ingest.Summary, error) {
	sum := ingest.Summary{Source: name}
	f, err := os.Open(path)
	if err != nil {
		return sum, fmt.Errorf("split %s: %w", name, err)
	}
	sha, err := ingest.HashFile(f)
	f.Close()
	if err != nil {
		return sum, fmt.Errorf("split %s: %w", name, err)
	}
	if !opt.Again {
		if sum.RunID, sum.Skipped, err = a.skipSameContent(ctx, a.st, sha, "again=true"); err != nil || sum.Skipped != "" {
			return sum, err
		}
	}
	dir, err := os.MkdirTemp(a.cfg.Ingest.SharedDir, "vigil-split-")
	if err != nil {
		return sum, fmt.Errorf("split %s: shared directory: %w", name, err)
	}
	shared := filepath.Join(dir, "feed")
	if err := copyFile(path, shared); err != nil {
		os.RemoveAll(dir)
		return sum, fmt.Errorf("split %s: %w", name, err)
	}
	header := make([]byte, sp.HeaderEnd)
	if err := readAt(shared, header, 0); err != nil {
		os.RemoveAll(dir)
		return sum, fmt.Errorf("split %s: %w", name, err)
	}
	format, err := feed.ParseFormat(opt.Type)
	if err != nil {
		os.RemoveAll(dir)
		return sum, err
	}
	var run ingest.Run
	var skipID int64
	var skip string
	err = a.st.Tx(ctx, func(tx *store.Store) error {
		// Another node may have started a run of the same content since
		// the look above: the claim makes the look and the start one step.
		if err := tx.RunContentClaim(ctx, sha); err != nil {
			return err
		}
		var err error
		if !opt.Again {
			if skipID, skip, err = a.skipSameContent(ctx, tx, sha, "again=true"); err != nil || skip != "" {
				return err
			}
		}
		if run, err = ingest.StartSplit(ctx, tx, header, sp, ingest.Options{Name: name, Format: format, Trigger: opt.Trigger,
			ReportType: opt.ReportType, FullReport: !opt.Partial, SHA256: sha, TLP: opt.TLP}); err != nil || opt.auditAs == "" {
			return err
		}
		// The run is audited as it starts: its parts end on any node.
		return a.auditIn(ctx, tx, account.AuditEntry{Action: opt.auditAs, Object: fmt.Sprintf("run %d", run.ID),
			Detail: fmt.Sprintf("%s: split into %d parts", name, len(sp.Parts))})
	})
	if err != nil || skip != "" {
		os.RemoveAll(dir)
		sum.RunID, sum.Skipped = skipID, skip
		return sum, err
	}
	for _, p := range sp.Parts {
		args := ingestPartArgs{RunID: run.ID, Part: p.Index, Path: shared, Name: name, HeaderEnd: sp.HeaderEnd, HeaderLines: sp.HeaderLines,
			Trigger: opt.Trigger, ReportType: opt.ReportType, TLP: opt.TLP}
		if _, err := a.jobsQ.Insert(ctx, args, nil); err != nil {
			// The run stays unfinished and its parts can be enqueued again
			// (vigil does not yet do it by itself): report it.
			return sum, fmt.Errorf("split %s: run %d: %w", name, run.ID, err)
		}
	}
	a.log.Info("feed file split", "file", name, "run", run.ID, "parts", len(sp.Parts))
	sum.RunID, sum.Format, sum.ReportType, sum.TLP, sum.Parts = run.ID, run.FeedType, run.ReportType, run.TLP, len(sp.Parts)
	return sum, nil
}

// IngestPart ingests one part of a split run (the work of its job): the
// part's byte range of the shared file under the file's header, with the
// registry's index, the ASN table and the fleet aggregates as an unsplit
// ingest has them. When the run has ended (this part completed it, or
// found it complete on a retry) it removes the shared file and enqueues
// notice composition at once.
func (a *App) IngestPart(ctx context.Context, args ingestPartArgs) (ingest.Summary, error) {
	_, part, err := a.st.RunSplitGet(ctx, args.RunID, args.Part)
	if err != nil {
		return ingest.Summary{}, err
	}
	salt, err := a.st.SettingSecret(ctx, "credential_salt")
	if err != nil {
		return ingest.Summary{}, err
	}
	ix, err := ingest.BuildIndex(ctx, a.st)
	if err != nil {
		return ingest.Summary{}, err
	}
	asnTable, err := a.currentASNTable(ctx)
	if err != nil {
		return ingest.Summary{}, err
	}
	targets, err := a.fleetTargets(ctx)
	if err != nil {
		return ingest.Summary{}, err
	}
	agg := system.NewAggregator(targets)
	format, _ := feed.ParseFormat("")
	opts := ingest.Options{Name: args.Name, Format: format, Trigger: args.Trigger, ReportType: args.ReportType, CredentialSalt: salt,
		TLP: args.TLP, Observe: agg.Observe, BatchSize: a.cfg.Ingest.BatchRows}
	if asnTable != nil {
		opts.ASN = asnTable
	}
	var sum ingest.Summary
	if !part.Done {
		f, err := os.Open(args.Path)
		if err != nil {
			return ingest.Summary{}, fmt.Errorf("run %d part %d: %w", args.RunID, args.Part, err)
		}
		defer f.Close()
		header := make([]byte, args.HeaderEnd)
		if _, err := f.ReadAt(header, 0); err != nil {
			return ingest.Summary{}, fmt.Errorf("run %d part %d: header: %w", args.RunID, args.Part, err)
		}
		sum, err = ingest.FeedPart(ctx, a.st, ix, header, io.NewSectionReader(f, part.Start, part.End-part.Start), part, args.HeaderLines, opts)
		if err != nil {
			return sum, err
		}
		if err := a.fleetAdd(ctx, agg.Batches(sum.Format)); err != nil {
			return sum, err
		}
	} else if _, err := ingest.FinishSplit(ctx, a.st, args.RunID); err != nil {
		return sum, err
	}
	r, err := a.st.RunGet(ctx, args.RunID, time.Time{})
	if err != nil || r.FinishedAt == nil {
		return sum, err
	}
	if err := os.RemoveAll(filepath.Dir(args.Path)); err != nil {
		a.log.Warn("split run: shared file not removed", "run", args.RunID, "err", err)
	}
	// One sweep waiting or running is enough (SweepArgs is unique): a part
	// ending late on another node finds it, and a sweep already running
	// when the run ended leaves the run to the next on the schedule.
	if _, err := a.jobsQ.Insert(ctx, notify.SweepArgs{}, nil); err != nil {
		a.log.Warn("split run ended: composition waits for the next sweep", "run", args.RunID, "err", err)
	}
	return sum, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func readAt(path string, b []byte, off int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.ReadAt(b, off)
	return err
}
