// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package text

import (
	"fmt"
	"reflect"
	"strings"
)

// Find returns the JSON path (name, assets[1].value, policy.webhook_url)
// of the first string in v, a decoded value of any type, that cannot be
// stored as text, with the reason (Problem); reason is "" when every
// string can. Struct members are named by their json tags, map entries by
// their keys; []byte is skipped (it is not text).
func Find(v any) (path, reason string) {
	return find(reflect.ValueOf(v), "")
}

func find(v reflect.Value, path string) (string, string) {
	switch v.Kind() {
	case reflect.String:
		if p := Problem(v.String()); p != "" {
			return path, p
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return find(v.Elem(), path)
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return "", ""
		}
		for i := range v.Len() {
			if p, r := find(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); r != "" {
				return p, r
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			k := fmt.Sprint(iter.Key().Interface())
			if r := Problem(k); r != "" {
				return join(path, k), r
			}
			if p, r := find(iter.Value(), join(path, k)); r != "" {
				return p, r
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			sub := path
			if !f.Anonymous || name != "" {
				if name == "" {
					name = f.Name
				}
				sub = join(path, name)
			}
			if p, r := find(v.Field(i), sub); r != "" {
				return p, r
			}
		}
	}
	return "", ""
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
