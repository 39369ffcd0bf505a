// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package inbound

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"vigil/internal/errs"
)

// Handler handles one inbound message; source names where it came from
// (the SMTP session or the maildir file). An errs.Invalid error says the
// message itself is bad: it is set aside and not offered again. Any other
// error is temporary: the SMTP client is told to retry (451) and a maildir
// file stays to be read at the next scan.
type Handler func(ctx context.Context, raw []byte, source string) (Result, error)

// permanent reports whether err is about the message, not the service.
func permanent(err error) bool { return errs.CodeOf(err) == errs.Invalid }

// Server is the inbound SMTP listener: it accepts mail for any recipient
// and hands each message to its Handler.
type Server struct {
	srv  *smtp.Server
	ln   net.Listener
	done chan struct{}
}

// Listen serves SMTP on addr (host:port; ":2525") until Close. log
// receives one line per message.
func Listen(addr string, h Handler, log *slog.Logger) (*Server, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, errs.Field("addr", addr, err.Error())
	}
	s := &Server{ln: ln, done: make(chan struct{})}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{h: h, log: log, remote: c.Conn().RemoteAddr().String()}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	srv.MaxMessageBytes = MaxMessageBytes
	srv.MaxRecipients = 50
	srv.ErrorLog = slogLogger{log}
	s.srv = srv
	go func() {
		defer close(s.done)
		_ = srv.Serve(ln)
	}()
	return s, nil
}

// Addr is the address the listener is bound to.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the listener and its sessions.
func (s *Server) Close() error {
	err := s.srv.Close()
	_ = s.ln.Close()
	<-s.done
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

type slogLogger struct{ log *slog.Logger }

func (l slogLogger) Printf(format string, v ...any) {
	l.log.Debug("smtp", "msg", fmt.Sprintf(format, v...))
}
func (l slogLogger) Println(v ...any) { l.log.Debug("smtp", "msg", fmt.Sprint(v...)) }

type session struct {
	h      Handler
	log    *slog.Logger
	remote string
	from   string
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *session) Rcpt(string, *smtp.RcptOptions) error        { return nil }
func (s *session) Reset()                                      { s.from = "" }
func (s *session) Logout() error                               { return nil }

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	source := fmt.Sprintf("smtp from %s (%s)", s.remote, s.from)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := s.h(ctx, raw, source)
	switch {
	case err == nil:
		s.log.Info("inbound", "source", source, "result", res.String())
	case permanent(err):
		// Refusing would make the sending server bounce to whoever it
		// thinks sent it; the message is logged and dropped instead.
		s.log.Warn("inbound message set aside", "source", source, "err", err)
	default:
		s.log.Error("inbound", "source", source, "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "temporary failure, try again later"}
	}
	return nil
}

// Maildir reads the messages a mail server delivers into a maildir
// (new/, cur/, tmp/). Each message in new/ goes to the handler; handled
// and bad ones move to cur/ (flag S, seen; a bad one also T, trashed), so
// the mailbox keeps them and no message is read twice. One Maildir must
// not scan concurrently with itself.
type Maildir struct {
	Dir    string
	Handle Handler
	Log    *slog.Logger
}

// ScanResult counts what a scan did.
type ScanResult struct {
	Handled int `json:"handled"`
	Bad     int `json:"bad"`
	// Left are messages left in new/ after a temporary error.
	Left    int      `json:"left"`
	Results []Result `json:"results"`
}

// Scan handles every message in new/ once, oldest name first.
func (m *Maildir) Scan(ctx context.Context) (ScanResult, error) {
	var out ScanResult
	log := m.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	newDir, curDir := filepath.Join(m.Dir, "new"), filepath.Join(m.Dir, "cur")
	entries, err := os.ReadDir(newDir)
	if err != nil {
		return out, errs.Field("maildir", m.Dir, "not a maildir (no new/): "+err.Error())
	}
	if err := os.MkdirAll(curDir, 0o700); err != nil {
		return out, fmt.Errorf("maildir: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		path := filepath.Join(newDir, name)
		raw, err := readLimited(path)
		flags := "S"
		var res Result
		if err == nil {
			res, err = m.Handle(ctx, raw, "maildir "+path)
		}
		switch {
		case err == nil:
			out.Handled++
			out.Results = append(out.Results, res)
			log.Info("inbound", "source", path, "result", res.String())
		case permanent(err):
			out.Bad++
			flags = "ST"
			log.Warn("inbound message set aside", "source", path, "err", err)
		default:
			out.Left++
			log.Error("inbound", "source", path, "err", err)
			continue
		}
		base, _, _ := strings.Cut(name, ":")
		if err := os.Rename(path, filepath.Join(curDir, base+":2,"+flags)); err != nil {
			return out, fmt.Errorf("maildir: %w", err)
		}
	}
	return out, nil
}

// readLimited reads a message file of at most MaxMessageBytes; a larger
// one is errs.Invalid.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("maildir: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxMessageBytes+1))
	if err != nil {
		return nil, fmt.Errorf("maildir: %w", err)
	}
	if len(b) > MaxMessageBytes {
		return nil, errs.Field("message", path, fmt.Sprintf("larger than %d bytes", MaxMessageBytes))
	}
	return bytes.Clone(b), nil
}

// Watch scans every interval until ctx ends.
func (m *Maildir) Watch(ctx context.Context, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := m.Scan(ctx); err != nil && ctx.Err() == nil {
			if errs.CodeOf(err) == errs.Invalid {
				return err
			}
			m.logger().Error("maildir scan", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (m *Maildir) logger() *slog.Logger {
	if m.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return m.Log
}
