// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
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

	"github.com/spf13/cobra"

	"vigil/internal/advisory"
	"vigil/internal/advisory/csafprovider"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/netguard"
	"vigil/internal/sbom"
	"vigil/internal/store"
	"vigil/internal/tenant"
	"vigil/internal/vuln"
)

// advisoryBatch is how many advisories one engine transaction takes.
const advisoryBatch = 200

// vulnEngine opens the store and returns the matching engine. Labels are
// re-graded after changes when a label key directory exists.
func (a *cmdline) vulnEngine(ctx context.Context) (*vuln.Engine, *store.Store, error) {
	s, err := a.store(ctx)
	if err != nil {
		return nil, nil, err
	}
	var rg vuln.Regrader
	if st, err := os.Stat(a.keyDir()); err == nil && st.IsDir() {
		rg = vuln.RegradeFunc(func(ctx context.Context, ids []int64, reason string) error {
			svc, err := a.rating(ctx)
			if err != nil {
				return err
			}
			_, err = svc.Regrade(ctx, ids, reason)
			return err
		})
	}
	e, err := vuln.New(vuln.Options{Store: vuln.FromStore(s), Regrader: rg, Logger: a.log})
	return e, s, err
}

// ingestVulnCmds are the advisory subcommands of "vigil ingest".
func (a *cmdline) ingestVulnCmds() []*cobra.Command {
	return []*cobra.Command{
		a.ingestCSAFCmd(),
		a.ingestAdvisoryCmd("kev FILE|URL", "Load the CISA Known Exploited Vulnerabilities catalog (JSON)", advisory.SourceKEV, advisory.ParseKEV, true),
		a.ingestAdvisoryCmd("nvd FILE|DIR", "Load NVD CVE API 2.0 records or feed files (JSON, gzip too)", advisory.SourceNVD, advisory.ParseNVD, false),
		a.ingestAdvisoryCmd("cve5 FILE|DIR", "Load CVE JSON 5.x records (cvelistV5, with ADP containers such as CISA vulnrichment)", advisory.SourceCVE5, advisory.ParseCVE5, false),
		a.ingestAdvisoryCmd("osv FILE|DIR", "Load OSV records (one object or an array per file)", advisory.SourceOSV, advisory.ParseOSV, false),
		a.ingestEPSSCmd(),
	}
}

type parseFunc func(ctx context.Context, r io.Reader, name string, yield func(advisory.Advisory) error) (advisory.Stats, []errs.RowError, error)

// advisorySummary reports one loaded file.
type advisorySummary struct {
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
	vuln.Result
}

// advisoryLoader feeds parsed advisories to the engine in batches.
type advisoryLoader struct {
	ctx    context.Context
	e      *vuln.Engine
	origin string
	batch  []advisory.Advisory
	res    vuln.Result
}

func (l *advisoryLoader) add(adv advisory.Advisory) error {
	l.batch = append(l.batch, adv)
	if len(l.batch) >= advisoryBatch {
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
	return nil
}

// advisoryFiles expands FILE|DIR: a directory is walked for *.json and
// *.json.gz files, in name order.
func advisoryFiles(arg string) ([]string, error) {
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
		if d.IsDir() && strings.HasPrefix(n, ".") && p != arg {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() && (strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".json.gz")) && !strings.HasPrefix(n, ".") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, errs.Field("dir", arg, err.Error())
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, errs.Field("dir", arg, "no .json files in it")
	}
	return files, nil
}

// loadAdvisoryFile parses one file (or stdin) into the engine.
func (a *cmdline) loadAdvisoryFile(ctx context.Context, e *vuln.Engine, name string, src advisory.Source, parse parseFunc) (advisorySummary, error) {
	if name == "-" {
		return a.loadAdvisories(ctx, e, a.stdin, "stdin", src, parse)
	}
	f, err := os.Open(name)
	if err != nil {
		return advisorySummary{File: name, Source: string(src)}, errs.Field("file", name, err.Error())
	}
	defer f.Close()
	return a.loadAdvisories(ctx, e, f, name, src, parse)
}

// loadAdvisories parses r (named display) into the engine.
func (a *cmdline) loadAdvisories(ctx context.Context, e *vuln.Engine, r io.Reader, display string, src advisory.Source, parse parseFunc) (advisorySummary, error) {
	sum := advisorySummary{File: display, Source: string(src)}
	l := &advisoryLoader{ctx: ctx, e: e, origin: display}
	st, rows, err := parse(ctx, r, display, l.add)
	if err == nil {
		err = l.flush()
	}
	sum.Records, sum.Rejected, sum.Errors, sum.Warnings, sum.Result = st.Records, st.Rejected, rows, len(st.Warnings), l.res
	if err != nil {
		return sum, fmt.Errorf("%s: %w", display, err)
	}
	return sum, a.quarantine(ctx, rows)
}

// quarantine keeps refused records for "vigil quarantine list".
func (a *cmdline) quarantine(ctx context.Context, rows []errs.RowError) error {
	if len(rows) == 0 {
		return nil
	}
	s, err := a.store(ctx)
	if err != nil {
		return err
	}
	return s.QuarantineAdd(ctx, 0, rows)
}

// fetchURL downloads one document through the guarded client.
func fetchURL(ctx context.Context, url string, allowPrivate bool) ([]byte, error) {
	c := netguard.New(netguard.Options{AllowPrivate: allowPrivate, MaxBytes: 64 << 20})
	body, _, err := c.Fetch(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", url, err)
	}
	return body, nil
}

func (a *cmdline) ingestAdvisoryCmd(use, short string, src advisory.Source, parse parseFunc, urlOK bool) *cobra.Command {
	var allowPrivate bool
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long: short + `.
Each advisory is stored with a digest: loading the same data again changes nothing. New and changed
advisories are matched against the devices and SBOM components that share a vendor, product, CPE or
package with them; findings of type "vulnerable" are filed per (device or component, CVE), grouped
under a trigger per advisory (or per KEV entry for known exploited vulnerabilities). Bad records are
reported with file and line and never stop the good ones.`,
		Args: usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			e, _, err := a.vulnEngine(ctx)
			if err != nil {
				return err
			}
			if _, err := e.Sync(ctx); err != nil {
				return err
			}
			var sums []advisorySummary
			if urlOK && isURL(args[0]) {
				body, err := fetchURL(ctx, args[0], allowPrivate)
				if err != nil {
					return err
				}
				sum, err := a.loadAdvisories(ctx, e, bytes.NewReader(body), args[0], src, parse)
				if err != nil {
					return err
				}
				sums = append(sums, sum)
			} else {
				files, err := advisoryFiles(args[0])
				if err != nil {
					return err
				}
				for _, f := range files {
					sum, err := a.loadAdvisoryFile(ctx, e, f, src, parse)
					if err != nil {
						return err
					}
					sums = append(sums, sum)
				}
			}
			return a.printAdvisorySummaries(sums)
		},
	}
	if urlOK {
		cmd.Flags().BoolVar(&allowPrivate, "allow-private", false, "allow fetching from private or loopback addresses (tests)")
	}
	return cmd
}

func (a *cmdline) printAdvisorySummaries(sums []advisorySummary) error {
	for _, s := range sums {
		for _, re := range s.Errors {
			fmt.Fprintf(a.stderr, "%s\n", re.Error())
		}
	}
	if a.asJSON {
		if len(sums) == 1 {
			return a.printJSON(sums[0])
		}
		return a.printJSON(sums)
	}
	var tot vuln.Result
	for _, s := range sums {
		tot.Add(s.Result)
		fmt.Fprintf(a.stdout, "%s: %d records, %d rejected; advisories %d new, %d changed, %d unchanged; %d targets checked; findings %d new, %d updated, %d resolved\n",
			s.File, s.Records, s.Rejected, s.New, s.Changed, s.Unchanged, s.Targets, s.FindingsNew, s.FindingsUpdated, s.FindingsResolved)
		for _, r := range s.Refused {
			fmt.Fprintf(a.stdout, "  refused %s\n", r)
		}
		if s.RegradeError != "" {
			fmt.Fprintf(a.stdout, "  label regrade failed: %s\n", s.RegradeError)
		}
	}
	if len(sums) > 1 {
		fmt.Fprintf(a.stdout, "total: %d files; advisories %d new, %d changed, %d unchanged; findings %d new, %d updated, %d resolved\n",
			len(sums), tot.New, tot.Changed, tot.Unchanged, tot.FindingsNew, tot.FindingsUpdated, tot.FindingsResolved)
	}
	return nil
}

func (a *cmdline) ingestCSAFCmd() *cobra.Command {
	var requireSig, allowPrivate, full bool
	cmd := &cobra.Command{
		Use:   "csaf FILE|DIR|URL",
		Short: "Load CSAF 2.0 advisories from files, a directory or a trusted provider (provider-metadata.json URL)",
		Long: `Load CSAF 2.0 advisories. A URL names a provider's provider-metadata.json: its distributions
(directory listings with changes.csv/index.txt, ROLIE feeds) are followed through the guarded HTTP
client, each document's .sha512/.sha256 is checked and its OpenPGP signature verified against the
provider's public keys. With --require-signature unsigned or unverifiable documents are refused; a
badly signed or altered document is always refused. Local files carry no provider keys, so
--require-signature needs a URL. A provider's next run lists only documents newer than where its
last complete run ended (a refused document is looked at again); --full lists them all.`,
		Args: usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if requireSig && !isURL(args[0]) {
				return errs.Field("require-signature", args[0], "signatures are checked against a provider's keys: give the provider-metadata.json URL")
			}
			e, _, err := a.vulnEngine(ctx)
			if err != nil {
				return err
			}
			if _, err := e.Sync(ctx); err != nil {
				return err
			}
			if !isURL(args[0]) {
				files, err := advisoryFiles(args[0])
				if err != nil {
					return err
				}
				var sums []advisorySummary
				for _, f := range files {
					sum, err := a.loadAdvisoryFile(ctx, e, f, advisory.SourceCSAF, advisory.ParseCSAF)
					if err != nil {
						return err
					}
					sums = append(sums, sum)
				}
				return a.printAdvisorySummaries(sums)
			}
			sum := advisorySummary{File: args[0], Source: string(advisory.SourceCSAF)}
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			// Each provider resumes after the listing time its last run ended at.
			sinceKey := "csaf.since " + args[0]
			var since time.Time
			if v, err := s.SettingGet(ctx, sinceKey); err == nil && !full {
				if since, err = time.Parse(time.RFC3339Nano, v); err != nil {
					return fmt.Errorf("setting %q: %w", sinceKey, err)
				}
				sum.Since = &since
			} else if err != nil && !errors.Is(err, errs.ErrNotFound) {
				return err
			}
			l := &advisoryLoader{ctx: ctx, e: e, origin: args[0]}
			client := netguard.New(netguard.Options{AllowPrivate: allowPrivate, MaxBytes: 64 << 20})
			res, err := csafprovider.Fetch(ctx, args[0], csafprovider.Options{Client: client, RequireSignature: requireSig, Logger: a.log, Since: since},
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
			if err == nil {
				err = a.quarantine(ctx, sum.Errors)
			}
			if err != nil {
				return err
			}
			sum.Result = l.res
			sum.Listed, sum.Skipped = res.Listed, res.Skipped
			for _, r := range res.Refused {
				sum.Refused = append(sum.Refused, r.URL+": "+r.Reason)
			}
			for _, p := range res.Problems {
				fmt.Fprintln(a.stderr, "provider:", p)
			}
			// A listing that could not be read may hide documents: only a
			// run without problems moves the provider's resume point.
			if len(res.Problems) == 0 && !res.Resume.IsZero() && (full || res.Resume.After(since)) {
				if err := s.SettingSet(ctx, sinceKey, res.Resume.UTC().Format(time.RFC3339Nano)); err != nil {
					return err
				}
			}
			return a.printAdvisorySummaries([]advisorySummary{sum})
		},
	}
	cmd.Flags().BoolVar(&requireSig, "require-signature", false, "refuse documents without a verified OpenPGP signature (provider URL only)")
	cmd.Flags().BoolVar(&full, "full", false, "list every document of the provider, not only those newer than the last run")
	cmd.Flags().BoolVar(&allowPrivate, "allow-private", false, "allow fetching from private or loopback addresses (tests)")
	return cmd
}

func (a *cmdline) ingestEPSSCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "epss FILE",
		Short: "Load FIRST EPSS scores (CSV or CSV.gz); the findings of changed CVEs show the new score",
		Args:  usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			e, _, err := a.vulnEngine(ctx)
			if err != nil {
				return err
			}
			var r io.Reader = a.stdin
			name := "stdin"
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return errs.Field("file", args[0], err.Error())
				}
				defer f.Close()
				r, name = f, args[0]
			}
			var batch []store.VulnEPSS
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
				batch = append(batch, store.VulnEPSS{CVE: cve, Score: s.Score, Percentile: s.Percentile, Date: s.Date})
				if len(batch) >= 5000 {
					return flush()
				}
				return nil
			})
			if err == nil {
				err = flush()
			}
			if err != nil {
				return err
			}
			for _, re := range rows {
				fmt.Fprintln(a.stderr, re.Error())
			}
			if err := a.quarantine(ctx, rows); err != nil {
				return err
			}
			sum := struct {
				File     string          `json:"file"`
				Model    string          `json:"model,omitempty"`
				Records  int             `json:"records"`
				Rejected int             `json:"rejected"`
				Changed  int             `json:"changed"`
				Errors   []errs.RowError `json:"errors,omitempty"`
				Findings int             `json:"findings_updated"`
			}{name, st.Version, st.Records, st.Rejected, res.Changed, rows, res.FindingsUpdated}
			if a.asJSON {
				return a.printJSON(sum)
			}
			_, err = fmt.Fprintf(a.stdout, "%s: %d scores (model %s), %d rejected, %d changed; %d findings updated\n",
				name, st.Records, st.Version, st.Rejected, res.Changed, res.FindingsUpdated)
			return err
		},
	}
}

// deviceSBOMCmd is "vigil device sbom DEVICE FILE".
func (a *cmdline) deviceSBOMCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "sbom DEVICE FILE",
		Short: "Attach an SBOM (CycloneDX JSON/XML, SPDX 2.3 JSON/tag-value) to a device and match its components",
		Long: `Replace the device's components with those of the SBOM (name, version, purl, CPE, supplier) and
match them against the stored advisories; findings of components no longer listed are resolved.
Components with a malformed purl or CPE are kept without it and reported with file and line.`,
		Args: usageArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			id, err := parseID("device", args[0])
			if err != nil {
				return err
			}
			e, s, err := a.vulnEngine(ctx)
			if err != nil {
				return err
			}
			if _, err := s.DeviceGet(ctx, tenant.Operator(), id); err != nil {
				return err
			}
			f, err := os.Open(args[1])
			if err != nil {
				return errs.Field("file", args[1], err.Error())
			}
			defer f.Close()
			bom, rows, err := sbom.Parse(ctx, f, args[1])
			if err != nil {
				return &errs.Error{Code: errs.Invalid, Message: err.Error()}
			}
			comps := make([]store.VulnComponent, 0, len(bom.Components))
			for _, c := range bom.Components {
				comps = append(comps, store.VulnComponent{Name: c.Name, Group: c.Group, Version: c.Version, PURL: c.PURL, CPE: c.CPE,
					Supplier: c.Supplier, Type: c.Type, BOMRef: c.BOMRef})
			}
			res, err := e.ImportSBOM(ctx, id, comps)
			if err != nil {
				return err
			}
			for _, re := range rows {
				fmt.Fprintln(a.stderr, re.Error())
			}
			if a.asJSON {
				return a.printJSON(struct {
					Device     int64           `json:"device"`
					Format     sbom.Format     `json:"format"`
					Components int             `json:"components"`
					Errors     []errs.RowError `json:"errors,omitempty"`
					vuln.Result
				}{id, bom.Format, len(comps), rows, res})
			}
			_, err = fmt.Fprintf(a.stdout, "device %d: %d components (%s, %d problems); %d matches; findings %d new, %d updated, %d resolved\n",
				id, len(comps), bom.Format, len(rows), res.Matches, res.FindingsNew, res.FindingsUpdated, res.FindingsResolved)
			return err
		},
	}
}

// vulnRow is one line of "vigil vulns".
type vulnRow struct {
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

func (a *cmdline) vulnsCmd() *cobra.Command {
	var org string
	var device int64
	var kev, rematch, resolved bool
	var page keyset.Page
	cmd := &cobra.Command{
		Use:   "vulns",
		Short: "List vulnerable devices and components (findings of type \"vulnerable\")",
		Long: `List open vulnerability findings: device or component, CVE, severity (from CVSS; at least high when
known exploited), KEV due date and ransomware use, EPSS, fixed version, the confidence of the best
match and the advisories. New or changed devices are matched first. --rematch re-matches the whole
inventory against every stored advisory.`,
		Args: usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			e, s, err := a.vulnEngine(ctx)
			if err != nil {
				return err
			}
			if rematch {
				if _, err := e.MatchAll(ctx, true); err != nil {
					return err
				}
			} else if _, err := e.Sync(ctx); err != nil {
				return err
			}
			f := store.VulnFindingFilter{DeviceID: device, KEV: kev, Page: page}
			if resolved {
				f.Status = "resolved"
			}
			sc, err := a.orgScope(ctx, s, org)
			if err != nil {
				return err
			}
			fs, err := s.VulnFindingList(ctx, sc, f)
			if err != nil {
				return err
			}
			rows := make([]vulnRow, 0, len(fs))
			for _, x := range fs {
				r := vulnRow{FindingID: x.ID, OrgID: x.OrgID, DeviceID: x.DeviceID, CVE: x.CVE, Severity: x.Severity.String(), Trigger: x.Trigger,
					Status: string(x.Status), FirstSeen: x.FirstSeen.Format("2006-01-02")}
				_ = json.Unmarshal(x.Evidence, &r.Evidence)
				r.Target, r.Subject, r.Component = r.Evidence.Target, r.Evidence.Subject, r.Evidence.Component
				rows = append(rows, r)
			}
			if a.asJSON {
				return a.printJSON(rows)
			}
			w := a.table()
			fmt.Fprintln(w, "ID\tORG\tDEVICE\tSUBJECT\tCVE\tSEVERITY\tKEV DUE\tEPSS\tFIXED\tCONF\tTRIGGER")
			for _, r := range rows {
				due, epss := "-", "-"
				if k := r.Evidence.KEV; k != nil {
					due = k.DueDate.Format("2006-01-02")
					if k.DueDate.IsZero() {
						due = "yes"
					}
					if k.RansomwareUse {
						due += " (ransomware)"
					}
				}
				if p := r.Evidence.EPSS; p != nil {
					epss = fmt.Sprintf("%.3f", p.Score)
				}
				fixed := r.Evidence.Fixed
				if fixed == "" {
					fixed = "-"
				}
				fmt.Fprintf(w, "%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%s\n", r.FindingID, r.OrgID, r.DeviceID, truncate(r.Subject, 48), r.CVE,
					r.Severity, due, epss, fixed, r.Evidence.Confidence, r.Trigger)
			}
			return w.Flush()
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&org, "org", "", "only this organisation (id or name)")
	fl.Int64Var(&device, "device", 0, "only this device")
	fl.BoolVar(&kev, "kev", false, "only vulnerabilities in CISA's Known Exploited Vulnerabilities catalog")
	fl.BoolVar(&resolved, "resolved", false, "list resolved findings instead of open ones")
	fl.BoolVar(&rematch, "rematch", false, "re-match the whole inventory first")
	pageFlags(cmd, &page)
	return cmd
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
