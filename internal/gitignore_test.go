// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package internal_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestGitignoreKeepsKeysOut: the places vigil writes private keys and demo
// data are ignored by git wherever they appear, so that a key is never one
// `git add` away.
func TestGitignoreKeepsKeysOut(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git not installed")
	}
	for _, p := range []string{"vigil-keys/label-1.key", "cmd/vigil/vigil-keys/dkim.pem", "some/dir/vigil-keys/x.json",
		"demo-data/vigil.db", "x/demo-data/vigil-keys/k", "vigil.db", "a/b/vigil.db-wal"} {
		out, err := exec.Command(git, "-C", "..", "check-ignore", "--no-index", "-q", p).CombinedOutput()
		if err != nil {
			t.Errorf("%s is not ignored by .gitignore (%v %s)", p, err, strings.TrimSpace(string(out)))
		}
	}
}
