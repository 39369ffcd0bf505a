// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import "testing"

// TestOperationID: public routes without an id get one from their method
// and path.
func TestOperationID(t *testing.T) {
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/labels/{id}/status.json", "getLabelsIdStatusJson"},
		{"GET", "/.well-known/vigil-keys.json", "getWellKnownVigilKeysJson"},
		{"POST", "/ack/{token}", "postAckToken"},
	} {
		if got := operationID(tc.method, tc.path); got != tc.want {
			t.Errorf("operationID(%s %s) = %q; want %q", tc.method, tc.path, got, tc.want)
		}
	}
}
