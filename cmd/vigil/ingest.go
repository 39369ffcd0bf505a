// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"vigil/internal/app"
	"vigil/internal/clikit"
	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/ingest"
	"vigil/internal/keyset"
	"vigil/internal/store"
	"vigil/internal/tenant"
	"vigil/internal/text"
)

func (a *cmdline) ingestCmd() *cobra.Command {
	return group("ingest", "Load threat feeds and vulnerability data", append([]*cobra.Command{a.ingestFeedCmd(), a.ingestASNCmd()}, a.ingestVulnCmds()...)...)
}

func (a *cmdline) ingestFeedCmd() *cobra.Command {
	var opt app.FeedOptions
	cmd := a.command("feed FILE|DIR|-", "Ingest a Shadowserver report, CSV, blocklist or leaked-credential list (gzip too)", 1, func(ctx context.Context, x *app.App, args []string) error {
		opt.Stdin = a.stdin
		opt.Progress = clikit.Progress(ctx, a.stderr, true, a.asJSON)
		if !a.asJSON {
			opt.Done = func(sum ingest.Summary) {
				if sum.Failed != "" || sum.Skipped != "" {
					fmt.Fprintf(a.stdout, "%s: %s\n", sum.Source, app.FeedNote(sum))
					return
				}
				if sum.Resumed {
					fmt.Fprintf(a.stdout, "%s: resumed at line %d (an earlier run stopped there)\n", sum.Source, sum.ResumedAt)
				}
				fmt.Fprintf(a.stdout, "%s: %s (%s) trigger %q: %s, %d matched, %d unmatched, %d quarantined; findings %d new, %d updated, %d resolved (%.2fs)\n",
					sum.Source, sum.ReportType, sum.Format, sum.Trigger, text.Plural(sum.Rows, "row", "rows"), sum.Matched, sum.Unmatched, sum.Quarantined,
					sum.FindingsNew, sum.FindingsUpdated, sum.FindingsResolved, sum.Seconds)
				for _, w := range sum.Warnings {
					fmt.Fprintf(a.stdout, "  warning: %s\n", w)
				}
				if sum.ResolveSkipped != "" {
					fmt.Fprintf(a.stdout, "  not resolving unseen findings: %s\n", sum.ResolveSkipped)
				}
			}
		}
		sums, err := x.IngestFeeds(ctx, args[0], opt)
		if a.asJSON && len(sums) > 0 {
			if perr := a.printJSON(one(sums)); perr != nil {
				return perr
			}
		}
		return err
	})
	cmd.Long = `Stream a feed, match its rows to registered organisations and fold them into findings.
Bad rows are quarantined ("vigil quarantine list") and counted; they never stop the good rows.
A DIR ingests every file in it, in name order. A run stopped half-way resumes when the same file
is ingested again. Findings of the trigger that a full report no longer lists are resolved
(--partial for feeds that are not complete daily reports).`
	f := cmd.Flags()
	f.StringVar(&opt.Type, "type", "auto", "auto, shadowserver, csv, blocklist or credentials")
	f.StringVar(&opt.Trigger, "trigger", "", "campaign name the findings belong to (default: the report type)")
	f.StringVar(&opt.ReportType, "report-type", "", "force the report type (default: from the file name or header)")
	f.StringVar(&opt.Mapping, "mapping", "", "YAML column mapping for generic CSV files")
	f.BoolVar(&opt.Again, "again", false, "ingest a file whose content (SHA-256) was ingested completely before; without it, it is skipped")
	f.BoolVar(&opt.Partial, "partial", false, "the feed is not a full report: do not resolve findings it does not list")
	f.BoolVar(&opt.NotifyUnregistered, "notify-unregistered", false, "warn owners of unregistered addresses found through security.txt or RDAP (sets it on the trigger)")
	f.IntVar(&opt.UnregisteredMax, "unregistered-max", 200, "at most this many unregistered addresses looked up per file (the most severe first)")
	f.BoolVar(&opt.AllowPrivate, "allow-private", false, "let security.txt and RDAP lookups reach private addresses (labs and tests)")
	f.Var(&opt.TLP, "tlp", "TLP 2.0 marking the feed arrived under: TLP:CLEAR, TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT or TLP:RED (TLP:WHITE is read as TLP:CLEAR)")
	return cmd
}

func (a *cmdline) ingestASNCmd() *cobra.Command {
	cmd := a.command("asn FILE", "Load an IP-to-AS table (CAIDA pfx2as or ip2asn TSV, gzip too) used to enrich feed rows", 1, func(ctx context.Context, x *app.App, args []string) error {
		sum, err := x.IngestASN(ctx, args[0])
		return a.show(sum, err, func() error {
			a.rowErrors(sum.Errors)
			return a.printf("%s: %d prefixes from %d lines (%d bad lines quarantined, %d unrouted ranges)\n", sum.File, sum.Prefixes, sum.Lines, sum.Bad, sum.Unrouted)
		})
	})
	cmd.Long = `Load an IP-to-AS table. Feed rows without an AS number get the announcing AS from it, so
organisations registered by ASN match, and findings show the announcing AS. The newest table
replaces the previous one. Bad lines are reported with their line numbers.`
	return cmd
}

func (a *cmdline) findingsCmd() *cobra.Command {
	var f finding.Filter
	var org, status string
	cmd := a.command("findings", "List findings (per organisation, trigger, status)", 0, func(ctx context.Context, x *app.App, _ []string) error {
		sc, err := x.OrgScope(ctx, org)
		if err != nil {
			return err
		}
		switch finding.Status(status) {
		case "", finding.Open, finding.Resolved:
			f.Status = finding.Status(status)
		default:
			return errs.Field("status", status, "must be open or resolved")
		}
		org := x.OrgNamer(ctx)
		a.total = func() (int, error) { return x.Store().FindingCount(ctx, sc, f) }
		return pages(a, &f.Page, func() ([]finding.Finding, error) { return x.Store().FindingList(ctx, sc, f) }, func(x finding.Finding) int64 { return x.ID }, "ID\tORG\tTRIGGER\tTYPE\tKEY\tSEVERITY\tSTATUS\tSEEN\tLAST SEEN", "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", func(x finding.Finding) []any {
			return []any{x.ID, org(x.OrgID), x.Trigger, x.Type, x.Key, x.Severity, x.Status, x.Count, x.LastSeen.Format(time.DateTime)}
		})
	})
	fl := cmd.Flags()
	fl.StringVar(&org, "org", "", "only this organisation (id or name)")
	fl.StringVar(&f.Trigger, "trigger", "", "only this trigger")
	fl.StringVar(&status, "status", "", "open or resolved")
	fl.StringVar(&f.Type, "type", "", "only this finding type")
	fl.BoolVar(&f.OnlyTies, "ties", false, "only findings whose IP matched identical ranges of two organisations")
	a.pageFlags(cmd, &f.Page)
	return cmd
}

func (a *cmdline) triggersCmd() *cobra.Command {
	return a.command("triggers", "List triggers (campaigns) with organisations, findings and observations", 0, func(ctx context.Context, x *app.App, _ []string) error {
		ts, err := x.Store().TriggerStats(ctx, tenant.Operator())
		return list(a, ts, err, "TRIGGER\tKIND\tORGANISATIONS\tFINDINGS\tOPEN\tOBSERVATIONS", "%s\t%s\t%d\t%d\t%d\t%d\n", func(t finding.TriggerStats) []any {
			return []any{t.Name, t.Kind, t.Organisations, t.Findings, t.Open, t.Observations}
		})
	})
}

func (a *cmdline) quarantineCmd() *cobra.Command {
	var p keyset.Page
	ls := a.command("list", "List quarantined rows with file, line and reason", 0, func(ctx context.Context, x *app.App, _ []string) error {
		return pages(a, &p, func() ([]store.QuarantinedRow, error) { return x.Store().QuarantineList(ctx, p) }, func(q store.QuarantinedRow) int64 { return q.ID }, "ID\tRUN\tWHERE\tREASON", "%d\t%d\t%s:%d\t%s\n", func(q store.QuarantinedRow) []any {
			reason := q.Reason
			if q.Field != "" {
				reason = q.Field + ": " + reason
			}
			return []any{q.ID, q.RunID, q.File, q.Line, reason}
		})
	})
	a.pageFlags(ls, &p)
	return group("quarantine", "Inspect input rows that were refused", ls)
}
