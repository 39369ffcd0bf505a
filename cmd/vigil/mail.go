// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"vigil/internal/app"
	"vigil/internal/dkimkey"
	"vigil/internal/errs"
)

func (a *cmdline) mailCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "mail", Short: "The service's mail: DKIM key and DNS record"}
	cmd.AddCommand(a.mailDKIMCmd())
	return cmd
}

func (a *cmdline) mailDKIMCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "dkim", Short: "The DKIM signing key and the DNS record receivers check it against"}
	f, fl := &a.cfg.Notify, cmd.PersistentFlags()
	fl.StringVar(&f.DKIMKey, "dkim-key", f.DKIMKey, "DKIM key file (env VIGIL_DKIM_KEY; default: dkim-<selector>.key in the key directory)")
	fl.StringVar(&f.DKIMDomain, "dkim-domain", f.DKIMDomain, "DKIM signing domain (default: the sender address's domain)")
	fl.StringVar(&f.DKIMSelector, "dkim-selector", f.DKIMSelector, "DKIM selector")
	fl.StringVar(&f.From, "from", f.From, "sender address (env VIGIL_SMTP_FROM)")
	fl.StringVar(&a.cfg.Labels.Keys, "keys", a.cfg.Labels.Keys, "key directory (env VIGIL_KEYS; default: vigil-keys next to the SQLite file, or ./vigil-keys)")

	var alg string
	initCmd := &cobra.Command{
		Use:   "init",
		Short: "Generate the DKIM key (kept with the label keys, mode 0600) and print the DNS TXT record to publish",
		Args:  usageArgs(0),
		RunE: func(*cobra.Command, []string) error {
			setup, err := app.DKIMInit(a.cfg, dkimkey.Algorithm(alg))
			if err != nil {
				return err
			}
			return a.print(setup, func() error { return a.printDKIM(setup, "generated") })
		},
	}
	initCmd.Flags().StringVar(&alg, "algorithm", string(dkimkey.RSA), "key type: rsa (2048 bits, verified everywhere) or ed25519")

	recordCmd := &cobra.Command{
		Use:   "record",
		Short: "Print the DNS TXT record of the DKIM key",
		Args:  usageArgs(0),
		RunE: func(*cobra.Command, []string) error {
			setup, err := app.DKIMRecord(a.cfg)
			if err != nil {
				return err
			}
			return a.print(setup, func() error { return a.printDKIM(setup, "") })
		},
	}

	checkCmd := &cobra.Command{
		Use:   "check",
		Short: "Look the DKIM record up in DNS and say whether it matches the key (exit 4 on a mismatch, 3 when missing)",
		Args:  usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := app.DKIMCheck(cmd.Context(), a.cfg, f.DNSServer)
			if err != nil {
				return err
			}
			if err := a.print(c, func() error {
				fmt.Fprintf(a.stdout, "%s: %s\n", c.Record.Name, c.Status)
				if c.Reason != "" {
					fmt.Fprintf(a.stdout, "  %s\n", c.Reason)
				}
				if c.Status != dkimkey.Match {
					fmt.Fprintf(a.stdout, "publish:\n  %s\n", c.Record.Zone())
				}
				return nil
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
		},
	}
	checkCmd.Flags().StringVar(&f.DNSServer, "dns", f.DNSServer, "DNS server to ask, host:port (env VIGIL_DNS_SERVER; default: the system resolver)")
	cmd.AddCommand(initCmd, recordCmd, checkCmd)
	return cmd
}

func (a *cmdline) printDKIM(s app.DKIMSetup, verb string) error {
	if verb != "" {
		fmt.Fprintf(a.stdout, "DKIM key %s: %s\n", verb, s.Path)
	}
	fmt.Fprintf(a.stdout, "Publish this TXT record (selector %s, domain %s):\n\n  name:  %s\n  value: %s\n\nas a zone-file line:\n\n  %s\n",
		s.Selector, s.Domain, s.Record.Name, s.Record.Value, s.Zone)
	return nil
}
