// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/registry"
)

// Mode says when an organisation's notices go out.
type Mode string

// The modes. Critical findings are sent at once whatever the mode.
const (
	Immediate Mode = "immediate"
	Daily     Mode = "daily"
	Weekly    Mode = "weekly"
)

// Channel is a way of delivering a notice.
type Channel string

// The channels.
const (
	Email   Channel = "email"
	Webhook Channel = "webhook"
)

// Policy is a resolved notification policy: every field has a value.
type Policy struct {
	Mode Mode `json:"mode"`
	// MinSeverity is the lowest severity that notifies. Findings of
	// unknown severity count as Medium.
	MinSeverity finding.Severity `json:"min_severity"`
	// Types limits notices to these finding types; empty means all.
	Types []string `json:"types,omitempty"`
	// Channels are the channels notices go to.
	Channels []Channel `json:"channels"`
	// WebhookURL receives the JSON notices of the webhook channel.
	WebhookURL string `json:"webhook_url,omitempty"`
	// RenotifyAfter is the quiet interval: no second notice for the same
	// finding within it, unless its severity rose.
	RenotifyAfter time.Duration `json:"renotify_after"`
	// Cap is the most immediate notices the organisation gets per cap
	// period (a day) before further non-critical ones fold into its next
	// digest; critical ones still go, one per run. 0: no cap.
	Cap int `json:"immediate_cap"`
}

// DefaultPolicy is the operator default when none is configured: a daily
// digest by e-mail of everything from low severity up, with a quiet
// interval of a week.
func DefaultPolicy() Policy {
	return Policy{
		Mode:          Daily,
		MinSeverity:   finding.Low,
		Channels:      []Channel{Email},
		RenotifyAfter: 7 * 24 * time.Hour,
	}
}

// Resolve lays an organisation's policy over the operator default def:
// every field the organisation set wins, the others come from def. It
// fails with errs.Invalid on a malformed field.
func Resolve(org registry.Policy, def Policy) (Policy, error) {
	p := def
	p.Types = slices.Clone(def.Types)
	p.Channels = slices.Clone(def.Channels)
	if org.Mode != "" {
		switch m := Mode(strings.ToLower(org.Mode)); m {
		case Immediate, Daily, Weekly:
			p.Mode = m
		default:
			return p, errs.Field("policy.mode", org.Mode, "must be immediate, daily or weekly")
		}
	}
	if org.MinSeverity != "" {
		s, err := finding.ParseSeverity(org.MinSeverity)
		if err != nil {
			return p, errs.Field("policy.min_severity", org.MinSeverity, "must be info, low, medium, high or critical")
		}
		p.MinSeverity = s
	}
	if len(org.Types) > 0 {
		p.Types = slices.Clone(org.Types)
	}
	if len(org.Channels) > 0 {
		p.Channels = p.Channels[:0]
		for _, c := range org.Channels {
			switch ch := Channel(strings.ToLower(c)); ch {
			case Email, Webhook:
				if !slices.Contains(p.Channels, ch) {
					p.Channels = append(p.Channels, ch)
				}
			default:
				return p, errs.Field("policy.channels", c, "must be email or webhook")
			}
		}
	}
	if org.WebhookURL != "" {
		p.WebhookURL = org.WebhookURL
	}
	if org.RenotifyAfter != "" {
		d, err := time.ParseDuration(org.RenotifyAfter)
		if err != nil || d < 0 {
			return p, errs.Field("policy.renotify_after", org.RenotifyAfter, "must be a non-negative Go duration such as 168h")
		}
		p.RenotifyAfter = d
	}
	if org.ImmediateCap != nil {
		if *org.ImmediateCap < 0 {
			return p, errs.Field("policy.immediate_cap", fmt.Sprint(*org.ImmediateCap), "must be 0 (no cap) or more")
		}
		p.Cap = *org.ImmediateCap
	}
	if slices.Contains(p.Channels, Webhook) && p.WebhookURL == "" {
		return p, errs.Field("policy.webhook_url", "", "the webhook channel needs a webhook URL")
	}
	return p, nil
}

// Has reports whether the policy delivers through channel c.
func (p Policy) Has(c Channel) bool { return slices.Contains(p.Channels, c) }

// String describes the policy for logs and the CLI.
func (p Policy) String() string {
	return fmt.Sprintf("%s, from %s, every %s, via %v", p.Mode, p.MinSeverity, p.RenotifyAfter, p.Channels)
}
