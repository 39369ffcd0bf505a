// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vigil/internal/store/storetest"
)

// redirectCases are where a sign-in or language choice may lead: kept
// (want == in) or replaced by "/" (want == "/").
var redirectCases = []struct{ in, want string }{
	{"/", "/"},
	{"/account", "/account"},
	{"/orgs/3/findings?status=open&after=2026-01-01T00%3A00%3A00Z", "/orgs/3/findings?status=open&after=2026-01-01T00%3A00%3A00Z"},
	{"/labels?q=a%20b#top", "/labels?q=a%20b#top"},
	{"/a\\b", "/a\\b"},
	{"", "/"},
	{"account", "/"},
	{"//evil.example/", "/"},
	{"/\\evil.example", "/"},
	{"\\\\evil.example", "/"},
	{"\\/\\/evil.example", "/"},
	{"/\t/evil.example", "/"},                        // a tab, as sent or as %09 decoded from the query
	{"/\t\\evil.example", "/"},                       // tab then backslash
	{"/\n/evil.example", "/"},                        // newline
	{"/\r\n/evil.example", "/"},                      // CR LF
	{"/%09/evil.example", "/"},                       // a tab still escaped
	{"/%2f/evil.example", "/"},                       // an escaped slash
	{"/%2F%2Fevil.example", "/"},                     // two
	{"/%5cevil.example", "/"},                        // an escaped backslash
	{"/%5C%5Cevil.example", "/"},                     // two
	{"/\u00a0/evil.example", "/"},                    // no-break space
	{"/\u2028/evil.example", "/"},                    // line separator
	{"/\u3000/evil.example", "/"},                    // ideographic space
	{"/\ufeff/evil.example", "/"},                    // byte order mark
	{"/a b", "/"},                                    // any space
	{"/\x00/evil.example", "/"},                      // NUL
	{"/\x7f", "/"},                                   // DEL
	{"/\xff/evil.example", "/"},                      // not UTF-8
	{"javascript:alert(1)", "/"},                     // a scheme
	{"/javascript:alert(1)", "/javascript:alert(1)"}, // a path on this site
	{"https://evil.example/", "/"},
	{"https:/evil.example", "/"},
	{" /evil", "/"},
	{"/%zz", "/"}, // not a valid escape
}

// TestLocalPath: sign-in and the language choice never lead off the site,
// whatever a browser makes of the Location.
func TestLocalPath(t *testing.T) {
	t.Parallel()
	for _, c := range redirectCases {
		if got := localPath(c.in); got != c.want {
			t.Errorf("localPath(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}

// browserTarget resolves a Location as a lenient browser does (tabs and
// newlines dropped, backslashes read as slashes, escapes decoded) against
// the portal and returns the host it leads to.
func browserTarget(loc string) string {
	loc = strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(loc)
	if d, err := url.PathUnescape(loc); err == nil {
		loc = strings.ReplaceAll(strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(d), "\\", "/")
	}
	base, _ := url.Parse("https://portal.example/x")
	u, err := url.Parse(loc)
	if err != nil {
		return "portal.example"
	}
	return base.ResolveReference(u).Host
}

// FuzzLocalPath: whatever is asked for, the answer is the request itself
// or "/", and a browser following it stays on the portal.
func FuzzLocalPath(f *testing.F) {
	for _, c := range redirectCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, p string) {
		got := localPath(p)
		if got != "/" && got != p {
			t.Fatalf("localPath(%q) = %q", p, got)
		}
		if host := browserTarget(got); host != "portal.example" {
			t.Fatalf("localPath(%q) = %q leads a browser to %q", p, got, host)
		}
	})
}

// TestRedirectsStayLocal drives the three places that redirect to a path
// the visitor chose: the sign-in form while signed in, signing in and the
// language choice.
func TestRedirectsStayLocal(t *testing.T) {
	t.Parallel()
	st := storetest.OpenSQLite(t, storetest.Options{Now: fixedNow})
	e := newPageEnv(t, st)
	for _, bad := range []string{"/\t/evil.example", "/%2f/evil.example", "/\\evil.example", "/\u3000/evil.example"} {
		q := "?next=" + url.QueryEscape(bad)
		for _, c := range []struct {
			name string
			r    preq
		}{
			{"signed-in login form", preq{method: http.MethodGet, path: "/login" + q, as: asMemberA}},
			{"login", preq{method: http.MethodPost, path: "/login" + q, form: url.Values{"email": {"memberA@portal.example"}, "password": {testPassword}}}},
			{"language", preq{method: http.MethodPost, path: "/lang", form: url.Values{"lang": {"en"}, "back": {bad}}}},
		} {
			rec := e.page(c.r)
			if rec.Code != http.StatusSeeOther {
				t.Errorf("%s with %q: %d", c.name, bad, rec.Code)
				continue
			}
			if loc := rec.Header().Get("Location"); loc != "/" {
				t.Errorf("%s with %q redirects to %q", c.name, bad, loc)
			}
		}
	}
}
