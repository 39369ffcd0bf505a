// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package text

import "testing"

func TestProblemCleanEscape(t *testing.T) {
	for _, c := range []struct {
		name, in, problem, clean, escaped string
	}{
		{"plain", "Drinkwater-Oost B.V.", "", "Drinkwater-Oost B.V.", "Drinkwater-Oost B.V."},
		{"non_ascii", `Zürich \ Genève`, "", `Zürich \ Genève`, `Zürich \ Genève`},
		{"nul", "a\x00b", ReasonNUL, "ab", `a\x00b`},
		{"invalid", "a\xffb\xc3", ReasonNotUTF8, "a\uFFFDb\uFFFD", `a\xffb\xc3`},
		{"both_with_backslash", "\\\x00é\xfe", ReasonNUL, "\\é\uFFFD", `\\\x00é\xfe`},
		{"surrogate_half", "\xed\xa0\x80", ReasonNotUTF8, "\uFFFD", `\xed\xa0\x80`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Problem(c.in); got != c.problem {
				t.Errorf("Problem(%q) = %q; want %q", c.in, got, c.problem)
			}
			if got := Clean(c.in); got != c.clean {
				t.Errorf("Clean(%q) = %q; want %q", c.in, got, c.clean)
			}
			got := Escape(c.in)
			if got != c.escaped {
				t.Errorf("Escape(%q) = %q; want %q", c.in, got, c.escaped)
			}
			if !Valid(got) || !Valid(Clean(c.in)) {
				t.Errorf("Escape or Clean of %q is not storable", c.in)
			}
		})
	}
}

func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "a\x00", "\xff\\", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if e := Escape(s); !Valid(e) {
			t.Fatalf("Escape(%q) = %q, not storable", s, e)
		}
		if c := Clean(s); !Valid(c) {
			t.Fatalf("Clean(%q) = %q, not storable", s, c)
		}
	})
}

func TestFind(t *testing.T) {
	type asset struct {
		Value string `json:"value"`
		Raw   []byte `json:"raw"`
	}
	type policy struct {
		Webhook *string `json:"webhook_url,omitempty"`
	}
	type org struct {
		Name   string            `json:"name"`
		Assets []asset           `json:"assets"`
		Policy *policy           `json:"policy"`
		Labels map[string]string `json:"labels"`
		Plain  string
		hidden string
	}
	bad := "x\x00"
	for _, c := range []struct {
		name         string
		v            any
		path, reason string
	}{
		{"clean", org{Name: "a", Assets: []asset{{Value: "b", Raw: []byte{0}}}, hidden: "\x00"}, "", ""},
		{"top", &org{Name: "\xff"}, "name", ReasonNotUTF8},
		{"nested", org{Assets: []asset{{Value: "ok"}, {Value: bad}}}, "assets[1].value", ReasonNUL},
		{"pointer", org{Policy: &policy{Webhook: &bad}}, "policy.webhook_url", ReasonNUL},
		{"map_value", org{Labels: map[string]string{"k": bad}}, "labels.k", ReasonNUL},
		{"untagged", org{Plain: bad}, "Plain", ReasonNUL},
	} {
		t.Run(c.name, func(t *testing.T) {
			path, reason := Find(c.v)
			if path != c.path || reason != c.reason {
				t.Errorf("Find = %q, %q; want %q, %q", path, reason, c.path, c.reason)
			}
		})
	}
}
