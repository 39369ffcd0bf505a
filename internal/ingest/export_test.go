// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package ingest

// Evidence exposes evidence to the tests.
var Evidence = evidence
