// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/advisory"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/rating"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
	"vigil/internal/vuln"
)

// load parses a testdata file with the loader its directory names.
func load(t testing.TB, rel string) []advisory.Advisory {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []advisory.Advisory
	yield := func(a advisory.Advisory) error { out = append(out, a); return nil }
	parsers := map[string]func(context.Context, *os.File, string, func(advisory.Advisory) error) (advisory.Stats, error){
		"csaf": func(ctx context.Context, f *os.File, n string, y func(advisory.Advisory) error) (advisory.Stats, error) {
			st, _, err := advisory.ParseCSAF(ctx, f, n, y)
			return st, err
		},
		"nvd": func(ctx context.Context, f *os.File, n string, y func(advisory.Advisory) error) (advisory.Stats, error) {
			st, _, err := advisory.ParseNVD(ctx, f, n, y)
			return st, err
		},
		"cve5": func(ctx context.Context, f *os.File, n string, y func(advisory.Advisory) error) (advisory.Stats, error) {
			st, _, err := advisory.ParseCVE5(ctx, f, n, y)
			return st, err
		},
		"kev": func(ctx context.Context, f *os.File, n string, y func(advisory.Advisory) error) (advisory.Stats, error) {
			st, _, err := advisory.ParseKEV(ctx, f, n, y)
			return st, err
		},
		"osv": func(ctx context.Context, f *os.File, n string, y func(advisory.Advisory) error) (advisory.Stats, error) {
			st, _, err := advisory.ParseOSV(ctx, f, n, y)
			return st, err
		},
	}
	st, err := parsers[strings.Split(rel, "/")[0]](context.Background(), f, rel, yield)
	if err != nil || st.Rejected > 0 {
		t.Fatalf("load %s: %+v %v", rel, st, err)
	}
	return out
}

type regrades struct {
	mu      sync.Mutex
	devices []int64
	reasons []string
}

func (r *regrades) Regrade(_ context.Context, ids []int64, reason string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.devices = append(r.devices, ids...)
	r.reasons = append(r.reasons, reason)
	return nil
}

type fixture struct {
	t   *testing.T
	s   *store.Store
	e   *vuln.Engine
	org int64
	rg  *regrades
}

func newFixture(t *testing.T, s *store.Store) *fixture {
	t.Helper()
	o := registry.Org{Name: "Energie Noord BV"}
	if err := s.OrgCreate(context.Background(), tenant.Operator(), &o); err != nil {
		t.Fatal(err)
	}
	rg := &regrades{}
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	e, err := vuln.New(vuln.Options{Store: s, Regrader: rg, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, s: s, e: e, org: o.ID, rg: rg}
}

func (f *fixture) device(vendor, model, firmware, cpe string) registry.Device {
	f.t.Helper()
	d := registry.Device{OrgID: f.org, Vendor: vendor, Model: model, Firmware: firmware, CPE: cpe}
	if err := f.s.DeviceCreate(context.Background(), tenant.Operator(), &d); err != nil {
		f.t.Fatal(err)
	}
	return d
}

func (f *fixture) advisories(files ...string) vuln.Result {
	f.t.Helper()
	var all []advisory.Advisory
	for _, fn := range files {
		all = append(all, load(f.t, fn)...)
	}
	res, err := f.e.Advisories(context.Background(), all, strings.Join(files, ","))
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

func (f *fixture) sync() vuln.Result {
	f.t.Helper()
	res, err := f.e.Sync(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

// findings returns the vulnerability findings by key ("device:1:CVE-…").
func (f *fixture) findings(status finding.Status) map[string]finding.Finding {
	f.t.Helper()
	fs, err := f.s.VulnFindingList(context.Background(), tenant.Operator(), vuln.FindingFilter{Status: status, Page: keyset.Page{Limit: 1000}})
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]finding.Finding{}
	for _, x := range fs {
		out[x.Key] = x
	}
	return out
}

func evidence(t *testing.T, x finding.Finding) vuln.FindingEvidence {
	t.Helper()
	var ev vuln.FindingEvidence
	if err := json.Unmarshal(x.Evidence, &ev); err != nil {
		t.Fatalf("evidence of %s: %v", x.Key, err)
	}
	return ev
}

type counts struct{ New, Changed, Unchanged, Targets, FNew, FUpd, FRes int }

func countsOf(r vuln.Result) counts {
	return counts{r.New, r.Changed, r.Unchanged, r.Targets, r.FindingsNew, r.FindingsUpdated, r.FindingsResolved}
}

func check(t *testing.T, step string, got vuln.Result, want counts) {
	t.Helper()
	if diff := cmp.Diff(want, countsOf(got)); diff != "" {
		t.Fatalf("%s (-want +got):\n%s", step, diff)
	}
}

// TestEngineIncremental walks advisories and inventory through their life:
// new advisory, reload, more sources for the same CVE, a device added
// later, a firmware upgrade, KEV listing, EPSS, a withdrawn statement.
func TestEngineIncremental(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		axis := f.device("Axis Communications", "AXIS A1001", "1.65.4", "")
		// gone is deleted later; its findings are resolved by the next
		// sync. (Not the last device: SQLite reuses the highest rowid.)
		gone := f.device("Axis Communications", "AXIS A1001", "1.0", "")
		f.device("Axis Communications", "AXIS A1001", "1.65.5", "") // fixed
		ape := f.device("Siemens", "RUGGEDCOM APE1808", "V2.0", "")
		f.device("InHand Networks", "InRouter302", "V3.5.45", "")
		check(t, "first sync", f.sync(), counts{Targets: 5})
		check(t, "sync again", f.sync(), counts{})

		// A new advisory re-checks only the two Axis devices.
		check(t, "csaf", f.advisories("csaf/icsa-23-206-01.json"), counts{New: 1, Targets: 3, FNew: 2})
		key := "device:" + itoa(axis.ID) + ":CVE-2023-21406"
		x, ok := f.findings("")[key]
		if !ok || x.Trigger != "csaf:ICSA-23-206-01" || x.Severity != finding.High || x.DeviceID != axis.ID || x.OrgID != f.org {
			t.Fatalf("finding = %+v (all: %v)", x, f.findings(""))
		}
		// Reloading the same advisory changes nothing.
		check(t, "reload", f.advisories("csaf/icsa-23-206-01.json"), counts{Unchanged: 1})
		// More sources about the same CVE update the finding; its trigger
		// stays with the first advisory.
		check(t, "cve5+nvd", f.advisories("cve5/CVE-2023-21406.json", "nvd/CVE-2023-21406.json"), counts{New: 2, Targets: 3, FUpd: 2})
		x = f.findings("")[key]
		ev := evidence(t, x)
		if x.Trigger != "csaf:ICSA-23-206-01" || len(ev.Advisories) != 3 || len(ev.Matches) != 3 || ev.CVSS == nil || ev.Subject != "Axis Communications AXIS A1001 1.65.4" {
			t.Fatalf("after more sources: trigger %s, evidence %+v", x.Trigger, ev)
		}
		rules := map[string]string{}
		for _, m := range ev.Matches {
			rules[m.Advisory] = m.Rule
			if m.Reason == "" || m.Confidence <= 0 {
				t.Errorf("match without reason/confidence: %+v", m)
			}
		}
		if diff := cmp.Diff(map[string]string{"csaf:ICSA-23-206-01": "product", "cve5:CVE-2023-21406": "product", "nvd:CVE-2023-21406": "cpe-name"}, rules); diff != "" {
			t.Errorf("rules (-want +got):\n%s", diff)
		}

		if err := s.DeviceDelete(ctx, tenant.Org(f.org), gone.ID); err != nil {
			t.Fatal(err)
		}
		check(t, "deleted device", f.sync(), counts{FRes: 1})
		// A device registered later is checked against all advisories.
		late := f.device("Axis Communications", "A1001", "1.62.0", "")
		check(t, "late device", f.sync(), counts{Targets: 1, FNew: 1})
		// A firmware upgrade resolves the finding.
		if _, err := s.Exec(ctx, `UPDATE devices SET firmware = '1.65.6' WHERE id = ?`, axis.ID); err != nil {
			t.Fatal(err)
		}
		check(t, "upgrade", f.sync(), counts{Targets: 1, FRes: 1})
		if got := f.findings(finding.Resolved)[key]; got.ResolvedAt == nil {
			t.Fatalf("upgraded device's finding not resolved: %+v", got)
		}

		// CVE-2024-3400 on the APE1808: first under the CSAF advisory…
		check(t, "ape csaf", f.advisories("csaf/icsa-24-116-03.json"), counts{New: 1, Targets: 1, FNew: 1})
		// (CSAF carries CVSS 10.0: critical.)
		apeKey := "device:" + itoa(ape.ID) + ":CVE-2024-3400"
		if x := f.findings("")[apeKey]; x.Trigger != "csaf:ICSA-24-116-03" || x.Severity != finding.Critical {
			t.Fatalf("ape finding = %s %s %v %s", x.Key, x.Trigger, x.Severity, x.Evidence)
		}
		// …then CISA lists it as known exploited: the finding moves to the
		// KEV trigger (a new notice), with due date and ransomware use.
		check(t, "kev", f.advisories("kev/kev-crossref.json"), counts{New: 16, FNew: 1, FRes: 1})
		x = f.findings("")[apeKey]
		ev = evidence(t, x)
		due := time.Date(2024, 4, 19, 0, 0, 0, 0, time.UTC)
		if x.Trigger != "kev:CVE-2024-3400" || ev.KEV == nil || !ev.KEV.DueDate.Equal(due) || !ev.KEV.RansomwareUse || x.Severity != finding.Critical {
			t.Fatalf("kev finding = %s %s %v, evidence kev %+v", x.Key, x.Trigger, x.Severity, ev.KEV)
		}
		// The label code reads the KEV flag and component from the evidence.
		vs, err := rating.FindingVulns{Store: s}.DeviceVulns(ctx, tenant.Operator(), ape.ID)
		if err != nil || len(vs) != 1 || !vs[0].KEV || vs[0].ID != "CVE-2024-3400" {
			t.Fatalf("rating view = %+v, %v", vs, err)
		}
		// An NVD record without configurations (not yet analysed) and with
		// the same score changes nothing.
		check(t, "nvd 3400", f.advisories("nvd/CVE-2024-3400.json"), counts{New: 1})
		// A medium CVE known to be exploited is at least high: the Linear
		// eMerge device gets CVE-2019-7256 (KEV) from the CSAF advisory.
		// EPSS updates the evidence, not the identity.
		res, err := f.e.EPSS(ctx, []vuln.EPSSScore{{CVE: "CVE-2024-3400", Score: 0.95688, Percentile: 0.99972}, {CVE: "CVE-2000-0001", Score: 0.1}})
		if err != nil {
			t.Fatal(err)
		}
		check(t, "epss", res, counts{Changed: 2, FUpd: 1})
		if ev := evidence(t, f.findings("")[apeKey]); ev.EPSS == nil || ev.EPSS.Score != 0.95688 {
			t.Fatalf("epss evidence = %+v", ev.EPSS)
		}

		// An update of the advisory that declares the product not affected
		// resolves the finding.
		upd := load(t, "csaf/icsa-24-116-03.json")
		for i := range upd[0].Products {
			for k := range upd[0].Products[i].Status {
				upd[0].Products[i].Status[k] = advisory.StatusKnownNotAffected
			}
		}
		upd[0].Version = "2"
		res, err = f.e.Advisories(ctx, upd, "update")
		if err != nil {
			t.Fatal(err)
		}
		check(t, "withdrawn statement", res, counts{Changed: 1, Targets: 1, FRes: 1})

		if !slices.Contains(f.rg.devices, axis.ID) || !slices.Contains(f.rg.devices, ape.ID) || !slices.Contains(f.rg.devices, late.ID) {
			t.Errorf("regrade hook saw devices %v", f.rg.devices)
		}
	})
}

// TestEngineSBOM: components of an SBOM are matched by CPE and purl; a new
// SBOM without them resolves their findings.
func TestEngineSBOM(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		dev := f.device("Delta Electronics", "InfraSuite Device Master", "1.0.12", "")
		f.advisories("nvd/CVE-2023-46604.json", "osv/GHSA-jfh8-c2jp-5v3q.json", "csaf/icsa-24-130-03.json")
		comps := []vuln.Component{
			{Name: "activemq", Version: "5.15.10", CPE: "cpe:2.3:a:apache:activemq:5.15.10:*:*:*:*:*:*:*", Supplier: "Apache Software Foundation"},
			{Name: "log4j-core", Group: "org.apache.logging.log4j", Version: "2.14.1", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
			{Name: "log4j-api", Group: "org.apache.logging.log4j", Version: "2.14.1", PURL: "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1"},
		}
		res, err := f.e.ImportSBOM(ctx, tenant.Operator(), dev.ID, comps)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "sbom", res, counts{Targets: 4, FNew: 2})
		fs := f.findings("")
		am := fs["component:"+itoa(comps[0].ID)+":CVE-2023-46604"]
		lg := fs["component:"+itoa(comps[1].ID)+":CVE-2021-44228"]
		if am.DeviceID != dev.ID || lg.DeviceID != dev.ID {
			t.Fatalf("component findings: %v", fs)
		}
		if ev := evidence(t, lg); ev.Component != comps[1].PURL || ev.Matches[0].Rule != "purl" || ev.Fixed != "2.15.0" {
			t.Errorf("log4j evidence = %+v", ev)
		}
		if ev := evidence(t, am); ev.Matches[0].Rule != "cpe" || ev.Fixed != "5.15.16" {
			t.Errorf("activemq evidence = %+v", ev)
		}
		// The device itself (1.0.12) is fixed per ICSA-24-130-03.
		if _, ok := fs["device:"+itoa(dev.ID)+":CVE-2023-46604"]; ok {
			t.Error("fixed device firmware matched")
		}
		// A patched SBOM resolves both.
		comps = []vuln.Component{
			{Name: "activemq", Version: "5.15.16", CPE: "cpe:2.3:a:apache:activemq:5.15.16:*:*:*:*:*:*:*"},
			{Name: "log4j-core", Version: "2.17.1", PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"},
		}
		res, err = f.e.ImportSBOM(ctx, tenant.Operator(), dev.ID, comps)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "patched sbom", res, counts{Targets: 3, FRes: 2})
		if _, err := f.e.ImportSBOM(ctx, tenant.Operator(), 9999, nil); err == nil {
			t.Error("SBOM for a missing device accepted")
		}
	})
}

// TestEngineMatchAll: a full re-match finds what the incremental path
// found and, run again, changes nothing.
func TestEngineMatchAll(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		f.device("Axis Communications", "AXIS A1001", "1.65.4", "")
		f.device("FXC", "AE1021PE", "2.0.9", "cpe:2.3:o:fxc:ae1021pe_firmware:2.0.9:*:*:*:*:*:*:*")
		f.device("Nice", "Linear eMerge E3-Series", "1.00-06", "")
		files, _ := filepath.Glob("testdata/csaf/*.json")
		var rels []string
		for _, fn := range files {
			rels = append(rels, "csaf/"+filepath.Base(fn))
		}
		rels = append(rels, "nvd/CVE-2023-49897.json", "kev/kev-crossref.json")
		// Devices registered before the advisories are synced by the load.
		inc := f.advisories(rels...)
		if inc.FindingsNew != 14 || inc.Targets != 3+3 {
			t.Fatalf("incremental: %+v", inc)
		}
		before := f.findings("")
		res, err := f.e.MatchAll(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		if res.Matches != 15 || res.FindingsNew+res.FindingsUpdated+res.FindingsResolved != 0 {
			t.Fatalf("match all = %+v", res)
		}
		if diff := cmp.Diff(keys(before), keys(f.findings(""))); diff != "" {
			t.Errorf("findings differ (-incremental +full):\n%s", diff)
		}
		// Its progress counts the targets (devices and components) to the end.
		var total, last int64
		finished := 0
		e, err := vuln.New(vuln.Options{Store: s, Progress: func(what string, n int64) (func(int64), func()) {
			total = n
			return func(done int64) { last = done }, func() { finished++ }
		}})
		if err != nil {
			t.Fatal(err)
		}
		if res, err = e.MatchAll(ctx, false); err != nil {
			t.Fatal(err)
		}
		if total != int64(res.Targets) || last != total || finished != 1 || total == 0 {
			t.Errorf("progress: total %d, last step %d, finished %d times; want %d targets, finished once", total, last, finished, res.Targets)
		}
	})
}

func keys(m map[string]finding.Finding) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+" "+v.Trigger)
	}
	slices.Sort(out)
	return out
}

func itoa(i int64) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// BenchmarkEngineMatchAll re-matches a synthetic inventory of 20,000
// components on 400 devices against 3,000 CVE configurations on SQLite
// (bench/vuln runs the 1M/300k version).
func BenchmarkEngineMatchAll(b *testing.B) {
	ctx := context.Background()
	s := storetest.OpenSQLite(b, storetest.Options{})
	e, err := vuln.New(vuln.Options{Store: s})
	if err != nil {
		b.Fatal(err)
	}
	var advs []advisory.Advisory
	for i := 0; i < 1500; i++ {
		id := "CVE-2030-" + strings.Repeat("0", 6-len(itoa(int64(i)))) + itoa(int64(i))
		lib := "cpe:2.3:a:vendor" + itoa(int64(i%200)) + ":lib" + itoa(int64(i%1000)) + ":*:*:*:*:*:*:*:*"
		advs = append(advs, advisory.Advisory{ID: id, Source: advisory.SourceNVD, Vulns: []advisory.Vuln{{CVE: id,
			Configurations: []advisory.Config{{Nodes: []advisory.Node{{Operator: "OR", Matches: []advisory.CPEMatch{{Vulnerable: true, Criteria: lib,
				VersionStartIncluding: "1.0", VersionEndExcluding: "1." + itoa(int64(i%7))}}}}}, {Nodes: []advisory.Node{{Operator: "OR",
				Matches: []advisory.CPEMatch{{Vulnerable: true, Criteria: lib, VersionStartIncluding: "2.0", VersionEndExcluding: "2.1"}}}}}}}}})
	}
	if _, err := e.Advisories(ctx, advs, "bench"); err != nil {
		b.Fatal(err)
	}
	org := registry.Org{Name: "o"}
	for d := 0; d < 400; d++ {
		org.Devices = append(org.Devices, registry.Device{Vendor: "Vendor" + itoa(int64(d%200)), Model: "M" + itoa(int64(d))})
	}
	if _, _, err := s.OrgImport(ctx, tenant.Operator(), []registry.Org{org}); err != nil {
		b.Fatal(err)
	}
	var comps []vuln.Component
	for c := 0; c < 20000; c++ {
		v, l := c%200, c%1000
		ver := itoa(int64(1+c%3)) + "." + itoa(int64(c%10))
		comps = append(comps, vuln.Component{DeviceID: int64(1 + c%400), Name: "lib" + itoa(int64(l)), Version: ver,
			CPE: "cpe:2.3:a:vendor" + itoa(int64(v)) + ":lib" + itoa(int64(l)) + ":" + ver + ":*:*:*:*:*:*:*"})
	}
	if err := s.VulnComponentInsert(ctx, tenant.Operator(), comps); err != nil {
		b.Fatal(err)
	}
	if _, err := e.MatchAll(ctx, true); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.MatchAll(ctx, false); err != nil {
			b.Fatal(err)
		}
	}
}
