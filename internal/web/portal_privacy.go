// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"vigil/internal/account"
	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/privacy"
)

// privacyRoutes are the administrators' privacy page (what is held about
// a person, by e-mail address: its export as JSON and its erasure after a
// confirmation), as `vigil privacy export|erase --contact` do, and their
// API twins. Every export and erasure is written to the audit log, by a
// digest of the address.
func (s *Server) privacyRoutes() []Route {
	const tag = "portal"
	contact := Param{Name: "contact", Type: "string", Description: "the person's e-mail address"}
	return []Route{
		{ID: "pagePrivacy", Method: http.MethodGet, Path: "/admin/privacy", Tag: tag, Role: account.RoleAdmin, API: "privacyExport",
			Query: []Param{contact}, Summary: "Look up what is held about a person by e-mail address (an export, logged), to download or erase", page: s.pagePrivacy},
		{ID: "pagePrivacyExport", Method: http.MethodGet, Path: "/admin/privacy/export.json", Tag: tag, Role: account.RoleAdmin, API: "privacyExport",
			Query: []Param{contact}, ContentType: "application/json", Summary: "Download everything held about a person as JSON (logged)", page: s.pagePrivacyExport},
		{ID: "pagePrivacyErase", Method: http.MethodPost, Path: "/admin/privacy/erase", Tag: tag, Role: account.RoleAdmin, API: "privacyErase",
			Summary: "Erase a person's data after the address is typed again (logged)", page: s.pagePrivacyErase},

		{ID: "privacyExport", Method: http.MethodGet, Path: "/api/v1/privacy/export", Tag: "privacy", Scope: auth.ScopeAdmin, Admin: true, Query: []Param{contact},
			Response: "PrivacyExport", Summary: "Everything held about the person with an e-mail address (vigil privacy export), recorded in the audit log", api: s.privacyExport},
		{ID: "privacyErase", Method: http.MethodPost, Path: "/api/v1/privacy/erase", Tag: "privacy", Scope: auth.ScopeAdmin, Admin: true,
			Request: "PrivacyEraseInput", Response: "PrivacyErased",
			Summary: "Erase a person (vigil privacy erase): contact rows deleted, the address elsewhere pseudonymised, counts kept; recorded in the audit log", api: s.privacyErase},
	}
}

// PrivacyEraseInput is the body of POST /api/v1/privacy/erase.
type PrivacyEraseInput struct {
	Contact string `json:"contact"`
}

// privacySchemas registers the schemas of privacyRoutes, the export's
// parts named apart from the registry's and the accounts' types.
func privacySchemas(add func(name string, v, example any)) {
	add("PrivacyContact", privacy.Contact{}, nil)
	add("PrivacyDelivery", privacy.Delivery{}, nil)
	add("PrivacyReply", privacy.Reply{}, nil)
	add("PrivacyBounce", privacy.Bounce{}, nil)
	add("PrivacyAccount", privacy.Account{}, nil)
	add("PrivacyAuditEntry", privacy.AuditEntry{}, nil)
	add("PrivacyExport", privacy.Export{}, nil)
	add("PrivacyErased", privacy.Erased{}, nil)
	add("PrivacyEraseInput", PrivacyEraseInput{}, PrivacyEraseInput{Contact: "jan@example.nl"})
}

// contactAddress checks the address a privacy request names.
func contactAddress(v string) (string, error) {
	addr, err := privacy.Normalize(v)
	if err != nil {
		return "", errs.FieldKeyed("contact", v, "email.invalid", "not an e-mail address")
	}
	return addr, nil
}

// privacyExportOf exports what is held about addr as actor (logged).
func (s *Server) privacyExportOf(ctx context.Context, actor, v string) (privacy.Export, error) {
	addr, err := contactAddress(v)
	if err != nil {
		return privacy.Export{}, err
	}
	e, err := s.app.PrivacyExport(ctx, actor, addr)
	if err != nil {
		return e, err
	}
	// Empty lists, not null.
	if e.Contacts == nil {
		e.Contacts = []privacy.Contact{}
	}
	if e.Notices == nil {
		e.Notices = []privacy.Delivery{}
	}
	if e.Replies == nil {
		e.Replies = []privacy.Reply{}
	}
	if e.Bounces == nil {
		e.Bounces = []privacy.Bounce{}
	}
	if e.Accounts == nil {
		e.Accounts = []privacy.Account{}
	}
	if e.Calls == nil {
		e.Calls = []privacy.CallNote{}
	}
	if e.Audit == nil {
		e.Audit = []privacy.AuditEntry{}
	}
	return e, nil
}

func (s *Server) privacyExport(c *call) (any, error) {
	return s.privacyExportOf(c.ctx(), tokenActor(c.p), c.query("contact"))
}

func (s *Server) privacyErase(c *call) (any, error) {
	var in PrivacyEraseInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	addr, err := contactAddress(in.Contact)
	if err != nil {
		return nil, err
	}
	return s.app.PrivacyErase(c.ctx(), tokenActor(c.p), addr)
}

// privacyView is the privacy page: the lookup form, what is held about the
// address looked up, or what an erasure did.
type privacyView struct {
	Contact string
	Export  *privacy.Export
	Erased  *privacy.Erased
}

func (s *Server) pagePrivacy(pc *pageCall) error {
	v := privacyView{Contact: strings.TrimSpace(pc.query("contact"))}
	if v.Contact == "" {
		return pc.page("privacy", "privacy.title", v)
	}
	e, err := s.privacyExportOf(pc.ctx(), pc.user.Email, v.Contact)
	if err != nil {
		return pc.formError(err, "privacy", "privacy.title", v)
	}
	v.Contact, v.Export = e.Email, &e
	return pc.page("privacy", "privacy.title", v)
}

func (s *Server) pagePrivacyExport(pc *pageCall) error {
	v := privacyView{Contact: strings.TrimSpace(pc.query("contact"))}
	e, err := s.privacyExportOf(pc.ctx(), pc.user.Email, v.Contact)
	if err != nil {
		return pc.formError(err, "privacy", "privacy.title", v)
	}
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	name := "vigil-privacy-export-" + strings.TrimPrefix(privacy.Ref(e.Email), "contact:") + ".json"
	fileBody{name: name, ct: "application/json", data: append(b, '\n')}.write(pc.w, http.StatusOK)
	return nil
}

func (s *Server) pagePrivacyErase(pc *pageCall) error {
	v := privacyView{Contact: pc.form("contact")}
	addr, err := contactAddress(v.Contact)
	if err != nil {
		return pc.formError(err, "privacy", "privacy.title", v)
	}
	v.Contact = addr
	if confirm, _ := privacy.Normalize(pc.form("confirm")); confirm != addr {
		// Show what would be erased again, beside the refusal.
		e, eerr := s.privacyExportOf(pc.ctx(), pc.user.Email, addr)
		if eerr != nil {
			return eerr
		}
		v.Export = &e
		return pc.formError(errs.FieldKeyed("confirm", pc.form("confirm"), "privacy.confirm", "type %s again to confirm the erasure", addr), "privacy", "privacy.title", v)
	}
	out, err := s.app.PrivacyErase(pc.ctx(), pc.user.Email, addr)
	if err != nil {
		return pc.formError(err, "privacy", "privacy.title", v)
	}
	v.Erased = &out
	return pc.render(http.StatusOK, "privacy", "privacy.title", v, nil)
}
