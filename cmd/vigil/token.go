// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"vigil/internal/auth"
	"vigil/internal/tenant"
)

func (a *cmdline) tokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Manage API tokens"}
	cmd.AddCommand(a.tokenCreateCmd(), a.tokenRevokeCmd())
	return cmd
}

func (a *cmdline) tokenCreateCmd() *cobra.Command {
	var org, name, scopes string
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create an API token (prints the secret once)",
		Long: `Create an API token. With --org the token belongs to that organisation and sees only
its data (scopes read, write). Without --org it is an operator token (scope admin) that sees all.`,
		Args: usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			t := auth.Token{Name: name}
			if org != "" {
				if t.OrgID, err = a.orgID(ctx, s, org); err != nil {
					return err
				}
				if _, err := s.OrgVerifyToken(ctx, tenant.Operator(), t.OrgID); err != nil {
					return err
				}
			}
			if scopes == "" {
				scopes = "read"
				if org == "" {
					scopes = "admin"
				}
			}
			if t.Scopes, err = auth.ParseScopes(scopes); err != nil {
				return err
			}
			secret, err := s.TokenCreate(ctx, tenant.Operator(), &t)
			if err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(map[string]any{"token": t, "secret": secret})
			}
			_, err = fmt.Fprintln(a.stdout, secret)
			return err
		},
	}
	cmd.Flags().StringVar(&org, "org", "", "the organisation (id or name); omit for an operator token")
	cmd.Flags().StringVar(&name, "name", "", "a label for the token")
	cmd.Flags().StringVar(&scopes, "scopes", "", "comma-separated: read, write, admin (default read; admin without --org)")
	return cmd
}

func (a *cmdline) tokenRevokeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "revoke TOKEN-ID",
		Short: "Revoke an API token",
		Args:  usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			id, err := parseID("token", args[0])
			if err != nil {
				return err
			}
			if err := s.TokenRevoke(ctx, tenant.Operator(), id); err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(map[string]any{"revoked": id})
			}
			_, err = fmt.Fprintf(a.stdout, "revoked token %d\n", id)
			return err
		},
	}
}
