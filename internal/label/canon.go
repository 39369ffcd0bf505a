// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package label

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// CanonicalForm names the byte encoding a label signature covers.
const CanonicalForm = "vigil-canon/1"

// Canonical returns the bytes a label signature covers (vigil-canon/1):
//
//   - the document must be valid UTF-8 holding one JSON object, with no duplicate member names
//     at any depth and nothing after it;
//   - the top-level member "signature" is removed;
//   - objects are written with members sorted by name (byte order of the
//     UTF-8 name), arrays in order;
//   - no whitespace outside strings;
//   - strings are written as Go's encoding/json writes them with HTML
//     escaping off (so "<" stays "<"; control characters, '"' and '\' are
//     escaped, U+2028/U+2029 as \u2028/\u2029); numbers keep their text.
//
// For the ASCII member names and integer numbers labels use, this equals
// RFC 8785 (JCS) output. Any change to any member — including adding one —
// changes the canonical bytes and so breaks the signature.
func Canonical(doc []byte) ([]byte, error) {
	if !utf8.Valid(doc) {
		return nil, fmt.Errorf("canonical: not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	v, err := readValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("canonical: data after the JSON object")
	}
	obj, ok := v.(object)
	if !ok {
		return nil, fmt.Errorf("canonical: not a JSON object")
	}
	obj = slices.DeleteFunc(obj, func(m member) bool { return m.name == "signature" })
	var b bytes.Buffer
	if err := writeValue(&b, obj); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

type member struct {
	name  string
	value any
}

type object []member

const maxDepth = 64

func readValue(dec *json.Decoder, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("canonical: nested deeper than %d", maxDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("canonical: %w", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			var obj object
			seen := map[string]bool{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, fmt.Errorf("canonical: %w", err)
				}
				name, ok := k.(string)
				if !ok {
					return nil, fmt.Errorf("canonical: object key %v is not a string", k)
				}
				if seen[name] {
					return nil, fmt.Errorf("canonical: duplicate member %q", name)
				}
				seen[name] = true
				v, err := readValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				obj = append(obj, member{name, v})
			}
			if _, err := dec.Token(); err != nil { // '}'
				return nil, fmt.Errorf("canonical: %w", err)
			}
			return obj, nil
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := readValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil { // ']'
				return nil, fmt.Errorf("canonical: %w", err)
			}
			return arr, nil
		}
		return nil, fmt.Errorf("canonical: unexpected %v", t)
	default:
		return tok, nil // string, json.Number, bool, nil
	}
}

func writeValue(b *bytes.Buffer, v any) error {
	switch t := v.(type) {
	case object:
		sorted := slices.Clone(t)
		slices.SortFunc(sorted, func(x, y member) int { return strings.Compare(x.name, y.name) })
		b.WriteByte('{')
		for i, m := range sorted {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, m.name)
			b.WriteByte(':')
			if err := writeValue(b, m.value); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeValue(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case string:
		writeString(b, t)
	case json.Number:
		b.WriteString(t.String())
	case bool:
		if t {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case nil:
		b.WriteString("null")
	default:
		return fmt.Errorf("canonical: unexpected value %T", v)
	}
	return nil
}

func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // strings always encode
	b.Truncate(b.Len() - 1) // Encode appends a newline
}
