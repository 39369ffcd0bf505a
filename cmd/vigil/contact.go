// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"

	"github.com/spf13/cobra"

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
	cmd := &cobra.Command{
		Use:   "add ORG",
		Short: "Add a contact (needs --email or --phone)",
		Args:  usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			if c.OrgID, err = a.orgID(ctx, s, args[0]); err != nil {
				return err
			}
			if err := s.ContactCreate(ctx, tenant.Operator(), &c); err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(c)
			}
			_, err = fmt.Fprintln(a.stdout, c.ID)
			return err
		},
	}
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
	return &cobra.Command{
		Use:   "list ORG",
		Short: "List an organisation's contacts",
		Args:  usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, org, err := a.storeOrg(ctx, args[0])
			if err != nil {
				return err
			}
			if _, err := s.OrgVerifyToken(ctx, tenant.Operator(), org); err != nil { // existence check
				return err
			}
			cs, err := s.ContactList(ctx, tenant.Org(org))
			if err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(cs)
			}
			w := a.table()
			fmt.Fprintln(w, "ID\tROLE\tNAME\tEMAIL\tPHONE\tLANG\tVERIFIED")
			for _, c := range cs {
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%v\n", c.ID, c.Role, c.Name, c.Email, c.Phone, c.Lang, c.Verified)
			}
			return w.Flush()
		},
	}
}
