// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"vigil/internal/app"
	"vigil/internal/contact/rdap"
	"vigil/internal/contact/securitytxt"
	"vigil/internal/registry"
	"vigil/internal/tenant"
)

func (a *cmdline) contactCmd() *cobra.Command {
	return group("contact", "Manage organisations' contacts", a.contactAddCmd(), a.contactListCmd(), a.childDeleteCmd("contact", "Remove a contact", (*app.App).DeleteContact))
}

func (a *cmdline) contactAddCmd() *cobra.Command {
	var c registry.Contact
	cmd := a.command("add ORG", "Add a contact (needs --email or --phone)", 1, func(ctx context.Context, x *app.App, args []string) error {
		var err error
		if c.OrgID, err = x.OrgID(ctx, args[0]); err != nil {
			return err
		}
		c, err := x.AddContact(ctx, tenant.Operator(), c)
		return a.show(c, err, func() error { return a.line(c.ID) })
	})
	f := cmd.Flags()
	f.StringVar(&c.Name, "name", "", "name of the person or team")
	f.StringVar(&c.Email, "email", "", "e-mail address")
	f.StringVar(&c.Phone, "phone", "", "international phone number (+31 …)")
	f.StringVar(&c.Role, "role", "security", "security, technical, management, abuse or other")
	f.StringVar(&c.Lang, "lang", "", "language for warnings (nl, en, …)")
	f.BoolVar(&c.Verified, "verified", false, "the contact has been confirmed")
	return cmd
}

func (a *cmdline) contactListCmd() *cobra.Command {
	return a.orgCommand("list ORG", "List an organisation's contacts", 1, func(ctx context.Context, x *app.App, org int64, args []string) error {
		cs, err := x.Contacts(ctx, org)
		return list(a, cs, err, "ID\tROLE\tNAME\tEMAIL\tPHONE\tLANG\tVERIFIED", "%d\t%s\t%s\t%s\t%s\t%s\t%v\n", func(c registry.Contact) []any {
			return []any{c.ID, c.Role, c.Name, c.Email, c.Phone, c.Lang, c.Verified}
		})
	})
}

func (a *cmdline) securitytxtCmd() *cobra.Command {
	var allowPrivate, ignoreUnknown bool
	check := plain("check DOMAIN|URL|FILE", "Fetch and validate a security.txt; exit status 1 when it is not valid", 1, func(ctx context.Context, args []string) error {
		rep, err := app.CheckSecurityTxt(ctx, args[0], allowPrivate, securitytxt.Options{IgnoreUnknownFields: ignoreUnknown})
		if err != nil {
			return err
		}
		if err := a.print(rep, func() error { return rep.WriteText(a.stdout) }); err != nil || rep.Valid {
			return err
		}
		return silentError{Code: 1}
	})
	check.Long = `Validate a security.txt: a FILE on disk, a URL, or a DOMAIN (https://DOMAIN/.well-known/security.txt,
then the legacy /security.txt, then http://… to report no_https). Results carry the stable codes of the
Digital Trust Center's sectxt validator. --json prints
{"valid","errors":[{"code","line","message"}],"recommendations","notifications","fields"}.`
	check.Flags().BoolVar(&allowPrivate, "allow-private", false, "allow loopback and private addresses (labs, tests)")
	check.Flags().BoolVar(&ignoreUnknown, "ignore-unknown-fields", false, "no unknown_field notifications")
	return group("securitytxt", "Check security.txt files (RFC 9116)", check)
}

func (a *cmdline) contactBootstrapCmd() *cobra.Command {
	var url string
	var allowPrivate bool
	cmd := a.command("bootstrap", "Refresh the IANA RDAP bootstrap files into the database (vigil serve does it daily)", 0, func(ctx context.Context, x *app.App, _ []string) error {
		rep, err := x.RefreshRDAPBootstrap(ctx, url, allowPrivate)
		return a.show(rep, err, func() error {
			for _, n := range rdap.BootstrapFiles() {
				fmt.Fprintf(a.stdout, "%-10s published %s\n", n, rep.Published[n].Format(time.RFC3339))
			}
			if !rep.InUse {
				return a.line("saved, but older than the bundled files, which stay in use")
			}
			return nil
		})
	})
	cmd.Long = `Fetch asn.json, dns.json, ipv4.json and ipv6.json from IANA (or --url) through the guarded HTTP
client and save them in the database, where every vigil command and node finds them. They are used
when newer than the files bundled with vigil; nothing is saved unless all four parse.`
	cmd.Flags().StringVar(&url, "url", "", "where the files are (default "+rdap.IANABootstrapURL+")")
	cmd.Flags().BoolVar(&allowPrivate, "allow-private", false, "allow a loopback or private --url (tests, mirrors)")
	return cmd
}

// withContactLookup adds "lookup" and "bootstrap" to the contact command.
func (a *cmdline) withContactLookup(contact *cobra.Command) *cobra.Command {
	var opt app.LookupOptions
	lookup := a.command("lookup IP|ASN|DOMAIN", "Find the abuse contact of an IP address, AS number or domain through RDAP", 1, func(ctx context.Context, x *app.App, args []string) error {
		res, err := x.ContactLookup(ctx, args[0], opt)
		return a.show(res, err, func() error {
			cached := ""
			if res.Cached {
				cached = " (cached)"
			}
			fmt.Fprintf(a.stdout, "%s %s%s\n  source:  %s\n", res.Kind, res.Query, cached, res.Source)
			if res.Network != "" {
				fmt.Fprintf(a.stdout, "  network: %s %s %s\n", res.Network, res.Range, res.Country)
			}
			fmt.Fprintf(a.stdout, "  abuse:   %s\n", def(res.AbuseEmail, "(none found)"))
			return rows(a, res.Contacts, "  HANDLE\tROLES\tNAME\tE-MAIL\tPHONE", "  %s\t%s\t%s\t%s\t%s\n", func(c rdap.Contact) []any {
				return []any{c.Handle, strings.Join(c.Roles, ","), c.Name, strings.Join(c.Emails, ", "), strings.Join(c.Phones, ", ")}
			})
		})
	})
	lookup.Long = `Ask the registry responsible (found through the IANA bootstrap files: those refreshed into the
database by vigil contact bootstrap or vigil serve when newer than the bundled ones; --bootstrap DIR for
files of your own) for the object's contacts and choose the abuse contact as the regional registries'
own abuse finders do. Results are cached in the database for a day.`
	lookup.Flags().BoolVar(&opt.NoCache, "no-cache", false, "do not read or write the lookup cache")
	lookup.Flags().BoolVar(&opt.AllowPrivate, "allow-private", false, "allow loopback and private addresses (labs, tests)")
	lookup.Flags().StringVar(&opt.BootstrapDir, "bootstrap", "", "directory with refreshed IANA bootstrap files (asn.json, dns.json, ipv4.json, ipv6.json)")
	contact.AddCommand(lookup, a.contactBootstrapCmd())
	return contact
}
