// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/notify/smtpsink"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// loadOrgsWithFindings makes n organisations (daily digests, one Dutch or
// English contact each) with perOrg findings each, severity high or
// medium (so they are held for the digest), seen at t0.
func loadOrgsWithFindings(b *testing.B, s *store.Store, n, perOrg int, t0 time.Time) {
	b.Helper()
	ctx := context.Background()
	orgs := make([]registry.Org, n)
	for i := range orgs {
		lang := "nl"
		if i%4 == 0 {
			lang = "en"
		}
		orgs[i] = registry.Org{Name: fmt.Sprintf("Organisatie %05d", i), Languages: []string{lang}, Policy: registry.Policy{Mode: "daily"},
			Contacts: []registry.Contact{{Email: fmt.Sprintf("security@org%05d.example", i), Role: "security", Lang: lang}}}
	}
	if _, _, err := s.OrgImport(ctx, tenant.Operator(), orgs); err != nil {
		b.Fatal(err)
	}
	trig, err := s.TriggerEnsure(ctx, finding.Trigger{Name: "scan_exchange", Title: "Vulnerable Exchange servers"})
	if err != nil {
		b.Fatal(err)
	}
	var batch []finding.Sighting
	flush := func() {
		if err := s.Tx(ctx, func(tx *store.Store) error { _, _, err := tx.FindingUpsert(ctx, 0, batch); return err }); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	for i, o := range orgs {
		for k := range perOrg {
			ip := netip.AddrFrom4([4]byte{100, byte(64 + i>>14), byte(i >> 6), byte((i&63)<<2 | k)})
			sev := finding.High
			if k%2 == 1 {
				sev = finding.Medium
			}
			batch = append(batch, finding.Sighting{OrgID: o.ID, TriggerID: trig, Type: "vulnerable-system", ReportType: "scan_exchange",
				Key: finding.KeyFor(ip, 443), IP: ip, Port: 443, Severity: sev, Time: t0,
				Evidence: json.RawMessage(fmt.Sprintf(`{"ip":%q,"port":"443","tag":"exchange;cve-2021-26855","version":"15.1.2507.6"}`, ip))})
		}
		if len(batch) >= 2000 {
			flush()
		}
	}
	flush()
}

// BenchmarkDigests10k: 10,000 organisations with 3 findings each. The
// measured part builds every organisation's daily digest (composition in
// the store: events, held items, notices, outbox rows) and renders each
// digest as the MIME message it would be sent as (text, HTML, CSV). The
// baseline is a plain read of the same findings (FindingList, all pages)
// in the same run; the ratio says what composing and rendering cost on top.
func BenchmarkDigests10k(b *testing.B) {
	const orgs, perOrg = 10000, 3
	r, err := notify.NewRenderer(nil)
	if err != nil {
		b.Fatal(err)
	}
	for range b.N {
		b.StopTimer()
		t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
		s := storetest.OpenSQLite(b, storetest.Options{})
		loadOrgsWithFindings(b, s, orgs, perOrg, t0)
		ctx := context.Background()
		now := t0
		n := notify.NewNotifier(notify.NotifierConfig{Store: s, Now: func() time.Time { return now },
			PlanConfig: notify.PlanConfig{Default: notify.DefaultPolicy(), DigestHour: 6, Languages: r.Languages()}})
		held, err := n.Compose(ctx, false) // day 1: everything is held for the digest
		if err != nil || held.Held != orgs*perOrg {
			b.Fatalf("day 1 = %+v, %v", held, err)
		}
		// Baseline: read every finding.
		base := time.Now()
		var nf int
		for after := int64(0); ; {
			fs, err := s.FindingList(ctx, tenant.Operator(), finding.Filter{Page: keyset.Page{After: after, Limit: 1000}})
			if err != nil {
				b.Fatal(err)
			}
			if len(fs) == 0 {
				break
			}
			nf += len(fs)
			after = fs[len(fs)-1].ID
		}
		baseline := time.Since(base)
		now = t0.Add(24 * time.Hour)
		b.StartTimer()
		start := time.Now()
		res, err := n.Compose(ctx, false) // day 2: the digests are due
		if err != nil || res.Digests != orgs {
			b.Fatalf("day 2 = %+v, %v", res, err)
		}
		composed := time.Since(start)
		rows, err := s.OutboxClaimDue(ctx, []notify.Channel{notify.Email}, now, time.Hour, orgs+1)
		if err != nil || len(rows) != orgs {
			b.Fatalf("claimed %d rows: %v", len(rows), err)
		}
		var size int
		for _, row := range rows {
			m := notify.Outgoing{Key: row.Key, NoticeID: row.NoticeID, Recipient: row.Recipient, Lang: row.Lang, Content: row.Content, Date: row.CreatedAt, AckURL: "https://vigil.example.nl/ack/x"}
			rd, err := r.Render(m.Lang, notify.View{Content: m.Content, NoticeID: m.NoticeID, Sender: "vigil CERT", AckURL: m.AckURL})
			if err != nil {
				b.Fatal(err)
			}
			raw, err := notify.BuildMessage(m, rd, "cert@vigil.example.nl", "vigil CERT")
			if err != nil {
				b.Fatal(err)
			}
			size += len(raw)
		}
		total := time.Since(start)
		b.StopTimer()
		if nf != orgs*perOrg {
			b.Fatalf("baseline read %d findings", nf)
		}
		b.ReportMetric(composed.Seconds(), "compose-s")
		b.ReportMetric(total.Seconds(), "compose+render-s")
		b.ReportMetric(baseline.Seconds(), "baseline-read-s")
		b.ReportMetric(total.Seconds()/baseline.Seconds(), "x-baseline")
		b.ReportMetric(float64(size)/float64(orgs), "bytes/digest")
	}
}

// BenchmarkDeliverSMTP delivers rendered digests from the outbox to an
// in-process go-smtp sink on loopback over a pool of connections, with the
// store's claim and finish around each batch. The baseline sends the same
// message bytes with go-smtp's own client over the same number of
// connections, with no store and no rendering. Run with -cpu 2.
func BenchmarkDeliverSMTP(b *testing.B) {
	const msgs, conns = 2000, 4
	r, err := notify.NewRenderer(nil)
	if err != nil {
		b.Fatal(err)
	}
	for range b.N {
		b.StopTimer()
		t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
		s := storetest.OpenSQLite(b, storetest.Options{})
		loadOrgsWithFindings(b, s, msgs, 3, t0)
		ctx := context.Background()
		now := t0.Add(24 * time.Hour)
		clock := func() time.Time { return now }
		n := notify.NewNotifier(notify.NotifierConfig{Store: s, Now: func() time.Time { return t0 },
			PlanConfig: notify.PlanConfig{Default: notify.DefaultPolicy(), DigestHour: 6, Languages: r.Languages()}})
		if _, err := n.Compose(ctx, false); err != nil {
			b.Fatal(err)
		}
		n = notify.NewNotifier(notify.NotifierConfig{Store: s, Now: clock,
			PlanConfig: notify.PlanConfig{Default: notify.DefaultPolicy(), DigestHour: 6, Languages: r.Languages()}})
		if res, err := n.Compose(ctx, false); err != nil || res.Digests != msgs {
			b.Fatalf("compose = %+v, %v", res, err)
		}
		sink, err := smtpsink.Start(smtpsink.Options{CountOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		sender, err := notify.NewSMTPSender(notify.SMTPConfig{Host: "127.0.0.1", Port: sink.Port(), TLS: notify.TLSNone, From: "cert@vigil.example.nl",
			Timeout: 10 * time.Second, Connections: conns}, r, "vigil CERT")
		if err != nil {
			b.Fatal(err)
		}
		d := notify.NewDeliverer(notify.DelivererConfig{Outbox: s, Now: clock, Concurrency: 2 * conns, Senders: map[notify.Channel]notify.Sender{notify.Email: sender}})
		// One message of the same kind for the baseline.
		row := notify.Outgoing{Key: "vigil-n1-email-0", NoticeID: 1, Recipient: "security@org00001.example", Lang: "nl", Date: now,
			Content: notify.Content{Kind: notify.KindDigest, Mode: notify.Daily, OrgName: "Organisatie 00001"}}
		ns, _ := s.NoticeList(ctx, tenant.Operator(), notify.NoticeFilter{Page: keyset.Page{Limit: 1}})
		c, _ := s.NoticeContent(ctx, tenant.Operator(), ns[0].ID)
		row.Content = c
		raw, err := sender.Render(row)
		if err != nil {
			b.Fatal(err)
		}

		b.StartTimer()
		start := time.Now()
		res, err := d.DeliverDue(ctx, 500)
		elapsed := time.Since(start)
		b.StopTimer()
		if err != nil || res.Sent != msgs || sink.Count() != msgs {
			b.Fatalf("delivered %+v (sink %d): %v", res, sink.Count(), err)
		}
		sender.Close()

		// Baseline: raw go-smtp client sends of the same bytes.
		base := time.Now()
		var wg sync.WaitGroup
		per := msgs / conns
		errc := make(chan error, conns)
		for range conns {
			wg.Go(func() {
				c, err := smtp.Dial(sink.Addr())
				if err != nil {
					errc <- err
					return
				}
				defer c.Close()
				if err := c.Hello("localhost"); err != nil {
					errc <- err
					return
				}
				for range per {
					if err := c.SendMail("cert@vigil.example.nl", []string{"security@org00001.example"}, bytes.NewReader(raw)); err != nil {
						errc <- err
						return
					}
				}
				_ = c.Quit()
			})
		}
		wg.Wait()
		baseline := time.Since(base)
		close(errc)
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
		sink.Close()
		rate := float64(msgs) / elapsed.Seconds()
		baseRate := float64(msgs) / baseline.Seconds()
		b.ReportMetric(rate, "msgs/s")
		b.ReportMetric(baseRate, "baseline-msgs/s")
		b.ReportMetric(rate/baseRate, "x-baseline")
		b.ReportMetric(float64(len(raw)), "bytes/msg")
	}
}

// BenchmarkPlanBatch measures the pure planning of one batch (5,000
// events over 1,000 organisations).
func BenchmarkPlanBatch(b *testing.B) {
	f := newPlanFixture(b)
	mon := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	batch := notify.Batch{Now: mon, Orgs: map[int64]notify.OrgInput{}}
	for i := range int64(1000) {
		o := f.orgs[1]
		o.ID = i + 1
		batch.Orgs[o.ID] = o
		for k := range int64(5) {
			ev := f.event(i*5+k+1, o.ID, int(k)%len(f.items), finding.EventNew, finding.High)
			ev.Event.FindingID = i*5 + k + 1
			ev.Finding.ID = ev.Event.FindingID
			batch.Events = append(batch.Events, ev)
		}
	}
	cfg := notify.PlanConfig{Default: notify.DefaultPolicy(), DigestHour: 6, Languages: []string{"en", "nl"}}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		p := notify.PlanBatch(&batch, cfg)
		if len(p.Notices) != 1000 {
			b.Fatalf("%d notices", len(p.Notices))
		}
	}
}

// BenchmarkRender renders a three-finding digest in Dutch (text, HTML,
// CSV).
func BenchmarkRender(b *testing.B) {
	r, err := notify.NewRenderer(nil)
	if err != nil {
		b.Fatal(err)
	}
	items := corpusItems(b, "2025-06-01-scan_exchange-vigil_test-asn.csv", "scan_exchange", "Vulnerable Exchange servers", "vulnerable-system")
	v := notify.View{Content: notify.Content{Kind: notify.KindDigest, Mode: notify.Daily, OrgName: "Org", Items: items[:3]}, NoticeID: 1, Sender: "vigil CERT"}
	b.ReportAllocs()
	for range b.N {
		if _, err := r.Render("nl", v); err != nil {
			b.Fatal(err)
		}
	}
}
