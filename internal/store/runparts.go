// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"vigil/internal/errs"
	"vigil/internal/ingest"
)

// The store keeps split runs (migration 00762).
var _ ingest.PartStore = (*Store)(nil)

// RunSplitStart records the start of run r (setting r.ID) and its parts in
// one transaction.
func (s *Store) RunSplitStart(ctx context.Context, r *ingest.Run, parts []ingest.RunPart) error {
	return s.Tx(ctx, func(tx *Store) error {
		if err := tx.RunStart(ctx, r); err != nil {
			return fmt.Errorf("split run: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE ingest_runs SET parts = ? WHERE id = ?`, len(parts), r.ID); err != nil {
			return fmt.Errorf("split run %d: %w", r.ID, err)
		}
		for i := range parts {
			parts[i].RunID = r.ID
			p := parts[i]
			if _, err := tx.Exec(ctx, `INSERT INTO ingest_run_parts (run_id, part, start_offset, end_offset, first_line) VALUES (?, ?, ?, ?, ?)`,
				r.ID, p.Index, p.Start, p.End, p.FirstLine); err != nil {
				return fmt.Errorf("split run %d part %d: %w", r.ID, p.Index, err)
			}
		}
		return nil
	})
}

// RunSplitGet returns split run runID (its own counters, which are the
// parts' sum once it has ended) and its part, or errs.NotFound.
func (s *Store) RunSplitGet(ctx context.Context, runID int64, part int) (ingest.Run, ingest.RunPart, error) {
	r, err := s.runByID(ctx, runID)
	if err != nil {
		return r, ingest.RunPart{}, err
	}
	var p ingest.RunPart
	var done sql.NullTime
	err = s.QueryRow(ctx, `SELECT run_id, part, start_offset, end_offset, first_line, committed_line, rows_total, matched, unmatched,
  quarantined, findings_new, findings_updated, done_at FROM ingest_run_parts WHERE run_id = ? AND part = ?`, runID, part).Scan(
		&p.RunID, &p.Index, &p.Start, &p.End, &p.FirstLine, &p.CommittedLine, &p.Rows, &p.Matched, &p.Unmatched,
		&p.Quarantined, &p.FindingsNew, &p.FindingsUpdated, &done)
	p.Done = done.Valid
	return r, p, Scan(err, "run part")
}

// runByID reads run id's record as ingest keeps it.
func (s *Store) runByID(ctx context.Context, id int64) (ingest.Run, error) {
	var r ingest.Run
	var trig sql.NullInt64
	err := s.QueryRow(ctx, `SELECT id, kind, source, feed_type, report_type, trigger_id, full_report, tlp, source_sha256, header, committed_line, started_at,
  rows_total, matched, unmatched, quarantined, findings_new, findings_updated, findings_resolved
FROM ingest_runs WHERE id = ?`, id).Scan(
		&r.ID, &r.Kind, &r.Source, &r.FeedType, &r.ReportType, &trig, &r.FullReport, &r.TLP, &r.SourceSHA256, &r.Header, &r.CommittedLine, &r.StartedAt,
		&r.Rows, &r.Matched, &r.Unmatched, &r.Quarantined, &r.FindingsNew, &r.FindingsUpdated, &r.FindingsResolved)
	r.TriggerID = trig.Int64
	r.StartedAt = r.StartedAt.UTC()
	return r, Scan(err, "run")
}

// RunPartCheckpoint records part p's resume point and counters (in the
// transaction of the batch that got it there), moving it from resume point
// from only: when another attempt at the part moved it first, it fails
// with errs.Conflict and the batch is rolled back. A part never writes its
// run's row while it goes: parts on several nodes would wait on it.
func (s *Store) RunPartCheckpoint(ctx context.Context, p *ingest.RunPart, from int64) error {
	res, err := s.Exec(ctx, `UPDATE ingest_run_parts SET committed_line = ?, rows_total = ?, matched = ?, unmatched = ?, quarantined = ?,
  findings_new = ?, findings_updated = ?, checkpoint_at = ? WHERE run_id = ? AND part = ? AND committed_line = ? AND done_at IS NULL`,
		p.CommittedLine, p.Rows, p.Matched, p.Unmatched, p.Quarantined, p.FindingsNew, p.FindingsUpdated, s.Now(), p.RunID, p.Index, from)
	if err != nil {
		return fmt.Errorf("run %d part %d checkpoint: %w", p.RunID, p.Index, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errs.Errorf(errs.Conflict, "run %d part %d: another attempt moved its resume point from line %d (%v)", p.RunID, p.Index, from, err)
	}
	return nil
}

// RunPartDone marks part p done and adds it to its run's count of parts
// done, once (a part done before is not counted again). It reports whether
// every part of the run is done. Two parts ending at once both update the
// run's row: the second waits for the first's commit and then counts on
// from its value, so exactly one of them sees the count complete.
func (s *Store) RunPartDone(ctx context.Context, p *ingest.RunPart) (bool, error) {
	var all bool
	err := s.Tx(ctx, func(tx *Store) error {
		res, err := tx.Exec(ctx, `UPDATE ingest_run_parts SET done_at = ? WHERE run_id = ? AND part = ? AND done_at IS NULL`, tx.Now(), p.RunID, p.Index)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 1 {
			if _, err := tx.Exec(ctx, `UPDATE ingest_runs SET parts_done = parts_done + 1, checkpoint_at = ? WHERE id = ?`, tx.Now(), p.RunID); err != nil {
				return err
			}
		}
		return tx.QueryRow(ctx, `SELECT parts_done = parts FROM ingest_runs WHERE id = ?`, p.RunID).Scan(&all)
	})
	if err != nil {
		return false, fmt.Errorf("run %d part %d done: %w", p.RunID, p.Index, err)
	}
	p.Done = true
	return all, nil
}

// RunSplitClaimFinish claims the end of split run runID: it succeeds for
// one caller once every part is done, and returns the run with the sum of
// its parts' counters (the caller then resolves and calls RunFinish in the
// same transaction). The claim is an update of the run's row, so a second
// caller waits for the first and then finds the run ended.
func (s *Store) RunSplitClaimFinish(ctx context.Context, runID int64) (ingest.Run, bool, error) {
	var r ingest.Run
	claimed := false
	err := s.Tx(ctx, func(tx *Store) error {
		res, err := tx.Exec(ctx, `UPDATE ingest_runs SET finished_at = ? WHERE id = ? AND finished_at IS NULL AND parts > 0 AND parts_done = parts`, tx.Now(), runID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		if r, err = tx.runByID(ctx, runID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(committed_line), 0), COALESCE(SUM(rows_total), 0), COALESCE(SUM(matched), 0), COALESCE(SUM(unmatched), 0),
  COALESCE(SUM(quarantined), 0), COALESCE(SUM(findings_new), 0), COALESCE(SUM(findings_updated), 0) FROM ingest_run_parts WHERE run_id = ?`, runID).Scan(
			&r.CommittedLine, &r.Rows, &r.Matched, &r.Unmatched, &r.Quarantined, &r.FindingsNew, &r.FindingsUpdated); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE ingest_runs SET committed_line = ? WHERE id = ?`, r.CommittedLine, runID); err != nil {
			return err
		}
		claimed = true
		return nil
	})
	if err != nil {
		return ingest.Run{}, false, fmt.Errorf("run %d end: %w", runID, err)
	}
	return r, claimed, nil
}

// contentLockKey is the first key of the advisory lock RunContentClaim
// takes on PostgreSQL (the second is the content's hash in the schema).
const contentLockKey = 762762

// RunContentClaim holds the content with this SHA-256 until the end of the
// transaction s is in: on PostgreSQL it takes an advisory transaction lock,
// so that two nodes handing in the same content at once look for a run of
// it and start one in turn, not both beside each other; on SQLite the
// writer's lock, taken as the transaction begins, does so already.
func (s *Store) RunContentClaim(ctx context.Context, sha256 string) error {
	if !s.inTx {
		return errors.New("content claimed outside a transaction")
	}
	if s.dialect != Postgres {
		return nil
	}
	if _, err := s.Exec(ctx, `SELECT pg_advisory_xact_lock(?, hashtext(current_schema() || ?))`, contentLockKey, sha256); err != nil {
		return fmt.Errorf("claim content %s: %w", sha256, err)
	}
	return nil
}

// RunSplitUnfinished returns the latest split run of the content with this
// SHA-256 that has not ended and made progress since since (it started, a
// part committed a batch or was done): its parts are jobs the nodes still
// work, and the same content ingested beside it would count each of its
// sightings twice (errs.NotFound when none). A run that made none since has
// stopped (a part cancelled, given up or never enqueued, its nodes gone):
// composition no longer waits for it either (notify.run_grace).
func (s *Store) RunSplitUnfinished(ctx context.Context, sha256 string, since time.Time) (ingest.Run, error) {
	var id int64
	err := s.QueryRow(ctx, `SELECT id FROM ingest_runs r WHERE source_sha256 = ? AND finished_at IS NULL AND parts > 0 AND `+runProgressSince+`
ORDER BY id DESC LIMIT 1`, append([]any{sha256}, runProgressArgs(since)...)...).Scan(&id)
	if err := Scan(err, "unfinished split run"); err != nil {
		return ingest.Run{}, err
	}
	return s.runByID(ctx, id)
}

// runProgressSince is the one notion of a run's progress, as SQL on
// ingest_runs aliased r: the run started, committed a batch or had a part
// done (its checkpoint_at), or one of its parts committed a batch, at or
// after the time its three placeholders bind (runProgressArgs). A run that
// has not ended and made none within notify.run_grace has stopped (its
// process killed, a part given up by the queue or never enqueued):
// composition no longer waits for it (endedRuns), an unsplit one is
// resumed and a split one no longer holds its content back
// (RunResumeOrStart, RunSplitUnfinished), and the runs lists show it
// stopped (RunList, RunGet). It is never NULL, so it reads as a column.
const runProgressSince = `(r.started_at >= ? OR (r.checkpoint_at IS NOT NULL AND r.checkpoint_at >= ?) OR EXISTS (SELECT 1 FROM ingest_run_parts p WHERE p.run_id = r.id AND p.checkpoint_at >= ?))`

// runLive is runProgressSince for a run its ingest did not mark stopped
// (RunMarkStopped: it ended with an error): how the runs lists show it.
// Composition goes by runProgressSince alone, so that it waits the grace
// for a run that may be resumed and composes it once.
const runLive = `(r.stopped_at IS NULL AND ` + runProgressSince + `)`

// runProgressArgs binds runProgressSince's placeholders to since.
func runProgressArgs(since time.Time) []any {
	t := since.UTC()
	return []any{t, t, t}
}
