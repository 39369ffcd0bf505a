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
	"vigil/internal/errs"
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
		Param{Name: "before_id", Type: "integer", Description: "and this finding id (from the previous page)"},
		Param{Name: "after_seen", Type: "string", Description: "the page before this last-seen time (RFC 3339, of a page's first finding): the findings seen just later, newest first"},
		Param{Name: "after_id", Type: "integer", Description: "and this finding id (of that page's first finding)"})
	return []Route{
		{ID: "pageAnalystFindings", Method: http.MethodGet, Path: "/analyst/findings", Tag: "portal", Role: account.RoleAnalyst, API: "findingListAll",
			Query: q, Summary: "Every organisation's findings, the most recently seen first", page: s.pageAnalystFindings},
		{ID: "findingListAll", Method: http.MethodGet, Path: "/api/v1/findings", Tag: "findings", Scope: auth.ScopeAdmin, Query: q,
			Response: "FindingSeenPage", Summary: "Every organisation's findings, the most recently seen first (filter by trigger, status, type)", api: s.findingListAll},
	}
}

// FindingSeenPage is a page of findings ordered by last sighting. The
// next page is asked for with before_seen and before_id set to Next's,
// the previous one with after_seen and after_id set to Prev's.
type FindingSeenPage struct {
	Items []finding.Finding `json:"items"`
	Next  *SeenCursor       `json:"next"`
	// Prev is set on a page reached by a cursor (it may be the first
	// page again when findings were seen since).
	Prev *SeenCursor `json:"prev,omitempty"`
}

// SeenCursor is the position after (Before…) or before (After…) a page
// of findings by last sighting.
type SeenCursor struct {
	BeforeSeen time.Time `json:"before_seen,omitzero"`
	BeforeID   int64     `json:"before_id,omitempty"`
	AfterSeen  time.Time `json:"after_seen,omitzero"`
	AfterID    int64     `json:"after_id,omitempty"`
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
			return FindingSeenPage{}, errs.Keyed(codeBadRequest, "limit", "int.range", "%q: must be an integer from 1 to %d", v, maxLimit)
		}
		limit = n
	}
	var from finding.Seen
	for _, dir := range []string{"before", "after"} {
		v := q.Get(dir + "_seen")
		if v == "" {
			continue
		}
		if from.ID != 0 {
			return FindingSeenPage{}, errs.Keyed(codeBadRequest, "after_seen", "seen.both", "give before_seen or after_seen, not both")
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return FindingSeenPage{}, errs.Keyed(codeBadRequest, dir+"_seen", "time.rfc3339", "%q: must be an RFC 3339 time", v)
		}
		from.At, from.Back = t, dir == "after"
		from.ID, _ = strconv.ParseInt(q.Get(dir+"_id"), 10, 64) // checked by the route
		if from.ID <= 0 {
			return FindingSeenPage{}, errs.Keyed(codeBadRequest, dir+"_id", "seen.id", "give %s_id with %s_seen", dir, dir)
		}
	}
	f := findingFilter(q.Get, keyset.Page{Limit: limit + 1})
	items, err := s.store.FindingListBySeen(r.Context(), tenant.Operator(), f, from)
	if err != nil {
		return FindingSeenPage{}, err
	}
	if from.Back && len(items) <= limit {
		// Less than a page precedes the position: the first page.
		from = finding.Seen{}
		if items, err = s.store.FindingListBySeen(r.Context(), tenant.Operator(), f, from); err != nil {
			return FindingSeenPage{}, err
		}
	}
	p := FindingSeenPage{Items: items}
	if from.Back {
		// One more than a page came back, newest first: the newest is
		// the sign that a page precedes this one.
		p.Items = items[1:]
	} else if len(items) > limit {
		p.Items = items[:limit]
	}
	if from.ID != 0 && len(p.Items) > 0 {
		first := p.Items[0]
		p.Prev = &SeenCursor{AfterSeen: first.LastSeen, AfterID: first.ID}
	}
	if (from.Back || len(items) > limit) && len(p.Items) > 0 {
		last := p.Items[len(p.Items)-1]
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
	// NextURL, PrevURL and FirstURL are the links to the next, the
	// previous and the first page ("" when there is none).
	NextURL, PrevURL, FirstURL string
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
	link := func(dir string, at time.Time, id int64) string {
		q := pc.r.URL.Query()
		for _, k := range []string{"msg", "before_seen", "before_id", "after_seen", "after_id"} {
			q.Del(k)
		}
		if dir != "" {
			q.Set(dir+"_seen", at.Format(time.RFC3339Nano))
			q.Set(dir+"_id", strconv.FormatInt(id, 10))
		}
		if len(q) == 0 {
			return pc.r.URL.Path
		}
		return pc.r.URL.Path + "?" + q.Encode()
	}
	if p.Next != nil {
		v.NextURL = link("before", p.Next.BeforeSeen, p.Next.BeforeID)
	}
	if p.Prev != nil {
		v.PrevURL, v.FirstURL = link("after", p.Prev.AfterSeen, p.Prev.AfterID), link("", time.Time{}, 0)
	}
	return pc.page("analyst_findings", "afindings.title", v)
}
