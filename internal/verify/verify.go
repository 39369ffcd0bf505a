// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package verify answers a recipient who doubts a warning: is the notice
// with this ticket genuine?
//
// The ticket alone (printed in the subject and body) shows that the notice
// exists, when it was sent and to which domains, and nothing of its
// findings or its organisation: a ticket travels in subject lines, which
// are forwarded, logged and quoted. The ticket with the access code
// printed only in the body shows the whole warning as its JSON document.
//
// A Service takes no scope from its caller: the ticket is the capability,
// read in the public scope. Limiting how often a client may ask is the
// caller's job (the web server rate-limits per client address).
package verify

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"vigil/internal/errs"
	"vigil/internal/notify"
	"vigil/internal/tenant"
	"vigil/internal/ticket"
)

// Path is the verification page under the public URL of vigil serve.
const Path = "/verify"

// Record is what the store knows of the notice with a ticket.
type Record struct {
	Ticket    ticket.Ticket
	NoticeID  int64
	OrgID     int64
	State     notify.State
	Created   time.Time
	FirstSent *time.Time
	AckedAt   *time.Time
	// Recipients are the addresses its e-mail was sent to.
	Recipients []string
	Content    notify.Content
}

// Store is the storage verification needs.
type Store interface {
	// NoticeByTicket returns the notice with ticket t in scope sc (the
	// public scope: the ticket is the capability), or errs.NotFound.
	NoticeByTicket(ctx context.Context, sc tenant.Scope, t ticket.Ticket) (Record, error)
}

// Result is the answer to a lookup.
type Result struct {
	// Genuine is true: an unknown ticket is an errs.NotFound error instead.
	Genuine bool          `json:"genuine"`
	Ticket  ticket.Ticket `json:"ticket"`
	// Created is when the notice was written; SentAt when its first
	// delivery left (absent while none has).
	Created time.Time  `json:"created_at"`
	SentAt  *time.Time `json:"sent_at,omitempty"`
	// Domains are the domains the warning was e-mailed to.
	Domains []string `json:"sent_to_domains"`
	// CodeGiven and CodeValid say whether an access code came with the
	// lookup and whether it matched.
	CodeGiven bool `json:"code_given"`
	CodeValid bool `json:"code_valid"`
	// Notice is the whole warning, present only with a valid code.
	Notice *notify.Document `json:"notice,omitempty"`
	// Acknowledged is when the recipient confirmed receipt (with a valid
	// code only).
	Acknowledged *time.Time `json:"acknowledged_at,omitempty"`
}

// Service looks notices up by ticket. It is safe for concurrent use.
type Service struct {
	Store Store
	// Key returns the access-code key (the store's SettingSecret of
	// ticket.KeySetting).
	Key func(ctx context.Context) ([]byte, error)
}

// ErrUnknown is the message of a ticket that names no notice; a malformed
// ticket and an unknown one are answered alike.
const ErrUnknown = "no warning has this ticket: check what you typed; if it is right, the message did not come from us"

// Lookup answers for the ticket and, when code is not empty, the access
// code, both as a person typed them. A malformed or unknown ticket is
// errs.NotFound with the same message, so a guesser learns nothing from
// the error; a wrong code gives the ticket-only answer with CodeValid
// false.
func (s *Service) Lookup(ctx context.Context, ticketText, code string) (Result, error) {
	t, err := ticket.Parse(ticketText)
	if err != nil {
		return Result{}, errs.Errorf(errs.NotFound, ErrUnknown)
	}
	rec, err := s.Store.NoticeByTicket(ctx, tenant.Public(), t)
	if errs.CodeOf(err) == errs.NotFound {
		return Result{}, errs.Errorf(errs.NotFound, ErrUnknown)
	}
	if err != nil {
		return Result{}, fmt.Errorf("verify %s: %w", t, err)
	}
	res := Result{Genuine: true, Ticket: t, Created: rec.Created, SentAt: rec.FirstSent, Domains: Domains(rec.Recipients),
		CodeGiven: strings.TrimSpace(code) != ""}
	if !res.CodeGiven {
		return res, nil
	}
	key, err := s.Key(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("verify: access-code key: %w", err)
	}
	if !ticket.Check(key, t, code) {
		return res, nil
	}
	res.CodeValid = true
	doc := notify.NewDocument(rec.NoticeID, t, rec.Content)
	res.Notice, res.Acknowledged = &doc, rec.AckedAt
	return res, nil
}

// Domains returns the distinct domains of addresses, lower-case and sorted.
func Domains(addrs []string) []string {
	out := []string{}
	for _, a := range addrs {
		if _, d, ok := strings.Cut(a, "@"); ok && d != "" {
			d = strings.ToLower(strings.TrimSpace(d))
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	slices.Sort(out)
	return out
}
