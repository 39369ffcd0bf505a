// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestRegistryWrites runs the registry writes that the pages, their API
// twins and the commands share, on both engines: each audits its change
// with who (the context's trail), what and the record before and after; a
// refused one (invalid, a duplicate, another organisation's object)
// writes neither the change nor an entry, and its error names the field
// and carries a key for the page's language.
func TestRegistryWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		x := newApp(t, s, nil)
		trail := &app.AuditTrail{Via: account.AuditCLI, Actor: "analyst@example.org"}
		ctx := app.WithAuditTrail(context.Background(), trail)
		o, err := x.CreateOrg(ctx, app.NewOrg{Org: registry.Org{Name: "Waterschap Oost"}, Emails: []string{"soc@ws-oost.example"}})
		if err != nil {
			t.Fatal(err)
		}
		other, err := x.CreateOrg(ctx, app.NewOrg{Org: registry.Org{Name: "Elders"}})
		if err != nil {
			t.Fatal(err)
		}
		entries := func() []account.AuditEntry {
			t.Helper()
			es, err := x.AuditQuery(ctx, account.AuditFilter{}, keyset.Page{Limit: keyset.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			return es
		}
		// last is the newest entry, which must be action's by the trail's
		// actor about organisation org, and the only one since n entries.
		last := func(n int, action string, org int64) account.AuditEntry {
			t.Helper()
			es := entries()
			if len(es) != n+1 {
				t.Fatalf("%s: %d audit entries written, want 1", action, len(es)-n)
			}
			e := es[0]
			if e.Action != action || e.Actor != trail.Actor || e.Via != account.AuditCLI || e.OrgID != org {
				t.Fatalf("audit entry = %+v; want %s by %s about organisation %d", e, action, trail.Actor, org)
			}
			return e
		}
		// refused checks that err has code and field, a key when it is
		// invalid input or a conflict, and that nothing was audited.
		refused := func(what string, n int, err error, code errs.Code, field string) {
			t.Helper()
			var e *errs.Error
			if !errors.As(err, &e) || e.Code != code || e.Field != field || ((code == errs.Invalid || code == errs.Conflict) && e.Key == "") {
				t.Errorf("%s = %#v; want %s on field %q with a key", what, err, code, field)
			}
			if got := len(entries()); got != n {
				t.Errorf("%s: refused, yet %d audit entries written", what, got-n)
			}
		}

		// Devices.
		n := len(entries())
		d, err := x.AddDevice(ctx, tenant.Org(o.ID), registry.Device{OrgID: o.ID, Vendor: "Siemens", Model: "S7-1500", Firmware: "2.9", Serial: "SN-1"})
		if err != nil || d.ID == 0 {
			t.Fatalf("AddDevice = %+v, %v", d, err)
		}
		if e := last(n, "device.add", o.ID); !jsonHas(e.After, "model", "S7-1500") {
			t.Errorf("device.add after = %s", e.After)
		}
		n++
		_, err = x.AddDevice(ctx, tenant.Org(o.ID), registry.Device{OrgID: o.ID, Vendor: "Siemens"})
		refused("a device without a model", n, err, errs.Invalid, "model")
		_, err = x.AddDevice(ctx, tenant.Org(other.ID), registry.Device{OrgID: o.ID, Vendor: "Siemens", Model: "S7"})
		refused("a device for another scope's organisation", n, err, errs.NotFound, "")

		up, err := x.UpdateDevice(ctx, tenant.Org(o.ID), registry.Device{ID: d.ID, Vendor: "Siemens", Model: "S7-1500", Firmware: "3.1", Serial: "SN-1"})
		if err != nil || up.Firmware != "3.1" || up.OrgID != o.ID {
			t.Fatalf("UpdateDevice = %+v, %v", up, err)
		}
		if e := last(n, "device.update", o.ID); !jsonHas(e.Before, "firmware", "2.9") || !jsonHas(e.After, "firmware", "3.1") {
			t.Errorf("device.update before %s, after %s", e.Before, e.After)
		}
		n++
		_, err = x.UpdateDevice(ctx, tenant.Org(other.ID), registry.Device{ID: d.ID, Vendor: "X", Model: "Y"})
		refused("another organisation's device", n, err, errs.NotFound, "")
		_, err = x.UpdateDevice(ctx, tenant.Org(o.ID), registry.Device{ID: d.ID, Vendor: "Siemens", Model: "S7", CPE: "cpe:nonsense"})
		refused("a malformed CPE", n, err, errs.Invalid, "cpe")
		if got, _ := s.DeviceGet(ctx, tenant.Org(o.ID), d.ID); got.Firmware != "3.1" || got.CPE != "" {
			t.Errorf("the refused update changed the device: %+v", got)
		}

		// Assets.
		as, err := x.AddAsset(ctx, tenant.Org(o.ID), registry.Asset{OrgID: o.ID, Value: "198.51.100.0/24"})
		if err != nil {
			t.Fatal(err)
		}
		last(n, "asset.add", o.ID)
		n++
		_, err = x.AddAsset(ctx, tenant.Org(o.ID), registry.Asset{OrgID: o.ID, Value: "198.51.100.0/24"})
		refused("a duplicate asset", n, err, errs.Conflict, "value")
		_, err = x.AddAsset(ctx, tenant.Org(o.ID), registry.Asset{OrgID: o.ID, Kind: registry.KindCIDR, Value: "198.51.100.1/24"})
		refused("a range with host bits", n, err, errs.Invalid, "value")

		// Contacts.
		_, err = x.AddContact(ctx, tenant.Org(o.ID), registry.Contact{OrgID: o.ID, Email: "soc@ws-oost.example"})
		refused("a duplicate contact", n, err, errs.Conflict, "email")
		c, err := x.AddContact(ctx, tenant.Org(o.ID), registry.Contact{OrgID: o.ID, Email: "noc@ws-oost.example", Role: "technical"})
		if err != nil {
			t.Fatal(err)
		}
		last(n, "contact.add", o.ID)
		n++
		refused("another organisation's contact", n, x.DeleteContact(ctx, tenant.Org(other.ID), c.ID), errs.NotFound, "")
		if err := x.DeleteContact(ctx, tenant.Org(o.ID), c.ID); err != nil {
			t.Fatal(err)
		}
		if e := last(n, "contact.delete", o.ID); !jsonHas(e.Before, "email", "noc@ws-oost.example") {
			t.Errorf("contact.delete before = %s", e.Before)
		}
		n++

		// The organisation's record and policy.
		webhook := registry.Policy{Mode: "daily", Channels: []string{"email", "webhook"}}
		_, err = x.PatchOrg(ctx, tenant.Org(o.ID), o.ID, registry.OrgUpdate{Policy: &webhook})
		refused("a webhook without its URL", n, err, errs.Invalid, "policy.webhook_url")
		none := registry.Policy{Mode: "daily", Channels: []string{}}
		_, err = x.PatchOrg(ctx, tenant.Org(o.ID), o.ID, registry.OrgUpdate{Policy: &none})
		refused("no channel chosen", n, err, errs.Invalid, "policy.channels")
		langs := []string{"nl", "not a language"}
		_, err = x.PatchOrg(ctx, tenant.Org(o.ID), o.ID, registry.OrgUpdate{Languages: &langs})
		refused("a bad language", n, err, errs.Invalid, "languages[1]")
		_, err = x.PatchOrg(ctx, tenant.Org(other.ID), o.ID, registry.OrgUpdate{Policy: &registry.Policy{Mode: "weekly"}})
		refused("another organisation's policy", n, err, errs.NotFound, "")
		p := registry.Policy{Mode: "weekly", MinSeverity: "high"} // no channel list: e-mail
		got, err := x.PatchOrg(ctx, tenant.Org(o.ID), o.ID, registry.OrgUpdate{Policy: &p})
		if err != nil || got.Policy.Mode != "weekly" || got.Policy.MinSeverity != "high" {
			t.Fatalf("PatchOrg = %+v, %v", got.Policy, err)
		}
		e := last(n, "org.update", o.ID)
		var before, after registry.Org
		if json.Unmarshal(e.Before, &before) != nil || json.Unmarshal(e.After, &after) != nil || before.Policy.Mode != "" || after.Policy.Mode != "weekly" {
			t.Errorf("org.update before %s, after %s", e.Before, e.After)
		}
		n++

		// Deletions, each with the record before.
		if err := x.DeleteAsset(ctx, tenant.Org(o.ID), as.ID); err != nil {
			t.Fatal(err)
		}
		last(n, "asset.delete", o.ID)
		n++
		refused("a deleted device's deletion", n, x.DeleteDevice(ctx, tenant.Org(other.ID), d.ID), errs.NotFound, "")
		if err := x.DeleteDevice(ctx, tenant.Org(o.ID), d.ID); err != nil {
			t.Fatal(err)
		}
		if e := last(n, "device.delete", o.ID); !jsonHas(e.Before, "serial", "SN-1") {
			t.Errorf("device.delete before = %s", e.Before)
		}
		n++
		if err := x.DeleteOrg(ctx, tenant.Operator(), other.ID); err != nil {
			t.Fatal(err)
		}
		if e := last(n, "org.delete", 0); !jsonHas(e.Before, "name", "Elders") {
			t.Errorf("org.delete before = %s", e.Before)
		}
	})
}

// jsonHas reports whether the JSON object raw has member key with the
// string value want.
func jsonHas(raw json.RawMessage, key, want string) bool {
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return false
	}
	return m[key] == want
}

// TestAccountWrites runs the other writes the adapters share, on both
// engines: an organisation created and one registered through the portal,
// an API token issued and revoked, a signed-in language choice; each
// audited by the trail's actor, each refusal naming its field and writing
// nothing.
func TestAccountWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		x := newApp(t, s, nil)
		trail := &app.AuditTrail{Via: account.AuditAPI, Actor: "token 7"}
		ctx := app.WithAuditTrail(context.Background(), trail)
		actions := func() []string {
			t.Helper()
			es, err := x.AuditQuery(ctx, account.AuditFilter{}, keyset.Page{Limit: keyset.MaxLimit})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, e := range es {
				if e.Actor != trail.Actor {
					t.Errorf("entry %s by %q; want %q", e.Action, e.Actor, trail.Actor)
				}
				out = append(out, e.Action)
			}
			return out
		}
		wantField := func(what string, err error, field string) {
			t.Helper()
			var e *errs.Error
			if !errors.As(err, &e) || e.Code != errs.Invalid || e.Field != field {
				t.Errorf("%s = %v; want invalid on field %s", what, err, field)
			}
		}
		o, err := x.AddOrg(ctx, tenant.Operator(), registry.Org{Name: "Drinkwater Zuid", Assets: []registry.Asset{{Value: "drinkwater-zuid.example"}}})
		if err != nil || o.ID == 0 {
			t.Fatalf("AddOrg = %+v, %v", o, err)
		}
		if _, err := x.AddOrg(ctx, tenant.Org(o.ID), registry.Org{Name: "Not by a tenant"}); err == nil {
			t.Error("an organisation's scope created an organisation")
		}
		u, err := x.CreateUser(ctx, account.NewUser{Email: "lid@drinkwater-zuid.example", Password: "a long enough password"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		n := len(actions())
		_, err = x.RegisterOrg(ctx, u.ID, "Nieuw", "NL", "")
		wantField("registration without an asset", err, "asset")
		_, err = x.RegisterOrg(ctx, u.ID, "Nieuw", "NL", "10.0.0.1/8")
		wantField("registration with host bits set", err, "asset")
		_, err = x.RegisterOrg(ctx, u.ID, "Drinkwater Zuid (www.drinkwater-zuid.example)", "NL", "nieuw.example")
		wantField("registration under a name with a link", err, "name")
		if got := len(actions()); got != n {
			t.Errorf("refused registrations wrote %d audit entries", got-n)
		}
		r, err := x.RegisterOrg(ctx, u.ID, "Nieuw", "NL", "nieuw.example")
		if err != nil || len(r.Assets) != 1 || r.Assets[0].AddedBy != registry.AddedByMember {
			t.Fatalf("RegisterOrg = %+v, %v", r, err)
		}
		if ap, err := x.Approval(ctx, tenant.Operator(), r.ID); err != nil || ap.State != registry.Pending {
			t.Errorf("the registered organisation's wait = %+v, %v; want pending", ap, err)
		}
		// A name taken registers as a new one does, shown as given.
		if d, err := x.RegisterOrg(ctx, u.ID, "Drinkwater Zuid", "NL", "zuid-nieuw.example"); err != nil || d.Name != "Drinkwater Zuid" || d.ID == o.ID {
			t.Errorf("registration under a name taken = %+v, %v", d, err)
		}

		_, _, err = x.IssueToken(ctx, tenant.Operator(), auth.Token{Name: strings.Repeat("x", 201), Scopes: []auth.Scope{auth.ScopeAdmin}})
		wantField("a token name of 201 characters", err, "name")
		_, _, err = x.IssueToken(ctx, tenant.Operator(), auth.Token{OrgID: r.ID + 100, Scopes: []auth.Scope{auth.ScopeRead}})
		wantField("a token of an unknown organisation", err, "org_id")
		_, _, err = x.IssueToken(ctx, tenant.Org(o.ID), auth.Token{OrgID: r.ID, Scopes: []auth.Scope{auth.ScopeRead}})
		wantField("a token of another scope's organisation", err, "org_id")
		tok, secret, err := x.IssueToken(ctx, tenant.Operator(), auth.Token{OrgID: o.ID, Name: "ticketing", Scopes: []auth.Scope{auth.ScopeRead}})
		if err != nil || secret == "" {
			t.Fatalf("IssueToken = %+v, %v", tok, err)
		}
		if err := x.RevokeToken(ctx, tenant.Operator(), tok.ID); err != nil {
			t.Fatal(err)
		}
		if err := x.RevokeToken(ctx, tenant.Operator(), tok.ID+100); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("revoking a token that does not exist = %v", err)
		}

		_, err = x.SetUserLang(ctx, u.ID, "de")
		wantField("language de", err, "lang")
		if got, err := x.SetUserLang(ctx, u.ID, "nl"); err != nil || got.Lang != "nl" {
			t.Errorf("SetUserLang = %+v, %v", got, err)
		}
		want := []string{"user.lang", "token.revoke", "token.create", "org.register", "org.register"}
		if got := actions(); len(got) != n+len(want) || strings.Join(got[:len(want)], " ") != strings.Join(want, " ") {
			t.Errorf("audit entries %v; want %v on top of %d", got, want, n)
		}
	})
}
