// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"vigil/internal/finding"
)

// findingStageSQL makes the session's staging table of the set-based
// upsert: the columns of findingUpsertCols plus pos, the row's index in
// the folded batch. It is temporary (no WAL, invisible to other sessions)
// and emptied at every commit.
const findingStageSQL = `CREATE TEMP TABLE IF NOT EXISTS finding_stage (
  ident BIGINT NOT NULL, pos INTEGER NOT NULL, org_id BIGINT NOT NULL, trigger_id BIGINT NOT NULL, type TEXT NOT NULL,
  report_type TEXT NOT NULL, key TEXT NOT NULL, ip TEXT NOT NULL, port BIGINT NOT NULL, asn BIGINT NOT NULL, hostname TEXT NOT NULL,
  device_id BIGINT, cve TEXT NOT NULL, severity BIGINT NOT NULL, class TEXT NOT NULL, first_seen TIMESTAMPTZ NOT NULL,
  last_seen TIMESTAMPTZ NOT NULL, seen_count BIGINT NOT NULL, last_run_id BIGINT, tie BOOLEAN NOT NULL, evidence TEXT NOT NULL,
  evidence_run_id BIGINT, tlp SMALLINT NOT NULL
) ON COMMIT DELETE ROWS`

// findingStageCols are the staging table's columns in COPY order.
func findingStageCols() []string {
	cols := []string{"pos"}
	for _, c := range strings.Split(findingUpsertCols, ",") {
		cols = append(cols, strings.TrimSpace(c))
	}
	return cols
}

// findingSetSQL folds the staged rows into findings in one statement and
// derives their events in the same one: a row created is event "new", one
// reopened "reopened", one whose severity rose "severity_up" (last_change
// 1, 2, 3 as in findingUpsertSQL). It returns how many rows were created
// and how many were written in all; a staged row whose hash belongs to
// another identity is neither (see findingUpsertSet).
//
// Rows are written in identity-hash order, not the file's: two
// transactions that upsert overlapping findings (nodes ingesting parts of
// one file, or two reports at once) then take their row and unique-index
// locks in the same order, so one waits for the other instead of both
// deadlocking. New findings still get their ids in the batch's order, as
// on SQLite: the ids are drawn from the sequence in staging order first
// (a row that meets its finding drops its id, as a default id would be).
// The order costs nothing measurable: the CPU time of the statement on
// 20,000 staged rows was the same in either order.
func (s *Store) findingSetSQL() string {
	return `WITH st AS MATERIALIZED (
  SELECT nextval('findings_id_seq') AS id, * FROM (SELECT * FROM finding_stage ORDER BY pos) o
), up AS (
  INSERT INTO findings (id, ` + findingUpsertCols + `, last_change)
  SELECT id, ` + findingUpsertCols + `, 1 FROM st ORDER BY ident` + s.findingConflictSQL() + `
  RETURNING id, org_id, last_change, severity
), ev AS (
  INSERT INTO finding_events (finding_id, org_id, kind, severity, at, run_id)
  SELECT id, org_id, CASE last_change WHEN 1 THEN '` + string(finding.EventNew) + `' WHEN 2 THEN '` + string(finding.EventReopened) +
		`' ELSE '` + string(finding.EventSeverityUp) + `' END, severity, CAST(? AS TIMESTAMPTZ), CAST(? AS BIGINT)
  FROM up WHERE last_change <> 0 ORDER BY id
)
SELECT count(*) FILTER (WHERE last_change = 1), count(*) FROM up`
}

// findingUpsertSet is FindingUpsert on PostgreSQL, inside a transaction:
// the batch's distinct identities are streamed with COPY into the staging
// table, then one statement upserts them all, in identity order, and records their events
// (findingSetSQL). The rare row whose identity hash another identity holds
// (or shares with an earlier row of the batch) is left to the row path,
// which probes the next hashes.
func (s *Store) findingUpsertSet(ctx context.Context, runID int64, fs []folded) (created, updated int, err error) {
	rows := make([][]any, 0, len(fs))
	byIdent := make(map[int64]struct{}, len(fs))
	var left []int
	for i := range fs {
		f := &fs[i]
		id := finding.Ident(f.s.OrgID, f.s.TriggerID, f.s.Type, f.s.Key)
		if _, dup := byIdent[id]; dup {
			left = append(left, i)
			continue
		}
		byIdent[id] = struct{}{}
		rows = append(rows, append([]any{int64(i)}, findingUpsertValues(id, f, runID)...))
	}
	// The table is emptied at commit; a second call in one transaction
	// empties it itself.
	for _, q := range []string{findingStageSQL, `TRUNCATE finding_stage`} {
		if _, err := s.Exec(ctx, q); err != nil {
			return 0, 0, fmt.Errorf("findings staging table: %w", err)
		}
	}
	if err := s.copyRows(ctx, "finding_stage", findingStageCols(), rows); err != nil {
		return 0, 0, fmt.Errorf("findings upsert: %w", err)
	}
	var written int
	if err := s.QueryRow(ctx, s.findingSetSQL(), s.Now(), nullID(runID)).Scan(&created, &written); err != nil {
		return 0, 0, fmt.Errorf("findings upsert: %w", interpret(err))
	}
	updated = written - created
	if written < len(rows) {
		// Rows without a result met another identity at their hash.
		q, err := s.Query(ctx, `SELECT pos FROM finding_stage s WHERE NOT EXISTS (SELECT 1 FROM findings f WHERE f.ident = s.ident
  AND f.org_id = s.org_id AND f.trigger_id = s.trigger_id AND f.type = s.type AND f.key = s.key)`)
		if err != nil {
			return created, updated, fmt.Errorf("findings upsert: %w", err)
		}
		for q.Next() {
			var pos int
			if err := q.Scan(&pos); err != nil {
				q.Close()
				return created, updated, err
			}
			left = append(left, pos)
		}
		q.Close()
		if err := q.Err(); err != nil {
			return created, updated, fmt.Errorf("findings upsert: %w", err)
		}
	}
	if len(left) == 0 {
		return created, updated, nil
	}
	slices.Sort(left)
	rest := make([]folded, len(left))
	for i, pos := range left {
		rest[i] = fs[pos]
	}
	c, u, err := s.findingUpsertRows(ctx, runID, rest)
	return created + c, updated + u, err
}
