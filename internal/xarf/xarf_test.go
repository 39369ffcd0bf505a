// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package xarf_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"vigil/internal/xarf"
)

// TestSpecSamples validates every v4 sample of the specification with the
// code that validates vigil's own reports.
func TestSpecSamples(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/samples/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 30 {
		t.Fatalf("%d samples; want the 32 of xarf-spec", len(files))
	}
	types := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := xarf.Validate(b); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
		var r struct{ Category, Type string }
		_ = json.Unmarshal(b, &r)
		types[r.Category+"/"+r.Type] = true
	}
	if len(types) < 30 {
		t.Errorf("the samples cover %d category/type pairs", len(types))
	}
	// The validation is not vacuous: a sample with a required field gone,
	// a type-specific field gone, or an unknown type fails.
	b, _ := os.ReadFile("testdata/samples/connection-infected-host.json")
	for name, edit := range map[string]func(map[string]any){
		"no report_id":     func(m map[string]any) { delete(m, "report_id") },
		"bad report_id":    func(m map[string]any) { m["report_id"] = "not-a-uuid" },
		"no bot_type":      func(m map[string]any) { delete(m, "bot_type") },
		"unknown protocol": func(m map[string]any) { m["protocol"] = "carrier-pigeon" },
		"unknown type":     func(m map[string]any) { m["type"] = "teleportation" },
		"version 3":        func(m map[string]any) { m["xarf_version"] = "3.0.0" },
		"bad reporter":     func(m map[string]any) { m["reporter"].(map[string]any)["contact"] = "not an address" },
	} {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		edit(m)
		doc, _ := json.Marshal(m)
		if err := xarf.Validate(doc); err == nil {
			t.Errorf("%s: validated", name)
		}
	}
}

func TestFromIncident(t *testing.T) {
	t.Parallel()
	meta := xarf.Meta{Reporter: xarf.Contact{Org: "vigil CERT", Contact: "cert@vigil.example.nl", Domain: "vigil.example.nl"}, ID: "vigil-n42-email-abc/1", Source: "Shadowserver"}
	at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	sinkhole := json.RawMessage(`{"timestamp":"2025-06-01 00:00:00","protocol":"tcp","src_ip":"198.51.100.242","src_port":"49152","dst_ip":"203.0.113.240","dst_port":"80","infection":"andromeda","family":"andromeda","tag":"avalanche-andromeda"}`)
	exchange := json.RawMessage(`{"ip":"198.51.100.37","protocol":"tcp","port":"443","tag":"exchange;cve-2021-26855"}`)
	for _, tc := range []struct {
		name       string
		in         xarf.Incident
		cat, typ   string
		fields     map[string]any
		sourcePort int
	}{
		{"infected", xarf.Incident{Type: "infected-system", ReportType: "event4_sinkhole_http", IP: "198.51.100.242", Port: 49152, Evidence: sinkhole},
			"connection", "infected_host", map[string]any{"protocol": "tcp", "bot_type": "malicious", "malware_family": "andromeda", "destination_ip": "203.0.113.240", "destination_port": float64(80)}, 49152},
		{"exchange with CVE", xarf.Incident{Type: "vulnerable-system", ReportType: "scan_exchange", IP: "198.51.100.37", Port: 443, CVE: "cve-2021-26855", Evidence: exchange},
			"vulnerability", "cve", map[string]any{"service": "exchange;cve-2021-26855", "service_port": float64(443), "cve_id": "CVE-2021-26855"}, 443},
		{"vulnerable without CVE", xarf.Incident{Type: "vulnerable-system", ReportType: "scan_http_vulnerable", IP: "192.0.2.5", Port: 80},
			"vulnerability", "open_service", map[string]any{"service": "scan_http_vulnerable"}, 80},
		{"open RDP", xarf.Incident{Type: "potentially-unwanted-accessible", ReportType: "scan_rdp", IP: "2001:db8::5", Port: 3389, Evidence: json.RawMessage(`{"tag":"rdp"}`)},
			"vulnerability", "open_service", map[string]any{"service": "rdp"}, 3389},
		{"compromised", xarf.Incident{Type: "system-compromise", ReportType: "compromised_website", Hostname: "shop.example.nl", Evidence: json.RawMessage(`{"tag":"webshell"}`)},
			"infrastructure", "compromised_server", map[string]any{"compromise_method": "webshell"}, 0},
		{"blocklisted", xarf.Incident{Type: "blacklist", ReportType: "blocklist", IP: "192.0.2.9", Evidence: json.RawMessage(`{"tag":"spam-source"}`)},
			"reputation", "blocklist", map[string]any{"threat_type": "spam-source"}, 0},
		{"amplifier", xarf.Incident{Type: "ddos", ReportType: "scan_ntp", IP: "192.0.2.10", Port: 123, Evidence: json.RawMessage(`{"protocol":"udp"}`)},
			"connection", "ddos", map[string]any{"protocol": "udp"}, 123},
		{"scanner", xarf.Incident{Type: "scanner", ReportType: "honeypot_scan", IP: "192.0.2.11", Evidence: json.RawMessage(`{"src_port":"51234","protocol":"tcp"}`)},
			"connection", "port_scan", map[string]any{"protocol": "tcp"}, 51234},
		{"weak TLS", xarf.Incident{Type: "weak-crypto", ReportType: "scan_ssl_poodle", IP: "192.0.2.12", Port: 443},
			"vulnerability", "misconfiguration", map[string]any{"service": "scan_ssl_poodle"}, 443},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.in.FirstSeen, tc.in.LastSeen, tc.in.Count = at, at.Add(time.Hour), 3
			r, ok := xarf.FromIncident(tc.in, meta)
			if !ok {
				t.Fatal("no report")
			}
			b, err := xarf.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			if err := xarf.Validate(b); err != nil {
				t.Fatalf("%v\n%s", err, b)
			}
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			if m["category"] != tc.cat || m["type"] != tc.typ {
				t.Errorf("category/type = %v/%v; want %s/%s", m["category"], m["type"], tc.cat, tc.typ)
			}
			for k, v := range tc.fields {
				if m[k] != v {
					t.Errorf("%s = %#v; want %#v", k, m[k], v)
				}
			}
			if got, _ := m["source_port"].(float64); int(got) != tc.sourcePort {
				t.Errorf("source_port = %v; want %d", m["source_port"], tc.sourcePort)
			}
			if m["timestamp"] != "2025-06-01T01:00:00Z" || m["reporter"].(map[string]any)["domain"] != "vigil.example.nl" {
				t.Errorf("timestamp %v, reporter %v", m["timestamp"], m["reporter"])
			}
			if tc.in.Evidence != nil && !strings.Contains(string(b), `"hash": "sha256:`) {
				t.Error("evidence item without hash")
			}
			// The same seed gives the same report.
			again, _ := xarf.FromIncident(tc.in, meta)
			if a, _ := xarf.Marshal(again); string(a) != string(b) {
				t.Error("two reports of one incident differ")
			}
		})
	}
	// Not abuse by one address, or lacking what the type needs: no report.
	for _, in := range []xarf.Incident{
		{Type: "label-downgrade", IP: "192.0.2.1"},
		{Type: "data-leak", Hostname: "example.nl"},
		{Type: "vulnerable", IP: "192.0.2.1"},
		{Type: "infected-system"},                 // no source
		{Type: "ddos", IP: "192.0.2.1"},           // no source port
		{Type: "brute-force", Hostname: "x.nl"},   // no source port
		{Type: "spam", IP: "192.0.2.1", Port: 25}, // the sender address X-ARF requires is unknown
	} {
		if r, ok := xarf.FromIncident(in, meta); ok {
			t.Errorf("%+v gave a report: %+v", in, r)
		}
	}
	if !xarf.Abuse("infected-system") || xarf.Abuse("label-downgrade") {
		t.Error("Abuse does not follow the mapping")
	}
	r, _ := xarf.FromIncident(xarf.Incident{Type: "infected-system", IP: "192.0.2.1"}, meta)
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(r.ReportID) {
		t.Errorf("report id %q is not a version 4 UUID", r.ReportID)
	}
	other := meta
	other.ID = "vigil-n43-email-abc/1"
	if r2, _ := xarf.FromIncident(xarf.Incident{Type: "infected-system", IP: "192.0.2.1"}, other); r2.ReportID == r.ReportID {
		t.Error("two seeds give one report id")
	}
}
