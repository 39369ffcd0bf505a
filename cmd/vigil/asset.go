// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"net"

	"github.com/spf13/cobra"

	"vigil/internal/keyset"
	"vigil/internal/netguard"
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
	cmd := &cobra.Command{
		Use:   "add ORG VALUE",
		Short: "Add an IP range/address, ASN or domain to an organisation",
		Args:  usageArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, org, err := a.storeOrg(ctx, args[0])
			if err != nil {
				return err
			}
			as := registry.Asset{OrgID: org, Kind: registry.AssetKind(kind), Value: args[1]}
			if err := s.AssetCreate(ctx, tenant.Operator(), &as); err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(as)
			}
			_, err = fmt.Fprintln(a.stdout, as.ID)
			return err
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "", "cidr, asn or domain (default: guessed from the value)")
	return cmd
}

func (a *cmdline) assetListCmd() *cobra.Command {
	var f registry.AssetFilter
	var org, kind string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List assets",
		Args:  usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			sc, err := a.orgScope(ctx, s, org)
			if err != nil {
				return err
			}
			f.Kind = registry.AssetKind(kind)
			as, err := s.AssetList(ctx, sc, f)
			if err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(as)
			}
			w := a.table()
			fmt.Fprintln(w, "ID\tORG\tKIND\tVALUE\tVERIFIED")
			for _, x := range as {
				fmt.Fprintf(w, "%d\t%d\t%s\t%s\t%s\n", x.ID, x.OrgID, x.Kind, x.Value, def(x.VerifyMethod, "no"))
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&org, "org", "", "only this organisation (id or name)")
	cmd.Flags().StringVar(&kind, "kind", "", "only this kind: cidr, asn or domain")
	pageFlags(cmd, &f.Page)
	return cmd
}

func (a *cmdline) assetOverlapsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "overlaps",
		Short: "Report IP ranges registered by more than one organisation (nested or identical)",
		Args:  usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			as, err := s.AssetAll(ctx, tenant.Operator(), registry.KindCIDR)
			if err != nil {
				return err
			}
			ov := registry.Overlaps(as)
			if a.asJSON {
				if ov == nil {
					ov = []registry.Overlap{}
				}
				return a.printJSON(ov)
			}
			w := a.table()
			fmt.Fprintln(w, "OUTER\tORG\tINNER\tORG\tIDENTICAL")
			for _, o := range ov {
				fmt.Fprintf(w, "%s\t%d\t%s\t%d\t%v\n", o.Outer.Value, o.Outer.OrgID, o.Inner.Value, o.Inner.OrgID, o.Identical)
			}
			return w.Flush()
		},
	}
}

func (a *cmdline) assetVerifyCmd() *cobra.Command {
	var manual bool
	cmd := &cobra.Command{
		Use:   "verify ORG ASSET-ID",
		Short: "Check the organisation's ownership token in DNS or on its web site (or, with --manual, record an analyst's check)",
		Long: `Ownership is proven by publishing the organisation's token (see "vigil asset token ORG"):
  DNS TXT  _vigil-verify.<domain>            "vigil-verify=TOKEN"
  DNS TXT  _vigil-verify.<reverse zone>      "vigil-verify=TOKEN"   (IP ranges)
  HTTPS    https://<domain>/.well-known/vigil-verify.txt containing TOKEN
ASNs are verified by an analyst (--manual) after contacting the holder in the RIR's records.`,
		Args: usageArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, org, err := a.storeOrg(ctx, args[0])
			if err != nil {
				return err
			}
			id, err := parseID("asset", args[1])
			if err != nil {
				return err
			}
			as, err := s.AssetGet(ctx, tenant.Org(org), id)
			if err != nil {
				return err
			}
			method := "manual"
			if !manual {
				tok, err := s.OrgVerifyToken(ctx, tenant.Operator(), org)
				if err != nil {
					return err
				}
				v := registry.Verifier{Resolver: net.DefaultResolver, HTTP: netguard.New(netguard.Options{})}
				if method, err = v.Verify(ctx, tok, as); err != nil {
					return err
				}
			}
			if err := s.AssetMarkVerified(ctx, tenant.Operator(), id, method, s.Now()); err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(map[string]any{"asset": id, "verified": true, "method": method})
			}
			_, err = fmt.Fprintf(a.stdout, "asset %d (%s) verified by %s\n", id, as.Value, method)
			return err
		},
	}
	cmd.Flags().BoolVar(&manual, "manual", false, "record that an analyst verified ownership out of band")
	return cmd
}

func (a *cmdline) assetTokenCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "token ORG",
		Short: "Print the organisation's ownership-verification token and where to publish it",
		Args:  usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, org, err := a.storeOrg(ctx, args[0])
			if err != nil {
				return err
			}
			tok, err := s.OrgVerifyToken(ctx, tenant.Operator(), org)
			if err != nil {
				return err
			}
			as, err := s.AssetList(ctx, tenant.Org(org), registry.AssetFilter{Page: keyset.Page{Limit: 1000}})
			if err != nil {
				return err
			}
			type where struct {
				Asset string `json:"asset"`
				TXT   string `json:"txt,omitempty"`
			}
			var ws []where
			for _, x := range as {
				if n, err := registry.TXTName(x); err == nil {
					ws = append(ws, where{x.Value, n})
				}
			}
			if a.asJSON {
				return a.printJSON(map[string]any{"token": tok, "record": "vigil-verify=" + tok, "publish_at": ws})
			}
			fmt.Fprintf(a.stdout, "token: %s\nTXT record value: vigil-verify=%s\n", tok, tok)
			for _, w := range ws {
				fmt.Fprintf(a.stdout, "  %s: TXT %s\n", w.Asset, w.TXT)
			}
			return nil
		},
	}
}
