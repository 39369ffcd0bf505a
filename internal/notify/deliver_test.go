// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/riverqueue/river"

	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/jobs"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/notify/smtpsink"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// deliveryEnv is a store with one organisation that wants immediate
// notices by e-mail and webhook, an SMTP sink and a webhook receiver.
type deliveryEnv struct {
	s        *store.Store
	clk      *testClock
	sink     *smtpsink.Sink
	hook     *hookReceiver
	master   []byte
	renderer *notify.Renderer
	org      registry.Org
	trig     int64
}

func newDeliveryEnv(t *testing.T, s *store.Store, clk *testClock, sinkOpts smtpsink.Options, hookStatus ...int) *deliveryEnv {
	t.Helper()
	ctx := context.Background()
	e := &deliveryEnv{s: s, clk: clk, sink: startSink(t, sinkOpts), master: []byte("webhook master")}
	e.hook = newHookReceiver(t, notify.WebhookSecret(e.master, 1), hookStatus...)
	e.hook.verifier = notify.NewVerifier(notify.WebhookSecret(e.master, 1), 0, clk.Now)
	var err error
	if e.renderer, err = notify.NewRenderer(nil); err != nil {
		t.Fatal(err)
	}
	e.org = registry.Org{Name: "Ziekenhuis Midden", Languages: []string{"nl"},
		Policy:   registry.Policy{Mode: "immediate", Channels: []string{"email", "webhook"}, WebhookURL: "https://hooks.ziekenhuis.example/vigil"},
		Contacts: []registry.Contact{{Email: "csirt@ziekenhuis.example", Role: "security", Lang: "nl"}}}
	if err := s.OrgCreate(ctx, tenant.Operator(), &e.org); err != nil {
		t.Fatal(err)
	}
	// The receiver listens on loopback, which validation refuses as a
	// webhook URL; write it as a lab's database (with deliveries allowed to
	// private addresses) would hold it.
	e.org.Policy.WebhookURL = e.hook.srv.URL + "/vigil"
	policy, _ := json.Marshal(e.org.Policy)
	if _, err := s.Exec(ctx, `UPDATE orgs SET policy = ? WHERE id = ?`, string(policy), e.org.ID); err != nil {
		t.Fatal(err)
	}
	if e.trig, err = s.TriggerEnsure(ctx, finding.Trigger{Name: "scan_exchange", Title: "Vulnerable Exchange servers"}); err != nil {
		t.Fatal(err)
	}
	return e
}

// finding records a new finding and composes its notice.
func (e *deliveryEnv) finding(t *testing.T, ip string) {
	t.Helper()
	ctx := context.Background()
	a := netip.MustParseAddr(ip)
	sg := finding.Sighting{OrgID: e.org.ID, TriggerID: e.trig, Type: "vulnerable-system", ReportType: "scan_exchange", Key: finding.KeyFor(a, 443),
		IP: a, Port: 443, Severity: finding.Critical, Time: e.clk.Now(), Evidence: json.RawMessage(`{"ip":"` + ip + `","tag":"exchange;cve-2021-26855"}`)}
	if err := e.s.Tx(ctx, func(tx *store.Store) error { _, _, err := tx.FindingUpsert(ctx, 0, []finding.Sighting{sg}); return err }); err != nil {
		t.Fatal(err)
	}
	n := notify.NewNotifier(notify.NotifierConfig{Store: e.s, Now: e.clk.Now, PlanConfig: notify.PlanConfig{Languages: e.renderer.Languages()}})
	if _, err := n.Compose(ctx, false); err != nil {
		t.Fatal(err)
	}
}

func (e *deliveryEnv) deliverer(t *testing.T, ob notify.Outbox, maxAttempts int) *notify.Deliverer {
	t.Helper()
	smtpS, err := notify.NewSMTPSender(notify.SMTPConfig{Host: "127.0.0.1", Port: e.sink.Port(), TLS: notify.TLSNone, From: "cert@vigil.example.nl", Timeout: 5 * time.Second}, e.renderer, "vigil CERT")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { smtpS.Close() })
	return notify.NewDeliverer(notify.DelivererConfig{Outbox: ob, MaxAttempts: maxAttempts, Lease: time.Minute, Now: e.clk.Now,
		Senders: map[notify.Channel]notify.Sender{
			notify.Email:   smtpS,
			notify.Webhook: &notify.WebhookSender{Client: e.hook.client(true), Now: e.clk.Now, Secret: func(org int64) []byte { return notify.WebhookSecret(e.master, org) }},
		},
		AckURL: func(id int64) string { return fmt.Sprintf("https://vigil.example.nl/ack/%d", id) }})
}

func (e *deliveryEnv) states(t *testing.T) map[string]string {
	t.Helper()
	rows, err := e.s.OutboxList(context.Background(), tenant.Operator(), "", keyset.Page{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows {
		out[string(r.Channel)] += fmt.Sprintf("%s/%d ", r.State, r.Attempts)
	}
	return out
}

func TestDeliverSMTPAndWebhook(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := &testClock{t: t0}
		e := newDeliveryEnv(t, s, clk, smtpsink.Options{})
		e.finding(t, "198.51.100.37")
		res, err := e.deliverer(t, s, 8).DeliverDue(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if res.Sent != 2 || res.Attempted != 2 {
			t.Errorf("DeliverDue = %+v; want 2 sent", res)
		}
		if e.sink.Count() != 1 || len(e.hook.processed()) != 1 {
			t.Errorf("sink %d, webhook %d; want 1 each", e.sink.Count(), len(e.hook.processed()))
		}
		if p := e.hook.processed()[0]; p.Lang != "nl" || p.OrgName != "Ziekenhuis Midden" || p.AckURL == "" {
			t.Errorf("webhook payload %+v", p)
		}
		ns, _ := s.NoticeList(context.Background(), tenant.Operator(), notify.NoticeFilter{})
		if len(ns) != 1 || ns[0].FirstSent == nil || !ns[0].FirstSent.Equal(t0) {
			t.Errorf("notice first sent = %+v", ns)
		}
		// Nothing is due any more.
		if res, _ := e.deliverer(t, s, 8).DeliverDue(context.Background(), 0); res.Attempted != 0 {
			t.Errorf("second DeliverDue attempted %d", res.Attempted)
		}
	})
}

// TestDeliverUnknownOutcome: an e-mail whose connection ends after the
// message went out and before the server's final answer may have
// arrived, so it waits for an operator (state unknown) and is never sent
// again by itself; the webhook of the same notice is delivered as usual.
func TestDeliverUnknownOutcome(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := &testClock{t: t0}
		e := newDeliveryEnv(t, s, clk, smtpsink.Options{})
		port, accepted := dropAfterData(t)
		smtpS, err := notify.NewSMTPSender(notify.SMTPConfig{Host: "127.0.0.1", Port: port, TLS: notify.TLSNone, From: "cert@vigil.example.nl", Timeout: 5 * time.Second}, e.renderer, "vigil CERT")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { smtpS.Close() })
		d := notify.NewDeliverer(notify.DelivererConfig{Outbox: s, MaxAttempts: 8, Lease: time.Minute, Now: clk.Now,
			Senders: map[notify.Channel]notify.Sender{
				notify.Email:   smtpS,
				notify.Webhook: &notify.WebhookSender{Client: e.hook.client(true), Now: clk.Now, Secret: func(org int64) []byte { return notify.WebhookSecret(e.master, org) }},
			},
			AckURL: func(id int64) string { return fmt.Sprintf("https://vigil.example.nl/ack/%d", id) }})
		e.finding(t, "198.51.100.37")
		if _, err := d.DeliverDue(context.Background(), 0); err != nil {
			t.Fatal(err)
		}
		if got := e.states(t); got["email"] != "unknown/1 " || got["webhook"] != "sent/1 " {
			t.Errorf("states = %v; want the e-mail unknown after one attempt, the webhook sent", got)
		}
		// Much later, nothing is due: the e-mail waits for an operator.
		clk.Add(48 * time.Hour)
		if res, err := d.DeliverDue(context.Background(), 0); err != nil || res.Attempted != 0 {
			t.Errorf("later DeliverDue = %+v, %v; want nothing attempted", res, err)
		}
		if n := accepted(); n != 1 {
			t.Errorf("the SMTP server saw %d connections; want 1", n)
		}
		rows, err := s.OutboxList(context.Background(), tenant.Operator(), notify.OutboxUnknown, keyset.Page{})
		if err != nil || len(rows) != 1 || !strings.Contains(rows[0].LastError, "outcome unknown") {
			t.Errorf("unknown rows = %+v, %v", rows, err)
		}
	})
}

func TestDeliverRetriesThenDead(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := &testClock{t: t0}
		greylist := &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "greylisted"}
		// The webhook answers 503 twice, then accepts.
		e := newDeliveryEnv(t, s, clk, smtpsink.Options{Rcpt: func(string) error { return greylist }}, 503, 503)
		e.finding(t, "198.51.100.37")
		d := e.deliverer(t, s, 3)
		ctx := context.Background()
		var waits []time.Duration
		for attempt := 1; attempt <= 3; attempt++ {
			if _, err := d.DeliverDue(ctx, 0); err != nil {
				t.Fatal(err)
			}
			rows, _ := s.OutboxList(ctx, tenant.Operator(), notify.OutboxFailed, keyset.Page{})
			if len(rows) > 0 {
				waits = append(waits, rows[0].NextAttempt.Sub(clk.Now()))
			}
			// Not due before the backoff has passed.
			if res, _ := d.DeliverDue(ctx, 0); res.Attempted != 0 {
				t.Fatalf("attempt %d: retried before the backoff", attempt)
			}
			clk.Add(notify.DefaultBackoff(attempt))
		}
		want := map[string]string{"email": "dead/3 ", "webhook": "sent/3 "}
		if got := e.states(t); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("states = %v; want %v", got, want)
		}
		if fmt.Sprint(waits) != "[1m0s 2m0s]" {
			t.Errorf("backoff waits = %v; want [1m0s 2m0s]", waits)
		}
		dead, _ := s.OutboxList(ctx, tenant.Operator(), notify.OutboxDead, keyset.Page{})
		if len(dead) != 1 || !strings.Contains(dead[0].LastError, "gave up after 3 attempts") || !strings.Contains(dead[0].LastError, "451") {
			t.Errorf("dead row = %+v", dead)
		}
		stats, _ := notify.LoadStats(ctx, s, tenant.Operator(), time.Time{}, notify.PeriodNone)
		if stats.Overall.Sent != 1 || stats.Overall.Failed != 0 {
			t.Errorf("stats = %+v", stats.Overall)
		}
	})
}

func TestDeliverBounceMarksContact(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := &testClock{t: t0}
		unknown := &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		e := newDeliveryEnv(t, s, clk, smtpsink.Options{Rcpt: func(string) error { return unknown }})
		e.finding(t, "198.51.100.37")
		e.finding(t, "198.51.100.38")
		// Deliver one at a time: the first bounce stops the second mail.
		d := e.deliverer(t, s, 8)
		ctx := context.Background()
		ids, _ := s.OutboxDue(ctx, clk.Now(), 10)
		res, err := d.Deliver(ctx, ids[0])
		if err != nil || res.State != notify.OutboxDead {
			t.Fatalf("Deliver = %+v, %v", res, err)
		}
		cs, _ := s.ContactList(ctx, tenant.Org(e.org.ID))
		if cs[0].Bounced == nil {
			t.Error("contact not marked bounced")
		}
		if _, err := d.DeliverDue(ctx, 0); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"email": "dead/1 dead/0 ", "webhook": "sent/1 sent/1 "}
		if got := e.states(t); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("states = %v; want %v", got, want)
		}
	})
}

// crashingOutbox fails every OutboxFinish after the send: the process
// "dies" between sending and recording it.
type crashingOutbox struct {
	notify.Outbox
}

var errCrash = errors.New("simulated crash before commit")

func (c *crashingOutbox) OutboxFinish(ctx context.Context, r []notify.OutboxResult) error {
	return errCrash
}

// TestCrashBetweenSendAndCommit: the worker dies after the messages left
// but before their outcome was committed. The pre-send journal tells its
// successor that they may have left: the e-mail is not sent again but put
// in state unknown for an operator (an SMTP receiver does not deduplicate);
// the webhook is sent again with the same Idempotency-Key, which its
// receiver deduplicates, so it is processed once.
func TestCrashBetweenSendAndCommit(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := &testClock{t: t0}
		e := newDeliveryEnv(t, s, clk, smtpsink.Options{})
		e.finding(t, "198.51.100.37")
		ctx := context.Background()
		_, err := e.deliverer(t, &crashingOutbox{Outbox: s}, 8).DeliverDue(ctx, 0)
		if !errors.Is(err, errCrash) {
			t.Fatalf("DeliverDue = %v; want the crash", err)
		}
		if got := e.states(t); got["email"] != "sending/1 " || got["webhook"] != "sending/1 " {
			t.Fatalf("after the crash: %v; want both sending", got)
		}
		// A restarted process finds nothing due while the lease runs ...
		d := e.deliverer(t, s, 8)
		if res, _ := d.DeliverDue(ctx, 0); res.Attempted != 0 {
			t.Fatalf("rows taken over inside their lease: %+v", res)
		}
		// ... and after it sends the webhook again, but not the e-mail.
		clk.Add(2 * time.Minute)
		res, err := d.DeliverDue(ctx, 0)
		if err != nil || res.Attempted != 1 || res.Sent != 1 {
			t.Fatalf("after restart = %+v, %v; want the webhook only", res, err)
		}
		if got := e.states(t); got["email"] != "unknown/1 " || got["webhook"] != "sent/2 " {
			t.Fatalf("states after restart %v; want email unknown/1, webhook sent/2", got)
		}
		if n := len(e.sink.Messages()); n != 1 {
			t.Fatalf("sink got %d messages; want exactly 1", n)
		}
		if e.hook.requestCount() != 2 || len(e.hook.processed()) != 1 {
			t.Errorf("webhook requests %d, processed %d; want 2 and 1", e.hook.requestCount(), len(e.hook.processed()))
		}
		// Nothing more goes out by itself; the row waits for an operator.
		clk.Add(24 * time.Hour)
		if res, _ := d.DeliverDue(ctx, 0); res.Attempted != 0 {
			t.Fatalf("unknown row attempted again: %+v", res)
		}
		unknown, err := s.OutboxList(ctx, tenant.Operator(), notify.OutboxUnknown, keyset.Page{})
		if err != nil || len(unknown) != 1 || unknown[0].Channel != notify.Email || !strings.Contains(unknown[0].LastError, "outcome unknown") {
			t.Fatalf("unknown rows = %+v, %v", unknown, err)
		}
		// The operator checked with the recipient: it arrived.
		if err := s.OutboxResolve(ctx, unknown[0].ID, true, clk.Now()); err != nil {
			t.Fatal(err)
		}
		if got := e.states(t); got["email"] != "sent/1 " {
			t.Errorf("after resolve --sent: %v", got)
		}
		if err := s.OutboxResolve(ctx, unknown[0].ID, true, clk.Now()); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("resolving a sent row: %v; want not found", err)
		}
		if res, _ := d.DeliverDue(ctx, 0); res.Attempted != 0 || len(e.sink.Messages()) != 1 {
			t.Errorf("after resolve --sent: %+v, %d messages; want nothing sent", res, len(e.sink.Messages()))
		}
	})
}

// TestCrashBeforeSendStarted: a worker claimed the rows and died before
// any send began (no journal entry). After the lease they are sent, once
// each; an unknown row the operator asks to resend goes out again.
func TestCrashBeforeSendStarted(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := &testClock{t: t0}
		e := newDeliveryEnv(t, s, clk, smtpsink.Options{})
		e.finding(t, "198.51.100.37")
		ctx := context.Background()
		claimed, err := s.OutboxClaimDue(ctx, []notify.Channel{notify.Email, notify.Webhook}, clk.Now(), time.Minute, 10)
		if err != nil || len(claimed) != 2 {
			t.Fatalf("claim = %d rows, %v", len(claimed), err)
		}
		clk.Add(2 * time.Minute)
		d := e.deliverer(t, s, 8)
		res, err := d.DeliverDue(ctx, 0)
		if err != nil || res.Sent != 2 {
			t.Fatalf("after restart = %+v, %v", res, err)
		}
		if n := len(e.sink.Messages()); n != 1 || e.hook.requestCount() != 1 {
			t.Fatalf("sink %d messages, webhook %d requests; want 1 and 1", n, e.hook.requestCount())
		}
		// An operator's resend of an unknown row is deliberate: simulate
		// the unknown state, resolve with resend, and it goes out again.
		var email notify.OutboxRow
		for _, r := range claimed {
			if r.Channel == notify.Email {
				email = r
			}
		}
		if _, err := s.Exec(ctx, `UPDATE outbox SET state = 'unknown' WHERE id = ?`, email.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.OutboxResolve(ctx, email.ID, false, clk.Now()); err != nil {
			t.Fatal(err)
		}
		if res, err := d.DeliverDue(ctx, 0); err != nil || res.Sent != 1 || len(e.sink.Messages()) != 2 {
			t.Fatalf("resend = %+v, %v, %d messages; want 1 sent, 2 in the sink", res, err, len(e.sink.Messages()))
		}
	})
}

// TestRiverDelivery runs delivery through the job queue: the sweep
// enqueues a job per due row (args: the outbox id only), workers send.
func TestRiverDelivery(t *testing.T) {
	t0 := time.Now().UTC()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := &testClock{t: t0}
		e := newDeliveryEnv(t, s, clk, smtpsink.Options{})
		e.finding(t, "198.51.100.37")
		e.finding(t, "198.51.100.38")
		ctx := context.Background()
		j := &notify.Jobs{Deliverer: e.deliverer(t, s, 8), Outbox: s, Now: clk.Now}
		workers := river.NewWorkers()
		j.Register(workers)
		cfg := jobs.Config{Workers: workers, PollInterval: 20 * time.Millisecond, PeriodicJobs: j.Periodic(time.Hour)}
		if s.Dialect() == store.Postgres {
			cfg.DSN = storetest.DSN(t, s)
		}
		q, err := jobs.Open(ctx, s, cfg)
		if err != nil {
			t.Fatal(err)
		}
		j.Queue = q
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer q.Stop(ctx)
		// The periodic sweep runs at start; a second, explicit sweep
		// enqueues the same rows again, which collapse into the same jobs.
		if _, err := j.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := e.sink.Wait(wctx, 2); err != nil {
			t.Fatal(err)
		}
		for {
			if got := e.states(t); got["email"] == "sent/1 sent/1 " && got["webhook"] == "sent/1 sent/1 " {
				break
			}
			select {
			case <-wctx.Done():
				t.Fatalf("states = %v", e.states(t))
			case <-time.After(20 * time.Millisecond):
			}
		}
		if e.sink.Count() != 2 {
			t.Errorf("sink got %d messages; want 2", e.sink.Count())
		}
	})
}

// stoppingOutbox ends the delivery's context right after the send began:
// the worker is being stopped (SIGTERM) while messages are out.
type stoppingOutbox struct {
	notify.Outbox
	stop context.CancelFunc
}

func (o *stoppingOutbox) OutboxStarted(ctx context.Context, id int64, at time.Time) error {
	err := o.Outbox.OutboxStarted(ctx, id, at)
	o.stop()
	return err
}

// TestStopMidSendRecordsOutcome: the outcome of a send cut short by a
// stopping worker is still recorded (a retry), not left to expire into
// state unknown.
func TestStopMidSendRecordsOutcome(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		clk := &testClock{t: t0}
		e := newDeliveryEnv(t, s, clk, smtpsink.Options{})
		e.finding(t, "198.51.100.37")
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		if _, err := e.deliverer(t, &stoppingOutbox{Outbox: s, stop: stop}, 8).DeliverDue(ctx, 0); !errors.Is(err, context.Canceled) {
			t.Fatalf("DeliverDue = %v; want the stop", err)
		}
		if got := e.states(t); got["email"] != "failed/1 " || got["webhook"] != "failed/1 " {
			t.Fatalf("after the stop: %v; want both recorded as failed (to retry)", got)
		}
	})
}
