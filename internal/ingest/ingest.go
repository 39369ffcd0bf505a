// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package ingest runs a threat feed through vigil: it streams the feed's
// observations, attributes each to the registered organisations (longest
// matching IP range, then the announcing AS, then the host name's
// registrable domain), folds them into findings in batched transactions and
// quarantines the rows it cannot read.
//
// Each batch commits its findings, its quarantined rows and a checkpoint
// together, so a crash loses nothing and a new ingest of the same file
// resumes after the last committed line.
package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"

	"vigil/internal/errs"
	"vigil/internal/feed"
	"vigil/internal/finding"
	"vigil/internal/match/domain"
	"vigil/internal/match/ipindex"
	"vigil/internal/registry"
	"vigil/internal/tenant"
	"vigil/internal/tlp"
)

// Store is the storage ingest needs. AssetAll reads every organisation's
// assets (the feed is matched against all of them, in the operator's
// scope); the rest is the run's bookkeeping and the write path.
type Store interface {
	AssetAll(ctx context.Context, sc tenant.Scope, kind registry.AssetKind) ([]registry.Asset, error)
	TriggerEnsure(ctx context.Context, t finding.Trigger) (int64, error)
	// RunUnfinished returns the latest run of the source with this
	// content hash that never finished, or errs.NotFound.
	RunUnfinished(ctx context.Context, sha256 string) (Run, error)
	RunStart(ctx context.Context, r *Run) error
	// RunResumeOrStart sets r to the latest unfinished run of the content
	// r.SourceSHA256 and reports how it found it (RunResumed; RunLiveSplit, set to a split
	// run of the content under way; RunComplete, set to the run that
	// ingested the content completely), or starts r (RunStarted), in
	// one step: two ingests of one file at once start one run, and one
	// that ends just before the other starts is not ingested again.
	RunResumeOrStart(ctx context.Context, r *Run, c RunClaim) (RunFound, error)
	// RunCheckpoint records progress inside the transaction that
	// committed the rows up to r.CommittedLine.
	RunCheckpoint(ctx context.Context, r *Run) error
	// RunCheckpointFrom is RunCheckpoint for a run whose resume point is
	// still from and that has not ended; else it fails with errs.Conflict
	// (another ingest of the same file resumed the run and got further)
	// and the transaction must not commit.
	RunCheckpointFrom(ctx context.Context, r *Run, from int64) error
	// RunMarkStopped marks an unfinished run whose ingest ended with an
	// error: the same content handed in again resumes it at once.
	RunMarkStopped(ctx context.Context, id int64) error
	RunFinish(ctx context.Context, r *Run) error
	FindingUpsert(ctx context.Context, runID int64, batch []finding.Sighting) (created, updated int, err error)
	FindingResolveUnseen(ctx context.Context, triggerID int64, reportType string, runID int64) (int64, error)
	QuarantineAdd(ctx context.Context, runID int64, bad []errs.RowError) error
	// Now is the store's clock.
	Now() time.Time
	// IngestTx runs fn in one transaction, with a Store bound to it.
	IngestTx(ctx context.Context, fn func(tx Store) error) error
}

// The kinds of source run. Every batch of findings belongs to a run, and
// notice composition makes one warning per organisation and run once the
// run has ended.
const (
	KindFeed     = "feed"     // a feed file (Feed)
	KindAdvisory = "advisory" // an advisory file, URL or provider loaded
	KindRematch  = "rematch"  // the inventory matched again (all advisories)
	KindSync     = "sync"     // new or changed devices matched
)

// Run is one ingestion of one source.
type Run struct {
	ID int64 `json:"id"`
	// Kind is KindFeed (the default), KindAdvisory, KindRematch or KindSync.
	Kind       string `json:"kind,omitempty"`
	Source     string `json:"source"`
	FeedType   string `json:"feed_type"`
	ReportType string `json:"report_type"`
	TriggerID  int64  `json:"trigger_id"`
	FullReport bool   `json:"full_report"`
	// TLP is the marking the run's data arrived under.
	TLP          tlp.Marking `json:"tlp,omitempty"`
	SourceSHA256 string      `json:"source_sha256,omitempty"`
	// Header is the source's column names as a JSON array (CSV feeds);
	// findings keep their evidence as the row's values under it.
	Header           string    `json:"-"`
	CommittedLine    int64     `json:"committed_line"`
	StartedAt        time.Time `json:"started_at"`
	Rows             int64     `json:"rows"`
	Matched          int64     `json:"matched"`
	Unmatched        int64     `json:"unmatched"`
	Quarantined      int64     `json:"quarantined"`
	FindingsNew      int64     `json:"findings_new"`
	FindingsUpdated  int64     `json:"findings_updated"`
	FindingsResolved int64     `json:"findings_resolved"`
}

// ASNLookup maps an address to the AS announcing it (an IP-to-AS table).
type ASNLookup interface {
	Lookup(addr netip.Addr) (asn uint32, prefix netip.Prefix, ok bool)
}

// Index attributes addresses and host names to organisations. Build it
// with BuildIndex.
type Index struct {
	ip  *ipindex.Index
	dom *domain.Index
}

// AssetLister is the storage BuildIndex needs.
type AssetLister interface {
	AssetAll(ctx context.Context, sc tenant.Scope, kind registry.AssetKind) ([]registry.Asset, error)
	OrgApprovals(ctx context.Context, sc tenant.Scope) ([]registry.Approval, error)
}

// BuildIndex indexes every registered IP range, ASN and domain of every
// organisation, except an unproven one a member registered through
// self-service (registry.Asset.DrawsFindings), whether its organisation is
// pending or approved, and the unproven ones of an organisation pending
// approval: anyone may sign up and register, so a range, AS number or
// domain claimed but not proven must not draw another firm's findings (the
// most specific range wins). An organisation
// an analyst rejected draws nothing, proven or not, until it is approved.
func BuildIndex(ctx context.Context, s AssetLister) (*Index, error) {
	as, err := s.AssetAll(ctx, tenant.Operator(), "")
	if err != nil {
		return nil, err
	}
	ps, err := s.OrgApprovals(ctx, tenant.Operator())
	if err != nil {
		return nil, err
	}
	waiting := make(map[int64]registry.ApprovalState, len(ps))
	for _, p := range ps {
		waiting[p.OrgID] = p.State
	}
	entries := make([]ipindex.Entry, 0, len(as))
	var doms []domain.Entry
	for _, a := range as {
		if !a.DrawsFindings() {
			continue
		}
		switch waiting[a.OrgID] {
		case registry.Rejected:
			continue
		case registry.Pending:
			if !a.Verified() {
				continue
			}
		}
		switch a.Kind {
		case registry.KindDomain:
			doms = append(doms, domain.Entry{Domain: a.Value, OrgID: a.OrgID})
		case registry.KindCIDR:
			p, err := netip.ParsePrefix(a.Value)
			if err != nil {
				return nil, fmt.Errorf("asset %d: %w", a.ID, err)
			}
			entries = append(entries, ipindex.Entry{Prefix: p, OrgID: a.OrgID})
		case registry.KindASN:
			n, err := registry.ParseASN(a.Value)
			if err != nil {
				return nil, fmt.Errorf("asset %d: %w", a.ID, err)
			}
			entries = append(entries, ipindex.Entry{ASN: n, OrgID: a.OrgID})
		}
	}
	ix, err := ipindex.Build(entries)
	if err != nil {
		return nil, err
	}
	dx, err := domain.Build(doms)
	if err != nil {
		return nil, err
	}
	return &Index{ip: ix, dom: dx}, nil
}

// Options configure one ingest.
type Options struct {
	// Name is the source's name (file name); it names rows in errors and
	// gives Shadowserver's report type.
	Name string
	// Format forces the feed format (default: detected).
	Format feed.Format
	// Trigger names the campaign the findings belong to (default: the
	// report type).
	Trigger string
	// ReportType forces the report type.
	ReportType string
	// Mapping maps a generic CSV's columns.
	Mapping *feed.Mapping
	// CredentialSalt keys the hash of leaked passwords.
	CredentialSalt []byte
	// ASN, when set, supplies the announcing AS for rows without one.
	ASN ASNLookup
	// FullReport says the feed lists everything currently seen for its
	// report type, so findings of the trigger not in it are resolved.
	FullReport bool
	// SHA256 is the hex SHA-256 of the whole source, for resuming after a
	// crash; empty disables resuming (standard input).
	SHA256 string
	// RunGrace is how long an unfinished split run of the content may go
	// without progress (its start, a part's batch) and still be taken as
	// being ingested (notify.run_grace): the same content handed in
	// meanwhile is skipped naming that run (Summary.Skipped). An
	// unfinished unsplit run is always resumed. 0: no split run is looked
	// for.
	RunGrace time.Duration
	// Again ingests content that was ingested completely before, or that
	// a split run is ingesting, in a run of its own beside that run (which
	// counts its sightings twice); an unfinished run is still resumed. Without it
	// content ingested completely is skipped naming the run that did
	// (decided with the look for a run to resume, in one step).
	Again bool
	// BatchSize is the number of rows per transaction (default 10,000).
	BatchSize int
	// Progress is called after each committed batch with the rows read.
	Progress func(rows int64)
	// NotifyUnregistered marks the trigger as allowing warnings to owners
	// of addresses no organisation registered.
	NotifyUnregistered bool
	// Unmatched, when set, receives a sighting (organisation 0) for each
	// row with an address that no organisation registered, so that its
	// owner can be warned through security.txt or RDAP.
	Unmatched func(finding.Sighting)
	// TLP is the marking the feed arrived under: the run records it and
	// every sighting carries it (a finding keeps the most restrictive
	// marking of its sightings).
	TLP tlp.Marking
	// Observe, when set, sees every readable row (with the feed's header),
	// on the reader's goroutine, before Feed returns: the fleet aggregates
	// of the whole-system rating count rows whether or not an
	// organisation registered the address. A resumed ingest does not show
	// it the rows an earlier attempt committed.
	Observe func(o *feed.Observation, header []string)
	// Ended, when set, runs in the transaction that ends the run (its last
	// batch, after the end is recorded) with the run as it ends, so that
	// what the caller records of the run (its audit entry) is kept or lost
	// with the end. A run that fails is not ended and not shown to it.
	Ended func(ctx context.Context, tx Store, r Run) error
}

// RunClaim is what RunResumeOrStart decides by besides the content.
type RunClaim struct {
	// Grace: an unfinished split run that made progress (its start, a
	// part's batch) within it is still being ingested (Options.RunGrace;
	// 0: no split run is looked for).
	Grace time.Duration
	// Again starts a run of content ingested completely, or beside a split
	// run still being ingested (Options.Again).
	Again bool
}

// RunFound is how RunResumeOrStart found the content.
type RunFound int

const (
	// RunStarted: no unfinished run of the content to resume; a run was
	// started.
	RunStarted RunFound = iota
	// RunResumed: an unfinished run of the content is resumed after its
	// last committed batch.
	RunResumed
	// RunLiveSplit: a split run of the content is under way (progress
	// within RunClaim.Grace; not RunClaim.Again): the run set is that
	// one, and nothing was started or resumed.
	RunLiveSplit
	// RunComplete: the content was ingested completely before (and not
	// RunClaim.Again); the run set is the latest that did. Nothing was
	// started.
	RunComplete
)

// Summary reports an ingest, in the shape of `vigil ingest feed --json`.
type Summary struct {
	Source     string `json:"source"`
	Format     string `json:"format"`
	ReportType string `json:"report_type"`
	Trigger    string `json:"trigger"`
	RunID      int64  `json:"run_id"`
	// TLP is the marking the feed arrived under.
	TLP     tlp.Marking `json:"tlp,omitempty"`
	Resumed bool        `json:"resumed,omitempty"`
	// ResumedAt is the line a resumed run went on from.
	ResumedAt int64 `json:"resumed_at_line,omitempty"`
	// Parts is the number of parts a split file is ingested in (jobs any
	// node may claim); the counters come when the run ends.
	Parts int `json:"parts,omitempty"`
	// Skipped says why the file was not read (already ingested
	// completely).
	Skipped          string `json:"skipped,omitempty"`
	Rows             int64  `json:"rows"`
	Matched          int64  `json:"matched"`
	Unmatched        int64  `json:"unmatched"`
	Quarantined      int64  `json:"quarantined"`
	Ties             int64  `json:"ties"`
	FindingsNew      int64  `json:"findings_new"`
	FindingsUpdated  int64  `json:"findings_updated"`
	FindingsResolved int64  `json:"findings_resolved"`
	// ResolveSkipped says why a full report did not resolve unseen
	// findings (a file that is mostly bad rows is not evidence of repair).
	ResolveSkipped string `json:"resolve_skipped,omitempty"`
	// Unregistered counts, per outcome ("created", "no_contact", …), the
	// warnings to owners of unregistered addresses (--notify-unregistered).
	Unregistered map[string]int `json:"unregistered,omitempty"`
	Seconds      float64        `json:"seconds"`
	// Warnings are what was noticed about the file as a whole (its name
	// and its header naming different report types).
	Warnings []string `json:"warnings,omitempty"`
	// Failed says why the file could not be ingested to its end (a
	// truncated or corrupt file): what it committed before stays, nothing
	// was resolved.
	Failed string `json:"failed,omitempty"`
}

// Feed ingests one feed from r into s, attributing rows with ix.
func Feed(ctx context.Context, s Store, ix *Index, r io.Reader, opts Options) (Summary, error) {
	start := time.Now()
	if opts.BatchSize <= 0 {
		opts.BatchSize = 10000
	}
	rd, err := feed.NewReader(ctx, r, feed.Options{
		Name: opts.Name, Format: opts.Format, ReportType: opts.ReportType, Mapping: opts.Mapping,
		CredentialSalt: opts.CredentialSalt, Now: s.Now,
	})
	if err != nil {
		return Summary{Source: opts.Name, Failed: errs.Message(err)}, err
	}
	sum := Summary{Source: opts.Name, Format: string(rd.Format()), ReportType: rd.ReportType(), Trigger: opts.Trigger, Warnings: rd.Warnings(), TLP: opts.TLP}
	if sum.Trigger == "" {
		sum.Trigger = rd.ReportType()
	}
	trigID, err := s.TriggerEnsure(ctx, finding.Trigger{Name: sum.Trigger, Kind: "feed", NotifyUnregistered: opts.NotifyUnregistered})
	if err != nil {
		return sum, err
	}
	run := Run{Source: opts.Name, FeedType: sum.Format, ReportType: sum.ReportType, TriggerID: trigID,
		FullReport: opts.FullReport, SourceSHA256: opts.SHA256, Header: headerJSON(rd.Header()), TLP: opts.TLP}
	if opts.SHA256 != "" {
		found, err := s.RunResumeOrStart(ctx, &run, RunClaim{Grace: opts.RunGrace, Again: opts.Again})
		if err != nil {
			return sum, err
		}
		switch found {
		case RunLiveSplit:
			sum.RunID = run.ID
			sum.Skipped = fmt.Sprintf("the same content is being ingested as %s (run %d, started %s, in parts the nodes work): skipped; --again to ingest it beside that run, which counts its sightings twice",
				run.Source, run.ID, run.StartedAt.UTC().Format(time.DateTime))
			return sum, nil
		case RunComplete:
			rows := "rows"
			if run.Rows == 1 {
				rows = "row"
			}
			sum.RunID = run.ID
			sum.Skipped = fmt.Sprintf("the same content was ingested completely on %s as %s (run %d, %d %s): skipped; --again to ingest it again",
				run.StartedAt.UTC().Format(time.DateTime), run.Source, run.ID, run.Rows, rows)
			return sum, nil
		case RunResumed:
			sum.Resumed, sum.ResumedAt = true, run.CommittedLine+1
		}
	} else if err := s.RunStart(ctx, &run); err != nil {
		return sum, err
	}
	sum.RunID = run.ID

	// The run ends in the transaction of its last batch: a full report
	// resolves the findings it no longer lists, and the end is recorded, so
	// that notice composition sees the whole run ended or none of it.
	finish := func(tx Store, r *Run) error {
		skipped, resolve := resolveRule(r)
		sum.ResolveSkipped = skipped
		if resolve {
			n, err := tx.FindingResolveUnseen(ctx, trigID, sum.ReportType, r.ID)
			if err != nil {
				return err
			}
			r.FindingsResolved = n
		}
		if err := tx.RunFinish(ctx, r); err != nil {
			return err
		}
		if opts.Ended != nil {
			return opts.Ended(ctx, tx, *r)
		}
		return nil
	}
	// run keeps the last committed state until a batch commits: the same
	// file handed in while this ingest goes resumes the run too, and of
	// two ingests of the run only the first to commit a batch from a
	// resume point counts it.
	checkpoint := func(tx Store, r *Run) error { return tx.RunCheckpointFrom(ctx, r, run.CommittedLine) }
	pctx, stop := context.WithCancel(ctx)
	err = write(ctx, s, &run, &sum, produce(pctx, rd, ix, trigID, run.CommittedLine, 0, opts), stop, checkpoint, finish, opts)
	stop()
	if err != nil {
		// A file cut short or corrupt keeps the batches it committed (a
		// later run of the same file resumes after them) but resolves
		// nothing: it is not a complete report.
		sum.Rows, sum.Matched, sum.Unmatched, sum.Quarantined = run.Rows, run.Matched, run.Unmatched, run.Quarantined
		sum.FindingsNew, sum.FindingsUpdated = run.FindingsNew, run.FindingsUpdated
		sum.Failed = errs.Message(err)
		// This ingest no longer goes on: the same content handed in again
		// resumes the run at once rather than being skipped as still being
		// ingested. Not when another ingest resumed the run and committed
		// first (the conflict): that one goes on. Should the mark fail, the
		// run counts as stopped once notify.run_grace has passed, as
		// after a crash.
		if opts.SHA256 != "" && errs.CodeOf(err) != errs.Conflict {
			mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			_ = s.RunMarkStopped(mctx, run.ID)
			cancel()
		}
		return sum, err
	}
	sum.Rows, sum.Matched, sum.Unmatched, sum.Quarantined = run.Rows, run.Matched, run.Unmatched, run.Quarantined
	sum.FindingsNew, sum.FindingsUpdated, sum.FindingsResolved = run.FindingsNew, run.FindingsUpdated, run.FindingsResolved
	sum.Seconds = time.Since(start).Seconds()
	return sum, nil
}

// batch is what one transaction commits: the sightings and quarantined
// rows read up to lastLine, with the run's counters at that point.
type batch struct {
	sightings []finding.Sighting
	bad       []errs.RowError
	lastLine  int64
	counts    counts
	err       error // a read error that ends the feed; the batch is not committed
	last      bool  // the end of the feed: the run ends with this batch
}

// counts are the run's row counters.
type counts struct {
	rows, matched, unmatched, quarantined, ties int64
}

// produce reads and attributes rows on its own goroutine, so that parsing
// and matching the next batch overlaps with committing the last one. It
// sends full batches and closes the channel at the end of the feed or when
// ctx is done. shift is added to the reader's line numbers (a part of a
// split file counts lines from its copy of the header); rows up to line
// skip (after the shift) were committed by an earlier attempt.
func produce(ctx context.Context, rd *feed.Reader, ix *Index, trigID, skip, shift int64, opts Options) <-chan *batch {
	out := make(chan *batch, 1)
	go func() {
		defer close(out)
		header := rd.Header()
		var c counts
		b := &batch{sightings: make([]finding.Sighting, 0, opts.BatchSize)}
		send := func() bool {
			b.counts = c
			select {
			case out <- b:
			case <-ctx.Done():
				return false
			}
			b = &batch{sightings: make([]finding.Sighting, 0, opts.BatchSize), lastLine: b.lastLine}
			return true
		}
		pending := 0
		for o, err := range rd.All() {
			if err != nil {
				var re *errs.RowError
				if !errors.As(err, &re) {
					b.err = fmt.Errorf("ingest %s: %w", opts.Name, err)
					send()
					return
				}
				re.Line += int(shift)
				if int64(re.Line) <= skip {
					continue
				}
				b.lastLine = int64(re.Line)
				c.rows++
				c.quarantined++
				b.bad = append(b.bad, *re)
			} else {
				o.Line += int(shift)
				if int64(o.Line) <= skip {
					continue
				}
				b.lastLine = int64(o.Line)
				c.rows++
				if opts.Observe != nil {
					opts.Observe(o, header)
				}
				from := len(b.sightings)
				n := ix.attribute(o, opts.ASN, trigID, header, &b.sightings)
				for i := from; i < len(b.sightings); i++ {
					b.sightings[i].TLP = opts.TLP
				}
				switch {
				case n == 0:
					c.unmatched++
					if opts.Unmatched != nil && o.IP.IsValid() {
						opts.Unmatched(finding.Sighting{TriggerID: trigID, Type: firstNonEmpty(o.Classification.Type, o.ReportType),
							ReportType: o.ReportType, Key: finding.KeyFor(o.IP, o.Port), IP: o.IP, Port: o.Port, ASN: o.ASN,
							Hostname: firstNonEmpty(o.Hostname, o.FQDN), Severity: o.Severity, Class: o.Classification.Taxonomy,
							Time: o.Time, Evidence: evidenceObject(o, header), CVE: firstCVE(o.CVEs), TLP: opts.TLP})
					}
				case n > 1:
					c.matched++
					c.ties++
				default:
					c.matched++
				}
			}
			if pending++; pending >= opts.BatchSize {
				if !send() {
					return
				}
				pending = 0
			}
		}
		b.last = true
		send()
	}()
	return out
}

// write commits the batches from in, each with a checkpoint of the run
// (or of a part: checkpoint records it), and records the counters in run
// and sum; finish ends the run (or the part) in the transaction of the last
// batch. On an error it stops the producer and
// waits for it to end.
func write(ctx context.Context, s Store, run *Run, sum *Summary, in <-chan *batch, stop func(), checkpoint, finish func(tx Store, r *Run) error, opts Options) error {
	base := counts{run.Rows, run.Matched, run.Unmatched, run.Quarantined, 0}
	defer func() {
		stop()
		for range in {
		}
	}()
	for b := range in {
		if b.err != nil {
			// The rows read since the last checkpoint came from a stream
			// that then failed (a truncated or corrupt file): they are
			// not committed, and a later run resumes at the checkpoint.
			return b.err
		}
		err := s.IngestTx(ctx, func(tx Store) error {
			c, u, err := tx.FindingUpsert(ctx, run.ID, b.sightings)
			if err != nil {
				return err
			}
			if err := tx.QuarantineAdd(ctx, run.ID, b.bad); err != nil {
				return err
			}
			r := *run
			r.Rows, r.Matched, r.Unmatched, r.Quarantined = base.rows+b.counts.rows, base.matched+b.counts.matched,
				base.unmatched+b.counts.unmatched, base.quarantined+b.counts.quarantined
			r.FindingsNew += int64(c)
			r.FindingsUpdated += int64(u)
			r.CommittedLine = max(r.CommittedLine, b.lastLine)
			if err := checkpoint(tx, &r); err != nil {
				return err
			}
			if b.last && b.err == nil {
				if err := finish(tx, &r); err != nil {
					return err
				}
			}
			*run = r
			return nil
		})
		if err != nil {
			return fmt.Errorf("ingest %s: batch ending at line %d: %w", opts.Name, b.lastLine, err)
		}
		sum.Ties = b.counts.ties
		if opts.Progress != nil {
			opts.Progress(run.Rows)
		}
	}
	return ctx.Err()
}

// attribute appends a sighting per organisation o belongs to and returns how
// many there were.
func (ix *Index) attribute(o *feed.Observation, asnTable ASNLookup, trigID int64, header []string, out *[]finding.Sighting) int {
	ip := o.IP
	if !ip.IsValid() && o.Network.IsValid() {
		ip = o.Network.Addr()
	}
	asn := o.ASN
	var orgs []int64
	var tie bool
	if ip.IsValid() {
		if asn == 0 && asnTable != nil {
			asn, _, _ = asnTable.Lookup(ip)
		}
		if m, ok := ix.ip.LookupASN(ip, asn); ok {
			orgs, tie = m.Orgs, m.Tie()
		}
	}
	if orgs == nil {
		// No registered range or AS: the host name, URL or e-mail address
		// may fall under a registered domain.
		for _, h := range [...]string{o.FQDN, o.Hostname, o.URL, o.Email} {
			if h == "" {
				continue
			}
			if m, ok := ix.dom.Lookup(h); ok {
				orgs, tie = m.Orgs, m.Tie()
				break
			}
		}
	}
	if orgs == nil {
		return 0
	}
	typ := o.Classification.Type
	if typ == "" {
		typ = o.ReportType
	}
	var key string
	switch {
	case o.Network.IsValid() && o.Network.Bits() < o.Network.Addr().BitLen():
		key = o.Network.String()
	case ip.IsValid():
		key = finding.KeyFor(ip, o.Port)
	default:
		key = firstNonEmpty(o.URL, o.FQDN, o.Hostname, o.Email)
	}
	ev := evidence(o, header)
	for _, org := range orgs {
		*out = append(*out, finding.Sighting{
			OrgID: org, TriggerID: trigID, Type: typ, ReportType: o.ReportType, Key: key,
			IP: ip, Port: o.Port, ASN: asn, Hostname: firstNonEmpty(o.Hostname, o.FQDN), Severity: o.Severity,
			Class: o.Classification.Taxonomy, Time: o.Time, Tie: tie, Evidence: ev, CVE: firstCVE(o.CVEs),
		})
	}
	return len(orgs)
}

// headerJSON returns the column names as a JSON array, or "" when there
// are none (line formats).
func headerJSON(header []string) string {
	if len(header) == 0 {
		return ""
	}
	return string(finding.EvidenceArray(header))
}

// evidence returns the row as kept with a finding: a JSON array of its
// values, named by the run's header (readers zip the two, see
// finding.ExpandEvidence), or {"line","raw"} for line formats.
func evidence(o *feed.Observation, header []string) json.RawMessage {
	if len(o.Fields) == 0 || len(o.Fields) != len(header) {
		return finding.EvidenceLine(o.Line, o.Raw)
	}
	return finding.EvidenceArray(o.Fields)
}

// evidenceObject returns the row as a JSON object of column → value (empty
// columns left out, header order), for sightings kept without a run.
func evidenceObject(o *feed.Observation, header []string) json.RawMessage {
	if len(o.Fields) == 0 || len(o.Fields) != len(header) {
		return finding.EvidenceLine(o.Line, o.Raw)
	}
	return finding.EvidenceObject(header, o.Fields)
}

func firstCVE(cves []string) string {
	if len(cves) == 0 {
		return ""
	}
	return cves[0]
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// HashFile returns the hex SHA-256 of r's content.
func HashFile(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
