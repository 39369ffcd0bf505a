// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package demo

import (
	"bytes"
	"context"
	"fmt"
	"net/mail"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/store"
	"vigil/internal/tenant"
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
}

// Notify composes the notices for the demo organisations' findings and
// delivers them by e-mail to an in-process SMTP sink on loopback (real
// SMTP, nothing leaves the machine). The demo operator's default policy
// is immediate from low severity, so every organisation with findings is
// warned at once; organisations with a policy of their own keep it. Call
// it after the feeds are loaded.
func Notify(ctx context.Context, s *store.Store) (NotifySummary, error) {
	var sum NotifySummary
	cfg := config.Defaults()
	cfg.Notify.DefaultMode, cfg.Notify.DefaultMinSeverity = string(notify.Immediate), finding.Low.String()
	cfg.Notify.SMTPURL, cfg.Notify.From, cfg.Notify.Sender = "sink:", "cert@vigil-demo.example", "vigil demo CERT"
	d, err := app.New(s, cfg, nil).Delivery(ctx)
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
		ns, err := s.NoticeList(ctx, tenant.Operator(), store.NoticeFilter{Page: keyset.Page{After: after, Limit: 1000}})
		if err != nil {
			return sum, err
		}
		if len(ns) == 0 {
			break
		}
		for _, x := range ns {
			if x.FirstSent != nil {
				sum.Delivered++
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
