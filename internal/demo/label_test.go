// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package demo_test

import (
	"context"
	"path/filepath"
	"testing"

	"vigil/internal/demo"
	"vigil/internal/store/storetest"
)

func TestLoadLabels(t *testing.T) {
	t.Parallel()
	s := storetest.OpenSQLite(t, storetest.Options{})
	ctx := context.Background()
	if _, err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	sum, err := demo.LoadLabels(ctx, s, demo.LabelOptions{KeyDir: filepath.Join(t.TempDir(), "keys"), BaseURL: "http://127.0.0.1:8080"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Labels) != 2 || !sum.Probed {
		t.Fatalf("summary = %+v", sum)
	}
	good, poor := sum.Labels[0], sum.Labels[1]
	if good.Grade != "A" && good.Grade != "B" {
		t.Errorf("camera grade %s, want A or B (%+v)", good.Grade, good)
	}
	if poor.Grade < "D" {
		t.Errorf("plug grade %s, want D or worse (%+v)", poor.Grade, poor)
	}
	if good.Weaknesses != 0 || poor.Weaknesses == 0 {
		t.Errorf("probe weaknesses: hardened %d (want 0), weak %d (want some)", good.Weaknesses, poor.Weaknesses)
	}
	t.Logf("%+v", sum)
}
