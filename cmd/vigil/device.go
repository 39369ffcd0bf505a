// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"vigil/internal/keyset"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/tenant"
)

func (a *cmdline) deviceCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "device", Short: "Manage organisations' devices"}
	cmd.AddCommand(a.deviceAddCmd(), a.deviceListCmd(), a.childDeleteCmd("device", "Remove a device", (*store.Store).DeviceDelete))
	cmd.AddCommand(a.deviceSBOMCmd())
	return cmd
}

func (a *cmdline) deviceAddCmd() *cobra.Command {
	var d registry.Device
	var asset int64
	cmd := &cobra.Command{
		Use:   "add ORG",
		Short: "Register a device (needs --vendor and --model)",
		Args:  usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			if d.OrgID, err = a.orgID(ctx, s, args[0]); err != nil {
				return err
			}
			if asset != 0 {
				d.AssetID = &asset
			}
			if err := s.DeviceCreate(ctx, tenant.Operator(), &d); err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(d)
			}
			_, err = fmt.Fprintln(a.stdout, d.ID)
			return err
		},
	}
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
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List devices",
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
			ds, err := s.DeviceList(ctx, sc, page)
			if err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(ds)
			}
			w := a.table()
			fmt.Fprintln(w, "ID\tORG\tVENDOR\tMODEL\tFIRMWARE\tCPE")
			for _, d := range ds {
				fmt.Fprintf(w, "%d\t%d\t%s\t%s\t%s\t%s\n", d.ID, d.OrgID, d.Vendor, d.Model, d.Firmware, d.CPE)
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&org, "org", "", "only this organisation (id or name)")
	pageFlags(cmd, &page)
	return cmd
}
