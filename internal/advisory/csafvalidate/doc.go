// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package csafvalidate checks CSAF 2.0 documents against the OASIS CSAF 2.0
// JSON schema and the mandatory tests of section 6.1 of the standard
// (6.1.1 … 6.1.33, including the profile tests 6.1.27.1 … 6.1.27.11).
//
// Validation works on the raw JSON tree, not on a typed model, so a document
// that breaks the schema is still run through every mandatory test and all
// problems are reported at once, each with the test id (for example "6.1.1",
// or "schema" for JSON schema violations), a JSONPath into the document
// (for example "$.product_tree.branches[0].product.product_id") and a message.
//
// The schemas (CSAF 2.0 and the FIRST CVSS v2.0/v3.0/v3.1 schemas it refers
// to) and a CWE catalogue (every weakness name of CWE releases 1.0 to 4.17)
// are embedded; validation never touches the network. CVSS vectors are parsed
// and scored with github.com/pandatix/go-cvss, PURLs parsed with
// github.com/package-url/packageurl-go and language tags checked against the
// IANA subtag registry carried by golang.org/x/text/language.
//
// A [Validator] is safe for concurrent use. [Validate] uses a shared default
// Validator compiled on first use.
package csafvalidate
