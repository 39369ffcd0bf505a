// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package csafvalidate_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"vigil/internal/advisory/csafvalidate"
)

const suiteDir = "testdata/csaf-mandatory"

// suiteCase is one (test id, file) pair of the OASIS testcases.json.
type suiteCase struct {
	test     string
	file     string // relative to suiteDir, e.g. "mandatory/oasis_…-6-1-01-01.json"
	mustFail bool   // listed under the test's "failures"
	docValid bool   // the file's "valid" flag: valid against all mandatory tests
}

// loadSuite enumerates the mandatory cases of testcases.json.
func loadSuite(t testing.TB) []suiteCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(suiteDir, "testcases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tc struct {
		Tests []struct {
			ID       string `json:"id"`
			Group    string `json:"group"`
			Failures []struct {
				Name  string `json:"name"`
				Valid bool   `json:"valid"`
			} `json:"failures"`
			Valid []struct {
				Name  string `json:"name"`
				Valid bool   `json:"valid"`
			} `json:"valid"`
		} `json:"tests"`
	}
	if err := json.Unmarshal(b, &tc); err != nil {
		t.Fatal(err)
	}
	var cases []suiteCase
	for _, tt := range tc.Tests {
		if tt.Group != "mandatory" {
			continue
		}
		for _, f := range tt.Failures {
			cases = append(cases, suiteCase{tt.ID, f.Name, true, f.Valid})
		}
		for _, f := range tt.Valid {
			cases = append(cases, suiteCase{tt.ID, f.Name, false, f.Valid})
		}
	}
	return cases
}

// skipped lists suite cases that do not apply, with the reason. Keep it empty
// unless a case genuinely cannot be checked offline.
var skipped = map[string]string{}

type validators struct {
	plain, strict *csafvalidate.Validator
}

var getValidators = sync.OnceValues(func() (validators, error) {
	p, err := csafvalidate.New(csafvalidate.Options{})
	if err != nil {
		return validators{}, err
	}
	s, err := csafvalidate.New(csafvalidate.Options{Strict: true})
	return validators{p, s}, err
})

func mustValidators(t testing.TB) validators {
	t.Helper()
	v, err := getValidators()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func failuresFor(r csafvalidate.Report, test string) []csafvalidate.Failure {
	var out []csafvalidate.Failure
	for _, f := range r.Failures {
		if f.Test == test {
			out = append(out, f)
		}
	}
	return out
}

// TestOASISMandatory runs every mandatory case of the OASIS CSAF 2.0 test
// suite: a file listed under a test's failures must fail that test, a file
// listed as valid for it must not; a file flagged valid must pass every
// check, one flagged invalid must fail some check.
func TestOASISMandatory(t *testing.T) {
	t.Parallel()
	v := mustValidators(t)
	cases := loadSuite(t)
	if len(cases) < 140 {
		t.Fatalf("only %d mandatory cases in testcases.json; suite copy incomplete?", len(cases))
	}
	implemented := map[string]bool{}
	for _, ti := range csafvalidate.Tests() {
		implemented[ti.ID] = true
	}
	var passed, ran int
	var mu sync.Mutex
	t.Cleanup(func() {
		t.Logf("OASIS mandatory cases: %d of %d passed (%d ran, %d skipped)", passed, len(cases), ran, len(skipped))
	})
	for _, tc := range cases {
		name := tc.test + "/" + strings.TrimSuffix(filepath.Base(tc.file), ".json")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if why, ok := skipped[name]; ok {
				t.Skip(why)
			}
			mu.Lock()
			ran++
			mu.Unlock()
			if !implemented[tc.test] {
				t.Fatalf("test %s is not implemented", tc.test)
			}
			doc, err := os.ReadFile(filepath.Join(suiteDir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			r, err := v.plain.Validate(doc)
			if err != nil {
				t.Fatal(err)
			}
			got := failuresFor(r, tc.test)
			switch {
			case tc.mustFail && len(got) == 0:
				t.Errorf("%s: want a failure of test %s, got none; all failures: %+v", tc.file, tc.test, r.Failures)
			case !tc.mustFail && len(got) > 0:
				t.Errorf("%s: want no failure of test %s, got %+v", tc.file, tc.test, got)
			}
			if r.Valid != tc.docValid {
				t.Errorf("%s: Report.Valid = %v, testcases.json says valid=%v; failures: %+v", tc.file, r.Valid, tc.docValid, r.Failures)
			}
			if !t.Failed() {
				mu.Lock()
				passed++
				mu.Unlock()
			}
		})
	}
}

// TestOASISSchema mirrors csaf_2.0/test/validator/run_tests.sh: every
// mandatory test file except the three 6.1.8 failures is valid against the
// CSAF schema, plain and strict; the 6.1.8 failures are not.
func TestOASISSchema(t *testing.T) {
	t.Parallel()
	v := mustValidators(t)
	files, err := filepath.Glob(filepath.Join(suiteDir, "mandatory", "*.json"))
	if err != nil || len(files) < 140 {
		t.Fatalf("glob: %v, %d files", err, len(files))
	}
	schemaInvalid := []string{
		"oasis_csaf_tc-csaf_2_0-2021-6-1-08-01.json",
		"oasis_csaf_tc-csaf_2_0-2021-6-1-08-02.json",
		"oasis_csaf_tc-csaf_2_0-2021-6-1-08-03.json",
	}
	for _, f := range files {
		base := filepath.Base(f)
		t.Run(strings.TrimSuffix(base, ".json"), func(t *testing.T) {
			t.Parallel()
			doc, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, mode := range []struct {
				name string
				v    *csafvalidate.Validator
			}{{"plain", v.plain}, {"strict", v.strict}} {
				r, err := mode.v.Validate(doc)
				if err != nil {
					t.Fatal(err)
				}
				got := failuresFor(r, csafvalidate.TestSchema)
				if want := slices.Contains(schemaInvalid, base); want != (len(got) > 0) {
					t.Errorf("%s schema: want invalid=%v, got failures %+v", mode.name, want, got)
				}
			}
		})
	}
}
