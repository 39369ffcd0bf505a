// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package text holds the string helpers every layer shares: Truncate and
// Fit shorten strings for error messages, stored raw rows and aligned
// output without splitting a UTF-8 sequence; Problem, Clean, Escape and
// Find check and clean text before it is stored. It imports nothing of
// vigil, so every package may use it.
package text

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Mark is what Truncate appends to a string it shortened.
const Mark = "…"

// Truncate returns s when it is at most n bytes long; otherwise the
// longest prefix of s of at most n bytes that ends on a rune boundary,
// followed by Mark (so the result is at most n+len(Mark) bytes). In
// invalid UTF-8 the cut backs off at most utf8.UTFMax-1 bytes, so a run of
// stray continuation bytes is cut, not dropped. A negative n counts as 0.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := max(n, 0)
	for stop := cut - (utf8.UTFMax - 1); cut > max(stop, 0) && !utf8.RuneStart(s[cut]); {
		cut--
	}
	return s[:cut] + Mark
}

// Fit returns s when it has at most width runes; otherwise its first
// width-1 runes followed by Mark, so that the result is width runes wide.
// It is Truncate measured in runes, for aligned columns.
func Fit(s string, width int) string {
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	cut := 0
	for range width - 1 {
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
	}
	return Truncate(s, cut)
}

// Plural is n with the singular or the plural noun: "1 record",
// "2 records", "0 records".
func Plural[N ~int | ~int32 | ~int64](n N, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(int64(n), 10) + " " + many
}

// IndexFold is strings.Index ignoring case, for an ASCII sub: the index of
// the first instance of sub in s, or -1. Unlike an index found in
// strings.ToLower(s), it is an index into s itself: lower casing may change
// a string's length (invalid UTF-8 becomes U+FFFD, "İ" of two bytes "i" of
// one).
func IndexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}
