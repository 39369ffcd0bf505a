// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package cpe implements CPE 2.3: well-formed names (WFN) with their
// formatted-string and URI bindings (NISTIR 7695), name comparison and
// matching (NISTIR 7696), and the NVD applicability statements built on
// them: match criteria with version ranges, and configurations of AND/OR
// nodes evaluated against the set of CPEs present on a platform.
//
// All functions are pure and safe for concurrent use.
package cpe

import (
	"errors"
	"fmt"
	"strings"

	"vigil/internal/text"
)

// maxQuoted bounds the input quoted in an error message.
const maxQuoted = 200

// Kind is the kind of an attribute value.
type Kind uint8

// The kinds of attribute value. The zero value of Value is ANY.
const (
	Any Kind = iota // the logical value ANY ("*" in a formatted string, empty in a URI)
	NA              // the logical value NA ("-")
	Str             // a string, possibly with wildcards
)

// Value is one attribute value of a WFN. Str values hold the WFN form of
// NISTIR 7695 §5.3.2: every character other than letters, digits and "_" is
// quoted with a backslash ("1\.0\.2k"); an unquoted "*" (any sequence) or
// "?" (one character) at the start or end is a wildcard.
type Value struct {
	Kind Kind
	S    string // WFN form; set only when Kind is Str
}

// String returns the value in WFN notation: ANY, NA or "…" quoted.
func (v Value) String() string {
	switch v.Kind {
	case Any:
		return "ANY"
	case NA:
		return "NA"
	}
	return `"` + v.S + `"`
}

// Unquoted returns the string value with WFN quoting removed, e.g.
// "1\.0\.2k" → "1.0.2k". Wildcards are returned as they are; ANY and NA
// give "*" and "-".
func (v Value) Unquoted() string {
	switch v.Kind {
	case Any:
		return "*"
	case NA:
		return "-"
	}
	if !strings.Contains(v.S, `\`) {
		return v.S
	}
	var b strings.Builder
	for i := 0; i < len(v.S); i++ {
		if v.S[i] == '\\' && i+1 < len(v.S) {
			i++
		}
		b.WriteByte(v.S[i])
	}
	return b.String()
}

// HasWildcards reports whether a string value contains an unquoted "*" or "?".
func (v Value) HasWildcards() bool {
	if v.Kind != Str {
		return false
	}
	for i := 0; i < len(v.S); i++ {
		switch v.S[i] {
		case '\\':
			i++
		case '*', '?':
			return true
		}
	}
	return false
}

// StrValue returns a string value from plain text, quoting every special
// character (so "*" and "?" are literal, not wildcards). An empty string
// gives ANY.
func StrValue(plain string) Value {
	if plain == "" {
		return Value{}
	}
	var b strings.Builder
	for i := 0; i < len(plain); i++ {
		c := plain[i]
		if !isAlnum(c) && c != '_' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return Value{Kind: Str, S: b.String()}
}

// Attribute indexes, in the order of the formatted-string binding.
const (
	AttrPart = iota
	AttrVendor
	AttrProduct
	AttrVersion
	AttrUpdate
	AttrEdition
	AttrLanguage
	AttrSWEdition
	AttrTargetSW
	AttrTargetHW
	AttrOther
	NumAttrs
)

// AttrNames are the WFN attribute names, indexed by the Attr constants.
func AttrNames() [NumAttrs]string {
	return [NumAttrs]string{"part", "vendor", "product", "version", "update", "edition",
		"language", "sw_edition", "target_sw", "target_hw", "other"}
}

// WFN is a well-formed CPE name. The zero value has every attribute ANY
// (it matches everything as a source).
type WFN struct {
	Attrs [NumAttrs]Value
}

// Part returns the part attribute ("a", "o", "h" or ANY).
func (w WFN) Part() Value { return w.Attrs[AttrPart] }

// Vendor returns the vendor attribute.
func (w WFN) Vendor() Value { return w.Attrs[AttrVendor] }

// Product returns the product attribute.
func (w WFN) Product() Value { return w.Attrs[AttrProduct] }

// Version returns the version attribute.
func (w WFN) Version() Value { return w.Attrs[AttrVersion] }

// Errors returned by Parse, wrapped with the offending input.
var (
	ErrSyntax    = errors.New("cpe: syntax error")
	ErrAttribute = errors.New("cpe: invalid attribute value")
)

// Parse reads a CPE name in the formatted-string binding ("cpe:2.3:…") or
// the URI binding ("cpe:/…"). The "cpe" prefix is case-insensitive.
func Parse(s string) (WFN, error) {
	switch {
	case len(s) >= 8 && strings.EqualFold(s[:8], "cpe:2.3:"):
		return parseFS(s)
	case len(s) >= 5 && strings.EqualFold(s[:5], "cpe:/"):
		return parseURI(s)
	}
	return WFN{}, fmt.Errorf("%w: %q: not a CPE 2.3 formatted string or URI", ErrSyntax, text.Truncate(s, maxQuoted))
}

// MustParse is Parse for constants in tests and tables; it panics on error.
func MustParse(s string) WFN {
	w, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return w
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// parseFS unbinds a formatted string (NISTIR 7695 §6.2.3).
func parseFS(s string) (WFN, error) {
	var w WFN
	// Split on unescaped colons (into an array: no allocation; n counts
	// past NumAttrs to report the number found).
	var fields [NumAttrs]string
	n, start := 0, 8
	for i := 8; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ':':
			if n < NumAttrs {
				fields[n] = s[start:i]
			}
			n++
			start = i + 1
		}
	}
	if n < NumAttrs {
		fields[n] = s[start:]
	}
	if n++; n != NumAttrs {
		return WFN{}, fmt.Errorf("%w: %q: %d components after cpe:2.3, want 11", ErrSyntax, text.Truncate(s, maxQuoted), n)
	}
	for i, f := range fields {
		v, err := unbindFSValue(f)
		if err != nil {
			return WFN{}, fmt.Errorf("%w: %q: %s: %v", ErrAttribute, text.Truncate(s, maxQuoted), AttrNames()[i], err)
		}
		w.Attrs[i] = v
	}
	if err := w.validate(); err != nil {
		return WFN{}, fmt.Errorf("%q: %w", text.Truncate(s, maxQuoted), err)
	}
	return w, nil
}

func unbindFSValue(f string) (Value, error) {
	switch f {
	case "*":
		return Value{}, nil
	case "-":
		return Value{Kind: NA}, nil
	case "":
		return Value{}, errors.New("empty component")
	}
	// Most values are letters, digits, underscores and wildcards, which
	// unbind to themselves: the value is then the substring itself.
	plain := true
	for i := 0; i < len(f) && plain; i++ {
		c := f[i]
		plain = isAlnum(c) || c == '_' || c == '*' || c == '?'
	}
	if plain {
		return Value{Kind: Str, S: f}, nil
	}
	var b strings.Builder
	b.Grow(len(f) + 4)
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case c == '\\':
			if i+1 >= len(f) {
				return Value{}, errors.New("trailing backslash")
			}
			i++
			q := f[i]
			if q <= 0x20 || q >= 0x7f {
				return Value{}, fmt.Errorf("quoted character %q not allowed", q)
			}
			if !isAlnum(q) && q != '_' { // quoting a letter or digit is a no-op
				b.WriteByte('\\')
			}
			b.WriteByte(q)
		case c == '*' || c == '?':
			b.WriteByte(c) // wildcard; position checked by validate
		case isAlnum(c) || c == '_':
			b.WriteByte(c)
		case c == '.' || c == '-':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c > 0x20 && c < 0x7f:
			// Other printable characters must be escaped in a formatted
			// string; NVD data is clean, but tolerate and quote them.
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			return Value{}, fmt.Errorf("character %q not allowed", c)
		}
	}
	return Value{Kind: Str, S: b.String()}, nil
}

// validate applies the WFN rules of NISTIR 7695 §5.3: part is a, o, h or
// ANY; an unquoted "*" only at the start or end, not doubled; an unquoted
// "?" only in runs at the start or end.
func (w WFN) validate() error {
	names := AttrNames()
	if p := w.Attrs[AttrPart]; p.Kind == Str && p.S != "a" && p.S != "o" && p.S != "h" {
		return fmt.Errorf("%w: part %s: want a, o, h or ANY", ErrAttribute, p)
	}
	for i, v := range w.Attrs {
		if v.Kind != Str {
			continue
		}
		if err := validateWildcards(v.S); err != nil {
			return fmt.Errorf("%w: %s %s: %v", ErrAttribute, names[i], v, err)
		}
	}
	return nil
}

func validateWildcards(s string) error {
	if s == "" {
		return errors.New("empty string")
	}
	n := len(s)
	for i := 0; i < n; i++ {
		switch s[i] {
		case '\\':
			i++
		case '*':
			if i != 0 && i != n-1 {
				return errors.New(`"*" only at the start or end`)
			}
			if i+1 < n && s[i+1] == '*' {
				return errors.New(`"**" not allowed`)
			}
		case '?':
			// Must be in a run touching the start or the end.
			j, k := i, i
			for j > 0 && s[j-1] == '?' {
				j--
			}
			for k+1 < n && s[k+1] == '?' {
				k++
			}
			if j != 0 && k != n-1 {
				return errors.New(`"?" only at the start or end`)
			}
			i = k
		}
	}
	return nil
}

// quotedAt reports whether s[i] is preceded by an odd number of backslashes.
func quotedAt(s string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

// String returns the formatted-string binding ("cpe:2.3:…", NISTIR 7695
// §6.2.2).
func (w WFN) String() string {
	var b strings.Builder
	b.Grow(64)
	b.WriteString("cpe:2.3")
	for _, v := range w.Attrs {
		b.WriteByte(':')
		switch v.Kind {
		case Any:
			b.WriteByte('*')
		case NA:
			b.WriteByte('-')
		default:
			if v.S == `\-` { // a lone quoted hyphen, not NA
				b.WriteString(`\-`)
				continue
			}
			for i := 0; i < len(v.S); i++ {
				c := v.S[i]
				if c == '\\' && i+1 < len(v.S) {
					n := v.S[i+1]
					if n == '.' || n == '-' || n == '_' {
						b.WriteByte(n)
						i++
						continue
					}
					b.WriteByte('\\')
					b.WriteByte(n)
					i++
					continue
				}
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

// MarshalText implements encoding.TextMarshaler with the formatted string.
func (w WFN) MarshalText() ([]byte, error) { return []byte(w.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler, accepting either
// binding.
func (w *WFN) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*w = v
	return nil
}
