// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/app"
	"vigil/internal/notify"
	"vigil/internal/vuln"
)

func TestAdvisoryText(t *testing.T) {
	t.Parallel()
	sums := []app.AdvisorySummary{
		{File: "a.json", Records: 3, Rejected: 1, Refused: []string{"x.json: bad signature"}, Result: vuln.Result{New: 2, FindingsNew: 4}},
		{File: "b.json", Records: 1, Result: vuln.Result{Changed: 1, FindingsResolved: 1, RegradeError: "no keys"}},
	}
	var b strings.Builder
	if err := app.WriteAdvisoryText(&b, sums); err != nil {
		t.Fatal(err)
	}
	want := `a.json: 3 records, 1 rejected; advisories 2 new, 0 changed, 0 unchanged; 0 targets checked; findings 4 new, 0 updated, 0 resolved
  refused x.json: bad signature
b.json: 1 record, 0 rejected; advisories 0 new, 1 changed, 0 unchanged; 0 targets checked; findings 0 new, 0 updated, 1 resolved
  label regrade failed: no keys
total: 2 files; advisories 2 new, 1 changed, 0 unchanged; findings 4 new, 0 updated, 1 resolved
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("advisory text (-want +got):\n%s", diff)
	}
	b.Reset()
	if err := app.WriteAdvisoryText(&b, sums[:1]); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "total:") {
		t.Errorf("one file has no total line:\n%s", b.String())
	}
}

func TestNotifyRunText(t *testing.T) {
	t.Parallel()
	res := app.NotifyRunResult{DryRun: true, Composed: notify.ComposeResult{Notices: 2, Digests: 1, Events: 5,
		Outbox: map[notify.Channel]int{notify.Email: 2}, Held: 1}}
	var b strings.Builder
	if err := res.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if want := "would compose 2 notices (1 digest) from 5 events: 2 e-mail, 0 webhook; 1 item held for digests\n"; b.String() != want {
		t.Errorf("dry run:\n got %q\nwant %q", b.String(), want)
	}
	res.Composed.Orgs = []notify.OrgNotices{{OrgID: 7, Name: "Stadswerken", Notices: 2, Immediate: 1, Digests: 1, Items: 40, Folded: 3}}
	b.Reset()
	if err := res.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if want := "ORG  NAME         NOTICES  IMMEDIATE  DIGESTS  ITEMS  FOLDED\n7    Stadswerken  2        1          1        40     3\n"; !strings.HasSuffix(b.String(), want) {
		t.Errorf("dry run per organisation:\n got %q\nwant suffix %q", b.String(), want)
	}
	res.DryRun, res.Escalated, res.Delivery = false, 1, &notify.DeliverResult{Sent: 2}
	b.Reset()
	if err := res.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"composed 2 notices", "escalated 1 notice to", "1 notice to", "delivered: 2 sent, 0 to retry", "e-mail not configured"} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("run text lacks %q:\n%s", s, b.String())
		}
	}
}
