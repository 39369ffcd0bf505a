// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/keyset"
)

// tokenPageRoutes are the administrators' API token pages (list, create
// with the secret shown once, revoke) and the token list of the API.
func (s *Server) tokenPageRoutes() []Route {
	const tag = "portal"
	return []Route{
		{ID: "tokenList", Method: http.MethodGet, Path: "/api/v1/tokens", Tag: "tokens", Scope: auth.ScopeAdmin, Admin: true, Query: pageParams(),
			Response: "TokenPage", Summary: "API tokens, revoked ones included (never their secrets)", api: s.tokenList},
		{ID: "pageTokens", Method: http.MethodGet, Path: "/admin/tokens", Tag: tag, Role: account.RoleAdmin, API: "tokenList",
			Summary: "API tokens with their scopes", page: s.pageTokens},
		{ID: "pageTokenCreate", Method: http.MethodPost, Path: "/admin/tokens", Tag: tag, Role: account.RoleAdmin, API: "tokenCreate",
			Summary: "Create an API token; its secret is shown once", page: s.pageTokenCreate},
		{ID: "pageTokenRevoke", Method: http.MethodPost, Path: "/admin/tokens/{tid}/revoke", Tag: tag, Role: account.RoleAdmin, API: "tokenRevoke",
			Summary: "Revoke an API token", page: s.deletePage("tid", (*app.App).RevokeToken, "/admin/tokens?msg=tokens.revoked")},
	}
}

// tokenPageSchemas registers the schemas of tokenPageRoutes.
func tokenPageSchemas(add func(name string, v, example any)) {
	add("TokenPage", Page[auth.Token]{}, nil)
}

func (s *Server) tokenList(c *call) (any, error) {
	pg, limit, err := c.page()
	if err != nil {
		return nil, err
	}
	ts, err := s.store.TokenList(c.ctx(), c.scope(), pg)
	if err != nil {
		return nil, err
	}
	return pageOf(ts, limit, func(t auth.Token) int64 { return t.ID }), nil
}

// tokensView is the token page: the tokens, the form and, right after a
// creation, the new secret.
type tokensView struct {
	Tokens  []auth.Token
	Scopes  []auth.Scope
	Form    url.Values
	Created *TokenCreated
	// Lifetimes are the expiries the form offers, in days (0: never).
	Lifetimes []int
	// Now is when the page was made: a token whose expiry is before it
	// shows as expired.
	Now time.Time
}

// tokenLifetimes are the lifetimes the tokens page offers, in days; 0 is
// a token that never expires. The API takes any from 0 to
// auth.MaxTokenDays.
func tokenLifetimes() []int { return []int{30, auth.DefaultTokenDays, 365, 0} }

// Lifetime is the lifetime the form shows chosen: the one sent, else the
// default.
func (v tokensView) Lifetime() string {
	if d := v.Form.Get("expires_days"); d != "" {
		return d
	}
	return strconv.Itoa(auth.DefaultTokenDays)
}

// Expired reports whether t's expiry has passed.
func (v tokensView) Expired(t auth.Token) bool {
	return t.ExpiresAt != nil && !t.ExpiresAt.After(v.Now)
}

// Has reports whether the form asked for scope sc.
func (v tokensView) Has(sc auth.Scope) bool {
	for _, x := range v.Form["scopes"] {
		if x == string(sc) {
			return true
		}
	}
	return false
}

func (s *Server) tokensView(pc *pageCall) (tokensView, error) {
	ts, err := s.store.TokenList(pc.ctx(), pc.scope(), keyset.Page{Limit: 500})
	return tokensView{Tokens: ts, Scopes: auth.Scopes(), Form: pc.r.PostForm, Lifetimes: tokenLifetimes(), Now: s.store.Now()}, err
}

func (s *Server) pageTokens(pc *pageCall) error {
	v, err := s.tokensView(pc)
	if err != nil {
		return err
	}
	return pc.page("tokens", "tokens.title", v)
}

func (s *Server) pageTokenCreate(pc *pageCall) error {
	in := TokenInput{Name: pc.form("name")}
	err := func() error {
		if in.Name == "" {
			return errs.FieldKeyed("name", "", "token.name", "give the token a name (what uses it)")
		}
		if v := pc.form("org_id"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return errs.FieldKeyed("org_id", v, "token.org", "an organisation number, or empty for an operator token")
			}
			in.OrgID = n
		}
		for _, sc := range pc.r.PostForm["scopes"] {
			in.Scopes = append(in.Scopes, auth.Scope(sc))
		}
		if len(in.Scopes) == 0 {
			return errs.FieldKeyed("scopes", "", "token.scopes", "choose at least one scope")
		}
		if v := pc.form("expires_days"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return errs.FieldKeyed("expires_days", v, "token.expires", "a number of days from 1 to 3650, or 0 for a token that never expires")
			}
			in.ExpiresDays = &n
		}
		// A checkbox sends "on" when ticked and nothing when not.
		switch v := pc.form("maker"); v {
		case "on":
			in.Maker = true
		case "":
		default:
			return errs.FieldKeyed("maker", v, "settings.box", "tick the box or leave it empty")
		}
		return nil
	}()
	var created TokenCreated
	if err == nil {
		created, err = s.createToken(pc.ctx(), pc.scope(), in, pc.user.ID)
	}
	if err != nil {
		var e *errs.Error
		if errors.As(err, &e) && strings.HasPrefix(e.Field, "scopes[") {
			e.Field = "scopes"
		}
		v, verr := s.tokensView(pc)
		if verr != nil {
			return verr
		}
		return pc.formError(err, "tokens", "tokens.title", v)
	}
	v, err := s.tokensView(pc)
	if err != nil {
		return err
	}
	v.Created, v.Form = &created, nil
	return pc.render(http.StatusCreated, "tokens", "tokens.title", v, nil)
}
