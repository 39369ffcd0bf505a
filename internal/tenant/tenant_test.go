// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package tenant

import "testing"

func TestScope(t *testing.T) {
	tests := []struct {
		name     string
		sc       Scope
		str      string
		orgID    int64
		allows   map[int64]bool
		zero     bool
		operator bool
		public   bool
	}{
		{name: "zero_grants_nothing", sc: Scope{}, str: "none", allows: map[int64]bool{0: false, 1: false, 7: false}, zero: true},
		{name: "org", sc: Org(7), str: "org 7", orgID: 7, allows: map[int64]bool{0: false, 1: false, 7: true}},
		{name: "org_zero_id_is_zero", sc: Org(0), str: "none", allows: map[int64]bool{0: false, 7: false}, zero: true},
		{name: "org_negative_id_is_zero", sc: Org(-3), str: "none", allows: map[int64]bool{-3: false, 0: false}, zero: true},
		{name: "operator", sc: Operator(), str: "operator", allows: map[int64]bool{0: true, 1: true, 7: true}, operator: true},
		{name: "public_grants_no_organisation", sc: Public(), str: "public", allows: map[int64]bool{0: false, 1: false, 7: false}, public: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.sc.String(); got != tt.str {
				t.Errorf("String() = %q; want %q", got, tt.str)
			}
			if got := tt.sc.OrgID(); got != tt.orgID {
				t.Errorf("OrgID() = %d; want %d", got, tt.orgID)
			}
			if tt.sc.IsZero() != tt.zero || tt.sc.IsOperator() != tt.operator || tt.sc.IsPublic() != tt.public {
				t.Errorf("IsZero, IsOperator, IsPublic = %v, %v, %v; want %v, %v, %v",
					tt.sc.IsZero(), tt.sc.IsOperator(), tt.sc.IsPublic(), tt.zero, tt.operator, tt.public)
			}
			for org, want := range tt.allows {
				if got := tt.sc.Allows(org); got != want {
					t.Errorf("Allows(%d) = %v; want %v", org, got, want)
				}
			}
		})
	}
}
