// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"net/http"

	"vigil/internal/account"
	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/tenant"
)

// UserInput is the body of POST /api/v1/users: a portal account.
type UserInput struct {
	Email    string            `json:"email"`
	Name     string            `json:"name,omitempty"`
	Lang     string            `json:"lang,omitempty"`
	Role     account.Role      `json:"role,omitempty"`
	Password string            `json:"password"`
	Orgs     []MembershipInput `json:"orgs,omitempty"`
}

// MembershipInput grants a user a role in an organisation.
type MembershipInput struct {
	OrgID int64        `json:"org_id"`
	Role  account.Role `json:"role,omitempty"`
}

func (s *Server) userRoutes() []Route {
	const tag = "accounts"
	return []Route{
		{ID: "userList", Method: http.MethodGet, Path: "/api/v1/users", Tag: tag, Scope: auth.ScopeAdmin, Admin: true,
			Response: "UserList", Summary: "Portal accounts with their roles and organisations", api: s.userList},
		{ID: "userCreate", Method: http.MethodPost, Path: "/api/v1/users", Tag: tag, Scope: auth.ScopeAdmin, Admin: true,
			Request: "UserCreate", Response: "User", Status: http.StatusCreated,
			Summary: "Create a portal account (staff accounts enrol a second factor at their first sign-in)", api: s.userCreate},
		{ID: "userRole", Method: http.MethodPost, Path: "/api/v1/users/{uid}/role", Tag: tag, Scope: auth.ScopeAdmin, Admin: true,
			Request: "UserRole", Response: "User",
			Summary: "Change an account's role (admin, analyst, or member for none; memberships stay; the last active administrator cannot be demoted)", api: s.userRole},
		{ID: "userDisable", Method: http.MethodPost, Path: "/api/v1/users/{uid}/disable", Tag: tag, Scope: auth.ScopeAdmin, Admin: true,
			Response: "User",
			Summary:  "Disable an account: it cannot sign in, its sessions and reset links end (not the last active administrator)", api: s.userDisable},
		{ID: "userEnable", Method: http.MethodPost, Path: "/api/v1/users/{uid}/enable", Tag: tag, Scope: auth.ScopeAdmin, Admin: true,
			Response: "User", Summary: "Enable a disabled account", api: s.userEnable},
		{ID: "userTOTPReset", Method: http.MethodPost, Path: "/api/v1/users/{uid}/totp/reset", Tag: tag, Scope: auth.ScopeAdmin, Admin: true,
			Response: "User",
			Summary:  "Reset a lost second factor: the account's sessions end and it enrols a new one at its next sign-in (not an administrator's own)", api: s.userTOTPReset},
	}
}

// userSchemas registers the schemas of userRoutes.
func userSchemas(add func(name string, v, example any)) {
	add("User", account.User{}, nil)
	add("UserList", List[account.User]{}, nil)
	add("Membership", account.Membership{}, nil)
	add("UserRole", UserRole{}, UserRole{Role: account.RoleAnalyst})
	add("UserCreate", UserInput{}, UserInput{Email: "analyst@cert.example", Name: "A. Analyst", Lang: "nl",
		Role: account.RoleAnalyst, Password: "correct horse battery staple"})
}

func (s *Server) userList(c *call) (any, error) {
	us, err := s.store.UserList(c.ctx())
	if err != nil {
		return nil, err
	}
	if us == nil {
		us = []account.User{}
	}
	return List[account.User]{Items: us}, nil
}

func (s *Server) userCreate(c *call) (any, error) {
	var in UserInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	u, err := s.createUser(c.ctx(), c.scope(), in)
	if err != nil {
		return nil, err
	}
	c.location("/api/v1/users/%d", u.ID)
	return u, nil
}

// UserRole is the body of a role change.
type UserRole struct {
	// Role is admin, analyst, or member for no staff role.
	Role account.Role `json:"role"`
}

func (s *Server) userRole(c *call) (any, error) {
	var in UserRole
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	id, err := c.pathID("uid")
	if err != nil {
		return nil, err
	}
	return s.app.SetUserRole(c.ctx(), c.p.UserID, id, string(in.Role))
}

func (s *Server) userDisable(c *call) (any, error) { return s.userSetDisabled(c, true) }

func (s *Server) userEnable(c *call) (any, error) { return s.userSetDisabled(c, false) }

// userSetDisabled disables or enables account {uid} (audited).
func (s *Server) userSetDisabled(c *call, disabled bool) (any, error) {
	id, err := c.pathID("uid")
	if err != nil {
		return nil, err
	}
	return s.app.SetUserDisabled(c.ctx(), c.p.UserID, id, disabled)
}

// userTOTPReset resets the second factor of account {uid} (audited).
func (s *Server) userTOTPReset(c *call) (any, error) {
	id, err := c.pathID("uid")
	if err != nil {
		return nil, err
	}
	return s.app.ResetUserTOTP(c.ctx(), c.p.UserID, id)
}

// createUser validates memberships (naming their index) and creates the
// account; the portal's form and the API share it.
func (s *Server) createUser(ctx context.Context, sc tenant.Scope, in UserInput) (account.User, error) {
	n := account.NewUser{Email: in.Email, Name: in.Name, Lang: in.Lang, Role: in.Role, Password: in.Password}
	for i, m := range in.Orgs {
		r, err := account.ParseOrgRole(string(m.Role))
		if err != nil {
			return account.User{}, inField(err, fmt.Sprintf("orgs[%d].", i), map[string]string{"org_role": "role"})
		}
		if err := s.store.OrgExists(ctx, sc, m.OrgID); err != nil {
			if errs.CodeOf(err) == errs.NotFound {
				return account.User{}, errs.FieldKeyed(fmt.Sprintf("orgs[%d].org_id", i), m.OrgID, "org.none", "no such organisation")
			}
			return account.User{}, err
		}
		n.Orgs = append(n.Orgs, account.Membership{OrgID: m.OrgID, Role: r})
	}
	return s.app.CreateUser(ctx, n, nil)
}
