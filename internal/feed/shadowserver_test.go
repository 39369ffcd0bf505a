// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package feed_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/errs"
	"vigil/internal/feed"
	"vigil/internal/finding"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// result is everything a Reader yields, in a comparable form.
type result struct {
	Format       feed.Format
	ReportType   string
	Observations []*feed.Observation
	Bad          []errs.RowError
	Stats        feed.Stats
}

func read(t testing.TB, name string, data []byte, opts feed.Options) result {
	t.Helper()
	opts.Name = name
	rd, err := feed.NewReader(context.Background(), bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("NewReader(%s): %v", name, err)
	}
	res := result{Format: rd.Format(), ReportType: rd.ReportType()}
	for o, err := range rd.All() {
		if err != nil {
			var re *errs.RowError
			if !errors.As(err, &re) {
				t.Fatalf("%s: %v", name, err)
			}
			res.Bad = append(res.Bad, *re)
			continue
		}
		c := o.Clone()
		c.Fields = nil
		res.Observations = append(res.Observations, c)
	}
	res.Stats = rd.Stats()
	return res
}

func readFile(t testing.TB, path string, opts feed.Options) result {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, filepath.Base(path), data, opts)
}

// golden compares v, as indented JSON, with testdata/golden/name.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

func samples(t *testing.T, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "shadowserver", pattern))
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples %s: %v", pattern, err)
	}
	return files
}

// TestShadowserverSamples reads every good sample (real headers) and checks
// it against its golden JSON, plus invariants that hold for every report.
func TestShadowserverSamples(t *testing.T) {
	t.Parallel()
	wantRows := map[string]int{
		"blocklist": 22, "compromised_website": 24, "device_id": 30, "event4_sinkhole_http": 30,
		"scan6_http_vulnerable": 20, "scan_exchange": 25, "scan_http_vulnerable": 30, "scan_mqtt": 24,
		"scan_ssl": 30, "scan_telnet": 28, "scan_telnet-legacy": 20,
	}
	var files []string
	for _, f := range samples(t, "*.csv") {
		if !strings.HasSuffix(f, "_bad.csv") {
			files = append(files, f)
		}
	}
	if len(files) < 24 {
		t.Fatalf("%d good samples; want at least 24", len(files))
	}
	types := map[string]bool{}
	for _, f := range files {
		base := filepath.Base(f)
		t.Run(strings.TrimSuffix(base, ".csv"), func(t *testing.T) {
			t.Parallel()
			res := readFile(t, f, feed.Options{})
			want := feed.ReportTypeFromName(base)
			if res.Format != feed.FormatShadowserver || res.ReportType != want || want == "" {
				t.Fatalf("format %s, report type %q; want shadowserver, %q", res.Format, res.ReportType, want)
			}
			if len(res.Bad) != 0 {
				t.Errorf("bad rows in a good sample: %v", res.Bad)
			}
			key := want
			if strings.HasSuffix(base, "-legacy.csv") {
				key += "-legacy"
			}
			if n, ok := wantRows[key]; ok && len(res.Observations) != n {
				t.Errorf("%d observations; want %d", len(res.Observations), n)
			} else if !ok && len(res.Observations) != 6 {
				t.Errorf("%d observations; want 6 (synthetic sample)", len(res.Observations))
			}
			if res.Stats != (feed.Stats{Rows: len(res.Observations), Observations: len(res.Observations)}) {
				t.Errorf("stats %+v", res.Stats)
			}
			for _, o := range res.Observations {
				if o.ReportType != want || o.Time.IsZero() || o.Line < 2 || o.Raw == "" {
					t.Errorf("line %d: incomplete observation %+v", o.Line, o)
				}
				if want != "compromised_account" && !o.IP.IsValid() {
					t.Errorf("line %d: no IP", o.Line)
				}
				if o.Classification.Taxonomy == "" || o.Classification.Type == "" {
					t.Errorf("line %d: no classification: %+v", o.Line, o.Classification)
				}
				if o.Severity == finding.Unknown {
					t.Errorf("line %d: no severity", o.Line)
				}
			}
			golden(t, strings.TrimSuffix(base, ".csv")+".json", res)
		})
		types[ReportTypeKey(base)] = true
	}
	if len(types) < 23 {
		t.Errorf("samples cover %d report types; want at least 23", len(types))
	}
}

// ReportTypeKey is the report type a sample file name gives.
func ReportTypeKey(base string) string { return feed.ReportTypeFromName(base) }

// TestShadowserverFields spot-checks the mapping of columns that matter
// for matching and notices, on real-header samples.
func TestShadowserverFields(t *testing.T) {
	t.Parallel()
	first := func(file string) *feed.Observation {
		res := readFile(t, filepath.Join("testdata", "shadowserver", file), feed.Options{})
		return res.Observations[0]
	}
	second := func(file string) *feed.Observation {
		res := readFile(t, filepath.Join("testdata", "shadowserver", file), feed.Options{})
		return res.Observations[1]
	}
	tests := []struct {
		name string
		got  *feed.Observation
		want feed.Observation
	}{
		{"scan_exchange_vulnerable", first("2025-06-01-scan_exchange-vigil_test-asn.csv"), feed.Observation{
			IP: mustAddr("198.51.100.37"), Port: 443, Protocol: "tcp", Application: "exchange", ASN: 64498,
			Geo: "NL", Region: "UTRECHT", City: "UTRECHT", Tag: "exchange;cve-2021-26855", Severity: finding.Critical,
			CVEs:           []string{"CVE-2021-26855"},
			Classification: feed.Classification{Taxonomy: "vulnerable", Type: "vulnerable-system", Identifier: "vulnerable-exchange-server"},
		}},
		{"scan_exchange_webshell", second("2025-06-01-scan_exchange-vigil_test-asn.csv"), feed.Observation{
			IP: mustAddr("198.51.100.239"), Port: 443, Protocol: "tcp", Application: "exchange", ASN: 64499,
			Geo: "NL", Region: "NOORD-BRABANT", City: "EINDHOVEN", Hostname: "host-198-51-100-239.fabriek.example.com",
			URL: "https://mail.fabriek.example.com/owa/auth/logon.aspx", Tag: "exchange;webshell", Severity: finding.Critical,
			Classification: feed.Classification{Taxonomy: "intrusions", Type: "system-compromise", Identifier: "exchange-server-webshell"},
		}},
		{"device_id_vendor", first("2025-06-01-device_id-vigil_test-asn.csv"), feed.Observation{
			IP: mustAddr("203.0.113.114"), Port: 10443, Protocol: "tcp", ASN: 64500, Geo: "BE", Region: "ANTWERPEN", City: "ANTWERPEN",
			Tag: "ssl;vpn", Severity: finding.Info, DeviceVendor: "Fortinet", DeviceModel: "FortiGate", DeviceVersion: "7.2.5", DeviceType: "firewall",
			Classification: feed.Classification{Taxonomy: "other", Type: "undetermined", Identifier: "device-id"},
		}},
		{"sinkhole_src_side", first("2025-06-01-event4_sinkhole_http-vigil_test-asn.csv"), feed.Observation{
			IP: mustAddr("198.51.100.242"), Port: 49152, Protocol: "tcp", Application: "http", ASN: 64499, Geo: "NL",
			Region: "NOORD-BRABANT", City: "EINDHOVEN", Hostname: "dhcp-0.fabriek.example.com", Tag: "avalanche-andromeda",
			Severity: finding.Critical, Malware: "andromeda",
			Classification: feed.Classification{Taxonomy: "malicious-code", Type: "infected-system", Identifier: "andromeda"},
		}},
		{"compromised_website_url", first("2025-06-01-compromised_website-vigil_test-asn.csv"), feed.Observation{
			IP: mustAddr("192.0.2.231"), Port: 443, Protocol: "tcp", Application: "https", ASN: 64497, Geo: "NL",
			Region: "ZUID-HOLLAND", City: "DEN HAAG", FQDN: "www0.gemeente-voorbeeld.example.nl",
			URL: "https://www0.gemeente-voorbeeld.example.nl/js/jquery.min.js", Tag: "skimmer", Severity: finding.Critical, Malware: "magecart",
			Classification: feed.Classification{Taxonomy: "intrusions", Type: "system-compromise", Identifier: "compromised-website"},
		}},
		{"ipv6", second("2025-06-01-scan6_http_vulnerable-vigil_test-asn.csv"), feed.Observation{
			IP: mustAddr("2001:db8:2:1::8"), Port: 8443, Protocol: "tcp", Application: "http", ASN: 64498, Geo: "NL",
			Region: "UTRECHT", City: "UTRECHT", Hostname: "host-2001-db8-2-1--8.ziekenhuis.example.nl",
			Tag: "cve-2023-46805;cve-2024-21887;ivanti-connect-secure", Severity: finding.Critical,
			CVEs:           []string{"CVE-2023-46805", "CVE-2024-21887"},
			Classification: feed.Classification{Taxonomy: "vulnerable", Type: "vulnerable-system", Identifier: "vulnerable-http"},
		}},
		{"blocklist", first("2025-06-01-blocklist-vigil_test-asn.csv"), feed.Observation{
			IP: mustAddr("203.0.113.99"), ASN: 64500, Geo: "BE", Region: "ANTWERPEN", City: "ANTWERPEN", Severity: finding.Low,
			Classification: feed.Classification{Taxonomy: "other", Type: "blocklist", Identifier: "blacklisted-ip"},
		}},
		{"legacy_header_default_severity", first("2025-06-01-scan_telnet-vigil_test-asn-legacy.csv"), feed.Observation{
			IP: mustAddr("203.0.113.198"), Port: 2323, Protocol: "tcp", Application: "telnet", ASN: 64500, Geo: "BE",
			Region: "ANTWERPEN", City: "ANTWERPEN", Tag: "telnet-alt", Severity: finding.Medium,
			Classification: feed.Classification{Taxonomy: "vulnerable", Type: "vulnerable-system", Identifier: "open-telnet"},
		}},
		{"honeypot_brute_force", first("2025-06-01-event4_honeypot_brute_force-vigil_synth-asn.csv"), feed.Observation{
			IP: mustAddr("192.0.2.17"), Port: 40000, Protocol: "tcp", ASN: 64496, Geo: "NL", Region: "NOORD-HOLLAND", City: "AMSTERDAM",
			Tag: "ssh-brute-force", Severity: finding.High,
			Classification: feed.Classification{Taxonomy: "intrusion-attempts", Type: "brute-force", Identifier: "ssh"},
		}},
		{"compromised_account_email", first("2025-06-01-compromised_account-vigil_synth-asn.csv"), feed.Observation{
			Email: "user0@sub.example.com", Account: "user0", Tag: "stealer", Severity: finding.High, Malware: "redline",
			Classification: feed.Classification{Taxonomy: "information-content-security", Type: "data-leak", Identifier: "compromised-account"},
		}},
	}
	ignore := cmp.FilterPath(func(p cmp.Path) bool {
		switch p.Last().String() {
		case ".Time", ".Line", ".Raw", ".Fields", ".ReportType":
			return true
		}
		return false
	}, cmp.Ignore())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(&tt.want, tt.got, ignore, cmpNet()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestShadowserverBadSamples checks that each _bad sample yields exactly
// its three broken rows, with line, field and reason, and nothing else.
func TestShadowserverBadSamples(t *testing.T) {
	t.Parallel()
	for _, f := range samples(t, "*_bad.csv") {
		base := filepath.Base(f)
		t.Run(strings.TrimSuffix(base, ".csv"), func(t *testing.T) {
			t.Parallel()
			res := readFile(t, f, feed.Options{})
			if len(res.Observations) != 0 {
				t.Errorf("%d observations from a file of bad rows", len(res.Observations))
			}
			hdr := strings.SplitN(string(mustRead(t, f)), "\n", 2)[0]
			ncols := strings.Count(hdr, ",") + 1
			ipCol := "ip"
			badIP, badPort := `"999.0.2.300": not an IP address`, `port: "eighty" is not a port number`
			switch feed.ReportTypeFromName(base) {
			case "event4_sinkhole_http":
				ipCol = "src_ip"
				badIP, badPort = `src_ip: "999.0.2.300": not an IP address`, `src_port: "eighty" is not a port number`
			case "scan6_http_vulnerable":
				badIP = `"2001:db8:::zz": not an IP address`
			case "blocklist":
				badPort = `asn: "eighty" is not an AS number`
			}
			if ipCol == "ip" {
				badIP = "ip: " + badIP
			}
			want := []errs.RowError{
				{File: base, Line: 2, Reason: fmt.Sprintf("wrong number of fields: 5, the header has %d", ncols)},
				{File: base, Line: 3, Field: "timestamp", Reason: `"2025-13-45 25:61:00" is not a valid time; ` + badIP + "; " + badPort},
				{File: base, Line: 4, Field: ipCol, Reason: "bad quote: '" + quoteChar(t, f) + "' after the closing quote of column 3"},
			}
			if diff := cmp.Diff(want, res.Bad, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Raw" }, cmp.Ignore())); diff != "" {
				t.Errorf("row errors (-want +got):\n%s", diff)
			}
			lines := strings.Split(string(mustRead(t, f)), "\n")
			for i, re := range res.Bad {
				if re.Raw != lines[re.Line-1] {
					t.Errorf("row error %d: raw %q; want line %d %q", i, re.Raw, re.Line, lines[re.Line-1])
				}
			}
			if res.Stats != (feed.Stats{Rows: 3, Bad: 3}) {
				t.Errorf("stats %+v", res.Stats)
			}
		})
	}
}

// quoteChar is the character after the broken quote on line 4 of a _bad
// sample: the sixth quote closes the third (IP) field too early.
func quoteChar(t *testing.T, f string) string {
	line := strings.Split(string(mustRead(t, f)), "\n")[3]
	n := 0
	for i := 0; i < len(line); i++ {
		if line[i] == '"' {
			if n++; n == 6 {
				return string(line[i+1])
			}
		}
	}
	t.Fatalf("%s: line 4 has fewer than 6 quotes", f)
	return ""
}

func mustRead(t testing.TB, f string) []byte {
	t.Helper()
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDetectFromHeader reads every sample without its file name: the
// header alone must give the same report type, or one with identical
// columns (IPv4/IPv6 twins).
func TestDetectFromHeader(t *testing.T) {
	t.Parallel()
	cols := map[string][]string{}
	for _, rt := range feed.ReportTypes() {
		c := slices.Clone(rt.Columns)
		slices.Sort(c)
		cols[rt.Name] = c
	}
	for _, f := range samples(t, "*.csv") {
		base := filepath.Base(f)
		want := feed.ReportTypeFromName(base)
		rd, err := feed.NewReader(context.Background(), bytes.NewReader(mustRead(t, f)), feed.Options{Name: "upload.csv"})
		if err != nil {
			t.Errorf("%s: %v", base, err)
			continue
		}
		got := rd.ReportType()
		if got != want && !slices.Equal(cols[got], cols[want]) {
			t.Errorf("%s: detected %q from the header; want %q", base, got, want)
		}
		if strings.HasPrefix(want, "scan6_") && got != strings.Replace(want, "scan6_", "scan_", 1) {
			t.Errorf("%s: detected %q; want the IPv4 twin", base, got)
		}
	}
}

// TestAllReportTypes builds, for every one of the 170 report types of the
// schema, a file with its real header and one synthetic row, and reads it
// both with a Shadowserver file name and by header alone.
func TestAllReportTypes(t *testing.T) {
	t.Parallel()
	types := feed.ReportTypes()
	if len(types) != 170 {
		t.Fatalf("%d report types; want 170", len(types))
	}
	values := map[string]string{
		"timestamp": "2025-06-01 10:00:00", "severity": "high", "ip": "192.0.2.7", "src_ip": "192.0.2.7",
		"http_referer_ip": "192.0.2.7", "port": "443", "src_port": "443", "asn": "64496", "src_asn": "64496",
		"geo": "NL", "src_geo": "NL", "tag": "x;cve-2024-3400", "network": "192.0.2.0/24", "email": "a@example.nl",
		"protocol": "tcp",
	}
	for _, rt := range types {
		t.Run(rt.Name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			row := make([]string, len(rt.Columns))
			for i, c := range rt.Columns {
				row[i] = values[c]
			}
			fmt.Fprintf(&b, "%s\n%s\n", strings.Join(rt.Columns, ","), strings.Join(row, ","))
			res := read(t, "2026-01-01-"+rt.Name+"-org-asn.csv", b.Bytes(), feed.Options{})
			if res.ReportType != rt.Name || len(res.Bad) != 0 || len(res.Observations) != 1 {
				t.Fatalf("report %q, %d observations, bad %v", res.ReportType, len(res.Observations), res.Bad)
			}
			o := res.Observations[0]
			if !o.Time.Equal(time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)) || o.Severity != finding.High {
				t.Errorf("time %v severity %v", o.Time, o.Severity)
			}
			if o.Classification.Taxonomy == "" && rt.Name != "scan_exchange" && rt.Name != "scan6_exchange" {
				t.Errorf("no taxonomy")
			}
			if slices.Contains(rt.Columns, "ip") || slices.Contains(rt.Columns, "src_ip") {
				if o.IP != mustAddr("192.0.2.7") {
					t.Errorf("IP %v", o.IP)
				}
			}
			if slices.Contains(rt.Columns, "asn") && o.ASN != 64496 {
				t.Errorf("ASN %d", o.ASN)
			}
			rd, err := feed.NewReader(context.Background(), bytes.NewReader(b.Bytes()), feed.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := rd.ReportType(); got == "" || rd.Format() != feed.FormatShadowserver {
				t.Errorf("header alone: format %s, report type %q", rd.Format(), got)
			}
		})
	}
}

// TestGzip reads a gzipped sample: same result as the plain file.
func TestGzip(t *testing.T) {
	t.Parallel()
	f := filepath.Join("testdata", "shadowserver", "2025-06-01-scan_http_vulnerable-vigil_test-asn.csv")
	plain := mustRead(t, f)
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(plain)
	w.Close()
	want := read(t, "2025-06-01-scan_http_vulnerable-vigil_test-asn.csv", plain, feed.Options{})
	got := read(t, "2025-06-01-scan_http_vulnerable-vigil_test-asn.csv.gz", gz.Bytes(), feed.Options{})
	if diff := cmp.Diff(want, got, cmpNet()); diff != "" {
		t.Errorf("gzip differs (-plain +gzip):\n%s", diff)
	}
	if len(got.Observations) != 30 {
		t.Errorf("%d observations", len(got.Observations))
	}
	// A truncated gzip stream is an error, not a short report.
	rd, err := feed.NewReader(context.Background(), bytes.NewReader(gz.Bytes()[:gz.Len()/2]), feed.Options{Name: "x.csv.gz"})
	if err == nil {
		for _, e := range rd.All() {
			err = e
		}
	}
	var re *errs.RowError
	if err == nil || errors.As(err, &re) {
		t.Errorf("truncated gzip: error %v; want an I/O error", err)
	}
}

func TestReportTypeFromName(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"2025-06-01-scan_exchange-vigil_test-asn.csv":        "scan_exchange",
		"/tmp/x/2025-06-01-event4_sinkhole_http-org-geo.csv": "event4_sinkhole_http",
		"2025-06-01-scan6_http_vulnerable-a-b-c.csv.gz":      "scan6_http_vulnerable",
		"scan_mqtt.csv": "scan_mqtt",
		"2024-07-04-scan_nosuch-123-sample-asn.csv": "",
		"report.csv": "",
		"":           "",
	}
	for name, want := range tests {
		if got := feed.ReportTypeFromName(name); got != want {
			t.Errorf("ReportTypeFromName(%q) = %q; want %q", name, got, want)
		}
	}
}

func TestContextCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var b bytes.Buffer
	b.WriteString("ip\n")
	for i := range 10000 {
		fmt.Fprintf(&b, "192.0.2.%d\n", i%250+1)
	}
	rd, err := feed.NewReader(ctx, &b, feed.Options{Format: feed.FormatCSV})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var last error
	for _, err := range rd.All() {
		if err != nil {
			last = err
			break
		}
		if n++; n == 10 {
			cancel()
		}
	}
	if !errors.Is(last, context.Canceled) || n >= 10000 {
		t.Errorf("after cancel: %d rows, error %v", n, last)
	}
}

// cmpNet compares netip values by ==.
func cmpNet() cmp.Option {
	return cmp.Options{
		cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
		cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
	}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
