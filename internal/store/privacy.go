// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"vigil/internal/privacy"
)

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// auditNames is the condition of the audit entries naming an address.
const auditNames = `(lower(actor) = ? OR lower(object) LIKE ? ESCAPE '\' OR lower(detail) LIKE ? ESCAPE '\')`

// callAbout is the condition of the call outcomes (call_outcomes, table
// name in full) about a person's warnings: the warning was delivered to
// the address, its organisation has the address as a contact with a
// telephone number (the call list offers every such number of the
// organisation, so the call may have reached the person), or the call's
// note names the address. Its arguments are callAboutArgs'.
const callAbout = `(lower(call_outcomes.note) LIKE ? ESCAPE '\' OR EXISTS (SELECT 1 FROM outbox x WHERE x.notice_id = call_outcomes.notice_id AND lower(x.recipient) = ?)
 OR EXISTS (SELECT 1 FROM notices n JOIN contacts k ON k.org_id = n.org_id WHERE n.id = call_outcomes.notice_id AND lower(k.email) = ? AND k.phone <> ''))`

// callAboutArgs are the arguments of callAbout for the address.
func callAboutArgs(email string) []any {
	return []any{"%" + likeEscape(email) + "%", email, email}
}

// PrivacyExport returns everything held about the person with the e-mail
// address email (normalised, see privacy.Normalize) across every
// organisation: contact rows, notices sent to the address, replies from
// it, bounce records (the suppression list), portal accounts, the call
// list's outcomes and notes of calls about warnings to the address or
// its organisations (callAbout) or made by it, and audit entries naming
// it. Operator only.
func (s *Store) PrivacyExport(ctx context.Context, email string) (privacy.Export, error) {
	e := privacy.Export{Email: email, Contacts: []privacy.Contact{}, Notices: []privacy.Delivery{}, Replies: []privacy.Reply{},
		Bounces: []privacy.Bounce{}, Accounts: []privacy.Account{}, Calls: []privacy.CallNote{}, Audit: []privacy.AuditEntry{}}
	like := "%" + likeEscape(email) + "%"
	steps := []struct {
		what string
		q    string
		args []any
		scan func(*sql.Rows) error
	}{
		{"contacts", `SELECT c.id, c.org_id, o.name, c.name, c.email, c.phone, c.role, c.lang, c.verified, c.bounced_at, c.created_at
FROM contacts c JOIN orgs o ON o.id = c.org_id WHERE lower(c.email) = ? ORDER BY c.id`, []any{email}, func(r *sql.Rows) error {
			var c privacy.Contact
			var b sql.NullTime
			if err := r.Scan(&c.ID, &c.OrgID, &c.OrgName, &c.Name, &c.Email, &c.Phone, &c.Role, &c.Lang, &c.Verified, &b, &c.CreatedAt); err != nil {
				return err
			}
			c.BouncedAt, c.CreatedAt, c.OrgName = timePtr(b), c.CreatedAt.UTC(), shownName(c.OrgName)
			e.Contacts = append(e.Contacts, c)
			return nil
		}},
		{"notices", `SELECT n.id, COALESCE(n.org_id, 0), n.kind, x.channel, x.recipient, x.state, x.created_at, x.sent_at
FROM outbox x JOIN notices n ON n.id = x.notice_id WHERE lower(x.recipient) = ? ORDER BY x.id`, []any{email}, func(r *sql.Rows) error {
			var d privacy.Delivery
			var sent sql.NullTime
			if err := r.Scan(&d.NoticeID, &d.OrgID, &d.Kind, &d.Channel, &d.Recipient, &d.State, &d.CreatedAt, &sent); err != nil {
				return err
			}
			d.SentAt, d.CreatedAt = timePtr(sent), d.CreatedAt.UTC()
			e.Notices = append(e.Notices, d)
			return nil
		}},
		{"replies", `SELECT id, notice_id, from_addr, subject, body, received_at FROM notice_replies WHERE lower(from_addr) = ? ORDER BY id`, []any{email}, func(r *sql.Rows) error {
			var p privacy.Reply
			if err := r.Scan(&p.ID, &p.NoticeID, &p.From, &p.Subject, &p.Body, &p.ReceivedAt); err != nil {
				return err
			}
			p.ReceivedAt = p.ReceivedAt.UTC()
			e.Replies = append(e.Replies, p)
			return nil
		}},
		{"bounces", `SELECT id, address, source, detail, created_at FROM bounces WHERE lower(address) = ? ORDER BY id`, []any{email}, func(r *sql.Rows) error {
			var b privacy.Bounce
			if err := r.Scan(&b.ID, &b.Address, &b.Source, &b.Detail, &b.CreatedAt); err != nil {
				return err
			}
			b.CreatedAt = b.CreatedAt.UTC()
			e.Bounces = append(e.Bounces, b)
			e.Suppressed = true
			return nil
		}},
		{"suppression list", `SELECT how FROM suppressions WHERE address = ?`, []any{email}, func(r *sql.Rows) error {
			var how string
			e.Suppressed = true
			return r.Scan(&how)
		}},
		{"accounts", `SELECT id, email, name, lang, role, disabled, created_at, last_login FROM users WHERE lower(email) = ? ORDER BY id`, []any{email}, func(r *sql.Rows) error {
			var a privacy.Account
			var last sql.NullTime
			if err := r.Scan(&a.ID, &a.Email, &a.Name, &a.Lang, &a.Role, &a.Disabled, &a.CreatedAt, &last); err != nil {
				return err
			}
			a.LastLogin, a.CreatedAt = timePtr(last), a.CreatedAt.UTC()
			e.Accounts = append(e.Accounts, a)
			return nil
		}},
		{"call notes", `SELECT call_outcomes.id, call_outcomes.notice_id, COALESCE(n.org_id, 0), call_outcomes.outcome, call_outcomes.note, call_outcomes.actor, call_outcomes.created_at
FROM call_outcomes JOIN notices n ON n.id = call_outcomes.notice_id WHERE lower(call_outcomes.actor) = ? OR ` + callAbout + ` ORDER BY call_outcomes.id`,
			append([]any{email}, callAboutArgs(email)...), func(r *sql.Rows) error {
				var c privacy.CallNote
				if err := r.Scan(&c.ID, &c.NoticeID, &c.OrgID, &c.Outcome, &c.Note, &c.Actor, &c.At); err != nil {
					return err
				}
				c.At = c.At.UTC()
				e.Calls = append(e.Calls, c)
				return nil
			}},
		{"audit entries", `SELECT id, at, actor, action, COALESCE(org_id, 0), object, detail FROM audit_log WHERE ` + auditNames + ` ORDER BY id`, []any{email, like, like}, func(r *sql.Rows) error {
			var a privacy.AuditEntry
			if err := r.Scan(&a.ID, &a.At, &a.Actor, &a.Action, &a.OrgID, &a.Object, &a.Detail); err != nil {
				return err
			}
			a.At = a.At.UTC()
			e.Audit = append(e.Audit, a)
			return nil
		}},
	}
	for _, st := range steps {
		rows, err := s.Query(ctx, st.q, st.args...)
		if err != nil {
			return e, fmt.Errorf("privacy export: %s: %w", st.what, err)
		}
		for rows.Next() {
			if err := st.scan(rows); err != nil {
				rows.Close()
				return e, fmt.Errorf("privacy export: %s: %w", st.what, err)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return e, fmt.Errorf("privacy export: %s: %w", st.what, err)
		}
	}
	return e, nil
}

// PrivacyErase erases the person with the e-mail address email in one
// transaction: their contact rows are deleted (the deliveries that named
// them keep their counts), the notes of the call list's calls about their
// warnings (callAbout, found before the contacts and deliveries change)
// are emptied, and every other row that names the address — deliveries,
// replies (subject and body emptied), bounce records, portal accounts
// (disabled, secrets cleared), the caller of a call they made, audit
// entries — gets pseudonym instead, so counts and statistics stay as they
// were (a call keeps its outcome and time). It changes nothing before
// auditUnlock, which the retention purge also takes first, so the two run
// one after the other. Operator only.
func (s *Store) PrivacyErase(ctx context.Context, email, pseudonym string) (privacy.Erased, error) {
	out := privacy.Erased{Pseudonym: pseudonym}
	like := "%" + likeEscape(email) + "%"
	err := s.Tx(ctx, func(tx *Store) error {
		if err := tx.auditUnlock(ctx, "privacy erase"); err != nil {
			return err
		}
		defer tx.auditLock(ctx)
		steps := []struct {
			what string
			n    *int64
			q    string
			args []any
		}{
			{"call notes", &out.Calls, `UPDATE call_outcomes SET note = CASE WHEN ` + callAbout + ` THEN '' ELSE note END,
actor = CASE WHEN lower(actor) = ? THEN ? ELSE actor END WHERE lower(actor) = ? OR ` + callAbout,
				slices.Concat(callAboutArgs(email), []any{email, pseudonym, email}, callAboutArgs(email))},
			{"contacts", &out.Contacts, `DELETE FROM contacts WHERE lower(email) = ?`, []any{email}},
			{"notices", &out.Notices, `UPDATE outbox SET recipient = ?, last_error = '' WHERE lower(recipient) = ?`, []any{pseudonym, email}},
			{"notice acknowledgements", nil, `UPDATE notices SET acked_by = ? WHERE lower(acked_by) = ?`, []any{pseudonym, email}},
			{"replies", &out.Replies, `UPDATE notice_replies SET from_addr = ?, subject = '', body = '' WHERE lower(from_addr) = ?`, []any{pseudonym, email}},
			{"bounces", &out.Bounces, `UPDATE bounces SET address = ?, detail = '' WHERE lower(address) = ?`, []any{pseudonym, email}},
			// A hard bounce on the suppression list goes like the bounce
			// records; an opt-out (link, analyst) stays: it is the
			// person's objection, and erasing it would let the next
			// warning reach them again.
			{"suppression list", nil, `UPDATE suppressions SET address = ?, reason = '' WHERE address = ? AND how = 'bounce'`, []any{pseudonym, email}},
			{"accounts", &out.Accounts, `UPDATE users SET email = ?, name = '', password_hash = '', totp_secret = '', disabled = TRUE WHERE lower(email) = ?`, []any{pseudonym, email}},
			{"audit entries", &out.Audit, `UPDATE audit_log SET actor = CASE WHEN lower(actor) = ? THEN ? ELSE actor END,
object = REPLACE(lower(object), ?, ?), detail = REPLACE(lower(detail), ?, ?) WHERE ` + auditNames,
				[]any{email, pseudonym, email, pseudonym, email, pseudonym, email, like, like}},
		}
		for _, st := range steps {
			r, err := tx.Exec(ctx, st.q, st.args...)
			if err != nil {
				return fmt.Errorf("privacy erase: %s: %w", st.what, err)
			}
			if st.n != nil {
				if *st.n, err = r.RowsAffected(); err != nil {
					return fmt.Errorf("privacy erase: %s: %w", st.what, err)
				}
			}
		}
		return nil
	})
	return out, err
}

// RetentionPurge deletes, per kind, the rows older than its cutoff:
// notices created before c.Notices, and before the start of their
// organisation's quiet interval (c.NoticesBefore), that composition and
// delivery are done with (purgeNotices; their deliveries, items, replies
// and calls with them), replies received before c.Replies, bounce records
// and the hard bounces of the suppression list before c.Bounces, audit
// entries before c.Audit, and accounts made by signing up that were never
// confirmed, made before c.Signups and whose every confirmation link
// expired before it (an account with a staff role or a membership is kept:
// it did not come from a bare sign-up; its audit entries stay, without the
// account). A zero cutoff keeps the kind. It runs in one transaction, the
// caller's when it has one (the audit entry of the purge goes in it), and
// changes nothing before auditUnlock, which an erasure also takes first.
// Operator only (the daily purge job).
func (s *Store) RetentionPurge(ctx context.Context, c privacy.Cutoffs) (privacy.Purged, error) {
	var out privacy.Purged
	err := s.Tx(ctx, func(tx *Store) error {
		if err := tx.auditUnlock(ctx, "retention purge"); err != nil {
			return err
		}
		defer tx.auditLock(ctx)
		if !c.Notices.IsZero() {
			var err error
			if out.Notices, out.NoticesKept, err = tx.purgeNotices(ctx, c); err != nil {
				return fmt.Errorf("retention purge: notices: %w", err)
			}
		}
		for _, st := range []struct {
			what string
			n    *int64
			at   time.Time
			q    string
		}{
			{"replies", &out.Replies, c.Replies, `DELETE FROM notice_replies WHERE received_at < ?`},
			{"bounces", &out.Bounces, c.Bounces, `DELETE FROM bounces WHERE created_at < ?`},
			{"suppression list", &out.Suppressions, c.Bounces, `DELETE FROM suppressions WHERE how = 'bounce' AND created_at < ?`},
			{"audit entries", &out.Audit, c.Audit, `DELETE FROM audit_log WHERE at < ?`},
			{"unconfirmed sign-ups", &out.Signups, c.Signups, `DELETE FROM users WHERE unconfirmed AND role = '' AND created_at < ?
				AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id)
				AND NOT EXISTS (SELECT 1 FROM account_tokens t WHERE t.user_id = users.id AND t.purpose = 'confirm' AND t.expires_at >= ?)`},
		} {
			if st.at.IsZero() {
				continue
			}
			args := make([]any, strings.Count(st.q, "?"))
			for i := range args {
				args[i] = st.at.UTC()
			}
			r, err := tx.Exec(ctx, st.q, args...)
			if err != nil {
				return fmt.Errorf("retention purge: %s: %w", st.what, err)
			}
			if *st.n, err = r.RowsAffected(); err != nil {
				return fmt.Errorf("retention purge: %s: %w", st.what, err)
			}
		}
		return nil
	})
	return out, err
}

// noticeDone is the condition (on notices, table name in full) of a notice
// composition and delivery are done with: none of its deliveries is
// pending, being sent, failed and to be retried or of unknown outcome (an
// operator decides those), and it is not on the call list. Composition
// only ever resolves an old notice (a no-op once it is gone) and reads its
// items for the quiet interval (which retention must outlast); events,
// findings and items held for a digest are no notice's and stay.
const noticeDone = `notices.state <> 'escalated' AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.notice_id = notices.id
  AND o.state IN ('pending', 'sending', 'failed', 'unknown'))`

// noticePurgeLockPG selects, on PostgreSQL, the notices created before ?
// that are done with, of the organisations of scope (a condition on
// notices, with its arguments after the time), and locks them, skipping
// whatever another transaction holds, so that the purge never waits for a
// row lock of another writer of notices and cannot close a cycle with
// one: it locks, without waiting, the organisations of the candidates
// (KEY SHARE: an organisation's deletion, which deletes its findings'
// items before its notices, holds its row first and its notices are
// skipped, else it waits for the purge), their days' counters
// (notice_days, which the deletion of a notice changes and another
// deletion of notices may hold), their deliveries (which the notice's
// deletion deletes: a late bounce marking one, which then changes its
// notice and the notice's day, or an erasure), and the notices themselves
// (a composition resolving one, an acknowledgement, a delivery marking
// one); a notice whose organisation, counter or one of whose deliveries
// was skipped is left for the next purge, as are the ones skipped.
func noticePurgeLockPG(scope string) string {
	return `WITH cand AS MATERIALIZED (
  SELECT id, org_id, has_items, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, id % 16 AS slot
  FROM notices WHERE created_at < ? AND (` + scope + `) AND ` + noticeDone + `),
g AS MATERIALIZED (SELECT id FROM orgs WHERE id IN (SELECT org_id FROM cand) ORDER BY id FOR KEY SHARE SKIP LOCKED),
d AS MATERIALIZED (SELECT day, slot FROM notice_days WHERE (day, slot) IN (SELECT day, slot FROM cand WHERE has_items)
  ORDER BY day, slot FOR UPDATE SKIP LOCKED),
o AS MATERIALIZED (SELECT id FROM outbox WHERE notice_id IN (SELECT id FROM cand) ORDER BY id FOR UPDATE SKIP LOCKED)
SELECT n.id FROM notices n JOIN cand c ON c.id = n.id
WHERE (c.org_id IS NULL OR c.org_id IN (SELECT id FROM g))
  AND (NOT c.has_items OR (c.day, c.slot) IN (SELECT day, slot FROM d) OR NOT EXISTS (SELECT 1 FROM notice_days x WHERE x.day = c.day AND x.slot = c.slot))
  AND NOT EXISTS (SELECT 1 FROM outbox x WHERE x.notice_id = c.id AND x.id NOT IN (SELECT id FROM o))
ORDER BY n.id FOR UPDATE OF n SKIP LOCKED`
}

// purgeScope is the notices of some organisations created before a time:
// the condition on notices and its arguments.
type purgeScope struct {
	before time.Time
	cond   string
	args   []any
}

// purgeScopes divides the notices created before c.Notices by the time
// before which their organisation's are purged (c.NoticesBefore): one
// scope for all when no organisation's quiet interval reaches further
// back, else one per time and chunk of organisations.
func (s *Store) purgeScopes(ctx context.Context, c privacy.Cutoffs) ([]purgeScope, error) {
	if len(c.NoticesOrg) == 0 {
		return []purgeScope{{before: c.Notices.UTC(), cond: `1 = 1`}}, nil
	}
	orgs, err := queryAll(ctx, s, func(sc scanner) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	}, `SELECT DISTINCT COALESCE(org_id, 0) FROM notices WHERE created_at < ?`, c.Notices.UTC())
	if err != nil {
		return nil, fmt.Errorf("organisations: %w", err)
	}
	byTime := map[time.Time][]int64{}
	for _, org := range orgs {
		t := c.NoticesBefore(org).UTC()
		byTime[t] = append(byTime[t], org)
	}
	times := make([]time.Time, 0, len(byTime))
	for t := range byTime {
		times = append(times, t)
	}
	slices.SortFunc(times, time.Time.Compare)
	var out []purgeScope
	for _, t := range times {
		ids := byTime[t]
		slices.Sort(ids)
		if err := chunked(ids, chunkRows, func(ids []int64) error {
			sc := purgeScope{before: t, cond: `org_id IN (` + inList(len(ids)) + `)`, args: anys(ids)}
			if ids[0] == privacy.Unregistered {
				sc.cond += ` OR org_id IS NULL`
			}
			out = append(out, sc)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// purgeNotices deletes the notices created before c.NoticesBefore their
// organisation that composition and delivery are done with (noticeDone)
// and returns how many it deleted and how many created before c.Notices it
// kept (within their organisation's quiet interval, or not done with). On
// PostgreSQL it first locks those it can without waiting
// (noticePurgeLockPG) and deletes among them the ones still done with at
// the delete: no delivery can be added to a locked notice, nor one of its
// deliveries go back from done (sent, dead, suppressed).
func (s *Store) purgeNotices(ctx context.Context, c privacy.Cutoffs) (deleted, kept int64, err error) {
	del := func(q string, args ...any) error {
		r, err := s.Exec(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err := r.RowsAffected()
		deleted += n
		return err
	}
	scopes, err := s.purgeScopes(ctx, c)
	if err != nil {
		return 0, 0, err
	}
	for _, sc := range scopes {
		args := append([]any{sc.before}, sc.args...)
		if s.dialect != Postgres {
			if err := del(`DELETE FROM notices WHERE created_at < ? AND (`+sc.cond+`) AND `+noticeDone, args...); err != nil {
				return deleted, 0, err
			}
			continue
		}
		ids, err := queryAll(ctx, s, func(sc scanner) (int64, error) {
			var id int64
			return id, sc.Scan(&id)
		}, noticePurgeLockPG(sc.cond), args...)
		if err != nil {
			return deleted, 0, fmt.Errorf("lock: %w", err)
		}
		if err := chunked(ids, chunkRows, func(c []int64) error {
			return del(`DELETE FROM notices WHERE id IN (`+inList(len(c))+`) AND `+noticeDone, anys(c)...)
		}); err != nil {
			return deleted, 0, err
		}
	}
	err = s.QueryRow(ctx, `SELECT COUNT(*) FROM notices WHERE created_at < ?`, c.Notices.UTC()).Scan(&kept)
	return deleted, kept, err
}

// auditUnlock lets the transaction tx change the append-only audit log:
// the documented exceptions, the retention purge and the erasure of a
// person, call it inside their own transaction, and auditLock removes the
// row again before the commit (on an error the rollback removes it), so no
// other writer ever sees the log unlocked.
//
// On PostgreSQL it first takes audit_unlock in EXCLUSIVE mode, which
// conflicts with itself (and with the row's insert) but not with the
// audit log trigger's reads of the table: the two exceptions change the
// same tables (accounts, the audit log, deliveries, notices, replies,
// bounces) in different orders and would deadlock side by side, so they
// call it before any other change and run one after the other
// (TestPrivacyErasePurge; docs/ARCHITECTURE.md, the change feed).
func (s *Store) auditUnlock(ctx context.Context, reason string) error {
	if !s.inTx {
		return errors.New("audit log unlocked outside a transaction")
	}
	if s.dialect == Postgres {
		if _, err := s.Exec(ctx, `LOCK TABLE audit_unlock IN EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("unlock the audit log for %s: wait for the other exception: %w", reason, err)
		}
	}
	if _, err := s.Exec(ctx, `INSERT INTO audit_unlock (reason) VALUES (?)`, reason); err != nil {
		return fmt.Errorf("unlock the audit log for %s: %w", reason, err)
	}
	return nil
}

// auditLock ends auditUnlock.
func (s *Store) auditLock(ctx context.Context) {
	_, _ = s.Exec(ctx, `DELETE FROM audit_unlock`)
}
