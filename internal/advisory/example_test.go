// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package advisory_test

import (
	"context"
	"fmt"
	"strings"

	"vigil/internal/advisory"
)

func ExampleParseKEV() {
	catalog := `{"catalogVersion": "2025.08.25", "vulnerabilities": [
	  {"cveID": "CVE-2024-3400", "vendorProject": "Palo Alto Networks", "product": "PAN-OS",
	   "dateAdded": "2024-04-12", "dueDate": "2024-04-19", "knownRansomwareCampaignUse": "Known",
	   "requiredAction": "Apply mitigations per vendor instructions."},
	  {"cveID": "not-a-cve", "dateAdded": "2024-04-12", "dueDate": "2024-04-19"}
	]}`
	st, rows, err := advisory.ParseKEV(context.Background(), strings.NewReader(catalog), "kev.json", func(a advisory.Advisory) error {
		k := a.Vulns[0].KEV
		fmt.Println(a.ID, a.Products[0].Vendor, a.Products[0].Name, "due", k.DueDate.Format("2006-01-02"), "ransomware", k.RansomwareUse)
		return nil
	})
	fmt.Println(st.Version, st.Yielded, "yielded", err)
	for _, r := range rows {
		fmt.Println(r.Error())
	}
	// Output:
	// CVE-2024-3400 Palo Alto Networks PAN-OS due 2024-04-19 ransomware true
	// 2025.08.25 1 yielded <nil>
	// kev.json:5: vulnerabilities[1].cveID: "not-a-cve" is not a CVE id
}
