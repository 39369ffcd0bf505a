// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"vigil/internal/notify"
)

// TestDocumentSchema checks the notice document of every golden notice
// against the published schema, and that a broken one fails.
func TestDocumentSchema(t *testing.T) {
	t.Parallel()
	for name, v := range goldenContents(t) {
		m := notify.Outgoing{Key: notify.IdempotencyKey(v.NoticeID, notify.Webhook, "https://hooks.example/x"), NoticeID: v.NoticeID,
			Ticket: v.Ticket, Lang: "nl", Content: v.Content, AckURL: v.AckURL, VerifyURL: v.VerifyURL, Date: v.Content.Created}
		b, err := json.Marshal(notify.DeliveryDocument(m))
		if err != nil {
			t.Fatal(err)
		}
		if err := notify.ValidateDocument(b); err != nil {
			t.Errorf("%s: %v\n%s", name, err, b)
		}
		// Outside a delivery (the verification page's answer).
		b, _ = json.Marshal(notify.NewDocument(v.NoticeID, v.Ticket, v.Content))
		if err := notify.ValidateDocument(b); err != nil {
			t.Errorf("%s without delivery: %v", name, err)
		}
	}
	v := goldenContents(t)["immediate"]
	good, _ := json.Marshal(notify.NewDocument(v.NoticeID, v.Ticket, v.Content))
	for name, edit := range map[string]func(map[string]any){
		"no ticket":         func(m map[string]any) { delete(m, "ticket") },
		"bad ticket":        func(m map[string]any) { m["ticket"] = "VGL-IIII-0000" },
		"no items":          func(m map[string]any) { m["items"] = []any{} },
		"unknown member":    func(m map[string]any) { m["surprise"] = 1 },
		"bad severity":      func(m map[string]any) { m["severity"] = "urgent" },
		"bad time":          func(m map[string]any) { m["created_at"] = "yesterday" },
		"item without type": func(m map[string]any) { delete(m["items"].([]any)[0].(map[string]any), "type") },
		"item bad ip":       func(m map[string]any) { m["items"].([]any)[0].(map[string]any)["ip"] = "300.1.2.3" },
	} {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		b, _ := json.Marshal(m)
		if err := notify.ValidateDocument(b); err == nil {
			t.Errorf("%s: the schema accepted %s", name, b)
		}
	}
}

// TestDocumentSchemaCoversFields keeps the schema in step with the Go
// types: every JSON member of Document and of what it contains is a
// property of the schema, and every property is a member.
func TestDocumentSchemaCoversFields(t *testing.T) {
	t.Parallel()
	var schema struct {
		Properties map[string]any `json:"properties"`
		Defs       map[string]struct {
			Properties map[string]any `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(notify.NoticeSchema, &schema); err != nil {
		t.Fatal(err)
	}
	item := schema.Defs["item"].Properties
	var linkLabel map[string]map[string]any
	b, _ := json.Marshal(item)
	var sub map[string]struct {
		Items struct {
			Properties map[string]any `json:"properties"`
		} `json:"items"`
		Properties map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(b, &sub); err != nil {
		t.Fatal(err)
	}
	linkLabel = map[string]map[string]any{"links": sub["links"].Items.Properties, "label": sub["label"].Properties}
	for _, tc := range []struct {
		typ   reflect.Type
		props map[string]any
	}{
		{reflect.TypeFor[notify.Document](), schema.Properties},
		{reflect.TypeFor[notify.Item](), item},
		{reflect.TypeFor[notify.Link](), linkLabel["links"]},
		{reflect.TypeFor[notify.LabelChange](), linkLabel["label"]},
	} {
		var members []string
		for f := range tc.typ.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name != "" && name != "-" {
				members = append(members, name)
			}
		}
		for _, m := range members {
			if _, ok := tc.props[m]; !ok {
				t.Errorf("%s member %q is not in the schema", tc.typ.Name(), m)
			}
		}
		for p := range tc.props {
			if !slices.Contains(members, p) {
				t.Errorf("schema property %q of %s is no member", p, tc.typ.Name())
			}
		}
	}
}
