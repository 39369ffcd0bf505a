// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"vigil/internal/app"
	"vigil/internal/notify"
)

// TestUndeliverableWarnings: every notice composed ends somewhere visible.
// Critical findings of an organisation without a contact, with a phone
// only, and with a bounced address each go through the fallback chain
// (security.txt, RDAP abuse contact) and, finding nothing, make a notice on
// the call list with the reason; an organisation without a contact whose
// domain has an RDAP abuse contact (a loopback RDAP server) gets its notice
// there; the reachable organisation's goes to the outbox; notify run,
// notify status and stats count them, on SQLite and PostgreSQL.
func TestUndeliverableWarnings(t *testing.T) {
	rdapURL := rdapFixture(t, "via-rdap.example", "abuse@via-rdap.example")
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			run := runner(t, db)
			run(0, "", "contact", "bootstrap", "--url", rdapURL+"/bootstrap/", "--allow-private")
			run(0, "", "org", "add", "Via RDAP", "--cidr", "203.0.113.128/25", "--domain", "via-rdap.example")
			run(0, "", "org", "add", "Bereikbaar", "--cidr", "198.51.100.0/25", "--email", "soc@bereikbaar.example")
			run(0, "", "org", "add", "Zonder Contact", "--cidr", "192.0.2.128/25")
			run(0, "", "org", "add", "Alleen Telefoon", "--cidr", "203.0.113.0/25")
			run(0, "", "contact", "add", "Alleen Telefoon", "--phone", "+31 50 123 4567")
			run(0, "", "org", "add", "Gebounced", "--cidr", "192.0.2.0/25", "--email", "weg@gebounced.example")
			run(0, "", "notify", "bounce", "weg@gebounced.example")
			run(0, "", "ingest", "feed", "testdata/notify/2025-06-01-scan_exchange-vigil_test-asn.csv")

			var dry app.NotifyRunResult
			if err := json.Unmarshal([]byte(run(0, "", "--json", "notify", "run", "--dry-run")), &dry); err != nil || dry.Composed.Undeliverable != 4 {
				t.Fatalf("dry run: %v, %+v; want 4 without a usable contact", err, dry.Composed)
			}
			out := run(0, "could be sent to nobody", "notify", "run", "--smtp-url", "sink:", "--allow-private")
			if !strings.Contains(out, "3 notices could be sent to nobody") || !strings.Contains(out, "1 notice without a usable contact went to a security.txt or RDAP abuse contact") {
				t.Errorf("notify run:\n%s", out)
			}
			var sent app.OutboxStatus
			if err := json.Unmarshal([]byte(run(0, "", "--json", "notify", "status", "--state", "sent")), &sent); err != nil {
				t.Fatal(err)
			}
			to := map[string]bool{}
			for _, r := range sent.Rows {
				to[r.Recipient] = true
			}
			if len(sent.Rows) != 2 || !to["abuse@via-rdap.example"] || !to["soc@bereikbaar.example"] {
				t.Errorf("sent = %+v; want the registered contact and the RDAP abuse contact", sent.Rows)
			}
			var calls struct{ Items []notify.Call }
			if err := json.Unmarshal([]byte(run(0, "", "--json", "notify", "calls")), &calls); err != nil {
				t.Fatal(err)
			}
			why := map[string]string{}
			for _, c := range calls.Items {
				why[c.OrgName] = c.Undeliverable
			}
			want := map[string]string{
				"Zonder Contact":  "no contact registered",
				"Alleen Telefoon": "no contact has an e-mail address (phone only)",
				"Gebounced":       "every contact's e-mail address bounced",
			}
			for org, reason := range want {
				if !strings.HasPrefix(why[org], reason+"; no security.txt or RDAP abuse contact found") {
					t.Errorf("call list: %s = %q; want %q and the fallback chain's outcome (list %+v)", org, why[org], reason, why)
				}
			}
			if _, ok := why["Bereikbaar"]; ok || len(why) != 3 {
				t.Errorf("call list = %+v; want the three unreachable organisations only", why)
			}
			if out := run(0, "", "notify", "calls"); !strings.Contains(out, "could be sent to nobody: no contact registered") || !strings.Contains(out, "+31501234567") {
				t.Errorf("notify calls:\n%s", out)
			}
			var st app.OutboxStatus
			if err := json.Unmarshal([]byte(run(0, "", "--json", "notify", "status")), &st); err != nil || st.Undeliverable != 3 {
				t.Errorf("notify status: %v, undeliverable %d; want 3", err, st.Undeliverable)
			}
			run(0, "3 notices could be sent to nobody", "notify", "status")
			var stats notify.Stats
			if err := json.Unmarshal([]byte(run(0, "", "--json", "stats")), &stats); err != nil || stats.Overall.Undeliverable != 3 || stats.Overall.Notices != 5 || stats.Overall.Sent != 2 {
				t.Errorf("stats: %v, %+v; want 5 notices, 2 sent, 3 undeliverable", err, stats.Overall)
			}
			run(0, "UNDELIVERABLE", "stats")
		})
	}
}

// rdapFixture serves IANA bootstrap files (under /bootstrap/) naming itself
// for .example, and an RDAP domain answer for domain with abuse as its
// abuse contact; it returns its URL.
func rdapFixture(t *testing.T, domain, abuse string) string {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name, ok := strings.CutPrefix(r.URL.Path, "/bootstrap/"); ok {
			entry := map[string]string{"ipv4.json": `"198.18.0.0/15"`, "ipv6.json": `"2001:db8::/32"`, "asn.json": `"64496-64511"`, "dns.json": `"example"`}[name]
			if entry == "" {
				http.NotFound(w, r)
				return
			}
			fmt.Fprintf(w, `{"description":"test","publication":"2026-06-01T00:00:00Z","version":"1.0","services":[[[%s],[%q]]]}`, entry, srv.URL+"/rdap/")
			return
		}
		if r.URL.Path != "/rdap/domain/"+domain {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rdap+json")
		fmt.Fprintf(w, `{"objectClassName":"domain","ldhName":%q,"entities":[{"objectClassName":"entity","handle":"ABUSE","roles":["abuse"],
"vcardArray":["vcard",[["version",{},"text","4.0"],["fn",{},"text","abuse desk"],["email",{},"text",%q]]]}]}`, domain, abuse)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
