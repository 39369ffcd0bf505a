// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
)

// txtServer is a DNS server on loopback (UDP) that answers TXT queries from
// a table, so the portal's ownership check runs over real DNS without
// leaving the machine.
type txtServer struct {
	conn net.PacketConn
	mu   sync.Mutex
	txt  map[string][]string // lower-case name without the final dot
}

func startTXTServer(t *testing.T) *txtServer {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &txtServer{conn: c, txt: map[string][]string{}}
	t.Cleanup(func() { c.Close() })
	go s.serve()
	return s
}

// publish adds a TXT record.
func (s *txtServer) publish(name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	s.txt[name] = append(s.txt[name], value)
}

// resolver returns a resolver that asks only this server.
func (s *txtServer) resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", s.conn.LocalAddr().String())
	}}
}

func (s *txtServer) serve() {
	buf := make([]byte, 1500)
	for {
		n, addr, err := s.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		if resp, err := s.answer(buf[:n]); err == nil {
			_, _ = s.conn.WriteTo(resp, addr)
		}
	}
}

// answer builds the response to one query: the TXT records of the name, or
// NXDOMAIN.
func (s *txtServer) answer(q []byte) ([]byte, error) {
	if len(q) < 12 {
		return nil, errors.New("short query")
	}
	var labels []string
	i := 12
	for {
		if i >= len(q) {
			return nil, errors.New("bad name")
		}
		l := int(q[i])
		i++
		if l == 0 {
			break
		}
		if l > 63 || i+l > len(q) {
			return nil, errors.New("bad label")
		}
		labels = append(labels, string(q[i:i+l]))
		i += l
	}
	if i+4 > len(q) {
		return nil, errors.New("no question type")
	}
	qtype := binary.BigEndian.Uint16(q[i:])
	question := q[12 : i+4]
	name := strings.ToLower(strings.Join(labels, "."))
	s.mu.Lock()
	values := s.txt[name]
	s.mu.Unlock()
	resp := make([]byte, 12, 512)
	copy(resp, q[:2])                              // id
	flags := uint16(0x8400) | uint16(q[2]&0x01)<<8 // response, authoritative, RD copied
	if len(values) == 0 {
		flags |= 3 // NXDOMAIN
	}
	if qtype != 16 { // only TXT
		values = nil
	}
	binary.BigEndian.PutUint16(resp[2:], flags)
	binary.BigEndian.PutUint16(resp[4:], 1)
	binary.BigEndian.PutUint16(resp[6:], uint16(len(values)))
	resp = append(resp, question...)
	for _, v := range values {
		resp = append(resp, 0xc0, 12) // the question's name
		resp = binary.BigEndian.AppendUint16(resp, 16)
		resp = binary.BigEndian.AppendUint16(resp, 1)
		resp = binary.BigEndian.AppendUint32(resp, 60)
		resp = binary.BigEndian.AppendUint16(resp, uint16(len(v)+1))
		resp = append(resp, byte(len(v)))
		resp = append(resp, v...)
	}
	return resp, nil
}
