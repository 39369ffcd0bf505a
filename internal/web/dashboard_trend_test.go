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
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/internal/finding"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestTrendChoice: the dashboard's findings per day plot shows the five
// busiest triggers (by organisations warned in its span, then by new
// findings) until the analyst chooses others in its form; then the
// plot (its image's address) and the table beside it show exactly the
// chosen ones, the busiest first, and the form keeps them checked. A name
// that is no trigger, or more triggers than the plot shows, is refused
// naming the field.
func TestTrendChoice(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		// trend-a has 12 new findings today, trend-b 11 … trend-g 1.
		counts := map[string]int{"trend-a": 12, "trend-b": 11, "trend-c": 10, "trend-d": 9, "trend-e": 8, "trend-f": 2, "trend-g": 1}
		n := 0
		for name, c := range counts {
			trig, err := st.TriggerEnsure(ctx, finding.Trigger{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			var sgs []finding.Sighting
			for range c {
				n++
				ip := netip.AddrFrom4([4]byte{198, 18, byte(n >> 8), byte(n)})
				sgs = append(sgs, finding.Sighting{OrgID: e.orgs[0].ID, TriggerID: trig, Type: "vulnerable-system", ReportType: "scan_trend",
					Key: finding.KeyFor(ip, 443), IP: ip, Port: 443, Severity: finding.High, Time: fixedNow(), Evidence: json.RawMessage(`{"trend":"1"}`)})
			}
			if _, _, err := st.FindingUpsert(ctx, 0, sgs); err != nil {
				t.Fatal(err)
			}
		}
		// trend-old's one finding was first seen before the span (a report
		// carries its events' day), and the warnings about it went out to
		// two organisations today: it is the busiest by organisations
		// warned. The day's warnings are recorded as a delivery records
		// them (org_warnings).
		old, err := st.TriggerEnsure(ctx, finding.Trigger{Name: "trend-old"})
		if err != nil {
			t.Fatal(err)
		}
		ip := netip.MustParseAddr("198.18.200.1")
		if _, _, err := st.FindingUpsert(ctx, 0, []finding.Sighting{{OrgID: e.orgs[0].ID, TriggerID: old, Type: "vulnerable-system", ReportType: "scan_trend",
			Key: finding.KeyFor(ip, 443), IP: ip, Port: 443, Severity: finding.High, Time: fixedNow().AddDate(0, 0, -40), Evidence: json.RawMessage(`{"trend":"old"}`)}}); err != nil {
			t.Fatal(err)
		}
		for _, o := range e.orgs[:2] {
			if _, err := st.Exec(ctx, `INSERT INTO org_warnings (day, trigger_id, org_id) VALUES (?, ?, ?)`, fixedNow().UTC().Format(time.DateOnly), old, o.ID); err != nil {
				t.Fatal(err)
			}
		}
		header := regexp.MustCompile(`<th scope="col">([^<:]+)</th><th scope="col">organisations warned: `)
		shown := func(body string) []string {
			t.Helper()
			table := body[strings.Index(body, `id="trend-table"`):]
			var out []string
			for _, m := range header.FindAllStringSubmatch(table[:strings.Index(table, "</thead>")], -1) {
				out = append(out, m[1])
			}
			return out
		}
		checked := func(body, name string) bool {
			return strings.Contains(body, fmt.Sprintf(`name="trend" value="%s" checked>`, name))
		}

		body := wantPage(t, e.page(preq{method: "GET", path: "/analyst", as: asAnalyst}), http.StatusOK)
		if got, want := shown(body), []string{"trend-old", "trend-a", "trend-b", "trend-c", "trend-d"}; !slices.Equal(got, want) {
			t.Errorf("by default the table shows %q; want the five busiest (by organisations warned, then new findings) %q", got, want)
		}
		if !strings.Contains(body, `src="/analyst/plots/trend.svg"`) || !checked(body, "trend-a") || checked(body, "trend-g") ||
			!strings.Contains(body, `name="trend" value="trend-g">`) {
			t.Error("by default the form does not offer trend-g unchecked beside the busiest checked, or the plot is not the default one")
		}

		q := "?" + url.Values{"trend": {"trend-g", "trend-a", "trend-g"}}.Encode()
		for _, lang := range Languages() {
			body = wantPage(t, e.page(preq{method: "GET", path: "/analyst" + q, as: asAnalyst, header: map[string]string{"Accept-Language": lang}}), http.StatusOK)
			if lang == "en" {
				if got, want := shown(body), []string{"trend-a", "trend-g"}; !slices.Equal(got, want) {
					t.Errorf("chosen trend-g and trend-a, the table shows %q; want %q", got, want)
				}
			}
			if !strings.Contains(body, `src="/analyst/plots/trend.svg?trend=trend-a&amp;trend=trend-g"`) {
				t.Errorf("%s: the plot beside the table is not of the chosen triggers", lang)
			}
			if !checked(body, "trend-a") || !checked(body, "trend-g") || checked(body, "trend-b") {
				t.Errorf("%s: the form does not keep the choice", lang)
			}
		}
		marks := plotMarks(t, e.page(preq{method: "GET", path: "/analyst/plots/trend.svg" + q, as: asAnalyst}))
		series := map[string]bool{}
		for _, m := range marks {
			series[m.Series] = true
		}
		if !series["findings:trend-a"] || !series["findings:trend-g"] || !series["warned:trend-g"] || series["findings:trend-b"] || len(series) != 4 {
			t.Errorf("the plot of trend-a and trend-g has the series %v", series)
		}

		nine := url.Values{}
		for i := range 9 {
			nine.Add("trend", fmt.Sprintf("t%d", i))
		}
		for _, tc := range []struct{ name, query, want string }{
			{"unknown_trigger", "?trend=nope", `"nope": no such trigger`},
			{"too_many", "?" + nine.Encode(), "9 triggers chosen: the plot shows at most 8"},
			{"unknown_parameter", "?triggers=trend-a", `unknown query parameter "triggers"`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				for _, path := range []string{"/analyst", "/analyst/plots/trend.svg"} {
					body := html.UnescapeString(wantPage(t, e.page(preq{method: "GET", path: path + tc.query, as: asAnalyst}), http.StatusBadRequest))
					if !strings.Contains(body, tc.want) || (tc.name != "unknown_parameter" && !strings.Contains(body, "trend")) {
						t.Errorf("%s%s does not say %q:\n%.600s", path, tc.query, tc.want, body)
					}
				}
			})
		}
		wantPage(t, e.page(preq{method: "GET", path: "/analyst" + q, as: asMemberA}), http.StatusForbidden)
	})
}
