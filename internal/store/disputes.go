// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/tenant"
)

// FindingGet returns finding id of sc (another tenant's: not found).
func (s *Store) FindingGet(ctx context.Context, sc tenant.Scope, id int64) (finding.Finding, error) {
	cond, args := findingScope(sc, "f")
	row := s.QueryRow(ctx, `SELECT `+findingCols+` FROM findings f JOIN triggers t ON t.id = f.trigger_id WHERE f.id = ? AND `+cond,
		append([]any{id}, args...)...)
	x, err := scanFinding(row, nil)
	if err != nil {
		return x, Scan(err, fmt.Sprintf("finding %d", id))
	}
	return x, nil
}

// DisputeCreate records an organisation's dispute of its finding
// d.FindingID (of sc) as pending. A finding with a pending dispute gets
// errs.Conflict; a resolved one errs.Invalid.
func (s *Store) DisputeCreate(ctx context.Context, sc tenant.Scope, d *finding.Dispute) error {
	if err := d.Validate(); err != nil {
		return err
	}
	return s.Tx(ctx, func(tx *Store) error {
		f, err := tx.FindingGet(ctx, sc, d.FindingID)
		if err != nil {
			return err
		}
		if f.Status != finding.Open {
			return errs.Field("finding", fmt.Sprint(d.FindingID), "is already resolved; only an open finding can be disputed")
		}
		var waiting int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM finding_disputes WHERE finding_id = ? AND state = 'pending'`, f.ID).Scan(&waiting); err != nil {
			return err
		}
		if waiting > 0 {
			return errs.Errorf(errs.Conflict, "finding %d already has a dispute waiting for an analyst", f.ID)
		}
		d.OrgID, d.State, d.CreatedAt = f.OrgID, finding.DisputePending, tx.Now().UTC()
		d.Trigger, d.IP, d.Port = f.Trigger, f.IP, f.Port
		d.ID, err = tx.InsertID(ctx, `INSERT INTO finding_disputes (finding_id, org_id, reason, comment, state, created_by, created_at)
VALUES (?, ?, ?, ?, 'pending', ?, ?)`, f.ID, f.OrgID, string(d.Reason), d.Comment, d.By, d.CreatedAt)
		return err
	})
}

const disputeCols = `d.id, d.finding_id, d.org_id, d.reason, d.comment, d.state, d.created_by, d.created_at, d.decided_by, d.decided_at, d.decision,
 t.name, f.ip, f.port`

const disputeFrom = ` FROM finding_disputes d JOIN findings f ON f.id = d.finding_id JOIN triggers t ON t.id = f.trigger_id`

func scanDispute(sc scanner) (finding.Dispute, error) {
	var d finding.Dispute
	var reason, state string
	var decided sql.NullTime
	err := sc.Scan(&d.ID, &d.FindingID, &d.OrgID, &reason, &d.Comment, &state, &d.By, &d.CreatedAt, &d.DecidedBy, &decided, &d.Decision,
		&d.Trigger, &d.IP, &d.Port)
	d.Reason, d.State, d.CreatedAt = finding.DisputeReason(reason), finding.DisputeState(state), d.CreatedAt.UTC()
	if decided.Valid {
		t := decided.Time.UTC()
		d.DecidedAt = &t
	}
	return d, err
}

// DisputeList lists the disputes of sc that match f, newest first
// (f.After continues below that id).
func (s *Store) DisputeList(ctx context.Context, sc tenant.Scope, f finding.DisputeFilter) ([]finding.Dispute, error) {
	cond, args := orgCond(sc, "d.org_id")
	var where []string
	if f.State != "" {
		where = append(where, "d.state = ?")
		args = append(args, string(f.State))
	}
	if f.FindingID != 0 {
		where = append(where, "d.finding_id = ?")
		args = append(args, f.FindingID)
	}
	if f.After != 0 {
		where = append(where, "d.id < ?")
		args = append(args, f.After)
	}
	q := `SELECT ` + disputeCols + disputeFrom + ` WHERE ` + cond
	for _, w := range where {
		q += " AND " + w
	}
	return queryAll(ctx, s, scanDispute, q+fmt.Sprintf(" ORDER BY d.id DESC LIMIT %d", f.Size()), args...)
}

// DisputeGet returns dispute id of sc.
func (s *Store) DisputeGet(ctx context.Context, sc tenant.Scope, id int64) (finding.Dispute, error) {
	cond, args := orgCond(sc, "d.org_id")
	d, err := scanDispute(s.QueryRow(ctx, `SELECT `+disputeCols+disputeFrom+` WHERE d.id = ? AND `+cond, append([]any{id}, args...)...))
	if err != nil {
		return d, Scan(err, fmt.Sprintf("dispute %d", id))
	}
	return d, nil
}

// DisputeDecide accepts or rejects pending dispute id of sc with the
// decision's reason. Accepting resolves the finding (with a resolved
// event), in the same transaction. A dispute already decided gets
// errs.Conflict.
func (s *Store) DisputeDecide(ctx context.Context, sc tenant.Scope, id int64, dec finding.Decision) (finding.Dispute, error) {
	if err := dec.Validate(); err != nil {
		return finding.Dispute{}, err
	}
	var out finding.Dispute
	err := s.Tx(ctx, func(tx *Store) error {
		d, err := tx.DisputeGet(ctx, sc, id)
		if err != nil {
			return err
		}
		if d.State != finding.DisputePending {
			return errs.Errorf(errs.Conflict, "dispute %d was already %s", id, d.State)
		}
		state := finding.DisputeRejected
		if dec.Accept {
			state = finding.DisputeAccepted
		}
		at := dec.At.UTC()
		r, err := tx.Exec(ctx, `UPDATE finding_disputes SET state = ?, decided_by = ?, decided_at = ?, decision = ? WHERE id = ? AND state = 'pending'`,
			string(state), dec.By, at, strings.TrimSpace(dec.Reason), id)
		if err != nil {
			return err
		}
		if n, err := r.RowsAffected(); err != nil || n != 1 {
			return errs.Errorf(errs.Conflict, "dispute %d was decided meanwhile", id)
		}
		if dec.Accept {
			if _, err := tx.Exec(ctx, `INSERT INTO finding_events (finding_id, org_id, kind, severity, at)
SELECT id, org_id, 'resolved', severity, ? FROM findings WHERE id = ? AND status = 'open'`, at, d.FindingID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE findings SET status = 'resolved', resolved_at = ? WHERE id = ? AND status = 'open'`, at, d.FindingID); err != nil {
				return err
			}
		}
		out, err = tx.DisputeGet(ctx, sc, id)
		return err
	})
	return out, err
}
