// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package feed_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"vigil/internal/errs"
	"vigil/internal/feed"
)

func ExampleReader() {
	report := `"timestamp","severity","ip","protocol","port","hostname","tag","asn","geo","region","city","naics","hostname_source","sector","version","servername","url"
"2025-06-01 00:00:00","critical","198.51.100.37","tcp",443,,"exchange;cve-2021-26855",64498,"NL","UTRECHT","UTRECHT",622110,,"Healthcare","15.1.2507.6","EXCH00",
"2025-06-01 00:00:00","critical","999.0.2.300","tcp",443,,"exchange",64498,"NL","UTRECHT","UTRECHT",622110,,"Healthcare","15.1.2507.6","EXCH01",
`
	rd, err := feed.NewReader(context.Background(), strings.NewReader(report),
		feed.Options{Name: "2025-06-01-scan_exchange-org-asn.csv"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rd.Format(), rd.ReportType())
	for o, err := range rd.All() {
		var bad *errs.RowError
		switch {
		case errors.As(err, &bad):
			fmt.Println("bad row:", bad)
		case err != nil:
			fmt.Println(err)
			return
		default:
			fmt.Println(o.IP, o.Port, o.ASN, o.Severity, o.Classification.Identifier, o.CVEs)
		}
	}
	fmt.Printf("%+v\n", rd.Stats())
	// Output:
	// shadowserver scan_exchange
	// 198.51.100.37 443 64498 critical vulnerable-exchange-server [CVE-2021-26855]
	// bad row: 2025-06-01-scan_exchange-org-asn.csv:3: ip: "999.0.2.300": not an IP address
	// {Rows:2 Observations:1 Bad:1}
}
