// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"vigil/internal/account"
	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/keyset"
)

// disputeRoutes are a finding's own page, where a member disputes it, the
// analysts' queue of disputes to decide, and their API twins.
func (s *Server) disputeRoutes() []Route {
	const tag = "portal"
	states := []string{string(finding.DisputePending), string(finding.DisputeAccepted), string(finding.DisputeRejected)}
	dq := append(pageParams(), Param{Name: "state", Type: "string", Enum: states, Description: "only disputes in this state"})
	return []Route{
		{ID: "pageFinding", Method: http.MethodGet, Path: PagePath + "/findings/{fid}", Tag: tag, API: "findingGet",
			Summary: "One finding with its evidence and disputes", page: s.pageFinding},
		{ID: "pageFindingDispute", Method: http.MethodPost, Path: PagePath + "/findings/{fid}/dispute", Tag: tag, API: "findingDispute", OwnAct: true,
			Summary: "Dispute a finding (false positive, already fixed, not ours)", page: s.pageFindingDispute},
		{ID: "pageDisputes", Method: http.MethodGet, Path: "/analyst/disputes", Tag: tag, Role: account.RoleAnalyst, API: "disputeList",
			Query: dq, Summary: "Disputed findings to accept or reject", page: s.pageDisputes},
		{ID: "pageDisputeDecide", Method: http.MethodPost, Path: "/analyst/disputes/{xid}", Tag: tag, Role: account.RoleAnalyst, API: "disputeDecide",
			Summary: "Accept or reject a dispute with a reason", page: s.pageDisputeDecide},

		{ID: "findingGet", Method: http.MethodGet, Path: OrgPath + "/findings/{fid}", Tag: "findings", Scope: auth.ScopeRead,
			Response: "Finding", Summary: "One finding of the organisation with its evidence", api: s.findingGet},
		{ID: "findingDispute", Method: http.MethodPost, Path: OrgPath + "/findings/{fid}/disputes", Tag: "findings", Scope: auth.ScopeWrite, OwnAct: true,
			Request: "DisputeCreate", Response: "Dispute", Status: http.StatusCreated,
			Summary: "Dispute a finding: an analyst accepts (the finding is resolved) or rejects it with a reason", api: s.findingDispute},
		{ID: "disputeList", Method: http.MethodGet, Path: "/api/v1/disputes", Tag: "findings", Scope: auth.ScopeAdmin, Query: dq,
			Response: "DisputePage", Summary: "Disputes of every organisation, newest first (after: older than this id)", api: s.disputeList},
		{ID: "disputeDecide", Method: http.MethodPost, Path: "/api/v1/disputes/{xid}/decision", Tag: "findings", Scope: auth.ScopeAdmin,
			Request: "DisputeDecision", Response: "Dispute", Summary: "Accept or reject a pending dispute with a reason", api: s.disputeDecide},
	}
}

// DisputeInput is the body of POST /api/v1/orgs/{id}/findings/{fid}/disputes.
type DisputeInput struct {
	Reason  finding.DisputeReason `json:"reason"`
	Comment string                `json:"comment,omitempty"`
}

// DecisionInput is the body of POST /api/v1/disputes/{xid}/decision.
type DecisionInput struct {
	Accept bool   `json:"accept"`
	Reason string `json:"reason"`
}

// disputeSchemas registers the schemas of disputeRoutes.
func disputeSchemas(add func(name string, v, example any)) {
	add("Dispute", finding.Dispute{}, nil)
	add("DisputePage", Page[finding.Dispute]{}, nil)
	add("DisputeCreate", DisputeInput{}, DisputeInput{Reason: finding.AlreadyFixed, Comment: "patched on 2 June; see change 4711"})
	add("DisputeDecision", DecisionInput{}, DecisionInput{Accept: true, Reason: "the rescan of 3 June no longer sees the service"})
}

// tokenActor names an API caller in disputes and the audit log.
func tokenActor(p auth.Principal) string {
	a := "token " + strconv.FormatInt(p.TokenID, 10)
	if p.Name != "" {
		a += " (" + p.Name + ")"
	}
	return a
}

func (s *Server) findingGet(c *call) (any, error) {
	id, err := c.pathID("fid")
	if err != nil {
		return nil, err
	}
	return s.store.FindingGet(c.ctx(), c.scope(), id)
}

func (s *Server) findingDispute(c *call) (any, error) {
	id, err := c.pathID("fid")
	if err != nil {
		return nil, err
	}
	var in DisputeInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	return s.app.CreateDispute(c.ctx(), c.scope(), finding.Dispute{FindingID: id, Reason: in.Reason, Comment: in.Comment})
}

// disputeFilter reads the dispute list's query (validated by the route).
func disputeFilter(get func(string) string, p keyset.Page) finding.DisputeFilter {
	return finding.DisputeFilter{State: finding.DisputeState(get("state")), Page: p}
}

func (s *Server) disputeList(c *call) (any, error) {
	p, limit, err := c.page()
	if err != nil {
		return nil, err
	}
	ds, err := s.store.DisputeList(c.ctx(), c.scope(), disputeFilter(c.query, p))
	if err != nil {
		return nil, err
	}
	return pageOf(ds, limit, func(d finding.Dispute) int64 { return d.ID }), nil
}

func (s *Server) disputeDecide(c *call) (any, error) {
	id, err := c.pathID("xid")
	if err != nil {
		return nil, err
	}
	var in DecisionInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	return s.app.DecideDispute(c.ctx(), c.scope(), id, in.Accept, in.Reason)
}

// findingView is a finding's page.
type findingView struct {
	Finding  finding.Finding
	Disputes []finding.Dispute
	Pending  bool
	Reasons  []finding.DisputeReason
}

func (s *Server) findingView(pc *pageCall) (findingView, error) {
	id, err := pc.pathID("fid")
	if err != nil {
		return findingView{}, err
	}
	f, err := s.store.FindingGet(pc.ctx(), pc.scope(), id)
	if err != nil {
		return findingView{}, err
	}
	ds, err := s.store.DisputeList(pc.ctx(), pc.scope(), finding.DisputeFilter{FindingID: id, Page: keyset.Page{Limit: 20}})
	if err != nil {
		return findingView{}, err
	}
	v := findingView{Finding: f, Disputes: ds, Reasons: finding.DisputeReasons()}
	for _, d := range ds {
		v.Pending = v.Pending || d.State == finding.DisputePending
	}
	return v, nil
}

func (s *Server) pageFinding(pc *pageCall) error {
	v, err := s.findingView(pc)
	if err != nil {
		return err
	}
	return pc.page("finding", "finding.title", v)
}

func (s *Server) pageFindingDispute(pc *pageCall) error {
	v, err := s.findingView(pc)
	if err != nil {
		return err
	}
	d := finding.Dispute{FindingID: v.Finding.ID, Reason: finding.DisputeReason(pc.form("reason")), Comment: pc.form("comment")}
	if _, err := s.app.CreateDispute(pc.ctx(), pc.scope(), d); err != nil {
		return pc.formError(err, "finding", "finding.title", v)
	}
	return pc.redirect(fmt.Sprintf("/orgs/%d/findings/%d?msg=finding.disputed", pc.org, v.Finding.ID))
}

// disputesView is the analysts' dispute queue.
type disputesView struct {
	listView[finding.Dispute]
	Orgs map[int64]string
}

func (s *Server) disputesView(pc *pageCall) (disputesView, error) {
	p, err := pc.pageParamsOf(50)
	if err != nil {
		return disputesView{}, err
	}
	f := disputeFilter(pc.query, p)
	if pc.r.Method != http.MethodGet || pc.r.URL.Query().Get("state") == "" {
		f.State = finding.DisputePending
	}
	ds, err := s.store.DisputeList(pc.ctx(), pc.scope(), f)
	if err != nil {
		return disputesView{}, err
	}
	v := disputesView{listView: listView[finding.Dispute]{Items: ds, State: string(f.State)}}
	v.Next = nextURL(pc, &v.Items, p, func(d finding.Dispute) int64 { return d.ID })
	var ids []int64
	for _, d := range v.Items {
		ids = append(ids, d.OrgID)
	}
	v.Orgs, err = s.store.OrgNames(pc.ctx(), pc.scope(), ids)
	return v, err
}

func (s *Server) pageDisputes(pc *pageCall) error {
	v, err := s.disputesView(pc)
	if err != nil {
		return err
	}
	return pc.page("disputes", "disputes.title", v)
}

func (s *Server) pageDisputeDecide(pc *pageCall) error {
	id, err := pc.pathID("xid")
	if err != nil {
		return err
	}
	var accept bool
	switch pc.form("decision") {
	case "accept":
		accept = true
	case "reject":
	default:
		return errs.FieldKeyed("decision", pc.form("decision"), "dispute.decision", "must be accept or reject")
	}
	if _, err := s.app.DecideDispute(pc.ctx(), pc.scope(), id, accept, pc.form("reason")); err != nil {
		v, verr := s.disputesView(pc)
		if verr != nil {
			return verr
		}
		var e *errs.Error
		if errors.As(err, &e) && e.Field == "reason" {
			err = keepKey(&errs.Error{Code: e.Code, Field: fmt.Sprintf("reason-%d", id), Message: e.Message, Err: err}, err)
		}
		return pc.formError(err, "disputes", "disputes.title", v)
	}
	return pc.redirect("/analyst/disputes?msg=disputes.decided")
}
