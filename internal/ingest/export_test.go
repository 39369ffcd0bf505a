// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package ingest

// Evidence, EvidenceObject and HeaderJSON expose the evidence encoders to
// the tests.
var (
	Evidence       = evidence
	EvidenceObject = evidenceObject
	HeaderJSON     = headerJSON
)
