// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package csafvalidate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// ErrNotJSON is returned (wrapped) when the input is not a single JSON value.
// Everything else about a document is reported in the [Report], not as an error.
var ErrNotJSON = errors.New("csafvalidate: not a JSON document")

// TestSchema is the [Failure.Test] id used for violations of the CSAF 2.0
// JSON schema (including the CVSS schemas it refers to).
const TestSchema = "schema"

// Failure is one failed check.
type Failure struct {
	// Test is the id of the failed test: "schema" or a section 6.1 test id
	// such as "6.1.1" or "6.1.27.9".
	Test string `json:"test"`
	// Path is a JSONPath to the offending value, e.g.
	// "$.vulnerabilities[0].scores[1].cvss_v3.baseScore".
	Path string `json:"path"`
	// Message says what is wrong, in English.
	Message string `json:"message"`
}

// Report is the outcome of validating one document.
type Report struct {
	// Valid is true when there are no failures (warnings do not count).
	Valid bool `json:"valid"`
	// Failures lists schema violations first (sorted by path), then the
	// failed mandatory tests in the order of [Tests], each in document order.
	Failures []Failure `json:"failures"`
	// Warnings lists checks that could not be carried out for part of the
	// document, e.g. a CVSS vector the CVSS library cannot parse or a
	// revision history date that is not RFC 3339; Test names the test.
	Warnings []Failure `json:"warnings,omitempty"`
}

// TestInfo describes one implemented check.
type TestInfo struct {
	// ID is "schema" or the section 6.1 test id, e.g. "6.1.27.1".
	ID string `json:"id"`
	// Title is the test's title in the CSAF 2.0 standard.
	Title string `json:"title"`
}

// Options configure a [Validator]. The zero value validates against the
// OASIS CSAF 2.0 schema as published.
type Options struct {
	// Strict validates against the "strict" variants the OASIS test suite
	// uses: every schema object with properties gets additionalProperties:
	// false (csaf_2.0/test/generate_strict_schema.py), and the strict FIRST
	// CVSS schemas are used for the schema check and test 6.1.8.
	Strict bool
}

// Validator validates CSAF 2.0 documents. Create it with [New]; it is
// immutable and safe for concurrent use.
type Validator struct {
	schema *jsonschema.Schema
	cvss2  *jsonschema.Schema
	cvss30 *jsonschema.Schema
	cvss31 *jsonschema.Schema
	cvss3  *jsonschema.Schema // oneOf 3.0/3.1, when the version is unknown
	cwe    map[string][]cweName
	cvss2m []cvssMetric
	cvss3m []cvssMetric
	tests  []test
}

type test struct {
	id, title string
	run       func(*checker)
}

// New compiles the embedded schemas and catalogues.
func New(opts Options) (*Validator, error) {
	s, err := compileSchemas(opts.Strict)
	if err != nil {
		return nil, fmt.Errorf("compile CSAF schemas: %w", err)
	}
	cwe, err := loadCWE()
	if err != nil {
		return nil, fmt.Errorf("load CWE catalogue: %w", err)
	}
	return &Validator{
		schema: s.csaf,
		cvss2:  s.cvss2,
		cvss30: s.cvss30,
		cvss31: s.cvss31,
		cvss3:  s.cvss3,
		cwe:    cwe,
		cvss2m: cvss2Metrics(),
		cvss3m: cvss3Metrics(),
		tests:  mandatoryTests(),
	}, nil
}

// defaultValidator is compiled once, on first use of [Validate]; it is never
// replaced (the tailscale "function backed by sync.Once" pattern).
var defaultValidator = sync.OnceValues(func() (*Validator, error) { return New(Options{}) })

// Validate validates doc with a shared default Validator (zero [Options]).
func Validate(doc []byte) (Report, error) {
	v, err := defaultValidator()
	if err != nil {
		return Report{}, err
	}
	return v.Validate(doc)
}

// Tests lists the implemented checks in report order: "schema" first, then
// every mandatory test of CSAF 2.0 section 6.1.
func Tests() []TestInfo {
	ts := mandatoryTests()
	out := make([]TestInfo, 0, len(ts)+1)
	out = append(out, TestInfo{ID: TestSchema, Title: "JSON schema (CSAF 2.0)"})
	for _, t := range ts {
		out = append(out, TestInfo{ID: t.id, Title: t.title})
	}
	return out
}

// ValidateReader reads one JSON document from r and validates it.
func (v *Validator) ValidateReader(r io.Reader) (Report, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return Report{}, fmt.Errorf("read CSAF document: %w", err)
	}
	return v.Validate(b)
}

// Validate validates one JSON document. The error is non-nil only when doc is
// not JSON at all (wrapping [ErrNotJSON]); a JSON value that is not a CSAF
// document yields a Report with failures.
func (v *Validator) Validate(doc []byte) (Report, error) {
	tree, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return Report{}, fmt.Errorf("%w: %w", ErrNotJSON, err)
	}
	c := &checker{v: v, doc: tree}
	c.test = TestSchema
	c.schemaFailures(v.schema, tree, nil)
	for _, t := range v.tests {
		c.test = t.id
		t.run(c)
	}
	if c.failures == nil {
		c.failures = []Failure{} // "failures": [] in JSON
	}
	return Report{Valid: len(c.failures) == 0, Failures: c.failures, Warnings: c.warnings}, nil
}

// checker carries one validation run.
type checker struct {
	v        *Validator
	doc      any
	test     string
	failures []Failure
	warnings []Failure

	idx *index // lazily built product/group index
}

func (c *checker) fail(p jpath, format string, args ...any) {
	c.failures = append(c.failures, Failure{Test: c.test, Path: string(p), Message: fmt.Sprintf(format, args...)})
}

func (c *checker) warn(p jpath, format string, args ...any) {
	c.warnings = append(c.warnings, Failure{Test: c.test, Path: string(p), Message: fmt.Sprintf(format, args...)})
}

// mandatoryTests is the table of section 6.1 tests in the standard's order.
func mandatoryTests() []test {
	return []test{
		{"6.1.1", "Missing Definition of Product ID", test611},
		{"6.1.2", "Multiple Definition of Product ID", test612},
		{"6.1.3", "Circular Definition of Product ID", test613},
		{"6.1.4", "Missing Definition of Product Group ID", test614},
		{"6.1.5", "Multiple Definition of Product Group ID", test615},
		{"6.1.6", "Contradicting Product Status", test616},
		{"6.1.7", "Multiple Scores with same Version per Product", test617},
		{"6.1.8", "Invalid CVSS", test618},
		{"6.1.9", "Invalid CVSS computation", test619},
		{"6.1.10", "Inconsistent CVSS", test6110},
		{"6.1.11", "CWE", test6111},
		{"6.1.12", "Language", test6112},
		{"6.1.13", "PURL", test6113},
		{"6.1.14", "Sorted Revision History", test6114},
		{"6.1.15", "Translator", test6115},
		{"6.1.16", "Latest Document Version", test6116},
		{"6.1.17", "Document Status Draft", test6117},
		{"6.1.18", "Released Revision History", test6118},
		{"6.1.19", "Revision History Entries for Pre-release Versions", test6119},
		{"6.1.20", "Non-draft Document Version", test6120},
		{"6.1.21", "Missing Item in Revision History", test6121},
		{"6.1.22", "Multiple Definition in Revision History", test6122},
		{"6.1.23", "Multiple Use of Same CVE", test6123},
		{"6.1.24", "Multiple Definition in Involvements", test6124},
		{"6.1.25", "Multiple Use of Same Hash Algorithm", test6125},
		{"6.1.26", "Prohibited Document Category Name", test6126},
		{"6.1.27.1", "Document Notes", test61271},
		{"6.1.27.2", "Document References", test61272},
		{"6.1.27.3", "Vulnerabilities", test61273},
		{"6.1.27.4", "Product Tree", test61274},
		{"6.1.27.5", "Vulnerability Notes", test61275},
		{"6.1.27.6", "Product Status", test61276},
		{"6.1.27.7", "VEX Product Status", test61277},
		{"6.1.27.8", "Vulnerability ID", test61278},
		{"6.1.27.9", "Impact Statement", test61279},
		{"6.1.27.10", "Action Statement", test612710},
		{"6.1.27.11", "Vulnerabilities", test612711},
		{"6.1.28", "Translation", test6128},
		{"6.1.29", "Remediation without Product Reference", test6129},
		{"6.1.30", "Mixed Integer and Semantic Versioning", test6130},
		{"6.1.31", "Version Range in Product Version", test6131},
		{"6.1.32", "Flag without Product Reference", test6132},
		{"6.1.33", "Multiple Flags with VEX Justification Codes per Product", test6133},
	}
}

// vulns calls fn for every vulnerability object.
func (c *checker) vulns(fn func(i int, v map[string]any, p jpath)) {
	for i, v := range getArr(c.doc, "vulnerabilities") {
		if m, ok := v.(map[string]any); ok {
			fn(i, m, root.k("vulnerabilities").i(i))
		}
	}
}
