// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package csafvalidate

import (
	"encoding/json"
	"strconv"
	"strings"
)

// The document is held as the generic tree produced by
// jsonschema.UnmarshalJSON: map[string]any, []any, string, json.Number, bool
// and nil. The helpers below never panic on unexpected types: a value of the
// wrong type reads as absent, and the schema validation reports the type error.

// get walks nested objects by key and returns nil when any step is missing or
// not an object.
func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// has reports whether the object v has the key k (whatever its value).
func has(v any, k string) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	_, ok = m[k]
	return ok
}

// getArr returns the array at the nested keys or nil.
func getArr(v any, keys ...string) []any {
	a, _ := get(v, keys...).([]any)
	return a
}

// getStr returns the string at the nested keys.
func getStr(v any, keys ...string) (string, bool) {
	s, ok := get(v, keys...).(string)
	return s, ok
}

// getNum returns the number at the nested keys.
func getNum(v any, keys ...string) (float64, bool) {
	switch n := get(v, keys...).(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	}
	return 0, false
}

// strs yields the string items of an array with their index; other items are
// skipped (the schema reports them).
func strs(a []any, yield func(i int, s string)) {
	for i, v := range a {
		if s, ok := v.(string); ok {
			yield(i, s)
		}
	}
}

// jpath is a JSONPath in normalized bracket-free form: $.a.b[0]['odd key'].
type jpath string

const root jpath = "$"

// k appends an object key.
func (p jpath) k(key string) jpath {
	if isIdent(key) {
		return p + "." + jpath(key)
	}
	var b strings.Builder
	b.WriteString(string(p))
	b.WriteString("['")
	for _, r := range key {
		switch r {
		case '\'', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteString("']")
	return jpath(b.String())
}

// i appends an array index.
func (p jpath) i(n int) jpath {
	return p + "[" + jpath(strconv.Itoa(n)) + "]"
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// pathOf converts JSON pointer tokens (as reported by the schema validator)
// to a jpath, using the document to tell array indexes from object keys.
func pathOf(doc any, tokens []string) jpath {
	p := root
	cur := doc
	for _, t := range tokens {
		switch c := cur.(type) {
		case []any:
			if n, err := strconv.Atoi(t); err == nil && n >= 0 && n < len(c) {
				p = p.i(n)
				cur = c[n]
				continue
			}
			p = p.k(t)
			cur = nil
		case map[string]any:
			p = p.k(t)
			cur = c[t]
		default:
			p = p.k(t)
			cur = nil
		}
	}
	return p
}
