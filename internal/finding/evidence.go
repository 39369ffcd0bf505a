// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package finding

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The evidence of a feed row. A finding keeps the row it was last seen in
// as a JSON array of the row's values; the ingest run keeps the column
// names once, as a JSON array (its header). Readers zip the two back into
// an object of column → value. Rows of line formats, which have no
// columns, are kept as {"line": n, "raw": "…"}.

// EvidenceArray returns values as a JSON array of strings. It is built by
// hand: ingest runs it once per matched row.
func EvidenceArray(values []string) json.RawMessage {
	b := make([]byte, 0, 256)
	b = append(b, '[')
	for i, v := range values {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, v)
	}
	return append(b, ']')
}

// EvidenceObject zips names and values (of equal length) into a JSON
// object of name → value, leaving empty values out, in names order.
func EvidenceObject(names, values []string) json.RawMessage {
	b := make([]byte, 0, 256)
	b = append(b, '{')
	for i, v := range values {
		if v == "" {
			continue
		}
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = appendJSONString(b, names[i])
		b = append(b, ':')
		b = appendJSONString(b, v)
	}
	return append(b, '}')
}

// EvidenceLine returns the evidence of a row of a line format.
func EvidenceLine(line int, raw string) json.RawMessage {
	b := make([]byte, 0, 64+len(raw))
	b = append(b, `{"line":`...)
	b = strconv.AppendInt(b, int64(line), 10)
	b = append(b, `,"raw":`...)
	b = appendJSONString(b, raw)
	return append(b, '}')
}

// ExpandEvidence returns stored evidence as a JSON object: an array of
// values is zipped with the column names of header (see EvidenceObject).
// Evidence that is not valid JSON is dropped; an array whose length does
// not match its header is returned as it is.
func ExpandEvidence(ev, header string) json.RawMessage {
	if ev == "" || !json.Valid([]byte(ev)) {
		return nil
	}
	if strings.TrimLeft(ev, " \t\r\n")[0] != '[' || header == "" { // JSON may start with white space
		return json.RawMessage(ev)
	}
	var names, values []string
	if json.Unmarshal([]byte(header), &names) != nil || json.Unmarshal([]byte(ev), &values) != nil || len(names) != len(values) {
		return json.RawMessage(ev)
	}
	return EvidenceObject(names, values)
}

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			b = append(b, c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\ufffd"...)
		} else if r == '\u2028' || r == '\u2029' {
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
