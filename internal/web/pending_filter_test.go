// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestPendingPageFilter: the analysts' pending page shows the waiting and
// the rejected organisations, or only one of the two when asked by its
// state filter (in English and Dutch), and refuses another state.
func TestPendingPageFilter(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		for _, n := range []struct{ name, asset string }{{"Wachtend BV", "wachtend.example"}, {"Afgewezen BV", "afgewezen.example"}} {
			wantPage(t, e.page(preq{method: http.MethodPost, path: "/register", as: asMemberA, form: url.Values{"name": {n.name}, "asset": {n.asset}}}), http.StatusSeeOther)
		}
		wantPage(t, e.page(preq{method: http.MethodPost, path: fmt.Sprintf("/analyst/pending/%d/reject", e.orgNamed(t, "Afgewezen BV")), as: asAnalyst,
			form: url.Values{"reason": {"not in the trade register"}}}), http.StatusSeeOther)
		for _, c := range []struct {
			query, lang   string
			want, lacking []string
		}{
			{"", "en", []string{"Wachtend BV", "Afgewezen BV", "not in the trade register"}, nil},
			{"?state=pending", "en", []string{"Wachtend BV"}, []string{"Afgewezen BV"}},
			{"?state=rejected", "en", []string{"Afgewezen BV", "not in the trade register"}, []string{"Wachtend BV", "No organisation waits."}},
			{"?state=rejected", "nl", []string{"Afgewezen BV", `aria-current="page">afgewezen<`}, []string{"Wachtend BV"}},
			{"?state=pending", "nl", []string{"Wachtend BV", `aria-current="page">wachtend<`}, []string{"Afgewezen BV"}},
		} {
			body := wantPage(t, e.page(preq{method: http.MethodGet, path: "/analyst/pending" + c.query, as: asAnalyst, header: map[string]string{"Accept-Language": c.lang}}), http.StatusOK)
			for _, w := range c.want {
				if !strings.Contains(body, w) {
					t.Errorf("/analyst/pending%s (%s) lacks %q", c.query, c.lang, w)
				}
			}
			for _, w := range c.lacking {
				if strings.Contains(body, w) {
					t.Errorf("/analyst/pending%s (%s) shows %q", c.query, c.lang, w)
				}
			}
		}
		wantPage(t, e.page(preq{method: http.MethodGet, path: "/analyst/pending?state=approved", as: asAnalyst}), http.StatusBadRequest)
	})
}
