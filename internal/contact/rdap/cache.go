// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package rdap

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Cache stores lookup results until they expire. The store layer provides
// a persistent implementation; MemoryCache is the in-process one.
// Implementations must be safe for concurrent use.
type Cache interface {
	// Get returns the result stored under key if it has not expired.
	Get(ctx context.Context, key string) (Result, bool, error)
	// Put stores r under key until expires.
	Put(ctx context.Context, key string, r Result, expires time.Time) error
}

// DefaultCacheSize is the number of results a MemoryCache holds when no
// size is given.
const DefaultCacheSize = 10000

// MemoryCache is a Cache in memory with a bounded number of entries. When
// full, it drops expired entries and then the ones closest to expiry. It is
// safe for concurrent use.
type MemoryCache struct {
	mu      sync.Mutex
	now     func() time.Time
	max     int
	entries map[string]memEntry
}

type memEntry struct {
	r       Result
	expires time.Time
}

// NewMemoryCache returns an empty cache judged by the clock now (time.Now
// when nil) holding at most max entries (DefaultCacheSize when max <= 0).
func NewMemoryCache(now func() time.Time, max int) *MemoryCache {
	if now == nil {
		now = time.Now
	}
	if max <= 0 {
		max = DefaultCacheSize
	}
	return &MemoryCache{now: now, max: max, entries: map[string]memEntry{}}
}

// Get implements Cache. The result is a copy the caller may change.
func (m *MemoryCache) Get(_ context.Context, key string) (Result, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok {
		return Result{}, false, nil
	}
	if !m.now().Before(e.expires) {
		delete(m.entries, key)
		return Result{}, false, nil
	}
	return e.r.clone(), true, nil
}

// Put implements Cache.
func (m *MemoryCache) Put(_ context.Context, key string, r Result, expires time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if !now.Before(expires) {
		return nil
	}
	if _, ok := m.entries[key]; !ok && len(m.entries) >= m.max {
		for k, e := range m.entries {
			if !now.Before(e.expires) {
				delete(m.entries, k)
			}
		}
		for len(m.entries) >= m.max {
			var oldest string
			var at time.Time
			for k, e := range m.entries {
				if oldest == "" || e.expires.Before(at) {
					oldest, at = k, e.expires
				}
			}
			delete(m.entries, oldest)
		}
	}
	m.entries[key] = memEntry{r: r.clone(), expires: expires}
	return nil
}

// Len returns the number of entries, expired ones included.
func (m *MemoryCache) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

func (r Result) clone() Result {
	r.Problems = slices.Clone(r.Problems)
	r.Contacts = slices.Clone(r.Contacts)
	for i := range r.Contacts {
		r.Contacts[i] = r.Contacts[i].clone()
	}
	if r.Abuse != nil {
		a := r.Abuse.clone()
		r.Abuse = &a
	}
	return r
}

func (c Contact) clone() Contact {
	c.Emails = slices.Clone(c.Emails)
	c.Phones = slices.Clone(c.Phones)
	c.Roles = slices.Clone(c.Roles)
	return c
}
