// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

// unkeyedErrors are the errors still made without a message key (see
// TestErrorsKeyed), by message: each shows in English on a Dutch
// page until it is keyed. Many are the API's or the command line's only
// (a page never makes them), the rest are to key; the list only shrinks.
var unkeyedErrors = map[string]bool{
	"%d problem(s):\n%s": true,
	"%s":                 true,
	"%v":                 true,
	"\"cannot read: \"+strings.TrimPrefix(err.Error(), \"stat \"+arg+\": \")": true,
	"\"label keys: under PostgreSQL the signing keys are kept in the database, encrypted, and no secret is configured: \"+\n\t\"make one (openssl rand -hex 32 > /etc/vigil/keys.secret; chmod 600 it) and name it with labels.keys_secret_file \"+\n\t\"(VIGIL_KEYS_SECRET_FILE), or give it as VIGIL_KEYS_SECRET; or keep the keys in a directory with --keys (labels.keys)\"": true,
	"err.Error()":       true,
	"errs.Message(err)": true,
	"evidence: %v":      true,
	"give the bounced address or the bounce message (dsn)": true,
	"msg": true,
	"must be a date (2025-06-01), an RFC 3339 time or a duration (30d, 12h)": true,
	"must be day, week or month":                              true,
	"must be pending, sending, sent, failed, dead or unknown": true,
	"not a directory":                                         true,
	"registry status %s: %v":                                  true,
	"saved.Rejected[0].Reason":                                true,
	"sum.Skipped":                                             true,
	"what":                                                    true,
}
