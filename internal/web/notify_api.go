// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"net/http"
	"strings"
	"time"

	"vigil/internal/app"
	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/notify"
)

// BounceInput reports an address whose mail bounced: the address, or the
// bounce message (an RFC 3464 delivery status notification).
type BounceInput struct {
	Address string `json:"address,omitempty"`
	DSN     string `json:"dsn,omitempty"`
}

// notifyRoutes are the notice, bounce, delivery and statistics routes (in
// Server.table; their schemas come from notifySchemas).
func (s *Server) notifyRoutes() []Route {
	const tag = "notices"
	return []Route{
		{ID: "noticeList", Method: http.MethodGet, Path: OrgPath + "/notices", Tag: tag, Scope: auth.ScopeRead,
			Query: pageParams(), Response: "NoticePage", Summary: "The organisation's notices (warnings sent to it)", api: s.noticeList},
		{ID: "noticeAck", Method: http.MethodPost, Path: OrgPath + "/notices/{nid}/ack", Tag: tag, Scope: auth.ScopeWrite, OwnAct: true,
			Response: "Notice", Summary: "Acknowledge a notice (the first acknowledgement is kept)", api: s.noticeAck},
		{ID: "noticeReplies", Method: http.MethodGet, Path: OrgPath + "/notices/{nid}/replies", Tag: tag, Scope: auth.ScopeRead,
			Response: "ReplyList", Summary: "The answers to a notice that came back by e-mail naming its ticket (automatic replies and bounces are not answers)", api: s.noticeReplies},
		{ID: "bounceReport", Method: http.MethodPost, Path: "/api/v1/bounces", Tag: tag, Scope: auth.ScopeAdmin,
			Request: "BounceReport", Response: "BounceResultList",
			Summary: "Report a bounced address or a bounce message: contacts are marked and unsent mail to them stops", api: s.bounceReport},
		{ID: "suppressionList", Method: http.MethodGet, Path: "/api/v1/suppressions", Tag: tag, Scope: auth.ScopeAdmin,
			Query: pageParams(), Response: "SuppressionPage", Summary: "The suppression list: addresses that get nothing more (opted out, bounced, listed by an analyst)", api: s.suppressionList},
		{ID: "suppressionAdd", Method: http.MethodPost, Path: "/api/v1/suppressions", Tag: tag, Scope: auth.ScopeAdmin,
			Request: "SuppressionAdd", Response: "Suppressed", Status: http.StatusCreated,
			Summary: "Put an address on the suppression list: unsent mail to it ends as suppressed", api: s.suppressionAdd},
		{ID: "suppressionRemove", Method: http.MethodPost, Path: "/api/v1/suppressions/remove", Tag: tag, Scope: auth.ScopeAdmin,
			Request: "SuppressionAdd", Response: "Suppression", Summary: "Take an address off the suppression list", api: s.suppressionRemove},
		{ID: "outboxList", Method: http.MethodGet, Path: "/api/v1/outbox", Tag: tag, Scope: auth.ScopeAdmin,
			Query:    append(pageParams(), Param{Name: "state", Type: "string", Enum: outboxStates, Description: "only deliveries in this state"}),
			Response: "OutboxPage", Summary: "Deliveries (outbox rows); state=unknown lists the e-mails whose outcome an operator must settle", api: s.outboxList},
		{ID: "outboxResolve", Method: http.MethodPost, Path: "/api/v1/outbox/{oid}/resolve", Tag: tag, Scope: auth.ScopeAdmin,
			Request: "OutboxResolve", Response: "OutboxResolved",
			Summary: "Settle a delivery of unknown outcome: the recipient has it (sent) or send it again (resend)", api: s.outboxResolve},
		{ID: "notifyStats", Method: http.MethodGet, Path: "/api/v1/stats", Tag: tag, Scope: auth.ScopeAdmin,
			Query: []Param{{Name: "since", Type: "string", Description: "only notices created since this date (2025-06-01) or RFC 3339 time"},
				{Name: "period", Type: "string", Enum: []string{"day", "week", "month"}, Description: "also per period"}},
			Response: "Stats", Summary: "Per trigger: organisations warned, notices sent/failed/acknowledged, reaction times", api: s.notifyStats},
	}
}

// notifySchemas registers the schemas of notifyRoutes.
func notifySchemas(add func(name string, v, example any)) {
	add("Notice", notify.Notice{}, nil)
	add("NoticePage", Page[notify.Notice]{}, nil)
	add("Reply", notify.Reply{}, nil)
	add("ReplyList", List[notify.Reply]{}, nil)
	add("BounceReport", BounceInput{}, BounceInput{Address: "security@drinkwater-oost.example"})
	add("BounceResult", app.BounceResult{}, nil)
	add("BounceResultList", List[app.BounceResult]{}, nil)
	add("Stats", notify.Stats{}, nil)
	add("OutboxEntry", notify.OutboxEntry{}, nil)
	add("Suppression", notify.Suppression{}, nil)
	add("SuppressionPage", Page[notify.Suppression]{}, nil)
	add("SuppressionAdd", SuppressionInput{}, SuppressionInput{Address: "security@drinkwater-oost.example", Reason: "asked by telephone"})
	add("Suppressed", app.Suppressed{}, nil)
	add("OutboxPage", Page[notify.OutboxEntry]{}, nil)
	add("OutboxResolve", OutboxResolveInput{}, OutboxResolveInput{Outcome: "sent"})
	add("OutboxResolved", OutboxResolved{}, nil)
}

// outboxStates are the states a delivery can be listed by.
var outboxStates = []string{string(notify.OutboxPending), string(notify.OutboxSending), string(notify.OutboxSent),
	string(notify.OutboxFailed), string(notify.OutboxDead), string(notify.OutboxUnknown), string(notify.OutboxSuppressed)}

// OutboxResolveInput settles a delivery whose outcome is unknown: "sent"
// (the recipient has it) or "resend" (send it again now).
type OutboxResolveInput struct {
	Outcome string `json:"outcome"`
}

// OutboxResolved is the state a settled delivery is in.
type OutboxResolved struct {
	ID    int64              `json:"id"`
	State notify.OutboxState `json:"state"`
}

func (s *Server) noticeReplies(c *call) (any, error) {
	id, err := c.pathID("nid")
	if err != nil {
		return nil, err
	}
	rs, err := s.app.NoticeReplies(c.ctx(), c.scope(), id)
	if err != nil {
		return nil, err
	}
	return List[notify.Reply]{Items: rs}, nil
}

func (s *Server) outboxList(c *call) (any, error) {
	p, limit, err := c.page()
	if err != nil {
		return nil, err
	}
	// The route's enum has checked state.
	rows, err := s.store.OutboxList(c.ctx(), c.scope(), notify.OutboxState(c.query("state")), p)
	if err != nil {
		return nil, err
	}
	return pageOf(rows, limit, func(r notify.OutboxEntry) int64 { return r.ID }), nil
}

func (s *Server) outboxResolve(c *call) (any, error) {
	id, err := c.pathID("oid")
	if err != nil {
		return nil, err
	}
	var in OutboxResolveInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	out := OutboxResolved{ID: id}
	switch in.Outcome {
	case "sent":
		out.State = notify.OutboxSent
	case "resend":
		out.State = notify.OutboxPending
	default:
		return nil, errs.FieldKeyed("outcome", in.Outcome, "outbox.outcome", "must be sent or resend")
	}
	if _, err := s.app.OutboxResolve(c.ctx(), id, in.Outcome == "sent"); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Server) noticeList(c *call) (any, error) {
	p, limit, err := c.page()
	if err != nil {
		return nil, err
	}
	ns, err := s.store.NoticeList(c.ctx(), c.scope(), notify.NoticeFilter{Page: p})
	if err != nil {
		return nil, err
	}
	return pageOf(ns, limit, func(n notify.Notice) int64 { return n.ID }), nil
}

func (s *Server) noticeAck(c *call) (any, error) {
	nid, err := c.pathID("nid")
	if err != nil {
		return nil, err
	}
	return s.app.AckNotice(c.ctx(), c.scope(), nid)
}

// bounceReport is the application layer's bounce flow, as the CLI's.
func (s *Server) bounceReport(c *call) (any, error) {
	var in BounceInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	r := app.BounceReport{Address: in.Address}
	if in.DSN != "" {
		r.DSN = strings.NewReader(in.DSN)
	}
	out, err := s.app.Bounce(c.ctx(), r)
	if err != nil {
		return nil, err
	}
	return List[app.BounceResult]{Items: out}, nil
}

// SuppressionInput puts an address on the suppression list.
type SuppressionInput struct {
	Address string `json:"address"`
	Reason  string `json:"reason,omitempty"`
}

func (s *Server) suppressionList(c *call) (any, error) {
	p, limit, err := c.page()
	if err != nil {
		return nil, err
	}
	l, err := s.app.SuppressionList(c.ctx(), p)
	if err != nil {
		return nil, err
	}
	return pageOf(l, limit, func(x notify.Suppression) int64 { return x.ID }), nil
}

func (s *Server) suppressionAdd(c *call) (any, error) {
	var in SuppressionInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	return s.app.SuppressionAdd(c.ctx(), tokenActor(c.p), notify.SuppressAnalyst, in.Address, in.Reason)
}

func (s *Server) suppressionRemove(c *call) (any, error) {
	var in SuppressionInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	return s.app.SuppressionRemove(c.ctx(), tokenActor(c.p), in.Address)
}

func (s *Server) notifyStats(c *call) (any, error) {
	var since time.Time
	if v := c.query("since"); v != "" {
		var err error
		if since, err = time.Parse(time.DateOnly, v); err != nil {
			if since, err = time.Parse(time.RFC3339, v); err != nil {
				return nil, errs.Keyed(codeBadRequest, "since", "time.date", "%q: must be a date (2025-06-01) or an RFC 3339 time", v)
			}
		}
	}
	return notify.LoadStats(c.ctx(), s.store, c.scope(), since, notify.Period(c.query("period")))
}
