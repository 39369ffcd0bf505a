// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify_test

import (
	"testing"
	"time"

	"vigil/internal/finding"
	"vigil/internal/notify"
)

func TestDecide(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	week := 7 * 24 * time.Hour
	pol := notify.Policy{Mode: notify.Daily, MinSeverity: finding.Medium, RenotifyAfter: week, Channels: []notify.Channel{notify.Email}}
	only := pol
	only.Types = []string{"infected-system"}
	prior := func(ago time.Duration, sev finding.Severity) *notify.Prior {
		return &notify.Prior{At: now.Add(-ago), Severity: sev}
	}
	ev := func(k finding.EventKind, s finding.Severity) finding.Event {
		return finding.Event{ID: 1, FindingID: 7, OrgID: 3, Kind: k, Severity: s, At: now}
	}
	tests := []struct {
		name  string
		ev    finding.Event
		typ   string
		pol   notify.Policy
		prior *notify.Prior
		want  notify.Decision
	}{
		{"new_finding_notifies", ev(finding.EventNew, finding.High), "vulnerable-system", pol, nil, notify.Decision{Notify: true, Reason: notify.ReasonNew}},
		{"new_at_min_severity", ev(finding.EventNew, finding.Medium), "vulnerable-system", pol, nil, notify.Decision{Notify: true, Reason: notify.ReasonNew}},
		{"new_below_min_severity", ev(finding.EventNew, finding.Low), "vulnerable-system", pol, nil, notify.Decision{Reason: notify.ReasonBelowMin}},
		{"unknown_severity_counts_as_medium", ev(finding.EventNew, finding.Unknown), "vulnerable-system", pol, nil, notify.Decision{Notify: true, Reason: notify.ReasonNew}},
		{"type_not_in_policy", ev(finding.EventNew, finding.Critical), "vulnerable-system", only, nil, notify.Decision{Reason: notify.ReasonTypeFiltered}},
		{"type_in_policy", ev(finding.EventNew, finding.High), "infected-system", only, nil, notify.Decision{Notify: true, Reason: notify.ReasonNew}},
		{"resolved_never_notifies", ev(finding.EventResolved, finding.Critical), "vulnerable-system", pol, nil, notify.Decision{Reason: notify.ReasonResolved}},
		{"unknown_event_kind", ev("merged", finding.Critical), "vulnerable-system", pol, nil, notify.Decision{Reason: notify.ReasonUnknownEvent}},
		{"reopened_after_quiet_interval", ev(finding.EventReopened, finding.High), "vulnerable-system", pol, prior(8*24*time.Hour, finding.High), notify.Decision{Notify: true, Reason: notify.ReasonReopened}},
		{"reopened_inside_quiet_interval", ev(finding.EventReopened, finding.High), "vulnerable-system", pol, prior(2*24*time.Hour, finding.High), notify.Decision{Reason: notify.ReasonQuiet}},
		{"reopened_exactly_at_interval_end", ev(finding.EventReopened, finding.High), "vulnerable-system", pol, prior(week, finding.High), notify.Decision{Notify: true, Reason: notify.ReasonReopened}},
		{"reopened_higher_inside_interval", ev(finding.EventReopened, finding.Critical), "vulnerable-system", pol, prior(time.Hour, finding.High), notify.Decision{Notify: true, Reason: notify.ReasonReopened}},
		{"severity_rise_inside_interval", ev(finding.EventSeverityUp, finding.Critical), "vulnerable-system", pol, prior(time.Hour, finding.High), notify.Decision{Notify: true, Reason: notify.ReasonSeverityUp}},
		{"severity_rise_not_above_last_notice", ev(finding.EventSeverityUp, finding.High), "vulnerable-system", pol, prior(time.Hour, finding.High), notify.Decision{Reason: notify.ReasonQuiet}},
		{"severity_rise_over_min_first_notice", ev(finding.EventSeverityUp, finding.Medium), "vulnerable-system", pol, nil, notify.Decision{Notify: true, Reason: notify.ReasonSeverityUp}},
		{"severity_rise_still_below_min", ev(finding.EventSeverityUp, finding.Low), "vulnerable-system", pol, nil, notify.Decision{Reason: notify.ReasonBelowMin}},
		{"zero_interval_always_renotifies", ev(finding.EventReopened, finding.High), "vulnerable-system", notify.Policy{MinSeverity: finding.Info}, prior(0, finding.High), notify.Decision{Notify: true, Reason: notify.ReasonReopened}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := notify.Decide(tc.ev, tc.typ, tc.pol, tc.prior, now); got != tc.want {
				t.Errorf("Decide = %+v; want %+v", got, tc.want)
			}
		})
	}
}
