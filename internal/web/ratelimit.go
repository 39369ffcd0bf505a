// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"vigil/internal/errs"
)

// limiter is a per-client token bucket (sign-in, public checks that fetch
// URLs). It keeps at most maxClients buckets; when full, it forgets them
// all, which at worst grants a fresh burst. The account lockout in the
// database is what holds across nodes; this bounds one node's load.
type limiter struct {
	mu      sync.Mutex
	every   rate.Limit
	burst   int
	clients map[string]*rate.Limiter
	now     func() time.Time // the clock buckets refill by; tests stop it
}

const maxClients = 10000

// newLimiter makes a per-client limiter that grants burst requests, then
// one per per, and keeps it with the server's others so that a test can
// stop their clocks (Server.limiters).
func (s *Server) newLimiter(per time.Duration, burst int) *limiter {
	l := &limiter{every: rate.Every(per), burst: burst, clients: map[string]*rate.Limiter{}, now: time.Now}
	s.limiters = append(s.limiters, l)
	return l
}

// Allow reports whether client may make a request now.
func (l *limiter) Allow(client string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.clients[client]
	if !ok {
		if len(l.clients) >= maxClients {
			clear(l.clients)
		}
		b = rate.NewLimiter(l.every, l.burst)
		l.clients[client] = b
	}
	return b.AllowN(l.now(), 1)
}

// RetryAfter is how long a client over its rate waits for its next
// request: the interval at which its bucket refills, in whole seconds.
func (l *limiter) RetryAfter() int {
	if l.every <= 0 {
		return 1
	}
	return max(1, int(math.Ceil(1/float64(l.every))))
}

// allowCheck admits a public check (a label verification, a security.txt
// fetch) of the request's client, or answers 429 Too Many Requests with
// Retry-After: a problem on the API, a page in the visitor's language on
// the portal.
func (s *Server) allowCheck(w http.ResponseWriter, r *http.Request) error {
	if s.checkLimit.Allow(clientIP(r)) {
		return nil
	}
	w.Header().Set("Retry-After", strconv.Itoa(s.checkLimit.RetryAfter()))
	return errs.Errorf(codeTooMany, "too many checks from your address; try again in %d seconds", s.checkLimit.RetryAfter())
}

// clientIP is the address of the request's peer (forwarding headers are
// not trusted).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
