// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"strings"
	"time"

	"vigil/internal/errs"
	"vigil/internal/label"
	"vigil/internal/tenant"
)

// RevokeInput is the body of POST /api/v1/assessments/{sid}/revoke: why
// the label is withdrawn (shown by every later verification).
type RevokeInput struct {
	Reason string `json:"reason"`
}

// LabelHistoryItem is one label of an assessment and its state now.
type LabelHistoryItem struct {
	ID           string     `json:"id"`
	Grade        string     `json:"grade"`
	Issued       time.Time  `json:"issued"`
	Expires      time.Time  `json:"expires"`
	State        string     `json:"state"`
	RevokedAt    *time.Time `json:"revoked_at,omitempty"`
	RevokeReason string     `json:"revoke_reason,omitempty"`
	SupersededBy string     `json:"superseded_by,omitempty"`
}

// LabelHistory is an assessment's labels and what happened to them: issued,
// regraded (superseded by a new label), revoked, expired; who, when, why.
type LabelHistory struct {
	AssessmentID string             `json:"assessment_id"`
	OrgID        int64              `json:"org_id,omitempty"`
	Device       string             `json:"device"`
	Labels       []LabelHistoryItem `json:"labels"`
	Events       []label.Event      `json:"events"`
	// Valid is the label that can be revoked (neither revoked, superseded
	// nor expired), or empty.
	Valid string `json:"valid,omitempty"`
}

// labelHistoryOf gathers the history of assessment id of sc from the
// stored labels and their events.
func (s *Server) labelHistoryOf(ctx context.Context, sc tenant.Scope, id int64) (LabelHistory, error) {
	a, err := s.store.AssessmentGet(ctx, sc, id)
	if err != nil {
		return LabelHistory{}, err
	}
	h := LabelHistory{AssessmentID: a.ID, OrgID: a.OrgID, Device: a.Device.String(), Labels: []LabelHistoryItem{}, Events: []label.Event{}}
	ls, err := s.store.LabelList(ctx, sc, label.Filter{AssessmentID: id})
	if err != nil {
		return h, fmt.Errorf("labels of assessment %s: %w", a.ID, err)
	}
	now := s.store.Now()
	for _, l := range ls {
		h.Labels = append(h.Labels, LabelHistoryItem{ID: l.ID, Grade: l.Grade.String(), Issued: l.Issued, Expires: l.Expires,
			State: l.State(now), RevokedAt: l.RevokedAt, RevokeReason: l.RevokeReason, SupersededBy: l.SupersededBy})
		if l.RevokedAt == nil && l.SupersededBy == "" && l.Current(now) {
			h.Valid = l.ID
		}
	}
	evs, err := s.store.LabelEventList(ctx, sc, id)
	if err != nil {
		return h, fmt.Errorf("label history of assessment %s: %w", a.ID, err)
	}
	if evs != nil {
		h.Events = evs
	}
	return h, nil
}

// revokeLabel revokes the valid label of assessment id through the rating
// service (the call `vigil label revoke` makes) and returns the label.
func (s *Server) revokeLabel(ctx context.Context, sc tenant.Scope, id int64, reason, actor string) (label.Record, error) {
	r, err := s.ratings()
	if err != nil {
		return label.Record{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return label.Record{}, errs.FieldKeyed("reason", "", "revoke.reason", "say why the label is revoked: every verification shows it")
	}
	h, err := s.labelHistoryOf(ctx, sc, id)
	if err != nil {
		return label.Record{}, err
	}
	if h.Valid == "" {
		return label.Record{}, errs.Keyed(errs.Conflict, "", "revoke.none", "assessment %s has no valid label to revoke", h.AssessmentID)
	}
	return s.app.RevokeLabel(ctx, r, sc, h.Valid, reason, actor)
}

func (s *Server) labelHistory(c *call) (any, error) {
	id, err := c.pathID("sid")
	if err != nil {
		return nil, err
	}
	return s.labelHistoryOf(c.ctx(), c.scope(), id)
}

func (s *Server) labelRevoke(c *call) (any, error) {
	id, err := c.pathID("sid")
	if err != nil {
		return nil, err
	}
	var in RevokeInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if _, err := s.revokeLabel(c.ctx(), c.scope(), id, in.Reason, tokenActor(c.p)); err != nil {
		return nil, err
	}
	return s.labelHistoryOf(c.ctx(), c.scope(), id)
}

// labelHistoryView is the analysts' label history page with the revoke
// form.
type labelHistoryView struct {
	H      LabelHistory
	Reason string
}

func (s *Server) pageLabelHistory(pc *pageCall) error {
	id, err := pc.pathID("sid")
	if err != nil {
		return err
	}
	h, err := s.labelHistoryOf(pc.ctx(), pc.scope(), id)
	if err != nil {
		return err
	}
	return pc.page("label_history", "lhist.title", labelHistoryView{H: h})
}

func (s *Server) pageLabelRevoke(pc *pageCall) error {
	id, err := pc.pathID("sid")
	if err != nil {
		return err
	}
	h, err := s.labelHistoryOf(pc.ctx(), pc.scope(), id)
	if err != nil {
		return err
	}
	v := labelHistoryView{H: h, Reason: pc.form("reason")}
	fail := func(err error) error { return pc.formError(err, "label_history", "lhist.title", v) }
	if strings.TrimSpace(v.Reason) == "" {
		return fail(errs.FieldKeyed("reason", "", "revoke.reason", "say why the label is revoked: every verification shows it"))
	}
	if pc.form("confirm") != "yes" {
		return fail(errs.FieldKeyed("confirm", "", "revoke.confirm", "confirm that the label is to be revoked; this cannot be undone"))
	}
	if _, err := s.revokeLabel(pc.ctx(), pc.scope(), id, v.Reason, pc.user.Email); err != nil {
		return fail(err)
	}
	return pc.redirect(fmt.Sprintf("/analyst/assessments/%s/labels?msg=lhist.revoked", h.AssessmentID))
}
