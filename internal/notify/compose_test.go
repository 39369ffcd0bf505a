// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/finding"
	"vigil/internal/notify"
	"vigil/internal/registry"
)

func TestNextDigest(t *testing.T) {
	t.Parallel()
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		ams = time.FixedZone("CEST", 2*3600)
	}
	mon := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC) // Monday
	tests := []struct {
		name string
		mode notify.Mode
		at   time.Time
		loc  *time.Location
		want time.Time
	}{
		{"daily_after_hour_goes_next_day", notify.Daily, mon, time.UTC, time.Date(2025, 6, 3, 6, 0, 0, 0, time.UTC)},
		{"daily_before_hour_goes_same_day", notify.Daily, time.Date(2025, 6, 2, 5, 59, 0, 0, time.UTC), time.UTC, time.Date(2025, 6, 2, 6, 0, 0, 0, time.UTC)},
		{"daily_exactly_at_hour_goes_next_day", notify.Daily, time.Date(2025, 6, 2, 6, 0, 0, 0, time.UTC), time.UTC, time.Date(2025, 6, 3, 6, 0, 0, 0, time.UTC)},
		{"weekly_goes_next_monday", notify.Weekly, mon, time.UTC, time.Date(2025, 6, 9, 6, 0, 0, 0, time.UTC)},
		{"weekly_sunday_goes_next_day", notify.Weekly, time.Date(2025, 6, 8, 23, 0, 0, 0, time.UTC), time.UTC, time.Date(2025, 6, 9, 6, 0, 0, 0, time.UTC)},
		{"immediate_is_now", notify.Immediate, mon, time.UTC, mon},
		{"local_time_zone", notify.Daily, mon, ams, time.Date(2025, 6, 3, 6, 0, 0, 0, ams)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := notify.NextDigest(tc.mode, tc.at, 6, tc.loc); !got.Equal(tc.want) {
				t.Errorf("NextDigest = %v; want %v", got, tc.want)
			}
		})
	}
}

// planFixture builds batches from real Shadowserver rows.
type planFixture struct {
	items []notify.Item
	orgs  map[int64]notify.OrgInput
}

func newPlanFixture(t testing.TB) *planFixture {
	items := corpusItems(t, "2025-06-01-scan_exchange-vigil_test-asn.csv", "scan_exchange", "Vulnerable Exchange servers", "vulnerable-system")
	bounced := time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	return &planFixture{items: items, orgs: map[int64]notify.OrgInput{
		1: {ID: 1, Name: "Ziekenhuis Midden", Languages: []string{"nl"}, Policy: registry.Policy{Mode: "immediate"},
			Contacts: []registry.Contact{{ID: 11, OrgID: 1, Email: "csirt@ziekenhuis.example", Role: "security", Lang: "nl-NL"},
				{ID: 12, OrgID: 1, Email: "old@ziekenhuis.example", Role: "security", Bounced: &bounced},
				{ID: 13, OrgID: 1, Email: "board@ziekenhuis.example", Role: "management"}}},
		2: {ID: 2, Name: "Fabriek Zuid", Languages: []string{"de", "en"}, Policy: registry.Policy{Mode: "daily"},
			Contacts: []registry.Contact{{ID: 21, OrgID: 2, Email: "it@fabriek.example", Role: "technical"}}},
		3: {ID: 3, Name: "Broken Policy", Policy: registry.Policy{Mode: "hourly"},
			Contacts: []registry.Contact{{ID: 31, OrgID: 3, Email: "sec@broken.example", Role: "security", Lang: "en"}}},
		4: {ID: 4, Name: "Weekly Org", Policy: registry.Policy{Mode: "weekly", Channels: []string{"webhook"}, WebhookURL: "https://hooks.weekly.example/in"}},
	}}
}

func (f *planFixture) event(id, org int64, item int, kind finding.EventKind, sev finding.Severity) notify.EventInput {
	it := f.items[item]
	fd := finding.Finding{ID: it.FindingID, OrgID: org, Trigger: it.Trigger, TriggerID: 5, Type: it.Type, ReportType: it.ReportType, Key: it.Key,
		IP: it.IP, Port: it.Port, Severity: sev, FirstSeen: it.FirstSeen, LastSeen: it.LastSeen, Count: it.Count, Evidence: it.Evidence}
	return notify.EventInput{Event: finding.Event{ID: id, FindingID: it.FindingID, OrgID: org, Kind: kind, Severity: sev},
		Finding: fd, Trigger: finding.Trigger{ID: 5, Name: it.Trigger, Title: it.TriggerTitle, Kind: "feed"}}
}

// summary is a compact view of a plan for comparisons.
type planSummary struct {
	Notices []noticeSummary
	Held    []int64 // finding ids of held items
	Skipped map[notify.Reason]int
	Probs   int
}

type noticeSummary struct {
	Org      int64
	Kind     notify.Kind
	Severity finding.Severity
	Findings []int64
	Pending  []int64
	To       []string
}

func summarize(p *notify.Plan) planSummary {
	s := planSummary{Skipped: p.Skipped, Probs: len(p.Problems)}
	for _, n := range p.Notices {
		ns := noticeSummary{Org: n.OrgID, Kind: n.Content.Kind, Severity: n.Content.Severity, Pending: n.Pending}
		for _, it := range n.Content.Items {
			ns.Findings = append(ns.Findings, it.FindingID)
		}
		for _, d := range n.Deliveries {
			ns.To = append(ns.To, string(d.Channel)+":"+d.Recipient+":"+d.Lang)
		}
		s.Notices = append(s.Notices, ns)
	}
	for _, it := range p.Items {
		if it.Notice < 0 {
			s.Held = append(s.Held, it.FindingID)
		}
	}
	return s
}

func TestPlanBatch(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	mon := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	cfg := notify.PlanConfig{Default: notify.DefaultPolicy(), DigestHour: 6, Languages: []string{"en", "nl"}}
	pending := func(id, org int64, item int, created time.Time) notify.PendingItem {
		return notify.PendingItem{ID: id, OrgID: org, Created: created, Item: f.items[item]}
	}
	tests := []struct {
		name  string
		batch notify.Batch
		want  planSummary
	}{
		{
			name: "immediate_org_gets_one_notice_for_the_batch",
			batch: notify.Batch{Now: mon, Orgs: f.orgs, Events: []notify.EventInput{
				f.event(1, 1, 0, finding.EventNew, finding.High), f.event(2, 1, 1, finding.EventNew, finding.Critical)}},
			want: planSummary{Notices: []noticeSummary{{Org: 1, Kind: notify.KindImmediate, Severity: finding.Critical,
				Findings: []int64{2, 1}, To: []string{"email:csirt@ziekenhuis.example:nl"}}}, Skipped: map[notify.Reason]int{}},
		},
		{
			name: "daily_org_holds_high_sends_critical",
			batch: notify.Batch{Now: mon, Orgs: f.orgs, Events: []notify.EventInput{
				f.event(1, 2, 0, finding.EventNew, finding.High), f.event(2, 2, 1, finding.EventNew, finding.Critical)}},
			want: planSummary{Notices: []noticeSummary{{Org: 2, Kind: notify.KindImmediate, Severity: finding.Critical,
				Findings: []int64{2}, To: []string{"email:it@fabriek.example:en"}}}, Held: []int64{1}, Skipped: map[notify.Reason]int{}},
		},
		{
			name: "daily_digest_due_bundles_held_and_new",
			batch: notify.Batch{Now: mon, Orgs: f.orgs,
				Events:  []notify.EventInput{f.event(3, 2, 2, finding.EventNew, finding.Medium)},
				Pending: []notify.PendingItem{pending(90, 2, 0, mon.Add(-20*time.Hour)), pending(91, 2, 1, mon.Add(-time.Hour))}},
			want: planSummary{Notices: []noticeSummary{{Org: 2, Kind: notify.KindDigest, Severity: finding.Critical,
				Findings: []int64{2, 1, 3}, Pending: []int64{90, 91}, To: []string{"email:it@fabriek.example:en"}}}, Skipped: map[notify.Reason]int{}},
		},
		{
			name: "daily_digest_not_yet_due",
			batch: notify.Batch{Now: mon, Orgs: f.orgs,
				Events:  []notify.EventInput{f.event(3, 2, 2, finding.EventNew, finding.Medium)},
				Pending: []notify.PendingItem{pending(90, 2, 0, mon.Add(-3*time.Hour))}},
			want: planSummary{Held: []int64{3}, Skipped: map[notify.Reason]int{}},
		},
		{
			name: "weekly_digest_due_on_monday_to_the_webhook",
			batch: notify.Batch{Now: mon, Orgs: f.orgs,
				Pending: []notify.PendingItem{pending(80, 4, 3, mon.Add(-5*24*time.Hour))}},
			want: planSummary{Notices: []noticeSummary{{Org: 4, Kind: notify.KindDigest, Severity: f.items[3].Severity,
				Findings: []int64{4}, Pending: []int64{80}, To: []string{"webhook:https://hooks.weekly.example/in:en"}}}, Skipped: map[notify.Reason]int{}},
		},
		{
			name: "same_finding_twice_in_a_batch_is_one_item",
			batch: notify.Batch{Now: mon, Orgs: f.orgs, Events: []notify.EventInput{
				f.event(1, 1, 0, finding.EventNew, finding.Medium), f.event(2, 1, 0, finding.EventSeverityUp, finding.Critical)}},
			want: planSummary{Notices: []noticeSummary{{Org: 1, Kind: notify.KindImmediate, Severity: finding.Critical,
				Findings: []int64{1}, To: []string{"email:csirt@ziekenhuis.example:nl"}}}, Skipped: map[notify.Reason]int{}},
		},
		{
			name: "quiet_interval_from_an_earlier_batch",
			batch: notify.Batch{Now: mon, Orgs: f.orgs, Prior: map[int64]notify.Prior{1: {At: mon.Add(-time.Hour), Severity: finding.High}},
				Events: []notify.EventInput{f.event(1, 1, 0, finding.EventReopened, finding.High), f.event(2, 1, 0, finding.EventResolved, finding.High)}},
			want: planSummary{Skipped: map[notify.Reason]int{notify.ReasonQuiet: 1, notify.ReasonResolved: 1}},
		},
		{
			name: "invalid_policy_falls_back_to_default",
			batch: notify.Batch{Now: mon, Orgs: f.orgs, Events: []notify.EventInput{
				f.event(1, 3, 0, finding.EventNew, finding.Critical), f.event(2, 3, 1, finding.EventNew, finding.Low)}},
			want: planSummary{Notices: []noticeSummary{{Org: 3, Kind: notify.KindImmediate, Severity: finding.Critical,
				Findings: []int64{1}, To: []string{"email:sec@broken.example:en"}}}, Held: []int64{2}, Skipped: map[notify.Reason]int{}, Probs: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := tc.batch
			got := summarize(notify.PlanBatch(&b, cfg))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRecipients(t *testing.T) {
	t.Parallel()
	f := newPlanFixture(t)
	def := notify.DefaultPolicy()
	got := notify.Recipients(f.orgs[1], def, []string{"en", "nl"})
	want := []notify.Delivery{{Channel: notify.Email, Recipient: "csirt@ziekenhuis.example", ContactID: 11, Lang: "nl"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("preferred, unbounced contacts (-want +got):\n%s", diff)
	}
	// Without a usable security contact, the others get it.
	o := f.orgs[1]
	o.Contacts = o.Contacts[1:]
	got = notify.Recipients(o, def, []string{"en", "nl"})
	want = []notify.Delivery{{Channel: notify.Email, Recipient: "board@ziekenhuis.example", ContactID: 13, Lang: "nl"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fallback contacts (-want +got):\n%s", diff)
	}
}
