// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package probe

import (
	"net/netip"
	"strings"

	"vigil/internal/assess"
)

// Findings turns the report's failed results into assessment findings, one
// per (result, provision), for assess.Assessment.SetFindings. The finding's
// check is "<service>-<check>" (e.g. "telnet-default-credentials") and its
// target "address:port" (the address alone for target-wide results).
func (r Report) Findings() []assess.Finding {
	var out []assess.Finding
	for _, res := range r.Failed() {
		name := string(res.Check)
		if res.Service != "" && !strings.HasPrefix(name, string(res.Service)+"-") {
			name = string(res.Service) + "-" + name
		}
		target := r.Address.String()
		if res.Port != 0 && r.Address.IsValid() {
			target = netip.AddrPortFrom(r.Address, uint16(res.Port)).String()
		}
		for _, prov := range res.Provisions {
			out = append(out, assess.Finding{Provision: prov, Check: name, Target: target, Detail: res.Evidence})
		}
	}
	return out
}
