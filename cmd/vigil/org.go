// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"vigil/internal/app"
	"vigil/internal/auth"
	"vigil/internal/clikit"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/registry"
	"vigil/internal/tenant"
)

func (a *cmdline) orgCmd() *cobra.Command {
	cmd := group("org", "Manage registered organisations", a.orgAddCmd(), a.orgListCmd(), a.orgShowCmd(), a.orgDeleteCmd(), a.orgImportCmd(), a.orgExportCmd())
	for _, r := range app.OrgCommands() {
		cmd.AddCommand(a.dataCommand(r))
	}
	return cmd
}

func (a *cmdline) orgAddCmd() *cobra.Command {
	var n app.NewOrg
	cmd := a.command("add NAME", "Register an organisation (prints its id)", 1, func(ctx context.Context, x *app.App, args []string) error {
		n.Name = args[0]
		o, err := x.CreateOrg(ctx, n)
		return a.show(o, err, func() error { return a.line(o.ID) })
	})
	f := cmd.Flags()
	f.StringArrayVar(&n.Domains, "domain", nil, "a domain the organisation owns (repeatable)")
	f.StringArrayVar(&n.CIDRs, "cidr", nil, "an IP range or address (repeatable)")
	f.StringArrayVar(&n.ASNs, "asn", nil, "an AS number (repeatable)")
	f.StringArrayVar(&n.Emails, "email", nil, "a security contact's e-mail address (repeatable)")
	f.StringSliceVar(&n.Languages, "lang", nil, "preferred languages, e.g. nl or en (repeatable, preferred first)")
	f.StringVar(&n.Sector, "sector", "", "sector, e.g. energy, water, health")
	f.StringVar(&n.Country, "country", "", "ISO 3166-1 alpha-2 country code")
	f.StringVar(&n.Policy.Mode, "notify", "", "notification mode: immediate, daily or weekly")
	f.StringVar(&n.Policy.MinSeverity, "min-severity", "", "lowest severity that notifies")
	return cmd
}

func (a *cmdline) orgListCmd() *cobra.Command {
	var page keyset.Page
	cmd := a.command("list", "List organisations", 0, func(ctx context.Context, x *app.App, _ []string) error {
		a.total = func() (int, error) { return x.Store().OrgCount(ctx, tenant.Operator()) }
		return pages(a, &page, func() ([]registry.Org, error) { return x.Store().OrgList(ctx, tenant.Operator(), page) }, func(o registry.Org) int64 { return o.ID }, "ID\tNAME\tSECTOR\tCOUNTRY\tLANGUAGES", "%d\t%s\t%s\t%s\t%s\n", func(o registry.Org) []any {
			return []any{o.ID, o.Name, o.Sector, o.Country, strings.Join(o.Languages, ",")}
		})
	})
	a.pageFlags(cmd, &page)
	return cmd
}

func (a *cmdline) orgShowCmd() *cobra.Command {
	return a.orgCommand("show ORG", "Show an organisation (by id or name) with its contacts, assets and devices", 1, func(ctx context.Context, x *app.App, id int64, args []string) error {
		o, err := x.Store().OrgGet(ctx, tenant.Operator(), id)
		return a.show(o, err, func() error { return o.WriteText(a.stdout) })
	})
}

func def(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func (a *cmdline) orgDeleteCmd() *cobra.Command {
	return a.orgCommand("delete ORG", "Delete an organisation and everything it registered", 1, func(ctx context.Context, x *app.App, id int64, args []string) error {
		if err := x.DeleteOrg(ctx, tenant.Operator(), id); err != nil {
			return err
		}
		return a.print(map[string]any{"deleted": id}, func() error { return a.printf("deleted organisation %d\n", id) })
	})
}

func (a *cmdline) orgImportCmd() *cobra.Command {
	var opt app.ImportOptions
	cmd := a.command("import FILE|-", "Import organisations from CSV or JSON in one transaction", 1, func(ctx context.Context, x *app.App, args []string) error {
		r, _, done, err := a.input(args[0])
		if err != nil {
			return err
		}
		defer done()
		opt.Progress = clikit.Progress(ctx, a.stderr, false, a.asJSON)
		res, err := x.ImportOrgs(ctx, r, args[0], opt)
		if err != nil {
			return err
		}
		if a.asJSON {
			if err := a.printJSON(res); err != nil {
				return err
			}
		} else {
			a.rowErrors(res.Refused)
			if res.Imported {
				fmt.Fprintln(a.stdout, res.Summary())
			} else {
				fmt.Fprintf(a.stderr, "vigil: %s; nothing imported (--skip-invalid imports the good rows)\n", clikit.Plural(len(res.Refused), "invalid row", "invalid rows"))
			}
		}
		switch {
		case res.Imported:
			return nil
		case res.Conflicts == len(res.Refused):
			return silentError{Code: 4}
		}
		return silentError{Code: 2}
	})
	cmd.Long = `Import organisations from a CSV file (columns: ` + strings.Join(registry.CSVColumns, ",") + `;
multi-valued cells separated by ";") or a JSON array (the export form).
All or nothing by default: one bad row imports nothing and names the row
(file:line), a name given twice or the name of an organisation that exists too
(exit 4 when only those). With --skip-invalid the good rows are imported and the
bad ones reported. With --upsert an organisation that exists (by name) gets the
sector, country and languages of the file (an empty cell leaves it) and the assets,
contacts and devices it lacks; nothing is removed, and a file imported before
changes nothing and says so.`
	cmd.Flags().BoolVar(&opt.SkipInvalid, "skip-invalid", false, "import the valid rows and report the others")
	cmd.Flags().BoolVar(&opt.Upsert, "upsert", false, "update organisations that exist (by name) instead of refusing them")
	cmd.Flags().StringVar(&opt.Format, "format", "", "csv or json (default: from the file name or content)")
	return cmd
}

func (a *cmdline) orgExportCmd() *cobra.Command {
	var format, out string
	cmd := a.command("export", "Export all organisations with contacts, assets and devices", 0, func(ctx context.Context, x *app.App, _ []string) error {
		exp, err := x.ExportOrgs(ctx, tenant.Operator(), format)
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
		return exp.Write(w)
	})
	cmd.Flags().StringVar(&format, "format", "json", "csv or json")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	return cmd
}

func (a *cmdline) tokenCmd() *cobra.Command {
	return group("token", "Manage API tokens", a.tokenCreateCmd(), a.tokenListCmd(), a.tokenRevokeCmd())
}

func (a *cmdline) tokenListCmd() *cobra.Command {
	var p keyset.Page
	var org string
	cmd := a.command("list", "List API tokens: id, organisation, name, scopes, created, expires, last used, revoked (never a secret)", 0, func(ctx context.Context, x *app.App, _ []string) error {
		sc, err := x.OrgScope(ctx, org)
		if err != nil {
			return err
		}
		return pages(a, &p, func() ([]auth.Token, error) { return x.Store().TokenList(ctx, sc, p) }, func(t auth.Token) int64 { return t.ID },
			auth.TokenColumns, auth.TokenRowFormat, auth.Token.Row)
	})
	cmd.Flags().StringVar(&org, "org", "", "only this organisation's tokens (id or name)")
	a.pageFlags(cmd, &p)
	return cmd
}

func (a *cmdline) tokenCreateCmd() *cobra.Command {
	var org, name, scopes, by, expires string
	cmd := a.command("create", "Create an API token (prints the secret once)", 0, func(ctx context.Context, x *app.App, _ []string) error {
		var id int64
		if org != "" {
			var err error
			if id, err = x.OrgID(ctx, org); err != nil {
				return err
			}
		}
		t, secret, err := x.CreateToken(ctx, id, name, scopes, by, expires)
		if err != nil {
			return err
		}
		return a.print(map[string]any{"token": t, "secret": secret}, func() error {
			fmt.Fprintf(a.stderr, "token %d: the secret below is shown only now (scopes %s, expires %s; revoke with vigil token revoke %d)\n", t.ID, auth.FormatScopes(t.Scopes), t.Expires(), t.ID)
			return a.line(secret)
		})
	})
	cmd.Long = `Create an API token. With --org the token belongs to that organisation and sees only
its data (scopes read, write). Without --org it is an operator token that sees all, with one scope:
read (GET routes only), operate (also the analyst's actions) or admin (also accounts, tokens, settings).`
	cmd.Flags().StringVar(&org, "org", "", "the organisation (id or name); omit for an operator token")
	cmd.Flags().StringVar(&name, "name", "", "a label for the token")
	cmd.Flags().StringVar(&scopes, "scopes", "", "comma-separated: read, write (with --org); read, operate or admin (default read; admin without --org)")
	cmd.Flags().StringVar(&expires, "expires", "90d", "days until the token expires (30d, 365d…) or never")
	cmd.Flags().StringVar(&by, "by", "", "e-mail address of the account the token belongs to (shown on the tokens page)")
	return cmd
}

func (a *cmdline) tokenRevokeCmd() *cobra.Command {
	return a.command("revoke TOKEN-ID", "Revoke an API token", 1, func(ctx context.Context, x *app.App, args []string) error {
		id, err := parseID("token", args[0])
		if err != nil {
			return err
		}
		if err := x.RevokeToken(ctx, tenant.Operator(), id); err != nil {
			return err
		}
		return a.print(map[string]any{"revoked": id}, func() error { return a.printf("revoked token %d\n", id) })
	})
}

func (a *cmdline) assetCmd() *cobra.Command {
	return group("asset", "Manage organisations' IP ranges, ASNs and domains", a.assetAddCmd(), a.assetListCmd(),
		a.childDeleteCmd("asset", "Remove an asset from an organisation", (*app.App).DeleteAsset), a.assetOverlapsCmd(), a.assetVerifyCmd(), a.assetTokenCmd())
}

func (a *cmdline) assetAddCmd() *cobra.Command {
	var kind string
	cmd := a.orgCommand("add ORG VALUE", "Add an IP range/address, ASN or domain to an organisation", 2, func(ctx context.Context, x *app.App, org int64, args []string) error {
		as, err := x.AddAsset(ctx, tenant.Operator(), registry.Asset{OrgID: org, Kind: registry.AssetKind(kind), Value: args[1]})
		return a.show(as, err, func() error { return a.line(as.ID) })
	})
	cmd.Flags().StringVar(&kind, "kind", "", "cidr, asn or domain (default: guessed from the value)")
	return cmd
}

func (a *cmdline) assetListCmd() *cobra.Command {
	var f registry.AssetFilter
	var org, kind string
	cmd := a.command("list", "List assets", 0, func(ctx context.Context, x *app.App, _ []string) error {
		sc, err := x.OrgScope(ctx, org)
		if err != nil {
			return err
		}
		f.Kind = registry.AssetKind(kind)
		org := x.OrgNamer(ctx)
		return pages(a, &f.Page, func() ([]registry.Asset, error) { return x.Store().AssetList(ctx, sc, f) }, func(x registry.Asset) int64 { return x.ID }, "ID\tORG\tKIND\tVALUE\tVERIFIED", "%d\t%s\t%s\t%s\t%s\n", func(x registry.Asset) []any {
			return []any{x.ID, org(x.OrgID), x.Kind, x.Value, def(x.VerifyMethod, "no")}
		})
	})
	cmd.Flags().StringVar(&org, "org", "", "only this organisation (id or name)")
	cmd.Flags().StringVar(&kind, "kind", "", "only this kind: cidr, asn or domain")
	a.pageFlags(cmd, &f.Page)
	return cmd
}

func (a *cmdline) assetOverlapsCmd() *cobra.Command {
	return a.command("overlaps", "Report IP ranges registered by more than one organisation (nested or identical)", 0, func(ctx context.Context, x *app.App, _ []string) error {
		ov, err := x.Overlaps(ctx, tenant.Operator())
		org := x.OrgNamer(ctx)
		return list(a, ov, err, "OUTER\tORG\tINNER\tORG\tIDENTICAL", "%s\t%s\t%s\t%s\t%v\n", func(o registry.Overlap) []any {
			return []any{o.Outer.Value, org(o.Outer.OrgID), o.Inner.Value, org(o.Inner.OrgID), o.Identical}
		})
	})
}

func (a *cmdline) assetVerifyCmd() *cobra.Command {
	var manual string
	cmd := a.orgCommand("verify ORG ASSET-ID", "Check the organisation's ownership token in DNS or on its web site (or, with --manual HOW, record an analyst's check)", 2,
		func(ctx context.Context, x *app.App, org int64, args []string) error {
			id, err := parseID("asset", args[1])
			if err != nil {
				return err
			}
			p, err := x.ProveAsset(ctx, org, id, manual)
			if err != nil {
				return err
			}
			return a.print(map[string]any{"asset": id, "verified": true, "method": p.Method, "approved": p.Approved},
				func() error { return a.printf("asset %d (%s) verified by %s\n", id, p.Asset.Value, p.Method) })
		})
	cmd.Long = `Ownership is proven by publishing the organisation's token (see "vigil asset token ORG"):
  DNS TXT  _vigil-verify.<domain>            "vigil-verify=TOKEN"
  DNS TXT  _vigil-verify.<reverse zone>      "vigil-verify=TOKEN"   (IP ranges)
  HTTPS    https://<domain>/.well-known/vigil-verify.txt containing TOKEN
ASNs are verified by an analyst (--manual HOW) after contacting the holder in the RIR's records.
A proof approves an organisation waiting for approval (not a rejected one); every proof is audited.`
	cmd.Flags().StringVar(&manual, "manual", "", "record that an analyst verified ownership out of band, and how (e.g. \"RIR contact confirmed by telephone\")")
	return cmd
}

func (a *cmdline) assetTokenCmd() *cobra.Command {
	return a.orgCommand("token ORG", "Print the organisation's ownership-verification token and where to publish it", 1, func(ctx context.Context, x *app.App, org int64, args []string) error {
		t, err := x.OwnershipToken(ctx, org)
		return a.show(t, err, func() error {
			fmt.Fprintf(a.stdout, "token: %s\nTXT record value: %s\n", t.Token, t.Record)
			for _, w := range t.PublishAt {
				fmt.Fprintf(a.stdout, "  %s: TXT %s\n", w.Asset, w.TXT)
			}
			return nil
		})
	})
}

func (a *cmdline) deviceCmd() *cobra.Command {
	return group("device", "Manage organisations' devices", a.deviceAddCmd(), a.deviceListCmd(), a.childDeleteCmd("device", "Remove a device", (*app.App).DeleteDevice), a.deviceSBOMCmd())
}

func (a *cmdline) deviceAddCmd() *cobra.Command {
	var d registry.Device
	var asset int64
	cmd := a.command("add ORG", "Register a device (needs --vendor and --model)", 1, func(ctx context.Context, x *app.App, args []string) error {
		var err error
		if d.OrgID, err = x.OrgID(ctx, args[0]); err != nil {
			return err
		}
		if asset != 0 {
			d.AssetID = &asset
		}
		d, err := x.AddDevice(ctx, tenant.Operator(), d)
		return a.show(d, err, func() error { return a.line(d.ID) })
	})
	f := cmd.Flags()
	f.StringVar(&d.Vendor, "vendor", "", "manufacturer")
	f.StringVar(&d.Model, "model", "", "model name or number")
	f.StringVar(&d.Firmware, "firmware", "", "firmware version")
	f.StringVar(&d.CPE, "cpe", "", "CPE 2.3 name")
	f.StringVar(&d.PURL, "purl", "", "package URL")
	f.StringVar(&d.Serial, "serial", "", "serial number")
	f.StringVar(&d.Location, "location", "", "where the device is")
	f.Int64Var(&asset, "asset", 0, "id of the organisation's asset (IP/range) the device sits at")
	return cmd
}

func (a *cmdline) deviceListCmd() *cobra.Command {
	var page keyset.Page
	var org string
	cmd := a.command("list", "List devices", 0, func(ctx context.Context, x *app.App, _ []string) error {
		sc, err := x.OrgScope(ctx, org)
		if err != nil {
			return err
		}
		org := x.OrgNamer(ctx)
		return pages(a, &page, func() ([]registry.Device, error) { return x.Store().DeviceList(ctx, sc, page) }, func(d registry.Device) int64 { return d.ID }, "ID\tORG\tVENDOR\tMODEL\tFIRMWARE\tCPE", "%d\t%s\t%s\t%s\t%s\t%s\n", func(d registry.Device) []any {
			return []any{d.ID, org(d.OrgID), d.Vendor, d.Model, d.Firmware, d.CPE}
		})
	})
	cmd.Flags().StringVar(&org, "org", "", "only this organisation (id or name)")
	a.pageFlags(cmd, &page)
	return cmd
}
