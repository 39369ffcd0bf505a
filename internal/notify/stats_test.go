// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/notify"
)

func TestComputeStats(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	at := func(h float64) *time.Time { x := t0.Add(time.Duration(h * float64(time.Hour))); return &x }
	rows := []notify.StatRow{
		// Notice 1 (org 1) spans two triggers; sent, acked after 2 h.
		{NoticeID: 1, OrgID: 1, Trigger: "scan_exchange", Created: t0, Sent: true, FirstSent: at(0), AckedAt: at(2), ResolvedAt: at(24)},
		{NoticeID: 1, OrgID: 1, Trigger: "event4_sinkhole_http", Created: t0, Sent: true, FirstSent: at(0), AckedAt: at(2), ResolvedAt: nil},
		// Notice 2 (org 1 again), acked after 6 h, resolved after 48 h.
		{NoticeID: 2, OrgID: 1, Trigger: "scan_exchange", Created: t0.Add(24 * time.Hour), Sent: true, FirstSent: at(24), AckedAt: at(30), ResolvedAt: at(72)},
		// Notice 3 (org 2): every delivery dead.
		{NoticeID: 3, OrgID: 2, Trigger: "scan_exchange", Created: t0.Add(24 * time.Hour), Failed: true, Folded: 2},
		// Notice 4: an unregistered contact, sent, acked after 1 h.
		{NoticeID: 4, Trigger: "scan_exchange", Created: t0.Add(8 * 24 * time.Hour), Sent: true, FirstSent: at(192), AckedAt: at(193)},
	}
	f := func(x float64) *float64 { return &x }
	got := notify.ComputeStats(rows, time.Time{}, notify.PeriodWeek)
	want := notify.Stats{
		Overall: notify.Figures{OrgsWarned: 2, Notices: 4, Sent: 3, Failed: 1, Acknowledged: 3, Resolved: 1, Folded: 2,
			MedianAckSeconds: f(2 * 3600), MedianResolveSeconds: f(48 * 3600)},
		Triggers: []notify.Figures{
			{Trigger: "event4_sinkhole_http", OrgsWarned: 1, Notices: 1, Sent: 1, Acknowledged: 1, MedianAckSeconds: f(2 * 3600)},
			{Trigger: "scan_exchange", OrgsWarned: 2, Notices: 4, Sent: 3, Failed: 1, Acknowledged: 3, Resolved: 2, Folded: 2,
				MedianAckSeconds: f(2 * 3600), MedianResolveSeconds: f(36 * 3600)},
		},
		Periods: []notify.Figures{
			{Period: "2025-W23", OrgsWarned: 1, Notices: 3, Sent: 2, Failed: 1, Acknowledged: 2, Resolved: 1, Folded: 2, MedianAckSeconds: f(4 * 3600), MedianResolveSeconds: f(48 * 3600)},
			{Period: "2025-W24", OrgsWarned: 1, Notices: 1, Sent: 1, Acknowledged: 1, MedianAckSeconds: f(3600)},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ComputeStats (-want +got):\n%s", diff)
	}
	if empty := notify.ComputeStats(nil, t0, notify.PeriodNone); empty.Overall.Notices != 0 || empty.Since == nil || empty.Overall.MedianAckSeconds != nil {
		t.Errorf("empty stats = %+v", empty)
	}
}

// TestStatsText checks the table `vigil stats` prints: a row per trigger,
// the overall row, a row per period, medians to the minute or "-".
func TestStatsText(t *testing.T) {
	t.Parallel()
	ack := 5400.0 + 29 // rounds to 1h30m
	st := notify.Stats{
		Overall:  notify.Figures{OrgsWarned: 2, Notices: 3, Sent: 3, Acknowledged: 1, MedianAckSeconds: &ack},
		Triggers: []notify.Figures{{Trigger: "open-rdp", OrgsWarned: 2, Notices: 3, Sent: 3, Acknowledged: 1, MedianAckSeconds: &ack}},
		Periods:  []notify.Figures{{Period: "2025-W23", Notices: 3, Failed: 1, Folded: 4}},
	}
	var b strings.Builder
	if err := st.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `TRIGGER   ORGS WARNED  NOTICES  SENT  FAILED  UNDELIVERABLE  ACKNOWLEDGED  RESOLVED  MEDIAN ACK  MEDIAN RESOLVE  FOLDED BY CAP
open-rdp  2            3        3     0       0              1             0         1h30m0s     -               0
(all)     2            3        3     0       0              1             0         1h30m0s     -               0
2025-W23  0            3        0     1       0              0             0         -           -               4
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("stats text (-want +got):\n%s", diff)
	}
}
