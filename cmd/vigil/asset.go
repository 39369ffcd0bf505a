// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"vigil/internal/app"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/tenant"
)

func (a *cmdline) assetCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "asset", Short: "Manage organisations' IP ranges, ASNs and domains"}
	cmd.AddCommand(a.assetAddCmd(), a.assetListCmd(), a.childDeleteCmd("asset", "Remove an asset from an organisation", (*store.Store).AssetDelete), a.assetOverlapsCmd(), a.assetVerifyCmd(), a.assetTokenCmd())
	return cmd
}

func (a *cmdline) assetAddCmd() *cobra.Command {
	var kind string
	cmd := a.orgCommand("add ORG VALUE", "Add an IP range/address, ASN or domain to an organisation", 2, func(ctx context.Context, x *app.App, org int64, args []string) error {
		as := registry.Asset{OrgID: org, Kind: registry.AssetKind(kind), Value: args[1]}
		if err := x.Store().AssetCreate(ctx, tenant.Operator(), &as); err != nil {
			return err
		}
		return a.print(as, func() error { return a.line(as.ID) })
	})
	cmd.Flags().StringVar(&kind, "kind", "", "cidr, asn or domain (default: guessed from the value)")
	return cmd
}

func (a *cmdline) assetListCmd() *cobra.Command {
	var f registry.AssetFilter
	var org, kind string
	cmd := a.command("list", "List assets", 0, func(ctx context.Context, x *app.App, _ []string) error {
		sc, err := orgScope(ctx, x, org)
		if err != nil {
			return err
		}
		f.Kind = registry.AssetKind(kind)
		as, err := x.Store().AssetList(ctx, sc, f)
		return list(a, as, err, "ID\tORG\tKIND\tVALUE\tVERIFIED", "%d\t%d\t%s\t%s\t%s\n", func(x registry.Asset) []any {
			return []any{x.ID, x.OrgID, x.Kind, x.Value, def(x.VerifyMethod, "no")}
		})
	})
	cmd.Flags().StringVar(&org, "org", "", "only this organisation (id or name)")
	cmd.Flags().StringVar(&kind, "kind", "", "only this kind: cidr, asn or domain")
	pageFlags(cmd, &f.Page)
	return cmd
}

func (a *cmdline) assetOverlapsCmd() *cobra.Command {
	return a.command("overlaps", "Report IP ranges registered by more than one organisation (nested or identical)", 0, func(ctx context.Context, x *app.App, _ []string) error {
		as, err := x.Store().AssetAll(ctx, tenant.Operator(), registry.KindCIDR)
		if err != nil {
			return err
		}
		ov := registry.Overlaps(as)
		if ov == nil {
			ov = []registry.Overlap{}
		}
		return list(a, ov, nil, "OUTER\tORG\tINNER\tORG\tIDENTICAL", "%s\t%d\t%s\t%d\t%v\n", func(o registry.Overlap) []any {
			return []any{o.Outer.Value, o.Outer.OrgID, o.Inner.Value, o.Inner.OrgID, o.Identical}
		})
	})
}

func (a *cmdline) assetVerifyCmd() *cobra.Command {
	var manual bool
	cmd := a.command("verify ORG ASSET-ID", "Check the organisation's ownership token in DNS or on its web site (or, with --manual, record an analyst's check)", 2,
		func(ctx context.Context, x *app.App, args []string) error {
			org, err := x.OrgID(ctx, args[0])
			if err != nil {
				return err
			}
			id, err := parseID("asset", args[1])
			if err != nil {
				return err
			}
			as, method, err := x.VerifyAsset(ctx, org, id, manual)
			if err != nil {
				return err
			}
			return a.print(map[string]any{"asset": id, "verified": true, "method": method},
				func() error { return a.printf("asset %d (%s) verified by %s\n", id, as.Value, method) })
		})
	cmd.Long = `Ownership is proven by publishing the organisation's token (see "vigil asset token ORG"):
  DNS TXT  _vigil-verify.<domain>            "vigil-verify=TOKEN"
  DNS TXT  _vigil-verify.<reverse zone>      "vigil-verify=TOKEN"   (IP ranges)
  HTTPS    https://<domain>/.well-known/vigil-verify.txt containing TOKEN
ASNs are verified by an analyst (--manual) after contacting the holder in the RIR's records.`
	cmd.Flags().BoolVar(&manual, "manual", false, "record that an analyst verified ownership out of band")
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
