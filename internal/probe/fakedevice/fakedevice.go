// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package fakedevice starts fake IoT devices on loopback, on random ports,
// for testing internal/probe (and for demos): a weak one with known,
// planted weaknesses, a hardened one with none, and a tarpit.
//
// The weak device (StartWeak) plants:
//   - telnet with the login admin/admin and a "BusyBox v1.19.4" pre-login
//     banner (telnet exposed, cleartext, default credential, version banner);
//   - HTTP with Basic auth admin/admin, "Server: lighttpd/1.4.35", no
//     security headers and no security.txt;
//   - a second HTTP port with a login form accepting admin/admin and
//     "Server: GoAhead-Webs" (no version), no security headers;
//   - HTTPS with the Basic-auth site over TLS 1.0-1.2 including
//     TLS_ECDHE_ECDSA_WITH_RC4_128_SHA, with a self-signed certificate that
//     expired a year before the given time (it names 127.0.0.1 correctly);
//   - FTP allowing anonymous login, greeting "220 (vsFTPd 2.3.4)", refusing
//     every other login;
//   - an MQTT 3.1.1 broker accepting anonymous CONNECT and SUBSCRIBE to #;
//   - an SSDP responder on UDP answering M-SEARCH as miniupnpd;
//   - and a closed SSH port.
//
// The hardened device (StartHardened) serves HTTPS (TLS 1.2+ only, a
// certificate for 127.0.0.1 from a test CA in RootCAs, all security headers,
// a security.txt, a login form with a strong password), SSH with a strong
// password, MQTT over TLS requiring a strong password, and has closed telnet
// and HTTP ports and a silent SSDP port.
//
// StartDefaultLogins starts a device whose logins are defaults further down
// the probe's built-in list (SSH root/root, FTP admin/1234, MQTT over TLS
// admin/password, telnet root/vizxv); StartTarpit one whose telnet port
// accepts and never speaks.
//
// Every accepted TCP connection and every UDP datagram is counted (Conns).
package fakedevice

import (
	"crypto/x509"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"vigil/internal/probe"
)

// Device is a running fake device. Close stops it.
type Device struct {
	// Host is the address the device listens on ("127.0.0.1").
	Host string
	// RootCAs trusts the device's certificates (hardened device only).
	RootCAs *x509.CertPool

	ports []probe.Port
	conns atomic.Int64

	mu      sync.Mutex
	closers []func() error
	open    map[net.Conn]struct{}
	closed  bool
	wg      sync.WaitGroup
}

// Ports returns the device's ports with the services behind them, for
// probe.Options.Ports.
func (d *Device) Ports() []probe.Port { return append([]probe.Port(nil), d.ports...) }

// Port returns the first port number of service s and proto, or 0.
func (d *Device) Port(proto probe.Proto, s probe.Service) int {
	for _, p := range d.ports {
		if p.Proto == proto && p.Service == s {
			return p.Number
		}
	}
	return 0
}

// Conns returns how many TCP connections were accepted and UDP datagrams
// received so far.
func (d *Device) Conns() int64 { return d.conns.Load() }

// Close stops every server and closes open connections.
func (d *Device) Close() error {
	d.mu.Lock()
	d.closed = true
	closers := d.closers
	d.closers = nil
	for c := range d.open {
		c.Close()
	}
	d.mu.Unlock()
	var errsOut []error
	for _, f := range closers {
		if err := f(); err != nil && !errors.Is(err, net.ErrClosed) {
			errsOut = append(errsOut, err)
		}
	}
	d.wg.Wait()
	return errors.Join(errsOut...)
}

func newDevice() *Device {
	return &Device{Host: "127.0.0.1", open: map[net.Conn]struct{}{}}
}

func (d *Device) addCloser(f func() error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closers = append(d.closers, f)
}

func (d *Device) addPort(n int, proto probe.Proto, s probe.Service) {
	d.ports = append(d.ports, probe.Port{Number: n, Proto: proto, Service: s})
}

// track registers an accepted connection so Close can end it; it returns
// false when the device is already closed.
func (d *Device) track(c net.Conn) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return false
	}
	d.open[c] = struct{}{}
	return true
}

func (d *Device) untrack(c net.Conn) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.open, c)
}

// listen opens a loopback TCP listener that counts connections.
func (d *Device) listen() (net.Listener, int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, 0, err
	}
	cl := &countingListener{Listener: ln, d: d}
	d.addCloser(ln.Close)
	return cl, ln.Addr().(*net.TCPAddr).Port, nil
}

// serve runs handle for each connection of ln until ln is closed.
func (d *Device) serve(ln net.Listener, handle func(net.Conn)) {
	d.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if !d.track(c) {
				c.Close()
				return
			}
			d.wg.Go(func() {
				defer d.untrack(c)
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(30 * time.Second))
				handle(c)
			})
		}
	})
}

type countingListener struct {
	net.Listener
	d *Device
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.d.conns.Add(1)
	}
	return c, err
}

// closedPort returns a loopback port with nothing listening (bound, then
// released).
func closedPort(network string) (int, error) {
	if network == "udp" {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		defer pc.Close()
		return pc.LocalAddr().(*net.UDPAddr).Port, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// StartTarpit starts a device whose only open port (service telnet)
// accepts connections and never says anything, for time-budget tests.
func StartTarpit() (*Device, error) {
	d := newDevice()
	ln, port, err := d.listen()
	if err != nil {
		return nil, err
	}
	d.addPort(port, probe.TCP, probe.Telnet)
	d.serve(ln, func(c net.Conn) {
		buf := make([]byte, 512)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
		}
	})
	return d, nil
}
