// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"vigil/internal/config"
	"vigil/internal/errs"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestPublicCheckRateLimit sends each rate-limited public check (label
// verification by link and by form, the security.txt checker page and its
// API) from one client address until it is refused: 429 Too Many Requests
// with Retry-After, a page in the visitor's language (problem details on
// the API); another client address is still served.
func TestPublicCheckRateLimit(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		form := func(k, v string) string { return url.Values{k: {v}}.Encode() }
		// The targets are refused before anything is fetched (an unknown
		// label, a loopback address), so no request leaves the machine.
		for i, c := range []struct {
			name, method, path, body string
			api                      bool
		}{
			{"verify_link", http.MethodGet, "/labels/verify?id=VL-NONE-0000-0000", "", false},
			{"verify_form", http.MethodPost, "/labels/verify", form("id", "VL-NONE-0000-0000"), false},
			{"securitytxt_page", http.MethodPost, "/tools/securitytxt", form("target", "127.0.0.1"), false},
			{"securitytxt_api", http.MethodGet, "/api/v1/securitytxt?target=127.0.0.1", "", true},
		} {
			t.Run(c.name, func(t *testing.T) {
				send := func(from, lang string) *httptest.ResponseRecorder {
					r := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
					r.RemoteAddr = from
					if c.body != "" {
						r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					}
					r.Header.Set("Accept-Language", lang)
					rec := httptest.NewRecorder()
					e.srv.ServeHTTP(rec, r)
					return rec
				}
				client := "192.0.2." + string(rune('1'+i)) + ":4000"
				var refused *httptest.ResponseRecorder
				for n := 0; n < 100 && refused == nil; n++ {
					rec := send(client, "nl")
					switch rec.Code {
					case http.StatusTooManyRequests:
						refused = rec
					case http.StatusOK, http.StatusUnprocessableEntity:
					default:
						t.Fatalf("request %d: status %d: %.300s", n, rec.Code, rec.Body)
					}
				}
				if refused == nil {
					t.Fatal("100 checks from one address were all served")
				}
				if ra := refused.Header().Get("Retry-After"); ra == "" || strings.Trim(ra, "0123456789") != "" {
					t.Errorf("Retry-After = %q; want seconds", ra)
				}
				body := refused.Body.String()
				if c.api {
					if ct := refused.Header().Get("Content-Type"); ct != "application/problem+json" || !strings.Contains(body, `"status":429`) {
						t.Errorf("API refusal: %q %s", ct, body)
					}
				} else {
					wantPage(t, refused, http.StatusTooManyRequests)
					if !strings.Contains(body, `<html lang="nl">`) || !strings.Contains(body, "Te veel controles vanaf uw adres") {
						t.Errorf("the refusal is not a Dutch page: %.600s", body)
					}
					if en := send(client, "en").Body.String(); !strings.Contains(en, "Too many checks from your address") {
						t.Errorf("the refusal is not an English page: %.600s", en)
					}
				}
				if rec := send("198.51.100."+string(rune('1'+i))+":4000", "en"); rec.Code == http.StatusTooManyRequests {
					t.Errorf("another client address is limited too")
				}
			})
		}
	})
}

// TestLoginRateLimit sends sign-in attempts and token forms (password
// reset, invitation, sign-up and its confirmation) from one client address until they are refused, with
// a message naming the reason, while another client address is still
// answered as usual: guessing passwords or tokens from one address is slowed
// down whatever the account.
func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		stopLimitClocks(e.srv)
		for i, c := range []struct {
			name, path string
			form       url.Values
			usual      int // the answer to one attempt that is not refused
		}{
			// An address with no account, so that no account is locked out
			// on the way (that is TestLoginLockoutAndSessions).
			{"login", "/login", url.Values{"email": {"nobody@portal.example"}, "password": {"wrong"}}, http.StatusUnauthorized},
			{"reset", "/password/reset", url.Values{"token": {"not-a-token"}, "password": {"a long enough new password"}}, http.StatusUnprocessableEntity},
			{"invitation", "/invitation", url.Values{"token": {"not-a-token"}, "password": {"a long enough new password"}}, http.StatusUnprocessableEntity},
			{"signup", "/signup", url.Values{"email": {"not an address"}, "password": {"a long enough new password"}}, http.StatusUnprocessableEntity},
			{"signup_confirm", "/signup/confirm", url.Values{"token": {"not-a-token"}}, http.StatusUnprocessableEntity},
		} {
			t.Run(c.name, func(t *testing.T) {
				send := func(from string) *httptest.ResponseRecorder {
					r := httptest.NewRequest(http.MethodPost, c.path, strings.NewReader(c.form.Encode()))
					r.RemoteAddr = from
					r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					rec := httptest.NewRecorder()
					e.srv.ServeHTTP(rec, r)
					return rec
				}
				client := fmt.Sprintf("198.51.100.%d:4000", 10+i)
				refused := -1
				for n := 0; n < 100 && refused < 0; n++ {
					rec := send(client)
					switch {
					case rec.Code == http.StatusForbidden && strings.Contains(rec.Body.String(), "too many"):
						refused = n
					case rec.Code != c.usual:
						t.Fatalf("attempt %d: status %d, want %d: %.300s", n, rec.Code, c.usual, rec.Body)
					}
				}
				if refused < 0 {
					t.Fatal("100 attempts from one address were all answered")
				}
				if refused > 20 {
					t.Errorf("the first refusal came at attempt %d", refused)
				}
				if rec := send(fmt.Sprintf("198.51.100.%d:4000", 110+i)); rec.Code != c.usual {
					t.Errorf("another address: status %d, want %d: %.300s", rec.Code, c.usual, rec.Body)
				}
			})
		}
	})
}

// TestClientAddr pins whose address a request is limited as: the peer,
// unless the peer is a trusted proxy, and then the rightmost address of
// X-Forwarded-For that is not itself a trusted proxy.
func TestClientAddr(t *testing.T) {
	t.Parallel()
	trusted, err := config.ParseNets("10.0.0.0/24, 2001:db8:1::/64, 203.0.113.7")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, peer string
		xff        []string
		trusted    []netip.Prefix
		want       string
	}{
		{"no_proxies_no_header", "192.0.2.1:4000", nil, nil, "192.0.2.1"},
		{"no_proxies_header_ignored", "192.0.2.1:4000", []string{"198.51.100.9"}, nil, "192.0.2.1"},
		{"spoofed_from_untrusted_peer", "192.0.2.1:4000", []string{"198.51.100.9"}, trusted, "192.0.2.1"},
		{"spoofed_trusted_address_from_untrusted_peer", "192.0.2.1:4000", []string{"10.0.0.5"}, trusted, "192.0.2.1"},
		{"spoofed_chain_from_untrusted_peer", "192.0.2.1:4000", []string{"198.51.100.9, 10.0.0.5"}, trusted, "192.0.2.1"},
		{"untrusted_ipv6_peer", "[2001:db8:2::1]:4000", []string{"198.51.100.9"}, trusted, "2001:db8:2::1"},
		{"trusted_peer_one_hop", "10.0.0.2:4000", []string{"198.51.100.9"}, trusted, "198.51.100.9"},
		{"trusted_peer_no_header", "10.0.0.2:4000", nil, trusted, "10.0.0.2"},
		{"trusted_peer_empty_header", "10.0.0.2:4000", []string{""}, trusted, "10.0.0.2"},
		{"visitor_prepends_a_spoof", "10.0.0.2:4000", []string{"1.2.3.4, 198.51.100.9"}, trusted, "198.51.100.9"},
		{"two_trusted_hops", "10.0.0.2:4000", []string{"198.51.100.9, 203.0.113.7, 10.0.0.3"}, trusted, "198.51.100.9"},
		{"several_header_lines", "10.0.0.2:4000", []string{"1.2.3.4", "198.51.100.9, 10.0.0.3"}, trusted, "198.51.100.9"},
		{"every_hop_trusted", "10.0.0.2:4000", []string{"10.0.0.9, 10.0.0.3"}, trusted, "10.0.0.9"},
		{"garbage_stops_at_last_trusted_hop", "10.0.0.2:4000", []string{"198.51.100.9, unknown"}, trusted, "10.0.0.2"},
		{"garbage_left_of_client_never_read", "10.0.0.2:4000", []string{"unknown, 198.51.100.9"}, trusted, "198.51.100.9"},
		{"hop_with_port", "10.0.0.2:4000", []string{"198.51.100.9:5555"}, trusted, "198.51.100.9"},
		{"ipv6_hop", "[2001:db8:1::8]:443", []string{"2001:db8:9::1"}, trusted, "2001:db8:9::1"},
		{"ipv6_hop_with_port", "[2001:db8:1::8]:443", []string{"[2001:db8:9::1]:5555"}, trusted, "2001:db8:9::1"},
		{"mapped_ipv4_peer_is_trusted", "[::ffff:10.0.0.2]:4000", []string{"198.51.100.9"}, trusted, "198.51.100.9"},
		{"mapped_ipv4_client", "10.0.0.2:4000", []string{"::ffff:198.51.100.9"}, trusted, "198.51.100.9"},
		{"zone_is_not_an_address", "10.0.0.2:4000", []string{"fe80::1%eth0"}, trusted, "10.0.0.2"},
		{"peer_not_host_port", "@", []string{"198.51.100.9"}, trusted, "@"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := clientAddr(c.peer, c.xff, c.trusted); got != c.want {
				t.Errorf("clientAddr(%q, %q) = %q; want %q", c.peer, c.xff, got, c.want)
			}
		})
	}
}

// TestRateLimitBehindProxy sends sign-in attempts through a trusted proxy
// for two visitors: the first is refused, the second still answered. From
// a peer that is no proxy a forged X-Forwarded-For of a new address on every
// attempt buys nothing: the peer is refused all the same.
func TestRateLimitBehindProxy(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		stopLimitClocks(e.srv)
		nets, err := config.ParseNets("10.0.0.0/24")
		if err != nil {
			t.Fatal(err)
		}
		e.srv.trustedProxies = nets
		form := url.Values{"email": {"nobody@portal.example"}, "password": {"wrong"}}.Encode()
		send := func(peer, xff string) int {
			r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form))
			r.RemoteAddr = peer
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if xff != "" {
				r.Header.Set("X-Forwarded-For", xff)
			}
			rec := httptest.NewRecorder()
			e.srv.ServeHTTP(rec, r)
			if rec.Code == http.StatusForbidden && strings.Contains(rec.Body.String(), "too many") {
				return http.StatusTooManyRequests
			}
			return rec.Code
		}
		refusedAfter := func(name string, next func(n int) int) {
			t.Helper()
			for n := range 100 {
				if next(n) == http.StatusTooManyRequests {
					if n > 20 {
						t.Errorf("%s: the first refusal came at attempt %d", name, n)
					}
					return
				}
			}
			t.Errorf("%s: 100 attempts were all answered", name)
		}
		refusedAfter("visitor behind the proxy", func(int) int { return send("10.0.0.2:4000", "198.51.100.20") })
		if got := send("10.0.0.3:4000", "198.51.100.21"); got != http.StatusUnauthorized {
			t.Errorf("another visitor behind the proxy: status %d; want 401", got)
		}
		refusedAfter("spoofing peer", func(n int) int { return send("192.0.2.30:4000", fmt.Sprintf("198.51.100.%d", 100+n)) })
		if got := send("10.0.0.2:4000", "192.0.2.30"); got != http.StatusTooManyRequests {
			t.Errorf("the spoofing peer's own address through the proxy: status %d; want refused", got)
		}
	})
}

// TestLimiterClients: an IPv6 client is its /64 (a subscriber's whole
// network is one client), an IPv4 client its address (as the browser
// suite's addresses in 198.18.0.0/15 are); a flood of new clients forgets
// the least recently used buckets, never those of the clients it is
// limiting.
func TestLimiterClients(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ a, b string }{
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff"},
		{"2001:db8:1:2::1", "2001:db8:1:2:8000::9"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
	} {
		if clientKey(c.a) != clientKey(c.b) {
			t.Errorf("%s and %s are two clients (%s, %s)", c.a, c.b, clientKey(c.a), clientKey(c.b))
		}
	}
	for _, c := range []struct{ a, b string }{
		{"2001:db8:1:2::1", "2001:db8:1:3::1"},
		{"198.18.0.1", "198.18.0.2"},
		{"192.0.2.1", "192.0.2.1:4000"},
	} {
		if clientKey(c.a) == clientKey(c.b) {
			t.Errorf("%s and %s are one client (%s)", c.a, c.b, clientKey(c.a))
		}
	}

	l := (&Server{}).newLimiter(time.Hour, 2)
	l.now = fixedNow
	exhaust := func(client string) {
		t.Helper()
		for range 2 {
			if !l.Allow(client) {
				t.Fatalf("%s refused within its burst", client)
			}
		}
		if l.Allow(client) {
			t.Fatalf("%s allowed beyond its burst", client)
		}
	}
	exhaust("2001:db8:1:2::1")
	for i := range 100 {
		if l.Allow(fmt.Sprintf("2001:db8:1:2::%x", i+2)) {
			t.Fatalf("another address of the /64 (%d) has a burst of its own", i)
		}
	}
	if !l.Allow("2001:db8:1:3::1") {
		t.Error("the next /64 is refused")
	}
	exhaust("198.18.0.1")
	if !l.Allow("198.18.0.2") {
		t.Error("another IPv4 address is refused")
	}
	// Fill the limiter well past its size from new clients, while the
	// limited ones keep trying: they stay refused.
	for i := range 3 * maxClients {
		a := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		l.Allow(a.String())
		if i%1000 == 0 && (l.Allow("198.18.0.1") || l.Allow("2001:db8:1:2::77")) {
			t.Fatalf("after %d new clients a limited client has a fresh burst", i)
		}
	}
	if n := len(l.clients); n > maxClients {
		t.Errorf("%d buckets kept; at most %d", n, maxClients)
	}
}

// TestSetRetryAfter: a 429 keeps the Retry-After its limiter set, else
// takes the wait its refusal carries in whole seconds rounded up, else a
// minute.
func TestSetRetryAfter(t *testing.T) {
	limit := errs.Keyed(errs.TooMany, "email", "invite.limit.org", "over the daily limit")
	for _, c := range []struct {
		name, set string
		err       error
		want      string
	}{
		{"limiter_set", "6", errs.Later(limit, time.Hour), "6"},
		{"wait_of_refusal", "", errs.Later(limit, 90*time.Minute), "5400"},
		{"wait_rounded_up", "", fmt.Errorf("invite: %w", errs.Later(limit, 1200*time.Millisecond)), "2"},
		{"no_wait_said", "", limit, "60"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{}
			if c.set != "" {
				h.Set("Retry-After", c.set)
			}
			setRetryAfter(h, c.err)
			if got := h.Get("Retry-After"); got != c.want {
				t.Errorf("Retry-After = %q; want %q", got, c.want)
			}
			if errs.CodeOf(c.err) != errs.TooMany || errs.Message(c.err) != errs.Message(limit) {
				t.Errorf("the wait changed the refusal: %s %q", errs.CodeOf(c.err), errs.Message(c.err))
			}
		})
	}
}
