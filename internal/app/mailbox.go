// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"vigil/internal/errs"
	"vigil/internal/inbound"
	"vigil/internal/notify/smtpsink"
)

// Mailbox is the demo's capture of the e-mail that leaves the outbox: an
// in-process SMTP server on loopback (smtpsink) that keeps every message
// it receives, so that an administrator reads in the portal the mail the
// demo would have sent (a sign-up's confirmation link, a password reset,
// an invitation, a warning). Delivery to it is real SMTP from the
// outbox's sender: rows are sent, retried and recorded as with any relay.
// It is safe for concurrent use.
type Mailbox struct {
	sink *smtpsink.Sink
}

// MailboxMessage is one message of a Mailbox as a reader sees it: the
// headers that say what it is and its plain text (the first text/plain
// part, decoded, at most 64 KiB).
type MailboxMessage struct {
	// ID is the message's place in the mailbox, from 1 in the order of
	// arrival; it never changes.
	ID       int       `json:"id"`
	From     string    `json:"from"`
	To       []string  `json:"to"`
	Subject  string    `json:"subject"`
	Date     time.Time `json:"date"`
	Received time.Time `json:"received"`
	Text     string    `json:"text"`
}

// OpenMailbox starts a mailbox on loopback and makes it where this App's
// deliveries send e-mail (instead of notify.smtp_url), until Close, which
// closes it too. Call it before serving or delivering.
func (a *App) OpenMailbox() (*Mailbox, error) {
	sink, err := smtpsink.Start(smtpsink.Options{})
	if err != nil {
		return nil, fmt.Errorf("mailbox: %w", err)
	}
	a.mailbox, a.ownMailbox = &Mailbox{sink: sink}, true
	return a.mailbox, nil
}

// UseMailbox makes m, which another App opened and closes, where this
// App's deliveries send e-mail.
func (a *App) UseMailbox(m *Mailbox) { a.mailbox = m }

// Mailbox returns the mailbox this App's deliveries send e-mail to, nil
// when there is none (they go to notify.smtp_url): the portal shows it to
// administrators only when it is set, which is in the demo.
func (a *App) Mailbox() *Mailbox { return a.mailbox }

// SendsMail reports whether e-mail can leave: an SMTP relay is configured
// (notify.smtp_url) or a mailbox captures it. Without either, outbox
// e-mail rows stay pending, so the portal refuses the forms whose only
// effect is an e-mail (sign-up, password reset, invitation).
func (a *App) SendsMail() bool { return a.cfg.Notify.SMTPURL != "" || a.mailbox != nil }

// mailOffWarning is what a server without e-mail logs when it starts.
const mailOffWarning = "no SMTP relay is configured (notify.smtp_url, VIGIL_SMTP_URL): this installation sends no e-mail; the portal's sign-up, password reset and invitation forms say so and refuse, and warnings by e-mail stay pending in the outbox"

// Addr returns the mailbox's SMTP address, "127.0.0.1:port".
func (m *Mailbox) Addr() string { return m.sink.Addr() }

// Close stops the mailbox's SMTP server.
func (m *Mailbox) Close() error { return m.sink.Close() }

// Messages returns the messages received so far, newest first.
func (m *Mailbox) Messages() []MailboxMessage {
	raw := m.sink.Messages()
	out := make([]MailboxMessage, 0, len(raw))
	for i, r := range raw {
		out = append(out, read(i+1, r))
	}
	slices.Reverse(out)
	return out
}

// Message returns the message with id; errs.NotFound when there is none.
func (m *Mailbox) Message(id int) (MailboxMessage, error) {
	raw := m.sink.Messages()
	if id < 1 || id > len(raw) {
		return MailboxMessage{}, errs.Keyed(errs.NotFound, "", "mailbox.nomessage", "no message %d in the mailbox", id)
	}
	return read(id, raw[id-1]), nil
}

// read reads a received message through the one parser of inbound mail;
// a message it cannot read keeps its envelope and says so in its text.
func read(id int, r smtpsink.Message) MailboxMessage {
	m := MailboxMessage{ID: id, From: r.From, To: r.To, Received: r.Received}
	p, err := inbound.Parse(r.Data)
	if err != nil {
		m.Text = "(unreadable message: " + err.Error() + ")"
		return m
	}
	m.Subject, m.Date, m.Text = p.Subject, p.Date, p.Text
	if p.From != "" {
		m.From = p.From
	}
	m.Text = strings.TrimSpace(m.Text)
	return m
}
