// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package smtpsink_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"vigil/internal/notify/smtpsink"
)

// TestCloseRightAfterStart: Close must not wait for a Serve that has not
// registered its listener yet (it once hung about one time in three).
func TestCloseRightAfterStart(t *testing.T) {
	t.Parallel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 200 {
			s, err := smtpsink.Start(smtpsink.Options{})
			if err != nil {
				t.Error(err)
				return
			}
			if err := s.Close(); err != nil {
				t.Error(err)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Close hangs")
	}
}

func TestReceive(t *testing.T) {
	t.Parallel()
	s, err := smtpsink.Start(smtpsink.Options{Rcpt: func(to string) error {
		if to == "nobody@example.nl" {
			return &smtp.SMTPError{Code: 550, Message: "no such user"}
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	msg := []byte("Subject: test\r\n\r\nhello\r\n")
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SendMail("a@example.nl", []string{"b@example.nl"}, bytes.NewReader(msg)); err != nil {
		t.Fatal(err)
	}
	if err := c.SendMail("a@example.nl", []string{"nobody@example.nl"}, bytes.NewReader(msg)); err == nil {
		t.Error("refused recipient accepted")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Wait(ctx, 1); err != nil {
		t.Fatal(err)
	}
	m := s.Messages()
	if len(m) != 1 || m[0].From != "a@example.nl" || m[0].To[0] != "b@example.nl" || !bytes.Equal(m[0].Data, msg) || m[0].TLS {
		t.Errorf("messages = %+v", m)
	}
}
