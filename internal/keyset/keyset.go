// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package keyset holds the page every list of vigil's storage takes: the
// items with an id greater than After, at most Limit of them, in id order
// (keyset pagination: a page stays correct while rows are added).
package keyset

// Page selects a slice of a list ordered by id: the items with id greater
// than After, at most Limit of them. The zero Page is the first page of
// DefaultLimit items.
type Page struct {
	After int64
	Limit int
}

// DefaultLimit and MaxLimit bound Page.Limit.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// Size returns how many items p asks for: Limit within 1…MaxLimit, or
// DefaultLimit when Limit is not positive.
func (p Page) Size() int {
	switch {
	case p.Limit <= 0:
		return DefaultLimit
	case p.Limit > MaxLimit:
		return MaxLimit
	}
	return p.Limit
}
