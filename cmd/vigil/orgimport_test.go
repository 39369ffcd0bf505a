// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// orgsCSV is examples/orgs.csv, the registry file of the README's tour.
const orgsCSV = `name,sector,country,languages,domains,cidrs,asns,emails,phones
Waterschap Zuid,water,NL,nl,waterschap-zuid.example,192.0.2.64/26,,cert@waterschap-zuid.example,
Ziekenhuis Midden,health,NL,nl;en,ziekenhuis-midden.example,198.51.100.0/25,64501,soc@ziekenhuis-midden.example,+31 30 123 4567
Hosting Oost,ict,NL,en,hosting-oost.example,203.0.113.0/24;2001:db8:100::/48,64502,abuse@hosting-oost.example,
`

// TestOrgImportUpsertUpdate: an organisation that exists, or a name given
// twice, is a refused row named file:line like any other (exit 4 when only
// existing names, --skip-invalid skips them); --upsert updates by name and
// a second import of the same file changes nothing and says so; org update
// changes only what its flags give. SQLite and PostgreSQL alike.
func TestOrgImportUpsertUpdate(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	orgs := write("orgs.csv", orgsCSV)
	twice := write("twice.csv", orgsCSV+"Nieuw BV,energy,NL,nl,nieuw.example,,,,\nHosting Oost,ict,NL,en,,,,,\n")
	more := write("more.csv", "name,languages,cidrs,phones\nWaterschap Zuid,nl;en,198.51.100.128/28,\nNieuw BV,nl,,\nHosting Oost,,,\n")
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			run := runner(t, db)
			run(0, "imported 3 organisations with 9 assets", "org", "import", orgs)
			out, errOut, code := cli(t, db, "", "org", "import", orgs)
			for _, want := range []string{
				`orgs.csv:2: name: an organisation named "Waterschap Zuid" already exists (organisation 1; --upsert updates it)`,
				`orgs.csv:4: name: an organisation named "Hosting Oost" already exists`,
				"3 invalid rows; nothing imported",
			} {
				if code != 4 || !strings.Contains(errOut, want) {
					t.Errorf("import again = %d %q %q; want 4 and %q", code, out, errOut, want)
				}
			}
			out, errOut, code = cli(t, db, "", "org", "import", twice)
			if code != 2 || !strings.Contains(errOut, `twice.csv:6: name: "Hosting Oost" appears twice in the file (first on line 4)`) {
				t.Errorf("a name twice = %d %q %q", code, out, errOut)
			}
			run(0, "imported 1 organisation with 1 asset", "org", "import", twice, "--skip-invalid")
			// Not a terminal: no progress bar, standard error stays empty.
			if out, errOut, code := cli(t, db, "", "org", "import", orgs, "--upsert"); code != 0 || errOut != "" || !strings.Contains(out, "nothing changed: 3 organisations already as in orgs.csv") {
				t.Errorf("import --upsert again = %d %q %q; want nothing changed and a quiet standard error", code, out, errOut)
			}
			run(2, `appears twice in the file`, "org", "import", twice, "--upsert")
			run(0, "0 new, 1 updated, 2 unchanged; added 1 asset, 0 contacts and 0 devices", "org", "import", more, "--upsert")
			run(0, "nothing changed: 3 organisations already as in more.csv", "org", "import", more, "--upsert")
			var o struct {
				Languages []string
				Sector    string
				Assets    []struct{ Value string }
			}
			if err := json.Unmarshal([]byte(run(0, "", "--json", "org", "show", "Waterschap Zuid")), &o); err != nil {
				t.Fatal(err)
			}
			if strings.Join(o.Languages, ",") != "nl,en" || o.Sector != "water" || len(o.Assets) != 3 {
				t.Errorf("after --upsert: %+v; want languages nl,en, sector water kept, 3 assets", o)
			}

			run(0, "Sector          energy", "org", "update", "Waterschap Zuid", "--sector", "energy", "--notify", "daily")
			run(0, "mode=daily", "org", "show", "1")
			run(0, "Languages       nl, en", "org", "show", "1")
			run(3, "organisation 99 not found", "org", "update", "99", "--sector", "x")
			run(2, "nothing to change", "org", "update", "1")
			run(4, "already exists", "org", "update", "1", "--name", "Hosting Oost")
			run(2, "policy.mode", "org", "update", "1", "--notify", "hourly")
		})
	}
}
