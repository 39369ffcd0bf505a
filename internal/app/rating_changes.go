// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"strings"

	"vigil/internal/account"
	"vigil/internal/assess"
	"vigil/internal/label"
	"vigil/internal/rating"
	"vigil/internal/store"
	"vigil/internal/tenant"
)

// RatingOn is a rating service that can run on a transaction's store
// (rating.Service.On): the portal's, which the reviews, label issues and
// revocations below run on.
type RatingOn interface {
	On(st rating.Store) *rating.Service
}

// ratingChange runs change on r bound to one transaction and writes the
// audit entry entry returns in the same transaction, so that neither
// stays without the other.
func (a *App) ratingChange(ctx context.Context, r RatingOn, change func(r *rating.Service) error, entry func() account.AuditEntry) error {
	return a.st.Tx(ctx, func(tx *store.Store) error {
		if err := change(r.On(tx)); err != nil {
			return err
		}
		return a.auditIn(ctx, tx, entry())
	})
}

// ReviewAssessment accepts (with note) or returns (with reject, what the
// maker must change) submitted assessment id of sc as reviewer, through r
// (rating.Service.Review), and audits it as assessment.review with the
// new state and the comments: the analysts' review page and
// POST /api/v1/assessments/{sid}/review.
func (a *App) ReviewAssessment(ctx context.Context, r RatingOn, sc tenant.Scope, id int64, reviewer, note, reject string) (assess.Assessment, error) {
	var out assess.Assessment
	err := a.ratingChange(ctx, r, func(r *rating.Service) error {
		var err error
		out, err = r.Review(ctx, sc, id, reviewer, note, reject)
		return err
	}, func() account.AuditEntry {
		return account.AuditEntry{Action: "assessment.review", OrgID: out.OrgID, Object: "assessment " + out.ID,
			Detail: string(out.State) + ": " + note + reject}
	})
	return out, err
}

// IssueLabel issues the label of reviewed assessment id of sc as actor,
// through r (rating.Service.Issue), and audits it as label.issue with
// the grade: the analysts' page and POST /api/v1/assessments/{sid}/label.
func (a *App) IssueLabel(ctx context.Context, r RatingOn, sc tenant.Scope, id int64, actor string) (rating.Issued, error) {
	var out rating.Issued
	err := a.ratingChange(ctx, r, func(r *rating.Service) error {
		var err error
		out, err = r.Issue(ctx, sc, id, actor)
		return err
	}, func() account.AuditEntry {
		return account.AuditEntry{Action: "label.issue", OrgID: out.Record.OrgID, Object: "label " + out.Record.ID,
			Detail: "grade " + out.Score.Grade.String()}
	})
	return out, err
}

// RevokeLabel revokes label labelID of sc with reason as actor, through
// r (rating.Service.Revoke), and audits it as label.revoke with the
// reason: the label history page and POST /api/v1/assessments/{sid}/revoke.
func (a *App) RevokeLabel(ctx context.Context, r RatingOn, sc tenant.Scope, labelID, reason, actor string) (label.Record, error) {
	var out label.Record
	err := a.ratingChange(ctx, r, func(r *rating.Service) error {
		var err error
		out, err = r.Revoke(ctx, sc, labelID, reason, actor)
		return err
	}, func() account.AuditEntry {
		return account.AuditEntry{Action: "label.revoke", OrgID: out.OrgID, Object: "label " + out.ID, Detail: strings.TrimSpace(reason)}
	})
	return out, err
}
