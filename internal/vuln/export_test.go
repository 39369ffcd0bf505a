// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

// SetPageSizes sets how many advisories, devices and components e's
// MatchAll reads at a time (tests make the pages small so that a data set
// spans many of them).
func SetPageSizes(e *Engine, advisories, devices, components int) {
	e.pages = pageSizes{advisories: advisories, devices: devices, components: components}
}
