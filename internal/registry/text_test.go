// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package registry_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/registry"
)

func TestOrgText(t *testing.T) {
	t.Parallel()
	now := time.Now()
	o := registry.Org{ID: 7, Name: "Waterschap", Sector: "water", Country: "NL", Languages: []string{"nl", "en"},
		Policy:   registry.Policy{Mode: "daily"},
		Contacts: []registry.Contact{{ID: 1, Role: "security", Email: "soc@ws.example", Lang: "nl"}},
		Assets: []registry.Asset{{ID: 2, Kind: registry.KindCIDR, Value: "192.0.2.0/24", VerifiedAt: &now, VerifyMethod: "dns"},
			{ID: 3, Kind: registry.KindDomain, Value: "ws.example"}},
		Devices: []registry.Device{{ID: 4, Vendor: "Acme", Model: "PLC-1", Firmware: "1.2"}},
	}
	var b strings.Builder
	if err := o.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `Organisation 7  Waterschap
Sector          water
Country         NL
Languages       nl, en
Policy          mode=daily min_severity=default
Contact 1       security soc@ws.example  nl
Asset 2         cidr 192.0.2.0/24 (verified by dns)
Asset 3         domain ws.example (unverified)
Device 4        Acme PLC-1 1.2
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("org text (-want +got):\n%s", diff)
	}
}
