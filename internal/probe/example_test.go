// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package probe_test

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"vigil/internal/probe"
	"vigil/internal/probe/fakedevice"
)

// Probe a lab device from an explicit allow-list and list its critical
// and high findings with the EN 303 645 provisions they evidence.
func ExampleRun() {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	dev, err := fakedevice.StartWeak(now)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer dev.Close()

	rep, err := probe.Run(context.Background(), probe.Target{Host: dev.Host}, probe.Options{
		Allow:          probe.AllowPrefixes(netip.MustParsePrefix("127.0.0.0/8")), // --lab 127.0.0.0/8
		Ports:          dev.Ports(),                                               // services on random loopback ports
		ConnsPerSecond: 500,
		Burst:          10,
		Budget:         30 * time.Second,
		ConnTimeout:    3 * time.Second,
		UDPWait:        time.Second,
		Now:            func() time.Time { return now },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	var lines []string
	for _, r := range rep.Failed() {
		if r.Severity == probe.Critical || r.Severity == probe.High {
			lines = append(lines, fmt.Sprintf("%-6s %-19s %-8s %s", r.Service, r.Check, r.Severity, strings.Join(r.Provisions, ",")))
		}
	}
	slices.Sort(lines)
	fmt.Println(strings.Join(lines, "\n"))
	// Output:
	// ftp    cleartext-protocol  high     5.5-1,5.1-3
	// ftp    ftp-anonymous       high     5.5-4
	// http   default-credentials critical 5.1-1
	// http   default-credentials critical 5.1-1
	// https  default-credentials critical 5.1-1
	// https  tls-1.0             high     5.5-1
	// https  tls-weak-cipher     high     5.5-1
	// mqtt   mqtt-anonymous      high     5.5-4,5.6-2
	// telnet cleartext-protocol  high     5.5-1,5.1-3
	// telnet default-credentials critical 5.1-1
	// telnet port-open           high     5.6-1
}
