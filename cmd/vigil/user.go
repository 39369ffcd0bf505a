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
	"vigil/internal/app"
	"vigil/internal/errs"
)

func (a *cmdline) userCmd() *cobra.Command {
	return group("user", "Manage portal accounts", a.userAddCmd(), a.userListCmd(), a.userPasswdCmd())
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

// printPassword prints what a command did to a user, and the password when
// it was made.
func (a *cmdline) printPassword(out map[string]any, pw string, made bool, text string) error {
	if made {
		out["password"] = pw
	}
	return a.print(out, func() error {
		a.line(text)
		if made {
			return a.printf("password: %s\n", pw)
		}
		return nil
	})
}

func (a *cmdline) userAddCmd() *cobra.Command {
	var name, role, lang string
	var orgs []string
	var stdinPW bool
	cmd := a.command("add EMAIL", "Create a portal account (prints a generated password once)", 1, func(ctx context.Context, x *app.App, args []string) error {
		r, err := account.ParseStaffRole(role)
		if err != nil {
			return err
		}
		pw, made, err := a.password(stdinPW)
		if err != nil {
			return err
		}
		u, err := x.CreateUser(ctx, account.NewUser{Email: args[0], Name: name, Lang: lang, Role: r, Password: pw}, orgs)
		if err != nil {
			return err
		}
		return a.printPassword(map[string]any{"user": u}, pw, made, fmt.Sprintf("created user %d %s", u.ID, u.Email))
	})
	cmd.Long = `Create a portal account. --role admin or analyst makes a staff account (a TOTP second
factor is enrolled at the first sign-in); --org ORG[:maker] (repeatable) makes the user a member, or
maker/lab, of organisations given by id or name. The password is read from standard input with
--password-stdin, otherwise generated and printed once.`
	cmd.Flags().StringVar(&name, "name", "", "the person's name")
	cmd.Flags().StringVar(&role, "role", "", "staff role: admin or analyst")
	cmd.Flags().StringVar(&lang, "lang", "", "interface language: nl or en (default: the browser's)")
	cmd.Flags().StringArrayVar(&orgs, "org", nil, "organisation (id or name) the user acts for, optionally :maker")
	cmd.Flags().BoolVar(&stdinPW, "password-stdin", false, "read the password from standard input")
	return cmd
}

func (a *cmdline) userListCmd() *cobra.Command {
	return a.command("list", "List portal accounts", 0, func(ctx context.Context, x *app.App, _ []string) error {
		us, err := x.Store().UserList(ctx)
		if err != nil {
			return err
		}
		if us == nil {
			us = []account.User{}
		}
		return list(a, us, nil, "ID\tEMAIL\tROLE\tORGANISATIONS\tTOTP\tLAST LOGIN", "%d\t%s\t%s\t%s\t%v\t%s\n", func(u account.User) []any {
			var ms []string
			for _, m := range u.Memberships {
				ms = append(ms, fmt.Sprintf("%s (%s)", m.OrgName, m.Role))
			}
			last := "-"
			if u.LastLogin != nil {
				last = u.LastLogin.Format("2006-01-02 15:04")
			}
			return []any{u.ID, u.Email, def(string(u.Role), "-"), strings.Join(ms, ", "), u.TOTP, last}
		})
	})
}

func (a *cmdline) userPasswdCmd() *cobra.Command {
	var stdinPW bool
	cmd := a.command("passwd EMAIL", "Set an account's password (ends its sessions and lifts a lockout)", 1, func(ctx context.Context, x *app.App, args []string) error {
		pw, made, err := a.password(stdinPW)
		if err != nil {
			return err
		}
		id, err := x.SetPassword(ctx, args[0], pw)
		if err != nil {
			return err
		}
		email, _ := account.NormalizeEmail(args[0])
		return a.printPassword(map[string]any{"user": id}, pw, made, "password of "+email+" changed")
	})
	cmd.Flags().BoolVar(&stdinPW, "password-stdin", false, "read the password from standard input")
	return cmd
}
