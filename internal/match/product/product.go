// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package product normalises vendor and product/model names of devices
// that are registered only as strings, so advisories (CSAF, CVE 5, NVD CPE
// vendors) and inventory meet on one key, and compares an advisory's
// product name with a device model with an explicit confidence.
//
// Normalisation: Unicode folded to ASCII, lower-cased, "&" read as "and",
// dots inside abbreviations dropped ("B.V." → "bv"), other punctuation and
// whitespace collapsed, legal-form suffixes removed (Inc, Ltd, GmbH, Co.,
// Corp, AG, B.V., S.A., LLC, …), and vendor aliases resolved through an
// embedded table ("Hangzhou Hikvision Digital Technology Co., Ltd." →
// "hikvision", "Allen-Bradley" → "rockwellautomation").
//
// All functions are pure and safe for concurrent use.
package product

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

//go:embed aliases.csv
var aliasesCSV string

// aliasTable maps a compact normalised alias to the canonical vendor's
// display name. Built once from the embedded CSV.
var aliasTable = sync.OnceValue(func() map[string]string {
	r := csv.NewReader(strings.NewReader(aliasesCSV))
	r.Comment = '#'
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		panic(fmt.Sprintf("product: embedded aliases.csv: %v", err)) // a build defect, caught by tests
	}
	m := map[string]string{}
	for _, row := range rows {
		canon := strings.TrimSpace(row[0])
		for _, a := range row {
			m[compact(normalizeVendorTokens(a))] = canon
		}
	}
	return m
})

// legalSuffix reports whether a (normalised) token is a legal form.
func legalSuffix(t string) bool {
	switch t {
	case "inc", "incorporated", "ltd", "limited", "llc", "llp", "lp", "gmbh", "mbh", "co", "company", "corp",
		"corporation", "ag", "se", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "oy", "oyj", "ab", "as", "asa",
		"aps", "kg", "kgaa", "kk", "plc", "pty", "pte", "pvt", "private", "public", "ohg", "ug", "sro", "zoo", "sp",
		"cokg", "coltd":
		return true
	}
	return false
}

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

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// normalizeVendorTokens returns the tokens of a vendor name without
// parenthesised abbreviations and trailing legal forms.
func normalizeVendorTokens(v string) []string {
	// "Becton, Dickinson and Company (BD)": the parenthesis is an alias.
	if i := strings.IndexByte(v, '('); i > 0 {
		v = v[:i]
	}
	ts := tokens(v)
	for len(ts) > 1 && legalSuffix(ts[len(ts)-1]) {
		ts = ts[:len(ts)-1]
	}
	// "… Co Ltd", "… GmbH & Co KG": drop a trailing "and" left over.
	for len(ts) > 1 && (ts[len(ts)-1] == "and" || legalSuffix(ts[len(ts)-1])) {
		ts = ts[:len(ts)-1]
	}
	return ts
}

func compact(ts []string) string { return strings.Join(ts, "") }

// NormalizeVendor returns the display name of a vendor: the canonical name
// of its alias group when it has one ("Siemens AG" → "Siemens"), else the
// normalised tokens joined by spaces ("Enphase " → "enphase").
func NormalizeVendor(vendor string) string {
	ts := normalizeVendorTokens(vendor)
	if canon, ok := aliasTable()[compact(ts)]; ok {
		return canon
	}
	if i := strings.IndexByte(vendor, '('); i > 0 {
		if j := strings.IndexByte(vendor[i:], ')'); j > 0 {
			if canon, ok := aliasTable()[compact(normalizeVendorTokens(vendor[i+1:i+j]))]; ok {
				return canon
			}
		}
	}
	return strings.Join(ts, " ")
}

// VendorKey returns the index key of a vendor: the compact (space-less,
// lower-case) form of its normalised name. NVD CPE vendor fields
// ("paloaltonetworks", "schneider-electric", "nortekcontrol") give the same
// key as the names advisories and inventory use.
func VendorKey(vendor string) string {
	return compact(normalizeVendorTokens(NormalizeVendor(vendor)))
}

// NormalizeProduct returns the normalised tokens of a product or model
// name joined by spaces, without a leading vendor name ("Trane
// Technologies XL824 Thermostat" with vendor Trane → "xl824 thermostat").
func NormalizeProduct(vendor, product string) string {
	return strings.Join(productTokens(vendor, product), " ")
}

func productTokens(vendor, product string) []string {
	ts := tokens(product)
	for _, v := range []string{vendor, NormalizeVendor(vendor)} {
		vt := normalizeVendorTokens(v)
		if len(vt) > 0 && len(ts) > len(vt) && strings.Join(ts[:len(vt)], " ") == strings.Join(vt, " ") {
			ts = ts[len(vt):]
			// "Trane Technologies …": drop the rest of the legal name too.
			for len(ts) > 1 && (legalSuffix(ts[0]) || ts[0] == "technologies") {
				ts = ts[1:]
			}
		}
	}
	return ts
}

// Key returns the key that advisory indexes and inventory both use for a
// (vendor, product): "vendorkey:productkey", both compact. Equal keys mean
// the exact-normalised names are equal; looser matches go through
// MatchModel under the same VendorKey.
func Key(vendor, product string) string {
	return VendorKey(vendor) + ":" + compact(productTokens(vendor, product))
}
