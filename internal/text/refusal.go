// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package text

import "vigil/internal/errs"

// Refusal is the invalid-input error about field whose text cannot be
// stored for reason (Problem, Find): its message is the reason, keyed so
// that a page shows it in the reader's language.
func Refusal(field, reason string) error {
	if reason == ReasonNUL {
		return &errs.Error{Code: errs.Invalid, Field: field, Message: ReasonNUL, Key: "text.nul"}
	}
	return &errs.Error{Code: errs.Invalid, Field: field, Message: ReasonNotUTF8, Key: "text.utf8"}
}
