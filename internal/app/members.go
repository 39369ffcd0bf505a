// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"fmt"
	"time"

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

// InviteWindow is the period the daily invitation limits count over.
const InviteWindow = 24 * time.Hour

// Invite makes an invitation of email to organisation org of sc with
// role, from account by, and returns its secret (the caller mails the
// link). An organisation that is pending or rejected invites no one
// (anyone may register one, and its name would go out in a message from
// the CERT), and the daily limits of the configuration (portal.
// invites_per_org_day, portal.invites_per_account_day; 0: none) hold for
// the organisation's members together and for the account across its
// organisations: over one, errs.TooMany on field email naming the limit,
// with the wait until the oldest invitation counted leaves the window
// (errs.WaitOf), and nothing is written. The check and the invitation are one
// transaction, the organisation's row locked on PostgreSQL, so parallel
// invitations cannot pass the same count. The invitation's audit entry is
// the caller's (the page's or the API's record of the request).
func (a *App) Invite(ctx context.Context, sc tenant.Scope, by, org int64, email string, role account.Role) (string, error) {
	switch _, err := a.st.OrgApprovalGet(ctx, sc, org); {
	case err == nil:
		return "", errs.FieldKeyed("email", "", "invite.unapproved", "an organisation can invite colleagues once an analyst has approved it or it has proven a domain or range")
	case errs.CodeOf(err) != errs.NotFound:
		return "", err
	}
	var secret string
	err := a.st.Tx(ctx, func(tx *store.Store) error {
		n, err := tx.OrgInvitationsSince(ctx, sc, org, by, tx.Now().Add(-InviteWindow))
		if err != nil {
			return err
		}
		// The wait of a refusal: until the oldest invitation counted leaves
		// the window (at the earliest: a limit lowered since may ask more).
		wait := func(oldest time.Time) time.Duration { return max(time.Second, oldest.Add(InviteWindow).Sub(tx.Now())) }
		if l := a.cfg.Portal.InvitesPerOrgDay; l > 0 && n.Org >= l {
			return errs.Later(errs.Keyed(errs.TooMany, "email", "invite.limit.org",
				"this organisation has sent %d invitations in the last 24 hours, its daily limit; try again tomorrow", l), wait(n.OrgOldest))
		}
		if l := a.cfg.Portal.InvitesPerAccountDay; l > 0 && n.Account >= l {
			return errs.Later(errs.Keyed(errs.TooMany, "email", "invite.limit.account",
				"you have sent %d invitations in the last 24 hours, the daily limit of an account; try again tomorrow", l), wait(n.AccountOldest))
		}
		s := &account.Service{Store: tx, Now: tx.Now, Issuer: "vigil"}
		secret, err = s.Invite(ctx, by, org, email, role)
		return err
	})
	return secret, err
}
