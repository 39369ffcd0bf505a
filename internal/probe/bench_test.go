// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package probe

import (
	"testing"
)

func BenchmarkParseBanner(b *testing.B) {
	banners := append(corpusBanners(b), "Apache/2.4.41 (Ubuntu) PHP/7.4.3", "Linux/2.6.36 UPnP/1.0 miniupnpd/1.9", "nginx")
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range banners {
			ParseBanner(s)
		}
	}
}

func BenchmarkTelnetNegotiator(b *testing.B) {
	in := append([]byte{255, 251, 1, 255, 251, 3, 255, 253, 31, 255, 250, 24, 1, 255, 240}, []byte("\r\nBusyBox v1.19.4 (2014-03-26 09:27:53 CST)\r\n(none) login: ")...)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		var n telnetNegotiator
		n.Feed(in)
	}
}
