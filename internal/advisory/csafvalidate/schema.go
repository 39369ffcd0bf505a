// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package csafvalidate

import (
	"bytes"
	"cmp"
	"embed"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// schemaFS holds csaf_json_schema.json (CSAF 2.0, oasis-tcs/csaf
// csaf_2.0/json_schema) and the FIRST CVSS schemas it refers to
// (csaf_2.0/referenced_schema/first), plain and strict.
//
//go:embed schema/*.json
var schemaFS embed.FS

const (
	csafSchemaURL   = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json"
	cvss20SchemaURL = "https://www.first.org/cvss/cvss-v2.0.json"
	cvss30SchemaURL = "https://www.first.org/cvss/cvss-v3.0.json"
	cvss31SchemaURL = "https://www.first.org/cvss/cvss-v3.1.json"
	cvss3SchemaURL  = "https://vigil.invalid/csafvalidate/cvss-v3.json"
)

type schemas struct {
	csaf, cvss2, cvss30, cvss31, cvss3 *jsonschema.Schema
}

// noLoader refuses every URL that was not added as a resource, so schema
// compilation never reaches for the network.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not embedded", url)
}

func loadSchema(name string) (any, error) {
	b, err := schemaFS.ReadFile("schema/" + name)
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	return doc, nil
}

func compileSchemas(strict bool) (*schemas, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.UseLoader(noLoader{})
	suffix := ".json"
	if strict {
		suffix = "_strict.json"
	}
	for _, r := range []struct{ url, file string }{
		{cvss20SchemaURL, "cvss-v2.0" + suffix},
		{cvss30SchemaURL, "cvss-v3.0" + suffix},
		{cvss31SchemaURL, "cvss-v3.1" + suffix},
		{csafSchemaURL, "csaf_json_schema.json"},
	} {
		doc, err := loadSchema(r.file)
		if err != nil {
			return nil, err
		}
		if m, ok := doc.(map[string]any); ok {
			// The FIRST schemas carry a dated $id ("…cvss-v3.1.json?20211103")
			// while the CSAF schema refers to the undated URL; drop the ids
			// so each resource is known by the URL it is referred to by.
			delete(m, "$id")
			delete(m, "id")
			if strict && r.url == csafSchemaURL {
				makeStrict(m)
				m["additionalProperties"] = false
			}
		}
		if err := c.AddResource(r.url, doc); err != nil {
			return nil, fmt.Errorf("add %s: %w", r.file, err)
		}
	}
	oneOf := map[string]any{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"oneOf": []any{
			map[string]any{"$ref": cvss30SchemaURL},
			map[string]any{"$ref": cvss31SchemaURL},
		},
	}
	if err := c.AddResource(cvss3SchemaURL, oneOf); err != nil {
		return nil, err
	}
	var s schemas
	for _, t := range []struct {
		url string
		dst **jsonschema.Schema
	}{
		{csafSchemaURL, &s.csaf},
		{cvss20SchemaURL, &s.cvss2},
		{cvss30SchemaURL, &s.cvss30},
		{cvss31SchemaURL, &s.cvss31},
		{cvss3SchemaURL, &s.cvss3},
	} {
		sch, err := c.Compile(t.url)
		if err != nil {
			return nil, fmt.Errorf("compile %s: %w", t.url, err)
		}
		*t.dst = sch
	}
	return &s, nil
}

// makeStrict sets additionalProperties: false on every schema object that
// has "properties", as csaf_2.0/test/generate_strict_schema.py does.
func makeStrict(v any) {
	switch t := v.(type) {
	case map[string]any:
		if _, ok := t["properties"]; ok {
			t["additionalProperties"] = false
		}
		for _, c := range t {
			makeStrict(c)
		}
	case []any:
		for _, c := range t {
			makeStrict(c)
		}
	}
}

// schemaFailures validates instance (found at base inside the document)
// against sch and records one failure per leaf error.
func (c *checker) schemaFailures(sch *jsonschema.Schema, instance any, base []string) bool {
	err := sch.Validate(instance)
	if err == nil {
		return true
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		c.fail(pathOf(c.doc, base), "schema validation: %v", err)
		return false
	}
	p := message.NewPrinter(language.English)
	start := len(c.failures)
	seen := map[Failure]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, cause := range e.Causes {
				walk(cause)
			}
			return
		}
		if _, ok := e.ErrorKind.(*kind.Reference); ok {
			return
		}
		tokens := append(append([]string(nil), base...), e.InstanceLocation...)
		f := Failure{Test: c.test, Path: string(pathOf(c.doc, tokens)), Message: strings.TrimSpace(e.ErrorKind.LocalizedString(p))}
		if !seen[f] {
			seen[f] = true
			c.failures = append(c.failures, f)
		}
	}
	walk(ve)
	// The validator's error order depends on map iteration: sort this
	// batch by path and message so that reports are deterministic.
	slices.SortFunc(c.failures[start:], func(a, b Failure) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Message, b.Message))
	})
	return false
}
