// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/keyset"
)

// findingQuery are the filters of a findings list.
func findingQuery() []Param {
	return append(pageParams(),
		Param{Name: "status", Type: "string", Enum: []string{string(finding.Open), string(finding.Resolved)}, Description: "only findings in this state"},
		Param{Name: "trigger", Type: "string", Description: "only findings of this trigger (its name)"},
		Param{Name: "type", Type: "string", Description: "only findings of this type"},
	)
}

func (s *Server) findingRoutes() []Route {
	const tag = "findings"
	return []Route{
		{ID: "findingList", Method: http.MethodGet, Path: OrgPath + "/findings", Tag: tag, Scope: auth.ScopeRead, CSV: true,
			Query: append(findingQuery(), formatParam()), Response: "FindingPage",
			Summary: "The organisation's findings with their evidence (a page of them as CSV with format=csv, the columns of the portal's download)", api: s.findingList},
		{ID: "findingChanges", Method: http.MethodGet, Path: OrgPath + "/changes", Tag: tag, Scope: auth.ScopeRead, CSV: true,
			Query: []Param{
				{Name: "since", Type: "string", Description: "the next cursor of the previous answer (or the cursor of the last change read); absent: from the start"},
				{Name: "limit", Type: "integer", Description: fmt.Sprintf("changes per answer, 1–%d (default %d)", maxChanges, defaultLimit)},
				formatParam(),
			},
			Response: "ChangePage", Summary: "Every finding created, updated (reopened, severity raised) or resolved after a cursor, oldest first: the pull feed of the organisation's changes", api: s.findingChanges},
	}
}

// severityNames are the JSON values of finding.Severity.
func severityNames() []string {
	var out []string
	for s := finding.Unknown; s <= finding.Critical; s++ {
		out = append(out, s.String())
	}
	return out
}

// findingSchemas registers the schemas of findingRoutes.
func findingSchemas(add func(name string, v, example any)) {
	add("Finding", finding.Finding{}, nil)
	add("FindingPage", Page[finding.Finding]{}, nil)
	add("ChangePage", finding.ChangePage{}, nil)
}

// findingFilter reads the filters of findingQuery (validated by the route).
func findingFilter(get func(string) string, p keyset.Page) finding.Filter {
	return finding.Filter{Status: finding.Status(get("status")), Trigger: get("trigger"), Type: get("type"), Page: p}
}

func (s *Server) findingList(c *call) (any, error) {
	p, limit, err := c.page()
	if err != nil {
		return nil, err
	}
	fs, err := s.store.FindingList(c.ctx(), c.scope(), findingFilter(c.query, p))
	if err != nil {
		return nil, err
	}
	pg := pageOf(fs, limit, func(f finding.Finding) int64 { return f.ID })
	if c.query("format") == "csv" {
		h := map[string]string{}
		if pg.NextAfter != nil {
			h["Link"] = fmt.Sprintf(`<%s?after=%d&format=csv>; rel="next"`, c.r.URL.Path, *pg.NextAfter)
		}
		return csvBody{name: fmt.Sprintf("vigil-findings-%d.csv", c.org), data: findingsCSV(pg.Items), header: h}, nil
	}
	return pg, nil
}

// maxChanges bounds one answer of the change feed, as maxLimit does a
// list's page.
const maxChanges = maxLimit

func (s *Server) findingChanges(c *call) (any, error) {
	since, err := finding.ParseCursor(c.query("since"))
	if err != nil {
		return nil, keepKey(&errs.Error{Code: codeBadRequest, Field: "since", Message: err.Error()}, err)
	}
	limit := defaultLimit
	if v := c.query("limit"); v != "" {
		limit, _ = strconv.Atoi(v)
		if limit < 1 || limit > maxChanges {
			return nil, errs.Keyed(codeBadRequest, "limit", "changes.limit", "%s: must be 1–%d", v, maxChanges)
		}
	}
	p, err := s.store.FindingChanges(c.ctx(), c.scope(), since, limit)
	if err != nil {
		return nil, err
	}
	if c.query("format") != "csv" {
		return p, nil
	}
	var b bytes.Buffer
	if err := finding.WriteChangesCSV(&b, p); err != nil {
		return nil, err
	}
	return csvBody{name: fmt.Sprintf("vigil-changes-%d.csv", c.org), data: b.Bytes(),
		header: map[string]string{"Vigil-Next-Cursor": p.Next, "Vigil-More": strconv.FormatBool(p.More)}}, nil
}
