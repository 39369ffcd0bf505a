// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package profiling

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStart(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "mem.prof")
	var warn bytes.Buffer
	Start(cpu, mem, &warn)()
	for _, f := range []string{cpu, mem} {
		if st, err := os.Stat(f); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if warn.Len() != 0 {
		t.Errorf("warnings: %s", warn.String())
	}
	// A profile that cannot be written is reported, not fatal.
	Start(filepath.Join(dir, "missing", "cpu.prof"), filepath.Join(dir, "missing", "mem.prof"), &warn)()
	if got := warn.String(); !strings.Contains(got, "cpu profile") || !strings.Contains(got, "memory profile") {
		t.Errorf("warnings = %q", got)
	}
	// Empty names profile nothing.
	Start("", "", &warn)()
}
