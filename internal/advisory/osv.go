// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package advisory

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/package-url/packageurl-go"

	"vigil/internal/errs"
)

type osvRecord struct {
	ID        string        `json:"id"`
	Modified  string        `json:"modified"`
	Published string        `json:"published"`
	Withdrawn string        `json:"withdrawn"`
	Aliases   []string      `json:"aliases"`
	Summary   string        `json:"summary"`
	Details   string        `json:"details"`
	Severity  []osvSeverity `json:"severity"`
	Affected  []struct {
		Package struct {
			Ecosystem string `json:"ecosystem"`
			Name      string `json:"name"`
			PURL      string `json:"purl"`
		} `json:"package"`
		Severity []osvSeverity `json:"severity"`
		Ranges   []struct {
			Type   string              `json:"type"`
			Repo   string              `json:"repo"`
			Events []map[string]string `json:"events"`
		} `json:"ranges"`
		Versions []string `json:"versions"`
	} `json:"affected"`
	References []struct {
		URL string `json:"url"`
	} `json:"references"`
	DatabaseSpecific struct {
		CWEIDs []string `json:"cwe_ids"`
	} `json:"database_specific"`
}

type osvSeverity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

// ParseOSV reads OSV JSON: one record, a JSON array of records, or an object
// with a "vulns" array (the osv.dev query API); arrays are streamed. Each
// record becomes one Advisory: the OSV id is Advisory.ID, CVE aliases become
// CVEs (one Vuln per CVE, or one Vuln keyed by the OSV id when there is
// none), each affected[] entry a Product with its ecosystem, name and purl
// (derived from ecosystem and name when absent), SEMVER / ECOSYSTEM / GIT
// ranges turned into intervals (introduced → StartIncluding, fixed →
// EndExcluding, last_affected → EndIncluding) and the explicit versions
// list. Fixed versions are also listed as vendor_fix remediations.
func ParseOSV(ctx context.Context, r io.Reader, name string, yield func(Advisory) error) (Stats, []errs.RowError, error) {
	var st Stats
	var rows []errs.RowError
	in, err := newInput(r)
	if err != nil {
		return st, nil, fmt.Errorf("parse %s: %w", name, err)
	}
	one := func(line int, raw json.RawMessage, field string) error {
		a, warns, row := osvAdvisory(raw, name, line, field)
		return tally(&st, &rows, yield, a, warns, row)
	}
	first, err := in.firstByte()
	if err != nil {
		return st, nil, fmt.Errorf("parse %s: %w", name, err)
	}
	if first == '[' {
		err = walkTopArray(ctx, in, func(i, line int, raw json.RawMessage) error {
			return one(line, raw, fmt.Sprintf("[%d]", i))
		})
	} else {
		w := newArrayWalker(in)
		var walked string
		walked, err = w.walk(ctx, []string{"vulns"}, func(key string, i, line int, raw json.RawMessage) error {
			return one(line, raw, fmt.Sprintf("%s[%d]", key, i))
		})
		if err == nil && walked == "" {
			var raw []byte
			if raw, err = json.Marshal(w.header); err == nil {
				err = one(1, raw, "")
			}
		}
	}
	if err != nil {
		return st, rows, fmt.Errorf("parse %s: %w", name, err)
	}
	return st, rows, nil
}

func osvAdvisory(raw json.RawMessage, name string, line int, field string) (Advisory, []errs.RowError, *errs.RowError) {
	var warns []errs.RowError
	bad := func(f, reason string) (Advisory, []errs.RowError, *errs.RowError) {
		re := rowErr(name, line, joinField(field, f), reason, raw)
		return Advisory{}, warns, &re
	}
	warn := func(f, reason string) {
		warns = append(warns, rowErr(name, line, joinField(field, f), reason, nil))
	}
	var o osvRecord
	if err := json.Unmarshal(raw, &o); err != nil {
		f, reason := jsonReason(err)
		return bad(f, reason)
	}
	id := strings.TrimSpace(o.ID)
	if id == "" {
		return bad("id", "missing: not an OSV record")
	}
	mod, err := parseTime(o.Modified)
	if err != nil {
		return bad("modified", err.Error())
	}
	if mod.IsZero() {
		return bad("modified", "missing (required by the OSV schema)")
	}
	pub, err := parseTime(o.Published)
	if err != nil {
		warn("published", err.Error())
	}
	a := Advisory{
		ID:        id,
		Source:    SourceOSV,
		Title:     strings.TrimSpace(o.Summary),
		Published: pub,
		Modified:  mod,
		Withdrawn: strings.TrimSpace(o.Withdrawn) != "",
		Aliases:   appendUnique(nil, o.Aliases...),
	}
	if IsCVE(id) {
		a.CVEs = append(a.CVEs, id)
	}
	for _, al := range a.Aliases {
		if IsCVE(al) {
			a.CVEs = append(a.CVEs, al)
		}
	}
	a.CVEs = sortedUnique(a.CVEs)
	for _, ref := range o.References {
		a.URLs = appendUnique(a.URLs, ref.URL)
	}
	base := Vuln{
		Title:       a.Title,
		Description: strings.TrimSpace(o.Details),
		CWEs:        appendUnique(nil, o.DatabaseSpecific.CWEIDs...),
	}
	addScores := func(v *Vuln, sev []osvSeverity, f string) {
		for _, s := range sev {
			if !strings.HasPrefix(s.Type, "CVSS_") {
				continue
			}
			sc, ws, err := newScore("", s.Score, nil)
			if err != nil {
				warn(f, err.Error()+"; score dropped")
				continue
			}
			for _, w := range ws {
				warn(f, w)
			}
			v.CVSS = append(v.CVSS, sc)
		}
	}
	addScores(&base, o.Severity, "severity")

	var fixes []Remediation
	for ai, af := range o.Affected {
		af := af
		pf := fmt.Sprintf("affected[%d]", ai)
		p := Product{
			ID:        pf,
			Ecosystem: strings.TrimSpace(af.Package.Ecosystem),
			Name:      strings.TrimSpace(af.Package.Name),
			Versions:  appendUnique(nil, af.Versions...),
		}
		if u := strings.TrimSpace(af.Package.PURL); u != "" {
			if err := CheckPURL(u); err != nil {
				warn(pf+".package.purl", err.Error()+"; dropped")
			} else {
				p.PURLs = []string{u}
			}
		}
		if len(p.PURLs) == 0 {
			if u := osvPURL(p.Ecosystem, p.Name); u != "" {
				p.PURLs = []string{u}
			}
		}
		addScores(&base, af.Severity, pf+".severity")
		for ri, rg := range af.Ranges {
			typ := strings.ToLower(rg.Type)
			var cur *VersionRange
			flush := func() {
				if cur != nil {
					if !cur.Bounded() {
						cur.All = true
					}
					p.Ranges = append(p.Ranges, *cur)
					cur = nil
				}
			}
			for ei, ev := range rg.Events {
				if len(ev) != 1 {
					warn(fmt.Sprintf("%s.ranges[%d].events[%d]", pf, ri, ei), "event must have exactly one of introduced, fixed, last_affected, limit")
					continue
				}
				for k, val := range ev {
					val = strings.TrimSpace(val)
					switch k {
					case "introduced":
						flush()
						cur = &VersionRange{Type: typ, Repo: rg.Repo}
						if val != "0" {
							cur.StartIncluding = val
						}
					case "fixed", "last_affected", "limit":
						if cur == nil {
							cur = &VersionRange{Type: typ, Repo: rg.Repo}
						}
						switch k {
						case "fixed":
							cur.EndExcluding = val
							if typ != "git" {
								fixes = append(fixes, Remediation{Category: "vendor_fix", Details: fmt.Sprintf("Upgrade %s to %s or later", p.Name, val), ProductIDs: []string{pf}})
							}
						case "last_affected":
							cur.EndIncluding = val
						case "limit":
							if cur.EndExcluding == "" && cur.EndIncluding == "" {
								cur.EndExcluding = val
							}
						}
						flush()
					default:
						warn(fmt.Sprintf("%s.ranges[%d].events[%d]", pf, ri, ei), fmt.Sprintf("unknown event %q", k))
					}
				}
			}
			flush()
		}
		a.Products = append(a.Products, p)
	}
	base.Remedies = fixes

	var vulns []Vuln
	if len(a.CVEs) == 0 {
		v := base
		v.ID = id
		vulns = append(vulns, v)
	}
	for _, c := range a.CVEs {
		v := base
		v.CVE = c
		if id != c {
			v.ID = id
		}
		vulns = append(vulns, v)
	}
	a.Vulns = vulns
	for i := range a.Products {
		p := &a.Products[i]
		p.Status = map[string]Status{}
		for _, v := range vulns {
			p.Status[v.Key()] = StatusKnownAffected
		}
	}
	return a, warns, nil
}

// osvPURLTypes maps OSV ecosystems to purl types.
var osvPURLTypes = map[string]string{
	"npm": "npm", "PyPI": "pypi", "Maven": "maven", "Go": "golang", "crates.io": "cargo",
	"RubyGems": "gem", "NuGet": "nuget", "Packagist": "composer", "Hex": "hex", "Pub": "pub",
	"Debian": "deb", "Ubuntu": "deb", "Alpine": "apk", "Hackage": "hackage", "SwiftURL": "swift",
	"GitHub Actions": "github", "CRAN": "cran", "conan": "conan",
}

// osvPURL derives a package URL (without version) from an OSV ecosystem and
// package name; "" when the ecosystem has no purl type.
func osvPURL(ecosystem, name string) string {
	eco, _, _ := strings.Cut(ecosystem, ":") // "Debian:12"
	typ, ok := osvPURLTypes[eco]
	if !ok || name == "" {
		return ""
	}
	ns, n := "", name
	switch typ {
	case "maven":
		if g, art, ok := strings.Cut(name, ":"); ok {
			ns, n = g, art
		}
	case "golang", "composer", "github", "swift":
		if i := strings.LastIndexByte(name, '/'); i > 0 {
			ns, n = name[:i], name[i+1:]
		}
	case "npm":
		if strings.HasPrefix(name, "@") {
			if i := strings.IndexByte(name, '/'); i > 0 {
				ns, n = name[:i], name[i+1:]
			}
		}
	case "deb", "apk":
		ns = strings.ToLower(eco)
	}
	return packageurl.NewPackageURL(typ, ns, n, "", nil, "").ToString()
}
