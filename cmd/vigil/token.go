// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"

	"github.com/spf13/cobra"

	"vigil/internal/app"
	"vigil/internal/tenant"
)

func (a *cmdline) tokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage API tokens"}
	cmd.AddCommand(a.tokenCreateCmd(), a.tokenRevokeCmd())
	return cmd
}

func (a *cmdline) tokenCreateCmd() *cobra.Command {
	var org, name, scopes string
	cmd := a.command("create", "Create an API token (prints the secret once)", 0, func(ctx context.Context, x *app.App, _ []string) error {
		var id int64
		if org != "" {
			var err error
			if id, err = x.OrgID(ctx, org); err != nil {
				return err
			}
		}
		t, secret, err := x.CreateToken(ctx, id, name, scopes)
		if err != nil {
			return err
		}
		return a.print(map[string]any{"token": t, "secret": secret}, func() error { return a.line(secret) })
	})
	cmd.Long = `Create an API token. With --org the token belongs to that organisation and sees only
its data (scopes read, write). Without --org it is an operator token (scope admin) that sees all.`
	cmd.Flags().StringVar(&org, "org", "", "the organisation (id or name); omit for an operator token")
	cmd.Flags().StringVar(&name, "name", "", "a label for the token")
	cmd.Flags().StringVar(&scopes, "scopes", "", "comma-separated: read, write, admin (default read; admin without --org)")
	return cmd
}

func (a *cmdline) tokenRevokeCmd() *cobra.Command {
	return a.command("revoke TOKEN-ID", "Revoke an API token", 1, func(ctx context.Context, x *app.App, args []string) error {
		id, err := parseID("token", args[0])
		if err != nil {
			return err
		}
		if err := x.Store().TokenRevoke(ctx, tenant.Operator(), id); err != nil {
			return err
		}
		return a.print(map[string]any{"revoked": id}, func() error { return a.printf("revoked token %d\n", id) })
	})
}
