// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"vigil/internal/auth"
	"vigil/internal/demo"
	"vigil/internal/tenant"
)

func (a *cmdline) demoCmd() *cobra.Command {
	var dir, addr string
	var once bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Load bundled sample data into a fresh SQLite database and serve it",
		Long: `Create a fresh SQLite database in --dir (default ./demo-data), load the bundled sample
organisations, devices, feeds and advisories, run the pipeline and serve the result.
With --once, print a summary and exit instead of serving. Needs no set-up and no network.`,
		Args: usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			// The demo is self-contained: whatever is configured, its labels
			// and links are the demo's.
			a.cfg.BaseURL, a.cfg.Labels.Issuer, a.cfg.Actor = "http://127.0.0.1:8080", "vigil demo trust center", "demo"
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return fmt.Errorf("demo dir: %w", err)
			}
			path := filepath.Join(dir, "vigil.db")
			for _, suffix := range []string{"", "-wal", "-shm"} {
				if err := os.Remove(path + suffix); err != nil && !os.IsNotExist(err) {
					return fmt.Errorf("remove old demo database: %w", err)
				}
			}
			a.cfg.DB = "sqlite:" + path
			x, err := a.service(ctx)
			if err != nil {
				return err
			}
			s := x.Store()
			sum, err := demo.Load(ctx, s)
			if err != nil {
				return err
			}
			sum.Database = path
			vs, err := demo.LoadVulns(ctx, s)
			if err != nil {
				return err
			}
			var ln net.Listener
			a.cfg.Labels.Keys = filepath.Join(dir, "vigil-keys")
			if !once {
				tok := auth.Token{Name: "demo analyst", Scopes: []auth.Scope{auth.ScopeAdmin}}
				if sum.OperatorToken, err = s.TokenCreate(ctx, tenant.Operator(), &tok); err != nil {
					return err
				}
				if ln, err = net.Listen("tcp", addr); err != nil {
					return fmt.Errorf("listen %s: %w", addr, err)
				}
				sum.URL = "http://" + ln.Addr().String()
				a.cfg.BaseURL = sum.URL
			}
			if err := os.RemoveAll(a.cfg.Labels.Keys); err != nil {
				return fmt.Errorf("remove old demo keys: %w", err)
			}
			ls, err := demo.LoadLabels(ctx, s, demo.LabelOptions{KeyDir: a.cfg.Labels.Keys, BaseURL: a.cfg.BaseURL})
			if err != nil {
				return err
			}
			ns, err := demo.Notify(ctx, s, demo.NotifyOptions{KeyDir: a.cfg.Labels.Keys, BaseURL: a.cfg.BaseURL})
			if err != nil {
				return err
			}
			if a.asJSON {
				if err := a.printJSON(struct {
					demo.Summary
					Vulns  demo.VulnSummary   `json:"vulns"`
					Labels demo.LabelSummary  `json:"labels"`
					Notify demo.NotifySummary `json:"notify"`
				}{sum, vs, ls, ns}); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(a.stdout, "vigil demo: database %s\n", sum.Database)
				fmt.Fprintf(a.stdout, "  registry: %d organisations, %d assets (%d overlapping ranges), %d contacts, %d devices\n",
					sum.Organisations, sum.Assets, sum.Overlaps, sum.Contacts, sum.Devices)
				fmt.Fprintf(a.stdout, "  feeds: %d rows, %d matched, %d unmatched, %d quarantined; %d findings under %d triggers\n",
					sum.FeedRows, sum.Matched, sum.Unmatched, sum.Quarantined, sum.Findings, sum.Triggers)
				fmt.Fprintf(a.stdout, "  advisories: %d loaded; %d vulnerable findings (%d in KEV) on %d devices\n",
					vs.Advisories, vs.Findings, vs.KEVFindings, vs.Devices)
				for _, l := range ls.Labels {
					fmt.Fprintf(a.stdout, "  label %s: %s (%s) graded %s, %d probe weaknesses\n", l.Label, l.Device, l.Org, l.Grade, l.Weaknesses)
				}
				if !once {
					fmt.Fprintf(a.stdout, "  serving at %s (Ctrl-C to stop)\n", sum.URL)
					fmt.Fprintf(a.stdout, "  try: curl -H 'Authorization: Bearer %s' %s/api/v1/orgs\n", sum.OperatorToken, sum.URL)
				}
			}
			if !a.asJSON {
				fmt.Fprintf(a.stdout, "  warnings: %d notices composed, %d delivered as %d e-mails to the local sink %v\n",
					ns.Composed, ns.Delivered, ns.Messages, ns.Languages)
				if ex := ns.Example; ex != nil {
					fmt.Fprintf(a.stdout, "  verify a warning: open %s, enter ticket %s (access code %s for the whole warning);\n",
						ex.VerifyURL, ex.Ticket, ex.AccessCode)
					sent := "not yet sent"
					if ex.Answer.SentAt != nil {
						sent = "sent " + ex.Answer.SentAt.Format("2006-01-02 15:04 MST")
					}
					fmt.Fprintf(a.stdout, "    the ticket alone answers: genuine, %s, to %s\n", sent, strings.Join(ex.Answer.Domains, ", "))
				}
				fmt.Fprintf(a.stdout, "  DKIM: the messages are signed with %s; a real deployment publishes:\n    %s\n",
					ns.DKIM.Path, ns.DKIM.Zone)
			}
			if once {
				return nil
			}
			return a.serve(ctx, x, ln)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "demo-data", "directory for the demo database (recreated)")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "listen address")
	cmd.Flags().BoolVar(&once, "once", false, "print a summary and exit instead of serving")
	return cmd
}
