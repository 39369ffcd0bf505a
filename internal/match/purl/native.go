// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package purl

import "fmt"

// FromNative converts a native range of an ecosystem into a vers range.
func FromNative(scheme, native string) (Range, error) {
	return Range{}, fmt.Errorf("%w: %q", ErrScheme, scheme)
}
