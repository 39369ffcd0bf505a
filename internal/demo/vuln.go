// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package demo

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"

	"vigil/internal/advisory"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/store"
	"vigil/internal/tenant"
	"vigil/internal/vuln"
)

// VulnSummary is what loading the bundled advisories produced.
type VulnSummary struct {
	// Advisories loaded (CSAF documents, KEV entries, NVD and CVE 5 records).
	Advisories int `json:"advisories"`
	// Findings are the open "vulnerable" findings (device or component, CVE).
	Findings int `json:"vulnerable_findings"`
	// KEVFindings are those whose CVE is in CISA's KEV catalog.
	KEVFindings int `json:"kev_findings"`
	// Devices is how many devices have at least one.
	Devices int `json:"vulnerable_devices"`
}

// LoadVulns loads the bundled advisories (CISA CSAF documents naming the
// demo devices' products, NVD and CVE 5 records, a trimmed KEV catalog and
// EPSS scores; see data/SOURCES.md) and matches them against the registry
// Load created. Call it after Load.
func LoadVulns(ctx context.Context, s *store.Store) (VulnSummary, error) {
	var sum VulnSummary
	e, err := vuln.New(vuln.Options{Store: s})
	if err != nil {
		return sum, err
	}
	if _, err := e.Sync(ctx); err != nil {
		return sum, err
	}
	type src struct {
		dir   string
		parse func(context.Context, io.Reader, string, func(advisory.Advisory) error) (advisory.Stats, []errs.RowError, error)
	}
	for _, sr := range []src{
		{"data/vuln/kev.json", advisory.ParseKEV},
		{"data/vuln/csaf", advisory.ParseCSAF},
		{"data/vuln/nvd", advisory.ParseNVD},
		{"data/vuln/cve5", advisory.ParseCVE5},
	} {
		files, err := bundled(sr.dir)
		if err != nil {
			return sum, err
		}
		for _, name := range files {
			raw, err := data.ReadFile(name)
			if err != nil {
				return sum, err
			}
			var advs []advisory.Advisory
			_, bad, err := sr.parse(ctx, bytes.NewReader(raw), name, func(a advisory.Advisory) error {
				advs = append(advs, a)
				return nil
			})
			if err != nil {
				return sum, err
			}
			if len(bad) > 0 {
				return sum, fmt.Errorf("bundled demo advisory is invalid: %s", bad[0].Error())
			}
			if _, err := e.Advisories(ctx, advs, "demo/"+name); err != nil {
				return sum, err
			}
			sum.Advisories += len(advs)
		}
	}
	raw, err := data.ReadFile("data/vuln/epss.csv")
	if err != nil {
		return sum, err
	}
	var scores []vuln.EPSSScore
	if _, bad, err := advisory.ParseEPSS(ctx, bytes.NewReader(raw), "demo/epss.csv", func(cve string, x advisory.EPSS) error {
		scores = append(scores, vuln.EPSSScore{CVE: cve, Score: x.Score, Percentile: x.Percentile, Date: x.Date})
		return nil
	}); err != nil || len(bad) > 0 {
		return sum, fmt.Errorf("bundled EPSS scores: %v %v", err, bad)
	}
	if _, err := e.EPSS(ctx, scores); err != nil {
		return sum, err
	}
	devices := map[int64]bool{}
	for _, kev := range []bool{false, true} {
		for after := int64(0); ; {
			page, err := s.VulnFindingList(ctx, tenant.Operator(), vuln.FindingFilter{KEV: kev, Page: keyset.Page{After: after, Limit: 1000}})
			if err != nil {
				return sum, err
			}
			for _, f := range page {
				if kev {
					sum.KEVFindings++
				} else {
					sum.Findings++
					devices[f.DeviceID] = true
				}
			}
			if len(page) < 1000 {
				break
			}
			after = page[len(page)-1].ID
		}
	}
	sum.Devices = len(devices)
	return sum, nil
}

// bundled lists the embedded files at p (a file or a directory), sorted.
func bundled(p string) ([]string, error) {
	st, err := fs.Stat(data, p)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{p}, nil
	}
	entries, err := fs.ReadDir(data, p)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			out = append(out, path.Join(p, e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}
