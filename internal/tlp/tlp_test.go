// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package tlp

import "testing"

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Marking
		bad  bool
	}{
		{"", None, false},
		{"TLP:CLEAR", Clear, false},
		{"tlp:clear", Clear, false},
		{"TLP:WHITE", Clear, false}, // TLP 1.0, read as CLEAR
		{"WHITE", Clear, false},
		{"TLP:GREEN", Green, false},
		{"GREEN", Green, false},
		{"TLP:AMBER", Amber, false},
		{"TLP:AMBER+STRICT", AmberStrict, false},
		{" amber+strict ", AmberStrict, false},
		{"TLP:RED", Red, false},
		{"TLP:AMBER-STRICT", None, true},
		{"TLP:AMBER STRICT", None, true},
		{"TLP:YELLOW", None, true},
		{"TLP:", None, true},
		{"TLP:RED ", Red, false},
		{"RED+STRICT", None, true},
	} {
		got, err := Parse(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("Parse(%q) = %v, %v; want %v, error %v", c.in, got, err, c.want, c.bad)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for m := None; m <= Red; m++ {
		b, _ := m.MarshalText()
		var back Marking
		if err := back.UnmarshalText(b); err != nil || back != m {
			t.Errorf("%v: round trip gave %v, %v", m, back, err)
		}
		var scanned Marking
		v, _ := m.Value()
		if err := scanned.Scan(v); err != nil || scanned != m {
			t.Errorf("%v: scan gave %v, %v", m, scanned, err)
		}
	}
	if Max(Green, Red, Amber) != Red || Max() != None || Max(None, Clear) != Clear {
		t.Error("Max does not keep the most restrictive marking")
	}
}

// TestAllows is the rule per marking and audience, written out in full.
func TestAllows(t *testing.T) {
	all := map[Audience]bool{Analyst: true, Member: true, Contact: true, Webhook: true, OwnerSecurityTxt: true, DelegateSecurityTxt: true, NetworkAbuse: true}
	strict := map[Audience]bool{Analyst: true, Member: true, Contact: true, Webhook: true, OwnerSecurityTxt: true}
	red := map[Audience]bool{Analyst: true}
	for _, c := range []struct {
		m    Marking
		want map[Audience]bool
	}{
		{None, all}, {Clear, all}, {Green, all}, {Amber, all}, {AmberStrict, strict}, {Red, red},
	} {
		for _, a := range Audiences() {
			if got := c.m.Allows(a); got != c.want[a] {
				t.Errorf("%q to %s: allowed %v, want %v", c.m, a, got, c.want[a])
			}
			if why := c.m.Why(a); (why == "") != c.want[a] {
				t.Errorf("%q to %s: reason %q", c.m, a, why)
			}
		}
	}
}
