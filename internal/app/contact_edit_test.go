// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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

// TestEditContact edits contacts on both engines: an edit writes the
// fields given (checked as a new contact's are) and leaves the others, and
// is audited as contact.update by the trail's actor with the contact
// before and after; a refused edit (bad input, a duplicate of another
// contact, another organisation's contact or scope) names its field, keeps
// its key for the page's language and writes neither the change nor an
// entry.
func TestEditContact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		x := newApp(t, s, nil)
		trail := &app.AuditTrail{Via: account.AuditAPI, Actor: "member@ws-west.example"}
		ctx := app.WithAuditTrail(context.Background(), trail)
		o, err := x.CreateOrg(ctx, app.NewOrg{Org: registry.Org{Name: "Waterschap West", Languages: []string{"nl"}}, Emails: []string{"soc@ws-west.example", "noc@ws-west.example"}})
		if err != nil {
			t.Fatal(err)
		}
		other, err := x.CreateOrg(ctx, app.NewOrg{Org: registry.Org{Name: "Elders"}, Emails: []string{"soc@elders.example"}})
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
		entries := func() []account.AuditEntry {
			t.Helper()
			es, err := x.AuditQuery(ctx, account.AuditFilter{}, keyset.Page{Limit: keyset.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			return es
		}
		soc, theirs := contacts(o.ID)[0], contacts(other.ID)[0]
		str := func(v string) *string { return &v }

		t.Run("edited", func(t *testing.T) {
			n := len(entries())
			got, err := x.EditContact(ctx, tenant.Org(o.ID), o.ID, soc.ID, app.ContactPatch{Name: str("SOC Waterschap West"), Phone: str("+31 50 123 4567"), Role: str("abuse")})
			if err != nil {
				t.Fatal(err)
			}
			want := soc
			want.Name, want.Phone, want.Role = "SOC Waterschap West", "+31501234567", "abuse"
			if got != want || contacts(o.ID)[0] != want {
				t.Errorf("edited contact = %+v, stored %+v; want %+v", got, contacts(o.ID)[0], want)
			}
			es := entries()
			if len(es) != n+1 {
				t.Fatalf("%d audit entries written; want 1", len(es)-n)
			}
			e := es[0]
			var before, after registry.Contact
			if e.Action != "contact.update" || e.Actor != trail.Actor || e.OrgID != o.ID || e.Object != fmt.Sprintf("contact %d", soc.ID) ||
				json.Unmarshal(e.Before, &before) != nil || json.Unmarshal(e.After, &after) != nil || before != soc || after != want {
				t.Errorf("audit entry = %+v (before %s, after %s)", e, e.Before, e.After)
			}
			soc = want
		})

		for _, tt := range []struct {
			name  string
			sc    tenant.Scope
			org   int64
			id    int64
			patch app.ContactPatch
			code  errs.Code
			field string
			key   string
		}{
			{"bad_email", tenant.Org(o.ID), o.ID, soc.ID, app.ContactPatch{Email: str("soc@@ws-west.example")}, errs.Invalid, "email", "email.invalid"},
			{"bad_phone", tenant.Org(o.ID), o.ID, soc.ID, app.ContactPatch{Phone: str("call us")}, errs.Invalid, "phone", ""},
			{"neither", tenant.Org(o.ID), o.ID, soc.ID, app.ContactPatch{Email: str(""), Phone: str("")}, errs.Invalid, "email", ""},
			{"bad_role", tenant.Org(o.ID), o.ID, soc.ID, app.ContactPatch{Role: str("boss")}, errs.Invalid, "role", ""},
			{"bad_lang", tenant.Org(o.ID), o.ID, soc.ID, app.ContactPatch{Lang: str("not a language")}, errs.Invalid, "lang", ""},
			{"duplicate", tenant.Org(o.ID), o.ID, soc.ID, app.ContactPatch{Email: str("noc@ws-west.example"), Phone: str("")}, errs.Conflict, "email", "contact.taken"},
			{"other_orgs_contact", tenant.Org(o.ID), o.ID, theirs.ID, app.ContactPatch{Name: str("taken over")}, errs.NotFound, "", ""},
			{"other_scope", tenant.Org(other.ID), o.ID, soc.ID, app.ContactPatch{Name: str("taken over")}, errs.NotFound, "", ""},
		} {
			t.Run(tt.name, func(t *testing.T) {
				n, mine, its := len(entries()), contacts(o.ID), contacts(other.ID)
				_, err := x.EditContact(ctx, tt.sc, tt.org, tt.id, tt.patch)
				var e *errs.Error
				if !errors.As(err, &e) || e.Code != tt.code || e.Field != tt.field || (tt.key != "" && e.Key != tt.key) {
					t.Errorf("EditContact = %#v; want %s on field %q with key %q", err, tt.code, tt.field, tt.key)
				}
				if got := len(entries()); got != n {
					t.Errorf("a refused edit wrote %d audit entries", got-n)
				}
				if got := contacts(o.ID); !slices.Equal(got, mine) {
					t.Errorf("a refused edit changed the contacts: %+v, were %+v", got, mine)
				}
				if got := contacts(other.ID); !slices.Equal(got, its) {
					t.Errorf("a refused edit changed the other organisation's contacts: %+v, were %+v", got, its)
				}
			})
		}
	})
}
