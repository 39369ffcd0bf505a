// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"vigil/internal/finding"
	"vigil/internal/notify"
	"vigil/internal/notify/smtpsink"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// crashSenders is the number of messages one vigil process has in flight
// at most: the deliverer's default concurrency (notify.DelivererConfig).
const crashSenders = 8

// crashEnv is a database holding n e-mail notices, each to its own
// recipient, and an SMTP sink on loopback that counts what it receives per
// recipient.
type crashEnv struct {
	s    *store.Store
	dsn  string
	sink *smtpsink.Sink
	n    int

	mu   sync.Mutex
	got  map[string]int
	logs bytes.Buffer
}

// crashDatabases opens a fresh database per engine: SQLite always,
// PostgreSQL when VIGIL_TEST_PG is set.
func crashDatabases(t *testing.T, fn func(t *testing.T, s *store.Store, dsn string)) {
	t.Run("sqlite", func(t *testing.T) {
		dsn := "sqlite:" + filepath.Join(t.TempDir(), "crash.db")
		s, err := store.Open(context.Background(), dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		fn(t, s, dsn)
	})
	if os.Getenv(storetest.EnvPG) != "" {
		t.Run("postgres", func(t *testing.T) {
			s := storetest.OpenPostgres(t, storetest.Options{})
			fn(t, s, storetest.DSN(t, s))
		})
	}
}

// newCrashEnv composes one real notice (an organisation that wants
// immediate e-mail, a critical finding) and copies it and its outbox row
// until there are n, each copy to its own recipient.
func newCrashEnv(t *testing.T, s *store.Store, dsn string, n int) *crashEnv {
	t.Helper()
	ctx := context.Background()
	e := &crashEnv{s: s, dsn: dsn, n: n, got: map[string]int{}}
	org := registry.Org{Name: "Waterschap Crash", Policy: registry.Policy{Mode: "immediate", Channels: []string{"email"}},
		Contacts: []registry.Contact{{Email: "soc@waterschap.example", Role: "security"}}}
	if err := s.OrgCreate(ctx, tenant.Operator(), &org); err != nil {
		t.Fatal(err)
	}
	trig, err := s.TriggerEnsure(ctx, finding.Trigger{Name: "scan_exchange", Title: "Vulnerable Exchange servers"})
	if err != nil {
		t.Fatal(err)
	}
	ip := netip.MustParseAddr("198.51.100.17")
	sg := finding.Sighting{OrgID: org.ID, TriggerID: trig, Type: "vulnerable-system", ReportType: "scan_exchange", Key: finding.KeyFor(ip, 443),
		IP: ip, Port: 443, Severity: finding.Critical, Time: time.Now().UTC(), Evidence: json.RawMessage(`{"ip":"198.51.100.17"}`)}
	if err := s.Tx(ctx, func(tx *store.Store) error { _, _, err := tx.FindingUpsert(ctx, 0, []finding.Sighting{sg}); return err }); err != nil {
		t.Fatal(err)
	}
	if res, err := notify.NewNotifier(notify.NotifierConfig{Store: s}).Compose(ctx, false); err != nil || res.Outbox[notify.Email] != 1 {
		t.Fatalf("compose = %+v, %v; want one e-mail", res, err)
	}
	var notice, row int64
	if err := s.QueryRow(ctx, `SELECT notice_id, id FROM outbox`).Scan(&notice, &row); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exec(ctx, `WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
INSERT INTO notices (org_id, kind, severity, state, payload, contact_source, created_at, run_id)
SELECT org_id, kind, severity, state, payload, contact_source, created_at, run_id FROM notices, seq WHERE id = ?`, n-1, notice); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exec(ctx, `INSERT INTO outbox (notice_id, channel, recipient, lang, idem_key, state, attempts, next_attempt_at, created_at, updated_at)
SELECT n.id, o.channel, 'soc' || n.id || '@waterschap.example', o.lang, 'vigil-n' || n.id || '-crash', 'pending', 0, o.next_attempt_at, o.created_at, o.updated_at
FROM notices n, outbox o WHERE o.id = ? AND n.id <> o.notice_id`, row); err != nil {
		t.Fatal(err)
	}
	if got := e.count(t, `1 = 1`); got != n {
		t.Fatalf("outbox holds %d rows; want %d", got, n)
	}
	e.sink, err = smtpsink.Start(smtpsink.Options{CountOnly: true, Data: func(m smtpsink.Message) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, to := range m.To {
			e.got[to]++
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.sink.Close() })
	return e
}

// count counts the outbox rows where cond holds.
func (e *crashEnv) count(t *testing.T, cond string) int {
	t.Helper()
	var n int
	if err := e.s.QueryRow(context.Background(), `SELECT COUNT(*) FROM outbox WHERE `+cond).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// vigil starts a vigil process with args against the database and the sink.
func (e *crashEnv) vigil(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"--db", e.dsn}, args...)...)
	cmd.Env = append(os.Environ(), childEnv+"=1", "VIGIL_CONFIG=", "VIGIL_RDAP_REFRESH=false",
		fmt.Sprintf("VIGIL_SMTP_URL=smtp://127.0.0.1:%d?starttls=none", e.sink.Port()), "VIGIL_KEYS="+filepath.Join(t.TempDir(), "keys"))
	cmd.Stdout, cmd.Stderr = &e.logs, &e.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

// received returns how many messages each recipient got, and whether one
// got more than one.
func (e *crashEnv) received() (map[string]int, []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var dup []string
	out := make(map[string]int, len(e.got))
	for to, n := range e.got {
		out[to] = n
		if n > 1 {
			dup = append(dup, to)
		}
	}
	return out, dup
}

// leasesRunOut ends the claims of a dead process, as the passing of its
// lease (five minutes) would.
func (e *crashEnv) leasesRunOut(t *testing.T) {
	t.Helper()
	if _, err := e.s.Exec(context.Background(), `UPDATE outbox SET lease_until = ? WHERE state = 'sending'`, time.Now().UTC().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
}

// settleUnknown does what the operator does with rows whose outcome is
// unknown: the mail log (the sink) says whether the message arrived; it is
// marked sent, or queued to be sent again. It returns how many it settled.
func (e *crashEnv) settleUnknown(t *testing.T) int {
	t.Helper()
	ctx := context.Background()
	rows, err := e.s.Query(ctx, `SELECT id, recipient FROM outbox WHERE state = 'unknown'`)
	if err != nil {
		t.Fatal(err)
	}
	type unknown struct {
		id int64
		to string
	}
	var us []unknown
	for rows.Next() {
		var u unknown
		if err := rows.Scan(&u.id, &u.to); err != nil {
			t.Fatal(err)
		}
		us = append(us, u)
	}
	rows.Close()
	got, _ := e.received()
	for _, u := range us {
		if err := e.s.OutboxResolve(ctx, u.id, got[u.to] > 0, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
	}
	return len(us)
}

// checkAllSentOnce checks the end state: every row sent, every recipient
// got exactly one message.
func (e *crashEnv) checkAllSentOnce(t *testing.T) {
	t.Helper()
	got, dup := e.received()
	if len(dup) > 0 {
		t.Errorf("%d recipients got a message twice, e.g. %s", len(dup), dup[0])
	}
	if len(got) != e.n {
		t.Errorf("%d of %d recipients got their message", len(got), e.n)
	}
	if n := e.count(t, `state <> 'sent'`); n != 0 {
		t.Errorf("%d outbox rows not sent", n)
	}
}

// TestNotifyRunCrash kills `vigil notify run` (kill -9) at seeded random
// points while it delivers 50,000 notices to a counting SMTP sink, and
// restarts it each time. After every kill at most the messages in flight
// (crashSenders) lack an outcome; at the end nothing was sent twice and
// nothing is lost once the operator settled those (vigil notify resolve,
// with the mail log).
func TestNotifyRunCrash(t *testing.T) {
	n := 50000
	if testing.Short() {
		n = 5000
	}
	const rounds = 4
	crashDatabases(t, func(t *testing.T, s *store.Store, dsn string) {
		e := newCrashEnv(t, s, dsn, n)
		rnd := rand.New(rand.NewPCG(17, 2026))
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		start, unknown := time.Now(), 0
		for round := range rounds {
			before := e.sink.Count()
			target := before + 1 + rnd.IntN((n-before)/(rounds-round+1))
			cmd := e.vigil(t, "notify", "run")
			if err := e.sink.Wait(ctx, target); err != nil {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("round %d: %v\n%s", round, err, e.logs.String())
			}
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			inFlight := e.count(t, `state = 'sending' AND send_started_at IS NOT NULL`)
			claimed := e.count(t, `state = 'sending'`)
			t.Logf("round %d: killed after %d messages (target %d); %d claimed, %d of them begun", round, e.sink.Count(), target, claimed, inFlight)
			if inFlight > crashSenders || claimed > crashSenders*notify.ClaimPerSender {
				t.Fatalf("round %d: %d rows begun and %d claimed without an outcome; want at most %d and %d", round, inFlight, claimed, crashSenders, crashSenders*notify.ClaimPerSender)
			}
			if _, dup := e.received(); len(dup) > 0 {
				t.Fatalf("round %d: sent twice: %v", round, dup)
			}
			e.leasesRunOut(t)
			unknown += inFlight
		}
		cmd := e.vigil(t, "notify", "run")
		if err := cmd.Wait(); err != nil {
			t.Fatalf("the last run: %v\n%s", err, e.logs.String())
		}
		// On PostgreSQL a killed process's last commit may still land after
		// the count above, so the rows found begun are an estimate; the
		// bound is one set of senders per kill.
		if u := e.count(t, `state = 'unknown'`); u > rounds*crashSenders {
			t.Errorf("%d rows unknown after %d kills (%d seen in flight); want at most %d", u, rounds, unknown, rounds*crashSenders)
		}
		settled := e.settleUnknown(t)
		if cmd := e.vigil(t, "notify", "run"); cmd.Wait() != nil {
			t.Fatalf("the run after settling failed:\n%s", e.logs.String())
		}
		t.Logf("%d notices, %d kills, %d unknown settled, %s", n, rounds, settled, time.Since(start).Round(time.Millisecond))
		e.checkAllSentOnce(t)
	})
}

// TestServeSIGTERM stops a real `vigil serve` with SIGTERM while its job
// queue delivers: the running deliveries finish and are recorded, so no row
// is left unknown (or claimed), and nothing is sent twice; the rows not yet
// sent go out after the restart.
func TestServeSIGTERM(t *testing.T) {
	n := 3000
	crashDatabases(t, func(t *testing.T, s *store.Store, dsn string) {
		e := newCrashEnv(t, s, dsn, n)
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := e.vigil(t, "serve", "--addr", "127.0.0.1:0")
		if err := e.sink.Wait(ctx, 200); err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("%v\n%s", err, e.logs.String())
		}
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("serve after SIGTERM: %v\n%s", err, e.logs.String())
		}
		sent := e.sink.Count()
		if sent >= n {
			t.Fatalf("all %d sent before the stop; the test needs a run in progress", sent)
		}
		if u := e.count(t, `state IN ('unknown', 'sending')`); u != 0 {
			t.Errorf("%d rows unknown or claimed after SIGTERM; want 0", u)
		}
		if got := e.count(t, `state = 'sent'`); got != sent {
			t.Errorf("%d rows recorded sent, the sink got %d", got, sent)
		}
		if _, dup := e.received(); len(dup) > 0 {
			t.Fatalf("sent twice: %v", dup)
		}
		t.Logf("stopped after %d of %d messages", sent, n)
		if cmd := e.vigil(t, "notify", "run"); cmd.Wait() != nil {
			t.Fatalf("notify run after the stop:\n%s", e.logs.String())
		}
		if strings.Contains(e.logs.String(), "were cancelled") {
			t.Logf("jobs were cancelled at the stop:\n%s", e.logs.String())
		}
		e.checkAllSentOnce(t)
	})
}
