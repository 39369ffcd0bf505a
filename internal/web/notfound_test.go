// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"net/http"
	"strings"
	"testing"

	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestUnknownAddressPage asks for addresses no route serves: a browser
// (Accept with text/html) outside /api/ gets the portal's 404 page in the
// layout, in its language and with the security headers, signed in or
// not; an API path, or a client that does not ask for HTML, gets problem
// details as before.
func TestUnknownAddressPage(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		browser := map[string]string{"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
		t.Run("page_for_a_browser", func(t *testing.T) {
			body := wantPage(t, e.page(preq{method: "GET", path: "/orgs/1/findngs", as: asMemberA, header: browser}), http.StatusNotFound)
			for _, want := range []string{`<html lang="en">`, "Something went wrong", "404", `href="/account"`} {
				if !strings.Contains(body, want) {
					t.Errorf("the 404 page lacks %q: %.600s", want, body)
				}
			}
		})
		t.Run("in_dutch_for_a_visitor", func(t *testing.T) {
			h := map[string]string{"Accept": "text/html", "Accept-Language": "nl"}
			body := wantPage(t, e.page(preq{method: "GET", path: "/no/such/page", as: asAnon, header: h}), http.StatusNotFound)
			for _, want := range []string{`<html lang="nl">`, "Er ging iets mis", `href="/login"`} {
				if !strings.Contains(body, want) {
					t.Errorf("the Dutch 404 page lacks %q: %.600s", want, body)
				}
			}
		})
		for _, c := range []struct{ name, path, accept string }{
			{"api_path_from_a_browser", "/api/v1/orgs/1/findngs", browser["Accept"]},
			{"api_root_from_a_browser", "/api", browser["Accept"]},
			{"no_html_accepted", "/orgs/1/findngs", "application/json"},
			{"no_accept", "/orgs/1/findngs", ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				rec := e.page(preq{method: "GET", path: c.path, as: asMemberA, header: map[string]string{"Accept": c.accept}})
				wantProblem(t, rec, http.StatusNotFound, "")
			})
		}
	})
}
