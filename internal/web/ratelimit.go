// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"container/list"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"vigil/internal/errs"
)

// limiter is a per-client token bucket (sign-in, public checks that fetch
// URLs). A client is an IPv4 address or an IPv6 /64 (clientKey): one
// subscriber is routinely given a whole /64, so its addresses are one
// client. It keeps at most maxClients buckets; when full, the least
// recently used one is forgotten, so a flood of new clients costs only
// the idlest buckets and never restores the burst of the clients that are
// being limited. The account lockout in the database is what holds across
// nodes; this bounds one node's load.
type limiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	max     int // buckets kept; maxClients unless a test sets it
	clients map[string]*list.Element
	lru     list.List        // of *bucket, most recently used first
	now     func() time.Time // the clock buckets refill by; tests stop it
}

// bucket is one client's token bucket, an element of limiter.lru.
type bucket struct {
	client string
	lim    *rate.Limiter
}

const maxClients = 10000

// newLimiter makes a per-client limiter that grants burst requests, then
// one per per, and keeps it with the server's others so that a test can
// stop their clocks (Server.limiters).
func (s *Server) newLimiter(per time.Duration, burst int) *limiter {
	l := &limiter{every: rate.Every(per), burst: burst, max: maxClients, clients: map[string]*list.Element{}, now: time.Now}
	s.limiters = append(s.limiters, l)
	return l
}

// Allow reports whether client (an address, see clientIP) may make a
// request now.
func (l *limiter) Allow(client string) bool {
	key := clientKey(client)
	l.mu.Lock()
	defer l.mu.Unlock()
	el, ok := l.clients[key]
	if ok {
		l.lru.MoveToFront(el)
	} else {
		for l.lru.Len() >= max(1, l.max) {
			oldest := l.lru.Back()
			delete(l.clients, l.lru.Remove(oldest).(*bucket).client)
		}
		el = l.lru.PushFront(&bucket{client: key, lim: rate.NewLimiter(l.every, l.burst)})
		l.clients[key] = el
	}
	return el.Value.(*bucket).lim.AllowN(l.now(), 1)
}

// reset forgets every bucket (tests that send one form many times).
func (l *limiter) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.clients)
	l.lru.Init()
}

// clientKey is the bucket of a client address: an IPv4 address is its
// own, an IPv6 address shares its /64 with its neighbours. Anything that
// is not an address (a test's peer without a port) is its own key.
func clientKey(client string) string {
	a, err := netip.ParseAddr(client)
	if err != nil {
		return client
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.WithZone("").Prefix(64)
	if err != nil {
		return client
	}
	return p.String()
}

// RetryAfter is how long a client over its rate waits for its next
// request: the interval at which its bucket refills, in whole seconds.
func (l *limiter) RetryAfter() int {
	if l.every <= 0 {
		return 1
	}
	return max(1, int(math.Ceil(1/float64(l.every))))
}

// defaultRetryAfter is the Retry-After of a 429 whose refusal names no
// wait.
const defaultRetryAfter = time.Minute

// setRetryAfter gives the 429 answer to err a Retry-After header unless
// the limiter that refused set one: the wait err carries (errs.Later, such
// as the daily invitation limits' until the oldest invitation counted
// leaves the window) in whole seconds rounded up, else a minute. Every
// 429 of the API and the pages goes through it.
func setRetryAfter(h http.Header, err error) {
	if h.Get("Retry-After") != "" {
		return
	}
	wait := errs.WaitOf(err)
	if wait <= 0 {
		wait = defaultRetryAfter
	}
	h.Set("Retry-After", strconv.FormatInt(int64(math.Ceil(wait.Seconds())), 10))
}

// allowCheck admits a public check (a label verification, a security.txt
// fetch) of the request's client, or answers 429 Too Many Requests with
// Retry-After: a problem on the API, a page in the visitor's language on
// the portal.
func (s *Server) allowCheck(w http.ResponseWriter, r *http.Request) error {
	if s.checkLimit.Allow(s.clientIP(r)) {
		return nil
	}
	w.Header().Set("Retry-After", strconv.Itoa(s.checkLimit.RetryAfter()))
	return errs.Keyed(codeTooMany, "", "checks.wait", "too many checks from your address; try again in %d seconds", s.checkLimit.RetryAfter())
}

// clientIP is the address of the request's client, the key of the
// per-client rate limits. It is the direct peer, unless the peer is one of
// the trusted proxies (Config.TrustedProxies): then X-Forwarded-For is
// read from the right, each proxy having appended the address it was
// reached from, and the first address that is not itself a trusted proxy
// is the client. The header of any other peer is ignored, so a visitor
// cannot choose the address it is limited as; entries left of the client
// are the visitor's own and never read. When every entry is a trusted
// proxy, the leftmost is the client; an entry that is not an address
// stops the walk at the last trusted hop.
func (s *Server) clientIP(r *http.Request) string {
	return clientAddr(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), s.trustedProxies)
}

// clientAddr is clientIP on its parts: the peer (host:port), the values
// of X-Forwarded-For in order, and the trusted networks.
func clientAddr(remote string, forwarded []string, trusted []netip.Prefix) string {
	peer, ok := parseHop(remote)
	if !ok {
		return remote
	}
	client := peer
	if !isTrusted(peer, trusted) {
		return client.String()
	}
	for i := len(forwarded) - 1; i >= 0; i-- {
		hops := strings.Split(forwarded[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			a, ok := parseHop(hops[j])
			if !ok {
				return client.String()
			}
			client = a
			if !isTrusted(a, trusted) {
				return client.String()
			}
		}
	}
	return client.String()
}

// parseHop reads one address of a peer or an X-Forwarded-For entry: an
// address, or an address with a port (192.0.2.1:4000, [2001:db8::1]:4000);
// an IPv4 address in IPv6 form is taken as the IPv4 one.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// isTrusted reports whether a is in one of the trusted networks.
func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
