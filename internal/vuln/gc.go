// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// DefaultMatchMemory is the memory budget of a full re-match (see
// Options.MatchMemory): 900 MiB, which keeps the whole process of the
// vulnerability benchmark (150,000 advisories, 1,000,000 components) under
// 1 GiB of resident memory.
const DefaultMatchMemory int64 = 900 << 20

// MatchAll holds every advisory compiled while it matches: those stay live
// to the end and are most of the heap, and every collection marks them
// again. Two ways of pacing the collector meanwhile:
//
//   - paced by a budget (the default): a soft memory limit
//     (debug.SetMemoryLimit) at the budget, with the collector's target
//     (GOGC) at least pacedGCPercent, so that a collection comes only when
//     the heap nears the budget, not each time it has grown by a quarter.
//     The high target also spares the collections of the compiling, while
//     the compiled advisories grow from nothing to most of the heap: at 25
//     every quarter of growth marked them all again (60 collections on
//     the benchmark, against 11 while matching); the budget bounds what
//     the high target lets the heap grow to;
//   - by a low target: GOGC at matchGCPercent, so the short-lived garbage of
//     matching lets the heap grow by a quarter over what is live (not
//     twice it, as at the default of 100). This is the fallback when the
//     live heap comes near the budget: under a memory limit the collector
//     would then run nearly all the time.
const (
	matchGCPercent = 25
	pacedGCPercent = 400
	// budgetHeadroom: the live heap may use at most this share of the
	// budget (in fifths) before MatchAll falls back to the low target.
	budgetHeadroom = 4
)

var gcTune struct {
	sync.Mutex
	users        int   // MatchAll calls running
	savedPercent int   // GOGC before the first of them
	savedLimit   int64 // the memory limit before the first of them
	limit        int64 // the memory limit while paced by a budget; 0: by the low target
}

// gcPacing is one MatchAll's pacing of the collector (see paceGC).
type gcPacing struct {
	once sync.Once
}

// paceGC paces the collector for a MatchAll with a memory budget in bytes
// (0 or less: by the low target) until restore is called. An operator's
// lower memory limit is kept, and so is a collector that is off (GOGC=off).
// Calls may overlap: the first sets the pacing, the last to finish
// restores the settings as they were before it.
func paceGC(budget int64) *gcPacing {
	gcTune.Lock()
	defer gcTune.Unlock()
	if gcTune.users == 0 {
		gcTune.savedPercent = debug.SetGCPercent(matchGCPercent)
		gcTune.savedLimit = debug.SetMemoryLimit(-1) // reads it
		gcTune.limit = 0
		if budget > 0 {
			gcTune.limit = min(budget, gcTune.savedLimit)
			debug.SetMemoryLimit(gcTune.limit)
			debug.SetGCPercent(max(gcTune.savedPercent, pacedGCPercent))
		}
		if gcTune.savedPercent < 0 { // off: it stays off
			debug.SetGCPercent(gcTune.savedPercent)
		} else if gcTune.limit == 0 && gcTune.savedPercent < matchGCPercent {
			debug.SetGCPercent(gcTune.savedPercent)
		}
	}
	gcTune.users++
	return &gcPacing{}
}

// check falls back to the low target when the heap found live at the last
// collection takes more than four fifths of the budget (the collector
// would otherwise run almost continuously near the limit). It reports
// whether it fell back now. Call it between pages: it reads one runtime
// metric.
func (*gcPacing) check() (fellBack bool, live uint64) {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return false, 0
	}
	live = s[0].Value.Uint64()
	gcTune.Lock()
	defer gcTune.Unlock()
	if gcTune.limit == 0 || live <= uint64(gcTune.limit)/5*budgetHeadroom {
		return false, live
	}
	gcTune.limit = 0
	debug.SetMemoryLimit(gcTune.savedLimit)
	if gcTune.savedPercent >= 0 {
		debug.SetGCPercent(min(gcTune.savedPercent, matchGCPercent))
	}
	return true, live
}

// restore ends this pacing; the last of the overlapping ones puts back the
// collector's target and memory limit. Calls after the first do nothing.
func (p *gcPacing) restore() {
	p.once.Do(func() {
		gcTune.Lock()
		defer gcTune.Unlock()
		if gcTune.users--; gcTune.users == 0 {
			debug.SetGCPercent(gcTune.savedPercent)
			debug.SetMemoryLimit(gcTune.savedLimit)
			gcTune.limit = 0
		}
	})
}
