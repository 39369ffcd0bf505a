// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"

	"github.com/spf13/cobra"

	"vigil/internal/app"
	"vigil/internal/keyset"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/tenant"
)

func (a *cmdline) deviceCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "device", Short: "Manage organisations' devices"}
	cmd.AddCommand(a.deviceAddCmd(), a.deviceListCmd(), a.childDeleteCmd("device", "Remove a device", (*store.Store).DeviceDelete), a.deviceSBOMCmd())
	return cmd
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
		if err := x.Store().DeviceCreate(ctx, tenant.Operator(), &d); err != nil {
			return err
		}
		return a.print(d, func() error { return a.line(d.ID) })
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
		sc, err := orgScope(ctx, x, org)
		if err != nil {
			return err
		}
		ds, err := x.Store().DeviceList(ctx, sc, page)
		return list(a, ds, err, "ID\tORG\tVENDOR\tMODEL\tFIRMWARE\tCPE", "%d\t%d\t%s\t%s\t%s\t%s\n", func(d registry.Device) []any {
			return []any{d.ID, d.OrgID, d.Vendor, d.Model, d.Firmware, d.CPE}
		})
	})
	cmd.Flags().StringVar(&org, "org", "", "only this organisation (id or name)")
	pageFlags(cmd, &page)
	return cmd
}
