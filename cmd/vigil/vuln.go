// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"cmp"
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"vigil/internal/advisory"
	"vigil/internal/app"
	"vigil/internal/clikit"
	"vigil/internal/match/vendor"
	"vigil/internal/tenant"
	"vigil/internal/text"
)

// ingestVulnCmds are the advisory subcommands of "vigil ingest".
func (a *cmdline) ingestVulnCmds() []*cobra.Command {
	return []*cobra.Command{
		a.ingestCSAFCmd(),
		a.ingestAdvisoryCmd("kev FILE|URL", "Load the CISA Known Exploited Vulnerabilities catalog (JSON)", advisory.SourceKEV, true),
		a.ingestAdvisoryCmd("nvd FILE|DIR", "Load NVD CVE API 2.0 records or feed files (JSON, gzip too)", advisory.SourceNVD, false),
		a.ingestAdvisoryCmd("cve5 FILE|DIR", "Load CVE JSON 5.x records (cvelistV5, with ADP containers such as CISA vulnrichment)", advisory.SourceCVE5, false),
		a.ingestAdvisoryCmd("osv FILE|DIR", "Load OSV records (one object or an array per file)", advisory.SourceOSV, false),
		a.ingestEPSSCmd(),
	}
}

func (a *cmdline) ingestAdvisoryCmd(use, short string, src advisory.Source, urlOK bool) *cobra.Command {
	var allowPrivate bool
	cmd := a.command(use, short, 1, func(ctx context.Context, x *app.App, args []string) error {
		sums, err := x.LoadAdvisories(ctx, app.AdvisoryLoad{Source: src, Arg: args[0], Stdin: a.stdin, AllowPrivate: allowPrivate})
		return a.printAdvisorySummaries(sums, err)
	})
	cmd.Long = short + `.
Each advisory is stored with a digest: loading the same data again changes nothing. New and changed
advisories are matched against the devices and SBOM components that share a vendor, product, CPE or
package with them; findings of type "vulnerable" are filed per (device or component, CVE), grouped
under a trigger per advisory (or per KEV entry for known exploited vulnerabilities). Bad records are
reported with file and line and never stop the good ones.`
	if urlOK {
		cmd.Flags().BoolVar(&allowPrivate, "allow-private", false, "allow fetching from private or loopback addresses (tests)")
	}
	return cmd
}

// printAdvisorySummaries prints what was loaded, the failed files too, and
// returns err (which names the failed files).
func (a *cmdline) printAdvisorySummaries(sums []app.AdvisorySummary, err error) error {
	if len(sums) == 0 {
		return err
	}
	for _, s := range sums {
		a.rowErrors(s.Errors)
	}
	if a.asJSON {
		return cmp.Or(a.printJSON(one(sums)), err)
	}
	return cmp.Or(app.WriteAdvisoryText(a.stdout, sums), err)
}

func (a *cmdline) ingestCSAFCmd() *cobra.Command {
	var opt app.ProviderOptions
	cmd := a.command("csaf FILE|DIR|URL", "Load CSAF 2.0 advisories from files, a directory or a trusted provider (provider-metadata.json URL)", 1, func(ctx context.Context, x *app.App, args []string) error {
		sums, err := x.LoadCSAF(ctx, args[0], a.stdin, opt)
		if len(sums) == 1 {
			for _, p := range sums[0].Problems {
				fmt.Fprintln(a.stderr, "provider:", p)
			}
		}
		return a.printAdvisorySummaries(sums, err)
	})
	cmd.Long = `Load CSAF 2.0 advisories. A URL names a provider's provider-metadata.json: its distributions
(directory listings with changes.csv/index.txt, ROLIE feeds) are followed through the guarded HTTP
client, each document's .sha512/.sha256 is checked and its OpenPGP signature verified against the
provider's public keys. With --require-signature unsigned or unverifiable documents are refused; a
badly signed or altered document is always refused. Local files carry no provider keys, so
--require-signature needs a URL. A provider's next run lists only documents newer than where its
last complete run ended (a refused document is looked at again); --full lists them all.`
	cmd.Flags().BoolVar(&opt.RequireSignature, "require-signature", false, "refuse documents without a verified OpenPGP signature (provider URL only)")
	cmd.Flags().BoolVar(&opt.Full, "full", false, "list every document of the provider, not only those newer than the last run")
	cmd.Flags().BoolVar(&opt.AllowPrivate, "allow-private", false, "allow fetching from private or loopback addresses (tests)")
	return cmd
}

func (a *cmdline) ingestEPSSCmd() *cobra.Command {
	return a.command("epss FILE", "Load FIRST EPSS scores (CSV or CSV.gz); the findings of changed CVEs show the new score", 1, func(ctx context.Context, x *app.App, args []string) error {
		r, name, done, err := a.input(args[0])
		if err != nil {
			return err
		}
		defer done()
		sum, err := x.LoadEPSS(ctx, r, name)
		if err == nil {
			a.rowErrors(sum.Errors)
		}
		return a.show(sum, err, func() error {
			return a.printf("%s: %d scores (model %s), %d rejected, %d changed; %d findings updated\n", name, sum.Records, sum.Model, sum.Rejected, sum.Changed, sum.Findings)
		})
	})
}

func (a *cmdline) deviceSBOMCmd() *cobra.Command {
	cmd := a.command("sbom DEVICE FILE", "Attach an SBOM (CycloneDX JSON/XML, SPDX 2.3 JSON/tag-value) to a device and match its components", 2,
		func(ctx context.Context, x *app.App, args []string) error {
			id, err := parseID("device", args[0])
			if err != nil {
				return err
			}
			r, _, done, err := a.input(args[1])
			if err != nil {
				return err
			}
			defer done()
			res, err := x.ImportSBOM(ctx, tenant.Operator(), id, r, args[1])
			if err == nil {
				a.rowErrors(res.Errors)
			}
			return a.show(res, err, func() error {
				return a.printf("device %d: %d components (%s, %d problems); %d matches; findings %d new, %d updated, %d resolved\n",
					id, res.Components, res.Format, len(res.Errors), res.Matches, res.FindingsNew, res.FindingsUpdated, res.FindingsResolved)
			})
		})
	cmd.Long = `Replace the device's components with those of the SBOM (name, version, purl, CPE, supplier) and
match them against the stored advisories; findings of components no longer listed are resolved.
Components with a malformed purl or CPE are kept without it and reported with file and line.`
	return cmd
}

func (a *cmdline) vulnsCmd() *cobra.Command {
	var org string
	var q app.VulnQuery
	cmd := a.command("vulns", "List vulnerable devices and components (findings of type \"vulnerable\")", 0, func(ctx context.Context, x *app.App, _ []string) error {
		var err error
		if q.Scope, err = x.OrgScope(ctx, org); err != nil {
			return err
		}
		q.Progress = clikit.Progress(ctx, a.stderr, false, a.asJSON) // a bar for --rematch on a terminal
		org := x.OrgNamer(ctx)
		return pages(a, &q.Page, func() ([]app.VulnRow, error) {
			vs, err := x.Vulns(ctx, q)
			q.Rematch = false // once, not per page
			return vs, err
		}, func(r app.VulnRow) int64 { return r.FindingID }, "ID\tORG\tDEVICE\tSUBJECT\tCVE\tSEVERITY\tKEV DUE\tEPSS\tFIXED\tCONF\tTRIGGER", "%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%s\n", func(r app.VulnRow) []any {
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
			return []any{r.FindingID, org(r.OrgID), r.DeviceID, text.Fit(r.Subject, 48), r.CVE, r.Severity, due, epss, def(r.Evidence.Fixed, "-"), r.Evidence.Confidence, r.Trigger}
		})
	})
	cmd.Long = `List open vulnerability findings: device or component, CVE, severity (from CVSS; at least high when
known exploited), KEV due date and ransomware use, EPSS, fixed version, the confidence of the best
match and the advisories. New or changed devices are matched first. --rematch re-matches the whole
inventory against every stored advisory.`
	fl := cmd.Flags()
	fl.StringVar(&org, "org", "", "only this organisation (id or name)")
	fl.Int64Var(&q.DeviceID, "device", 0, "only this device")
	fl.BoolVar(&q.KEV, "kev", false, "only vulnerabilities in CISA's Known Exploited Vulnerabilities catalog")
	fl.BoolVar(&q.Resolved, "resolved", false, "list resolved findings instead of open ones")
	fl.BoolVar(&q.Rematch, "rematch", false, "re-match the whole inventory first (with a progress bar on a terminal)")
	a.pageFlags(cmd, &q.Page)
	return cmd
}

func (a *cmdline) csafCmd() *cobra.Command {
	return group("csaf", "Work with CSAF 2.0 documents", a.csafValidateCmd(), a.csafRangesCmd())
}

func (a *cmdline) csafRangesCmd() *cobra.Command {
	return plain("ranges FILE|DIR", "List every distinct product_version_range of CSAF documents with how vigil reads it, or why not", 1, func(ctx context.Context, args []string) error {
		s, err := app.SurveyRanges(ctx, args[0], a.stdin)
		for _, p := range s.Problems {
			fmt.Fprintln(a.stderr, "csaf ranges:", p)
		}
		return a.show(s, err, func() error {
			for _, r := range s.Ranges {
				_ = a.printf("%d\t%q\t%s\n", r.Count, r.Range, r.Interpretation.String())
			}
			return a.printf("%d range branches in %d documents, %d distinct; %d interpreted (%.2f %%)\n", s.Branches, s.Documents, len(s.Ranges), s.Interpreted, 100*s.Share())
		})
	})
}

func (a *cmdline) csafValidateCmd() *cobra.Command {
	var strict bool
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check CSAF 2.0 documents against the JSON schema and the mandatory tests (section 6.1)",
		Long: `Validate CSAF 2.0 documents: the OASIS JSON schema and every mandatory test of section 6.1 of
the standard. Each failure names the test id ("schema", "6.1.1", "6.1.27.9", ...) and the JSON path.
Exits 1 when any document is invalid (or not JSON), 0 when all are valid.`,
		Args: minArgs(1, "needs at least one file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			results, err := app.ValidateCSAFFiles(args, strict)
			if err != nil {
				return err
			}
			err = a.print(results, func() error {
				for _, r := range results {
					if err := r.WriteText(a.stdout); err != nil {
						return err
					}
				}
				return nil
			})
			for _, r := range results {
				if err == nil && !r.Valid {
					return silentError{Code: 1}
				}
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&strict, "strict", false, "use the strict schema variants of the OASIS test suite (no additional properties)")
	return cmd
}

func (a *cmdline) vendorCmd() *cobra.Command {
	var note string
	add := a.command("add ALIAS VENDOR", "Make ALIAS a name of VENDOR for matching (a brand, a former or local name), then re-match everything", 2,
		func(ctx context.Context, x *app.App, args []string) error {
			res, err := x.VendorAliasAdd(ctx, vendor.Alias{Alias: args[0], Vendor: args[1], Note: note})
			return a.show(res, err, func() error {
				return a.printf("%q is now a name of %s; re-matched: findings %d new, %d updated, %d resolved\n", args[0], args[1], res.FindingsNew, res.FindingsUpdated, res.FindingsResolved)
			})
		})
	add.Flags().StringVar(&note, "note", "", "why (shown by vigil vendor list)")
	ls := a.command("list [NAME]", "List vendor aliases with where each came from (only NAME's vendor with NAME)", 0, func(ctx context.Context, x *app.App, args []string) error {
		as, err := x.VendorAliases(ctx, append(args, "")[0])
		return list(a, as, err, "VENDOR\tALIAS\tSOURCE\tNOTE", "%s\t%s\t%s\t%s\n", func(al vendor.Alias) []any { return []any{al.Vendor, al.Alias, al.Source, al.Note} })
	})
	ls.Args = cobra.MaximumNArgs(1)
	return group("vendor", "Vendor names and their aliases, as matching reads them", group("alias", "Operators' vendor aliases", add), ls)
}
