// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"vigil/internal/account"
	"vigil/internal/app"
)

func (a *cmdline) userCmd() *cobra.Command {
	return group("user", "Manage portal accounts", a.userAddCmd(), a.userListCmd(), a.userPasswdCmd(),
		a.userChangeCmd("role EMAIL ROLE", "Set an account's role: admin, analyst, or member for none (memberships stay)", func(ctx context.Context, x *app.App, id int64, args []string) (account.User, error) {
			return x.SetUserRole(ctx, 0, id, args[1])
		}),
		a.userChangeCmd("disable EMAIL", "Disable an account: it cannot sign in, its sessions and reset links end", func(ctx context.Context, x *app.App, id int64, _ []string) (account.User, error) {
			return x.SetUserDisabled(ctx, 0, id, true)
		}),
		a.userChangeCmd("enable EMAIL", "Enable a disabled account", func(ctx context.Context, x *app.App, id int64, _ []string) (account.User, error) {
			return x.SetUserDisabled(ctx, 0, id, false)
		}),
		a.userChangeCmd("totp-reset EMAIL", "Reset a lost second factor: sessions end, a new one is enrolled at the next sign-in", func(ctx context.Context, x *app.App, id int64, _ []string) (account.User, error) {
			return x.ResetUserTOTP(ctx, 0, id)
		}))
}

// userChangeCmd is a command that changes the account named by its first
// argument and prints the account after the change.
func (a *cmdline) userChangeCmd(use, short string, change func(ctx context.Context, x *app.App, id int64, args []string) (account.User, error)) *cobra.Command {
	return a.command(use, short, strings.Count(use, " "), func(ctx context.Context, x *app.App, args []string) error {
		id, err := x.UserID(ctx, args[0])
		if err != nil {
			return err
		}
		u, err := change(ctx, x, id, args)
		if err != nil {
			return err
		}
		return a.print(map[string]any{"user": u}, func() error {
			return a.printf("user %d %s: role %s, disabled %v\n", u.ID, u.Email, def(string(u.Role), "member"), u.Disabled)
		})
	})
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
		pw, made, err := app.ReadPassword(a.stdin, stdinPW)
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
		return list(a, us, err, "ID\tEMAIL\tROLE\tORGANISATIONS\tTOTP\tLAST LOGIN\tDISABLED", "%d\t%s\t%s\t%s\t%v\t%s\t%v\n", app.UserRow)
	})
}

func (a *cmdline) userPasswdCmd() *cobra.Command {
	var stdinPW bool
	cmd := a.command("passwd EMAIL", "Set an account's password (ends its sessions and lifts a lockout)", 1, func(ctx context.Context, x *app.App, args []string) error {
		pw, made, err := app.ReadPassword(a.stdin, stdinPW)
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
