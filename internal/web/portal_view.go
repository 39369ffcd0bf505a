// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// evidenceField is one fact of a finding's evidence, as a page shows it.
type evidenceField struct {
	Name, Value string
}

// evidenceFields turns a finding's evidence (the feed's row as a JSON
// object) into name and value pairs for a definition list: keys in the
// feed's order, nested objects flattened with dotted names, lists joined,
// empty values left out. Evidence that is not an object is one field.
func evidenceFields(raw json.RawMessage) []evidenceField {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	var out []evidenceField
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := flattenJSON(dec, "", &out); err != nil {
		return []evidenceField{{Name: "evidence", Value: string(raw)}}
	}
	return out
}

// flattenJSON reads one JSON value from dec and appends its leaves under
// prefix, keeping object keys in document order.
func flattenJSON(dec *json.Decoder, prefix string, out *[]evidenceField) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				name, _ := k.(string)
				if prefix != "" {
					name = prefix + "." + name
				}
				if err := flattenJSON(dec, name, out); err != nil {
					return err
				}
			}
		case '[':
			var parts []string
			for dec.More() {
				var sub []evidenceField
				if err := flattenJSON(dec, "", &sub); err != nil {
					return err
				}
				for _, f := range sub {
					if f.Name != "" {
						parts = append(parts, f.Name+"="+f.Value)
					} else {
						parts = append(parts, f.Value)
					}
				}
			}
			if len(parts) > 0 {
				*out = append(*out, evidenceField{Name: prefix, Value: strings.Join(parts, ", ")})
			}
		}
		_, err := dec.Token() // the closing delimiter
		return err
	case nil:
		return nil
	case string:
		if t != "" {
			*out = append(*out, evidenceField{Name: prefix, Value: t})
		}
	case bool:
		*out = append(*out, evidenceField{Name: prefix, Value: strconv.FormatBool(t)})
	default:
		*out = append(*out, evidenceField{Name: prefix, Value: fmt.Sprint(t)})
	}
	return nil
}
