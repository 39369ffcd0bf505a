// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package csafvalidate_test

import (
	"os"
	"testing"

	"vigil/internal/advisory/csafvalidate"
)

func benchmarkFile(b *testing.B, name string, opts csafvalidate.Options) {
	doc, err := os.ReadFile("testdata/advisories/" + name)
	if err != nil {
		b.Fatal(err)
	}
	v, err := csafvalidate.New(opts)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := v.Validate(doc)
		if err != nil || !r.Valid {
			b.Fatalf("%+v %v", r, err)
		}
	}
}

// BenchmarkValidate: a typical advisory (51 KB, 12 vulnerabilities, 108
// remediations) and the largest one (542 KB, 1283 relationships).
func BenchmarkValidate(b *testing.B) {
	b.Run("icsa-24-065-01", func(b *testing.B) { benchmarkFile(b, "icsa-24-065-01.json", csafvalidate.Options{}) })
	b.Run("icsa-24-235-03", func(b *testing.B) { benchmarkFile(b, "icsa-24-235-03.json", csafvalidate.Options{}) })
	b.Run("icsa-24-235-03-strict", func(b *testing.B) { benchmarkFile(b, "icsa-24-235-03.json", csafvalidate.Options{Strict: true}) })
}

// BenchmarkNew measures compiling the schemas and loading the CWE catalogue.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := csafvalidate.New(csafvalidate.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
