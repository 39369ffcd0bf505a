// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"strings"
	"testing"
)

func TestCLIUser(t *testing.T) {
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			if out, errOut, code := cli(t, db, "", "org", "add", "Energie Noord", "--domain", "energie-noord.example"); code != 0 {
				t.Fatalf("org add = %q %q %d", out, errOut, code)
			}
			steps := []struct {
				stdin string
				args  []string
				code  int
				want  string
			}{
				{"", []string{"user", "add", "analyst@cert.example", "--role", "analyst"}, 0, "password: "},
				{"member password\n", []string{"user", "add", "m@energie-noord.example", "--org", "Energie Noord:maker", "--password-stdin"}, 0, "created user 2 m@energie-noord.example"},
				{"", []string{"user", "add", "M@energie-noord.example"}, 4, "an account with this address already exists"},
				{"", []string{"user", "add", "x@example.org", "--role", "root"}, 2, "must be admin or analyst"},
				{"", []string{"user", "add", "x@example.org", "--org", "Nobody"}, 3, "not found"},
				{"short\n", []string{"user", "add", "y@example.org", "--password-stdin"}, 2, "at least 12 characters"},
				{"", []string{"user", "list"}, 0, "Energie Noord (maker)"},
				{"another password\n", []string{"user", "passwd", "m@energie-noord.example", "--password-stdin"}, 0, "password of m@energie-noord.example changed"},
				{"", []string{"user", "passwd", "nobody@example.org"}, 3, "not found"},
				{"", []string{"user", "role", "m@energie-noord.example", "analyst"}, 0, "user 2 m@energie-noord.example: role analyst, disabled false"},
				{"", []string{"user", "role", "m@energie-noord.example", "maker"}, 2, "maker is a role in an organisation"},
				{"", []string{"user", "role", "nobody@example.org", "analyst"}, 3, "not found"},
				{"", []string{"user", "disable", "m@energie-noord.example"}, 0, "role analyst, disabled true"},
				{"", []string{"user", "list"}, 0, "-           true"},
				{"", []string{"user", "enable", "M@energie-noord.example"}, 0, "disabled false"},
				{"", []string{"user", "role", "m@energie-noord.example", "member"}, 0, "role member, disabled false"},
			}
			for _, st := range steps {
				out, errOut, code := cli(t, db, st.stdin, st.args...)
				if code != st.code || !strings.Contains(out+errOut, st.want) {
					t.Errorf("%v = %q %q %d; want %d and %q", st.args, out, errOut, code, st.code, st.want)
				}
			}
			// Each change is audited with the account before and after.
			out, _, _ := cli(t, db, "", "audit", "list", "--kind", "user")
			if !strings.Contains(out, "user.disable") || !strings.Contains(out, "user.enable") || !strings.Contains(out, "user.role") {
				t.Errorf("audit of user disable = %q", out)
			}
			// The member's user list in JSON shows no password hash.
			out, _, _ = cli(t, db, "", "--json", "user", "list")
			if strings.Contains(out, "argon2") || !strings.Contains(out, `"role": "analyst"`) {
				t.Errorf("user list --json = %s", out)
			}
		})
	}
}
