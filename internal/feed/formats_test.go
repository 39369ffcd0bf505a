// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package feed_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/errs"
	"vigil/internal/feed"
	"vigil/internal/finding"
)

func loadMapping(t *testing.T, path string) *feed.Mapping {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := feed.LoadMapping(f)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestGenericCSVWithMapping(t *testing.T) {
	t.Parallel()
	m := loadMapping(t, filepath.Join("testdata", "csv", "phishing-hosts.yaml"))
	res := readFile(t, filepath.Join("testdata", "csv", "phishing-hosts.csv"), feed.Options{Mapping: m})
	if res.Format != feed.FormatCSV || res.ReportType != "partner-phishing" {
		t.Fatalf("format %s, report type %q", res.Format, res.ReportType)
	}
	class := feed.Classification{Taxonomy: "fraud", Type: "phishing", Identifier: "phishing-site"}
	type obs struct {
		Line     int
		IP       string
		Port     uint16
		Host     string
		Severity finding.Severity
		CVEs     []string
		Time     time.Time
	}
	var got []obs
	for _, o := range res.Observations {
		if o.Classification != class || o.ReportType != "partner-phishing" || o.Tag == "" {
			t.Errorf("line %d: %+v %q %q", o.Line, o.Classification, o.ReportType, o.Tag)
		}
		got = append(got, obs{o.Line, o.IP.String(), o.Port, o.Hostname, o.Severity, o.CVEs, o.Time})
	}
	at := func(h, m int) time.Time { return time.Date(2025, 6, 1, h, m, 0, 0, time.UTC) }
	want := []obs{
		{2, "192.0.2.10", 443, "login.example.nl", finding.High, nil, at(8, 0)},
		{3, "198.51.100.20", 80, "shop.example.com", finding.Medium, []string{"CVE-2024-3400", "CVE-2023-46805"}, at(8, 5)},
		{4, "2001:db8:1::99", 8443, "", finding.Critical, nil, at(8, 10)},
		{9, "203.0.113.8", 443, "quoted;host.example.nl", finding.Medium, nil, at(8, 50)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("observations (-want +got):\n%s", diff)
	}
	wantBad := []errs.RowError{
		{File: "phishing-hosts.csv", Line: 5, Field: "src", Reason: `"not-an-ip": not an IP address`},
		{File: "phishing-hosts.csv", Line: 6, Field: "dport", Reason: `"70000" is not a port number`},
		{File: "phishing-hosts.csv", Line: 7, Field: "prio", Reason: `"urgent" is not a severity`},
		{File: "phishing-hosts.csv", Line: 8, Reason: "wrong number of fields: 3, the header has 7", Raw: "2025-06-01T08:30:00Z;203.0.113.7;443"},
	}
	if diff := cmp.Diff(wantBad, res.Bad, cmp.FilterPath(func(p cmp.Path) bool {
		return p.Last().String() == ".Raw" && p.Index(-2).(cmp.SliceIndex).Key() != 3
	}, cmp.Ignore())); diff != "" {
		t.Errorf("row errors (-want +got):\n%s", diff)
	}
}

func TestGenericCSVGuessed(t *testing.T) {
	t.Parallel()
	res := readFile(t, filepath.Join("testdata", "csv", "guess.csv"), feed.Options{})
	if res.Format != feed.FormatCSV || res.ReportType != "csv" || len(res.Bad) != 0 || len(res.Observations) != 3 {
		t.Fatalf("format %s, type %q, %d observations, bad %v", res.Format, res.ReportType, len(res.Observations), res.Bad)
	}
	o := res.Observations[0]
	if o.IP != mustAddr("192.0.2.44") || o.Port != 22 || o.ASN != 64496 || o.Geo != "NL" || o.Hostname != "ssh.example.nl" || o.Tag != "ssh-bruteforce" {
		t.Errorf("first row: %+v", o)
	}
	if o := res.Observations[1]; o.IP != mustAddr("198.51.100.45") || o.ASN != 64498 {
		t.Errorf("second row (4in6 unmapped): %+v", o)
	}
	if o := res.Observations[2]; o.Port != 0 || o.Tag != "" {
		t.Errorf("third row (empty port): %+v", o)
	}
}

func TestGuessMapping(t *testing.T) {
	t.Parallel()
	m, ok := feed.GuessMapping([]string{"Source IP", "src_ip", "Port", "first_seen", "Domain"})
	if !ok {
		t.Fatal("not ok")
	}
	want := feed.Columns{IP: "src_ip", Port: "Port", Time: "first_seen", FQDN: "Domain"}
	if diff := cmp.Diff(want, m.Columns); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, ok := feed.GuessMapping([]string{"foo", "bar"}); ok {
		t.Error("GuessMapping(foo, bar) ok")
	}
}

func TestLoadMappingErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"unknown_key":     "columns: {ip: a}\nbogus: 1\n",
		"no_match_column": "columns: {port: p}\n",
		"bad_delimiter":   "delimiter: ';;'\ncolumns: {ip: a}\n",
		"bad_severity":    "severity: urgent\ncolumns: {ip: a}\n",
		"not_yaml":        "{{{",
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := feed.LoadMapping(strings.NewReader(in))
			if !errors.Is(err, errs.ErrInvalid) {
				t.Errorf("LoadMapping: %v; want an invalid error", err)
			}
		})
	}
}

func TestMappingColumnMissing(t *testing.T) {
	t.Parallel()
	m := &feed.Mapping{Columns: feed.Columns{IP: "addr", Port: "nope"}}
	_, err := feed.NewReader(context.Background(), strings.NewReader("addr,port\n192.0.2.1,1\n"), feed.Options{Format: feed.FormatCSV, Mapping: m})
	if !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), "nope") {
		t.Errorf("error %v; want invalid naming the column", err)
	}
}

func TestBlocklist(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
	res := readFile(t, filepath.Join("testdata", "blocklist", "mixed.txt"), feed.Options{Now: func() time.Time { return now }})
	if res.Format != feed.FormatBlocklist || res.ReportType != "blocklist" {
		t.Fatalf("format %s, type %q", res.Format, res.ReportType)
	}
	type entry struct {
		Line    int
		IP      string
		Network string
	}
	var got []entry
	for _, o := range res.Observations {
		n := ""
		if o.Network.IsValid() {
			n = o.Network.String()
		}
		got = append(got, entry{o.Line, o.IP.String(), n})
		if !o.Time.Equal(now) || o.Severity != finding.Low || o.Classification.Type != "blocklist" {
			t.Errorf("line %d: time %v severity %v class %+v", o.Line, o.Time, o.Severity, o.Classification)
		}
	}
	want := []entry{
		{2, "192.0.2.1", ""},
		{3, "192.0.2.2", ""},
		{4, "198.51.100.7", ""},
		{6, "203.0.113.0", "203.0.113.0/24"},
		{7, "203.0.113.64", "203.0.113.64/28"},
		{8, "2001:db8::1", ""},
		{9, "192.0.2.3", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("observations (-want +got):\n%s", diff)
	}
	wantBad := []errs.RowError{
		{File: "mixed.txt", Line: 10, Field: "ip", Reason: `"999.1.1.1": not an IP address`, Raw: "999.1.1.1"},
		{File: "mixed.txt", Line: 11, Field: "ip", Reason: `"192.0.2.0/33" is not a CIDR range`, Raw: "192.0.2.0/33"},
		{File: "mixed.txt", Line: 12, Field: "ip", Reason: `"10.0.0.9-10.0.0.1": range ends before it starts`, Raw: "10.0.0.9-10.0.0.1"},
		{File: "mixed.txt", Line: 13, Field: "ip", Reason: `"0.0.0.0": unspecified IP address`, Raw: "0.0.0.0"},
		{File: "mixed.txt", Line: 14, Field: "ip", Reason: `"fe80::1%eth0": IP address with a zone`, Raw: "fe80::1%eth0"},
	}
	if diff := cmp.Diff(wantBad, res.Bad); diff != "" {
		t.Errorf("row errors (-want +got):\n%s", diff)
	}
	if res.Stats != (feed.Stats{Rows: 12, Observations: 7, Bad: 5}) {
		t.Errorf("stats %+v", res.Stats)
	}
}

func TestBlocklistRangeSplit(t *testing.T) {
	t.Parallel()
	res := read(t, "r.txt", []byte("192.0.2.5 - 192.0.2.20\n2001:db8::-2001:db8::2\n"), feed.Options{})
	var got []string
	for _, o := range res.Observations {
		got = append(got, o.Network.String())
	}
	want := []string{"192.0.2.5/32", "192.0.2.6/31", "192.0.2.8/29", "192.0.2.16/30", "192.0.2.20/32", "2001:db8::/127", "2001:db8::2/128"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestBlocklistDropStyle(t *testing.T) {
	t.Parallel()
	res := readFile(t, filepath.Join("testdata", "blocklist", "drop-style.txt"), feed.Options{ReportType: "spamhaus-drop"})
	if res.ReportType != "spamhaus-drop" || len(res.Bad) != 0 || len(res.Observations) != 3 {
		t.Fatalf("type %q, %d observations, bad %v", res.ReportType, len(res.Observations), res.Bad)
	}
	if got := res.Observations[2].Network; got != netip.MustParsePrefix("2001:db8:2::/48") {
		t.Errorf("network %v", got)
	}
}

func TestCredentials(t *testing.T) {
	t.Parallel()
	salt := []byte("test salt")
	path := filepath.Join("testdata", "credentials", "leak.txt")
	data := mustRead(t, path)
	res := read(t, "leak.txt", data, feed.Options{CredentialSalt: salt})
	if res.Format != feed.FormatCredentials || res.ReportType != "credentials" {
		t.Fatalf("format %s, type %q", res.Format, res.ReportType)
	}
	mac := func(pw string) string {
		h := hmac.New(sha256.New, salt)
		h.Write([]byte(pw))
		return hex.EncodeToString(h.Sum(nil))
	}
	type entry struct {
		Line            int
		IP, FQDN        string
		Port            uint16
		User, Hash, Raw string
	}
	var got []entry
	for _, o := range res.Observations {
		ip := ""
		if o.IP.IsValid() {
			ip = o.IP.String()
		}
		got = append(got, entry{o.Line, ip, o.FQDN, o.Port, o.Credential.User, o.Credential.PasswordHMAC, o.Raw})
		if o.Credential.Count != 1 || o.Account != o.Credential.User || o.Classification.Type != "data-leak" || o.Severity != finding.High {
			t.Errorf("line %d: %+v", o.Line, o)
		}
	}
	want := []entry{
		{2, "192.0.2.10", "", 10443, "alice", mac("Summer2025!"), "192.0.2.10:10443,alice,<redacted>"},
		{3, "192.0.2.10", "", 10443, "bob", mac("pa,ss;word"), "192.0.2.10:10443,bob,<redacted>"},
		{4, "198.51.100.20", "", 0, "carol", mac("hunter2"), "198.51.100.20,carol,<redacted>"},
		{5, "2001:db8:1::5", "", 443, "dave", mac("correct horse"), "[2001:db8:1::5]:443,dave,<redacted>"},
		{6, "203.0.113.9", "", 8443, "erin", mac("s3cret"), "https://203.0.113.9:8443/remote/login,erin,<redacted>"},
		{7, "", "vpn.example.nl", 0, "frank", mac("vpn-pass"), "https://vpn.example.nl/remote/login,frank,<redacted>"},
		{8, "203.0.113.10", "", 4433, "grace", mac("letmein"), "203.0.113.10:4433,grace,<redacted>"},
		{9, "192.0.2.11", "", 443, "heidi", "", "192.0.2.11:443,heidi"},
		{12, "192.0.2.10", "", 10443, "alice", mac("Summer2025!"), "192.0.2.10:10443,alice,<redacted>"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("observations (-want +got):\n%s", diff)
	}
	if len(res.Bad) != 2 || res.Bad[0].Line != 10 || res.Bad[1].Line != 11 || res.Bad[0].Field != "ip" {
		t.Errorf("row errors %+v", res.Bad)
	}
	// No password may appear anywhere in what the reader hands out.
	out, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{"Summer2025!", "pa,ss;word", "hunter2", "correct horse", "s3cret", "vpn-pass", "letmein", "topsecret", "alsosecret"} {
		if bytes.Contains(out, []byte(pw)) {
			t.Errorf("password %q leaks into the output", pw)
		}
	}
}

func TestCredentialsNeedSalt(t *testing.T) {
	t.Parallel()
	_, err := feed.NewReader(context.Background(), strings.NewReader("192.0.2.1:443,a,b\n"), feed.Options{})
	if !errors.Is(err, errs.ErrInvalid) {
		t.Errorf("no salt: %v; want invalid", err)
	}
}

func TestFormatDetection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, input string
		want        feed.Format
	}{
		{"blocklist_ip", "192.0.2.1\n", feed.FormatBlocklist},
		{"blocklist_comment_first", "# list\n192.0.2.0/24\n", feed.FormatBlocklist},
		{"blocklist_ip_with_reason", "192.0.2.1,spam\n", feed.FormatBlocklist},
		{"credentials", "192.0.2.1:443,admin,pw\n", feed.FormatCredentials},
		{"credentials_url", "https://192.0.2.1/x,admin,pw\n", feed.FormatCredentials},
		{"csv", "ip,port\n192.0.2.1,1\n", feed.FormatCSV},
		{"shadowserver_header", `"timestamp","severity","ip","protocol","port","hostname","tag","asn","geo","region","city","naics","hostname_source","sector","dns_version","min_amplification"` + "\n", feed.FormatShadowserver},
		{"bom", "\ufeffip;port\n192.0.2.1;1\n", feed.FormatCSV},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rd, err := feed.NewReader(context.Background(), strings.NewReader(tt.input), feed.Options{CredentialSalt: []byte("s")})
			if err != nil {
				t.Fatal(err)
			}
			if rd.Format() != tt.want {
				t.Errorf("format %s; want %s", rd.Format(), tt.want)
			}
			n := 0
			for _, err := range rd.All() {
				if err != nil {
					t.Errorf("row error: %v", err)
				}
				n++
			}
		})
	}
	for _, in := range []string{"", "hello world\n", "a,b,c\n1,2,3\n"} {
		if _, err := feed.NewReader(context.Background(), strings.NewReader(in), feed.Options{}); !errors.Is(err, errs.ErrInvalid) && in != "" {
			t.Errorf("NewReader(%q): %v; want invalid", in, err)
		}
	}
}

// TestRecords covers the CSV dialect: quotes, escaped quotes, line breaks
// inside quotes, CRLF, empty lines, invalid UTF-8 and overlong records.
func TestRecords(t *testing.T) {
	t.Parallel()
	in := "ip,host,note\r\n" +
		"192.0.2.1,\"a.example.nl\",\"say \"\"hi\"\"\"\r\n" +
		"\r\n" +
		"192.0.2.2,b.example.nl,\"two\nlines\"\n" +
		"192.0.2.3,\"c\xff.example.nl\",x\n" +
		"192.0.2.7,g.example.nl,\"nul\x00here\"\n" +
		"192.0.2.4,\"unterminated,x\n" +
		"192.0.2.5,e.example.nl," + strings.Repeat("y", 300) + "\n" +
		"192.0.2.6,f.example.nl,ok"
	res := read(t, "r.csv", []byte(in), feed.Options{Format: feed.FormatCSV, MaxRecordBytes: 200, MaxRawBytes: 40})
	var hosts []string
	for _, o := range res.Observations {
		hosts = append(hosts, o.Hostname)
	}
	if diff := cmp.Diff([]string{"a.example.nl", "b.example.nl", "f.example.nl"}, hosts); diff != "" {
		t.Errorf("hosts (-want +got):\n%s", diff)
	}
	if len(res.Observations) == 3 && res.Observations[1].Line != 4 {
		t.Errorf("multi-line record on line %d; want 4", res.Observations[1].Line)
	}
	want := []errs.RowError{
		// The raw row keeps its bytes; the store escapes them.
		{File: "r.csv", Line: 6, Field: "host", Reason: "is not valid UTF-8", Raw: "192.0.2.3,\"c\xff.example.nl\",x"},
		{File: "r.csv", Line: 7, Field: "note", Reason: "contains a NUL byte", Raw: "192.0.2.7,g.example.nl,\"nul\x00here\""},
		// The open quote swallows the next line, which is over the limit.
		{File: "r.csv", Line: 8, Field: "host", Reason: "quoted field not closed within 200 bytes", Raw: "192.0.2.4,\"unterminated,x"},
	}
	if diff := cmp.Diff(want, res.Bad); diff != "" {
		t.Errorf("row errors (-want +got):\n%s", diff)
	}
	if res.Stats != (feed.Stats{Rows: 6, Observations: 3, Bad: 3}) {
		t.Errorf("stats %+v", res.Stats)
	}
}

func TestRecordTooLong(t *testing.T) {
	t.Parallel()
	in := "ip,note\n192.0.2.1," + strings.Repeat("y", 100_000) + "\n192.0.2.2,ok\n"
	res := read(t, "r.csv", []byte(in), feed.Options{Format: feed.FormatCSV, MaxRecordBytes: 70_000})
	if len(res.Observations) != 1 || res.Observations[0].Line != 3 {
		t.Errorf("observations %+v", res.Observations)
	}
	if len(res.Bad) != 1 || res.Bad[0].Line != 2 || res.Bad[0].Reason != "record too long" || len(res.Bad[0].Raw) > 1100 {
		t.Errorf("row errors %+v", res.Bad)
	}
}

func TestUnterminatedQuoteAtEOF(t *testing.T) {
	t.Parallel()
	res := read(t, "r.csv", []byte("ip,note\n192.0.2.1,ok\n192.0.2.2,\"open\nstill open\n"), feed.Options{Format: feed.FormatCSV})
	if len(res.Observations) != 1 || len(res.Bad) != 1 || res.Bad[0].Line != 3 || !strings.Contains(res.Bad[0].Reason, "not closed") {
		t.Errorf("observations %d, row errors %+v", len(res.Observations), res.Bad)
	}
}

func TestTimeFormats(t *testing.T) {
	t.Parallel()
	want := time.Date(2025, 6, 1, 12, 30, 45, 0, time.UTC)
	for _, s := range []string{"2025-06-01 12:30:45", "2025-06-01T12:30:45Z", "2025-06-01 12:30:45 UTC", "2025-06-01T14:30:45+02:00", "1748781045", "Sun, 01 Jun 2025 12:30:45 UTC"} {
		res := read(t, "t.csv", []byte("time,ip\n\""+s+"\",192.0.2.1\n"), feed.Options{})
		if len(res.Observations) != 1 || !res.Observations[0].Time.Equal(want) {
			t.Errorf("%q: %+v %v", s, res.Observations, res.Bad)
		}
	}
	for _, s := range []string{"2025-02-29 00:00:00", "2025-06-01 24:00:00", "2025-06-31", "yesterday", "2025-06-01 12:30:45 CEST"} {
		res := read(t, "t.csv", []byte("time,ip\n\""+s+"\",192.0.2.1\n"), feed.Options{})
		if len(res.Bad) != 1 || res.Bad[0].Field != "time" {
			t.Errorf("%q accepted: %+v", s, res.Observations)
		}
	}
}
