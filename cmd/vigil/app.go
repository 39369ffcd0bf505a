// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/clikit"
	"vigil/internal/config"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/store"
	"vigil/internal/tenant"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// cmdline carries what every subcommand shares: the configuration (the
// flags are bound to its fields), streams and the lazily opened
// application layer.
type cmdline struct {
	cfg    config.Config
	asJSON bool
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	log    *slog.Logger
	svc    *app.App
	cmd    *cobra.Command // the command that runs
	all    bool           // --all of a paged list
	trail  *app.AuditTrail
	total  func() (int, error) // a paged list's total, for its footer
	org    int64               // the organisation a registry command changes
	before json.RawMessage     // its registry record before the change
}

// readers are the commands that only read the database: they never create
// or migrate one, so that a wrong --db stops with the command to run.
const readers = "|backup|audit export|audit list|suppress list|assess list|assess status|asset list|asset overlaps|asset token|contact list|device list|findings|label list|label render|label show|notify calls|notify status|notify webhook-secret|org export|org list|org show|quarantine list|source list|source show|stats|system facts|system fleet|system risks|system show|token list|triggers|user list|vendor list|vulns|"

// readOnly reports whether the running command only reads (a reader, or
// a --dry-run).
func (a *cmdline) readOnly() bool {
	if a.cmd == nil {
		return false
	}
	if f := a.cmd.Flags().Lookup("dry-run"); f != nil && f.Value.String() == "true" {
		return true
	}
	path := "|" + strings.TrimPrefix(a.cmd.CommandPath(), "vigil ") + "|"
	return strings.Contains(readers, path) || strings.Contains(optionalDB, path)
}

// optionalDB are the readers that work without a database when none exists.
const optionalDB = "|label verify|"

func run(ctx context.Context, cfg config.Config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	a := &cmdline{cfg: cfg, stdin: stdin, stdout: stdout, stderr: stderr}
	a.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	defer a.close()
	root := a.rootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	a.trail = &app.AuditTrail{Via: account.AuditCLI}
	ctx = app.WithAuditTrail(ctx, a.trail)
	err := clikit.Execute(ctx, root)
	if err == nil {
		err = a.audited(ctx)
	}
	if a.asJSON || slices.Contains(args, "--json") {
		return clikit.AsJSON(err)
	}
	return err
}

func (a *cmdline) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "vigil",
		Short:         "Warn organisations about threats; rate IoT devices against ETSI EN 303 645",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	config.Bind(root.PersistentFlags(), &a.cfg, "db", "log_format")
	// Read by main before the tree is built (config.FileArg); declared so
	// that it parses and shows in the help.
	root.PersistentFlags().String("config", "", "configuration file (YAML; env "+config.EnvFile+"; settings in docs/CONFIGURATION.md)")
	root.PersistentFlags().BoolVar(&a.asJSON, "json", false, "print JSON")
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		a.cmd, a.trail.Actor = cmd, a.cfg.Actor
		// The flags are parsed now: the logger takes --log-format.
		l, err := app.NewLogger(a.stderr, a.cfg.LogFormat, slog.LevelInfo)
		if err != nil {
			return err
		}
		a.log = l
		a.org, a.before = a.orgOf(cmd, args)
		return nil
	}
	root.AddCommand(
		a.orgCmd(), a.assetCmd(), a.withContactLookup(a.contactCmd()), a.deviceCmd(), a.tokenCmd(), a.userCmd(),
		a.ingestCmd(), a.findingsCmd(), a.triggersCmd(), a.quarantineCmd(),
		a.catalogueCmd(), a.assessCmd(), a.probeCmd(), a.labelCmd(),
		a.notifyCmd(), a.statsCmd(), a.securitytxtCmd(),
		a.serveCmd(), a.demoCmd(), a.versionCmd(), a.vulnsCmd(), a.csafCmd(), a.vendorCmd(), a.mailCmd(),
		group("db", "Manage the database", a.command("migrate", "Make the database --db names, or bring its schema up to date", 0,
			func(context.Context, *app.App, []string) error {
				return a.print(map[string]bool{"migrated": true}, func() error { return a.line("the database is up to date") })
			})),
		a.dataGroup("system", "Rate a product as a whole system: system model, risk register, fleet evidence, update posture, tests", app.SystemCommands()),
		a.dataGroup("source", "Manage sources that run on a schedule (KEV, EPSS, Shadowserver, a watched directory)", app.SourceCommands()),
		a.dataGroup("privacy", "Export or erase the personal data held about a contact", app.PrivacyCommands()),
		a.dataGroup("suppress", "The suppression list: addresses that get nothing more (opted out, bounced, listed)", app.SuppressCommands()),
		a.dataGroup("audit", "List or export the append-only audit log of changes", app.AuditCommands()),
	)
	for _, r := range app.OperationsCommands() {
		root.AddCommand(a.dataCommand(r))
	}
	clikit.Harden(root, version)
	return root
}

// audited makes sure a command that changed the database left an audit entry.
func (a *cmdline) audited(ctx context.Context) error {
	if a.svc == nil || a.cmd == nil || a.readOnly() {
		return nil
	}
	return a.svc.AuditCommand(ctx, strings.TrimPrefix(a.cmd.CommandPath(), "vigil "), a.cmd.Flags().Args(), a.org, a.before)
}

// orgOf returns the organisation a registry command changes, with its record now.
func (a *cmdline) orgOf(cmd *cobra.Command, args []string) (int64, json.RawMessage) {
	if !a.readOnly() && clikit.CheckNumbers(cmd.Flags()) == nil && app.ChangesOrg(strings.TrimPrefix(cmd.CommandPath(), "vigil "), args) {
		if x, err := a.service(cmd.Context()); err == nil {
			return x.CommandOrg(cmd.Context(), args)
		}
	}
	return 0, nil
}

// service opens the application layer (and the database) on first use,
// with the configuration as the command's flags left it.
func (a *cmdline) service(ctx context.Context) (*app.App, error) {
	if a.svc == nil {
		x, err := app.OpenWith(ctx, a.cfg, a.log, store.Options{ReadOnly: a.readOnly(), Created: func(dsn string) {
			if a.cfg.LogFormat == app.LogJSON { // every line of standard error is then JSON
				a.log.Info("made a new database", "db", dsn)
				return
			}
			fmt.Fprintf(a.stderr, "vigil: made a new database %s\n", dsn)
		}})
		if err != nil {
			return nil, err
		}
		a.svc = x
	}
	return a.svc, nil
}

func (a *cmdline) close() {
	if a.svc != nil {
		a.svc.Close()
		a.svc = nil
	}
}

// print writes v as JSON with --json, else runs text.
func (a *cmdline) print(v any, text func() error) error {
	if a.asJSON {
		return a.printJSON(v)
	}
	return text()
}

// printJSON writes v as indented JSON.
func (a *cmdline) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table returns a tab writer for aligned text output; call Flush.
func (a *cmdline) table() *tabwriter.Writer {
	return tabwriter.NewWriter(a.stdout, 2, 4, 2, ' ', 0)
}

func parseID(what, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.Field(what, s, "not an id (a positive number)")
	}
	return id, nil
}

func (a *cmdline) versionCmd() *cobra.Command {
	return &cobra.Command{Use: "version", Short: "Print the version", Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return a.print(map[string]string{"version": version}, func() error { return a.line("vigil", version) })
		},
	}
}

// command makes a command taking n arguments whose run gets the
// application layer.
func (a *cmdline) command(use, short string, n int, run func(ctx context.Context, x *app.App, args []string) error) *cobra.Command {
	return &cobra.Command{Use: use, Short: short, Args: usageArgs(n), RunE: func(cmd *cobra.Command, args []string) error {
		x, err := a.service(cmd.Context())
		if err != nil {
			return err
		}
		return run(cmd.Context(), x, args)
	}}
}

// dataGroup makes a group of the commands app describes by data (parse,
// one service call, print).
func (a *cmdline) dataGroup(use, short string, rows []app.Command) *cobra.Command {
	g := group(use, short)
	config.Bind(g.PersistentFlags(), &a.cfg, "actor")
	for _, r := range rows {
		g.AddCommand(a.dataCommand(r))
	}
	return g
}

// dataCommand makes the command row r describes.
func (a *cmdline) dataCommand(r app.Command) *cobra.Command {
	vals := map[string]*string{}
	run := func(ctx context.Context, x *app.App, args []string) error {
		in := app.Input{Args: args, Flags: map[string]string{}, Stdin: a.stdin, DB: a.cfg.DB}
		for k, v := range vals {
			in.Flags[k] = *v
		}
		out, err := r.Run(ctx, x, in)
		return a.show(out, err, func() error { return a.printf("%s", out.Text()) })
	}
	cmd := a.command(r.Use, r.Short, r.Args, run)
	if r.NoStore {
		cmd = plain(r.Use, r.Short, r.Args, func(ctx context.Context, args []string) error { return run(ctx, nil, args) })
	}
	cmd.Long = r.Long
	for _, f := range r.Flags {
		vals[f.Name] = cmd.Flags().String(f.Name, f.Default, f.Usage)
		if f.Default == "false" { // a switch: --force means --force=true
			cmd.Flags().Lookup(f.Name).NoOptDefVal = "true"
		}
	}
	return cmd
}

// group makes a command that holds subcommands.
func group(use, short string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short}
	cmd.AddCommand(subs...)
	return cmd
}

// plain makes a command taking n arguments that needs no database.
func plain(use, short string, n int, run func(ctx context.Context, args []string) error) *cobra.Command {
	return &cobra.Command{Use: use, Short: short, Args: usageArgs(n), RunE: func(cmd *cobra.Command, args []string) error {
		return run(cmd.Context(), args)
	}}
}

// orgCommand makes a command whose first argument is an organisation (id
// or name); run gets its id.
func (a *cmdline) orgCommand(use, short string, n int, run func(ctx context.Context, x *app.App, org int64, args []string) error) *cobra.Command {
	return a.command(use, short, n, func(ctx context.Context, x *app.App, args []string) error {
		org, err := x.OrgID(ctx, args[0])
		if err != nil {
			return err
		}
		return run(ctx, x, org, args)
	})
}

// input opens the file name, or standard input for "-", and returns it with
// the name to show and a function that closes it. A file that cannot be
// opened is invalid input.
func (a *cmdline) input(name string) (io.Reader, string, func(), error) {
	if name == "-" {
		return a.stdin, "stdin", func() {}, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, name, nil, errs.Field("file", name, err.Error())
	}
	return f, name, func() { f.Close() }, nil
}

// rowErrors reports refused rows on standard error, one a line.
func (a *cmdline) rowErrors(rows []errs.RowError) {
	for _, r := range rows {
		fmt.Fprintln(a.stderr, r.Error())
	}
}

// line prints its operands like fmt.Println.
func (a *cmdline) line(v ...any) error {
	_, err := fmt.Fprintln(a.stdout, v...)
	return err
}

// printf prints like fmt.Printf.
func (a *cmdline) printf(format string, v ...any) error {
	_, err := fmt.Fprintf(a.stdout, format, v...)
	return err
}

// show prints v unless err: as JSON with --json, else by running text.
func (a *cmdline) show(v any, err error, text func() error) error {
	if err != nil {
		return err
	}
	return a.print(v, text)
}

// list prints items unless err: as JSON with --json ({"items": […]}), else
// as rows.
func list[T any](a *cmdline, items []T, err error, header, format string, row func(T) []any) error {
	if err != nil {
		return err
	}
	if a.asJSON {
		return a.printJSON(clikit.List[T]{Items: nonNil(items)})
	}
	return rows(a, items, header, format, row)
}

// pages prints the page *p selects of a paged list (every page with
// --all) fetched by fetch, which reads *p; id is an item's keyset id. With
// --json it is {"items": […], "next_after": …}; as text a footer on stderr
// says how to get the next page.
func pages[T any](a *cmdline, p *keyset.Page, fetch func() ([]T, error), id func(T) int64, header, format string, row func(T) []any) error {
	items, next, err := clikit.Collect(p, a.all, fetch, id)
	if err != nil {
		return err
	}
	if a.asJSON {
		pg := clikit.Page[T]{Items: nonNil(items)}
		if next != 0 {
			pg.NextAfter = &next
		}
		return a.printJSON(pg)
	}
	if err := rows(a, items, header, format, row); err != nil {
		return err
	}
	f := clikit.Footer(len(items), next)
	total := a.total // else count by reading the pages
	if total == nil {
		total = func() (int, error) { return clikit.Count(p, fetch, id) }
	}
	if next != 0 {
		if n, err := total(); err == nil {
			f = clikit.FooterOf(len(items), n, next)
		}
	}
	if f != "" {
		fmt.Fprintln(a.stderr, f)
	}
	return nil
}

func nonNil[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// rows prints an aligned table: the header, then one row per item in
// format (tab-separated cells).
func rows[T any](a *cmdline, items []T, header, format string, row func(T) []any) error {
	w := a.table()
	fmt.Fprintln(w, header)
	for _, it := range items {
		fmt.Fprintf(w, format, row(it)...)
	}
	return w.Flush()
}

func usageArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return errs.Errorf(errs.Invalid, "%s takes %s, got %d (usage: %s)", cmd.CommandPath(), clikit.Plural(n, "argument", "arguments"), len(args), cmd.UseLine())
		}
		return nil
	}
}

// minArgs requires at least n arguments, saying what the command takes.
func minArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) < n {
			return errs.Errorf(errs.Invalid, "%s %s (usage: %s)", cmd.CommandPath(), what, cmd.UseLine())
		}
		return nil
	}
}

// one is the single element of xs, or xs: what a command that read one
// file or several prints as JSON.
func one[T any](xs []T) any {
	if len(xs) == 1 {
		return xs[0]
	}
	return xs
}

// pageFlags adds --limit, --after and --all to a list command.
func (a *cmdline) pageFlags(cmd *cobra.Command, p *keyset.Page) {
	cmd.Flags().IntVar(&p.Limit, "limit", 100, "at most this many (max 1000)")
	cmd.Flags().Int64Var(&p.After, "after", 0, "only ids greater than this (the next page: the --after a list ends with)")
	cmd.Flags().BoolVar(&a.all, "all", false, "every item, page after page")
}

// childDeleteCmd is "delete ORG ID" for an object an organisation owns.
func (a *cmdline) childDeleteCmd(what, short string, del func(*app.App, context.Context, tenant.Scope, int64) error) *cobra.Command {
	return a.orgCommand("delete ORG "+strings.ToUpper(what)+"-ID", short, 2, func(ctx context.Context, x *app.App, org int64, args []string) error {
		id, err := parseID(what, args[1])
		if err != nil {
			return err
		}
		if err := del(x, ctx, tenant.Org(org), id); err != nil {
			return err
		}
		return a.print(map[string]any{"deleted": id}, func() error { return a.printf("deleted %s %d\n", what, id) })
	})
}
