// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/contact/rdap"
	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/ingest"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// notifyClock is a settable test notifyClock shared by the store and the notifier.
type notifyClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *notifyClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *notifyClock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *notifyClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type notifyEnv struct {
	s    *store.Store
	clk  *notifyClock
	trig int64
	orgs map[string]*registry.Org
	n    *notify.Notifier
}

func notifySighting(org, trig int64, ip string, port uint16, sev finding.Severity, at time.Time) finding.Sighting {
	a := netip.MustParseAddr(ip)
	return finding.Sighting{OrgID: org, TriggerID: trig, Type: "vulnerable-system", ReportType: "scan_exchange",
		Key: finding.KeyFor(a, port), IP: a, Port: port, Severity: sev, Time: at, ASN: 64500,
		Evidence: json.RawMessage(fmt.Sprintf(`{"ip":%q,"port":"%d","tag":"exchange;cve-2021-26855"}`, ip, port))}
}

// newNotifyEnv makes three organisations: a daily digest one (Dutch),
// an immediate one with e-mail and webhook, and one without contacts.
func newNotifyEnv(t *testing.T, s *store.Store, clk *notifyClock) *notifyEnv {
	t.Helper()
	ctx := context.Background()
	e := &notifyEnv{s: s, clk: clk, orgs: map[string]*registry.Org{}}
	for _, o := range []*registry.Org{
		{Name: "Waterschap", Languages: []string{"nl"}, Policy: registry.Policy{Mode: "daily"},
			Contacts: []registry.Contact{{Email: "soc@waterschap.example", Role: "security", Lang: "nl", Phone: "+31 70 123 4567"}}},
		{Name: "Hosting", Policy: registry.Policy{Mode: "immediate", Channels: []string{"email", "webhook"}, WebhookURL: "https://hooks.hosting.example/vigil"},
			Contacts: []registry.Contact{{Email: "cert@hosting.example", Role: "security", Lang: "en"}, {Email: "ceo@hosting.example", Role: "management"}}},
		{Name: "Stil"},
	} {
		if err := s.OrgCreate(ctx, tenant.Operator(), o); err != nil {
			t.Fatal(err)
		}
		e.orgs[o.Name] = o
	}
	var err error
	if e.trig, err = s.TriggerEnsure(ctx, finding.Trigger{Name: "scan_exchange", Title: "Vulnerable Exchange servers"}); err != nil {
		t.Fatal(err)
	}
	e.n = notify.NewNotifier(notify.NotifierConfig{Store: s, Now: clk.Now, BatchSize: 3,
		PlanConfig: notify.PlanConfig{Default: notify.DefaultPolicy(), DigestHour: 6, Languages: []string{"en", "nl"}}})
	return e
}

func (e *notifyEnv) ingest(t *testing.T, full bool, sg ...finding.Sighting) {
	t.Helper()
	ctx := context.Background()
	r := ingest.Run{Source: "t.csv", FeedType: "shadowserver", ReportType: "scan_exchange", TriggerID: e.trig, FullReport: full}
	if err := e.s.RunStart(ctx, &r); err != nil {
		t.Fatal(err)
	}
	if err := e.s.Tx(ctx, func(tx *store.Store) error {
		_, _, err := tx.FindingUpsert(ctx, r.ID, sg)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if full {
		if _, err := e.s.FindingResolveUnseen(ctx, e.trig, "scan_exchange", r.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.s.RunFinish(ctx, &r); err != nil {
		t.Fatal(err)
	}
}

func TestNotifyComposeDigestAndOutbox(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC) // a Monday
	clk := &notifyClock{t: t0}
	storetest.EachOpts(t, storetest.Options{Now: clk.Now}, func(t *testing.T, s *store.Store) {
		clk.Set(t0)
		ctx := context.Background()
		e := newNotifyEnv(t, s, clk)
		ws, ho, st := e.orgs["Waterschap"].ID, e.orgs["Hosting"].ID, e.orgs["Stil"].ID
		e.ingest(t, false,
			notifySighting(ws, e.trig, "192.0.2.1", 443, finding.High, t0),
			notifySighting(ws, e.trig, "192.0.2.2", 443, finding.Critical, t0),
			notifySighting(ws, e.trig, "192.0.2.3", 443, finding.Info, t0), // below the default minimum
			notifySighting(ho, e.trig, "198.51.100.1", 443, finding.Medium, t0),
			notifySighting(st, e.trig, "203.0.113.9", 443, finding.Critical, t0),
		)

		// A dry run counts but writes nothing.
		dry, err := e.n.Compose(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		if dry.Notices != 3 || dry.Events != 5 {
			t.Errorf("dry run = %+v; want 3 notices of 5 events", dry)
		}
		if c, _ := s.NotifyCursor(ctx); c != 0 {
			t.Fatalf("dry run moved the cursor to %d", c)
		}

		got, err := e.n.Compose(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		// Waterschap: the critical one now, the high one held; Hosting: at
		// once (immediate) to two addresses? no: the security contact and
		// the webhook; Stil: a critical notice without deliveries.
		want := notify.ComposeResult{Events: 5, Cursor: 5, Items: 4, Held: 1, Notices: 3, Undeliverable: 1,
			Outbox:  map[notify.Channel]int{notify.Email: 2, notify.Webhook: 1},
			Skipped: map[notify.Reason]int{notify.ReasonBelowMin: 1}}
		if diff := cmp.Diff(want, got, cmpComposeResult()); diff != "" {
			t.Errorf("compose (-want +got):\n%s", diff)
		}

		// Nothing new: the cursor holds, the held item waits for 06:00.
		again, err := e.n.Compose(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		if again.Events != 0 || again.Notices != 0 {
			t.Errorf("second compose = %+v; want nothing", again)
		}

		// Deliver everything: claim, then finish as sent.
		rows, err := s.OutboxClaimDue(ctx, []notify.Channel{notify.Email, notify.Webhook}, clk.Now(), time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 {
			t.Fatalf("claimed %d rows; want 3", len(rows))
		}
		langs := map[string]string{}
		for _, r := range rows {
			langs[r.Recipient] = r.Lang
			if r.Attempts != 1 || r.State != notify.OutboxSending || r.Content.OrgName == "" || len(r.Content.Items) == 0 {
				t.Errorf("claimed row %+v", r)
			}
			if r.Key != notify.IdempotencyKey(r.NoticeID, r.Channel, r.Recipient) {
				t.Errorf("row %d key %q", r.ID, r.Key)
			}
		}
		if diff := cmp.Diff(map[string]string{"soc@waterschap.example": "nl", "cert@hosting.example": "en", "https://hooks.hosting.example/vigil": "en"}, langs); diff != "" {
			t.Errorf("languages (-want +got):\n%s", diff)
		}
		// Claimed rows are not claimable again while leased.
		if again, _ := s.OutboxClaimDue(ctx, []notify.Channel{notify.Email, notify.Webhook}, clk.Now(), time.Minute, 100); len(again) != 0 {
			t.Errorf("leased rows claimed twice: %d", len(again))
		}
		var results []notify.OutboxResult
		for _, r := range rows {
			results = append(results, notify.OutboxResult{ID: r.ID, NoticeID: r.NoticeID, State: notify.OutboxSent, At: clk.Now()})
		}
		if err := s.OutboxFinish(ctx, results); err != nil {
			t.Fatal(err)
		}
		status, err := s.OutboxStatus(ctx, tenant.Operator())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]notify.OutboxCount{{Channel: notify.Email, State: notify.OutboxSent, Count: 2}, {Channel: notify.Webhook, State: notify.OutboxSent, Count: 1}}, status); diff != "" {
			t.Errorf("outbox status (-want +got):\n%s", diff)
		}

		// Next morning after 06:00 the digest goes out with the held item.
		clk.Set(time.Date(2025, 6, 3, 6, 30, 0, 0, time.UTC))
		dig, err := e.n.Compose(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		if dig.Digests != 1 || dig.Outbox[notify.Email] != 1 {
			t.Fatalf("digest compose = %+v; want one digest by e-mail", dig)
		}
		c, err := s.NoticeContent(ctx, tenant.Operator(), dig.NoticeIDs[0])
		if err != nil {
			t.Fatal(err)
		}
		if c.Kind != notify.KindDigest || c.Mode != notify.Daily || len(c.Items) != 1 || c.Items[0].Key != "192.0.2.1:443" || c.OrgName != "Waterschap" {
			t.Errorf("digest content = %+v", c)
		}

		// Acknowledge Waterschap's critical notice; escalate the rest.
		notices, err := s.NoticeList(ctx, tenant.Org(ws), notify.NoticeFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(notices) != 2 || notices[0].Severity != finding.Critical || notices[0].FirstSent == nil {
			t.Fatalf("Waterschap notices = %+v", notices)
		}
		clk.Add(time.Hour)
		n, err := s.NoticeAck(ctx, tenant.Operator(), notices[0].ID, "link", clk.Now())
		if err != nil || n.State != notify.StateAcknowledged || n.AckedAt == nil {
			t.Fatalf("ack = %+v, %v", n, err)
		}
		first := *n.AckedAt
		clk.Add(time.Hour)
		if n, _ = s.NoticeAck(ctx, tenant.Operator(), notices[0].ID, "api", clk.Now()); !n.AckedAt.Equal(first) || n.AckedBy != "link" {
			t.Errorf("second ack changed the first: %+v", n)
		}
		calls, escalated, err := notify.CallList(ctx, s, tenant.Operator(), clk.Now(), 4*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		// Stil's critical notice could be sent to nobody: it went to the
		// call list when it was composed.
		if escalated != 0 || len(calls) != 1 || calls[0].OrgID != st || calls[0].Undeliverable != "no contact registered" {
			t.Fatalf("call list = %+v (%d escalated)", calls, escalated)
		}
		if _, err := s.NoticeGet(ctx, tenant.Operator(), 9999); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("NoticeGet(9999) = %v; want not found", err)
		}

		// A full report without Waterschap's findings resolves them; the
		// notices of which every finding is resolved become resolved.
		clk.Add(24 * time.Hour)
		e.ingest(t, true, notifySighting(ho, e.trig, "198.51.100.1", 443, finding.Medium, clk.Now()), notifySighting(st, e.trig, "203.0.113.9", 443, finding.Critical, clk.Now()))
		res, err := e.n.Compose(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		if res.Resolved != 2 || res.Notices != 0 {
			t.Errorf("compose after resolution = %+v; want 2 notices resolved", res)
		}

		stats, err := notify.LoadStats(ctx, s, tenant.Operator(), time.Time{}, notify.PeriodDay)
		if err != nil {
			t.Fatal(err)
		}
		o := stats.Overall
		if o.Notices != 4 || o.Sent != 2 || o.OrgsWarned != 2 || o.Acknowledged != 1 || o.Resolved != 2 || o.MedianAckSeconds == nil || *o.MedianAckSeconds != 77400 /* sent 2 June 10:00, acknowledged 3 June 07:30 */ {
			t.Errorf("overall stats = %+v", o)
		}
		if len(stats.Triggers) != 1 || stats.Triggers[0].Trigger != "scan_exchange" || len(stats.Periods) != 2 {
			t.Errorf("stats = %+v", stats)
		}
	})
}

func cmpComposeResult() cmp.Option {
	return cmp.FilterPath(func(p cmp.Path) bool {
		switch p.Last().String() {
		case ".NoticeIDs", ".More", ".Problems", ".Orgs":
			return true
		}
		return false
	}, cmp.Ignore())
}

func TestNotifyComposeResumesAfterRollback(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	clk := &notifyClock{t: t0}
	storetest.EachOpts(t, storetest.Options{Now: clk.Now}, func(t *testing.T, s *store.Store) {
		clk.Set(t0)
		ctx := context.Background()
		e := newNotifyEnv(t, s, clk)
		ho := e.orgs["Hosting"].ID
		e.ingest(t, false, notifySighting(ho, e.trig, "198.51.100.1", 443, finding.High, t0), notifySighting(ho, e.trig, "198.51.100.2", 443, finding.High, t0))
		// A failure half-way through writing the plan (here an item of a
		// finding that does not exist, after a valid notice) rolls the whole
		// step back: no notice, no outbox row, the cursor unmoved.
		_, err := s.NotifyCompose(ctx, notify.ComposeRequest{Now: t0, Limit: 10}, func(b *notify.Batch) *notify.Plan {
			p := notify.PlanBatch(b, notify.PlanConfig{Default: notify.DefaultPolicy(), Languages: []string{"en"}})
			p.Items = append(p.Items, notify.PlannedItem{FindingID: 424242, OrgID: ho, TriggerID: e.trig, Kind: finding.EventNew, Notice: 0})
			return p
		})
		if err == nil {
			t.Fatal("a plan with a missing finding was applied")
		}
		if n, _ := s.NoticeList(ctx, tenant.Operator(), notify.NoticeFilter{}); len(n) != 0 {
			t.Fatalf("notices after a failed step: %+v", n)
		}
		if c, _ := s.NotifyCursor(ctx); c != 0 {
			t.Fatalf("cursor after crash = %d", c)
		}
		res, err := e.n.Compose(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		if res.Events != 2 || res.Notices != 1 || res.Outbox[notify.Email] != 1 {
			t.Errorf("compose after crash = %+v", res)
		}
	})
}

func TestOutboxRetryDeadAndSuppress(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	clk := &notifyClock{t: t0}
	storetest.EachOpts(t, storetest.Options{Now: clk.Now}, func(t *testing.T, s *store.Store) {
		clk.Set(t0)
		ctx := context.Background()
		e := newNotifyEnv(t, s, clk)
		ho := e.orgs["Hosting"].ID
		e.ingest(t, false, notifySighting(ho, e.trig, "198.51.100.1", 443, finding.High, t0))
		if _, err := e.n.Compose(ctx, false); err != nil {
			t.Fatal(err)
		}
		email := []notify.Channel{notify.Email}
		ids, err := s.OutboxDue(ctx, clk.Now(), 10)
		if err != nil || len(ids) != 2 {
			t.Fatalf("due = %v, %v", ids, err)
		}
		row, err := s.OutboxClaim(ctx, ids[0], email, clk.Now(), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.OutboxClaim(ctx, ids[0], email, clk.Now(), time.Minute); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("second claim = %v; want not found", err)
		}
		// A worker that dies leaves the row "sending"; after the lease it is
		// due again and its attempt counter keeps counting.
		clk.Add(2 * time.Minute)
		row2, err := s.OutboxClaim(ctx, ids[0], email, clk.Now(), time.Minute)
		if err != nil || row2.Attempts != 2 || row2.Key != row.Key {
			t.Fatalf("reclaim = %+v, %v", row2, err)
		}
		next := clk.Now().Add(10 * time.Minute)
		if err := s.OutboxFinish(ctx, []notify.OutboxResult{{ID: row.ID, NoticeID: row.NoticeID, State: notify.OutboxFailed, Error: "451 try later", NextAttempt: next, At: clk.Now()}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.OutboxClaim(ctx, ids[0], email, clk.Now(), time.Minute); errs.CodeOf(err) != errs.NotFound {
			t.Errorf("claim before the next attempt = %v; want not found", err)
		}
		clk.Set(next)
		if _, err := s.OutboxClaim(ctx, ids[0], email, clk.Now(), time.Minute); err != nil {
			t.Errorf("claim at the next attempt: %v", err)
		}
		if err := s.OutboxFinish(ctx, []notify.OutboxResult{{ID: row.ID, NoticeID: row.NoticeID, State: notify.OutboxDead, Error: "gave up", At: clk.Now()}}); err != nil {
			t.Fatal(err)
		}
		list, err := s.OutboxList(ctx, tenant.Operator(), notify.OutboxDead, keyset.Page{})
		if err != nil || len(list) != 1 || list[0].LastError != "gave up" || list[0].Attempts != 3 {
			t.Errorf("dead rows = %+v, %v", list, err)
		}

		// A bounce stops unsent mail to the address and marks the contact.
		e.ingest(t, false, notifySighting(ho, e.trig, "198.51.100.7", 443, finding.High, clk.Now()))
		if _, err := e.n.Compose(ctx, false); err != nil {
			t.Fatal(err)
		}
		contacts, rows, err := notify.Bounce(ctx, s, notify.BounceEvent{Address: "cert@HOSTING.example", Source: "api", At: clk.Now()})
		if err != nil || contacts != 1 || rows != 1 {
			t.Fatalf("bounce = %d contacts, %d rows, %v", contacts, rows, err)
		}
		if ok, _ := s.AddressBounced(ctx, "cert@hosting.example"); !ok {
			t.Error("bounce not recorded")
		}
		// The next notice skips the bounced security contact and falls
		// back to the organisation's other contact.
		e.ingest(t, false, notifySighting(ho, e.trig, "198.51.100.8", 443, finding.High, clk.Now()))
		res, err := e.n.Compose(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		if res.Outbox[notify.Email] != 1 || res.Outbox[notify.Webhook] != 1 {
			t.Errorf("after bounce outbox = %v; want one e-mail and the webhook", res.Outbox)
		}
		pending, _ := s.OutboxList(ctx, tenant.Operator(), notify.OutboxPending, keyset.Page{})
		var to []string
		for _, p := range pending {
			to = append(to, p.Recipient)
		}
		if diff := cmp.Diff([]string{"https://hooks.hosting.example/vigil", "https://hooks.hosting.example/vigil", "ceo@hosting.example", "https://hooks.hosting.example/vigil"}, to); diff != "" {
			t.Errorf("pending recipients (-want +got):\n%s", diff)
		}
	})
}

func TestNoticeUnregistered(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	clk := &notifyClock{t: t0}
	storetest.EachOpts(t, storetest.Options{Now: clk.Now}, func(t *testing.T, s *store.Store) {
		clk.Set(t0)
		ctx := context.Background()
		trig, err := s.TriggerEnsure(ctx, finding.Trigger{Name: "scan_exchange", NotifyUnregistered: true})
		if err != nil {
			t.Fatal(err)
		}
		d := notify.UnregisteredDraft{TriggerID: trig, DedupKey: "unregistered:1:192.0.2.9:443", ContactSource: "RDAP abuse contact of 192.0.2.9",
			Content:  notify.Content{Kind: notify.KindUnregistered, Severity: finding.High, Items: []notify.Item{{Trigger: "scan_exchange", Key: "192.0.2.9:443", Severity: finding.High}}},
			Delivery: notify.Delivery{Channel: notify.Email, Recipient: "abuse@isp.example", Lang: "en"}}
		id, created, err := s.NoticeCreateUnregistered(ctx, d, t0.Add(-time.Hour), t0)
		if err != nil || !created || id == 0 {
			t.Fatalf("create = %d %v %v", id, created, err)
		}
		if _, created, _ := s.NoticeCreateUnregistered(ctx, d, t0.Add(-time.Hour), t0); created {
			t.Error("a second notice inside the quiet interval")
		}
		if recent, _ := s.NoticeRecent(ctx, d.DedupKey, t0.Add(time.Minute)); recent {
			t.Error("NoticeRecent after the notice")
		}
		rows, err := s.OutboxClaimDue(ctx, []notify.Channel{notify.Email}, t0, time.Minute, 10)
		if err != nil || len(rows) != 1 || rows[0].ContactSource != d.ContactSource || rows[0].OrgID != 0 {
			t.Fatalf("claim = %+v, %v", rows, err)
		}
		// The outbox row of a bounced discovered address is suppressed.
		if _, err := s.OutboxSuppress(ctx, "abuse@isp.example", t0); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Hour)
		rows, _ = s.OutboxClaimDue(ctx, []notify.Channel{notify.Email}, clk.Now(), time.Minute, 10)
		if len(rows) != 1 || !rows[0].Suppressed {
			t.Errorf("reclaimed row of a bounced address = %+v; want suppressed", rows)
		}
	})
}

func TestRDAPCache(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	clk := &notifyClock{t: t0}
	storetest.EachOpts(t, storetest.Options{Now: clk.Now}, func(t *testing.T, s *store.Store) {
		clk.Set(t0)
		ctx := context.Background()
		c := s.RDAPCache()
		r := rdap.Result{Query: "192.0.2.1", Kind: rdap.KindIP, Source: "https://rdap.example/ip/192.0.2.1", AbuseEmail: "abuse@example.net",
			Contacts: []rdap.Contact{{Handle: "AB1", Emails: []string{"abuse@example.net"}, Roles: []string{"abuse"}, Depth: 1}}, FetchedAt: t0}
		if _, ok, err := c.Get(ctx, "ip:192.0.2.1"); ok || err != nil {
			t.Fatalf("empty cache Get = %v, %v", ok, err)
		}
		if err := c.Put(ctx, "ip:192.0.2.1", r, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		r.AbuseEmail = "abuse2@example.net"
		if err := c.Put(ctx, "ip:192.0.2.1", r, t0.Add(time.Hour)); err != nil { // replace
			t.Fatal(err)
		}
		got, ok, err := c.Get(ctx, "ip:192.0.2.1")
		if err != nil || !ok {
			t.Fatalf("Get = %v, %v", ok, err)
		}
		if diff := cmp.Diff(r, got); diff != "" {
			t.Errorf("cached result (-want +got):\n%s", diff)
		}
		clk.Add(2 * time.Hour)
		if _, ok, _ := c.Get(ctx, "ip:192.0.2.1"); ok {
			t.Error("expired entry returned")
		}
	})
}

// TestOutboxBounceLinksDelivery sends three warnings to one address and
// reports bounces of them in turn: a returned message marks the delivery
// its Message-ID names, else the latest one sent to the address; a refusal
// during the send, a repeated report and a report naming a delivery to
// another address mark nothing more; the dashboard counts the notices with
// a bounced delivery.
func TestOutboxBounceLinksDelivery(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	clk := &notifyClock{t: t0}
	storetest.EachOpts(t, storetest.Options{Now: clk.Now}, func(t *testing.T, s *store.Store) {
		clk.Set(t0)
		ctx := context.Background()
		e := newNotifyEnv(t, s, clk)
		ho := e.orgs["Hosting"].ID
		const to = "cert@hosting.example"
		var sent []notify.OutboxRow // the e-mails to cert@, oldest first
		for i := range 3 {
			clk.Add(time.Hour)
			e.ingest(t, false, notifySighting(ho, e.trig, fmt.Sprintf("198.51.100.%d", 20+i), 443, finding.High, clk.Now()))
			if _, err := e.n.Compose(ctx, false); err != nil {
				t.Fatal(err)
			}
			rows, err := s.OutboxClaimDue(ctx, []notify.Channel{notify.Email}, clk.Now(), time.Minute, 10)
			if err != nil || len(rows) != 1 || rows[0].Recipient != to {
				t.Fatalf("claimed %+v, %v; want one e-mail to %s", rows, err, to)
			}
			if err := s.OutboxFinish(ctx, []notify.OutboxResult{{ID: rows[0].ID, NoticeID: rows[0].NoticeID, State: notify.OutboxSent, At: clk.Now()}}); err != nil {
				t.Fatal(err)
			}
			sent = append(sent, rows[0])
		}
		msgID := func(r notify.OutboxRow) string { return "<" + notify.MessageID(r.Key, "vigil@cert.example") + ">" }
		for _, tc := range []struct {
			name string
			b    notify.BounceEvent
			want []bool // per delivery of sent, bounced or not after the report
		}{
			{"refused_during_the_send_marks_nothing", notify.BounceEvent{Address: to, Source: "notify"}, []bool{false, false, false}},
			{"dsn_names_the_first_delivery", notify.BounceEvent{Address: to, MessageID: msgID(sent[0]), Returned: true, Source: "dsn"}, []bool{true, false, false}},
			{"the_same_dsn_again_marks_no_other", notify.BounceEvent{Address: to, MessageID: msgID(sent[0]), Returned: true, Source: "dsn"}, []bool{true, false, false}},
			{"dsn_naming_a_delivery_to_another_address", notify.BounceEvent{Address: "ceo@hosting.example", MessageID: msgID(sent[1]), Returned: true, Source: "dsn"}, []bool{true, false, false}},
			{"foreign_message_id_falls_back_to_the_latest", notify.BounceEvent{Address: to, MessageID: "<20250602.1234@mx.example.net>", Returned: true, Source: "dsn"}, []bool{true, false, true}},
			{"address_only_latest_already_marked", notify.BounceEvent{Address: to, Returned: true, Source: "api"}, []bool{true, false, true}},
		} {
			tc.b.At = clk.Now()
			if _, _, err := notify.Bounce(ctx, s, tc.b); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var got []bool
			for _, r := range sent {
				var b bool
				if err := s.QueryRow(ctx, `SELECT bounced_at IS NOT NULL FROM outbox WHERE id = ?`, r.ID).Scan(&b); err != nil {
					t.Fatal(err)
				}
				got = append(got, b)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s: deliveries bounced (-want +got):\n%s", tc.name, diff)
			}
		}
		for _, sc := range []tenant.Scope{tenant.Operator(), tenant.Org(ho)} {
			days, err := s.NoticeDayFigures(ctx, sc, t0.Truncate(24*time.Hour))
			if err != nil || len(days) != 1 || days[0].Bounced != 2 || days[0].Sent != 3 {
				t.Errorf("%s: figures per day %+v, %v; want 3 sent, 2 bounced", sc, days, err)
			}
		}
	})
}

// TestNotifyComposeCommitOrder: an event written by a transaction that
// commits after a later one is composed, not stepped over by the cursor
// of a composition that ran in between (PostgreSQL, where writers on
// several nodes commit in any order; SQLite commits one writer at a time).
// Composition waits for the writer instead.
func TestNotifyComposeCommitOrder(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	clk := &notifyClock{t: t0}
	storetest.EachOpts(t, storetest.Options{Now: clk.Now}, func(t *testing.T, s *store.Store) {
		if s.Dialect() != store.Postgres {
			t.Skip("SQLite serialises writers: event ids are in commit order")
		}
		clk.Set(t0)
		ctx := context.Background()
		e := newNotifyEnv(t, s, clk)
		ho := e.orgs["Hosting"].ID
		written, commit, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			done <- s.Tx(ctx, func(tx *store.Store) error {
				_, _, err := tx.FindingUpsert(ctx, 0, []finding.Sighting{notifySighting(ho, e.trig, "198.51.100.1", 443, finding.High, t0)})
				close(written)
				<-commit
				return err
			})
		}()
		<-written
		// A later event, committed first: its id is above the one the
		// transaction above holds.
		if _, _, err := s.FindingUpsert(ctx, 0, []finding.Sighting{notifySighting(ho, e.trig, "198.51.100.2", 443, finding.High, t0)}); err != nil {
			t.Fatal(err)
		}
		composed := make(chan notify.ComposeResult, 1)
		go func() {
			res, err := e.n.Compose(ctx, false)
			if err != nil {
				t.Error(err)
			}
			composed <- res
		}()
		// The composition waits for the writer; let it end.
		time.Sleep(200 * time.Millisecond)
		close(commit)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		events := (<-composed).Events
		res, err := e.n.Compose(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		if events += res.Events; events != 2 {
			t.Errorf("events composed = %d; want both findings' events, each once", events)
		}
	})
}

// pgWaitFor polls the count query q on s (up to 10 s) until it is above
// zero, and reports whether it came to be.
func pgWaitFor(t *testing.T, s *store.Store, q string) bool {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		var n int
		if err := s.QueryRow(context.Background(), q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return true
		}
	}
	return false
}

// pgNotifyEnv is the environment of a test of writers at once on
// PostgreSQL (skipped on SQLite, which commits one writer at a time): the
// notify environment at t0 and a context that ends after a minute.
func pgNotifyEnv(t *testing.T, s *store.Store, clk *notifyClock, t0 time.Time) (context.Context, *notifyEnv) {
	t.Helper()
	if s.Dialect() != store.Postgres {
		t.Skip("SQLite commits one writer at a time")
	}
	clk.Set(t0)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx, newNotifyEnv(t, s, clk)
}

// eventLocks counts the table locks on finding_events of the test's
// schema that are granted (or not) in the given mode (” any).
func eventLocks(granted bool, mode string) string {
	return fmt.Sprintf(`SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
WHERE l.granted = %t AND l.locktype = 'relation' AND ('%s' = '' OR l.mode = '%s')
  AND c.relname = 'finding_events' AND c.relnamespace = current_schema()::regnamespace`, granted, mode, mode)
}

// TestNotifyComposeOrgDelete: an organisation deleted while a composition
// holds finding_events in SHARE mode and is about to write the
// organisation's notice. The delete removes the organisation's events (its
// findings' cascade), so it needs finding_events' ROW EXCLUSIVE lock; had
// it first locked the organisation's row, the composition would wait for
// that row and the delete for the table: a deadlock, one of them aborted
// (PostgreSQL; SQLite commits one writer at a time). The delete takes the
// table lock first and waits for the composition instead.
func TestNotifyComposeOrgDelete(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	clk := &notifyClock{t: t0}
	storetest.EachOpts(t, storetest.Options{Now: clk.Now}, func(t *testing.T, s *store.Store) {
		ctx, e := pgNotifyEnv(t, s, clk, t0)
		ho := e.orgs["Hosting"].ID
		if _, _, err := s.FindingUpsert(ctx, 0, []finding.Sighting{notifySighting(ho, e.trig, "198.51.100.1", 443, finding.High, t0)}); err != nil {
			t.Fatal(err)
		}
		planned, release := make(chan struct{}), make(chan struct{})
		composed, deleted := make(chan error, 1), make(chan error, 1)
		var res notify.ComposeResult
		go func() {
			var err error
			res, err = s.NotifyCompose(ctx, notify.ComposeRequest{Now: t0, Limit: 100, CapSince: t0.Add(-time.Hour)}, func(b *notify.Batch) *notify.Plan {
				close(planned)
				<-release
				return notify.PlanBatch(b, notify.PlanConfig{Default: notify.DefaultPolicy(), Languages: []string{"en"}})
			})
			composed <- err
		}()
		<-planned // the composition holds finding_events in SHARE mode
		go func() { deleted <- s.OrgDelete(ctx, tenant.Operator(), ho) }()
		waiting := pgWaitFor(t, s, eventLocks(false, ""))
		close(release) // the composition writes the organisation's notice
		if !waiting {
			t.Fatal("the delete did not wait for finding_events")
		}
		if err := <-composed; err != nil {
			t.Errorf("compose: %v", err)
		}
		if err := <-deleted; err != nil {
			t.Errorf("delete: %v", err)
		}
		if res.Events != 1 || res.Notices != 1 {
			t.Errorf("composed %d events into %d notices; want 1 and 1", res.Events, res.Notices)
		}
		for _, table := range []string{"findings", "finding_events", "notices", "notice_items"} {
			var n int
			if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM `+table+` WHERE org_id = ?`, ho).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("%d rows of %s of the deleted organisation left", n, table)
			}
		}
	})
}

// TestNotifyComposeConcurrent: two compositions (two nodes) and an ingest
// batch at once on PostgreSQL. Both compositions hold finding_events in
// SHARE mode, the second waits for the first's cursor row and the batch
// waits for both; the first then writes its plan, which must take no lock
// that the second's SHARE lock blocks (a write of finding_events would
// deadlock them), and all three end. Every event is composed once.
func TestNotifyComposeConcurrent(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	clk := &notifyClock{t: t0}
	storetest.EachOpts(t, storetest.Options{Now: clk.Now}, func(t *testing.T, s *store.Store) {
		ctx, e := pgNotifyEnv(t, s, clk, t0)
		ho, ws := e.orgs["Hosting"].ID, e.orgs["Waterschap"].ID
		if _, _, err := s.FindingUpsert(ctx, 0, []finding.Sighting{notifySighting(ho, e.trig, "198.51.100.1", 443, finding.High, t0),
			notifySighting(ws, e.trig, "198.51.100.2", 443, finding.High, t0)}); err != nil {
			t.Fatal(err)
		}
		req := notify.ComposeRequest{Now: t0, Limit: 100, CapSince: t0.Add(-time.Hour)}
		cfg := notify.PlanConfig{Default: notify.DefaultPolicy(), DigestHour: 6, Languages: []string{"en", "nl"}}
		planned, release := make(chan struct{}), make(chan struct{})
		type result struct {
			res notify.ComposeResult
			err error
		}
		first, second, ingested := make(chan result, 1), make(chan result, 1), make(chan error, 1)
		go func() {
			res, err := s.NotifyCompose(ctx, req, func(b *notify.Batch) *notify.Plan {
				close(planned)
				<-release
				return notify.PlanBatch(b, cfg)
			})
			first <- result{res, err}
		}()
		<-planned
		go func() {
			res, err := s.NotifyCompose(ctx, req, func(b *notify.Batch) *notify.Plan { return notify.PlanBatch(b, cfg) })
			second <- result{res, err}
		}()
		both := pgWaitFor(t, s, `SELECT CASE WHEN (`+eventLocks(true, "ShareLock")+`) = 2 THEN 1 ELSE 0 END`)
		go func() {
			_, _, err := s.FindingUpsert(ctx, 0, []finding.Sighting{notifySighting(ho, e.trig, "198.51.100.3", 443, finding.High, t0)})
			ingested <- err
		}()
		blocked := pgWaitFor(t, s, eventLocks(false, "RowExclusiveLock"))
		close(release)
		if !both || !blocked {
			t.Fatalf("both compositions held SHARE: %t; the batch waited for them: %t", both, blocked)
		}
		r1, r2 := <-first, <-second
		if r1.err != nil || r2.err != nil {
			t.Fatalf("compositions: %v; %v", r1.err, r2.err)
		}
		if err := <-ingested; err != nil {
			t.Fatalf("ingest: %v", err)
		}
		r3, err := s.NotifyCompose(ctx, req, func(b *notify.Batch) *notify.Plan { return notify.PlanBatch(b, cfg) })
		if err != nil {
			t.Fatal(err)
		}
		if got := []int{r1.res.Events, r2.res.Events, r3.Events}; !slices.Equal(got, []int{2, 0, 1}) {
			t.Errorf("events composed by the first, the second and a later composition: %v; want [2 0 1]", got)
		}
	})
}
