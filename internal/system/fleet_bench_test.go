// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package system

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vigil/internal/feed"
)

// benchReport makes an Accessible-SSL report of n rows from the synthetic
// one: every second row carries the product's certificate subject.
func benchReport(b *testing.B, n int) []byte {
	raw, err := os.ReadFile(filepath.Join("testdata", "fleet", "2026-11-01-scan_ssl-vigil_test-asn-shared.csv"))
	if err != nil {
		b.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	var buf bytes.Buffer
	buf.WriteString(lines[0] + "\n")
	for i := range n {
		row := lines[1+i%(len(lines)-1)]
		row = strings.Replace(row, ",192.0.2.", fmt.Sprintf(",10.%d.%d.", i/65536%256, i/256%256), 1)
		buf.WriteString(row + "\n")
	}
	return buf.Bytes()
}

// BenchmarkFleetObserve reads a report with and without the fleet
// aggregator, to show what counting costs the ingest's reader.
func BenchmarkFleetObserve(b *testing.B) {
	data := benchReport(b, 20000)
	for _, withAgg := range []bool{false, true} {
		b.Run(fmt.Sprintf("aggregate=%v", withAgg), func(b *testing.B) {
			for b.Loop() {
				agg := NewAggregator([]Target{acmeTarget()})
				rd, err := feed.NewReader(context.Background(), bytes.NewReader(data), feed.Options{Name: "2026-11-01-scan_ssl-vigil_test-asn.csv"})
				if err != nil {
					b.Fatal(err)
				}
				for o, err := range rd.All() {
					if err != nil {
						b.Fatal(err)
					}
					if withAgg {
						agg.Observe(o, rd.Header())
					}
				}
			}
		})
	}
}
