// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"strings"

	"vigil/internal/advisory"
	"vigil/internal/finding"
)

// cvssRank orders CVSS versions for choosing the score a finding's severity
// comes from: v3.1 (what NVD and most CNAs rate with), v3.0, v4.0, v2.
func cvssRank(version string) int {
	switch version {
	case "3.1":
		return 4
	case "3.0":
		return 3
	case "4.0":
		return 2
	case "2.0":
		return 1
	}
	return 0
}

// mergeCVE folds what advisory a says about vulnerability v into the
// stored record: the preferred CVSS score (highest version rank, then
// highest base), KEV (any source that says so; dates and action filled
// in), EPSS (the latest) and a title. It reports whether anything a finding
// shows changed.
func mergeCVE(old CVEInfo, a *advisory.Advisory, v *advisory.Vuln) (CVEInfo, bool) {
	n := old
	n.CVE = v.Key()
	if n.Title == "" {
		switch {
		case v.Title != "":
			n.Title = v.Title
		case v.KEV != nil && v.KEV.VulnerabilityName != "":
			n.Title = v.KEV.VulnerabilityName
		case a.Source != advisory.SourceCSAF && a.Title != "":
			n.Title = a.Title
		}
	}
	for _, s := range v.CVSS {
		if s.Vector == "" {
			continue
		}
		r, or := cvssRank(s.Version), cvssRank(n.CVSSVersion)
		if r > or || r == or && s.Base > n.CVSSBase {
			n.CVSSBase, n.CVSSVersion, n.CVSSVector, n.CVSSSeverity = s.Base, s.Version, s.Vector, s.Severity
			n.CVSSSource = string(a.Source) + ":" + a.ID
		}
	}
	if k := v.KEV; k != nil {
		n.KEV = true
		if n.KEVAdded.IsZero() || !k.DateAdded.IsZero() && k.DateAdded.Before(n.KEVAdded) {
			n.KEVAdded = k.DateAdded
		}
		if !k.DueDate.IsZero() && (n.KEVDue.IsZero() || a.Source == advisory.SourceKEV) {
			n.KEVDue = k.DueDate
		}
		if a.Source == advisory.SourceKEV {
			n.KEVRansom = k.RansomwareUse
		} else {
			n.KEVRansom = n.KEVRansom || k.RansomwareUse
		}
		if k.RequiredAction != "" && (n.KEVAction == "" || a.Source == advisory.SourceKEV) {
			n.KEVAction = k.RequiredAction
		}
		if k.VulnerabilityName != "" && (n.KEVName == "" || a.Source == advisory.SourceKEV) {
			n.KEVName = k.VulnerabilityName
		}
	}
	if e := v.EPSS; e != nil {
		s, p := e.Score, e.Percentile
		n.EPSS, n.EPSSPct, n.EPSSDate = &s, &p, e.Date
	}
	return n, findingView(old) != findingView(n)
}

// view is the part of a CVE record a finding shows.
type view struct {
	title                string
	base                 float64
	vector               string
	kev, ransom          bool
	added, due, epssDate int64
	epss, pct            float64
	action, name         string
}

func findingView(c CVEInfo) view {
	v := view{title: c.Title, base: c.CVSSBase, vector: c.CVSSVector, kev: c.KEV, ransom: c.KEVRansom,
		added: c.KEVAdded.Unix(), due: c.KEVDue.Unix(), epssDate: c.EPSSDate.Unix(), action: c.KEVAction, name: c.KEVName}
	if c.EPSS != nil {
		v.epss = *c.EPSS
	}
	if c.EPSSPct != nil {
		v.pct = *c.EPSSPct
	}
	return v
}

// severity of a finding: from the CVSS base score; Medium when no score is
// known (a matched vulnerability is never "unknown"); at least High when
// the vulnerability is known to be exploited.
func severity(c CVEInfo) finding.Severity {
	s := finding.SeverityFromCVSS(c.CVSSBase)
	if s == finding.Unknown {
		s = finding.Medium
	}
	if c.KEV && s < finding.High {
		s = finding.High
	}
	return s
}

// advisoryURL picks the link an operator should read: a CSAF document's
// human-readable page (a "self" reference that is not the JSON), else the
// source's canonical page.
func advisoryURL(a *advisory.Advisory) string {
	switch a.Source {
	case advisory.SourceNVD:
		return "https://nvd.nist.gov/vuln/detail/" + a.ID
	case advisory.SourceCVE5:
		return "https://www.cve.org/CVERecord?id=" + a.ID
	case advisory.SourceOSV:
		return "https://osv.dev/vulnerability/" + a.ID
	case advisory.SourceKEV:
		return "https://www.cisa.gov/known-exploited-vulnerabilities-catalog"
	}
	id := strings.ToLower(a.ID)
	for _, u := range a.URLs {
		if strings.Contains(strings.ToLower(u), id) && !strings.HasSuffix(u, ".json") {
			return u
		}
	}
	for _, u := range a.URLs {
		if strings.Contains(strings.ToLower(u), id) {
			return u
		}
	}
	if len(a.URLs) > 0 {
		return a.URLs[0]
	}
	return ""
}
