// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestREADMEPictures checks the pictures README.md shows as
// docs/screenshots/refresh.sh leaves them: each exists, is a PNG the
// window's width (1280) and no taller than maxShotHeight, and the folder
// holds no picture the README does not show.
func TestREADMEPictures(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	shown := map[string]bool{}
	for _, m := range regexp.MustCompile(`docs/screenshots/[a-z0-9-]+\.png`).FindAll(readme, -1) {
		shown[string(m)] = true
	}
	if len(shown) == 0 {
		t.Fatal("README.md shows no picture of docs/screenshots")
	}
	for f := range shown {
		r, err := os.Open(filepath.Join(root, f))
		if err != nil {
			t.Errorf("README.md shows %s: %v", f, err)
			continue
		}
		cfg, err := png.DecodeConfig(r)
		r.Close()
		switch {
		case err != nil:
			t.Errorf("%s: %v", f, err)
		case cfg.Width != 1280 || cfg.Height > maxShotHeight:
			t.Errorf("%s is %d×%d; want 1280 wide and at most %d high (run docs/screenshots/refresh.sh)", f, cfg.Width, cfg.Height, maxShotHeight)
		}
	}
	all, err := filepath.Glob(filepath.Join(root, "docs", "screenshots", "*.png"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range all {
		if rel, _ := filepath.Rel(root, f); !shown[filepath.ToSlash(rel)] {
			t.Errorf("%s is not shown in README.md (refresh.sh keeps only what it shows)", rel)
		}
	}
}
