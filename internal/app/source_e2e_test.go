// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"vigil/internal/advisory"
	"vigil/internal/app"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/registry"
	"vigil/internal/source"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
	"vigil/internal/vuln"
)

// faults wraps a loopback fake: while gone it answers 503 to everything
// (a provider that went away); a path in cut has its next response cut
// short (half the body under the whole body's Content-Length, so the
// connection closes early).
type faults struct {
	mu   sync.Mutex
	h    http.Handler
	gone bool
	cut  map[string]bool
	hits map[string]int
}

func (f *faults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	gone, cut, h := f.gone, f.cut[r.URL.Path], f.h
	delete(f.cut, r.URL.Path)
	f.hits[r.URL.Path]++
	f.mu.Unlock()
	if gone || h == nil {
		http.Error(w, "gone", http.StatusServiceUnavailable)
		return
	}
	if !cut {
		h.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	w.Write(body[:len(body)/2])
}

// snapshot returns how often each path was asked for.
func (f *faults) snapshot() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.hits))
	for k, v := range f.hits {
		out[k] = v
	}
	return out
}

// rolieFeed is the path of the ROLIE feed of the CSAF source test.
const rolieFeed = "/.well-known/csaf/feed-tlp-white.json"

// rolieDoc adds the CSAF document name of testdata, with its SHA-512 file,
// to files and lists it in the ROLIE feed (updated at updated); it
// returns the document's path.
func rolieDoc(e *e2e, files staticFiles, name, updated string) string {
	e.t.Helper()
	doc := e.read(name)
	path := "/.well-known/csaf/white/" + updated[:4] + "/" + name
	sum := sha512.Sum512(doc)
	files[path] = doc
	files[path+".sha512"] = []byte(hex.EncodeToString(sum[:]) + "  " + name + "\n")
	var feed struct {
		Feed struct {
			ID      string           `json:"id"`
			Title   string           `json:"title"`
			Updated string           `json:"updated"`
			Entry   []map[string]any `json:"entry"`
		} `json:"feed"`
	}
	if old, ok := files[rolieFeed]; ok {
		if err := json.Unmarshal(old, &feed); err != nil {
			e.t.Fatal(err)
		}
	}
	feed.Feed.ID, feed.Feed.Title, feed.Feed.Updated = "test-cert-white", "test CERT TLP:WHITE", updated
	u := e.url + path
	feed.Feed.Entry = append(feed.Feed.Entry, map[string]any{
		"id": strings.TrimSuffix(name, ".json"), "title": name,
		"link":      []any{map[string]any{"rel": "self", "href": u}, map[string]any{"rel": "hash", "href": u + ".sha512"}},
		"published": updated, "updated": updated,
		"content": map[string]any{"type": "application/json", "src": u},
		"format":  map[string]any{"schema": "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json", "version": "2.0"},
	})
	b, err := json.Marshal(feed)
	if err != nil {
		e.t.Fatal(err)
	}
	files[rolieFeed] = b
	return path
}

func (f *faults) set(fn func(f *faults)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// staticFiles serves fixed bodies by path.
type staticFiles map[string][]byte

func (s staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, ok := s[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Write(b)
}

// e2e is what one kind's case runs with.
type e2e struct {
	t    *testing.T
	ctx  context.Context
	s    *store.Store
	x    *app.App
	clk  *clock
	fake *faults
	url  string // the fake's base URL
	dir  string // a directory for the file-based kinds
}

func (e *e2e) read(name string) []byte {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

// org registers an organisation with immediate warnings to one address,
// its ranges and devices, and returns its id.
func (e *e2e) org(name, email string, cidrs []string, devices ...registry.Device) int64 {
	e.t.Helper()
	o := registry.Org{Name: name, Policy: registry.Policy{Mode: "immediate"}, Contacts: []registry.Contact{{Email: email, Role: "security"}}}
	for _, c := range cidrs {
		o.Assets = append(o.Assets, registry.Asset{Kind: registry.KindCIDR, Value: c})
	}
	if err := e.s.OrgCreate(e.ctx, tenant.Operator(), &o); err != nil {
		e.t.Fatal(err)
	}
	for _, d := range devices {
		d.OrgID = o.ID
		if err := e.s.DeviceCreate(e.ctx, tenant.Org(o.ID), &d); err != nil {
			e.t.Fatal(err)
		}
	}
	return o.ID
}

// feedOrgs registers the two organisations the Shadowserver samples hit
// (Exchange: 5 and 4 addresses; telnet: 3 and 4 more) and a bystander
// whose range neither report has.
func (e *e2e) feedOrgs() {
	e.org("Ziekenhuis Midden", "soc@ziekenhuis.example", []string{"198.51.100.0/25"})
	e.org("Gemeente Voorbeeld", "cert@gemeente.example", []string{"192.0.2.128/25"})
	e.org("Bystander", "soc@bystander.example", []string{"203.0.113.0/28"})
}

// activeMQ is a broker of an affected version (NVD: before 5.15.16) and
// fixed is one of the fixed version, which must not match.
var (
	activeMQ = registry.Device{Vendor: "Apache", Model: "ActiveMQ", Firmware: "5.15.10", CPE: "cpe:2.3:a:apache:activemq:5.15.10:*:*:*:*:*:*:*", Location: "broker"}
	fixedMQ  = registry.Device{Vendor: "Apache", Model: "ActiveMQ", Firmware: "5.15.16", CPE: "cpe:2.3:a:apache:activemq:5.15.16:*:*:*:*:*:*:*", Location: "broker"}
)

// sbomOrg registers Fabriek with a device whose SBOM lists log4j-core
// 2.14.1 (and ActiveMQ 5.15.10, zlib), and the bystander with a fixed
// broker.
func (e *e2e) sbomOrg() {
	id := e.org("Fabriek", "cert@fabriek.example", nil, registry.Device{Vendor: "Delta Electronics", Model: "InfraSuite Device Master", Firmware: "1.0.12"})
	e.org("Bystander", "soc@bystander.example", nil, fixedMQ)
	devs, err := e.s.DeviceList(e.ctx, tenant.Org(id), keyset.Page{Limit: 10})
	if err != nil || len(devs) != 1 {
		e.t.Fatalf("devices = %v, %v", devs, err)
	}
	bom, err := os.Open("testdata/infrasuite.cdx.json")
	if err != nil {
		e.t.Fatal(err)
	}
	defer bom.Close()
	if _, err := e.x.ImportSBOM(e.ctx, tenant.Operator(), devs[0].ID, bom, "infrasuite.cdx.json"); err != nil {
		e.t.Fatal(err)
	}
}

// brokerOrgs registers Haven with an affected ActiveMQ broker and the
// bystander with a fixed one.
func (e *e2e) brokerOrgs() {
	e.org("Haven", "cert@haven.example", nil, activeMQ)
	e.org("Bystander", "soc@bystander.example", nil, fixedMQ)
}

// compose composes and sends the notices due and returns how many were
// composed.
func (e *e2e) compose() int {
	e.t.Helper()
	res, err := e.x.NotifyRun(e.ctx, app.NotifyRunOptions{EscalateAfter: notify.DefaultEscalateAfter})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.Composed.Notices
}

// sourceCase is one kind's end-to-end case.
type sourceCase struct {
	kind source.Kind
	// name tells cases of one kind apart ("" for the kind's name).
	name string
	// setup registers the organisations the data matches, loads what the
	// source builds on, installs the fake and returns the source.
	setup func(e *e2e) source.Source
	// cut is the fake's path whose first response is cut short: the first
	// run fails and ingests partial files (resumed: not fetched again);
	// "" for the kinds that read local files.
	cut     string
	partial int
	// quiet: before data arrives a run succeeds with nothing (a day
	// without a report).
	quiet func(e *e2e)
	// files is what the good runs ingest in all (advisories for CSAF).
	files int
	// warned maps each organisation warned to its notices; others get
	// none.
	warned map[string]int
	// check looks at the findings of the warned organisations.
	check func(t *testing.T, fs map[string][]finding.Finding)
	// grow, after the second run, adds one document to what the fake
	// lists and returns its path: the next run fetches it and nothing
	// else (nil for the kinds without it).
	grow func(e *e2e) string
}

// TestSourceEndToEnd runs a scheduled source of every kind against its
// loopback fake on SQLite and PostgreSQL: the registry holds organisations
// the fake's real sample data matches, and a bystander it does not. A
// download cut short fails the first run (the files it got whole are
// ingested, not fetched again), the retry ingests the rest; the findings
// carry their evidence and belong to the right organisation, which gets
// its notices (and the bystander none); a second run fetches nothing new
// and composes nothing (a CSAF provider is served once as a directory with
// changes.csv and once as a ROLIE feed, which then gains one entry: only
// that entry is fetched); a provider that goes away fails runs (error
// recorded, the next run backed off) until exactly one alert.
func TestSourceEndToEnd(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	clk := newClock(t0)
	cases := []sourceCase{
		{
			kind: source.KindShadowserver,
			setup: func(e *e2e) source.Source {
				e.feedOrgs()
				fake := &fakeShadowserver{downloads: map[string]int{}, reports: map[string][]map[string]string{}, files: map[string][]byte{
					"1001": e.read(exchange), "1002": e.read("2025-06-01-scan_telnet-vigil_test-asn.csv")}}
				e.fake.set(func(f *faults) { f.h = fake })
				return source.Source{Kind: source.KindShadowserver, URL: e.url + "/api", Expect: source.Duration(24 * time.Hour),
					Credentials: source.Credentials{Key: fakeKey, Secret: fakeSecret}}
			},
			quiet: func(e *e2e) {
				// The report of the day arrives only after the quiet run.
				e.fake.mu.Lock()
				fake := e.fake.h.(*fakeShadowserver)
				e.fake.mu.Unlock()
				fake.mu.Lock()
				defer fake.mu.Unlock()
				fake.reports["2026-12-06"] = []map[string]string{
					{"id": "1001", "type": "scan_exchange", "file": exchange, "url": e.url + "/dl/1001"},
					{"id": "1002", "type": "scan_telnet", "file": "2025-06-01-scan_telnet-vigil_test-asn.csv", "url": e.url + "/dl/1002"}}
			},
			cut: "/dl/1002", partial: 1, files: 2,
			warned: map[string]int{"Ziekenhuis Midden": 2, "Gemeente Voorbeeld": 2},
			check:  checkFeedFindings(map[string]int{"Ziekenhuis Midden": 8, "Gemeente Voorbeeld": 9}),
		},
		{
			kind: source.KindDir,
			setup: func(e *e2e) source.Source {
				e.feedOrgs()
				return source.Source{Kind: source.KindDir, URL: e.dir, Expect: source.Duration(24 * time.Hour)}
			},
			quiet: func(e *e2e) {
				if err := os.WriteFile(filepath.Join(e.dir, exchange), e.read(exchange), 0o600); err != nil {
					e.t.Fatal(err)
				}
			},
			files:  1,
			warned: map[string]int{"Ziekenhuis Midden": 1, "Gemeente Voorbeeld": 1},
			check:  checkFeedFindings(map[string]int{"Ziekenhuis Midden": 5, "Gemeente Voorbeeld": 4}),
		},
		{
			kind: source.KindMaildir,
			setup: func(e *e2e) source.Source {
				e.feedOrgs()
				for _, d := range []string{"new", "cur", "tmp"} {
					if err := os.Mkdir(filepath.Join(e.dir, d), 0o700); err != nil {
						e.t.Fatal(err)
					}
				}
				return source.Source{Kind: source.KindMaildir, URL: e.dir, Expect: source.Duration(24 * time.Hour)}
			},
			quiet: func(e *e2e) {
				if err := os.WriteFile(filepath.Join(e.dir, "new", "1765000000.r1.host"), reportMail(e.read(exchange)), 0o600); err != nil {
					e.t.Fatal(err)
				}
			},
			files:  1,
			warned: map[string]int{"Ziekenhuis Midden": 1, "Gemeente Voorbeeld": 1},
			check:  checkFeedFindings(map[string]int{"Ziekenhuis Midden": 5, "Gemeente Voorbeeld": 4}),
		},
		{
			// KEV entries match nothing on their own: the catalog moves a
			// finding an OSV advisory made to its KEV trigger (a new
			// finding, so a new notice) and adds due date and ransomware
			// use to the evidence.
			kind: source.KindKEV,
			setup: func(e *e2e) source.Source {
				e.sbomOrg()
				loadFile(e, advisory.SourceOSV, "GHSA-jfh8-c2jp-5v3q.json")
				if n := e.compose(); n != 1 {
					e.t.Fatalf("notices of the OSV advisory = %d; want 1", n)
				}
				e.fake.set(func(f *faults) {
					f.h = staticFiles{"/feeds/known_exploited_vulnerabilities.json": e.read("kev-log4shell.json")}
				})
				return source.Source{Kind: source.KindKEV, URL: e.url + "/feeds/known_exploited_vulnerabilities.json"}
			},
			cut: "/feeds/known_exploited_vulnerabilities.json", files: 1,
			warned: map[string]int{"Fabriek": 1},
			check: checkVulnFindings("Fabriek", "CVE-2021-44228", "kev:CVE-2021-44228", func(t *testing.T, ev vuln.FindingEvidence) {
				if ev.KEV == nil || ev.KEV.DueDate.Format(time.DateOnly) != "2021-12-24" || !ev.KEV.RansomwareUse ||
					ev.Component != "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1" {
					t.Errorf("evidence = %+v; want the KEV entry (due 2021-12-24, ransomware) on log4j-core", ev)
				}
			}),
		},
		{
			// EPSS scores make no finding and no notice (no policy reads
			// them): they refresh the evidence of the findings of their
			// CVEs.
			kind: source.KindEPSS,
			setup: func(e *e2e) source.Source {
				e.brokerOrgs()
				loadFile(e, advisory.SourceNVD, "CVE-2023-46604.json")
				if n := e.compose(); n != 1 {
					e.t.Fatalf("notices of the NVD record = %d; want 1", n)
				}
				e.fake.set(func(f *faults) { f.h = staticFiles{"/epss_scores-current.csv": e.read("epss_scores-sample.csv")} })
				return source.Source{Kind: source.KindEPSS, URL: e.url + "/epss_scores-current.csv"}
			},
			cut: "/epss_scores-current.csv", files: 1,
			warned: map[string]int{"Haven": 0},
			check: checkVulnFindings("Haven", "CVE-2023-46604", "kev:CVE-2023-46604", func(t *testing.T, ev vuln.FindingEvidence) {
				if ev.EPSS == nil || ev.EPSS.Score != 0.94256 || ev.EPSS.Percentile != 0.99951 {
					t.Errorf("EPSS evidence = %+v; want 0.94256 (percentile 0.99951)", ev.EPSS)
				}
			}),
		},
		{
			kind: source.KindNVD,
			setup: func(e *e2e) source.Source {
				e.brokerOrgs()
				var rec map[string]any
				if err := json.Unmarshal(e.read("CVE-2023-46604.json"), &rec); err != nil {
					e.t.Fatal(err)
				}
				rec["lastModified"] = t0.Add(-2 * time.Hour).Format("2006-01-02T15:04:05.000")
				e.fake.set(func(f *faults) { f.h = &fakeNVD{pageSize: 2000, records: []map[string]any{rec}} })
				return source.Source{Kind: source.KindNVD, URL: e.url + "/rest/json/cves/2.0", Expect: source.Duration(24 * time.Hour)}
			},
			cut: "/rest/json/cves/2.0", files: 1,
			warned: map[string]int{"Haven": 1},
			check: checkVulnFindings("Haven", "CVE-2023-46604", "kev:CVE-2023-46604", func(t *testing.T, ev vuln.FindingEvidence) {
				if ev.CVSS == nil || ev.CVSS.Base < 9 || ev.KEV == nil || len(ev.Advisories) != 1 || ev.Advisories[0].URL != "https://nvd.nist.gov/vuln/detail/CVE-2023-46604" ||
					len(ev.Matches) != 1 || ev.Matches[0].Rule != "cpe" {
					t.Errorf("evidence = %+v; want a critical CVSS, KEV and the NVD record matched by CPE", ev)
				}
			}),
		},
		{
			kind: source.KindCSAF,
			setup: func(e *e2e) source.Source {
				axis := registry.Device{Vendor: "Axis Communications", Model: "AXIS A1001", Firmware: "1.65.4", Location: "door 1"}
				e.org("Toegang", "cert@toegang.example", nil, axis)
				axis.Firmware = "1.65.5" // the fixed firmware
				e.org("Bystander", "soc@bystander.example", nil, axis)
				doc := e.read("icsa-23-206-01.json")
				const dir = "/.well-known/csaf/white/"
				sum := sha512.Sum512(doc)
				files := staticFiles{
					dir + "2023/icsa-23-206-01.json":        doc,
					dir + "2023/icsa-23-206-01.json.sha512": []byte(hex.EncodeToString(sum[:]) + "  icsa-23-206-01.json\n"),
					dir + "changes.csv":                     []byte("\"2023/icsa-23-206-01.json\",\"2023-07-25T00:00:00Z\"\n"),
				}
				files["/.well-known/csaf/provider-metadata.json"], _ = json.Marshal(map[string]any{
					"canonical_url": e.url + "/.well-known/csaf/provider-metadata.json", "distributions": []any{map[string]any{"directory_url": e.url + dir}},
					"last_updated": "2024-08-01T00:00:00Z", "list_on_CSAF_aggregators": true, "metadata_version": "2.0", "mirror_on_CSAF_aggregators": true,
					"public_openpgp_keys": []any{}, "publisher": map[string]any{"category": "coordinator", "name": "test CERT", "namespace": "https://example.org"},
					"role": "csaf_trusted_provider",
				})
				e.fake.set(func(f *faults) { f.h = files })
				return source.Source{Kind: source.KindCSAF, URL: e.url + "/.well-known/csaf/provider-metadata.json"}
			},
			cut: "/.well-known/csaf/white/changes.csv", files: 1,
			warned: map[string]int{"Toegang": 1},
			check: checkVulnFindings("Toegang", "CVE-2023-21406", "csaf:ICSA-23-206-01", func(t *testing.T, ev vuln.FindingEvidence) {
				if ev.Subject == "" || ev.Component != "" || len(ev.Advisories) != 1 || ev.Advisories[0].Advisory != "csaf:ICSA-23-206-01" {
					t.Errorf("evidence = %+v; want the device matched by the CSAF advisory", ev)
				}
			}),
		},
		{
			kind: source.KindCSAF, name: "csaf-rolie",
			setup: func(e *e2e) source.Source {
				axis := registry.Device{Vendor: "Axis Communications", Model: "AXIS A1001", Firmware: "1.65.4", Location: "door 1"}
				e.org("Toegang", "cert@toegang.example", nil, axis)
				axis.Firmware = "1.65.5" // the fixed firmware
				e.org("Bystander", "soc@bystander.example", nil, axis)
				files := staticFiles{}
				rolieDoc(e, files, "icsa-23-206-01.json", "2023-07-25T00:00:00Z")
				files["/.well-known/csaf/provider-metadata.json"], _ = json.Marshal(map[string]any{
					"canonical_url": e.url + "/.well-known/csaf/provider-metadata.json",
					"distributions": []any{map[string]any{"rolie": map[string]any{"feeds": []any{
						map[string]any{"summary": "TLP:WHITE advisories", "tlp_label": "WHITE", "url": e.url + rolieFeed},
					}}}},
					"last_updated": "2024-08-01T00:00:00Z", "list_on_CSAF_aggregators": true, "metadata_version": "2.0", "mirror_on_CSAF_aggregators": true,
					"public_openpgp_keys": []any{}, "publisher": map[string]any{"category": "coordinator", "name": "test CERT", "namespace": "https://example.org"},
					"role": "csaf_trusted_provider",
				})
				e.fake.set(func(f *faults) { f.h = files })
				return source.Source{Kind: source.KindCSAF, URL: e.url + "/.well-known/csaf/provider-metadata.json"}
			},
			cut: rolieFeed, files: 1,
			warned: map[string]int{"Toegang": 1},
			check: checkVulnFindings("Toegang", "CVE-2023-21406", "csaf:ICSA-23-206-01", func(t *testing.T, ev vuln.FindingEvidence) {
				if ev.Subject == "" || ev.Component != "" || len(ev.Advisories) != 1 || ev.Advisories[0].Advisory != "csaf:ICSA-23-206-01" {
					t.Errorf("evidence = %+v; want the device matched by the CSAF advisory", ev)
				}
			}),
			grow: func(e *e2e) string {
				e.fake.mu.Lock()
				defer e.fake.mu.Unlock()
				files := staticFiles{}
				for k, v := range e.fake.h.(staticFiles) {
					files[k] = v
				}
				path := rolieDoc(e, files, "icsa-24-067-01.json", "2024-05-02T06:00:00Z")
				e.fake.h = files
				return path
			},
		},
		{
			kind: source.KindOSV,
			setup: func(e *e2e) source.Source {
				e.sbomOrg()
				var zbuf bytes.Buffer
				zw := zip.NewWriter(&zbuf)
				w, _ := zw.Create("GHSA-jfh8-c2jp-5v3q.json")
				w.Write(e.read("GHSA-jfh8-c2jp-5v3q.json"))
				zw.Close()
				e.fake.set(func(f *faults) { f.h = staticFiles{"/Maven/all.zip": zbuf.Bytes()} })
				return source.Source{Kind: source.KindOSV, URL: e.url + "/Maven/all.zip"}
			},
			cut: "/Maven/all.zip", files: 1,
			warned: map[string]int{"Fabriek": 1},
			check: checkVulnFindings("Fabriek", "CVE-2021-44228", "GHSA-jfh8-c2jp-5v3q", func(t *testing.T, ev vuln.FindingEvidence) {
				if ev.Component != "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1" || ev.Fixed == "" || len(ev.Matches) != 1 || ev.Matches[0].Rule != "purl" {
					t.Errorf("evidence = %+v; want log4j-core matched by purl, with the fixed version", ev)
				}
			}),
		},
	}
	kinds := map[source.Kind]bool{}
	for _, tc := range cases {
		kinds[tc.kind] = true
	}
	if len(kinds) != len(source.Kinds()) {
		t.Fatalf("cases of %d kinds; want all %d", len(kinds), len(source.Kinds()))
	}
	for _, tc := range cases {
		name := tc.name
		if name == "" {
			name = string(tc.kind)
		}
		t.Run(name, func(t *testing.T) {
			storetest.EachOpts(t, storetest.Options{Now: clk.now}, func(t *testing.T, s *store.Store) {
				clk.set(t0)
				runSourceCase(t, s, clk, tc)
			})
		})
	}
}

func runSourceCase(t *testing.T, s *store.Store, clk *clock, tc sourceCase) {
	ctx := context.Background()
	fake := &faults{cut: map[string]bool{}, hits: map[string]int{}}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	x := sourceApp(t, s, io.Discard)
	cfg := x.Config()
	cfg.Sources.NVDPace = "1ms" // the fake keeps no rate limit here (TestSourceNVD checks the pace)
	e := &e2e{t: t, ctx: ctx, s: s, x: app.New(s, cfg, nil), clk: clk, fake: fake, url: srv.URL, dir: t.TempDir()}
	src := tc.setup(e)
	src.Name = string(tc.kind)
	if _, err := e.x.SourceAdd(ctx, src); err != nil {
		t.Fatal(err)
	}
	produced := func(r source.Run) int { return len(r.Files) + r.Advisories }

	if tc.quiet != nil {
		run, err := e.x.SourceRun(ctx, src.Name)
		if err != nil || run.State != "ok" || produced(run) != 0 {
			t.Fatalf("run on a day without data = %+v, %v; want ok, nothing", run, err)
		}
		tc.quiet(e)
	}
	got := 0
	if tc.cut != "" {
		fake.set(func(f *faults) { f.cut[tc.cut] = true })
		run, err := e.x.SourceRun(ctx, src.Name)
		if err == nil || run.State != "failed" || produced(run) != tc.partial {
			t.Fatalf("run with a download cut short = %+v, %v; want failed with %d files whole", run, err, tc.partial)
		}
		got += produced(run)
		clk.add(time.Minute)
	}
	run, err := e.x.SourceRun(ctx, src.Name)
	if err != nil || run.State != "ok" {
		t.Fatalf("run = %+v, %v", run, err)
	}
	got += produced(run)
	var findings int64
	for _, f := range run.Files {
		findings += f.Findings
	}
	if got != tc.files || (tc.kind != source.KindCSAF && findings == 0) {
		t.Fatalf("runs ingested %d files (%d findings made or updated); want %d, with findings", got, findings, tc.files)
	}
	if tc.kind == source.KindShadowserver {
		sh := fake.h.(*fakeShadowserver)
		if sh.downloads["1001"] != 1 || sh.downloads["1002"] != 2 {
			t.Errorf("downloads = %v; want the report downloaded whole once, the one cut short twice", sh.downloads)
		}
	}

	// Findings with their evidence, for the right organisations only.
	byOrg := orgFindings(t, s)
	for org := range byOrg {
		if _, ok := tc.warned[org]; !ok {
			t.Errorf("%s has findings: %v", org, byOrg[org])
		}
	}
	tc.check(t, byOrg)

	// Notices composed and queued to the right organisations.
	before := outboxRecipients(t, e.x)
	composed := e.compose()
	want := 0
	for _, n := range tc.warned {
		want += n
	}
	if composed != want {
		t.Errorf("notices composed = %d; want %d (%v)", composed, want, tc.warned)
	}
	mail := outboxRecipients(t, e.x)
	for org, n := range tc.warned {
		addr := contactOf(t, s, org)
		if got := mail[addr] - before[addr]; got != n {
			t.Errorf("%s (%s) got %d notices; want %d", org, addr, got, n)
		}
	}
	if got := mail["soc@bystander.example"]; got != 0 {
		t.Errorf("the bystander got %d notices", got)
	}

	// A second run fetches nothing new and composes nothing.
	clk.add(time.Hour)
	run, err = e.x.SourceRun(ctx, src.Name)
	if err != nil || run.State != "ok" || produced(run) != 0 {
		t.Errorf("second run = %+v, %v; want nothing new", run, err)
	}
	if n := e.compose(); n != 0 {
		t.Errorf("second run composed %d notices", n)
	}

	// What the provider lists grows by one document: the next run fetches
	// that one and nothing else listed before.
	if tc.grow != nil {
		hits := fake.snapshot()
		doc := tc.grow(e)
		clk.add(time.Hour)
		run, err := e.x.SourceRun(ctx, src.Name)
		if err != nil || run.State != "ok" || produced(run) != 1 {
			t.Errorf("run after one new document = %+v, %v; want it alone", run, err)
		}
		fetched := fake.snapshot()
		if fetched[doc] != hits[doc]+1 {
			t.Errorf("the new document %s was fetched %d times; want once", doc, fetched[doc]-hits[doc])
		}
		for path, n := range fetched {
			if n != hits[path] && path != doc && !strings.HasPrefix(path, doc+".") && !strings.HasSuffix(path, "provider-metadata.json") && path != tc.cut {
				t.Errorf("%s fetched again (%d times) after one new document", path, n-hits[path])
			}
		}
	}

	// The provider goes away: each run fails with its error recorded and
	// the next one backed off; after sources.max_failures runs in a row,
	// one alert.
	fake.set(func(f *faults) { f.gone = true })
	if tc.kind == source.KindDir || tc.kind == source.KindMaildir {
		if err := os.Rename(e.dir, e.dir+".gone"); err != nil {
			t.Fatal(err)
		}
	}
	var alerts []app.SourceAlert
	for i := 1; i <= source.DefaultMaxFailures+2; i++ {
		clk.add(time.Hour)
		if run, err := e.x.SourceRun(ctx, src.Name); err == nil || run.State != "failed" {
			t.Fatalf("run %d against a provider that went away = %+v, %v", i, run, err)
		}
		det, err := e.x.SourceShow(ctx, src.Name)
		if err != nil {
			t.Fatal(err)
		}
		wantNext := clk.now().Add(source.RetryFirst << (i - 1))
		if det.Failures != i || det.LastError == "" || !det.NextRun.Equal(wantNext) {
			t.Errorf("after failure %d: failures %d, error %q, next run %s; want %d, an error, %s", i, det.Failures, det.LastError, det.NextRun, i, wantNext)
		}
		a, err := e.x.SourceAlerts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		alerts = append(alerts, a...)
	}
	if len(alerts) != 1 || alerts[0].Source != src.Name || !strings.Contains(alerts[0].Reason, "runs failed") {
		t.Errorf("alerts = %+v; want exactly one", alerts)
	}
}

// loadFile loads one advisory file of testdata as the CLI does.
func loadFile(e *e2e, which advisory.Source, name string) {
	e.t.Helper()
	if sums, err := e.x.LoadAdvisories(e.ctx, app.AdvisoryLoad{Source: which, Arg: filepath.Join("testdata", name)}); err != nil || len(sums) != 1 || sums[0].FindingsNew == 0 {
		e.t.Fatalf("LoadAdvisories %s = %+v, %v", name, sums, err)
	}
}

// orgFindings returns the open findings of every organisation, by name.
func orgFindings(t *testing.T, s *store.Store) map[string][]finding.Finding {
	t.Helper()
	ctx := context.Background()
	orgs, err := s.OrgListAll(ctx, tenant.Operator())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]finding.Finding{}
	for _, o := range orgs {
		fs, err := s.FindingList(ctx, tenant.Org(o.ID), finding.Filter{Status: finding.Open, Page: keyset.Page{Limit: 1000}})
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) > 0 {
			out[o.Name] = fs
		}
	}
	return out
}

// checkFeedFindings checks that each organisation has findings for the
// given number of addresses, every one inside its registered range.
func checkFeedFindings(want map[string]int) func(*testing.T, map[string][]finding.Finding) {
	prefix := map[string]string{"Ziekenhuis Midden": "198.51.100.", "Gemeente Voorbeeld": "192.0.2."}
	return func(t *testing.T, got map[string][]finding.Finding) {
		for org, n := range want {
			ips := map[string]bool{}
			for _, f := range got[org] {
				last, _ := strconv.Atoi(f.IP[strings.LastIndex(f.IP, ".")+1:])
				inRange := strings.HasPrefix(f.IP, prefix[org]) && (last < 128) == (org == "Ziekenhuis Midden")
				if !inRange || f.ReportType == "" || len(f.Evidence) == 0 {
					t.Errorf("%s: finding %s %s outside its range or without evidence", org, f.IP, f.ReportType)
				}
				ips[f.IP] = true
			}
			if len(ips) != n {
				t.Errorf("%s: findings on %d addresses; want %d", org, len(ips), n)
			}
		}
	}
}

// checkVulnFindings checks that org has one open vulnerability finding of
// cve under a trigger containing trigger, and hands its evidence to more.
func checkVulnFindings(org, cve, trigger string, more func(*testing.T, vuln.FindingEvidence)) func(*testing.T, map[string][]finding.Finding) {
	return func(t *testing.T, got map[string][]finding.Finding) {
		var hits []finding.Finding
		for _, f := range got[org] {
			if f.CVE == cve {
				hits = append(hits, f)
			}
		}
		if len(hits) != 1 || !strings.Contains(hits[0].Trigger, trigger) || hits[0].Type != vuln.FindingType {
			t.Fatalf("%s: findings of %s = %+v; want one under %s", org, cve, hits, trigger)
		}
		var ev vuln.FindingEvidence
		if err := json.Unmarshal(hits[0].Evidence, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.CVE != cve {
			t.Errorf("evidence CVE = %q; want %q", ev.CVE, cve)
		}
		more(t, ev)
	}
}

// outboxRecipients counts the outbox rows (pending or sent) per address.
func outboxRecipients(t *testing.T, x *app.App) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, state := range []notify.OutboxState{notify.OutboxPending, notify.OutboxSent} {
		st, err := x.OutboxStatus(context.Background(), tenant.Operator(), state, keyset.Page{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range st.Rows {
			out[r.Recipient]++
		}
	}
	return out
}

// contactOf is the security contact of the organisation named name.
func contactOf(t *testing.T, s *store.Store, name string) string {
	t.Helper()
	orgs, err := s.OrgListAll(context.Background(), tenant.Operator())
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(orgs, func(o registry.Org) bool { return o.Name == name })
	if i < 0 {
		t.Fatalf("no organisation %s", name)
	}
	o, err := s.OrgGet(context.Background(), tenant.Operator(), orgs[i].ID)
	if err != nil || len(o.Contacts) == 0 {
		t.Fatalf("OrgGet %s = %+v, %v", name, o, err)
	}
	return o.Contacts[0].Email
}

// reportMail is a Shadowserver report e-mail with csv attached (base64).
func reportMail(csv []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(csv)
	var wrapped strings.Builder
	for len(enc) > 76 {
		wrapped.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	wrapped.WriteString(enc + "\r\n")
	return []byte("From: Shadowserver <autoreports@shadowserver.org>\r\nTo: reports@cert.example\r\nSubject: [Scan Exchange] 2025-06-01\r\n" +
		"Message-ID: <r1@shadowserver.example>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain\r\n\r\nThe report is attached.\r\n" +
		"--b1\r\nContent-Type: text/csv; name=\"" + exchange + "\"\r\nContent-Disposition: attachment; filename=\"" + exchange + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		wrapped.String() + "--b1--\r\n")
}
