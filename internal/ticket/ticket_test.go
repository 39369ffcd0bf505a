// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package ticket_test

import (
	"bytes"
	"math/rand/v2"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/errs"
	"vigil/internal/ticket"
)

var canonical = regexp.MustCompile(`^VGL-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`)

func TestNew(t *testing.T) {
	t.Parallel()
	seen := map[ticket.Ticket]bool{}
	for range 2000 {
		tk, err := ticket.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !canonical.MatchString(string(tk)) {
			t.Fatalf("ticket %q is not canonical", tk)
		}
		if seen[tk] {
			t.Fatalf("ticket %q drawn twice in 2000", tk)
		}
		seen[tk] = true
		back, err := ticket.Parse(string(tk))
		if err != nil || back != tk {
			t.Fatalf("Parse(%q) = %q, %v", tk, back, err)
		}
	}
	// The bits come from the reader: five bytes, all used.
	tk, err := ticket.New(bytes.NewReader([]byte{0, 0, 0, 0, 0}))
	if err != nil || tk != "VGL-0000-0000" {
		t.Errorf("New(zeros) = %q, %v", tk, err)
	}
	tk, _ = ticket.New(bytes.NewReader([]byte{0xff, 0xff, 0xff, 0xff, 0xff}))
	if tk != "VGL-ZZZZ-ZZZZ" {
		t.Errorf("New(ones) = %q", tk)
	}
	if _, err := ticket.New(bytes.NewReader([]byte{1, 2})); err == nil {
		t.Error("New with a short reader succeeded")
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want ticket.Ticket
	}{
		{"VGL-7K3P-Q9XD", "VGL-7K3P-Q9XD"},
		{"vgl-7k3p-q9xd", "VGL-7K3P-Q9XD"},
		{"  VGL 7K3P Q9XD ", "VGL-7K3P-Q9XD"},
		{"7K3PQ9XD", "VGL-7K3P-Q9XD"},
		{"7k3p-q9xd", "VGL-7K3P-Q9XD"},
		{"VGL-0O1I-L000", "VGL-0011-1000"}, // confusables
		{"VGL.7K3P.Q9XD", "VGL-7K3P-Q9XD"},
		{"VGL-7K3P-Q9X", ""},   // short
		{"VGL-7K3P-Q9XDD", ""}, // long
		{"VGL-7K3P-Q9XU", ""},  // U is not in the alphabet
		{"VGL-7K3P-Q9X!", ""},
		{"VGL-7K3P-Q9XÉ", ""},
		{"", ""},
		{"VGL", ""},
	} {
		got, err := ticket.Parse(tc.in)
		if tc.want == "" {
			if err == nil || errs.CodeOf(err) != errs.Invalid {
				t.Errorf("Parse(%q) = %q, %v; want an invalid-input error", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestFind(t *testing.T) {
	t.Parallel()
	text := "Re: [vigil CERT] Kritiek: Exchange (Ziekenhuis) [VGL-7K3P-Q9XD]\n> ticket vgl-7k3p-q9xd and VGL-AAAA-BBBB, not VGL-AAAA-BBBBB or XVGL-1111-2222"
	want := []ticket.Ticket{"VGL-7K3P-Q9XD", "VGL-AAAA-BBBB"}
	if diff := cmp.Diff(want, ticket.Find(text)); diff != "" {
		t.Errorf("Find (-want +got):\n%s", diff)
	}
	if got := ticket.Find("no ticket here"); got != nil {
		t.Errorf("Find = %v; want none", got)
	}
}

func TestAccessCode(t *testing.T) {
	t.Parallel()
	key := []byte("0123456789abcdef0123456789abcdef")
	tk := ticket.Ticket("VGL-7K3P-Q9XD")
	code := ticket.AccessCode(key, tk)
	if !regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$`).MatchString(string(code)) {
		t.Fatalf("code %q is not canonical", code)
	}
	if ticket.AccessCode(key, tk) != code {
		t.Error("the code of a ticket changes")
	}
	other := ticket.AccessCode(key, "VGL-7K3P-Q9XE")
	otherKey := ticket.AccessCode([]byte("another key"), tk)
	if other == code || otherKey == code {
		t.Errorf("codes collide: %q %q %q", code, other, otherKey)
	}
	lower := []byte(string(code))
	for i, c := range lower {
		if c >= 'A' && c <= 'Z' {
			lower[i] = c + 'a' - 'A'
		}
	}
	for _, tc := range []struct {
		in   string
		tk   ticket.Ticket
		want bool
	}{
		{string(code), tk, true},
		{string(lower), tk, true},
		{string(code[:5]) + string(code[6:]), tk, true},
		{" " + string(code) + " ", tk, true},
		{string(code), "VGL-7K3P-Q9XE", false},
		{string(other), tk, false},
		{string(code[:9]), tk, false},
		{string(code) + "0", tk, false},
		{"", tk, false},
		{string(code), "", false},
		{"ÅÅÅÅÅ-ÅÅÅÅÅ", tk, false},
	} {
		if got := ticket.Check(key, tc.tk, tc.in); got != tc.want {
			t.Errorf("Check(%q, %q) = %v; want %v", tc.tk, tc.in, got, tc.want)
		}
	}
	// Codes spread over the whole alphabet (no stuck bits).
	r := rand.New(rand.NewPCG(42, 42))
	used := map[rune]bool{}
	for range 500 {
		var b [5]byte
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		tk, _ := ticket.New(bytes.NewReader(b[:]))
		for _, c := range string(ticket.AccessCode(key, tk)) {
			used[c] = true
		}
	}
	if len(used) != 33 { // 32 symbols and the hyphen
		t.Errorf("codes use %d distinct characters; want 33", len(used))
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"VGL-7K3P-Q9XD", "vgl 0o1i l000", "7K3PQ9XD", "VGL-", "ÉÉÉ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tk, err := ticket.Parse(s)
		if err != nil {
			return
		}
		if !canonical.MatchString(string(tk)) {
			t.Fatalf("Parse(%q) = %q, not canonical", s, tk)
		}
		if again, err := ticket.Parse(string(tk)); err != nil || again != tk {
			t.Fatalf("Parse is not idempotent on %q: %q, %v", tk, again, err)
		}
	})
}
