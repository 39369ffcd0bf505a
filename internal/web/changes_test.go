// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"vigil/internal/finding"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestChangeFeed: after a cursor the pull feed returns the finding that was
// updated (severity raised) and the one that was resolved, not the one
// merely seen again nor another organisation's, in JSON and CSV, page by
// page.
func TestChangeFeed(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st)
		a, b := e.orgs[0], e.orgs[1]
		trig, err := st.TriggerEnsure(ctx, finding.Trigger{Name: "scan_exchange"})
		if err != nil {
			t.Fatal(err)
		}
		gone, err := st.TriggerEnsure(ctx, finding.Trigger{Name: "scan_rdp"})
		if err != nil {
			t.Fatal(err)
		}
		sight := func(org, trig int64, ip string, sev finding.Severity) finding.Sighting {
			addr := netip.MustParseAddr(ip)
			return finding.Sighting{OrgID: org, TriggerID: trig, Type: "vulnerable-system", ReportType: "scan", Key: finding.KeyFor(addr, 443),
				IP: addr, Port: 443, Severity: sev, Time: fixedNow(), Evidence: json.RawMessage(fmt.Sprintf(`{"ip":%q}`, ip))}
		}
		upsert := func(sgs ...finding.Sighting) {
			t.Helper()
			if err := st.Tx(ctx, func(tx *store.Store) error { _, _, err := tx.FindingUpsert(ctx, 0, sgs); return err }); err != nil {
				t.Fatal(err)
			}
		}
		path := fmt.Sprintf("/api/v1/orgs/%d/changes", a.ID)
		get := func(query string) finding.ChangePage {
			t.Helper()
			rec := e.send(req{method: "GET", path: path + query, token: tokAR})
			wantStatus(t, rec, http.StatusOK)
			return decodeAs[finding.ChangePage](t, rec)
		}
		// On PostgreSQL the feed trails the oldest transaction still
		// running anywhere in the cluster (other tests' included): ask
		// until an answer has at least want changes, a bounded number of
		// times.
		settle := func(query string, want int) {
			t.Helper()
			for i := 0; i < 400 && len(get(query).Changes) < want; i++ {
				time.Sleep(25 * time.Millisecond)
			}
		}

		raised, resolved, seen := sight(a.ID, trig, "192.0.2.1", finding.Medium), sight(a.ID, gone, "192.0.2.2", finding.High), sight(a.ID, trig, "192.0.2.3", finding.High)
		upsert(raised, resolved, seen)
		settle("", 3)
		first := get("")
		if len(first.Changes) != 3 || first.More {
			t.Fatalf("first answer = %+v; want the three new findings", first)
		}
		for _, c := range first.Changes {
			if c.Change != finding.EventNew || c.Finding.OrgID != a.ID {
				t.Errorf("first answer has %+v", c)
			}
		}
		cursor := first.Next
		if again := get("?since=" + cursor); len(again.Changes) != 0 || again.Next != cursor || again.More {
			t.Fatalf("nothing new = %+v", again)
		}

		// After the cursor: one severity raised, one resolved, one seen
		// again unchanged, and B's new finding.
		raised.Severity = finding.Critical
		upsert(raised, seen, sight(b.ID, trig, "198.51.100.9", finding.Critical))
		var runID int64 = 999999
		if n, err := st.FindingResolveUnseen(ctx, gone, "scan", runID); err != nil || n != 1 {
			t.Fatalf("resolve = %d, %v", n, err)
		}
		settle("?since="+cursor, 2)
		got := get("?since=" + cursor)
		if len(got.Changes) != 2 {
			t.Fatalf("changes after the cursor = %+v; want the updated and the resolved finding", got)
		}
		up, res := got.Changes[0], got.Changes[1]
		if up.Change != finding.EventSeverityUp || up.Finding.IP != "192.0.2.1" || up.Finding.Severity != finding.Critical {
			t.Errorf("first change = %+v; want 192.0.2.1 raised to critical", up)
		}
		if res.Change != finding.EventResolved || res.Finding.IP != "192.0.2.2" || res.Finding.Status != finding.Resolved || res.Finding.ResolvedAt == nil {
			t.Errorf("second change = %+v; want 192.0.2.2 resolved", res)
		}
		if got.Next != res.Cursor || got.Next == cursor {
			t.Errorf("next = %q; want the last change's cursor %q", got.Next, res.Cursor)
		}

		// Page by page: limit 1 gives the same two, with more set.
		p1 := get("?limit=1&since=" + cursor)
		if len(p1.Changes) != 1 || !p1.More || p1.Changes[0].Cursor != up.Cursor {
			t.Fatalf("page 1 = %+v", p1)
		}
		p2 := get("?limit=1&since=" + p1.Next)
		if len(p2.Changes) != 1 || p2.Changes[0].Cursor != res.Cursor {
			t.Fatalf("page 2 = %+v", p2)
		}

		// CSV: the same rows, the next cursor in a header.
		rec := e.send(req{method: "GET", path: path + "?format=csv&since=" + cursor, token: tokAR})
		wantStatus(t, rec, http.StatusOK)
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("content type = %q", ct)
		}
		rows, err := csv.NewReader(rec.Body).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 || rows[0][0] != "cursor" || rows[1][1] != "severity_up" || rows[2][1] != "resolved" || rows[2][7] != "resolved" || rows[2][8] != "192.0.2.2" {
			t.Errorf("csv = %q", rows)
		}
		if h := rec.Header().Get("Vigil-Next-Cursor"); h != got.Next {
			t.Errorf("Vigil-Next-Cursor = %q; want %q", h, got.Next)
		}

		// B's feed has only B's finding; A's token cannot read it.
		rec = e.send(req{method: "GET", path: fmt.Sprintf("/api/v1/orgs/%d/changes", b.ID), token: tokBRW})
		wantStatus(t, rec, http.StatusOK)
		if bs := decodeAs[finding.ChangePage](t, rec); len(bs.Changes) != 1 || bs.Changes[0].Finding.OrgID != b.ID {
			t.Errorf("B's feed = %+v", bs)
		}
		wantStatus(t, e.send(req{method: "GET", path: fmt.Sprintf("/api/v1/orgs/%d/changes", b.ID), token: tokAR}), http.StatusNotFound)

		// Bad input.
		wantProblem(t, e.send(req{method: "GET", path: path + "?since=yesterday", token: tokAR}), 400, "since")
		wantProblem(t, e.send(req{method: "GET", path: path + "?limit=0", token: tokAR}), 400, "limit")
		wantProblem(t, e.send(req{method: "GET", path: path + "?format=xml", token: tokAR}), 400, "format")
	})
}
