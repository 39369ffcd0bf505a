// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package inbound reads the mail that comes back to the service: replies
// to warnings (attached to the notice their ticket names), automatic
// replies (RFC 3834: recognised and not taken for answers) and delivery
// status notifications (RFC 3464: the contact bounces). It has an SMTP
// listener (github.com/emersion/go-smtp) and a maildir watcher for
// operators whose mailbox is delivered elsewhere; both hand every message
// to the same Handler.
package inbound

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"

	"vigil/internal/errs"
	"vigil/internal/notify"
	"vigil/internal/text"
	"vigil/internal/ticket"
)

// Kind is what an inbound message is.
type Kind string

// The kinds of inbound messages.
const (
	// Reply is a person's answer; it is attached to its notice.
	Reply Kind = "reply"
	// AutoReply is an automatic answer (out of office, ticket systems'
	// receipts): recognised per RFC 3834 and not taken for an answer.
	AutoReply Kind = "auto_reply"
	// Bounce is a delivery status notification with a failed recipient.
	Bounce Kind = "bounce"
	// Delay is a delivery status notification without a failed recipient
	// (delayed, relayed, delivered): nothing to do.
	Delay Kind = "delay"
)

// MaxMessageBytes bounds an inbound message.
const MaxMessageBytes = 10 << 20

// maxText bounds the text kept of a reply.
const maxText = 64 << 10

// Message is an inbound message as read.
type Message struct {
	Kind      Kind
	From      string
	Subject   string
	MessageID string
	Date      time.Time
	// Text is the reply's plain text (the first text/plain part), at most
	// 64 KiB.
	Text string
	// Tickets are the tickets the message names: the subject's first,
	// then the headers' (X-Vigil-Ticket), then the body's (a bounce
	// carries the returned message's).
	Tickets []ticket.Ticket
	// DSN is the parsed delivery status notification of a Bounce or Delay.
	DSN *notify.DSN
	// Auto says why an AutoReply was taken for one.
	Auto string
}

// Parse reads one message and says what it is. A message that is not
// mail at all is errs.Invalid.
func Parse(raw []byte) (Message, error) {
	var m Message
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return m, errs.Field("message", "", "not an e-mail message: "+err.Error())
	}
	h := msg.Header
	dec := new(mime.WordDecoder)
	m.Subject, _ = dec.DecodeHeader(h.Get("Subject"))
	m.Subject = text.Clean(m.Subject)
	if a, err := mail.ParseAddress(h.Get("From")); err == nil {
		m.From = strings.ToLower(a.Address)
	} else {
		m.From = strings.TrimSpace(h.Get("From"))
	}
	m.From = text.Clean(m.From)
	m.MessageID = text.Clean(strings.TrimSpace(h.Get("Message-Id")))
	m.Date, _ = h.Date()

	dsn, err := notify.ParseDSN(bytes.NewReader(raw))
	switch {
	case err == nil:
		m.DSN, m.Kind = dsn, Delay
		if len(dsn.FailedAddresses()) > 0 {
			m.Kind = Bounce
		}
		m.Tickets = tickets(m.Subject, h.Get(notify.TicketHeader), string(raw))
		return m, nil
	case !errors.Is(err, notify.ErrNotDSN):
		return m, errs.Field("message", "", "unreadable delivery status notification: "+err.Error())
	}
	m.Text = plainText(h.Get("Content-Type"), h.Get("Content-Transfer-Encoding"), msg.Body, 0)
	m.Tickets = tickets(m.Subject, h.Get(notify.TicketHeader), m.Text)
	if why := autoReply(h, m.Subject); why != "" {
		m.Kind, m.Auto = AutoReply, why
		return m, nil
	}
	m.Kind = Reply
	return m, nil
}

// tickets returns the distinct tickets of the texts in order.
func tickets(texts ...string) []ticket.Ticket {
	var out []ticket.Ticket
	seen := map[ticket.Ticket]bool{}
	for _, s := range texts {
		for _, t := range ticket.Find(s) {
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

// autoReply says why a message is an automatic one, "" when it is not:
// RFC 3834's Auto-Submitted (any value but "no"), and the older signs
// that responders still send instead (Precedence bulk, junk, list or
// auto_reply; X-Autoreply, X-Autorespond; Exchange's
// X-Auto-Response-Suppress does not count: it is a request).
func autoReply(h mail.Header, subject string) string {
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && v != "no" {
		return "Auto-Submitted: " + v
	}
	switch v := strings.ToLower(strings.TrimSpace(h.Get("Precedence"))); v {
	case "bulk", "junk", "list", "auto_reply":
		return "Precedence: " + v
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponse"} {
		if h.Get(k) != "" {
			return k
		}
	}
	if h.Get("List-Id") != "" || h.Get("List-Unsubscribe") != "" {
		return "mailing list"
	}
	return ""
}

// plainText returns the first text/plain part of a body, decoded, at most
// maxText bytes of valid UTF-8.
func plainText(ct, cte string, body io.Reader, depth int) string {
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil {
		mt = "text/plain"
	}
	switch {
	case strings.HasPrefix(mt, "multipart/") && depth < 8:
		mr := multipart.NewReader(body, params["boundary"])
		for i := 0; i < 64; i++ {
			p, err := mr.NextRawPart()
			if err != nil {
				return ""
			}
			if s := plainText(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1); s != "" {
				return s
			}
		}
		return ""
	case mt != "text/plain":
		return ""
	}
	var r io.Reader = body
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64Reader(body)
	}
	b, _ := io.ReadAll(io.LimitReader(r, maxText))
	return strings.TrimSpace(strings.ReplaceAll(text.Clean(string(b)), "\r\n", "\n"))
}

// Result is what handling one message did.
type Result struct {
	Kind Kind `json:"kind"`
	// Ticket and NoticeID name the notice a reply was attached to (or a
	// bounce escalated).
	Ticket   ticket.Ticket `json:"ticket,omitempty"`
	NoticeID int64         `json:"notice_id,omitempty"`
	OrgID    int64         `json:"org_id,omitempty"`
	// Duplicate is true when the reply was attached before (the same
	// Message-ID): nothing changed.
	Duplicate bool `json:"duplicate,omitempty"`
	// Bounced are the failed addresses of a bounce; Contacts how many
	// contacts they marked; Escalated how many notices went to the call
	// list.
	Bounced   []string `json:"bounced,omitempty"`
	Contacts  int64    `json:"contacts,omitempty"`
	Escalated int      `json:"escalated,omitempty"`
	// Note says why nothing was attached (no ticket, unknown ticket,
	// automatic reply).
	Note string `json:"note,omitempty"`
}

// String is the result as a log line.
func (r Result) String() string {
	var b strings.Builder
	b.WriteString(string(r.Kind))
	if r.Ticket != "" {
		fmt.Fprintf(&b, " %s (notice %d)", r.Ticket, r.NoticeID)
	}
	if len(r.Bounced) > 0 {
		fmt.Fprintf(&b, " %s: %d contact(s), %d notice(s) on the call list", strings.Join(r.Bounced, ", "), r.Contacts, r.Escalated)
	}
	if r.Duplicate {
		b.WriteString(" (already attached)")
	}
	if r.Note != "" {
		b.WriteString(": " + r.Note)
	}
	return b.String()
}
