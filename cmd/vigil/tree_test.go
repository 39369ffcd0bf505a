// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"vigil/internal/config"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestCommandTree keeps every command and flag: it lists the cobra tree
// (use line, and each flag's name, shorthand, type and default) and compares
// it with testdata/commands.golden. Run with -update after adding a command
// or flag on purpose.
func TestCommandTree(t *testing.T) {
	got := commandTree(t)
	const golden = "testdata/commands.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("command tree differs from %s: a command or flag was lost or changed (after adding one on purpose: go test ./cmd/vigil -run TestCommandTree -update):\n%s", golden, lineDiff(string(want), got))
	}
}

// commandTree lists the command tree as text, one line per command and per
// flag, in a stable order.
func commandTree(t *testing.T) string {
	t.Helper()
	root := treeRoot(t)
	var b strings.Builder
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		fmt.Fprintf(&b, "%s | %s\n", c.CommandPath(), c.UseLine())
		var flags []string
		add := func(kind string) func(f *pflag.Flag) {
			return func(f *pflag.Flag) {
				if f.Name == "help" {
					return
				}
				short := ""
				if f.Shorthand != "" {
					short = " -" + f.Shorthand
				}
				flags = append(flags, fmt.Sprintf("  %s --%s%s %s default %q", kind, f.Name, short, f.Value.Type(), f.DefValue))
			}
		}
		c.LocalNonPersistentFlags().VisitAll(add("flag"))
		c.PersistentFlags().VisitAll(add("persistent"))
		sort.Strings(flags)
		for _, f := range flags {
			b.WriteString(f + "\n")
		}
		subs := c.Commands()
		sort.Slice(subs, func(i, j int) bool { return subs[i].Name() < subs[j].Name() })
		for _, s := range subs {
			if s.Name() == "help" || s.Name() == "completion" {
				continue
			}
			walk(s)
		}
	}
	walk(root)
	return b.String()
}

// lineDiff lists the lines only in want (-) and only in got (+).
func lineDiff(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

// treeRoot builds the command tree with an empty environment, so that
// the defaults are the built-in ones.
func treeRoot(t *testing.T) *cobra.Command {
	cfg, err := config.LoadFrom(nil, func(k string) (string, bool) {
		if k == "USER" {
			return "tester", true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	return (&cmdline{cfg: cfg}).rootCmd()
}

// TestCommandsStayThin keeps cmd/vigil to flag parsing, one service call
// and printing per command: application logic belongs in internal/app,
// where the server, the demo and the portal reach it too. The bound is
// issue 18's.
func TestCommandsStayThin(t *testing.T) {
	const maxLines = 2500
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n += bytes.Count(b, []byte("\n"))
	}
	if n == 0 || n >= maxLines {
		t.Errorf("cmd/vigil has %d lines outside tests; keep it under %d by moving application logic into internal/app", n, maxLines)
	}
}
