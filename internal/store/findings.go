// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/ingest"
	"vigil/internal/keyset"
	"vigil/internal/tenant"
	"vigil/internal/text"
	"vigil/internal/tlp"
)

// tsParam returns a placeholder for a timestamp inside a VALUES list, where
// PostgreSQL cannot infer the type.
func (s *Store) tsParam() string {
	if s.dialect == Postgres {
		return "CAST(? AS TIMESTAMPTZ)"
	}
	return "?"
}

// least returns the dialect's two-argument minimum.
func (s *Store) least(a, b string) string {
	if s.dialect == Postgres {
		return "LEAST(" + a + ", " + b + ")"
	}
	return "MIN(" + a + ", " + b + ")"
}

// greatest returns the dialect's two-argument maximum.
func (s *Store) greatest(a, b string) string {
	if s.dialect == Postgres {
		return "GREATEST(" + a + ", " + b + ")"
	}
	return "MAX(" + a + ", " + b + ")"
}

// TriggerEnsure returns the id of the trigger named t.Name, creating it when
// missing. A t that allows notifying unregistered owners turns that on for
// an existing trigger too.
func (s *Store) TriggerEnsure(ctx context.Context, t finding.Trigger) (int64, error) {
	if err := t.Validate(); err != nil {
		return 0, err
	}
	var id int64
	err := s.QueryRow(ctx, `SELECT id FROM triggers WHERE name = ?`, t.Name).Scan(&id)
	if err == nil {
		if t.NotifyUnregistered {
			_, err = s.Exec(ctx, `UPDATE triggers SET notify_unregistered = ? WHERE id = ?`, true, id)
		}
		return id, err
	}
	if err != sql.ErrNoRows {
		return 0, err
	}
	if t.Kind == "" {
		t.Kind = "feed"
	}
	id, err = s.InsertID(ctx, `INSERT INTO triggers (name, kind, title, description, notify_unregistered, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		t.Name, t.Kind, t.Title, t.Description, t.NotifyUnregistered, s.Now())
	if err != nil {
		return 0, fmt.Errorf("trigger %q: %w", t.Name, err)
	}
	return id, nil
}

// TriggerDays counts the findings of sc per UTC day of first sighting and
// trigger, from since's day on, oldest day first, then by trigger id; pairs
// without findings are left out. For every organisation it reads the
// running counts of trigger_days (kept by the triggers of migration
// 00737), a few rows per day and trigger; for one organisation it counts
// that organisation's findings.
func (s *Store) TriggerDays(ctx context.Context, sc tenant.Scope, since time.Time) ([]finding.TriggerDay, error) {
	day := since.UTC().Format(time.DateOnly)
	var q string
	var args []any
	if sc.IsOperator() {
		q = `SELECT d.day, t.name, SUM(d.findings) FROM trigger_days d JOIN triggers t ON t.id = d.trigger_id
WHERE d.day >= ? GROUP BY d.day, t.id, t.name HAVING SUM(d.findings) <> 0 ORDER BY d.day, t.id`
		args = []any{day}
	} else {
		cond, cargs := findingScope(sc, "f")
		fday := `substr(f.first_seen, 1, 10)`
		if s.dialect == Postgres {
			fday = `to_char(f.first_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD')`
		}
		q = `SELECT ` + fday + ` AS day, t.name, COUNT(*) FROM findings f JOIN triggers t ON t.id = f.trigger_id
WHERE f.first_seen >= ? AND ` + cond + ` GROUP BY 1, t.id, t.name ORDER BY 1, t.id`
		args = append([]any{since.UTC().Truncate(24 * time.Hour)}, cargs...)
	}
	rows, err := s.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("findings per trigger and day: %w", err)
	}
	defer rows.Close()
	out := []finding.TriggerDay{}
	for rows.Next() {
		var d finding.TriggerDay
		if err := rows.Scan(&d.Day, &d.Trigger, &d.Findings); err != nil {
			return nil, fmt.Errorf("findings per trigger and day: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// TriggerStats lists every trigger with the counts of the findings of sc:
// organisations with findings, findings (and open ones), and observations
// (sightings folded). For every organisation it reads the totals per
// trigger (triggerStatsAll); for one, the running totals of migration
// 00720 (one row per trigger and organisation, kept in the transaction of every write
// to findings, plus on PostgreSQL the differences not folded into them
// yet), not the findings themselves.
func (s *Store) TriggerStats(ctx context.Context, sc tenant.Scope) ([]finding.TriggerStats, error) {
	if sc.IsOperator() {
		return s.triggerStatsAll(ctx)
	}
	cond, args := orgCond(sc, "org_id")
	// SQLite's triggers keep one row per trigger and organisation with
	// findings; PostgreSQL's totals are the folded rows plus the
	// differences not folded yet.
	totals := `SELECT trigger_id, org_id, findings, open, observations FROM finding_totals WHERE ` + cond
	if s.dialect == Postgres {
		// Each folded row with its differences added, then the keys that
		// only have differences: no regrouping of every folded row (the
		// planner misjudges that and sorts on disk).
		d := `SELECT trigger_id, org_id, SUM(findings) AS findings, SUM(open) AS open, SUM(observations) AS observations
    FROM finding_total_deltas WHERE ` + cond + ` GROUP BY trigger_id, org_id`
		totals = `SELECT trigger_id, org_id, findings, open, observations FROM (
    SELECT ft.trigger_id, ft.org_id, ft.findings + COALESCE(d.findings, 0) AS findings, ft.open + COALESCE(d.open, 0) AS open,
      ft.observations + COALESCE(d.observations, 0) AS observations
    FROM finding_totals ft LEFT JOIN (` + d + `) d ON d.trigger_id = ft.trigger_id AND d.org_id = ft.org_id WHERE ` + strings.ReplaceAll(cond, "org_id", "ft.org_id") + `
    UNION ALL
    SELECT d.trigger_id, d.org_id, d.findings, d.open, d.observations FROM (` + d + `) d
    WHERE NOT EXISTS (SELECT 1 FROM finding_totals ft WHERE ft.trigger_id = d.trigger_id AND ft.org_id = d.org_id)
  ) u WHERE findings > 0`
		args = append(append(append([]any{}, args...), args...), args...)
	}
	rows, err := s.Query(ctx, `
SELECT t.id, t.name, t.kind, t.title, t.description, t.notify_unregistered, t.created_at,
       COALESCE(x.orgs, 0), COALESCE(x.findings, 0), COALESCE(x.open, 0), COALESCE(x.observations, 0)
FROM triggers t LEFT JOIN (
  SELECT trigger_id, COUNT(*) AS orgs, SUM(findings) AS findings, SUM(open) AS open, SUM(observations) AS observations
  FROM (`+totals+`) y GROUP BY trigger_id
) x ON x.trigger_id = t.id
ORDER BY t.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []finding.TriggerStats{}
	for rows.Next() {
		var ts finding.TriggerStats
		if err := rows.Scan(&ts.ID, &ts.Name, &ts.Kind, &ts.Title, &ts.Description, &ts.NotifyUnregistered, &ts.CreatedAt,
			&ts.Organisations, &ts.Findings, &ts.Open, &ts.Observations); err != nil {
			return nil, err
		}
		ts.CreatedAt = ts.CreatedAt.UTC()
		out = append(out, ts)
	}
	return out, rows.Err()
}

// triggerStatsAll is TriggerStats of every organisation: it reads the
// totals per trigger (trigger_totals, migration 00730, kept from
// finding_totals' rows in the same transaction) and adds the differences
// not folded into finding_totals yet (PostgreSQL; none on SQLite), each
// organisation counted when its folded findings plus the differences turn
// from none to some or back. A row per trigger plus the waiting
// differences, whatever the number of organisations.
func (s *Store) triggerStatsAll(ctx context.Context) ([]finding.TriggerStats, error) {
	rows, err := s.Query(ctx, `
SELECT t.id, t.name, t.kind, t.title, t.description, t.notify_unregistered, t.created_at,
       COALESCE(tt.orgs, 0) + COALESCE(w.orgs, 0), COALESCE(tt.findings, 0) + COALESCE(w.findings, 0),
       COALESCE(tt.open, 0) + COALESCE(w.open, 0), COALESCE(tt.observations, 0) + COALESCE(w.observations, 0)
FROM triggers t
LEFT JOIN trigger_totals tt ON tt.trigger_id = t.id
LEFT JOIN (
  SELECT d.trigger_id,
    SUM(CASE WHEN COALESCE(ft.findings, 0) + d.findings > 0 THEN 1 ELSE 0 END) - SUM(CASE WHEN COALESCE(ft.findings, 0) > 0 THEN 1 ELSE 0 END) AS orgs,
    SUM(d.findings) AS findings, SUM(d.open) AS open, SUM(d.observations) AS observations
  FROM (SELECT trigger_id, org_id, SUM(findings) AS findings, SUM(open) AS open, SUM(observations) AS observations
        FROM finding_total_deltas GROUP BY trigger_id, org_id) d
  LEFT JOIN finding_totals ft ON ft.trigger_id = d.trigger_id AND ft.org_id = d.org_id
  GROUP BY d.trigger_id
) w ON w.trigger_id = t.id
ORDER BY t.id`)
	if err != nil {
		return nil, fmt.Errorf("trigger totals: %w", err)
	}
	defer rows.Close()
	out := []finding.TriggerStats{}
	for rows.Next() {
		var ts finding.TriggerStats
		if err := rows.Scan(&ts.ID, &ts.Name, &ts.Kind, &ts.Title, &ts.Description, &ts.NotifyUnregistered, &ts.CreatedAt,
			&ts.Organisations, &ts.Findings, &ts.Open, &ts.Observations); err != nil {
			return nil, fmt.Errorf("trigger totals: %w", err)
		}
		ts.CreatedAt = ts.CreatedAt.UTC()
		out = append(out, ts)
	}
	return out, rows.Err()
}

// The store implements ingest's storage.
var _ ingest.Store = (*Store)(nil)

// IngestTx implements ingest.Store: fn runs in one transaction.
func (s *Store) IngestTx(ctx context.Context, fn func(tx ingest.Store) error) error {
	return s.findingsTx(ctx, func(tx *Store) error { return fn(tx) })
}

// findingsTx runs fn, which writes findings in bulk, in a transaction (or
// the caller's) and then, on PostgreSQL and outside a caller's
// transaction, folds the differences the findings triggers appended to
// finding_total_deltas into finding_totals (migration 00720), so that
// readers of the totals find them folded. Folding is an optimisation:
// readers add the differences not folded yet, so a fold that fails (or is
// skipped because another runs) loses nothing and is not reported; the
// next one folds them. The fold deletes the rows it folded, and a vacuum
// of finding_total_deltas then frees their space at once: readers of the
// totals scan that table (TriggerStats), and without it they would read
// every page that all folded differences ever filled until autovacuum
// (which may lag behind a long ingest, or be off) came by. The table holds
// a few transactions' differences, so the vacuum takes milliseconds; one
// already vacuuming it is not waited for.
//
// A transaction that upserted findings without finishing a run (a batch
// in the middle of a feed) folds only every foldEvery-th time: the fold
// and its vacuum took 14 % of a feed ingest's server time when they ran
// after every batch. Every other transaction folds, among them the one
// that ends a run, so a finished ingest leaves nothing waiting.
func (s *Store) findingsTx(ctx context.Context, fn func(tx *Store) error) error {
	if s.inTx {
		return fn(s)
	}
	var b findingsBatch
	sb := *s
	sb.batch = &b
	if err := sb.Tx(ctx, fn); err != nil {
		return err
	}
	if s.dialect != Postgres {
		return nil
	}
	if b.upserted && !b.finished && s.folds.Add(1)%foldEvery != 0 {
		return nil
	}
	s.folds.Store(0)
	if _, err := s.Exec(ctx, `SELECT finding_totals_compact()`); err == nil {
		_, _ = s.Exec(ctx, `VACUUM (SKIP_LOCKED) finding_total_deltas`)
	}
	return nil
}

// foldEvery is how many mid-run findings batches share one totals fold
// (see findingsTx).
const foldEvery = 4

// findingsBatch is what one findingsTx transaction did that decides
// whether it folds the totals.
type findingsBatch struct {
	upserted, finished bool
}

// RunStart records the start of an ingest run and sets r.ID.
func (s *Store) RunStart(ctx context.Context, r *ingest.Run) error {
	r.StartedAt = s.Now()
	var trig any
	if r.TriggerID != 0 {
		trig = r.TriggerID
	}
	kind := r.Kind
	if kind == "" {
		kind = ingest.KindFeed
	}
	id, err := s.InsertID(ctx, `INSERT INTO ingest_runs (source, feed_type, report_type, trigger_id, full_report, source_sha256, header, started_at, kind, tlp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Source, r.FeedType, r.ReportType, trig, r.FullReport, r.SourceSHA256, r.Header, r.StartedAt, kind, r.TLP)
	r.ID = id
	return err
}

// RunUnfinished returns the latest run of the source with this content hash
// that never finished (the process stopped mid-way) and is not split (a split
// run resumes part by part, FeedPart), so that a new ingest of
// the same file resumes after its last committed line.
func (s *Store) RunUnfinished(ctx context.Context, sha256 string) (ingest.Run, error) {
	var r ingest.Run
	var trig sql.NullInt64
	err := s.QueryRow(ctx, `SELECT id, source, feed_type, report_type, trigger_id, full_report, source_sha256, header, committed_line, started_at,
  rows_total, matched, unmatched, quarantined, findings_new, findings_updated
FROM ingest_runs WHERE source_sha256 = ? AND finished_at IS NULL AND parts = 0 ORDER BY id DESC LIMIT 1`, sha256).Scan(
		&r.ID, &r.Source, &r.FeedType, &r.ReportType, &trig, &r.FullReport, &r.SourceSHA256, &r.Header, &r.CommittedLine, &r.StartedAt,
		&r.Rows, &r.Matched, &r.Unmatched, &r.Quarantined, &r.FindingsNew, &r.FindingsUpdated)
	r.TriggerID = trig.Int64
	return r, Scan(err, "unfinished run")
}

// RunResumeOrStart sets r to the latest unfinished unsplit run of the
// content r.SourceSHA256 (RunUnfinished), or starts r (RunStart), in one
// transaction holding the content (RunContentClaim): two ingests of the
// same file at the same moment start one run, instead of two runs that
// both count every sighting. A run found is resumed (RunResumed) whatever
// its progress, unless c.Again and it is still being ingested (then a run
// starts beside it): a node killed a moment ago
// leaves it with recent progress, and its restart must resume it; of two
// ingests that go on with one run only the first to commit a batch from
// its resume point counts it (RunCheckpointFrom). Without an unfinished run, content
// ingested completely before (RunDone) is reported (RunComplete) and not
// ingested again, unless c.Again: an ingest of it that ended between the
// caller's own look and this step is seen. Before all that, a split run of
// the content still under way (RunSplitUnfinished within c.Grace) is
// reported (RunLiveSplit) unless c.Again, and nothing is started: a split
// run started after the caller's own look is seen too.
func (s *Store) RunResumeOrStart(ctx context.Context, r *ingest.Run, c ingest.RunClaim) (ingest.RunFound, error) {
	found := ingest.RunStarted
	err := s.Tx(ctx, func(tx *Store) error {
		found = ingest.RunStarted
		if err := tx.RunContentClaim(ctx, r.SourceSHA256); err != nil {
			return err
		}
		// A split run of the content started since the caller's own look
		// (skipSameContent) and still under way is seen here, as that
		// look sees one: an ingest beside it would count its sightings
		// twice.
		if c.Grace > 0 && !c.Again {
			open, err := tx.RunSplitUnfinished(ctx, r.SourceSHA256, tx.Now().Add(-c.Grace))
			switch {
			case err == nil:
				*r, found = open, ingest.RunLiveSplit
				return nil
			case !errors.Is(err, errs.ErrNotFound):
				return err
			}
		}
		prev, err := tx.RunUnfinished(ctx, r.SourceSHA256)
		switch {
		case errors.Is(err, errs.ErrNotFound):
			if c.Again {
				return tx.RunStart(ctx, r)
			}
			// Looked for after the unfinished run: a run that ended
			// since that look is seen here (on PostgreSQL each
			// statement sees what committed before it).
			done, err := tx.RunDone(ctx, r.SourceSHA256)
			switch {
			case err == nil:
				*r, found = done, ingest.RunComplete
				return nil
			case !errors.Is(err, errs.ErrNotFound):
				return err
			}
			return tx.RunStart(ctx, r)
		case err != nil:
			return err
		}
		// An unfinished unsplit run is resumed whatever its progress: its
		// node may have died a moment ago (a restart resumes at once), and
		// should its ingest still go on, of the two only the first to
		// commit a batch from the resume point counts it (RunCheckpointFrom).
		// With c.Again a run still being ingested (runLive within c.Grace)
		// gets a run of its own beside it instead, as asked.
		if c.Again && c.Grace > 0 {
			var live bool
			if err := tx.QueryRow(ctx, `SELECT `+runLive+` FROM ingest_runs r WHERE r.id = ?`,
				append(runProgressArgs(tx.Now().Add(-c.Grace)), prev.ID)...).Scan(&live); err != nil {
				return fmt.Errorf("progress of run %d: %w", prev.ID, err)
			}
			if live {
				return tx.RunStart(ctx, r)
			}
		}
		*r, found = prev, ingest.RunResumed
		if _, err := tx.Exec(ctx, `UPDATE ingest_runs SET stopped_at = NULL WHERE id = ?`, prev.ID); err != nil {
			return fmt.Errorf("resume run %d: %w", prev.ID, err)
		}
		return nil
	})
	if err != nil {
		return ingest.RunStarted, fmt.Errorf("run of %s: %w", r.Source, err)
	}
	return found, nil
}

// RunMarkStopped marks run id, unfinished, as stopped by its ingest (it
// ended with an error): the same content handed in again resumes it at
// once and the runs lists show it stopped at once instead of after
// notify.run_grace. Composition still waits for the run as before, so that a resumed run is
// composed once, whole.
func (s *Store) RunMarkStopped(ctx context.Context, id int64) error {
	if _, err := s.Exec(ctx, `UPDATE ingest_runs SET stopped_at = ? WHERE id = ? AND finished_at IS NULL`, s.Now(), id); err != nil {
		return fmt.Errorf("mark run %d stopped: %w", id, err)
	}
	return nil
}

// RunDone returns the latest finished run of the source with this SHA-256
// (errs.NotFound when none): the same content was ingested completely.
func (s *Store) RunDone(ctx context.Context, sha256 string) (ingest.Run, error) {
	var r ingest.Run
	err := s.QueryRow(ctx, `SELECT id, source, started_at, rows_total FROM ingest_runs WHERE source_sha256 = ? AND finished_at IS NOT NULL ORDER BY id DESC LIMIT 1`,
		sha256).Scan(&r.ID, &r.Source, &r.StartedAt, &r.Rows)
	return r, Scan(err, "finished run")
}

// RunCheckpoint records progress inside the transaction that committed the
// rows up to line: a restart resumes after it.
func (s *Store) RunCheckpoint(ctx context.Context, r *ingest.Run) error {
	_, err := s.Exec(ctx, `UPDATE ingest_runs SET committed_line = ?, rows_total = ?, matched = ?, unmatched = ?, quarantined = ?,
  findings_new = ?, findings_updated = ?, checkpoint_at = ? WHERE id = ?`,
		r.CommittedLine, r.Rows, r.Matched, r.Unmatched, r.Quarantined, r.FindingsNew, r.FindingsUpdated, s.Now(), r.ID)
	return err
}

// RunCheckpointFrom is RunCheckpoint moving run r's resume point from line
// from only, while the run has not ended: when another ingest of the same
// file resumed the run and moved it first, it fails with errs.Conflict and
// the batch is rolled back, so no row is counted twice.
func (s *Store) RunCheckpointFrom(ctx context.Context, r *ingest.Run, from int64) error {
	res, err := s.Exec(ctx, `UPDATE ingest_runs SET committed_line = ?, rows_total = ?, matched = ?, unmatched = ?, quarantined = ?,
  findings_new = ?, findings_updated = ?, checkpoint_at = ? WHERE id = ? AND committed_line = ? AND finished_at IS NULL`,
		r.CommittedLine, r.Rows, r.Matched, r.Unmatched, r.Quarantined, r.FindingsNew, r.FindingsUpdated, s.Now(), r.ID, from)
	if err != nil {
		return fmt.Errorf("run %d checkpoint: %w", r.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errs.Errorf(errs.Conflict, "run %d: another ingest of the same file moved its resume point from line %d or ended it (%v)", r.ID, from, err)
	}
	return nil
}

// RunFinish stores r's counters and its end time.
func (s *Store) RunFinish(ctx context.Context, r *ingest.Run) error {
	if s.batch != nil {
		s.batch.finished = true
	}
	var trig any
	if r.TriggerID != 0 {
		trig = r.TriggerID
	}
	_, err := s.Exec(ctx, `UPDATE ingest_runs SET report_type = ?, trigger_id = ?, finished_at = ?, rows_total = ?, matched = ?, unmatched = ?, quarantined = ?,
		findings_new = ?, findings_updated = ?, findings_resolved = ? WHERE id = ?`,
		r.ReportType, trig, s.Now(), r.Rows, r.Matched, r.Unmatched, r.Quarantined, r.FindingsNew, r.FindingsUpdated, r.FindingsResolved, r.ID)
	return err
}

// QuarantineAdd stores refused input rows of run runID. Whatever bytes a
// row holds, it can be stored: text that is not storable (a NUL byte,
// invalid UTF-8) is kept escaped (text.Escape), byte for byte.
func (s *Store) QuarantineAdd(ctx context.Context, runID int64, bad []errs.RowError) error {
	if len(bad) == 0 {
		return nil
	}
	var run any
	if runID != 0 {
		run = runID
	}
	now := s.Now()
	m := multiRow{head: `INSERT INTO quarantine (run_id, file, line, field, reason, raw, created_at) VALUES `, tuple: "(?, ?, ?, ?, ?, ?, ?)"}
	if err := insertRows(ctx, s, m, chunkRows, bad, func(a []any, r errs.RowError) []any {
		return append(a, run, text.Escape(r.File), r.Line, text.Escape(r.Field), text.Escape(r.Reason), text.Escape(r.Raw), now)
	}); err != nil {
		return fmt.Errorf("quarantine: %w", err)
	}
	return nil
}

// QuarantinedRow is a stored refused row.
type QuarantinedRow = ingest.QuarantinedRow

// QuarantineList lists refused rows, newest run first.
func (s *Store) QuarantineList(ctx context.Context, p keyset.Page) ([]QuarantinedRow, error) {
	rows, err := s.Query(ctx, fmt.Sprintf(`SELECT id, run_id, file, line, field, reason, raw, created_at FROM quarantine WHERE id > ? ORDER BY id LIMIT %d`, p.Size()), p.After)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []QuarantinedRow{}
	for rows.Next() {
		var q QuarantinedRow
		var run sql.NullInt64
		if err := rows.Scan(&q.ID, &run, &q.File, &q.Line, &q.Field, &q.Reason, &q.Raw, &q.CreatedAt); err != nil {
			return nil, err
		}
		q.RunID = run.Int64
		q.CreatedAt = q.CreatedAt.UTC()
		out = append(out, q)
	}
	return out, rows.Err()
}

type findingID struct {
	org, trigger int64
	typ, key     string
}

type folded struct {
	s           finding.Sighting
	first, last time.Time
	n           int64
}

// FindingUpsert folds a batch of sightings into findings: a new identity
// makes a finding (event "new"); a known one gets last_seen, count and
// evidence updated, is reopened when it was resolved (event "reopened") and
// records a severity rise (event "severity_up"). runID marks the findings as
// seen in that run. It returns how many findings were created and updated.
//
// Call it inside Tx with batches of a few hundred to tens of thousands of
// sightings; it issues one upsert statement per 100 distinct identities
// (per probe round, see findingUpsertChunk).
func (s *Store) FindingUpsert(ctx context.Context, runID int64, batch []finding.Sighting) (created, updated int, err error) {
	if len(batch) == 0 {
		return 0, 0, nil
	}
	// Fold duplicates within the batch.
	idx := make(map[findingID]int, len(batch))
	fs := make([]folded, 0, len(batch))
	for _, sg := range batch {
		id := findingID{sg.OrgID, sg.TriggerID, sg.Type, sg.Key}
		t := sg.Time.UTC()
		if t.IsZero() {
			t = s.Now()
		}
		if i, ok := idx[id]; ok {
			f := &fs[i]
			f.n++
			if t.Before(f.first) {
				f.first = t
			}
			if !t.Before(f.last) {
				f.last = t
				sev, m := max(f.s.Severity, sg.Severity), max(f.s.TLP, sg.TLP)
				f.s = sg
				f.s.Severity, f.s.TLP = sev, m
			} else {
				f.s.Severity, f.s.TLP = max(f.s.Severity, sg.Severity), max(f.s.TLP, sg.TLP)
			}
			continue
		}
		idx[id] = len(fs)
		fs = append(fs, folded{s: sg, first: t, last: t, n: 1})
	}
	if s.batch != nil {
		s.batch.upserted = true
	}
	if s.dialect == Postgres {
		err = s.Tx(ctx, func(tx *Store) error {
			created, updated, err = tx.findingUpsertSet(ctx, runID, fs)
			return err
		})
		return created, updated, err
	}
	return s.findingUpsertRows(ctx, runID, fs)
}

// findingUpsertRows upserts fs (distinct identities), then records their
// events and, on SQLite, adds what they changed to the running totals (kept
// here, set-based, see migration 00802; PostgreSQL's triggers keep its
// totals). On PostgreSQL (the identities its set upsert left over) it uses
// multi-row statements; on SQLite single-row statements that need no
// statement journal (findingUpsertEach).
func (s *Store) findingUpsertRows(ctx context.Context, runID int64, fs []folded) (created, updated int, err error) {
	var events []finding.Event
	tot := &totalsDelta{pairs: map[[2]int64]*[3]int64{}, days: map[totalsDay]int64{}}
	st := stmtCache{s: s}
	defer st.close()
	if s.dialect == Postgres {
		// 22 parameters a row, 100 rows a statement.
		err = chunked(fs, 100, func(c []folded) error {
			cr, u, err := s.findingUpsertChunk(ctx, &st, runID, c, &events, tot)
			created += cr
			updated += u
			return err
		})
	} else {
		created, updated, err = s.findingUpsertEach(ctx, &st, runID, fs, &events, tot)
	}
	if err != nil {
		return created, updated, err
	}
	if err := s.eventInsert(ctx, &st, runID, events); err != nil {
		return created, updated, err
	}
	if s.dialect == Postgres {
		return created, updated, nil // its triggers keep the totals
	}
	return created, updated, tot.write(ctx, &st)
}

// totalsDelta is what one batch of upserts adds to finding_totals (per
// trigger and organisation) and trigger_days (per day of first sighting and
// trigger) on SQLite, where FindingUpsert keeps them instead of a trigger
// per finding (migration 00802): a new finding counts as a finding, an open
// one and its sightings; a re-sighting adds its sightings. A reopening is
// counted by the status trigger that stays (open and sightings alike), so
// it adds nothing here: findings are open or resolved, and only a resolved
// one changes status when sighted again.
type totalsDelta struct {
	pairs map[[2]int64]*[3]int64 // (trigger, org) → findings, open, observations
	days  map[totalsDay]int64
}

type totalsDay struct {
	day     string
	trigger int64
}

// add counts the upsert of f that did change (1 created, 2 reopened,
// 0 or 3 re-sighted).
func (d *totalsDelta) add(f *folded, change int64) {
	if change == 2 {
		return
	}
	k := [2]int64{f.s.TriggerID, f.s.OrgID}
	p := d.pairs[k]
	if p == nil {
		p = new([3]int64)
		d.pairs[k] = p
	}
	p[2] += f.n
	if change == 1 {
		p[0]++
		p[1]++
		// The day as substr(first_seen, 1, 10) reads it: timestamps are
		// stored in UTC.
		d.days[totalsDay{f.first.UTC().Format(time.DateOnly), f.s.TriggerID}]++
	}
}

// write adds the batch's differences to the totals, in the caller's
// transaction, with st's statements: a batch has thousands of pairs
// (organisations) in chunks of chunkRows, and the statement of a full
// chunk is prepared once, not once a chunk.
func (d *totalsDelta) write(ctx context.Context, st *stmtCache) error {
	type pair struct {
		k [2]int64
		v *[3]int64
	}
	pairs := make([]pair, 0, len(d.pairs))
	for k, v := range d.pairs {
		pairs = append(pairs, pair{k, v})
	}
	// In key order: the B-tree is written front to back.
	slices.SortFunc(pairs, func(a, b pair) int {
		return cmp.Or(cmp.Compare(a.k[0], b.k[0]), cmp.Compare(a.k[1], b.k[1]))
	})
	m := multiRow{head: `INSERT INTO finding_totals (trigger_id, org_id, findings, open, observations) VALUES `, tuple: "(?, ?, ?, ?, ?)",
		tail: ` ON CONFLICT (trigger_id, org_id) DO UPDATE SET findings = findings + excluded.findings,
  open = open + excluded.open, observations = observations + excluded.observations`}
	if err := insertRowsCached(ctx, st, m, pairs, func(a []any, p pair) []any {
		return append(a, p.k[0], p.k[1], p.v[0], p.v[1], p.v[2])
	}); err != nil {
		return fmt.Errorf("finding totals: %w", err)
	}
	type day struct {
		k totalsDay
		n int64
	}
	days := make([]day, 0, len(d.days))
	for k, n := range d.days {
		days = append(days, day{k, n})
	}
	slices.SortFunc(days, func(a, b day) int {
		return cmp.Or(strings.Compare(a.k.day, b.k.day), cmp.Compare(a.k.trigger, b.k.trigger))
	})
	m = multiRow{head: `INSERT INTO trigger_days (day, trigger_id, slot, findings) VALUES `, tuple: "(?, ?, 0, ?)",
		tail: ` ON CONFLICT (day, trigger_id, slot) DO UPDATE SET findings = findings + excluded.findings`}
	if err := insertRowsCached(ctx, st, m, days, func(a []any, d day) []any {
		return append(a, d.k.day, d.k.trigger, d.n)
	}); err != nil {
		return fmt.Errorf("trigger days: %w", err)
	}
	return nil
}

// stmtCache keeps the statements prepared during one call, by text: the
// multi-row statements of equal-sized chunks are parsed once.
type stmtCache struct {
	s *Store
	m map[string]*Stmt
}

func (c *stmtCache) get(ctx context.Context, q string) (*Stmt, error) {
	if st, ok := c.m[q]; ok {
		return st, nil
	}
	st, err := c.s.Prepare(ctx, q)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = map[string]*Stmt{}
	}
	c.m[q] = st
	return st, nil
}

// insertRowsCached is insertRows with c's statements: one statement of m
// per chunk of at most chunkRows rows, each size prepared once.
func insertRowsCached[T any](ctx context.Context, c *stmtCache, m multiRow, rows []T, args func(a []any, row T) []any) error {
	a := make([]any, 0, min(len(rows), chunkRows)*m.width())
	return chunked(rows, chunkRows, func(rs []T) error {
		a = a[:0]
		for _, r := range rs {
			a = args(a, r)
		}
		st, err := c.get(ctx, m.sql(len(rs)))
		if err == nil {
			_, err = st.ExecContext(ctx, a...)
		}
		return err
	})
}

func (c *stmtCache) close() {
	for _, st := range c.m {
		st.Close()
	}
}

// identProbes bounds the alternative identity hashes tried when two
// identities share a hash (a 2^-64 event per pair).
const identProbes = 8

// identProbe returns the n-th identity hash to try for base.
func identProbe(base int64, n int) int64 {
	return base + int64(n)*-7046029254386353131 // 0x9E3779B97F4A7C15, odd
}

// findingUpsertSQL is the multi-row upsert of findings; each row carries
// last_change 1 (created) for a row that is inserted. The WHERE clause
// checks the full identity, so a row whose hash matches another identity's
// comes back without a result and is tried again at its next probe.
func (s *Store) findingUpsertSQL() multiRow {
	head := `INSERT INTO findings (` + findingUpsertCols + `, last_change) VALUES `
	tail := s.findingConflictSQL() + `
RETURNING ident, id, last_change, severity`
	return multiRow{head: head, tuple: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)", tail: tail}
}

// findingUpsertCols are the columns an upsert writes, last_change aside.
const findingUpsertCols = `ident, org_id, trigger_id, type, report_type, key, ip, port, asn, hostname, device_id, cve, severity, class,
  first_seen, last_seen, seen_count, last_run_id, tie, evidence, evidence_run_id, tlp`

// findingUpsertValues returns the values of findingUpsertCols for f at
// identity hash id, seen in run runID.
func findingUpsertValues(id int64, f *folded, runID int64) []any {
	ip := ""
	if f.s.IP.IsValid() {
		ip = f.s.IP.String()
	}
	var evRun any
	if len(f.s.Evidence) > 0 && f.s.Evidence[0] == '[' {
		evRun = nullID(runID)
	}
	return []any{id, f.s.OrgID, f.s.TriggerID, f.s.Type, f.s.ReportType, f.s.Key, ip, int64(f.s.Port), int64(f.s.ASN),
		f.s.Hostname, nullID(f.s.DeviceID), f.s.CVE, int64(f.s.Severity), f.s.Class, f.first, f.last, f.n, nullID(runID), f.s.Tie, string(f.s.Evidence), evRun, int64(f.s.TLP)}
}

// findingConflictSQL is what an upsert does to a finding that exists: it
// sets last_change to what happened and folds the sighting in, but only
// when the full identity matches (see findingUpsertSQL).
func (s *Store) findingConflictSQL() string {
	return ` ON CONFLICT (ident) DO UPDATE SET
  last_change = CASE WHEN findings.status = 'resolved' THEN 2 WHEN excluded.severity > findings.severity THEN 3 ELSE 0 END,
  first_seen = ` + s.least("findings.first_seen", "excluded.first_seen") + `,
  last_seen = ` + s.greatest("findings.last_seen", "excluded.last_seen") + `,
  seen_count = findings.seen_count + excluded.seen_count,
  severity = ` + s.greatest("findings.severity", "excluded.severity") + `,
  tlp = ` + s.greatest("findings.tlp", "excluded.tlp") + `,
  evidence = CASE WHEN excluded.evidence = '' OR excluded.last_seen < findings.last_seen THEN findings.evidence ELSE excluded.evidence END,
  evidence_run_id = CASE WHEN excluded.evidence = '' OR excluded.last_seen < findings.last_seen THEN findings.evidence_run_id ELSE excluded.evidence_run_id END,
  asn = CASE WHEN excluded.asn = 0 THEN findings.asn ELSE excluded.asn END,
  status = 'open', resolved_at = NULL, last_run_id = excluded.last_run_id
WHERE findings.org_id = excluded.org_id AND findings.trigger_id = excluded.trigger_id AND findings.type = excluded.type AND findings.key = excluded.key`
}

// findingUpsertChunk upserts fs (distinct identities) with one statement per
// probe round and appends the events of what changed.
func (s *Store) findingUpsertChunk(ctx context.Context, st *stmtCache, runID int64, fs []folded, events *[]finding.Event, tot *totalsDelta) (created, updated int, err error) {
	now := s.Now()
	m := s.findingUpsertSQL()
	todo := make([]int, len(fs))
	base := make([]int64, len(fs))
	for i, f := range fs {
		todo[i] = i
		base[i] = finding.Ident(f.s.OrgID, f.s.TriggerID, f.s.Type, f.s.Key)
	}
	args := make([]any, 0, len(fs)*m.width())
	for probe := 0; len(todo) > 0; probe++ {
		if probe == identProbes {
			f := fs[todo[0]].s
			return created, updated, fmt.Errorf("finding %d/%d/%s/%s: %d identity hash probes taken", f.OrgID, f.TriggerID, f.Type, f.Key, identProbes)
		}
		// One statement may not touch a row twice: a second identity with
		// the same hash waits for the next round.
		byIdent := make(map[int64]int, len(todo))
		var later []int
		args = args[:0]
		for _, i := range todo {
			id := identProbe(base[i], probe)
			if _, dup := byIdent[id]; dup {
				later = append(later, i)
				continue
			}
			byIdent[id] = i
			args = append(args, findingUpsertValues(id, &fs[i], runID)...)
		}
		stmt, err := st.get(ctx, m.sql(len(byIdent)))
		if err != nil {
			return created, updated, fmt.Errorf("findings upsert: %w", err)
		}
		rows, err := stmt.QueryContext(ctx, args...)
		if err != nil {
			return created, updated, fmt.Errorf("findings upsert: %w", interpret(err))
		}
		for rows.Next() {
			var ident, change int64
			var ev finding.Event
			if err := rows.Scan(&ident, &ev.FindingID, &change, &ev.Severity); err != nil {
				rows.Close()
				return created, updated, err
			}
			i, ok := byIdent[ident]
			if !ok {
				rows.Close()
				return created, updated, fmt.Errorf("findings upsert: unexpected identity %d returned", ident)
			}
			delete(byIdent, ident)
			tot.add(&fs[i], change)
			ev.OrgID, ev.At = fs[i].s.OrgID, now
			if ev.Kind, ok = changeEvent(change, &created, &updated); ok {
				*events = append(*events, ev)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return created, updated, fmt.Errorf("findings upsert: %w", err)
		}
		// Those without a result met another identity at this hash.
		todo = later
		for _, i := range byIdent {
			todo = append(todo, i)
		}
		slices.Sort(todo)
	}
	return created, updated, nil
}

// findingInsertSQL inserts a new finding (last_change 1, as
// findingUpsertSQL does) and does nothing when its identity hash is taken.
const findingInsertSQL = `INSERT INTO findings (` + findingUpsertCols + `, last_change)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (ident) DO NOTHING`

// findingResightSQL is findingConflictSQL's update of a finding of this
// identity restricted to a sighting that changes neither its status, nor
// its severity, nor its first sighting: an open finding (resolved_at null)
// whose severity is at least the sighting's and whose first_seen is not
// after it. For such a finding both statements write the same values
// (last_change 0, first_seen, severity, status and resolved_at as they
// were), and no trigger would act on it (their WHEN clauses compare status,
// trigger, organisation and the day of first sighting), so leaving those
// columns out of the SET list leaves out the UPDATE OF triggers too.
// Parameters: ?1 last_seen, ?2 seen count, ?3 tlp, ?4 evidence, ?5 its run,
// ?6 asn, ?7 run, ?8 ident, ?9 org, ?10 trigger, ?11 type, ?12 key,
// ?13 severity, ?14 first_seen.
const findingResightSQL = `UPDATE findings SET last_change = 0, last_seen = MAX(last_seen, ?1), seen_count = seen_count + ?2,
  tlp = MAX(tlp, ?3),
  evidence = CASE WHEN ?4 = '' OR ?1 < last_seen THEN evidence ELSE ?4 END,
  evidence_run_id = CASE WHEN ?4 = '' OR ?1 < last_seen THEN evidence_run_id ELSE ?5 END,
  asn = CASE WHEN ?6 = 0 THEN asn ELSE ?6 END, last_run_id = ?7
WHERE ident = ?8 AND org_id = ?9 AND trigger_id = ?10 AND type = ?11 AND key = ?12
  AND status = 'open' AND resolved_at IS NULL AND severity >= ?13 AND first_seen <= ?14`

// findingUpsertEach upserts fs (distinct identities) on SQLite with
// single-row statements and appends the events of what changed, as
// findingUpsertChunk does with multi-row ones.
//
// SQLite gives a statement a statement journal — a copy of every page it
// changes that existed before it, so that an error half-way can undo it —
// when it may write several rows (multi-row VALUES, a RETURNING clause or a
// trigger that exists for it, as an UPDATE OF trigger does when its column
// is in the SET list) and may abort (a NOT NULL column, an immediate
// foreign key, the DO UPDATE of an upsert). With random identities over
// five indexes that copy was most of the pages a multi-row upsert touched.
// Each finding here is written by one of three statements, tried in turn
// until one takes it:
//
//   - findingInsertSQL: a new identity (the row the upsert inserts);
//   - findingResightSQL: a re-sighting that changes no status, severity or
//     first sighting (the same values the upsert writes);
//   - the single-row upsert of findingUpsertSQL, RETURNING what it did:
//     reopenings, severity rises, earlier first sightings; no row back
//     means another identity holds the hash, and the next probe is tried.
//
// The first two need no statement journal (neither may write two rows);
// the third does, as before, for the findings that take it. The statement
// tried first is the one that took the previous finding: a first ingest
// inserts, a re-ingest re-sights.
func (s *Store) findingUpsertEach(ctx context.Context, st *stmtCache, runID int64, fs []folded, events *[]finding.Event, tot *totalsDelta) (created, updated int, err error) {
	now := s.Now()
	// Each statement takes microseconds: the driver's watch of a context
	// that can end (a goroutine per statement) would cost more than the
	// statement, so the loop checks ctx itself.
	outer := ctx
	ctx = context.WithoutCancel(ctx)
	ins, err := st.get(ctx, findingInsertSQL)
	if err != nil {
		return 0, 0, fmt.Errorf("findings insert: %w", err)
	}
	resight, err := st.get(ctx, findingResightSQL)
	if err != nil {
		return 0, 0, fmt.Errorf("findings update: %w", err)
	}
	upsert, err := st.get(ctx, s.findingUpsertSQL().sql(1))
	if err != nil {
		return 0, 0, fmt.Errorf("findings upsert: %w", err)
	}
	insertFirst := true
	for i := range fs {
		if i%256 == 0 {
			if err := outer.Err(); err != nil {
				return created, updated, err
			}
		}
		f := &fs[i]
		base := finding.Ident(f.s.OrgID, f.s.TriggerID, f.s.Type, f.s.Key)
		var (
			ev     finding.Event
			change int64 = -1
		)
		for probe := 0; change < 0; probe++ {
			if probe == identProbes {
				return created, updated, fmt.Errorf("finding %d/%d/%s/%s: %d identity hash probes taken", f.s.OrgID, f.s.TriggerID, f.s.Type, f.s.Key, identProbes)
			}
			id := identProbe(base, probe)
			vals := findingUpsertValues(id, f, runID)
			for step := range 2 {
				if (step == 0) == insertFirst {
					r, err := ins.ExecContext(ctx, vals...)
					if err != nil {
						return created, updated, fmt.Errorf("findings insert: %w", err)
					}
					if n, _ := r.RowsAffected(); n == 1 {
						change, ev.Severity = 1, f.s.Severity
						ev.FindingID, err = r.LastInsertId()
						if err != nil {
							return created, updated, fmt.Errorf("findings insert: %w", err)
						}
						break
					}
				} else {
					r, err := resight.ExecContext(ctx, vals[15], vals[16], vals[21], vals[19], vals[20], vals[8], vals[17],
						id, f.s.OrgID, f.s.TriggerID, f.s.Type, f.s.Key, vals[12], vals[14])
					if err != nil {
						return created, updated, fmt.Errorf("findings update: %w", err)
					}
					if n, _ := r.RowsAffected(); n == 1 {
						change = 0
						break
					}
				}
			}
			if change < 0 {
				// Another identity holds this hash (then no row comes
				// back), or the sighting changes more than a re-sighting.
				rows, err := upsert.QueryContext(ctx, vals...)
				if err != nil {
					return created, updated, fmt.Errorf("findings upsert: %w", err)
				}
				for rows.Next() {
					var ident int64
					if err := rows.Scan(&ident, &ev.FindingID, &change, &ev.Severity); err != nil {
						rows.Close()
						return created, updated, err
					}
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return created, updated, fmt.Errorf("findings upsert: %w", err)
				}
			}
		}
		insertFirst = change == 1
		tot.add(f, change)
		ev.OrgID, ev.At = f.s.OrgID, now
		var ok bool
		if ev.Kind, ok = changeEvent(change, &created, &updated); ok {
			*events = append(*events, ev)
		}
	}
	return created, updated, nil
}

// changeEvent counts an upserted finding's change (1 new, 2 reopened, 3
// severity risen, anything else a re-sighting) as created or updated and
// returns the event it makes; a re-sighting makes none.
func changeEvent(change int64, created, updated *int) (finding.EventKind, bool) {
	if change == 1 {
		*created++
		return finding.EventNew, true
	}
	*updated++
	switch change {
	case 2:
		return finding.EventReopened, true
	case 3:
		return finding.EventSeverityUp, true
	}
	return "", false
}

// eventInsert records the events of the batch of run runID (0: none): on
// SQLite one single-row statement per event (a multi-row insert would need
// a statement journal for its immediate foreign key, see
// findingUpsertEach), on PostgreSQL 1,000 rows a statement.
func (s *Store) eventInsert(ctx context.Context, st *stmtCache, runID int64, events []finding.Event) error {
	m := multiRow{head: `INSERT INTO finding_events (finding_id, org_id, kind, severity, at, run_id) VALUES `, tuple: "(?, ?, ?, ?, ?, ?)"}
	run := nullID(runID)
	if s.dialect != Postgres && len(events) > 0 {
		stmt, err := st.get(ctx, m.sql(1))
		if err != nil {
			return fmt.Errorf("finding events: %w", err)
		}
		outer := ctx
		ctx := context.WithoutCancel(ctx) // as in findingUpsertEach
		for i, e := range events {
			if i%256 == 0 {
				if err := outer.Err(); err != nil {
					return err
				}
			}
			if _, err := stmt.ExecContext(ctx, e.FindingID, e.OrgID, string(e.Kind), int64(e.Severity), e.At, run); err != nil {
				return fmt.Errorf("finding events: %w", err)
			}
		}
		return nil
	}
	return chunked(events, 1000, func(c []finding.Event) error {
		args := make([]any, 0, len(c)*m.width())
		for _, e := range c {
			args = append(args, e.FindingID, e.OrgID, string(e.Kind), int64(e.Severity), e.At, run)
		}
		stmt, err := st.get(ctx, m.sql(len(c)))
		if err == nil {
			_, err = stmt.ExecContext(ctx, args...)
		}
		if err != nil {
			return fmt.Errorf("finding events: %w", interpret(err))
		}
		return nil
	})
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// FindingResolveUnseen marks open findings of a trigger and report type that
// the full report of run runID did not contain as resolved, with an event
// each. It returns how many it resolved.
func (s *Store) FindingResolveUnseen(ctx context.Context, triggerID int64, reportType string, runID int64) (int64, error) {
	now := s.Now()
	var n int64
	err := s.Tx(ctx, func(tx *Store) error {
		if tx.dialect != Postgres {
			var few bool
			var err error
			if n, few, err = tx.findingResolveFew(ctx, triggerID, reportType, runID, now); err != nil || few {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO finding_events (finding_id, org_id, kind, severity, at)
SELECT id, org_id, 'resolved', severity, ? FROM findings WHERE `+resolveWhere, now, triggerID, reportType, runID); err != nil {
			return err
		}
		r, err := tx.Exec(ctx, `UPDATE findings SET status = 'resolved', resolved_at = ? WHERE `+resolveWhere, now, triggerID, reportType, runID)
		if err != nil {
			return err
		}
		n, err = r.RowsAffected()
		return err
	})
	return n, err
}

// resolveWhere selects the findings FindingResolveUnseen resolves; its
// parameters are the trigger, the report type and the run.
const resolveWhere = `trigger_id = ? AND report_type = ? AND status = 'open' AND (last_run_id IS NULL OR last_run_id <> ?)`

// resolveFew is the most findings findingResolveFew resolves by id; a
// variable so that tests can take the other way with a few findings.
var resolveFew = 20000

// findingResolveFew is FindingResolveUnseen on SQLite in one pass over the
// trigger's open findings instead of two: the set-based statements each
// walk the trigger's open findings in the index findings_trigger_seen and
// read every row from the table for its report type and last run (most of
// an ingest's resolution, which on a first or complete report resolves
// nothing). It reads the ids of at most resolveFew findings to resolve, in
// the order the set-based insert of their events takes them (that index's
// order, so the events get the same ids), then writes their events and
// marks them resolved by id. With more than resolveFew it writes nothing
// and reports few false: the set-based statements do it.
func (s *Store) findingResolveFew(ctx context.Context, triggerID int64, reportType string, runID int64, now time.Time) (n int64, few bool, err error) {
	type gone struct{ id, org, severity int64 }
	var ids []gone
	rows, err := s.Query(ctx, `SELECT id, org_id, severity FROM findings WHERE `+resolveWhere+`
ORDER BY last_seen DESC, id DESC LIMIT ?`, triggerID, reportType, runID, resolveFew+1)
	if err != nil {
		return 0, false, fmt.Errorf("findings to resolve: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g gone
		if err := rows.Scan(&g.id, &g.org, &g.severity); err != nil {
			return 0, false, fmt.Errorf("findings to resolve: %w", err)
		}
		ids = append(ids, g)
	}
	if err := rows.Err(); err != nil {
		return 0, false, fmt.Errorf("findings to resolve: %w", err)
	}
	rows.Close()
	if len(ids) > resolveFew {
		return 0, false, nil
	}
	if len(ids) == 0 {
		return 0, true, nil
	}
	st := stmtCache{s: s}
	defer st.close()
	// Single-row event inserts need no statement journal (see eventInsert).
	ev, err := st.get(ctx, `INSERT INTO finding_events (finding_id, org_id, kind, severity, at) VALUES (?, ?, 'resolved', ?, ?)`)
	if err != nil {
		return 0, false, fmt.Errorf("resolved events: %w", err)
	}
	for _, g := range ids {
		if _, err := ev.ExecContext(ctx, g.id, g.org, g.severity, now); err != nil {
			return 0, false, fmt.Errorf("resolved events: %w", err)
		}
	}
	err = chunked(ids, chunkRows, func(c []gone) error {
		args := make([]any, 0, len(c)+1)
		args = append(args, now)
		for _, g := range c {
			args = append(args, g.id)
		}
		up, err := st.get(ctx, `UPDATE findings SET status = 'resolved', resolved_at = ? WHERE id IN (`+inList(len(c))+`)`)
		if err != nil {
			return err
		}
		r, err := up.ExecContext(ctx, args...)
		if err != nil {
			return err
		}
		k, err := r.RowsAffected()
		n += k
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("resolve findings: %w", err)
	}
	return n, true, nil
}

// findingCols are the columns scanFinding reads, from findings f and
// triggers t; the last is the header that names an array evidence's values.
const findingCols = `f.id, f.org_id, t.name, f.trigger_id, f.type, f.report_type, f.key, f.ip, f.port, f.asn, f.hostname, f.device_id, f.cve,
 f.severity, f.class, f.status, f.first_seen, f.last_seen, f.seen_count, f.resolved_at, f.tie, f.evidence, f.tlp,
 COALESCE((SELECT r.header FROM ingest_runs r WHERE r.id = f.evidence_run_id), '')`

// scanFinding scans before, findingCols and after.
func scanFinding(sc scanner, before []any, after ...any) (finding.Finding, error) {
	var x finding.Finding
	var dev sql.NullInt64
	var resolved sql.NullTime
	var status, evidence, header string
	dest := append(before, &x.ID, &x.OrgID, &x.Trigger, &x.TriggerID, &x.Type, &x.ReportType, &x.Key, &x.IP, &x.Port, &x.ASN, &x.Hostname, &dev, &x.CVE,
		&x.Severity, &x.Class, &status, &x.FirstSeen, &x.LastSeen, &x.Count, &resolved, &x.Tie, &evidence, &x.TLP, &header)
	if err := sc.Scan(append(dest, after...)...); err != nil {
		return x, err
	}
	x.DeviceID = dev.Int64
	x.Status = finding.Status(status)
	x.FirstSeen, x.LastSeen = x.FirstSeen.UTC(), x.LastSeen.UTC()
	if resolved.Valid {
		t := resolved.Time.UTC()
		x.ResolvedAt = &t
	}
	x.Evidence = finding.ExpandEvidence(evidence, header)
	return x, nil
}

// FindingList lists the findings of sc ordered by id.
func (s *Store) FindingList(ctx context.Context, sc tenant.Scope, f finding.Filter) ([]finding.Finding, error) {
	cond, cargs := findingScope(sc, "f")
	q := `SELECT ` + findingCols + ` FROM findings f JOIN triggers t ON t.id = f.trigger_id WHERE f.id > ? AND ` + cond
	args := append([]any{f.After}, cargs...)
	if f.Before > 0 {
		q = `SELECT ` + findingCols + ` FROM findings f JOIN triggers t ON t.id = f.trigger_id WHERE f.id < ? AND ` + cond
		args = append([]any{f.Before}, cargs...)
	}
	add := func(cond string, v any) {
		q += " AND " + cond
		args = append(args, v)
	}
	if f.Trigger != "" {
		add("t.name = ?", f.Trigger)
	}
	if f.Status != "" {
		add("f.status = ?", string(f.Status))
	}
	if f.Type != "" {
		add("f.type = ?", f.Type)
	}
	if f.DeviceID != 0 {
		add("f.device_id = ?", f.DeviceID)
	}
	if f.OnlyTies {
		q += " AND f.tie"
	}
	if f.Before > 0 {
		// The page before: read backwards from Before, give it in order.
		q += fmt.Sprintf(" ORDER BY f.id DESC LIMIT %d", f.Size())
		fs, err := s.queryFindings(ctx, q, args...)
		slices.Reverse(fs)
		return fs, err
	}
	q += fmt.Sprintf(" ORDER BY f.id LIMIT %d", f.Size())
	return s.queryFindings(ctx, q, args...)
}

// EventList lists the finding events of sc with id greater than p.After,
// oldest first.
func (s *Store) EventList(ctx context.Context, sc tenant.Scope, p keyset.Page) ([]finding.Event, error) {
	cond, args := orgCond(sc, "org_id")
	q := `SELECT id, finding_id, org_id, kind, severity, at FROM finding_events WHERE id > ? AND ` + cond
	rows, err := s.Query(ctx, q+fmt.Sprintf(` ORDER BY id LIMIT %d`, p.Size()), append([]any{p.After}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []finding.Event{}
	for rows.Next() {
		var e finding.Event
		var kind string
		if err := rows.Scan(&e.ID, &e.FindingID, &e.OrgID, &kind, &e.Severity, &e.At); err != nil {
			return nil, err
		}
		e.Kind = finding.EventKind(kind)
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// FindingChanges returns the changes (finding events: created, reopened,
// severity raised, resolved) of sc's findings after cursor since, oldest
// first, at most limit, each with its finding's current state. A tenant
// scope sees its own organisation's changes only.
//
// The sequence is commit-safe: a change never appears behind a cursor a
// reader already holds. On SQLite one writer commits at a time, so event
// ids are in commit order. On PostgreSQL events are ordered by their
// writing transaction and id, and only transactions older than every one
// still running are read, so a transaction in progress holds the feed
// back until it ends instead of being stepped over.
func (s *Store) FindingChanges(ctx context.Context, sc tenant.Scope, since finding.Cursor, limit int) (finding.ChangePage, error) {
	cond, cargs := orgCond(sc, "e.org_id")
	if !sc.IsOperator() {
		cond += fmt.Sprintf(" AND f.tlp < %d", int(tlp.Red)) // see findingScope
	}
	head := `SELECT e.id, e.kind, e.at, ` + findingCols + `, `
	from := ` FROM finding_events e JOIN findings f ON f.id = e.finding_id JOIN triggers t ON t.id = f.trigger_id WHERE ` + cond
	var q string
	var args []any
	if s.dialect == Postgres {
		q = head + `e.xid::text` + from + ` AND (e.xid, e.id) > (?::xid8, ?) AND e.xid < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY e.xid, e.id LIMIT ?`
		args = append(cargs, strconv.FormatUint(since.Tx, 10), since.Event, limit)
	} else {
		q = head + `'0'` + from + ` AND e.id > ? ORDER BY e.id LIMIT ?`
		args = append(cargs, since.Event, limit)
	}
	rows, err := s.Query(ctx, q, args...)
	if err != nil {
		return finding.ChangePage{}, fmt.Errorf("finding changes: %w", err)
	}
	defer rows.Close()
	p := finding.ChangePage{Changes: []finding.Change{}, Next: since.String()}
	for rows.Next() {
		var c finding.Change
		var id int64
		var kind, xid string
		if c.Finding, err = scanFinding(rows, []any{&id, &kind, &c.At}, &xid); err != nil {
			return finding.ChangePage{}, fmt.Errorf("finding changes: %w", err)
		}
		tx, err := strconv.ParseUint(xid, 10, 64)
		if err != nil {
			return finding.ChangePage{}, fmt.Errorf("finding changes: transaction %q: %w", xid, err)
		}
		c.Change, c.At = finding.EventKind(kind), c.At.UTC()
		c.Cursor = finding.Cursor{Tx: tx, Event: id}.String()
		p.Changes = append(p.Changes, c)
		p.Next = c.Cursor
	}
	p.More = len(p.Changes) == limit
	return p, rows.Err()
}

// queryFindings runs q, which selects findingCols, and scans every row.
func (s *Store) queryFindings(ctx context.Context, q string, args ...any) ([]finding.Finding, error) {
	rows, err := s.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []finding.Finding{}
	for rows.Next() {
		x, err := scanFinding(rows, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
