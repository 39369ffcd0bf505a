// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"vigil/internal/store/storetest"
)

// rawDBError matches what only a database driver says.
var rawDBError = regexp.MustCompile(`(?i)constraint|sqlstate|sqlite|pgx|pq:|duplicate key|violates|\(\d{3,4}\)|ERROR:`)

// writeRefusals are, per command that writes, an invocation naming an
// object that does not exist (exit 3) or one that exists already (exit 4),
// with the message it must print. The setup registers organisation 1
// "Acme" with 192.0.2.0/24 (asset 1) and a@acme.example.
func writeRefusals(dir string) []struct {
	args []string
	code int
	want string
} {
	file := filepath.Join(dir, "any.json")
	os.WriteFile(file, []byte(`{}`), 0o600)
	risks := filepath.Join(dir, "risks.yaml")
	os.WriteFile(risks, []byte("format: vigil-risks/1\nproduct: {vendor: Nobody, model: X1}\nrisks: []\n"), 0o600)
	dup := filepath.Join(dir, "dup.csv")
	os.WriteFile(dup, []byte("name\nAcme\n"), 0o600)
	return []struct {
		args []string
		code int
		want string
	}{
		{[]string{"org", "add", "Acme"}, 4, `an organisation named "Acme" already exists`},
		{[]string{"org", "import", dup}, 4, `an organisation named "Acme" already exists`},
		{[]string{"org", "delete", "99"}, 3, "organisation 99 not found"},
		{[]string{"org", "update", "99", "--sector", "water"}, 3, "organisation 99 not found"},
		{[]string{"org", "update", "Nobody", "--sector", "water"}, 3, `organisation "Nobody" not found`},
		{[]string{"asset", "add", "99", "198.51.100.0/24"}, 3, "organisation 99 not found"},
		{[]string{"asset", "add", "Acme", "192.0.2.0/24"}, 4, "an asset with this kind and value already exists"},
		{[]string{"asset", "delete", "1", "99"}, 3, "asset 99 not found"},
		{[]string{"asset", "verify", "99", "1"}, 3, "organisation 99 not found"},
		{[]string{"asset", "verify", "1", "99"}, 3, "asset 99 not found"},
		{[]string{"contact", "add", "99", "--email", "b@acme.example"}, 3, "organisation 99 not found"},
		{[]string{"contact", "add", "1", "--email", "a@acme.example"}, 4, "a contact with this email and phone already exists"},
		{[]string{"contact", "delete", "1", "99"}, 3, "contact 99 not found"},
		{[]string{"device", "add", "99", "--vendor", "V", "--model", "M"}, 3, "organisation 99 not found"},
		{[]string{"device", "delete", "1", "99"}, 3, "device 99 not found"},
		{[]string{"device", "sbom", "99", file}, 3, "device 99 not found"},
		{[]string{"token", "create", "--org", "99"}, 3, "organisation 99 not found"},
		{[]string{"token", "create", "--org", "Nobody"}, 3, `organisation "Nobody" not found`},
		{[]string{"token", "revoke", "99"}, 3, "not found"},
		{[]string{"user", "add", "m@acme.example", "--org", "99"}, 3, "organisation 99 not found"},
		{[]string{"user", "passwd", "nobody@acme.example"}, 3, "not found"},
		{[]string{"user", "role", "nobody@acme.example", "analyst"}, 3, "not found"},
		{[]string{"user", "disable", "nobody@acme.example"}, 3, "not found"},
		{[]string{"user", "totp-reset", "nobody@acme.example"}, 3, "not found"},
		{[]string{"user", "enable", "nobody@acme.example"}, 3, "not found"},
		{[]string{"assess", "start", "99"}, 3, "device 99 not found"},
		{[]string{"assess", "answer", "99", file}, 3, "assessment 99 not found"},
		{[]string{"assess", "evidence", "99", file}, 3, "assessment 99 not found"},
		{[]string{"assess", "submit", "99"}, 3, "assessment 99 not found"},
		{[]string{"assess", "review", "99", "--approve", "--reviewer", "lab"}, 3, "assessment 99 not found"},
		{[]string{"label", "issue", "99"}, 3, "assessment 99 not found"},
		{[]string{"label", "revoke", "VL-0000-0000-0000", "--reason", "test"}, 3, "label VL-0000-0000-0000 not found"},
		{[]string{"notify", "resolve", "99", "--sent"}, 3, "99"},
		{[]string{"probe", "192.0.2.1", "--assessment", "99"}, 3, "assessment 99 not found"},
		{[]string{"system", "assess", risks}, 3, "model of Nobody X1 not found"},
		{[]string{"source", "add", "kev", "--kind", "kev", "--url", "https://example.org/kev.json"}, 0, ""},
		{[]string{"source", "add", "kev", "--kind", "kev", "--url", "https://example.org/kev.json"}, 4, "a source with this name already exists"},
		{[]string{"source", "pause", "nothing"}, 3, `source "nothing" not found`},
		{[]string{"source", "resume", "nothing"}, 3, `source "nothing" not found`},
		{[]string{"source", "run", "nothing"}, 3, `source "nothing" not found`},
		{[]string{"vendor", "alias", "add", "initrode", "initech"}, 0, ""},
		{[]string{"vendor", "alias", "add", "initrode", "initech"}, 4, "already"},
		{[]string{"privacy", "export", "--contact", "nobody@acme.example"}, 0, ""},
		{[]string{"privacy", "erase", "--contact", "nobody@acme.example"}, 0, ""},
		{[]string{"suppress", "remove", "nobody@acme.example"}, 3, "not on the suppression list"},
		{[]string{"suppress", "add", "nobody@acme.example"}, 0, ""},
		// Filters naming an organisation that does not exist, by id or name.
		{[]string{"findings", "--org", "99"}, 3, "organisation 99 not found"},
		{[]string{"findings", "--org", "Nobody"}, 3, `organisation "Nobody" not found`},
		{[]string{"asset", "list", "--org", "99"}, 3, "organisation 99 not found"},
		{[]string{"device", "list", "--org", "Nobody"}, 3, `organisation "Nobody" not found`},
		{[]string{"label", "list", "--org", "99"}, 3, "organisation 99 not found"},
		{[]string{"assess", "list", "--org", "99"}, 3, "organisation 99 not found"},
	}
}

// noReference are the commands that write but take no reference to an
// object a user could get wrong (or need no database).
const noReference = "|ingest asn|ingest csaf|ingest cve5|ingest epss|ingest feed|ingest kev|ingest nvd|ingest osv|contact bootstrap|contact lookup|" +
	"mail dkim init|mail dkim check|mail dkim record|mail openpgp init|mail openpgp key|mail receive|label keys list|label keys rotate|label recheck|label verify|label rules|notify run|notify bounce|serve|demo|db migrate|" +
	"system import|system posture|system tests|" +
	"version|catalogue|assess template|csaf ranges|csaf validate|securitytxt check|restore|"

// TestDatabaseErrorsNeverRaw runs, on SQLite and PostgreSQL, every command
// that writes with a reference to a missing object and with a duplicate:
// each exits 3 or 4 with the same words on both engines, never the driver's
// error. The test fails when a command that writes is in neither list.
func TestDatabaseErrorsNeverRaw(t *testing.T) {
	dir := t.TempDir()
	cases := writeRefusals(dir)
	covered := map[string]bool{}
	for _, c := range cases {
		for i := range c.args {
			covered[strings.Join(c.args[:i+1], " ")] = true
		}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		path := strings.TrimPrefix(c.CommandPath(), "vigil ")
		if c.HasSubCommands() {
			for _, s := range c.Commands() {
				walk(s)
			}
			return
		}
		if c.Name() == "help" || c.Name() == "completion" || strings.Contains(readers, "|"+path+"|") || strings.Contains(noReference, "|"+path+"|") {
			return
		}
		if !covered[path] {
			t.Errorf("vigil %s writes but has no case in writeRefusals (nor a place in noReference)", path)
		}
	}
	walk(treeRoot(t))
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			if _, e, code := cli(t, db, "", "org", "add", "Acme", "--cidr", "192.0.2.0/24", "--email", "a@acme.example"); code != 0 {
				t.Fatal(e)
			}
			for _, c := range cases {
				out, errOut, code := cli(t, db, "", c.args...)
				if code != c.code || !strings.Contains(errOut, c.want) || rawDBError.MatchString(out+errOut) {
					t.Errorf("vigil %s: exit %d, stderr %q, stdout %.200q; want exit %d and %q, no driver error", strings.Join(c.args, " "), code, errOut, out, c.code, c.want)
				}
			}
		})
	}
}

// TestWrongDBCreatesNothing: a command that only reads stops on a database
// that does not exist (or has no vigil schema) with an error naming it and
// `vigil db migrate`, and creates nothing; a command that writes refuses a
// missing directory and PostgreSQL's maintenance database, and says on
// stderr when it made a new database.
func TestWrongDBCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		for _, s := range c.Commands() {
			walk(s)
		}
		path := strings.TrimPrefix(c.CommandPath(), "vigil ")
		if !strings.Contains(readers, "|"+path+"|") {
			return
		}
		n++
		args := strings.Fields(path)
		for i := 0; c.Args(c, args[len(strings.Fields(path)):]) != nil && i < 3; i++ {
			args = append(args, "1")
		}
		if path == "label render" {
			args = append(args, "-o", filepath.Join(dir, "label.png"))
		}
		_, errOut, code := cli(t, "sqlite:"+missing, "", args...)
		if code != 3 || !strings.Contains(errOut, missing) || !strings.Contains(errOut, "vigil db migrate") {
			t.Errorf("vigil %s on a missing database: exit %d, %q; want 3 naming it and vigil db migrate", path, code, errOut)
		}
	}
	walk(treeRoot(t))
	if n < 20 {
		t.Errorf("%d readers; the list lost some", n)
	}
	if _, _, code := cli(t, "sqlite:"+missing, "", "notify", "run", "--dry-run"); code != 3 {
		t.Errorf("notify run --dry-run on a missing database: exit %d; want 3", code)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatalf("a reader created %s (%v)", missing, err)
	}
	// A writer never into a missing directory.
	nodir := filepath.Join(dir, "typo", "vigil.db")
	if _, errOut, code := cli(t, "sqlite:"+nodir, "", "org", "add", "X"); code != 3 || !strings.Contains(errOut, filepath.Dir(nodir)+" does not exist") {
		t.Errorf("org add into a missing directory: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Dir(nodir)); !os.IsNotExist(err) {
		t.Errorf("a writer created the directory %s (%v)", filepath.Dir(nodir), err)
	}
	// A writer makes a new database and says so, once.
	fresh := "sqlite:" + filepath.Join(dir, "fresh.db")
	if _, errOut, code := cli(t, fresh, "", "org", "add", "X"); code != 0 || !strings.Contains(errOut, "made a new database "+fresh) {
		t.Errorf("org add on a new database: exit %d, stderr %q; want it to say it made one", code, errOut)
	}
	if _, errOut, code := cli(t, fresh, "", "org", "add", "Y"); code != 0 || errOut != "" {
		t.Errorf("org add on an existing database: exit %d, stderr %q; want nothing on stderr", code, errOut)
	}
	if out, errOut, code := cli(t, fresh, "", "org", "list"); code != 0 || !strings.Contains(out, "Y") {
		t.Errorf("org list after the writes: %d %q %q", code, out, errOut)
	}
	if os.Getenv(storetest.EnvPG) == "" {
		return
	}
	// PostgreSQL: a schema without vigil's tables is refused by a reader
	// and stays empty; the maintenance database is refused by a writer.
	pg, err := sql.Open("pgx", os.Getenv(storetest.EnvPG))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	schema := fmt.Sprintf("vigil_empty_%d", time.Now().UnixNano())
	if _, err := pg.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	defer pg.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	u, _ := url.Parse(os.Getenv(storetest.EnvPG))
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	empty := u.String()
	if _, errOut, code := cli(t, empty, "", "findings"); code != 3 || !strings.Contains(errOut, "has no vigil schema") || !strings.Contains(errOut, "vigil db migrate") {
		t.Errorf("findings on an empty PostgreSQL schema: exit %d, %q", code, errOut)
	}
	var tables int
	if err := pg.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_schema = $1`, schema).Scan(&tables); err != nil || tables != 0 {
		t.Errorf("the reader left %d tables in the empty schema (%v)", tables, err)
	}
	if _, errOut, code := cli(t, empty, "", "org", "add", "X"); code != 0 || !strings.Contains(errOut, "made a new database") {
		t.Errorf("org add on an empty PostgreSQL schema: exit %d, %q", code, errOut)
	}
	u.Path = "/postgres"
	if _, errOut, code := cli(t, u.String(), "", "org", "add", "X"); code != 2 || !strings.Contains(errOut, "maintenance database") {
		t.Errorf("org add into the maintenance database: exit %d, %q", code, errOut)
	}
}
