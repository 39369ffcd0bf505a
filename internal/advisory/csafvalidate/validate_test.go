// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package csafvalidate_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/advisory/csafvalidate"
)

// TestRealAdvisories validates every real CISA advisory in testdata: all are
// valid CSAF 2.0, with no failure and no warning, plain and strict.
func TestRealAdvisories(t *testing.T) {
	t.Parallel()
	v := mustValidators(t)
	files, err := filepath.Glob("testdata/advisories/*.json")
	if err != nil || len(files) != 10 {
		t.Fatalf("glob: %v, %d files, want 10", err, len(files))
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			t.Parallel()
			doc, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, val := range []*csafvalidate.Validator{v.plain, v.strict} {
				r, err := val.Validate(doc)
				if err != nil {
					t.Fatal(err)
				}
				if !r.Valid || len(r.Failures) > 0 || len(r.Warnings) > 0 {
					t.Errorf("want valid with no warnings, got %+v", r)
				}
			}
		})
	}
}

// OASIS suite files whose "valid" flag contradicts a mandatory test. Both
// list the same algorithm twice in one file_hashes list, which test 6.1.25
// forbids ("the same hash algorithm is not used multiple times in one item
// of hashes"); the files were written for the optional tests 6.2.8/6.2.9 (MD5
// / SHA-1 as the only hash algorithm).
var suiteFlagErrata = map[string]string{
	"oasis_csaf_tc-csaf_2_0-2021-6-2-08-02.json": "6.1.25",
	"oasis_csaf_tc-csaf_2_0-2021-6-2-09-02.json": "6.1.25",
}

// strictExempt is the file csaf_2.0/test/validator/run_tests.sh leaves out of
// its strict-schema run (EXCLUDE_STRICT): it carries a custom property.
const strictExempt = "oasis_csaf_tc-csaf_2_0-2021-6-2-20-01.json"

// TestOASISOtherGroups checks the documents of the optional and informative
// groups, which testcases.json flags valid against the mandatory tests: each
// must pass every mandatory test and the schema, also the strict one except
// strictExempt (the errata fail exactly the test named there).
func TestOASISOtherGroups(t *testing.T) {
	t.Parallel()
	v := mustValidators(t)
	b, err := os.ReadFile(filepath.Join(suiteDir, "testcases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tc struct {
		Tests []struct {
			Group    string `json:"group"`
			Failures []struct {
				Name  string
				Valid bool
			} `json:"failures"`
			Valid []struct {
				Name  string
				Valid bool
			} `json:"valid"`
		} `json:"tests"`
	}
	if err := json.Unmarshal(b, &tc); err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{}
	for _, tt := range tc.Tests {
		if tt.Group == "mandatory" {
			continue
		}
		for _, f := range append(tt.Failures, tt.Valid...) {
			files[f.Name] = f.Valid
		}
	}
	if len(files) < 90 {
		t.Fatalf("only %d optional/informative files", len(files))
	}
	for name, valid := range files {
		t.Run(strings.TrimSuffix(filepath.Base(name), ".json"), func(t *testing.T) {
			t.Parallel()
			doc, err := os.ReadFile(filepath.Join(suiteDir, name))
			if err != nil {
				t.Fatal(err)
			}
			val := v.strict
			if filepath.Base(name) == strictExempt {
				val = v.plain
			}
			r, err := val.Validate(doc)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range r.Failures {
				got = append(got, f.Test)
			}
			var want []string
			if e, ok := suiteFlagErrata[filepath.Base(name)]; ok {
				want = []string{e}
			} else if !valid {
				t.Fatalf("%s flagged invalid: extend the test", name)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("failed tests (-want +got):\n%s\n%+v", diff, r.Failures)
			}
			if filepath.Base(name) == strictExempt {
				r, err := v.strict.Validate(doc)
				if err != nil || r.Valid || r.Failures[0].Test != csafvalidate.TestSchema {
					t.Errorf("strict: want a schema failure for the custom property, got %+v, %v", r, err)
				}
			}
		})
	}
}

// tree helpers for the mutation table: navigate decoded JSON by keys and
// indexes.
func at(v any, steps ...any) any {
	for _, s := range steps {
		switch k := s.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v
}

func obj(v any, steps ...any) map[string]any { return at(v, steps...).(map[string]any) }

func loadTree(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata/advisories", name))
	if err != nil {
		t.Fatal(err)
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMutations breaks one rule at a time in a real advisory and checks the
// exact set of (test, path) failures.
func TestMutations(t *testing.T) {
	t.Parallel()
	v := mustValidators(t)
	const e3 = "icsa-24-065-01.json"  // 12 vulnerabilities, one product CSAFPID-0001
	const rev = "icsa-24-067-01.json" // revision history 1..4
	type fp struct{ Test, Path string }
	tests := []struct {
		name   string
		file   string
		mutate func(d map[string]any)
		want   []fp // plain schema
		strict []fp // when the strict validator differs
	}{
		{"unknown_product_in_status", e3, func(d map[string]any) {
			obj(d, "vulnerabilities", 0, "product_status")["known_affected"] = []any{"CSAFPID-0001", "CSAFPID-9999"}
		}, []fp{{"6.1.1", "$.vulnerabilities[0].product_status.known_affected[1]"}}, nil},
		{"duplicate_product_id", e3, func(d map[string]any) {
			obj(d, "product_tree")["full_product_names"] = []any{map[string]any{"name": "dup", "product_id": "CSAFPID-0001"}}
		}, []fp{{"6.1.2", "$.product_tree.full_product_names[0].product_id"}}, nil},
		{"circular_relationship", e3, func(d map[string]any) {
			obj(d, "product_tree")["relationships"] = []any{
				map[string]any{"category": "installed_on", "product_reference": "CSAFPID-0001", "relates_to_product_reference": "X-2",
					"full_product_name": map[string]any{"name": "x1", "product_id": "X-1"}},
				map[string]any{"category": "installed_on", "product_reference": "X-1", "relates_to_product_reference": "CSAFPID-0001",
					"full_product_name": map[string]any{"name": "x2", "product_id": "X-2"}},
			}
		}, []fp{
			{"6.1.3", "$.product_tree.relationships[0].full_product_name.product_id"},
			{"6.1.3", "$.product_tree.relationships[1].full_product_name.product_id"},
		}, nil},
		{"unknown_group", e3, func(d map[string]any) {
			obj(d, "vulnerabilities", 2, "remediations", 0)["group_ids"] = []any{"CSAFGID-1"}
		}, []fp{{"6.1.4", "$.vulnerabilities[2].remediations[0].group_ids[0]"}}, nil},
		{"contradicting_status", e3, func(d map[string]any) {
			obj(d, "vulnerabilities", 1, "product_status")["fixed"] = []any{"CSAFPID-0001"}
		}, []fp{{"6.1.6", "$.vulnerabilities[1].product_status.fixed[0]"}}, nil},
		{"second_score_same_version", e3, func(d map[string]any) {
			s := obj(d, "vulnerabilities", 0)
			s["scores"] = append(s["scores"].([]any), at(s, "scores", 0))
		}, []fp{{"6.1.7", "$.vulnerabilities[0].scores[1].products[0]"}}, nil},
		{"cvss_missing_severity", e3, func(d map[string]any) {
			delete(obj(d, "vulnerabilities", 0, "scores", 0, "cvss_v3"), "baseSeverity")
		}, []fp{
			{"schema", "$.vulnerabilities[0].scores[0].cvss_v3"},
			{"schema", "$.vulnerabilities[0].scores[0].cvss_v3.vectorString"},
			{"schema", "$.vulnerabilities[0].scores[0].cvss_v3.version"},
			{"6.1.8", "$.vulnerabilities[0].scores[0].cvss_v3"},
		}, nil},
		{"cvss_wrong_score", e3, func(d map[string]any) {
			obj(d, "vulnerabilities", 3, "scores", 0, "cvss_v3")["baseScore"] = json.Number("7.5")
		}, []fp{{"6.1.9", "$.vulnerabilities[3].scores[0].cvss_v3.baseScore"}}, nil},
		{"cvss_contradicting_property", e3, func(d map[string]any) {
			obj(d, "vulnerabilities", 0, "scores", 0, "cvss_v3")["attackVector"] = "PHYSICAL"
		}, []fp{{"6.1.10", "$.vulnerabilities[0].scores[0].cvss_v3.attackVector"}}, nil},
		{"cvss_version_mismatch", e3, func(d map[string]any) {
			c := obj(d, "vulnerabilities", 0, "scores", 0, "cvss_v3")
			c["vectorString"] = strings.Replace(c["vectorString"].(string), "CVSS:3.0/", "CVSS:3.1/", 1)
		}, []fp{
			{"schema", "$.vulnerabilities[0].scores[0].cvss_v3.vectorString"},
			{"schema", "$.vulnerabilities[0].scores[0].cvss_v3.version"},
			{"6.1.8", "$.vulnerabilities[0].scores[0].cvss_v3.vectorString"},
			{"6.1.10", "$.vulnerabilities[0].scores[0].cvss_v3.version"},
		}, nil},
		{"cwe_wrong_name", e3, func(d map[string]any) {
			obj(d, "vulnerabilities", 0, "cwe")["name"] = "Improper Input Validation" // CWE-20's name
		}, []fp{{"6.1.11", "$.vulnerabilities[0].cwe.name"}}, nil},
		{"cwe_old_name_accepted", e3, func(d map[string]any) {
			// CWE-79's name in CWE 1.4 … 1.8.1.
			obj(d, "vulnerabilities", 0)["cwe"] = map[string]any{"id": "CWE-79", "name": "Failure to Preserve Web Page Structure ('Cross-site Scripting')"}
		}, nil, nil},
		{"cwe_unknown", e3, func(d map[string]any) {
			obj(d, "vulnerabilities", 0, "cwe")["id"] = "CWE-999999"
		}, []fp{{"6.1.11", "$.vulnerabilities[0].cwe.id"}}, nil},
		{"unknown_language", e3, func(d map[string]any) { obj(d, "document")["lang"] = "EZ" },
			[]fp{{"6.1.12", "$.document.lang"}}, nil},
		{"bad_purl", e3, func(d map[string]any) {
			obj(d, "product_tree", "branches", 0, "branches", 0, "branches", 0, "product")["product_identification_helper"] = map[string]any{"purl": "pkg:npm/@1.0"}
		}, []fp{{"6.1.13", "$.product_tree.branches[0].branches[0].branches[0].product.product_identification_helper.purl"}}, nil},
		{"translator_without_source_lang", e3, func(d map[string]any) { obj(d, "document", "publisher")["category"] = "translator" },
			[]fp{{"6.1.15", "$.document.source_lang"}}, nil},
		{"version_not_latest", rev, func(d map[string]any) { obj(d, "document", "tracking")["version"] = "3" },
			[]fp{{"6.1.16", "$.document.tracking.version"}}, nil},
		{"revisions_out_of_order", rev, func(d map[string]any) {
			obj(d, "document", "tracking", "revision_history", 1)["date"] = "2024-05-03T06:00:00.000000Z"
		}, []fp{
			{"6.1.14", "$.document.tracking.revision_history[1]"},
			{"6.1.16", "$.document.tracking.version"},
			{"6.1.21", "$.document.tracking.revision_history"},
		}, nil},
		{"draft_version_final", rev, func(d map[string]any) {
			tr := obj(d, "document", "tracking")
			tr["version"] = "0"
			obj(tr, "revision_history", 3)["number"] = "0"
		}, []fp{
			{"6.1.14", "$.document.tracking.revision_history[3]"},
			{"6.1.17", "$.document.tracking.status"},
			{"6.1.18", "$.document.tracking.revision_history[3].number"},
		}, nil},
		{"duplicate_revision_and_gap", rev, func(d map[string]any) {
			obj(d, "document", "tracking", "revision_history", 2)["number"] = "2"
		}, []fp{
			{"6.1.21", "$.document.tracking.revision_history"},
			{"6.1.22", "$.document.tracking.revision_history[2].number"},
		}, nil},
		{"mixed_versioning", rev, func(d map[string]any) {
			obj(d, "document", "tracking", "revision_history", 0)["number"] = "1.0.0"
		}, []fp{
			{"6.1.30", "$.document.tracking.revision_history[1].number"},
			{"6.1.30", "$.document.tracking.revision_history[2].number"},
			{"6.1.30", "$.document.tracking.revision_history[3].number"},
			{"6.1.30", "$.document.tracking.version"},
		}, nil},
		{"duplicate_cve", e3, func(d map[string]any) { obj(d, "vulnerabilities", 5)["cve"] = "CVE-2019-7253" },
			[]fp{{"6.1.23", "$.vulnerabilities[5].cve"}}, nil},
		{"prohibited_category", e3, func(d map[string]any) { obj(d, "document")["category"] = "Security Advisory" },
			[]fp{{"6.1.26", "$.document.category"}}, nil},
		{"advisory_without_product_status", e3, func(d map[string]any) { delete(obj(d, "vulnerabilities", 4), "product_status") },
			[]fp{{"6.1.27.6", "$.vulnerabilities[4].product_status"}}, nil},
		{"advisory_without_notes", e3, func(d map[string]any) { delete(obj(d, "vulnerabilities", 4), "notes") },
			[]fp{{"6.1.27.5", "$.vulnerabilities[4].notes"}}, nil},
		{"as_vex", e3, func(d map[string]any) { obj(d, "document")["category"] = "csaf_vex" }, nil, nil},
		{"vex_known_affected_without_remediation", e3, func(d map[string]any) {
			obj(d, "document")["category"] = "csaf_vex"
			delete(obj(d, "vulnerabilities", 7), "remediations")
		}, []fp{{"6.1.27.10", "$.vulnerabilities[7].product_status.known_affected[0]"}}, nil},
		{"remediation_without_products", e3, func(d map[string]any) {
			delete(obj(d, "vulnerabilities", 0, "remediations", 1), "product_ids")
		}, []fp{{"6.1.29", "$.vulnerabilities[0].remediations[1]"}}, nil},
		{"version_range_in_product_version", e3, func(d map[string]any) {
			b := obj(d, "product_tree", "branches", 0, "branches", 0, "branches", 0)
			b["category"] = "product_version"
		}, []fp{{"6.1.31", "$.product_tree.branches[0].branches[0].branches[0].name"}}, nil},
		{"flag_without_products", e3, func(d map[string]any) {
			obj(d, "vulnerabilities", 0)["flags"] = []any{map[string]any{"label": "component_not_present"}}
		}, []fp{{"6.1.32", "$.vulnerabilities[0].flags[0]"}}, nil},
		{"two_vex_flags", e3, func(d map[string]any) {
			obj(d, "product_tree")["product_groups"] = []any{map[string]any{"group_id": "G1", "product_ids": []any{"CSAFPID-0001", "CSAFPID-0001"}}}
			obj(d, "vulnerabilities", 0)["flags"] = []any{
				map[string]any{"label": "component_not_present", "group_ids": []any{"G1"}},
				map[string]any{"label": "vulnerable_code_not_present", "product_ids": []any{"CSAFPID-0001"}},
			}
		}, []fp{{"schema", "$.product_tree.product_groups[0].product_ids"}, {"6.1.33", "$.vulnerabilities[0].flags[1]"}}, nil},
		{"unknown_property", e3, func(d map[string]any) { obj(d, "document")["x_vendor"] = true },
			nil, []fp{{"schema", "$.document"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := loadTree(t, tt.file)
			tt.mutate(d)
			doc, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			strictWant := tt.want
			if tt.strict != nil {
				strictWant = tt.strict
			}
			for _, mode := range []struct {
				v    *csafvalidate.Validator
				want []fp
			}{{v.plain, tt.want}, {v.strict, strictWant}} {
				r, err := mode.v.Validate(doc)
				if err != nil {
					t.Fatal(err)
				}
				var got []fp
				for _, f := range r.Failures {
					if f.Message == "" {
						t.Errorf("empty message: %+v", f)
					}
					got = append(got, fp{f.Test, f.Path})
				}
				got = slices.Compact(got) // schema may report several errors at one path
				if diff := cmp.Diff(mode.want, got); diff != "" {
					t.Errorf("failures (-want +got):\n%s\nall: %+v", diff, r.Failures)
				}
				if r.Valid != (len(mode.want) == 0) {
					t.Errorf("Valid = %v", r.Valid)
				}
			}
		})
	}
}

func TestNotJSON(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "{", "{} {}", "not json", "\x00"} {
		if _, err := csafvalidate.Validate([]byte(in)); !errors.Is(err, csafvalidate.ErrNotJSON) {
			t.Errorf("Validate(%q) error = %v, want ErrNotJSON", in, err)
		}
	}
	// JSON that is not a CSAF document is reported, not an error.
	for _, in := range []string{"null", "[]", "42", `{"document":7}`} {
		r, err := csafvalidate.Validate([]byte(in))
		if err != nil || r.Valid || len(r.Failures) == 0 || r.Failures[0].Test != csafvalidate.TestSchema {
			t.Errorf("Validate(%q) = %+v, %v; want schema failures", in, r, err)
		}
	}
}

// TestTestsCoverSuite checks that Tests lists exactly the mandatory test ids
// of testcases.json (plus "schema"), in the standard's order.
func TestTestsCoverSuite(t *testing.T) {
	t.Parallel()
	var ids []string
	seen := map[string]bool{}
	for _, c := range loadSuite(t) {
		if !seen[c.test] {
			seen[c.test] = true
			ids = append(ids, c.test)
		}
	}
	var got []string
	for _, ti := range csafvalidate.Tests() {
		if ti.Title == "" {
			t.Errorf("test %s has no title", ti.ID)
		}
		got = append(got, ti.ID)
	}
	if diff := cmp.Diff(append([]string{csafvalidate.TestSchema}, ids...), got); diff != "" {
		t.Errorf("Tests() ids (-want +got):\n%s", diff)
	}
}

// TestDeterministic validates the largest advisory repeatedly and
// concurrently and expects identical reports.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	d := loadTree(t, "icsa-24-235-03.json")
	// Break a few things so that there is something to report.
	obj(d, "document")["lang"] = "xx"
	delete(obj(d, "vulnerabilities", 0, "scores", 0, "cvss_v3"), "baseSeverity")
	rels := at(d, "product_tree", "relationships").([]any)
	obj(rels[0])["product_reference"] = obj(rels[1], "full_product_name")["product_id"]
	obj(rels[1])["product_reference"] = obj(rels[0], "full_product_name")["product_id"]
	doc, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	first, err := csafvalidate.Validate(doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Failures) < 5 {
		t.Fatalf("want several failures, got %+v", first.Failures)
	}
	done := make(chan csafvalidate.Report, 4)
	for range 4 {
		go func() {
			r, _ := csafvalidate.Validate(doc)
			done <- r
		}()
	}
	for range 4 {
		if diff := cmp.Diff(first, <-done); diff != "" {
			t.Fatalf("reports differ (-first +again):\n%s", diff)
		}
	}
}
