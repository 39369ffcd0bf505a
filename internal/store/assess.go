// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"vigil/internal/assess"
	"vigil/internal/errs"
	"vigil/internal/label"
	"vigil/internal/rating"
	"vigil/internal/tenant"
)

// Assessments, evidence, probe runs and labels.
//
// An assessment row holds the domain object's scalar fields plus its answers
// and probe findings as JSON (the answers' JSON is the answers file format,
// so it reloads with assess.LoadAnswers); its state transitions are rows of
// assessment_transitions, in order.
//
// Evidence files are stored in the database, content-addressed: one
// evidence_blobs row per SHA-256 of the content (so the same file attached
// to many assessments is stored once, and every node of a PostgreSQL
// deployment sees it), and one assessment_evidence row per (assessment,
// file name, hash). A file is at most MaxEvidenceBytes.
//
// Labels are kept as the exact signed documents that were issued, with
// their grade, validity, revocation and supersession; label_events is the
// grade history of an assessment's labels.

// The store implements the rating service's storage.
var _ rating.Store = (*Store)(nil)

// RatingTx implements rating.Store: fn runs in one transaction.
func (s *Store) RatingTx(ctx context.Context, fn func(tx rating.Store) error) error {
	return s.Tx(ctx, func(tx *Store) error { return fn(tx) })
}

const assessmentCols = `id, device_id, org_id, vendor, model, firmware, edition, state, answers, findings, label_id, created_by, created_at, updated_at`

func scanAssessment(sc scanner) (assess.Assessment, error) {
	var a assess.Assessment
	var id int64
	var dev, org sql.NullInt64
	var edition, state, answers, findings string
	err := sc.Scan(&id, &dev, &org, &a.Device.Vendor, &a.Device.Model, &a.Device.Firmware, &edition, &state, &answers, &findings,
		&a.LabelID, &a.CreatedBy, &a.CreatedAt, &a.UpdatedAt)
	if err != nil {
		return a, err
	}
	a.ID = strconv.FormatInt(id, 10)
	a.DeviceID, a.OrgID = dev.Int64, org.Int64
	a.Edition, a.State = assess.Edition(edition), assess.State(state)
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	if err := json.Unmarshal([]byte(answers), &a.Answers); err != nil {
		return a, fmt.Errorf("assessment %d: bad stored answers: %w", id, err)
	}
	if a.Answers.Conditions == nil {
		a.Answers.Conditions = map[string]bool{}
	}
	if a.Answers.Items == nil {
		a.Answers.Items = map[string]assess.Answer{}
	}
	if err := json.Unmarshal([]byte(findings), &a.Findings); err != nil {
		return a, fmt.Errorf("assessment %d: bad stored findings: %w", id, err)
	}
	return a, nil
}

// AssessmentCreate stores a new draft assessment and returns it. The
// device must be one of sc; an assessment of a product type (no device)
// belongs to no organisation and only the operator starts one.
func (s *Store) AssessmentCreate(ctx context.Context, sc tenant.Scope, p assess.Request) (assess.Assessment, error) {
	if p.Edition == "" {
		p.Edition = assess.DefaultEdition
	}
	if p.DeviceID == 0 {
		if err := operatorOnly(sc, "assess a product type"); err != nil {
			return assess.Assessment{}, err
		}
	}
	var out assess.Assessment
	err := s.Tx(ctx, func(tx *Store) error {
		d := p.Device
		var dev, org any
		var devID, orgID int64
		if p.DeviceID != 0 {
			rd, err := tx.DeviceGet(ctx, sc, p.DeviceID)
			if err != nil {
				return err
			}
			d = assess.Device{Vendor: rd.Vendor, Model: rd.Model, Firmware: rd.Firmware}
			dev, org = rd.ID, rd.OrgID
			devID, orgID = rd.ID, rd.OrgID
		}
		d.Vendor, d.Model, d.Firmware = strings.TrimSpace(d.Vendor), strings.TrimSpace(d.Model), strings.TrimSpace(d.Firmware)
		now := tx.Now()
		// Validate with a placeholder id before inserting.
		a, err := assess.NewAssessment("new", d, p.Edition, p.Actor, now)
		if err != nil {
			return err
		}
		answers, err := json.Marshal(a.Answers)
		if err != nil {
			return err
		}
		id, err := tx.InsertID(ctx, `INSERT INTO assessments (device_id, org_id, vendor, model, firmware, edition, state, answers, findings, created_by, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?, ?)`, dev, org, d.Vendor, d.Model, d.Firmware, string(a.Edition), string(a.State), string(answers), p.Actor, now, now)
		if err != nil {
			return fmt.Errorf("assessment of %s: %w", d, err)
		}
		a.ID = strconv.FormatInt(id, 10)
		a.History = []assess.Transition{}
		a.DeviceID, a.OrgID = devID, orgID
		out = *a
		return nil
	})
	return out, err
}

// assessmentRow reads assessment id of sc; lock is forUpdate() or "".
func (s *Store) assessmentRow(ctx context.Context, sc tenant.Scope, id int64, lock string) (assess.Assessment, error) {
	cond, args := orgCond(sc, "org_id")
	a, err := scanAssessment(s.QueryRow(ctx, `SELECT `+assessmentCols+` FROM assessments WHERE id = ? AND `+cond+lock, append([]any{id}, args...)...))
	return a, Scan(err, fmt.Sprintf("assessment %d", id))
}

// assessmentIn returns nil when assessment id is one of sc, else
// errs.NotFound. The operator's scope holds every assessment: the foreign
// key of the row written next refuses a missing one (errs.Invalid).
func (s *Store) assessmentIn(ctx context.Context, sc tenant.Scope, id int64) error {
	if sc.IsOperator() {
		return nil
	}
	var one int
	cond, args := orgCond(sc, "org_id")
	err := s.QueryRow(ctx, `SELECT 1 FROM assessments WHERE id = ? AND `+cond, append([]any{id}, args...)...).Scan(&one)
	return Scan(err, fmt.Sprintf("assessment %d", id))
}

// AssessmentGet returns assessment id of sc with its history (assessments
// of a product type belong to no organisation: the operator's only).
func (s *Store) AssessmentGet(ctx context.Context, sc tenant.Scope, id int64) (assess.Assessment, error) {
	a, err := s.assessmentRow(ctx, sc, id, "")
	if err != nil {
		return a, err
	}
	a.History, err = s.transitions(ctx, id)
	return a, err
}

func (s *Store) transitions(ctx context.Context, id int64) ([]assess.Transition, error) {
	rows, err := s.Query(ctx, `SELECT from_state, to_state, actor, at, note FROM assessment_transitions WHERE assessment_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []assess.Transition{}
	for rows.Next() {
		var t assess.Transition
		var from, to string
		if err := rows.Scan(&from, &to, &t.Actor, &t.At, &t.Note); err != nil {
			return nil, err
		}
		t.From, t.To, t.At = assess.State(from), assess.State(to), t.At.UTC()
		out = append(out, t)
	}
	return out, rows.Err()
}

// AssessmentList lists the assessments of sc ordered by id, without their
// history.
func (s *Store) AssessmentList(ctx context.Context, sc tenant.Scope, f assess.Filter) ([]assess.Assessment, error) {
	cond, cargs := orgCond(sc, "org_id")
	q := `SELECT ` + assessmentCols + ` FROM assessments WHERE id > ? AND ` + cond
	args := append([]any{f.After}, cargs...)
	if f.DeviceID != 0 {
		q += ` AND device_id = ?`
		args = append(args, f.DeviceID)
	}
	if f.State != "" {
		q += ` AND state = ?`
		args = append(args, string(f.State))
	}
	return queryAll(ctx, s, scanAssessment, q+fmt.Sprintf(` ORDER BY id LIMIT %d`, f.Size()), args...)
}

// forUpdate locks the selected row until the transaction ends (PostgreSQL;
// SQLite transactions take the write lock at BEGIN).
func (s *Store) forUpdate() string {
	if s.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// AssessmentUpdate loads assessment id of sc in a transaction, applies fn
// and stores the result: state, answers, findings, label id, updated time
// and any transitions fn appended to the history. Concurrent updates of one
// assessment are serialised. An error from fn rolls back and is returned.
func (s *Store) AssessmentUpdate(ctx context.Context, sc tenant.Scope, id int64, fn func(a *assess.Assessment) error) (assess.Assessment, error) {
	var out assess.Assessment
	err := s.Tx(ctx, func(tx *Store) error {
		a, err := tx.assessmentRow(ctx, sc, id, tx.forUpdate())
		if err != nil {
			return err
		}
		if a.History, err = tx.transitions(ctx, id); err != nil {
			return err
		}
		known := len(a.History)
		if err := fn(&a); err != nil {
			return err
		}
		if len(a.History) < known {
			return fmt.Errorf("assessment %d: history may only grow", id)
		}
		answers, err := json.Marshal(a.Answers)
		if err != nil {
			return err
		}
		findings := []byte("[]")
		if len(a.Findings) > 0 {
			if findings, err = json.Marshal(a.Findings); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE assessments SET state = ?, answers = ?, findings = ?, label_id = ?, updated_at = ? WHERE id = ?`,
			string(a.State), string(answers), string(findings), a.LabelID, a.UpdatedAt.UTC(), id); err != nil {
			return fmt.Errorf("assessment %d: %w", id, err)
		}
		for _, t := range a.History[known:] {
			if _, err := tx.Exec(ctx, `INSERT INTO assessment_transitions (assessment_id, from_state, to_state, actor, at, note) VALUES (?, ?, ?, ?, ?, ?)`,
				id, string(t.From), string(t.To), t.Actor, t.At.UTC(), t.Note); err != nil {
				return fmt.Errorf("assessment %d: transition: %w", id, err)
			}
		}
		out = a
		return nil
	})
	return out, err
}

// EvidenceAdd stores content (once per SHA-256) and attaches it to
// assessment id of sc under name. Attaching the same name and content again
// returns the existing attachment.
func (s *Store) EvidenceAdd(ctx context.Context, sc tenant.Scope, id int64, name, mediaType string, content []byte, actor string) (assess.Attachment, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "" || len(name) > 255 || strings.ContainsAny(name, "/\\\x00"):
		return assess.Attachment{}, errs.Field("name", name, "an evidence file needs a base name of at most 255 characters")
	case len(content) > assess.MaxEvidenceBytes:
		return assess.Attachment{}, errs.Field("file", name, fmt.Sprintf("larger than %d MiB", assess.MaxEvidenceBytes>>20))
	case actor == "":
		return assess.Attachment{}, errs.Field("actor", actor, "required")
	}
	sum := sha256.Sum256(content)
	h := hex.EncodeToString(sum[:])
	var out assess.Attachment
	err := s.Tx(ctx, func(tx *Store) error {
		if err := tx.assessmentIn(ctx, sc, id); err != nil {
			return err
		}
		now := tx.Now()
		if _, err := tx.Exec(ctx, `INSERT INTO evidence_blobs (sha256, size, content, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING`,
			h, int64(len(content)), content, now); err != nil {
			return fmt.Errorf("evidence %s: %w", name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO assessment_evidence (assessment_id, sha256, name, media_type, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (assessment_id, name, sha256) DO NOTHING`, id, h, name, mediaType, actor, now); err != nil {
			return fmt.Errorf("evidence %s: %w", name, err)
		}
		ev, err := tx.evidenceQuery(ctx, `WHERE e.assessment_id = ? AND e.name = ? AND e.sha256 = ?`, id, name, h)
		if err != nil {
			return err
		}
		out = ev[0]
		return nil
	})
	return out, err
}

func (s *Store) evidenceQuery(ctx context.Context, where string, args ...any) ([]assess.Attachment, error) {
	rows, err := s.Query(ctx, `SELECT e.id, e.assessment_id, e.name, e.sha256, b.size, e.media_type, e.added_by, e.added_at
FROM assessment_evidence e JOIN evidence_blobs b ON b.sha256 = e.sha256 `+where+` ORDER BY e.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []assess.Attachment{}
	for rows.Next() {
		var e assess.Attachment
		if err := rows.Scan(&e.ID, &e.AssessmentID, &e.Name, &e.SHA256, &e.Size, &e.MediaType, &e.AddedBy, &e.AddedAt); err != nil {
			return nil, err
		}
		e.AddedAt = e.AddedAt.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// EvidenceList lists the evidence files of assessment id of sc.
func (s *Store) EvidenceList(ctx context.Context, sc tenant.Scope, id int64) ([]assess.Attachment, error) {
	cond, args := orgCond(sc, "a.org_id")
	return s.evidenceQuery(ctx, `JOIN assessments a ON a.id = e.assessment_id WHERE e.assessment_id = ? AND `+cond, append([]any{id}, args...)...)
}

// EvidenceContent returns a stored file by its SHA-256 (lowercase hex),
// checking that the content still has that hash. A file is found when it
// is attached to an assessment of sc (the operator: any stored file).
func (s *Store) EvidenceContent(ctx context.Context, sc tenant.Scope, sha string) ([]byte, error) {
	var b []byte
	q, args := `SELECT content FROM evidence_blobs b WHERE b.sha256 = ?`, []any{strings.ToLower(sha)}
	if !sc.IsOperator() {
		cond, cargs := orgCond(sc, "a.org_id")
		q += ` AND EXISTS (SELECT 1 FROM assessment_evidence e JOIN assessments a ON a.id = e.assessment_id WHERE e.sha256 = b.sha256 AND ` + cond + `)`
		args = append(args, cargs...)
	}
	err := s.QueryRow(ctx, q, args...).Scan(&b)
	if err != nil {
		return nil, Scan(err, "evidence "+sha)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != strings.ToLower(sha) {
		return nil, fmt.Errorf("evidence %s: stored content does not match its hash", sha)
	}
	return b, nil
}

// ProbeRunAdd stores a probe report (JSON) for assessment r.AssessmentID of
// sc and sets r.ID and r.At.
func (s *Store) ProbeRunAdd(ctx context.Context, sc tenant.Scope, r *assess.ProbeRun) error {
	if !json.Valid(r.Report) {
		return errs.Field("report", "", "not JSON")
	}
	return s.Tx(ctx, func(tx *Store) error {
		if err := tx.assessmentIn(ctx, sc, r.AssessmentID); err != nil {
			return err
		}
		r.At = tx.Now()
		id, err := tx.InsertID(ctx, `INSERT INTO assessment_probes (assessment_id, target, report, failed, actor, at) VALUES (?, ?, ?, ?, ?, ?)`,
			r.AssessmentID, r.Target, string(r.Report), r.Failed, r.Actor, r.At)
		r.ID = id
		return err
	})
}

// ProbeRunList lists the probe runs of assessment id of sc, oldest first.
func (s *Store) ProbeRunList(ctx context.Context, sc tenant.Scope, id int64) ([]assess.ProbeRun, error) {
	cond, args := orgCond(sc, "a.org_id")
	rows, err := s.Query(ctx, `SELECT p.id, p.assessment_id, p.target, p.report, p.failed, p.actor, p.at
FROM assessment_probes p JOIN assessments a ON a.id = p.assessment_id WHERE p.assessment_id = ? AND `+cond+` ORDER BY p.id`, append([]any{id}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []assess.ProbeRun{}
	for rows.Next() {
		var r assess.ProbeRun
		var rep string
		if err := rows.Scan(&r.ID, &r.AssessmentID, &r.Target, &rep, &r.Failed, &r.Actor, &r.At); err != nil {
			return nil, err
		}
		r.Report, r.At = json.RawMessage(rep), r.At.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

const labelCols = `id, assessment_id, device_id, org_id, grade, rule, kid, signed, score, issued_at, expires_at, revoked_at, revoke_reason, superseded_by, superseded_at`

func (s *Store) labelQuery(ctx context.Context, q string, args ...any) ([]label.Record, error) {
	rows, err := s.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []label.Record{}
	for rows.Next() {
		var l label.Record
		var dev, org sql.NullInt64
		var grade, signed, score string
		var revoked, superAt sql.NullTime
		var superBy sql.NullString
		if err := rows.Scan(&l.ID, &l.AssessmentID, &dev, &org, &grade, &l.Rule, &l.KeyID, &signed, &score, &l.Issued, &l.Expires,
			&revoked, &l.RevokeReason, &superBy, &superAt); err != nil {
			return nil, err
		}
		l.DeviceID, l.OrgID, l.SupersededBy = dev.Int64, org.Int64, superBy.String
		if g, err := assess.ParseGrade(grade); err == nil {
			l.Grade = g
		}
		l.Signed, l.Score = json.RawMessage(signed), json.RawMessage(score)
		l.Issued, l.Expires = l.Issued.UTC(), l.Expires.UTC()
		if revoked.Valid {
			t := revoked.Time.UTC()
			l.RevokedAt = &t
		}
		if superAt.Valid {
			t := superAt.Time.UTC()
			l.SupersededAt = &t
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// LabelCreate stores an issued label of organisation l.OrgID (0: a
// product type's, the operator's), which sc must allow.
func (s *Store) LabelCreate(ctx context.Context, sc tenant.Scope, l *label.Record) error {
	if err := allows(sc, l.OrgID); err != nil {
		return err
	}
	switch {
	case l.ID == "":
		return errs.Field("id", l.ID, "required")
	case !l.Grade.Valid():
		return errs.Field("grade", l.Grade, "not A…G")
	case !json.Valid(l.Signed):
		return errs.Field("signed", "", "not a JSON document")
	}
	score := l.Score
	if len(score) == 0 {
		score = json.RawMessage("{}")
	}
	var doc struct {
		Device assess.Device `json:"device"`
	}
	_ = json.Unmarshal(l.Signed, &doc) // checked valid above; a document without a device searches as ""
	_, err := s.Exec(ctx, `INSERT INTO labels (id, assessment_id, device_id, org_id, grade, rule, kid, signed, score, issued_at, expires_at, vendor, model)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, l.ID, l.AssessmentID, nullID(l.DeviceID), nullID(l.OrgID), l.Grade.String(), l.Rule, l.KeyID,
		string(l.Signed), string(score), l.Issued.UTC(), l.Expires.UTC(), doc.Device.Vendor, doc.Device.Model)
	if err != nil {
		return fmt.Errorf("label %s: %w", l.ID, err)
	}
	return nil
}

// labelCond is orgCond for labels: they are published, so the public
// scope reads them all (a label is verified by its id, and its registry
// page shows the assessment's other labels and history).
func labelCond(sc tenant.Scope, col string) (string, []any) {
	if sc.IsPublic() {
		return "1 = 1", nil
	}
	return orgCond(sc, col)
}

// LabelGet returns label id of sc; the public scope reads any label.
func (s *Store) LabelGet(ctx context.Context, sc tenant.Scope, id string) (label.Record, error) {
	cond, args := labelCond(sc, "org_id")
	ls, err := s.labelQuery(ctx, `SELECT `+labelCols+` FROM labels WHERE id = ? AND `+cond, append([]any{id}, args...)...)
	if err != nil {
		return label.Record{}, err
	}
	if len(ls) == 0 {
		return label.Record{}, notFound("label %s", id)
	}
	return ls[0], nil
}

// LabelGrades counts the valid labels of sc (neither revoked, superseded
// nor expired) per grade, every grade A…G in order, zeros included. The
// partial index labels_live_grade answers it without reading a label row.
func (s *Store) LabelGrades(ctx context.Context, sc tenant.Scope) ([]label.GradeCount, error) {
	cond, args := orgCond(sc, "org_id")
	rows, err := s.Query(ctx, `SELECT grade, COUNT(*) FROM labels
WHERE revoked_at IS NULL AND superseded_by IS NULL AND expires_at > ? AND `+cond+` GROUP BY grade`, append([]any{s.Now()}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("count labels by grade: %w", err)
	}
	defer rows.Close()
	n := map[assess.Grade]int64{}
	for rows.Next() {
		var g string
		var c int64
		if err := rows.Scan(&g, &c); err != nil {
			return nil, fmt.Errorf("count labels by grade: %w", err)
		}
		gr, err := assess.ParseGrade(g)
		if err != nil {
			return nil, fmt.Errorf("count labels by grade: %w", err)
		}
		n[gr] += c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count labels by grade: %w", err)
	}
	out := make([]label.GradeCount, 0, len(assess.Grades()))
	for _, g := range assess.Grades() {
		out = append(out, label.GradeCount{Grade: g, Labels: n[g]})
	}
	return out, nil
}

// LabelList lists the labels of sc in order of issue; the public scope
// reads any label.
func (s *Store) LabelList(ctx context.Context, sc tenant.Scope, f label.Filter) ([]label.Record, error) {
	cond, args := labelCond(sc, "org_id")
	q := `SELECT ` + labelCols + ` FROM labels WHERE ` + cond
	if f.AssessmentID != 0 {
		q += ` AND assessment_id = ?`
		args = append(args, f.AssessmentID)
	}
	if len(f.DeviceIDs) > 0 {
		q += ` AND device_id IN (` + inList(len(f.DeviceIDs)) + `)`
		args = append(args, anys(f.DeviceIDs)...)
	}
	if f.Live {
		q += ` AND revoked_at IS NULL AND superseded_by IS NULL`
	}
	for _, m := range []struct{ col, v string }{{"vendor", f.Vendor}, {"model", f.Model}} {
		if m.v != "" {
			q += ` AND lower(` + m.col + `) LIKE ? ESCAPE '\'`
			args = append(args, "%"+likeEscape(strings.ToLower(m.v))+"%")
		}
	}
	if f.Grade != 0 {
		q += ` AND grade = ?`
		args = append(args, f.Grade.String())
	}
	order := ` ORDER BY issued_at, id`
	if f.Newest {
		order = ` ORDER BY issued_at DESC, id DESC`
	}
	if f.After != "" {
		cmp := ">"
		if f.Newest {
			cmp = "<"
		}
		q += ` AND (issued_at, id) ` + cmp + ` (SELECT issued_at, id FROM labels WHERE id = ?)`
		args = append(args, f.After)
	}
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = 1000
	case limit > 10000:
		limit = 10000
	}
	return s.labelQuery(ctx, q+order+fmt.Sprintf(` LIMIT %d`, limit), args...)
}

// likeEscape escapes the LIKE wildcards of s (with ESCAPE '\').
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// LabelSupersede marks label old of sc as superseded by label next. Only a
// live label can be superseded (errs.Conflict otherwise).
func (s *Store) LabelSupersede(ctx context.Context, sc tenant.Scope, old, next string) error {
	cond, args := orgCond(sc, "org_id")
	r, err := s.Exec(ctx, `UPDATE labels SET superseded_by = ?, superseded_at = ? WHERE id = ? AND superseded_by IS NULL AND revoked_at IS NULL AND `+cond,
		append([]any{next, s.Now(), old}, args...)...)
	if err != nil {
		return fmt.Errorf("supersede label %s: %w", old, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		// Published labels are readable in the public scope, but only
		// their organisation's scope changes them.
		var one int
		err := s.QueryRow(ctx, `SELECT 1 FROM labels WHERE id = ? AND `+cond, append([]any{old}, args...)...).Scan(&one)
		if err := Scan(err, fmt.Sprintf("label %s", old)); err != nil {
			return err
		}
		return errs.Errorf(errs.Conflict, "label %s is already superseded or revoked", old)
	}
	return nil
}

// LabelRevoke revokes every label of the assessment that is not revoked
// yet (a revocation withdraws the whole assessment, so superseded labels
// stop verifying as well), with the reason shown to verifiers. It returns
// how many labels it revoked. Labels outside sc are left alone.
func (s *Store) LabelRevoke(ctx context.Context, sc tenant.Scope, assessmentID int64, reason string) (int64, error) {
	if strings.TrimSpace(reason) == "" {
		return 0, errs.Field("reason", reason, "a revocation needs a reason")
	}
	cond, args := orgCond(sc, "org_id")
	r, err := s.Exec(ctx, `UPDATE labels SET revoked_at = ?, revoke_reason = ? WHERE assessment_id = ? AND revoked_at IS NULL AND `+cond,
		append([]any{s.Now(), reason, assessmentID}, args...)...)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

// LabelEventAdd appends to the history of assessment e.AssessmentID of sc
// and sets e.ID and e.At.
func (s *Store) LabelEventAdd(ctx context.Context, sc tenant.Scope, e *label.Event) error {
	if e.Actor == "" {
		return errs.Field("actor", e.Actor, "required")
	}
	return s.Tx(ctx, func(tx *Store) error {
		if err := tx.assessmentIn(ctx, sc, e.AssessmentID); err != nil {
			return err
		}
		e.At = tx.Now()
		id, err := tx.InsertID(ctx, `INSERT INTO label_events (assessment_id, label_id, kind, grade, prev_grade, reason, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			e.AssessmentID, e.LabelID, string(e.Kind), e.Grade, e.PrevGrade, e.Reason, e.Actor, e.At)
		e.ID = id
		return err
	})
}

// LabelEventList returns the label history of assessment assessmentID of
// sc, oldest first; the public scope reads any (it is shown with the
// labels).
func (s *Store) LabelEventList(ctx context.Context, sc tenant.Scope, assessmentID int64) ([]label.Event, error) {
	cond, args := labelCond(sc, "a.org_id")
	rows, err := s.Query(ctx, `SELECT e.id, e.assessment_id, e.label_id, e.kind, e.grade, e.prev_grade, e.reason, e.actor, e.at
FROM label_events e JOIN assessments a ON a.id = e.assessment_id WHERE e.assessment_id = ? AND `+cond+` ORDER BY e.id`, append([]any{assessmentID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []label.Event{}
	for rows.Next() {
		var e label.Event
		var kind string
		if err := rows.Scan(&e.ID, &e.AssessmentID, &e.LabelID, &kind, &e.Grade, &e.PrevGrade, &e.Reason, &e.Actor, &e.At); err != nil {
			return nil, err
		}
		e.Kind, e.At = label.EventKind(kind), e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
