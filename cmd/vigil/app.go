// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"vigil/internal/config"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/store"
	"vigil/internal/tenant"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// app carries what every subcommand shares: flags, streams and the lazily
// opened store.
type app struct {
	// cfg is the configuration main loaded; the commands' flags are bound
	// to its fields, so after parsing it holds the command's settings.
	cfg    config.Config
	asJSON bool
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
	st     *store.Store
}

func run(ctx context.Context, cfg config.Config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	a := &app{cfg: cfg, stdin: stdin, stdout: stdout, stderr: stderr}
	a.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	defer a.close()
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	return root.ExecuteContext(ctx)
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "vigil",
		Short:         "Warn organisations about threats; rate IoT devices against ETSI EN 303 645",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&a.cfg.DB, "db", a.cfg.DB, "database: sqlite:PATH or postgres://… (env VIGIL_DB)")
	// Read by main before the tree is built (config.FileArg); declared so
	// that it parses and shows in the help.
	root.PersistentFlags().String("config", "", "configuration file (YAML; env "+config.EnvFile+"; settings in docs/CONFIGURATION.md)")
	root.PersistentFlags().BoolVar(&a.asJSON, "json", false, "print JSON")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &errs.Error{Code: errs.Invalid, Message: err.Error()}
	})
	root.AddCommand(
		a.orgCmd(), a.assetCmd(), a.withContactLookup(a.contactCmd()), a.deviceCmd(), a.tokenCmd(), a.userCmd(),
		a.ingestCmd(), a.findingsCmd(), a.triggersCmd(), a.quarantineCmd(),
		a.catalogueCmd(), a.assessCmd(), a.probeCmd(), a.labelCmd(),
		a.notifyCmd(), a.statsCmd(), a.securitytxtCmd(),
		a.serveCmd(), a.demoCmd(), a.versionCmd(), a.vulnsCmd(), a.csafCmd(),
	)
	return root
}

// store opens the database on first use.
func (a *app) store(ctx context.Context) (*store.Store, error) {
	if a.st != nil {
		return a.st, nil
	}
	s, err := store.Open(ctx, a.cfg.DB, store.Options{})
	if err != nil {
		return nil, err
	}
	a.st = s
	return s, nil
}

func (a *app) close() {
	if a.st != nil {
		a.st.Close()
		a.st = nil
	}
}

// printJSON writes v as indented JSON.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table returns a tab writer for aligned text output; call Flush.
func (a *app) table() *tabwriter.Writer {
	return tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
}

func parseID(what, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.Field(what, s, "not an id (a positive number)")
	}
	return id, nil
}

// storeOrg opens the store and resolves an organisation given by id or
// exact name, the prologue of every per-organisation command.
func (a *app) storeOrg(ctx context.Context, ref string) (*store.Store, int64, error) {
	s, err := a.store(ctx)
	if err != nil {
		return nil, 0, err
	}
	id, err := a.orgID(ctx, s, ref)
	return s, id, err
}

// orgID resolves an organisation given by id or exact name.
func (a *app) orgID(ctx context.Context, s *store.Store, ref string) (int64, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil && id > 0 {
		return id, nil
	}
	return s.OrgGetByName(ctx, tenant.Operator(), ref)
}

// orgScope is the scope of an --org filter: the organisation given by id
// or name, or every organisation (the operator's scope) when ref is empty.
func (a *app) orgScope(ctx context.Context, s *store.Store, ref string) (tenant.Scope, error) {
	if ref == "" {
		return tenant.Operator(), nil
	}
	id, err := a.orgID(ctx, s, ref)
	return tenant.Org(id), err
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if a.asJSON {
				return a.printJSON(map[string]string{"version": version})
			}
			_, err := fmt.Fprintln(a.stdout, "vigil", version)
			return err
		},
	}
}

func usageArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return errs.Errorf(errs.Invalid, "%s takes %d argument(s), got %d (usage: %s)", cmd.CommandPath(), n, len(args), cmd.UseLine())
		}
		return nil
	}
}

// pageFlags adds --limit and --after to a list command.
func pageFlags(cmd *cobra.Command, p *keyset.Page) {
	cmd.Flags().IntVar(&p.Limit, "limit", 100, "at most this many (max 1000)")
	cmd.Flags().Int64Var(&p.After, "after", 0, "only ids greater than this (paging)")
}

// childDeleteCmd is "delete ORG ID" for an object an organisation owns.
func (a *app) childDeleteCmd(what, short string, del func(*store.Store, context.Context, tenant.Scope, int64) error) *cobra.Command {
	return &cobra.Command{
		Use:   "delete ORG " + strings.ToUpper(what) + "-ID",
		Short: short,
		Args:  usageArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, org, err := a.storeOrg(ctx, args[0])
			if err != nil {
				return err
			}
			id, err := parseID(what, args[1])
			if err != nil {
				return err
			}
			if err := del(s, ctx, tenant.Org(org), id); err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(map[string]any{"deleted": id})
			}
			_, err = fmt.Fprintf(a.stdout, "deleted %s %d\n", what, id)
			return err
		},
	}
}
