// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package finding

import (
	"encoding/json"
	"testing"
)

func TestExpandEvidence(t *testing.T) {
	for _, c := range []struct{ ev, header, want string }{
		{`["2025-06-01 10:00:00","","192.0.2.1"]`, `["timestamp","tag","ip"]`, `{"timestamp":"2025-06-01 10:00:00","ip":"192.0.2.1"}`},
		{`{"line":3,"raw":"192.0.2.1"}`, ``, `{"line":3,"raw":"192.0.2.1"}`},
		{`{"device":"x"}`, `["a"]`, `{"device":"x"}`},
		{`["a","b"]`, `["only one"]`, `["a","b"]`},
		{`["a"]`, ``, `["a"]`},
		{`not json`, `["a"]`, ``},
		{``, `["a"]`, ``},
	} {
		if got := string(ExpandEvidence(c.ev, c.header)); got != c.want {
			t.Errorf("ExpandEvidence(%s, %s) = %s; want %s", c.ev, c.header, got, c.want)
		}
	}
}

// FuzzExpandEvidence: whatever is stored, the reader returns valid JSON or
// nothing, and a zipped array keeps every non-empty value under its name.
func FuzzExpandEvidence(f *testing.F) {
	f.Add(`["2025-06-01 10:00:00","","192.0.2.1"]`, `["timestamp","tag","ip"]`)
	f.Add(`{"line":3,"raw":"x"}`, ``)
	f.Add(`["\u2028","\"q\""]`, `["a\\b","c"]`)
	f.Fuzz(func(t *testing.T, ev, header string) {
		out := ExpandEvidence(ev, header)
		if out == nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("ExpandEvidence(%q, %q) = %q: not JSON", ev, header, out)
		}
		var names, values []string
		if json.Unmarshal([]byte(header), &names) != nil || json.Unmarshal([]byte(ev), &values) != nil || len(names) != len(values) {
			return
		}
		var m map[string]string
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("zipped evidence %q is not an object: %v", out, err)
		}
		for i, v := range values {
			if v != "" && m[names[i]] == "" {
				t.Fatalf("value %q of %q lost in %s", v, names[i], out)
			}
		}
	})
}
