// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"bytes"
	"unicode/utf8"

	"vigil/internal/errs"
	"vigil/internal/text"
)

// markNotUTF8 replaces each invalid UTF-8 sequence of a request body with
// the JSON escape of a NUL byte, so that the string that held it is found
// by badText like a NUL sent as \u0000 (encoding/json would otherwise
// turn it into U+FFFD without a word). It reports whether it replaced any.
func markNotUTF8(body []byte) ([]byte, bool) {
	if utf8.Valid(body) {
		return body, false
	}
	return bytes.ToValidUTF8(body, []byte(`\u0000`)), true
}

// badText refuses a decoded request whose strings cannot be stored as text
// (text.Problem): errs.Invalid naming the first such member by its JSON
// path (name, assets[1].value, policy.webhook_url). notUTF8 says the body
// held invalid UTF-8 (see markNotUTF8).
func badText(v any, notUTF8 bool) error {
	path, reason := text.Find(v)
	if reason == "" {
		if notUTF8 {
			return errs.Keyed(codeBadRequest, "", "body.utf8", "the request body is not valid UTF-8")
		}
		return nil
	}
	if notUTF8 {
		reason = text.ReasonNotUTF8
	}
	return text.Refusal(path, reason)
}
