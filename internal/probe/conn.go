// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// dial opens one connection to the probed address. It waits for the rate
// limiter first (a wait that would overrun the budget fails at once with
// errBudget), bounds the dial and the whole conversation by ConnTimeout (and
// the budget), and closes the connection when ctx ends.
func (r *runner) dial(ctx context.Context, network string, port int) (net.Conn, error) {
	if err := r.lim.Wait(ctx); err != nil {
		return nil, fmt.Errorf("%w: %v", errBudget, err)
	}
	deadline := time.Now().Add(r.opts.ConnTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	address := netip.AddrPortFrom(r.addr, uint16(port)).String()
	c, err := r.opts.Dialer.DialContext(dctx, network, address)
	if err != nil {
		return nil, err
	}
	if err := c.SetDeadline(deadline); err != nil {
		c.Close()
		return nil, err
	}
	gc := &guardedConn{Conn: c}
	gc.stop = context.AfterFunc(ctx, func() { c.Close() })
	return gc, nil
}

// guardedConn is closed when the run's context ends.
type guardedConn struct {
	net.Conn
	stop func() bool
	once sync.Once
}

func (g *guardedConn) Close() error {
	g.once.Do(func() { g.stop() })
	return g.Conn.Close()
}

// dialTLS dials port and completes a TLS handshake with cfg, which gets the
// target's name as ServerName unless set.
func (r *runner) dialTLS(ctx context.Context, port int, cfg *tls.Config) (*tls.Conn, error) {
	c, err := r.dial(ctx, "tcp", port)
	if err != nil {
		return nil, err
	}
	if cfg.ServerName == "" {
		cfg.ServerName = r.serverName()
	}
	tc := tls.Client(c, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return tc, nil
}

// dialService dials port in the clear or over TLS (without verification:
// the certificate is judged by the TLS checks) depending on the service.
func (r *runner) dialService(ctx context.Context, p Port) (net.Conn, error) {
	if !p.Service.TLS() {
		return r.dial(ctx, "tcp", p.Number)
	}
	return r.dialTLS(ctx, p.Number, &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS10}) //nolint:gosec // probing
}

// serverName is the SNI name: the target's host name, or empty for an IP.
func (r *runner) serverName() string {
	if _, err := netip.ParseAddr(trimBrackets(r.host)); err == nil {
		return ""
	}
	return r.host
}

// hostPort is the authority for HTTP Host headers.
func (r *runner) hostPort(p Port) string {
	h := r.host
	if a, err := netip.ParseAddr(trimBrackets(h)); err == nil && a.Is6() {
		h = "[" + a.String() + "]"
	}
	if (p.Service == HTTP && p.Number == 80) || (p.Service == HTTPS && p.Number == 443) {
		return h
	}
	return h + ":" + strconv.Itoa(p.Number)
}

func trimBrackets(s string) string {
	if len(s) > 1 && s[0] == '[' && s[len(s)-1] == ']' {
		return s[1 : len(s)-1]
	}
	return s
}
