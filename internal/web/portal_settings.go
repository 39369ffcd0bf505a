// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"net/http"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/auth"
	"vigil/internal/errs"
)

// settingsRoutes are the administrators' settings: what the service lets
// them change while it runs (app.Settings), on a page and in the API.
func (s *Server) settingsRoutes() []Route {
	const tag = "settings"
	return []Route{
		{ID: "settingsGet", Method: http.MethodGet, Path: "/api/v1/settings", Tag: tag, Scope: auth.ScopeAdmin, Admin: true,
			Response: "Settings", Summary: "The settings administrators change while the service runs", api: s.settingsGet},
		{ID: "settingsSet", Method: http.MethodPut, Path: "/api/v1/settings", Tag: tag, Scope: auth.ScopeAdmin, Admin: true,
			Request: "Settings", Response: "Settings", Summary: "Change the settings (recorded in the audit log with before and after)", api: s.settingsSet},
		{ID: "pageSettings", Method: http.MethodGet, Path: "/admin/settings", Tag: "portal", Role: account.RoleAdmin, API: "settingsGet",
			Summary: "The settings administrators change while the service runs", page: s.pageSettings},
		{ID: "pageSettingsPost", Method: http.MethodPost, Path: "/admin/settings", Tag: "portal", Role: account.RoleAdmin, API: "settingsSet",
			Summary: "Change the settings", page: s.pageSettingsPost},
	}
}

// settingsSchemas registers the schemas of settingsRoutes.
func settingsSchemas(add func(name string, v, example any)) {
	add("Settings", app.Settings{}, app.Settings{SignupOpen: true})
}

func (s *Server) settingsGet(c *call) (any, error) { return s.app.Settings(c.ctx()) }

func (s *Server) settingsSet(c *call) (any, error) {
	var in app.Settings
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	return s.app.SetSettings(c.ctx(), in)
}

// settingsView is the settings page: the settings as stored, or as the
// refused form sent them, and what the service was started with.
type settingsView struct {
	Settings app.Settings
	Version  string
	BaseURL  string
}

func (s *Server) pageSettings(pc *pageCall) error {
	cur, err := s.app.Settings(pc.ctx())
	if err != nil {
		return err
	}
	return pc.page("settings", "settings.title", settingsView{Settings: cur, Version: s.version, BaseURL: s.baseURL})
}

// pageSettingsPost stores the form's settings. A checkbox sends "on" when
// ticked and nothing when not; any other value is refused naming it.
func (s *Server) pageSettingsPost(pc *pageCall) error {
	in := app.Settings{}
	switch v := pc.form("signup_open"); v {
	case "on":
		in.SignupOpen = true
	case "":
	default:
		return pc.formError(errs.FieldKeyed("signup_open", v, "settings.box", "tick the box or leave it empty"), "settings", "settings.title",
			settingsView{Settings: in, Version: s.version, BaseURL: s.baseURL})
	}
	if _, err := s.app.SetSettings(pc.ctx(), in); err != nil {
		return err
	}
	return pc.redirect("/admin/settings?msg=settings.saved")
}
