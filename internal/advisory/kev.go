// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package advisory

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"vigil/internal/errs"
)

type kevEntry struct {
	CVEID                      string   `json:"cveID"`
	VendorProject              string   `json:"vendorProject"`
	Product                    string   `json:"product"`
	VulnerabilityName          string   `json:"vulnerabilityName"`
	DateAdded                  string   `json:"dateAdded"`
	ShortDescription           string   `json:"shortDescription"`
	RequiredAction             string   `json:"requiredAction"`
	DueDate                    string   `json:"dueDate"`
	KnownRansomwareCampaignUse string   `json:"knownRansomwareCampaignUse"`
	Notes                      string   `json:"notes"`
	CWEs                       []string `json:"cwes"`
}

// ParseKEV streams the CISA Known Exploited Vulnerabilities catalog (JSON,
// schema known_exploited_vulnerabilities_schema.json) and yields one Advisory
// per entry: ID and CVE are the cveID, Vulns[0].KEV carries the dates,
// ransomware use and required action, and one Product names vendorProject
// and product (without versions: the catalog does not say which). Stats.Version and Released are catalogVersion and
// dateReleased. An entry without a valid cveID, dateAdded or dueDate is a row
// error.
func ParseKEV(ctx context.Context, r io.Reader, name string, yield func(Advisory) error) (Stats, []errs.RowError, error) {
	var st Stats
	var rows []errs.RowError
	in, err := newInput(r)
	if err != nil {
		return st, nil, fmt.Errorf("parse %s: %w", name, err)
	}
	w := newArrayWalker(in)
	walked, err := w.walk(ctx, []string{"vulnerabilities"}, func(_ string, i, line int, raw json.RawMessage) error {
		a, row := kevAdvisory(raw, name, i, line)
		return tally(&st, &rows, yield, a, nil, row)
	})
	var version, released string
	_ = json.Unmarshal(w.header["catalogVersion"], &version)
	_ = json.Unmarshal(w.header["dateReleased"], &released)
	st.Version = version
	st.Released, _ = parseTime(released)
	if err == nil && walked == "" {
		err = fmt.Errorf("%w: no \"vulnerabilities\" array: not a KEV catalog", ErrMalformed)
	}
	if err != nil {
		return st, rows, fmt.Errorf("parse %s: %w", name, err)
	}
	return st, rows, nil
}

func kevAdvisory(raw json.RawMessage, name string, i, line int) (Advisory, *errs.RowError) {
	field := fmt.Sprintf("vulnerabilities[%d]", i)
	bad := func(f, reason string) (Advisory, *errs.RowError) {
		re := rowErr(name, line, joinField(field, f), reason, raw)
		return Advisory{}, &re
	}
	var e kevEntry
	if err := json.Unmarshal(raw, &e); err != nil {
		f, reason := jsonReason(err)
		return bad(f, reason)
	}
	cve := strings.TrimSpace(e.CVEID)
	if !IsCVE(cve) {
		return bad("cveID", fmt.Sprintf("%q is not a CVE id", e.CVEID))
	}
	added, err := parseDate(e.DateAdded)
	if err != nil {
		return bad("dateAdded", err.Error())
	}
	due, err := parseDate(e.DueDate)
	if err != nil {
		return bad("dueDate", err.Error())
	}
	k := &KEV{
		DateAdded:         added,
		DueDate:           due,
		RansomwareUse:     strings.EqualFold(strings.TrimSpace(e.KnownRansomwareCampaignUse), "Known"),
		RequiredAction:    strings.TrimSpace(e.RequiredAction),
		VulnerabilityName: strings.TrimSpace(e.VulnerabilityName),
		Notes:             strings.TrimSpace(e.Notes),
	}
	a := Advisory{
		ID:        cve,
		Source:    SourceKEV,
		Title:     k.VulnerabilityName,
		Published: added,
		Publisher: "CISA",
		CVEs:      []string{cve},
		Vulns: []Vuln{{
			CVE:         cve,
			Title:       k.VulnerabilityName,
			Description: strings.TrimSpace(e.ShortDescription),
			CWEs:        appendUnique(nil, e.CWEs...),
			KEV:         k,
		}},
		Products: []Product{{
			ID:     cve,
			Vendor: strings.TrimSpace(e.VendorProject),
			Name:   strings.TrimSpace(e.Product),
			Status: map[string]Status{cve: StatusKnownAffected},
		}},
	}
	for _, u := range kevNoteURLs(k.Notes) {
		a.URLs = appendUnique(a.URLs, u)
	}
	return a, nil
}

// kevNoteURLs extracts the URLs of a KEV notes field ("... ; https://...").
func kevNoteURLs(notes string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(notes, func(r rune) bool { return r == ' ' || r == ';' }) {
		if strings.HasPrefix(f, "https://") || strings.HasPrefix(f, "http://") {
			out = append(out, strings.TrimRight(f, ".,)"))
		}
	}
	return out
}

// KEVIndex maps a CVE id to its KEV entry.
type KEVIndex map[string]KEV

// ParseKEVIndex reads a KEV catalog into a KEVIndex.
func ParseKEVIndex(ctx context.Context, r io.Reader, name string) (KEVIndex, Stats, []errs.RowError, error) {
	idx := KEVIndex{}
	st, rows, err := ParseKEV(ctx, r, name, func(a Advisory) error {
		idx[a.ID] = *a.Vulns[0].KEV
		return nil
	})
	return idx, st, rows, err
}

// Enrich sets Vuln.KEV and Vuln.EPSS of every vulnerability of a that the
// indexes know (either may be nil) and reports whether anything changed.
// Enriching changes the Digest.
func (a *Advisory) Enrich(kev KEVIndex, epss EPSSIndex) bool {
	changed := false
	for i := range a.Vulns {
		v := &a.Vulns[i]
		if v.CVE == "" {
			continue
		}
		if k, ok := kev[v.CVE]; ok && (v.KEV == nil || *v.KEV != k) {
			v.KEV, changed = &k, true
		}
		if e, ok := epss[v.CVE]; ok && (v.EPSS == nil || *v.EPSS != e) {
			v.EPSS, changed = &e, true
		}
	}
	return changed
}
