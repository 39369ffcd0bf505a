// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package registry

import "testing"

// TestNameKey: names a reader takes for the same organisation's have one
// key; different firms keep different keys.
func TestNameKey(t *testing.T) {
	cases := []struct{ name, key string }{
		{"Rabobank", "rabobank"},
		{"RABOBANK", "rabobank"},
		{"Rabobank B.V.", "rabobank"},
		{"Coöperatieve Rabobank U.A.", "rabobank"},
		{"Rаbobank", "rabobank"}, // Cyrillic а
		{"Ｒａｂｏｂａｎｋ", "rabobank"}, // full-width
		{"Rab0bank N.V.", "rabobank"},
		{"  rabobank   ", "rabobank"},
		{"Koninklijke Philips N.V.", "philips"},
		{"ASML Holding N.V.", "asml"},
		{"Stichting Drinkwater Oost", "drinkwateroost"},
		{"Waterschap Drinkwater-Oost", "waterschapdrinkwateroost"},
		{"Siemens AG", "siemens"},
		{"Siemens Aktiengesellschaft", "siemensaktiengesellschaft"},
		{"ACME, Inc.", "acme"},
		{"Straße GmbH", "strasse"},
		{"Modern Bank", "modembank"}, // "rn" reads as "m"
		{"Modem Bank", "modembank"},
		{"B.V.", "bv"}, // nothing but a legal form: kept
		{"ING Groep N.V.", "ing"},
		{"ING Bank", "ingbank"},
	}
	for _, c := range cases {
		if got := NameKey(c.name); got != c.key {
			t.Errorf("NameKey(%q) = %q; want %q", c.name, got, c.key)
		}
	}
}

// TestLookalike: equal keys, or one edit apart on keys of six characters
// or more; short keys must be equal.
func TestLookalike(t *testing.T) {
	cases := []struct {
		a, b string
		want bool
	}{
		{"Rabobank", "Coöperatieve Rabobank U.A.", true},
		{"Rabobank", "Rabobnak B.V.", true}, // two letters swapped
		{"Rabobank", "Rabobankk", true},     // one added
		{"Rabobank", "Rabbobank", true},     // one added
		{"Rabobank", "Robobank", true},      // one changed
		{"Drinkwater Oost", "Drinkwater West", false},
		{"ING", "INK", false}, // short keys must be equal
		{"ING Groep N.V.", "ING", true},
		{"Philips", "Philips Lighting", false},
		{"KPN", "KPN B.V.", true},
		{"Booking.com", "Booking", false},
		{"Gemeente Utrecht", "Gemeente Zeist", false},
	}
	for _, c := range cases {
		if got := Lookalike(c.a, c.b); got != c.want {
			t.Errorf("Lookalike(%q, %q) = %v; want %v (keys %q, %q)", c.a, c.b, got, c.want, NameKey(c.a), NameKey(c.b))
		}
	}
}
