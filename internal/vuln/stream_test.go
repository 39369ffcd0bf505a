// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/advisory"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
	"vigil/internal/vuln"
)

// genCVE is an NVD-style CVE on product p of vendor v, the shape
// bench/vuln loads: a library range (OR) and a firmware range running on
// hardware (AND).
func genCVE(rng *rand.Rand, i, vendors, perVendor int) advisory.Advisory {
	v, p := rng.IntN(vendors), rng.IntN(perVendor)
	major := 1 + rng.IntN(5)
	id := fmt.Sprintf("CVE-2030-%06d", i)
	n := v*perVendor + p
	lib := fmt.Sprintf("cpe:2.3:a:vendor%04d:lib-%05d:*:*:*:*:*:*:*:*", v, n)
	fw := fmt.Sprintf("cpe:2.3:o:vendor%04d:hw-%05d_firmware:*:*:*:*:*:*:*:*", v, n)
	hw := fmt.Sprintf("cpe:2.3:h:vendor%04d:hw-%05d:-:*:*:*:*:*:*:*", v, n)
	end := fmt.Sprintf("%d.%d", major, 1+rng.IntN(5))
	start := fmt.Sprintf("%d.0", major)
	return advisory.Advisory{ID: id, Source: advisory.SourceNVD, CVEs: []string{id}, Vulns: []advisory.Vuln{{
		CVE:  id,
		CVSS: []advisory.Score{{Version: "3.1", Vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Base: 9.8, Severity: "CRITICAL"}},
		Configurations: []advisory.Config{
			{Nodes: []advisory.Node{{Operator: "OR", Matches: []advisory.CPEMatch{{Vulnerable: true, Criteria: lib,
				VersionStartIncluding: start, VersionEndExcluding: end}}}}},
			{Operator: "AND", Nodes: []advisory.Node{
				{Operator: "OR", Matches: []advisory.CPEMatch{{Vulnerable: true, Criteria: fw, VersionStartIncluding: start, VersionEndExcluding: end}}},
				{Operator: "OR", Matches: []advisory.CPEMatch{{Vulnerable: false, Criteria: hw}}},
			}},
		},
	}}}
}

// loadGenerated stores the bundled CSAF corpus and ncve generated CVEs, and
// an inventory of ndev devices (half with a firmware CPE, some named like
// the corpus' products) with ncomp components, for one organisation.
func loadGenerated(t *testing.T, s *store.Store, ncve, ndev, ncomp int) {
	t.Helper()
	ctx := context.Background()
	const vendors, perVendor = 12, 5
	rng := rand.New(rand.NewPCG(42, 42))
	e, err := vuln.New(vuln.Options{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/csaf/*.json")
	var advs []advisory.Advisory
	for _, fn := range files {
		advs = append(advs, load(t, "csaf/"+filepath.Base(fn))...)
	}
	advs = append(advs, load(t, "kev/kev-crossref.json")...)
	for i := 0; i < ncve; i++ {
		advs = append(advs, genCVE(rng, i, vendors, perVendor))
	}
	if _, err := e.Advisories(ctx, advs, "generated"); err != nil {
		t.Fatal(err)
	}
	org := registry.Org{Name: "Waterschap Oost"}
	corpus := []registry.Device{
		{Vendor: "Axis Communications", Model: "AXIS A1001", Firmware: "1.65.4"},
		{Vendor: "FXC", Model: "AE1021PE", Firmware: "2.0.9", CPE: "cpe:2.3:o:fxc:ae1021pe_firmware:2.0.9:*:*:*:*:*:*:*"},
		{Vendor: "Nice", Model: "Linear eMerge E3-Series", Firmware: "1.00-06"},
	}
	for d := 0; d < ndev; d++ {
		if d%10 == 0 {
			org.Devices = append(org.Devices, corpus[(d/10)%len(corpus)])
			continue
		}
		v, p := rng.IntN(vendors), rng.IntN(perVendor)
		dev := registry.Device{Vendor: fmt.Sprintf("Vendor%04d", v), Model: fmt.Sprintf("HW-%05d", v*perVendor+p),
			Firmware: fmt.Sprintf("%d.%d.%d", 1+rng.IntN(5), rng.IntN(6), rng.IntN(10))}
		if d%2 == 0 {
			dev.CPE = fmt.Sprintf("cpe:2.3:o:vendor%04d:hw-%05d_firmware:%s:*:*:*:*:*:*:*", v, v*perVendor+p, dev.Firmware)
		}
		org.Devices = append(org.Devices, dev)
	}
	if _, _, err := s.OrgImport(ctx, tenant.Operator(), []registry.Org{org}); err != nil {
		t.Fatal(err)
	}
	devs, err := s.VulnDeviceScan(ctx, tenant.Operator(), 0, ndev+1)
	if err != nil || len(devs) != ndev {
		t.Fatalf("devices: %d, %v", len(devs), err)
	}
	var comps []vuln.Component
	for c := 0; c < ncomp; c++ {
		v, p := rng.IntN(vendors), rng.IntN(perVendor)
		ver := fmt.Sprintf("%d.%d.%d", 1+rng.IntN(5), rng.IntN(6), rng.IntN(10))
		comp := vuln.Component{DeviceID: devs[c%len(devs)].ID, Name: fmt.Sprintf("lib-%05d", v*perVendor+p), Version: ver,
			Supplier: fmt.Sprintf("Vendor%04d", v)}
		if c%3 != 0 { // a third known by name and supplier only
			comp.CPE = fmt.Sprintf("cpe:2.3:a:vendor%04d:lib-%05d:%s:*:*:*:*:*:*:*", v, v*perVendor+p, ver)
		}
		comps = append(comps, comp)
	}
	if err := s.VulnComponentInsert(ctx, tenant.Operator(), comps); err != nil {
		t.Fatal(err)
	}
}

// matchView is a match without its row id and time.
type matchView struct {
	Target, CVE, Rule string
	Advisory          int64
	Confidence        float64
	Evidence          string
}

func allMatches(t *testing.T, s *store.Store) []matchView {
	t.Helper()
	ms, err := s.VulnMatchList(context.Background(), tenant.Operator(), vuln.MatchFilter{All: true})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]matchView, len(ms))
	for i, m := range ms {
		ev, err := json.Marshal(m.Evidence)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = matchView{m.Target, m.CVE, m.Rule, m.AdvisoryRef, m.Confidence, string(ev)}
	}
	return out
}

// findingView is a finding's identity, trigger, state and evidence.
type findingView struct {
	Key, Trigger string
	Status       finding.Status
	Evidence     string
}

// allFindings returns every vulnerability finding, open and resolved, by
// id.
func allFindings(t *testing.T, s *store.Store) []findingView {
	t.Helper()
	var out []findingView
	for _, st := range []finding.Status{finding.Open, finding.Resolved} {
		for after := int64(0); ; {
			fs, err := s.VulnFindingList(context.Background(), tenant.Operator(), vuln.FindingFilter{Status: st, Page: keyset.Page{After: after, Limit: keyset.MaxLimit}})
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range fs {
				out = append(out, findingView{x.Key, x.Trigger, x.Status, string(x.Evidence)})
			}
			if len(fs) < keyset.MaxLimit {
				break
			}
			after = fs[len(fs)-1].ID
		}
	}
	return out
}

// TestMatchAllStreamed re-matches a generated inventory that spans many
// pages of advisories, devices and components (the way MatchAll streams
// them at full size) and checks that it gives exactly the matches and
// findings of a re-match that reads everything as one page: the findings
// are not touched, and the stored matches are the same, evidence included.
func TestMatchAllStreamed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		loadGenerated(t, s, 400, 120, 4000)
		now := func() time.Time { return time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC) }
		whole, err := vuln.New(vuln.Options{Store: s, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		vuln.SetPageSizes(whole, 1<<30, 1<<30, 1<<30)
		first, err := whole.MatchAll(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("one page: %d targets, %d matches, %d findings", first.Targets, first.Matches, first.FindingsNew)
		if first.Targets != 120+4000 || first.Matches < 500 {
			t.Fatalf("one page: %+v; want 4,120 targets and at least 500 matches", first)
		}
		wantM, wantF := allMatches(t, s), allFindings(t, s)
		for _, pages := range [][3]int{{17, 7, 101}, {1000, 1000, 10000}} {
			paged, err := vuln.New(vuln.Options{Store: s, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			vuln.SetPageSizes(paged, pages[0], pages[1], pages[2])
			res, err := paged.MatchAll(ctx, pages[0] == 17)
			if err != nil {
				t.Fatal(err)
			}
			if res.Matches != first.Matches || res.Targets != first.Targets || res.FindingsNew+res.FindingsUpdated+res.FindingsResolved != 0 {
				t.Errorf("pages %v: %+v; want %d matches on %d targets and no finding changed", pages, res, first.Matches, first.Targets)
			}
			if diff := cmp.Diff(wantM, allMatches(t, s)); diff != "" {
				t.Errorf("pages %v: matches (-one page +paged):\n%s", pages, diff)
			}
			if diff := cmp.Diff(wantF, allFindings(t, s)); diff != "" {
				t.Errorf("pages %v: findings (-one page +paged):\n%s", pages, diff)
			}
		}
	})
}

// TestMatchAllAgreesWithMatchDevices checks the full re-match, which
// prepares each target in a buffer its worker reuses and caches name and
// CPE keys across targets, against matching every device and its
// components on their own (MatchDevices: each target prepared afresh, its
// candidates found through the stored index keys): the matches are the
// same, evidence included, and no finding changes.
func TestMatchAllAgreesWithMatchDevices(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		loadGenerated(t, s, 400, 120, 4000)
		now := func() time.Time { return time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC) }
		e, err := vuln.New(vuln.Options{Store: s, Now: now})
		if err != nil {
			t.Fatal(err)
		}
		all, err := e.MatchAll(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		if all.Matches < 500 {
			t.Fatalf("full re-match: %+v; want at least 500 matches", all)
		}
		wantM, wantF := allMatches(t, s), allFindings(t, s)
		devs, err := s.VulnDeviceScan(ctx, tenant.Operator(), 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]int64, len(devs))
		for i, d := range devs {
			ids[i] = d.ID
		}
		res, err := e.MatchDevices(ctx, tenant.Operator(), ids)
		if err != nil {
			t.Fatal(err)
		}
		if res.Matches != all.Matches || res.Targets != all.Targets || res.FindingsNew+res.FindingsUpdated+res.FindingsResolved != 0 {
			t.Errorf("per device: %+v; want %d matches on %d targets and no finding changed", res, all.Matches, all.Targets)
		}
		if diff := cmp.Diff(wantM, allMatches(t, s)); diff != "" {
			t.Errorf("matches (-full re-match +per device):\n%s", diff)
		}
		if diff := cmp.Diff(wantF, allFindings(t, s)); diff != "" {
			t.Errorf("findings (-full re-match +per device):\n%s", diff)
		}
	})
}
