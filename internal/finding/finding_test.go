// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package finding

import "testing"

// TestIdent pins the identity hash: databases store it, so a change of the
// function orphans every stored finding.
func TestIdent(t *testing.T) {
	for _, c := range []struct {
		org, trigger int64
		typ, key     string
		want         int64
	}{
		{1, 2, "vulnerable-system", "192.0.2.1:443", 1287610071811582852},
		{2, 1, "vulnerable-system", "192.0.2.1:443", -5939973444720353758},
		{1, 2, "vulnerable", "device:12:CVE-2024-1", 5637864547336345188},
		{0, 0, "", "", -1259324555352405707},
	} {
		if got := Ident(c.org, c.trigger, c.typ, c.key); got != c.want {
			t.Errorf("Ident(%d, %d, %q, %q) = %d; want %d", c.org, c.trigger, c.typ, c.key, got, c.want)
		}
	}
	// The separators keep the parts apart.
	if Ident(1, 2, "ab", "c") == Ident(1, 2, "a", "bc") {
		t.Error(`Ident does not separate type "ab"+key "c" from type "a"+key "bc"`)
	}
}
