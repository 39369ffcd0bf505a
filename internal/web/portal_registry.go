// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/registry"
	"vigil/internal/tenant"
)

// registryRoutes are a member's registry pages (domains, ranges and AS
// numbers with their ownership proof, contacts, colleagues) and the API
// routes they need besides the registry's own.
func (s *Server) registryRoutes() []Route {
	const tag = "portal"
	return []Route{
		{ID: "pageRegistry", Method: http.MethodGet, Path: PagePath + "/registry", Tag: tag, API: "orgGet",
			Summary: "An organisation's domains, ranges, AS numbers and contacts", page: s.pageRegistry},
		{ID: "pageAssetAdd", Method: http.MethodPost, Path: PagePath + "/assets", Tag: tag, API: "assetCreate",
			Summary: "Register a domain, IP range or AS number", page: s.pageAssetAdd},
		{ID: "pageAssetVerify", Method: http.MethodPost, Path: PagePath + "/assets/{aid}/verify", Tag: tag, API: "assetVerify",
			Summary: "Check the ownership token of an asset again", page: s.pageAssetVerify},
		{ID: "pageAssetDelete", Method: http.MethodPost, Path: PagePath + "/assets/{aid}/delete", Tag: tag, API: "assetDelete",
			Summary: "Delete a domain, IP range or AS number", page: s.deletePage("aid", (*app.App).DeleteAsset, "/orgs/%d/registry?msg=registry.assetgone")},
		{ID: "pageContactAdd", Method: http.MethodPost, Path: PagePath + "/contacts", Tag: tag, API: "contactCreate",
			Summary: "Add a contact", page: s.pageContactAdd},
		{ID: "pageContactEdit", Method: http.MethodPost, Path: PagePath + "/contacts/{cid}/edit", Tag: tag, API: "contactUpdate",
			Summary: "Edit a contact", page: s.pageContactEdit},
		{ID: "pageContactDelete", Method: http.MethodPost, Path: PagePath + "/contacts/{cid}/delete", Tag: tag, API: "contactDelete",
			Summary: "Delete a contact", page: s.deletePage("cid", (*app.App).DeleteContact, "/orgs/%d/registry?msg=registry.deleted")},
		{ID: "pageInvite", Method: http.MethodPost, Path: PagePath + "/invitations", Tag: tag, API: "invitationCreate",
			Summary: "Invite a colleague by e-mail", page: s.pageInvite},
		{ID: "pageInvitations", Method: http.MethodGet, Path: PagePath + "/invitations", Tag: tag, API: "invitationList",
			Summary: "The organisation's open invitations, each with a Revoke button", page: s.pageInvitations},
		{ID: "pageInvitationRevoke", Method: http.MethodPost, Path: PagePath + "/invitations/{iid}/revoke", Tag: tag, API: "invitationDelete",
			Summary: "Revoke an open invitation: its link then answers as an expired one's", page: s.pageInvitationRevoke},
		{ID: "pageMemberRemove", Method: http.MethodPost, Path: PagePath + "/members/{mid}/delete", Tag: tag, API: "memberDelete",
			Summary: "Remove a colleague's membership: their access to the organisation ends at once", page: s.pageMemberRemove},
		{ID: "pageInvitation", Method: http.MethodGet, Path: "/invitation", Tag: tag, Public: true, Query: []Param{{Name: "token", Type: "string"}},
			Summary: "Accept an invitation", page: s.pageInvitation},
		{ID: "pageInvitationPost", Method: http.MethodPost, Path: "/invitation", Tag: tag, API: "invitationAccept", Public: true,
			Summary: "Accept an invitation: an account (if the address has none) and the membership", page: s.pageInvitationPost},
		{ID: "pageAssetConfirm", Method: http.MethodPost, Path: "/analyst/orgs/{id}/assets/{aid}/confirm", Tag: tag, Role: account.RoleAnalyst, API: "assetConfirm",
			Summary: "Record how an analyst checked the ownership of an asset (an AS number) that DNS cannot prove", page: s.pageAssetConfirm},
		{ID: "assetConfirm", Method: http.MethodPost, Path: OrgPath + "/assets/{aid}/confirm", Tag: "assets", Scope: auth.ScopeAdmin,
			Request: "AssetConfirm", Response: "AssetVerified", Summary: "Record how an analyst checked the ownership of an asset out of band (an AS number's RIR contact by telephone): the asset is verified and a pending organisation approved", api: s.assetConfirmAPI},
		{ID: "assetVerify", Method: http.MethodPost, Path: OrgPath + "/assets/{aid}/verify", Tag: "assets", Scope: auth.ScopeWrite,
			Response: "AssetVerified", Summary: "Check the organisation's ownership token for an asset in DNS (TXT) or on its web site (well-known file)", api: s.assetVerifyAPI},
		{ID: "invitationCreate", Method: http.MethodPost, Path: OrgPath + "/invitations", Tag: "accounts", Scope: auth.ScopeWrite,
			Request: "InvitationCreate", Status: http.StatusAccepted,
			Summary: "Invite a colleague to the portal by e-mail (sent through the outbox)", api: s.invitationCreate},
		{ID: "memberDelete", Method: http.MethodDelete, Path: OrgPath + "/members/{mid}", Tag: "accounts", Scope: auth.ScopeWrite,
			Summary: "Remove an account's membership of the organisation (not its last member): its sessions lose the organisation at once and the API tokens it made for it are revoked", api: s.memberDeleteAPI},
		{ID: "invitationList", Method: http.MethodGet, Path: OrgPath + "/invitations", Tag: "accounts",
			Response: "InvitationList", Summary: "The organisation's open invitations (neither used nor expired)", api: s.invitationListAPI},
		{ID: "invitationDelete", Method: http.MethodDelete, Path: OrgPath + "/invitations/{iid}", Tag: "accounts", Scope: auth.ScopeWrite,
			Summary: "Revoke an open invitation: its link then answers as an expired one's", api: s.invitationDeleteAPI},
	}
}

// InvitationList is the answer of GET /api/v1/orgs/{id}/invitations.
type InvitationList struct {
	Items []account.OpenInvitation `json:"items"`
}

func (s *Server) invitationListAPI(c *call) (any, error) {
	is, err := s.app.Invitations(c.ctx(), c.scope(), c.org)
	return InvitationList{Items: is}, err
}

func (s *Server) invitationDeleteAPI(c *call) (any, error) {
	iid, err := c.pathID("iid")
	if err != nil {
		return nil, err
	}
	return nil, s.app.RevokeInvitation(c.ctx(), c.scope(), c.org, iid)
}

// invitationsView is the open invitations page.
type invitationsView struct {
	Invitations []account.OpenInvitation
}

// pageInvitations lists the organisation's open invitations (address,
// who invited, when it was sent and when it expires), each with a
// Revoke button.
func (s *Server) pageInvitations(pc *pageCall) error {
	is, err := s.app.Invitations(pc.ctx(), pc.scope(), pc.org)
	if err != nil {
		return err
	}
	return pc.page("invitations", "invitations.title", invitationsView{Invitations: is})
}

// pageInvitationRevoke revokes an open invitation (the Revoke button of
// the invitations page) through the service of its API twin; one that
// is used, expired or revoked already is not found.
func (s *Server) pageInvitationRevoke(pc *pageCall) error {
	iid, err := pc.pathID("iid")
	if err != nil {
		return err
	}
	if err := s.app.RevokeInvitation(pc.ctx(), pc.scope(), pc.org, iid); err != nil {
		return err
	}
	return pc.redirect(fmt.Sprintf("/orgs/%d/invitations?msg=invitations.revoked", pc.org))
}

func (s *Server) memberDeleteAPI(c *call) (any, error) {
	uid, err := c.pathID("mid")
	if err != nil {
		return nil, err
	}
	return nil, s.app.RemoveMember(c.ctx(), c.scope(), c.org, uid)
}

// InvitationInput is the body of POST /api/v1/orgs/{id}/invitations.
type InvitationInput struct {
	Email string       `json:"email"`
	Role  account.Role `json:"role,omitempty"`
	Lang  string       `json:"lang,omitempty"`
}

// registrySchemas registers the schemas of registryRoutes.
func registrySchemas(add func(name string, v, example any)) {
	add("AssetVerified", app.AssetProof{}, nil)
	add("AssetConfirm", AssetConfirmInput{}, AssetConfirmInput{How: "The AS's admin-c in the RIPE database confirmed by telephone (+31 20 123 4567), 2026-12-07."})
	add("InvitationList", InvitationList{}, nil)
	add("InvitationCreate", InvitationInput{}, InvitationInput{Email: "colleague@drinkwater-oost.example", Role: account.RoleMember, Lang: "nl"})
}

func (s *Server) assetVerifyAPI(c *call) (any, error) {
	aid, err := c.pathID("aid")
	if err != nil {
		return nil, err
	}
	return s.app.VerifyAsset(c.ctx(), c.scope(), c.org, aid, s.verifier)
}

// AssetConfirmInput is the body of POST /api/v1/orgs/{id}/assets/{aid}/confirm:
// how an analyst checked ownership.
type AssetConfirmInput struct {
	How string `json:"how"`
}

func (s *Server) assetConfirmAPI(c *call) (any, error) {
	aid, err := c.pathID("aid")
	if err != nil {
		return nil, err
	}
	var in AssetConfirmInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	return s.app.ConfirmAsset(c.ctx(), c.org, aid, in.How)
}

// invite makes an invitation through the application service (which
// refuses it for an organisation that is not approved and over the daily
// limits) and queues its e-mail.
func (s *Server) invite(ctx context.Context, sc tenant.Scope, by, org int64, orgName string, in InvitationInput) error {
	if err := s.mailOff(); err != nil {
		return err
	}
	if s.baseURL == "" {
		return errs.FieldKeyed("email", "", "invite.nomail", "invitations by e-mail are not set up here; ask an administrator")
	}
	lang := in.Lang
	if lang == "" {
		lang = "en"
	}
	if lang != "en" && lang != "nl" {
		return errs.FieldKeyed("lang", in.Lang, "lang.nlen", "must be nl or en")
	}
	secret, err := s.app.Invite(ctx, sc, by, org, in.Email, in.Role)
	if err != nil {
		return err
	}
	addr, _ := account.NormalizeEmail(in.Email) // Invite has checked it
	m := s.messages(lang)
	link := s.baseURL + "/invitation?token=" + url.QueryEscape(secret)
	msg := notify.Message{Subject: fmt.Sprintf(m["mail.invite.subject"], orgName), Text: fmt.Sprintf(m["mail.invite.text"], orgName, link),
		Redact: []string{url.QueryEscape(secret)}}
	_, err = s.store.AccountMail(ctx, addr, lang, msg)
	return err
}

func (s *Server) invitationCreate(c *call) (any, error) {
	var in InvitationInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	o, err := s.store.OrgGet(c.ctx(), c.scope(), c.org)
	if err != nil {
		return nil, err
	}
	return nil, s.invite(c.ctx(), c.scope(), c.p.UserID, c.org, o.Name, in)
}

// registryView is the registry page.
type registryView struct {
	Org registry.Org
	// Approval is the organisation's wait (pending or rejected), nil
	// once approved.
	Approval *registry.Approval
	Token    string
	Assets   []assetRow
	// Members are the organisation's memberships.
	Members []account.Member
	Form    url.Values
	// Editing is the contact whose refused edit the page shows again
	// (its form open, with EditForm, what was sent); 0 for none.
	Editing  int64
	EditForm url.Values
}

// assetRow is an asset with where its ownership token goes.
type assetRow struct {
	registry.Asset
	TXT string // the DNS name of the TXT record; "" for AS numbers
	// File is the address of the well-known file that proves a domain
	// instead of the TXT record; "" for ranges and AS numbers.
	File string
}

func (s *Server) registryView(pc *pageCall) (registryView, error) {
	o, err := s.store.OrgGet(pc.ctx(), pc.scope(), pc.org)
	if err != nil {
		return registryView{}, err
	}
	tok, err := s.store.OrgVerifyToken(pc.ctx(), pc.scope(), pc.org)
	if err != nil {
		return registryView{}, err
	}
	as, err := s.store.AssetList(pc.ctx(), pc.scope(), registry.AssetFilter{Page: keyset.Page{Limit: 1000}})
	if err != nil {
		return registryView{}, err
	}
	v := registryView{Org: o, Token: tok, Form: pc.r.PostForm}
	if v.Members, err = s.app.Members(pc.ctx(), pc.scope(), pc.org); err != nil {
		return registryView{}, err
	}
	if v.Approval, err = s.approval(pc); err != nil {
		return registryView{}, err
	}
	for _, a := range as {
		r := assetRow{Asset: a}
		r.TXT, _ = registry.TXTName(a)
		r.File = registry.WellKnownURL(a)
		v.Assets = append(v.Assets, r)
	}
	return v, nil
}

func (s *Server) pageRegistry(pc *pageCall) error {
	v, err := s.registryView(pc)
	if err != nil {
		return err
	}
	return pc.page("registry", "registry.title", v)
}

// registryForm re-renders the registry page after a refused form.
func (s *Server) registryForm(pc *pageCall, err error) error {
	v, verr := s.registryView(pc)
	if verr != nil {
		return verr
	}
	return pc.formError(err, "registry", "registry.title", v)
}

func (s *Server) pageAssetAdd(pc *pageCall) error {
	a := registry.Asset{OrgID: pc.org, Kind: registry.AssetKind(pc.form("kind")), Value: pc.form("value"), AddedBy: addedBy(pc.p)}
	if _, err := s.app.AddAsset(pc.ctx(), pc.scope(), a); err != nil {
		return s.registryForm(pc, err)
	}
	return pc.redirect(fmt.Sprintf("/orgs/%d/registry?msg=registry.added", pc.org))
}

func (s *Server) pageAssetVerify(pc *pageCall) error {
	aid, err := pc.pathID("aid")
	if err != nil {
		return err
	}
	if _, err := s.app.VerifyAsset(pc.ctx(), pc.scope(), pc.org, aid, s.verifier); err != nil {
		if errs.CodeOf(err) == errs.Forbidden || errs.CodeOf(err) == errs.Invalid {
			return s.registryForm(pc, keepKey(&errs.Error{Code: errs.Invalid, Field: fmt.Sprintf("asset-%d", aid), Message: errs.Message(err)}, err))
		}
		return err
	}
	return pc.redirect(fmt.Sprintf("/orgs/%d/registry?msg=registry.verified", pc.org))
}

// pageAssetConfirm records an analyst's check of an asset's ownership
// (the form on the registry page, shown to staff).
func (s *Server) pageAssetConfirm(pc *pageCall) error {
	org, err := pc.pathID("id")
	if err != nil {
		return err
	}
	aid, err := pc.pathID("aid")
	if err != nil {
		return err
	}
	if _, err := s.app.ConfirmAsset(pc.ctx(), org, aid, pc.form("how")); err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			return err
		}
		o, oerr := s.store.OrgGet(pc.ctx(), tenant.Operator(), org)
		if oerr != nil {
			return oerr
		}
		pc.org, pc.orgName = org, o.Name
		return s.registryForm(pc, keepKey(&errs.Error{Code: errs.Invalid, Field: fmt.Sprintf("how-%d", aid), Message: errs.Message(err)}, err))
	}
	return pc.redirect(fmt.Sprintf("/orgs/%d/registry?msg=registry.confirmed", org))
}

func (s *Server) pageContactAdd(pc *pageCall) error {
	c := registry.Contact{OrgID: pc.org, Name: pc.form("contact_name"), Email: pc.form("contact_email"), Phone: pc.form("contact_phone"),
		Role: pc.form("contact_role"), Lang: pc.form("contact_lang")}
	if _, err := s.app.AddContact(pc.ctx(), pc.scope(), c); err != nil {
		return s.registryForm(pc, inField(err, "contact_", nil))
	}
	return pc.redirect(fmt.Sprintf("/orgs/%d/registry?msg=registry.contact", pc.org))
}

// contactEditFields are the fields of a contact's edit form, by the
// contact's field names; the form's ids are contactEditID's.
var contactEditFields = map[string]string{"name": "contact_name", "email": "contact_email", "phone": "contact_phone", "role": "contact_role", "lang": "contact_lang"}

// contactEditID is the id on the registry page of field (a contact's
// field name, "" for the form as a whole) of contact cid's edit form.
func contactEditID(cid int64, field string) string {
	return fmt.Sprintf("contact-%d-%s", cid, field)
}

// pageContactEdit saves a contact's edit form; a refused edit shows the
// page again with that contact's form open, what was sent in it and the
// error on its field.
func (s *Server) pageContactEdit(pc *pageCall) error {
	cid, err := pc.pathID("cid")
	if err != nil {
		return err
	}
	var p app.ContactPatch
	for f, dst := range map[string]**string{"name": &p.Name, "email": &p.Email, "phone": &p.Phone, "role": &p.Role, "lang": &p.Lang} {
		*dst = new(pc.form(contactEditFields[f]))
	}
	if _, err := s.app.EditContact(pc.ctx(), pc.scope(), pc.org, cid, p); err != nil {
		var e *errs.Error
		if !errors.As(err, &e) || (e.Code != errs.Invalid && e.Code != errs.Conflict) {
			return err
		}
		field := ""
		if _, ok := contactEditFields[e.Field]; ok {
			field = e.Field
		}
		v, verr := s.registryView(pc)
		if verr != nil {
			return verr
		}
		v.Editing, v.EditForm, v.Form = cid, pc.r.PostForm, url.Values{}
		return pc.formError(keepKey(&errs.Error{Code: e.Code, Field: contactEditID(cid, field), Message: e.Message, Err: err}, err), "registry", "registry.title", v)
	}
	return pc.redirect(fmt.Sprintf("/orgs/%d/registry?msg=registry.contactsaved", pc.org))
}

// pageMemberRemove removes a colleague's membership (the Remove button of
// the members list); the last member's is refused beside its row.
func (s *Server) pageMemberRemove(pc *pageCall) error {
	uid, err := pc.pathID("mid")
	if err != nil {
		return err
	}
	if err := s.app.RemoveMember(pc.ctx(), pc.scope(), pc.org, uid); err != nil {
		if errs.CodeOf(err) != errs.Conflict {
			return err
		}
		return s.registryForm(pc, keepKey(&errs.Error{Code: errs.Conflict, Field: fmt.Sprintf("member-%d", uid), Message: errs.Message(err)}, err))
	}
	if uid == pc.user.ID {
		return pc.redirect("/?msg=members.left")
	}
	return pc.redirect(fmt.Sprintf("/orgs/%d/registry?msg=members.removed", pc.org))
}

func (s *Server) pageInvite(pc *pageCall) error {
	in := InvitationInput{Email: pc.form("invite_email"), Role: account.Role(pc.form("invite_role")), Lang: pc.form("invite_lang")}
	if err := s.invite(pc.ctx(), pc.scope(), pc.user.ID, pc.org, pc.orgName, in); err != nil {
		return s.registryForm(pc, inField(err, "invite_", map[string]string{"org_role": "role"}))
	}
	return pc.redirect(fmt.Sprintf("/orgs/%d/registry?msg=registry.invited", pc.org))
}

// invitationForm is the invitation page: the link's token and, while
// the invitation is valid, the invited address and whether it has an
// account (then the form asks for that account's password only).
type invitationForm struct {
	Token string
	account.Invitation
}

// invitationView reads the invitation of token for its page; an unknown,
// used or expired one shows the form for a new account, which accepting
// then refuses on the token.
func (s *Server) invitationView(pc *pageCall, token string) (invitationForm, error) {
	f := invitationForm{Token: token}
	inv, err := s.accounts.Invitation(pc.ctx(), token)
	if err != nil && errs.CodeOf(err) != errs.Invalid {
		return f, err
	}
	f.Invitation = inv
	return f, nil
}

func (s *Server) pageInvitation(pc *pageCall) error {
	f, err := s.invitationView(pc, pc.query("token"))
	if err != nil {
		return err
	}
	return pc.page("invitation", "invitation.title", f)
}

func (s *Server) pageInvitationPost(pc *pageCall) error {
	token := pc.form("token")
	if _, err := s.acceptInvitation(pc.r, token, pc.form("name"), pc.r.PostFormValue("password")); err != nil {
		f, verr := s.invitationView(pc, token)
		if verr != nil {
			return verr
		}
		return pc.formError(err, "invitation", "invitation.title", f)
	}
	return pc.redirect("/login?msg=invitation.done")
}
