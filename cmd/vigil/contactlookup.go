// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"vigil/internal/app"
	"vigil/internal/contact/rdap"
	"vigil/internal/contact/securitytxt"
)

func (a *cmdline) securitytxtCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "securitytxt", Short: "Check security.txt files (RFC 9116)"}
	var allowPrivate, ignoreUnknown bool
	check := &cobra.Command{
		Use:   "check DOMAIN|URL|FILE",
		Short: "Fetch and validate a security.txt; exit status 1 when it is not valid",
		Long: `Validate a security.txt: a FILE on disk, a URL, or a DOMAIN (https://DOMAIN/.well-known/security.txt,
then the legacy /security.txt, then http://… to report no_https). Results carry the stable codes of the
Digital Trust Center's sectxt validator. --json prints
{"valid","errors":[{"code","line","message"}],"recommendations","notifications","fields"}.`,
		Args: usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := app.CheckSecurityTxt(cmd.Context(), args[0], allowPrivate, securitytxt.Options{IgnoreUnknownFields: ignoreUnknown})
			if err != nil {
				return err
			}
			if a.asJSON {
				if err := a.printJSON(rep); err != nil {
					return err
				}
			} else {
				a.printSecurityTxt(rep)
			}
			if !rep.Valid {
				return silentError{code: 1}
			}
			return nil
		},
	}
	check.Flags().BoolVar(&allowPrivate, "allow-private", false, "allow loopback and private addresses (labs, tests)")
	check.Flags().BoolVar(&ignoreUnknown, "ignore-unknown-fields", false, "no unknown_field notifications")
	cmd.AddCommand(check)
	return cmd
}

func (a *cmdline) printSecurityTxt(r securitytxt.Report) {
	where := r.URL
	if where == "" {
		where = "file"
	}
	verdict := "valid"
	if !r.Valid {
		verdict = "NOT valid"
	}
	fmt.Fprintf(a.stdout, "%s: %s\n", where, verdict)
	for _, red := range r.Redirects {
		fmt.Fprintf(a.stdout, "  redirected from %s\n", red)
	}
	for _, group := range []struct {
		name   string
		issues []securitytxt.Issue
	}{{"error", r.Errors}, {"recommendation", r.Recommendations}, {"notification", r.Notifications}} {
		for _, is := range group.issues {
			line := "-"
			if is.Line != 0 {
				line = fmt.Sprint(int(is.Line))
			}
			fmt.Fprintf(a.stdout, "  %-14s %-26s line %-4s %s\n", group.name, is.Code, line, is.Message)
		}
	}
	if emails := r.Emails(); len(emails) > 0 {
		fmt.Fprintf(a.stdout, "  contact e-mail: %s\n", strings.Join(emails, ", "))
	}
	if langs := r.Languages(); len(langs) > 0 {
		fmt.Fprintf(a.stdout, "  languages: %s\n", strings.Join(langs, ", "))
	}
	if exp, ok := r.Expires(); ok {
		fmt.Fprintf(a.stdout, "  expires: %s\n", exp.Format(time.RFC3339))
	}
	if r.Signed {
		fmt.Fprintf(a.stdout, "  signed by: %s\n", r.Signer)
	}
}

func (a *cmdline) contactBootstrapCmd() *cobra.Command {
	var url string
	var allowPrivate bool
	cmd := &cobra.Command{
		Use:   "bootstrap",
		Short: "Refresh the IANA RDAP bootstrap files into the database (vigil serve does it daily)",
		Long: `Fetch asn.json, dns.json, ipv4.json and ipv6.json from IANA (or --url) through the guarded HTTP
client and save them in the database, where every vigil command and node finds them. They are used
when newer than the files bundled with vigil; nothing is saved unless all four parse.`,
		Args: usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			x, err := a.service(ctx)
			if err != nil {
				return err
			}
			rep, err := x.RefreshRDAPBootstrap(ctx, url, allowPrivate)
			if err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(rep)
			}
			for _, n := range rdap.BootstrapFiles() {
				fmt.Fprintf(a.stdout, "%-10s published %s\n", n, rep.Published[n].Format(time.RFC3339))
			}
			if !rep.InUse {
				fmt.Fprintln(a.stdout, "saved, but older than the bundled files, which stay in use")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&url, "url", "", "where the files are (default "+rdap.IANABootstrapURL+")")
	cmd.Flags().BoolVar(&allowPrivate, "allow-private", false, "allow a loopback or private --url (tests, mirrors)")
	return cmd
}

// withContactLookup adds "lookup" and "bootstrap" to the contact command.
func (a *cmdline) withContactLookup(contact *cobra.Command) *cobra.Command {
	var noCache, allowPrivate bool
	var bootstrapDir string
	lookup := &cobra.Command{
		Use:   "lookup IP|ASN|DOMAIN",
		Short: "Find the abuse contact of an IP address, AS number or domain through RDAP",
		Long: `Ask the registry responsible (found through the IANA bootstrap files: those refreshed into the
database by vigil contact bootstrap or vigil serve when newer than the bundled ones; --bootstrap DIR for
files of your own) for the object's contacts and choose the abuse contact as the regional registries'
own abuse finders do. Results are cached in the database for a day.`,
		Args: usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			x, err := a.service(ctx)
			if err != nil {
				return err
			}
			res, err := x.ContactLookup(ctx, args[0], app.LookupOptions{NoCache: noCache, AllowPrivate: allowPrivate, BootstrapDir: bootstrapDir})
			if err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(res)
			}
			abuse := res.AbuseEmail
			if abuse == "" {
				abuse = "(none found)"
			}
			cached := ""
			if res.Cached {
				cached = " (cached)"
			}
			fmt.Fprintf(a.stdout, "%s %s%s\n  source:  %s\n", res.Kind, res.Query, cached, res.Source)
			if res.Network != "" {
				fmt.Fprintf(a.stdout, "  network: %s %s %s\n", res.Network, res.Range, res.Country)
			}
			fmt.Fprintf(a.stdout, "  abuse:   %s\n", abuse)
			w := a.table()
			fmt.Fprintln(w, "  HANDLE\tROLES\tNAME\tE-MAIL\tPHONE")
			for _, c := range res.Contacts {
				fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\n", c.Handle, strings.Join(c.Roles, ","), c.Name, strings.Join(c.Emails, ", "), strings.Join(c.Phones, ", "))
			}
			return w.Flush()
		},
	}
	lookup.Flags().BoolVar(&noCache, "no-cache", false, "do not read or write the lookup cache")
	lookup.Flags().BoolVar(&allowPrivate, "allow-private", false, "allow loopback and private addresses (labs, tests)")
	lookup.Flags().StringVar(&bootstrapDir, "bootstrap", "", "directory with refreshed IANA bootstrap files (asn.json, dns.json, ipv4.json, ipv6.json)")
	contact.AddCommand(lookup, a.contactBootstrapCmd())
	return contact
}
