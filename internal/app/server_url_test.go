// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"strings"
	"testing"

	"vigil/internal/app"
)

// TestBaseURLMismatch: serve says at start when the base URL, which the
// links in warnings use, does not name the address it serves on.
func TestBaseURLMismatch(t *testing.T) {
	for _, c := range []struct {
		base, served string
		warn         string
	}{
		{"http://127.0.0.1:8080", "127.0.0.1:8080", ""},
		{"http://localhost:8080/", "127.0.0.1:8080", ""},
		{"https://cert.example:8443", "0.0.0.0:8443", ""},
		{"http://[::1]:8080", "[::1]:8080", ""},
		{"http://127.0.0.1:8080", "127.0.0.1:43817", "serving on http://127.0.0.1:43817 but the base URL is http://127.0.0.1:8080"},
		{"https://cert.example", "127.0.0.1:8080", "fine behind a proxy"},
		{"https://cert.example", "[::]:8080", "serving on http://[::]:8080"},
		{"cert.example", "127.0.0.1:8080", "not an absolute URL"},
	} {
		got := app.BaseURLMismatch(c.base, c.served)
		if (c.warn == "") != (got == "") || !strings.Contains(got, c.warn) {
			t.Errorf("BaseURLMismatch(%q, %q) = %q; want %q", c.base, c.served, got, c.warn)
		}
	}
}
