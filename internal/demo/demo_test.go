// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package demo_test

import (
	"context"
	"testing"

	"vigil/internal/demo"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

func TestLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sum, err := demo.Load(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Organisations < 24 || sum.Devices < 10 || sum.Assets < 100 {
			t.Errorf("demo too small: %+v", sum)
		}
		// The hosting company's /24 contains 16 other organisations' /28s.
		if sum.FeedRows < 150 || sum.Findings < 100 || sum.Quarantined != 3 || sum.Triggers != 8 {
			t.Errorf("demo feeds: %+v", sum)
		}
		if sum.Overlaps != 15 {
			t.Errorf("overlaps = %d; want 15", sum.Overlaps)
		}
	})
}
