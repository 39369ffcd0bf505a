// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/demo"
	"vigil/internal/errs"
	"vigil/internal/web"
	"vigil/internal/web/labels"
)

func (a *cmdline) serveCmd() *cobra.Command {
	cmd := plain("serve", "Serve the REST API, health checks and metrics", 0, func(ctx context.Context, _ []string) error {
		drain, err := time.ParseDuration(a.cfg.Drain)
		if err != nil || drain < 0 {
			return errs.Field("drain", a.cfg.Drain, "not a duration (e.g. 5s)")
		}
		ln, err := net.Listen("tcp", a.cfg.Addr)
		if err != nil {
			return fmt.Errorf("listen %s: %w", a.cfg.Addr, err)
		}
		a.log.Info("serving", "url", "http://"+ln.Addr().String())
		// Listening before the database is open: /readyz says migrating.
		front := app.NewFront(ln, app.ReadyMigrating)
		front.Serve()
		x, err := a.service(ctx)
		if err != nil {
			ln.Close()
			return err
		}
		return a.serve(ctx, x, front, drain)
	})
	config.Bind(cmd.Flags(), &a.cfg, "addr", "drain", "notify.smtp_url", "notify.from", "notify.sender", "notify.dkim_key", "notify.dkim_domain", "notify.dkim_selector", "notify.allow_private")
	a.ratingFlags(cmd)
	return cmd
}

// serve runs a server on front until ctx ends, then drains and stops it
// in order.
func (a *cmdline) serve(ctx context.Context, x *app.App, front *app.Front, drain time.Duration) error {
	srv, err := a.openServer(ctx, x, front)
	if err != nil {
		front.SetReady(err.Error())
		return err
	}
	return srv.Run(ctx, drain)
}

// openServer builds the handler of the REST API, the public label registry
// and the acknowledgement pages, and the server around it.
func (a *cmdline) openServer(ctx context.Context, x *app.App, front *app.Front) (*app.Server, error) {
	svc, err := x.Rating()
	if err != nil {
		return nil, err
	}
	var public []web.PublicRoute
	for _, r := range labels.New(svc, a.log).Routes() {
		public = append(public, web.PublicRoute{Method: r.Method, Path: r.Path,
			Summary: r.Summary, Tag: "labels", ContentType: r.ContentType, Handler: r.Handler})
	}
	api, err := web.New(web.Config{Store: x.Store(), App: x, Logger: a.log, Metrics: prometheus.NewRegistry(), Version: version, Public: public,
		BaseURL: x.Config().BaseURL, Labels: svc, Ready: front.Ready, TrustedProxies: x.Config().TrustedProxyNets()})
	if err != nil {
		return nil, err
	}
	return x.OpenServerFront(ctx, api.Handler(), front)
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
			} else if err := res.WriteText(a.stdout); err != nil {
				return err
			}
			if once {
				return nil
			}
			front := app.NewFront(ln, app.ReadyOK)
			return a.serve(ctx, x, front, 0)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "demo-data", "directory for the demo database (recreated)")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "listen address")
	cmd.Flags().BoolVar(&once, "once", false, "print a summary and exit instead of serving")
	return cmd
}
