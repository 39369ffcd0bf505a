// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"vigil/internal/finding"
)

// findingSetSQL folds a batch into findings in one statement and derives
// their events in the same one: a row created is event "new", one
// reopened "reopened", one whose severity rose "severity_up" (last_change
// 1, 2, 3 as in findingUpsertSQL). It returns how many rows were created
// and how many were written in all; a row whose hash belongs to another
// identity is neither (see findingUpsertSet).
//
// The batch comes as one array parameter per column (findingBatch.args),
// unnested in the statement: pgx sends them in binary, and nothing is
// written before the findings themselves. Staging the rows with COPY in a
// temporary table first wrote and read every row twice.
//
// Rows are written in identity-hash order, not the file's: two
// transactions that upsert overlapping findings (nodes ingesting parts of
// one file, or two reports at once) then take their row and unique-index
// locks in the same order, so one waits for the other instead of both
// deadlocking. The batch comes in that order (findingBatch.sortByIdent),
// with the ids of new findings drawn before in the batch's order
// (findingIDsSQL), as on SQLite; a row that meets its finding drops its
// id, as a default id would be. Drawing the ids and sorting by identity in
// the statement instead (a materialised CTE of the whole batch, evidence
// included, sorted on the server) cost 9 % of its server time and spilled
// to temporary files at the default work_mem.
func (s *Store) findingSetSQL() string {
	return `WITH up AS (
  INSERT INTO findings (id, ` + findingUpsertCols + `, last_change)
  SELECT id, ident, org_id, trigger_id, type, report_type, key, ip, port, asn, hostname, NULLIF(device_id, 0), cve, severity, class,
    first_seen, last_seen, seen_count, CAST(? AS BIGINT), tie, evidence, CASE WHEN evidence_rows THEN CAST(? AS BIGINT) END, tlp, 1
  FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[],
    ?::text[], ?::bigint[], ?::text[], ?::bigint[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::bigint[], ?::boolean[], ?::text[],
    ?::boolean[], ?::smallint[]) AS u(id, ident, org_id, trigger_id, type, report_type, key, ip, port, asn, hostname, device_id,
    cve, severity, class, first_seen, last_seen, seen_count, tie, evidence, evidence_rows, tlp)` + s.findingConflictSQL() + `
  RETURNING id, org_id, last_change, severity
), ev AS (
  INSERT INTO finding_events (finding_id, org_id, kind, severity, at, run_id)
  SELECT id, org_id, CASE last_change WHEN 1 THEN '` + string(finding.EventNew) + `' WHEN 2 THEN '` + string(finding.EventReopened) +
		`' ELSE '` + string(finding.EventSeverityUp) + `' END, severity, CAST(? AS TIMESTAMPTZ), CAST(? AS BIGINT)
  FROM up WHERE last_change <> 0 ORDER BY id
)
SELECT count(*) FILTER (WHERE last_change = 1), count(*) FROM up`
}

// findingIDsSQL draws n ids for new findings from the sequence findings'
// default uses.
const findingIDsSQL = `SELECT nextval('findings_id_seq') FROM generate_series(1, ?)`

// findingMissedSQL returns the positions (1-based) of a batch's rows,
// given as arrays of their identities, that have no finding of their
// identity at their hash: another identity holds it.
const findingMissedSQL = `SELECT u.pos FROM unnest(?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::text[]) WITH ORDINALITY AS u(ident, org_id, trigger_id, type, key, pos)
WHERE NOT EXISTS (SELECT 1 FROM findings f WHERE f.ident = u.ident AND f.org_id = u.org_id AND f.trigger_id = u.trigger_id AND f.type = u.type AND f.key = u.key)`

// findingBatch is a batch of findings as one slice per column of
// findingSetSQL's arrays.
type findingBatch struct {
	id, ident, org, trigger, port, asn, device, severity, count, tlp []int64
	typ, reportType, key, ip, hostname, cve, class, evidence         []string
	first, last                                                      []time.Time
	tie, evidenceRows                                                []bool
}

func (b *findingBatch) add(id int64, f *folded) {
	ip := ""
	if f.s.IP.IsValid() {
		ip = f.s.IP.String()
	}
	b.ident = append(b.ident, id)
	b.org = append(b.org, f.s.OrgID)
	b.trigger = append(b.trigger, f.s.TriggerID)
	b.typ = append(b.typ, f.s.Type)
	b.reportType = append(b.reportType, f.s.ReportType)
	b.key = append(b.key, f.s.Key)
	b.ip = append(b.ip, ip)
	b.port = append(b.port, int64(f.s.Port))
	b.asn = append(b.asn, int64(f.s.ASN))
	b.hostname = append(b.hostname, f.s.Hostname)
	b.device = append(b.device, f.s.DeviceID)
	b.cve = append(b.cve, f.s.CVE)
	b.severity = append(b.severity, int64(f.s.Severity))
	b.class = append(b.class, f.s.Class)
	b.first = append(b.first, f.first)
	b.last = append(b.last, f.last)
	b.count = append(b.count, f.n)
	b.tie = append(b.tie, f.s.Tie)
	b.evidence = append(b.evidence, string(f.s.Evidence))
	b.evidenceRows = append(b.evidenceRows, len(f.s.Evidence) > 0 && f.s.Evidence[0] == '[')
	b.tlp = append(b.tlp, int64(f.s.TLP))
}

// sortByIdent puts the rows in identity-hash order and returns, for each
// row in its new place, the place it had.
func (b *findingBatch) sortByIdent() []int {
	p := make([]int, len(b.ident))
	for i := range p {
		p[i] = i
	}
	slices.SortFunc(p, func(x, y int) int { return cmp.Compare(b.ident[x], b.ident[y]) })
	b.id, b.ident, b.org, b.trigger = permute(b.id, p), permute(b.ident, p), permute(b.org, p), permute(b.trigger, p)
	b.port, b.asn, b.device, b.severity = permute(b.port, p), permute(b.asn, p), permute(b.device, p), permute(b.severity, p)
	b.count, b.tlp, b.typ, b.reportType = permute(b.count, p), permute(b.tlp, p), permute(b.typ, p), permute(b.reportType, p)
	b.key, b.ip, b.hostname, b.cve = permute(b.key, p), permute(b.ip, p), permute(b.hostname, p), permute(b.cve, p)
	b.class, b.evidence, b.first, b.last = permute(b.class, p), permute(b.evidence, p), permute(b.first, p), permute(b.last, p)
	b.tie, b.evidenceRows = permute(b.tie, p), permute(b.evidenceRows, p)
	return p
}

// permute returns x[p[0]], x[p[1]], ….
func permute[T any](x []T, p []int) []T {
	y := make([]T, len(p))
	for i, j := range p {
		y[i] = x[j]
	}
	return y
}

// args are the arrays in findingSetSQL's order.
func (b *findingBatch) args() []any {
	return []any{b.id, b.ident, b.org, b.trigger, b.typ, b.reportType, b.key, b.ip, b.port, b.asn, b.hostname, b.device, b.cve, b.severity,
		b.class, b.first, b.last, b.count, b.tie, b.evidence, b.evidenceRows, b.tlp}
}

// findingUpsertSet is FindingUpsert on PostgreSQL, inside a transaction:
// one statement upserts the batch's distinct identities, in identity
// order, and records their events (findingSetSQL). The rare row whose
// identity hash another identity holds (or shares with an earlier row of
// the batch) is left to the row path, which probes the next hashes.
func (s *Store) findingUpsertSet(ctx context.Context, runID int64, fs []folded) (created, updated int, err error) {
	var b findingBatch
	at := make([]int, 0, len(fs)) // the index in fs of each row of b
	byIdent := make(map[int64]struct{}, len(fs))
	var left []int
	for i := range fs {
		f := &fs[i]
		id := finding.Ident(f.s.OrgID, f.s.TriggerID, f.s.Type, f.s.Key)
		if _, dup := byIdent[id]; dup {
			left = append(left, i)
			continue
		}
		// The text checks of Exec, which array parameters pass unseen.
		if err := checkText(findingUpsertValues(id, f, runID)); err != nil {
			return 0, 0, fmt.Errorf("findings upsert: %w", err)
		}
		byIdent[id] = struct{}{}
		b.add(id, f)
		at = append(at, i)
	}
	// Ids in the batch's order, then the rows in identity order.
	q, err := s.Query(ctx, findingIDsSQL, len(b.ident))
	if err != nil {
		return 0, 0, fmt.Errorf("findings upsert: ids: %w", err)
	}
	for q.Next() {
		var id int64
		if err := q.Scan(&id); err != nil {
			q.Close()
			return 0, 0, fmt.Errorf("findings upsert: ids: %w", err)
		}
		b.id = append(b.id, id)
	}
	q.Close()
	if err := q.Err(); err != nil {
		return 0, 0, fmt.Errorf("findings upsert: ids: %w", err)
	}
	if len(b.id) != len(b.ident) {
		return 0, 0, fmt.Errorf("findings upsert: %d ids drawn for %d findings", len(b.id), len(b.ident))
	}
	slices.Sort(b.id)
	at = permute(at, b.sortByIdent())
	run := nullID(runID)
	args := append([]any{run, run}, b.args()...)
	args = append(args, s.Now(), run)
	var written int
	if err := s.QueryRow(ctx, s.findingSetSQL(), args...).Scan(&created, &written); err != nil {
		return 0, 0, fmt.Errorf("findings upsert: %w", interpret(err))
	}
	updated = written - created
	if written < len(at) {
		// Rows without a result met another identity at their hash.
		q, err := s.Query(ctx, findingMissedSQL, b.ident, b.org, b.trigger, b.typ, b.key)
		if err != nil {
			return created, updated, fmt.Errorf("findings upsert: %w", err)
		}
		for q.Next() {
			var pos int
			if err := q.Scan(&pos); err != nil {
				q.Close()
				return created, updated, err
			}
			left = append(left, at[pos-1])
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
