// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"net/http"

	"vigil/internal/auth"
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
		{ID: "findingList", Method: http.MethodGet, Path: OrgPath + "/findings", Tag: tag, Scope: auth.ScopeRead,
			Query: findingQuery(), Response: "FindingPage", Summary: "The organisation's findings with their evidence", api: s.findingList},
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
	return pageOf(fs, limit, func(f finding.Finding) int64 { return f.ID }), nil
}
