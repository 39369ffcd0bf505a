// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"fmt"
	"net/http"
	"net/url"

	"vigil/internal/account"
	"vigil/internal/auth"
	"vigil/internal/registry"
	"vigil/internal/tenant"
)

// registerRoutes are self-service registration of an organisation and its
// approval by analysts.
func (s *Server) registerRoutes() []Route {
	const tag = "portal"
	return []Route{
		{ID: "pageRegister", Method: http.MethodGet, Path: "/register", Tag: tag, Self: true,
			Summary: "Register an organisation", page: s.pageRegister},
		{ID: "pageRegisterPost", Method: http.MethodPost, Path: "/register", Tag: tag, Self: true, API: "orgRegister",
			Summary: "Register an organisation: it waits for proof of a domain or range, or an analyst's approval", page: s.pageRegisterPost},
		{ID: "pagePending", Method: http.MethodGet, Path: "/analyst/pending", Tag: tag, Role: account.RoleAnalyst, API: "orgPendingList",
			Summary: "Organisations waiting for approval", page: s.pagePending},
		{ID: "pageApprove", Method: http.MethodPost, Path: "/analyst/pending/{id}/approve", Tag: tag, Role: account.RoleAnalyst, API: "orgApprove",
			Summary: "Approve an organisation", page: s.pageApprove},
		{ID: "orgPendingList", Method: http.MethodGet, Path: "/api/v1/pending", Tag: "organisations", Scope: auth.ScopeAdmin,
			Response: "OrgList", Summary: "Organisations registered through the portal that wait for approval", api: s.orgPendingList},
		{ID: "orgApprove", Method: http.MethodPost, Path: OrgPath + "/approve", Tag: "organisations", Scope: auth.ScopeAdmin,
			Summary: "Approve an organisation that waits", api: s.orgApprove},
	}
}

// registerSchemas registers the schemas of registerRoutes.
func registerSchemas(add func(name string, v, example any)) {
	add("OrgList", List[registry.Org]{}, nil)
}

func (s *Server) orgPendingList(c *call) (any, error) {
	os, err := s.store.OrgPending(c.ctx(), tenant.Operator())
	return List[registry.Org]{Items: os}, err
}

func (s *Server) orgApprove(c *call) (any, error) {
	return nil, s.store.OrgApprove(c.ctx(), tenant.Operator(), c.org)
}

// registerForm is the registration form.
type registerForm struct{ Form url.Values }

func (s *Server) pageRegister(pc *pageCall) error {
	return pc.page("register", "register.title", registerForm{})
}

func (s *Server) pageRegisterPost(pc *pageCall) error {
	o, err := s.registerOrg(pc.ctx(), pc.user.ID, RegisterInput{Name: pc.form("name"), Country: pc.form("country"), Asset: pc.form("asset")})
	if err != nil {
		return pc.formError(err, "register", "register.title", registerForm{Form: pc.r.PostForm})
	}
	return pc.redirect(fmt.Sprintf("/orgs/%d/registry?msg=register.done", o.ID))
}

func (s *Server) pagePending(pc *pageCall) error {
	os, err := s.store.OrgPending(pc.ctx(), pc.scope())
	if err != nil {
		return err
	}
	return pc.page("pending", "pending.title", os)
}

func (s *Server) pageApprove(pc *pageCall) error {
	id, err := pc.pathID("id")
	if err != nil {
		return err
	}
	if err := s.store.OrgApprove(pc.ctx(), pc.scope(), id); err != nil {
		return err
	}
	if err := s.audit(pc, "org.approve", id, fmt.Sprintf("organisation %d", id), ""); err != nil {
		return err
	}
	return pc.redirect("/analyst/pending?msg=pending.approved")
}
