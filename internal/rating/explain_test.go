// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package rating_test

import (
	"testing"
	"time"

	"vigil/internal/assess"
	"vigil/internal/rating"
)

func TestExplain(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	base := assess.ScoreInput{Mandatory: assess.Tally{Met: 30, Total: 30}, Recommended: assess.Tally{Met: 30, Total: 30}, SupportEnd: now.AddDate(5, 0, 0), Now: now}
	rate := func(f func(in *assess.ScoreInput)) assess.Score {
		in := base
		f(&in)
		return assess.Rate(in)
	}
	clean := rate(func(*assess.ScoreInput) {})
	kev := rate(func(in *assess.ScoreInput) {
		in.KEV, in.Critical = []string{"CVE-2024-3400"}, []string{"CVE-2024-3400"}
	})
	tests := []struct {
		name     string
		old, cur assess.Score
		vulns    []assess.Vuln
		want     string
	}{
		{"kev_added_two_components", clean, kev,
			[]assess.Vuln{{ID: "CVE-2024-3400", Component: "openssl@1.1.1k", KEV: true}, {ID: "CVE-2024-3400", Component: "libssl@1.1.1k", KEV: true}},
			"CVE-2024-3400 added to KEV affects components openssl@1.1.1k, libssl@1.1.1k"},
		{"critical_no_component", clean, rate(func(in *assess.ScoreInput) { in.Critical = []string{"CVE-2025-0001"} }), nil,
			"CVE-2025-0001 (critical)"},
		{"high_added", clean, rate(func(in *assess.ScoreInput) { in.High = []string{"CVE-2025-0002"} }),
			[]assess.Vuln{{ID: "CVE-2025-0002", Component: "busybox@1.19.4", Severity: assess.High}},
			"CVE-2025-0002 (high) affects component busybox@1.19.4"},
		{"fixed", kev, clean, nil, "CVE-2024-3400 no longer open"},
		{"support_ended", clean, rate(func(in *assess.ScoreInput) { in.SupportEnd = now }), nil,
			"support (cap F): security-update support ended 2026-11-22"},
		{"same_facts", clean, clean, nil, "grade A → A under vigil-grade/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := rating.Explain(tt.old, tt.cur, tt.vulns); got != tt.want {
				t.Errorf("Explain = %q\nwant      %q", got, tt.want)
			}
		})
	}
}
