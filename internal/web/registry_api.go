// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"vigil/internal/app"
	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/registry"
	"vigil/internal/tenant"
)

func (s *Server) orgRoutes() []Route {
	const tag = "organisations"
	return []Route{
		{ID: "orgList", Method: http.MethodGet, Path: "/api/v1/orgs", Tag: tag, Scope: auth.ScopeRead, Query: pageParams(),
			Response: "OrgPage", Summary: "List organisations (an organisation's token sees only its own)", api: s.orgList},
		{ID: "orgCreate", Method: http.MethodPost, Path: "/api/v1/orgs", Tag: tag, Scope: auth.ScopeAdmin,
			Request: "OrgCreate", Response: "Org", Status: http.StatusCreated,
			Summary: "Create an organisation with its contacts, assets and devices", api: s.orgCreate},
		{ID: "orgGet", Method: http.MethodGet, Path: OrgPath, Tag: tag, Scope: auth.ScopeRead,
			Response: "Org", Summary: "Get an organisation with its contacts, assets and devices", api: s.orgGet},
		{ID: "orgUpdate", Method: http.MethodPatch, Path: OrgPath, Tag: tag, Scope: auth.ScopeWrite,
			Request: "OrgUpdate", Response: "Org", Summary: "Change an organisation's name, sector, country, languages or policy", api: s.orgUpdate},
		{ID: "orgDelete", Method: http.MethodDelete, Path: OrgPath, Tag: tag, Scope: auth.ScopeAdmin,
			Summary: "Delete an organisation and everything it registered", api: s.orgDelete},
	}
}

func (s *Server) contactRoutes() []Route {
	const tag = "contacts"
	return []Route{
		{ID: "contactList", Method: http.MethodGet, Path: OrgPath + "/contacts", Tag: tag, Scope: auth.ScopeRead, Query: pageParams(),
			Response: "ContactPage", Summary: "List an organisation's contacts", api: s.contactList},
		{ID: "contactCreate", Method: http.MethodPost, Path: OrgPath + "/contacts", Tag: tag, Scope: auth.ScopeWrite,
			Request: "ContactCreate", Response: "Contact", Status: http.StatusCreated, Summary: "Add a contact", api: s.contactCreate},
		{ID: "contactUpdate", Method: http.MethodPatch, Path: OrgPath + "/contacts/{cid}", Tag: tag, Scope: auth.ScopeWrite,
			Request: "ContactUpdate", Response: "Contact",
			Summary: "Edit a contact: the members given replace its name, e-mail address, telephone number, role or language (checked as a new contact's); a changed address or number is no longer verified", api: s.contactUpdate},
		{ID: "contactDelete", Method: http.MethodDelete, Path: OrgPath + "/contacts/{cid}", Tag: tag, Scope: auth.ScopeWrite,
			Summary: "Delete a contact", api: s.deleteAPI("cid", (*app.App).DeleteContact)},
	}
}

func (s *Server) assetRoutes() []Route {
	const tag = "assets"
	kinds := []string{string(registry.KindCIDR), string(registry.KindASN), string(registry.KindDomain)}
	return []Route{
		{ID: "assetList", Method: http.MethodGet, Path: OrgPath + "/assets", Tag: tag, Scope: auth.ScopeRead,
			Query:    append(pageParams(), Param{Name: "kind", Type: "string", Enum: kinds, Description: "only assets of this kind"}),
			Response: "AssetPage", Summary: "List an organisation's assets (IP ranges, AS numbers, domains)", api: s.assetList},
		{ID: "assetCreate", Method: http.MethodPost, Path: OrgPath + "/assets", Tag: tag, Scope: auth.ScopeWrite,
			Request: "AssetCreate", Response: "Asset", Status: http.StatusCreated, Summary: "Register an IP range, AS number or domain", api: s.assetCreate},
		{ID: "assetGet", Method: http.MethodGet, Path: OrgPath + "/assets/{aid}", Tag: tag, Scope: auth.ScopeRead,
			Response: "Asset", Summary: "Get an asset", api: s.assetGet},
		{ID: "assetDelete", Method: http.MethodDelete, Path: OrgPath + "/assets/{aid}", Tag: tag, Scope: auth.ScopeWrite,
			Summary: "Delete an asset", api: s.deleteAPI("aid", (*app.App).DeleteAsset)},
		{ID: "assetOverlaps", Method: http.MethodGet, Path: "/api/v1/assets/overlaps", Tag: tag, Scope: auth.ScopeAdmin,
			Response: "OverlapList", Summary: "IP ranges registered by more than one organisation", api: s.assetOverlaps},
	}
}

func (s *Server) deviceRoutes() []Route {
	const tag = "devices"
	return []Route{
		{ID: "deviceList", Makers: true, Method: http.MethodGet, Path: OrgPath + "/devices", Tag: tag, Scope: auth.ScopeRead, Query: pageParams(),
			Response: "DevicePage", Summary: "List an organisation's devices", api: s.deviceList},
		{ID: "deviceCreate", Makers: true, Method: http.MethodPost, Path: OrgPath + "/devices", Tag: tag, Scope: auth.ScopeWrite,
			Request: "DeviceCreate", Response: "Device", Status: http.StatusCreated, Summary: "Register a device", api: s.deviceCreate},
		{ID: "deviceGet", Makers: true, Method: http.MethodGet, Path: OrgPath + "/devices/{did}", Tag: tag, Scope: auth.ScopeRead,
			Response: "Device", Summary: "Get a device", api: s.deviceGet},
		{ID: "deviceDelete", Makers: true, Method: http.MethodDelete, Path: OrgPath + "/devices/{did}", Tag: tag, Scope: auth.ScopeWrite,
			Summary: "Delete a device", api: s.deleteAPI("did", (*app.App).DeleteDevice)},
	}
}

// inField moves an invalid-input or conflict error to a JSON path of the
// request:
// inField(err, "contacts[2].") turns field "email" into "contacts[2].email".
// rename maps the domain's field names to request members where they
// differ. Other errors pass unchanged.
func inField(err error, prefix string, rename map[string]string) error {
	var e *errs.Error
	if !errors.As(err, &e) || (e.Code != errs.Invalid && e.Code != errs.Conflict) {
		return err
	}
	f := e.Field
	if r, ok := rename[f]; ok {
		f = r
	}
	return keepKey(&errs.Error{Code: e.Code, Field: prefix + f, Message: e.Message, Err: err}, err)
}

// assetFields maps ParseAsset's field names to AssetInput's members.
func assetFields() map[string]string {
	return map[string]string{"cidr": "value", "asn": "value", "domain": "value"}
}

// checkLanguages validates languages so that an error names its index.
func checkLanguages(ls []string) error {
	for i, l := range ls {
		if _, err := registry.NormalizeLang(l); err != nil {
			return inField(err, "", map[string]string{"lang": fmt.Sprintf("languages[%d]", i)})
		}
	}
	return nil
}

func (c *call) location(format string, args ...any) {
	c.w.Header().Set("Location", fmt.Sprintf(format, args...))
}

func (s *Server) orgList(c *call) (any, error) {
	pg, limit, err := c.page()
	if err != nil {
		return nil, err
	}
	orgs, err := s.store.OrgList(c.ctx(), c.scope(), pg) // a tenant lists only itself
	if err != nil {
		return nil, err
	}
	return pageOf(orgs, limit, func(o registry.Org) int64 { return o.ID }), nil
}

func (s *Server) orgCreate(c *call) (any, error) {
	var in OrgInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	o := registry.Org{Name: in.Name, Sector: in.Sector, Country: in.Country, Languages: in.Languages, Policy: in.Policy}
	if err := checkLanguages(o.Languages); err != nil {
		return nil, err
	}
	if err := o.Normalize(); err != nil {
		return nil, err
	}
	for i, ci := range in.Contacts {
		ct := ci.contact(0)
		if err := ct.Normalize(); err != nil {
			return nil, inField(err, fmt.Sprintf("contacts[%d].", i), nil)
		}
		o.Contacts = append(o.Contacts, ct)
	}
	for i, ai := range in.Assets {
		a, err := registry.ParseAsset(ai.Kind, ai.Value)
		if err != nil {
			return nil, inField(err, fmt.Sprintf("assets[%d].", i), assetFields())
		}
		o.Assets = append(o.Assets, a)
	}
	for i, di := range in.Devices {
		d := di.device(0)
		if d.AssetID != nil {
			return nil, errs.FieldKeyed(fmt.Sprintf("devices[%d].asset_id", i), *d.AssetID, "device.assetlater", "link devices to assets after the organisation exists")
		}
		if err := d.Normalize(); err != nil {
			return nil, inField(err, fmt.Sprintf("devices[%d].", i), nil)
		}
		o.Devices = append(o.Devices, d)
	}
	o, err := s.app.AddOrg(c.ctx(), c.scope(), o)
	if err != nil {
		return nil, err
	}
	c.location("/api/v1/orgs/%d", o.ID)
	return o, nil
}

func (s *Server) orgGet(c *call) (any, error) {
	return s.store.OrgGet(c.ctx(), c.scope(), c.org)
}

func (s *Server) orgUpdate(c *call) (any, error) {
	var in OrgPatch
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	u := registry.OrgUpdate{Name: in.Name, Sector: in.Sector, Country: in.Country, Languages: in.Languages, Policy: in.Policy}
	return s.app.PatchOrg(c.ctx(), c.scope(), c.org, u)
}

// deleteAPI is the API handler of a deletion (or revocation) of the
// object whose id is path parameter param, through del, a method of the
// application (the server's at the call), which audits it: contacts,
// assets, devices, tokens.
func (s *Server) deleteAPI(param string, del func(*app.App, context.Context, tenant.Scope, int64) error) func(*call) (any, error) {
	return func(c *call) (any, error) {
		id, err := c.pathID(param)
		if err != nil {
			return nil, err
		}
		return nil, del(s.app, c.ctx(), c.scope(), id)
	}
}

// deletePage is deleteAPI's page twin (the Delete or Revoke button of the
// object's row or page): then to, with the organisation's id for a %d.
func (s *Server) deletePage(param string, del func(*app.App, context.Context, tenant.Scope, int64) error, to string) func(*pageCall) error {
	return func(pc *pageCall) error {
		id, err := pc.pathID(param)
		if err != nil {
			return err
		}
		if err := del(s.app, pc.ctx(), pc.scope(), id); err != nil {
			return err
		}
		if strings.Contains(to, "%d") {
			return pc.redirect(fmt.Sprintf(to, pc.org))
		}
		return pc.redirect(to)
	}
}

func (s *Server) orgDelete(c *call) (any, error) {
	return nil, s.app.DeleteOrg(c.ctx(), c.scope(), c.org)
}

func (s *Server) contactList(c *call) (any, error) {
	pg, limit, err := c.page()
	if err != nil {
		return nil, err
	}
	all, err := s.store.ContactList(c.ctx(), c.scope())
	if err != nil {
		return nil, err
	}
	out := []registry.Contact{}
	for _, ct := range all { // ordered by id; an organisation has few contacts
		if ct.ID > pg.After && len(out) < pg.Limit {
			out = append(out, ct)
		}
	}
	return pageOf(out, limit, func(ct registry.Contact) int64 { return ct.ID }), nil
}

func (s *Server) contactCreate(c *call) (any, error) {
	var in ContactInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Verified && !c.p.Operator() {
		return nil, errs.Keyed(errs.Forbidden, "verified", "contact.verified", "only the operator may mark a contact verified")
	}
	ct, err := s.app.AddContact(c.ctx(), c.scope(), in.contact(c.org))
	if err != nil {
		return nil, err
	}
	c.location("/api/v1/orgs/%d/contacts/%d", c.org, ct.ID)
	return ct, nil
}

func (s *Server) contactUpdate(c *call) (any, error) {
	id, err := c.pathID("cid")
	if err != nil {
		return nil, err
	}
	var in app.ContactPatch
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	return s.app.EditContact(c.ctx(), c.scope(), c.org, id, in)
}

func (s *Server) assetList(c *call) (any, error) {
	pg, limit, err := c.page()
	if err != nil {
		return nil, err
	}
	as, err := s.store.AssetList(c.ctx(), c.scope(), registry.AssetFilter{Kind: registry.AssetKind(c.query("kind")), Page: pg})
	if err != nil {
		return nil, err
	}
	return pageOf(as, limit, func(a registry.Asset) int64 { return a.ID }), nil
}

func (s *Server) assetCreate(c *call) (any, error) {
	var in AssetInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	a := in.asset(c.org)
	a.AddedBy = addedBy(c.p)
	a, err := s.app.AddAsset(c.ctx(), c.scope(), a)
	if err != nil {
		return nil, err
	}
	c.location("/api/v1/orgs/%d/assets/%d", c.org, a.ID)
	return a, nil
}

// addedBy is the provenance of an asset p registers: the operator's for
// staff and operator tokens, a member's for an organisation's own
// credentials (a session of a member, a token of the organisation), whose
// claims draw findings only once proven.
func addedBy(p auth.Principal) registry.AddedBy {
	if p.Operator() {
		return registry.AddedByOperator
	}
	return registry.AddedByMember
}

func (s *Server) assetGet(c *call) (any, error) {
	id, err := c.pathID("aid")
	if err != nil {
		return nil, err
	}
	return s.store.AssetGet(c.ctx(), c.scope(), id)
}

func (s *Server) assetOverlaps(c *call) (any, error) {
	as, err := s.store.AssetAll(c.ctx(), c.scope(), registry.KindCIDR)
	if err != nil {
		return nil, err
	}
	ov := registry.Overlaps(as)
	if ov == nil {
		ov = []registry.Overlap{}
	}
	return List[registry.Overlap]{Items: ov}, nil
}

func (s *Server) deviceList(c *call) (any, error) {
	pg, limit, err := c.page()
	if err != nil {
		return nil, err
	}
	ds, err := s.store.DeviceList(c.ctx(), c.scope(), pg)
	if err != nil {
		return nil, err
	}
	return pageOf(ds, limit, func(d registry.Device) int64 { return d.ID }), nil
}

func (s *Server) deviceCreate(c *call) (any, error) {
	var in DeviceInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	d, err := s.app.AddDevice(c.ctx(), c.scope(), in.device(c.org))
	if err != nil {
		return nil, err
	}
	c.location("/api/v1/orgs/%d/devices/%d", c.org, d.ID)
	return d, nil
}

func (s *Server) deviceGet(c *call) (any, error) {
	id, err := c.pathID("did")
	if err != nil {
		return nil, err
	}
	return s.store.DeviceGet(c.ctx(), c.scope(), id)
}
