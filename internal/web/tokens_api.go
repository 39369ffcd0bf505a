// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"

	"vigil/internal/app"
	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/tenant"
)

func (s *Server) tokenRoutes() []Route {
	const tag = "tokens"
	return []Route{
		{ID: "tokenCreate", Method: http.MethodPost, Path: "/api/v1/tokens", Tag: tag, Scope: auth.ScopeAdmin, Admin: true,
			Request: "TokenCreate", Response: "TokenCreated", Status: http.StatusCreated,
			Summary: "Create an API token; the secret is returned once", api: s.tokenCreate},
		{ID: "tokenRevoke", Method: http.MethodDelete, Path: "/api/v1/tokens/{tid}", Tag: tag, Scope: auth.ScopeAdmin, Admin: true,
			Summary: "Revoke an API token", api: s.deleteAPI("tid", (*app.App).RevokeToken)},
		{ID: "me", Method: http.MethodGet, Path: "/api/v1/me", Tag: tag,
			Response: "Me", Summary: "Who the token acts as", api: s.me},
	}
}

func (s *Server) tokenCreate(c *call) (any, error) {
	var in TokenInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	// A token made through the API belongs to the account that made the
	// calling token.
	return s.createToken(c.ctx(), c.scope(), in, c.p.Owner)
}

// createToken checks in, creates the token made by account by (0: none)
// and audits it; the secret is in the result only.
func (s *Server) createToken(ctx context.Context, sc tenant.Scope, in TokenInput, by int64) (TokenCreated, error) {
	for i, scope := range in.Scopes {
		if !slices.Contains(auth.Scopes(), scope) {
			return TokenCreated{}, errs.FieldKeyed(fmt.Sprintf("scopes[%d]", i), scope, "token.scope", "must be read, write, operate or admin")
		}
	}
	scopes, err := auth.ParseScopes(auth.FormatScopes(in.Scopes))
	if err != nil {
		return TokenCreated{}, err
	}
	days := auth.DefaultTokenDays
	if in.ExpiresDays != nil {
		days = *in.ExpiresDays
	}
	expires, err := auth.Expiry(s.store.Now(), days, "expires_days")
	if err != nil {
		return TokenCreated{}, err
	}
	t, secret, err := s.app.IssueToken(ctx, sc, auth.Token{OrgID: in.OrgID, Name: in.Name, Scopes: scopes, CreatedBy: by, Maker: in.Maker, ExpiresAt: expires})
	if err != nil {
		return TokenCreated{}, err
	}
	return TokenCreated{Token: t, Secret: secret}, nil
}

func (s *Server) me(c *call) (any, error) {
	return Me{TokenID: c.p.TokenID, OrgID: c.p.OrgID, Scopes: c.p.Scopes, Operator: c.p.Operator(), Maker: c.p.Maker}, nil
}
