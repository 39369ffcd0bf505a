// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package probe

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type testCert struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func makeCert(t *testing.T, cn string, parent *testCert, ca bool, notBefore, notAfter time.Time, ips ...net.IP) *testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: notBefore, NotAfter: notAfter, IPAddresses: ips,
		BasicConstraintsValid: ca, IsCA: ca,
	}
	if ca {
		tmpl.KeyUsage = x509.KeyUsageCertSign
	} else {
		tmpl.DNSNames = []string{cn}
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	signer, signKey := tmpl, key
	if parent != nil {
		signer, signKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCert{c, key}
}

func TestJudgeCertificate(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	year := 365 * 24 * time.Hour
	ca := makeCert(t, "Test CA", nil, true, now.Add(-5*year), now.Add(5*year))
	otherCA := makeCert(t, "Other CA", nil, true, now.Add(-year), now.Add(5*year))
	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)
	lo := net.IPv4(127, 0, 0, 1)

	type verdict struct{ Validity, Trust, Hostname bool }
	tests := []struct {
		name  string
		chain []*x509.Certificate
		host  string
		want  verdict
	}{
		{"valid", []*x509.Certificate{makeCert(t, "cam.test", ca, false, now.Add(-time.Hour), now.Add(year), lo).cert}, "cam.test", verdict{true, true, true}},
		{"valid_ip", []*x509.Certificate{makeCert(t, "cam.test", ca, false, now.Add(-time.Hour), now.Add(year), lo).cert}, "127.0.0.1", verdict{true, true, true}},
		{"expired_but_trusted", []*x509.Certificate{makeCert(t, "cam.test", ca, false, now.Add(-2*year), now.Add(-year)).cert}, "cam.test", verdict{false, true, true}},
		{"not_yet_valid", []*x509.Certificate{makeCert(t, "cam.test", ca, false, now.Add(year), now.Add(2*year)).cert}, "cam.test", verdict{false, true, true}},
		{"self_signed", []*x509.Certificate{makeCert(t, "cam.test", nil, false, now.Add(-time.Hour), now.Add(year)).cert}, "cam.test", verdict{true, false, true}},
		{"unknown_issuer", []*x509.Certificate{makeCert(t, "cam.test", otherCA, false, now.Add(-time.Hour), now.Add(year)).cert}, "cam.test", verdict{true, false, true}},
		{"unknown_issuer_with_chain", []*x509.Certificate{makeCert(t, "cam.test", otherCA, false, now.Add(-time.Hour), now.Add(year)).cert, otherCA.cert}, "cam.test", verdict{true, false, true}},
		{"wrong_name", []*x509.Certificate{makeCert(t, "cam.test", ca, false, now.Add(-time.Hour), now.Add(year)).cert}, "other.test", verdict{true, true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := judgeCertificate(tt.chain, tt.host, roots, now)
			got := verdict{rs[0].Passed, rs[1].Passed, rs[2].Passed}
			if got != tt.want {
				t.Errorf("verdict %+v; want %+v\n%v", got, tt.want, rs)
			}
			if rs[0].Check != CheckTLSCertValidity || rs[1].Check != CheckTLSCertTrust || rs[2].Check != CheckTLSCertHostname {
				t.Errorf("checks %s %s %s", rs[0].Check, rs[1].Check, rs[2].Check)
			}
		})
	}
}

func TestFindLoginForm(t *testing.T) {
	t.Parallel()
	page, _ := url.Parse("http://192.0.2.1:8080/")
	tests := []struct {
		name string
		html string
		ok   bool
		want loginForm
	}{
		{"post_form", `<form method=post action="/cgi-bin/login.cgi"><input type=hidden name=t value=9><input name=user><input type=password name=pwd></form>`,
			true, loginForm{action: mustURL("http://192.0.2.1:8080/cgi-bin/login.cgi"), method: "POST", userField: "user", passField: "pwd", hidden: url.Values{"t": {"9"}}}},
		{"get_form_email", `<form method="get"><input type="email" name="email"><input type="password" name="pass"></form>`,
			true, loginForm{action: mustURL("http://192.0.2.1:8080/"), method: "GET", userField: "email", passField: "pass", hidden: url.Values{}}},
		{"password_only", `<form action="unlock"><input type="password" name="pin"></form>`,
			true, loginForm{action: mustURL("http://192.0.2.1:8080/unlock"), method: "POST", passField: "pin", hidden: url.Values{}}},
		{"second_form", `<form action="/search"><input name="q"></form><form action="/login"><input name="a"><input name="login"><input type=password name=p></form>`,
			true, loginForm{action: mustURL("http://192.0.2.1:8080/login"), method: "POST", userField: "login", passField: "p", hidden: url.Values{}}},
		{"offsite_action_refused", `<form action="https://evil.example/collect"><input name=u><input type=password name=p></form>`, false, loginForm{}},
		{"no_password", `<form action="/search"><input name="q"></form>`, false, loginForm{}},
		{"not_html", "\x00\x01binary", false, loginForm{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := findLoginForm([]byte(tt.html), page)
			if ok != tt.ok {
				t.Fatalf("ok = %v; want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(loginForm{}), cmp.Comparer(func(a, b *url.URL) bool {
				return a.String() == b.String()
			})); diff != "" {
				t.Errorf("form (-want +got):\n%s", diff)
			}
		})
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
