// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"regexp"
	"testing"
)

// TestTablesNameOrganisations: a table that lists organisations' objects
// shows each organisation by id and name, not by a bare number.
func TestTablesNameOrganisations(t *testing.T) {
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			run := runner(t, db)
			run(0, "", "org", "add", "Waterschap Zuid", "--cidr", "192.0.2.64/26")
			run(0, "", "org", "add", "Gemaal Noord", "--cidr", "192.0.2.64/28")
			run(0, "", "device", "add", "Gemaal Noord", "--vendor", "Hikvision", "--model", "DS-2CD2142FWD-I")
			for _, tc := range []struct {
				args []string
				want string
			}{
				{[]string{"asset", "list"}, `(?m)^1\s+1 Waterschap Zuid\s+cidr`},
				{[]string{"asset", "list"}, `(?m)^2\s+2 Gemaal Noord\s+cidr`},
				{[]string{"asset", "overlaps"}, `192.0.2.64/26\s+1 Waterschap Zuid\s+192.0.2.64/28\s+2 Gemaal Noord`},
				{[]string{"device", "list"}, `(?m)^1\s+2 Gemaal Noord\s+Hikvision`},
			} {
				if out := run(0, "", tc.args...); !regexp.MustCompile(tc.want).MatchString(out) {
					t.Errorf("vigil %v:\n%s\nwant %s", tc.args, out, tc.want)
				}
			}
		})
	}
}
