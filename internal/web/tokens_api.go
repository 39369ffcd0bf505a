// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"fmt"
	"net/http"

	"vigil/internal/auth"
	"vigil/internal/errs"
)

func (s *Server) tokenRoutes() []Route {
	const tag = "tokens"
	return []Route{
		{ID: "tokenCreate", Method: http.MethodPost, Path: "/api/v1/tokens", Tag: tag, Scope: auth.ScopeAdmin,
			Request: "TokenCreate", Response: "TokenCreated", Status: http.StatusCreated,
			Summary: "Create an API token; the secret is returned once", api: s.tokenCreate},
		{ID: "tokenRevoke", Method: http.MethodDelete, Path: "/api/v1/tokens/{tid}", Tag: tag, Scope: auth.ScopeAdmin,
			Summary: "Revoke an API token", api: s.tokenRevoke},
		{ID: "me", Method: http.MethodGet, Path: "/api/v1/me", Tag: tag,
			Response: "Me", Summary: "Who the token acts as", api: s.me},
	}
}

func (s *Server) tokenCreate(c *call) (any, error) {
	var in TokenInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.OrgID < 0 {
		return nil, errs.Field("org_id", in.OrgID, "not an organisation id")
	}
	if len(in.Name) > 200 {
		return nil, errs.Field("name", in.Name[:40]+"…", "longer than 200 characters")
	}
	for i, sc := range in.Scopes {
		switch sc {
		case auth.ScopeRead, auth.ScopeWrite, auth.ScopeAdmin:
		default:
			return nil, errs.Field(fmt.Sprintf("scopes[%d]", i), sc, "must be read, write or admin")
		}
	}
	scopes, err := auth.ParseScopes(auth.FormatScopes(in.Scopes))
	if err != nil {
		return nil, err
	}
	if in.OrgID != 0 {
		if err := s.store.OrgExists(c.ctx(), c.scope(), in.OrgID); err != nil {
			if errs.CodeOf(err) == errs.NotFound {
				return nil, errs.Field("org_id", in.OrgID, "no such organisation")
			}
			return nil, err
		}
	}
	t := auth.Token{OrgID: in.OrgID, Name: in.Name, Scopes: scopes}
	secret, err := s.store.TokenCreate(c.ctx(), c.scope(), &t)
	if err != nil {
		return nil, err
	}
	return TokenCreated{Token: t, Secret: secret}, nil
}

func (s *Server) tokenRevoke(c *call) (any, error) {
	id, err := c.pathID("tid")
	if err != nil {
		return nil, err
	}
	return nil, s.store.TokenRevoke(c.ctx(), c.scope(), id)
}

func (s *Server) me(c *call) (any, error) {
	return Me{TokenID: c.p.TokenID, OrgID: c.p.OrgID, Scopes: c.p.Scopes, Operator: c.p.Operator()}, nil
}
