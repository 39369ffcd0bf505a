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

// TestCLIHostileText is the table of the commands that write: each gets a
// NUL byte and invalid UTF-8 in a text argument or in the file it reads,
// on SQLite and PostgreSQL. Arguments are refused with exit 2 naming the
// field; a bad row of a file is quarantined, escaped, and the rest goes in.
func TestCLIHostileText(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	orgsCSV := write("orgs.csv", "name,country\nGood BV,NL\n\"Bad\x00 BV\",NL\n")
	orgsJSON := write("orgs.json", `[{"name":"JSON Bad \u0000 BV"}]`)
	feedCSV := write("feed.csv", "timestamp,ip,port,hostname\n"+
		"2026-11-20 10:00:00,192.0.2.10,80,good.example\n"+
		"2026-11-20 10:00:00,192.0.2.11,80,\"nul\x00.example\"\n"+
		"2026-11-20 10:00:00,192.0.2.12,80,\"bad\xff.example\"\n")
	kev := write("kev.json", `{"title":"KEV","catalogVersion":"2026.11.20","dateReleased":"2026-11-20T00:00:00Z","count":2,"vulnerabilities":[`+
		`{"cveID":"CVE-2026-0001","vendorProject":"Axis","product":"A1001","vulnerabilityName":"Good","dateAdded":"2026-11-20","shortDescription":"x","requiredAction":"patch","dueDate":"2026-12-01"},`+
		`{"cveID":"CVE-2026-0002","vendorProject":"Axis\u0000","product":"A1001","vulnerabilityName":"Bad","dateAdded":"2026-11-20","shortDescription":"x","requiredAction":"patch","dueDate":"2026-12-01"}]}`)
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			if out, errOut, code := cli(t, db, "", "org", "add", "Energie Noord", "--cidr", "192.0.2.0/24", "--email", "soc@energie-noord.example"); code != 0 {
				t.Fatalf("org add = %q %q %d", out, errOut, code)
			}
			for _, c := range []struct {
				name string
				args []string
				code int
				want string
			}{
				{"org_add_nul", []string{"org", "add", "Bad\x00 BV"}, 2, "name: contains a NUL byte"},
				{"org_add_not_utf8", []string{"org", "add", "Bad\xff BV"}, 2, "name: is not valid UTF-8"},
				{"contact_add_email", []string{"contact", "add", "Energie Noord", "--email", "a\x00@energie-noord.example"}, 2, "email: contains a NUL byte"},
				{"contact_add_name", []string{"contact", "add", "Energie Noord", "--email", "b@energie-noord.example", "--name", "\xfe"}, 2, "name: is not valid UTF-8"},
				{"device_add_vendor", []string{"device", "add", "Energie Noord", "--vendor", "Axis\x00", "--model", "A1001"}, 2, "vendor: contains a NUL byte"},
				{"device_add_location", []string{"device", "add", "Energie Noord", "--vendor", "Axis", "--model", "A1001", "--location", "hal\xff"}, 2, "is not valid UTF-8"},
				{"asset_add", []string{"asset", "add", "Energie Noord", "bad\x00.example"}, 2, "contains a NUL byte"},
				{"token_create_name", []string{"token", "create", "--org", "Energie Noord", "--name", "ci\x00"}, 2, "contains a NUL byte"},
				{"user_add_email", []string{"user", "add", "x\x00@energie-noord.example"}, 2, "email:"},
				{"user_add_name", []string{"user", "add", "x@energie-noord.example", "--name", "\xff"}, 2, "is not valid UTF-8"},
				{"vendor_alias_add", []string{"vendor", "alias", "add", "Other\x00", "Axis"}, 2, "contains a NUL byte"},
				{"notify_bounce", []string{"notify", "bounce", "soc\x00@energie-noord.example"}, 2, "address:"},
				{"org_import_csv", []string{"org", "import", orgsCSV}, 2, "contains a NUL byte"},
				{"org_import_json", []string{"org", "import", orgsJSON}, 2, "contains a NUL byte"},
				{"org_show_lookup", []string{"org", "show", "Nobody\x00"}, 2, "contains a NUL byte"},
				{"ingest_feed", []string{"ingest", "feed", "--report-type", "scan_http", feedCSV}, 0, "quarantined"},
				{"ingest_kev", []string{"ingest", "kev", kev}, 0, "products[0].vendor: contains a NUL byte"},
			} {
				t.Run(c.name, func(t *testing.T) {
					out, errOut, code := cli(t, db, "", c.args...)
					if code != c.code || !strings.Contains(out+errOut, c.want) {
						t.Errorf("vigil %q = %d\nstdout: %s\nstderr: %s\nwant %d and %q", c.args, code, out, errOut, c.code, c.want)
					}
				})
			}
			// The refused rows are kept, byte for byte, escaped.
			out, errOut, code := cli(t, db, "", "--json", "quarantine", "list")
			var list struct{ Items []struct{ Raw string } }
			if code != 0 || json.Unmarshal([]byte(out), &list) != nil {
				t.Fatalf("quarantine list = %d %q %q", code, out, errOut)
			}
			rows := list.Items
			var raws []string
			for _, r := range rows {
				raws = append(raws, r.Raw)
			}
			for _, want := range []string{`"nul\x00.example"`, `"bad\xff.example"`, "CVE-2026-0002"} {
				if !strings.Contains(strings.Join(raws, "\n"), want) {
					t.Errorf("quarantined rows %q; want %q in one", raws, want)
				}
			}
			// Nothing of the refused commands was stored.
			out, _, _ = cli(t, db, "", "org", "list")
			if strings.Contains(out, "Bad") || !strings.Contains(out, "Energie Noord") {
				t.Errorf("org list = %q", out)
			}
		})
	}
}
