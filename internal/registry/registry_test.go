// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package registry_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/errs"
	"vigil/internal/registry"
)

func TestParseAsset(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind      registry.AssetKind
		in        string
		wantKind  registry.AssetKind
		want      string
		wantField string // non-empty: refused, naming this field
	}{
		{"", "192.0.2.0/24", registry.KindCIDR, "192.0.2.0/24", ""},
		{"", "192.0.2.7", registry.KindCIDR, "192.0.2.7/32", ""},
		{"", "2001:DB8::/32", registry.KindCIDR, "2001:db8::/32", ""},
		{"", "::ffff:192.0.2.0/120", registry.KindCIDR, "192.0.2.0/24", ""},
		{"", "192.0.2.1/24", "", "", "cidr"},
		{"", "192.0.2.0/33", "", "", "cidr"},
		{"", "0.0.0.0/0", "", "", "cidr"},
		{"", "fe80::1%eth0", "", "", "cidr"},
		{"", "AS64500", registry.KindASN, "64500", ""},
		{"", "as4200000000", registry.KindASN, "4200000000", ""},
		{"", "64500", registry.KindASN, "64500", ""},
		{registry.KindASN, "AS0", "", "", "asn"},
		{registry.KindASN, "AS23456", "", "", "asn"},
		{registry.KindASN, "AS4294967296", "", "", "asn"},
		{"", "Example.NL.", registry.KindDomain, "example.nl", ""},
		{"", "münchen.example", registry.KindDomain, "xn--mnchen-3ya.example", ""},
		{"", "sub.example.co.uk", registry.KindDomain, "sub.example.co.uk", ""},
		{"", "co.uk", "", "", "domain"},
		{"", "localhost", "", "", "domain"},
		{"", "exa mple.nl", "", "", "domain"},
		{"", "-bad.nl", "", "", "domain"},
		{registry.KindDomain, "192.0.2.1", "", "", "domain"},
		{"printer", "printer", "", "", "kind"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := registry.ParseAsset(tt.kind, tt.in)
			if tt.wantField != "" {
				var e *errs.Error
				if !errors.As(err, &e) || e.Field != tt.wantField || e.Code != errs.Invalid {
					t.Fatalf("ParseAsset(%q) error = %v; want invalid %s", tt.in, err, tt.wantField)
				}
				if !strings.Contains(err.Error(), tt.in) {
					t.Errorf("error %q does not name the value %q", err, tt.in)
				}
				return
			}
			if err != nil || got.Kind != tt.wantKind || got.Value != tt.want {
				t.Fatalf("ParseAsset(%q) = %v %q, %v; want %v %q", tt.in, got.Kind, got.Value, err, tt.wantKind, tt.want)
			}
		})
	}
}

func TestContactNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		c         registry.Contact
		want      registry.Contact
		wantField string
	}{
		{"email", registry.Contact{Email: "SOC@Example.NL"}, registry.Contact{Email: "SOC@example.nl"}, ""},
		{"phone", registry.Contact{Phone: "+31 (70) 123-4567"}, registry.Contact{Phone: "+31701234567"}, ""},
		{"display_name", registry.Contact{Email: "SOC <soc@example.nl>"}, registry.Contact{}, "email"},
		{"no_tld", registry.Contact{Email: "soc@localhost"}, registry.Contact{}, "email"},
		{"local_phone", registry.Contact{Phone: "070 1234567"}, registry.Contact{}, "phone"},
		{"nothing", registry.Contact{Name: "Jan"}, registry.Contact{}, "email"},
		{"role", registry.Contact{Email: "a@example.nl", Role: "boss"}, registry.Contact{}, "role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			err := c.Normalize()
			if tt.wantField != "" {
				var e *errs.Error
				if !errors.As(err, &e) || e.Field != tt.wantField {
					t.Fatalf("Normalize() = %v; want invalid %s", err, tt.wantField)
				}
				return
			}
			if err != nil || c != tt.want {
				t.Fatalf("Normalize() = %+v, %v; want %+v", c, err, tt.want)
			}
		})
	}
}

func TestDeviceNormalize(t *testing.T) {
	t.Parallel()
	good := registry.Device{Vendor: " Hikvision ", Model: "DS-2CD2142FWD-I", Firmware: "V5.4.5 build 170124",
		CPE:  `cpe:2.3:o:hikvision:ds-2cd2142fwd-i_firmware:5.4.5:*:*:*:*:*:*:*`,
		PURL: "pkg:generic/hikvision/ds-2cd2142fwd-i@5.4.5"}
	if err := good.Normalize(); err != nil || good.Vendor != "Hikvision" {
		t.Fatalf("good device: %+v, %v", good, err)
	}
	for _, cpe := range []string{"cpe:/o:hikvision:x", "cpe:2.3:o:hikvision", "cpe:2.3:x:a:b:c:d:e:f:g:h:i:j"} {
		d := registry.Device{Vendor: "v", Model: "m", CPE: cpe}
		if err := d.Normalize(); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("CPE %q accepted", cpe)
		}
	}
	d := registry.Device{Vendor: "v", Model: "m", PURL: "npm/left-pad"}
	if err := d.Normalize(); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("PURL without scheme accepted")
	}
}

func TestParseCSV(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/orgs.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	orgs, bad, err := registry.ParseCSV(f, "orgs.csv")
	if err != nil || len(bad) != 0 || len(orgs) != 3 {
		t.Fatalf("ParseCSV = %d orgs, bad %v, %v", len(orgs), bad, err)
	}
	if got := len(orgs[0].Assets); got != 4 {
		t.Errorf("org 0 has %d assets; want 4", got)
	}
	if orgs[0].Contacts[1].Phone != "+31701234567" {
		t.Errorf("phone = %q", orgs[0].Contacts[1].Phone)
	}
	if orgs[2].Assets[1].Value != "203.0.113.7/32" {
		t.Errorf("single IP = %q; want /32", orgs[2].Assets[1].Value)
	}
	// Export and re-import gives the same organisations.
	var buf bytes.Buffer
	if err := registry.WriteCSV(&buf, orgs); err != nil {
		t.Fatal(err)
	}
	again, bad, err := registry.ParseCSV(&buf, "export.csv")
	if err != nil || len(bad) != 0 {
		t.Fatalf("re-import: %v %v", bad, err)
	}
	if diff := cmp.Diff(orgs, again); diff != "" {
		t.Errorf("round trip (-first +again):\n%s", diff)
	}
}

func TestParseCSVBadRows(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/orgs_bad.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	orgs, bad, err := registry.ParseCSV(f, "orgs_bad.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(orgs) != 2 || orgs[0].Name != "Good One" || orgs[1].Name != "Good Two" {
		t.Errorf("good rows = %+v", orgs)
	}
	want := []struct {
		line  int
		field string
	}{{3, "assets[1].cidr"}, {4, "contacts[0].email"}, {5, ""}}
	if len(bad) != len(want) {
		t.Fatalf("bad rows = %+v; want %d", bad, len(want))
	}
	for i, w := range want {
		if bad[i].Line != w.line || bad[i].Field != w.field || bad[i].File != "orgs_bad.csv" || bad[i].Reason == "" {
			t.Errorf("bad[%d] = %+v; want line %d field %q", i, bad[i], w.line, w.field)
		}
	}
}

func TestParseCSVHeader(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "nom,sector\nx,y\n", "sector\nx\n", "name,name\nx,y\n"} {
		if _, _, err := registry.ParseCSV(strings.NewReader(in), "h.csv"); err == nil {
			t.Errorf("header %q accepted", in)
		}
	}
}

func TestParseJSON(t *testing.T) {
	t.Parallel()
	in := `[
  {"name": "A", "assets": [{"kind": "cidr", "value": "192.0.2.0/28"}]},
  {"name": "B", "asets": []},
  {"name": "C", "assets": [{"kind": "domain", "value": "co.uk"}]},
  {"name": "D", "devices": [{"vendor": "AVM", "model": "FRITZ!Box 7590", "firmware": "7.57"}]}
]`
	orgs, bad, err := registry.ParseJSON(strings.NewReader(in), "orgs.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(orgs) != 2 || orgs[0].Name != "A" || orgs[1].Name != "D" {
		t.Errorf("orgs = %+v", orgs)
	}
	if len(bad) != 2 || bad[0].Line != 3 || !strings.Contains(bad[0].Reason, "asets") || bad[1].Line != 4 || bad[1].Field != "assets[0].domain" {
		t.Errorf("bad = %+v", bad)
	}
	if _, _, err := registry.ParseJSON(strings.NewReader(`{"name":"x"}`), "o.json"); err == nil {
		t.Error("non-array accepted")
	}
}

func TestOverlaps(t *testing.T) {
	t.Parallel()
	as := []registry.Asset{
		{ID: 1, OrgID: 1, Kind: registry.KindCIDR, Value: "192.0.2.0/24"},
		{ID: 2, OrgID: 2, Kind: registry.KindCIDR, Value: "192.0.2.128/25"},
		{ID: 3, OrgID: 1, Kind: registry.KindCIDR, Value: "192.0.2.0/26"}, // same org: no overlap reported
		{ID: 4, OrgID: 3, Kind: registry.KindCIDR, Value: "192.0.2.128/25"},
		{ID: 5, OrgID: 4, Kind: registry.KindCIDR, Value: "198.51.100.0/24"},
		{ID: 6, OrgID: 5, Kind: registry.KindCIDR, Value: "2001:db8::/32"},
		{ID: 7, OrgID: 6, Kind: registry.KindCIDR, Value: "2001:db8:1::/48"},
		{ID: 8, OrgID: 6, Kind: registry.KindDomain, Value: "example.nl"},
	}
	got := registry.Overlaps(as)
	type pair struct{ outer, inner int64 }
	var pairs []pair
	for _, o := range got {
		pairs = append(pairs, pair{o.Outer.ID, o.Inner.ID})
	}
	want := []pair{{1, 2}, {1, 4}, {2, 4}, {6, 7}}
	if diff := cmp.Diff(want, pairs, cmp.AllowUnexported(pair{})); diff != "" {
		t.Errorf("Overlaps (-want +got):\n%s", diff)
	}
	if !got[2].Identical || got[0].Identical {
		t.Errorf("identical flags wrong: %+v", got)
	}
}

// TestOverlapsOracle compares Overlaps with a brute-force pairwise check on
// seeded random prefixes.
func TestOverlapsOracle(t *testing.T) {
	t.Parallel()
	n := 400
	if testing.Short() {
		n = 100
	}
	r := rand.New(rand.NewPCG(42, 42))
	var as []registry.Asset
	for i := 0; i < n; i++ {
		bits := 16 + r.IntN(17)
		a := netip.AddrFrom4([4]byte{10, byte(r.IntN(4)), byte(r.IntN(256)), byte(r.IntN(256))})
		p := netip.PrefixFrom(a, bits).Masked()
		as = append(as, registry.Asset{ID: int64(i + 1), OrgID: int64(r.IntN(20)), Kind: registry.KindCIDR, Value: p.String()})
	}
	want := 0
	for i := range as {
		for j := i + 1; j < len(as); j++ {
			pi, pj := netip.MustParsePrefix(as[i].Value), netip.MustParsePrefix(as[j].Value)
			if as[i].OrgID != as[j].OrgID && pi.Overlaps(pj) {
				want++
			}
		}
	}
	if got := len(registry.Overlaps(as)); got != want {
		t.Errorf("Overlaps found %d pairs; brute force %d", got, want)
	}
}
