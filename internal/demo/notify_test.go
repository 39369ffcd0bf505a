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

func TestNotify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := demo.Load(ctx, s); err != nil {
			t.Fatal(err)
		}
		sum, err := demo.Notify(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		// Every organisation with findings has a contact: every notice is
		// delivered, in Dutch or English by the contacts' languages.
		if sum.Composed < 10 || sum.Delivered != sum.Composed || sum.Messages < sum.Composed {
			t.Errorf("demo notices: %+v", sum)
		}
		if sum.Languages["nl"] == 0 || sum.Languages["nl"]+sum.Languages["en"] != sum.Messages {
			t.Errorf("languages: %v", sum.Languages)
		}
		// Running it again composes and sends nothing new.
		again, err := demo.Notify(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if again.Composed != 0 || again.Messages != 0 {
			t.Errorf("second run: %+v", again)
		}
	})
}
