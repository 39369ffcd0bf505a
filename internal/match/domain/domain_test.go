// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package domain_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"vigil/internal/errs"
	"vigil/internal/match/domain"
)

// The registered domains of the Shadowserver test corpus's organisations
// (internal/feed/testdata/shadowserver), plus an IDN, a subdomain
// registration and a tie.
func index(t *testing.T) *domain.Index {
	t.Helper()
	ix, err := domain.Build([]domain.Entry{
		{Domain: "example.nl", OrgID: 1},
		{Domain: "gemeente-voorbeeld.example.nl", OrgID: 2},
		{Domain: "ziekenhuis.example.nl.", OrgID: 3},
		{Domain: "Fabriek.Example.COM", OrgID: 4},
		{Domain: "bücher.example", OrgID: 5},
		{Domain: "*.shop.example.co.uk", OrgID: 6},
		{Domain: "shared.example", OrgID: 8},
		{Domain: "shared.example", OrgID: 7},
		{Domain: "shared.example", OrgID: 7},
		{Domain: "tenant.github.io", OrgID: 9},
	})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestLookup(t *testing.T) {
	t.Parallel()
	ix := index(t)
	if ix.Len() != 8 {
		t.Errorf("Len() = %d; want 8", ix.Len())
	}
	tests := []struct {
		in     string
		domain string
		orgs   []int64
	}{
		{"example.nl", "example.nl", []int64{1}},
		{"host-192-0-2-202.gemeente-voorbeeld.example.nl", "gemeente-voorbeeld.example.nl", []int64{2}},
		{"www0.gemeente-voorbeeld.example.nl", "gemeente-voorbeeld.example.nl", []int64{2}},
		{"host-198-51-100-87.ziekenhuis.example.nl", "ziekenhuis.example.nl", []int64{3}},
		{"www.example.nl", "example.nl", []int64{1}},
		{"WWW.EXAMPLE.NL.", "example.nl", []int64{1}},
		{"https://mail.fabriek.example.com/owa/auth/logon.aspx", "fabriek.example.com", []int64{4}},
		{"dhcp-0.fabriek.example.com", "fabriek.example.com", []int64{4}},
		{"vpn.fabriek.example.com:10443", "fabriek.example.com", []int64{4}},
		{"soc@ziekenhuis.example.nl", "ziekenhuis.example.nl", []int64{3}},
		{"www.BÜCHER.example", "xn--bcher-kva.example", []int64{5}},
		{"www.xn--bcher-kva.example", "xn--bcher-kva.example", []int64{5}},
		{"a.shop.example.co.uk", "shop.example.co.uk", []int64{6}},
		{"shared.example", "shared.example", []int64{7, 8}},
		{"x.tenant.github.io", "tenant.github.io", []int64{9}},
		// No match:
		{"example.com", "", nil},
		{"other.example.co.uk", "", nil},
		{"notexample.nl", "", nil},
		{"other.github.io", "", nil},
		{"nl", "", nil},
		{"192.0.2.1", "", nil},
		{"https://[2001:db8::1]:443/", "", nil},
		{"2001:db8::1", "", nil},
		{"bad..example.nl", "", nil},
		{"", "", nil},
		{"-x.example.nl", "", nil},
	}
	for _, tt := range tests {
		got, ok := ix.Lookup(tt.in)
		if ok != (tt.orgs != nil) || got.Domain != tt.domain || !slices.Equal(got.Orgs, tt.orgs) {
			t.Errorf("Lookup(%q) = %q %v %v; want %q %v", tt.in, got.Domain, got.Orgs, ok, tt.domain, tt.orgs)
		}
		if ok && got.Tie() != (len(tt.orgs) > 1) {
			t.Errorf("Lookup(%q).Tie() = %v", tt.in, got.Tie())
		}
	}
}

func TestBuildRejects(t *testing.T) {
	t.Parallel()
	for _, d := range []string{"co.uk", "github.io", "nl", "", "exa mple.nl", "a..b.nl", strings.Repeat("a", 64) + ".nl", "http://"} {
		_, err := domain.Build([]domain.Entry{{Domain: d, OrgID: 1}})
		if !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("Build(%q): %v; want invalid", d, err)
		}
	}
}

func TestRegistrable(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"www.example.co.uk":                 "example.co.uk",
		"a.b.gemeente-voorbeeld.example.nl": "example.nl",
		"foo.blogspot.com":                  "foo.blogspot.com",
		"Bücher.example.":                   "xn--bcher-kva.example",
		"example.internal":                  "example.internal",
		"co.uk":                             "",
		"com":                               "",
	}
	for in, want := range tests {
		got, err := domain.Registrable(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("Registrable(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestHostOf(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"https://user:pw@Shop.Example.nl:8443/a?b#c": "Shop.Example.nl",
		"shop.example.nl/path":                       "shop.example.nl",
		"a@b.example.nl":                             "b.example.nl",
		"example.nl:25":                              "example.nl",
		"example.nl.":                                "example.nl",
		"192.0.2.1:80":                               "",
		"[2001:db8::1]:443":                          "",
		"":                                           "",
	}
	for in, want := range tests {
		if got := domain.HostOf(in); got != want {
			t.Errorf("HostOf(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestLookupAllocs(t *testing.T) {
	ix := index(t)
	allocs := testing.AllocsPerRun(100, func() {
		ix.Lookup("host-192-0-2-202.gemeente-voorbeeld.example.nl")
		ix.Lookup("unregistered.example.org")
	})
	if allocs != 0 {
		t.Errorf("Lookup of a lower-case ASCII host allocates %v times; want 0", allocs)
	}
}

func BenchmarkLookup(b *testing.B) {
	ix, err := domain.Build([]domain.Entry{{Domain: "example.nl", OrgID: 1}, {Domain: "fabriek.example.com", OrgID: 2}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		ix.Lookup("dhcp-0.fabriek.example.com")
	}
}

func FuzzLookup(f *testing.F) {
	for _, s := range []string{"www.example.nl", "https://x.fabriek.example.com:1/", "bücher.example", "a@b", "[::1]:1", "xn--bcher-kva.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ix, err := domain.Build([]domain.Entry{{Domain: "example.nl", OrgID: 1}})
		if err != nil {
			t.Fatal(err)
		}
		m, ok := ix.Lookup(s)
		if ok && (m.Domain != "example.nl" || !slices.Equal(m.Orgs, []int64{1})) {
			t.Fatalf("Lookup(%q) = %+v", s, m)
		}
		if ok {
			h, err := domain.Normalize(domain.HostOf(s))
			if err != nil || (h != "example.nl" && !strings.HasSuffix(h, ".example.nl")) {
				t.Fatalf("Lookup(%q) matched, but host %q (%v) is not in example.nl", s, h, err)
			}
		}
	})
}
