// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify_test

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"vigil/internal/contact/rdap"
	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/notify/smtpsink"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// oneAbuseRDAP answers every lookup with one abuse address.
type oneAbuseRDAP string

func (a oneAbuseRDAP) Lookup(_ context.Context, q string) (rdap.Result, error) {
	return rdap.Result{Query: q, Source: "https://rdap.db.ripe.net/ip/" + q, AbuseEmail: string(a)}, nil
}

// TestSuppressionEveryPath puts an address on the suppression list and
// checks each path that sends mail to an address: the composer, the
// dispatcher right before a send (a row composed before the opt-out), an
// unregistered warning and the fallback chain; and that a discovered
// contact's warning carries the opt-out link and the RFC 8058 headers
// through a real SMTP exchange, the link's GET opting nobody out and its
// POST recording the opt-out.
func TestSuppressionEveryPath(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	const listed = "csirt@ziekenhuis.example"
	suppress := func(t *testing.T, s *store.Store, how string) int64 {
		t.Helper()
		n, err := s.SuppressionAdd(context.Background(), notify.Suppression{Address: "CSIRT@Ziekenhuis.example", How: how, Actor: "test", At: t0})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, e *deliveryEnv)
	}{
		{"composer skips a listed contact", func(t *testing.T, e *deliveryEnv) {
			suppress(t, e.s, notify.SuppressAnalyst)
			e.finding(t, "198.51.100.37")
			if got := e.states(t); got["email"] != "" || got["webhook"] != "pending/0 " {
				t.Errorf("outbox = %v; want the webhook only", got)
			}
		}},
		{"an opt-out ends the mail composed before it", func(t *testing.T, e *deliveryEnv) {
			e.finding(t, "198.51.100.37")
			if n := suppress(t, e.s, notify.SuppressLink); n != 1 {
				t.Errorf("ended %d rows; want 1", n)
			}
			if got := e.states(t); got["email"] != "suppressed/0 " {
				t.Errorf("outbox = %v; want the e-mail suppressed", got)
			}
		}},
		{"dispatcher checks right before the send", func(t *testing.T, e *deliveryEnv) {
			e.finding(t, "198.51.100.37")
			// The opt-out lands between composition and the send (written
			// as a concurrent writer would, without ending the row).
			if _, err := e.s.Exec(context.Background(), `INSERT INTO suppressions (address, how, actor, reason, created_at) VALUES (?, 'link', 'link', '', ?)`, listed, t0); err != nil {
				t.Fatal(err)
			}
			res, err := e.deliverer(t, e.s, 8).DeliverDue(context.Background(), 0)
			if err != nil {
				t.Fatal(err)
			}
			if e.sink.Count() != 0 || res.Sent != 1 {
				t.Errorf("sink got %d messages, %d sent; want none by e-mail, the webhook sent", e.sink.Count(), res.Sent)
			}
			if got := e.states(t); got["email"] != "suppressed/1 " {
				t.Errorf("outbox = %v; want the e-mail suppressed", got)
			}
			counts, _ := e.s.OutboxStatus(context.Background(), tenant.Operator())
			if !strings.Contains(fmt.Sprint(counts), "suppressed 1") {
				t.Errorf("status = %v; want a suppressed row counted", counts)
			}
		}},
		{"a notice left with nobody goes to the call list", func(t *testing.T, e *deliveryEnv) {
			e.org.Policy = registry.Policy{Mode: "immediate", Channels: []string{"email"}}
			if _, err := e.s.Exec(context.Background(), `UPDATE orgs SET policy = '{"mode":"immediate","channels":["email"]}' WHERE id = ?`, e.org.ID); err != nil {
				t.Fatal(err)
			}
			e.finding(t, "198.51.100.37")
			suppress(t, e.s, notify.SuppressLink)
			calls, err := e.s.NoticeCallList(context.Background(), tenant.Operator())
			if err != nil {
				t.Fatal(err)
			}
			if len(calls) != 1 || !strings.Contains(calls[0].Undeliverable, "suppression list") {
				t.Errorf("call list = %+v; want the notice, naming the suppression list", calls)
			}
			st, err := notify.LoadStats(context.Background(), e.s, tenant.Operator(), time.Time{}, "")
			if err != nil {
				t.Fatal(err)
			}
			if st.Overall.Suppressed != 1 {
				t.Errorf("stats = %+v; want 1 suppressed notice", st.Overall)
			}
		}},
		{"an unregistered warning skips a listed contact", func(t *testing.T, e *deliveryEnv) {
			suppress(t, e.s, notify.SuppressLink)
			trig := finding.Trigger{ID: e.trig, Name: "scan_exchange", NotifyUnregistered: true}
			r, err := notify.NotifyUnregistered(context.Background(), notify.UnregisteredConfig{Store: e.s,
				Discoverer: &notify.Discoverer{RDAP: oneAbuseRDAP(listed)}, Now: e.clk.Now}, trig,
				finding.Sighting{TriggerID: e.trig, Type: "vulnerable-system", IP: netip.MustParseAddr("192.0.2.9"), Port: 443, Severity: finding.Critical, Time: t0})
			if err != nil {
				t.Fatal(err)
			}
			if r.Created || r.Reason != notify.UnregSuppressed {
				t.Errorf("result = %+v; want %s", r, notify.UnregSuppressed)
			}
		}},
		{"a discovered contact's warning carries the opt-out link", func(t *testing.T, e *deliveryEnv) {
			const abuse = "abuse@hosting.example"
			trig := finding.Trigger{ID: e.trig, Name: "scan_exchange", NotifyUnregistered: true}
			r, err := notify.NotifyUnregistered(context.Background(), notify.UnregisteredConfig{Store: e.s,
				Discoverer: &notify.Discoverer{RDAP: oneAbuseRDAP(abuse)}, Now: e.clk.Now}, trig,
				finding.Sighting{TriggerID: e.trig, Type: "vulnerable-system", IP: netip.MustParseAddr("192.0.2.9"), Port: 443, Severity: finding.Critical, Time: t0})
			if err != nil || !r.Created {
				t.Fatalf("result = %+v, %v", r, err)
			}
			key := []byte("link key")
			d := notify.NewDeliverer(notify.DelivererConfig{Outbox: e.s, MaxAttempts: 8, Lease: time.Minute, Now: e.clk.Now,
				Senders:   map[notify.Channel]notify.Sender{notify.Email: smtpSender(t, e)},
				AckURL:    func(id int64) string { return fmt.Sprintf("https://vigil.example.nl/ack/%d", id) },
				OptOutURL: func(a string) string { return notify.OptOutURL("https://vigil.example.nl", key, a) }})
			if _, err := d.DeliverDue(context.Background(), 0); err != nil {
				t.Fatal(err)
			}
			msgs := e.sink.Messages()
			if len(msgs) != 1 {
				t.Fatalf("sink got %d messages", len(msgs))
			}
			link := notify.OptOutURL("https://vigil.example.nl", key, abuse)
			for _, want := range []string{"List-Unsubscribe: <" + link + ">", "List-Unsubscribe-Post: List-Unsubscribe=One-Click"} {
				if !bytes.Contains(unfold(msgs[0].Data), []byte(want)) {
					t.Errorf("message lacks %q", want)
				}
			}
			links := &notify.OptOutLinks{Store: e.s, Now: e.clk.Now, Key: func(context.Context) ([]byte, error) { return key, nil }}
			token := strings.TrimPrefix(link, "https://vigil.example.nl"+notify.OptOutPath)
			ctx := context.Background()
			if addr, done, err := links.Open(ctx, token, false); err != nil || addr != abuse || done {
				t.Errorf("open = %q, %v, %v", addr, done, err)
			}
			if how, _ := e.s.AddressSuppressed(ctx, abuse); how != "" {
				t.Errorf("suppressed %q after opening; only the confirmation may opt out", how)
			}
			if addr, done, err := links.Open(ctx, token, true); err != nil || addr != abuse || !done {
				t.Errorf("opt out = %q, %v, %v", addr, done, err)
			}
			if how, _ := e.s.AddressSuppressed(ctx, abuse); how != notify.SuppressLink {
				t.Errorf("suppressed %q; want the opt-out recorded", how)
			}
			if _, _, err := links.Open(ctx, token+"x", true); errs.CodeOf(err) != errs.NotFound {
				t.Errorf("forged token: %v; want not found", err)
			}
			l, _ := e.s.SuppressionList(context.Background(), keyset.Page{})
			if len(l) != 1 || l[0].Address != abuse || l[0].How != notify.SuppressLink {
				t.Errorf("suppression list = %+v", l)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				e := newDeliveryEnv(t, s, &testClock{t: t0}, smtpsink.Options{})
				tc.run(t, e)
			})
		})
	}
}

func smtpSender(t *testing.T, e *deliveryEnv) notify.Sender {
	t.Helper()
	s, err := notify.NewSMTPSender(notify.SMTPConfig{Host: "127.0.0.1", Port: e.sink.Port(), TLS: notify.TLSNone, From: "cert@vigil.example.nl", Timeout: 5 * time.Second}, e.renderer, "vigil CERT")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// unfold joins folded header lines (RFC 5322 2.2.3).
func unfold(b []byte) []byte {
	return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r\n "), []byte(" ")), []byte("\r\n\t"), []byte(" "))
}
