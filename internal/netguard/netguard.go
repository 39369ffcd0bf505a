// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package netguard is vigil's one outbound HTTP client. Every fetch of
// security.txt, RDAP, CSAF providers, KEV/NVD feeds and webhooks goes
// through it, so that a hostile URL cannot make vigil reach internal
// services (SSRF), hang forever or exhaust memory.
//
// The guard is enforced at connect time on the resolved address (so DNS
// rebinding does not help) and again on every redirect.
package netguard

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"vigil/internal/errs"
)

// Options configure a Client. The zero value gives safe defaults.
type Options struct {
	// Timeout bounds a whole request including reading the body (default 20s).
	Timeout time.Duration
	// MaxBytes bounds a response body (default 10 MiB). Larger bodies fail
	// with ErrTooLarge.
	MaxBytes int64
	// MaxRedirects bounds redirects (default 5).
	MaxRedirects int
	// AllowPrivate permits loopback, private, link-local and other
	// non-public targets. Only tests and explicit operator settings set it.
	AllowPrivate bool
	// UserAgent is sent with every request (default "vigil").
	UserAgent string
	// SkipCertCheck accepts any TLS certificate. Only readers that report
	// the certificate as invalid and never trust what they read (the
	// security.txt validator after invalid_cert) set it, through
	// Client.WithoutCertCheck.
	SkipCertCheck bool
	// Transport overrides the base transport (tests use httptest's TLS
	// client transport). Its dialer is still wrapped by the guard when it is
	// an *http.Transport.
	Transport *http.Transport
}

// ErrTooLarge is returned when a body exceeds Options.MaxBytes.
var ErrTooLarge = errors.New("response body too large")

// ErrBlockedAddress is returned when the target resolves to an address the
// guard does not allow.
var ErrBlockedAddress = errors.New("target address not allowed")

// Client is a guarded HTTP client. It is safe for concurrent use.
type Client struct {
	opts Options
	http *http.Client
}

// New returns a Client with opts applied over the defaults.
func New(opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = 20 * time.Second
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 10 << 20
	}
	if opts.MaxRedirects <= 0 {
		opts.MaxRedirects = 5
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "vigil"
	}
	var tr *http.Transport
	if opts.Transport != nil {
		tr = opts.Transport.Clone()
	} else {
		tr = http.DefaultTransport.(*http.Transport).Clone()
	}
	tr.Proxy = nil // a proxy would hide the real target from the guard
	if opts.SkipCertCheck {
		cfg := &tls.Config{}
		if tr.TLSClientConfig != nil {
			cfg = tr.TLSClientConfig.Clone()
		}
		cfg.InsecureSkipVerify = true
		tr.TLSClientConfig = cfg
	}
	dialer := &net.Dialer{
		Timeout: 10 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			return checkAddress(address, opts.AllowPrivate)
		},
	}
	tr.DialContext = dialer.DialContext
	tr.ResponseHeaderTimeout = opts.Timeout
	max := opts.MaxRedirects
	c := &http.Client{
		Transport: tr,
		Timeout:   opts.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > max {
				return fmt.Errorf("stopped after %d redirects", max)
			}
			return checkURL(req.URL)
		},
	}
	return &Client{opts: opts, http: c}
}

// WithoutCertCheck returns a client with c's guard and limits that accepts
// any TLS certificate (see Options.SkipCertCheck).
func (c *Client) WithoutCertCheck() *Client {
	o := c.opts
	o.SkipCertCheck = true
	return New(o)
}

// AllowsPrivate reports whether the client may reach non-public addresses.
func (c *Client) AllowsPrivate() bool { return c.opts.AllowPrivate }

// MaxBytes returns the body size limit.
func (c *Client) MaxBytes() int64 { return c.opts.MaxBytes }

// Do sends req. The response body is limited to MaxBytes: reading past it
// returns ErrTooLarge. The caller closes the body.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	if err := checkURL(req.URL); err != nil {
		return nil, err
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", c.opts.UserAgent)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, redact(req.URL), err)
	}
	resp.Body = &limitedBody{rc: resp.Body, left: c.opts.MaxBytes}
	return resp, nil
}

// Get fetches rawURL and returns the response with a limited body.
func (c *Client) Get(ctx context.Context, rawURL string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, errs.FieldKeyed("url", rawURL, "url.notvalid", "not a valid URL")
	}
	return c.Do(req)
}

// Fetch GETs rawURL and returns the whole body, failing on a non-2xx status
// or a body larger than MaxBytes. It also returns the final response (after
// redirects) with its body already consumed and closed.
func (c *Client) Fetch(ctx context.Context, rawURL string) ([]byte, *http.Response, error) {
	resp, err := c.Get(ctx, rawURL)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, resp, fmt.Errorf("GET %s: %w", redact(resp.Request.URL), err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return body, resp, fmt.Errorf("GET %s: HTTP %d", redact(resp.Request.URL), resp.StatusCode)
	}
	return body, resp, nil
}

// CheckURL validates that u is an http(s) URL without credentials. Address
// checks happen at dial time.
func checkURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return errs.FieldKeyed("url", redact(u), "url.scheme", "only http and https URLs may be fetched")
	}
	if u.Host == "" {
		return errs.FieldKeyed("url", redact(u), "url.nohost", "URL has no host")
	}
	return nil
}

// CheckTarget reports, without DNS, why rawURL cannot be a fetch target: it
// must be an http or https URL with a host; a literal address must be public
// (IsPublic), and a name must not be one that only resolves locally
// (localhost, .local, .internal, .home.arpa, a single label) or a numeric
// form a resolver may read as an IPv4 address (127.1, 0x7f000001).
// Callers check URLs when they are stored (a webhook URL), so a bad one is
// refused at once instead of failing at delivery; the dial-time guard still
// judges the address a name resolves to. The error is errs.Invalid about
// field.
func CheckTarget(field, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return errs.FieldKeyed(field, rawURL, "url.notvalid", "not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errs.FieldKeyed(field, redact(u), "url.scheme", "only http and https URLs may be fetched")
	}
	host := u.Hostname()
	if host == "" {
		return errs.FieldKeyed(field, redact(u), "url.nohost", "URL has no host")
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if !IsPublic(a) {
			return errs.FieldKeyed(field, redact(u), "url.private", "the address is not public (%s)", lookupSpecial(a.WithZone("")).name)
		}
		return nil
	}
	name := strings.ToLower(strings.TrimSuffix(host, "."))
	labels := strings.Split(name, ".")
	last := labels[len(labels)-1]
	switch {
	case len(labels) < 2:
		return errs.FieldKeyed(field, redact(u), "url.singlelabel", "a single-label host name resolves only locally")
	case last == "localhost" || last == "local" || last == "internal" || strings.HasSuffix(name, ".home.arpa"):
		return errs.FieldKeyed(field, redact(u), "url.local", "the host name resolves only locally")
	case numericLabel(last):
		return errs.FieldKeyed(field, redact(u), "url.numeric", "a numeric host name may be read as an IPv4 address")
	}
	return nil
}

// numericLabel reports whether a top-level label is a number (decimal, or
// hexadecimal with 0x), which no TLD is and inet_aton reads as an address.
func numericLabel(l string) bool {
	digits := "0123456789"
	if h, ok := strings.CutPrefix(l, "0x"); ok {
		l, digits = h, "0123456789abcdef"
	}
	for _, c := range l {
		if !strings.ContainsRune(digits, c) {
			return false
		}
	}
	return true
}

func checkAddress(address string, allowPrivate bool) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrBlockedAddress, address)
	}
	if allowPrivate {
		return nil
	}
	if !IsPublic(ap.Addr()) {
		return fmt.Errorf("%w: %s is not a public address", ErrBlockedAddress, ap.Addr())
	}
	return nil
}

// IsPublic reports whether a is a globally reachable unicast address by
// the IANA special-purpose address registries (see specialRanges): not
// loopback, private-use, unique-local, link-local, shared, documentation,
// benchmarking, multicast, reserved or unallocated space. An IPv6 address
// that carries an IPv4 address (IPv4-mapped, NAT64 64:ff9b::/96 and
// 64:ff9b:1::/48, 6to4, Teredo) is judged by the IPv4 address it carries, so
// [64:ff9b::7f00:1] is loopback while an IPv6-only host still reaches public
// IPv4 hosts through NAT64.
func IsPublic(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	a = a.WithZone("")
	r := lookupSpecial(a)
	if r.embeds == embedsNone {
		return r.global
	}
	for _, v4 := range embeddedIPv4(a, r.embeds) {
		if !lookupSpecial(v4).global {
			return false
		}
	}
	return true
}

// redact drops user info and query from a URL for error messages and logs,
// since either may carry secrets.
func redact(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	c.RawQuery = ""
	c.Fragment = ""
	return c.String()
}

type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// Probe for one more byte: exactly MaxBytes is fine.
		var one [1]byte
		n, err := l.rc.Read(one[:])
		if n > 0 {
			return 0, ErrTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.rc.Read(p)
	l.left -= int64(n)
	return n, err
}

func (l *limitedBody) Close() error { return l.rc.Close() }
