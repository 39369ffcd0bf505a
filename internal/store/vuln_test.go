// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"context"
	"reflect"
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

func vulnFixture(t *testing.T, s *store.Store) (org int64, dev registry.Device) {
	t.Helper()
	ctx := context.Background()
	o := registry.Org{Name: "Waterschap"}
	if err := s.OrgCreate(ctx, tenant.Operator(), &o); err != nil {
		t.Fatal(err)
	}
	dev = registry.Device{OrgID: o.ID, Vendor: "Axis Communications", Model: "AXIS A1001", Firmware: "1.65.4"}
	if err := s.DeviceCreate(ctx, tenant.Operator(), &dev); err != nil {
		t.Fatal(err)
	}
	return o.ID, dev
}

func TestVulnAdvisoryPut(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := advisory.Advisory{ID: "ICSA-23-206-01", Source: advisory.SourceCSAF, Title: "AXIS A1001",
			Vulns: []advisory.Vuln{{CVE: "CVE-2023-21406"}}}
		put := func(keys ...string) vuln.AdvisoryPutResult {
			t.Helper()
			r, err := s.VulnAdvisoryPut(ctx, vuln.AdvisoryPut{Advisory: &a, Digest: a.Digest(), Keys: keys, Origin: "icsa-23-206-01.json"})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		r1 := put("v:axis", "n:axisa1001")
		if r1.State != vuln.AdvisoryNew || r1.Ref == 0 {
			t.Fatalf("first put = %+v", r1)
		}
		if r := put("v:axis", "n:axisa1001"); r.State != vuln.AdvisoryUnchanged || r.Ref != r1.Ref {
			t.Fatalf("same digest = %+v", r)
		}
		a.Title = "AXIS A1001 (Update A)"
		r3 := put("v:axis", "cpe:axis:a1001_firmware")
		if r3.State != vuln.AdvisoryChanged || r3.Ref != r1.Ref {
			t.Fatalf("changed = %+v", r3)
		}
		if diff := cmp.Diff([]string{"n:axisa1001", "v:axis"}, r3.OldKeys); diff != "" {
			t.Errorf("old keys (-want +got):\n%s", diff)
		}
		for keys, want := range map[string][]int64{"n:axisa1001": nil, "cpe:axis:a1001_firmware": {r1.Ref}, "v:axis": {r1.Ref}} {
			got, err := s.VulnAdvisoryRefs(ctx, []string{keys})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("refs %s (-want +got):\n%s", keys, diff)
			}
		}
		got, err := s.VulnAdvisoryGet(ctx, []int64{r1.Ref, 999})
		if err != nil || len(got) != 1 {
			t.Fatalf("get = %v, %v", got, err)
		}
		dec, err := got[0].Decode()
		if err != nil || dec.Title != "AXIS A1001 (Update A)" || got[0].Origin != "icsa-23-206-01.json" {
			t.Fatalf("decoded = %+v, %v", dec, err)
		}
		if refs, _ := s.VulnAdvisoryRefsByCVE(ctx, []string{"CVE-2023-21406"}); len(refs) != 1 {
			t.Errorf("by CVE = %v", refs)
		}
		if n, _ := s.VulnAdvisoryCount(ctx); n["csaf"] != 1 {
			t.Errorf("count = %v", n)
		}
		if _, err := s.VulnAdvisoryPut(ctx, vuln.AdvisoryPut{Advisory: &advisory.Advisory{}}); err == nil {
			t.Error("advisory without id accepted")
		}
	})
}

func TestVulnCVEAndEPSS(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		due := time.Date(2024, 4, 19, 0, 0, 0, 0, time.UTC)
		in := vuln.CVEInfo{CVE: "CVE-2024-3400", Title: "PAN-OS", CVSSBase: 10, CVSSVersion: "3.1", CVSSVector: "CVSS:3.1/AV:N",
			KEV: true, KEVDue: due, KEVRansom: true, KEVName: "PAN-OS Command Injection"}
		if err := s.VulnCVEPut(ctx, []vuln.CVEInfo{in}); err != nil {
			t.Fatal(err)
		}
		changed, err := s.VulnEPSSPut(ctx, []vuln.EPSSScore{{CVE: "CVE-2024-3400", Score: 0.96, Percentile: 0.99}, {CVE: "CVE-2023-4212", Score: 0.01, Percentile: 0.2}})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"CVE-2024-3400", "CVE-2023-4212"}, changed); diff != "" {
			t.Errorf("changed (-want +got):\n%s", diff)
		}
		if changed, _ := s.VulnEPSSPut(ctx, []vuln.EPSSScore{{CVE: "CVE-2024-3400", Score: 0.96, Percentile: 0.99}}); len(changed) != 0 {
			t.Errorf("same score reported changed: %v", changed)
		}
		got, err := s.VulnCVEGet(ctx, []string{"CVE-2024-3400", "CVE-2023-4212", "CVE-1999-0001"})
		if err != nil {
			t.Fatal(err)
		}
		g := got["CVE-2024-3400"]
		if !g.KEV || !g.KEVDue.Equal(due) || !g.KEVRansom || g.CVSSBase != 10 || g.EPSS == nil || *g.EPSS != 0.96 || g.Title != "PAN-OS" {
			t.Errorf("CVE-2024-3400 = %+v", g)
		}
		if len(got) != 2 || got["CVE-2023-4212"].KEV {
			t.Errorf("got %d records: %+v", len(got), got["CVE-2023-4212"])
		}
	})
}

func TestVulnInventoryAndMatches(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		org, dev := vulnFixture(t, s)
		stale, err := s.VulnDeviceStale(ctx, tenant.Operator(), 10)
		if err != nil || len(stale) != 1 || stale[0].ID != dev.ID {
			t.Fatalf("stale = %v, %v", stale, err)
		}
		if err := s.VulnDeviceSynced(ctx, stale); err != nil {
			t.Fatal(err)
		}
		if stale, _ := s.VulnDeviceStale(ctx, tenant.Operator(), 10); len(stale) != 0 {
			t.Fatalf("synced device still stale: %v", stale)
		}
		if _, err := s.Exec(ctx, `UPDATE devices SET firmware = ? WHERE id = ?`, "1.65.5", dev.ID); err != nil {
			t.Fatal(err)
		}
		if stale, _ := s.VulnDeviceStale(ctx, tenant.Operator(), 10); len(stale) != 1 || stale[0].Firmware != "1.65.5" {
			t.Fatalf("changed firmware not stale: %v", stale)
		}

		comps := []vuln.Component{{Name: "activemq", Version: "5.15.10", CPE: "cpe:2.3:a:apache:activemq:5.15.10:*:*:*:*:*:*:*", Supplier: "Apache"},
			{Name: "log4j-core", Version: "2.14.1", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}}
		removed, err := s.VulnComponentReplace(ctx, tenant.Operator(), dev.ID, comps)
		if err != nil || len(removed) != 0 || comps[0].ID == 0 || comps[1].ID == 0 {
			t.Fatalf("replace = %v, %v, %+v", removed, err, comps)
		}
		keys := []vuln.IndexKeys{
			{Target: "device:1", DeviceID: dev.ID, Keys: []string{"v:axis", "cpe:axis:a1001"}},
			{Target: "component:1", DeviceID: dev.ID, ComponentID: comps[0].ID, Keys: []string{"n:activemq", "cpe:apache:activemq"}},
		}
		if err := s.VulnTargetKeysPut(ctx, keys); err != nil {
			t.Fatal(err)
		}
		ds, cs, err := s.VulnTargetsByKeys(ctx, tenant.Operator(), []string{"cpe:apache:activemq", "v:axis", "v:none"})
		if err != nil || len(ds) != 1 || len(cs) != 1 || cs[0].Name != "activemq" || cs[0].OrgID != org {
			t.Fatalf("by keys = %v %v %v", ds, cs, err)
		}

		a := advisory.Advisory{ID: "CVE-2023-46604", Source: advisory.SourceNVD}
		r, err := s.VulnAdvisoryPut(ctx, vuln.AdvisoryPut{Advisory: &a, Digest: "d1"})
		if err != nil {
			t.Fatal(err)
		}
		ev := vuln.Evidence{Rule: "cpe"}
		ms := []vuln.Match{
			{Target: "component:1", DeviceID: dev.ID, ComponentID: comps[0].ID, CVE: "CVE-2023-46604", AdvisoryRef: r.Ref, Rule: "cpe", Confidence: 1, Evidence: ev},
			{Target: "device:1", DeviceID: dev.ID, CVE: "CVE-2023-46604", AdvisoryRef: r.Ref, Rule: "product", Confidence: 0.8, Evidence: ev},
		}
		if err := s.VulnMatchReplace(ctx, vuln.MatchFilter{Targets: []string{"device:1"}}, ms); err != nil {
			t.Fatal(err)
		}
		got, err := s.VulnMatchList(ctx, tenant.Operator(), vuln.MatchFilter{CVEs: []string{"CVE-2023-46604"}, Targets: []string{"device:1"}})
		if err != nil || len(got) != 2 || got[0].Target != "component:1" || got[0].OrgID != org || !reflect.DeepEqual(got[1].Evidence, ev) {
			t.Fatalf("list = %+v, %v", got, err)
		}
		// Replacing the components drops their matches and keys.
		removed, err = s.VulnComponentReplace(ctx, tenant.Operator(), dev.ID, nil)
		if err != nil || len(removed) != 2 {
			t.Fatalf("replace = %v, %v", removed, err)
		}
		if got, _ := s.VulnMatchList(ctx, tenant.Operator(), vuln.MatchFilter{All: true}); len(got) != 1 || got[0].Target != "device:1" {
			t.Fatalf("after replace = %+v", got)
		}
		if _, cs, _ := s.VulnTargetsByKeys(ctx, tenant.Operator(), []string{"cpe:apache:activemq"}); len(cs) != 0 {
			t.Fatalf("keys of removed component remain: %v", cs)
		}
		// Replace scoped to targets AND advisories.
		if err := s.VulnMatchReplace(ctx, vuln.MatchFilter{Targets: []string{"device:1"}, Advisories: []int64{r.Ref + 1}}, nil); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.VulnMatchList(ctx, tenant.Operator(), vuln.MatchFilter{Advisories: []int64{r.Ref}}); len(got) != 1 {
			t.Fatalf("other advisory's replace removed a match: %+v", got)
		}
	})
}

func TestVulnFindings(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		org, dev := vulnFixture(t, s)
		trig, err := s.TriggerEnsure(ctx, finding.Trigger{Name: "kev:CVE-2024-3400", Kind: "kev"})
		if err != nil {
			t.Fatal(err)
		}
		sg := []finding.Sighting{
			{OrgID: org, TriggerID: trig, Type: "vulnerable", Key: "device:1:CVE-2024-3400", DeviceID: dev.ID, CVE: "CVE-2024-3400", Severity: finding.Critical},
			{OrgID: org, TriggerID: trig, Type: "vulnerable", Key: "device:1:CVE-2023-4212", DeviceID: dev.ID, CVE: "CVE-2023-4212", Severity: finding.High},
		}
		if _, _, err := s.FindingUpsert(ctx, 0, sg); err != nil {
			t.Fatal(err)
		}
		if err := s.VulnCVEPut(ctx, []vuln.CVEInfo{{CVE: "CVE-2024-3400", KEV: true}}); err != nil {
			t.Fatal(err)
		}
		all, err := s.VulnFindingList(ctx, tenant.Org(org), vuln.FindingFilter{})
		if err != nil || len(all) != 2 {
			t.Fatalf("list = %v, %v", all, err)
		}
		kev, err := s.VulnFindingList(ctx, tenant.Operator(), vuln.FindingFilter{DeviceID: dev.ID, KEV: true})
		if err != nil || len(kev) != 1 || kev[0].CVE != "CVE-2024-3400" {
			t.Fatalf("kev = %v, %v", kev, err)
		}
		n, err := s.FindingResolveKeys(ctx, []finding.Key{{OrgID: org, TriggerID: trig, Type: "vulnerable", Key: "device:1:CVE-2024-3400"},
			{OrgID: org, TriggerID: trig, Type: "vulnerable", Key: "device:1:nothing"}})
		if err != nil || n != 1 {
			t.Fatalf("resolve = %d, %v", n, err)
		}
		if open, _ := s.VulnFindingList(ctx, tenant.Org(org), vuln.FindingFilter{}); len(open) != 1 {
			t.Errorf("open after resolve = %v", open)
		}
		if res, _ := s.VulnFindingList(ctx, tenant.Org(org), vuln.FindingFilter{Status: finding.Resolved}); len(res) != 1 || res[0].ResolvedAt == nil {
			t.Errorf("resolved = %v", res)
		}
		evs, _ := s.EventList(ctx, tenant.Org(org), keyset.Page{})
		kinds := map[finding.EventKind]int{}
		for _, e := range evs {
			kinds[e.Kind]++
		}
		if kinds[finding.EventNew] != 2 || kinds[finding.EventResolved] != 1 {
			t.Errorf("events = %v", kinds)
		}
	})
}
