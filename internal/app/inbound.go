// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"vigil/internal/errs"
	"vigil/internal/inbound"
	"vigil/internal/notify"
	"vigil/internal/tenant"
)

// Receive handles one message that came back to the service (source says
// from where): a reply naming a ticket is attached to its notice; an
// automatic reply (RFC 3834) is recognised and left alone; a delivery
// status notification (RFC 3464) marks the failed addresses' contacts as
// bouncing, stops the mail to them and puts their organisations' notices
// on the analysts' call list with the reason. A message that is not mail
// is errs.Invalid.
func (a *App) Receive(ctx context.Context, raw []byte, source string) (inbound.Result, error) {
	m, err := inbound.Parse(raw)
	if err != nil {
		return inbound.Result{}, err
	}
	res := inbound.Result{Kind: m.Kind}
	switch m.Kind {
	case inbound.AutoReply:
		res.Note = "automatic reply (" + m.Auto + "), not an answer"
		return res, nil
	case inbound.Delay:
		res.Note = "delivery status without a failed recipient"
		return res, nil
	case inbound.Bounce:
		return a.receiveBounce(ctx, raw, source, m)
	}
	// A reply: the first ticket that names a notice.
	for _, t := range m.Tickets {
		rec, err := a.st.NoticeByTicket(ctx, tenant.Public(), t)
		if errs.CodeOf(err) == errs.NotFound {
			continue
		}
		if err != nil {
			return res, err
		}
		id := m.MessageID
		if id == "" {
			sum := sha256.Sum256(raw)
			id = "sha256:" + hex.EncodeToString(sum[:])
		}
		r := notify.Reply{NoticeID: rec.NoticeID, OrgID: rec.OrgID, MessageID: id, From: m.From, Subject: m.Subject, Text: m.Text,
			Source: source, Received: a.now()}
		sc := tenant.Operator()
		added, err := a.st.NoticeReplyAdd(ctx, sc, &r)
		if err != nil {
			return res, err
		}
		res.Ticket, res.NoticeID, res.OrgID, res.Duplicate = t, rec.NoticeID, rec.OrgID, !added
		return res, nil
	}
	if len(m.Tickets) == 0 {
		res.Note = "no ticket in the subject or text"
	} else {
		res.Note = "no notice has ticket " + string(m.Tickets[0])
	}
	return res, nil
}

func (a *App) receiveBounce(ctx context.Context, raw []byte, source string, m inbound.Message) (inbound.Result, error) {
	res := inbound.Result{Kind: inbound.Bounce}
	out, err := a.Bounce(ctx, BounceReport{DSN: bytes.NewReader(raw), Name: source})
	if err != nil {
		return res, err
	}
	why := map[string]string{}
	for _, r := range m.DSN.Recipients {
		if r.Failed() {
			why[strings.ToLower(r.FinalRecipient)] = strings.TrimSpace(strings.Join(nonEmpty(r.Status, r.DiagnosticCode), " "))
		}
	}
	for _, b := range out {
		res.Bounced = append(res.Bounced, b.Address)
		res.Contacts += b.Contacts
		reason := "bounced: " + b.Address
		if w := why[strings.ToLower(b.Address)]; w != "" {
			reason += " (" + w + ")"
		}
		if m.DSN.ReportingMTA != "" {
			reason += ", reported by " + m.DSN.ReportingMTA
		}
		n, err := a.st.NoticeEscalateBounce(ctx, b.Address, reason, a.now())
		if err != nil {
			return res, err
		}
		res.Escalated += n
	}
	if len(m.Tickets) > 0 {
		res.Ticket = m.Tickets[0]
	}
	return res, nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ReceiveOptions say where inbound mail comes from: an SMTP listener on
// Addr, a maildir at Maildir scanned every Interval, or both.
type ReceiveOptions struct {
	Addr     string
	Maildir  string
	Interval time.Duration
	// Ready, when set, is called with the listener's address once it
	// listens.
	Ready func(addr string)
}

// ReceiveServe runs the inbound listener and the maildir watcher until ctx
// ends.
func (a *App) ReceiveServe(ctx context.Context, opt ReceiveOptions) error {
	if opt.Addr == "" && opt.Maildir == "" {
		return errs.FieldKeyed("addr", "", "inbound.where", "give --addr for an SMTP listener, --maildir for a maildir, or both")
	}
	if opt.Interval <= 0 {
		opt.Interval = 10 * time.Second
	}
	done := make(chan error, 1)
	if opt.Maildir != "" {
		md := &inbound.Maildir{Dir: opt.Maildir, Handle: a.Receive, Log: a.log}
		if _, err := md.Scan(ctx); err != nil {
			return err
		}
		go func() { done <- md.Watch(ctx, opt.Interval) }()
	}
	if opt.Addr != "" {
		srv, err := inbound.Listen(opt.Addr, a.Receive, a.log)
		if err != nil {
			return err
		}
		defer srv.Close()
		a.log.Info("inbound SMTP listening", "addr", srv.Addr())
		if opt.Ready != nil {
			opt.Ready(srv.Addr())
		}
	}
	select {
	case <-ctx.Done():
		return nil
	case err := <-done:
		if err != nil {
			return fmt.Errorf("maildir: %w", err)
		}
		return nil
	}
}

// NoticeReplies returns the replies attached to notice id of sc.
func (a *App) NoticeReplies(ctx context.Context, sc tenant.Scope, id int64) ([]notify.Reply, error) {
	if _, err := a.st.NoticeGet(ctx, sc, id); err != nil {
		return nil, err
	}
	return a.st.NoticeReplyList(ctx, sc, []int64{id})
}
