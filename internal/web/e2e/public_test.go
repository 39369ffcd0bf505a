// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"vigil/internal/netguard"
	"vigil/internal/rating"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/web"
	"vigil/internal/web/labels"
)

// TestPublicJourneys: a visitor searches the label registry, opens a
// label, verifies it from its row, and checks a vendor's security.txt
// (served on loopback, which only this test lets the guarded client reach);
// in English and in Dutch, with refused input named on its field.
func TestPublicJourneys(t *testing.T) {
	chromiumPath(t)
	site := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		switch r.URL.Path {
		case "/.well-known/security.txt":
			fmt.Fprint(w, "Contact: mailto:security@vendor.test\nExpires: 2099-06-30T00:00:00Z\nPreferred-Languages: en, nl\n")
		case "/bad/security.txt":
			fmt.Fprint(w, "Hiring: https://vendor.test/jobs\n")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(site.Close)
	fetch := netguard.New(netguard.Options{AllowPrivate: true, Transport: site.Client().Transport.(*http.Transport)})
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		p := startPortal(t, st, func(c *web.Config) {
			c.Fetch = fetch
			// The label pages, as `vigil serve` mounts them.
			for _, r := range labels.New(c.Labels.(*rating.Service), nil).Routes() {
				c.Public = append(c.Public, web.PublicRoute{Method: r.Method, Path: r.Path, Summary: r.Summary, Tag: "labels", ContentType: r.ContentType, Handler: r.Handler})
			}
		})
		shot := func(name string) string {
			if st.Dialect() == store.SQLite {
				return name
			}
			return ""
		}
		_, l, err := p.labels.Signed(context.Background(), p.label)
		if err != nil {
			t.Fatal(err)
		}
		vendor := l.Device.Vendor
		b := newBrowser(t, p.base)

		b.open("/", "")
		b.clickAndLoad("registry link", `a[href="/labels"]`)
		b.check(shot("labels"))
		if !b.has(fmt.Sprintf(`#label-results a[href="/labels/%s"]`, p.label)) {
			t.Errorf("the registry does not list the demo label %s", p.label)
		}
		// Search by part of the vendor's name in another case, and a grade.
		part := strings.ToLower(vendor[:min(4, len(vendor))])
		b.submit(map[string]string{"#vendor": part}, `form[role="search"] button[type="submit"]`, shot("labels-search"))
		b.wantPath(`/labels\?vendor=` + part + `.*`)
		if got := b.text("#label-results tbody"); !strings.Contains(got, vendor) {
			t.Errorf("searching %q does not list %s: %q", part, vendor, got)
		}
		b.open("/labels", "")
		b.submit(map[string]string{"#grade": "G"}, `form[role="search"] button[type="submit"]`, "")
		if b.has(fmt.Sprintf(`a[href="/labels/%s"]`, p.label)) && l.Grade.String() != "G" {
			t.Errorf("grade G lists the demo label of grade %s", l.Grade)
		}
		// Open the label's page, then verify it from its row.
		b.open("/labels?vendor="+part, "")
		b.clickAndLoad("open the label", fmt.Sprintf(`#label-results a[href="/labels/%s"]`, p.label))
		b.check(shot("label-page"))
		b.wantPath("/labels/" + p.label)
		b.open("/labels?vendor="+part, "")
		b.clickAndLoad("verify the label", fmt.Sprintf(`#label-results a[href="/labels/verify?id=%s"]`, p.label))
		b.check(shot("labels-verified"))
		if got := b.text("#result-h"); !strings.Contains(got, "is valid") {
			t.Errorf("verifying %s from the registry: %q", p.label, got)
		}

		// The security.txt checker: a valid file, an invalid one, and an
		// empty field.
		b.open("/tools/securitytxt", "")
		b.submit(map[string]string{"#target": site.URL}, `main form button[type="submit"]`, shot("securitytxt-valid"))
		if got := b.text("#sectxt-h"); !strings.Contains(got, "valid") || strings.Contains(got, "not valid") {
			t.Errorf("a valid security.txt: %q", got)
		}
		b.submit(map[string]string{"#target": site.URL + "/bad/security.txt"}, `main form button[type="submit"]`, shot("securitytxt-invalid"))
		if got := b.text("main"); !strings.Contains(got, "not valid") || !strings.Contains(got, "no_contact") {
			t.Errorf("an invalid security.txt: %q", got)
		}

		// In Dutch: the registry, a refused search, the checker refusing an
		// address the guard does not allow.
		b.setLang("nl")
		b.open("/labels", shot("labels-nl"))
		if got := b.text("h1"); got != "Labelregister" {
			t.Errorf("Dutch registry h1 = %q", got)
		}
		b.open("/labels?grade=Z", shot("labels-error-nl"))
		if !b.has(`#grade[aria-invalid="true"]`) || !b.has(`[role="alert"] a[href="#grade"]`) {
			t.Error("a bad grade is not named on its field")
		}
		b.open("/tools/securitytxt", "")
		b.submit(map[string]string{"#target": "ftp://vendor.test/x"}, `main form button[type="submit"]`, shot("securitytxt-error-nl"))
		if !b.has(`#target[aria-invalid="true"]`) || !b.has(`[role="alert"] a[href="#target"]`) {
			t.Error("a bad target is not named on its field")
		}
		b.submit(map[string]string{"#target": site.URL}, `main form button[type="submit"]`, "")
		if got := b.text("#sectxt-h"); !strings.Contains(got, "geldig") {
			t.Errorf("Dutch checker result: %q", got)
		}
	})
}
