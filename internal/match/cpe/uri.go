// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package cpe

import (
	"errors"
	"fmt"
	"strings"

	"vigil/internal/text"
)

// uriAttrs are the seven components of the URI binding.
const uriAttrs = 7

// parseURI unbinds a URI (NISTIR 7695 §6.1.3), including the packed edition
// "~edition~sw_edition~target_sw~target_hw~other".
func parseURI(s string) (WFN, error) {
	var w WFN
	comps := strings.Split(s[5:], ":")
	if len(comps) > uriAttrs {
		return WFN{}, fmt.Errorf("%w: %q: %d components, want at most 7", ErrSyntax, text.Truncate(s, maxQuoted), len(comps))
	}
	names := AttrNames()
	for i, c := range comps {
		if i == AttrEdition && strings.HasPrefix(c, "~") {
			packed := strings.Split(c[1:], "~")
			if len(packed) != 5 {
				return WFN{}, fmt.Errorf("%w: %q: packed edition has %d fields, want 5", ErrSyntax, text.Truncate(s, maxQuoted), len(packed))
			}
			for j, idx := range []int{AttrEdition, AttrSWEdition, AttrTargetSW, AttrTargetHW, AttrOther} {
				v, err := decodeURIValue(packed[j])
				if err != nil {
					return WFN{}, fmt.Errorf("%w: %q: %s: %v", ErrAttribute, text.Truncate(s, maxQuoted), names[idx], err)
				}
				w.Attrs[idx] = v
			}
			continue
		}
		v, err := decodeURIValue(c)
		if err != nil {
			return WFN{}, fmt.Errorf("%w: %q: %s: %v", ErrAttribute, text.Truncate(s, maxQuoted), names[i], err)
		}
		w.Attrs[i] = v
	}
	if err := w.validate(); err != nil {
		return WFN{}, fmt.Errorf("%q: %w", text.Truncate(s, maxQuoted), err)
	}
	return w, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// decodeURIValue is decode() of NISTIR 7695 §6.1.3.3.
func decodeURIValue(c string) (Value, error) {
	switch c {
	case "":
		return Value{}, nil
	case "-":
		return Value{Kind: NA}, nil
	}
	var b strings.Builder
	for i := 0; i < len(c); i++ {
		ch := c[i]
		switch {
		case ch == '.' || ch == '-' || ch == '~':
			b.WriteByte('\\')
			b.WriteByte(ch)
		case isAlnum(ch) || ch == '_':
			b.WriteByte(ch)
		case ch == '%':
			if i+2 >= len(c) {
				return Value{}, errors.New("truncated percent-encoding")
			}
			hi, ok1 := unhex(c[i+1])
			lo, ok2 := unhex(c[i+2])
			if !ok1 || !ok2 {
				return Value{}, fmt.Errorf("invalid percent-encoding %q", c[i:i+3])
			}
			d := hi<<4 | lo
			i += 2
			switch {
			case d == 0x01:
				b.WriteByte('?')
			case d == 0x02:
				b.WriteByte('*')
			case d > 0x20 && d < 0x7f && !isAlnum(d) && d != '_':
				b.WriteByte('\\')
				b.WriteByte(d)
			default:
				return Value{}, fmt.Errorf("percent-encoded byte %#02x not allowed", d)
			}
		default:
			return Value{}, fmt.Errorf("character %q not allowed", ch)
		}
	}
	if b.String() == "*" { // a lone unquoted "*" is ANY, as in a formatted string
		return Value{}, nil
	}
	return Value{Kind: Str, S: b.String()}, nil
}

// URI returns the URI binding ("cpe:/…", NISTIR 7695 §6.1.2). Attributes
// beyond language are packed into the edition with "~" when any is not ANY.
func (w WFN) URI() string {
	var comps [uriAttrs]string
	for i := range AttrEdition {
		comps[i] = encodeURIValue(w.Attrs[i])
	}
	comps[AttrLanguage] = encodeURIValue(w.Attrs[AttrLanguage])
	packed := false
	for _, v := range w.Attrs[AttrSWEdition:] {
		if v.Kind != Any {
			packed = true
		}
	}
	if packed {
		var b strings.Builder
		for _, idx := range []int{AttrEdition, AttrSWEdition, AttrTargetSW, AttrTargetHW, AttrOther} {
			b.WriteByte('~')
			b.WriteString(encodeURIValue(w.Attrs[idx]))
		}
		comps[AttrEdition] = b.String()
	} else {
		comps[AttrEdition] = encodeURIValue(w.Attrs[AttrEdition])
	}
	n := uriAttrs
	for n > 0 && comps[n-1] == "" {
		n--
	}
	return "cpe:/" + strings.Join(comps[:n], ":")
}

const hexLower = "0123456789abcdef"

// encodeURIValue is transform_for_uri() of NISTIR 7695 §6.1.2.3.
func encodeURIValue(v Value) string {
	switch v.Kind {
	case Any:
		return ""
	case NA:
		return "-"
	}
	if v.S == `\-` { // a lone quoted hyphen, not NA
		return "%2d"
	}
	var b strings.Builder
	for i := 0; i < len(v.S); i++ {
		c := v.S[i]
		switch {
		case isAlnum(c) || c == '_':
			b.WriteByte(c)
		case c == '\\' && i+1 < len(v.S):
			i++
			n := v.S[i]
			if n == '.' || n == '-' {
				b.WriteByte(n)
				continue
			}
			b.WriteByte('%')
			b.WriteByte(hexLower[n>>4])
			b.WriteByte(hexLower[n&0xf])
		case c == '?':
			b.WriteString("%01")
		case c == '*':
			b.WriteString("%02")
		default:
			b.WriteByte('%')
			b.WriteByte(hexLower[c>>4])
			b.WriteByte(hexLower[c&0xf])
		}
	}
	return b.String()
}
