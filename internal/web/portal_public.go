// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"vigil/internal/assess"
	"vigil/internal/contact/securitytxt"
	"vigil/internal/errs"
	"vigil/internal/label"
	"vigil/internal/netguard"
	"vigil/internal/tenant"
	"vigil/internal/text"
)

// publicRoutes are the public label registry with its search and the
// security.txt checker, each a page and its API twin.
func (s *Server) publicRoutes() []Route {
	const tag = "public"
	return []Route{
		{ID: "labelSearch", Method: http.MethodGet, Path: "/api/v1/labels", Tag: tag, Public: true, Query: labelQuery(), Response: "LabelPage",
			Summary: "Search the public label registry by vendor, model and grade, newest first", api: s.labelSearch},
		{ID: "pageLabels", Method: http.MethodGet, Path: "/labels", Tag: "portal", Public: true, Query: labelPageQuery(),
			Summary: "The public label registry: search by vendor, model and grade", page: s.pageLabels},
		{ID: "securityTxtCheck", Method: http.MethodGet, Path: "/api/v1/securitytxt", Tag: tag, Public: true,
			Query:    []Param{{Name: "target", Type: "string", Description: "a domain, host:port or https URL"}},
			Response: "SecurityTxtResult", Summary: "Fetch and validate a site's security.txt (RFC 9116; rate-limited per client)", api: s.securityTxtCheck},
		{ID: "pageSecurityTxt", Method: http.MethodGet, Path: "/tools/securitytxt", Tag: "portal", Public: true,
			Summary: "The security.txt checker", page: s.pageSecurityTxt},
		{ID: "pageSecurityTxtPost", Method: http.MethodPost, Path: "/tools/securitytxt", Tag: "portal", API: "securityTxtCheck", Public: true,
			Summary: "Check a site's security.txt (rate-limited per client)", Stateless: true, page: s.pageSecurityTxtPost},
	}
}

// publicSchemas registers the schemas of publicRoutes.
func publicSchemas(add func(name string, v, example any)) {
	add("LabelEntry", LabelEntry{}, nil)
	add("LabelPage", LabelPage{}, nil)
	add("SecurityTxtIssue", SecurityTxtIssue{}, nil)
	add("SecurityTxtResult", SecurityTxtResult{}, nil)
}

// grades are the grade names, A to G.
func grades() []string {
	var out []string
	for g := assess.GradeA; g <= assess.GradeG; g++ {
		out = append(out, g.String())
	}
	return out
}

func labelQuery() []Param {
	return []Param{
		{Name: "vendor", Type: "string", Description: "labels whose device's vendor contains this (any case)"},
		{Name: "model", Type: "string", Description: "labels whose device's model contains this (any case)"},
		{Name: "grade", Type: "string", Enum: grades(), Description: "labels of this grade"},
		{Name: "after", Type: "string", Description: "the next_after of the previous page (a label id)"},
		{Name: "limit", Type: "integer", Description: "labels per page, 1–100 (default 25)"},
	}
}

// labelPageQuery is labelQuery without the grade's enum: the page shows a
// bad grade on its field instead of an error page.
func labelPageQuery() []Param {
	q := labelQuery()
	for i := range q {
		q[i].Enum = nil
	}
	return q
}

// LabelEntry is a label of the public registry.
type LabelEntry struct {
	ID       string    `json:"id"`
	Vendor   string    `json:"vendor"`
	Model    string    `json:"model"`
	Firmware string    `json:"firmware,omitempty"`
	Grade    string    `json:"grade"`
	Issued   time.Time `json:"issued"`
	Expires  time.Time `json:"expires"`
	// State is valid, revoked, superseded or expired.
	State string `json:"state"`
	// URL is the label's public page; VerifyURL its verification page.
	URL       string `json:"url"`
	VerifyURL string `json:"verify_url"`
}

// LabelPage is a page of the public label registry.
type LabelPage struct {
	Items []LabelEntry `json:"items"`
	// NextAfter is the after of the next page; absent on the last page.
	NextAfter string `json:"next_after,omitempty"`
}

// labelSearchInput is a registry search read from a query string.
type labelSearchInput struct {
	Vendor, Model, Grade, After string
	Limit                       int
}

// readLabelSearch reads and checks a registry search.
func readLabelSearch(q url.Values) (labelSearchInput, label.Filter, error) {
	in := labelSearchInput{Vendor: strings.TrimSpace(q.Get("vendor")), Model: strings.TrimSpace(q.Get("model")),
		Grade: strings.ToUpper(strings.TrimSpace(q.Get("grade"))), After: strings.TrimSpace(q.Get("after")), Limit: 25}
	f := label.Filter{Vendor: in.Vendor, Model: in.Model, After: in.After, Newest: true}
	for _, v := range []struct{ field, value string }{{"vendor", in.Vendor}, {"model", in.Model}, {"after", in.After}} {
		if len([]rune(v.value)) > 100 {
			return in, f, errs.FieldKeyed(v.field, text.Truncate(v.value, 20), "text.long", "at most %d characters", 100)
		}
	}
	if in.Grade != "" {
		g, err := assess.ParseGrade(in.Grade)
		if err != nil {
			return in, f, errs.FieldKeyed("grade", in.Grade, "grade.invalid", "must be one of A to G")
		}
		f.Grade = g
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return in, f, errs.FieldKeyed("limit", v, "limit.range", "must be a number from 1 to %d", 100)
		}
		in.Limit = n
	}
	f.Limit = in.Limit + 1
	return in, f, nil
}

// searchLabels runs a registry search: a page of entries and the after of
// the next page ("" on the last).
func (s *Server) searchLabels(r *http.Request, f label.Filter, limit int) ([]LabelEntry, string, error) {
	ls, err := s.store.LabelList(r.Context(), tenant.Public(), f)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(ls) > limit {
		ls = ls[:limit]
		next = ls[limit-1].ID
	}
	now := s.store.Now()
	out := make([]LabelEntry, 0, len(ls))
	for _, l := range ls {
		doc, state := l.Listing(now)
		out = append(out, LabelEntry{ID: l.ID, Vendor: doc.Device.Vendor, Model: doc.Device.Model, Firmware: doc.Device.Firmware,
			Grade: l.Grade.String(), Issued: l.Issued, Expires: l.Expires, State: state,
			URL: "/labels/" + l.ID, VerifyURL: "/labels/verify?id=" + url.QueryEscape(l.ID)})
	}
	return out, next, nil
}

func (s *Server) labelSearch(c *call) (any, error) {
	in, f, err := readLabelSearch(c.r.URL.Query())
	if err != nil {
		return nil, err
	}
	items, next, err := s.searchLabels(c.r, f, in.Limit)
	if err != nil {
		return nil, err
	}
	return LabelPage{Items: items, NextAfter: next}, nil
}

// labelsView is the registry page.
type labelsView struct {
	Q      labelSearchInput
	Grades []string
	Items  []LabelEntry
	Next   string
	Search bool // a search was asked for (a field is set)
}

func (s *Server) pageLabels(pc *pageCall) error {
	in, f, err := readLabelSearch(pc.r.URL.Query())
	v := labelsView{Q: in, Grades: grades(), Search: in.Vendor != "" || in.Model != "" || in.Grade != ""}
	if err != nil {
		return pc.formError(err, "labels", "labels.title", v)
	}
	var next string
	if v.Items, next, err = s.searchLabels(pc.r, f, in.Limit); err != nil {
		return err
	}
	if next != "" {
		q := pc.r.URL.Query()
		q.Set("after", next)
		v.Next = "/labels?" + q.Encode()
	}
	return pc.page("labels", "labels.title", v)
}

// SecurityTxtIssue is one result of a security.txt check.
type SecurityTxtIssue struct {
	Code string `json:"code"`
	// Line is the file's line (0: the whole file).
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// SecurityTxtResult is the outcome of a security.txt check.
type SecurityTxtResult struct {
	Target          string              `json:"target"`
	URL             string              `json:"url,omitempty"`
	Valid           bool                `json:"valid"`
	Signed          bool                `json:"signed"`
	Errors          []SecurityTxtIssue  `json:"errors"`
	Recommendations []SecurityTxtIssue  `json:"recommendations"`
	Notifications   []SecurityTxtIssue  `json:"notifications"`
	Fields          map[string][]string `json:"fields"`
}

// IssueGroup is one kind of results (errors, recommendations,
// notifications) of a check, for the page.
type IssueGroup struct {
	Kind  string
	Items []SecurityTxtIssue
}

// Groups returns the results by kind, errors first.
func (r SecurityTxtResult) Groups() []IssueGroup {
	return []IssueGroup{{"errors", r.Errors}, {"recommendations", r.Recommendations}, {"notifications", r.Notifications}}
}

func issues(in []securitytxt.Issue) []SecurityTxtIssue {
	out := make([]SecurityTxtIssue, 0, len(in))
	for _, i := range in {
		out = append(out, SecurityTxtIssue{Code: string(i.Code), Line: int(i.Line), Message: i.Message})
	}
	return out
}

// maxSecurityTxt bounds a fetched security.txt.
const maxSecurityTxt = 64 << 10

// checkSecurityTxt fetches and validates target's security.txt through the
// guarded client, once the client's rate allows it.
func (s *Server) checkSecurityTxt(w http.ResponseWriter, r *http.Request, target string) (SecurityTxtResult, error) {
	target = strings.TrimSpace(target)
	switch {
	case target == "":
		return SecurityTxtResult{}, errs.FieldKeyed("target", "", "sectxt.target", "give a domain or an https URL")
	case len(target) > 255:
		return SecurityTxtResult{}, errs.FieldKeyed("target", text.Truncate(target, 20), "text.long", "at most %d characters", 255)
	}
	if _, err := securitytxt.Candidates(target); err != nil {
		return SecurityTxtResult{}, errs.FieldKeyed("target", target, "sectxt.invalid", "not a domain, host:port or https URL")
	}
	if err := s.allowCheck(w, r); err != nil {
		return SecurityTxtResult{}, err
	}
	rep, err := securitytxt.Check(r.Context(), s.fetch, target, securitytxt.Options{Now: s.store.Now, MaxSize: maxSecurityTxt})
	switch {
	case errors.Is(err, netguard.ErrBlockedAddress):
		return SecurityTxtResult{}, errs.FieldKeyed("target", target, "sectxt.private", "this address is not on the public internet")
	case errs.CodeOf(err) == errs.Invalid:
		return SecurityTxtResult{}, keepKey(&errs.Error{Code: errs.Invalid, Field: "target", Message: fmt.Sprintf("%q: %s", target, errs.Message(err))}, err)
	case err != nil:
		return SecurityTxtResult{}, err
	}
	return SecurityTxtResult{Target: target, URL: rep.URL, Valid: rep.Valid, Signed: rep.Signed, Errors: issues(rep.Errors),
		Recommendations: issues(rep.Recommendations), Notifications: issues(rep.Notifications), Fields: rep.Fields}, nil
}

func (s *Server) securityTxtCheck(c *call) (any, error) {
	return s.checkSecurityTxt(c.w, c.r, c.r.URL.Query().Get("target"))
}

// securityTxtView is the checker page: the form and, after a check, its
// outcome.
type securityTxtView struct {
	Target string
	Result *SecurityTxtResult
}

func (s *Server) pageSecurityTxt(pc *pageCall) error {
	return pc.page("securitytxt", "sectxt.title", securityTxtView{})
}

func (s *Server) pageSecurityTxtPost(pc *pageCall) error {
	v := securityTxtView{Target: pc.form("target")}
	res, err := s.checkSecurityTxt(pc.w, pc.r, v.Target)
	if err != nil {
		return pc.formError(err, "securitytxt", "sectxt.title", v)
	}
	v.Result = &res
	return pc.page("securitytxt", "sectxt.title", v)
}
