// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"fmt"

	"vigil/internal/account"
	"vigil/internal/finding"
	"vigil/internal/notify"
	"vigil/internal/store"
	"vigil/internal/tenant"
)

// actor names who makes the change of ctx's audit trail ("unknown" when
// none): a portal user's e-mail address, an API token ("token 7"), the
// CLI's actor.
func actor(ctx context.Context) string {
	if t := AuditTrailOf(ctx); t != nil && t.Actor != "" {
		return t.Actor
	}
	return "unknown"
}

// AckNotice acknowledges notice nid of sc for the actor of ctx's audit
// trail, the one acknowledgement of the warnings page's button and
// POST /api/v1/orgs/{id}/notices/{nid}/ack (the signed link's is
// notify.AckHandler's, as "link"). It records who ("portal user EMAIL",
// "api token N", "cli ACTOR") and audits it.
func (a *App) AckNotice(ctx context.Context, sc tenant.Scope, nid int64) (notify.Notice, error) {
	by := actor(ctx)
	if t := AuditTrailOf(ctx); t != nil {
		switch t.Via {
		case account.AuditPortal:
			by = "portal user " + by
		case "":
		default:
			by = t.Via + " " + by
		}
	}
	var n notify.Notice
	err := a.st.Tx(ctx, func(tx *store.Store) error {
		var err error
		n, err = a.ackIn(ctx, tx, sc, nid, by)
		return err
	})
	return n, err
}

// ackIn acknowledges notice nid of sc as by on tx, a transaction's store,
// and audits it as notice.ack in the same transaction: the one
// acknowledgement of AckNotice and of a call's outcome (RecordCall).
func (a *App) ackIn(ctx context.Context, tx *store.Store, sc tenant.Scope, nid int64, by string) (notify.Notice, error) {
	n, err := tx.NoticeAck(ctx, sc, nid, by, a.now())
	if err != nil {
		return n, err
	}
	return n, a.auditIn(ctx, tx, account.AuditEntry{Action: "notice.ack", OrgID: n.OrgID, Object: fmt.Sprintf("notice %d", nid), Detail: by})
}

// CreateDispute records the dispute d of a finding of sc by the actor of
// ctx's audit trail (the finding page's form and
// POST /api/v1/orgs/{id}/findings/{fid}/disputes) and audits it. See
// store.DisputeCreate for what is refused.
func (a *App) CreateDispute(ctx context.Context, sc tenant.Scope, d finding.Dispute) (finding.Dispute, error) {
	d.By = actor(ctx)
	err := a.st.Tx(ctx, func(tx *store.Store) error {
		if err := tx.DisputeCreate(ctx, sc, &d); err != nil {
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "dispute.create", OrgID: d.OrgID, Object: fmt.Sprintf("dispute %d", d.ID),
			Detail: fmt.Sprintf("finding %d: %s", d.FindingID, d.Reason)})
	})
	return d, err
}

// DecideDispute accepts (resolving the finding) or rejects pending dispute
// id of sc with the reason, decided by the actor of ctx's audit trail now
// (the analysts' dispute queue and POST /api/v1/disputes/{xid}/decision),
// and audits it as dispute.accepted or dispute.rejected.
func (a *App) DecideDispute(ctx context.Context, sc tenant.Scope, id int64, accept bool, reason string) (finding.Dispute, error) {
	var d finding.Dispute
	err := a.st.Tx(ctx, func(tx *store.Store) error {
		var err error
		if d, err = tx.DisputeDecide(ctx, sc, id, finding.Decision{Accept: accept, Reason: reason, By: actor(ctx), At: a.now()}); err != nil {
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "dispute." + string(d.State), OrgID: d.OrgID,
			Object: fmt.Sprintf("dispute %d", d.ID), Detail: d.Decision})
	})
	return d, err
}
