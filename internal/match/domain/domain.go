// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package domain maps host names, URLs and e-mail addresses to the
// organisations that registered their domains.
//
// Organisations register domains such as "example.nl" (a registrable
// domain, eTLD+1 by the Public Suffix List, github.com/weppos/publicsuffix-go)
// or a subdomain such as "shop.example.nl". A host matches a registered
// domain when it is that domain or a subdomain of it; when several
// registered domains contain a host, the longest (most specific) wins.
// Public suffixes themselves ("co.uk", "github.io") cannot be registered.
//
// Names are compared in their ASCII form: lower case, without a trailing
// dot, internationalised labels as punycode (UTS #46 lookup mapping).
package domain

import (
	"cmp"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"github.com/weppos/publicsuffix-go/publicsuffix"
	"golang.org/x/net/idna"

	"vigil/internal/errs"
)

// Entry is one domain registered by an organisation.
type Entry struct {
	Domain string
	OrgID  int64
}

// Match is the result of a lookup.
type Match struct {
	// Domain is the registered domain that matched (normalised).
	Domain string
	// Orgs are the organisations that registered Domain, ascending; more
	// than one is a tie. Shared between lookups: do not modify.
	Orgs []int64
}

// Tie reports whether several organisations registered the domain.
func (m Match) Tie() bool { return len(m.Orgs) > 1 }

// Index is an immutable set of registered domains. Lookups may run
// concurrently.
type Index struct {
	byName  map[string][]int64
	profile *idna.Profile
}

// newProfile returns the IDNA profile names are converted with: UTS #46
// lookup mapping, non-transitional, but tolerant of "_" (service labels).
func newProfile() *idna.Profile {
	return idna.New(idna.MapForLookup(), idna.Transitional(false), idna.StrictDomainName(false), idna.BidiRule())
}

// Build indexes entries. Each domain is normalised; a domain that is not a
// valid name or is a public suffix is an errs.Invalid error naming the entry.
func Build(entries []Entry) (*Index, error) {
	ix := &Index{byName: make(map[string][]int64, len(entries)), profile: newProfile()}
	for i, e := range entries {
		d, err := normalize(ix.profile, e.Domain)
		if err != nil {
			return nil, fmt.Errorf("entries[%d]: %w", i, err)
		}
		if _, err := registrable(d); err != nil {
			return nil, fmt.Errorf("entries[%d]: %w", i, err)
		}
		if orgs := ix.byName[d]; !slices.Contains(orgs, e.OrgID) {
			ix.byName[d] = append(orgs, e.OrgID)
		}
	}
	for _, orgs := range ix.byName {
		slices.SortFunc(orgs, cmp.Compare[int64])
	}
	return ix, nil
}

// Len returns the number of distinct registered domains.
func (ix *Index) Len() int { return len(ix.byName) }

// Lookup returns the most specific registered domain containing the host of
// s, which may be a host name ("WWW.Example.NL."), a URL
// ("https://shop.example.nl:8443/x"), "host:port" or an e-mail address. IP
// addresses and names that do not parse match nothing.
func (ix *Index) Lookup(s string) (Match, bool) {
	host := HostOf(s)
	if host == "" {
		return Match{}, false
	}
	h, err := normalize(ix.profile, host)
	if err != nil {
		return Match{}, false
	}
	for name := h; ; {
		if orgs, ok := ix.byName[name]; ok {
			return Match{Domain: name, Orgs: orgs}, true
		}
		i := strings.IndexByte(name, '.')
		if i < 0 {
			return Match{}, false
		}
		name = name[i+1:]
	}
}

// HostOf returns the host part of a URL, "host:port", e-mail address or bare
// host name, or "" when s names an IP address or no host.
func HostOf(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "://"); i >= 0 {
		u, err := url.Parse(s)
		if err != nil {
			return ""
		}
		s = u.Hostname()
	} else {
		if i := strings.LastIndexByte(s, '@'); i >= 0 {
			s = s[i+1:]
		}
		if i := strings.IndexAny(s, "/?#"); i >= 0 {
			s = s[:i]
		}
		if h, port, ok := strings.Cut(s, ":"); ok && !strings.Contains(port, ":") {
			s = h
		}
	}
	s = strings.TrimSuffix(s, ".")
	if s == "" || strings.HasPrefix(s, "[") {
		return ""
	}
	// Only names ending in a digit or holding a colon can be addresses;
	// checking first spares the error allocation of ParseAddr.
	if c := s[len(s)-1]; (c >= '0' && c <= '9') || strings.IndexByte(s, ':') >= 0 {
		if _, err := netip.ParseAddr(s); err == nil {
			return ""
		}
	}
	return s
}

// Normalize returns the canonical ASCII form of a domain name: lower case,
// no trailing dot, no leading "*.", punycode labels. Invalid names are
// errs.Invalid errors.
func Normalize(name string) (string, error) {
	return normalize(newProfile(), name)
}

func normalize(p *idna.Profile, name string) (string, error) {
	d := strings.TrimSuffix(strings.TrimSpace(name), ".")
	d = strings.TrimPrefix(d, "*.")
	if !plainASCII(d) {
		a, err := p.ToASCII(d)
		if err != nil {
			return "", errs.Field("domain", name, "not a valid domain name")
		}
		d = strings.TrimSuffix(a, ".")
	}
	if d == "" || len(d) > 253 {
		return "", errs.Field("domain", name, "not a valid domain name")
	}
	for rest := d; rest != ""; {
		label := rest
		if i := strings.IndexByte(rest, '.'); i >= 0 {
			label, rest = rest[:i], rest[i+1:]
			if rest == "" {
				return "", errs.Field("domain", name, "not a valid domain name")
			}
		} else {
			rest = ""
		}
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", errs.Field("domain", name, "not a valid domain name")
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return "", errs.Field("domain", name, "not a valid domain name")
			}
		}
	}
	return d, nil
}

// plainASCII reports whether s is already lower-case letters, digits, "-",
// "_" and "." only, so that IDNA mapping would not change it.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
		if c == 'x' && strings.HasPrefix(s[i:], "xn--") && (i == 0 || s[i-1] == '.') {
			return false // punycode: let IDNA validate it
		}
	}
	return true
}

// Registrable returns the registrable domain (eTLD+1) of a host name by the
// Public Suffix List, private section included: "www.example.co.uk" →
// "example.co.uk". A public suffix itself has none (errs.Invalid).
func Registrable(name string) (string, error) {
	d, err := Normalize(name)
	if err != nil {
		return "", err
	}
	return registrable(d)
}

func registrable(d string) (string, error) {
	r, err := publicsuffix.DomainFromListWithOptions(publicsuffix.DefaultList, d, nil)
	if err != nil {
		return "", errs.Field("domain", d, "a public suffix, not a registrable domain")
	}
	return r, nil
}
