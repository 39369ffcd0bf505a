// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package clikit holds what every command of vigil's command line shares and
// no command should write again: the exit statuses and how an error is
// shown (text, or problem details with --json), the usage rules that hold
// for the whole command tree (an unknown subcommand, flag or argument, a
// negative number or a page size out of range is a usage error, exit 2) and
// the footer and JSON envelope of a list that has more pages.
package clikit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"vigil/internal/errs"
	"vigil/internal/keyset"
)

// The exit statuses of vigil, one per error code.
const (
	ExitOK        = 0 // success
	ExitInternal  = 1 // internal failure
	ExitUsage     = 2 // bad input or usage
	ExitNotFound  = 3 // an object named does not exist
	ExitConflict  = 4 // the object exists already or its state forbids the change
	ExitForbidden = 5 // forbidden or unauthorised (e.g. ownership not proven)
)

// ExitStatus maps err's code to the process exit status (0 for nil).
func ExitStatus(err error) int {
	if err == nil {
		return ExitOK
	}
	var s Silent
	if errors.As(err, &s) {
		return s.Code
	}
	switch errs.CodeOf(err) {
	case errs.Invalid:
		return ExitUsage
	case errs.NotFound:
		return ExitNotFound
	case errs.Conflict:
		return ExitConflict
	case errs.Forbidden, errs.Unauthorized:
		return ExitForbidden
	}
	return ExitInternal
}

// Silent is an error that exits with Code after the command has already
// reported why; Report prints nothing for it.
type Silent struct{ Code int }

// Error implements error.
func (e Silent) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// Report prints err on stderr and returns the exit status: "vigil: " and
// the message as text, or, for an error marked by AsJSON, one problem
// details object (the shape of the API's error responses) on one line.
// Nothing is printed for nil or Silent.
func Report(err error, stderr io.Writer) int {
	code := ExitStatus(err)
	if err == nil {
		return code
	}
	var s Silent
	if errors.As(err, &s) {
		return code
	}
	var j jsonError
	if errors.As(err, &j) {
		writeProblem(stderr, ProblemFor(j.err))
		return code
	}
	fmt.Fprintln(stderr, "vigil:", err)
	return code
}

// AsJSON marks err (when not nil) to be reported as problem details: the
// command ran with --json.
func AsJSON(err error) error {
	if err == nil {
		return nil
	}
	return jsonError{err}
}

type jsonError struct{ err error }

func (e jsonError) Error() string { return e.err.Error() }
func (e jsonError) Unwrap() error { return e.err }

// Harden applies the usage rules to every command of the tree under root:
//   - a command that only holds subcommands refuses an unknown one (with the
//     nearest names as suggestions) and shows its help when given none;
//   - a command that declares no arguments takes none;
//   - argument, flag and required-flag errors are usage errors (exit 2);
//   - a numeric flag given a negative value, and --limit outside 1…1000,
//     are usage errors;
//   - the root answers --version with version.
//
// Call it once, after the whole tree is built.
func Harden(root *cobra.Command, version string) {
	root.Version = version
	root.SetVersionTemplate("vigil {{.Version}}\n")
	root.SilenceErrors, root.SilenceUsage = true, true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usage(fmt.Errorf("%w (see %s --help)", err, c.CommandPath()))
	})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, s := range c.Commands() {
			walk(s)
		}
		if c.HasSubCommands() && !c.Runnable() {
			if c.SuggestionsMinimumDistance <= 0 {
				c.SuggestionsMinimumDistance = 2
			}
			c.Args = unknownSubcommand
			c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
			return
		}
		args := c.Args
		if args == nil {
			args = cobra.NoArgs
		}
		c.Args = func(cmd *cobra.Command, a []string) error {
			err := args(cmd, a)
			switch {
			case err == nil:
				return nil
			case errs.CodeOf(err) != errs.Internal:
				return err
			case len(a) > 0 && strings.HasPrefix(err.Error(), "unknown command"): // cobra.NoArgs
				err = fmt.Errorf("%s takes no arguments, got %d", cmd.CommandPath(), len(a))
			}
			return usage(fmt.Errorf("%w (usage: %s)", err, cmd.UseLine()))
		}
		if c.RunE == nil && c.Run != nil {
			run := c.Run
			c.RunE = func(cmd *cobra.Command, a []string) error { run(cmd, a); return nil }
			c.Run = nil
		}
		if runE := c.RunE; runE != nil {
			c.RunE = func(cmd *cobra.Command, a []string) error {
				if err := CheckNumbers(cmd.Flags()); err != nil {
					return err
				}
				markRan(cmd.Context())
				return runE(cmd, a)
			}
		}
	}
	walk(root)
}

// Execute runs root (hardened) with ctx. An error that arises before a
// command's own code runs (an unknown flag, a missing required flag, bad
// arguments) is a usage error whatever cobra's error says.
func Execute(ctx context.Context, root *cobra.Command) error {
	ran := new(bool)
	err := root.ExecuteContext(context.WithValue(ctx, ranKey{}, ran))
	if err != nil && !*ran && errs.CodeOf(err) == errs.Internal {
		return usage(err)
	}
	return err
}

type ranKey struct{}

func markRan(ctx context.Context) {
	if ctx == nil {
		return
	}
	if ran, ok := ctx.Value(ranKey{}).(*bool); ok {
		*ran = true
	}
}

// usage makes err a usage error (exit 2), keeping a coded error as it is.
func usage(err error) error {
	if errs.CodeOf(err) != errs.Internal {
		return err
	}
	return &errs.Error{Code: errs.Invalid, Message: err.Error()}
}

// unknownSubcommand refuses any argument of a command that only holds
// subcommands.
func unknownSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	var names []string
	for _, s := range cmd.Commands() {
		if s.IsAvailableCommand() {
			names = append(names, s.Name())
		}
	}
	msg += " (commands: " + strings.Join(names, ", ") + ")"
	return errs.Errorf(errs.Invalid, "%s", msg)
}

// CheckNumbers refuses a negative value of a numeric flag the user set, and
// a --limit outside 1…keyset.MaxLimit.
func CheckNumbers(fs *pflag.FlagSet) error {
	var err error
	fs.Visit(func(f *pflag.Flag) {
		if err != nil {
			return
		}
		switch f.Value.Type() {
		case "int", "int8", "int16", "int32", "int64", "float32", "float64", "duration":
		default:
			return
		}
		v := f.Value.String()
		if f.Name == "limit" {
			var n int
			if _, e := fmt.Sscan(v, &n); e != nil || n < 1 || n > keyset.MaxLimit {
				err = errs.Field("--limit", v, fmt.Sprintf("must be 1 to %d", keyset.MaxLimit))
			}
			return
		}
		if strings.HasPrefix(v, "-") {
			err = errs.Field("--"+f.Name, v, "must not be negative")
		}
	})
	return err
}

// Problem is an error as JSON: the RFC 9457 problem details object the API
// answers with (type, title, status, detail, field), plus the exit status.
type Problem struct {
	// Type is "urn:vigil:problem:" plus the error code (invalid, not_found, …).
	Type string `json:"type"`
	// Title summarises the kind of problem.
	Title string `json:"title"`
	// Status is the HTTP status the API gives the same error.
	Status int `json:"status"`
	// Detail explains this occurrence.
	Detail string `json:"detail,omitempty"`
	// Field names the flag, argument or input field the problem is about.
	Field string `json:"field,omitempty"`
	// Exit is the process exit status.
	Exit int `json:"exit"`
}

// problemKind returns the API's status and title of code, and whether the
// code is one the API knows (else it counts as internal).
func problemKind(code errs.Code) (int, string, bool) {
	switch code {
	case errs.Invalid:
		return 422, "Invalid input", true
	case errs.Unauthorized:
		return 401, "Unauthorized", true
	case errs.Forbidden:
		return 403, "Forbidden", true
	case errs.NotFound:
		return 404, "Not found", true
	case errs.Conflict:
		return 409, "Conflict", true
	case errs.TooMany:
		return 429, "Too many requests", true
	}
	return 500, "Internal server error", code == errs.Internal
}

// ProblemFor returns err as problem details.
func ProblemFor(err error) Problem {
	code := errs.CodeOf(err)
	status, title, ok := problemKind(code)
	if !ok {
		code = errs.Internal
	}
	p := Problem{Type: "urn:vigil:problem:" + string(code), Title: title, Status: status, Detail: err.Error(), Exit: ExitStatus(err)}
	var e *errs.Error
	if errors.As(err, &e) {
		p.Field = e.Field
	}
	return p
}

func writeProblem(w io.Writer, p Problem) {
	b, _ := json.Marshal(p) // a Problem always marshals
	fmt.Fprintf(w, "%s\n", b)
}

// List is a list as --json prints it, the shape of the API's lists: the
// items and, for a paged list, NextAfter, the --after of the next page
// (null on the last page).
type List[T any] struct {
	Items     []T    `json:"items"`
	NextAfter *int64 `json:"next_after,omitempty"`
}

// Page is one page of a paged list: List with next_after always present.
type Page[T any] struct {
	Items     []T    `json:"items"`
	NextAfter *int64 `json:"next_after"`
}

// countPages bounds Count: a list longer than this many pages of
// keyset.MaxLimit keeps the footer without a total.
const countPages = 100

// Count returns the number of items the filter of *p selects on every
// page (from the first, whatever p.After), for a list without a count of
// its own: it reads the list page by page through fetch, which reads *p,
// so it sees exactly what the pages show, in the same tenant scope. A list
// longer than countPages pages is an error (no total is then shown). *p is
// as given when Count returns.
func Count[T any](p *keyset.Page, fetch func() ([]T, error), id func(T) int64) (int, error) {
	saved := *p
	defer func() { *p = saved }()
	p.After, p.Limit = 0, keyset.MaxLimit
	n := 0
	for range countPages {
		xs, err := fetch()
		if err != nil {
			return 0, err
		}
		n += len(xs)
		if len(xs) < p.Size() {
			return n, nil
		}
		p.After = id(xs[len(xs)-1])
	}
	return 0, fmt.Errorf("more than %d items: not counted", countPages*keyset.MaxLimit)
}

// Collect fetches the page *p selects, or with all every page, and returns
// the items and the --after of the next page (0 when none follows). fetch
// reads *p (it is called with p changed: when the page is full, once more
// for one item after it, and with all for each page of keyset.MaxLimit);
// id is an item's keyset id. *p is as given when Collect returns.
func Collect[T any](p *keyset.Page, all bool, fetch func() ([]T, error), id func(T) int64) ([]T, int64, error) {
	saved := *p
	defer func() { *p = saved }()
	if all {
		p.Limit = keyset.MaxLimit
		var out []T
		for {
			xs, err := fetch()
			if err != nil {
				return nil, 0, err
			}
			out = append(out, xs...)
			if len(xs) < p.Size() {
				return out, 0, nil
			}
			p.After = id(xs[len(xs)-1])
		}
	}
	xs, err := fetch()
	if err != nil || len(xs) < p.Size() {
		return xs, 0, err
	}
	last := id(xs[len(xs)-1])
	p.After, p.Limit = last, 1
	more, err := fetch()
	if err != nil || len(more) == 0 {
		return xs, 0, err
	}
	return xs, last, nil
}

// Footer is the line a text list ends with when more items follow: how many
// are shown and how to get the rest.
func Footer(shown int, next int64) string {
	if next == 0 {
		return ""
	}
	return fmt.Sprintf("%s shown, more follow: --after %d for the next page, or --all for every one", Plural(shown, "item", "items"), next)
}

// FooterOf is Footer for a list that knows its total (the items the
// filter selects on every page): "100 of 983 shown; …".
func FooterOf(shown, total int, next int64) string {
	if next == 0 {
		return ""
	}
	return fmt.Sprintf("%d of %d shown; --after %d for the next page, or --all for every one", shown, total, next)
}

// Plural is n with the singular or plural noun ("1 record", "2 records").
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
