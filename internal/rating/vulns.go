// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package rating

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"vigil/internal/assess"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/tenant"
)

// VulnSource gives the open (unfixed) vulnerabilities of a registered
// device's components, each with its CVE id, the component, the
// qualitative CVSS severity and whether it is in CISA's KEV catalog. The
// device is one of scope sc.
type VulnSource interface {
	DeviceVulns(ctx context.Context, sc tenant.Scope, deviceID int64) ([]assess.Vuln, error)
}

// VulnFindingType is the finding type vulnerability matching records for a
// CVE in a device's component.
const VulnFindingType = "vulnerable"

// FindingVulns is a VulnSource over the findings table: every open finding
// of type "vulnerable" with the device's id and a CVE. The severity is the
// finding's; the KEV flag and the component come from the finding's
// evidence JSON:
//
//	{"kev": true | {…KEV entry…}, "component": "pkg:…" | "name@version", …}
//
// ("purl" or "name" and "version" are used when "component" is absent; the
// finding key is the last resort). A finding whose class is "kev" or
// "known-exploited" also counts as KEV.
type FindingVulns struct {
	Store FindingLister
}

// FindingLister is the storage FindingVulns needs.
type FindingLister interface {
	FindingList(ctx context.Context, sc tenant.Scope, f finding.Filter) ([]finding.Finding, error)
}

// DeviceVulns implements VulnSource.
func (f FindingVulns) DeviceVulns(ctx context.Context, sc tenant.Scope, deviceID int64) ([]assess.Vuln, error) {
	var out []assess.Vuln
	after := int64(0)
	for {
		page, err := f.Store.FindingList(ctx, sc, finding.Filter{DeviceID: deviceID, Type: VulnFindingType, Status: finding.Open,
			Page: keyset.Page{After: after, Limit: 1000}})
		if err != nil {
			return nil, err
		}
		for _, x := range page {
			if x.CVE == "" {
				continue
			}
			out = append(out, vulnOf(x))
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	slices.SortFunc(out, func(a, b assess.Vuln) int { return strings.Compare(a.ID+" "+a.Component, b.ID+" "+b.Component) })
	return out, nil
}

// vulnEvidence is what FindingVulns reads from a finding's evidence.
type vulnEvidence struct {
	KEV       json.RawMessage `json:"kev"`
	Component string          `json:"component"`
	PURL      string          `json:"purl"`
	Name      string          `json:"name"`
	Version   string          `json:"version"`
}

func vulnOf(x finding.Finding) assess.Vuln {
	v := assess.Vuln{ID: x.CVE, Severity: severityOf(x.Severity), Component: x.Key}
	var ev vulnEvidence
	if len(x.Evidence) > 0 && json.Unmarshal(x.Evidence, &ev) == nil {
		switch k := strings.TrimSpace(string(ev.KEV)); k {
		case "", "null", "false", "{}", `""`:
		default:
			v.KEV = true
		}
		switch {
		case ev.Component != "":
			v.Component = ev.Component
		case ev.PURL != "":
			v.Component = ev.PURL
		case ev.Name != "" && ev.Version != "":
			v.Component = fmt.Sprintf("%s@%s", ev.Name, ev.Version)
		case ev.Name != "":
			v.Component = ev.Name
		}
	}
	if c := strings.ToLower(x.Class); c == "kev" || c == "known-exploited" {
		v.KEV = true
	}
	return v
}

func severityOf(s finding.Severity) assess.Severity {
	switch s {
	case finding.Critical:
		return assess.Critical
	case finding.High:
		return assess.High
	case finding.Medium:
		return assess.Medium
	case finding.Low:
		return assess.Low
	}
	return assess.None
}
