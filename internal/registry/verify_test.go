// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package registry_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"vigil/internal/errs"
	"vigil/internal/netguard"
	"vigil/internal/registry"
)

type fakeDNS map[string][]string

func (f fakeDNS) LookupTXT(_ context.Context, name string) ([]string, error) {
	if v, ok := f[name]; ok {
		return v, nil
	}
	return nil, errors.New("no such host")
}

func TestTXTName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a    registry.Asset
		want string
	}{
		{registry.Asset{Kind: registry.KindDomain, Value: "example.nl"}, "_vigil-verify.example.nl"},
		{registry.Asset{Kind: registry.KindCIDR, Value: "192.0.2.0/24"}, "_vigil-verify.2.0.192.in-addr.arpa"},
		{registry.Asset{Kind: registry.KindCIDR, Value: "198.51.96.0/20"}, "_vigil-verify.51.198.in-addr.arpa"},
		{registry.Asset{Kind: registry.KindCIDR, Value: "2001:db8:ab::/48"}, "_vigil-verify.b.a.0.0.8.b.d.0.1.0.0.2.ip6.arpa"},
	}
	for _, tt := range tests {
		got, err := registry.TXTName(tt.a)
		if err != nil || got != tt.want {
			t.Errorf("TXTName(%s) = %q, %v; want %q", tt.a.Value, got, err, tt.want)
		}
	}
	if _, err := registry.TXTName(registry.Asset{Kind: registry.KindASN, Value: "64500"}); errs.CodeOf(err) != errs.Invalid {
		t.Errorf("ASN: %v; want invalid", err)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	const token = "0123456789abcdef0123456789abcdef"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Host {
		default:
			if r.URL.Query().Get("d") == "web.example" {
				w.Write([]byte("# vigil\n" + token + "\n"))
				return
			}
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	v := registry.Verifier{
		Resolver: fakeDNS{
			"_vigil-verify.dns.example":          {"v=spf1 -all", "vigil-verify=" + token},
			"_vigil-verify.wrong.example":        {"vigil-verify=ffff"},
			"_vigil-verify.2.0.192.in-addr.arpa": {"vigil-verify=" + token},
		},
		HTTP:   netguard.New(netguard.Options{AllowPrivate: true}),
		URLFor: func(d string) string { return srv.URL + "/.well-known/vigil-verify.txt?d=" + d },
	}
	tests := []struct {
		a          registry.Asset
		wantMethod string
	}{
		{registry.Asset{Kind: registry.KindDomain, Value: "dns.example"}, "dns"},
		{registry.Asset{Kind: registry.KindDomain, Value: "web.example"}, "http"},
		{registry.Asset{Kind: registry.KindCIDR, Value: "192.0.2.0/25"}, "dns"},
		{registry.Asset{Kind: registry.KindDomain, Value: "wrong.example"}, ""},
		{registry.Asset{Kind: registry.KindCIDR, Value: "198.51.100.0/24"}, ""},
	}
	for _, tt := range tests {
		got, err := v.Verify(context.Background(), token, tt.a)
		if tt.wantMethod == "" {
			if errs.CodeOf(err) != errs.Forbidden {
				t.Errorf("Verify(%s) = %q, %v; want forbidden", tt.a.Value, got, err)
			}
			continue
		}
		if err != nil || got != tt.wantMethod {
			t.Errorf("Verify(%s) = %q, %v; want %q", tt.a.Value, got, err, tt.wantMethod)
		}
	}
}
