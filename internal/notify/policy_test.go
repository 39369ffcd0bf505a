// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/notify"
	"vigil/internal/registry"
)

func TestResolve(t *testing.T) {
	t.Parallel()
	def := notify.DefaultPolicy()
	tests := []struct {
		name    string
		org     registry.Policy
		want    notify.Policy
		wantErr string
	}{
		{"zero_policy_is_the_default", registry.Policy{}, def, ""},
		{"every_field_set", registry.Policy{Mode: "Weekly", MinSeverity: "high", Types: []string{"infected-system"}, Channels: []string{"webhook", "email", "webhook"},
			WebhookURL: "https://hooks.example/v", RenotifyAfter: "72h"},
			notify.Policy{Mode: notify.Weekly, MinSeverity: finding.High, Types: []string{"infected-system"}, Channels: []notify.Channel{notify.Webhook, notify.Email},
				WebhookURL: "https://hooks.example/v", RenotifyAfter: 72 * time.Hour}, ""},
		{"immediate_keeps_default_rest", registry.Policy{Mode: "immediate"},
			notify.Policy{Mode: notify.Immediate, MinSeverity: def.MinSeverity, Channels: def.Channels, RenotifyAfter: def.RenotifyAfter}, ""},
		{"bad_mode", registry.Policy{Mode: "hourly"}, notify.Policy{}, "policy.mode"},
		{"bad_severity", registry.Policy{MinSeverity: "severe"}, notify.Policy{}, "policy.min_severity"},
		{"bad_channel", registry.Policy{Channels: []string{"sms"}}, notify.Policy{}, "policy.channels"},
		{"webhook_without_url", registry.Policy{Channels: []string{"webhook"}}, notify.Policy{}, "policy.webhook_url"},
		{"bad_duration", registry.Policy{RenotifyAfter: "a week"}, notify.Policy{}, "policy.renotify_after"},
		{"negative_duration", registry.Policy{RenotifyAfter: "-1h"}, notify.Policy{}, "policy.renotify_after"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := notify.Resolve(tc.org, def)
			if tc.wantErr != "" {
				var e *errs.Error
				if err == nil || errs.CodeOf(err) != errs.Invalid || !asErr(err, &e) || e.Field != tc.wantErr {
					t.Fatalf("Resolve error = %v; want invalid %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Resolve (-want +got):\n%s", diff)
			}
		})
	}
	// Resolve must not alias the default's slices.
	p, _ := notify.Resolve(registry.Policy{}, def)
	p.Channels[0] = notify.Webhook
	if def.Channels[0] != notify.Email {
		t.Error("Resolve shares the default's Channels")
	}
}
