// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"vigil/internal/clikit"
	"vigil/internal/web"
)

// TestListCursors walks every paged list of the command tree (the commands
// with --limit) on data with at least two items each: --limit 1 --json
// carries next_after, following it page by page gives what --all gives, and
// the text output ends with how to get the next page.
func TestListCursors(t *testing.T) {
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			run := runner(t, db)
			dir := t.TempDir()
			for i, cidr := range []string{"192.0.2.0/26", "192.0.2.64/26", "192.0.2.128/26"} {
				run(0, "", "org", "add", "Org "+strconv.Itoa(i), "--cidr", cidr)
				run(0, "", "device", "add", strconv.Itoa(i+1), "--vendor", "Delta Electronics", "--model", "InfraSuite Device Master", "--firmware", "1.0.12")
			}
			feed := filepath.Join(dir, "block.txt")
			os.WriteFile(feed, []byte("192.0.2.1\n192.0.2.65\n192.0.2.129\nbad-1\nbad-2\n"), 0o600)
			run(0, "", "ingest", "feed", feed, "--type", "blocklist", "--trigger", "bl")
			run(0, "", "ingest", "nvd", "testdata/vuln/CVE-2023-46604.json")
			run(0, "", "ingest", "osv", "testdata/vuln/GHSA-jfh8-c2jp-5v3q.json")
			run(0, "", "device", "sbom", "1", "testdata/vuln/infrasuite.cdx.json")
			run(0, "", "assess", "start", "1")
			run(0, "", "assess", "start", "2")
			run(0, "", "token", "create", "--org", "1")
			run(0, "", "token", "create", "--org", "2")
			n := 0
			var walk func(c *cobra.Command)
			walk = func(c *cobra.Command) {
				for _, s := range c.Commands() {
					walk(s)
				}
				if c.Flags().Lookup("limit") == nil || c.Flags().Lookup("all") == nil {
					return
				}
				n++
				path := strings.Fields(strings.TrimPrefix(c.CommandPath(), "vigil "))
				arg := func(extra ...string) []string { return append(append([]string{}, path...), extra...) }
				var all clikit.Page[map[string]any]
				if err := json.Unmarshal([]byte(run(0, "", arg("--json", "--all")...)), &all); err != nil || all.NextAfter != nil {
					t.Fatalf("%s --all: %v, next_after %v", c.CommandPath(), err, all.NextAfter)
				}
				if len(all.Items) < 2 {
					t.Fatalf("%s lists %d items; the test needs two", c.CommandPath(), len(all.Items))
				}
				after, got := "0", 0
				for pages := 0; ; pages++ {
					var p clikit.Page[map[string]any]
					if err := json.Unmarshal([]byte(run(0, "", arg("--json", "--limit", "1", "--after", after)...)), &p); err != nil {
						t.Fatal(err)
					}
					got += len(p.Items)
					if p.NextAfter == nil {
						break
					}
					if len(p.Items) != 1 || pages > len(all.Items) {
						t.Fatalf("%s: page %d has %d items, next_after %d", c.CommandPath(), pages, len(p.Items), *p.NextAfter)
					}
					after = strconv.FormatInt(*p.NextAfter, 10)
				}
				if got != len(all.Items) {
					t.Errorf("%s: pages of one gave %d items, --all %d", c.CommandPath(), got, len(all.Items))
				}
				_, errOut, code := cli(t, db, "", arg("--limit", "1")...)
				footer := fmt.Sprintf("1 of %d shown; --after ", len(all.Items)) // every list says its total
				if code != 0 || !strings.Contains(errOut, footer) || !strings.Contains(errOut, "--all") {
					t.Errorf("%s --limit 1: exit %d, stderr %q; want a footer naming --after and --all", c.CommandPath(), code, errOut)
				}
				if _, errOut, _ := cli(t, db, "", arg("--all")...); errOut != "" {
					t.Errorf("%s --all: stderr %q; want no footer", c.CommandPath(), errOut)
				}
			}
			walk(treeRoot(t))
			if n < 7 {
				t.Errorf("%d paged lists; want at least 7", n)
			}
		})
	}
}

// TestJSONErrors: with --json every error is one problem details object
// on stderr, with the fields of the API's problems and the exit status,
// for usage errors of every command and for each kind of failure.
func TestJSONErrors(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "j.db")
	if _, e, code := cli(t, db, "", "org", "add", "Acme"); code != 0 {
		t.Fatal(e)
	}
	var apiFields []string
	pt := reflect.TypeOf(web.Problem{})
	for i := 0; i < pt.NumField(); i++ {
		if name, _, _ := strings.Cut(pt.Field(i).Tag.Get("json"), ","); name != "instance" {
			apiFields = append(apiFields, name)
		}
	}
	check := func(t *testing.T, wantExit int, wantType string, args ...string) {
		t.Helper()
		out, errOut, code := cli(t, db, "", append([]string{"--json"}, args...)...)
		var p map[string]any
		if err := json.Unmarshal([]byte(errOut), &p); err != nil || code != wantExit || out != "" {
			t.Fatalf("vigil --json %s: exit %d, stdout %q, stderr %q (%v); want exit %d and one JSON object", strings.Join(args, " "), code, out, errOut, err, wantExit)
		}
		if p["type"] != "urn:vigil:problem:"+wantType || p["exit"] != float64(wantExit) || p["detail"] == "" {
			t.Errorf("vigil --json %s: %v; want type %s, exit %d", strings.Join(args, " "), p, wantType, wantExit)
		}
		for _, f := range apiFields {
			if _, ok := p[f]; !ok && f != "field" && f != "detail" {
				t.Errorf("vigil --json %s: %v lacks the API's %q", strings.Join(args, " "), p, f)
			}
		}
	}
	check(t, 3, "not_found", "org", "show", "99")
	check(t, 4, "conflict", "org", "add", "Acme")
	check(t, 2, "invalid", "org", "add", "X", "--cidr", "10.0.0.1/8")
	check(t, 2, "invalid", "org", "lst")
	check(t, 3, "not_found", "findings", "--db", "sqlite:"+filepath.Join(t.TempDir(), "none.db"))
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, s := range c.Commands() {
			walk(s)
		}
		if c.Name() != "help" && c.Name() != "completion" {
			check(t, 2, "invalid", append(strings.Fields(strings.TrimPrefix(c.CommandPath(), "vigil")), "--no-such-flag")...)
		}
	}
	walk(treeRoot(t))
}

// TestTokenCreateSaysItsID: the secret alone on stdout (for scripts), the
// id to revoke it by on stderr.
func TestTokenCreateSaysItsID(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "t.db")
	cli(t, db, "", "org", "add", "Acme")
	out, errOut, code := cli(t, db, "", "token", "create", "--org", "Acme")
	if code != 0 || !strings.HasPrefix(out, "vigil_") || strings.Count(out, "\n") != 1 || !strings.Contains(errOut, "token 1: ") || !strings.Contains(errOut, "vigil token revoke 1") {
		t.Errorf("token create: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
