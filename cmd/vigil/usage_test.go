// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestUsageErrorsEveryCommand walks the command tree and makes the usage
// mistakes of each command: an unknown subcommand of a group, an unknown
// flag, one argument too many, a negative number for a numeric flag and a
// --limit out of range. Each must exit 2 with a message naming the mistake,
// and none may create the database.
func TestUsageErrorsEveryCommand(t *testing.T) {
	dir := t.TempDir()
	dbFile := filepath.Join(dir, "usage.db")
	db := "sqlite:" + dbFile
	check := func(t *testing.T, want string, args ...string) {
		t.Helper()
		out, errOut, code := cli(t, db, "", args...)
		if code != 2 || !strings.Contains(errOut, want) {
			t.Errorf("vigil %s: exit %d, stderr %q, stdout %.200q; want exit 2 and %q", strings.Join(args, " "), code, errOut, out, want)
		}
	}
	n := 0
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Name() == "help" || c.Name() == "completion" {
			return
		}
		path := strings.Fields(c.CommandPath())[1:]
		arg := func(extra ...string) []string { return append(append([]string{}, path...), extra...) }
		t.Run(strings.Join(append([]string{"vigil"}, path...), "_"), func(t *testing.T) {
			n++
			check(t, "unknown flag: --no-such-flag", arg("--no-such-flag")...)
			if c.HasSubCommands() {
				check(t, `unknown command "no-such-command"`, arg("no-such-command")...)
				return
			}
			fits := -1 // the smallest number of arguments the command takes
			for i := 0; i <= 4 && fits < 0; i++ {
				if c.Args(c, make([]string, i)) == nil {
					fits = i
				}
			}
			if fits < 0 {
				t.Fatalf("%s takes none of 0…4 arguments", c.CommandPath())
			}
			if c.Args(c, make([]string, 40)) != nil {
				check(t, "usage: "+c.CommandPath(), arg(make([]string, 40)...)...)
			}
			dummy := make([]string, fits)
			for i := range dummy {
				dummy[i] = "1"
			}
			c.Flags().VisitAll(func(f *pflag.Flag) {
				switch f.Value.Type() {
				case "int", "int64", "float64", "duration":
				default:
					return
				}
				value := "-1"
				if f.Value.Type() == "duration" {
					value = "-1s"
				}
				check(t, "--"+f.Name+`: "`+value+`": must`, arg(append(dummy, "--"+f.Name+"="+value)...)...)
				if f.Name == "limit" {
					check(t, `--limit: "1001": must be 1 to 1000`, arg(append(dummy, "--limit=1001")...)...)
				}
			})
		})
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	root := treeRoot(t)
	walk(root)
	if n < 90 {
		t.Errorf("walked %d commands; the tree has more", n)
	}
	if _, err := os.Stat(dbFile); !os.IsNotExist(err) {
		t.Errorf("a usage error created the database %s (%v)", dbFile, err)
	}
	if out, errOut, code := cli(t, db, "", "--version"); code != 0 || out != "vigil dev\n" {
		t.Errorf("vigil --version = %q %q %d", out, errOut, code)
	}
	if out, _, code := cli(t, db, "", "org"); code != 0 || !strings.Contains(out, "Available Commands") {
		t.Errorf("vigil org without a subcommand = %d %q; want its help", code, out)
	}
	check(t, `did you mean list?`, "org", "lst")
}
