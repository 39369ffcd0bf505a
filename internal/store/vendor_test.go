// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"context"
	"testing"

	"vigil/internal/errs"
	"vigil/internal/match/vendor"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

func TestVendorAlias(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.VendorAliasAdd(ctx, vendor.Alias{Alias: "Acme Automation Inc.", Vendor: "Siemens", Note: "bought in 2024"}); err != nil {
			t.Fatal(err)
		}
		if err := s.VendorAliasAdd(ctx, vendor.Alias{Alias: "Beta Systems", Vendor: "Rockwell Automation"}); err != nil {
			t.Fatal(err)
		}
		// The same normalised name again: a conflict.
		if err := s.VendorAliasAdd(ctx, vendor.Alias{Alias: "ACME Automation", Vendor: "ABB"}); errs.CodeOf(err) != errs.Conflict {
			t.Errorf("duplicate alias: %v; want a conflict", err)
		}
		if err := s.VendorAliasAdd(ctx, vendor.Alias{Alias: "  ", Vendor: "ABB"}); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("empty alias: %v; want invalid", err)
		}
		got, err := s.VendorAliasList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Alias != "Acme Automation Inc." || got[0].Vendor != "Siemens" || got[0].Note != "bought in 2024" ||
			got[0].Source != vendor.SourceOperator || got[1].Alias != "Beta Systems" {
			t.Errorf("VendorAliasList = %+v", got)
		}
		// The table with them groups the alias with its vendor.
		vt := vendor.Embedded().With(got)
		if vt.Group("Acme Automation") != vt.Group("Siemens AG") {
			t.Errorf("Group(Acme Automation) = %q; want Siemens' %q", vt.Group("Acme Automation"), vt.Group("Siemens AG"))
		}
	})
}
