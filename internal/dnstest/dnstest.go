// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package dnstest runs an authoritative DNS server on loopback for tests:
// it answers TXT questions from a table, over UDP and TCP, and NXDOMAIN
// for names it does not hold.
package dnstest

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// Server is a DNS server on 127.0.0.1. It is safe for concurrent use.
type Server struct {
	mu      sync.Mutex
	records map[string][][]string
	addr    string
	stop    func() error
}

// Start starts a server on a free port, stopped when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := Listen()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Listen starts a server on a free loopback port outside a test (the
// README tour's fixture); Close stops it.
func Listen() (*Server, error) {
	s := &Server{records: map[string][][]string{}}
	pc, ln, err := listenPair()
	if err != nil {
		return nil, err
	}
	s.addr = pc.LocalAddr().String()
	udp := &dns.Server{PacketConn: pc, Handler: s}
	tcp := &dns.Server{Listener: ln, Handler: s}
	go func() { _ = udp.ActivateAndServe() }()
	go func() { _ = tcp.ActivateAndServe() }()
	s.stop = func() error { return errors.Join(udp.Shutdown(), tcp.Shutdown()) }
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error { return s.stop() }

// listenPair binds a UDP and a TCP socket on the same loopback port. The
// UDP port is chosen by the system; another process may already hold the
// TCP port of that number, so a refused TCP bind is retried on a new pair.
func listenPair() (net.PacketConn, net.Listener, error) {
	var last error
	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, err
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln, nil
		}
		pc.Close()
		last = err
	}
	return nil, nil, fmt.Errorf("dnstest: no free UDP and TCP port pair on loopback after 20 tries: %w", last)
}

// Addr is the server's address, host:port (the same port for UDP and TCP).
func (s *Server) Addr() string { return s.addr }

// SetTXT makes name answer with the TXT records given, each a list of
// character strings; no records leaves the name existing but empty.
func (s *Server) SetTXT(name string, records ...[]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records[strings.ToLower(dns.Fqdn(name))] = records
}

// Delete makes name unknown (NXDOMAIN).
func (s *Server) Delete(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.records, strings.ToLower(dns.Fqdn(name)))
}

// Split cuts a record value into character strings of at most 255 bytes,
// as a zone file must (RFC 1035 §3.3).
func Split(v string) []string {
	var out []string
	for v != "" {
		n := min(len(v), 255)
		out = append(out, v[:n])
		v = v[n:]
	}
	return out
}

// ServeDNS implements dns.Handler.
func (s *Server) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(r)
	m.Authoritative = true
	if len(r.Question) != 1 {
		m.Rcode = dns.RcodeFormatError
		_ = w.WriteMsg(m)
		return
	}
	q := r.Question[0]
	s.mu.Lock()
	recs, ok := s.records[strings.ToLower(q.Name)]
	s.mu.Unlock()
	switch {
	case !ok:
		m.Rcode = dns.RcodeNameError
	case q.Qtype == dns.TypeTXT:
		for _, strs := range recs {
			m.Answer = append(m.Answer, &dns.TXT{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60}, Txt: strs})
		}
	}
	_ = w.WriteMsg(m)
}
