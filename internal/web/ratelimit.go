// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
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
}

const maxClients = 10000

func newLimiter(per time.Duration, burst int) *limiter {
	return &limiter{every: rate.Every(per), burst: burst, clients: map[string]*rate.Limiter{}}
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
	return b.Allow()
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
