// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package registry

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// NameKey returns the key organisation names are compared by, so that an
// analyst sees a registration that impersonates a registered organisation
// ("RABOBANK", "Rabobank B.V.", "Coöperatieve Rabobank U.A.", "Rаbobank"
// with a Cyrillic а all have the key "rabobank"):
//   - compatibility forms folded (NFKC: full-width letters, ligatures),
//     case folded (golang.org/x/text/cases: "ß" is "ss") and diacritics
//     dropped ("ö" is "o");
//   - confusable characters folded to the Latin letter they imitate: the
//     Cyrillic and Greek letters that look Latin, and 0 as o, 1 and | as
//     l, "rn" as m and "vv" as w. golang.org/x/text has no confusables
//     table (Unicode TS #39), so confusableFold carries the common ones;
//   - words are the runs of letters and digits; runs of one-letter words
//     are one word ("B.V." is "bv", "U.A." is "ua");
//   - legal forms and the words around a name that do not tell firms apart
//     are dropped from both ends (B.V., N.V., V.O.F., C.V., U.A., Stichting,
//     Vereniging, Coöperatie(ve), Koninklijke, Holding, Inc., Ltd., LLC,
//     GmbH, AG, S.A., PLC, …), unless nothing else is left;
//   - the words are joined without spaces.
//
// Equal keys are the same name as far as a reader can tell (Lookalike).
func NameKey(name string) string {
	t := transform.Chain(norm.NFKC, cases.Fold(), norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	s, _, err := transform.String(t, name)
	if err != nil {
		s = strings.ToLower(name)
	}
	s = confusableFold(s)
	var words []string
	single := ""
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len([]rune(w)) == 1 {
			single += w
			continue
		}
		if single != "" {
			words, single = append(words, single), ""
		}
		words = append(words, w)
	}
	if single != "" {
		words = append(words, single)
	}
	all := words
	for len(words) > 0 && nameNoise(words[len(words)-1]) {
		words = words[:len(words)-1]
	}
	for len(words) > 0 && nameNoise(words[0]) {
		words = words[1:]
	}
	if len(words) == 0 {
		words = all
	}
	return strings.Join(words, "")
}

// confusableFold maps the characters that imitate Latin letters to them
// (s is case-folded already).
func confusableFold(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case 'а', 'α':
			return 'a'
		case 'в', 'β':
			return 'b'
		case 'с', 'ϲ':
			return 'c'
		case 'ԁ':
			return 'd'
		case 'е', 'ε':
			return 'e'
		case 'һ':
			return 'h'
		case 'і', 'ι', 'ӏ':
			return 'i'
		case 'ј':
			return 'j'
		case 'к', 'κ':
			return 'k'
		case 'м':
			return 'm'
		case 'н', 'η':
			return 'n'
		case 'о', 'ο', 'σ', '0':
			return 'o'
		case 'р', 'ρ':
			return 'p'
		case 'ԛ':
			return 'q'
		case 'ѕ':
			return 's'
		case 'т', 'τ':
			return 't'
		case 'υ':
			return 'u'
		case 'ν', 'ѵ':
			return 'v'
		case 'ԝ', 'ω':
			return 'w'
		case 'х', 'χ':
			return 'x'
		case 'у', 'γ':
			return 'y'
		case 'ᴢ':
			return 'z'
		case '1', '|', 'ł':
			return 'l'
		}
		return r
	}, s)
	return strings.NewReplacer("rn", "m", "vv", "w").Replace(s)
}

// nameNoise reports whether a word of a name's key is a legal form or
// another word that does not tell firms apart.
func nameNoise(w string) bool {
	switch w {
	case "bv", "nv", "vof", "cv", "ua", "wa", "ba", "ev", "bvba", "sprl", "cvba", "vzw",
		"stichting", "vereniging", "cooperatie", "cooperatieve", "koninklijke", "holding", "holdings", "groep", "group",
		"the", "de", "het", "inc", "incorporated", "ltd", "limited", "llc", "llp", "lp", "gmbh", "mbh", "ag", "kg", "kgaa",
		"co", "company", "corp", "corporation", "sa", "sas", "sarl", "srl", "spa", "se", "plc", "ab", "oy", "oyj",
		"as", "asa", "aps", "pty", "pte", "ug":
		return true
	}
	return false
}

// Lookalike reports whether two names read as the same organisation's:
// equal keys, or keys of at least six characters one edit apart (a letter
// added, dropped, changed or two swapped: "rabobank", "rabobnak").
func Lookalike(a, b string) bool {
	ka, kb := NameKey(a), NameKey(b)
	if ka == kb {
		return true
	}
	ra, rb := []rune(ka), []rune(kb)
	if min(len(ra), len(rb)) < 6 {
		return false
	}
	return editDistance1(ra, rb)
}

// editDistance1 reports whether a and b are at most one edit apart
// (insertion, deletion, substitution or transposition of neighbours).
func editDistance1(a, b []rune) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if i == len(a) {
		return true
	}
	if len(a) == len(b) {
		if string(a[i+1:]) == string(b[i+1:]) {
			return true // substitution
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && string(a[i+2:]) == string(b[i+2:])
	}
	return string(a[i:]) == string(b[i+1:]) // insertion
}
