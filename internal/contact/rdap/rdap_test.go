// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package rdap_test

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/contact/rdap"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseFile(t testing.TB, name string) *rdap.Object {
	t.Helper()
	o, err := rdap.Parse(bytes.NewReader(readTestdata(t, name)))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return o
}

// brief is the part of a Contact the tests compare.
type brief struct {
	Handle string
	Name   string
	Roles  string
	Depth  int
	Emails string
	Phones string
}

func briefs(cs []rdap.Contact) []brief {
	out := make([]brief, len(cs))
	for i, c := range cs {
		out[i] = brief{c.Handle, c.Name, strings.Join(c.Roles, ","), c.Depth, strings.Join(c.Emails, ","), strings.Join(c.Phones, ",")}
	}
	return out
}

func TestParseRealAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file        string
		handle      string
		network     string
		country     string
		start, end  string
		contacts    []brief
		abuseHandle string
		abuseEmail  string
	}{
		{
			file: "ripe-ip-62.239.237.1.json", handle: "62.239.237.0 - 62.239.237.255", network: "BT-CORPORATE", country: "GB",
			start: "62.239.237.0", end: "62.239.237.255",
			contacts: []brief{
				{"BTCR3-RIPE", "BT Corporate Registry", "abuse", 1, "zzdnsr@bt.com,steve.a.marshall@bt.com,lee.bailey-hague@bt.com", ""},
				{"BCER1-RIPE", "", "administrative,technical", 2, "", ""},
				{"BTENT-MNT", "", "registrant", 2, "", ""},
				{"LBH1-RIPE", "", "administrative", 2, "", ""},
				{"SAM62-RIPE", "", "administrative", 2, "", ""},
				{"SW4727-RIPE", "", "administrative", 2, "", ""},
			},
			abuseHandle: "BTCR3-RIPE", abuseEmail: "zzdnsr@bt.com",
		},
		{
			file: "arin-ip-74.125.225.229.json", handle: "NET-74-125-0-0-1", network: "GOOGLE",
			start: "74.125.0.0", end: "74.125.255.255",
			contacts: []brief{
				{"GOGL", "Google Inc.", "registrant", 1, "", ""},
				{"ZG39-ARIN", "Google Inc", "abuse,administrative,technical", 2, "arin-contact@google.com", "+1-650-253-0000"},
			},
			abuseHandle: "ZG39-ARIN", abuseEmail: "arin-contact@google.com",
		},
		{
			file: "apnic-ip-210.107.73.73.json", handle: "210.107.0.0 - 210.107.127.255", network: "BORANET-NET-210-107", country: "KR",
			start: "210.107.0.0", end: "210.107.127.255",
			contacts: []brief{
				{"DB50-AP", "DACOM BORANET", "technical,administrative", 1, "ipadm@nic.bora.net,abuse@bora.net,security@bora.net", "+82-2-2089-7755"},
				{"IRT-KRNIC-KR", "IRT-KRNIC-KR", "abuse", 1, "hostmaster@nic.or.kr", ""},
			},
			// The technical entity lists abuse@bora.net, but the abuse role
			// belongs to the IRT: RIRs send abuse reports there.
			abuseHandle: "IRT-KRNIC-KR", abuseEmail: "hostmaster@nic.or.kr",
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			o := parseFile(t, tc.file)
			if len(o.Problems) > 0 {
				t.Errorf("problems: %q", o.Problems)
			}
			if o.Handle != tc.handle || o.Name != tc.network || o.Country != tc.country {
				t.Errorf("handle, name, country = %q, %q, %q; want %q, %q, %q", o.Handle, o.Name, o.Country, tc.handle, tc.network, tc.country)
			}
			s, e, ok := o.AddrRange()
			if !ok || s != netip.MustParseAddr(tc.start) || e != netip.MustParseAddr(tc.end) {
				t.Errorf("AddrRange() = %v, %v, %v; want %s, %s", s, e, ok, tc.start, tc.end)
			}
			cs := o.Contacts()
			if diff := cmp.Diff(tc.contacts, briefs(cs)); diff != "" {
				t.Errorf("contacts (-want +got):\n%s", diff)
			}
			for _, c := range cs {
				if c.Network != tc.network || c.Country != tc.country {
					t.Errorf("%s: network, country = %q, %q", c.Handle, c.Network, c.Country)
				}
			}
			a, ok := rdap.Abuse(cs)
			if !ok || a.Handle != tc.abuseHandle || a.Emails[0] != tc.abuseEmail {
				t.Errorf("Abuse() = %s %q, %v; want %s %s", a.Handle, a.Emails, ok, tc.abuseHandle, tc.abuseEmail)
			}
		})
	}
}

// TestAbuseOrder checks the fallback order on contacts derived from the real
// APNIC answer: without the IRT, the technical entity is chosen.
func TestAbuseOrder(t *testing.T) {
	t.Parallel()
	cs := parseFile(t, "apnic-ip-210.107.73.73.json").Contacts()
	irt, tech := cs[1], cs[0]
	registrant := rdap.Contact{Handle: "ORG-1", Roles: []string{"registrant"}, Emails: []string{"noc@example.net"}, Depth: 1}
	admin := rdap.Contact{Handle: "ADM-1", Roles: []string{"administrative"}, Emails: []string{"admin@example.net"}, Depth: 1}
	deepAbuse := rdap.Contact{Handle: "ABUSE-DEEP", Roles: []string{"Abuse"}, Emails: []string{"abuse@example.net"}, Depth: 3}
	noMail := rdap.Contact{Handle: "ABUSE-NOMAIL", Roles: []string{"abuse"}, Depth: 1}
	tests := []struct {
		name string
		cs   []rdap.Contact
		want string
	}{
		{"abuse_first", []rdap.Contact{tech, registrant, irt}, "IRT-KRNIC-KR"},
		{"technical_next", []rdap.Contact{admin, registrant, tech}, "DB50-AP"},
		{"registrant_then", []rdap.Contact{admin, registrant}, "ORG-1"},
		{"administrative_last", []rdap.Contact{admin}, "ADM-1"},
		{"shallowest_abuse", []rdap.Contact{deepAbuse, irt}, "IRT-KRNIC-KR"},
		{"role_case_ignored", []rdap.Contact{tech, deepAbuse}, "ABUSE-DEEP"},
		{"abuse_without_email_skipped", []rdap.Contact{noMail, tech}, "DB50-AP"},
		{"none", []rdap.Contact{noMail}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := rdap.Abuse(tc.cs)
			if got.Handle != tc.want || ok != (tc.want != "") {
				t.Errorf("Abuse() = %q, %v; want %q", got.Handle, ok, tc.want)
			}
		})
	}
}

func TestParseOddShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		json     string
		wantErr  bool
		problems int
		contacts int
	}{
		{"not_json", `<html>`, true, 0, 0},
		{"not_object", `[1,2]`, true, 0, 0},
		{"null", `null`, true, 0, 0},
		{"error_object", `{"errorCode":404,"title":"Not Found"}`, false, 0, 0},
		{"roles_not_list", `{"entities":[{"handle":"X","roles":"abuse"}]}`, false, 1, 1},
		{"entity_not_object", `{"entities":[17,{"handle":"Y"}]}`, false, 1, 1},
		{"vcard_bad_property", `{"entities":[{"handle":"Z","roles":["abuse"],"vcardArray":["vcard",[["email",{},"text","a@example.net"],"junk",["fn"]]]}]}`, false, 2, 1},
		{"vcard_not_vcard", `{"entities":[{"handle":"Z","vcardArray":{"fn":"x"}}]}`, false, 1, 1},
		{"name_not_string", `{"name":42}`, false, 1, 0},
		{"autnum_negative", `{"startAutnum":-1}`, false, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o, err := rdap.Parse(strings.NewReader(tc.json))
			if (err != nil) != tc.wantErr {
				t.Fatalf("Parse error = %v; want error %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if len(o.Problems) != tc.problems {
				t.Errorf("problems %q; want %d", o.Problems, tc.problems)
			}
			if n := len(o.Contacts()); n != tc.contacts {
				t.Errorf("%d contacts; want %d", n, tc.contacts)
			}
		})
	}
}

func TestVCardPrefAndFax(t *testing.T) {
	t.Parallel()
	o, err := rdap.Parse(strings.NewReader(`{"entities":[{"handle":"P","roles":["abuse"],"vcardArray":["vcard",[
		["email",{},"text","last@example.net"],
		["email",{"pref":"2"},"text","second@example.net"],
		["email",{"pref":1},"text","first@example.net"],
		["email",{},"text","FIRST@example.net"],
		["tel",{"type":["work","fax"]},"text","+31-20-000-0001"],
		["tel",{"type":"voice"},"uri","tel:+31-20-000-0002"]]]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	e := o.Entities[0]
	if diff := cmp.Diff([]string{"first@example.net", "second@example.net", "last@example.net"}, e.Emails); diff != "" {
		t.Errorf("emails (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"+31-20-000-0002"}, e.Phones); diff != "" {
		t.Errorf("phones (-want +got):\n%s", diff)
	}
}

func TestParseQuery(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		kind     rdap.Kind
		wantErr  bool
	}{
		{in: "62.239.237.1", want: "62.239.237.1", kind: rdap.KindIP},
		{in: "::ffff:62.239.237.1", want: "62.239.237.1", kind: rdap.KindIP},
		{in: "2001:DB8::1", want: "2001:db8::1", kind: rdap.KindIP},
		{in: "62.239.237.9/24", want: "62.239.237.0/24", kind: rdap.KindIP},
		{in: "AS3333", want: "AS3333", kind: rdap.KindASN},
		{in: "as15169", want: "AS15169", kind: rdap.KindASN},
		{in: "4766", want: "AS4766", kind: rdap.KindASN},
		{in: "Example.NL.", want: "example.nl", kind: rdap.KindDomain},
		{in: "bücher.example", want: "xn--bcher-kva.example", kind: rdap.KindDomain},
		{in: "localhost", wantErr: true},
		{in: "", wantErr: true},
		{in: "AS99999999999", wantErr: true},
		{in: "not a domain.nl", wantErr: true},
	}
	for _, tc := range tests {
		q, err := rdap.ParseQuery(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("ParseQuery(%q) error = %v; want error %v", tc.in, err, tc.wantErr)
			continue
		}
		if err == nil && (q.String() != tc.want || q.Kind != tc.kind) {
			t.Errorf("ParseQuery(%q) = %s %q; want %s %q", tc.in, q.Kind, q, tc.kind, tc.want)
		}
	}
}

func TestDefaultBootstrap(t *testing.T) {
	t.Parallel()
	b, err := rdap.DefaultBootstrap()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query string
		want  string // "" = no server
	}{
		{"62.239.237.1", "https://rdap.db.ripe.net/"},
		{"74.125.225.229", "https://rdap.arin.net/registry"}, // https preferred over the http twin
		{"210.107.73.73", "https://rdap.apnic.net/"},
		{"41.1.1.1", "https://rdap.afrinic.net/rdap/"},
		{"2a00:1450::1", "https://rdap.db.ripe.net/"},
		{"2001:4860::/32", "https://rdap.arin.net/registry"},
		{"2001:200::1", "https://rdap.apnic.net/"},
		{"AS3333", "https://rdap.db.ripe.net/"},
		{"AS15169", "https://rdap.arin.net/registry"},
		{"AS4766", "https://rdap.apnic.net/"},
		{"nic.cz", "https://rdap.nic.cz"},
		{"www.registro.br", "https://rdap.registro.br/"},
		{"example.com", ""}, // the bundled dns.json is trimmed upstream
		{"AS4294967295", ""},
	}
	for _, tc := range tests {
		q, err := rdap.ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		var got string
		var ok bool
		switch q.Kind {
		case rdap.KindIP:
			got, ok = b.ServerForAddr(q.Prefix)
		case rdap.KindASN:
			got, ok = b.ServerForASN(q.ASN)
		default:
			got, ok = b.ServerForDomain(q.Domain)
		}
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("server for %s = %q, %v; want %q", tc.query, got, ok, tc.want)
		}
	}
	if p := b.Publication["ipv4.json"]; p.Year() != 2015 {
		t.Errorf("ipv4.json publication %v; want 2015", p)
	}
}

func TestParseBootstrapRejects(t *testing.T) {
	t.Parallel()
	good := map[string][]byte{}
	for _, n := range rdap.BootstrapFiles() {
		good[n] = readBootstrap(t, n)
	}
	tests := []struct {
		name   string
		file   string
		broken string // "" removes the file
	}{
		{"missing_file", "dns.json", ""},
		{"not_json", "asn.json", "{"},
		{"no_services", "ipv6.json", `{"services":[]}`},
		{"bad_prefix", "ipv4.json", `{"services":[[["300.0.0.0/8"],["https://r.example/"]]]}`},
		{"bad_asn_range", "asn.json", `{"services":[[["20-10"],["https://r.example/"]]]}`},
		{"no_urls", "dns.json", `{"services":[[["nl"],[]]]}`},
	}
	for _, tc := range tests {
		files := map[string][]byte{}
		for k, v := range good {
			files[k] = v
		}
		if tc.broken == "" {
			delete(files, tc.file)
		} else {
			files[tc.file] = []byte(tc.broken)
		}
		if _, err := rdap.ParseBootstrap(files); err == nil {
			t.Errorf("%s: ParseBootstrap accepted it", tc.name)
		}
	}
}

func readBootstrap(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("bootstrap", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzRDAP checks that parsing any answer and choosing its abuse contact
// never panics, and that the chosen contact is one of the contacts.
func FuzzRDAP(f *testing.F) {
	for _, n := range []string{"ripe-ip-62.239.237.1.json", "arin-ip-74.125.225.229.json", "apnic-ip-210.107.73.73.json"} {
		f.Add(readTestdata(f, n))
	}
	f.Add([]byte(`{"entities":[{"roles":["abuse"],"vcardArray":["vcard",[["email",{"pref":"1"},"text","a@b"]]],"entities":[{}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := rdap.Parse(bytes.NewReader(b))
		if err != nil {
			return
		}
		cs := o.Contacts()
		a, ok := rdap.Abuse(cs)
		if ok && len(a.Emails) == 0 {
			t.Fatalf("abuse contact %q has no e-mail address", a.Handle)
		}
		if s, e, ok := o.AddrRange(); ok && e.Less(s) {
			t.Fatalf("range %v - %v is reversed", s, e)
		}
		for _, c := range cs {
			if c.Depth < 1 {
				t.Fatalf("contact %q at depth %d", c.Handle, c.Depth)
			}
		}
	})
}

func BenchmarkParseAbuse(b *testing.B) {
	data := readTestdata(b, "arin-ip-74.125.225.229.json")
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		o, err := rdap.Parse(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := rdap.Abuse(o.Contacts()); !ok {
			b.Fatal("no abuse contact")
		}
	}
}
