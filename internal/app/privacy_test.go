// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/ingest"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/privacy"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// seedPerson puts the address of Anna (and, for contrast, of her colleague
// Bram) in every table that can hold it: contacts of two organisations,
// deliveries of notices, a reply, a bounce record, a portal account,
// calls of the call list (about a warning she was sent, naming her in the
// note, made by her, and one about neither) and audit entries.
func seedPerson(t *testing.T, s *store.Store) {
	t.Helper()
	ctx := context.Background()
	for _, o := range []registry.Org{
		{Name: "Ziekenhuis Midden", Contacts: []registry.Contact{{Name: "Anna de Vries", Email: "anna@ziekenhuis.example", Phone: "+31201234567", Role: "security"},
			{Name: "Bram Jansen", Email: "bram@ziekenhuis.example", Role: "technical"}}},
		{Name: "Gemeente Voorbeeld", Contacts: []registry.Contact{{Name: "A. de Vries", Email: "Anna@Ziekenhuis.example", Role: "abuse"}}},
	} {
		if err := s.OrgCreate(ctx, tenant.Operator(), &o); err != nil {
			t.Fatal(err)
		}
	}
	var org int64
	if err := s.QueryRow(ctx, `SELECT id FROM orgs WHERE name = 'Ziekenhuis Midden'`).Scan(&org); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for i, to := range []string{"anna@ziekenhuis.example", "anna@ziekenhuis.example", "bram@ziekenhuis.example"} {
		id := int64(9001 + i)
		exec(`INSERT INTO notices (id, org_id, kind, payload, created_at, acked_by) VALUES (?, ?, 'immediate', '{}', ?, ?)`, id, org, at, to)
		exec(`INSERT INTO outbox (notice_id, channel, recipient, idem_key, state, next_attempt_at, created_at, sent_at, updated_at)
VALUES (?, 'email', ?, ?, 'sent', ?, ?, ?, ?)`, id, to, "k"+to+string(rune('a'+i)), at, at, at, at)
	}
	exec(`INSERT INTO notice_replies (notice_id, org_id, message_id, from_addr, subject, body, source, received_at) VALUES (9001, ?, '<r1@z>', 'anna@ziekenhuis.example', 'RE: warning', 'Patched, Anna', 'smtp', ?)`, org, at)
	exec(`INSERT INTO notice_replies (notice_id, org_id, message_id, from_addr, subject, body, source, received_at) VALUES (9003, ?, '<r2@z>', 'bram@ziekenhuis.example', 'RE: warning', 'Done, Bram', 'smtp', ?)`, org, at)
	exec(`INSERT INTO bounces (address, source, detail, created_at) VALUES ('anna@ziekenhuis.example', 'dsn', '550 user unknown', ?)`, at)
	exec(`INSERT INTO bounces (address, source, detail, created_at) VALUES ('bram@ziekenhuis.example', 'dsn', '552 mailbox full', ?)`, at)
	for _, u := range []string{"anna@ziekenhuis.example", "bram@ziekenhuis.example"} {
		exec(`INSERT INTO users (email, name, password_hash, created_at) VALUES (?, 'someone', 'argon2id$x', ?)`, u, at)
	}
	var other int64
	if err := s.QueryRow(ctx, `SELECT id FROM orgs WHERE name = 'Gemeente Voorbeeld'`).Scan(&other); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{9101, 9102, 9103} {
		exec(`INSERT INTO notices (id, org_id, kind, payload, created_at, state) VALUES (?, ?, 'immediate', '{}', ?, 'escalated')`, id, other, at)
	}
	for _, c := range []struct {
		notice               int64
		outcome, note, actor string
	}{
		{9001, "reached", "Spoke to Anna: patching tonight", "analyst@cert.example"},             // sent to her, her organisation's number
		{9101, "no_answer", "ask for anna@ziekenhuis.example next time", "analyst@cert.example"}, // her address in the note
		{9102, "wrong_number", "number is a fax", "anna@ziekenhuis.example"},                     // she called
		{9103, "left_message", "left a message with the desk", "analyst@cert.example"},           // about neither
	} {
		exec(`INSERT INTO call_outcomes (notice_id, outcome, note, actor, created_at) VALUES (?, ?, ?, ?, ?)`, c.notice, c.outcome, c.note, c.actor, at)
	}
	for _, e := range []account.AuditEntry{
		{Actor: "anna@ziekenhuis.example", Action: "login", At: at},
		{Actor: "admin@cert.example", Action: "contact.add", OrgID: org, Object: "contact anna@ziekenhuis.example", Detail: "added anna@ziekenhuis.example as security", At: at},
		{Actor: "bram@ziekenhuis.example", Action: "login", At: at},
	} {
		if err := s.AuditAdd(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
}

// tableCounts counts the rows statistics are made of.
func tableCounts(t *testing.T, s *store.Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, q := range []string{"notices", "outbox", "notice_replies", "bounces", "users", "call_outcomes", "audit_log WHERE action NOT LIKE 'privacy.%'"} {
		var n int
		if err := s.QueryRow(context.Background(), `SELECT COUNT(*) FROM `+q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[q] = n
	}
	return out
}

// TestPrivacyExportErase exports everything held about a person, erases
// it, and checks that a second export holds nothing, that the colleague's
// data is untouched, that the counts statistics need are unchanged and that
// both actions are in the audit log without the address.
func TestPrivacyExportErase(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		seedPerson(t, s)
		x := newApp(t, s, nil)
		bram, err := x.PrivacyExport(ctx, "dpo", "bram@ziekenhuis.example")
		if err != nil {
			t.Fatal(err)
		}
		e, err := x.PrivacyExport(ctx, "dpo", " ANNA@ziekenhuis.example ")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{"contacts": len(e.Contacts), "notices": len(e.Notices), "replies": len(e.Replies), "bounces": len(e.Bounces), "accounts": len(e.Accounts), "calls": len(e.Calls), "audit": len(e.Audit)}
		want := map[string]int{"contacts": 2, "notices": 2, "replies": 1, "bounces": 1, "accounts": 1, "calls": 3, "audit": 2}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("export: %d %s, want %d (%+v)", got[k], k, n, e)
			}
		}
		if !e.Suppressed || e.Contacts[0].Phone != "+31201234567" || e.Replies[0].Body != "Patched, Anna" || e.Contacts[1].OrgName != "Gemeente Voorbeeld" {
			t.Errorf("export misses details: %+v", e)
		}
		if len(e.Calls) == 3 && (e.Calls[0].Note != "Spoke to Anna: patching tonight" || e.Calls[0].Outcome != "reached" || e.Calls[0].NoticeID != 9001 ||
			e.Calls[1].NoticeID != 9101 || e.Calls[2].Actor != "anna@ziekenhuis.example" || e.Calls[2].Note != "number is a fax") {
			t.Errorf("export's calls: %+v", e.Calls)
		}
		if len(bram.Calls) != 0 {
			t.Errorf("the colleague (no telephone number, sent none of the warnings called about) has calls: %+v", bram.Calls)
		}
		unrelated := func() string {
			t.Helper()
			var note, actor string
			if err := s.QueryRow(ctx, `SELECT note, actor FROM call_outcomes WHERE notice_id = 9103`).Scan(&note, &actor); err != nil {
				t.Fatal(err)
			}
			return note + " / " + actor
		}
		control := unrelated()
		before := tableCounts(t, s)
		out, err := x.PrivacyErase(ctx, "dpo", "anna@ziekenhuis.example")
		if err != nil {
			t.Fatal(err)
		}
		if out.Contacts != 2 || out.Notices != 2 || out.Replies != 1 || out.Bounces != 1 || out.Accounts != 1 || out.Calls != 3 || out.Audit != 2 {
			t.Errorf("erase counted %+v", out)
		}
		if after := tableCounts(t, s); !equalCounts(before, after) {
			t.Errorf("counts changed by the erasure: before %v, after %v", before, after)
		}
		again, err := x.PrivacyExport(ctx, "dpo", "anna@ziekenhuis.example")
		if err != nil {
			t.Fatal(err)
		}
		if !again.Empty() {
			t.Errorf("export after erasure still holds data: %+v", again)
		}
		pseudo, err := x.PrivacyExport(ctx, "dpo", out.Pseudonym)
		if err != nil {
			t.Fatal(err)
		}
		if len(pseudo.Contacts) != 0 || len(pseudo.Notices) != 2 || pseudo.Replies[0].Body != "" || pseudo.Accounts[0].Name != "" {
			t.Errorf("pseudonymised rows: %+v", pseudo)
		}
		// The call about a warning sent to her keeps its outcome with the
		// note emptied (found again through the pseudonymised delivery);
		// the one she made keeps its note under the pseudonym; the one
		// naming her is emptied; the unrelated one is as it was.
		if len(pseudo.Calls) != 2 || pseudo.Calls[0].NoticeID != 9001 || pseudo.Calls[0].Note != "" || pseudo.Calls[0].Outcome != "reached" ||
			pseudo.Calls[1].NoticeID != 9102 || pseudo.Calls[1].Actor != out.Pseudonym || pseudo.Calls[1].Note != "number is a fax" {
			t.Errorf("pseudonymised calls: %+v", pseudo.Calls)
		}
		var named string
		if err := s.QueryRow(ctx, `SELECT note FROM call_outcomes WHERE notice_id = 9101`).Scan(&named); err != nil || named != "" {
			t.Errorf("the note naming her is %q (%v); want it emptied", named, err)
		}
		if got := unrelated(); got != control {
			t.Errorf("the unrelated call changed: %q, was %q", got, control)
		}
		bram2, err := x.PrivacyExport(ctx, "dpo", "bram@ziekenhuis.example")
		if err != nil {
			t.Fatal(err)
		}
		if b1, b2 := mustJSON(t, bram), mustJSON(t, bram2); b1 != b2 {
			t.Errorf("the colleague's data changed:\n%s\n%s", b1, b2)
		}
		log, err := s.AuditList(ctx, keyset.Page{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, l := range log {
			if strings.HasPrefix(l.Action, "privacy.") {
				actions[l.Action]++
				if l.Actor != "dpo" || strings.Contains(l.Object+l.Detail, "anna") || !strings.HasPrefix(l.Object, "contact:") {
					t.Errorf("audit entry %+v", l)
				}
			}
		}
		if actions["privacy.export"] != 5 || actions["privacy.erase"] != 1 {
			t.Errorf("audit actions %v", actions)
		}
		if _, err := x.PrivacyErase(ctx, "dpo", "not an address"); err == nil {
			t.Error("erase of a non-address succeeded")
		}
	})
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPurgeRetention seeds, per kind, rows a day inside and a day past its
// retention period (and bounces with retention off) and checks that the
// purge deletes exactly the rows past their period.
func TestPurgeRetention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := registry.Org{Name: "Ziekenhuis Midden"}
		if err := s.OrgCreate(ctx, tenant.Operator(), &o); err != nil {
			t.Fatal(err)
		}
		now := s.Now()
		ago := func(days int) time.Time { return now.AddDate(0, 0, -days) }
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := s.Exec(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		// Notices: 30 days. 9001 is kept, 9002 goes (with its reply).
		for id, age := range map[int64]int{9001: 29, 9002: 31} {
			exec(`INSERT INTO notices (id, org_id, kind, payload, created_at) VALUES (?, ?, 'immediate', '{}', ?)`, id, o.ID, ago(age))
		}
		// Replies: 10 days; on the kept notice 8 days (kept) and 12 (goes),
		// on the old notice 1 day (goes with it).
		for i, r := range []struct {
			notice int64
			age    int
		}{{9001, 8}, {9001, 12}, {9002, 1}} {
			exec(`INSERT INTO notice_replies (notice_id, org_id, message_id, from_addr, received_at) VALUES (?, ?, ?, 'a@z.example', ?)`, r.notice, o.ID, string(rune('a'+i)), ago(r.age))
		}
		// Bounces: retention off, none goes however old.
		for _, age := range []int{1, 400, 4000} {
			exec(`INSERT INTO bounces (address, source, created_at) VALUES ('a@z.example', 'dsn', ?)`, ago(age))
		}
		// Audit: 40 days.
		for _, age := range []int{39, 41, 41} {
			if err := s.AuditAdd(ctx, account.AuditEntry{Actor: "admin", Action: "org.update", At: ago(age)}); err != nil {
				t.Fatal(err)
			}
		}
		x := newApp(t, s, func(c *config.Config) {
			c.Retention = config.Retention{NoticesDays: 30, RepliesDays: 10, BouncesDays: 0, AuditDays: 40}
		})
		got, err := x.PurgeRetention(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := (privacy.Purged{Notices: 1, Replies: 1, Bounces: 0, Audit: 2}); got != want {
			t.Errorf("purged %+v, want %+v", got, want)
		}
		for q, want := range map[string]int{
			`SELECT COUNT(*) FROM notices WHERE id = 9001`:                    1,
			`SELECT COUNT(*) FROM notices`:                                    1,
			`SELECT COUNT(*) FROM notice_replies`:                             1,
			`SELECT COUNT(*) FROM bounces`:                                    3,
			`SELECT COUNT(*) FROM audit_log WHERE action = 'org.update'`:      1,
			`SELECT COUNT(*) FROM audit_log WHERE action = 'retention.purge'`: 1,
		} {
			var n int
			if err := s.QueryRow(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != want {
				t.Errorf("%s: %d, want %d", q, n, want)
			}
		}
		// A second purge finds nothing more.
		if again, err := x.PurgeRetention(ctx); err != nil || again != (privacy.Purged{}) {
			t.Errorf("second purge: %+v, %v", again, err)
		}
	})
}

// TestPurgeUnconfirmedSignups signs up accounts at several times and checks
// that the purge deletes exactly those never confirmed whose newest
// confirmation link expired more than retention.signups_days ago, keeps
// their audit entries (without the account), and counts them in its own
// audit entry.
func TestPurgeUnconfirmedSignups(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := registry.Org{Name: "Ziekenhuis Midden"}
		if err := s.OrgCreate(ctx, tenant.Operator(), &o); err != nil {
			t.Fatal(err)
		}
		now := s.Now()
		at := now
		svc := &account.Service{Store: s, Now: func() time.Time { return at }, Hash: func(pw string) string { return "plain:" + pw },
			Verify: func(h, pw string) bool { return h == "plain:"+pw }}
		signUp := func(email string, daysAgo int) account.SignUp {
			t.Helper()
			at = now.AddDate(0, 0, -daysAgo)
			su, err := svc.SignUp(ctx, account.NewUser{Email: email, Password: "a long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			return su
		}
		// The link lives a day; the grace is 7 days after it.
		gone := signUp("gone@example.org", 10) // expired 9 days ago
		signUp("recent@example.org", 5)        // expired 4 days ago
		signUp("again@example.org", 10)        // signed up again:
		signUp("again@example.org", 2)         // the newest link expired a day ago
		confirmed := signUp("confirmed@example.org", 10)
		if _, err := svc.Confirm(ctx, confirmed.Secret, "a long enough password", false); err != nil {
			t.Fatal(err)
		}
		member := signUp("invited@example.org", 10) // a member since: kept
		if err := s.MembershipSet(ctx, member.User.ID, o.ID, account.RoleMember); err != nil {
			t.Fatal(err)
		}
		if err := s.AuditAdd(ctx, account.AuditEntry{UserID: gone.User.ID, Actor: gone.User.Email, Action: "signup", At: now.AddDate(0, 0, -10)}); err != nil {
			t.Fatal(err)
		}

		x := newApp(t, s, func(c *config.Config) { c.Retention = config.Retention{SignupsDays: 7} })
		got, err := x.PurgeRetention(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := (privacy.Purged{Signups: 1}); got != want {
			t.Errorf("purged %+v, want %+v", got, want)
		}
		us, err := s.UserList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var left []string
		for _, u := range us {
			left = append(left, u.Email)
		}
		if want := "again@example.org confirmed@example.org invited@example.org recent@example.org"; strings.Join(left, " ") != want {
			t.Errorf("accounts left: %v; want %s", left, want)
		}
		for q, want := range map[string]int{
			`SELECT COUNT(*) FROM audit_log WHERE action = 'signup' AND user_id IS NULL`:                    1,
			`SELECT COUNT(*) FROM audit_log WHERE action = 'retention.purge' AND detail LIKE '%signups=1%'`: 1,
			`SELECT COUNT(*) FROM account_tokens WHERE user_id IS NULL OR email = 'gone@example.org'`:       0,
		} {
			var n int
			if err := s.QueryRow(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != want {
				t.Errorf("%s: %d, want %d", q, n, want)
			}
		}
		if again, err := x.PurgeRetention(ctx); err != nil || again != (privacy.Purged{}) {
			t.Errorf("second purge: %+v, %v", again, err)
		}
		// Retention off: nothing goes, however old.
		signUp("old@example.org", 400)
		off := newApp(t, s, func(c *config.Config) { c.Retention = config.Retention{} })
		if got, err := off.PurgeRetention(ctx); err != nil || got != (privacy.Purged{}) {
			t.Errorf("purge with signups_days 0: %+v, %v", got, err)
		}
	})
}

// TestPurgeKeepsUnfinished seeds notices past their retention period in
// every state of their deliveries, beside a report's events not composed
// yet and an item held for a digest, and checks that the purge deletes
// only the notices composition and delivery are done with: a notice with a
// delivery pending, being sent, failed and to be retried or of unknown
// outcome, or on the call list, is kept (counted as kept), and so are the
// events, the findings and the held item; a composition afterwards still
// composes every event.
func TestPurgeKeepsUnfinished(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		registerHospital(t, s)
		var org, fid int64
		if err := s.QueryRow(ctx, `SELECT org_id, id FROM findings ORDER BY id LIMIT 1`).Scan(&org, &fid); err != nil {
			t.Fatal(err)
		}
		events, findings := countRows(t, s, `SELECT COUNT(*) FROM finding_events`), countRows(t, s, `SELECT COUNT(*) FROM findings`)
		now := s.Now()
		old, young := now.AddDate(0, 0, -40), now.AddDate(0, 0, -10)
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := s.Exec(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		for _, n := range []struct {
			id       int64
			state    string
			created  time.Time
			delivery []string // its outbox rows' states
			kept     bool
		}{
			{9001, "open", old, []string{"sent"}, false},
			{9002, "open", old, []string{"dead"}, false},
			{9003, "acknowledged", old, []string{"suppressed"}, false},
			{9004, "resolved", old, []string{"sent", "dead"}, false},
			{9005, "open", old, []string{"pending"}, true},
			{9006, "open", old, []string{"sending"}, true},
			{9007, "open", old, []string{"failed"}, true},
			{9008, "open", old, []string{"unknown"}, true},
			{9009, "acknowledged", old, []string{"sent", "unknown"}, true},
			{9010, "escalated", old, nil, true}, // could be sent to nobody: on the call list
			{9011, "open", young, []string{"pending"}, true},
		} {
			exec(`INSERT INTO notices (id, org_id, kind, state, payload, created_at) VALUES (?, ?, 'immediate', ?, '{}', ?)`, n.id, org, n.state, n.created)
			exec(`INSERT INTO notice_items (org_id, finding_id, trigger_id, kind, severity, created_at, notice_id)
SELECT org_id, id, trigger_id, 'new', severity, ?, ? FROM findings WHERE id = ?`, n.created, n.id, fid)
			for i, st := range n.delivery {
				exec(`INSERT INTO outbox (notice_id, channel, recipient, idem_key, state, next_attempt_at, created_at, updated_at)
VALUES (?, 'email', 'soc@ziekenhuis.example', ?, ?, ?, ?, ?)`, n.id, fmt.Sprintf("k%d-%d", n.id, i), st, n.created, n.created, n.created)
			}
			defer func() {
				got := countRows(t, s, fmt.Sprintf(`SELECT COUNT(*) FROM notices WHERE id = %d`, n.id)) == 1
				if got != n.kept {
					t.Errorf("notice %d (%s, deliveries %v): kept %t, want %t", n.id, n.state, n.delivery, got, n.kept)
				}
				if got && countRows(t, s, fmt.Sprintf(`SELECT COUNT(*) FROM outbox WHERE notice_id = %d`, n.id)) != len(n.delivery) {
					t.Errorf("notice %d kept without its deliveries", n.id)
				}
			}()
		}
		// An item held for the organisation's next digest.
		exec(`INSERT INTO notice_items (org_id, finding_id, trigger_id, kind, severity, created_at)
SELECT org_id, id, trigger_id, 'new', severity, ? FROM findings WHERE id = ?`, old, fid)

		x := newApp(t, s, func(c *config.Config) { c.Retention = config.Retention{NoticesDays: 30} })
		got, err := x.PurgeRetention(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := (privacy.Purged{Notices: 4, NoticesKept: 6}); got != want {
			t.Errorf("purged %+v, want %+v", got, want)
		}
		if n := countRows(t, s, `SELECT COUNT(*) FROM notice_items WHERE notice_id IS NULL`); n != 1 {
			t.Errorf("%d held items after the purge, want 1", n)
		}
		if e, f := countRows(t, s, `SELECT COUNT(*) FROM finding_events`), countRows(t, s, `SELECT COUNT(*) FROM findings`); e != events || f != findings {
			t.Errorf("events %d, findings %d after the purge; want %d, %d", e, f, events, findings)
		}
		res, err := x.NotifyRun(ctx, app.NotifyRunOptions{EscalateAfter: notify.DefaultEscalateAfter})
		if err != nil || res.Composed.Events != events {
			t.Errorf("composition after the purge: %d events, %v; want %d", res.Composed.Events, err, events)
		}
	})
}

// TestPurgeRetentionAuditInTx purges while the database refuses audit
// entries and then while it takes them, on both engines: refused, nothing
// is purged (the entry is written in the purge's transaction, so a crash
// between them cannot leave a purge without its line); taken, the old
// notice is gone and one retention.purge entry gives the counts.
func TestPurgeRetentionAuditInTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := registry.Org{Name: "Ziekenhuis Midden"}
		if err := s.OrgCreate(ctx, tenant.Operator(), &o); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Exec(ctx, `INSERT INTO notices (id, org_id, kind, payload, created_at) VALUES (9001, ?, 'immediate', '{}', ?)`, o.ID, s.Now().AddDate(0, 0, -31)); err != nil {
			t.Fatal(err)
		}
		x := newApp(t, s, func(c *config.Config) { c.Retention = config.Retention{NoticesDays: 30} })
		allow := refuseAudit(t, s)
		if _, err := x.PurgeRetention(ctx); err == nil {
			t.Error("purge with the audit entry refused: no error")
		}
		allow()
		if n := countRows(t, s, `SELECT COUNT(*) FROM notices`); n != 1 {
			t.Errorf("%d notices after a purge whose audit entry was refused, want 1", n)
		}
		if _, err := x.PurgeRetention(ctx); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, s, `SELECT COUNT(*) FROM notices`); n != 0 {
			t.Errorf("%d notices after the purge, want 0", n)
		}
		if n := countRows(t, s, `SELECT COUNT(*) FROM audit_log WHERE action = 'retention.purge' AND detail LIKE 'notices=1 notices_kept=0 %'`); n != 1 {
			t.Errorf("%d retention.purge entries counting the notice, want 1", n)
		}
	})
}

// TestPrivacyEraseAuditInTx: an erasure whose audit entry is refused
// erases nothing; allowed, it erases the contact and leaves one entry.
func TestPrivacyEraseAuditInTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := registry.Org{Name: "Ziekenhuis Midden", Contacts: []registry.Contact{{Email: "soc@ziekenhuis.example", Role: "security"}}}
		if err := s.OrgCreate(ctx, tenant.Operator(), &o); err != nil {
			t.Fatal(err)
		}
		x := newApp(t, s, nil)
		allow := refuseAudit(t, s)
		if _, err := x.PrivacyErase(ctx, "dpo", "soc@ziekenhuis.example"); err == nil {
			t.Error("erasure with the audit entry refused: no error")
		}
		allow()
		if n := countRows(t, s, `SELECT COUNT(*) FROM contacts`); n != 1 {
			t.Errorf("%d contacts after an erasure whose audit entry was refused, want 1", n)
		}
		out, err := x.PrivacyErase(ctx, "dpo", "soc@ziekenhuis.example")
		if err != nil || out.Contacts != 1 {
			t.Fatalf("erase = %+v, %v; want 1 contact", out, err)
		}
		if n := countRows(t, s, `SELECT COUNT(*) FROM contacts`); n != 0 {
			t.Errorf("%d contacts after the erasure, want 0", n)
		}
		if n := countRows(t, s, `SELECT COUNT(*) FROM audit_log WHERE action = 'privacy.erase' AND detail LIKE 'contacts=1 %'`); n != 1 {
			t.Errorf("%d privacy.erase entries counting the contact, want 1", n)
		}
	})
}

// TestPurgeKeepsQuietInterval warns an organisation whose quiet interval
// (renotify_after 60 days) outlasts the notices' retention (30 days) about
// a finding, purges 40 days later, and then sees the finding again
// (resolved by a full report without it, reopened by the next): the purge
// keeps the notice (counted as kept), so the organisation is not warned
// again within the interval; a purge after the interval deletes it, and
// the finding seen again then warns once more.
func TestPurgeKeepsQuietInterval(t *testing.T) {
	clk := newClock(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
	storetest.EachOpts(t, storetest.Options{Now: clk.now}, func(t *testing.T, s *store.Store) {
		clk.set(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC))
		ctx := context.Background()
		o := registry.Org{Name: "Ziekenhuis Midden", Policy: registry.Policy{Mode: "immediate", RenotifyAfter: "1440h"},
			Assets:   []registry.Asset{{Kind: registry.KindCIDR, Value: "198.51.100.0/25"}},
			Contacts: []registry.Contact{{Email: "soc@ziekenhuis.example", Role: "security"}}}
		if err := s.OrgCreate(ctx, tenant.Operator(), &o); err != nil {
			t.Fatal(err)
		}
		x := newApp(t, s, func(c *config.Config) {
			c.Notify.SMTPURL = "sink:"
			c.Retention = config.Retention{NoticesDays: 30}
		})
		report := func(seen bool) {
			t.Helper()
			csv := `"timestamp","severity","ip","protocol","port","hostname","tag","asn","geo","region","city","naics","hostname_source","sector","version","servername","url"` + "\n"
			// High, not critical: a critical warning unacknowledged goes on
			// the call list, which the purge keeps for its own reason. An
			// address no organisation registered keeps the report readable
			// (an empty one resolves nothing).
			ips := []string{"203.0.113.9"}
			if seen {
				ips = append(ips, "198.51.100.37")
			}
			for _, ip := range ips {
				csv += fmt.Sprintf(`"%s","high","%s","tcp",443,,"exchange;cve-2021-26855",64498,"NL","UTRECHT","UTRECHT",622110,,"Healthcare","15.1.2507.6","EXCH00",`+"\n",
					clk.now().Format("2006-01-02 15:04:05"), ip)
			}
			ix, err := ingest.BuildIndex(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ingest.Feed(ctx, s, ix, strings.NewReader(csv), ingest.Options{Name: clk.now().Format("2006-01-02") + "-scan_exchange-vigil_test-asn.csv", FullReport: true}); err != nil {
				t.Fatal(err)
			}
		}
		warn := func() int {
			t.Helper()
			res, err := x.NotifyRun(ctx, app.NotifyRunOptions{EscalateAfter: notify.DefaultEscalateAfter})
			if err != nil {
				t.Fatal(err)
			}
			if res.Delivery == nil || res.Delivery.Sent != res.Composed.Notices {
				t.Fatalf("run %+v: every notice is sent at once", res)
			}
			return res.Composed.Notices
		}
		report(true)
		if n := warn(); n != 1 {
			t.Fatalf("%d notices of the first report, want 1", n)
		}
		for _, step := range []struct {
			days   int
			purged privacy.Purged
			warned int // notices when the finding is seen again
		}{
			{40, privacy.Purged{NoticesKept: 1}, 0}, // within the quiet interval: no second warning
			{21, privacy.Purged{Notices: 1}, 1},     // 61 days on: the notice goes, the finding warns again
		} {
			clk.add(time.Duration(step.days) * 24 * time.Hour)
			day := clk.now().Format(time.DateOnly)
			got, err := x.PurgeRetention(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got != step.purged {
				t.Errorf("%s: purged %+v, want %+v", day, got, step.purged)
			}
			report(false)
			report(true)
			if n := warn(); n != step.warned {
				t.Errorf("%s: %d notices when the finding is seen again, want %d", day, n, step.warned)
			}
		}
		var n int
		if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM notices WHERE org_id = ?`, o.ID).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d notices at the end (%v), want the last one", n, err)
		}
	})
}

// countRows runs a COUNT query q on s, failing t on an error.
func countRows(t *testing.T, s *store.Store, q string) int {
	t.Helper()
	var n int
	if err := s.QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
