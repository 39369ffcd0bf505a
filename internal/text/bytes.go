// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package text

import (
	"strings"
	"unicode/utf8"
)

// The reasons Problem gives.
const (
	ReasonNUL     = "contains a NUL byte"
	ReasonNotUTF8 = "is not valid UTF-8"
)

// Problem says why s cannot be stored as text, or returns "" when it can.
// The two engines differ on exactly these bytes: PostgreSQL refuses a NUL
// byte and invalid UTF-8 in a text value, SQLite stores both. vigil refuses
// them on both, so that what one engine accepts the other does too.
func Problem(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		return ReasonNUL
	}
	if !utf8.ValidString(s) {
		return ReasonNotUTF8
	}
	return ""
}

// Valid reports whether s can be stored as text (Problem(s) == "").
func Valid(s string) bool { return Problem(s) == "" }

// Clean returns s with each invalid UTF-8 sequence replaced by U+FFFD and
// each NUL byte dropped: for text vigil did not write and only shows (an
// SMTP server's reply, a peer's error message), never for input an
// operator or tenant sent, which is refused instead.
func Clean(s string) string {
	if Valid(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// Escape returns s unchanged when it can be stored as text; otherwise it
// writes every NUL byte, every byte of an invalid UTF-8 sequence and every
// backslash as an escape (\x00, \xff, \\), so that a refused input row is
// kept whole, byte for byte, in a text column of either engine.
func Escape(s string) string {
	if Valid(s) {
		return s
	}
	const hex = "0123456789abcdef"
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1, r == 0:
			b.WriteString(`\x`)
			b.WriteByte(hex[s[i]>>4])
			b.WriteByte(hex[s[i]&0xf])
		case r == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
