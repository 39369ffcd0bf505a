// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/notify"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestMailbox: an account e-mail queued in the outbox is sent by the
// delivery of an App with a mailbox over SMTP into it, where it reads as
// plain text, and the outbox records it as sent; the mailbox counts as
// e-mail that can leave, and Close closes it.
func TestMailbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		x := newApp(t, s, nil)
		if x.SendsMail() || x.Mailbox() != nil {
			t.Fatal("an App without an SMTP relay sends mail")
		}
		mb, err := x.OpenMailbox()
		if err != nil {
			t.Fatal(err)
		}
		if !x.SendsMail() || x.Mailbox() != mb {
			t.Fatal("an App with a mailbox sends no mail")
		}
		if _, err := s.AccountMail(ctx, "newcomer@example.org", "en", notify.Message{Subject: "Confirm <this>", Text: "Open https://vigil.test/c?t=1 now."}); err != nil {
			t.Fatal(err)
		}
		res, err := x.NotifyRun(ctx, app.NotifyRunOptions{})
		if err != nil || res.Delivery == nil || res.Delivery.Sent != 1 {
			t.Fatalf("delivery = %+v, %v; want one sent", res.Delivery, err)
		}
		ms := mb.Messages()
		if len(ms) != 1 || ms[0].ID != 1 || ms[0].Subject != "Confirm <this>" || !strings.Contains(ms[0].Text, "Open https://vigil.test/c?t=1 now.") ||
			len(ms[0].To) != 1 || ms[0].To[0] != "newcomer@example.org" {
			t.Fatalf("mailbox = %+v", ms)
		}
		if m, err := mb.Message(1); err != nil || m.Subject != ms[0].Subject {
			t.Errorf("Message(1) = %+v, %v", m, err)
		}
		if _, err := mb.Message(2); err == nil {
			t.Error("Message(2) of one found")
		}
		counts, err := s.OutboxStatus(ctx, tenant.Operator())
		if err != nil {
			t.Fatal(err)
		}
		if got := outboxCount(counts, "sent"); got != 1 {
			t.Errorf("outbox %+v; want the one row sent", counts)
		}
		if err := x.Close(); err != nil {
			t.Fatal(err)
		}
		if c, err := net.Dial("tcp", mb.Addr()); err == nil {
			c.Close()
			t.Error("the mailbox still listens after Close")
		}
	})
}

// outboxCount is the number of outbox rows in state.
func outboxCount(counts []notify.OutboxCount, state string) int {
	n := 0
	for _, c := range counts {
		if string(c.State) == state {
			n += int(c.Count)
		}
	}
	return n
}

// TestServerWarnsWithoutMail: a server started without an SMTP relay logs
// once that it sends no e-mail; one with a relay does not.
func TestServerWarnsWithoutMail(t *testing.T) {
	s := storetest.OpenSQLite(t, storetest.Options{})
	for _, smtp := range []string{"", "sink:"} {
		var log bytes.Buffer
		cfg := config.Defaults()
		cfg.Labels.Keys, cfg.Notify.SMTPURL = t.TempDir(), smtp
		x := app.New(s, cfg, slog.New(slog.NewTextHandler(&log, nil)))
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv, err := x.OpenServer(context.Background(), http.NotFoundHandler(), ln)
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
		if got, want := strings.Count(log.String(), "this installation sends no e-mail"), map[string]int{"": 1, "sink:": 0}[smtp]; got != want {
			t.Errorf("smtp_url %q: warned %d times; want %d:\n%s", smtp, got, want, log.String())
		}
	}
}
