// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package dnstest_test

import (
	"testing"

	"github.com/miekg/dns"

	"vigil/internal/dnstest"
)

// TestStart starts many servers at once and asks each over UDP and TCP on
// its one address: a pair whose TCP port was taken must have been retried.
func TestStart(t *testing.T) {
	t.Parallel()
	for range 30 {
		s := dnstest.Start(t)
		s.SetTXT("probe.example", []string{"v=1"})
		for _, net := range []string{"udp", "tcp"} {
			m := new(dns.Msg)
			m.SetQuestion("probe.example.", dns.TypeTXT)
			r, _, err := (&dns.Client{Net: net}).Exchange(m, s.Addr())
			if err != nil {
				t.Fatalf("%s %s: %v", net, s.Addr(), err)
			}
			if len(r.Answer) != 1 || r.Answer[0].(*dns.TXT).Txt[0] != "v=1" {
				t.Errorf("%s %s: answer %v", net, s.Addr(), r.Answer)
			}
		}
	}
}
