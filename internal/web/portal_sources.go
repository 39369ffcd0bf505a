// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"vigil/internal/account"
	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/source"
)

// sourceRoutes are the analysts' page of the scheduled sources
// (internal/source, `vigil source …`) and its API twins: list, add (with
// credentials that are never shown back), pause, resume and run now.
func (s *Server) sourceRoutes() []Route {
	const tag = "portal"
	return []Route{
		{ID: "pageSources", Method: http.MethodGet, Path: "/analyst/sources", Tag: tag, Role: account.RoleAnalyst, API: "sourceList",
			Summary: "Scheduled sources: schedule, last success and error, what the last run produced", page: s.pageSources},
		{ID: "pageSourceAdd", Method: http.MethodPost, Path: "/analyst/sources", Tag: tag, Role: account.RoleAnalyst, API: "sourceCreate",
			Summary: "Register a scheduled source", page: s.pageSourceAdd},
		{ID: "pageSourcePause", Method: http.MethodPost, Path: "/analyst/sources/{src}/pause", Tag: tag, Role: account.RoleAnalyst, API: "sourcePause",
			Summary: "Pause a source", page: s.pageSourceAct("pause")},
		{ID: "pageSourceResume", Method: http.MethodPost, Path: "/analyst/sources/{src}/resume", Tag: tag, Role: account.RoleAnalyst, API: "sourceResume",
			Summary: "Resume a paused source", page: s.pageSourceAct("resume")},
		{ID: "pageSourceRun", Method: http.MethodPost, Path: "/analyst/sources/{src}/run", Tag: tag, Role: account.RoleAnalyst, API: "sourceRun",
			Summary: "Run a source at the next sweep", page: s.pageSourceAct("run")},

		{ID: "sourceList", Method: http.MethodGet, Path: "/api/v1/sources", Tag: "sources", Scope: auth.ScopeAdmin,
			Response: "SourceInfoList", Summary: "The scheduled sources with their state and what each last run produced (never their credentials)", api: s.sourceList},
		{ID: "sourceCreate", Method: http.MethodPost, Path: "/api/v1/sources", Tag: "sources", Scope: auth.ScopeAdmin,
			Request: "SourceCreate", Response: "SourceInfo", Status: http.StatusCreated,
			Summary: "Register a scheduled source (kev, epss, shadowserver, nvd, osv or csaf at a URL; a watched directory or maildir only with `vigil source add`); its credentials are sealed and never returned", api: s.sourceCreate},
		{ID: "sourcePause", Method: http.MethodPost, Path: "/api/v1/sources/{src}/pause", Tag: "sources", Scope: auth.ScopeAdmin,
			Response: "SourceInfo", Summary: "Stop running a source on its schedule", api: s.sourceAct("pause")},
		{ID: "sourceResume", Method: http.MethodPost, Path: "/api/v1/sources/{src}/resume", Tag: "sources", Scope: auth.ScopeAdmin,
			Response: "SourceInfo", Summary: "Run a paused source on its schedule again (due at once)", api: s.sourceAct("resume")},
		{ID: "sourceRun", Method: http.MethodPost, Path: "/api/v1/sources/{src}/run", Tag: "sources", Scope: auth.ScopeAdmin,
			Response: "SourceInfo", Status: http.StatusAccepted,
			Summary: "Run a source now: it is due at once and the next sweep (within a minute) runs it on a node of the queue; a paused source is refused (409)", api: s.sourceAct("run")},
	}
}

// SourceInfo is a scheduled source as the portal and the API show it:
// whether it has credentials, never them.
type SourceInfo struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Kind is kev, epss, dir, shadowserver, nvd, csaf, maildir or osv.
	Kind string `json:"kind"`
	URL  string `json:"url"`
	// Every, Expect and AlertAfter are Go durations ("24h"); Expect "0s":
	// no data is expected (no silence alert).
	Every          string     `json:"every"`
	Expect         string     `json:"expect"`
	AlertAfter     string     `json:"alert_after"`
	Paused         bool       `json:"paused"`
	HasCredentials bool       `json:"has_credentials"`
	NextRun        time.Time  `json:"next_run"`
	LastRun        *time.Time `json:"last_run,omitempty"`
	LastSuccess    *time.Time `json:"last_success,omitempty"`
	LastData       *time.Time `json:"last_data,omitempty"`
	LastError      string     `json:"last_error,omitempty"`
	// Failures counts the failed runs since the last success.
	Failures int        `json:"failures"`
	Alerted  *time.Time `json:"alerted,omitempty"`
	Created  time.Time  `json:"created"`
	// Produced is what the newest run brought; absent when it never ran.
	Produced *SourceProduced `json:"produced,omitempty"`
}

// SourceProduced is what one run of a source produced.
type SourceProduced struct {
	Run     int64     `json:"run"`
	Started time.Time `json:"started"`
	// State is running, ok or failed.
	State string `json:"state"`
	// Files are the names of the new files ingested; Skipped counts those
	// ingested before.
	Files      []string `json:"files"`
	Skipped    int      `json:"skipped"`
	Rows       int64    `json:"rows"`
	Findings   int64    `json:"findings"`
	Advisories int      `json:"advisories,omitempty"`
}

// SourceInput is the body of POST /api/v1/sources. Key and Secret are the
// credentials (the Shadowserver API key and secret; NVD: an API key):
// written, sealed and never shown again.
type SourceInput struct {
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	URL        string `json:"url"`
	Every      string `json:"every,omitempty"`
	Expect     string `json:"expect,omitempty"`
	AlertAfter string `json:"alert_after,omitempty"`
	Key        string `json:"key,omitempty"`
	Secret     string `json:"secret,omitempty"`
}

// sourceSchemas registers the schemas of sourceRoutes.
func sourceSchemas(add func(name string, v, example any)) {
	add("SourceInfo", SourceInfo{}, nil)
	add("SourceProduced", SourceProduced{}, nil)
	add("SourceInfoList", List[SourceInfo]{}, nil)
	add("SourceCreate", SourceInput{}, SourceInput{Name: "kev", Kind: "kev", URL: "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json",
		Every: "6h", Expect: "24h"})
}

// portalKinds are the kinds a source may be added with through the portal
// and the API: a URL. A watched directory or maildir names a path on the
// server, which only an operator at the server registers.
var portalKinds = []source.Kind{source.KindKEV, source.KindEPSS, source.KindShadowserver, source.KindNVD, source.KindOSV, source.KindCSAF}

// source turns the input into a source, naming the field of bad input.
func (in SourceInput) source() (source.Source, error) {
	src := source.Source{Name: strings.TrimSpace(in.Name), Kind: source.Kind(strings.TrimSpace(in.Kind)), URL: strings.TrimSpace(in.URL),
		Credentials: source.Credentials{Key: strings.TrimSpace(in.Key), Secret: strings.TrimSpace(in.Secret)}}
	if !slices.Contains(portalKinds, src.Kind) {
		if src.Kind == source.KindDir || src.Kind == source.KindMaildir {
			return src, errs.FieldKeyed("kind", string(src.Kind), "source.kind", "a watched directory or maildir is registered on the server with `vigil source add`")
		}
		return src, errs.FieldKeyed("kind", string(src.Kind), "source.kinds", "one of %v", portalKinds)
	}
	for _, d := range []struct {
		field, v string
		to       *source.Duration
	}{{"every", in.Every, &src.Every}, {"expect", in.Expect, &src.Expect}, {"alert_after", in.AlertAfter, &src.AlertAfter}} {
		v := strings.TrimSpace(d.v)
		if v == "" {
			continue
		}
		p, err := time.ParseDuration(v)
		if err != nil || p < 0 {
			return src, errs.FieldKeyed(d.field, v, "duration.invalid", "not a duration (e.g. 1h, 24h, 36h)")
		}
		*d.to = source.Duration(p)
	}
	if src.Credentials.Key == "" && src.Credentials.Secret != "" {
		return src, errs.FieldKeyed("key", "", "source.key", "a secret needs its key")
	}
	return src, nil
}

// addSource validates and registers a source; the credentials are sealed
// by the application layer and never come back.
func (s *Server) addSource(ctx context.Context, in SourceInput) (source.Source, error) {
	src, err := in.source()
	if err != nil {
		return src, err
	}
	out, err := s.app.SourceAdd(ctx, src)
	var e *errs.Error
	if errors.As(err, &e) && e.Field == "credentials" {
		err = keepKey(&errs.Error{Code: e.Code, Field: "key", Message: e.Message, Err: err}, err)
	}
	return out, err
}

// sourceInfo is src with what its newest run produced.
func (s *Server) sourceInfo(ctx context.Context, src source.Source) (SourceInfo, error) {
	out := SourceInfo{ID: src.ID, Name: src.Name, Kind: string(src.Kind), URL: src.URL, Every: shortDuration(src.Every), Expect: shortDuration(src.Expect),
		AlertAfter: shortDuration(src.AlertAfter), Paused: src.Paused, HasCredentials: src.HasCredentials, NextRun: src.NextRun,
		LastRun: src.LastRun, LastSuccess: src.LastSuccess, LastData: src.LastData, LastError: src.LastError, Failures: src.Failures,
		Alerted: src.Alerted, Created: src.Created}
	run, ok, err := s.app.SourceLastRun(ctx, src.ID)
	if err != nil || !ok {
		return out, err
	}
	p := &SourceProduced{Run: run.ID, Started: run.Started, State: run.State, Files: []string{}, Skipped: run.Skipped, Advisories: run.Advisories}
	for _, f := range run.Files {
		p.Files = append(p.Files, f.Name)
		p.Rows += f.Rows
		p.Findings += f.Findings
	}
	out.Produced = p
	return out, nil
}

// shortDuration writes d as Go does without zero minutes and seconds at
// the end ("6h", "1h30m", "90s"; "0s" for none).
func shortDuration(d source.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// sourceInfos lists every source with what its newest run produced.
func (s *Server) sourceInfos(ctx context.Context) ([]SourceInfo, error) {
	srcs, err := s.app.Sources(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]SourceInfo, 0, len(srcs))
	for _, src := range srcs {
		si, err := s.sourceInfo(ctx, src)
		if err != nil {
			return nil, err
		}
		out = append(out, si)
	}
	return out, nil
}

// sourceAction pauses, resumes or runs source id and returns it after.
func (s *Server) sourceAction(ctx context.Context, id int64, action string) (source.Source, error) {
	src, err := s.app.SourceByID(ctx, id)
	if err != nil {
		return src, err
	}
	switch action {
	case "pause", "resume":
		if err := s.app.SourcePause(ctx, src.Name, action == "pause"); err != nil {
			return src, err
		}
		return s.app.SourceByID(ctx, id)
	case "run":
		return s.app.SourceRunSoon(ctx, src.Name)
	}
	return src, fmt.Errorf("source action %q", action)
}

func (s *Server) sourceList(c *call) (any, error) {
	l, err := s.sourceInfos(c.ctx())
	return List[SourceInfo]{Items: l}, err
}

func (s *Server) sourceCreate(c *call) (any, error) {
	var in SourceInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	src, err := s.addSource(c.ctx(), in)
	if err != nil {
		return nil, err
	}
	if err := s.app.Audit(c.ctx(), account.AuditEntry{Actor: tokenActor(c.p), Action: "source.add", Object: "source " + src.Name,
		Detail: string(src.Kind) + " " + src.URL}); err != nil {
		return nil, err
	}
	return s.sourceInfo(c.ctx(), src)
}

func (s *Server) sourceAct(action string) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		id, err := c.pathID("src")
		if err != nil {
			return nil, err
		}
		src, err := s.sourceAction(c.ctx(), id, action)
		if err != nil {
			return nil, err
		}
		if err := s.app.Audit(c.ctx(), account.AuditEntry{Actor: tokenActor(c.p), Action: "source." + action, Object: "source " + src.Name}); err != nil {
			return nil, err
		}
		return s.sourceInfo(c.ctx(), src)
	}
}

// sourcesView is the sources page.
type sourcesView struct {
	Items []SourceInfo
	Kinds []source.Kind
	Form  url.Values // the refused form, without its credentials
}

func (s *Server) sourcesView(pc *pageCall) (sourcesView, error) {
	l, err := s.sourceInfos(pc.ctx())
	v := sourcesView{Items: l, Kinds: portalKinds}
	if pc.r.PostForm != nil {
		v.Form = url.Values{}
		for k, vs := range pc.r.PostForm {
			if k != "key" && k != "secret" && k != "csrf" {
				v.Form[k] = vs
			}
		}
	}
	return v, err
}

func (s *Server) pageSources(pc *pageCall) error {
	v, err := s.sourcesView(pc)
	if err != nil {
		return err
	}
	return pc.page("sources", "sources.title", v)
}

func (s *Server) pageSourceAdd(pc *pageCall) error {
	in := SourceInput{Name: pc.form("name"), Kind: pc.form("kind"), URL: pc.form("url"), Every: pc.form("every"), Expect: pc.form("expect"),
		AlertAfter: pc.form("alert_after"), Key: pc.form("key"), Secret: pc.form("secret")}
	src, err := s.addSource(pc.ctx(), in)
	if err != nil {
		v, verr := s.sourcesView(pc)
		if verr != nil {
			return verr
		}
		return pc.formError(err, "sources", "sources.title", v)
	}
	if err := s.audit(pc, "source.add", 0, "source "+src.Name, string(src.Kind)+" "+src.URL); err != nil {
		return err
	}
	return pc.redirect("/analyst/sources?msg=sources.added#source-" + src.Name)
}

func (s *Server) pageSourceAct(action string) func(pc *pageCall) error {
	return func(pc *pageCall) error {
		id, err := pc.pathID("src")
		if err != nil {
			return err
		}
		src, err := s.sourceAction(pc.ctx(), id, action)
		if err != nil {
			if errs.CodeOf(err) == errs.Conflict {
				v, verr := s.sourcesView(pc)
				if verr != nil {
					return verr
				}
				return pc.formError(err, "sources", "sources.title", v)
			}
			return err
		}
		if err := s.audit(pc, "source."+action, 0, "source "+src.Name, ""); err != nil {
			return err
		}
		msg := map[string]string{"pause": "sources.paused", "resume": "sources.resumed", "run": "sources.queued"}[action]
		return pc.redirect("/analyst/sources?msg=" + msg + "#source-" + src.Name)
	}
}
