// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package csafvalidate

import (
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tag   string
		valid bool
	}{
		{"en", true}, {"en-US", true}, {"EN-us", true}, {"de-DE", true}, {"de-CH-1996", true},
		{"zh-Hant-TW", true}, {"sr-Latn-RS", true}, {"es-419", true}, {"x-private", true},
		{"en-US-x-twain", true}, {"i-klingon", true}, {"sgn-BE-FR", true}, {"qaa", true},
		{"EZ", false},             // region Eurozone, not a language (OASIS example 60)
		{"xx", false},             // unassigned language subtag
		{"en_US", false},          // not well-formed
		{"en-", false},            // not well-formed
		{"", false},               // not well-formed
		{"de-1901-1901", false},   // repeated variant
		{"en-a-bbb-a-ccc", false}, // repeated extension singleton
		{"en-Zzzz-XX-toolongvariant", false},
	}
	for _, tt := range tests {
		err := checkLanguage(tt.tag)
		if (err == nil) != tt.valid {
			t.Errorf("checkLanguage(%q) = %v, want valid=%v", tt.tag, err, tt.valid)
		}
	}
}

func TestCompleteV2(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"AV:N/AC:L/Au:N/C:C/I:C/A:C", "AV:N/AC:L/Au:N/C:C/I:C/A:C", true},
		{"AV:A/AC:L/Au:N/C:P/I:N/A:C/TD:N", "AV:A/AC:L/Au:N/C:P/I:N/A:C/CDP:ND/TD:N/CR:ND/IR:ND/AR:ND", true},
		{"AV:N/AC:L/Au:N/C:C/I:C/A:C/E:F", "AV:N/AC:L/Au:N/C:C/I:C/A:C/E:F/RL:ND/RC:ND", true},
		{"AC:L/AV:N/Au:N/C:C/I:C/A:C", "AV:N/AC:L/Au:N/C:C/I:C/A:C", true},
		{"AV:N/AV:L/Au:N/C:C/I:C/A:C", "", false}, // repeated metric
		{"AV:N/AC:L/Au:N/C:C/I:C/A:C/XX:1", "", false},
		{"AV:N/AC", "", false},
	}
	for _, tt := range tests {
		got, ok := completeV2(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("completeV2(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestPaths(t *testing.T) {
	t.Parallel()
	if got := root.k("a").i(3).k("b_c").k("odd key").k("it's").k("9x"); got != `$.a[3].b_c['odd key']['it\'s']['9x']` {
		t.Errorf("jpath = %s", got)
	}
	doc := map[string]any{"a": []any{map[string]any{"0": "x"}}, "b": map[string]any{"1": true}}
	for _, tt := range []struct {
		tokens []string
		want   jpath
	}{
		{nil, "$"},
		{[]string{"a", "0", "0"}, "$.a[0]['0']"},
		{[]string{"b", "1"}, "$.b['1']"},
		{[]string{"a", "7"}, "$.a['7']"}, // out of range: keep as key
		{[]string{"missing", "0"}, "$.missing['0']"},
	} {
		if got := pathOf(doc, tt.tokens); got != tt.want {
			t.Errorf("pathOf(%q) = %s, want %s", tt.tokens, got, tt.want)
		}
	}
}

func TestCyclicNodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edges map[string][]string
		want  []string
	}{
		{"none", map[string][]string{"a": {"b", "x"}, "b": {"x"}}, nil},
		{"self", map[string][]string{"a": {"a"}, "b": {"a"}}, []string{"a"}},
		{"two", map[string][]string{"a": {"b"}, "b": {"a"}, "c": {"a"}}, []string{"a", "b"}},
		{"long", map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"d"}, "d": {"b"}}, []string{"b", "c", "d"}},
	}
	for _, tt := range tests {
		var order []string
		for k := range tt.edges {
			order = append(order, k)
		}
		slices.Sort(order)
		var got []string
		for k := range cyclicNodes(order, tt.edges) {
			got = append(got, k)
		}
		slices.Sort(got)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	// A long chain must not blow the stack.
	edges := map[string][]string{}
	var order []string
	for i := range 50000 {
		k := "p" + strconv.Itoa(i)
		order = append(order, k)
		if i > 0 {
			edges[order[i-1]] = []string{k}
		}
		edges[k] = nil
	}
	edges[order[len(order)-1]] = []string{order[0]}
	if n := len(cyclicNodes(order, edges)); n != len(order) {
		t.Errorf("ring of %d: %d cyclic", len(order), n)
	}
}

func TestVersions(t *testing.T) {
	t.Parallel()
	vs := []string{"1.0.0-alpha", "1", "1.0.0", "1.0.1", "1.10.0", "2", "2.0.0-rc.1", "10"}
	parsed := make([]version, len(vs))
	for i, s := range vs {
		parsed[i] = parseVersion(s)
		if !parsed[i].valid() {
			t.Fatalf("%q invalid", s)
		}
	}
	slices.SortStableFunc(parsed, compareVersions)
	var got []string
	for _, v := range parsed {
		got = append(got, v.raw)
	}
	want := []string{"1.0.0-alpha", "1", "1.0.0", "1.0.1", "1.10.0", "2.0.0-rc.1", "2", "10"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	for _, s := range []string{"01", "1.0", "v1.0.0", "1.0.0-", "1.0.0+"} {
		if parseVersion(s).valid() {
			t.Errorf("%q should be invalid", s)
		}
	}
	if m, ok := parseVersion("99999999999999999999").major(); ok {
		t.Errorf("overflowing major = %d, want !ok", m)
	}
}
