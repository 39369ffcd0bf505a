// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"vigil/internal/contact/rdap"
	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/registry"
	"vigil/internal/tenant"
	"vigil/internal/text"
	"vigil/internal/tlp"
)

// The store implements notify's storage interfaces.
var (
	_ notify.ComposeStore      = (*Store)(nil)
	_ notify.Outbox            = (*Store)(nil)
	_ notify.AckStore          = (*Store)(nil)
	_ notify.EscalationStore   = (*Store)(nil)
	_ notify.StatsStore        = (*Store)(nil)
	_ notify.UnregisteredStore = (*Store)(nil)
)

// eventCursor is the notify_cursor row of notice composition.
const eventCursor = "finding_events"

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run")

// NotifyCompose implements notify.ComposeStore: it loads the events after
// the cursor (at most req.Limit), the held items, the waiting items of the
// runs that ended, the prior items of the events' findings, the immediate
// notices of the cap period and the organisations involved, calls plan
// and writes the plan (items, notices, outbox rows, resolved notices,
// cursor) in the same transaction. On PostgreSQL the cursor row is locked,
// so concurrent composers run one after the other.
//
// The cursor is an event id, so it must never pass an event that commits
// later with a smaller id. SQLite commits one writer at a time. On
// PostgreSQL ids come from a sequence and writers (the parts of a split
// run on several nodes, a re-match) commit in any order: the transaction
// first takes finding_events in SHARE mode, which waits for every
// transaction that inserted events to end and holds new inserts back until
// it commits, so the events it reads after the cursor are all there are.
// It takes no lock before that one and writes no events; a transaction
// that writes events takes finding_events' lock before any row this one
// writes or whose key its inserts check (see OrgDelete), else the two can
// deadlock (docs/ARCHITECTURE.md, the change feed).
func (s *Store) NotifyCompose(ctx context.Context, req notify.ComposeRequest, plan func(*notify.Batch) *notify.Plan) (notify.ComposeResult, error) {
	res := notify.ComposeResult{Outbox: map[notify.Channel]int{}, Skipped: map[notify.Reason]int{}}
	now := req.Now
	err := s.Tx(ctx, func(tx *Store) error {
		if tx.dialect == Postgres {
			if _, err := tx.Exec(ctx, `LOCK TABLE finding_events IN SHARE MODE`); err != nil {
				return fmt.Errorf("notify: wait for event writers: %w", err)
			}
		}
		cursor, err := tx.cursorLock(ctx, now)
		if err != nil {
			return err
		}
		b := &notify.Batch{Now: now, Orgs: map[int64]notify.OrgInput{}, Prior: map[int64]notify.Prior{}}
		if b.Events, err = tx.composeEvents(ctx, cursor, req.Limit); err != nil {
			return err
		}
		res.Events, res.Cursor, res.More = len(b.Events), cursor, len(b.Events) == req.Limit
		if len(b.Events) > 0 {
			res.Cursor = b.Events[len(b.Events)-1].Event.ID
		}
		// Held items matter only to the last batch of a run: a digest that
		// is due then takes every held item, including those of this run's
		// earlier batches, so earlier batches need not read them.
		if !res.More {
			if b.Pending, err = tx.pendingItems(ctx, `i.wait_run IS NULL`); err != nil {
				return err
			}
		}
		if b.Ended, err = tx.endedRuns(ctx, b.Events, res.Cursor, req); err != nil {
			return err
		}
		if len(b.Ended) > 0 {
			ended := make([]int64, 0, len(b.Ended))
			for r := range b.Ended {
				ended = append(ended, r)
			}
			slices.Sort(ended)
			if err := chunked(ended, chunkRows, func(ids []int64) error {
				w, err := tx.pendingItems(ctx, `i.wait_run IN (`+inList(len(ids))+`)`, anys(ids)...)
				b.Waiting = append(b.Waiting, w...)
				return err
			}); err != nil {
				return err
			}
		}
		orgIDs := map[int64]bool{}
		var findingIDs []int64
		for _, e := range b.Events {
			orgIDs[e.Event.OrgID] = true
			findingIDs = append(findingIDs, e.Event.FindingID)
		}
		for _, p := range b.Pending {
			orgIDs[p.OrgID] = true
		}
		for _, p := range b.Waiting {
			orgIDs[p.OrgID] = true
		}
		if err := tx.priorItems(ctx, findingIDs, b.Prior); err != nil {
			return err
		}
		if err := tx.composeOrgs(ctx, orgIDs, b.Orgs); err != nil {
			return err
		}
		if b.Sent, err = tx.immediateSince(ctx, orgIDs, req.CapSince); err != nil {
			return err
		}
		p := plan(b)
		for k, v := range p.Skipped {
			res.Skipped[k] = v
		}
		res.Problems = p.Problems
		res.Orgs = p.CountOrgs(b.Orgs)
		if req.DryRun {
			res.Previews = p.Previews()
		}
		if err := tx.applyPlan(ctx, now, p, &res); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM notice_items WHERE wait_run IS NOT NULL AND notice_id IS NULL`).Scan(&res.Waiting); err != nil {
			return fmt.Errorf("items waiting for their run: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE notify_cursor SET last_event_id = ?, updated_at = ? WHERE name = ?`, res.Cursor, now, eventCursor); err != nil {
			return err
		}
		if req.DryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
		res.NoticeIDs = nil
	}
	return res, err
}

// endedRuns returns the runs, among those of events and those with items
// waiting, that ended (or stopped more than req.Grace ago, or whose record
// is gone) and have no event after cursor: their immediate items are
// composed now. With req.AllEnded every such run counts as ended.
func (s *Store) endedRuns(ctx context.Context, events []notify.EventInput, cursor int64, req notify.ComposeRequest) (map[int64]bool, error) {
	set := map[int64]bool{}
	for _, e := range events {
		if e.Run != 0 {
			set[e.Run] = true
		}
	}
	rows, err := s.Query(ctx, `SELECT DISTINCT wait_run FROM notice_items WHERE wait_run IS NOT NULL AND notice_id IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("runs waited for: %w", err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		set[id] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(set) == 0 || req.AllEnded {
		return set, nil
	}
	ids := make([]int64, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	ended := map[int64]bool{}
	for _, id := range ids {
		ended[id] = true // a run whose record is gone waits for nothing
	}
	stale := req.Now.Add(-req.Grace)
	err = chunked(ids, chunkRows, func(c []int64) error {
		// The parts of a split run commit their batches on their own rows
		// and write the run's only when one is done: a batch of a part
		// within the grace is the run's progress too.
		rows, err := s.Query(ctx, `SELECT id, finished_at IS NOT NULL, `+runProgressSince+` FROM ingest_runs r WHERE id IN (`+inList(len(c))+`)`,
			append(runProgressArgs(stale), anys(c)...)...)
		if err != nil {
			return fmt.Errorf("runs: %w", err)
		}
		for rows.Next() {
			var id int64
			var done, progressed bool
			if err := rows.Scan(&id, &done, &progressed); err != nil {
				rows.Close()
				return err
			}
			ended[id] = done || !progressed
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// A run with events after this batch has not been read to its end.
		rows, err = s.Query(ctx, `SELECT DISTINCT run_id FROM finding_events WHERE run_id IN (`+inList(len(c))+`) AND id > ?`, append(anys(c), cursor)...)
		if err != nil {
			return fmt.Errorf("runs: later events: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ended[id] = false
		}
		return rows.Err()
	})
	for id, ok := range ended {
		if !ok {
			delete(ended, id)
		}
	}
	return ended, err
}

// immediateSince counts the immediate notices each organisation of set got
// since since; a notice marked TLP:RED went to nobody and does not count.
func (s *Store) immediateSince(ctx context.Context, set map[int64]bool, since time.Time) (map[int64]int, error) {
	ids := make([]int64, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := map[int64]int{}
	err := chunked(ids, chunkRows, func(c []int64) error {
		rows, err := s.Query(ctx, `SELECT org_id, COUNT(*) FROM notices WHERE kind = ? AND created_at >= ? AND tlp < ? AND org_id IN (`+inList(len(c))+`) GROUP BY org_id`,
			append([]any{string(notify.KindImmediate), since, int(tlp.Red)}, anys(c)...)...)
		if err != nil {
			return fmt.Errorf("immediate notices of the cap period: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			out[id] = n
		}
		return rows.Err()
	})
	return out, err
}

// cursorLock returns the composition cursor, creating it, and locks its
// row on PostgreSQL (SQLite's write transaction is already exclusive).
func (s *Store) cursorLock(ctx context.Context, now time.Time) (int64, error) {
	if _, err := s.Exec(ctx, `INSERT INTO notify_cursor (name, last_event_id, updated_at) VALUES (?, 0, ?) ON CONFLICT (name) DO NOTHING`, eventCursor, now); err != nil {
		return 0, fmt.Errorf("notify cursor: %w", err)
	}
	q := `SELECT last_event_id FROM notify_cursor WHERE name = ?`
	if s.dialect == Postgres {
		q += ` FOR UPDATE`
	}
	var c int64
	err := s.QueryRow(ctx, q, eventCursor).Scan(&c)
	return c, Scan(err, "notify cursor")
}

// NotifyCursor returns the id of the last finding event composition
// consumed.
func (s *Store) NotifyCursor(ctx context.Context) (int64, error) {
	var c int64
	err := s.QueryRow(ctx, `SELECT last_event_id FROM notify_cursor WHERE name = ?`, eventCursor).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return c, err
}

const triggerCols = `t.kind, t.title, t.description, t.notify_unregistered`

// scanFindingTrigger scans dest, findingCols and triggerCols.
func scanFindingTrigger(dest []any, sc scanner) (finding.Finding, finding.Trigger, error) {
	var t finding.Trigger
	x, err := scanFinding(sc, dest, &t.Kind, &t.Title, &t.Description, &t.NotifyUnregistered)
	t.ID, t.Name = x.TriggerID, x.Trigger
	return x, t, err
}

func (s *Store) composeEvents(ctx context.Context, after int64, limit int) ([]notify.EventInput, error) {
	rows, err := s.Query(ctx, `SELECT e.id, e.finding_id, e.org_id, e.kind, e.severity, e.at, COALESCE(e.run_id, 0), `+findingCols+`, `+triggerCols+`
FROM finding_events e JOIN findings f ON f.id = e.finding_id JOIN triggers t ON t.id = f.trigger_id
WHERE e.id > ? ORDER BY e.id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("notify events: %w", err)
	}
	defer rows.Close()
	var out []notify.EventInput
	for rows.Next() {
		var in notify.EventInput
		var kind string
		e := &in.Event
		in.Finding, in.Trigger, err = scanFindingTrigger([]any{&e.ID, &e.FindingID, &e.OrgID, &kind, &e.Severity, &e.At, &in.Run}, rows)
		if err != nil {
			return nil, err
		}
		e.Kind, e.At = finding.EventKind(kind), e.At.UTC()
		out = append(out, in)
	}
	return out, rows.Err()
}

// pendingItems loads the items not in a notice yet that meet cond (on
// notice_items i), with their findings as they are now.
func (s *Store) pendingItems(ctx context.Context, cond string, args ...any) ([]notify.PendingItem, error) {
	rows, err := s.Query(ctx, `SELECT i.id, i.org_id, i.kind, i.severity, i.created_at, COALESCE(i.wait_run, 0), i.folded, `+findingCols+`, `+triggerCols+`
FROM notice_items i JOIN findings f ON f.id = i.finding_id JOIN triggers t ON t.id = f.trigger_id
WHERE i.notice_id IS NULL AND `+cond+` ORDER BY i.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("held notice items: %w", err)
	}
	defer rows.Close()
	var out []notify.PendingItem
	for rows.Next() {
		var p notify.PendingItem
		var kind string
		var sev finding.Severity
		f, t, err := scanFindingTrigger([]any{&p.ID, &p.OrgID, &kind, &sev, &p.Created, &p.Run, &p.Folded}, rows)
		if err != nil {
			return nil, err
		}
		p.Created = p.Created.UTC()
		p.Item = notify.ItemFromFinding(finding.EventKind(kind), f, t)
		p.Item.Severity = max(p.Item.Severity, sev)
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *Store) priorItems(ctx context.Context, findingIDs []int64, into map[int64]notify.Prior) error {
	return chunked(findingIDs, chunkRows, func(ids []int64) error {
		rows, err := s.Query(ctx, `SELECT finding_id, created_at, severity FROM notice_items WHERE finding_id IN (`+inList(len(ids))+`) ORDER BY id`, anys(ids)...)
		if err != nil {
			return fmt.Errorf("prior notice items: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var p notify.Prior
			if err := rows.Scan(&id, &p.At, &p.Severity); err != nil {
				return err
			}
			p.At = p.At.UTC()
			into[id] = p
		}
		return rows.Err()
	})
}

func (s *Store) composeOrgs(ctx context.Context, set map[int64]bool, into map[int64]notify.OrgInput) error {
	ids := make([]int64, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	return chunked(ids, chunkRows, func(ids []int64) error {
		rows, err := s.Query(ctx, `SELECT `+orgCols+` FROM orgs WHERE id IN (`+inList(len(ids))+`)`, anys(ids)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			o, err := scanOrg(rows)
			if err != nil {
				// A stored policy that does not parse: the default applies.
				o.Policy = registry.Policy{}
			}
			into[o.ID] = notify.OrgInput{ID: o.ID, Name: o.Name, Languages: o.Languages, Policy: o.Policy}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		contacts, err := queryAll(ctx, s, scanContact, `SELECT `+contactCols+` FROM contacts WHERE org_id IN (`+inList(len(ids))+`) ORDER BY id`, anys(ids)...)
		if err != nil {
			return err
		}
		for _, c := range contacts {
			o := into[c.OrgID]
			o.Contacts = append(o.Contacts, c)
			into[c.OrgID] = o
		}
		// Contacts on the suppression list (opted out, listed by an
		// analyst) get nothing; bounced ones are already marked.
		rows, err = s.Query(ctx, `SELECT c.org_id, lower(c.email) FROM contacts c JOIN suppressions sp ON sp.address = lower(c.email)
WHERE c.org_id IN (`+inList(len(ids))+`)`, anys(ids)...)
		if err != nil {
			return fmt.Errorf("suppressed contacts: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var org int64
			var addr string
			if err := rows.Scan(&org, &addr); err != nil {
				return err
			}
			o := into[org]
			if o.Suppressed == nil {
				o.Suppressed = map[string]bool{}
			}
			o.Suppressed[addr] = true
			into[org] = o
		}
		return rows.Err()
	})
}

// applyPlan writes a plan: notices first (their ids are needed), then the
// items, the held items' notice ids, the outbox rows and the resolutions.
func (s *Store) applyPlan(ctx context.Context, now time.Time, p *notify.Plan, res *notify.ComposeResult) error {
	ids := make([]int64, len(p.Notices))
	if len(p.Notices) > 0 {
		st, err := s.Prepare(ctx, `INSERT INTO notices (org_id, kind, severity, state, payload, created_at, run_id, tlp) VALUES (?, ?, ?, 'open', ?, ?, ?, ?) RETURNING id`)
		if err != nil {
			return err
		}
		defer st.Close()
		for i, d := range p.Notices {
			payload, err := json.Marshal(d.Content)
			if err != nil {
				return fmt.Errorf("notice payload: %w", err)
			}
			if err := st.QueryRowContext(ctx, d.OrgID, string(d.Content.Kind), int64(d.Content.Severity), string(payload), now, nullID(d.Run), d.Content.Marking()).Scan(&ids[i]); err != nil {
				return fmt.Errorf("notice: %w", interpret(err))
			}
			res.Notices++
			if d.Content.Kind == notify.KindDigest {
				res.Digests++
			}
		}
	}
	res.NoticeIDs = ids
	if err := s.noticeTickets(ctx, ids); err != nil {
		return err
	}
	// New items.
	items := multiRow{head: `INSERT INTO notice_items (org_id, finding_id, event_id, trigger_id, kind, severity, created_at, notice_id, wait_run, folded) VALUES `,
		tuple: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"}
	if err := insertRows(ctx, s, items, 400, p.Items, func(a []any, it notify.PlannedItem) []any {
		var notice any
		switch {
		case it.Notice >= 0:
			notice = ids[it.Notice]
		case it.Wait != 0:
		default:
			res.Held++
		}
		if it.Folded {
			res.Folded++
		}
		return append(a, it.OrgID, it.FindingID, it.EventID, it.TriggerID, string(it.Kind), int64(it.Severity), now, notice, nullID(it.Wait), it.Folded)
	}); err != nil {
		return fmt.Errorf("notice items: %w", err)
	}
	res.Items += len(p.Items)
	// Waiting items held for the digest now; those of a capped
	// organisation are marked folded.
	if err := chunked(p.Unwait, chunkRows, func(ids []int64) error {
		_, err := s.Exec(ctx, `UPDATE notice_items SET wait_run = NULL WHERE id IN (`+inList(len(ids))+`)`, anys(ids)...)
		return err
	}); err != nil {
		return fmt.Errorf("hold waiting items: %w", err)
	}
	bundled := map[int64]bool{}
	for _, d := range p.Notices {
		for _, id := range d.Pending {
			bundled[id] = true
		}
	}
	for _, id := range p.Unwait {
		if !bundled[id] {
			res.Held++
		}
	}
	if err := chunked(p.Folded, chunkRows, func(fids []int64) error {
		_, err := s.Exec(ctx, `UPDATE notice_items SET folded = TRUE WHERE id IN (`+inList(len(fids))+`)`, anys(fids)...)
		return err
	}); err != nil {
		return fmt.Errorf("fold waiting items: %w", err)
	}
	res.Folded += len(p.Folded)
	// Held and waiting items now bundled.
	for i, d := range p.Notices {
		if err := chunked(d.Pending, chunkRows, func(pids []int64) error {
			_, err := s.Exec(ctx, `UPDATE notice_items SET notice_id = ?, wait_run = NULL WHERE id IN (`+inList(len(pids))+`)`, append([]any{ids[i]}, anys(pids)...)...)
			return err
		}); err != nil {
			return fmt.Errorf("bundle held items: %w", err)
		}
	}
	// Outbox rows.
	var out []outboxRow
	for i, d := range p.Notices {
		for _, dl := range d.Deliveries {
			out = append(out, outboxRow{ids[i], dl})
			res.Outbox[dl.Channel]++
		}
	}
	if err := s.outboxInsert(ctx, now, out); err != nil {
		return err
	}
	// Notices nobody can be sent go to the call list now, with the reason.
	for i, d := range p.Notices {
		if d.Undeliverable == "" {
			continue
		}
		if _, err := s.Exec(ctx, `UPDATE notices SET state = 'escalated', escalated_at = ?, undeliverable = ?, escalation_reason = ? WHERE id = ?`,
			now, d.Undeliverable, "could be sent to nobody: "+d.Undeliverable, ids[i]); err != nil {
			return fmt.Errorf("notice %d to the call list: %w", ids[i], err)
		}
		res.Undeliverable++
	}
	// Notices whose findings are all resolved now.
	return chunked(p.Resolved, chunkRows, func(fids []int64) error {
		r, err := s.Exec(ctx, `UPDATE notices SET state = 'resolved', resolved_at = ?
WHERE state IN ('open', 'acknowledged', 'escalated')
  AND id IN (SELECT notice_id FROM notice_items WHERE notice_id IS NOT NULL AND finding_id IN (`+inList(len(fids))+`))
  AND NOT EXISTS (SELECT 1 FROM notice_items i JOIN findings f ON f.id = i.finding_id WHERE i.notice_id = notices.id AND f.status = 'open')`,
			append([]any{now}, anys(fids)...)...)
		if err != nil {
			return fmt.Errorf("resolve notices: %w", err)
		}
		n, _ := r.RowsAffected()
		res.Resolved += int(n)
		return nil
	})
}

// outboxRow is a delivery of a notice to write.
type outboxRow struct {
	notice int64
	d      notify.Delivery
}

func (s *Store) outboxInsert(ctx context.Context, now time.Time, rows []outboxRow) error {
	m := multiRow{head: `INSERT INTO outbox (notice_id, channel, recipient, contact_id, lang, idem_key, next_attempt_at, created_at, updated_at) VALUES `,
		tuple: "(?, ?, ?, ?, ?, ?, ?, ?, ?)"}
	if err := insertRows(ctx, s, m, 400, rows, func(a []any, r outboxRow) []any {
		return append(a, r.notice, string(r.d.Channel), r.d.Recipient, nullID(r.d.ContactID), r.d.Lang,
			notify.IdempotencyKey(r.notice, r.d.Channel, r.d.Recipient), now, now, now)
	}); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

// outboxDue is the condition of a row that may be attempted at ? (twice):
// never tried or failed and due, or claimed by a worker whose lease ended
// (it died) — unless the send of an e-mail had begun (see outboxStrand).
const outboxDue = `((state IN ('pending', 'failed') AND next_attempt_at <= ?) OR (state = 'sending' AND lease_until < ? AND (send_started_at IS NULL OR channel <> '` + string(notify.Email) + `')))`

// outboxStrand moves the e-mail rows whose send began (the journal is set)
// but whose worker's lease ended without an outcome to state unknown: the
// message may have left, and an SMTP receiver does not deduplicate, so an
// operator decides (OutboxResolve). Webhook rows are taken over instead:
// their receivers deduplicate on the idempotency key.
func (s *Store) outboxStrand(ctx context.Context, now time.Time) error {
	_, err := s.Exec(ctx, `UPDATE outbox SET state = 'unknown', lease_until = NULL, updated_at = ?,
  last_error = 'outcome unknown: the sender stopped after the message began to leave; resolve with vigil notify resolve'
WHERE state = 'sending' AND lease_until < ? AND send_started_at IS NOT NULL AND channel = '`+string(notify.Email)+`'`, now, now)
	if err != nil {
		return fmt.Errorf("outbox: strand unknown sends: %w", err)
	}
	return nil
}

// OutboxStarted implements notify.Outbox: the pre-send journal entry,
// committed before the message leaves.
func (s *Store) OutboxStarted(ctx context.Context, id int64, at time.Time) error {
	r, err := s.Exec(ctx, `UPDATE outbox SET send_started_at = ?, updated_at = ? WHERE id = ? AND state = 'sending'`, at, at, id)
	if err != nil {
		return fmt.Errorf("outbox %d: record send start: %w", id, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return errs.Errorf(errs.Conflict, "outbox %d is no longer claimed", id)
	}
	return nil
}

// OutboxResolve settles an outbox row whose outcome is unknown: sent marks
// it sent (the operator confirmed the recipient has it), otherwise it is
// queued to be sent again now. Rows in other states are errs.NotFound.
func (s *Store) OutboxResolve(ctx context.Context, id int64, sent bool, now time.Time) error {
	return s.Tx(ctx, func(tx *Store) error {
		var notice int64
		err := tx.QueryRow(ctx, `SELECT notice_id FROM outbox WHERE id = ? AND state = 'unknown'`, id).Scan(&notice)
		if err := Scan(err, fmt.Sprintf("outbox row %d with unknown outcome", id)); err != nil {
			return err
		}
		if !sent {
			_, err = tx.Exec(ctx, `UPDATE outbox SET state = 'pending', next_attempt_at = ?, send_started_at = NULL, last_error = '', updated_at = ? WHERE id = ?`, now, now, id)
			return err
		}
		if _, err = tx.Exec(ctx, `UPDATE outbox SET state = 'sent', sent_at = ?, send_started_at = NULL, last_error = '', updated_at = ? WHERE id = ?`, now, now, id); err != nil {
			return err
		}
		if err := tx.redactSent(ctx, notice); err != nil {
			return err
		}
		if err := tx.orgWarned(ctx, notice, now); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE notices SET first_sent_at = ? WHERE id = ? AND first_sent_at IS NULL`, now, notice)
		return err
	})
}

func channelArgs(chans []notify.Channel) []any {
	out := make([]any, len(chans))
	for i, c := range chans {
		out[i] = string(c)
	}
	return out
}

// OutboxClaim implements notify.Outbox.
func (s *Store) OutboxClaim(ctx context.Context, id int64, chans []notify.Channel, now time.Time, lease time.Duration) (notify.OutboxRow, error) {
	if len(chans) == 0 {
		return notify.OutboxRow{}, errs.Errorf(errs.NotFound, "outbox row %d not claimable: no channels", id)
	}
	if err := s.outboxStrand(ctx, now); err != nil {
		return notify.OutboxRow{}, err
	}
	args := append([]any{now.Add(lease), now, id}, channelArgs(chans)...)
	args = append(args, now, now)
	r, err := s.Exec(ctx, `UPDATE outbox SET state = 'sending', attempts = attempts + 1, lease_until = ?, send_started_at = NULL, updated_at = ?
WHERE id = ? AND channel IN (`+inList(len(chans))+`) AND `+outboxDue, args...)
	if err != nil {
		return notify.OutboxRow{}, fmt.Errorf("claim outbox %d: %w", id, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return notify.OutboxRow{}, errs.Errorf(errs.NotFound, "outbox row %d is not due", id)
	}
	rows, err := s.outboxRows(ctx, []int64{id})
	if err != nil {
		return notify.OutboxRow{}, err
	}
	if len(rows) != 1 {
		return notify.OutboxRow{}, errs.Errorf(errs.NotFound, "outbox row %d vanished", id)
	}
	return rows[0], nil
}

// OutboxClaimDue implements notify.Outbox. On PostgreSQL, concurrent
// claimers skip each other's rows (FOR UPDATE SKIP LOCKED).
func (s *Store) OutboxClaimDue(ctx context.Context, chans []notify.Channel, now time.Time, lease time.Duration, limit int) ([]notify.OutboxRow, error) {
	if len(chans) == 0 || limit <= 0 {
		return nil, nil
	}
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	if err := s.outboxStrand(ctx, now); err != nil {
		return nil, err
	}
	args := append([]any{now.Add(lease), now}, channelArgs(chans)...)
	args = append(args, now, now, limit)
	rows, err := s.Query(ctx, `UPDATE outbox SET state = 'sending', attempts = attempts + 1, lease_until = ?, send_started_at = NULL, updated_at = ?
WHERE id IN (SELECT id FROM outbox WHERE channel IN (`+inList(len(chans))+`) AND `+outboxDue+` ORDER BY id LIMIT ?`+lock+`)
RETURNING id`, args...)
	if err != nil {
		return nil, fmt.Errorf("claim due outbox rows: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return s.outboxRows(ctx, ids)
}

// outboxRows loads rows with their notices' content, in id order.
func (s *Store) outboxRows(ctx context.Context, ids []int64) ([]notify.OutboxRow, error) {
	var out []notify.OutboxRow
	cache := map[int64]notify.Content{}
	err := chunked(ids, chunkRows, func(ids []int64) error {
		rows, err := s.Query(ctx, `SELECT o.id, o.notice_id, COALESCE(n.org_id, 0), COALESCE(o.contact_id, 0), o.channel, o.recipient, o.lang, o.idem_key,
  o.state, o.attempts, o.created_at, n.payload, n.contact_source, COALESCE(n.ticket, ''),
  CASE WHEN o.channel = 'email' AND (
    EXISTS (SELECT 1 FROM contacts c WHERE c.id = o.contact_id AND c.bounced_at IS NOT NULL)
    OR (o.contact_id IS NULL AND EXISTS (SELECT 1 FROM bounces b WHERE b.address = o.recipient))) THEN 1 ELSE 0 END,
  CASE WHEN o.channel = 'email' AND EXISTS (SELECT 1 FROM suppressions s WHERE s.address = lower(o.recipient) AND s.how <> 'bounce') THEN 1 ELSE 0 END
FROM outbox o JOIN notices n ON n.id = o.notice_id
WHERE o.id IN (`+inList(len(ids))+`) ORDER BY o.id`, anys(ids)...)
		if err != nil {
			return fmt.Errorf("outbox rows: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r notify.OutboxRow
			var ch, state, payload string
			var suppressed, optedOut int
			if err := rows.Scan(&r.ID, &r.NoticeID, &r.OrgID, &r.ContactID, &ch, &r.Recipient, &r.Lang, &r.Key, &state, &r.Attempts, &r.CreatedAt,
				&payload, &r.ContactSource, &r.Ticket, &suppressed, &optedOut); err != nil {
				return err
			}
			r.Channel, r.State, r.Suppressed, r.CreatedAt = notify.Channel(ch), notify.OutboxState(state), suppressed == 1, r.CreatedAt.UTC()
			r.OptedOut = optedOut == 1
			c, ok := cache[r.NoticeID]
			if !ok {
				if err := json.Unmarshal([]byte(payload), &c); err != nil {
					return fmt.Errorf("notice %d payload: %w", r.NoticeID, err)
				}
				cache[r.NoticeID] = c
			}
			r.Content = c
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}

// OutboxFinish implements notify.Outbox in one transaction.
func (s *Store) OutboxFinish(ctx context.Context, results []notify.OutboxResult) error {
	if len(results) == 0 {
		return nil
	}
	return s.Tx(ctx, func(tx *Store) error {
		for _, r := range results {
			switch r.State {
			case notify.OutboxSent:
				res, err := tx.Exec(ctx, `UPDATE outbox SET state = 'sent', sent_at = ?, lease_until = NULL, send_started_at = NULL, last_error = '', updated_at = ?
WHERE id = ? AND state = 'sending'`, r.At, r.At, r.ID)
				if err != nil {
					return fmt.Errorf("outbox %d sent: %w", r.ID, err)
				}
				if n, err := res.RowsAffected(); err != nil {
					return fmt.Errorf("outbox %d sent: %w", r.ID, err)
				} else if n > 0 {
					if err := tx.orgWarned(ctx, r.NoticeID, r.At); err != nil {
						return err
					}
				}
				if _, err := tx.Exec(ctx, `UPDATE notices SET first_sent_at = ? WHERE id = ? AND first_sent_at IS NULL`, r.At, r.NoticeID); err != nil {
					return fmt.Errorf("notice %d sent: %w", r.NoticeID, err)
				}
				if err := tx.redactSent(ctx, r.NoticeID); err != nil {
					return err
				}
			case notify.OutboxSuppressed:
				// The recipient came on the suppression list after the
				// row was made: it ends unsent, and a notice left with no
				// delivery goes to the call list.
				if _, err := tx.Exec(ctx, `UPDATE outbox SET state = 'suppressed', lease_until = NULL, send_started_at = NULL, last_error = ?, updated_at = ?
WHERE id = ? AND state = 'sending'`, r.Error, r.At, r.ID); err != nil {
					return fmt.Errorf("outbox %d suppressed: %w", r.ID, err)
				}
				if err := tx.suppressedToCallList(ctx, []int64{r.NoticeID}, r.At); err != nil {
					return err
				}
				if err := tx.redactSent(ctx, r.NoticeID); err != nil {
					return err
				}
			case notify.OutboxUnknown:
				// The send failed after the message began to leave: it
				// waits for an operator, like a row stranded by a dead
				// worker (send_started_at is kept).
				if _, err := tx.Exec(ctx, `UPDATE outbox SET state = 'unknown', lease_until = NULL, last_error = ?, updated_at = ?
WHERE id = ? AND state = 'sending'`, "outcome unknown: "+r.Error+"; resolve with vigil notify resolve", r.At, r.ID); err != nil {
					return fmt.Errorf("outbox %d unknown: %w", r.ID, err)
				}
			case notify.OutboxFailed, notify.OutboxDead:
				next := r.NextAttempt
				if next.IsZero() {
					next = r.At
				}
				if _, err := tx.Exec(ctx, `UPDATE outbox SET state = ?, next_attempt_at = ?, lease_until = NULL, send_started_at = NULL, last_error = ?, updated_at = ?
WHERE id = ? AND state = 'sending'`, string(r.State), next, r.Error, r.At, r.ID); err != nil {
					return fmt.Errorf("outbox %d %s: %w", r.ID, r.State, err)
				}
				if r.State == notify.OutboxDead {
					if err := tx.redactSent(ctx, r.NoticeID); err != nil {
						return err
					}
				}
			default:
				return fmt.Errorf("outbox %d: cannot finish in state %q", r.ID, r.State)
			}
		}
		return nil
	})
}

// OutboxDue implements notify.Outbox.
func (s *Store) OutboxDue(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	if err := s.outboxStrand(ctx, now); err != nil {
		return nil, err
	}
	rows, err := s.Query(ctx, `SELECT id FROM outbox WHERE `+outboxDue+` ORDER BY id LIMIT ?`, now, now, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// OutboxSuppress records a bounce of address found by delivery and ends
// the unsent e-mail to it (OutboxBounce with source "notify"); it returns
// the rows ended.
func (s *Store) OutboxSuppress(ctx context.Context, address string, now time.Time) (int64, error) {
	_, n, err := s.OutboxBounce(ctx, notify.BounceEvent{Address: address, Source: "notify", At: now})
	return n, err
}

// OutboxBounce implements notify.Outbox in one transaction: the contacts
// with the address are marked bounced, the bounce is recorded, the unsent
// e-mail rows to it end and a returned message marks the sent delivery it
// answers (outboxBounceLink).
func (s *Store) OutboxBounce(ctx context.Context, b notify.BounceEvent) (contacts, rows int64, err error) {
	address, source, detail, now := b.Address, b.Source, b.Detail, b.At
	err = s.Tx(ctx, func(tx *Store) error {
		if b.Returned {
			if err := tx.outboxBounceLink(ctx, address, notify.DeliveryKey(b.MessageID), now); err != nil {
				return err
			}
		}
		r, err := tx.Exec(ctx, `UPDATE contacts SET bounced_at = ? WHERE email = ? AND bounced_at IS NULL`, now, address)
		if err != nil {
			return fmt.Errorf("mark contacts bounced: %w", err)
		}
		if contacts, err = r.RowsAffected(); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO bounces (address, source, detail, created_at) VALUES (?, ?, ?, ?)`, address, source, detail, now); err != nil {
			return fmt.Errorf("record bounce: %w", err)
		}
		if addr, err := notify.SuppressionAddress(address); err == nil {
			if _, err := tx.Exec(ctx, `INSERT INTO suppressions (address, how, actor, reason, created_at) VALUES (?, 'bounce', ?, ?, ?)
ON CONFLICT (address) DO NOTHING`, addr, source, text.Truncate(detail, 1000), now); err != nil {
				return fmt.Errorf("suppress bounced address: %w", err)
			}
		}
		r, err = tx.Exec(ctx, `UPDATE outbox SET state = 'dead', last_error = 'recipient address bounced', lease_until = NULL, updated_at = ?
WHERE channel = 'email' AND recipient = ? AND state IN ('pending', 'failed')`, now, address)
		if err != nil {
			return fmt.Errorf("stop mail to a bounced address: %w", err)
		}
		rows, err = r.RowsAffected()
		return err
	})
	return contacts, rows, err
}

// outboxBounceLink marks the sent e-mail a bounce of address answers as
// bounced at now: the delivery with idempotency key key (from the returned
// message's Message-ID) when it went to address, else the delivery most
// recently sent to address. A delivery already marked stays as it is, so a
// repeated report changes nothing (and marks no older delivery instead).
// The triggers of migration 00821 count it for the dashboard.
func (s *Store) outboxBounceLink(ctx context.Context, address, key string, now time.Time) error {
	var id int64
	var bounced sql.NullTime
	err := sql.ErrNoRows
	if key != "" {
		err = s.QueryRow(ctx, `SELECT id, bounced_at FROM outbox WHERE idem_key = ? AND recipient = ? AND channel = 'email' AND state = 'sent'`,
			key, address).Scan(&id, &bounced)
	}
	if errors.Is(err, sql.ErrNoRows) {
		err = s.QueryRow(ctx, `SELECT id, bounced_at FROM outbox WHERE recipient = ? AND channel = 'email' AND state = 'sent'
ORDER BY sent_at DESC, id DESC LIMIT 1`, address).Scan(&id, &bounced)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil // nothing was sent to the address
	case err != nil:
		return fmt.Errorf("find the delivery a bounce answers: %w", err)
	case bounced.Valid:
		return nil
	}
	if _, err := s.Exec(ctx, `UPDATE outbox SET bounced_at = ? WHERE id = ?`, now, id); err != nil {
		return fmt.Errorf("mark a delivery bounced: %w", err)
	}
	return nil
}

// AddressBounced implements notify.UnregisteredStore.
func (s *Store) AddressBounced(ctx context.Context, address string) (bool, error) {
	var one int
	err := s.QueryRow(ctx, `SELECT 1 FROM bounces WHERE address = ? LIMIT 1`, address).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// OutboxStatus counts the outbox rows of the notices of sc by channel and
// state.
func (s *Store) OutboxStatus(ctx context.Context, sc tenant.Scope) ([]notify.OutboxCount, error) {
	cond, args := orgCond(sc, "n.org_id")
	rows, err := s.Query(ctx, `SELECT o.channel, o.state, COUNT(*) FROM outbox o JOIN notices n ON n.id = o.notice_id WHERE `+cond+`
GROUP BY o.channel, o.state ORDER BY o.channel, o.state`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []notify.OutboxCount{}
	for rows.Next() {
		var c notify.OutboxCount
		var ch, st string
		if err := rows.Scan(&ch, &st, &c.Count); err != nil {
			return nil, err
		}
		c.Channel, c.State = notify.Channel(ch), notify.OutboxState(st)
		out = append(out, c)
	}
	return out, rows.Err()
}

// OutboxList lists the outbox rows of the notices of sc, in one state when
// state is not empty.
func (s *Store) OutboxList(ctx context.Context, sc tenant.Scope, state notify.OutboxState, p keyset.Page) ([]notify.OutboxEntry, error) {
	cond, cargs := orgCond(sc, "n.org_id")
	q := `SELECT o.id, o.notice_id, o.channel, o.recipient, o.state, o.attempts, o.next_attempt_at, o.last_error, o.sent_at
FROM outbox o JOIN notices n ON n.id = o.notice_id WHERE o.id > ? AND ` + cond
	args := append([]any{p.After}, cargs...)
	if state != "" {
		q += ` AND o.state = ?`
		args = append(args, string(state))
	}
	rows, err := s.Query(ctx, q+fmt.Sprintf(` ORDER BY o.id LIMIT %d`, p.Size()), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []notify.OutboxEntry{}
	for rows.Next() {
		var e notify.OutboxEntry
		var ch, st string
		var sent sql.NullTime
		if err := rows.Scan(&e.ID, &e.NoticeID, &ch, &e.Recipient, &st, &e.Attempts, &e.NextAttempt, &e.LastError, &sent); err != nil {
			return nil, err
		}
		e.Channel, e.State, e.NextAttempt = notify.Channel(ch), notify.OutboxState(st), e.NextAttempt.UTC()
		if sent.Valid {
			t := sent.Time.UTC()
			e.SentAt = &t
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

const noticeCols = `n.id, COALESCE(n.ticket, ''), COALESCE(n.org_id, 0), n.kind, n.severity, n.state, n.payload, n.created_at, n.first_sent_at, n.acked_at, n.acked_by, n.resolved_at, n.escalated_at, n.escalation_reason`

func scanNotice(sc scanner) (notify.Notice, error) {
	var n notify.Notice
	var kind, state, payload string
	var first, acked, resolved, escalated sql.NullTime
	if err := sc.Scan(&n.ID, &n.Ticket, &n.OrgID, &kind, &n.Severity, &state, &payload, &n.Created, &first, &acked, &n.AckedBy, &resolved, &escalated, &n.EscalationReason); err != nil {
		return n, err
	}
	n.Kind, n.State, n.Created = notify.Kind(kind), notify.State(state), n.Created.UTC()
	for _, p := range []struct {
		src sql.NullTime
		dst **time.Time
	}{{first, &n.FirstSent}, {acked, &n.AckedAt}, {resolved, &n.ResolvedAt}, {escalated, &n.EscalatedAt}} {
		if p.src.Valid {
			t := p.src.Time.UTC()
			*p.dst = &t
		}
	}
	var c notify.Content
	if json.Unmarshal([]byte(payload), &c) == nil {
		n.OrgName, n.Items, n.Triggers = c.OrgName, len(c.Items), c.Triggers()
	}
	return n, nil
}

// NoticeGet implements notify.AckStore: notice id of sc (notices to
// unregistered owners belong to no organisation: the operator's only).
func (s *Store) NoticeGet(ctx context.Context, sc tenant.Scope, id int64) (notify.Notice, error) {
	cond, args := noticeScope(sc, "n")
	n, err := scanNotice(s.QueryRow(ctx, `SELECT `+noticeCols+` FROM notices n WHERE n.id = ? AND `+cond, append([]any{id}, args...)...))
	return n, Scan(err, fmt.Sprintf("notice %d", id))
}

// NoticeContent returns the stored content of notice id of sc.
func (s *Store) NoticeContent(ctx context.Context, sc tenant.Scope, id int64) (notify.Content, error) {
	var payload string
	cond, args := noticeScope(sc, "notices")
	err := s.QueryRow(ctx, `SELECT payload FROM notices WHERE id = ? AND `+cond, append([]any{id}, args...)...).Scan(&payload)
	if err != nil {
		return notify.Content{}, Scan(err, fmt.Sprintf("notice %d", id))
	}
	var c notify.Content
	return c, json.Unmarshal([]byte(payload), &c)
}

// NoticeAck implements notify.AckStore: the first acknowledgement is kept;
// an open or escalated notice becomes acknowledged (a resolved one stays
// resolved). A notice outside sc is errs.NotFound and stays unchanged.
func (s *Store) NoticeAck(ctx context.Context, sc tenant.Scope, id int64, by string, at time.Time) (notify.Notice, error) {
	cond, args := noticeScope(sc, "notices")
	if _, err := s.Exec(ctx, `UPDATE notices SET acked_at = ?, acked_by = ?,
  state = CASE WHEN state IN ('open', 'escalated') THEN 'acknowledged' ELSE state END
WHERE id = ? AND acked_at IS NULL AND `+cond, append([]any{at, by, id}, args...)...); err != nil {
		return notify.Notice{}, fmt.Errorf("acknowledge notice %d: %w", id, err)
	}
	return s.NoticeGet(ctx, sc, id)
}

// NoticeList lists the notices of sc ordered by id.
func (s *Store) NoticeList(ctx context.Context, sc tenant.Scope, f notify.NoticeFilter) ([]notify.Notice, error) {
	cond, cargs := noticeScope(sc, "n")
	q := `SELECT ` + noticeCols + ` FROM notices n WHERE n.id > ? AND ` + cond
	args := append([]any{f.After}, cargs...)
	if f.State != "" {
		q += ` AND n.state = ?`
		args = append(args, string(f.State))
	}
	return queryAll(ctx, s, scanNotice, q+fmt.Sprintf(` ORDER BY n.id LIMIT %d`, f.Size()), args...)
}

// NoticeEscalate implements notify.EscalationStore. A notice that was
// never sent (no usable contact, or every delivery dead) counts from its
// creation.
func (s *Store) NoticeEscalate(ctx context.Context, minSev finding.Severity, sentBefore, now time.Time) (int, error) {
	r, err := s.Exec(ctx, `UPDATE notices SET state = 'escalated', escalated_at = ?
WHERE state = 'open' AND severity >= ? AND acked_at IS NULL
  AND ((first_sent_at IS NOT NULL AND first_sent_at < ?) OR (first_sent_at IS NULL AND created_at < ?))`,
		now, int64(minSev), sentBefore, sentBefore)
	if err != nil {
		return 0, fmt.Errorf("escalate notices: %w", err)
	}
	n, err := r.RowsAffected()
	return int(n), err
}

// NoticeCallList implements notify.EscalationStore: the escalated notices
// of sc.
func (s *Store) NoticeCallList(ctx context.Context, sc tenant.Scope) ([]notify.Call, error) {
	cond, args := noticeScope(sc, "n")
	rows, err := s.Query(ctx, `SELECT `+noticeCols+` FROM notices n WHERE n.state = 'escalated' AND `+cond+` ORDER BY n.escalated_at, n.id`, args...)
	if err != nil {
		return nil, err
	}
	var calls []notify.Call
	for rows.Next() {
		n, err := scanNotice(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		calls = append(calls, notify.Call{Notice: n, Phones: []string{}, Emails: []string{}})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	why, err := s.noticeUndeliverable(ctx, sc)
	if err != nil {
		return nil, err
	}
	last, err := s.callLast(ctx, sc)
	if err != nil {
		return nil, err
	}
	for i := range calls {
		calls[i].Undeliverable = why[calls[i].ID]
		if l, ok := last[calls[i].ID]; ok {
			calls[i].LastCall, calls[i].Calls = &l.rec, l.n
		}
		if calls[i].OrgID == 0 {
			continue
		}
		cs, err := s.ContactList(ctx, tenant.Org(calls[i].OrgID))
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if c.Phone != "" {
				calls[i].Phones = append(calls[i].Phones, c.Phone)
			}
			if c.Email != "" {
				calls[i].Emails = append(calls[i].Emails, c.Email)
			}
		}
	}
	if calls == nil {
		calls = []notify.Call{}
	}
	return calls, nil
}

// callSummary is the latest call about a notice and how many were made.
type callSummary struct {
	rec notify.CallRecord
	n   int
}

// callLast maps the escalated notices of sc that were called about to
// their latest call and the number of calls.
func (s *Store) callLast(ctx context.Context, sc tenant.Scope) (map[int64]callSummary, error) {
	cond, args := noticeScope(sc, "n")
	rows, err := s.Query(ctx, `SELECT c.id, c.notice_id, c.outcome, c.note, c.actor, c.created_at, k.n
FROM call_outcomes c JOIN (SELECT c2.notice_id, MAX(c2.id) AS last, COUNT(*) AS n FROM call_outcomes c2
  JOIN notices n ON n.id = c2.notice_id WHERE n.state = 'escalated' AND `+cond+` GROUP BY c2.notice_id) k ON k.last = c.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("calls made: %w", err)
	}
	defer rows.Close()
	out := map[int64]callSummary{}
	for rows.Next() {
		var c callSummary
		var outcome string
		if err := rows.Scan(&c.rec.ID, &c.rec.NoticeID, &outcome, &c.rec.Note, &c.rec.Actor, &c.rec.At, &c.n); err != nil {
			return nil, err
		}
		c.rec.Outcome, c.rec.At = notify.CallOutcome(outcome), c.rec.At.UTC()
		out[c.rec.NoticeID] = c
	}
	return out, rows.Err()
}

// CallRecordAdd records a call about escalated notice c.NoticeID of sc
// (it must be on the call list, else errs.NotFound) and sets c's id and
// time.
func (s *Store) CallRecordAdd(ctx context.Context, sc tenant.Scope, c *notify.CallRecord) error {
	return s.Tx(ctx, func(tx *Store) error {
		cond, args := noticeScope(sc, "n")
		var id int64
		err := tx.QueryRow(ctx, `SELECT n.id FROM notices n WHERE n.id = ? AND n.state = 'escalated' AND `+cond, append([]any{c.NoticeID}, args...)...).Scan(&id)
		if err := Scan(err, fmt.Sprintf("escalated notice %d", c.NoticeID)); err != nil {
			return err
		}
		c.At = tx.Now().UTC()
		return tx.QueryRow(ctx, `INSERT INTO call_outcomes (notice_id, outcome, note, actor, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			c.NoticeID, string(c.Outcome), c.Note, c.Actor, c.At).Scan(&c.ID)
	})
}

// noticeUndeliverable maps the escalated notices of sc that could be sent
// to nobody to the reason.
func (s *Store) noticeUndeliverable(ctx context.Context, sc tenant.Scope) (map[int64]string, error) {
	cond, args := noticeScope(sc, "n")
	rows, err := s.Query(ctx, `SELECT n.id, n.undeliverable FROM notices n WHERE n.state = 'escalated' AND n.undeliverable IS NOT NULL AND `+cond, args...)
	if err != nil {
		return nil, fmt.Errorf("undeliverable notices: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var why string
		if err := rows.Scan(&id, &why); err != nil {
			return nil, err
		}
		out[id] = why
	}
	return out, rows.Err()
}

// NotifyHeld counts, over every organisation, the items waiting for the
// end of their run, and those the cap of immediate notices folded into
// digests since since (with their organisations): the composition
// pipeline's state for the operator's status.
func (s *Store) NotifyHeld(ctx context.Context, since time.Time) (notify.Held, error) {
	var h notify.Held
	if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM notice_items WHERE wait_run IS NOT NULL AND notice_id IS NULL`).Scan(&h.Waiting); err != nil {
		return h, fmt.Errorf("items waiting for their run: %w", err)
	}
	err := s.QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT org_id) FROM notice_items WHERE folded AND created_at >= ?`, since).Scan(&h.Folded, &h.FoldedOrgs)
	if err != nil {
		return h, fmt.Errorf("items folded by the cap: %w", err)
	}
	return h, nil
}

// NoticeStatRows implements notify.StatsStore: one row per notice item of
// the notices of sc created at or after since.
func (s *Store) NoticeStatRows(ctx context.Context, sc tenant.Scope, since time.Time) ([]notify.StatRow, error) {
	cond, args := orgCond(sc, "n.org_id")
	rows, err := s.Query(ctx, `SELECT n.id, COALESCE(n.org_id, 0), t.name, n.created_at, n.first_sent_at, n.acked_at,
  (SELECT COUNT(*) FROM outbox o WHERE o.notice_id = n.id AND o.state = 'sent'),
  (SELECT COUNT(*) FROM outbox o WHERE o.notice_id = n.id AND o.state = 'dead'),
  COALESCE(f.status, 'resolved'), f.resolved_at, n.resolved_at, CASE WHEN n.undeliverable IS NULL THEN 0 ELSE 1 END, CASE WHEN i.folded THEN 1 ELSE 0 END,
  (SELECT COUNT(*) FROM outbox o WHERE o.notice_id = n.id AND o.state = 'suppressed'),
  (SELECT COUNT(*) FROM outbox o WHERE o.notice_id = n.id AND o.state = 'sent' AND o.bounced_at IS NOT NULL)
FROM notices n JOIN notice_items i ON i.notice_id = n.id JOIN triggers t ON t.id = i.trigger_id
LEFT JOIN findings f ON f.id = i.finding_id
WHERE n.created_at >= ? AND `+cond+` ORDER BY n.id, t.name`, append([]any{since}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("notice statistics: %w", err)
	}
	defer rows.Close()
	var out []notify.StatRow
	for rows.Next() {
		var r notify.StatRow
		var first, acked, fres, nres sql.NullTime
		var sent, dead, undeliverable, suppressed, bounced int64
		var status string
		if err := rows.Scan(&r.NoticeID, &r.OrgID, &r.Trigger, &r.Created, &first, &acked, &sent, &dead, &status, &fres, &nres, &undeliverable, &r.Folded, &suppressed, &bounced); err != nil {
			return nil, err
		}
		r.Bounced = bounced > 0
		r.Suppressed = sent == 0 && suppressed > 0
		r.Undeliverable = undeliverable == 1
		r.Created = r.Created.UTC()
		r.Sent, r.Failed = sent > 0, sent == 0 && dead > 0
		r.FirstSent, r.AckedAt = nullTimePtr(first), nullTimePtr(acked)
		// This item's resolution time: its finding's, else (unregistered
		// notices have no finding) the notice's.
		if status != string(finding.Open) {
			if r.ResolvedAt = nullTimePtr(fres); r.ResolvedAt == nil {
				r.ResolvedAt = nullTimePtr(nres)
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// NoticeDayFigures counts, per UTC day of creation, the notices of sc
// created at or after since that have at least one item (the notices
// NoticeStatRows covers): how many, sent (a delivery succeeded), failed (none
// did and one is dead), undeliverable, acknowledged and bounced (a sent
// delivery came back), oldest day first, each with Period set to the day
// (YYYY-MM-DD). Each notice carries its marks (has_items, deliveries_sent,
// deliveries_dead, deliveries_bounced, kept by the triggers of migrations
// 00730 and 00821), so one organisation's notices are counted from their
// rows alone; for every organisation, from a midnight on, the running
// totals per day (notice_days, kept by the same triggers) are read: a few
// rows per day, whatever the number of notices.
func (s *Store) NoticeDayFigures(ctx context.Context, sc tenant.Scope, since time.Time) ([]notify.Figures, error) {
	var rows *sql.Rows
	var err error
	if since = since.UTC(); sc.IsOperator() && since.Equal(since.Truncate(24*time.Hour)) {
		rows, err = s.Query(ctx, `SELECT day, SUM(notices), SUM(sent), SUM(failed), SUM(undeliverable), SUM(acked), SUM(bounced)
FROM notice_days WHERE day >= ? GROUP BY day HAVING SUM(notices) > 0 ORDER BY day`, since.Format(time.DateOnly))
	} else {
		cond, args := orgCond(sc, "org_id")
		day, items, sent, failed := `substr(created_at, 1, 10)`, `has_items = 1`, `deliveries_sent > 0`, `deliveries_sent = 0 AND deliveries_dead > 0`
		if s.dialect == Postgres {
			day, items = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`, `has_items`
		}
		rows, err = s.Query(ctx, `SELECT `+day+` AS day, COUNT(*), SUM(CASE WHEN `+sent+` THEN 1 ELSE 0 END), SUM(CASE WHEN `+failed+` THEN 1 ELSE 0 END),
  SUM(CASE WHEN undeliverable IS NULL THEN 0 ELSE 1 END), SUM(CASE WHEN acked_at IS NULL THEN 0 ELSE 1 END),
  SUM(CASE WHEN deliveries_bounced > 0 THEN 1 ELSE 0 END)
FROM notices WHERE created_at >= ? AND `+cond+` AND `+items+`
GROUP BY 1 ORDER BY 1`, append([]any{since}, args...)...)
	}
	if err != nil {
		return nil, fmt.Errorf("notice figures per day: %w", err)
	}
	defer rows.Close()
	out := []notify.Figures{}
	for rows.Next() {
		var f notify.Figures
		if err := rows.Scan(&f.Period, &f.Notices, &f.Sent, &f.Failed, &f.Undeliverable, &f.Acknowledged, &f.Bounced); err != nil {
			return nil, fmt.Errorf("notice figures per day: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// NoticeAckDays returns, per UTC day of creation, the times to
// acknowledge of the notices of sc created at or after since (see
// notify.AckTimes), oldest day first, days without any left out. For every
// organisation, from a midnight on, it reads the running figures of
// notice_days (kept by the triggers of migration 00736); for one
// organisation it counts that organisation's notices by the same rule.
func (s *Store) NoticeAckDays(ctx context.Context, sc tenant.Scope, since time.Time) ([]notify.AckTimes, error) {
	var rows *sql.Rows
	var err error
	if since = since.UTC(); sc.IsOperator() && since.Equal(since.Truncate(24*time.Hour)) {
		rows, err = s.Query(ctx, `SELECT day, SUM(ack_timed), SUM(ack_seconds), SUM(ack_hour), SUM(ack_day), SUM(ack_week), SUM(ack_later)
FROM notice_days WHERE day >= ? GROUP BY day HAVING SUM(ack_timed) > 0 ORDER BY day`, since.Format(time.DateOnly))
	} else {
		cond, args := orgCond(sc, "org_id")
		day, items := `substr(created_at, 1, 10)`, `has_items = 1`
		secs := `max(0, CAST(round((julianday(acked_at) - julianday(first_sent_at)) * 86400) AS INTEGER))`
		if s.dialect == Postgres {
			day, items = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`, `has_items`
			secs = `GREATEST(0, round(extract(epoch FROM acked_at - first_sent_at)))::bigint`
		}
		rows, err = s.Query(ctx, `SELECT day, COUNT(*), SUM(s), SUM(CASE WHEN s < 3600 THEN 1 ELSE 0 END),
  SUM(CASE WHEN s >= 3600 AND s < 86400 THEN 1 ELSE 0 END), SUM(CASE WHEN s >= 86400 AND s < 604800 THEN 1 ELSE 0 END),
  SUM(CASE WHEN s >= 604800 THEN 1 ELSE 0 END)
FROM (SELECT `+day+` AS day, `+secs+` AS s FROM notices
  WHERE created_at >= ? AND `+cond+` AND `+items+` AND acked_at IS NOT NULL AND first_sent_at IS NOT NULL) x
GROUP BY day ORDER BY day`, append([]any{since}, args...)...)
	}
	if err != nil {
		return nil, fmt.Errorf("times to acknowledge per day: %w", err)
	}
	defer rows.Close()
	out := []notify.AckTimes{}
	for rows.Next() {
		var a notify.AckTimes
		if err := rows.Scan(&a.Period, &a.Timed, &a.Seconds, &a.WithinHour, &a.WithinDay, &a.WithinWeek, &a.Later); err != nil {
			return nil, fmt.Errorf("times to acknowledge per day: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// orgWarned records, in the transaction that marks a delivery of notice
// sent at at, that its organisation was warned about each trigger of its
// items on at's UTC day (org_warnings, migration 00738). Insert-only: a
// repeat is ignored and nothing takes a row back, so a warning that went
// out stays counted when items later move. Notices without an
// organisation (unregistered addresses) are not recorded.
func (s *Store) orgWarned(ctx context.Context, notice int64, at time.Time) error {
	if _, err := s.Exec(ctx, `INSERT INTO org_warnings (day, trigger_id, org_id)
SELECT DISTINCT ?, i.trigger_id, n.org_id FROM notices n JOIN notice_items i ON i.notice_id = n.id
WHERE n.id = ? AND n.org_id IS NOT NULL
ON CONFLICT DO NOTHING`, at.UTC().Format(time.DateOnly), notice); err != nil {
		return fmt.Errorf("notice %d: record the organisation warned: %w", notice, err)
	}
	return nil
}

// OrgWarnDays counts the organisations of sc warned per UTC day of sending
// and trigger (a delivery of a notice with an item of the trigger was
// sent), from since's day on, oldest day first, then by trigger id. It
// reads a range of org_warnings' key (day, trigger, organisation): a row
// per organisation warned in the span, whatever the number of findings.
func (s *Store) OrgWarnDays(ctx context.Context, sc tenant.Scope, since time.Time) ([]notify.WarnDay, error) {
	// Counted per (day, trigger) in the key's order first and joined to the
	// names after: one range scan of the key (on SQLite a join first
	// probes the key once per trigger and day).
	cond, args := orgCond(sc, "org_id")
	rows, err := s.Query(ctx, `SELECT w.day, t.name, w.n FROM (SELECT day, trigger_id, COUNT(*) AS n FROM org_warnings
  WHERE day >= ? AND `+cond+` GROUP BY day, trigger_id) w JOIN triggers t ON t.id = w.trigger_id ORDER BY w.day, w.trigger_id`,
		append([]any{since.UTC().Format(time.DateOnly)}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("organisations warned per trigger and day: %w", err)
	}
	defer rows.Close()
	out := []notify.WarnDay{}
	for rows.Next() {
		var d notify.WarnDay
		if err := rows.Scan(&d.Day, &d.Trigger, &d.Orgs); err != nil {
			return nil, fmt.Errorf("organisations warned per trigger and day: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// nullTimePtr returns a valid time in UTC, nil for NULL.
func nullTimePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// NoticeRecent implements notify.UnregisteredStore.
func (s *Store) NoticeRecent(ctx context.Context, dedupKey string, since time.Time) (bool, error) {
	var one int
	err := s.QueryRow(ctx, `SELECT 1 FROM notices WHERE dedup_key = ? AND created_at >= ? LIMIT 1`, dedupKey, since).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// NoticeCreateUnregistered implements notify.UnregisteredStore.
func (s *Store) NoticeCreateUnregistered(ctx context.Context, d notify.UnregisteredDraft, quietSince, now time.Time) (int64, bool, error) {
	var id int64
	created := false
	err := s.Tx(ctx, func(tx *Store) error {
		if recent, err := tx.NoticeRecent(ctx, d.DedupKey, quietSince); err != nil || recent {
			return err
		}
		payload, err := json.Marshal(d.Content)
		if err != nil {
			return err
		}
		id, err = tx.InsertID(ctx, `INSERT INTO notices (kind, severity, state, dedup_key, payload, contact_source, created_at, tlp) VALUES (?, ?, 'open', ?, ?, ?, ?, ?)`,
			string(notify.KindUnregistered), int64(d.Content.Severity), d.DedupKey, string(payload), d.ContactSource, now, d.Content.Marking())
		if err != nil {
			return fmt.Errorf("unregistered notice: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO notice_items (trigger_id, kind, severity, created_at, notice_id) VALUES (?, ?, ?, ?, ?)`,
			d.TriggerID, string(finding.EventNew), int64(d.Content.Severity), now, id); err != nil {
			return fmt.Errorf("unregistered notice item: %w", err)
		}
		created = true
		if err := tx.noticeTickets(ctx, []int64{id}); err != nil {
			return err
		}
		return tx.outboxInsert(ctx, now, []outboxRow{{id, d.Delivery}})
	})
	return id, created, err
}

// RDAPCache returns a persistent rdap.Cache on the rdap_cache table,
// shared by every node of a deployment.
func (s *Store) RDAPCache() rdap.Cache { return rdapCache{s} }

type rdapCache struct{ s *Store }

// Get implements rdap.Cache.
func (c rdapCache) Get(ctx context.Context, key string) (rdap.Result, bool, error) {
	var v string
	err := c.s.QueryRow(ctx, `SELECT value FROM rdap_cache WHERE key = ? AND expires_at > ?`, key, c.s.Now()).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return rdap.Result{}, false, nil
	}
	if err != nil {
		return rdap.Result{}, false, err
	}
	var r rdap.Result
	if err := json.Unmarshal([]byte(v), &r); err != nil {
		return rdap.Result{}, false, nil // an unreadable entry is a miss
	}
	return r, true, nil
}

// Put implements rdap.Cache.
func (c rdapCache) Put(ctx context.Context, key string, r rdap.Result, expires time.Time) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = c.s.Exec(ctx, `INSERT INTO rdap_cache (key, value, expires_at, stored_at) VALUES (?, ?, ?, ?)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, stored_at = excluded.stored_at`,
		key, string(b), expires.UTC(), c.s.Now())
	return err
}

// rdapBootstrapKey prefixes the settings that hold refreshed RDAP
// bootstrap files, one per file name.
const rdapBootstrapKey = "rdap.bootstrap/"

// RDAPBootstrapSave stores refreshed RDAP bootstrap files (by file name),
// replacing the ones saved before, in one transaction; every node of a
// deployment then reads them.
func (s *Store) RDAPBootstrapSave(ctx context.Context, files map[string][]byte) error {
	return s.Tx(ctx, func(tx *Store) error {
		for name, body := range files {
			if err := tx.SettingSet(ctx, rdapBootstrapKey+name, string(body)); err != nil {
				return err
			}
		}
		return nil
	})
}

// RDAPBootstrapFiles returns the saved RDAP bootstrap files of names, or
// errs.NotFound when one is missing (nothing was ever refreshed).
func (s *Store) RDAPBootstrapFiles(ctx context.Context, names []string) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, name := range names {
		v, err := s.SettingGet(ctx, rdapBootstrapKey+name)
		if err != nil {
			return nil, err
		}
		files[name] = []byte(v)
	}
	return files, nil
}
