// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTruncate(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "abc…"},
		{"abcd", 0, "…"},
		{"abcd", -1, "…"},
		// "é" is 2 bytes, "€" 3, "🦊" 4: a cut inside one backs off to its start.
		{"aé", 2, "a…"},
		{"aéb", 3, "aé…"},
		{"€€", 4, "€…"},
		{"€€", 5, "€…"},
		{"€€", 6, "€€"},
		{"🦊🦊", 7, "🦊…"},
		{"🦊🦊", 3, "…"},
		// Invalid UTF-8 stays as it is (only whole sequences are kept together).
		{"\xff\xfe\xfd", 2, "\xff\xfe…"},
		// A run of stray continuation bytes is cut, not dropped whole.
		{"a" + strings.Repeat("\x80", 10), 8, "a\x80\x80\x80\x80…"},
	} {
		got := Truncate(c.s, c.n)
		if got != c.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
		if utf8.ValidString(c.s) && !utf8.ValidString(got) {
			t.Errorf("Truncate(%q, %d) = %q splits a rune", c.s, c.n, got)
		}
		if len(got) > max(c.n, 0)+len(Mark) {
			t.Errorf("Truncate(%q, %d) = %q: %d bytes, more than n+len(Mark)", c.s, c.n, got, len(got))
		}
	}
}

// TestTruncateEveryCut cuts a string of mixed widths at every byte count:
// the result is always valid UTF-8, a prefix of the input plus the mark,
// and as long as the limit allows.
func TestTruncateEveryCut(t *testing.T) {
	s := "aé€🦊b" + strings.Repeat("ü", 5)
	for n := 0; n <= len(s)+1; n++ {
		got := Truncate(s, n)
		if n >= len(s) {
			if got != s {
				t.Errorf("Truncate(s, %d) = %q, want s unchanged", n, got)
			}
			continue
		}
		prefix, ok := strings.CutSuffix(got, Mark)
		if !ok || !strings.HasPrefix(s, prefix) || !utf8.ValidString(prefix) || len(prefix) > n {
			t.Fatalf("Truncate(s, %d) = %q: want a valid prefix of at most %d bytes and the mark", n, got, n)
		}
		if next := len(prefix) + utf8.RuneLen([]rune(s[len(prefix):])[0]); next <= n {
			t.Errorf("Truncate(s, %d) = %q: the next rune would still fit", n, got)
		}
	}
}

func TestFit(t *testing.T) {
	for _, c := range []struct {
		s     string
		width int
		want  string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "ab…"},
		{"ééé", 3, "ééé"},
		{"éééé", 3, "éé…"},
		{"🦊€é🦊", 3, "🦊€…"},
	} {
		if got := Fit(c.s, c.width); got != c.want {
			t.Errorf("Fit(%q, %d) = %q, want %q", c.s, c.width, got, c.want)
		}
	}
}

// TestPlural: a count with the noun in the number it needs.
func TestPlural(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 records"}, {1, "1 record"}, {2, "2 records"}, {-1, "-1 records"}} {
		if got := Plural(c.n, "record", "records"); got != c.want {
			t.Errorf("Plural(%d) = %q; want %q", c.n, got, c.want)
		}
	}
	if got := Plural(int64(1), "contact", "contacts"); got != "1 contact" {
		t.Errorf("Plural(int64 1) = %q", got)
	}
}

func TestIndexFold(t *testing.T) {
	for _, c := range []struct {
		s, sub string
		want   int
	}{
		{"Router running ALEOS", " running ", 6},
		{"Router RUNNING ALEOS", " running ", 6},
		{"\xff\xff\xff\xff and b", " and ", 4},
		{"İİ LLC and B", " and ", 8},
		{"no match", " and ", -1},
		{"", " and ", -1},
	} {
		if got := IndexFold(c.s, c.sub); got != c.want {
			t.Errorf("IndexFold(%q, %q) = %d, want %d", c.s, c.sub, got, c.want)
		}
	}
}
