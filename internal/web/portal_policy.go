// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"vigil/internal/errs"
	"vigil/internal/registry"
)

// policyRoutes are a member's notification policy form and its save; the
// API twins are GET and PATCH /api/v1/orgs/{id}.
func (s *Server) policyRoutes() []Route {
	const tag = "portal"
	return []Route{
		{ID: "pagePolicy", Method: http.MethodGet, Path: PagePath + "/policy", Tag: tag, API: "orgGet",
			Summary: "The organisation's notification policy", page: s.pagePolicy},
		{ID: "pagePolicySave", Method: http.MethodPost, Path: PagePath + "/policy", Tag: tag, API: "orgUpdate",
			Summary: "Change the notification policy", page: s.pagePolicySave},
	}
}

// policyView is the policy form.
type policyView struct {
	Policy     registry.Policy
	Modes      []string
	Severities []string
}

// HasChannel reports whether the policy sends through channel c (no
// channel: e-mail).
func (v policyView) HasChannel(c string) bool {
	if len(v.Policy.Channels) == 0 {
		return c == "email"
	}
	return slices.Contains(v.Policy.Channels, c)
}

func newPolicyView(p registry.Policy) policyView {
	return policyView{Policy: p, Modes: []string{"immediate", "daily", "weekly"}, Severities: []string{"info", "low", "medium", "high", "critical"}}
}

func (s *Server) pagePolicy(pc *pageCall) error {
	o, err := s.store.OrgGet(pc.ctx(), pc.scope(), pc.org)
	if err != nil {
		return err
	}
	return pc.page("policy", "policy.title", newPolicyView(o.Policy))
}

func (s *Server) pagePolicySave(pc *pageCall) error {
	o, err := s.store.OrgGet(pc.ctx(), pc.scope(), pc.org)
	if err != nil {
		return err
	}
	p := o.Policy // finding types and the cap are kept
	p.Mode, p.MinSeverity = pc.form("mode"), pc.form("min_severity")
	p.WebhookURL, p.RenotifyAfter = pc.form("webhook_url"), pc.form("renotify_after")
	p.Channels = []string{} // none ticked is refused, not taken for e-mail
	for _, c := range pc.r.PostForm["channels"] {
		p.Channels = append(p.Channels, strings.TrimSpace(c))
	}
	if _, err = s.app.PatchOrg(pc.ctx(), pc.scope(), pc.org, registry.OrgUpdate{Policy: &p}); err != nil {
		var e *errs.Error
		if errors.As(err, &e) {
			e.Field = strings.TrimPrefix(e.Field, "policy.")
		}
		return pc.formError(err, "policy", "policy.title", newPolicyView(p))
	}
	return pc.redirect(fmt.Sprintf("/orgs/%d/policy?msg=policy.saved", pc.org))
}
