// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"vigil/internal/advisory"
	"vigil/internal/advisory/csafprovider"
	"vigil/internal/errs"
	"vigil/internal/ingest"
	"vigil/internal/keyset"
	"vigil/internal/netguard"
	"vigil/internal/sbom"
	"vigil/internal/store"
	"vigil/internal/tenant"
	"vigil/internal/text"
	"vigil/internal/vuln"
)

// Batches of the advisory engine: advisories per transaction, EPSS scores
// per call.
const (
	advisoryBatch = 200
	epssBatch     = 5000
)

// vulnEngine returns the matching engine on the store. Labels are
// re-graded after changes when the label key directory exists.
func (a *App) vulnEngine() (*vuln.Engine, error) {
	return vuln.New(vuln.Options{Store: a.st, Regrader: a.regrader(), Logger: a.log, MatchMemory: a.matchMemory()})
}

// matchMemory is the full re-match's memory budget in bytes
// (vuln.Options.MatchMemory) from the setting in MiB; -1 (none) for 0.
func (a *App) matchMemory() int64 {
	if a.cfg.Vuln.MatchMemory <= 0 {
		return -1
	}
	return int64(a.cfg.Vuln.MatchMemory) << 20
}

// regrader re-grades labels through the rating service, or is nil when the
// label key directory does not exist.
func (a *App) regrader() vuln.Regrader {
	if st, err := os.Stat(KeyDir(a.cfg)); err != nil || !st.IsDir() {
		return nil
	}
	return vuln.RegradeFunc(func(ctx context.Context, ids []int64, reason string) error {
		svc, err := a.Rating()
		if err != nil {
			return err
		}
		_, err = svc.Regrade(ctx, ids, reason)
		return err
	})
}

// unit runs fn on one transaction with a matching engine bound to it, so
// that a unit of input (an advisory file, a CSAF document, an EPSS file)
// is stored whole or not at all: a file cut short or corrupt writes
// nothing of itself. Labels of the devices the unit changed are re-graded
// after the commit, never inside it; regradeErr says why that failed.
//
// e is the engine of the source run (App.vulnRun); the unit's engine is a
// copy of it on the transaction. Run checkpoints are the caller's, after
// the unit.
func (a *App) unit(ctx context.Context, e *vuln.Engine, fn func(tx *store.Store, e *vuln.Engine) error) (regradeErr string, err error) {
	type call struct {
		ids    []int64
		reason string
	}
	var calls []call
	rg := a.regrader()
	var collect vuln.Regrader
	if rg != nil {
		collect = vuln.RegradeFunc(func(_ context.Context, ids []int64, reason string) error {
			calls = append(calls, call{ids, reason})
			return nil
		})
	}
	err = a.st.Tx(ctx, func(tx *store.Store) error {
		calls = calls[:0]
		return fn(tx, e.OnStore(tx, collect))
	})
	if err != nil {
		return "", err
	}
	for _, c := range calls {
		if err := rg.Regrade(ctx, c.ids, c.reason); err != nil {
			a.log.Warn("label regrade failed", "devices", len(c.ids), "err", err)
			regradeErr = err.Error()
		}
	}
	return regradeErr, nil
}

// gunzipped returns r decompressed when it starts with the gzip magic, and
// rest, to call after the parser is done: it reads what the parser left
// (a parser stops at the end of its JSON value), so that a stream cut
// short or corrupt fails on its trailer's length and checksum.
func gunzipped(r io.Reader) (_ io.Reader, rest func() error, _ error) {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(2); len(head) < 2 || head[0] != 0x1f || head[1] != 0x8b {
		return br, func() error { return nil }, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, nil, errs.BadInput(fmt.Errorf("gzip: %w", err))
	}
	return zr, func() error {
		if _, err := io.Copy(io.Discard, zr); err != nil {
			return errs.BadInput(fmt.Errorf("gzip: %w", err))
		}
		return nil
	}, nil
}

// storeFailure marks an error of storing what a parser yielded, so that it
// is told apart from the parser's own errors, which are bad input.
type storeFailure struct{ err error }

func (f storeFailure) Error() string { return f.err.Error() }
func (f storeFailure) Unwrap() error { return f.err }

// parseFailure returns a parser's error: the store's own (storeFailure)
// as it is, any other as bad input (errs.BadInput).
func parseFailure(err error) error {
	var sf storeFailure
	if errors.As(err, &sf) {
		return sf.err
	}
	return errs.BadInput(err)
}

// syncedEngine returns the engine after matching new or changed devices
// (in a run of their own).
func (a *App) syncedEngine(ctx context.Context) (*vuln.Engine, error) {
	e, err := a.vulnEngine()
	if err != nil {
		return nil, err
	}
	return e, a.vulnRun(ctx, e, ingest.KindSync, "inventory", func(e *vuln.Engine, _ func() error) error {
		_, err := e.Sync(ctx)
		return err
	})
}

// vulnRun runs fn with an engine whose finding changes belong to a new
// source run of kind (ingest.KindAdvisory, KindRematch or KindSync) named
// source, so that each organisation gets one warning for the whole run;
// fn calls checkpoint after each committed batch. The run ends when fn
// succeeds; a run that failed is composed after the grace period.
func (a *App) vulnRun(ctx context.Context, e *vuln.Engine, kind, source string, fn func(e *vuln.Engine, checkpoint func() error) error) error {
	r := ingest.Run{Kind: kind, Source: source, FeedType: kind, ReportType: vuln.ReportType}
	if err := a.st.RunStart(ctx, &r); err != nil {
		return fmt.Errorf("%s run: %w", kind, err)
	}
	if err := fn(e.InRun(r.ID), func() error { return a.st.RunCheckpoint(ctx, &r) }); err != nil {
		return err
	}
	return a.st.RunFinish(ctx, &r)
}

// parser reads one advisory source.
type parser func(ctx context.Context, r io.Reader, name string, yield func(advisory.Advisory) error) (advisory.Stats, []errs.RowError, error)

// parsers are the advisory sources LoadAdvisories reads.
var parsers = map[advisory.Source]parser{
	advisory.SourceCSAF: advisory.ParseCSAF,
	advisory.SourceKEV:  advisory.ParseKEV,
	advisory.SourceNVD:  advisory.ParseNVD,
	advisory.SourceCVE5: advisory.ParseCVE5,
	advisory.SourceOSV:  advisory.ParseOSV,
}

// AdvisorySummary reports one loaded file (or URL, or provider).
type AdvisorySummary struct {
	File     string          `json:"file"`
	Source   string          `json:"source"`
	Records  int             `json:"records"`
	Rejected int             `json:"rejected"`
	Errors   []errs.RowError `json:"errors,omitempty"`
	Warnings int             `json:"warnings,omitempty"`
	Refused  []string        `json:"refused,omitempty"` // CSAF documents a provider fetch refused
	// Listed and Skipped count a provider's documents and those not newer
	// than Since, the listing time the previous run of this provider ended at.
	Listed  int        `json:"listed,omitempty"`
	Skipped int        `json:"skipped,omitempty"`
	Since   *time.Time `json:"since,omitempty"`
	// Problems are a provider's listings that could not be read (they
	// keep its resume point where it was).
	Problems []string `json:"-"`
	// Failed says why the file was not loaded (it could not be read to
	// its end: nothing of it was stored) or why nothing of it could be
	// used (its records were quarantined).
	Failed string `json:"failed,omitempty"`
	vuln.Result
}

// advisoryLoader feeds parsed advisories to the engine in batches.
type advisoryLoader struct {
	ctx        context.Context
	e          *vuln.Engine
	origin     string
	batch      []advisory.Advisory
	size       int // advisories per batch (default advisoryBatch)
	res        vuln.Result
	checkpoint func() error // after each batch, when set
	// bad are advisories refused for text that cannot be stored (a NUL
	// escaped in the JSON): each is quarantined instead of failing its batch.
	bad []errs.RowError
}

func (l *advisoryLoader) add(adv advisory.Advisory) error {
	if field, reason := text.Find(adv); reason != "" {
		l.bad = append(l.bad, errs.RowError{File: l.origin, Field: field, Reason: reason, Raw: text.Escape(adv.ID)})
		return nil
	}
	l.batch = append(l.batch, adv)
	size := l.size
	if size <= 0 {
		size = advisoryBatch
	}
	if len(l.batch) >= size {
		return l.flush()
	}
	return nil
}

func (l *advisoryLoader) flush() error {
	if len(l.batch) == 0 {
		return nil
	}
	r, err := l.e.Advisories(l.ctx, l.batch, l.origin)
	l.batch = l.batch[:0]
	if err != nil {
		return err
	}
	l.res.Add(r)
	if l.checkpoint != nil {
		return l.checkpoint()
	}
	return nil
}

// AdvisoryFiles expands FILE|DIR: a directory is walked for *.json and
// *.json.gz files, in name order; "-" is standard input.
func AdvisoryFiles(arg string) ([]string, error) {
	return listFiles(arg, func(name string) bool { return strings.HasSuffix(name, ".json") || strings.HasSuffix(name, ".json.gz") }, true)
}

// FeedFiles expands FILE|DIR: the files of a directory (not its
// subdirectories), in name order; "-" is standard input.
func FeedFiles(arg string) ([]string, error) {
	return listFiles(arg, func(string) bool { return true }, false)
}

// listFiles lists arg, or the regular files in it whose names match (in
// its subdirectories too when deep), skipping hidden ones, sorted.
func listFiles(arg string, match func(string) bool, deep bool) ([]string, error) {
	if arg == "-" {
		return []string{"-"}, nil
	}
	st, err := os.Stat(arg)
	if err != nil {
		return nil, errs.Field("file", arg, "cannot read: "+strings.TrimPrefix(err.Error(), "stat "+arg+": "))
	}
	if !st.IsDir() {
		return []string{arg}, nil
	}
	var files []string
	err = filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		n := d.Name()
		if d.IsDir() && p != arg && (!deep || strings.HasPrefix(n, ".")) {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() && !strings.HasPrefix(n, ".") && match(n) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, errs.Field("dir", arg, err.Error())
	}
	sort.Strings(files)
	if len(files) == 0 {
		what := "no files in it"
		if deep {
			what = "no .json files in it"
		}
		return nil, errs.Field("dir", arg, what)
	}
	return files, nil
}

// AdvisoryLoad names what LoadAdvisories reads.
type AdvisoryLoad struct {
	Source advisory.Source
	// Arg is a file, a directory of .json/.json.gz files, "-" for Stdin,
	// or (for KEV) a URL fetched through the guarded client.
	Arg   string
	Stdin io.Reader
	// AllowPrivate lets a URL reach loopback and private addresses.
	AllowPrivate bool
	// Batch is the number of advisories per transaction (default 200).
	Batch int
	// Progress, when set, is called after each committed batch.
	Progress func()
}

// LoadAdvisories loads advisories of one source into the engine, after
// matching new or changed devices: each advisory is stored with a digest
// (loading the same data again changes nothing), new and changed ones are
// matched against the devices and components that share a vendor,
// product, CPE or package, and bad records are quarantined with file and
// line, never stopping the good ones. Each file is one unit (App.unit),
// stored whole or not at all; a file that is bad input is reported in its
// summary (Failed) and the next one goes on; the error then names the
// failed files (errs.Invalid). It returns a summary per file.
func (a *App) LoadAdvisories(ctx context.Context, l AdvisoryLoad) ([]AdvisorySummary, error) {
	parse, ok := parsers[l.Source]
	if !ok {
		return nil, fmt.Errorf("no parser for advisory source %q", l.Source)
	}
	e, err := a.syncedEngine(ctx)
	if err != nil {
		return nil, err
	}
	// The whole load is one source run: an organisation gets one warning
	// for everything it finds, whatever the number of files. Each file is
	// one unit (App.unit), checkpointed after its commit.
	var (
		sums   []AdvisorySummary
		failed []string
		total  int
	)
	err = a.vulnRun(ctx, e, ingest.KindAdvisory, l.Arg, func(e *vuln.Engine, checkpoint func() error) error {
		load := func(r io.Reader, display string) error {
			sum, err := a.loadAdvisories(ctx, e, r, display, l.Source, parse, l.Batch)
			if err != nil {
				// A unit that is bad input is reported and the next goes
				// on; anything else stops the run.
				if errs.CodeOf(err) != errs.Invalid {
					return err
				}
				sum.Failed = errs.Message(err)
			}
			if sum.Failed != "" {
				failed = append(failed, sum.File)
			}
			sums = append(sums, sum)
			if l.Progress != nil {
				l.Progress()
			}
			return checkpoint()
		}
		if IsURL(l.Arg) && l.Source == advisory.SourceKEV {
			c := netguard.New(netguard.Options{AllowPrivate: l.AllowPrivate, MaxBytes: 64 << 20})
			body, _, err := c.Fetch(ctx, l.Arg)
			if err != nil {
				return fmt.Errorf("fetch %s: %w", l.Arg, err)
			}
			total = 1
			return load(bytes.NewReader(body), l.Arg)
		}
		files, err := AdvisoryFiles(l.Arg)
		if err != nil {
			return err
		}
		total = len(files)
		for _, name := range files {
			r, display, closeFile, err := open(name, l.Stdin)
			if err != nil {
				sums = append(sums, AdvisorySummary{File: name, Source: string(l.Source), Failed: errs.Message(err)})
				failed = append(failed, name)
				continue
			}
			err = load(r, display)
			closeFile()
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return sums, err
	}
	return sums, failedUnits("file", failed, total)
}

// open opens name, or stdin for "-", with the name to show.
func open(name string, stdin io.Reader) (io.Reader, string, func(), error) {
	if name == "-" {
		return stdin, "stdin", func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, name, nil, errs.Field("file", name, err.Error())
	}
	return f, name, func() { f.Close() }, nil
}

// loadAdvisories parses r (named display) into the engine, as one unit
// (App.unit): a file that cannot be read to its end writes nothing and
// fails as bad input. A file none of whose records could be used (a CSAF
// document refused) keeps its quarantined records and is reported Failed.
func (a *App) loadAdvisories(ctx context.Context, e *vuln.Engine, r io.Reader, display string, src advisory.Source, parse parser, size int) (AdvisorySummary, error) {
	sum := AdvisorySummary{File: display, Source: string(src)}
	r, rest, err := gunzipped(r)
	if err != nil {
		return sum, fmt.Errorf("%s: %w", display, err)
	}
	sum.RegradeError, err = a.unit(ctx, e, func(tx *store.Store, e *vuln.Engine) error {
		l := &advisoryLoader{ctx: ctx, e: e, origin: display, size: size}
		st, rows, err := parse(ctx, r, display, func(adv advisory.Advisory) error {
			if err := l.add(adv); err != nil {
				return storeFailure{err}
			}
			return nil
		})
		if err == nil {
			err = rest()
		}
		if err != nil {
			return fmt.Errorf("%s: %w", display, parseFailure(err))
		}
		if err := l.flush(); err != nil {
			return fmt.Errorf("%s: %w", display, err)
		}
		rows = append(rows, l.bad...)
		sum.Records, sum.Rejected, sum.Errors, sum.Warnings, sum.Result = st.Records, st.Rejected+len(l.bad), rows, len(st.Warnings), l.res
		return tx.QuarantineAdd(ctx, 0, rows)
	})
	if err != nil {
		return AdvisorySummary{File: display, Source: string(src), Failed: errs.Message(err)}, err
	}
	if sum.Rejected > 0 && sum.Rejected >= sum.Records {
		sum.Failed = fmt.Sprintf("none of its %d records could be used", sum.Rejected)
		if len(sum.Errors) > 0 {
			sum.Failed += " (" + sum.Errors[0].Error() + ")"
		}
	}
	return sum, nil
}

// ProviderOptions tune a CSAF provider fetch.
type ProviderOptions struct {
	// RequireSignature refuses documents without a verified OpenPGP
	// signature (a badly signed or altered one is always refused).
	RequireSignature bool
	// Full lists every document, not only those newer than the last run.
	Full bool
	// AllowPrivate lets the fetches reach loopback and private addresses.
	AllowPrivate bool
}

// providerSinceKey is the setting that keeps a provider's resume point.
func providerSinceKey(url string) string { return "csaf.since " + url }

// LoadCSAFProvider loads a trusted CSAF provider's advisories, given its
// provider-metadata.json URL: its distributions are followed through the
// guarded client, each document's hash and OpenPGP signature checked. A
// provider's run lists only documents newer than where its last complete
// run ended (a refused document is looked at again); a run whose listings
// could not all be read (Problems) keeps the resume point where it was.
func (a *App) LoadCSAFProvider(ctx context.Context, url string, opt ProviderOptions) (AdvisorySummary, error) {
	sum := AdvisorySummary{File: url, Source: string(advisory.SourceCSAF)}
	e, err := a.syncedEngine(ctx)
	if err != nil {
		return sum, err
	}
	sinceKey := providerSinceKey(url)
	var since time.Time
	if v, err := a.st.SettingGet(ctx, sinceKey); err == nil && !opt.Full {
		if since, err = time.Parse(time.RFC3339Nano, v); err != nil {
			return sum, fmt.Errorf("setting %q: %w", sinceKey, err)
		}
		sum.Since = &since
	} else if err != nil && !errors.Is(err, errs.ErrNotFound) {
		return sum, err
	}
	var res csafprovider.Result
	var l *advisoryLoader
	err = a.vulnRun(ctx, e, ingest.KindAdvisory, url, func(e *vuln.Engine, checkpoint func() error) error {
		l = &advisoryLoader{ctx: ctx, e: e, origin: url, checkpoint: checkpoint}
		client := netguard.New(netguard.Options{AllowPrivate: opt.AllowPrivate, MaxBytes: 64 << 20})
		var err error
		res, err = csafprovider.Fetch(ctx, url, csafprovider.Options{Client: client, RequireSignature: opt.RequireSignature, Logger: a.log, Since: since},
			func(d csafprovider.Document) error {
				st, rows, err := advisory.ParseCSAF(ctx, bytes.NewReader(d.Data), d.URL, l.add)
				sum.Records += st.Records
				sum.Rejected += st.Rejected
				sum.Errors = append(sum.Errors, rows...)
				sum.Warnings += len(st.Warnings)
				return err
			})
		if err == nil {
			err = l.flush()
		}
		return err
	})
	if l != nil {
		sum.Errors = append(sum.Errors, l.bad...)
		sum.Records, sum.Rejected = sum.Records-len(l.bad), sum.Rejected+len(l.bad)
	}
	if err == nil {
		err = a.st.QuarantineAdd(ctx, 0, sum.Errors)
	}
	if err != nil {
		return sum, err
	}
	sum.Result = l.res
	sum.Listed, sum.Skipped = res.Listed, res.Skipped
	for _, r := range res.Refused {
		sum.Refused = append(sum.Refused, r.URL+": "+r.Reason)
	}
	for _, p := range res.Problems {
		sum.Problems = append(sum.Problems, fmt.Sprint(p))
	}
	// A listing that could not be read may hide documents: only a run
	// without problems moves the provider's resume point.
	if len(res.Problems) == 0 && !res.Resume.IsZero() && (opt.Full || res.Resume.After(since)) {
		if err := a.st.SettingSet(ctx, sinceKey, res.Resume.UTC().Format(time.RFC3339Nano)); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// LoadCSAF loads CSAF 2.0 advisories from a file, a directory of them or
// stdin ("-"), or from a trusted provider when arg is its
// provider-metadata.json URL (LoadCSAFProvider). Local files carry no
// provider keys, so RequireSignature needs a URL.
func (a *App) LoadCSAF(ctx context.Context, arg string, stdin io.Reader, opt ProviderOptions) ([]AdvisorySummary, error) {
	if !IsURL(arg) {
		if opt.RequireSignature {
			return nil, errs.FieldKeyed("require-signature", arg, "advisory.signature", "signatures are checked against a provider's keys: give the provider-metadata.json URL")
		}
		return a.LoadAdvisories(ctx, AdvisoryLoad{Source: advisory.SourceCSAF, Arg: arg, Stdin: stdin})
	}
	sum, err := a.LoadCSAFProvider(ctx, arg, opt)
	return []AdvisorySummary{sum}, err
}

// EPSSSummary reports a loaded EPSS file.
type EPSSSummary struct {
	File     string          `json:"file"`
	Model    string          `json:"model,omitempty"`
	Records  int             `json:"records"`
	Rejected int             `json:"rejected"`
	Changed  int             `json:"changed"`
	Errors   []errs.RowError `json:"errors,omitempty"`
	Findings int             `json:"findings_updated"`
}

// LoadEPSS loads FIRST EPSS scores (CSV or CSV.gz) from r (named name);
// the findings of CVEs whose score changed show the new one. Bad rows are
// quarantined. The file is one unit (App.unit) of a source run: its
// batches share one transaction, so a file cut short or corrupt writes no
// score and fails as bad input (errs.Invalid).
func (a *App) LoadEPSS(ctx context.Context, r io.Reader, name string) (EPSSSummary, error) {
	sum := EPSSSummary{File: name}
	e, err := a.vulnEngine()
	if err != nil {
		return sum, err
	}
	err = a.vulnRun(ctx, e, ingest.KindAdvisory, name, func(e *vuln.Engine, checkpoint func() error) error {
		_, err := a.unit(ctx, e, func(tx *store.Store, e *vuln.Engine) error {
			var batch []vuln.EPSSScore
			var res vuln.Result
			flush := func() error {
				if len(batch) == 0 {
					return nil
				}
				x, err := e.EPSS(ctx, batch)
				batch = batch[:0]
				res.Add(x)
				return err
			}
			st, rows, err := advisory.ParseEPSS(ctx, r, name, func(cve string, s advisory.EPSS) error {
				batch = append(batch, vuln.EPSSScore{CVE: cve, Score: s.Score, Percentile: s.Percentile, Date: s.Date})
				if len(batch) >= epssBatch {
					if err := flush(); err != nil {
						return storeFailure{err}
					}
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("%s: %w", name, parseFailure(err))
			}
			if err := flush(); err != nil {
				return err
			}
			sum.Model, sum.Records, sum.Rejected, sum.Changed, sum.Errors, sum.Findings = st.Version, st.Records, st.Rejected, res.Changed, rows, res.FindingsUpdated
			return tx.QuarantineAdd(ctx, 0, rows)
		})
		if err != nil {
			return err
		}
		return checkpoint()
	})
	if err != nil {
		return EPSSSummary{File: name}, err
	}
	return sum, nil
}

// SBOMResult reports an SBOM attached to a device.
type SBOMResult struct {
	Device     int64           `json:"device"`
	Format     sbom.Format     `json:"format"`
	Components int             `json:"components"`
	Errors     []errs.RowError `json:"errors,omitempty"`
	vuln.Result
}

// ImportSBOM replaces device id's components with those of the SBOM in r
// (CycloneDX JSON/XML, SPDX 2.3 JSON/tag-value; named name in errors) and
// matches them against the stored advisories; findings of components no
// longer listed are resolved. Components with a malformed purl or CPE are
// kept without it and reported in Errors.
func (a *App) ImportSBOM(ctx context.Context, sc tenant.Scope, id int64, r io.Reader, name string) (SBOMResult, error) {
	out := SBOMResult{Device: id}
	e, err := a.vulnEngine()
	if err != nil {
		return out, err
	}
	if _, err := a.st.DeviceGet(ctx, sc, id); err != nil {
		return out, err
	}
	bom, rows, err := sbom.Parse(ctx, r, name)
	if err != nil {
		if errors.Is(err, sbom.ErrUnknownFormat) { // the portal names the formats in the reader's language
			return out, &errs.Error{Code: errs.Invalid, Message: err.Error(), Key: "sbom.format"}
		}
		return out, &errs.Error{Code: errs.Invalid, Message: err.Error()}
	}
	comps := make([]vuln.Component, 0, len(bom.Components))
	for _, c := range bom.Components {
		comps = append(comps, vuln.Component{Name: c.Name, Group: c.Group, Version: c.Version, PURL: c.PURL, CPE: c.CPE,
			Supplier: c.Supplier, Type: c.Type, BOMRef: c.BOMRef})
	}
	out.Format, out.Components, out.Errors = bom.Format, len(comps), rows
	out.Result, err = e.ImportSBOM(ctx, sc, id, comps)
	return out, err
}

// VulnQuery selects vulnerability findings.
type VulnQuery struct {
	// Scope is whose findings (tenant.Operator() for all).
	Scope    tenant.Scope
	DeviceID int64
	// KEV keeps only CVEs in CISA's Known Exploited Vulnerabilities.
	KEV bool
	// Resolved lists resolved findings instead of open ones.
	Resolved bool
	// Rematch re-matches the whole inventory against every stored
	// advisory first (else only new or changed devices are matched).
	Rematch bool
	Page    keyset.Page
	// Progress, when set, draws the progress of the re-match.
	Progress Progress
}

// VulnRow is one vulnerable device or component.
type VulnRow struct {
	FindingID int64                `json:"finding_id"`
	OrgID     int64                `json:"org_id"`
	DeviceID  int64                `json:"device_id"`
	Target    string               `json:"target"`
	Subject   string               `json:"subject"`
	Component string               `json:"component,omitempty"`
	CVE       string               `json:"cve"`
	Severity  string               `json:"severity"`
	Trigger   string               `json:"trigger"`
	Status    string               `json:"status"`
	FirstSeen string               `json:"first_seen"`
	Evidence  vuln.FindingEvidence `json:"evidence"`
}

// Vulns lists vulnerability findings (type "vulnerable") with their
// evidence: CVE, severity, KEV due date, EPSS, fixed version, the best
// match's confidence and the advisories.
func (a *App) Vulns(ctx context.Context, q VulnQuery) ([]VulnRow, error) {
	e, err := vuln.New(vuln.Options{Store: a.st, Regrader: a.regrader(), Logger: a.log, Progress: q.Progress, MatchMemory: a.matchMemory()})
	if err != nil {
		return nil, err
	}
	kind := ingest.KindSync
	if q.Rematch {
		kind = ingest.KindRematch
	}
	err = a.vulnRun(ctx, e, kind, "inventory", func(e *vuln.Engine, _ func() error) error {
		if q.Rematch {
			_, err := e.MatchAll(ctx, true)
			return err
		}
		_, err := e.Sync(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	f := vuln.FindingFilter{DeviceID: q.DeviceID, KEV: q.KEV, Page: q.Page}
	if q.Resolved {
		f.Status = "resolved"
	}
	fs, err := a.st.VulnFindingList(ctx, q.Scope, f)
	if err != nil {
		return nil, err
	}
	rows := make([]VulnRow, 0, len(fs))
	for _, x := range fs {
		r := VulnRow{FindingID: x.ID, OrgID: x.OrgID, DeviceID: x.DeviceID, CVE: x.CVE, Severity: x.Severity.String(), Trigger: x.Trigger,
			Status: string(x.Status), FirstSeen: x.FirstSeen.Format("2006-01-02")}
		_ = json.Unmarshal(x.Evidence, &r.Evidence)
		r.Target, r.Subject, r.Component = r.Evidence.Target, r.Evidence.Subject, r.Evidence.Component
		rows = append(rows, r)
	}
	return rows, nil
}
