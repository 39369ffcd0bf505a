// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package probe

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestWriteTextNoReachableService: a probe where no port answered says
// so as its own outcome, not "0 weaknesses"; one open port is a probe.
func TestWriteTextNoReachableService(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		ports []PortState
		want  string
	}{
		{[]PortState{{23, TCP, Telnet, Filtered}, {80, TCP, HTTP, Closed}}, "no reachable service (1 of 2 ports closed, the others filtered): nothing could be checked"},
		{[]PortState{{23, TCP, Telnet, Filtered}, {80, TCP, HTTP, Open}}, "0 weaknesses"},
	} {
		r := Report{Target: "192.0.2.7", Address: netip.MustParseAddr("192.0.2.7"), Started: at, Finished: at.Add(time.Second), Ports: c.ports}
		r.NoReachableService = !strings.Contains(c.want, "weaknesses")
		var b strings.Builder
		if err := r.WriteText(&b); err != nil || !strings.Contains(b.String(), c.want) {
			t.Errorf("WriteText = %q, %v; want %q", b.String(), err, c.want)
		}
	}
}
