// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"fmt"

	"vigil/internal/account"
	"vigil/internal/errs"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/tenant"
)

// ContactPatch is an edit of a contact: the members given replace the
// contact's, absent (nil) ones stay. The registry page's edit form gives
// them all.
type ContactPatch struct {
	Name  *string `json:"name,omitempty"`
	Email *string `json:"email,omitempty"`
	Phone *string `json:"phone,omitempty"`
	// Role is security, technical, management, abuse or other.
	Role *string `json:"role,omitempty"`
	// Lang is the language of the contact's warnings (nl, en, …).
	Lang *string `json:"lang,omitempty"`
}

// apply returns c with p's members in place of its own.
func (p ContactPatch) apply(c registry.Contact) registry.Contact {
	for _, f := range []struct {
		v   *string
		dst *string
	}{{p.Name, &c.Name}, {p.Email, &c.Email}, {p.Phone, &c.Phone}, {p.Role, &c.Role}, {p.Lang, &c.Lang}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	return c
}

// EditContact changes contact id of organisation org of sc (the registry
// page's edit form and PATCH /api/v1/orgs/{id}/contacts/{cid}) by p,
// checked as AddContact checks a new one (registry.Contact.Normalize: an
// e-mail address or a telephone number, each well-formed, a known role, a
// language tag), and audits it as contact.update with the contact before
// and after, in one transaction. Another organisation's contact is
// errs.NotFound; one that would be the same as another of the
// organisation's contacts (e-mail address and telephone number)
// errs.Conflict on field email; a refused edit writes nothing. A changed
// address or number is no longer verified, a changed address no longer
// bouncing (store.ContactUpdate).
func (a *App) EditContact(ctx context.Context, sc tenant.Scope, org, id int64, p ContactPatch) (registry.Contact, error) {
	if err := tenantAllows(sc, org); err != nil {
		return registry.Contact{}, err
	}
	var after registry.Contact
	err := a.st.Tx(ctx, func(tx *store.Store) error {
		cs, err := tx.ContactList(ctx, tenant.Org(org))
		if err != nil {
			return err
		}
		var before *registry.Contact
		for i := range cs {
			if cs[i].ID == id {
				before = &cs[i]
			}
		}
		if before == nil {
			return errs.Keyed(errs.NotFound, "", "contact.notfound", "contact %d not found", id)
		}
		after = p.apply(*before)
		if err := tx.ContactUpdate(ctx, sc, &after); err != nil {
			if errs.CodeOf(err) == errs.Conflict {
				return &errs.Error{Code: errs.Conflict, Field: "email", Message: errs.Message(err), Key: "contact.taken", Err: err}
			}
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "contact.update", OrgID: org, Object: fmt.Sprintf("contact %d", id),
			Before: auditJSON(before), After: auditJSON(after)})
	})
	if err != nil {
		return registry.Contact{}, err
	}
	return after, nil
}
