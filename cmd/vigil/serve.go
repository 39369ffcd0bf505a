// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"fmt"
	"net"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"vigil/internal/app"
	"vigil/internal/demo"
	"vigil/internal/web"
	"vigil/internal/web/labels"
)

func (a *cmdline) serveCmd() *cobra.Command {
	cmd := a.command("serve", "Serve the REST API, health checks and metrics", 0, func(ctx context.Context, x *app.App, _ []string) error {
		ln, err := net.Listen("tcp", a.cfg.Addr)
		if err != nil {
			return fmt.Errorf("listen %s: %w", a.cfg.Addr, err)
		}
		a.log.Info("serving", "url", "http://"+ln.Addr().String())
		return a.serve(ctx, x, ln)
	})
	a.bind(cmd.Flags(), "addr")
	a.ratingFlags(cmd)
	return cmd
}

// serve runs a server on ln until ctx ends, then stops it in order.
func (a *cmdline) serve(ctx context.Context, x *app.App, ln net.Listener) error {
	srv, err := a.openServer(ctx, x, ln)
	if err != nil {
		ln.Close()
		return err
	}
	return srv.Run(ctx)
}

// openServer builds the handler of the REST API, the public label registry
// and the acknowledgement pages, and the server around it.
func (a *cmdline) openServer(ctx context.Context, x *app.App, ln net.Listener) (*app.Server, error) {
	svc, err := x.Rating()
	if err != nil {
		return nil, err
	}
	public := web.AckRoutes(x.Store(), a.log)
	for _, r := range labels.New(svc, a.log).Routes() {
		public = append(public, web.PublicRoute{Method: r.Method, Path: r.Path,
			Summary: r.Summary, Tag: "labels", ContentType: r.ContentType, Handler: r.Handler})
	}
	api, err := web.New(web.Config{Store: x.Store(), App: x, Logger: a.log, Metrics: prometheus.NewRegistry(), Version: version, Public: public})
	if err != nil {
		return nil, err
	}
	return x.OpenServer(ctx, api.Handler(), ln)
}

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
			opt := demo.Options{Dir: dir, Config: a.cfg, Logger: a.log}
			var ln net.Listener
			if !once {
				var err error
				if ln, err = net.Listen("tcp", addr); err != nil {
					return fmt.Errorf("listen %s: %w", addr, err)
				}
				defer ln.Close()
				opt.URL = "http://" + ln.Addr().String()
			}
			x, res, err := demo.Run(ctx, opt)
			if err != nil {
				return err
			}
			a.svc = x
			if a.asJSON {
				if err := a.printJSON(res); err != nil {
					return err
				}
			} else {
				vs, ns := res.Vulns, res.Notify
				fmt.Fprintf(a.stdout, "vigil demo: database %s\n", res.Database)
				fmt.Fprintf(a.stdout, "  registry: %d organisations, %d assets (%d overlapping ranges), %d contacts, %d devices\n",
					res.Organisations, res.Assets, res.Overlaps, res.Contacts, res.Devices)
				fmt.Fprintf(a.stdout, "  feeds: %d rows, %d matched, %d unmatched, %d quarantined; %d findings under %d triggers\n",
					res.FeedRows, res.Matched, res.Unmatched, res.Quarantined, res.Findings, res.Triggers)
				fmt.Fprintf(a.stdout, "  advisories: %d loaded; %d vulnerable findings (%d in KEV) on %d devices\n",
					vs.Advisories, vs.Findings, vs.KEVFindings, vs.Devices)
				for _, l := range res.Labels.Labels {
					fmt.Fprintf(a.stdout, "  label %s: %s (%s) graded %s, %d probe weaknesses\n", l.Label, l.Device, l.Org, l.Grade, l.Weaknesses)
				}
				if !once {
					fmt.Fprintf(a.stdout, "  serving at %s (Ctrl-C to stop)\n", res.URL)
					fmt.Fprintf(a.stdout, "  try: curl -H 'Authorization: Bearer %s' %s/api/v1/orgs\n", res.OperatorToken, res.URL)
				}
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
