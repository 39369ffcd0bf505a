// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"vigil/internal/ingest"
	"vigil/internal/keyset"
)

// runColumns are a run's columns as RunStatus holds them; the last is
// whether it is live (runLive) at the time runProgressArgs binds first.
const runColumns = `r.id, r.kind, r.source, r.feed_type, r.report_type, COALESCE(r.trigger_id, 0), COALESCE(t.name, ''), r.full_report,
  r.source_sha256, r.committed_line, r.started_at, r.checkpoint_at, r.finished_at, r.rows_total, r.matched, r.unmatched,
  r.quarantined, r.findings_new, r.findings_updated, r.findings_resolved, r.parts, ` + runLive + `
FROM ingest_runs r LEFT JOIN triggers t ON t.id = r.trigger_id`

func scanRun(sc scanner) (ingest.RunStatus, error) {
	var r ingest.RunStatus
	var checkpoint, finished sql.NullTime
	var progressed bool
	err := sc.Scan(&r.ID, &r.Kind, &r.Source, &r.FeedType, &r.ReportType, &r.TriggerID, &r.Trigger, &r.FullReport,
		&r.SourceSHA256, &r.CommittedLine, &r.StartedAt, &checkpoint, &finished, &r.Rows, &r.Matched, &r.Unmatched,
		&r.Quarantined, &r.FindingsNew, &r.FindingsUpdated, &r.FindingsResolved, &r.Parts, &progressed)
	r.StartedAt = r.StartedAt.UTC()
	switch {
	case finished.Valid:
		r.State = ingest.StateFinished
	case progressed:
		r.State = ingest.StateRunning
	default:
		r.State = ingest.StateStopped
	}
	if checkpoint.Valid {
		t := checkpoint.Time.UTC()
		r.CheckpointAt = &t
	}
	if finished.Valid {
		t := finished.Time.UTC()
		r.FinishedAt = &t
	}
	return r, err
}

// RunList returns the ingest runs (feed files, advisory loads, re-matches),
// newest first, older than id p.After (0: the newest). Runs are the
// operator's: they belong to no organisation. A run not ended that made no
// progress since since (runProgressSince; notify.run_grace ago) is
// ingest.StateStopped; the zero time takes every such run as running but
// one its ingest marked stopped (RunMarkStopped), which is stopped.
func (s *Store) RunList(ctx context.Context, p keyset.Page, since time.Time) ([]ingest.RunStatus, error) {
	q := `SELECT ` + runColumns
	args := runProgressArgs(since)
	if p.After > 0 {
		q += ` WHERE r.id < ?`
		args = append(args, p.After)
	}
	q += fmt.Sprintf(` ORDER BY r.id DESC LIMIT %d`, p.Size())
	out, err := queryAll(ctx, s, scanRun, q, args...)
	if err != nil {
		return nil, fmt.Errorf("runs: %w", err)
	}
	return out, nil
}

// RunGet returns run id, or errs.ErrNotFound; since as RunList's.
func (s *Store) RunGet(ctx context.Context, id int64, since time.Time) (ingest.RunStatus, error) {
	r, err := scanRun(s.QueryRow(ctx, `SELECT `+runColumns+` WHERE r.id = ?`, append(runProgressArgs(since), id)...))
	return r, Scan(err, "run")
}

// QuarantineByRun lists the rows run runID refused, in file order (by
// id), after id p.After.
func (s *Store) QuarantineByRun(ctx context.Context, runID int64, p keyset.Page) ([]QuarantinedRow, error) {
	rows, err := s.Query(ctx, fmt.Sprintf(`SELECT id, run_id, file, line, field, reason, raw, created_at FROM quarantine
WHERE run_id = ? AND id > ? ORDER BY id LIMIT %d`, p.Size()), runID, p.After)
	if err != nil {
		return nil, fmt.Errorf("quarantine of run %d: %w", runID, err)
	}
	defer rows.Close()
	out := []QuarantinedRow{}
	for rows.Next() {
		var q QuarantinedRow
		if err := rows.Scan(&q.ID, &q.RunID, &q.File, &q.Line, &q.Field, &q.Reason, &q.Raw, &q.CreatedAt); err != nil {
			return nil, err
		}
		q.CreatedAt = q.CreatedAt.UTC()
		out = append(out, q)
	}
	return out, rows.Err()
}
