// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestContactsCaseInsensitive: an organisation's contacts are compared
// with their e-mail addresses' letter case folded, on both engines. A new
// contact, an edit or an upserting import whose address differs only in
// case from another contact of the organisation (with the same telephone
// number) is that contact: refused as a duplicate on field email with its
// key, writing nothing, or for the import left out. Another
// organisation's contact, another number and a contact's own address in
// other case are not duplicates. Contacts that differ only in case from
// before the check (no unique index could be added over existing data)
// stay editable as long as the edit keeps their address (in any case).
func TestContactsCaseInsensitive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		x := newApp(t, s, nil)
		ctx := app.WithAuditTrail(context.Background(), &app.AuditTrail{Via: account.AuditAPI, Actor: "member@ws-oost.example"})
		o, err := x.CreateOrg(ctx, app.NewOrg{Org: registry.Org{Name: "Waterschap Oost"}, Emails: []string{"Soc@WS-Oost.example"}})
		if err != nil {
			t.Fatal(err)
		}
		other, err := x.CreateOrg(ctx, app.NewOrg{Org: registry.Org{Name: "Elders"}, Emails: []string{"noc@elders.example"}})
		if err != nil {
			t.Fatal(err)
		}
		contacts := func(org int64) []registry.Contact {
			t.Helper()
			cs, err := s.ContactList(ctx, tenant.Org(org))
			if err != nil {
				t.Fatal(err)
			}
			return cs
		}
		if cs := contacts(o.ID); len(cs) != 1 || cs[0].Email != "Soc@ws-oost.example" {
			t.Fatalf("contacts = %+v; want the address as given, its domain in lower case", cs)
		}
		wantRefused := func(t *testing.T, err error, org int64, before []registry.Contact, entries int) {
			t.Helper()
			var e *errs.Error
			if !errors.As(err, &e) || e.Code != errs.Conflict || e.Field != "email" || e.Key != "contact.taken" {
				t.Errorf("err = %#v; want a conflict on field email with key contact.taken", err)
			}
			if got := contacts(org); !slices.Equal(got, before) {
				t.Errorf("a refused contact changed the contacts: %+v, were %+v", got, before)
			}
			if n := auditEntries(t, x); n != entries {
				t.Errorf("a refused contact wrote %d audit entries", n-entries)
			}
		}

		for _, tt := range []struct {
			name    string
			org     int64
			c       registry.Contact
			refused bool
		}{
			{"lower_case", o.ID, registry.Contact{Email: "soc@ws-oost.example"}, true},
			{"upper_case", o.ID, registry.Contact{Email: "SOC@WS-OOST.EXAMPLE", Name: "SOC"}, true},
			{"exact", o.ID, registry.Contact{Email: "Soc@ws-oost.example"}, true},
			{"another_number", o.ID, registry.Contact{Email: "soc@ws-oost.example", Phone: "+31 50 123 4567"}, false},
			{"another_org", other.ID, registry.Contact{Email: "SOC@ws-oost.example"}, false},
			{"another_address", o.ID, registry.Contact{Email: "soc2@ws-oost.example"}, false},
		} {
			t.Run("add_"+tt.name, func(t *testing.T) {
				before, entries := contacts(tt.org), auditEntries(t, x)
				c := tt.c
				c.OrgID = tt.org
				_, err := x.AddContact(ctx, tenant.Org(tt.org), c)
				if tt.refused {
					wantRefused(t, err, tt.org, before, entries)
				} else if err != nil {
					t.Errorf("AddContact(%+v) = %v; want it added", c, err)
				}
			})
		}

		byEmail := func(email string) registry.Contact {
			t.Helper()
			for _, c := range contacts(o.ID) {
				if c.Email == email && c.Phone == "" {
					return c
				}
			}
			t.Fatalf("no contact %s", email)
			return registry.Contact{}
		}
		str := func(v string) *string { return &v }
		t.Run("edit_into_another", func(t *testing.T) {
			before, entries := contacts(o.ID), auditEntries(t, x)
			_, err := x.EditContact(ctx, tenant.Org(o.ID), o.ID, byEmail("soc2@ws-oost.example").ID, app.ContactPatch{Email: str("SOC@ws-oost.example")})
			wantRefused(t, err, o.ID, before, entries)
		})
		t.Run("edit_own_case", func(t *testing.T) {
			c := byEmail("Soc@ws-oost.example")
			got, err := x.EditContact(ctx, tenant.Org(o.ID), o.ID, c.ID, app.ContactPatch{Email: str("soc@ws-oost.example")})
			if err != nil || got.Email != "soc@ws-oost.example" {
				t.Errorf("EditContact of its own address's case = %+v, %v", got, err)
			}
		})

		// Twins from before the check: edits that keep their address pass,
		// one that moves onto the other's is refused.
		if _, err := s.Exec(ctx, `INSERT INTO contacts (org_id, email, phone, created_at) VALUES (?, ?, '', ?)`, o.ID, "SOC2@ws-oost.example", s.Now()); err != nil {
			t.Fatal(err)
		}
		t.Run("old_twin_stays_editable", func(t *testing.T) {
			c := byEmail("SOC2@ws-oost.example")
			if got, err := x.EditContact(ctx, tenant.Org(o.ID), o.ID, c.ID, app.ContactPatch{Name: str("Old twin"), Role: str("abuse")}); err != nil || got.Name != "Old twin" {
				t.Errorf("editing an old twin's name = %+v, %v", got, err)
			}
			if got, err := x.EditContact(ctx, tenant.Org(o.ID), o.ID, c.ID, app.ContactPatch{Email: str("Soc2@ws-oost.example")}); err != nil || got.Email != "Soc2@ws-oost.example" {
				t.Errorf("an old twin's own address in other case = %+v, %v", got, err)
			}
			before, entries := contacts(o.ID), auditEntries(t, x)
			_, err := x.EditContact(ctx, tenant.Org(o.ID), o.ID, c.ID, app.ContactPatch{Email: str("SOC@ws-oost.example")})
			wantRefused(t, err, o.ID, before, entries)
		})

		t.Run("import_upsert", func(t *testing.T) {
			before := contacts(o.ID)
			csv := "name,emails\nWaterschap Oost,SOC@WS-OOST.EXAMPLE;new@ws-oost.example\n"
			if _, err := x.ImportOrgs(ctx, strings.NewReader(csv), "orgs.csv", app.ImportOptions{Upsert: true}); err != nil {
				t.Fatal(err)
			}
			got := contacts(o.ID)
			if len(got) != len(before)+1 || got[len(got)-1].Email != "new@ws-oost.example" {
				t.Errorf("upsert left %+v; want %d contacts with only new@ws-oost.example added", got, len(before)+1)
			}
		})
	})
}

// auditEntries counts the audit log's entries.
func auditEntries(t *testing.T, x *app.App) int {
	t.Helper()
	es, err := x.AuditQuery(context.Background(), account.AuditFilter{}, keyset.Page{Limit: keyset.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}
