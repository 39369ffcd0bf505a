// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"vigil/internal/finding"
	"vigil/internal/ingest"
	"vigil/internal/keyset"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestAssetProvenance registers an asset of organisation A four ways: a
// member's page and an organisation token make it the member's (a claim
// that draws no findings until proven, which the registry page says in
// both languages), an analyst's page and an operator token the
// operator's.
func TestAssetProvenance(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		a := e.orgs[0].ID
		want := map[string]registry.AddedBy{}
		for _, tc := range []struct {
			value, as, token string
			by               registry.AddedBy
		}{
			{"2001:db8:7e57:1::/64", asMemberA, "", registry.AddedByMember},
			{"2001:db8:7e57:2::/64", asAnalyst, "", registry.AddedByOperator},
			{"2001:db8:7e57:3::/64", "", tokARW, registry.AddedByMember},
			{"2001:db8:7e57:4::/64", "", tokOp, registry.AddedByOperator},
		} {
			if tc.as != "" {
				wantPage(t, e.page(preq{method: "POST", path: fmt.Sprintf("/orgs/%d/assets", a), as: tc.as,
					form: url.Values{"kind": {"cidr"}, "value": {tc.value}}}), http.StatusSeeOther)
			} else {
				wantStatus(t, e.send(req{method: "POST", path: fmt.Sprintf("/api/v1/orgs/%d/assets", a), token: tc.token,
					body: fmt.Sprintf(`{"kind":"cidr","value":%q}`, tc.value)}), http.StatusCreated)
			}
			want[tc.value] = tc.by
		}
		as, err := st.AssetAll(context.Background(), tenant.Org(a), registry.KindCIDR)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]int64{}
		for _, x := range as {
			if by, ok := want[x.Value]; ok {
				ids[x.Value] = x.ID
				if x.AddedBy != by {
					t.Errorf("%s was added by %q; want %q", x.Value, x.AddedBy, by)
				}
			}
		}
		if len(ids) != len(want) {
			t.Fatalf("found %d of the %d assets: %v", len(ids), len(want), ids)
		}
		for _, lang := range Languages() {
			body := wantPage(t, e.page(preq{method: "GET", path: fmt.Sprintf("/orgs/%d/registry", a), as: asMemberA,
				header: map[string]string{"Accept-Language": lang}}), http.StatusOK)
			note := e.srv.messages(lang)["registry.nofindings"]
			for v, by := range want {
				marked := strings.Contains(body, fmt.Sprintf(`id="asset-%d-idle"`, ids[v]))
				if marked != (by == registry.AddedByMember) {
					t.Errorf("%s: the registry page marks %s (added by %s) as drawing no findings: %v", lang, v, by, marked)
				}
			}
			if !strings.Contains(body, note) {
				t.Errorf("%s: the registry page lacks %q", lang, note)
			}
		}
	})
}

// TestFindingsFilterTriggers checks that a member's findings filter names
// only the triggers of the organisation's own findings, never a campaign of
// the installation that reached other organisations or none, while the
// analyst's filter of every organisation still lists every trigger.
func TestFindingsFilterTriggers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		const secret = "campaign-of-another-firm"
		if _, err := st.TriggerEnsure(context.Background(), finding.Trigger{Name: secret}); err != nil {
			t.Fatal(err)
		}
		a := e.orgs[0].ID
		own, err := st.TriggerNames(context.Background(), tenant.Org(a))
		if err != nil {
			t.Fatal(err)
		}
		if len(own) == 0 {
			t.Fatal("organisation A has no trigger of its own: the test shows nothing")
		}
		body := wantPage(t, e.page(preq{method: "GET", path: fmt.Sprintf("/orgs/%d/findings", a), as: asMemberA}), http.StatusOK)
		if strings.Contains(body, secret) {
			t.Errorf("the member's findings filter names %q, a trigger of none of its findings", secret)
		}
		for _, n := range own {
			if !strings.Contains(body, n) {
				t.Errorf("the member's findings filter lacks its own trigger %q", n)
			}
		}
		body = wantPage(t, e.page(preq{method: "GET", path: "/analyst/findings", as: asAnalyst}), http.StatusOK)
		if !strings.Contains(body, secret) {
			t.Errorf("the analyst's findings filter lacks %q", secret)
		}
	})
}

// TestFindingsCSVDefusesFormulas checks that feed text which a spreadsheet
// would take for a formula reaches the CSV download with a leading quote.
func TestFindingsCSVDefusesFormulas(t *testing.T) {
	f := finding.Finding{ID: 7, Trigger: "@SUM(1+1)", Type: "+cmd|' /C calc'!A0", Hostname: `=HYPERLINK("http://evil.example","x")`,
		CVE: "-2+3", IP: "192.0.2.1", Port: 443, Count: 1, Evidence: json.RawMessage(`["\tx"]`)}
	recs, err := csv.NewReader(bytes.NewReader(findingsCSV([]finding.Finding{f}))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("%d records; want the header and one row", len(recs))
	}
	for i, cell := range recs[1] {
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
			t.Errorf("column %s: %q starts a formula", recs[0][i], cell)
		}
	}
	if got := recs[1][7]; got != `'=HYPERLINK("http://evil.example","x")` {
		t.Errorf("hostname %q; want the formula quoted", got)
	}
}

// TestFindingsDownloadStreams makes a download page two findings long, so
// organisation A's findings take several pages, and checks that the CSV
// and the JSON download are complete (every finding once) and well formed.
func TestFindingsDownloadStreams(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		e.srv.downloadPage = 2
		a := e.orgs[0].ID
		ctx := context.Background()
		trig, err := st.TriggerEnsure(ctx, finding.Trigger{Name: "download-pages"})
		if err != nil {
			t.Fatal(err)
		}
		var sg []finding.Sighting
		for i := 1; i <= 4; i++ {
			ip := netip.AddrFrom4([4]byte{192, 0, 2, byte(200 + i)})
			sg = append(sg, finding.Sighting{OrgID: a, TriggerID: trig, Type: "vulnerable-system", ReportType: "download-pages",
				Key: finding.KeyFor(ip, 443), IP: ip, Port: 443, Severity: finding.High, Time: st.Now(),
				Evidence: json.RawMessage(`{"hostname":"=cmd|' /C calc'!A0"}`)})
		}
		r := ingest.Run{Source: "download.csv", FeedType: "shadowserver", ReportType: "download-pages", TriggerID: trig}
		if err := st.RunStart(ctx, &r); err != nil {
			t.Fatal(err)
		}
		if err := st.Tx(ctx, func(tx *store.Store) error { _, _, err := tx.FindingUpsert(ctx, r.ID, sg); return err }); err != nil {
			t.Fatal(err)
		}
		if err := st.RunFinish(ctx, &r); err != nil {
			t.Fatal(err)
		}
		all, err := st.FindingList(ctx, tenant.Org(a), finding.Filter{Page: keyset.Page{Limit: 1000}})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) <= e.srv.downloadPage {
			t.Fatalf("organisation A has %d findings: not more than a page", len(all))
		}
		var want []string
		for _, f := range all {
			want = append(want, strconv.FormatInt(f.ID, 10))
		}
		body := wantPage(t, e.page(preq{method: "GET", path: fmt.Sprintf("/orgs/%d/findings.csv", a), as: asMemberA}), http.StatusOK)
		recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("the CSV: %v", err)
		}
		var got []string
		for _, r := range recs[1:] {
			got = append(got, r[0])
		}
		if !slices.Equal(got, want) {
			t.Errorf("CSV ids %v; want %v", got, want)
		}
		body = wantPage(t, e.page(preq{method: "GET", path: fmt.Sprintf("/orgs/%d/findings.json", a), as: asMemberA}), http.StatusOK)
		var l List[finding.Finding]
		if err := json.Unmarshal([]byte(body), &l); err != nil {
			t.Fatalf("the JSON: %v\n%s", err, body)
		}
		got = got[:0]
		for _, f := range l.Items {
			got = append(got, strconv.FormatInt(f.ID, 10))
		}
		if !slices.Equal(got, want) {
			t.Errorf("JSON ids %v; want %v", got, want)
		}
	})
}
