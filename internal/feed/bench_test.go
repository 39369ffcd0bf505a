// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package feed

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
)

// benchReport builds an n-row scan_http_vulnerable report like the one
// bench/feed/gen writes.
func benchReport(n int) []byte {
	r := rand.New(rand.NewPCG(42, 42))
	var b bytes.Buffer
	b.WriteString(`"timestamp","severity","ip","protocol","port","hostname","tag","asn","geo","region","city","naics","hostname_source","sector","http","http_code","http_reason","content_type","connection","www_authenticate","set_cookie","server","content_length","transfer_encoding","http_date","version","build_date","detail","build_branch"` + "\n")
	for i := 0; i < n; i++ {
		ip := netip.AddrFrom4([4]byte{byte(11 + r.IntN(200)), byte(r.IntN(256)), byte(r.IntN(256)), byte(r.IntN(256))})
		fmt.Fprintf(&b, `"2025-06-01 %02d:%02d:%02d","critical","%s","tcp",%d,,"cve-2024-3400;paloalto;globalprotect",%d,"NL","NOORD-HOLLAND","AMSTERDAM",517311,,"Communications, Service Provider, and Hosting Service","HTTP/1.1",200,"OK","text/html; charset=utf-8","keep-alive",,,"nginx",%d,,"Sun, 01 Jun 2025 00:00:00 GMT","PAN-OS 10.2.9",,"Palo Alto GlobalProtect",`+"\n",
			r.IntN(24), r.IntN(60), r.IntN(60), ip, 443, 64496+r.IntN(16), 1000+r.IntN(1000))
	}
	return b.Bytes()
}

func BenchmarkShadowserver(b *testing.B) {
	const rows = 100_000
	data := benchReport(rows)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewReader(context.Background(), bytes.NewReader(data), Options{Name: "2025-06-01-scan_http_vulnerable-x-asn.csv"})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for _, err := range r.All() {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != rows {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
