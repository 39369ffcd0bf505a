// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/registry"
	"vigil/internal/tenant"
)

func (a *cmdline) orgCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "org", Short: "Manage registered organisations"}
	cmd.AddCommand(a.orgAddCmd(), a.orgListCmd(), a.orgShowCmd(), a.orgDeleteCmd(), a.orgImportCmd(), a.orgExportCmd())
	return cmd
}

func (a *cmdline) orgAddCmd() *cobra.Command {
	var o registry.Org
	var domains, cidrs, asns, emails, langs []string
	cmd := &cobra.Command{
		Use:   "add NAME",
		Short: "Register an organisation (prints its id)",
		Args:  usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			o.Name = args[0]
			o.Languages = langs
			for _, d := range domains {
				o.Assets = append(o.Assets, registry.Asset{Kind: registry.KindDomain, Value: d})
			}
			for _, c := range cidrs {
				o.Assets = append(o.Assets, registry.Asset{Kind: registry.KindCIDR, Value: c})
			}
			for _, n := range asns {
				o.Assets = append(o.Assets, registry.Asset{Kind: registry.KindASN, Value: n})
			}
			for _, e := range emails {
				c := registry.Contact{Email: e, Role: "security"}
				if len(langs) > 0 {
					c.Lang = langs[0]
				}
				o.Contacts = append(o.Contacts, c)
			}
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			if err := s.OrgCreate(ctx, tenant.Operator(), &o); err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(o)
			}
			_, err = fmt.Fprintln(a.stdout, o.ID)
			return err
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&domains, "domain", nil, "a domain the organisation owns (repeatable)")
	f.StringArrayVar(&cidrs, "cidr", nil, "an IP range or address (repeatable)")
	f.StringArrayVar(&asns, "asn", nil, "an AS number (repeatable)")
	f.StringArrayVar(&emails, "email", nil, "a security contact's e-mail address (repeatable)")
	f.StringSliceVar(&langs, "lang", nil, "preferred languages, e.g. nl or en (repeatable, preferred first)")
	f.StringVar(&o.Sector, "sector", "", "sector, e.g. energy, water, health")
	f.StringVar(&o.Country, "country", "", "ISO 3166-1 alpha-2 country code")
	f.StringVar(&o.Policy.Mode, "notify", "", "notification mode: immediate, daily or weekly")
	f.StringVar(&o.Policy.MinSeverity, "min-severity", "", "lowest severity that notifies")
	return cmd
}

func (a *cmdline) orgListCmd() *cobra.Command {
	var page keyset.Page
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List organisations",
		Args:  usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			orgs, err := s.OrgList(ctx, tenant.Operator(), page)
			if err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(orgs)
			}
			w := a.table()
			fmt.Fprintln(w, "ID\tNAME\tSECTOR\tCOUNTRY\tLANGUAGES")
			for _, o := range orgs {
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", o.ID, o.Name, o.Sector, o.Country, strings.Join(o.Languages, ","))
			}
			return w.Flush()
		},
	}
	pageFlags(cmd, &page)
	return cmd
}

func (a *cmdline) orgShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show ORG",
		Short: "Show an organisation (by id or name) with its contacts, assets and devices",
		Args:  usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, id, err := a.storeOrg(ctx, args[0])
			if err != nil {
				return err
			}
			o, err := s.OrgGet(ctx, tenant.Operator(), id)
			if err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(o)
			}
			w := a.table()
			fmt.Fprintf(w, "Organisation %d\t%s\n", o.ID, o.Name)
			fmt.Fprintf(w, "Sector\t%s\nCountry\t%s\nLanguages\t%s\n", o.Sector, o.Country, strings.Join(o.Languages, ", "))
			fmt.Fprintf(w, "Policy\tmode=%s min_severity=%s\n", def(o.Policy.Mode, "default"), def(o.Policy.MinSeverity, "default"))
			for _, c := range o.Contacts {
				fmt.Fprintf(w, "Contact %d\t%s %s %s %s\n", c.ID, c.Role, c.Email, c.Phone, c.Lang)
			}
			for _, as := range o.Assets {
				v := "unverified"
				if as.Verified() {
					v = "verified by " + as.VerifyMethod
				}
				fmt.Fprintf(w, "Asset %d\t%s %s (%s)\n", as.ID, as.Kind, as.Value, v)
			}
			for _, d := range o.Devices {
				fmt.Fprintf(w, "Device %d\t%s %s %s\n", d.ID, d.Vendor, d.Model, d.Firmware)
			}
			return w.Flush()
		},
	}
}

func def(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func (a *cmdline) orgDeleteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "delete ORG",
		Short: "Delete an organisation and everything it registered",
		Args:  usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, id, err := a.storeOrg(ctx, args[0])
			if err != nil {
				return err
			}
			if err := s.OrgDelete(ctx, tenant.Operator(), id); err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(map[string]any{"deleted": id})
			}
			_, err = fmt.Fprintf(a.stdout, "deleted organisation %d\n", id)
			return err
		},
	}
}

// importResult is what `org import` reports.
type importResult struct {
	File          string          `json:"file"`
	Organisations int             `json:"organisations"`
	Assets        int             `json:"assets"`
	Refused       []errs.RowError `json:"refused"`
	Seconds       float64         `json:"seconds"`
	Imported      bool            `json:"imported"`
}

func (a *cmdline) orgImportCmd() *cobra.Command {
	var skipInvalid bool
	var format string
	cmd := &cobra.Command{
		Use:   "import FILE|-",
		Short: "Import organisations from CSV or JSON in one transaction",
		Long: `Import organisations from a CSV file (columns: ` + strings.Join(registry.CSVColumns, ",") + `;
multi-valued cells separated by ";") or a JSON array (the export form).
All or nothing by default: one bad row imports nothing and names the row.
With --skip-invalid the good rows are imported and the bad ones reported.`,
		Args: usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			start := time.Now()
			name := args[0]
			var r io.Reader = a.stdin
			if name != "-" {
				f, err := os.Open(name)
				if err != nil {
					return errs.Field("file", name, err.Error())
				}
				defer f.Close()
				r = f
			}
			br := bufio.NewReaderSize(r, 1<<16)
			if format == "" {
				format = sniffFormat(name, br)
			}
			var (
				orgs []registry.Org
				bad  []errs.RowError
				err  error
			)
			switch format {
			case "csv":
				orgs, bad, err = registry.ParseCSV(br, filepath.Base(name))
			case "json":
				orgs, bad, err = registry.ParseJSON(br, filepath.Base(name))
			default:
				return errs.Field("format", format, "must be csv or json")
			}
			if err != nil {
				return &errs.Error{Code: errs.Invalid, Message: err.Error()}
			}
			res := importResult{File: name, Refused: bad}
			if res.Refused == nil {
				res.Refused = []errs.RowError{}
			}
			if len(bad) == 0 || skipInvalid {
				s, err := a.store(ctx)
				if err != nil {
					return err
				}
				res.Organisations, res.Assets, err = s.OrgImport(ctx, tenant.Operator(), orgs)
				if err != nil {
					return fmt.Errorf("import %s: nothing imported: %w", name, err)
				}
				res.Imported = true
			}
			res.Seconds = time.Since(start).Seconds()
			if a.asJSON {
				if err := a.printJSON(res); err != nil {
					return err
				}
			} else {
				for _, b := range bad {
					fmt.Fprintf(a.stderr, "%s\n", b.Error())
				}
				if res.Imported {
					fmt.Fprintf(a.stdout, "imported %d organisations with %d assets in %.2fs", res.Organisations, res.Assets, res.Seconds)
					if len(bad) > 0 {
						fmt.Fprintf(a.stdout, "; skipped %d invalid rows", len(bad))
					}
					fmt.Fprintln(a.stdout)
				}
			}
			if !res.Imported {
				if !a.asJSON {
					fmt.Fprintf(a.stderr, "vigil: %d invalid rows; nothing imported (use --skip-invalid to import the good rows)\n", len(bad))
				}
				return silentError{code: 2}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&skipInvalid, "skip-invalid", false, "import the valid rows and report the others")
	cmd.Flags().StringVar(&format, "format", "", "csv or json (default: from the file name or content)")
	return cmd
}

func sniffFormat(name string, br *bufio.Reader) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return "csv"
	case ".json":
		return "json"
	}
	b, _ := br.Peek(512)
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '[':
			return "json"
		default:
			return "csv"
		}
	}
	return "csv"
}

func (a *cmdline) orgExportCmd() *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export all organisations with contacts, assets and devices",
		Args:  usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			orgs, err := s.OrgListAll(ctx, tenant.Operator())
			if err != nil {
				return err
			}
			w := a.stdout
			if out != "" && out != "-" {
				f, err := os.Create(out)
				if err != nil {
					return errs.Field("output", out, err.Error())
				}
				defer f.Close()
				w = f
			}
			switch format {
			case "csv":
				return registry.WriteCSV(w, orgs)
			case "json":
				if orgs == nil {
					orgs = []registry.Org{}
				}
				prev := a.stdout
				a.stdout = w
				defer func() { a.stdout = prev }()
				return a.printJSON(orgs)
			}
			return errs.Field("format", format, "must be csv or json")
		},
	}
	cmd.Flags().StringVar(&format, "format", "json", "csv or json")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	return cmd
}
