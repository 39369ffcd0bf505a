// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"runtime/debug"
	"sync"
)

// matchGCPercent is the garbage collector's target (GOGC) while MatchAll
// holds every advisory compiled. Those stay live to the end of matching
// and are most of the heap, so with the default of 100 the short-lived
// garbage of matching a page lets the heap grow to twice their size
// before the next collection; at 25 it grows by a quarter. A collection
// then comes about four times as often, each marking the compiled
// advisories again: a few seconds of CPU on the 1M-component benchmark.
const matchGCPercent = 25

var gcTune struct {
	sync.Mutex
	users int // MatchAll calls running
	saved int // the percent before the first of them
}

// lowerGC lowers the GC target to matchGCPercent until the returned
// function is called (never raising it, and leaving it off when it is
// off). Calls may overlap: the last to finish restores the setting.
func lowerGC() (restore func()) {
	gcTune.Lock()
	defer gcTune.Unlock()
	if gcTune.users == 0 {
		gcTune.saved = debug.SetGCPercent(matchGCPercent)
		if gcTune.saved < matchGCPercent { // lower already, or off (-1)
			debug.SetGCPercent(gcTune.saved)
		}
	}
	gcTune.users++
	var once sync.Once
	return func() {
		once.Do(func() {
			gcTune.Lock()
			defer gcTune.Unlock()
			if gcTune.users--; gcTune.users == 0 {
				debug.SetGCPercent(gcTune.saved)
			}
		})
	}
}
