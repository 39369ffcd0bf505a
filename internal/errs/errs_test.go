// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package errs_test

import (
	"errors"
	"fmt"
	"testing"

	"vigil/internal/errs"
)

func TestCodeOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want errs.Code
	}{
		{"nil", nil, ""},
		{"plain", errors.New("boom"), errs.Internal},
		{"field", errs.Field("cidr", "10.0.0.300/8", "not a CIDR"), errs.Invalid},
		{"wrapped", fmt.Errorf("org add: %w", errs.Errorf(errs.NotFound, "org 7 not found")), errs.NotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errs.CodeOf(tt.err); got != tt.want {
				t.Errorf("CodeOf(%v) = %q; want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestIsSentinel(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("get: %w", errs.Errorf(errs.NotFound, "org 7"))
	if !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("errors.Is(%v, ErrNotFound) = false", err)
	}
	if errors.Is(err, errs.ErrConflict) {
		t.Errorf("errors.Is(%v, ErrConflict) = true", err)
	}
}

func TestMessageHidesInternal(t *testing.T) {
	t.Parallel()
	if got := errs.Message(errors.New("pq: password=secret")); got != "internal error" {
		t.Errorf("Message = %q; want internal error", got)
	}
	if got := errs.Message(errs.Field("email", "x@", "not an email address")); got != `email: "x@": not an email address` {
		t.Errorf("Message = %q", got)
	}
}

func TestRowError(t *testing.T) {
	t.Parallel()
	r := &errs.RowError{File: "a.csv", Line: 3, Field: "ip", Reason: "not an IP address"}
	if got, want := r.Error(), "a.csv:3: ip: not an IP address"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
}

func TestKeyed(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("add: %w", errs.FieldKeyed("password", "", "password.short", "must have at least %d characters", 12))
	if got, want := errs.Message(err), `password: "": must have at least 12 characters`; got != want {
		t.Errorf("Message = %q; want %q", got, want)
	}
	var e *errs.Error
	if !errors.As(err, &e) || e.Key != "password.short" || len(e.Args) != 1 || e.Args[0] != 12 || e.Code != errs.Invalid {
		t.Errorf("FieldKeyed: %+v", e)
	}
	k := errs.Keyed(errs.Forbidden, "", "asset.unproven", "ownership of %s not proven: %s", "a.example", "no TXT")
	if got, want := errs.Message(k), "ownership of a.example not proven: no TXT"; got != want || errs.CodeOf(k) != errs.Forbidden {
		t.Errorf("Keyed: %q (%s); want %q", got, errs.CodeOf(k), want)
	}
}
