// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package system

import (
	"strings"
	"testing"
	"time"
)

func TestPosture(t *testing.T) {
	p, bad := ParsePosture(strings.NewReader(`format: vigil-posture/1
product: {vendor: Acme, model: Cam 2}
support_end: 2031-12-31
latest_firmware: 1.4.2
fixes:
  - {advisory: CVE-2026-0001, published: 2026-03-01, fixed_in: 1.4.0, fixed: 2026-03-21}
  - {advisory: CVE-2026-0002, published: 2026-05-01, fixed_in: 1.4.1, fixed: 2026-06-30}
  - {advisory: CVE-2026-0003, published: 2026-08-01, fixed_in: 1.4.2, fixed: 2026-08-11}
`), "posture.yaml")
	if len(bad) > 0 {
		t.Fatal(bad)
	}
	fw := []FleetCount{{Value: "1.4.2", Count: 5}, {Value: "1.3.0", Count: 3}}
	if pf := postureFacts(p, fw); pf.LatestShare != 5.0/8 || pf.FixDays != 20 {
		t.Errorf("posture facts %+v; want share 5/8 and median 20 days", pf)
	}
	if pf := postureFacts(p, nil); pf.LatestShare != -1 {
		t.Errorf("without field data: share %v; want -1", pf.LatestShare)
	}
	_, bad = ParsePosture(strings.NewReader("format: vigil-posture/1\nproduct: {vendor: A, model: B}\nsupport_end: soon\nlatest_firmware: 1\nfixes: [{advisory: X, published: 2026-05-01, fixed: 2026-04-01}]\n"), "p.yaml")
	if len(bad) != 2 || bad[0].Error() != "p.yaml:3: support_end: not a date (YYYY-MM-DD)" || bad[1].Error() != "p.yaml:5: fixes[0].fixed: before the advisory was published" {
		t.Errorf("errors %v", bad)
	}
}

func TestTestReportExpiry(t *testing.T) {
	for _, tc := range []struct {
		kind, date string
		want       time.Time
	}{
		{"pentest", "2026-01-10", time.Date(2027, 1, 10, 0, 0, 0, 0, time.UTC)},
		{"monitoring", "2026-01-10", time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC)},
	} {
		if got := (TestReport{Kind: tc.kind, Date: tc.date}).Expires(); !got.Equal(tc.want) {
			t.Errorf("%s of %s expires %s; want %s", tc.kind, tc.date, got, tc.want)
		}
	}
	_, bad := ParseTestReport(strings.NewReader("format: vigil-tests/1\nproduct: {vendor: A, model: B}\nkind: audit\nlab: L\ndate: 2026-01-10\nitems: [{id: X, result: maybe}]\n"), "t.yaml", nil)
	if len(bad) != 2 || bad[0].Field != "kind" || bad[1].Field != "items[0].result" || bad[1].Line != 6 {
		t.Errorf("errors %v", bad)
	}
}
