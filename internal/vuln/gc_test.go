// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
)

// TestPaceGC checks the collector's settings while MatchAll paces it and
// that they are restored after: by the budget (a memory limit, GOGC at least
// 400), by the low target (no budget), an operator's lower limit and a
// collector that is off kept, and the fallback when the live heap is
// over four fifths of the budget.
func TestPaceGC(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name         string
		percent      int   // GOGC before
		limit        int64 // memory limit before
		budget       int64
		wantPercent  int
		wantLimit    int64
		fallback     bool // the budget is below the live heap
		fallPercent  int
		fallLimit    int64
		wantFellBack bool
	}{
		{name: "budget", percent: 100, limit: math.MaxInt64, budget: 850 * mib, wantPercent: 400, wantLimit: 850 * mib},
		{name: "budget raises a low target", percent: 50, limit: math.MaxInt64, budget: 850 * mib, wantPercent: 400, wantLimit: 850 * mib},
		{name: "budget keeps a higher target", percent: 800, limit: math.MaxInt64, budget: 850 * mib, wantPercent: 800, wantLimit: 850 * mib},
		{name: "operator's lower limit kept", percent: 100, limit: 500 * mib, budget: 850 * mib, wantPercent: 400, wantLimit: 500 * mib},
		{name: "collector off stays off", percent: -1, limit: math.MaxInt64, budget: 850 * mib, wantPercent: -1, wantLimit: 850 * mib},
		{name: "no budget: low target", percent: 100, limit: math.MaxInt64, budget: 0, wantPercent: 25, wantLimit: math.MaxInt64},
		{name: "no budget: a lower target kept", percent: 10, limit: math.MaxInt64, budget: 0, wantPercent: 10, wantLimit: math.MaxInt64},
		{name: "budget under the live heap: fallback", percent: 100, limit: math.MaxInt64, budget: 1, wantPercent: 400, wantLimit: 1,
			fallback: true, wantFellBack: true, fallPercent: 25, fallLimit: math.MaxInt64},
		{name: "fallback keeps the collector off", percent: -1, limit: math.MaxInt64, budget: 1, wantPercent: -1, wantLimit: 1,
			fallback: true, wantFellBack: true, fallPercent: -1, fallLimit: math.MaxInt64},
		{name: "no fallback within the budget", percent: 100, limit: math.MaxInt64, budget: 1 << 40, wantPercent: 400, wantLimit: 1 << 40,
			fallback: true, fallPercent: 400, fallLimit: 1 << 40},
	}
	percent0, limit0 := debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetGCPercent(percent0); debug.SetMemoryLimit(limit0) })
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetGCPercent(tc.percent)
			debug.SetMemoryLimit(tc.limit)
			// Settings are read back by setting them to what they are.
			settings := func() (int, int64) {
				p := debug.SetGCPercent(-1)
				debug.SetGCPercent(p)
				return p, debug.SetMemoryLimit(-1)
			}
			p := paceGC(tc.budget)
			if gotP, gotL := settings(); gotP != tc.wantPercent || gotL != tc.wantLimit {
				p.restore()
				t.Fatalf("paced: GOGC %d, limit %d; want %d, %d", gotP, gotL, tc.wantPercent, tc.wantLimit)
			}
			// A second MatchAll at the same time changes nothing and does
			// not restore.
			p2 := paceGC(tc.budget)
			p2.restore()
			p2.restore()
			if gotP, gotL := settings(); gotP != tc.wantPercent || gotL != tc.wantLimit {
				p.restore()
				t.Fatalf("after an overlapping call: GOGC %d, limit %d; want %d, %d", gotP, gotL, tc.wantPercent, tc.wantLimit)
			}
			if tc.fallback {
				runtime.GC() // the live heap is known after a collection
				fell, live := p.check()
				if fell != tc.wantFellBack || live == 0 {
					p.restore()
					t.Fatalf("check: fell back %v (live %d); want %v", fell, live, tc.wantFellBack)
				}
				if gotP, gotL := settings(); gotP != tc.fallPercent || gotL != tc.fallLimit {
					p.restore()
					t.Fatalf("after check: GOGC %d, limit %d; want %d, %d", gotP, gotL, tc.fallPercent, tc.fallLimit)
				}
			}
			p.restore()
			if gotP, gotL := settings(); gotP != tc.percent || gotL != tc.limit {
				t.Errorf("restored: GOGC %d, limit %d; want %d, %d", gotP, gotL, tc.percent, tc.limit)
			}
		})
	}
}
