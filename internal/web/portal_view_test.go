// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEvidenceFields(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		in   string
		want []evidenceField
	}{
		{"empty", ``, nil},
		{"null", `null`, nil},
		{"feed order kept, empty left out", `{"timestamp":"2025-06-01 20:20:40","port":443,"tag":"","ok":true,"none":null}`,
			[]evidenceField{{"timestamp", "2025-06-01 20:20:40"}, {"port", "443"}, {"ok", "true"}}},
		{"nested and lists", `{"geo":{"country":"NL","city":"Delft"},"cves":["CVE-1","CVE-2"]}`,
			[]evidenceField{{"geo.country", "NL"}, {"geo.city", "Delft"}, {"cves", "CVE-1, CVE-2"}}},
		{"not an object", `"a string"`, []evidenceField{{"", "a string"}}},
		{"broken", `{"a":`, []evidenceField{{"evidence", `{"a":`}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, evidenceFields(json.RawMessage(c.in))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
