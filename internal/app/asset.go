// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"vigil/internal/account"
	"vigil/internal/dkimkey"
	"vigil/internal/errs"
	"vigil/internal/netguard"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/tenant"
)

// AssetProof is an asset whose ownership is proven, and how.
type AssetProof struct {
	Asset registry.Asset `json:"asset"`
	// Method is dns, http (the well-known file) or manual (an analyst).
	Method string `json:"method"`
	// Approved says the proof ended its organisation's wait for approval.
	Approved bool `json:"approved,omitempty"`
}

// Verifier is the ownership checker of the configuration: DNS through
// notify.dns_server when set (else the system's resolver) and the
// well-known file through the guarded HTTP client.
func (a *App) Verifier() *registry.Verifier {
	return &registry.Verifier{Resolver: dkimkey.NewResolver(a.cfg.Notify.DNSServer), HTTP: netguard.New(netguard.Options{})}
}

// VerifyAsset checks organisation org's ownership token for asset id in
// DNS (TXT) or on the domain's web site (well-known file) with v (nil: the
// configuration's Verifier), the one check behind the portal's button,
// POST /api/v1/orgs/{id}/assets/{aid}/verify and `vigil asset verify`. A
// proof marks the asset verified and approves its organisation when it is
// pending (a rejected one asks again first: ReapplyOrg), and is audited.
// An asset that is not proven is errs.Forbidden, one DNS cannot prove (an
// AS number) errs.Invalid: an analyst confirms those (ConfirmAsset).
// sc is the caller's scope: the organisation's own or the operator's.
func (a *App) VerifyAsset(ctx context.Context, sc tenant.Scope, org, id int64, v *registry.Verifier) (AssetProof, error) {
	if err := tenantAllows(sc, org); err != nil {
		return AssetProof{}, err
	}
	as, err := a.st.AssetGet(ctx, tenant.Org(org), id)
	if err != nil {
		return AssetProof{}, err
	}
	tok, err := a.st.OrgVerifyToken(ctx, tenant.Org(org), org)
	if err != nil {
		return AssetProof{}, err
	}
	if v == nil {
		v = a.Verifier()
	}
	method, err := v.Verify(ctx, tok, as)
	if err != nil {
		return AssetProof{}, err
	}
	return a.markProven(ctx, org, as, method, "")
}

// ConfirmAsset records that an analyst checked the ownership of asset id
// of organisation org out of band, how saying how (required: an AS
// number's RIR contact confirmed by telephone, a signed letter), with the
// same effects as a proof (VerifyAsset): the asset verified (method
// manual, the note kept beside it), a pending organisation approved, the
// audit entry.
func (a *App) ConfirmAsset(ctx context.Context, org, id int64, how string) (AssetProof, error) {
	if how = strings.TrimSpace(how); how == "" {
		return AssetProof{}, errs.FieldKeyed("how", "", "asset.how", "say how ownership was checked (e.g. the RIR's contact confirmed by telephone)")
	}
	if err := longText("how", how); err != nil {
		return AssetProof{}, err
	}
	as, err := a.st.AssetGet(ctx, tenant.Org(org), id)
	if err != nil {
		return AssetProof{}, err
	}
	return a.markProven(ctx, org, as, "manual", how)
}

// ProveAsset is `vigil asset verify`: the operator's VerifyAsset with the
// configured checker, or with how (an analyst's check) ConfirmAsset.
func (a *App) ProveAsset(ctx context.Context, org, id int64, how string) (AssetProof, error) {
	if how != "" {
		return a.ConfirmAsset(ctx, org, id, how)
	}
	return a.VerifyAsset(ctx, tenant.Operator(), org, id, nil)
}

// markProven marks asset as of org proven by method (with note), approves
// a pending organisation and audits both.
func (a *App) markProven(ctx context.Context, org int64, as registry.Asset, method, note string) (AssetProof, error) {
	now := a.now()
	if err := a.st.AssetMarkVerified(ctx, tenant.Org(org), as.ID, method, note, now); err != nil {
		return AssetProof{}, err
	}
	as.VerifiedAt, as.VerifyMethod, as.VerifyNote = &now, method, note
	out := AssetProof{Asset: as, Method: method}
	detail := as.Value + " by " + method
	if note != "" {
		detail += ": " + note
	}
	if err := a.Audit(ctx, account.AuditEntry{Action: "asset.verify", OrgID: org, Object: fmt.Sprintf("asset %d", as.ID),
		Detail: detail, After: auditJSON(as)}); err != nil {
		return out, err
	}
	// Proof of a domain, range or AS number approves an organisation
	// that waits, not one an analyst rejected, nor one whose name reads
	// as another organisation's: proving a domain of one's own does not
	// make one that firm (an analyst decides, seeing the two).
	ap, err := a.st.OrgApprovalGet(ctx, tenant.Org(org), org)
	switch {
	case errs.CodeOf(err) == errs.NotFound || (err == nil && ap.State != registry.Pending):
		return out, nil
	case err != nil:
		return out, err
	}
	if alike, err := a.nameAlike(ctx, org); err != nil || alike {
		return out, err
	}
	if err := a.st.OrgApprove(ctx, tenant.Org(org), org); err != nil {
		return out, err
	}
	out.Approved = true
	return out, a.Audit(ctx, account.AuditEntry{Action: "org.approve", OrgID: org, Object: fmt.Sprintf("organisation %d", org),
		Detail: "by the proof of " + as.Value, Before: auditJSON(ap)})
}

// tenantAllows refuses a scope that does not reach organisation org as
// if it did not exist.
func tenantAllows(sc tenant.Scope, org int64) error {
	if sc.Allows(org) {
		return nil
	}
	return errs.Keyed(errs.NotFound, "", "org.notfound", "organisation %d not found", org)
}

// AddAsset registers asset as (its kind told from the value when empty)
// for organisation as.OrgID of sc: the registry page's form,
// POST /api/v1/orgs/{id}/assets and `vigil asset add`. A value the
// organisation registered already is errs.Conflict on field value, one
// that is not an IP range, AS number or domain invalid on field value. The
// asset waits for its proof (VerifyAsset, ConfirmAsset). The asset and its
// audit entry (asset.add) are one transaction.
func (a *App) AddAsset(ctx context.Context, sc tenant.Scope, as registry.Asset) (registry.Asset, error) {
	if _, err := registry.ParseAsset(as.Kind, as.Value); err != nil {
		if e := (*errs.Error)(nil); errors.As(err, &e) && e.Field == "kind" {
			return as, err // an unknown kind is the kind's fault, not the value's
		}
		return as, inField(err, "value")
	}
	err := a.st.Tx(ctx, func(tx *store.Store) error {
		if err := tx.AssetCreate(ctx, sc, &as); err != nil {
			if errs.CodeOf(err) == errs.Conflict {
				return &errs.Error{Code: errs.Conflict, Field: "value", Message: fmt.Sprintf("%q: is registered already", as.Value),
					Key: "asset.taken", Args: []any{as.Value}, Err: err}
			}
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "asset.add", OrgID: as.OrgID, Object: fmt.Sprintf("asset %d", as.ID),
			Detail: string(as.Kind) + " " + as.Value, After: auditJSON(as)})
	})
	return as, err
}

// AddContact adds contact c to organisation c.OrgID of sc (the registry
// page's form, POST /api/v1/orgs/{id}/contacts and `vigil contact add`)
// and audits it as contact.add, in one transaction. A contact the
// organisation has already (the same e-mail address and telephone number)
// is errs.Conflict on field email.
func (a *App) AddContact(ctx context.Context, sc tenant.Scope, c registry.Contact) (registry.Contact, error) {
	err := a.st.Tx(ctx, func(tx *store.Store) error {
		if err := tx.ContactCreate(ctx, sc, &c); err != nil {
			if errs.CodeOf(err) == errs.Conflict {
				return &errs.Error{Code: errs.Conflict, Field: "email", Message: errs.Message(err), Key: "contact.taken", Err: err}
			}
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "contact.add", OrgID: c.OrgID, Object: fmt.Sprintf("contact %d", c.ID), After: auditJSON(c)})
	})
	return c, err
}

// DeleteContact deletes contact id of sc (the
// registry page's button, DELETE /api/v1/orgs/{id}/contacts/{cid} and
// `vigil contact delete`) and audits it as contact.delete with the
// contact before, in one transaction.
func (a *App) DeleteContact(ctx context.Context, sc tenant.Scope, id int64) error {
	return a.st.Tx(ctx, func(tx *store.Store) error {
		cs, err := tx.ContactList(ctx, sc)
		if err != nil {
			return err
		}
		var before *registry.Contact
		for _, c := range cs {
			if c.ID == id {
				before = &c
			}
		}
		if before == nil {
			return errs.Keyed(errs.NotFound, "", "contact.notfound", "contact %d not found", id)
		}
		if err := tx.ContactDelete(ctx, sc, id); err != nil {
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "contact.delete", OrgID: before.OrgID, Object: fmt.Sprintf("contact %d", id), Before: auditJSON(before)})
	})
}

// inField names field as the one err is about, keeping its code, text and
// key: a value's parser speaks of a cidr or a domain where the request
// has one value.
func inField(err error, field string) error {
	var e *errs.Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	c.Field = field
	return &c
}
