// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/netip"
	"regexp"
	"slices"
	"testing"
	"time"

	"vigil/internal/finding"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// seedPagingFindings gives organisation org n findings of the trigger
// "paging", seen at times that repeat (so the by-sighting order has ties
// to break by id).
func seedPagingFindings(t *testing.T, st *store.Store, org int64, n int) {
	t.Helper()
	ctx := context.Background()
	trig, err := st.TriggerEnsure(ctx, finding.Trigger{Name: "paging"})
	if err != nil {
		t.Fatal(err)
	}
	var sgs []finding.Sighting
	for i := range n {
		ip := netip.AddrFrom4([4]byte{192, 0, 2, byte(1 + i)})
		sgs = append(sgs, finding.Sighting{OrgID: org, TriggerID: trig, Type: "vulnerable-system", ReportType: "scan_exchange",
			Key: finding.KeyFor(ip, 443), IP: ip, Port: 443, Severity: finding.High, Time: st.Now().Add(-time.Duration(i%4) * time.Hour),
			Evidence: json.RawMessage(`{"paging":"1"}`)})
	}
	if err := st.Tx(ctx, func(tx *store.Store) error { _, _, err := tx.FindingUpsert(ctx, 0, sgs); return err }); err != nil {
		t.Fatal(err)
	}
}

var (
	nextRE, prevRE = regexp.MustCompile(`<a href="([^"]*)" rel="next">`), regexp.MustCompile(`<a href="([^"]*)" rel="prev">`)
)

// TestFindingsPagesBackAndForth walks the member's and the analysts'
// findings pages forward by their next links to the end, then back by
// their previous links to the start: each page back is the page seen
// going forward, the first page has no first or previous link, every
// later page has both and the first-page link leads to the first page.
func TestFindingsPagesBackAndForth(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		org := e.orgs[0].ID
		seedPagingFindings(t, st, org, 11)
		for _, c := range []struct {
			name, as, start string
			item            *regexp.Regexp
		}{
			{"member", asMemberA, fmt.Sprintf("/orgs/%d/findings?trigger=paging&limit=3", org), regexp.MustCompile(`<tr id="f(\d+)">`)},
			{"analyst", asAnalyst, "/analyst/findings?trigger=paging&limit=3", regexp.MustCompile(`<th scope="row"><a href="/orgs/\d+/findings/(\d+)">`)},
		} {
			t.Run(c.name, func(t *testing.T) {
				type pageSeen struct {
					ids         []string
					next, prev  string
					first       string
					body, where string
				}
				get := func(path string) pageSeen {
					t.Helper()
					body := wantPage(t, e.page(preq{method: http.MethodGet, path: path, as: c.as}), http.StatusOK)
					p := pageSeen{body: body, where: path}
					for _, m := range c.item.FindAllStringSubmatch(body, -1) {
						p.ids = append(p.ids, m[1])
					}
					if m := nextRE.FindStringSubmatch(body); m != nil {
						p.next = html.UnescapeString(m[1])
					}
					if m := prevRE.FindStringSubmatch(body); m != nil {
						p.prev = html.UnescapeString(m[1])
					}
					if m := regexp.MustCompile(`<a href="([^"]*)">` + regexp.QuoteMeta(e.srv.messages("en")["findings.firstpage"]) + `</a>`).FindStringSubmatch(body); m != nil {
						p.first = html.UnescapeString(m[1])
					}
					return p
				}
				var forward []pageSeen
				seen := map[string]bool{}
				for p := get(c.start); ; p = get(p.next) {
					if len(forward) == 0 && (p.prev != "" || p.first != "") {
						t.Errorf("the first page links to a previous (%q) or first page (%q)", p.prev, p.first)
					}
					if len(forward) > 0 && (p.prev == "" || p.first == "") {
						t.Errorf("page %d (%s) lacks the previous (%q) or first page link (%q)", len(forward)+1, p.where, p.prev, p.first)
					}
					for _, id := range p.ids {
						if seen[id] {
							t.Errorf("finding %s shown twice going forward", id)
						}
						seen[id] = true
					}
					forward = append(forward, p)
					if p.next == "" || len(forward) > 10 {
						break
					}
				}
				if len(seen) != 11 || len(forward) != 4 {
					t.Fatalf("forward: %d findings on %d pages; want 11 on 4", len(seen), len(forward))
				}
				p := forward[len(forward)-1]
				for i := len(forward) - 2; i >= 0; i-- {
					p = get(p.prev)
					if !slices.Equal(p.ids, forward[i].ids) {
						t.Errorf("back to page %d (%s): %v; going forward it showed %v", i+1, p.where, p.ids, forward[i].ids)
					}
					if (i == 0) != (p.prev == "") {
						t.Errorf("back to page %d: previous link %q", i+1, p.prev)
					}
				}
				if first := get(forward[2].first); !slices.Equal(first.ids, forward[0].ids) {
					t.Errorf("the first-page link %q shows %v; want %v", forward[2].first, first.ids, forward[0].ids)
				}
			})
		}
		// The API's by-sighting list gives the previous page's cursor.
		all := decodeAs[FindingSeenPage](t, e.send(req{method: "GET", path: "/api/v1/findings?trigger=paging&limit=4", token: tokOp}))
		if all.Prev != nil || all.Next == nil {
			t.Fatalf("first page: prev %+v, next %+v", all.Prev, all.Next)
		}
		second := decodeAs[FindingSeenPage](t, e.send(req{method: "GET", token: tokOp,
			path: fmt.Sprintf("/api/v1/findings?trigger=paging&limit=4&before_seen=%s&before_id=%d", all.Next.BeforeSeen.Format(time.RFC3339Nano), all.Next.BeforeID)}))
		if second.Prev == nil {
			t.Fatal("the second page has no previous cursor")
		}
		back := decodeAs[FindingSeenPage](t, e.send(req{method: "GET", token: tokOp,
			path: fmt.Sprintf("/api/v1/findings?trigger=paging&limit=4&after_seen=%s&after_id=%d", second.Prev.AfterSeen.Format(time.RFC3339Nano), second.Prev.AfterID)}))
		ids := func(p FindingSeenPage) (out []int64) {
			for _, f := range p.Items {
				out = append(out, f.ID)
			}
			return out
		}
		if !slices.Equal(ids(back), ids(all)) {
			t.Errorf("back from the second page: %v; want %v", ids(back), ids(all))
		}
		wantProblem(t, e.send(req{method: "GET", token: tokOp, path: "/api/v1/findings?after_seen=2026-11-23T00:00:00Z&after_id=1&before_seen=2026-11-23T00:00:00Z&before_id=1"}), 400, "")
	})
}
