// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"vigil/internal/account"
	"vigil/internal/errs"
)

func (a *cmdline) userCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage portal accounts"}
	cmd.AddCommand(a.userAddCmd(), a.userListCmd(), a.userPasswdCmd())
	return cmd
}

// accounts opens the store and returns the account service on it.
func (a *cmdline) accounts(ctx context.Context) (*account.Service, error) {
	s, err := a.store(ctx)
	if err != nil {
		return nil, err
	}
	return &account.Service{Store: s, Now: s.Now, Issuer: "vigil"}, nil
}

// password reads a password from the first line of standard input, or
// makes one when generate is set; the second result says it was made.
func (a *cmdline) password(fromStdin bool) (string, bool, error) {
	if !fromStdin {
		return account.NewToken(15), true, nil
	}
	line, err := bufio.NewReader(a.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", false, errs.Field("password", "", "--password-stdin: standard input is empty")
	}
	return strings.TrimRight(line, "\r\n"), false, nil
}

func (a *cmdline) userAddCmd() *cobra.Command {
	var name, role, lang string
	var orgs []string
	var stdinPW bool
	cmd := &cobra.Command{
		Use:   "add EMAIL",
		Short: "Create a portal account (prints a generated password once)",
		Long: `Create a portal account. --role admin or analyst makes a staff account (a TOTP second
factor is enrolled at the first sign-in); --org ORG[:maker] (repeatable) makes the user a member, or
maker/lab, of organisations given by id or name. The password is read from standard input with
--password-stdin, otherwise generated and printed once.`,
		Args: usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			svc, err := a.accounts(ctx)
			if err != nil {
				return err
			}
			r, err := account.ParseStaffRole(role)
			if err != nil {
				return err
			}
			n := account.NewUser{Email: args[0], Name: name, Lang: lang, Role: r}
			for _, o := range orgs {
				ref, or, _ := strings.Cut(o, ":")
				m := account.Membership{}
				if m.Role, err = account.ParseOrgRole(or); err != nil {
					return err
				}
				if m.OrgID, err = a.orgID(ctx, nil, ref); err != nil {
					return err
				}
				n.Orgs = append(n.Orgs, m)
			}
			pw, made, err := a.password(stdinPW)
			if err != nil {
				return err
			}
			n.Password = pw
			u, err := svc.Create(ctx, n)
			if err != nil {
				return err
			}
			if a.asJSON {
				out := map[string]any{"user": u}
				if made {
					out["password"] = pw
				}
				return a.printJSON(out)
			}
			fmt.Fprintf(a.stdout, "created user %d %s\n", u.ID, u.Email)
			if made {
				fmt.Fprintf(a.stdout, "password: %s\n", pw)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the person's name")
	cmd.Flags().StringVar(&role, "role", "", "staff role: admin or analyst")
	cmd.Flags().StringVar(&lang, "lang", "", "interface language: nl or en (default: the browser's)")
	cmd.Flags().StringArrayVar(&orgs, "org", nil, "organisation (id or name) the user acts for, optionally :maker")
	cmd.Flags().BoolVar(&stdinPW, "password-stdin", false, "read the password from standard input")
	return cmd
}

func (a *cmdline) userListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List portal accounts",
		Args:  usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			us, err := s.UserList(ctx)
			if err != nil {
				return err
			}
			if a.asJSON {
				if us == nil {
					us = []account.User{}
				}
				return a.printJSON(us)
			}
			w := a.table()
			fmt.Fprintln(w, "ID\tEMAIL\tROLE\tORGANISATIONS\tTOTP\tLAST LOGIN")
			for _, u := range us {
				var ms []string
				for _, m := range u.Memberships {
					ms = append(ms, fmt.Sprintf("%s (%s)", m.OrgName, m.Role))
				}
				last := "-"
				if u.LastLogin != nil {
					last = u.LastLogin.Format("2006-01-02 15:04")
				}
				role := string(u.Role)
				if role == "" {
					role = "-"
				}
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%v\t%s\n", u.ID, u.Email, role, strings.Join(ms, ", "), u.TOTP, last)
			}
			return w.Flush()
		},
	}
}

func (a *cmdline) userPasswdCmd() *cobra.Command {
	var stdinPW bool
	cmd := &cobra.Command{
		Use:   "passwd EMAIL",
		Short: "Set an account's password (ends its sessions and lifts a lockout)",
		Args:  usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			svc, err := a.accounts(ctx)
			if err != nil {
				return err
			}
			email, err := account.NormalizeEmail(args[0])
			if err != nil {
				return err
			}
			c, err := svc.Store.UserCredentials(ctx, email)
			if err != nil {
				return err
			}
			pw, made, err := a.password(stdinPW)
			if err != nil {
				return err
			}
			if err := svc.SetPassword(ctx, c.User.ID, pw, 0); err != nil {
				return err
			}
			if a.asJSON {
				out := map[string]any{"user": c.User.ID}
				if made {
					out["password"] = pw
				}
				return a.printJSON(out)
			}
			fmt.Fprintf(a.stdout, "password of %s changed\n", email)
			if made {
				fmt.Fprintf(a.stdout, "password: %s\n", pw)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&stdinPW, "password-stdin", false, "read the password from standard input")
	return cmd
}
