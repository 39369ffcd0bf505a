// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"vigil/internal/advisory"
	"vigil/internal/errs"
	"vigil/internal/netguard"
	"vigil/internal/notify"
	"vigil/internal/source"
	"vigil/internal/tlp"
)

// SourceLease bounds one run of a source: another run (on any node) waits
// for it, or for its expiry after a crash.
const SourceLease = 30 * time.Minute

// sourceKeyName is the setting holding the key that seals sources'
// credentials at rest.
const sourceKeyName = "source_credentials_key"

// SourceAdd registers a source (vigil source add): Every defaults to
// source.DefaultEvery and, when data is expected (Expect), AlertAfter to
// source.DefaultAlertAfter. The credentials are sealed under the
// installation's key before they are stored, and are never returned.
func (a *App) SourceAdd(ctx context.Context, src source.Source) (source.Source, error) {
	if src.Every == 0 {
		src.Every = source.Duration(source.DefaultEvery)
	}
	if src.Expect > 0 && src.AlertAfter == 0 {
		src.AlertAfter = source.Duration(source.DefaultAlertAfter)
	}
	if src.Kind == source.KindDir || src.Kind == source.KindMaildir {
		abs, err := filepath.Abs(src.URL)
		if err != nil {
			return src, errs.Field("url", src.URL, err.Error())
		}
		src.URL = abs
	} else if src.URL != "" {
		if err := netguard.CheckTarget("url", src.URL); err != nil && !a.cfg.Sources.AllowPrivate {
			return src, err
		}
	}
	if err := src.Validate(); err != nil {
		return src, err
	}
	key, err := a.st.SettingSecret(ctx, sourceKeyName)
	if err != nil {
		return src, err
	}
	sealed, err := source.Seal(key, src.Credentials)
	if err != nil {
		return src, err
	}
	src.Credentials = source.Credentials{}
	err = a.st.SourceCreate(ctx, &src, sealed)
	return src, err
}

// Sources lists the registered sources.
func (a *App) Sources(ctx context.Context) ([]source.Source, error) { return a.st.SourceList(ctx) }

// SourceDetail is one source with its last runs (vigil source show).
type SourceDetail struct {
	source.Source
	Runs []source.Run `json:"runs"`
}

// SourceShow returns the source named name with its last ten runs.
func (a *App) SourceShow(ctx context.Context, name string) (SourceDetail, error) {
	src, _, err := a.st.SourceGet(ctx, name)
	if err != nil {
		return SourceDetail{}, err
	}
	runs, err := a.st.SourceRuns(ctx, src.ID, 10)
	return SourceDetail{Source: src, Runs: runs}, err
}

// SourcePause pauses (paused) or resumes the source named name; a resumed
// source runs at the next sweep.
func (a *App) SourcePause(ctx context.Context, name string, paused bool) error {
	return a.st.SourcePause(ctx, name, paused)
}

// SourceRun runs the source named name now, in this process (vigil source
// run). It waits for no lease: while another run holds it, it fails with
// errs.Conflict.
func (a *App) SourceRun(ctx context.Context, name string) (source.Run, error) {
	src, sealed, err := a.st.SourceGet(ctx, name)
	if err != nil {
		return source.Run{}, err
	}
	return a.sourceRun(ctx, src, sealed)
}

// sourceRunByID runs source id (the job's work).
func (a *App) sourceRunByID(ctx context.Context, id int64) (source.Run, error) {
	src, sealed, err := a.st.SourceGetByID(ctx, id)
	if err != nil {
		return source.Run{}, err
	}
	return a.sourceRun(ctx, src, sealed)
}

// sourceRun fetches src and hands every file not ingested before (by
// digest) to the ingest path of its kind, recording each. A fetch that
// fails, or a file that cannot be ingested, fails the run: it counts
// towards the failures in a row and the error is the source's last; the
// files ingested before the failure stay recorded, so the retry takes only
// the rest.
func (a *App) sourceRun(ctx context.Context, src source.Source, sealed string) (source.Run, error) {
	run := source.Run{SourceID: src.ID, Started: a.now(), State: "running", Files: []source.File{}}
	id, err := a.st.SourceRunStart(ctx, src.ID, a.now().Add(SourceLease))
	if err != nil {
		return run, err
	}
	run.ID = id
	resume, runErr := a.sourceFetch(ctx, src, sealed, &run)
	failure := ""
	if runErr != nil {
		failure = runErr.Error()
		run.State, run.Error = "failed", failure
	} else {
		run.State = "ok"
	}
	// The outcome is recorded even when ctx ended (a stop), so the lease
	// is released.
	fin, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var retry time.Time
	if runErr != nil {
		// The failures in a row, this one included.
		retry = a.now().Add(src.RetryIn(src.Failures + 1))
	}
	if err := a.st.SourceRunFinish(fin, src.ID, run.ID, failure, len(run.Files)+run.Advisories, run.Skipped, resume, retry); err != nil {
		return run, err
	}
	if runErr == nil && src.Alerted != nil {
		if now, _, err := a.st.SourceGetByID(fin, src.ID); err == nil && !now.Silent(a.now()) {
			if err := a.st.SourceAlertClear(fin, src.ID); err != nil {
				return run, err
			}
		}
	}
	a.log.Info("source run", "source", src.Name, "kind", src.Kind, "state", run.State, "files", len(run.Files), "skipped", run.Skipped, "error", failure)
	return run, runErr
}

// sourceFetch fetches and ingests one run of src into run, and returns
// the resume point a successful run moves the source to.
func (a *App) sourceFetch(ctx context.Context, src source.Source, sealed string, run *source.Run) (string, error) {
	key, err := a.st.SettingSecret(ctx, sourceKeyName)
	if err != nil {
		return "", err
	}
	if src.Credentials, err = source.Unseal(key, sealed); err != nil {
		return "", err
	}
	if src.Kind == source.KindCSAF {
		return "", a.sourceCSAF(ctx, src, run)
	}
	pace, err := a.nvdPace()
	if err != nil {
		return "", err
	}
	env := source.Env{
		HTTP: netguard.New(netguard.Options{AllowPrivate: a.cfg.Sources.AllowPrivate, MaxBytes: 512 << 20, Timeout: 10 * time.Minute}),
		Now:  a.now,
		Seen: func(ctx context.Context, key string) (bool, error) { return a.st.SourceKeySeen(ctx, src.ID, key) },
		Pace: pace,
	}
	// A fetch cut short still hands on the files it got whole, so the
	// retry takes only the rest; the run fails all the same.
	files, resume, fetchErr := source.Fetch(ctx, env, src)
	if err := a.sourceFiles(ctx, src, files, run); err != nil {
		if fetchErr != nil {
			return "", fmt.Errorf("%w (and %v)", fetchErr, err)
		}
		return "", err
	}
	return resume, fetchErr
}

// nvdPace is sources.nvd_pace (0 when unset: NVD's published limit).
func (a *App) nvdPace() (time.Duration, error) {
	if a.cfg.Sources.NVDPace == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(a.cfg.Sources.NVDPace)
	if err != nil || d < 0 {
		return 0, errs.FieldKeyed("sources.nvd_pace", a.cfg.Sources.NVDPace, "duration.bare", "not a duration")
	}
	return d, nil
}

// sourceCSAF loads a trusted CSAF provider (LoadCSAFProvider, with the
// provider's own resume point); listings it could not read fail the run.
func (a *App) sourceCSAF(ctx context.Context, src source.Source, run *source.Run) error {
	sum, err := a.LoadCSAFProvider(ctx, src.URL, ProviderOptions{AllowPrivate: a.cfg.Sources.AllowPrivate})
	if err != nil {
		return err
	}
	run.Advisories, run.Skipped = sum.New+sum.Changed, sum.Skipped
	if len(sum.Problems) > 0 {
		return fmt.Errorf("csaf provider: %s", strings.Join(sum.Problems, "; "))
	}
	return nil
}

// sourceFiles hands each fetched file not ingested before to the ingest
// path of src's kind and records it in run.
func (a *App) sourceFiles(ctx context.Context, src source.Source, files []source.Fetched, run *source.Run) error {
	spool, err := os.MkdirTemp("", "vigil-source-")
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer os.RemoveAll(spool)
	for _, f := range files {
		rec, path, err := spoolFile(spool, f)
		if err != nil {
			return err
		}
		seen, err := a.st.SourceFileSeen(ctx, rec.SHA256)
		if err != nil {
			return err
		}
		if seen {
			run.Skipped++
			continue
		}
		ingestErr := a.sourceIngest(ctx, src.Kind, src.TLP, path, &rec)
		if ingestErr != nil && errs.CodeOf(ingestErr) != errs.Invalid {
			return ingestErr // not recorded: the retry ingests it again
		}
		// A file that is bad input is recorded (its content will not
		// change) and fails the run, so that an operator sees it.
		if err := a.st.SourceFileAdd(ctx, src.ID, run.ID, rec); err != nil {
			return err
		}
		run.Files = append(run.Files, rec)
		if ingestErr != nil {
			return fmt.Errorf("%s: %w", rec.Name, ingestErr)
		}
	}
	return nil
}

// spoolFile returns f's record (name, key, digest, size) and a path to its
// content: the watched file itself, or a copy of the downloaded body in
// spool under its own name (ingest reads the report type from it).
func spoolFile(spool string, f source.Fetched) (source.File, string, error) {
	rec := source.File{Name: f.Name, Key: f.Key}
	h := sha256.New()
	if f.Path != "" {
		in, err := os.Open(f.Path)
		if err != nil {
			return rec, "", fmt.Errorf("watched file: %w", err)
		}
		rec.Size, err = io.Copy(h, in)
		in.Close()
		if err != nil {
			return rec, "", fmt.Errorf("watched file %s: %w", f.Name, err)
		}
		rec.SHA256 = hex.EncodeToString(h.Sum(nil))
		return rec, f.Path, nil
	}
	h.Write(f.Body)
	rec.SHA256, rec.Size = hex.EncodeToString(h.Sum(nil)), int64(len(f.Body))
	name := filepath.Base(f.Name)
	if name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
		name = rec.SHA256[:16]
	}
	path := filepath.Join(spool, name)
	if err := os.WriteFile(path, f.Body, 0o600); err != nil {
		return rec, "", fmt.Errorf("spool %s: %w", name, err)
	}
	return rec, path, nil
}

// sourceIngest hands the file at path to the ingest path of kind, the
// one the CLI uses, under the source's marking mark, and counts what it
// made into rec.
func (a *App) sourceIngest(ctx context.Context, kind source.Kind, mark tlp.Marking, path string, rec *source.File) error {
	switch kind {
	case source.KindKEV:
		sums, err := a.LoadAdvisories(ctx, AdvisoryLoad{Source: advisory.SourceKEV, Arg: path})
		for _, s := range sums {
			rec.Rows += int64(s.Records)
			rec.Findings += int64(s.FindingsNew + s.FindingsUpdated)
		}
		return err
	case source.KindNVD, source.KindOSV:
		which, arg := advisory.SourceNVD, path
		if kind == source.KindOSV {
			which = advisory.SourceOSV
			if strings.HasSuffix(strings.ToLower(path), ".zip") {
				dir, err := unzipJSON(path)
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				arg = dir
			}
		}
		sums, err := a.LoadAdvisories(ctx, AdvisoryLoad{Source: which, Arg: arg})
		for _, s := range sums {
			rec.Rows += int64(s.Records)
			rec.Findings += int64(s.FindingsNew + s.FindingsUpdated)
		}
		return err
	case source.KindEPSS:
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sum, err := a.LoadEPSS(ctx, f, rec.Name)
		rec.Rows, rec.Findings = int64(sum.Records), int64(sum.Findings)
		return err
	case source.KindDir, source.KindShadowserver, source.KindMaildir:
		sums, err := a.IngestFeeds(ctx, path, FeedOptions{Type: "auto", TLP: mark})
		for _, s := range sums {
			rec.Rows += s.Rows
			rec.Findings += s.FindingsNew + s.FindingsUpdated
		}
		return err
	}
	return errs.FieldKeyed("kind", string(kind), "source.nopath", "no ingest path")
}

// SourceAlert is one missing-feed alert raised.
type SourceAlert struct {
	Source string `json:"source"`
	Reason string `json:"reason"`
	Notice int64  `json:"notice_id"`
}

// SourceAlerts raises the missing-feed alerts due at now: a source that
// expects data and produced none for longer than its AlertAfter, or that
// failed sources.max_failures runs in a row, gets exactly one alert (on
// the call list, and e-mailed to sources.alert_to through the outbox)
// until data arrives again. The sweep job calls it.
func (a *App) SourceAlerts(ctx context.Context) ([]SourceAlert, error) {
	srcs, err := a.st.SourceList(ctx)
	if err != nil {
		return nil, err
	}
	now := a.now()
	maxFail := a.cfg.Sources.MaxFailures
	if maxFail <= 0 {
		maxFail = source.DefaultMaxFailures
	}
	var out []SourceAlert
	for _, s := range srcs {
		if s.Alerted != nil || s.Paused {
			continue
		}
		var reason string
		switch {
		case s.Failures >= maxFail:
			reason = fmt.Sprintf("its last %d runs failed; the last error: %s", s.Failures, s.LastError)
		case s.Silent(now):
			since := "it was added"
			if s.LastData != nil {
				since = "its last data at " + s.LastData.Format(time.RFC3339)
			}
			reason = fmt.Sprintf("no new data for more than %s since %s (data is expected every %s)", s.AlertAfter, since, s.Expect)
		default:
			continue
		}
		m := notify.Message{Subject: fmt.Sprintf("vigil: source %s needs attention", s.Name),
			Text: fmt.Sprintf("The %s source %q needs attention: %s.\n\nSee `vigil source show %s`.\n", s.Kind, s.Name, reason, s.Name)}
		id, err := a.st.SourceAlertRaise(ctx, s.ID, now, "source "+s.Name+": "+reason, a.cfg.Sources.AlertTo, m)
		if err != nil {
			return out, err
		}
		if id != 0 {
			a.log.Warn("source alert", "source", s.Name, "reason", reason)
			out = append(out, SourceAlert{Source: s.Name, Reason: reason, Notice: id})
		}
	}
	return out, nil
}

// SourceAge is how long ago a source last succeeded (/metrics).
type SourceAge struct {
	Name, Kind string
	// Seconds since the last success; since the source was added when it
	// never succeeded.
	Seconds float64
}

// SourceAges returns every source's age of its last success.
func (a *App) SourceAges(ctx context.Context) ([]SourceAge, error) {
	srcs, err := a.st.SourceList(ctx)
	if err != nil {
		return nil, err
	}
	now := a.now()
	out := make([]SourceAge, 0, len(srcs))
	for _, s := range srcs {
		since := s.Created
		if s.LastSuccess != nil {
			since = *s.LastSuccess
		}
		out = append(out, SourceAge{Name: s.Name, Kind: string(s.Kind), Seconds: now.Sub(since).Seconds()})
	}
	return out, nil
}

// unzipJSON extracts the .json members of the zip archive at path (an OSV
// ecosystem's all.zip) into a new directory beside it, flat, and returns
// the directory. A member larger than 16 MiB, or more than 1 GiB in all,
// is refused.
func unzipJSON(path string) (string, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return "", errs.FieldKeyed("file", filepath.Base(path), "zip.invalid", "not a zip archive: %s", err.Error())
	}
	defer zr.Close()
	dir := strings.TrimSuffix(path, filepath.Ext(path)) + ".d"
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", fmt.Errorf("unzip: %w", err)
	}
	var total int64
	for i, f := range zr.File {
		if !strings.HasSuffix(strings.ToLower(f.Name), ".json") || f.FileInfo().IsDir() {
			continue
		}
		if f.UncompressedSize64 > 16<<20 || total > 1<<30 {
			os.RemoveAll(dir)
			return "", errs.FieldKeyed("file", f.Name, "file.toolarge", "too large")
		}
		rc, err := f.Open()
		if err != nil {
			os.RemoveAll(dir)
			return "", errs.Field("file", f.Name, err.Error())
		}
		b, err := io.ReadAll(io.LimitReader(rc, 16<<20))
		rc.Close()
		if err != nil {
			os.RemoveAll(dir)
			return "", errs.Field("file", f.Name, err.Error())
		}
		total += int64(len(b))
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%06d-%s", i, filepath.Base(f.Name))), b, 0o600); err != nil {
			os.RemoveAll(dir)
			return "", fmt.Errorf("unzip: %w", err)
		}
	}
	return dir, nil
}
