// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"vigil/internal/asn"
	"vigil/internal/errs"
	"vigil/internal/feed"
	"vigil/internal/ingest"
	"vigil/internal/store"
)

func (a *cmdline) ingestCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "ingest", Short: "Load threat feeds and vulnerability data"}
	cmd.AddCommand(a.ingestFeedCmd(), a.ingestASNCmd())
	cmd.AddCommand(a.ingestVulnCmds()...)
	return cmd
}

func (a *cmdline) ingestFeedCmd() *cobra.Command {
	var typ, trigger, reportType, mappingFile string
	var partial, notifyUnreg, allowPrivate bool
	var unregMax int
	cmd := &cobra.Command{
		Use:   "feed FILE|DIR|-",
		Short: "Ingest a Shadowserver report, CSV, blocklist or leaked-credential list (gzip too)",
		Long: `Stream a feed, match its rows to registered organisations and fold them into findings.
Bad rows are quarantined ("vigil quarantine list") and counted; they never stop the good rows.
A DIR ingests every file in it, in name order. A run stopped half-way resumes when the same file
is ingested again. Findings of the trigger that a full report no longer lists are resolved
(--partial for feeds that are not complete daily reports).`,
		Args: usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			format, err := feed.ParseFormat(typ)
			if err != nil {
				return err
			}
			var mapping *feed.Mapping
			if mappingFile != "" {
				f, err := os.Open(mappingFile)
				if err != nil {
					return errs.Field("mapping", mappingFile, err.Error())
				}
				mapping, err = feed.LoadMapping(f)
				f.Close()
				if err != nil {
					return fmt.Errorf("mapping %s: %w", mappingFile, err)
				}
			}
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			salt, err := s.SettingSecret(ctx, "credential_salt")
			if err != nil {
				return err
			}
			ix, err := ingest.BuildIndex(ctx, s)
			if err != nil {
				return err
			}
			asnTable, err := a.currentASNTable(ctx, s)
			if err != nil {
				return err
			}
			files, err := feedFiles(args[0])
			if err != nil {
				return err
			}
			var sums []ingest.Summary
			for _, name := range files {
				opts := ingest.Options{Format: format, Trigger: trigger, ReportType: reportType, Mapping: mapping,
					CredentialSalt: salt, FullReport: !partial, NotifyUnregistered: notifyUnreg}
				unreg := newUnregisteredSet(unregMax)
				if notifyUnreg {
					opts.Unmatched = unreg.add
				}
				if asnTable != nil {
					opts.ASN = asnTable
				}
				sum, err := a.ingestOne(ctx, s, ix, name, opts)
				if err != nil {
					return err
				}
				if notifyUnreg {
					if sum.Unregistered, err = a.warnUnregistered(ctx, s, sum.Trigger, unreg, allowPrivate); err != nil {
						return err
					}
				}
				sums = append(sums, sum)
				if !a.asJSON {
					fmt.Fprintf(a.stdout, "%s: %s (%s) trigger %q: %d rows, %d matched, %d unmatched, %d quarantined; findings %d new, %d updated, %d resolved (%.2fs)\n",
						sum.Source, sum.ReportType, sum.Format, sum.Trigger, sum.Rows, sum.Matched, sum.Unmatched, sum.Quarantined,
						sum.FindingsNew, sum.FindingsUpdated, sum.FindingsResolved, sum.Seconds)
					if sum.ResolveSkipped != "" {
						fmt.Fprintf(a.stdout, "  not resolving unseen findings: %s\n", sum.ResolveSkipped)
					}
				}
			}
			if a.asJSON {
				if len(sums) == 1 {
					return a.printJSON(sums[0])
				}
				return a.printJSON(sums)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&typ, "type", "auto", "auto, shadowserver, csv, blocklist or credentials")
	f.StringVar(&trigger, "trigger", "", "campaign name the findings belong to (default: the report type)")
	f.StringVar(&reportType, "report-type", "", "force the report type (default: from the file name or header)")
	f.StringVar(&mappingFile, "mapping", "", "YAML column mapping for generic CSV files")
	f.BoolVar(&partial, "partial", false, "the feed is not a full report: do not resolve findings it does not list")
	f.BoolVar(&notifyUnreg, "notify-unregistered", false, "warn owners of unregistered addresses found through security.txt or RDAP (sets it on the trigger)")
	f.IntVar(&unregMax, "unregistered-max", 200, "at most this many unregistered addresses looked up per file (the most severe first)")
	f.BoolVar(&allowPrivate, "allow-private", false, "let security.txt and RDAP lookups reach private addresses (labs and tests)")
	return cmd
}

func feedFiles(arg string) ([]string, error) {
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
	entries, err := os.ReadDir(arg)
	if err != nil {
		return nil, errs.Field("dir", arg, err.Error())
	}
	var files []string
	for _, e := range entries {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			files = append(files, filepath.Join(arg, e.Name()))
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, errs.Field("dir", arg, "no files in it")
	}
	return files, nil
}

// ingestOne ingests one file (or standard input), with a progress bar on a
// terminal.
func (a *cmdline) ingestOne(ctx context.Context, s *store.Store, ix *ingest.Index, name string, opts ingest.Options) (ingest.Summary, error) {
	var r io.Reader = a.stdin
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
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return ingest.Summary{}, err
		}
		st, _ := f.Stat()
		size = st.Size()
		r = f
		opts.Name = filepath.Base(name)
	}
	if !a.asJSON && isTerminal(a.stderr) && size > 0 {
		cr := &countingReader{r: r}
		r = cr
		p := mpb.NewWithContext(ctx, mpb.WithOutput(a.stderr), mpb.WithWidth(40))
		bar := p.AddBar(size, mpb.PrependDecorators(decor.Name(opts.Name+" ")),
			mpb.AppendDecorators(decor.CountersKibiByte("% .1f / % .1f"), decor.Name(" "), decor.AverageSpeed(decor.SizeB1024(0), "% .1f")))
		opts.Progress = func(int64) { bar.SetCurrent(cr.n) }
		defer func() {
			bar.SetCurrent(size)
			p.Wait()
		}()
	}
	return ingest.Feed(ctx, s, ix, r, opts)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (a *cmdline) ingestASNCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "asn FILE",
		Short: "Load an IP-to-AS table (CAIDA pfx2as or ip2asn TSV, gzip too) used to enrich feed rows",
		Long: `Load an IP-to-AS table. Feed rows without an AS number get the announcing AS from it, so
organisations registered by ASN match, and findings show the announcing AS. The newest table
replaces the previous one. Bad lines are reported with their line numbers.`,
		Args: usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			raw, err := os.ReadFile(args[0])
			if err != nil {
				return errs.Field("file", args[0], err.Error())
			}
			name := filepath.Base(args[0])
			t, bad, err := asn.Load(ctx, bytes.NewReader(raw), name)
			if err != nil {
				return err
			}
			st := t.Stats()
			if st.Prefixes == 0 {
				return errs.Field("file", args[0], "no prefixes in it")
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
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			if err := s.QuarantineAdd(ctx, 0, bad); err != nil {
				return err
			}
			if err := s.ASNTablePut(ctx, name, sha, st.Prefixes, gz); err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(map[string]any{"file": name, "lines": st.Lines, "prefixes": st.Prefixes, "bad": st.Bad, "unrouted": st.Unrouted})
			}
			for _, b := range bad {
				fmt.Fprintln(a.stderr, b.Error())
			}
			_, err = fmt.Fprintf(a.stdout, "%s: %d prefixes from %d lines (%d bad lines quarantined, %d unrouted ranges)\n", name, st.Prefixes, st.Lines, st.Bad, st.Unrouted)
			return err
		},
	}
}

// currentASNTable loads the stored IP-to-AS table, or returns nil when none
// was loaded.
func (a *cmdline) currentASNTable(ctx context.Context, s *store.Store) (*asn.Table, error) {
	name, gz, err := s.ASNTableCurrent(ctx)
	if errors.Is(err, errs.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	t, _, err := asn.Load(ctx, bytes.NewReader(gz), name)
	return t, err
}
