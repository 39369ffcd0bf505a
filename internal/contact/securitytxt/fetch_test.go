// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package securitytxt_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/google/go-cmp/cmp"

	"vigil/internal/contact/securitytxt"
	"vigil/internal/errs"
	"vigil/internal/netguard"
)

// route is what a test server answers for one path. In location and in
// the body, {{self}} stands for the answering server's base URL and
// {{other}} for the second server's.
type route struct {
	status      int    // default 200
	contentType string // default text/plain; charset=utf-8; "-" sends none
	location    string // redirect target
	body        func(self string) []byte
}

type fetchCase struct {
	name    string
	plain   bool // serve plain HTTP instead of HTTPS
	noTrust bool // the client does not trust the test certificate
	routes  map[string]route
	other   map[string]route // routes of a second HTTPS server
	target  func(self string) string
	opts    func(*securitytxt.Options)
	want    []string
	valid   bool
}

func text(s string) func(string) []byte {
	return func(self string) []byte { return []byte(strings.ReplaceAll(s, "{{self}}", self)) }
}

type sites struct{ other string }

func serve(routes map[string]route, s *sites, self *string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rt, ok := routes[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if rt.location != "" {
			loc := strings.NewReplacer("{{self}}", *self, "{{other}}", s.other).Replace(rt.location)
			http.Redirect(w, r, loc, http.StatusMovedPermanently)
			return
		}
		switch rt.contentType {
		case "":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		case "-":
			w.Header()["Content-Type"] = nil // no sniffing either
		default:
			w.Header().Set("Content-Type", rt.contentType)
		}
		if rt.status != 0 {
			w.WriteHeader(rt.status)
		}
		w.Write(rt.body(*self))
	})
}

const wellKnownBody = "Contact: mailto:security@example.com\nEncryption: {{self}}/pgp-key.asc\nCanonical: {{self}}/.well-known/security.txt\nExpires: 2026-12-31T23:00:00Z\n"

func fetchCases(t testing.TB) []fetchCase {
	key := newKey(t, "security@example.com")
	pub := armoredPublicKey(t, key)
	signedAt := func(self string) []byte {
		return sign(t, key, []byte(strings.ReplaceAll(wellKnownBody, "{{self}}", self)))
	}
	ok := func(body string) map[string]route {
		return map[string]route{"/.well-known/security.txt": {body: text(body)}}
	}
	keyRoute := route{contentType: "application/pgp-keys", body: func(string) []byte { return pub }}

	return []fetchCase{
		{name: "well_known_valid", routes: ok(wellKnownBody), want: []string{"not_signed@0"}, valid: true},
		{name: "legacy_location_only", routes: map[string]route{"/security.txt": {body: text(strings.Replace(wellKnownBody, ".well-known/", "", 1))}},
			want: []string{"location@0", "not_signed@0"}},
		{name: "http_only", plain: true, routes: ok(wellKnownBody), want: []string{"invalid_uri_scheme@0", "no_https@2", "no_https@3", "not_signed@0"}},
		{name: "invalid_cert", noTrust: true, routes: ok(wellKnownBody), want: []string{"invalid_cert@0", "not_signed@0"}},
		{name: "invalid_cert_no_file", noTrust: true, routes: map[string]route{}, want: []string{"invalid_cert@0", "no_security_txt@0"}},
		{name: "not_found", routes: map[string]route{}, want: []string{"no_security_txt@0"}},
		{name: "server_error", routes: map[string]route{"/.well-known/security.txt": {status: 500, body: text(wellKnownBody)}}, want: []string{"no_security_txt@0"}},
		{name: "no_content_type", routes: map[string]route{"/.well-known/security.txt": {contentType: "-", body: text(wellKnownBody)}},
			want: []string{"no_content_type@0", "not_signed@0"}},
		{name: "html_soft_404", routes: map[string]route{"/.well-known/security.txt": {contentType: "text/html; charset=utf-8", body: func(string) []byte { return readTestdata(t, "soft-404.html") }}},
			want: []string{"invalid_media@0", "invalid_line@1", "invalid_line@2", "invalid_line@3", "invalid_line@4", "invalid_line@5", "invalid_line@6",
				"invalid_line@7", "no_space@8", "invalid_field_name@8", "invalid_line@9", "invalid_line@10", "no_expire@0", "no_contact@0",
				"not_signed@0", "unknown_field@8"}},
		{name: "wrong_charset", routes: map[string]route{"/.well-known/security.txt": {contentType: "text/plain; charset=ISO-8859-1", body: text(wellKnownBody)}},
			want: []string{"invalid_charset@0", "not_signed@0"}},
		{name: "charset_csutf8", routes: map[string]route{"/.well-known/security.txt": {contentType: "text/plain; charset=CSUTF8", body: text(wellKnownBody)}},
			want: []string{"not_signed@0"}, valid: true},
		{name: "missing_charset", routes: map[string]route{"/.well-known/security.txt": {contentType: "text/plain", body: text(wellKnownBody)}},
			want: []string{"missing_charset@0", "not_signed@0"}, valid: true},
		{name: "crlf_over_https", routes: ok(strings.ReplaceAll(wellKnownBody, "\n", "\r\n")), want: []string{"not_signed@0"}, valid: true},
		{name: "canonical_mismatch", routes: ok(strings.Replace(wellKnownBody, "Canonical: {{self}}", "Canonical: https://example.com", 1)),
			want: []string{"no_canonical_match@0", "not_signed@0"}},
		{name: "expired", routes: ok(strings.Replace(wellKnownBody, "2026-12-31", "2026-01-31", 1)), want: []string{"expired@4", "not_signed@0"}},
		{name: "too_large", routes: ok(wellKnownBody + strings.Repeat("# filler filler filler filler filler\n", 2000)), want: []string{"too_large@0"}},
		{name: "redirect_same_host", routes: map[string]route{
			"/.well-known/security.txt":      {location: "{{self}}/site/.well-known/security.txt"},
			"/site/.well-known/security.txt": {body: text(strings.Replace(wellKnownBody, "{{self}}/.well-known", "{{self}}/site/.well-known", 1))},
		}, want: []string{"not_signed@0", "redirect@0"}, valid: true},
		{name: "redirect_other_domain", routes: map[string]route{"/.well-known/security.txt": {location: "{{other}}/.well-known/security.txt"}},
			other: ok(wellKnownBody),
			want:  []string{"redirect_other_domain@0", "not_signed@0", "redirect@0"}, valid: true},
		{name: "redirect_away_is_skipped", routes: map[string]route{
			"/.well-known/security.txt": {location: "{{self}}/"},
			"/":                         {contentType: "text/html", body: func(string) []byte { return readTestdata(t, "soft-404.html") }},
		}, want: []string{"no_security_txt@0"}},
		{name: "legacy_redirects_to_well_known", routes: map[string]route{
			"/.well-known/security.txt": {status: 404, body: text("not here")},
			"/security.txt":             {location: "{{other}}/.well-known/security.txt"},
		}, other: ok(wellKnownBody),
			want: []string{"location@0", "redirect_other_domain@0", "not_signed@0", "redirect@0"}},
		{name: "explicit_url", routes: map[string]route{"/custom/security.txt": {body: text(wellKnownBody)}},
			target: func(self string) string { return self + "/custom/security.txt" },
			want:   []string{"location@0", "no_canonical_match@0", "not_signed@0"}},
		{name: "explicit_well_known_url", routes: ok(wellKnownBody),
			target: func(self string) string { return self + "/.well-known/security.txt" },
			want:   []string{"not_signed@0"}, valid: true},
		{name: "url_without_path", routes: ok(wellKnownBody),
			target: func(self string) string { return self + "/" },
			want:   []string{"not_signed@0"}, valid: true},
		{name: "signed_key_from_encryption_uri", routes: map[string]route{
			"/.well-known/security.txt": {body: signedAt},
			"/pgp-key.asc":              keyRoute,
		}, want: []string{"signature_verified@0"}, valid: true},
		{name: "signed_tampered", routes: map[string]route{
			"/.well-known/security.txt": {body: func(self string) []byte {
				return bytes.Replace(signedAt(self), []byte("mailto:security@"), []byte("mailto:attacker@"), 1)
			}},
			"/pgp-key.asc": keyRoute,
		}, want: []string{"invalid_signature@0"}},
		{name: "signed_key_unavailable", routes: map[string]route{"/.well-known/security.txt": {body: signedAt}},
			want: []string{"signature_unverified@0"}, valid: true},
		{name: "signed_key_given", routes: map[string]route{"/.well-known/security.txt": {body: signedAt}},
			opts: func(o *securitytxt.Options) { o.Keyring = openpgp.EntityList{key} },
			want: []string{"signature_verified@0"}, valid: true},
	}
}

// newServer starts a test server whose log of failed TLS handshakes (the
// expected result of several cases) is discarded.
func newServer(h http.Handler, tls bool) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	return srv
}

func runFetchCase(t *testing.T, tc fetchCase) (securitytxt.Report, error) {
	t.Helper()
	s := &sites{}
	var self, other string
	var main, second *httptest.Server
	main = newServer(serve(tc.routes, s, &self), !tc.plain)
	t.Cleanup(main.Close)
	self = main.URL
	if tc.other != nil {
		second = newServer(serve(tc.other, s, &other), true)
		t.Cleanup(second.Close)
		other = second.URL
		s.other = other
	}
	gopts := netguard.Options{AllowPrivate: true}
	if !tc.plain && !tc.noTrust {
		gopts.Transport = main.Client().Transport.(*http.Transport)
	}
	client := netguard.New(gopts)
	target := main.Listener.Addr().String()
	if tc.target != nil {
		target = tc.target(main.URL)
	}
	opts := securitytxt.Options{Now: testNow}
	if tc.opts != nil {
		tc.opts(&opts)
	}
	return securitytxt.Check(context.Background(), client, target, opts)
}

func TestCheck(t *testing.T) {
	t.Parallel()
	for _, tc := range fetchCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := runFetchCase(t, tc)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if diff := cmp.Diff(tc.want, issues(r)); diff != "" {
				t.Errorf("issues (-want +got):\n%s\nreport: %+v", diff, r)
			}
			if r.Valid != tc.valid {
				t.Errorf("Valid = %v; want %v", r.Valid, tc.valid)
			}
			if !r.Has(securitytxt.CodeNoSecurityTxt) && r.URL == "" {
				t.Error("report of a found file has no URL")
			}
		})
	}
}

func TestCheckRedirectChain(t *testing.T) {
	t.Parallel()
	tc := fetchCases(t)[0]
	tc.routes = map[string]route{"/.well-known/security.txt": {location: "{{other}}/.well-known/security.txt"}}
	tc.other = map[string]route{"/.well-known/security.txt": {body: text(wellKnownBody)}}
	r, err := runFetchCase(t, tc)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Redirects) != 1 || !strings.HasSuffix(r.Redirects[0], "/.well-known/security.txt") || r.URL == r.Redirects[0] {
		t.Errorf("URL %q, Redirects %q; want one redirect to another origin", r.URL, r.Redirects)
	}
}

func TestCheckKeyLookupNote(t *testing.T) {
	t.Parallel()
	var tc fetchCase
	for _, c := range fetchCases(t) {
		if c.name == "signed_key_unavailable" {
			tc = c
		}
	}
	r, err := runFetchCase(t, tc)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Notifications) != 1 || !strings.Contains(r.Notifications[0].Message, "Key lookup: fetching") {
		t.Errorf("notifications %+v; want the failed key lookup explained", r.Notifications)
	}
}

func TestCheckErrors(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		client *netguard.Client
		target string
		check  func(error) bool
	}{
		{"empty_target", context.Background(), netguard.New(netguard.Options{AllowPrivate: true}), "",
			func(err error) bool { return errors.Is(err, errs.ErrInvalid) }},
		{"ftp_url", context.Background(), netguard.New(netguard.Options{AllowPrivate: true}), "ftp://example.com/security.txt",
			func(err error) bool { return errors.Is(err, errs.ErrInvalid) }},
		{"path_without_scheme", context.Background(), netguard.New(netguard.Options{AllowPrivate: true}), "example.com/security.txt",
			func(err error) bool { return errors.Is(err, errs.ErrInvalid) }},
		{"blocked_address", context.Background(), netguard.New(netguard.Options{}), srv.Listener.Addr().String(),
			func(err error) bool { return errors.Is(err, netguard.ErrBlockedAddress) }},
		{"cancelled", cancelled, netguard.New(netguard.Options{AllowPrivate: true}), srv.Listener.Addr().String(),
			func(err error) bool { return errors.Is(err, context.Canceled) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := securitytxt.Check(tc.ctx, tc.client, tc.target, securitytxt.Options{Now: testNow})
			if !tc.check(err) {
				t.Errorf("Check(%q) error = %v", tc.target, err)
			}
		})
	}
}

func TestCandidates(t *testing.T) {
	t.Parallel()
	got, err := securitytxt.Candidates("Example.COM")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"https://example.com/.well-known/security.txt",
		"https://example.com/security.txt",
		"http://example.com/.well-known/security.txt",
		"http://example.com/security.txt",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Candidates (-want +got):\n%s", diff)
	}
}

// TestEveryCodeCovered fails when a code the package can emit has no test
// case that expects it.
func TestEveryCodeCovered(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, tc := range validateCases(t) {
		for _, w := range tc.want {
			seen[strings.Split(w, "@")[0]] = true
		}
	}
	for _, tc := range fetchCases(t) {
		for _, w := range tc.want {
			seen[strings.Split(w, "@")[0]] = true
		}
	}
	for _, c := range securitytxt.AllCodes() {
		if !seen[string(c)] {
			t.Errorf("no test case expects %s", c)
		}
	}
}

// TestCheckInvalidCertReadsFile: behind a certificate that does not
// verify, the file is still read and validated, but the report is never
// valid, so discovery does not use its contacts.
func TestCheckInvalidCertReadsFile(t *testing.T) {
	t.Parallel()
	var tc fetchCase
	for _, c := range fetchCases(t) {
		if c.name == "invalid_cert" {
			tc = c
		}
	}
	r, err := runFetchCase(t, tc)
	if err != nil {
		t.Fatal(err)
	}
	if r.Valid || !r.Has(securitytxt.CodeInvalidCert) || len(r.Emails()) != 1 || r.Emails()[0] != "security@example.com" {
		t.Errorf("report valid=%v emails=%v issues=%v; want invalid, invalid_cert, the file's contact read", r.Valid, r.Emails(), issues(r))
	}
}
