// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package clikit

import (
	"testing"

	"vigil/internal/keyset"
)

// TestCount counts a list by reading its pages from the first, whatever
// page the command showed, leaves the page as given, and refuses to count
// a list longer than countPages full pages.
func TestCount(t *testing.T) {
	for _, c := range []struct {
		name  string
		items int64
		want  int
		fails bool
	}{
		{"empty", 0, 0, false},
		{"one_page", 3, 3, false},
		{"full_pages", 2 * keyset.MaxLimit, 2 * keyset.MaxLimit, false},
		{"pages_and_a_part", 2*keyset.MaxLimit + 7, 2*keyset.MaxLimit + 7, false},
		{"too_long", countPages*keyset.MaxLimit + 1, 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := keyset.Page{Limit: 1, After: 2}
			fetch := func() ([]int64, error) {
				var out []int64
				for id := p.After + 1; id <= c.items && len(out) < p.Size(); id++ {
					out = append(out, id)
				}
				return out, nil
			}
			n, err := Count(&p, fetch, func(id int64) int64 { return id })
			if (err != nil) != c.fails || n != c.want {
				t.Errorf("Count = %d, %v; want %d (error: %v)", n, err, c.want, c.fails)
			}
			if p != (keyset.Page{Limit: 1, After: 2}) {
				t.Errorf("page changed to %+v", p)
			}
		})
	}
}
