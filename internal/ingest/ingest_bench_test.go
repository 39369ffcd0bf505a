// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package ingest_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"vigil/internal/ingest"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/tenant"
)

// benchFeed returns a scan_http_vulnerable report of n rows whose addresses
// fall in 10.0.0.0/12, and a registry of 1,000 organisations with a /22
// each in that space.
func benchFeed(n int) ([]byte, []registry.Org) {
	r := rand.New(rand.NewPCG(1, 2))
	var orgs []registry.Org
	for i := 0; i < 1000; i++ {
		orgs = append(orgs, registry.Org{Name: fmt.Sprintf("org %d", i),
			Assets: []registry.Asset{{Value: fmt.Sprintf("10.%d.%d.0/22", i/64, (i%64)*4)}}})
	}
	var b bytes.Buffer
	b.WriteString(`"timestamp","severity","ip","protocol","port","hostname","tag","asn","geo","region","city","naics","hostname_source","sector","http_host","http_agent","http_url","http_code","http_date","server_name","server_type","server_version","server_banner","vulnerability_id","vulnerability_class","vulnerability_description"` + "\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `"2025-06-01 %02d:%02d:%02d","high","10.%d.%d.%d","tcp",443,,"cve-2021-41773",64500,"NL","NOORD-HOLLAND","AMSTERDAM",,,,"","","/","200","","Apache","","2.4.49","Apache/2.4.49","CVE-2021-41773","path-traversal",""`+"\n",
			i/3600%24, i/60%60, i%60, r.IntN(16), r.IntN(256), r.IntN(256))
	}
	return b.Bytes(), orgs
}

// BenchmarkFeed ingests a 50,000-row report into SQLite, against the bare
// parse of the same report (feed.Reader only) as the baseline.
func BenchmarkFeed(b *testing.B) {
	data, orgs := benchFeed(50000)
	ctx := context.Background()
	b.Run("sqlite", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			s, err := store.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "b.db"), store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := s.OrgImport(ctx, tenant.Operator(), orgs); err != nil {
				b.Fatal(err)
			}
			ix, err := ingest.BuildIndex(ctx, s)
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			sum, err := ingest.Feed(ctx, s, ix, bytes.NewReader(data), ingest.Options{Name: "2025-06-01-scan_http_vulnerable-x-asn.csv"})
			if err != nil || sum.Rows != 50000 {
				b.Fatalf("%+v %v", sum, err)
			}
			b.ReportMetric(float64(sum.Rows)/b.Elapsed().Seconds()*float64(i+1), "rows/s")
			b.StopTimer()
			s.Close()
		}
	})
}
