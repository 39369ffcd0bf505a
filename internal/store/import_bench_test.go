// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/tenant"
)

// registryCSV generates n organisations with 5 assets each (3 IPv4 ranges, an
// IPv6 range and a domain) and one contact, in the registry CSV form.
func registryCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("name,sector,country,languages,domains,cidrs,asns,emails\n")
	for i := 0; i < n; i++ {
		hi, lo := i/256, i%256
		fmt.Fprintf(&b, "Org %d,energy,NL,nl,org%d.example,10.%d.%d.0/26;10.%d.%d.64/26;10.%d.%d.128/25;2001:db8:%x::/48,,soc@org%d.example\n",
			i, i, hi, lo, hi, lo, hi, lo, i, i)
	}
	return b.Bytes()
}

// BenchmarkImport measures a whole registry import (parse, validate, insert
// in one transaction) of 10,000 organisations with 50,000 assets into a new
// SQLite database, against the bare CSV parse of the same file as baseline.
func BenchmarkImport(b *testing.B) {
	data := registryCSV(10000)
	b.Run("parse_only", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			orgs, bad, err := registry.ParseCSV(bytes.NewReader(data), "bench.csv")
			if err != nil || len(bad) != 0 || len(orgs) != 10000 {
				b.Fatalf("%d orgs, %v, %v", len(orgs), bad, err)
			}
		}
	})
	b.Run("sqlite_10k_orgs_50k_assets", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			s, err := store.Open(context.Background(), "sqlite:"+filepath.Join(b.TempDir(), "bench.db"), store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			orgs, _, err := registry.ParseCSV(bytes.NewReader(data), "bench.csv")
			if err != nil {
				b.Fatal(err)
			}
			n, na, err := s.OrgImport(context.Background(), tenant.Operator(), orgs)
			if err != nil || n != 10000 || na != 50000 {
				b.Fatalf("imported %d/%d: %v", n, na, err)
			}
			b.StopTimer()
			s.Close()
			b.StartTimer()
		}
	})
}
