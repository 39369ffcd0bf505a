// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package cpe

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// nvdRecord is the part of an NVD CVE API 2.0 record the tests read.
type nvdRecord struct {
	ID             string          `json:"id"`
	Configurations []Configuration `json:"configurations"`
}

func loadNVD(tb testing.TB) map[string]nvdRecord {
	tb.Helper()
	files, err := filepath.Glob("testdata/nvd/*.json")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no NVD testdata: %v", err)
	}
	out := map[string]nvdRecord{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var r nvdRecord
		if err := json.Unmarshal(b, &r); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		out[r.ID] = r
	}
	return out
}

// nvdCPEStrings returns every "criteria" string of the NVD testdata, raw.
func nvdCPEStrings(tb testing.TB) []string {
	tb.Helper()
	files, _ := filepath.Glob("testdata/nvd/*.json")
	re := regexp.MustCompile(`"criteria":\s*"([^"]+)"`)
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(b, -1) {
			out = append(out, string(m[1]))
		}
	}
	return out
}

func TestNVDCriteriaRoundTrip(t *testing.T) {
	t.Parallel()
	all := nvdCPEStrings(t)
	if len(all) < 50 {
		t.Fatalf("only %d criteria", len(all))
	}
	for _, s := range all {
		w, err := Parse(s)
		if err != nil {
			t.Errorf("Parse(%q): %v", s, err)
			continue
		}
		if got := w.String(); got != s {
			t.Errorf("Parse(%q).String() = %q", s, got)
		}
		u := w.URI()
		w2, err := Parse(u)
		if err != nil {
			t.Errorf("Parse(URI %q): %v", u, err)
			continue
		}
		if w2 != w {
			t.Errorf("URI round trip of %q via %q: got %v", s, u, w2)
		}
	}
}

func wfn(attrs map[int]Value) WFN {
	var w WFN
	for i, v := range attrs {
		w.Attrs[i] = v
	}
	return w
}

func s(v string) Value { return Value{Kind: Str, S: v} }

// The worked examples of NISTIR 7695.
var bindingExamples = []struct {
	name string
	w    WFN
	fs   string
	uri  string
}{
	{"ie_beta", wfn(map[int]Value{AttrPart: s("a"), AttrVendor: s("microsoft"), AttrProduct: s("internet_explorer"),
		AttrVersion: s(`8\.0\.6001`), AttrUpdate: s("beta")}),
		"cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*",
		"cpe:/a:microsoft:internet_explorer:8.0.6001:beta"},
	{"ie_wildcards", wfn(map[int]Value{AttrPart: s("a"), AttrVendor: s("microsoft"), AttrProduct: s("internet_explorer"),
		AttrVersion: s(`8\.*`), AttrUpdate: s("sp?")}),
		"cpe:2.3:a:microsoft:internet_explorer:8.*:sp?:*:*:*:*:*:*",
		"cpe:/a:microsoft:internet_explorer:8.%02:sp%01"},
	{"ie_quoted_wildcards", wfn(map[int]Value{AttrPart: s("a"), AttrVendor: s("microsoft"), AttrProduct: s("internet_explorer"),
		AttrVersion: s(`8\.\*`), AttrUpdate: s(`sp\?`)}),
		`cpe:2.3:a:microsoft:internet_explorer:8.\*:sp\?:*:*:*:*:*:*`,
		"cpe:/a:microsoft:internet_explorer:8.%2a:sp%3f"},
	{"hp_insight_packed", wfn(map[int]Value{AttrPart: s("a"), AttrVendor: s("hp"), AttrProduct: s("insight_diagnostics"),
		AttrVersion: s(`7\.4\.0\.1570`), AttrUpdate: {Kind: NA}, AttrSWEdition: s("online"), AttrTargetSW: s("win2003"), AttrTargetHW: s("x64")}),
		"cpe:2.3:a:hp:insight_diagnostics:7.4.0.1570:-:*:*:online:win2003:x64:*",
		"cpe:/a:hp:insight_diagnostics:7.4.0.1570:-:~~online~win2003~x64~"},
	{"hp_openview_packed", wfn(map[int]Value{AttrPart: s("a"), AttrVendor: s("hp"), AttrProduct: s("openview_network_manager"),
		AttrVersion: s(`7\.51`), AttrTargetSW: s("linux")}),
		"cpe:2.3:a:hp:openview_network_manager:7.51:*:*:*:*:linux:*:*",
		"cpe:/a:hp:openview_network_manager:7.51::~~~linux~~"},
	{"foo_bar_escapes", wfn(map[int]Value{AttrPart: s("a"), AttrVendor: s(`foo\\bar`), AttrProduct: s(`big\$money_manager_2010`),
		AttrSWEdition: s("special"), AttrTargetSW: s("ipod_touch"), AttrTargetHW: s("80gb")}),
		`cpe:2.3:a:foo\\bar:big\$money_manager_2010:*:*:*:*:special:ipod_touch:80gb:*`,
		"cpe:/a:foo%5cbar:big%24money_manager_2010:::~~special~ipod_touch~80gb~"},
	{"tilde_edition", wfn(map[int]Value{AttrPart: s("a"), AttrVendor: s("vendor"), AttrProduct: s("product"), AttrEdition: s(`a\~b`)}),
		`cpe:2.3:a:vendor:product:*:*:a\~b:*:*:*:*:*`,
		"cpe:/a:vendor:product:::a%7eb"},
	{"lone_quoted_hyphen", wfn(map[int]Value{AttrPart: s("o"), AttrVendor: s("v"), AttrProduct: s("p"), AttrVersion: s(`\-`)}),
		`cpe:2.3:o:v:p:\-:*:*:*:*:*:*:*`,
		"cpe:/o:v:p:%2d"},
	{"all_any", WFN{}, "cpe:2.3:*:*:*:*:*:*:*:*:*:*:*", "cpe:/"},
}

func TestBindings(t *testing.T) {
	t.Parallel()
	for _, tt := range bindingExamples {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.w.String(); got != tt.fs {
				t.Errorf("String() = %q; want %q", got, tt.fs)
			}
			if got := tt.w.URI(); got != tt.uri {
				t.Errorf("URI() = %q; want %q", got, tt.uri)
			}
			for _, in := range []string{tt.fs, tt.uri} {
				got, err := Parse(in)
				if err != nil {
					t.Fatalf("Parse(%q): %v", in, err)
				}
				if diff := cmp.Diff(tt.w, got); diff != "" {
					t.Errorf("Parse(%q) (-want +got):\n%s", in, diff)
				}
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	bad := []string{
		"",
		"cpe:2.3:a:vendor:product",            // too few components
		"cpe:2.3:a:v:p:1:*:*:*:*:*:*:*:extra", // too many
		"cpe:2.3:x:v:p:*:*:*:*:*:*:*:*",       // bad part
		"cpe:2.3:a:v:p:1**:*:*:*:*:*:*:*",     // "**"
		"cpe:2.3:a:v:p:1*2:*:*:*:*:*:*:*",     // "*" inside
		"cpe:2.3:a:v:p:1?2:*:*:*:*:*:*:*",     // "?" inside
		"cpe:2.3:a:v::*:*:*:*:*:*:*:*",        // empty component
		"cpe:2.3:a:v:p:1\\",                   // trailing backslash
		"cpe:2.3:a:v:p:é:*:*:*:*:*:*:*",       // non-ASCII
		"cpe:/a:v:p:1:2:3:4:5",                // URI too long
		"cpe:/a:v:p:1::~a~b",                  // short packed edition
		"cpe:/a:v:p:1%zz",                     // bad percent
		"cpe:/a:v:p:1%00",                     // control byte
		"cpe:/a:v:p:1 2",                      // space
		"cpe:/q:v:p",                          // bad part
		"pkg:npm/left-pad@1.0.0",              // not a CPE
		"cpe:2.2:a:v:p:*:*:*:*:*:*:*:*",       // wrong version
	}
	for _, in := range bad {
		if w, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %v; want error", in, w)
		}
	}
}

func TestCompareAttr(t *testing.T) {
	t.Parallel()
	na := Value{Kind: NA}
	anyv := Value{}
	tests := []struct {
		source, target Value
		want           Relation
	}{
		{anyv, anyv, Equal},
		{anyv, na, Superset},
		{anyv, s("foo"), Superset},
		{na, anyv, Subset},
		{na, na, Equal},
		{na, s("foo"), Disjoint},
		{s("foo"), na, Disjoint},
		{s("foo"), anyv, Subset},
		{s("foo"), s("FOO"), Equal},
		{s("foo"), s("bar"), Disjoint},
		{s(`8\.*`), s(`8\.0\.6001`), Superset},
		{s(`8\.*`), s(`9\.0`), Disjoint},
		{s("sp?"), s("sp1"), Superset},
		{s("sp?"), s("sp10"), Disjoint},
		{s("sp??"), s("sp10"), Superset},
		{s("sp??"), s("sp1"), Superset}, // "?" at the end matches one or zero (NISTIR 7696 ends counting)
		{s("*soft"), s("microsoft"), Superset},
		{s("*soft"), s("softer"), Disjoint},
		{s("?icrosoft"), s("microsoft"), Superset},
		{s("?crosoft"), s("microsoft"), Disjoint},
		{s(`*\.1`), s(`2\.1`), Superset},
		{s(`2\.*`), s(`2\.1\.1`), Superset},
		{s(`*b*`), s("abc"), Superset},
		{s("foo"), s("f*"), Undefined},
		{anyv, s("f?"), Undefined},
	}
	for _, tt := range tests {
		if got := CompareAttr(tt.source, tt.target); got != tt.want {
			t.Errorf("CompareAttr(%v, %v) = %v; want %v", tt.source, tt.target, got, tt.want)
		}
	}
}

func TestCompareNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		source, target string
		want           Relation
		match          bool
	}{
		{"cpe:2.3:a:apache:activemq:*:*:*:*:*:*:*:*", "cpe:2.3:a:apache:activemq:5.17.5:*:*:*:*:*:*:*", Superset, true},
		{"cpe:2.3:a:apache:activemq:5.17.5:*:*:*:*:*:*:*", "cpe:2.3:a:apache:activemq:5.17.5:*:*:*:*:*:*:*", Equal, true},
		{"cpe:2.3:a:apache:activemq:5.17.5:*:*:*:*:*:*:*", "cpe:2.3:a:apache:activemq:*:*:*:*:*:*:*:*", Subset, false},
		{"cpe:2.3:a:apache:activemq:*:*:*:*:*:*:*:*", "cpe:2.3:a:apache:tomcat:9.0:*:*:*:*:*:*:*", Disjoint, false},
		{"cpe:2.3:h:axis:a1001:-:*:*:*:*:*:*:*", "cpe:2.3:h:axis:a1001:-:*:*:*:*:*:*:*", Equal, true},
		{"cpe:2.3:h:axis:a1001:-:*:*:*:*:*:*:*", "cpe:2.3:h:axis:a1001:*:*:*:*:*:*:*:*", Subset, false},
		{"cpe:2.3:h:axis:a1001:-:*:*:*:*:*:*:*", "cpe:2.3:h:axis:a1001:1.0:*:*:*:*:*:*:*", Disjoint, false},
		{"cpe:2.3:a:Microsoft:Internet_Explorer:8.*:sp?:*:*:*:*:*:*", "cpe:/a:microsoft:internet_explorer:8.0.6001:sp2", Superset, true},
		{"cpe:2.3:a:microsoft:*:1:*:*:*:*:*:*:*", "cpe:2.3:a:*:ie:*:*:*:*:*:*:*:*", Undefined, false},
		{"cpe:2.3:a:v:p:*:*:*:*:*:*:*:*", "cpe:2.3:a:v:p:1.*:*:*:*:*:*:*:*", Undefined, false},
	}
	for _, tt := range tests {
		src, tgt := MustParse(tt.source), MustParse(tt.target)
		if got := Compare(src, tgt); got != tt.want {
			t.Errorf("Compare(%s, %s) = %v; want %v", tt.source, tt.target, got, tt.want)
		}
		if got := Match(src, tgt); got != tt.match {
			t.Errorf("Match(%s, %s) = %v; want %v", tt.source, tt.target, got, tt.match)
		}
	}
}

// oracleSuperset is a deliberately naive reading of source wildcards as a
// regular expression over the unquoted target: "*" any run, each "?" at
// the start or end one or zero characters (as compare_strings of
// NISTIR 7696 counts them).
func oracleSuperset(source, target string) bool {
	var b strings.Builder
	b.WriteString("^")
	lead := 0
	for lead < len(source) && source[lead] == '?' {
		lead++
	}
	star0 := strings.HasPrefix(source, "*")
	body := source
	if star0 {
		body = body[1:]
		b.WriteString("(?s:.*)")
	} else {
		body = body[lead:]
		for range lead {
			b.WriteString("(?s:.)?")
		}
	}
	trail, starEnd := 0, false
	if strings.HasSuffix(body, "*") && !quotedAt(body, len(body)-1) {
		body, starEnd = body[:len(body)-1], true
	} else {
		for len(body) > 0 && body[len(body)-1] == '?' && !quotedAt(body, len(body)-1) {
			body = body[:len(body)-1]
			trail++
		}
	}
	b.WriteString(regexp.QuoteMeta(Value{Kind: Str, S: body}.Unquoted()))
	if starEnd {
		b.WriteString("(?s:.*)")
	}
	for range trail {
		b.WriteString("(?s:.)?")
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String()).MatchString(Value{Kind: Str, S: target}.Unquoted())
}

func TestCompareStringsOracle(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(42, 42))
	alpha := []string{"a", "b", "1", `\.`, `\-`}
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(alpha[r.IntN(len(alpha))])
		}
		return b.String()
	}
	n := 100000
	if testing.Short() {
		n = 10000
	}
	for range n {
		target := word(1 + r.IntN(6))
		var src string
		switch r.IntN(6) {
		case 0:
			src = "*" + word(1+r.IntN(3))
		case 1:
			src = word(1+r.IntN(3)) + "*"
		case 2:
			src = "*" + word(1+r.IntN(3)) + "*"
		case 3:
			src = strings.Repeat("?", 1+r.IntN(2)) + word(1+r.IntN(3))
		case 4:
			src = word(1+r.IntN(3)) + strings.Repeat("?", 1+r.IntN(2))
		default:
			src = word(1 + r.IntN(4))
		}
		got := CompareAttr(s(src), s(target))
		want := oracleSuperset(src, target)
		if (got == Superset || got == Equal) != want {
			t.Fatalf("CompareAttr(%q, %q) = %v; oracle says match=%v", src, target, got, want)
		}
	}
}

func TestNVDConfigurations(t *testing.T) {
	t.Parallel()
	recs := loadNVD(t)
	type platform []string
	tests := []struct {
		cve      string
		platform platform
		applies  bool
		hits     []string // vulnerable criteria matched
	}{
		// firmware AND hardware ("running on")
		{"CVE-2023-21406", platform{"cpe:2.3:o:axis:a1001_firmware:1.65.4:*:*:*:*:*:*:*", "cpe:2.3:h:axis:a1001:-:*:*:*:*:*:*:*"}, true,
			[]string{"cpe:2.3:o:axis:a1001_firmware:*:*:*:*:*:*:*:*"}},
		{"CVE-2023-21406", platform{"cpe:2.3:o:axis:a1001_firmware:1.65.5:*:*:*:*:*:*:*", "cpe:2.3:h:axis:a1001:-:*:*:*:*:*:*:*"}, false, nil},
		{"CVE-2023-21406", platform{"cpe:2.3:o:axis:a1001_firmware:1.65.4:*:*:*:*:*:*:*"}, false, nil}, // hardware missing
		{"CVE-2023-21406", platform{"cpe:2.3:h:axis:a1001:-:*:*:*:*:*:*:*"}, false, nil},
		{"CVE-2023-21406", platform{"cpe:2.3:o:axis:a1001_firmware:*:*:*:*:*:*:*:*", "cpe:2.3:h:axis:a1001:-:*:*:*:*:*:*:*"}, false, nil}, // unknown version
		{"CVE-2019-7256", platform{"cpe:2.3:o:nortekcontrol:linear_emerge_elite_firmware:1.00-06:*:*:*:*:*:*:*", "cpe:2.3:h:nortekcontrol:linear_emerge_elite:-:*:*:*:*:*:*:*"}, true,
			[]string{"cpe:2.3:o:nortekcontrol:linear_emerge_elite_firmware:*:*:*:*:*:*:*:*"}},
		{"CVE-2019-7256", platform{"cpe:2.3:o:nortekcontrol:linear_emerge_elite_firmware:1.00-07:*:*:*:*:*:*:*", "cpe:2.3:h:nortekcontrol:linear_emerge_elite:-:*:*:*:*:*:*:*"}, false, nil},
		{"CVE-2019-7256", platform{"cpe:2.3:o:nortekcontrol:linear_emerge_elite_firmware:1.00-05:*:*:*:*:*:*:*", "cpe:2.3:h:nortekcontrol:linear_emerge_essential:-:*:*:*:*:*:*:*"}, false, nil}, // elite firmware on essential hw
		{"CVE-2023-49897", platform{"cpe:2.3:o:fxc:ae1021pe_firmware:2.0.9:*:*:*:*:*:*:*", "cpe:2.3:h:fxc:ae1021pe:-:*:*:*:*:*:*:*"}, true,
			[]string{"cpe:2.3:o:fxc:ae1021pe_firmware:*:*:*:*:*:*:*:*"}},
		{"CVE-2023-49897", platform{"cpe:2.3:o:fxc:ae1021pe_firmware:2.0.10:*:*:*:*:*:*:*", "cpe:2.3:h:fxc:ae1021pe:-:*:*:*:*:*:*:*"}, false, nil},
		{"CVE-2023-6448", platform{"cpe:2.3:o:unitronics:vision1210_firmware:-:*:*:*:*:*:*:*", "cpe:2.3:h:unitronics:vision1210:-:*:*:*:*:*:*:*"}, true,
			[]string{"cpe:2.3:o:unitronics:vision1210_firmware:-:*:*:*:*:*:*:*"}},
		// single OR node, several ranges
		{"CVE-2023-46604", platform{"cpe:2.3:a:apache:activemq:5.17.5:*:*:*:*:*:*:*"}, true, []string{"cpe:2.3:a:apache:activemq:*:*:*:*:*:*:*:*"}},
		{"CVE-2023-46604", platform{"cpe:2.3:a:apache:activemq:5.17.6:*:*:*:*:*:*:*"}, false, nil},
		{"CVE-2023-46604", platform{"cpe:2.3:a:apache:activemq:5.15.15:*:*:*:*:*:*:*"}, true, []string{"cpe:2.3:a:apache:activemq:*:*:*:*:*:*:*:*"}},
		{"CVE-2023-46604", platform{"cpe:2.3:a:apache:activemq:5.16.7:*:*:*:*:*:*:*"}, false, nil},
		{"CVE-2024-21762", platform{"cpe:2.3:o:fortinet:fortios:7.4.2:*:*:*:*:*:*:*"}, true, []string{"cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*"}},
		{"CVE-2024-21762", platform{"cpe:2.3:o:fortinet:fortios:7.4.3:*:*:*:*:*:*:*"}, false, nil},
		{"CVE-2024-21762", platform{"cpe:/o:fortinet:fortios:6.0.17"}, true, []string{"cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*"}},
		{"CVE-2022-47376", platform{"cpe:2.3:a:bd:alaris_infusion_central:1.3.2:*:*:*:*:*:*:*"}, true, []string{"cpe:2.3:a:bd:alaris_infusion_central:*:*:*:*:*:*:*:*"}},
		{"CVE-2022-47376", platform{"cpe:2.3:a:bd:alaris_infusion_central:1.0:*:*:*:*:*:*:*"}, false, nil},
		{"CVE-2022-47376", platform{"cpe:2.3:a:bd:alaris_infusion_central:1.4:*:*:*:*:*:*:*"}, false, nil},
	}
	for _, tt := range tests {
		rec, ok := recs[tt.cve]
		if !ok {
			t.Fatalf("%s not in testdata", tt.cve)
		}
		var plat []WFN
		for _, p := range tt.platform {
			plat = append(plat, MustParse(p))
		}
		hits := EvalAll(rec.Configurations, plat)
		var got []string
		for _, h := range hits {
			got = append(got, h.Criterion.CPE.String())
		}
		if (len(hits) > 0) != tt.applies {
			t.Errorf("%s on %v: %d hits; want applies=%v", tt.cve, tt.platform, len(hits), tt.applies)
		}
		if diff := cmp.Diff(tt.hits, got); diff != "" {
			t.Errorf("%s on %v: hits (-want +got):\n%s", tt.cve, tt.platform, diff)
		}
	}
}

func TestNodeOperators(t *testing.T) {
	t.Parallel()
	crit := func(c string, vuln bool) Criterion { return Criterion{CPE: MustParse(c), Vulnerable: vuln} }
	fw := crit("cpe:2.3:o:acme:cam_firmware:*:*:*:*:*:*:*:*", true)
	hw := crit("cpe:2.3:h:acme:cam:-:*:*:*:*:*:*:*", false)
	plat := []WFN{MustParse("cpe:2.3:o:acme:cam_firmware:1.0:*:*:*:*:*:*:*")}
	tests := []struct {
		name string
		n    Node
		want bool
	}{
		{"or_one_matches", Node{Operator: OR, Match: []Criterion{fw, hw}}, true},
		{"and_one_missing", Node{Operator: AND, Match: []Criterion{fw, hw}}, false},
		{"and_all", Node{Operator: AND, Match: []Criterion{fw}}, true},
		{"negate_or", Node{Operator: OR, Negate: true, Match: []Criterion{fw}}, false},
		{"negate_missing", Node{Operator: OR, Negate: true, Match: []Criterion{hw}}, true},
		{"empty_or", Node{Operator: OR}, false},
		{"empty_and", Node{Operator: AND}, false},
		{"default_operator_is_or", Node{Match: []Criterion{hw, fw}}, true},
	}
	for _, tt := range tests {
		if got := tt.n.Eval(plat); got != tt.want {
			t.Errorf("%s: Eval = %v; want %v", tt.name, got, tt.want)
		}
	}
	// A negated node contributes no hits even when its configuration applies.
	c := Configuration{Operator: AND, Nodes: []Node{{Operator: OR, Match: []Criterion{fw}}, {Operator: OR, Negate: true, Match: []Criterion{hw}}}}
	ok, hits := c.Eval(plat)
	if !ok || len(hits) != 1 {
		t.Errorf("firmware AND NOT hardware: applies=%v hits=%d; want true, 1", ok, len(hits))
	}
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	recs := loadNVD(t)
	for id, r := range recs {
		b, err := json.Marshal(r.Configurations)
		if err != nil {
			t.Fatal(err)
		}
		var back []Configuration
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if diff := cmp.Diff(r.Configurations, back); diff != "" {
			t.Errorf("%s (-want +got):\n%s", id, diff)
		}
	}
}

func FuzzParseCPE(f *testing.F) {
	for _, c := range nvdCPEStrings(f) {
		f.Add(c)
	}
	for _, e := range bindingExamples {
		f.Add(e.fs)
		f.Add(e.uri)
	}
	f.Fuzz(func(t *testing.T, in string) {
		w, err := Parse(in)
		if err != nil {
			return
		}
		fs := w.String()
		w2, err := Parse(fs)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its String %q fails: %v", in, fs, err)
		}
		if w2 != w {
			t.Fatalf("formatted-string round trip of %q via %q: %v != %v", in, fs, w2, w)
		}
		uri := w.URI()
		w3, err := Parse(uri)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its URI %q fails: %v", in, uri, err)
		}
		if w3 != w {
			t.Fatalf("URI round trip of %q via %q: %v != %v", in, uri, w3, w)
		}
		if Compare(w, w) != Equal && !hasWildcards(w) {
			t.Fatalf("Compare(%q, itself) = %v", in, Compare(w, w))
		}
		_ = Match(w, w)
	})
}

func hasWildcards(w WFN) bool {
	for _, v := range w.Attrs {
		if v.HasWildcards() {
			return true
		}
	}
	return false
}

func BenchmarkMatch(b *testing.B) {
	src := MustParse("cpe:2.3:a:apache:activemq:*:*:*:*:*:*:*:*")
	tgt := MustParse("cpe:2.3:a:apache:activemq:5.17.5:*:*:*:*:*:*:*")
	b.ReportAllocs()
	for b.Loop() {
		Match(src, tgt)
	}
}

func BenchmarkMatchMiss(b *testing.B) {
	src := MustParse("cpe:2.3:a:apache:activemq:*:*:*:*:*:*:*:*")
	tgt := MustParse("cpe:2.3:o:fortinet:fortios:7.4.2:*:*:*:*:*:*:*")
	b.ReportAllocs()
	for b.Loop() {
		Match(src, tgt)
	}
}

func BenchmarkCriterionMatches(b *testing.B) {
	c := Criterion{CPE: MustParse("cpe:2.3:a:apache:activemq:*:*:*:*:*:*:*:*"), VersionStartIncluding: "5.17.0", VersionEndExcluding: "5.17.6", Vulnerable: true}
	tgt := MustParse("cpe:2.3:a:apache:activemq:5.17.5:*:*:*:*:*:*:*")
	b.ReportAllocs()
	for b.Loop() {
		c.Matches(tgt)
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_, _ = Parse("cpe:2.3:o:fortinet:fortios:7.4.2:*:*:*:*:*:*:*")
	}
}
