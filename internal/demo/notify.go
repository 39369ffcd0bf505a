// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package demo

import (
	"bytes"
	"context"
	"fmt"
	"net/mail"
	"time"

	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/notify/smtpsink"
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
	r, err := notify.NewRenderer(nil)
	if err != nil {
		return sum, err
	}
	def := notify.DefaultPolicy()
	def.Mode, def.MinSeverity = notify.Immediate, finding.Low
	n := notify.NewNotifier(notify.NotifierConfig{Store: s, Now: s.Now,
		PlanConfig: notify.PlanConfig{Default: def, Languages: r.Languages()}})
	composed, err := n.Compose(ctx, false)
	if err != nil {
		return sum, err
	}
	sum.Composed = composed.Notices
	sink, err := smtpsink.Start(smtpsink.Options{})
	if err != nil {
		return sum, err
	}
	defer sink.Close()
	sender, err := notify.NewSMTPSender(notify.SMTPConfig{Host: "127.0.0.1", Port: sink.Port(), TLS: notify.TLSNone,
		From: "cert@vigil-demo.example", FromName: "vigil demo CERT", Timeout: 10 * time.Second}, r, "vigil demo CERT")
	if err != nil {
		return sum, err
	}
	defer sender.Close()
	ackKey, err := s.SettingSecret(ctx, notify.AckKeySetting)
	if err != nil {
		return sum, err
	}
	d := notify.NewDeliverer(notify.DelivererConfig{Outbox: s, Now: s.Now,
		Senders: map[notify.Channel]notify.Sender{notify.Email: sender},
		AckURL:  func(id int64) string { return notify.AckURL("http://127.0.0.1:8080", ackKey, id) }})
	if _, err := d.DeliverDue(ctx, 0); err != nil {
		return sum, fmt.Errorf("demo delivery: %w", err)
	}
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
