// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"fmt"

	"vigil/internal/account"
	"vigil/internal/errs"
	"vigil/internal/store"
	"vigil/internal/tenant"
)

// ErrLastMember refuses to remove the last member of an organisation: no
// one could act for it then (an analyst removes the organisation
// instead).
var ErrLastMember error = &errs.Error{Code: errs.Conflict, Key: "member.last",
	Message: "this is the organisation's last member; invite a colleague first"}

// Members lists the memberships of organisation org of sc.
func (a *App) Members(ctx context.Context, sc tenant.Scope, org int64) ([]account.Member, error) {
	return a.st.OrgMembers(ctx, sc, org)
}

// RemoveMember ends the membership of user in organisation org of sc, and
// with it that account's access to the organisation at once: the next
// request of its sessions no longer sees the organisation, and the API
// tokens it made for the organisation are revoked. The last member of an
// organisation is not removed (ErrLastMember). The change and its audit
// entry are one transaction.
func (a *App) RemoveMember(ctx context.Context, sc tenant.Scope, org, user int64) error {
	return a.st.Tx(ctx, func(tx *store.Store) error {
		before, revoked, err := tx.OrgMemberRemove(ctx, sc, org, user, func(all []account.Member) error {
			if len(all) <= 1 {
				return ErrLastMember
			}
			return nil
		})
		if err != nil {
			return err
		}
		detail := ""
		if revoked > 0 {
			detail = fmt.Sprintf("%d API token(s) made by the account revoked", revoked)
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "member.remove", OrgID: org,
			Object: fmt.Sprintf("user %d", user), Detail: detail, Before: auditJSON(before)})
	})
}

// Invitations lists the open invitations of organisation org of sc.
func (a *App) Invitations(ctx context.Context, sc tenant.Scope, org int64) ([]account.OpenInvitation, error) {
	return a.st.OrgInvitations(ctx, sc, org, a.st.Now())
}

// RevokeInvitation ends open invitation id of organisation org of sc: its
// link then answers as an expired one's. The change and its audit entry
// are one transaction.
func (a *App) RevokeInvitation(ctx context.Context, sc tenant.Scope, org, id int64) error {
	return a.st.Tx(ctx, func(tx *store.Store) error {
		before, err := tx.OrgInvitationRevoke(ctx, sc, org, id, tx.Now())
		if err != nil {
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "invitation.revoke", OrgID: org,
			Object: fmt.Sprintf("invitation %d", id), Before: auditJSON(before)})
	})
}
