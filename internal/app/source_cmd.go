// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"vigil/internal/errs"
	"vigil/internal/source"
	"vigil/internal/tlp"
)

// SourceCommands are the `vigil source` commands, built by cmd/vigil from
// these rows.
func SourceCommands() []Command {
	one := func(use, short string, run func(ctx context.Context, x *App, name string) (Output, error)) Command {
		return Command{Use: use + " NAME", Short: short, Args: 1,
			Run: func(ctx context.Context, x *App, in Input) (Output, error) { return run(ctx, x, in.Args[0]) }}
	}
	pause := func(paused bool, verb string) func(context.Context, *App, string) (Output, error) {
		return func(ctx context.Context, x *App, name string) (Output, error) {
			return sourceDone{Source: name, Done: verb}, x.SourcePause(ctx, name, paused)
		}
	}
	return []Command{
		{Use: "add NAME", Short: "Register a source that runs on a schedule", Args: 1,
			Long: `Register a source: --kind kev or epss (a URL), dir (a directory whose new files are
feeds), shadowserver (the Reports API's base URL, e.g. https://transform.shadowserver.org/api2/,
with --credentials naming a file, or - for standard input, whose first line is the API key and
second the secret), nvd (https://services.nvd.nist.gov/rest/json/cves/2.0, with an optional API
key as the credentials' one line), osv (an ecosystem's all.zip or a JSON file), csaf (a trusted
provider's provider-metadata.json URL) or maildir (a mail drop: the attachments of report e-mails). Runs happen every --every; --expect says how often data is expected, and a
source that brings none for --alert-after (default 36h) or fails sources.max_failures runs in a
row raises one alert. Credentials are stored sealed and are never shown. --tlp marks the source's
data (every finding made from it carries the marking; a CSAF document's own marking wins).`,
			Flags: []Flag{{Name: "kind", Usage: "kev, epss, dir, shadowserver, nvd, osv, csaf or maildir"}, {Name: "url", Usage: "the URL fetched (the directory for dir and maildir)"},
				{Name: "every", Default: source.DefaultEvery.String(), Usage: "interval between runs"},
				{Name: "expect", Usage: "how often data is expected, e.g. 24h (default: no expectation)"},
				{Name: "alert-after", Usage: "silence that raises an alert (default 36h when --expect is set)"},
				{Name: "credentials", Usage: "file with the key and the secret on two lines, - for standard input"},
				{Name: "tlp", Usage: "TLP 2.0 marking of the source's data: TLP:CLEAR, TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT or TLP:RED (default: unmarked)"}},
			Run: func(ctx context.Context, x *App, in Input) (Output, error) {
				src := source.Source{Name: in.Args[0], Kind: source.Kind(in.Flags["kind"]), URL: in.Flags["url"]}
				m, err := tlp.Parse(in.Flags["tlp"])
				if err != nil {
					return nil, err
				}
				src.TLP = m
				for _, d := range []struct {
					flag string
					to   *source.Duration
				}{{"every", &src.Every}, {"expect", &src.Expect}, {"alert-after", &src.AlertAfter}} {
					if v := in.Flags[d.flag]; v != "" {
						p, err := time.ParseDuration(v)
						if err != nil {
							return nil, errs.FieldKeyed(d.flag, v, "duration.example", "not a duration (e.g. 1h, 24h)")
						}
						*d.to = source.Duration(p)
					}
				}
				if f := in.Flags["credentials"]; f != "" {
					r, done, err := in.Open(f)
					if err != nil {
						return nil, err
					}
					src.Credentials, err = readCredentials(r)
					done()
					if err != nil {
						return nil, err
					}
				}
				s, err := x.SourceAdd(ctx, src)
				return sourceDone{Source: s.Name, Done: "added", Detail: &s}, err
			}},
		{Use: "list", Short: "List the sources with their last success and error", Run: func(ctx context.Context, x *App, _ Input) (Output, error) {
			l, err := x.Sources(ctx)
			return SourceList{Items: l}, err
		}},
		one("show", "Show a source and what its last runs produced", func(ctx context.Context, x *App, name string) (Output, error) {
			return x.SourceShow(ctx, name)
		}),
		one("pause", "Stop running a source on its schedule", pause(true, "paused")),
		one("resume", "Run a paused source on its schedule again", pause(false, "resumed")),
		one("run", "Run a source now, in this process", func(ctx context.Context, x *App, name string) (Output, error) {
			r, err := x.SourceRun(ctx, name)
			return sourceRunText{r}, err
		}),
	}
}

// readCredentials reads a key and a secret, one a line.
func readCredentials(r io.Reader) (source.Credentials, error) {
	sc := bufio.NewScanner(io.LimitReader(r, 64<<10))
	var lines []string
	for sc.Scan() && len(lines) < 2 {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			lines = append(lines, l)
		}
	}
	switch len(lines) {
	case 1: // an API key alone (NVD)
		return source.Credentials{Key: lines[0]}, nil
	case 2:
		return source.Credentials{Key: lines[0], Secret: lines[1]}, nil
	}
	return source.Credentials{}, errs.FieldKeyed("credentials", "", "source.credentials", "give the key and the secret, one a line")
}

// sourceDone is what add, pause and resume did.
type sourceDone struct {
	Source string         `json:"source"`
	Done   string         `json:"done"`
	Detail *source.Source `json:"detail,omitempty"`
}

// Text implements Output.
func (d sourceDone) Text() string { return fmt.Sprintf("%s source %s\n", d.Done, d.Source) }

// SourceList is the sources as `vigil source list` prints them.
type SourceList struct {
	Items []source.Source `json:"items"`
}

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format("2006-01-02 15:04")
}

// Text implements Output: one aligned line per source.
func (l SourceList) Text() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tKIND\tEVERY\tSTATE\tLAST SUCCESS\tLAST DATA\tFAILURES\tLAST ERROR")
	for _, s := range l.Items {
		state := "active"
		if s.Paused {
			state = "paused"
		}
		if s.Alerted != nil {
			state += ", alerted"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", s.Name, s.Kind, s.Every, state, when(s.LastSuccess), when(s.LastData), s.Failures, s.LastError)
	}
	w.Flush()
	return b.String()
}

// Text implements Output: the source, then its runs with their files.
func (d SourceDetail) Text() string {
	var b strings.Builder
	s := d.Source
	creds := "none"
	if s.HasCredentials {
		creds = "stored (not shown)"
	}
	fmt.Fprintf(&b, "source %s (%s) %s\nevery %s, next run %s, paused %v\nexpect %s, alert after %s, alerted %s\ncredentials: %s\n",
		s.Name, s.Kind, s.URL, s.Every, s.NextRun.Format("2006-01-02 15:04"), s.Paused, s.Expect, s.AlertAfter, when(s.Alerted), creds)
	if s.TLP != tlp.None {
		fmt.Fprintf(&b, "marking: %s\n", s.TLP)
	}
	fmt.Fprintf(&b, "last run %s, last success %s, last data %s, failures in a row %d\n", when(s.LastRun), when(s.LastSuccess), when(s.LastData), s.Failures)
	if s.LastError != "" {
		fmt.Fprintf(&b, "last error: %s\n", s.LastError)
	}
	for _, r := range d.Runs {
		b.WriteString(sourceRunText{r}.Text())
	}
	return b.String()
}

// sourceRunText prints a run.
type sourceRunText struct{ source.Run }

// Text implements Output: the run's outcome and a line per file.
func (r sourceRunText) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "run %d at %s: %s, %d new files, %d already ingested", r.ID, r.Started.Format("2006-01-02 15:04:05"), r.State, len(r.Files), r.Skipped)
	if r.Advisories > 0 {
		fmt.Fprintf(&b, ", %d advisories new or changed", r.Advisories)
	}
	if r.Error != "" {
		fmt.Fprintf(&b, ": %s", r.Error)
	}
	b.WriteString("\n")
	for _, f := range r.Files {
		fmt.Fprintf(&b, "  %s %s %d bytes, %d rows, %d findings\n", f.Name, f.SHA256[:min(12, len(f.SHA256))], f.Size, f.Rows, f.Findings)
	}
	return b.String()
}
