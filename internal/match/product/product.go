// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package product compares the product names advisories give with the
// models owners register, with an explicit confidence and a reason: exact
// names, lists ("(ES450, GX450)", "R04/08/16(EN)CPU", "KTP700, KTP900 and
// KTP900F"), placeholders ("FOX61x", "6ES7655-5PX31-1XX0",
// "DH-IPC-HDW1XXX"), series and families ("Magelis HMIGTO series",
// "SCALANCE X-300 switch family"), model ranges ("MX400-MX850"), brand
// words one side omits ("SIMATIC"), hardware revisions ("Series B"),
// version lines and releases in names ("SIMATIC WinCC V7.4", "Solid Edge
// SE2022"), editions ("… - Developer Edition"), plurals, initials ("PI
// SDK"), family words the model omits ("Wonderware InTouch Access
// Anywhere"), the product an application uses ("Applications using
// Mendix 9"), names that are sentences ("CODESYS Control for Linux
// containing the CmpUserMgr component"), abbreviations the advisory's
// title writes out ("JTTK", "JT Open Toolkit") or uses for words of the
// name ("victor VMS", "… Video Management System"), version lines written
// without "V" ("Niagara 4.6"). Below all of these, MatchTokens compares
// normalised words: leading vendor words or initials and a title's brand
// dropped, one word inside the name left out, words written together, a
// misspelt word, series members by leading digits. Vendor names are
// package match/vendor's.
//
// Normalisation: Unicode folded to ASCII, lower-cased, "&" read as "and",
// dots inside abbreviations dropped ("B.V." → "bv"), other punctuation and
// whitespace collapsed.
//
// All functions are pure and safe for concurrent use.
package product

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// fold lower-cases s and strips accents ("Schnéider" → "schneider").
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'ß':
			b.WriteString("ss")
		case r < unicode.MaxASCII:
			b.WriteRune(unicode.ToLower(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// tokens splits a folded string into lower-case alphanumeric tokens; dots
// between letters are dropped first so "B.V." and "S.A." stay one token,
// "&" becomes "and".
func tokens(s string) []string {
	s = fold(s)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && i > 0 && i+1 < len(s) && isDigit(s[i-1]) && isDigit(s[i+1]):
			b.WriteByte('.') // keep "1.0"
		case c == '.':
			// "b.v." → "bv"; "co.,ltd" → "co ltd"
		case c == '&':
			b.WriteString(" and ")
		case c == '+':
			b.WriteString(" + ")
		case c >= 'a' && c <= 'z' || isDigit(c) || c >= 0x80:
			b.WriteByte(c)
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Fields(b.String())
}

// Tokens returns the normalised tokens of a name as vendor and product
// comparisons see them: accents folded, lower case, "&" as "and", dots
// inside abbreviations dropped ("B.V." → "bv"), other punctuation a
// separator.
func Tokens(s string) []string { return tokens(s) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// compact joins tokens into one comparable string; the slash of a
// designation ("pn/dp") does not count.
func compact(ts []string) string { return strings.ReplaceAll(strings.Join(ts, ""), "/", "") }
