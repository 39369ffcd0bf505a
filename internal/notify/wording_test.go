// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestDutchWording reads the rendered Dutch notices (the golden files) for
// the forms a native reader stumbles over: plurals in brackets or after a
// slash ("bevinding(en)", "probleem/-problemen"), an uninflected adjective
// after "uw" before a het-word ("uw dagelijks overzicht"), a plural
// subject with a singular verb, and a word repeated ("revoked: revoked:").
func TestDutchWording(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/golden/*.nl.*")
	if err != nil || len(files) < 5 {
		t.Fatalf("golden Dutch notices: %v, %v", files, err)
	}
	bad := map[string]*regexp.Regexp{
		"plural in brackets":          regexp.MustCompile(`\w\((en|s)\)`),
		"plural after a slash":        regexp.MustCompile(`\w/-\w`),
		"uninflected adjective":       regexp.MustCompile(`\buw (dagelijks|wekelijks|direct) overzicht`),
		"plural with a singular verb": regexp.MustCompile(`problemen in uw netwerk dat`),
		"a word repeated":             regexp.MustCompile(`(?i)\b(\w{3,})\b[:,]? \b(\w{3,})\b`),
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for what, re := range bad {
			for _, m := range re.FindAllStringSubmatch(string(b), -1) {
				if what == "a word repeated" && (m[1] != m[2] || filepath.Ext(f) == ".html") { // CSS: border-collapse: collapse
					continue
				}
				t.Errorf("%s: %s: %q", filepath.Base(f), what, m[0])
			}
		}
	}
}
