// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/keyset"
	"vigil/internal/store"
)

// auditRuns are valid invocations of writing commands, run in order on a
// fresh database; each must leave at least one audit entry naming the
// actor, through the CLI.
var auditRuns = [][]string{
	{"org", "add", "Acme", "--cidr", "192.0.2.0/24", "--email", "a@acme.example"},
	{"org", "update", "Acme", "--sector", "water"},
	{"asset", "add", "Acme", "198.51.100.0/24"},
	{"asset", "delete", "1", "2"},
	{"contact", "add", "1", "--email", "b@acme.example"},
	{"contact", "delete", "1", "2"},
	{"device", "add", "1", "--vendor", "Lumen Labs", "--model", "LumiCam Indoor 2", "--firmware", "3.4.1"},
	{"device", "delete", "1", "1"},
	{"token", "create", "--org", "Acme"},
	{"token", "revoke", "1"},
	{"user", "add", "m@acme.example", "--org", "1"},
	{"vendor", "alias", "add", "initrode", "initech"},
	{"source", "add", "kev", "--kind", "kev", "--url", "https://example.org/kev.json"},
	{"source", "pause", "kev"},
	{"source", "resume", "kev"},
	{"suppress", "add", "optout@hosting.example", "--reason", "asked by telephone"},
	{"suppress", "remove", "optout@hosting.example"},
	{"notify", "bounce", "gone@acme.example"},
	{"privacy", "erase", "--contact", "nobody@acme.example"},
	{"org", "delete", "1"},
}

// registryAfter is what the after record of a registry command's entry
// holds.
var registryAfter = map[string]string{
	"org add Acme --cidr 192.0.2.0/24 --email a@acme.example":                    `"name":"Acme"`,
	"org update Acme --sector water":                                             `"sector":"water"`,
	"asset add Acme 198.51.100.0/24":                                             "198.51.100.0/24",
	"contact add 1 --email b@acme.example":                                       "b@acme.example",
	"device add 1 --vendor Lumen Labs --model LumiCam Indoor 2 --firmware 3.4.1": "LumiCam Indoor 2",
}

// TestCommandsAudited runs every writing command of auditRuns and checks
// that each left an audit entry naming the actor; the command tree is
// walked so that a writing command without a run here is named.
func TestCommandsAudited(t *testing.T) {
	covered := map[string]bool{}
	runs := append([][]string{}, auditRuns...)
	for _, s := range auditSteps(&auditEnv{}) {
		runs = append(runs, s.args)
	}
	for _, r := range runs {
		for i := range r {
			covered[strings.Join(r[:i+1], " ")] = true
		}
	}
	var missing []string
	seen := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.HasSubCommands() {
			for _, s := range c.Commands() {
				walk(s)
			}
			return
		}
		path := strings.TrimPrefix(c.CommandPath(), "vigil ")
		if c.Name() == "help" || c.Name() == "completion" || strings.Contains(readers, "|"+path+"|") || strings.Contains(app.Unaudited, "|"+path+"|") {
			return
		}
		seen[path] = true
		if _, ok := auditExempt[path]; ok {
			if covered[path] {
				t.Errorf("%s is both exempt and run; drop the exemption", path)
			}
			return
		}
		if !covered[path] {
			missing = append(missing, path)
		}
	}
	walk(treeRoot(t))
	if len(missing) > 0 {
		t.Errorf("writing commands without a valid run in auditRuns or auditSteps (or a reviewed reason in auditExempt): %d: %s", len(missing), strings.Join(missing, ", "))
	}
	for path := range auditExempt {
		if !seen[path] {
			t.Errorf("auditExempt names %q, which is no command (or a reader)", path)
		}
	}
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			t.Setenv("VIGIL_ACTOR", "tester@cert.example")
			env := newAuditEnv(t)
			var steps []auditStep
			for _, r := range auditRuns {
				steps = append(steps, auditStep{args: r})
			}
			steps = append(steps, auditSteps(env)...)
			last := int64(0)
			for _, st := range steps {
				if st.sqliteOnly != "" && !strings.HasPrefix(db, "sqlite:") {
					continue
				}
				if st.before != nil {
					st.before(t, db, env)
				}
				r := env.expand(st.args)
				out, e, code := cli(t, db, st.stdin, r...)
				if code != 0 {
					t.Fatalf("vigil %s: exit %d: %s %s", strings.Join(r, " "), code, out, e)
				}
				env.learn(t, db, r, out)
				es := auditAfter(t, db, last)
				if len(es) == 0 {
					t.Errorf("vigil %s left no audit entry", strings.Join(r, " "))
					continue
				}
				for _, e := range es {
					if e.Actor != "tester@cert.example" || e.Via != account.AuditCLI {
						t.Errorf("vigil %s: entry %+v; want actor tester@cert.example via cli", strings.Join(r, " "), e)
					}
				}
				// Registry commands record the organisation before and after.
				if want := registryAfter[strings.Join(r, " ")]; want != "" && (len(es[0].After) == 0 || !strings.Contains(string(es[0].After), want) ||
					(r[1] != "add" && len(es[0].Before) == 0)) {
					t.Errorf("vigil %s: before %s, after %s; want the record, after holding %q", strings.Join(r, " "), es[0].Before, es[0].After, want)
				}
				last = es[0].ID
			}
			// A reader leaves nothing.
			if _, e, code := cli(t, db, "", "org", "list"); code != 0 {
				t.Fatal(e)
			}
			if es := auditAfter(t, db, last); len(es) != 0 {
				t.Errorf("org list left %+v", es)
			}
		})
	}
}

// auditAfter returns the audit entries after id, newest first.
func auditAfter(t *testing.T, db string, id int64) []account.AuditEntry {
	t.Helper()
	st, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	es, err := st.AuditQuery(context.Background(), account.AuditFilter{}, keyset.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var out []account.AuditEntry
	for _, e := range es {
		if e.ID > id {
			out = append(out, e)
		}
	}
	return out
}
