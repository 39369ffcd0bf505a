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
		return nil, errs.Field("url", rawURL, "not a valid URL")
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
		return errs.Field("url", redact(u), "only http and https URLs may be fetched")
	}
	if u.Host == "" {
		return errs.Field("url", redact(u), "URL has no host")
	}
	return nil
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

// IsPublic reports whether a is a globally routable unicast address: not
// loopback, private (RFC 1918, ULA), link-local, multicast, unspecified,
// shared (CGNAT 100.64/10), documentation, benchmarking or reserved space.
func IsPublic(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() ||
		a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() || a.IsMulticast() ||
		a.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic() {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

func nonPublic() []netip.Prefix {
	return []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"),
		netip.MustParsePrefix("100.64.0.0/10"),
		netip.MustParsePrefix("192.0.0.0/24"),
		netip.MustParsePrefix("192.0.2.0/24"),
		netip.MustParsePrefix("198.18.0.0/15"),
		netip.MustParsePrefix("198.51.100.0/24"),
		netip.MustParsePrefix("203.0.113.0/24"),
		netip.MustParsePrefix("240.0.0.0/4"),
		netip.MustParsePrefix("64:ff9b:1::/48"),
		netip.MustParsePrefix("100::/64"),
		netip.MustParsePrefix("2001::/23"),
		netip.MustParsePrefix("2001:db8::/32"),
		netip.MustParsePrefix("2002::/16"),
	}
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
