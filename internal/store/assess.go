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
	"time"

	"vigil/internal/assess"
	"vigil/internal/errs"
	"vigil/internal/keyset"
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

// MaxEvidenceBytes bounds one evidence file (20 MiB).
const MaxEvidenceBytes = 20 << 20

// Assessment is a stored assessment: the domain object with the device
// and organisation it belongs to (zero for a product-type assessment).
type Assessment struct {
	assess.Assessment
	DeviceID int64 `json:"device_id,omitempty"`
	OrgID    int64 `json:"org_id,omitempty"`
}

// AssessmentNew starts an assessment: of registered device DeviceID (its
// vendor, model and firmware are taken from the registry), or of the
// product type Device when DeviceID is zero.
type AssessmentNew struct {
	DeviceID int64
	Device   assess.Device
	Edition  assess.Edition
	Actor    string
}

const assessmentCols = `id, device_id, org_id, vendor, model, firmware, edition, state, answers, findings, label_id, created_by, created_at, updated_at`

func scanAssessment(sc interface{ Scan(...any) error }) (Assessment, error) {
	var a Assessment
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

// AssessmentID parses an assessment id as shown to users ("12").
func AssessmentID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.Field("assessment", s, "not an assessment id (a positive number)")
	}
	return id, nil
}

// AssessmentCreate stores a new draft assessment and returns it.
func (s *Store) AssessmentCreate(ctx context.Context, p AssessmentNew) (Assessment, error) {
	if p.Edition == "" {
		p.Edition = assess.DefaultEdition
	}
	var out Assessment
	err := s.Tx(ctx, func(tx *Store) error {
		d := p.Device
		var dev, org any
		if p.DeviceID != 0 {
			rd, err := tx.DeviceGet(ctx, tenant.Operator(), p.DeviceID)
			if err != nil {
				return err
			}
			d = assess.Device{Vendor: rd.Vendor, Model: rd.Model, Firmware: rd.Firmware}
			dev, org = rd.ID, rd.OrgID
			out.DeviceID, out.OrgID = rd.ID, rd.OrgID
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
		out.Assessment = *a
		return nil
	})
	return out, err
}

// AssessmentGet returns an assessment with its history.
func (s *Store) AssessmentGet(ctx context.Context, id int64) (Assessment, error) {
	a, err := scanAssessment(s.QueryRow(ctx, `SELECT `+assessmentCols+` FROM assessments WHERE id = ?`, id))
	if err != nil {
		return a, Scan(err, fmt.Sprintf("assessment %d", id))
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

// AssessmentFilter selects assessments. Zero fields do not filter.
type AssessmentFilter struct {
	OrgID    int64
	DeviceID int64
	State    assess.State
	keyset.Page
}

// AssessmentList lists assessments ordered by id, without their history.
func (s *Store) AssessmentList(ctx context.Context, f AssessmentFilter) ([]Assessment, error) {
	q := `SELECT ` + assessmentCols + ` FROM assessments WHERE id > ?`
	args := []any{f.After}
	if f.OrgID != 0 {
		q += ` AND org_id = ?`
		args = append(args, f.OrgID)
	}
	if f.DeviceID != 0 {
		q += ` AND device_id = ?`
		args = append(args, f.DeviceID)
	}
	if f.State != "" {
		q += ` AND state = ?`
		args = append(args, string(f.State))
	}
	rows, err := s.Query(ctx, q+fmt.Sprintf(` ORDER BY id LIMIT %d`, f.Size()), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Assessment{}
	for rows.Next() {
		a, err := scanAssessment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// forUpdate locks the selected row until the transaction ends (PostgreSQL;
// SQLite transactions take the write lock at BEGIN).
func (s *Store) forUpdate() string {
	if s.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// AssessmentUpdate loads assessment id in a transaction, applies fn and
// stores the result: state, answers, findings, label id, updated time and
// any transitions fn appended to the history. Concurrent updates of one
// assessment are serialised. An error from fn rolls back and is returned.
func (s *Store) AssessmentUpdate(ctx context.Context, id int64, fn func(a *Assessment) error) (Assessment, error) {
	var out Assessment
	err := s.Tx(ctx, func(tx *Store) error {
		a, err := scanAssessment(tx.QueryRow(ctx, `SELECT `+assessmentCols+` FROM assessments WHERE id = ?`+tx.forUpdate(), id))
		if err != nil {
			return Scan(err, fmt.Sprintf("assessment %d", id))
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

// Evidence is an evidence file attached to an assessment.
type Evidence struct {
	ID           int64     `json:"id"`
	AssessmentID int64     `json:"assessment_id"`
	Name         string    `json:"name"`
	SHA256       string    `json:"sha256"`
	Size         int64     `json:"size"`
	MediaType    string    `json:"media_type,omitempty"`
	AddedBy      string    `json:"added_by"`
	AddedAt      time.Time `json:"added_at"`
}

// EvidenceAdd stores content (once per SHA-256) and attaches it to
// assessment id under name. Attaching the same name and content again
// returns the existing attachment.
func (s *Store) EvidenceAdd(ctx context.Context, id int64, name, mediaType string, content []byte, actor string) (Evidence, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "" || len(name) > 255 || strings.ContainsAny(name, "/\\\x00"):
		return Evidence{}, errs.Field("name", name, "an evidence file needs a base name of at most 255 characters")
	case len(content) > MaxEvidenceBytes:
		return Evidence{}, errs.Field("file", name, fmt.Sprintf("larger than %d MiB", MaxEvidenceBytes>>20))
	case actor == "":
		return Evidence{}, errs.Field("actor", actor, "required")
	}
	sum := sha256.Sum256(content)
	h := hex.EncodeToString(sum[:])
	var out Evidence
	err := s.Tx(ctx, func(tx *Store) error {
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

func (s *Store) evidenceQuery(ctx context.Context, where string, args ...any) ([]Evidence, error) {
	rows, err := s.Query(ctx, `SELECT e.id, e.assessment_id, e.name, e.sha256, b.size, e.media_type, e.added_by, e.added_at
FROM assessment_evidence e JOIN evidence_blobs b ON b.sha256 = e.sha256 `+where+` ORDER BY e.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Evidence{}
	for rows.Next() {
		var e Evidence
		if err := rows.Scan(&e.ID, &e.AssessmentID, &e.Name, &e.SHA256, &e.Size, &e.MediaType, &e.AddedBy, &e.AddedAt); err != nil {
			return nil, err
		}
		e.AddedAt = e.AddedAt.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// EvidenceList lists the evidence files of an assessment.
func (s *Store) EvidenceList(ctx context.Context, id int64) ([]Evidence, error) {
	return s.evidenceQuery(ctx, `WHERE e.assessment_id = ?`, id)
}

// EvidenceContent returns a stored file by its SHA-256 (lowercase hex),
// checking that the content still has that hash.
func (s *Store) EvidenceContent(ctx context.Context, sha string) ([]byte, error) {
	var b []byte
	err := s.QueryRow(ctx, `SELECT content FROM evidence_blobs WHERE sha256 = ?`, strings.ToLower(sha)).Scan(&b)
	if err != nil {
		return nil, Scan(err, "evidence "+sha)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != strings.ToLower(sha) {
		return nil, fmt.Errorf("evidence %s: stored content does not match its hash", sha)
	}
	return b, nil
}

// ProbeRun is one stored probe report of an assessment.
type ProbeRun struct {
	ID           int64           `json:"id"`
	AssessmentID int64           `json:"assessment_id"`
	Target       string          `json:"target"`
	Failed       int             `json:"failed"`
	Actor        string          `json:"actor"`
	At           time.Time       `json:"at"`
	Report       json.RawMessage `json:"report"`
}

// ProbeRunAdd stores a probe report (JSON) for assessment r.AssessmentID
// and sets r.ID and r.At.
func (s *Store) ProbeRunAdd(ctx context.Context, r *ProbeRun) error {
	if !json.Valid(r.Report) {
		return errs.Field("report", "", "not JSON")
	}
	r.At = s.Now()
	id, err := s.InsertID(ctx, `INSERT INTO assessment_probes (assessment_id, target, report, failed, actor, at) VALUES (?, ?, ?, ?, ?, ?)`,
		r.AssessmentID, r.Target, string(r.Report), r.Failed, r.Actor, r.At)
	r.ID = id
	return err
}

// ProbeRunList lists an assessment's probe runs, oldest first.
func (s *Store) ProbeRunList(ctx context.Context, id int64) ([]ProbeRun, error) {
	rows, err := s.Query(ctx, `SELECT id, assessment_id, target, report, failed, actor, at FROM assessment_probes WHERE assessment_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []ProbeRun{}
	for rows.Next() {
		var r ProbeRun
		var rep string
		if err := rows.Scan(&r.ID, &r.AssessmentID, &r.Target, &rep, &r.Failed, &r.Actor, &r.At); err != nil {
			return nil, err
		}
		r.Report, r.At = json.RawMessage(rep), r.At.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// LabelRecord is an issued label as the registry keeps it.
type LabelRecord struct {
	ID           string       `json:"id"`
	AssessmentID int64        `json:"assessment_id"`
	DeviceID     int64        `json:"device_id,omitempty"`
	OrgID        int64        `json:"org_id,omitempty"`
	Grade        assess.Grade `json:"grade"`
	Rule         string       `json:"rule"`
	KeyID        string       `json:"kid"`
	// Signed is the signed label document exactly as issued.
	Signed json.RawMessage `json:"signed"`
	// Score is the rating (inputs and reasons) the grade came from.
	Score        json.RawMessage `json:"score,omitempty"`
	Issued       time.Time       `json:"issued"`
	Expires      time.Time       `json:"expires"`
	RevokedAt    *time.Time      `json:"revoked_at,omitempty"`
	RevokeReason string          `json:"revoke_reason,omitempty"`
	SupersededBy string          `json:"superseded_by,omitempty"`
	SupersededAt *time.Time      `json:"superseded_at,omitempty"`
}

// Current reports whether the label is neither revoked, superseded nor
// expired at now.
func (l LabelRecord) Current(now time.Time) bool {
	return l.RevokedAt == nil && l.SupersededBy == "" && now.Before(l.Expires)
}

const labelCols = `id, assessment_id, device_id, org_id, grade, rule, kid, signed, score, issued_at, expires_at, revoked_at, revoke_reason, superseded_by, superseded_at`

func (s *Store) labelQuery(ctx context.Context, q string, args ...any) ([]LabelRecord, error) {
	rows, err := s.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []LabelRecord{}
	for rows.Next() {
		var l LabelRecord
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

// LabelCreate stores an issued label.
func (s *Store) LabelCreate(ctx context.Context, l *LabelRecord) error {
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
	_, err := s.Exec(ctx, `INSERT INTO labels (id, assessment_id, device_id, org_id, grade, rule, kid, signed, score, issued_at, expires_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, l.ID, l.AssessmentID, nullID(l.DeviceID), nullID(l.OrgID), l.Grade.String(), l.Rule, l.KeyID,
		string(l.Signed), string(score), l.Issued.UTC(), l.Expires.UTC())
	if err != nil {
		return fmt.Errorf("label %s: %w", l.ID, err)
	}
	return nil
}

// LabelGet returns one label by id.
func (s *Store) LabelGet(ctx context.Context, id string) (LabelRecord, error) {
	ls, err := s.labelQuery(ctx, `SELECT `+labelCols+` FROM labels WHERE id = ?`, id)
	if err != nil {
		return LabelRecord{}, err
	}
	if len(ls) == 0 {
		return LabelRecord{}, errs.Errorf(errs.NotFound, "label %s not found", id)
	}
	return ls[0], nil
}

// LabelFilter selects labels. Zero fields do not filter.
type LabelFilter struct {
	AssessmentID int64
	DeviceIDs    []int64
	OrgID        int64
	// Live keeps only labels neither revoked nor superseded (expired ones
	// are kept: the caller compares with its clock).
	Live bool
	// Limit bounds the result (default 1000, max 10000).
	Limit int
}

// LabelList lists labels in order of issue.
func (s *Store) LabelList(ctx context.Context, f LabelFilter) ([]LabelRecord, error) {
	q := `SELECT ` + labelCols + ` FROM labels WHERE 1 = 1`
	var args []any
	if f.AssessmentID != 0 {
		q += ` AND assessment_id = ?`
		args = append(args, f.AssessmentID)
	}
	if f.OrgID != 0 {
		q += ` AND org_id = ?`
		args = append(args, f.OrgID)
	}
	if len(f.DeviceIDs) > 0 {
		q += ` AND device_id IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(f.DeviceIDs)), ", ") + `)`
		for _, id := range f.DeviceIDs {
			args = append(args, id)
		}
	}
	if f.Live {
		q += ` AND revoked_at IS NULL AND superseded_by IS NULL`
	}
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = 1000
	case limit > 10000:
		limit = 10000
	}
	return s.labelQuery(ctx, q+fmt.Sprintf(` ORDER BY issued_at, id LIMIT %d`, limit), args...)
}

// LabelSupersede marks label old as superseded by label next. Only a live
// label can be superseded (errs.Conflict otherwise).
func (s *Store) LabelSupersede(ctx context.Context, old, next string) error {
	r, err := s.Exec(ctx, `UPDATE labels SET superseded_by = ?, superseded_at = ? WHERE id = ? AND superseded_by IS NULL AND revoked_at IS NULL`, next, s.Now(), old)
	if err != nil {
		return fmt.Errorf("supersede label %s: %w", old, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		if _, err := s.LabelGet(ctx, old); err != nil {
			return err
		}
		return errs.Errorf(errs.Conflict, "label %s is already superseded or revoked", old)
	}
	return nil
}

// LabelRevoke revokes every label of the assessment that is not revoked
// yet (a revocation withdraws the whole assessment, so superseded labels
// stop verifying as well), with the reason shown to verifiers. It returns
// how many labels it revoked.
func (s *Store) LabelRevoke(ctx context.Context, assessmentID int64, reason string) (int64, error) {
	if strings.TrimSpace(reason) == "" {
		return 0, errs.Field("reason", reason, "a revocation needs a reason")
	}
	r, err := s.Exec(ctx, `UPDATE labels SET revoked_at = ?, revoke_reason = ? WHERE assessment_id = ? AND revoked_at IS NULL`, s.Now(), reason, assessmentID)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

// LabelEventKind says what happened to an assessment's label.
type LabelEventKind string

// Label event kinds.
const (
	LabelIssued   LabelEventKind = "issued"
	LabelRegraded LabelEventKind = "regraded"
	LabelRevoked  LabelEventKind = "revoked"
	LabelExpired  LabelEventKind = "expired"
)

// LabelEvent is one entry of a label's grade history.
type LabelEvent struct {
	ID           int64          `json:"id"`
	AssessmentID int64          `json:"assessment_id"`
	LabelID      string         `json:"label_id"`
	Kind         LabelEventKind `json:"kind"`
	Grade        string         `json:"grade,omitempty"`
	PrevGrade    string         `json:"prev_grade,omitempty"`
	Reason       string         `json:"reason,omitempty"`
	Actor        string         `json:"actor"`
	At           time.Time      `json:"at"`
}

// LabelEventAdd appends to the history and sets e.ID and e.At.
func (s *Store) LabelEventAdd(ctx context.Context, e *LabelEvent) error {
	if e.Actor == "" {
		return errs.Field("actor", e.Actor, "required")
	}
	e.At = s.Now()
	id, err := s.InsertID(ctx, `INSERT INTO label_events (assessment_id, label_id, kind, grade, prev_grade, reason, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.AssessmentID, e.LabelID, string(e.Kind), e.Grade, e.PrevGrade, e.Reason, e.Actor, e.At)
	e.ID = id
	return err
}

// LabelEventList returns the label history of an assessment, oldest first.
func (s *Store) LabelEventList(ctx context.Context, assessmentID int64) ([]LabelEvent, error) {
	rows, err := s.Query(ctx, `SELECT id, assessment_id, label_id, kind, grade, prev_grade, reason, actor, at FROM label_events WHERE assessment_id = ? ORDER BY id`, assessmentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []LabelEvent{}
	for rows.Next() {
		var e LabelEvent
		var kind string
		if err := rows.Scan(&e.ID, &e.AssessmentID, &e.LabelID, &kind, &e.Grade, &e.PrevGrade, &e.Reason, &e.Actor, &e.At); err != nil {
			return nil, err
		}
		e.Kind, e.At = LabelEventKind(kind), e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
