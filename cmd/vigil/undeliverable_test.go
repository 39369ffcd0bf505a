// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"encoding/json"
	"strings"
	"testing"

	"vigil/internal/app"
	"vigil/internal/notify"
)

// TestUndeliverableWarnings: every notice composed ends somewhere visible.
// Critical findings of an organisation without a contact, with a phone
// only, and with a bounced address each make a notice on the call list
// with the reason; the reachable organisation's goes to the outbox; notify
// run, notify status and stats count them, on SQLite and PostgreSQL.
func TestUndeliverableWarnings(t *testing.T) {
	for name, db := range dbs(t) {
		t.Run(name, func(t *testing.T) {
			run := runner(t, db)
			run(0, "", "org", "add", "Bereikbaar", "--cidr", "198.51.100.0/25", "--email", "soc@bereikbaar.example")
			run(0, "", "org", "add", "Zonder Contact", "--cidr", "192.0.2.128/25")
			run(0, "", "org", "add", "Alleen Telefoon", "--cidr", "203.0.113.0/25")
			run(0, "", "contact", "add", "Alleen Telefoon", "--phone", "+31 50 123 4567")
			run(0, "", "org", "add", "Gebounced", "--cidr", "192.0.2.0/25", "--email", "weg@gebounced.example")
			run(0, "", "notify", "bounce", "weg@gebounced.example")
			run(0, "", "ingest", "feed", "testdata/notify/2025-06-01-scan_exchange-vigil_test-asn.csv")

			var dry app.NotifyRunResult
			if err := json.Unmarshal([]byte(run(0, "", "--json", "notify", "run", "--dry-run")), &dry); err != nil || dry.Composed.Undeliverable != 3 {
				t.Fatalf("dry run: %v, %+v; want 3 undeliverable", err, dry.Composed)
			}
			out := run(0, "could be sent to nobody", "notify", "run", "--smtp-url", "sink:")
			if !strings.Contains(out, "3 notice(s) could be sent to nobody") {
				t.Errorf("notify run:\n%s", out)
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
				if why[org] != reason {
					t.Errorf("call list: %s = %q; want %q (list %+v)", org, why[org], reason, why)
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
			run(0, "3 notice(s) could be sent to nobody", "notify", "status")
			var stats notify.Stats
			if err := json.Unmarshal([]byte(run(0, "", "--json", "stats")), &stats); err != nil || stats.Overall.Undeliverable != 3 || stats.Overall.Notices != 4 || stats.Overall.Sent != 1 {
				t.Errorf("stats: %v, %+v; want 4 notices, 1 sent, 3 undeliverable", err, stats.Overall)
			}
			run(0, "UNDELIVERABLE", "stats")
		})
	}
}
