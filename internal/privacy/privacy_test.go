// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package privacy

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestNormalize(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{" Anna@Ziekenhuis.Example ", "anna@ziekenhuis.example", true},
		{"soc+cert@gemeente.example", "soc+cert@gemeente.example", true},
		{"not an address", "", false},
		{"@gemeente.example", "", false},
		{"anna@", "", false},
		{"Anna <anna@z.example>", "", false},
	} {
		got, err := Normalize(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("Normalize(%q) = %q, %v", c.in, got, err)
		}
	}
}

func TestPseudonymAndRef(t *testing.T) {
	a, err := NewPseudonym()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewPseudonym()
	if a == b || !strings.HasSuffix(a, "@erased.invalid") {
		t.Errorf("pseudonyms %q, %q", a, b)
	}
	if r := Ref("anna@z.example"); r != Ref("anna@z.example") || strings.Contains(r, "anna") || r == Ref("bram@z.example") {
		t.Errorf("Ref: %q", r)
	}
}

func TestCutoffsAt(t *testing.T) {
	now := time.Date(2026, 12, 6, 14, 0, 0, 0, time.UTC)
	c := CutoffsAt(now, 30, 0, 1, 365)
	want := Cutoffs{Notices: time.Date(2026, 11, 6, 14, 0, 0, 0, time.UTC), Bounces: time.Date(2026, 12, 5, 14, 0, 0, 0, time.UTC),
		Audit: time.Date(2025, 12, 6, 14, 0, 0, 0, time.UTC)}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("CutoffsAt = %+v, want %+v", c, want)
	}
}

// TestNoticesBefore: an organisation's notices are purged before the
// earlier of the retention cutoff and the start of its quiet interval.
func TestNoticesBefore(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 12, d, 0, 0, 0, 0, time.UTC) }
	c := Cutoffs{Notices: day(10), NoticesOrg: map[int64]time.Time{Unregistered: day(3), 7: day(1), 8: day(20)}}
	for _, tc := range []struct {
		c    Cutoffs
		org  int64
		want time.Time
	}{
		{c, 7, day(1)},            // a quiet interval longer than the retention
		{c, 8, day(10)},           // shorter: the retention
		{c, 9, day(10)},           // none given: the retention
		{c, Unregistered, day(3)}, // the notices without an organisation
		{Cutoffs{NoticesOrg: c.NoticesOrg}, 7, time.Time{}}, // notices kept
	} {
		if got := tc.c.NoticesBefore(tc.org); !got.Equal(tc.want) {
			t.Errorf("NoticesBefore(%d) = %v, want %v", tc.org, got, tc.want)
		}
	}
}
