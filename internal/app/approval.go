// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"vigil/internal/account"
	"vigil/internal/errs"
	"vigil/internal/notify"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/tenant"
	"vigil/internal/text"
)

// maxReason is the longest reason of a rejection or note of a new request
// for approval, in characters.
const maxReason = 2000

// Approvals are the waits of the organisations registered through the
// portal that are not approved: the pending ones and the rejected ones,
// each with its organisation, oldest first (the analysts' pending page).
type Approvals struct {
	Pending  []OrgApproval `json:"pending"`
	Rejected []OrgApproval `json:"rejected"`
}

// OrgApproval is an organisation with its wait.
type OrgApproval struct {
	Org      registry.Org      `json:"org"`
	Approval registry.Approval `json:"approval"`
	// Lookalikes are the other organisations whose names read as this
	// one's (registry.Lookalike), by id: a registration that impersonates
	// a registered firm stands out to the analyst.
	Lookalikes []OrgRef `json:"lookalikes"`
}

// OrgRef names an organisation.
type OrgRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// lookalikes returns the organisations of names, other than id, whose
// names read as name's, by id.
func lookalikes(names map[int64]string, id int64, name string) []OrgRef {
	out := []OrgRef{}
	for oid, n := range names {
		if oid != id && registry.Lookalike(name, n) {
			out = append(out, OrgRef{ID: oid, Name: n})
		}
	}
	slices.SortFunc(out, func(a, b OrgRef) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// ErrNameTaken refuses to approve an organisation under the name of
// another: the analyst renames it (PATCH /api/v1/orgs/{id}) or rejects it.
var ErrNameTaken error = &errs.Error{Code: errs.Conflict, Field: "name", Key: "approve.name",
	Message: "another organisation has this name; rename this one or reject it"}

// Approvals reads the waits in state (registry.Pending or
// registry.Rejected), or every wait when state is empty.
func (a *App) Approvals(ctx context.Context, state registry.ApprovalState) (Approvals, error) {
	out := Approvals{Pending: []OrgApproval{}, Rejected: []OrgApproval{}}
	if state != "" && state != registry.Pending && state != registry.Rejected {
		return out, errs.FieldKeyed("state", state, "approval.state", "must be pending or rejected")
	}
	as, err := a.st.OrgApprovals(ctx, tenant.Operator())
	if err != nil {
		return out, err
	}
	var names map[int64]string
	if len(as) > 0 {
		if names, err = a.st.OrgNameIndex(ctx, tenant.Operator()); err != nil {
			return out, err
		}
	}
	for _, ap := range as {
		if state != "" && ap.State != state {
			continue
		}
		o, err := a.st.OrgGet(ctx, tenant.Operator(), ap.OrgID)
		if err != nil {
			return out, err
		}
		oa := OrgApproval{o, ap, lookalikes(names, o.ID, o.Name)}
		if ap.State == registry.Rejected {
			out.Rejected = append(out.Rejected, oa)
		} else {
			out.Pending = append(out.Pending, oa)
		}
	}
	return out, nil
}

// Approval returns the wait of organisation id of sc; an approved
// organisation has none (errs.NotFound).
func (a *App) Approval(ctx context.Context, sc tenant.Scope, id int64) (registry.Approval, error) {
	return a.st.OrgApprovalGet(ctx, sc, id)
}

// ApproveOrg ends the wait of organisation id, pending or rejected (one
// that does not wait is errs.NotFound), and audits it. One that has the
// name of another organisation is not approved (ErrNameTaken): two would
// then show the same name.
func (a *App) ApproveOrg(ctx context.Context, id int64) error {
	ap, err := a.st.OrgApprovalGet(ctx, tenant.Operator(), id)
	if err != nil {
		return err
	}
	if taken, err := a.nameTaken(ctx, id); err != nil || taken {
		if err == nil {
			err = ErrNameTaken
		}
		return err
	}
	return a.st.Tx(ctx, func(tx *store.Store) error {
		if err := tx.OrgApprove(ctx, tenant.Operator(), id); err != nil {
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "org.approve", OrgID: id, Object: fmt.Sprintf("organisation %d", id),
			Detail: "was " + string(ap.State), Before: auditJSON(ap)})
	})
}

// MemberMail composes an e-mail to the members of an organisation in a
// member's language ("en" or "nl"): the caller's texts, the service's
// flow.
type MemberMail func(lang string) notify.Message

// RejectOrg rejects pending organisation id for reason (required: its
// members read it), done by the actor of the context's audit trail. In one
// transaction it marks the organisation rejected and queues, through the
// outbox, mail(lang) to every member in the member's language (English
// when the account has none); then it audits who, what and why. A
// rejected organisation draws no findings until it is approved; its
// members may change its registry and ask again (ReapplyOrg).
func (a *App) RejectOrg(ctx context.Context, id int64, reason string, mail MemberMail) (registry.Approval, error) {
	if reason = strings.TrimSpace(reason); reason == "" {
		return registry.Approval{}, errs.FieldKeyed("reason", "", "reject.reason", "say why the organisation is rejected: its members read it")
	}
	if err := longText("reason", reason); err != nil {
		return registry.Approval{}, err
	}
	by := "unknown"
	if t := AuditTrailOf(ctx); t != nil && t.Actor != "" {
		by = t.Actor
	}
	var ap registry.Approval
	err := a.st.Tx(ctx, func(tx *store.Store) error {
		if err := tx.OrgReject(ctx, tenant.Operator(), id, by, reason, tx.Now()); err != nil {
			return err
		}
		var err error
		if ap, err = tx.OrgApprovalGet(ctx, tenant.Operator(), id); err != nil {
			return err
		}
		if err := mailMembers(ctx, tx, id, mail); err != nil {
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "org.reject", OrgID: id, Object: fmt.Sprintf("organisation %d", id),
			Detail: reason, After: auditJSON(ap)})
	})
	return ap, err
}

// ReapplyOrg puts rejected organisation id of sc back in the wait, with
// its members' note (required: what changed since the rejection), and
// audits it. An analyst decides again; a proof of ownership made while it
// was rejected does not approve it by itself.
func (a *App) ReapplyOrg(ctx context.Context, sc tenant.Scope, id int64, note string) (registry.Approval, error) {
	if note = strings.TrimSpace(note); note == "" {
		return registry.Approval{}, errs.FieldKeyed("note", "", "reapply.note", "say what changed since the rejection: an analyst reads it")
	}
	if err := longText("note", note); err != nil {
		return registry.Approval{}, err
	}
	before, err := a.st.OrgApprovalGet(ctx, sc, id)
	if err != nil {
		return before, err
	}
	var after registry.Approval
	err = a.st.Tx(ctx, func(tx *store.Store) error {
		if err := tx.OrgReapply(ctx, sc, id, note); err != nil {
			return err
		}
		var err error
		if after, err = tx.OrgApprovalGet(ctx, sc, id); err != nil {
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "org.reapply", OrgID: id, Object: fmt.Sprintf("organisation %d", id),
			Detail: note, Before: auditJSON(before), After: auditJSON(after)})
	})
	return after, err
}

// mailMembers queues mail to every member of organisation id on tx.
func mailMembers(ctx context.Context, tx *store.Store, id int64, mail MemberMail) error {
	if mail == nil {
		return nil
	}
	us, err := tx.OrgMemberList(ctx, tenant.Operator(), id)
	if err != nil {
		return err
	}
	for _, u := range us {
		lang := u.Lang
		if lang != "nl" {
			lang = "en"
		}
		if _, err := tx.AccountMail(ctx, u.Email, lang, mail(lang)); err != nil {
			return fmt.Errorf("mail %s: %w", u.Email, err)
		}
	}
	return nil
}

// longText refuses s as field when it is too long or cannot be stored as
// text.
func longText(field, s string) error {
	switch {
	case utf8.RuneCountInString(s) > maxReason:
		return errs.FieldKeyed(field, "", "text.long", "at most %d characters", maxReason)
	case text.Problem(s) != "":
		return errs.FieldKeyed(field, "", "text.invalid", "not text that can be stored (a NUL byte or invalid UTF-8)")
	}
	return nil
}

// nameTaken reports whether another organisation has the name of
// organisation id (a registration under a name taken, store.OrgRegister).
func (a *App) nameTaken(ctx context.Context, id int64) (bool, error) {
	names, err := a.st.OrgNameIndex(ctx, tenant.Operator())
	if err != nil {
		return false, err
	}
	for oid, n := range names {
		if oid != id && n == names[id] {
			return true, nil
		}
	}
	return false, nil
}

// nameAlike reports whether another organisation's name reads as the
// name of organisation id (registry.Lookalike).
func (a *App) nameAlike(ctx context.Context, id int64) (bool, error) {
	names, err := a.st.OrgNameIndex(ctx, tenant.Operator())
	if err != nil {
		return false, err
	}
	return len(lookalikes(names, id, names[id])) > 0, nil
}
