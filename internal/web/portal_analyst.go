// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"vigil/internal/account"
	"vigil/internal/auth"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/tenant"
)

// analystRoutes are the analysts' views over every organisation.
func (s *Server) analystRoutes() []Route {
	q := append(findingQuery()[:0:0], findingQuery()[2:]...) // status, trigger, type: no id paging
	q = append(q,
		Param{Name: "limit", Type: "integer", Description: "items per page, 1–500 (default 50)"},
		Param{Name: "before_seen", Type: "string", Description: "continue after this last-seen time (RFC 3339, from the previous page)"},
		Param{Name: "before_id", Type: "integer", Description: "and this finding id (from the previous page)"})
	return []Route{
		{ID: "pageAnalystFindings", Method: http.MethodGet, Path: "/analyst/findings", Tag: "portal", Role: account.RoleAnalyst, API: "findingListAll",
			Query: q, Summary: "Every organisation's findings, the most recently seen first", page: s.pageAnalystFindings},
		{ID: "findingListAll", Method: http.MethodGet, Path: "/api/v1/findings", Tag: "findings", Scope: auth.ScopeAdmin, Query: q,
			Response: "FindingSeenPage", Summary: "Every organisation's findings, the most recently seen first (filter by trigger, status, type)", api: s.findingListAll},
	}
}

// FindingSeenPage is a page of findings ordered by last sighting. The
// next page is asked for with before_seen and before_id set to Next's.
type FindingSeenPage struct {
	Items []finding.Finding `json:"items"`
	Next  *SeenCursor       `json:"next"`
}

// SeenCursor is the position after a page of findings by last sighting.
type SeenCursor struct {
	BeforeSeen time.Time `json:"before_seen"`
	BeforeID   int64     `json:"before_id"`
}

// analystSchemas registers the schemas of analystRoutes.
func analystSchemas(add func(name string, v, example any)) {
	add("FindingSeenPage", FindingSeenPage{}, nil)
	add("SeenCursor", SeenCursor{}, nil)
}

// findingsBySeen runs a findings-by-sighting list for the query q.
func (s *Server) findingsBySeen(r *http.Request, q url.Values) (FindingSeenPage, error) {
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return FindingSeenPage{}, badRequest("limit", "%q: must be an integer from 1 to %d", v, maxLimit)
		}
		limit = n
	}
	var from finding.Seen
	if v := q.Get("before_seen"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return FindingSeenPage{}, badRequest("before_seen", "%q: must be an RFC 3339 time", v)
		}
		from.At = t
		from.ID, _ = strconv.ParseInt(q.Get("before_id"), 10, 64) // checked by the route
		if from.ID <= 0 {
			return FindingSeenPage{}, badRequest("before_id", "give before_id with before_seen")
		}
	}
	f := findingFilter(q.Get, keyset.Page{Limit: limit + 1})
	items, err := s.store.FindingListBySeen(r.Context(), tenant.Operator(), f, from)
	if err != nil {
		return FindingSeenPage{}, err
	}
	p := FindingSeenPage{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		last := p.Items[limit-1]
		p.Next = &SeenCursor{BeforeSeen: last.LastSeen, BeforeID: last.ID}
	}
	return p, nil
}

func (s *Server) findingListAll(c *call) (any, error) {
	return s.findingsBySeen(c.r, c.r.URL.Query())
}

// analystFindingsView is the analysts' findings page.
type analystFindingsView struct {
	FindingSeenPage
	Orgs     map[int64]string
	Triggers []string
	NextURL  string
}

func (s *Server) pageAnalystFindings(pc *pageCall) error {
	p, err := s.findingsBySeen(pc.r, pc.r.URL.Query())
	if err != nil {
		return err
	}
	v := analystFindingsView{FindingSeenPage: p}
	var ids []int64
	seen := map[int64]bool{}
	for _, f := range p.Items {
		if !seen[f.OrgID] {
			seen[f.OrgID] = true
			ids = append(ids, f.OrgID)
		}
	}
	if v.Orgs, err = s.store.OrgNames(pc.ctx(), pc.scope(), ids); err != nil {
		return err
	}
	ts, err := s.store.TriggerNames(pc.ctx(), pc.scope())
	if err != nil {
		return err
	}
	v.Triggers = ts
	if p.Next != nil {
		q := pc.r.URL.Query()
		q.Set("before_seen", p.Next.BeforeSeen.Format(time.RFC3339Nano))
		q.Set("before_id", strconv.FormatInt(p.Next.BeforeID, 10))
		q.Del("msg")
		v.NextURL = pc.r.URL.Path + "?" + q.Encode()
	}
	return pc.page("analyst_findings", "afindings.title", v)
}
