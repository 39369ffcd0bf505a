// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/notify"
	"vigil/internal/registry"
	"vigil/internal/tenant"
)

// registerRoutes are self-service registration of an organisation, its
// approval or rejection by analysts, and its members' new request after a
// rejection.
func (s *Server) registerRoutes() []Route {
	const tag = "portal"
	return []Route{
		{ID: "pageRegister", Method: http.MethodGet, Path: "/register", Tag: tag, Self: true,
			Summary: "Register an organisation", page: s.pageRegister},
		{ID: "pageRegisterPost", Method: http.MethodPost, Path: "/register", Tag: tag, Self: true, API: "orgRegister",
			Summary: "Register an organisation: it waits for proof of a domain or range, or an analyst's approval", page: s.pageRegisterPost},
		{ID: "pagePending", Method: http.MethodGet, Path: "/analyst/pending", Tag: tag, Role: account.RoleAnalyst, API: "orgPendingList", Query: approvalQuery(),
			Summary: "Organisations waiting for approval, and the rejected ones", page: s.pagePending},
		{ID: "pageApprove", Method: http.MethodPost, Path: "/analyst/pending/{id}/approve", Tag: tag, Role: account.RoleAnalyst, API: "orgApprove",
			Summary: "Approve an organisation", page: s.pageApprove},
		{ID: "pageReject", Method: http.MethodPost, Path: "/analyst/pending/{id}/reject", Tag: tag, Role: account.RoleAnalyst, API: "orgReject",
			Summary: "Reject an organisation that waits, with the reason its members read", page: s.pageReject},
		{ID: "pageReapply", Method: http.MethodPost, Path: PagePath + "/reapply", Tag: tag, API: "orgReapply",
			Summary: "Ask again for the approval of a rejected organisation", page: s.pageReapply},
		{ID: "orgPendingList", Method: http.MethodGet, Path: "/api/v1/pending", Tag: "organisations", Scope: auth.ScopeAdmin, Query: approvalQuery(),
			Response: "Approvals", Summary: "Organisations registered through the portal that wait for approval and those rejected, each with its wait (state: only one of the two)", api: s.orgPendingList},
		{ID: "orgApprove", Method: http.MethodPost, Path: OrgPath + "/approve", Tag: "organisations", Scope: auth.ScopeAdmin,
			Summary: "Approve an organisation that waits or was rejected", api: s.orgApprove},
		{ID: "orgReject", Method: http.MethodPost, Path: OrgPath + "/reject", Tag: "organisations", Scope: auth.ScopeAdmin,
			Request: "OrgReject", Response: "Approval",
			Summary: "Reject an organisation that waits, with a reason: it draws no findings and its members are told by e-mail", api: s.orgReject},
		{ID: "orgReapply", Method: http.MethodPost, Path: OrgPath + "/reapply", Tag: "organisations", Scope: auth.ScopeWrite,
			Request: "OrgReapply", Response: "Approval",
			Summary: "Ask again for the approval of a rejected organisation, saying what changed: it waits for an analyst again", api: s.orgReapply},
	}
}

// RejectInput is the body of POST /api/v1/orgs/{id}/reject.
type RejectInput struct {
	Reason string `json:"reason"`
}

// ReapplyInput is the body of POST /api/v1/orgs/{id}/reapply.
type ReapplyInput struct {
	Note string `json:"note"`
}

// approvalQuery is the filter of the waits for approval.
func approvalQuery() []Param {
	return []Param{{Name: "state", Type: "string", Enum: []string{string(registry.Pending), string(registry.Rejected)},
		Description: "only the organisations that wait (pending) or only the rejected ones; both when absent"}}
}

// registerSchemas registers the schemas of registerRoutes.
func registerSchemas(add func(name string, v, example any)) {
	add("Approvals", app.Approvals{}, nil)
	add("OrgApproval", app.OrgApproval{}, nil)
	add("Approval", registry.Approval{}, nil)
	add("OrgReject", RejectInput{}, RejectInput{Reason: "We could not find this organisation in the trade register; write which registration number it has."})
	add("OrgReapply", ReapplyInput{}, ReapplyInput{Note: "Our trade register number is 12345678; the domain is proven now."})
}

func (s *Server) orgPendingList(c *call) (any, error) {
	return s.app.Approvals(c.ctx(), registry.ApprovalState(c.query("state")))
}

func (s *Server) orgApprove(c *call) (any, error) {
	return nil, s.app.ApproveOrg(c.ctx(), c.org)
}

func (s *Server) orgReject(c *call) (any, error) {
	var in RejectInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	return s.rejectOrg(c.ctx(), c.org, in.Reason)
}

func (s *Server) orgReapply(c *call) (any, error) {
	var in ReapplyInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	return s.app.ReapplyOrg(c.ctx(), c.scope(), c.org, in.Note)
}

// rejectOrg rejects organisation id through the application service with
// the portal's e-mail to its members.
func (s *Server) rejectOrg(ctx context.Context, id int64, reason string) (registry.Approval, error) {
	o, err := s.store.OrgGet(ctx, tenant.Operator(), id)
	if err != nil {
		return registry.Approval{}, err
	}
	return s.app.RejectOrg(ctx, id, reason, s.rejectMail(id, o.Name, strings.TrimSpace(reason)))
}

// rejectMail is the e-mail telling the members of organisation id, named
// name, that an analyst rejected it for reason.
func (s *Server) rejectMail(id int64, name, reason string) app.MemberMail {
	return func(lang string) notify.Message {
		m := s.messages(lang)
		link := fmt.Sprintf("%s/orgs/%d/registry", s.baseURL, id)
		return notify.Message{Subject: fmt.Sprintf(m["mail.reject.subject"], name), Text: fmt.Sprintf(m["mail.reject.text"], name, reason, link)}
	}
}

// registerForm is the registration form.
type registerForm struct{ Form url.Values }

func (s *Server) pageRegister(pc *pageCall) error {
	return pc.page("register", "register.title", registerForm{})
}

// pageRegisterPost registers an organisation under a per-client rate
// limit of its own (the API's registration is under the sign-in's: it
// signs in with every call).
func (s *Server) pageRegisterPost(pc *pageCall) error {
	if !s.registerLimit.Allow(s.clientIP(pc.r)) {
		return pc.formError(tooMany, "register", "register.title", registerForm{Form: pc.r.PostForm})
	}
	o, err := s.registerOrg(pc.ctx(), pc.user.ID, RegisterInput{Name: pc.form("name"), Country: pc.form("country"), Asset: pc.form("asset")})
	if err != nil {
		return pc.formError(err, "register", "register.title", registerForm{Form: pc.r.PostForm})
	}
	return pc.redirect(fmt.Sprintf("/orgs/%d/registry?msg=register.done", o.ID))
}

// pendingView is the analysts' pending page: the waits of the state
// chosen (State; both when empty), and after a refused rejection the
// organisation it was for and the reason typed.
type pendingView struct {
	app.Approvals
	State  string
	Failed int64
	Reason string
}

func (s *Server) pendingPage(pc *pageCall, v pendingView, err error) error {
	var aerr error
	v.State = pc.query("state")
	if v.Approvals, aerr = s.app.Approvals(pc.ctx(), registry.ApprovalState(v.State)); aerr != nil {
		return aerr
	}
	if err != nil {
		return pc.formError(err, "pending", "pending.title", v)
	}
	return pc.page("pending", "pending.title", v)
}

func (s *Server) pagePending(pc *pageCall) error {
	return s.pendingPage(pc, pendingView{}, nil)
}

func (s *Server) pageApprove(pc *pageCall) error {
	id, err := pc.pathID("id")
	if err != nil {
		return err
	}
	if err := s.app.ApproveOrg(pc.ctx(), id); err != nil {
		if errs.CodeOf(err) == errs.Conflict { // its name is another's: beside its button
			return s.pendingPage(pc, pendingView{}, keepKey(&errs.Error{Code: errs.Conflict, Field: fmt.Sprintf("approve-%d", id), Message: errs.Message(err)}, err))
		}
		return err
	}
	return pc.redirect("/analyst/pending?msg=pending.approved")
}

func (s *Server) pageReject(pc *pageCall) error {
	id, err := pc.pathID("id")
	if err != nil {
		return err
	}
	v := pendingView{Failed: id, Reason: pc.form("reason")}
	if _, err := s.rejectOrg(pc.ctx(), id, v.Reason); err != nil {
		if errs.CodeOf(err) == errs.Invalid { // the reason, in the row's form
			return s.pendingPage(pc, v, keepKey(&errs.Error{Code: errs.Invalid, Field: fmt.Sprintf("reason-%d", id), Message: errs.Message(err)}, err))
		}
		return err
	}
	return pc.redirect("/analyst/pending?msg=pending.rejected")
}

func (s *Server) pageReapply(pc *pageCall) error {
	if _, err := s.app.ReapplyOrg(pc.ctx(), pc.scope(), pc.org, pc.form("note")); err != nil {
		if errs.CodeOf(err) == errs.Invalid {
			return s.registryForm(pc, err)
		}
		return err
	}
	return pc.redirect(fmt.Sprintf("/orgs/%d/registry?msg=registry.reapplied", pc.org))
}

// approval is the wait of the page's organisation, nil when it is
// approved.
func (s *Server) approval(pc *pageCall) (*registry.Approval, error) {
	ap, err := s.app.Approval(pc.ctx(), pc.scope(), pc.org)
	switch {
	case errs.CodeOf(err) == errs.NotFound:
		return nil, nil
	case err != nil:
		return nil, err
	}
	return &ap, nil
}
