// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/dkimkey"
	"vigil/internal/errs"
)

func (a *cmdline) mailCmd() *cobra.Command {
	return group("mail", "The service's mail: DKIM key and DNS record, OpenPGP key", a.mailDKIMCmd(), a.mailOpenPGPCmd(), a.mailReceiveCmd())
}

func (a *cmdline) mailReceiveCmd() *cobra.Command {
	var opt app.ReceiveOptions
	cmd := a.command("receive", "Receive replies and bounces: an SMTP listener and/or a maildir watcher (replies go to their notices, bounces to the call list)", 0,
		func(ctx context.Context, x *app.App, _ []string) error { return x.ReceiveServe(ctx, opt) })
	cmd.Flags().StringVar(&opt.Addr, "addr", "", "SMTP listen address, e.g. :2525")
	cmd.Flags().StringVar(&opt.Maildir, "maildir", "", "maildir to watch (its new/ is read, read messages move to cur/)")
	cmd.Flags().DurationVar(&opt.Interval, "interval", 10*time.Second, "how often the maildir is scanned")
	return cmd
}

func (a *cmdline) mailOpenPGPCmd() *cobra.Command {
	run := func(f func(context.Context) (app.OpenPGPSetup, error)) func(context.Context, []string) error {
		return func(ctx context.Context, _ []string) error {
			s, err := f(ctx)
			return a.show(s, err, func() error { _, err := fmt.Fprint(a.stdout, s.Text()); return err })
		}
	}
	cmd := group("openpgp", "The OpenPGP key notices are signed with",
		plain("init", "Generate the service's OpenPGP key (kept with the label keys, mode 0600): notices are signed with it (PGP/MIME) and the portal publishes it", 0,
			run(func(ctx context.Context) (app.OpenPGPSetup, error) {
				return app.KeyMade(ctx, a.service, "mail.openpgp.init", func() (app.OpenPGPSetup, error) { return app.OpenPGPInit(a.cfg, time.Now()) })
			})),
		plain("key", "Print the service's OpenPGP public key, its fingerprint and its Web Key Directory path", 0,
			run(func(context.Context) (app.OpenPGPSetup, error) { return app.OpenPGPKey(a.cfg) })))
	config.Bind(cmd.PersistentFlags(), &a.cfg, "notify.from", "notify.sender", "labels.keys")
	return cmd
}

func (a *cmdline) mailDKIMCmd() *cobra.Command {
	f := &a.cfg.Notify

	var alg string
	initCmd := plain("init", "Generate the DKIM key (kept with the label keys, mode 0600) and print the DNS TXT record to publish", 0, func(ctx context.Context, _ []string) error {
		setup, err := app.KeyMade(ctx, a.service, "mail.dkim.init", func() (app.DKIMSetup, error) { return app.DKIMInit(a.cfg, dkimkey.Algorithm(alg)) })
		return a.show(setup, err, func() error { _, err := fmt.Fprint(a.stdout, setup.Text("generated")); return err })
	})
	initCmd.Flags().StringVar(&alg, "algorithm", string(dkimkey.RSA), "key type: rsa (2048 bits, verified everywhere) or ed25519")

	recordCmd := plain("record", "Print the DNS TXT record of the DKIM key", 0, func(context.Context, []string) error {
		setup, err := app.DKIMRecord(a.cfg)
		return a.show(setup, err, func() error { _, err := fmt.Fprint(a.stdout, setup.Text("")); return err })
	})

	checkCmd := plain("check", "Look the DKIM record up in DNS and say whether it matches the key (exit 4 on a mismatch, 3 when missing)", 0, func(ctx context.Context, _ []string) error {
		c, err := app.DKIMCheck(ctx, a.cfg, f.DNSServer)
		if err != nil {
			return err
		}
		if err := a.print(c, func() error {
			_, err := fmt.Fprint(a.stdout, app.DKIMCheckText(c))
			return err
		}); err != nil {
			return err
		}
		switch c.Status {
		case dkimkey.Mismatch:
			return errs.Errorf(errs.Conflict, "the DKIM record at %s does not match the key: %s", c.Record.Name, c.Reason)
		case dkimkey.Missing:
			return errs.Errorf(errs.NotFound, "no DKIM record at %s", c.Record.Name)
		}
		return nil
	})
	checkCmd.Flags().StringVar(&f.DNSServer, "dns", f.DNSServer, "DNS server to ask, host:port (env VIGIL_DNS_SERVER; default: the system resolver)")
	cmd := group("dkim", "The DKIM signing key and the DNS record receivers check it against", initCmd, recordCmd, checkCmd)
	config.Bind(cmd.PersistentFlags(), &a.cfg, "notify.dkim_key", "notify.dkim_domain", "notify.dkim_selector", "notify.from", "labels.keys")
	return cmd
}
