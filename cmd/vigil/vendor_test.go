// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"encoding/json"
	"testing"

	"vigil/internal/match/vendor"
)

// TestCLIVendor: a device under a vendor name no advisory uses gets its
// finding once an operator makes that name an alias; vendor list shows
// the alias with its source.
func TestCLIVendor(t *testing.T) {
	t.Parallel()
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			run := runner(t, db)
			run(0, "1", "org", "add", "Energie Noord BV")
			run(0, "1", "device", "add", "1", "--vendor", "Camera Works Nederland", "--model", "AXIS A1001", "--firmware", "1.65.2")
			run(0, "findings 0 new", "ingest", "csaf", "testdata/vuln/icsa-23-206-01.json")
			run(0, `"Camera Works Nederland" is now a name of Axis Communications; re-matched: findings 1 new`,
				"vendor", "alias", "add", "Camera Works Nederland", "Axis Communications", "--note", "local reseller brand")
			run(4, "stored already", "vendor", "alias", "add", "camera works nederland B.V.", "Axis Communications")
			run(2, "the same name", "vendor", "alias", "add", "Axis Communications AB", "Axis Communications")
			out := run(0, "", "--json", "vendor", "list", "Axis")
			var list struct{ Items []vendor.Alias }
			if err := json.Unmarshal([]byte(out), &list); err != nil {
				t.Fatal(err)
			}
			as := list.Items
			found := false
			for _, a := range as {
				if a.Alias == "Camera Works Nederland" && a.Source == vendor.SourceOperator && a.Note == "local reseller brand" && a.Vendor == "Axis Communications" {
					found = true
				}
				if a.Vendor != as[0].Vendor {
					t.Errorf("vendor list Axis shows %+v", a)
				}
			}
			if !found {
				t.Errorf("operator alias missing from %s", out)
			}
			run(0, "Siemens  SIMATIC", "vendor", "list", "Siemens AG")
			run(3, "no vendor alias", "vendor", "list", "No Such Maker")
		})
	}
}
