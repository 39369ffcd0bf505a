// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

func fixedClock() func() time.Time {
	t0 := time.Date(2026, 11, 23, 9, 30, 0, 123456000, time.UTC)
	return func() time.Time { return t0 }
}

func newOrg(name string) *registry.Org {
	return &registry.Org{
		Name: name, Sector: "energy", Country: "nl", Languages: []string{"nl", "en"},
		Policy:   registry.Policy{Mode: "daily", MinSeverity: "medium"},
		Contacts: []registry.Contact{{Email: "csirt@Example.NL", Role: "security", Lang: "nl"}},
		Assets: []registry.Asset{
			{Kind: registry.KindCIDR, Value: "192.0.2.0/24"},
			{Value: "2001:db8:1::/48"},
			{Value: "AS64500"},
			{Value: "Example.NL."},
		},
		Devices: []registry.Device{{Vendor: "Hikvision", Model: "DS-2CD2142FWD-I", Firmware: "V5.4.5 build 170124"}},
	}
}

func TestOrgRoundTrip(t *testing.T) {
	storetest.EachOpts(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := newOrg("Energie BV")
		if err := s.OrgCreate(ctx, tenant.Operator(), o); err != nil {
			t.Fatalf("OrgCreate: %v", err)
		}
		got, err := s.OrgGet(ctx, tenant.Operator(), o.ID)
		if err != nil {
			t.Fatalf("OrgGet: %v", err)
		}
		if diff := cmp.Diff(*o, got); diff != "" {
			t.Errorf("OrgGet mismatch (-created +got):\n%s", diff)
		}
		wantValues := []string{"192.0.2.0/24", "2001:db8:1::/48", "64500", "example.nl"}
		for i, a := range got.Assets {
			if a.Value != wantValues[i] {
				t.Errorf("assets[%d] = %q; want %q", i, a.Value, wantValues[i])
			}
		}
		if got.Contacts[0].Email != "csirt@example.nl" {
			t.Errorf("email = %q; want domain lower-cased", got.Contacts[0].Email)
		}
		if !got.CreatedAt.Equal(fixedClock()()) {
			t.Errorf("created_at = %v; want %v", got.CreatedAt, fixedClock()())
		}
	})
}

func TestOrgCreateRefusesBadInputWholly(t *testing.T) {
	tests := []struct {
		name      string
		mutate    func(o *registry.Org)
		wantField string
	}{
		{"bad_cidr", func(o *registry.Org) { o.Assets[0].Value = "192.0.2.300/24" }, "cidr"},
		{"host_bits", func(o *registry.Org) { o.Assets[0].Value = "192.0.2.1/24" }, "cidr"},
		{"bad_asn", func(o *registry.Org) { o.Assets[2].Value = "AS0" }, "asn"},
		{"public_suffix", func(o *registry.Org) { o.Assets[3].Value = "co.uk" }, "domain"},
		{"bad_email", func(o *registry.Org) { o.Contacts[0].Email = "csirt@@example.nl" }, "email"},
		{"bad_cpe", func(o *registry.Org) { o.Devices[0].CPE = "cpe:/h:hikvision" }, "cpe"},
		{"bad_purl", func(o *registry.Org) { o.Devices[0].PURL = "pkg:/nope" }, "purl"},
		{"bad_lang", func(o *registry.Org) { o.Languages = []string{"xx-!!"} }, "lang"},
		{"bad_country", func(o *registry.Org) { o.Country = "Netherlands" }, "country"},
		{"empty_name", func(o *registry.Org) { o.Name = " " }, "name"},
		{"bad_policy", func(o *registry.Org) { o.Policy.Mode = "hourly" }, "policy.mode"},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				o := newOrg("Org " + tt.name)
				tt.mutate(o)
				err := s.OrgCreate(ctx, tenant.Operator(), o)
				var e *errs.Error
				if !errors.As(err, &e) || e.Code != errs.Invalid || e.Field != tt.wantField {
					t.Fatalf("OrgCreate error = %v; want invalid %s", err, tt.wantField)
				}
				if _, err := s.OrgGetByName(ctx, tenant.Operator(), o.Name); !errors.Is(err, errs.ErrNotFound) {
					t.Errorf("half-written org found after refusal: %v", err)
				}
			})
		}
	})
}

func TestDuplicateIsConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if err := s.OrgCreate(ctx, tenant.Operator(), newOrg("Dup")); err != nil {
			t.Fatal(err)
		}
		if err := s.OrgCreate(ctx, tenant.Operator(), newOrg("Dup")); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("second OrgCreate = %v; want conflict", err)
		}
		n, _ := s.OrgCount(ctx, tenant.Operator())
		if n != 1 {
			t.Errorf("OrgCount = %d; want 1", n)
		}
		o, _ := s.OrgGetByName(ctx, tenant.Operator(), "Dup")
		a := registry.Asset{OrgID: o, Value: "192.0.2.0/24"}
		if err := s.AssetCreate(ctx, tenant.Operator(), &a); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("duplicate asset = %v; want conflict", err)
		}
	})
}

func TestListPaginationAndTenantFilter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var ids []int64
		for _, n := range []string{"A", "B", "C", "D", "E"} {
			o := &registry.Org{Name: n}
			if err := s.OrgCreate(ctx, tenant.Operator(), o); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, o.ID)
		}
		p1, _ := s.OrgList(ctx, tenant.Operator(), keyset.Page{Limit: 2})
		p2, _ := s.OrgList(ctx, tenant.Operator(), keyset.Page{Limit: 2, After: p1[1].ID})
		p3, _ := s.OrgList(ctx, tenant.Operator(), keyset.Page{Limit: 2, After: p2[1].ID})
		var names string
		for _, p := range [][]registry.Org{p1, p2, p3} {
			for _, o := range p {
				names += o.Name
			}
		}
		if names != "ABCDE" {
			t.Errorf("paged names = %q; want ABCDE", names)
		}
		only, _ := s.OrgList(ctx, tenant.Org(ids[2]), keyset.Page{})
		if len(only) != 1 || only[0].Name != "C" {
			t.Errorf("tenant-filtered list = %+v; want only C", only)
		}
	})
}

func TestChildrenAreScopedToTheirOrg(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := newOrg("Alpha"), &registry.Org{Name: "Beta"}
		if err := s.OrgCreate(ctx, tenant.Operator(), a); err != nil {
			t.Fatal(err)
		}
		if err := s.OrgCreate(ctx, tenant.Operator(), b); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DeviceGet(ctx, tenant.Org(b.ID), a.Devices[0].ID); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("Beta reading Alpha's device: %v; want not found", err)
		}
		if err := s.AssetDelete(ctx, tenant.Org(b.ID), a.Assets[0].ID); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("Beta deleting Alpha's asset: %v; want not found", err)
		}
		if err := s.ContactDelete(ctx, tenant.Org(b.ID), a.Contacts[0].ID); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("Beta deleting Alpha's contact: %v; want not found", err)
		}
		d := registry.Device{OrgID: b.ID, Vendor: "AVM", Model: "FRITZ!Box 7590", AssetID: &a.Assets[0].ID}
		if err := s.DeviceCreate(ctx, tenant.Operator(), &d); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("Beta linking a device to Alpha's asset: %v; want invalid", err)
		}
		if err := s.OrgDelete(ctx, tenant.Operator(), a.ID); err != nil {
			t.Fatal(err)
		}
		all, _ := s.AssetAll(ctx, tenant.Operator(), "")
		if len(all) != 0 {
			t.Errorf("assets after deleting their org: %d; want 0 (cascade)", len(all))
		}
	})
}

func TestOrgPatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := newOrg("Patchable")
		if err := s.OrgCreate(ctx, tenant.Operator(), o); err != nil {
			t.Fatal(err)
		}
		sector := "water"
		got, err := s.OrgPatch(ctx, tenant.Operator(), o.ID, registry.OrgUpdate{Sector: &sector})
		if err != nil || got.Sector != "water" || got.Country != "NL" {
			t.Fatalf("OrgPatch = %+v, %v", got, err)
		}
		bad := "XX1"
		if _, err := s.OrgPatch(ctx, tenant.Operator(), o.ID, registry.OrgUpdate{Country: &bad}); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("bad country patch: %v; want invalid", err)
		}
		if _, err := s.OrgPatch(ctx, tenant.Operator(), 9999, registry.OrgUpdate{Sector: &sector}); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("patch missing org: %v; want not found", err)
		}
	})
}

func TestImportAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		orgs := []registry.Org{*newOrg("One"), *newOrg("Two"), *newOrg("One")}
		if _, _, err := s.OrgImport(ctx, tenant.Operator(), orgs); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("import with duplicate = %v; want conflict", err)
		}
		if n, _ := s.OrgCount(ctx, tenant.Operator()); n != 0 {
			t.Fatalf("%d orgs after failed import; want 0", n)
		}
		n, na, err := s.OrgImport(ctx, tenant.Operator(), orgs[:2])
		if err != nil || n != 2 || na != 8 {
			t.Fatalf("import = %d orgs %d assets %v; want 2, 8", n, na, err)
		}
		all, err := s.OrgListAll(ctx, tenant.Operator())
		if err != nil || len(all) != 2 || len(all[1].Assets) != 4 || len(all[1].Devices) != 1 {
			t.Fatalf("OrgListAll = %+v, %v", all, err)
		}
	})
}

func TestTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := &registry.Org{Name: "Tok"}
		if err := s.OrgCreate(ctx, tenant.Operator(), o); err != nil {
			t.Fatal(err)
		}
		tok := auth.Token{OrgID: o.ID, Name: "ci", Scopes: []auth.Scope{auth.ScopeRead}}
		secret, err := s.TokenCreate(ctx, tenant.Operator(), &tok)
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.TokenAuthenticate(ctx, secret)
		if err != nil || p.OrgID != o.ID || !p.Has(auth.ScopeRead) || p.Has(auth.ScopeWrite) || p.Operator() {
			t.Fatalf("principal = %+v, %v", p, err)
		}
		if _, err := s.TokenAuthenticate(ctx, secret+"x"); errs.CodeOf(err) != errs.Unauthorized {
			t.Errorf("wrong secret: %v; want unauthorized", err)
		}
		if err := s.TokenRevoke(ctx, tenant.Operator(), tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TokenAuthenticate(ctx, secret); errs.CodeOf(err) != errs.Unauthorized {
			t.Errorf("revoked token: %v; want unauthorized", err)
		}
		bad := auth.Token{OrgID: o.ID, Scopes: []auth.Scope{auth.ScopeAdmin}}
		if _, err := s.TokenCreate(ctx, tenant.Operator(), &bad); errs.CodeOf(err) != errs.Invalid {
			t.Errorf("org token with admin scope: %v; want invalid", err)
		}
		op := auth.Token{Name: "analyst", Scopes: []auth.Scope{auth.ScopeAdmin}}
		sec, err := s.TokenCreate(ctx, tenant.Operator(), &op)
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := s.TokenAuthenticate(ctx, sec); !p.Operator() || !p.Tenant().Allows(o.ID) {
			t.Errorf("operator principal = %+v", p)
		}
	})
}

func TestVerifyAndBounce(t *testing.T) {
	storetest.EachOpts(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := newOrg("Verify")
		if err := s.OrgCreate(ctx, tenant.Operator(), o); err != nil {
			t.Fatal(err)
		}
		tok, err := s.OrgVerifyToken(ctx, tenant.Operator(), o.ID)
		if err != nil || len(tok) != 32 {
			t.Fatalf("token %q, %v", tok, err)
		}
		if err := s.AssetMarkVerified(ctx, tenant.Operator(), o.Assets[3].ID, "dns", "", fixedClock()()); err != nil {
			t.Fatal(err)
		}
		a, _ := s.AssetGet(ctx, tenant.Org(o.ID), o.Assets[3].ID)
		if !a.Verified() || a.VerifyMethod != "dns" {
			t.Errorf("asset after verify = %+v", a)
		}
		n, err := s.ContactMarkBounced(ctx, "csirt@example.nl")
		if err != nil || n != 1 {
			t.Fatalf("bounced %d, %v", n, err)
		}
		cs, _ := s.ContactList(ctx, tenant.Org(o.ID))
		if cs[0].Bounced == nil {
			t.Error("contact not marked bounced")
		}
	})
}

func TestSettingSecret(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, err := s.SettingSecret(ctx, "credential_salt")
		if err != nil || len(a) != 32 {
			t.Fatalf("first = %x, %v", a, err)
		}
		b, err := s.SettingSecret(ctx, "credential_salt")
		if err != nil || string(a) != string(b) {
			t.Errorf("second call returned a different secret")
		}
		if _, err := s.SettingGet(ctx, "nope"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("missing setting: %v", err)
		}
	})
}

// TestIDsNotReused: an id once handed out (in a finding, a notice, a link)
// never names another row after a delete.
func TestIDsNotReused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := &registry.Org{Name: "first"}
		if err := s.OrgCreate(ctx, tenant.Operator(), a); err != nil {
			t.Fatal(err)
		}
		d := registry.Device{OrgID: a.ID, Vendor: "AVM", Model: "FRITZ!Box 7590"}
		if err := s.DeviceCreate(ctx, tenant.Operator(), &d); err != nil {
			t.Fatal(err)
		}
		if err := s.DeviceDelete(ctx, tenant.Org(a.ID), d.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.OrgDelete(ctx, tenant.Operator(), a.ID); err != nil {
			t.Fatal(err)
		}
		b := &registry.Org{Name: "second"}
		if err := s.OrgCreate(ctx, tenant.Operator(), b); err != nil {
			t.Fatal(err)
		}
		e := registry.Device{OrgID: b.ID, Vendor: "AVM", Model: "FRITZ!Box 7590"}
		if err := s.DeviceCreate(ctx, tenant.Operator(), &e); err != nil {
			t.Fatal(err)
		}
		if b.ID == a.ID || e.ID == d.ID {
			t.Fatalf("ids reused after delete: org %d→%d, device %d→%d", a.ID, b.ID, d.ID, e.ID)
		}
	})
}

// TestContactUpdate: an edit writes every field, normalised; a change of
// address or number ends the contact's verification, a change of address
// its bounce, and a change of name, role or language keeps both; bad input
// and another organisation's contact are refused with nothing written.
func TestContactUpdate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := newOrg("Alpha"), &registry.Org{Name: "Beta"}
		for _, o := range []*registry.Org{a, b} {
			if err := s.OrgCreate(ctx, tenant.Operator(), o); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range []struct {
			name             string
			edit             registry.Contact // of the contact csirt@example.nl, verified and bounced
			want             registry.Contact
			verified, bounce bool
		}{
			{"name_role_lang", registry.Contact{Name: "Jan de Vries", Email: "csirt@example.nl", Role: "technical", Lang: "EN"},
				registry.Contact{Name: "Jan de Vries", Email: "csirt@example.nl", Role: "technical", Lang: "en"}, true, true},
			{"phone_added", registry.Contact{Email: "csirt@example.nl", Phone: "+31 20 123 4567", Role: "security", Lang: "nl"},
				registry.Contact{Email: "csirt@example.nl", Phone: "+31201234567", Role: "security", Lang: "nl"}, false, true},
			{"new_address", registry.Contact{Email: "Security@Example.NL", Role: "security", Lang: "nl"},
				registry.Contact{Email: "Security@example.nl", Role: "security", Lang: "nl"}, false, false},
		} {
			t.Run(tt.name, func(t *testing.T) {
				o := registry.Org{Name: "Gamma " + tt.name}
				if err := s.OrgCreate(ctx, tenant.Operator(), &o); err != nil {
					t.Fatal(err)
				}
				c := registry.Contact{OrgID: o.ID, Email: "csirt@example.nl", Role: "security", Lang: "nl", Verified: true}
				if err := s.ContactCreate(ctx, tenant.Operator(), &c); err != nil {
					t.Fatal(err)
				}
				if _, err := s.Exec(ctx, `UPDATE contacts SET bounced_at = ? WHERE id = ?`, s.Now(), c.ID); err != nil {
					t.Fatal(err)
				}
				e := tt.edit
				e.ID, e.OrgID = c.ID, o.ID
				if err := s.ContactUpdate(ctx, tenant.Org(o.ID), &e); err != nil {
					t.Fatalf("ContactUpdate: %v", err)
				}
				cs, err := s.ContactList(ctx, tenant.Org(o.ID))
				if err != nil {
					t.Fatal(err)
				}
				var got registry.Contact
				for _, x := range cs {
					if x.ID == c.ID {
						got = x
					}
				}
				if got.Verified != tt.verified || (got.Bounced != nil) != tt.bounce {
					t.Errorf("verified %t, bounced %v; want %t, %t", got.Verified, got.Bounced, tt.verified, tt.bounce)
				}
				if e.Verified != got.Verified || (e.Bounced != nil) != (got.Bounced != nil) {
					t.Errorf("ContactUpdate filled in %+v; stored %+v", e, got)
				}
				got.ID, got.OrgID, got.Verified, got.Bounced = 0, 0, false, nil
				if got != tt.want {
					t.Errorf("stored %+v; want %+v", got, tt.want)
				}
			})
		}
		second := registry.Contact{OrgID: a.ID, Email: "noc@example.nl"}
		if err := s.ContactCreate(ctx, tenant.Operator(), &second); err != nil {
			t.Fatal(err)
		}
		c := a.Contacts[0]
		for _, tt := range []struct {
			name string
			sc   tenant.Scope
			edit registry.Contact
			code errs.Code
		}{
			{"no_address_or_number", tenant.Org(a.ID), registry.Contact{ID: c.ID, OrgID: a.ID, Name: "Nobody"}, errs.Invalid},
			{"bad_address", tenant.Org(a.ID), registry.Contact{ID: c.ID, OrgID: a.ID, Email: "not an address"}, errs.Invalid},
			{"bad_role", tenant.Org(a.ID), registry.Contact{ID: c.ID, OrgID: a.ID, Email: "x@example.nl", Role: "boss"}, errs.Invalid},
			{"other_tenant", tenant.Org(b.ID), registry.Contact{ID: c.ID, OrgID: b.ID, Email: "x@example.nl"}, errs.NotFound},
			{"other_org_id", tenant.Operator(), registry.Contact{ID: c.ID, OrgID: b.ID, Email: "x@example.nl"}, errs.NotFound},
			{"scope_outside", tenant.Org(b.ID), registry.Contact{ID: c.ID, OrgID: a.ID, Email: "x@example.nl"}, errs.NotFound},
			{"taken_address", tenant.Org(a.ID), registry.Contact{ID: c.ID, OrgID: a.ID, Email: "noc@example.nl"}, errs.Conflict},
		} {
			t.Run(tt.name, func(t *testing.T) {
				e := tt.edit
				if err := s.ContactUpdate(ctx, tt.sc, &e); errs.CodeOf(err) != tt.code {
					t.Errorf("ContactUpdate = %v; want %s", err, tt.code)
				}
				cs, err := s.ContactList(ctx, tenant.Org(a.ID))
				if err != nil {
					t.Fatal(err)
				}
				if cs[0] != c {
					t.Errorf("a refused edit changed the contact: %+v, was %+v", cs[0], c)
				}
			})
		}
	})
}
