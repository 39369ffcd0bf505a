// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package securitytxt

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

func TestWriteText(t *testing.T) {
	f, err := os.Open("testdata/government-nl-crlf.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := ValidateReader(f, Options{Now: func() time.Time { return time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"file: NOT valid", "error", "expired", "line 13", "languages: nl, en"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}
