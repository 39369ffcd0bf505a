// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package rdap

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/net/idna"

	"vigil/internal/errs"
	"vigil/internal/netguard"
)

// Kind is the kind of object a query asks for, named as in RDAP paths.
type Kind string

// The kinds of query.
const (
	KindIP     Kind = "ip"
	KindASN    Kind = "autnum"
	KindDomain Kind = "domain"
)

// Query is a parsed lookup target.
type Query struct {
	Kind   Kind
	Prefix netip.Prefix // KindIP: a single address is a /32 or /128
	ASN    uint32       // KindASN
	Domain string       // KindDomain, in lower-case ASCII (A-labels)
}

// ParseQuery reads an IP address, a CIDR prefix, an AS number ("AS64500"
// or "64500") or a domain name (Unicode names become A-labels).
func ParseQuery(s string) (Query, error) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap().WithZone("")
		return Query{Kind: KindIP, Prefix: netip.PrefixFrom(a, a.BitLen())}, nil
	}
	if p, err := netip.ParsePrefix(s); err == nil {
		return Query{Kind: KindIP, Prefix: p.Masked()}, nil
	}
	num := s
	if len(num) > 2 && strings.EqualFold(num[:2], "AS") {
		num = num[2:]
	}
	if n, err := strconv.ParseUint(num, 10, 32); err == nil {
		return Query{Kind: KindASN, ASN: uint32(n)}, nil
	}
	name, err := idna.Lookup.ToASCII(strings.TrimSuffix(s, "."))
	if err != nil || name == "" || !strings.Contains(name, ".") {
		return Query{}, errs.Field("query", s, "not an IP address, prefix, AS number or domain name")
	}
	return Query{Kind: KindDomain, Domain: strings.ToLower(name)}, nil
}

// String returns the normalised query: "192.0.2.1", "192.0.2.0/24",
// "AS64500", "example.com".
func (q Query) String() string {
	switch q.Kind {
	case KindIP:
		if q.Prefix.IsSingleIP() {
			return q.Prefix.Addr().String()
		}
		return q.Prefix.String()
	case KindASN:
		return "AS" + strconv.FormatUint(uint64(q.ASN), 10)
	default:
		return q.Domain
	}
}

// path returns the RDAP path segment of q (RFC 9082 §3.1).
func (q Query) path() string {
	switch q.Kind {
	case KindIP:
		return "ip/" + q.String()
	case KindASN:
		return "autnum/" + strconv.FormatUint(uint64(q.ASN), 10)
	default:
		return "domain/" + q.Domain
	}
}

// Result is the answer to a lookup.
type Result struct {
	Query string `json:"query"`
	Kind  Kind   `json:"kind"`
	// Source is the URL that answered (after redirects, e.g. ARIN
	// referring to RIPE).
	Source  string `json:"source"`
	Handle  string `json:"handle,omitempty"`
	Network string `json:"network,omitempty"`
	Country string `json:"country,omitempty"`
	// Range is "first - last" address of an IP network object.
	Range string `json:"range,omitempty"`
	// AbuseEmail is the address to send warnings to; empty when no contact
	// with an e-mail address was found.
	AbuseEmail string    `json:"abuse_email,omitempty"`
	Abuse      *Contact  `json:"abuse,omitempty"`
	Contacts   []Contact `json:"contacts"`
	FetchedAt  time.Time `json:"fetched_at"`
	// Cached is true when the result came from the cache.
	Cached   bool     `json:"cached"`
	Problems []string `json:"problems,omitempty"`
}

// DefaultTTL is how long a lookup result is cached when Options.TTL is 0.
const DefaultTTL = 24 * time.Hour

// Options configure a Client. The zero value works: embedded bootstrap, no
// cache, DefaultTTL, time.Now, no logging.
type Options struct {
	Bootstrap *Bootstrap
	Cache     Cache
	TTL       time.Duration
	Now       func() time.Time
	Logger    *slog.Logger
}

// Client looks up abuse contacts. It is safe for concurrent use.
type Client struct {
	http  *netguard.Client
	boot  atomic.Pointer[Bootstrap]
	cache Cache
	ttl   time.Duration
	now   func() time.Time
	log   *slog.Logger
}

// New returns a Client that fetches through http.
func New(http *netguard.Client, opts Options) (*Client, error) {
	c := &Client{http: http, cache: opts.Cache, ttl: opts.TTL, now: opts.Now, log: opts.Logger}
	if c.ttl <= 0 {
		c.ttl = DefaultTTL
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	b := opts.Bootstrap
	if b == nil {
		var err error
		if b, err = DefaultBootstrap(); err != nil {
			return nil, err
		}
	}
	c.boot.Store(b)
	return c, nil
}

// SetBootstrap replaces the bootstrap registries (after Refresh).
func (c *Client) SetBootstrap(b *Bootstrap) { c.boot.Store(b) }

// Lookup returns the contacts and the abuse address for query (see
// ParseQuery), from the cache when it holds a fresh result.
//
// Errors: errs.Invalid for an unusable query or a non-public address,
// errs.NotFound when no registry serves the query or the server has no
// object for it, others for network and protocol failures.
func (c *Client) Lookup(ctx context.Context, query string) (Result, error) {
	q, err := ParseQuery(query)
	if err != nil {
		return Result{}, err
	}
	if q.Kind == KindIP && !netguard.IsPublic(q.Prefix.Addr()) {
		return Result{}, errs.Errorf(errs.Invalid, "%s is not a public address: no registry holds it", q)
	}
	key := string(q.Kind) + ":" + q.String()
	if c.cache != nil {
		r, ok, err := c.cache.Get(ctx, key)
		if err != nil {
			c.log.WarnContext(ctx, "rdap cache get failed", "key", key, "err", err)
		} else if ok {
			r.Cached = true
			return r, nil
		}
	}
	base, ok := c.server(q)
	if !ok {
		return Result{}, errs.Errorf(errs.NotFound, "no RDAP server for %s in the bootstrap registry", q)
	}
	r, err := c.fetch(ctx, q, strings.TrimSuffix(base, "/")+"/"+q.path())
	if err != nil {
		return Result{}, err
	}
	if c.cache != nil {
		if err := c.cache.Put(ctx, key, r, r.FetchedAt.Add(c.ttl)); err != nil {
			c.log.WarnContext(ctx, "rdap cache put failed", "key", key, "err", err)
		}
	}
	return r, nil
}

func (c *Client) server(q Query) (string, bool) {
	b := c.boot.Load()
	switch q.Kind {
	case KindIP:
		return b.ServerForAddr(q.Prefix)
	case KindASN:
		return b.ServerForASN(q.ASN)
	default:
		return b.ServerForDomain(q.Domain)
	}
}

func (c *Client) fetch(ctx context.Context, q Query, url string) (Result, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Result{}, errs.Field("url", url, "not a valid URL")
	}
	req.Header.Set("Accept", "application/rdap+json, application/json;q=0.9")
	resp, err := c.http.Do(req)
	if err != nil {
		return Result{}, fmt.Errorf("rdap %s: %w", q, err)
	}
	defer resp.Body.Close()
	source := resp.Request.URL.Redacted()
	if resp.StatusCode == http.StatusNotFound {
		_, _ = io.Copy(io.Discard, resp.Body)
		return Result{}, errs.Errorf(errs.NotFound, "rdap %s: %s has no object for it", q, source)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Result{}, fmt.Errorf("rdap %s: GET %s: HTTP %d", q, source, resp.StatusCode)
	}
	o, err := Parse(resp.Body)
	if err != nil {
		return Result{}, fmt.Errorf("rdap %s from %s: %w", q, source, err)
	}
	if o.ErrorCode != 0 {
		return Result{}, fmt.Errorf("rdap %s: %s answered with error %d", q, source, o.ErrorCode)
	}
	return NewResult(q, o, source, c.now()), nil
}

// NewResult builds the Result of query q from a parsed answer o that came
// from source at time at.
func NewResult(q Query, o *Object, source string, at time.Time) Result {
	r := Result{
		Query: q.String(), Kind: q.Kind, Source: source,
		Handle: o.Handle, Country: o.Country, FetchedAt: at, Problems: o.Problems,
	}
	r.Contacts = o.Contacts()
	for i := range r.Contacts {
		r.Contacts[i].Source = source
		r.Contacts[i].FetchedAt = at
	}
	if len(r.Contacts) > 0 {
		r.Network = r.Contacts[0].Network
	} else if r.Network = o.Name; r.Network == "" {
		r.Network = o.LDHName
	}
	if s, e, ok := o.AddrRange(); ok {
		r.Range = s.String() + " - " + e.String()
	}
	if a, ok := Abuse(r.Contacts); ok {
		r.Abuse = &a
		r.AbuseEmail = a.Emails[0]
	}
	if r.Contacts == nil {
		r.Contacts = []Contact{}
	}
	return r
}
