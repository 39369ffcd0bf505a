// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package csafvalidate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/advisory/csafvalidate"
)

// FuzzValidate feeds arbitrary bytes, seeded with every suite file and the
// smaller real advisories: Validate must not panic, must be deterministic and
// must report only known test ids with JSONPaths.
func FuzzValidate(f *testing.F) {
	var seeds []string
	for _, g := range []string{"testdata/csaf-mandatory/*/*.json", "testdata/advisories/*.json"} {
		m, err := filepath.Glob(g)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, m...)
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) < 64<<10 {
			f.Add(b)
		}
	}
	v, err := csafvalidate.New(csafvalidate.Options{})
	if err != nil {
		f.Fatal(err)
	}
	known := map[string]bool{}
	for _, ti := range csafvalidate.Tests() {
		known[ti.ID] = true
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		r1, err1 := v.Validate(doc)
		r2, err2 := v.Validate(doc)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("errors differ: %v vs %v", err1, err2)
		}
		if err1 != nil {
			return
		}
		if diff := cmp.Diff(r1, r2); diff != "" {
			t.Fatalf("not deterministic (-first +second):\n%s", diff)
		}
		if r1.Valid != (len(r1.Failures) == 0) {
			t.Fatalf("Valid=%v with %d failures", r1.Valid, len(r1.Failures))
		}
		for _, fl := range append(r1.Failures, r1.Warnings...) {
			if !known[fl.Test] || !strings.HasPrefix(fl.Path, "$") || fl.Message == "" {
				t.Fatalf("bad failure %+v", fl)
			}
		}
	})
}
