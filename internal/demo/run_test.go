// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package demo

import (
	"bytes"
	"strings"
	"testing"
)

// TestWriteText: the summary says where the demo is served, and where its
// mailbox is read, only when it is.
func TestWriteText(t *testing.T) {
	res := Result{Summary: Summary{Database: "demo-data/vigil.db", Organisations: 24}}
	var b bytes.Buffer
	if err := res.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); !strings.Contains(got, "database demo-data/vigil.db") || !strings.Contains(got, "24 organisations") || strings.Contains(got, "serving at") || strings.Contains(got, "mailbox") {
		t.Errorf("once:\n%s", got)
	}
	res.URL, res.OperatorToken = "http://127.0.0.1:8080", "vigil_secret"
	b.Reset()
	if err := res.WriteText(&b); err != nil || !strings.Contains(b.String(), "serving at http://127.0.0.1:8080") || !strings.Contains(b.String(), "Bearer vigil_secret") ||
		!strings.Contains(b.String(), "demo mailbox, which the administrator reads at http://127.0.0.1:8080/admin/mailbox") {
		t.Errorf("served:\n%s (%v)", b.String(), err)
	}
}
