// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package keyset

import "testing"

func TestPageSize(t *testing.T) {
	tests := []struct {
		name string
		p    Page
		want int
	}{
		{"zero_is_default", Page{}, DefaultLimit},
		{"negative_is_default", Page{Limit: -5}, DefaultLimit},
		{"within_bounds", Page{Limit: 250, After: 9}, 250},
		{"one", Page{Limit: 1}, 1},
		{"at_most_max", Page{Limit: MaxLimit + 1}, MaxLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Size(); got != tt.want {
				t.Errorf("%+v.Size() = %d; want %d", tt.p, got, tt.want)
			}
		})
	}
}
