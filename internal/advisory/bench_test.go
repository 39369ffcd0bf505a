// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package advisory_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"vigil/internal/advisory"
)

func benchParse(b *testing.B, p parser, data []byte, want int) {
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		_, _, err := p(context.Background(), bytes.NewReader(data), "bench", func(advisory.Advisory) error {
			n++
			return nil
		})
		if err != nil || n != want {
			b.Fatalf("%d records, %v; want %d", n, err, want)
		}
	}
	b.ReportMetric(float64(want)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkParseKEV parses the whole 1404-entry catalog.
func BenchmarkParseKEV(b *testing.B) {
	data, err := os.ReadFile("testdata/kev/known_exploited_vulnerabilities.json")
	if err != nil {
		b.Fatal(err)
	}
	benchParse(b, advisory.ParseKEV, data, 1404)
}

// BenchmarkParseNVDFeed parses a 3000-record feed made by repeating the 15
// corpus records with fresh ids (about the size of one API page of 2000
// records plus half).
func BenchmarkParseNVDFeed(b *testing.B) {
	data, err := os.ReadFile("testdata/nvd-feed.json")
	if err != nil {
		b.Fatal(err)
	}
	var feed struct {
		Vulnerabilities []map[string]map[string]any `json:"vulnerabilities"`
	}
	if err := json.Unmarshal(data, &feed); err != nil {
		b.Fatal(err)
	}
	var items []any
	for i := 0; len(items) < 3000; i++ {
		for _, v := range feed.Vulnerabilities {
			c := map[string]any{}
			for k, x := range v["cve"] {
				c[k] = x
			}
			c["id"] = fmt.Sprintf("CVE-2099-%05d", len(items))
			items = append(items, map[string]any{"cve": c})
		}
	}
	big, err := json.MarshalIndent(map[string]any{"format": "NVD_CVE", "version": "2.0", "vulnerabilities": items[:3000]}, "", "  ")
	if err != nil {
		b.Fatal(err)
	}
	benchParse(b, advisory.ParseNVD, big, 3000)
}

// BenchmarkParseCSAF parses the largest corpus CSAF document (1391
// products).
func BenchmarkParseCSAF(b *testing.B) {
	data, err := os.ReadFile("testdata/csaf/2024/icsa-24-235-03.json")
	if err != nil {
		b.Fatal(err)
	}
	benchParse(b, advisory.ParseCSAF, data, 1)
}
