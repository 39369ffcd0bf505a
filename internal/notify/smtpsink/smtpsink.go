// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package smtpsink is an in-process SMTP server on loopback, built with
// github.com/emersion/go-smtp, that keeps what it receives in memory. The
// demo delivers its notices to it and tests exchange real SMTP with it:
// STARTTLS, AUTH PLAIN, recipient refusals and temporary failures.
package smtpsink

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one received message.
type Message struct {
	From     string
	To       []string
	Data     []byte
	TLS      bool   // the session was encrypted
	User     string // the authenticated user, if any
	Received time.Time
}

// Options configure a Sink. The zero value accepts everything without TLS
// or authentication.
type Options struct {
	// TLS enables STARTTLS with this configuration.
	TLS *tls.Config
	// Users, when set, requires AUTH PLAIN with one of these
	// user → password pairs (after STARTTLS when TLS is set).
	Users map[string]string
	// Rcpt, when set, is asked about every recipient; an error refuses it
	// (return an *smtp.SMTPError to choose the reply code).
	Rcpt func(addr string) error
	// Data, when set, is asked about every message after it arrived; an
	// error refuses it.
	Data func(m Message) error
	// CountOnly keeps counts but not the messages (benchmarks).
	CountOnly bool
}

// Sink is a running in-process SMTP server.
type Sink struct {
	opts Options
	srv  *smtp.Server
	ln   net.Listener
	done chan struct{}

	mu     sync.Mutex
	msgs   []Message
	count  int
	notify chan struct{}
}

// Start listens on 127.0.0.1 on a free port and serves until Close.
func Start(opts Options) (*Sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("smtp sink: %w", err)
	}
	s := &Sink{opts: opts, ln: ln, done: make(chan struct{}), notify: make(chan struct{})}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{s: s, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.TLSConfig = opts.TLS
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.MaxMessageBytes = 32 << 20
	srv.ErrorLog = discardLogger{}
	s.srv = srv
	go func() {
		defer close(s.done)
		_ = srv.Serve(ln)
	}()
	return s, nil
}

// Addr returns the listening address, "127.0.0.1:port".
func (s *Sink) Addr() string { return s.ln.Addr().String() }

// Port returns the listening port.
func (s *Sink) Port() int {
	_, p, _ := net.SplitHostPort(s.Addr())
	n, _ := strconv.Atoi(p)
	return n
}

// Messages returns a copy of the messages received so far.
func (s *Sink) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.msgs))
	copy(out, s.msgs)
	return out
}

// Count returns the number of messages received.
func (s *Sink) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count
}

// Wait blocks until at least n messages arrived or ctx ends.
func (s *Sink) Wait(ctx context.Context, n int) error {
	for {
		s.mu.Lock()
		got, ch := s.count, s.notify
		s.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("smtp sink: %d of %d messages: %w", got, n, ctx.Err())
		}
	}
}

// Close stops the server and closes its connections.
func (s *Sink) Close() error {
	err := s.srv.Close()
	// Serve may not have registered the listener yet when Close runs right
	// after Start; closing it here ends Serve in every case.
	_ = s.ln.Close()
	<-s.done
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

func (s *Sink) add(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count++
	if !s.opts.CountOnly {
		s.msgs = append(s.msgs, m)
	}
	close(s.notify)
	s.notify = make(chan struct{})
}

type session struct {
	s    *Sink
	conn *smtp.Conn
	user string
	from string
	to   []string
}

func (ss *session) authRequired() error {
	if len(ss.s.opts.Users) > 0 && ss.user == "" {
		return smtp.ErrAuthRequired
	}
	return nil
}

func (ss *session) AuthMechanisms() []string {
	if len(ss.s.opts.Users) == 0 {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if want, ok := ss.s.opts.Users[user]; !ok || want != pass {
			return smtp.ErrAuthFailed
		}
		ss.user = user
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if err := ss.authRequired(); err != nil {
		return err
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.authRequired(); err != nil {
		return err
	}
	if ss.s.opts.Rcpt != nil {
		if err := ss.s.opts.Rcpt(to); err != nil {
			return err
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	_, isTLS := ss.conn.TLSConnectionState()
	m := Message{From: ss.from, To: append([]string(nil), ss.to...), Data: buf.Bytes(), TLS: isTLS, User: ss.user, Received: time.Now()}
	if ss.s.opts.Data != nil {
		if err := ss.s.opts.Data(m); err != nil {
			return err
		}
	}
	ss.s.add(m)
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}
