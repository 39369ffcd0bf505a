// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"

	"github.com/spf13/cobra"

	"vigil/internal/app"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/tenant"
)

func (a *cmdline) contactCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "contact", Short: "Manage organisations' contacts"}
	cmd.AddCommand(a.contactAddCmd(), a.contactListCmd(), a.childDeleteCmd("contact", "Remove a contact", (*store.Store).ContactDelete))
	return cmd
}

func (a *cmdline) contactAddCmd() *cobra.Command {
	var c registry.Contact
	cmd := a.command("add ORG", "Add a contact (needs --email or --phone)", 1, func(ctx context.Context, x *app.App, args []string) error {
		var err error
		if c.OrgID, err = x.OrgID(ctx, args[0]); err != nil {
			return err
		}
		if err := x.Store().ContactCreate(ctx, tenant.Operator(), &c); err != nil {
			return err
		}
		return a.print(c, func() error { return a.line(c.ID) })
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
	return a.command("list ORG", "List an organisation's contacts", 1, func(ctx context.Context, x *app.App, args []string) error {
		org, err := x.OrgID(ctx, args[0])
		if err != nil {
			return err
		}
		cs, err := x.Contacts(ctx, org)
		if err != nil {
			return err
		}
		return list(a, cs, "ID\tROLE\tNAME\tEMAIL\tPHONE\tLANG\tVERIFIED", "%d\t%s\t%s\t%s\t%s\t%s\t%v\n", func(c registry.Contact) []any {
			return []any{c.ID, c.Role, c.Name, c.Email, c.Phone, c.Lang, c.Verified}
		})
	})
}
