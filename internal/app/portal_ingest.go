// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"vigil/internal/account"
	"vigil/internal/errs"
	"vigil/internal/ingest"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/store"
	"vigil/internal/text"
)

// maxUploadName bounds the file name of an uploaded feed.
const maxUploadName = 200

// IngestUpload ingests one feed file that arrives as a stream (an upload to
// the portal or the API) under its file name, which names the report type
// as Shadowserver's file names do. It is IngestFeeds on a private copy of
// the stream, so that the run records the file's hash and resumes like one
// given on the command line. A file larger than the configured part size
// is ingested in parts by the nodes' job queue instead (ingestSplit): the
// summary then names the run and its parts, and the run's counters come
// when it ends. An unusable name or an empty file is refused
// (field "file") before anything is written. The run is audited as
// ingest.upload in the transaction that ends it (a split run: that
// starts it), so that neither stays without the other.
func (a *App) IngestUpload(ctx context.Context, name string, r io.Reader, opt FeedOptions) (ingest.Summary, error) {
	base := strings.TrimSpace(name)
	switch {
	case base == "":
		return ingest.Summary{}, &errs.Error{Code: errs.Invalid, Field: "file", Message: "choose a feed file", Key: "feed.choose"}
	case len(base) > maxUploadName:
		return ingest.Summary{}, errs.FieldKeyed("file", text.Truncate(base, 40), "file.namelong", "the file name is longer than %d bytes", maxUploadName)
	case strings.ContainsAny(base, `/\`) || strings.HasPrefix(base, ".") || text.Problem(base) != "":
		return ingest.Summary{}, errs.FieldKeyed("file", name, "file.plain", "not a plain file name")
	}
	dir, err := os.MkdirTemp("", "vigil-upload-")
	if err != nil {
		return ingest.Summary{}, fmt.Errorf("upload: %w", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, base)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return ingest.Summary{}, fmt.Errorf("upload: %w", err)
	}
	n, err := io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return ingest.Summary{}, fmt.Errorf("upload %s: %w", base, err)
	}
	if n == 0 {
		return ingest.Summary{}, errs.FieldKeyed("file", base, "evidence.empty", "the file is empty")
	}
	opt.auditAs = "ingest.upload"
	if sp, why := a.splitPlan(path, n, opt); len(sp.Parts) > 1 {
		return a.ingestSplit(ctx, path, base, sp, opt)
	} else if why != "" {
		a.log.Info("feed file not split", "file", base, "bytes", n, "reason", why)
	}
	sums, err := a.IngestFeeds(ctx, path, opt)
	var sum ingest.Summary
	if len(sums) > 0 {
		sum = sums[0]
	}
	if err != nil && errs.CodeOf(err) == errs.Invalid {
		msg := sum.Failed
		if msg == "" {
			msg = errs.Message(err)
		}
		return sum, &errs.Error{Code: errs.Invalid, Field: "file", Message: msg, Err: err}
	}
	return sum, err
}

// auditRunEnd is an ingest.Options.Ended that writes the audit entry
// action of the run in the transaction that ends it.
func (a *App) auditRunEnd(action string) func(ctx context.Context, tx ingest.Store, r ingest.Run) error {
	return func(ctx context.Context, tx ingest.Store, r ingest.Run) error {
		st, ok := tx.(*store.Store)
		if !ok {
			return fmt.Errorf("audit run %d: the ingest transaction is not the store's", r.ID)
		}
		return a.auditIn(ctx, st, account.AuditEntry{Action: action, Object: fmt.Sprintf("run %d", r.ID),
			Detail: fmt.Sprintf("%s: %d rows, %d matched, %d quarantined, %d new findings", r.Source, r.Rows, r.Matched, r.Quarantined, r.FindingsNew)})
	}
}

// IngestRuns lists the ingest runs, newest first (see store.RunList): a
// run not ended without progress for notify.run_grace is stopped.
func (a *App) IngestRuns(ctx context.Context, p keyset.Page) ([]ingest.RunStatus, error) {
	since, err := a.runProgressSince()
	if err != nil {
		return nil, err
	}
	return a.st.RunList(ctx, p, since)
}

// runProgressSince is how recent a run's progress must be for a run that
// has not ended to be running (notify.run_grace ago), as composition and
// the look for a run of the same content take it.
func (a *App) runProgressSince() (time.Time, error) {
	grace, err := a.runGrace()
	if err != nil {
		return time.Time{}, err
	}
	return a.st.Now().Add(-grace), nil
}

// RunDetail is an ingest run with the rows it quarantined.
type RunDetail struct {
	Run ingest.RunStatus `json:"run"`
	// Quarantine holds the run's refused rows in file order, at most
	// MaxRunQuarantine of them (Run.Quarantined counts them all).
	Quarantine []ingest.QuarantinedRow `json:"quarantine"`
}

// MaxRunQuarantine is the most refused rows RunDetail shows.
const MaxRunQuarantine = 500

// IngestRun returns run id with its quarantined rows, or errs.NotFound.
func (a *App) IngestRun(ctx context.Context, id int64) (RunDetail, error) {
	since, err := a.runProgressSince()
	if err != nil {
		return RunDetail{}, err
	}
	r, err := a.st.RunGet(ctx, id, since)
	if err != nil {
		return RunDetail{}, err
	}
	q, err := a.st.QuarantineByRun(ctx, id, keyset.Page{Limit: MaxRunQuarantine})
	return RunDetail{Run: r, Quarantine: q}, err
}

// NotifyPreview plans a notify run without writing anything: NotifyRun's
// dry run, whose Composed.Previews give per notice its organisation,
// recipients, subjects and findings.
func (a *App) NotifyPreview(ctx context.Context) (NotifyRunResult, error) {
	res, err := a.NotifyRun(ctx, NotifyRunOptions{DryRun: true})
	if res.Composed.Previews == nil {
		res.Composed.Previews = []notify.Preview{}
	}
	return res, err
}
