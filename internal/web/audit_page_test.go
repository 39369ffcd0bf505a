// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"vigil/internal/account"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestAuditPage filters the audit log page by actor, kind and date, in
// both languages, and exports what the filters select as CSV and JSON.
func TestAuditPage(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		at := fixedNow()
		for _, a := range []account.AuditEntry{
			{At: at.AddDate(0, 0, -10), Actor: "jan@cert.example", Action: "org.update", Object: "organisation 1", Via: account.AuditCLI,
				Before: json.RawMessage(`{"sector":"energy"}`), After: json.RawMessage(`{"sector":"water"}`)},
			{At: at, Actor: "piet@cert.example", Action: "suppression.add", Object: "suppression optout@hosting.example", Via: account.AuditAPI},
		} {
			if err := st.AuditAdd(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			query      string
			want, lack string
		}{
			{"?by=jan@cert.example", "organisation 1", "optout@hosting.example"},
			{"?kind=suppression", "optout@hosting.example", "organisation 1"},
			{"?since=" + at.AddDate(0, 0, -1).Format("2006-01-02"), "optout@hosting.example", "organisation 1"},
			{"?until=" + at.AddDate(0, 0, -5).Format("2006-01-02"), "&#34;sector&#34;:&#34;water&#34;", "optout@hosting.example"},
		} {
			for _, lang := range Languages() {
				body := wantPage(t, e.page(preq{method: "GET", path: "/analyst/audit" + tc.query, as: asAnalyst,
					header: map[string]string{"Accept-Language": lang}}), http.StatusOK)
				if !strings.Contains(body, tc.want) || strings.Contains(body, tc.lack) {
					t.Errorf("%s %s: want %q, not %q", lang, tc.query, tc.want, tc.lack)
				}
			}
		}
		wantPage(t, e.page(preq{method: "GET", path: "/analyst/audit?since=yesterday", as: asAnalyst}), http.StatusUnprocessableEntity)
		csv := e.page(preq{method: "GET", path: "/analyst/audit/export?kind=org&format=csv", as: asAnalyst})
		if csv.Code != http.StatusOK || !strings.HasPrefix(csv.Body.String(), "id,at,actor,via,action") || !strings.Contains(csv.Body.String(), "org.update") ||
			strings.Contains(csv.Body.String(), "suppression.add") {
			t.Errorf("CSV export: %d\n%s", csv.Code, csv.Body.String())
		}
		js := e.page(preq{method: "GET", path: "/analyst/audit/export?format=json", as: asAnalyst})
		var es []account.AuditEntry
		if err := json.Unmarshal(js.Body.Bytes(), &es); err != nil || len(es) < 2 {
			t.Errorf("JSON export: %v, %d entries\n%s", err, len(es), js.Body.String())
		}
	})
}
