// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"time"

	"vigil/internal/account"
	"vigil/internal/assess"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/label"
	"vigil/internal/notify"
	"vigil/internal/registry"
	"vigil/internal/tenant"
)

// PortalStore is the storage the portal's pages need besides the API's:
// accounts and sessions, findings lists and counts, registration and
// approval, portal e-mail. Reads of an organisation's rows take the
// request's tenant scope, as Store's do.
type PortalStore interface {
	account.Store
	UserList(ctx context.Context) ([]account.User, error)
	AuditList(ctx context.Context, p keyset.Page) ([]account.AuditEntry, error)
	// LabelList lists labels (the public scope: the registry's search).
	LabelList(ctx context.Context, sc tenant.Scope, f label.Filter) ([]label.Record, error)
	// LabelEventList returns the label history (issued, regraded, revoked,
	// expired: who, when, why) of an assessment of sc.
	LabelEventList(ctx context.Context, sc tenant.Scope, assessmentID int64) ([]label.Event, error)
	// AccountMail queues a portal e-mail (reset, invitation) in the outbox.
	AccountMail(ctx context.Context, address, lang string, m notify.Message) (int64, error)

	FindingList(ctx context.Context, sc tenant.Scope, f finding.Filter) ([]finding.Finding, error)
	FindingCount(ctx context.Context, sc tenant.Scope, f finding.Filter) (int, error)
	FindingListBySeen(ctx context.Context, sc tenant.Scope, f finding.Filter, from finding.Seen) ([]finding.Finding, error)
	FindingGet(ctx context.Context, sc tenant.Scope, id int64) (finding.Finding, error)
	// DisputeList lists the disputes of findings (app.CreateDispute and
	// app.DecideDispute make and decide them).
	DisputeList(ctx context.Context, sc tenant.Scope, f finding.DisputeFilter) ([]finding.Dispute, error)
	AssessmentList(ctx context.Context, sc tenant.Scope, f assess.Filter) ([]assess.Assessment, error)
	AssessmentGet(ctx context.Context, sc tenant.Scope, id int64) (assess.Assessment, error)
	// EvidenceList lists the evidence files of assessment id.
	EvidenceList(ctx context.Context, sc tenant.Scope, id int64) ([]assess.Attachment, error)
	// EvidenceContent returns a stored evidence file by its SHA-256, when
	// it is attached to an assessment of sc.
	EvidenceContent(ctx context.Context, sc tenant.Scope, sha string) ([]byte, error)
	TriggerStats(ctx context.Context, sc tenant.Scope) ([]finding.TriggerStats, error)
	// NoticeAckDays returns the times to acknowledge per UTC day of
	// creation since since, oldest first.
	NoticeAckDays(ctx context.Context, sc tenant.Scope, since time.Time) ([]notify.AckTimes, error)
	// TriggerDays counts the findings per UTC day of first sighting and
	// trigger from since's day on.
	TriggerDays(ctx context.Context, sc tenant.Scope, since time.Time) ([]finding.TriggerDay, error)
	// OrgWarnDays counts the organisations warned per UTC day of sending
	// and trigger from since's day on.
	OrgWarnDays(ctx context.Context, sc tenant.Scope, since time.Time) ([]notify.WarnDay, error)
	// LabelGrades counts the valid labels per grade (A…G, zeros included).
	LabelGrades(ctx context.Context, sc tenant.Scope) ([]label.GradeCount, error)
	TriggerNames(ctx context.Context, sc tenant.Scope) ([]string, error)
	NoticeCallList(ctx context.Context, sc tenant.Scope) ([]notify.Call, error)
	// NoticeReplyList returns the e-mailed answers to the notices ids.
	NoticeReplyList(ctx context.Context, sc tenant.Scope, ids []int64) ([]notify.Reply, error)

	OrgListAll(ctx context.Context, sc tenant.Scope) ([]registry.Org, error)
	OrgNames(ctx context.Context, sc tenant.Scope, ids []int64) (map[int64]string, error)
	OrgVerifyToken(ctx context.Context, sc tenant.Scope, id int64) (string, error)
	// OrgPending lists the organisations that wait for approval (app.App
	// registers, approves, rejects and reads a wait).
	OrgPending(ctx context.Context, sc tenant.Scope) ([]registry.Org, error)
}
