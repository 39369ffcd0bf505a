// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package netguard_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"vigil/internal/errs"
	"vigil/internal/netguard"
)

func TestRefusesLoopbackByDefault(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("secret internal data"))
	}))
	defer srv.Close()
	c := netguard.New(netguard.Options{})
	_, _, err := c.Fetch(context.Background(), srv.URL)
	if !errors.Is(err, netguard.ErrBlockedAddress) {
		t.Fatalf("Fetch(%s) error = %v; want ErrBlockedAddress", srv.URL, err)
	}
}

func TestRedirectToLoopbackRefused(t *testing.T) {
	t.Parallel()
	// The first hop is allowed (AllowPrivate) but we check the scheme guard
	// on redirects: a redirect to file:// must fail.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	}))
	defer srv.Close()
	c := netguard.New(netguard.Options{AllowPrivate: true})
	if _, _, err := c.Fetch(context.Background(), srv.URL); err == nil {
		t.Fatal("redirect to file:// was followed")
	}
}

func TestSizeLimit(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 100)))
	}))
	defer srv.Close()
	tests := []struct {
		name    string
		max     int64
		wantErr bool
	}{
		{"under", 200, false},
		{"exact", 100, false},
		{"over", 99, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := netguard.New(netguard.Options{AllowPrivate: true, MaxBytes: tt.max})
			body, _, err := c.Fetch(context.Background(), srv.URL)
			if tt.wantErr {
				if !errors.Is(err, netguard.ErrTooLarge) {
					t.Fatalf("err = %v; want ErrTooLarge", err)
				}
				return
			}
			if err != nil || len(body) != 100 {
				t.Fatalf("got %d bytes, %v", len(body), err)
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := netguard.New(netguard.Options{AllowPrivate: true, Timeout: 200 * time.Millisecond})
	if _, _, err := c.Fetch(context.Background(), srv.URL); err == nil {
		t.Fatal("hanging server did not time out")
	}
}

func TestNonHTTPSchemeRefused(t *testing.T) {
	t.Parallel()
	c := netguard.New(netguard.Options{AllowPrivate: true})
	for _, u := range []string{"file:///etc/passwd", "gopher://example.com/", "ftp://example.com/x"} {
		if _, _, err := c.Fetch(context.Background(), u); err == nil {
			t.Errorf("Fetch(%q) succeeded", u)
		}
	}
}

func TestIsPublic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false},
		{"100.64.0.1", false},
		{"0.0.0.0", false},
		{"::1", false},
		{"fe80::1", false},
		{"fc00::1", false},
		{"::ffff:127.0.0.1", false},
		{"192.0.2.1", false},
		{"2001:db8::1", false},
		{"224.0.0.1", false},
		{"8.8.8.8", true},
		{"193.0.6.139", true},
		{"2001:67c:2e8:22::c100:68b", true},
	}
	for _, tt := range tests {
		if got := netguard.IsPublic(netip.MustParseAddr(tt.addr)); got != tt.want {
			t.Errorf("IsPublic(%s) = %v; want %v", tt.addr, got, tt.want)
		}
	}
}

// TestWithoutCertCheck: the sibling client accepts an untrusted
// certificate but keeps the address guard.
func TestWithoutCertCheck(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	defer srv.Close()
	ctx := context.Background()
	c := netguard.New(netguard.Options{AllowPrivate: true})
	if _, _, err := c.Fetch(ctx, srv.URL); err == nil {
		t.Fatal("untrusted certificate accepted by the default client")
	}
	body, _, err := c.WithoutCertCheck().Fetch(ctx, srv.URL)
	if err != nil || string(body) != "ok" {
		t.Fatalf("WithoutCertCheck: %q, %v", body, err)
	}
	if _, _, err := netguard.New(netguard.Options{}).WithoutCertCheck().Fetch(ctx, srv.URL); !errors.Is(err, netguard.ErrBlockedAddress) {
		t.Errorf("loopback through WithoutCertCheck: %v; want ErrBlockedAddress", err)
	}
}

// TestEmbeddedLoopbackRefusedAtDial: an address that carries 127.0.0.1
// (NAT64, IPv4-mapped, 6to4) is refused before a connection is tried.
func TestEmbeddedLoopbackRefusedAtDial(t *testing.T) {
	t.Parallel()
	c := netguard.New(netguard.Options{Timeout: 2 * time.Second})
	for _, u := range []string{"http://[64:ff9b::7f00:1]:8080/", "http://[::ffff:127.0.0.1]:8080/", "http://[2002:7f00:1::1]/", "http://[64:ff9b:1::a9fe:a9fe]/latest/meta-data/"} {
		if _, _, err := c.Fetch(context.Background(), u); !errors.Is(err, netguard.ErrBlockedAddress) {
			t.Errorf("Fetch(%s) error = %v; want ErrBlockedAddress", u, err)
		}
	}
}

func TestCheckTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url  string
		want string // part of the reason; "" for accepted
	}{
		{"https://hooks.example.nl/vigil", ""},
		{"https://hooks.example.nl:8443/vigil?x=1", ""},
		{"https://[2001:67c:2e8:22::c100:68b]/in", ""},
		{"https://193.0.6.139/in", ""},
		{"https://[64:ff9b::808:808]/in", ""},
		{"https://user:secret@hooks.example.nl/", ""},
		{"https://127.0.0.1/", "not public (Loopback)"},
		{"https://[::1]:9000/", "not public (Loopback Address)"},
		{"https://[64:ff9b::7f00:1]/", "not public (IPv4-IPv6 Translat.)"},
		{"https://[::ffff:169.254.169.254]/", "not public (IPv4-mapped Address)"},
		{"https://169.254.169.254/latest/", "not public (Link Local)"},
		{"https://10.0.0.8/", "not public (Private-Use)"},
		{"https://[fe80::1%25eth0]/", "not public (Link-Local Unicast)"},
		{"https://localhost/", "single-label"},
		{"https://hooks/", "single-label"},
		{"https://app.localhost/", "resolves only locally"},
		{"https://LOCALHOST./", "single-label"},
		{"https://printer.local/", "resolves only locally"},
		{"https://hooks.corp.internal/", "resolves only locally"},
		{"https://nas.home.arpa/", "resolves only locally"},
		{"https://127.1/", "numeric host name"},
		{"https://0x7f.0x1/", "numeric host name"},
		{"https://2130706433/", "single-label"},
		{"https://bar.cafe/", ""},
		{"ftp://hooks.example.nl/", "only http and https"},
		{"https:///path", "no host"},
		{"://x", "not a valid URL"},
	}
	for _, tt := range tests {
		err := netguard.CheckTarget("policy.webhook_url", tt.url)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckTarget(%q) = %v; want nil", tt.url, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "policy.webhook_url: ")):
			t.Errorf("CheckTarget(%q) = %v; want an error about policy.webhook_url with %q", tt.url, err, tt.want)
		case err != nil && !errors.Is(err, errs.ErrInvalid):
			t.Errorf("CheckTarget(%q) = %v; want errs.Invalid", tt.url, err)
		}
	}
}
