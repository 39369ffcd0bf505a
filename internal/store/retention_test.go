// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"vigil/internal/account"
	"vigil/internal/finding"
	"vigil/internal/notify"
	"vigil/internal/privacy"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// purgeGate is the advisory lock a test's trigger waits on, to stop a
// writer in the middle of a statement after it locked a row.
const purgeGate = 0x72657461

// gate installs, on PostgreSQL, a trigger named name on table (BEFORE
// event, FOR EACH ROW WHEN cond) that waits for purgeGate, holds the
// gate on a connection of its own and returns the function that opens it.
// A BEFORE trigger fires after its row is locked, so the writer waits
// holding that row. The trigger is dropped when the test ends.
func gate(t *testing.T, s *store.Store, name, event, table, cond string) (open func()) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{
		`CREATE FUNCTION ` + name + `() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_advisory_xact_lock_shared(` + fmt.Sprint(purgeGate) + `); IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$`,
		`CREATE TRIGGER ` + name + ` BEFORE ` + event + ` ON ` + table + ` FOR EACH ROW WHEN (` + cond + `) EXECUTE FUNCTION ` + name + `()`,
	} {
		if _, err := s.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, purgeGate); err != nil {
		t.Fatal(err)
	}
	opened := false
	open = func() {
		if !opened {
			opened = true
			if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, purgeGate); err != nil {
				t.Error(err)
			}
			conn.Close()
		}
	}
	t.Cleanup(func() {
		open()
		for _, q := range []string{`DROP TRIGGER ` + name + ` ON ` + table, `DROP FUNCTION ` + name + `()`} {
			if _, err := s.Exec(ctx, q); err != nil {
				t.Errorf("%s: %v", q, err)
			}
		}
	})
	return open
}

// gateWaiting counts the writers waiting at the gate.
var gateWaiting = fmt.Sprintf(`SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = %d`, purgeGate)

// rowWaiting counts the transactions waiting for another's row.
const rowWaiting = `SELECT COUNT(*) FROM pg_locks WHERE NOT granted AND locktype IN ('transactionid', 'tuple')`

// oldNotice writes a notice of org created at created, sent to its
// contact, with an item of finding fid, and returns its id.
func oldNotice(t *testing.T, s *store.Store, org, fid int64, created time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	id, err := s.InsertID(ctx, `INSERT INTO notices (org_id, kind, state, payload, created_at, first_sent_at) VALUES (?, 'immediate', 'open', '{}', ?, ?)`, org, created, created)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exec(ctx, `INSERT INTO notice_items (org_id, finding_id, trigger_id, kind, severity, created_at, notice_id)
SELECT org_id, id, trigger_id, 'new', severity, ?, ? FROM findings WHERE id = ?`, created, id, fid); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exec(ctx, `INSERT INTO outbox (notice_id, channel, recipient, idem_key, state, next_attempt_at, created_at, sent_at, updated_at)
VALUES (?, 'email', 'cert@hosting.example', ?, 'sent', ?, ?, ?, ?)`, id, fmt.Sprintf("old-%d", id), created, created, created, created); err != nil {
		t.Fatal(err)
	}
	return id
}

// purgeAt runs the purge of the notices created before cutoff in a
// goroutine and returns its result's channel.
func purgeAt(ctx context.Context, s *store.Store, cutoff time.Time) chan error {
	done := make(chan error, 1)
	go func() {
		_, err := s.RetentionPurge(ctx, privacy.Cutoffs{Notices: cutoff})
		done <- err
	}()
	return done
}

// purgeBeside runs op (what names it) in a goroutine until it waits at the
// gate that open lifts, then purges the notices created before cutoff
// beside it: the purge must end without waiting for op, and both succeed.
func purgeBeside(ctx context.Context, t *testing.T, s *store.Store, open func(), cutoff time.Time, what string, op func() error) {
	t.Helper()
	held := make(chan error, 1)
	go func() { held <- op() }()
	if !pgWaitFor(t, s, gateWaiting) {
		t.Fatalf("the %s did not reach its gate", what)
	}
	purged := purgeAt(ctx, s, cutoff)
	done := waitPurge(t, s, purged)
	open()
	if !done {
		t.Errorf("the purge waited for the %s", what)
	}
	if err := <-held; err != nil {
		t.Errorf("%s: %v", what, err)
	}
	if err := <-purged; err != nil {
		t.Errorf("purge: %v", err)
	}
}

// waitPurge waits (up to 10 s) until the purge is done or waits for a row
// another transaction holds, and reports which; the purge's error, when it
// is done, is put back for the caller.
func waitPurge(t *testing.T, s *store.Store, purged chan error) (done bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-purged:
			purged <- err
			return true
		default:
		}
		var n int
		if err := s.QueryRow(context.Background(), rowWaiting).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return false
		}
	}
	t.Fatal("the purge neither ended nor waited")
	return false
}

// TestNotifyComposePurgeConcurrent: the retention purge, a composition and
// an ingest batch at once on PostgreSQL. The composition holds
// finding_events in SHARE mode and the batch waits for it; the purge takes
// no lock either holds or waits for (it writes no events), so it ends
// while they wait, and then both end: every event is composed once, the
// old notice the composition did not need is gone.
func TestNotifyComposePurgeConcurrent(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	clk := &notifyClock{t: t0}
	storetest.EachOpts(t, storetest.Options{Now: clk.Now}, func(t *testing.T, s *store.Store) {
		ctx, e := pgNotifyEnv(t, s, clk, t0)
		ho := e.orgs["Hosting"].ID
		e.ingest(t, false, notifySighting(ho, e.trig, "198.51.100.1", 443, finding.High, t0.AddDate(-3, 0, 0)))
		var fid int64
		if err := s.QueryRow(ctx, `SELECT id FROM findings`).Scan(&fid); err != nil {
			t.Fatal(err)
		}
		old := oldNotice(t, s, ho, fid, t0.AddDate(-3, 0, 0))
		req := notify.ComposeRequest{Now: t0, Limit: 100, CapSince: t0.Add(-time.Hour)}
		cfg := notify.PlanConfig{Default: notify.DefaultPolicy(), Languages: []string{"en"}}
		planned, release := make(chan struct{}), make(chan struct{})
		composed, ingested := make(chan notify.ComposeResult, 1), make(chan error, 1)
		go func() {
			res, err := s.NotifyCompose(ctx, req, func(b *notify.Batch) *notify.Plan {
				close(planned)
				<-release
				return notify.PlanBatch(b, cfg)
			})
			if err != nil {
				t.Error(err)
			}
			composed <- res
		}()
		<-planned // the composition holds finding_events in SHARE mode
		go func() {
			_, _, err := s.FindingUpsert(ctx, 0, []finding.Sighting{notifySighting(ho, e.trig, "198.51.100.2", 443, finding.High, t0)})
			ingested <- err
		}()
		blocked := pgWaitFor(t, s, eventLocks(false, "RowExclusiveLock"))
		purged := purgeAt(ctx, s, t0.AddDate(-2, 0, 0))
		var purgeErr error
		select {
		case purgeErr = <-purged:
		case <-time.After(10 * time.Second):
			purgeErr = fmt.Errorf("the purge waited for the composition or the batch")
		}
		close(release)
		if !blocked {
			t.Error("the batch did not wait for the composition")
		}
		if purgeErr != nil {
			t.Fatalf("purge: %v", purgeErr)
		}
		if err := <-ingested; err != nil {
			t.Fatalf("ingest: %v", err)
		}
		first := <-composed
		second, err := s.NotifyCompose(ctx, req, func(b *notify.Batch) *notify.Plan { return notify.PlanBatch(b, cfg) })
		if err != nil {
			t.Fatal(err)
		}
		if got := []int{first.Events, second.Events}; !slices.Equal(got, []int{1, 1}) {
			t.Errorf("events composed before and after the batch: %v; want [1 1]", got)
		}
		var n int
		if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM notices WHERE id = ?`, old).Scan(&n); err != nil || n != 0 {
			t.Errorf("the old notice: %d left, %v", n, err)
		}
	})
}

// TestNotifyComposePurgeResolve: a composition resolving old notices (one
// statement per 500 findings) while the purge deletes them, on PostgreSQL.
// The composition locks notice A in its first statement and is held there
// (a trigger), the purge deletes notice B, which the composition's second
// statement resolves, and reaches A: had the purge waited for A while
// holding B, the two would deadlock and one be aborted. The purge skips
// what another transaction holds instead: it deletes B, keeps A for the
// next purge, and both end.
func TestNotifyComposePurgeResolve(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	clk := &notifyClock{t: t0}
	storetest.EachOpts(t, storetest.Options{Now: clk.Now}, func(t *testing.T, s *store.Store) {
		ctx, e := pgNotifyEnv(t, s, clk, t0)
		ho := e.orgs["Hosting"].ID
		// 501 findings: their resolutions take two statements.
		var sg []finding.Sighting
		for i := range 501 {
			sg = append(sg, notifySighting(ho, e.trig, fmt.Sprintf("198.51.%d.%d", 100+i/250, 1+i%250), 443, finding.High, t0))
		}
		e.ingest(t, false, sg...)
		req := notify.ComposeRequest{Now: t0, Limit: 1000, CapSince: t0.Add(-time.Hour)}
		cfg := notify.PlanConfig{Default: notify.DefaultPolicy(), Languages: []string{"en"}}
		plan := func(b *notify.Batch) *notify.Plan { return notify.PlanBatch(b, cfg) }
		if _, err := s.NotifyCompose(ctx, req, plan); err != nil {
			t.Fatal(err)
		}
		clk.Set(t0.Add(24 * time.Hour))
		e.ingest(t, true) // a full report without them resolves them all
		// The findings of the first and the last resolution: composed in
		// the first and the second statement.
		var first, last int64
		for _, q := range []struct {
			order string
			into  *int64
		}{{"", &first}, {" DESC", &last}} {
			if err := s.QueryRow(ctx, `SELECT finding_id FROM finding_events WHERE kind = ? ORDER BY id`+q.order+` LIMIT 1`, string(finding.EventResolved)).Scan(q.into); err != nil {
				t.Fatal(err)
			}
		}
		// B before A in the table: the purge reaches B first.
		b := oldNotice(t, s, ho, last, t0.AddDate(-3, 0, 0))
		a := oldNotice(t, s, ho, first, t0.AddDate(-3, 0, 0))
		open := gate(t, s, "hold_resolve", "UPDATE", "notices", fmt.Sprintf("OLD.id = %d", a))
		purgeBeside(ctx, t, s, open, t0.AddDate(-2, 0, 0), "composition", func() error {
			_, err := s.NotifyCompose(ctx, req, plan)
			return err
		})
		left := func() []int64 {
			var ids []int64
			rows, err := s.Query(ctx, `SELECT id FROM notices WHERE id IN (?, ?) ORDER BY id`, b, a)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			return ids
		}
		if got := left(); !slices.Equal(got, []int64{a}) {
			t.Errorf("old notices left: %v; want A (%d), which the composition held", got, a)
		}
		var state string
		if err := s.QueryRow(ctx, `SELECT state FROM notices WHERE id = ?`, a).Scan(&state); err != nil || state != "resolved" {
			t.Errorf("notice A: %q, %v; want resolved", state, err)
		}
		if _, err := s.RetentionPurge(ctx, privacy.Cutoffs{Notices: t0.AddDate(-2, 0, 0)}); err != nil {
			t.Fatal(err)
		}
		if got := left(); len(got) != 0 {
			t.Errorf("old notices left after the next purge: %v", got)
		}
	})
}

// TestNotifyComposePurgeOrgDelete: the retention purge while an
// organisation is being deleted, on PostgreSQL. The deletion holds the
// organisation's row and, stopped there by a trigger, its first notice;
// the purge must not wait for it (an organisation's deletion takes its
// notices in its cascade's order, and a purge that waited for one while
// holding another, or a day's counter of notice_days, could close a
// cycle): it skips that organisation (its KEY SHARE lock on the row,
// taken without waiting, fails), purges the other's old notice and ends
// while the deletion waits; then the deletion ends too.
func TestNotifyComposePurgeOrgDelete(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	clk := &notifyClock{t: t0}
	storetest.EachOpts(t, storetest.Options{Now: clk.Now}, func(t *testing.T, s *store.Store) {
		ctx, e := pgNotifyEnv(t, s, clk, t0)
		ho, ws := e.orgs["Hosting"].ID, e.orgs["Waterschap"].ID
		e.ingest(t, false, notifySighting(ho, e.trig, "198.51.100.1", 443, finding.High, t0.AddDate(-3, 0, 0)),
			notifySighting(ws, e.trig, "198.51.100.2", 443, finding.High, t0.AddDate(-3, 0, 0)))
		fids := map[int64]int64{}
		rows, err := s.Query(ctx, `SELECT org_id, id FROM findings`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var org, id int64
			if err := rows.Scan(&org, &id); err != nil {
				t.Fatal(err)
			}
			fids[org] = id
		}
		rows.Close()
		first := oldNotice(t, s, ho, fids[ho], t0.AddDate(-3, 0, 0))
		oldNotice(t, s, ho, fids[ho], t0.AddDate(-3, 0, 0))
		other := oldNotice(t, s, ws, fids[ws], t0.AddDate(-3, 0, 0))
		open := gate(t, s, "hold_org_delete", "DELETE", "notices", fmt.Sprintf("OLD.id = %d", first))
		purgeBeside(ctx, t, s, open, t0.AddDate(-2, 0, 0), "organisation's deletion", func() error {
			return s.OrgDelete(ctx, tenant.Operator(), ho)
		})
		var left int
		if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM notices WHERE org_id = ? OR id = ?`, ho, other).Scan(&left); err != nil || left != 0 {
			t.Errorf("%d of the old notices left, %v; want none (the deleted organisation's with it)", left, err)
		}
	})
}

// TestPurgeQuietInterval: the purge keeps an organisation's notices within
// its quiet interval when that reaches further back than the retention
// (privacy.Cutoffs.NoticesOrg), and the notices without an organisation
// within theirs; the others go at the retention's cutoff. The notices of
// 620 organisations with a long interval take two chunks of the purge's
// statements.
func TestPurgeQuietInterval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := s.Now()
		day := func(d int) time.Time { return now.AddDate(0, 0, -d) }
		var long []int64
		for i := range 621 {
			o := &registry.Org{Name: fmt.Sprintf("Gemeente %03d", i)}
			if err := s.OrgCreate(ctx, tenant.Operator(), o); err != nil {
				t.Fatal(err)
			}
			long = append(long, o.ID)
		}
		short := long[620] // the retention's cutoff applies
		long = long[:620]
		c := privacy.Cutoffs{Notices: day(30), NoticesOrg: map[int64]time.Time{privacy.Unregistered: day(45)}}
		for _, id := range long {
			c.NoticesOrg[id] = day(60)
		}
		// Each organisation with a long interval has a notice within it.
		if _, err := s.Exec(ctx, `INSERT INTO notices (org_id, kind, payload, created_at) SELECT id, 'immediate', '{}', ? FROM orgs WHERE id <> ?`, day(58), short); err != nil {
			t.Fatal(err)
		}
		for _, n := range []struct {
			org  int64 // 0: none
			age  int
			kept bool
		}{
			{long[0], 59, true}, {long[0], 61, false}, {long[619], 59, true}, {long[619], 61, false},
			{short, 29, true}, {short, 31, false},
			{0, 44, true}, {0, 46, false},
		} {
			var org any
			if n.org != 0 {
				org = n.org
			}
			id, err := s.InsertID(ctx, `INSERT INTO notices (org_id, kind, payload, created_at) VALUES (?, 'immediate', '{}', ?)`, org, day(n.age))
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				var left int
				if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM notices WHERE id = ?`, id).Scan(&left); err != nil {
					t.Fatal(err)
				}
				if got := left == 1; got != n.kept {
					t.Errorf("notice of organisation %d, %d days old: kept %t, want %t", n.org, n.age, got, n.kept)
				}
			}()
		}
		got, err := s.RetentionPurge(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if want := (privacy.Purged{Notices: 4, NoticesKept: 620 + 3}); got != want {
			t.Errorf("purged %+v, want %+v", got, want)
		}
	})
}

// lockWaiting counts the transactions waiting for another's row or table
// lock (not for the test's gate).
const lockWaiting = `SELECT COUNT(*) FROM pg_locks WHERE NOT granted AND locktype IN ('transactionid', 'tuple', 'relation')`

// TestPrivacyErasePurge: the erasure of a person and the retention purge
// at once, on PostgreSQL. Both change the audit log and accounts, in
// opposite orders: the erasure pseudonymises the account and then the
// audit entries naming it, the purge deletes old audit entries and then
// unconfirmed sign-ups. The erasure is held (a trigger) after it locked
// the account of Anna, an unconfirmed sign-up; the purge then runs; the
// erasure goes on to the old audit entry naming her. Had the purge
// deleted that entry and waited for her account, the two would deadlock
// and one be aborted (40P01); both take audit_unlock first, so the purge
// waits for the erasure before it changes anything, and both end. Nothing
// names Anna afterwards.
func TestPrivacyErasePurge(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	storetest.EachOpts(t, storetest.Options{Now: func() time.Time { return t0 }}, func(t *testing.T, s *store.Store) {
		if s.Dialect() != store.Postgres {
			t.Skip("SQLite commits one writer at a time")
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		const anna = "anna@ziekenhuis.example"
		if _, err := s.Exec(ctx, `INSERT INTO users (email, unconfirmed, created_at) VALUES (?, TRUE, ?)`, anna, t0.AddDate(0, 0, -30)); err != nil {
			t.Fatal(err)
		}
		if err := s.AuditAdd(ctx, account.AuditEntry{Actor: anna, Action: "signup", At: t0.AddDate(-4, 0, 0)}); err != nil {
			t.Fatal(err)
		}
		open := gate(t, s, "hold_erase", "UPDATE", "users", fmt.Sprintf("OLD.email = '%s'", anna))
		erased, purged := make(chan error, 1), make(chan error, 1)
		go func() {
			_, err := s.PrivacyErase(ctx, anna, "erased-1@erased.invalid")
			erased <- err
		}()
		if !pgWaitFor(t, s, gateWaiting) {
			t.Fatal("the erasure did not reach the account")
		}
		go func() {
			_, err := s.RetentionPurge(ctx, privacy.Cutoffs{Audit: t0.AddDate(-3, 0, 0), Signups: t0.AddDate(0, 0, -7)})
			purged <- err
		}()
		waited := pgWaitFor(t, s, lockWaiting)
		open()
		if !waited {
			t.Error("the purge did not wait for the erasure")
		}
		for what, done := range map[string]chan error{"erase": erased, "purge": purged} {
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("%s: %v", what, err)
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("%s did not end", what)
			}
		}
		for _, q := range []string{`SELECT COUNT(*) FROM users`, `SELECT COUNT(*) FROM audit_log WHERE actor = '` + anna + `'`} {
			var n int
			if err := s.QueryRow(ctx, q).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s: %d, %v; want 0", q, n, err)
			}
		}
	})
}

// TestBouncePurge: a bounce that comes back late for an old delivery while
// the purge deletes its notice, on PostgreSQL. Marking the delivery
// bounced locks its outbox row and then (the dashboard's triggers) its
// notice and the notice's day, the opposite order to the purge's. The
// bounce is held (a trigger) after it locked the delivery: had the purge
// locked the notice and deleted it, its cascade would wait for the
// delivery while the bounce waits for the notice, a deadlock. The purge
// skips the notices of deliveries another transaction holds instead: it
// ends without waiting, the bounce marks the delivery and the next purge
// deletes the notice.
func TestBouncePurge(t *testing.T) {
	t0 := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
	clk := &notifyClock{t: t0}
	storetest.EachOpts(t, storetest.Options{Now: clk.Now}, func(t *testing.T, s *store.Store) {
		ctx, e := pgNotifyEnv(t, s, clk, t0)
		ho := e.orgs["Hosting"].ID
		e.ingest(t, false, notifySighting(ho, e.trig, "198.51.100.1", 443, finding.High, t0.AddDate(-3, 0, 0)))
		var fid int64
		if err := s.QueryRow(ctx, `SELECT id FROM findings`).Scan(&fid); err != nil {
			t.Fatal(err)
		}
		old := oldNotice(t, s, ho, fid, t0.AddDate(-3, 0, 0))
		var delivery int64
		if err := s.QueryRow(ctx, `SELECT id FROM outbox WHERE notice_id = ?`, old).Scan(&delivery); err != nil {
			t.Fatal(err)
		}
		open := gate(t, s, "hold_bounce", "UPDATE", "outbox", fmt.Sprintf("OLD.id = %d", delivery))
		purgeBeside(ctx, t, s, open, t0.AddDate(-2, 0, 0), "bounce", func() error {
			_, _, err := s.OutboxBounce(ctx, notify.BounceEvent{Address: "cert@hosting.example", Returned: true, Source: "dsn", At: t0})
			return err
		})
		var n int
		if err := s.QueryRow(ctx, `SELECT deliveries_bounced FROM notices WHERE id = ?`, old).Scan(&n); err != nil || n != 1 {
			t.Errorf("the old notice: %d deliveries bounced, %v; want it kept with 1", n, err)
		}
		if _, err := s.RetentionPurge(ctx, privacy.Cutoffs{Notices: t0.AddDate(-2, 0, 0)}); err != nil {
			t.Fatal(err)
		}
		if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM notices WHERE id = ?`, old).Scan(&n); err != nil || n != 0 {
			t.Errorf("the old notice after the next purge: %d left, %v", n, err)
		}
	})
}
