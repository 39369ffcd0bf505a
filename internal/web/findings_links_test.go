// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestFindingsDownloadLinksKeepFilter: the CSV and JSON links of a
// filtered findings page carry the filter as a query (not one escaped
// value, which the download refused), leave the paging out (a download
// holds every finding the filter selects), and answer the download.
func TestFindingsDownloadLinksKeepFilter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		org := e.orgs[0].ID
		body := wantPage(t, e.page(preq{method: http.MethodGet, as: asMemberA,
			path: fmt.Sprintf("/orgs/%d/findings?status=open&trigger=seeded&after=1&msg=x", org)}), http.StatusOK)
		for _, c := range []struct{ ext, ctype string }{{"csv", "text/csv"}, {"json", "application/json"}} {
			m := regexp.MustCompile(`<a href="([^"]*/findings\.` + c.ext + `[^"]*)" download>`).FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no %s download link in %.2000s", c.ext, body)
			}
			link := html.UnescapeString(m[1])
			u, err := url.Parse(link)
			if err != nil {
				t.Fatal(err)
			}
			want := url.Values{"status": {"open"}, "trigger": {"seeded"}}
			if u.Path != fmt.Sprintf("/orgs/%d/findings.%s", org, c.ext) || u.Query().Encode() != want.Encode() {
				t.Errorf("%s link = %s; want the path with %s", c.ext, link, want.Encode())
			}
			rec := e.page(preq{method: http.MethodGet, as: asMemberA, path: link})
			wantPage(t, rec, http.StatusOK)
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, c.ctype) {
				t.Errorf("%s: Content-Type %q; want %s", link, ct, c.ctype)
			}
		}
		// Without a filter the links are the bare paths.
		body = wantPage(t, e.page(preq{method: http.MethodGet, as: asMemberA, path: fmt.Sprintf("/orgs/%d/findings", org)}), http.StatusOK)
		if want := fmt.Sprintf(`<a href="/orgs/%d/findings.json" download>`, org); !strings.Contains(body, want) {
			t.Errorf("the unfiltered page lacks %s", want)
		}
	})
}
