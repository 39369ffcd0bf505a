// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package demo

import (
	"bytes"
	"context"
	"fmt"
	"net/mail"
	"strings"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/dkimkey"
	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/store"
	"vigil/internal/tenant"
	"vigil/internal/ticket"
	"vigil/internal/verify"
)

// NotifySummary is what Notify composed and delivered.
type NotifySummary struct {
	// Composed counts the notices made from the demo's findings.
	Composed int `json:"notices_composed"`
	// Delivered counts the notices of which at least one message reached
	// the SMTP sink.
	Delivered int `json:"notices_delivered"`
	// Messages counts the e-mails the sink accepted.
	Messages int `json:"messages_delivered"`
	// Languages counts the messages per language.
	Languages map[string]int `json:"message_languages,omitempty"`
	// DKIM is the demo's DKIM key (it signed every message) and the DNS
	// record a real deployment would publish for it.
	DKIM app.DKIMSetup `json:"dkim"`
	// OpenPGP is the demo's OpenPGP key (it signed every message as
	// PGP/MIME; the portal publishes it on /verify and in its Web Key
	// Directory).
	OpenPGP app.OpenPGPSetup `json:"openpgp"`
	// Example is a delivered notice to check on the verification page.
	Example *VerifyExample `json:"verify_example,omitempty"`
}

// VerifyExample is a delivered notice as its recipient would check it:
// the address to type, the ticket and access code from the message, and
// what the ticket alone shows there.
type VerifyExample struct {
	VerifyURL  string        `json:"verify_url"`
	Ticket     ticket.Ticket `json:"ticket"`
	AccessCode ticket.Code   `json:"access_code"`
	Answer     verify.Result `json:"ticket_alone"`
}

// NotifyOptions say where the demo keeps its keys and serves.
type NotifyOptions struct {
	// KeyDir is the key directory the DKIM key is made in.
	KeyDir string
	// BaseURL is the public URL the messages' links point at.
	BaseURL string
	// Mailbox, when set, receives the messages (the served demo's, which
	// the portal shows); nil: a sink of their own.
	Mailbox *app.Mailbox
}

// Notify composes the notices for the demo organisations' findings and
// delivers them by e-mail to an in-process SMTP sink on loopback (the
// served demo's mailbox when opt.Mailbox is set; real
// SMTP, nothing leaves the machine), DKIM-signed with a key it makes in
// opt.KeyDir (kept when it exists) and PGP/MIME-signed with an OpenPGP key
// made there too. The demo operator's default policy
// is immediate from low severity, so every organisation with findings is
// warned at once; organisations with a policy of their own keep it. Call
// it after the feeds are loaded.
func Notify(ctx context.Context, s *store.Store, opt NotifyOptions) (NotifySummary, error) {
	var sum NotifySummary
	cfg := config.Defaults()
	cfg.Notify.DefaultMode, cfg.Notify.DefaultMinSeverity = string(notify.Immediate), finding.Low.String()
	cfg.Notify.SMTPURL, cfg.Notify.From, cfg.Notify.Sender = "sink:", demoFrom, "vigil demo CERT"
	cfg.Labels.Keys = opt.KeyDir
	if opt.BaseURL != "" {
		cfg.BaseURL = opt.BaseURL
	}
	var err error
	if sum.DKIM, err = app.DKIMRecord(cfg); errs.CodeOf(err) == errs.NotFound {
		sum.DKIM, err = app.DKIMInit(cfg, dkimkey.RSA)
	}
	if err != nil {
		return sum, err
	}
	if sum.OpenPGP, err = app.OpenPGPKey(cfg); errs.CodeOf(err) == errs.NotFound {
		sum.OpenPGP, err = app.OpenPGPInit(cfg, s.Now())
	}
	if err != nil {
		return sum, err
	}
	y := app.New(s, cfg, nil)
	if opt.Mailbox != nil {
		y.UseMailbox(opt.Mailbox)
	}
	d, err := y.Delivery(ctx)
	if err != nil {
		return sum, err
	}
	defer d.Close()
	composed, err := d.Notifier.Compose(ctx, false)
	if err != nil {
		return sum, err
	}
	sum.Composed = composed.Notices
	if _, err := d.Deliverer.DeliverDue(ctx, 0); err != nil {
		return sum, fmt.Errorf("demo delivery: %w", err)
	}
	sink := d.Sink
	sum.Messages = sink.Count()
	sum.Languages = map[string]int{}
	for after := int64(0); ; {
		ns, err := s.NoticeList(ctx, tenant.Operator(), notify.NoticeFilter{Page: keyset.Page{After: after, Limit: 1000}})
		if err != nil {
			return sum, err
		}
		if len(ns) == 0 {
			break
		}
		for _, x := range ns {
			if x.FirstSent == nil {
				continue
			}
			sum.Delivered++
			if sum.Example == nil {
				if sum.Example, err = example(ctx, s, cfg.BaseURL, x.Ticket); err != nil {
					return sum, err
				}
			}
		}
		after = ns[len(ns)-1].ID
	}
	for _, m := range sink.Messages() {
		sum.Languages[headerValue(m.Data, "Content-Language")]++
	}
	return sum, nil
}

// headerValue returns a header field of a raw message.
func headerValue(raw []byte, name string) string {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return ""
	}
	return m.Header.Get(name)
}

// example checks the notice with ticket t as its recipient would.
func example(ctx context.Context, s *store.Store, baseURL string, t ticket.Ticket) (*VerifyExample, error) {
	key, err := s.SettingSecret(ctx, ticket.KeySetting)
	if err != nil {
		return nil, err
	}
	svc := &verify.Service{Store: s, Key: func(context.Context) ([]byte, error) { return key, nil }}
	res, err := svc.Lookup(ctx, string(t), "")
	if err != nil {
		return nil, fmt.Errorf("demo: verify %s: %w", t, err)
	}
	return &VerifyExample{VerifyURL: strings.TrimRight(baseURL, "/") + verify.Path, Ticket: t, AccessCode: ticket.AccessCode(key, t), Answer: res}, nil
}
