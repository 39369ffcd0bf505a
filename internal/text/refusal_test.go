// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package text

import (
	"errors"
	"testing"

	"vigil/internal/errs"
)

func TestRefusal(t *testing.T) {
	for _, c := range []struct {
		in, reason, key string
	}{
		{"a\x00b", ReasonNUL, "text.nul"},
		{"a\xffb", ReasonNotUTF8, "text.utf8"},
	} {
		reason := Problem(c.in)
		var e *errs.Error
		if err := Refusal("name", reason); !errors.As(err, &e) || e.Code != errs.Invalid || e.Field != "name" || e.Message != c.reason || e.Key != c.key {
			t.Errorf("Refusal(name, %q) = %#v; want invalid, field name, message %q, key %q", reason, err, c.reason, c.key)
		}
	}
}
