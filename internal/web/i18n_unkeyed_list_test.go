// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

// unkeyedErrors are the errors still made without a message key (see
// TestErrorsKeyed), by message: each shows in English on a Dutch
// page until it is keyed. Many are the API's or the command line's only
// (a page never makes them), the rest are to key; the list only shrinks.
var unkeyedErrors = map[string]bool{
	"%s": true,
	"%v": true,
	"\"cannot read: \"+strings.TrimPrefix(err.Error(), \"stat \"+arg+\": \")": true,
	"\"label keys: under PostgreSQL the signing keys are kept in the database, encrypted, and no secret is configured: \"+\n\t\"make one (openssl rand -hex 32 > /etc/vigil/keys.secret; chmod 600 it) and name it with labels.keys_secret_file \"+\n\t\"(VIGIL_KEYS_SECRET_FILE), or give it as VIGIL_KEYS_SECRET; or keep the keys in a directory with --keys (labels.keys)\"": true,
	"err.Error()":       true,
	"errs.Message(err)": true,
	"msg":               true,
	"r.Reason":          true,
	"sum.Skipped":       true,
	"what":              true,
}
