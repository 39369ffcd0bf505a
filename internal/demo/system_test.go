// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"vigil/internal/demo"
	"vigil/internal/store/storetest"
	"vigil/internal/system"
)

// TestLoadSystem: the demo camera's register has no high risk left, its
// fleet counts come from the bundled reports (five units, two firmware
// versions, a certificate each), and its label stays a good grade under
// vigil-grade/2 with the whole system in view.
func TestLoadSystem(t *testing.T) {
	t.Parallel()
	s := storetest.OpenSQLite(t, storetest.Options{})
	ctx := context.Background()
	if _, err := demo.Load(ctx, s); err != nil {
		t.Fatal(err)
	}
	sum, err := demo.LoadSystem(ctx, s, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Risks < 20 || sum.HighLeft != 0 || sum.FleetRows != 10 || sum.Firmware != 2 || sum.SharedKeys != 0 {
		t.Errorf("summary = %+v", sum)
	}
	f, err := system.FactsFor(ctx, s, sum.Product, time.Now())
	if err != nil || f.Posture == nil || f.Posture.LatestShare != 0.6 || f.Test == nil || f.RetestDue || len(f.Test.Failed) != 1 {
		t.Errorf("facts %+v, %v", f, err)
	}
	labels, err := demo.LoadLabels(ctx, s, demo.LabelOptions{KeyDir: filepath.Join(t.TempDir(), "keys"), BaseURL: "http://127.0.0.1:8080", SkipProbes: true})
	if err != nil {
		t.Fatal(err)
	}
	if g := labels.Labels[0].Grade; g != "A" && g != "B" {
		t.Errorf("camera grade %s under vigil-grade/2; want A or B", g)
	}
}
