// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// stepClock is a clock a test moves on by hand.
type stepClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// TestTokenOperatorScopes checks that an operator token keeps the widest
// operator scope it was given and refuses write, and that an
// organisation's token refuses the operator scopes.
func TestTokenOperatorScopes(t *testing.T) {
	storetest.EachOpts(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := newOrg("Scopes")
		if err := s.OrgCreate(ctx, tenant.Operator(), o); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name   string
			org    int64
			scopes []auth.Scope
			want   auth.Scope // "" : refused as invalid on scopes
		}{
			{"operator_read", 0, []auth.Scope{auth.ScopeRead}, auth.ScopeRead},
			{"operator_operate", 0, []auth.Scope{auth.ScopeOperate}, auth.ScopeOperate},
			{"operator_widest_kept", 0, []auth.Scope{auth.ScopeRead, auth.ScopeAdmin, auth.ScopeOperate}, auth.ScopeAdmin},
			{"operator_write", 0, []auth.Scope{auth.ScopeRead, auth.ScopeWrite}, ""},
			{"operator_none", 0, nil, ""},
			{"org_operate", o.ID, []auth.Scope{auth.ScopeRead, auth.ScopeOperate}, ""},
			{"org_admin", o.ID, []auth.Scope{auth.ScopeAdmin}, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tok := auth.Token{OrgID: tt.org, Name: tt.name, Scopes: tt.scopes}
				secret, err := s.TokenCreate(ctx, tenant.Operator(), &tok)
				if tt.want == "" {
					var e *errs.Error
					if !errors.As(err, &e) || e.Code != errs.Invalid || e.Field != "scopes" {
						t.Fatalf("TokenCreate(%v) = %v; want invalid on scopes", tt.scopes, err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				p, err := s.TokenAuthenticate(ctx, secret)
				if err != nil || len(p.Scopes) != 1 || p.Scopes[0] != tt.want || !p.Operator() {
					t.Fatalf("principal = %+v, %v; want an operator with only %s", p, err, tt.want)
				}
			})
		}
	})
}

// TestTokenExpiry checks that a token is refused from its expiry on,
// exactly as an unknown secret is, and that one without an expiry goes on.
func TestTokenExpiry(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	clock := &stepClock{now: t0}
	storetest.EachOpts(t, storetest.Options{Now: clock.Now}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock.set(t0)
		in := t0.Add(time.Hour)
		expiring := auth.Token{Name: "expiring", Scopes: []auth.Scope{auth.ScopeRead}, ExpiresAt: &in}
		forever := auth.Token{Name: "forever", Scopes: []auth.Scope{auth.ScopeRead}}
		s1, err := s.TokenCreate(ctx, tenant.Operator(), &expiring)
		if err != nil {
			t.Fatal(err)
		}
		s2, err := s.TokenCreate(ctx, tenant.Operator(), &forever)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenAuthenticate(ctx, s1); err != nil {
			t.Fatalf("before its expiry: %v", err)
		}
		_, unknown := s.TokenAuthenticate(ctx, auth.NewSecret())
		clock.set(in)
		_, expired := s.TokenAuthenticate(ctx, s1)
		if errs.CodeOf(expired) != errs.Unauthorized || expired.Error() != unknown.Error() {
			t.Errorf("expired token: %v; want what an unknown one gets: %v", expired, unknown)
		}
		if _, err := s.TokenAuthenticate(ctx, s2); err != nil {
			t.Errorf("token without expiry: %v", err)
		}
		ts, err := s.TokenList(ctx, tenant.Operator(), keyset.Page{Limit: 10})
		if err != nil || len(ts) != 2 {
			t.Fatalf("list = %+v, %v", ts, err)
		}
		if ts[0].ExpiresAt == nil || !ts[0].ExpiresAt.Equal(in) || ts[1].ExpiresAt != nil {
			t.Errorf("listed expiries %v, %v; want %v and none", ts[0].ExpiresAt, ts[1].ExpiresAt, in)
		}
	})
}

// TestTokenLastUse checks that a token's last use is noted at its first
// use and then at most once a minute, and listed.
func TestTokenLastUse(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	clock := &stepClock{now: t0}
	storetest.EachOpts(t, storetest.Options{Now: clock.Now}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		clock.set(t0)
		tok := auth.Token{Name: "ci", Scopes: []auth.Scope{auth.ScopeRead}}
		secret, err := s.TokenCreate(ctx, tenant.Operator(), &tok)
		if err != nil {
			t.Fatal(err)
		}
		lastUse := func() *time.Time {
			t.Helper()
			ts, err := s.TokenList(ctx, tenant.Operator(), keyset.Page{Limit: 10})
			if err != nil || len(ts) != 1 {
				t.Fatalf("list = %+v, %v", ts, err)
			}
			return ts[0].LastUsedAt
		}
		if u := lastUse(); u != nil {
			t.Fatalf("unused token's last use = %v", u)
		}
		steps := []struct {
			after time.Duration // since the start
			want  time.Duration // the last use noted, since the start
		}{
			{0, 0},
			{30 * time.Second, 0},
			{59 * time.Second, 0},
			{60 * time.Second, 60 * time.Second},
			{90 * time.Second, 60 * time.Second},
			{10 * time.Minute, 10 * time.Minute},
		}
		for _, st := range steps {
			clock.set(t0.Add(st.after))
			if _, err := s.TokenAuthenticate(ctx, secret); err != nil {
				t.Fatal(err)
			}
			if u := lastUse(); u == nil || !u.Equal(t0.Add(st.want)) {
				t.Errorf("after a use at +%v: last use %v; want +%v", st.after, u, st.want)
			}
		}
	})
}
