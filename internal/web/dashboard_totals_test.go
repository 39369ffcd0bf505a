// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/finding"
	"vigil/internal/ingest"
	"vigil/internal/notify"
	"vigil/internal/privacy"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestDashboardTotalsMatchRecount runs a mixed workload through the write
// paths that change what the dashboard counts — the sample Shadowserver
// report ingested, its notices composed and delivered (sent, dead, an
// address bounced, an unknown outcome resolved, a DSN answering a sent
// delivery), another day's findings
// and notices, acknowledgements by signed link, in the portal and through
// the API, an accepted dispute, a full report resolving what it did not
// contain, escalation, a person's data erased, the retention purge of a
// day's notices and an organisation deleted — and after each step compares
// the dashboard's figures, read from the running totals of migrations 00730,
// 00736 and 00737 (trigger_totals, the notices' marks, notice_days with its
// times to acknowledge, trigger_days) and 00821 (bounced deliveries), with
// a count from the base tables, for every organisation and for one.
func TestDashboardTotalsMatchRecount(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newPageEnv(t, st) // the sample report is ingested
		withNotify(t, e.env)
		a, b := e.orgs[0], e.orgs[1]
		// The sample's items wait for the daily digest: composed two days later.
		day1 := fixedNow().Add(48 * time.Hour)
		since := fixedNow().Add(-dashSince).Truncate(24 * time.Hour)
		chans := []notify.Channel{notify.Email, notify.Webhook}
		// claim claims the deliveries due on day1.
		claim := func(t *testing.T) []notify.OutboxRow {
			rows, err := st.OutboxClaimDue(ctx, chans, day1, time.Minute, 100)
			if err != nil {
				t.Fatal(err)
			}
			return rows
		}
		noticeOf := func(t *testing.T, org int64) int64 {
			ns, err := st.NoticeList(ctx, tenant.Org(org), notify.NoticeFilter{})
			if err != nil || len(ns) == 0 {
				t.Fatalf("notices of %d: %v %v", org, ns, err)
			}
			return ns[0].ID
		}
		steps := []struct {
			name string
			do   func(t *testing.T)
		}{
			{"the sample report ingested", func(*testing.T) {}},
			{"its notices composed the next day", func(t *testing.T) {
				// Held for the daily digest first, which is due by day1.
				for _, at := range []time.Time{fixedNow(), day1} {
					if _, err := notify.NewNotifier(notify.NotifierConfig{Store: st, Now: func() time.Time { return at }}).Compose(ctx, false); err != nil {
						t.Fatal(err)
					}
				}
				var n int
				if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM notices`).Scan(&n); err != nil || n == 0 {
					t.Fatalf("%d notices composed, %v", n, err)
				}
			}},
			{"deliveries sent and dead", func(t *testing.T) {
				rows := claim(t)
				if len(rows) < 2 {
					t.Fatalf("claimed %d deliveries, want 2 or more", len(rows))
				}
				res := []notify.OutboxResult{{ID: rows[0].ID, NoticeID: rows[0].NoticeID, State: notify.OutboxSent, At: day1}}
				for _, r := range rows[1:] {
					res = append(res, notify.OutboxResult{ID: r.ID, NoticeID: r.NoticeID, State: notify.OutboxDead, Error: "refused", At: day1})
				}
				if err := st.OutboxFinish(ctx, res); err != nil {
					t.Fatal(err)
				}
			}},
			{"findings and notices of the first day, one delivery with an unknown outcome", func(t *testing.T) {
				seedNotices(t, e.env)
			}},
			{"a contact's address bounced", func(t *testing.T) {
				// Reported by address: the latest delivery sent to it is marked.
				if _, _, err := st.OutboxBounce(ctx, notify.BounceEvent{Address: b.Contacts[0].Email, Returned: true, Source: "test", At: fixedNow()}); err != nil {
					t.Fatal(err)
				}
			}},
			{"the unknown outcome resolved as sent", func(t *testing.T) {
				if err := st.OutboxResolve(ctx, e.outbox, true, fixedNow()); err != nil {
					t.Fatal(err)
				}
			}},
			{"a returned message's DSN received: its delivery bounced", func(t *testing.T) {
				// The delivery of unknown outcome was sent; the bounce names
				// it by the Message-ID of the returned message.
				var to, key string
				if err := st.QueryRow(ctx, `SELECT recipient, idem_key FROM outbox WHERE id = ? AND state = 'sent' AND channel = 'email'`, e.outbox).Scan(&to, &key); err != nil {
					t.Fatalf("the resolved delivery: %v", err)
				}
				res, err := e.srv.app.Receive(ctx, returnedMail(to, notify.MessageID(key, "vigil@cert.example")), "test")
				if err != nil || len(res.Bounced) != 1 {
					t.Fatalf("receive = %+v, %v", res, err)
				}
				var bounced bool
				if err := st.QueryRow(ctx, `SELECT bounced_at IS NOT NULL FROM outbox WHERE id = ?`, e.outbox).Scan(&bounced); err != nil || !bounced {
					t.Fatalf("the delivery the DSN names is not marked bounced (%v)", err)
				}
			}},
			{"acknowledged by signed link", func(t *testing.T) {
				key, err := st.SettingSecret(ctx, notify.AckKeySetting)
				if err != nil {
					t.Fatal(err)
				}
				wantStatus(t, e.send(req{method: "POST", path: "/ack/" + notify.AckToken(key, e.notices[a.ID]), ctype: "-"}), http.StatusOK)
			}},
			{"acknowledged in the portal", func(t *testing.T) {
				rec := e.page(preq{method: "POST", path: fmt.Sprintf("/orgs/%d/notices/%d/ack", a.ID, noticeOf(t, a.ID)), as: asMemberA, form: url.Values{}})
				if rec.Code != http.StatusSeeOther && rec.Code != http.StatusOK {
					t.Fatalf("portal ack: %d %.300s", rec.Code, rec.Body.String())
				}
			}},
			{"acknowledged through the API", func(t *testing.T) {
				wantStatus(t, e.send(req{method: "POST", path: fmt.Sprintf("/api/v1/orgs/%d/notices/%d/ack", b.ID, e.notices[b.ID]), token: tokBRW}), http.StatusOK)
			}},
			{"a dispute accepted resolves its finding", func(t *testing.T) {
				ds, err := st.DisputeList(ctx, tenant.Operator(), finding.DisputeFilter{})
				if err != nil || len(ds) == 0 {
					t.Fatalf("disputes: %v %v", ds, err)
				}
				if _, err := st.DisputeDecide(ctx, tenant.Operator(), ds[0].ID, finding.Decision{Accept: true, Reason: "fixed", By: "analyst", At: fixedNow()}); err != nil {
					t.Fatal(err)
				}
			}},
			{"a full report without the sample's findings resolves them", func(t *testing.T) {
				trig, err := st.TriggerEnsure(ctx, finding.Trigger{Name: "seeded"})
				if err != nil {
					t.Fatal(err)
				}
				r := ingest.Run{Source: "empty.csv", FeedType: "shadowserver", ReportType: "scan_exchange", TriggerID: trig, FullReport: true}
				if err := st.RunStart(ctx, &r); err != nil {
					t.Fatal(err)
				}
				if n, err := st.FindingResolveUnseen(ctx, trig, "scan_exchange", r.ID); err != nil || n == 0 {
					t.Fatalf("resolved %d, %v", n, err)
				}
			}},
			{"unanswered notices escalated", func(t *testing.T) {
				if _, err := st.NoticeEscalate(ctx, finding.Low, fixedNow().Add(time.Hour), fixedNow()); err != nil {
					t.Fatal(err)
				}
			}},
			{"a person's data erased", func(t *testing.T) {
				if _, err := st.PrivacyErase(ctx, a.Contacts[0].Email, "erased-1@invalid.example"); err != nil {
					t.Fatal(err)
				}
			}},
			{"the call list's notices acknowledged on the telephone", func(t *testing.T) {
				// The purge keeps a notice on the call list: its call is
				// the last delivery.
				calls, err := st.NoticeCallList(ctx, tenant.Operator())
				if err != nil || len(calls) == 0 {
					t.Fatalf("call list: %v %v", calls, err)
				}
				for _, c := range calls {
					if _, err := st.NoticeAck(ctx, tenant.Operator(), c.Notice.ID, "analyst@cert.example", fixedNow()); err != nil {
						t.Fatal(err)
					}
				}
			}},
			{"the retention purge of the first day's notices", func(t *testing.T) {
				p, err := st.RetentionPurge(ctx, privacy.Cutoffs{Notices: fixedNow().Add(time.Hour)})
				if err != nil || p.Notices == 0 {
					t.Fatalf("purged %+v, %v", p, err)
				}
			}},
			{"an organisation deleted", func(t *testing.T) {
				if err := st.OrgDelete(ctx, tenant.Operator(), b.ID); err != nil {
					t.Fatal(err)
				}
			}},
			{"the differences folded into the totals", func(t *testing.T) {
				if err := st.IngestTx(ctx, func(ingest.Store) error { return nil }); err != nil {
					t.Fatal(err)
				}
			}},
		}
		// warned gathers the warnings the sent deliveries show after each
		// step: a warning stays a fact when its notice is later purged,
		// its items move or its organisation is deleted, as org_warnings
		// keeps it.
		warned := map[warning]bool{}
		// bouncedSeen is the most bounced notices counted after a step (the
		// purge and the deletion take them away again).
		bouncedSeen := 0
		for _, step := range steps {
			step.do(t)
			if t.Failed() {
				t.Fatalf("step %q failed", step.name)
			}
			for _, w := range recountWarnings(t, st) {
				warned[w] = true
			}
			for _, sc := range []tenant.Scope{tenant.Operator(), tenant.Org(a.ID), tenant.Org(b.ID)} {
				ws, err := st.OrgWarnDays(ctx, sc, since)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(warnDays(warned, sc, since), ws); diff != "" {
					t.Errorf("after %s, %s: the organisations warned per trigger and day differ from a recount of the sent deliveries (-recount +history):\n%s", step.name, sc, diff)
				}
			}
			// A day whose notices are all gone (purged, deleted) is not
			// shown; it must hold no count of them either.
			var stale int
			if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT day FROM notice_days GROUP BY day HAVING SUM(notices) = 0
  AND (SUM(sent) <> 0 OR SUM(failed) <> 0 OR SUM(undeliverable) <> 0 OR SUM(acked) <> 0 OR SUM(bounced) <> 0 OR SUM(ack_timed) <> 0)) x`).Scan(&stale); err != nil {
				t.Fatal(err)
			}
			if stale > 0 {
				t.Errorf("after %s: %d days without notices still count some", step.name, stale)
			}
			ts, err := st.TriggerStats(ctx, tenant.Operator())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(recountTriggers(t, st), shownTriggers(ts)); diff != "" {
				t.Errorf("after %s: the triggers' totals differ from a recount of the findings (-recount +totals):\n%s", step.name, diff)
			}
			tdays, err := st.TriggerDays(ctx, tenant.Operator(), since)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(recountTriggerDays(t, st, since), tdays); diff != "" {
				t.Errorf("after %s: the findings per trigger and day differ from a recount of the findings (-recount +totals):\n%s", step.name, diff)
			}
			for _, sc := range []tenant.Scope{tenant.Operator(), tenant.Org(a.ID), tenant.Org(b.ID)} {
				days, err := st.NoticeDayFigures(ctx, sc, since)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range days {
					bouncedSeen = max(bouncedSeen, d.Bounced)
				}
				if diff := cmp.Diff(recountNoticeDays(t, st, sc, since), days); diff != "" {
					t.Errorf("after %s, %s: the notices per day differ from a recount of notices, items and deliveries (-recount +totals):\n%s", step.name, sc, diff)
				}
				acks, err := st.NoticeAckDays(ctx, sc, since)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(recountAckDays(t, st, sc, since), acks); diff != "" {
					t.Errorf("after %s, %s: the times to acknowledge per day differ from a recount of the notices (-recount +totals):\n%s", step.name, sc, diff)
				}
			}
		}
		// The workload reached every figure.
		var sent, failed, acked, undeliverable int64
		if err := st.QueryRow(ctx, `SELECT COALESCE(SUM(sent), 0), COALESCE(SUM(failed), 0), COALESCE(SUM(acked), 0), COALESCE(SUM(undeliverable), 0) FROM notice_days`).
			Scan(&sent, &failed, &acked, &undeliverable); err != nil {
			t.Fatal(err)
		}
		if bouncedSeen == 0 {
			t.Error("no step left a bounced notice counted: the workload did not reach it")
		}
		var timed int64
		if err := st.QueryRow(ctx, `SELECT COALESCE(SUM(ack_timed), 0) FROM notice_days`).Scan(&timed); err != nil {
			t.Fatal(err)
		}
		var tfound int64
		if err := st.QueryRow(ctx, `SELECT COALESCE(SUM(findings), 0) FROM trigger_days`).Scan(&tfound); err != nil {
			t.Fatal(err)
		}
		if len(warned) == 0 {
			t.Error("after the workload no organisation was warned: the workload did not reach it")
		}
		if tfound == 0 {
			t.Error("after the workload no finding was counted per day: the workload did not reach it")
		}
		if timed == 0 {
			t.Error("after the workload no time to acknowledge was counted: the workload did not reach it")
		}
		if sent == 0 || acked == 0 {
			t.Errorf("after the workload sent %d, acknowledged %d: the workload did not reach them", sent, acked)
		}
	})
}

// triggerShown is what the dashboard shows of a trigger.
type triggerShown struct {
	Name                                        string
	Organisations, Findings, Open, Observations int64
}

func shownTriggers(ts []finding.TriggerStats) []triggerShown {
	out := []triggerShown{}
	for _, x := range ts {
		out = append(out, triggerShown{x.Name, x.Organisations, x.Findings, x.Open, x.Observations})
	}
	return out
}

// recountTriggers counts every trigger's findings from the findings table.
func recountTriggers(t *testing.T, st *store.Store) []triggerShown {
	t.Helper()
	rows, err := st.Query(context.Background(), `
SELECT t.name, COUNT(DISTINCT f.org_id), COUNT(f.id), COALESCE(SUM(CASE WHEN f.status = 'open' THEN 1 ELSE 0 END), 0), COALESCE(SUM(f.seen_count), 0)
FROM triggers t LEFT JOIN findings f ON f.trigger_id = t.id GROUP BY t.id, t.name ORDER BY t.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []triggerShown{}
	for rows.Next() {
		var c triggerShown
		if err := rows.Scan(&c.Name, &c.Organisations, &c.Findings, &c.Open, &c.Observations); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// recountNoticeDays counts the notices of sc per day from notices, their
// items and their deliveries, as the dashboard did before the totals.
func recountNoticeDays(t *testing.T, st *store.Store, sc tenant.Scope, since time.Time) []notify.Figures {
	t.Helper()
	cond, args := "1 = 1", []any{since}
	if !sc.IsOperator() {
		cond, args = "n.org_id = ?", append(args, sc.OrgID())
	}
	day := `substr(n.created_at, 1, 10)`
	if st.Dialect() == store.Postgres {
		day = `to_char(n.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`
	}
	rows, err := st.Query(context.Background(), `SELECT day, COUNT(*), SUM(sent), SUM(CASE WHEN sent = 0 AND dead = 1 THEN 1 ELSE 0 END), SUM(undeliverable), SUM(acked),
  SUM(bounced)
FROM (SELECT `+day+` AS day,
  CASE WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.notice_id = n.id AND o.state = 'sent') THEN 1 ELSE 0 END AS sent,
  CASE WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.notice_id = n.id AND o.state = 'sent' AND o.bounced_at IS NOT NULL) THEN 1 ELSE 0 END AS bounced,
  CASE WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.notice_id = n.id AND o.state = 'dead') THEN 1 ELSE 0 END AS dead,
  CASE WHEN n.undeliverable IS NULL THEN 0 ELSE 1 END AS undeliverable,
  CASE WHEN n.acked_at IS NULL THEN 0 ELSE 1 END AS acked
  FROM notices n
  WHERE n.created_at >= ? AND `+cond+` AND EXISTS (SELECT 1 FROM notice_items i WHERE i.notice_id = n.id)) x
GROUP BY day ORDER BY day`, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []notify.Figures{}
	for rows.Next() {
		var f notify.Figures
		if err := rows.Scan(&f.Period, &f.Notices, &f.Sent, &f.Failed, &f.Undeliverable, &f.Acknowledged, &f.Bounced); err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// recountAckDays computes the times to acknowledge of the notices of sc
// per day from the notices, their items and their times in Go (the
// seconds rounded as the store rounds them).
func recountAckDays(t *testing.T, st *store.Store, sc tenant.Scope, since time.Time) []notify.AckTimes {
	t.Helper()
	cond, args := "1 = 1", []any{since}
	if !sc.IsOperator() {
		cond, args = "n.org_id = ?", append(args, sc.OrgID())
	}
	rows, err := st.Query(context.Background(), `SELECT n.created_at, n.first_sent_at, n.acked_at FROM notices n
WHERE n.created_at >= ? AND `+cond+` AND n.acked_at IS NOT NULL AND n.first_sent_at IS NOT NULL
  AND EXISTS (SELECT 1 FROM notice_items i WHERE i.notice_id = n.id)`, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	byDay := map[string]*notify.AckTimes{}
	var order []string
	for rows.Next() {
		var created, sent, acked time.Time
		if err := rows.Scan(&created, &sent, &acked); err != nil {
			t.Fatal(err)
		}
		day := created.UTC().Format(time.DateOnly)
		a := byDay[day]
		if a == nil {
			a = &notify.AckTimes{Period: day}
			byDay[day] = a
			order = append(order, day)
		}
		s := max(0, int64(math.Round(acked.Sub(sent).Seconds())))
		a.Timed++
		a.Seconds += s
		switch {
		case s < 3600:
			a.WithinHour++
		case s < 86400:
			a.WithinDay++
		case s < 7*86400:
			a.WithinWeek++
		default:
			a.Later++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(order)
	out := []notify.AckTimes{}
	for _, d := range order {
		out = append(out, *byDay[d])
	}
	return out
}

// recountTriggerDays counts the findings per UTC day of first sighting and
// trigger from the findings table.
func recountTriggerDays(t *testing.T, st *store.Store, since time.Time) []finding.TriggerDay {
	t.Helper()
	day := `substr(f.first_seen, 1, 10)`
	if st.Dialect() == store.Postgres {
		day = `to_char(f.first_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD')`
	}
	rows, err := st.Query(context.Background(), `SELECT `+day+`, t.name, COUNT(*) FROM findings f JOIN triggers t ON t.id = f.trigger_id
WHERE f.first_seen >= ? GROUP BY 1, t.id, t.name ORDER BY 1, t.id`, since.UTC().Truncate(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := []finding.TriggerDay{}
	for rows.Next() {
		var d finding.TriggerDay
		if err := rows.Scan(&d.Day, &d.Trigger, &d.Findings); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// warning is an organisation warned about a trigger on a UTC day of
// sending.
type warning struct {
	Day, Trigger string
	TriggerID    int64
	Org          int64
}

// recountWarnings lists the warnings the sent deliveries show now: the
// day a delivery of a notice of an organisation was sent, each trigger of
// the notice's items.
func recountWarnings(t *testing.T, st *store.Store) []warning {
	t.Helper()
	day := `substr(o.sent_at, 1, 10)`
	if st.Dialect() == store.Postgres {
		day = `to_char(o.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`
	}
	rows, err := st.Query(context.Background(), `SELECT DISTINCT `+day+`, t.name, t.id, n.org_id
FROM outbox o JOIN notices n ON n.id = o.notice_id JOIN notice_items i ON i.notice_id = n.id JOIN triggers t ON t.id = i.trigger_id
WHERE o.state = 'sent' AND n.org_id IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []warning
	for rows.Next() {
		var w warning
		if err := rows.Scan(&w.Day, &w.Trigger, &w.TriggerID, &w.Org); err != nil {
			t.Fatal(err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// warnDays counts the organisations of sc in warned per day (from since's
// day on) and trigger, ordered as OrgWarnDays orders them.
func warnDays(warned map[warning]bool, sc tenant.Scope, since time.Time) []notify.WarnDay {
	type key struct {
		day     string
		trigger int64
		name    string
	}
	n := map[key]int64{}
	for w := range warned {
		if w.Day < since.UTC().Format(time.DateOnly) || (!sc.IsOperator() && sc.OrgID() != w.Org) {
			continue
		}
		n[key{w.Day, w.TriggerID, w.Trigger}]++
	}
	keys := slices.Collect(maps.Keys(n))
	slices.SortFunc(keys, func(a, b key) int {
		if c := strings.Compare(a.day, b.day); c != 0 {
			return c
		}
		return int(a.trigger - b.trigger)
	})
	out := []notify.WarnDay{}
	for _, k := range keys {
		out = append(out, notify.WarnDay{Day: k.day, Trigger: k.name, Orgs: n[k]})
	}
	return out
}

// returnedMail is a delivery status notification (RFC 3464) shaped as
// Postfix writes one (see internal/notify/testdata/dsn), for mail to
// recipient whose Message-ID was msgID: the recipient failed for good and
// the returned message's headers are quoted.
func returnedMail(recipient, msgID string) []byte {
	return []byte(strings.ReplaceAll(`Return-Path: <>
Date: Mon, 23 Nov 2026 12:00:00 +0000 (UTC)
From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: vigil@cert.example
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B0UND"
Message-Id: <20261123120000.B0UND@mx.example.net>

--B0UND
Content-Description: Notification
Content-Type: text/plain; charset=utf-8

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

--B0UND
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; `+recipient+`
Original-Recipient: rfc822;`+recipient+`
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <`+recipient+`>: Recipient address rejected: User unknown

--B0UND
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: vigil@cert.example
To: `+recipient+`
Subject: Security warning
Message-ID: <`+msgID+`>

--B0UND--
`, "\n", "\r\n"))
}
