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

type cve5Record struct {
	DataType    string `json:"dataType"`
	DataVersion string `json:"dataVersion"`
	CVEMetadata struct {
		CVEID             string `json:"cveId"`
		AssignerShortName string `json:"assignerShortName"`
		State             string `json:"state"`
		DatePublished     string `json:"datePublished"`
		DateUpdated       string `json:"dateUpdated"`
	} `json:"cveMetadata"`
	Containers struct {
		CNA *cve5Container  `json:"cna"`
		ADP []cve5Container `json:"adp"`
	} `json:"containers"`
}

type cve5Container struct {
	ProviderMetadata struct {
		ShortName   string `json:"shortName"`
		DateUpdated string `json:"dateUpdated"`
	} `json:"providerMetadata"`
	Title        string         `json:"title"`
	Descriptions []cve5Text     `json:"descriptions"`
	Affected     []cve5Affected `json:"affected"`
	ProblemTypes []struct {
		Descriptions []struct {
			CWEID string `json:"cweId"`
		} `json:"descriptions"`
	} `json:"problemTypes"`
	Metrics []struct {
		V20   *cve5CVSS `json:"cvssV2_0"`
		V30   *cve5CVSS `json:"cvssV3_0"`
		V31   *cve5CVSS `json:"cvssV3_1"`
		V40   *cve5CVSS `json:"cvssV4_0"`
		Other *struct {
			Type    string          `json:"type"`
			Content json.RawMessage `json:"content"`
		} `json:"other"`
	} `json:"metrics"`
	References []struct {
		URL string `json:"url"`
	} `json:"references"`
	Solutions   []cve5Text `json:"solutions"`
	Workarounds []cve5Text `json:"workarounds"`
}

type cve5Text struct {
	Lang  string `json:"lang"`
	Value string `json:"value"`
}

type cve5CVSS struct {
	Version      string   `json:"version"`
	VectorString string   `json:"vectorString"`
	BaseScore    *float64 `json:"baseScore"`
}

type cve5Affected struct {
	Vendor        string   `json:"vendor"`
	Product       string   `json:"product"`
	PackageName   string   `json:"packageName"`
	CollectionURL string   `json:"collectionURL"`
	CPEs          []string `json:"cpes"`
	DefaultStatus string   `json:"defaultStatus"`
	Versions      []struct {
		Version         string `json:"version"`
		Status          string `json:"status"`
		VersionType     string `json:"versionType"`
		LessThan        string `json:"lessThan"`
		LessThanOrEqual string `json:"lessThanOrEqual"`
		Changes         []struct {
			At     string `json:"at"`
			Status string `json:"status"`
		} `json:"changes"`
	} `json:"versions"`
}

// cve5Status maps CVE 5 affected/unaffected/unknown onto Status.
func cve5Status(s string) Status {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "affected":
		return StatusKnownAffected
	case "unaffected":
		return StatusKnownNotAffected
	case "unknown":
		return StatusUnknown
	}
	return ""
}

// ParseCVE5 reads CVE JSON 5.x records (cvelistV5): one record per file, or
// a JSON array of records, which is streamed. Each record becomes one
// Advisory with one Vuln. Products come from the CNA container's affected[]
// and from ADP containers (CISA vulnrichment adds CPEs and version ranges):
// every versions[] entry becomes a VersionRange with its own status
// (lessThan / lessThanOrEqual bounds; free-text versions such as "2.0.9 and
// earlier" are parsed, the original kept in Text). CVSS metrics of all
// containers are checked with go-cvss; the CISA-ADP "ssvc" and "kev" metrics
// fill Vuln.SSVC and Vuln.KEV (date added only).
func ParseCVE5(ctx context.Context, r io.Reader, name string, yield func(Advisory) error) (Stats, []errs.RowError, error) {
	var st Stats
	var rows []errs.RowError
	in, err := newInput(r)
	if err != nil {
		return st, nil, fmt.Errorf("parse %s: %w", name, err)
	}
	one := func(i, line int, raw json.RawMessage, field string) error {
		a, warns, row := cve5Advisory(raw, name, line, field)
		return tally(&st, &rows, yield, a, warns, row)
	}
	first, err := in.firstByte()
	if err != nil {
		return st, nil, fmt.Errorf("parse %s: %w", name, err)
	}
	if first == '[' {
		err = walkTopArray(ctx, in, func(i, line int, raw json.RawMessage) error {
			return one(i, line, raw, fmt.Sprintf("[%d]", i))
		})
	} else {
		var data []byte
		if data, err = in.readAll(); err == nil {
			err = one(0, 1, data, "")
		}
	}
	if err != nil {
		return st, rows, fmt.Errorf("parse %s: %w", name, err)
	}
	return st, rows, nil
}

func cve5Advisory(raw json.RawMessage, name string, line int, field string) (Advisory, []errs.RowError, *errs.RowError) {
	var warns []errs.RowError
	bad := func(f, reason string) (Advisory, []errs.RowError, *errs.RowError) {
		re := rowErr(name, line, joinField(field, f), reason, raw)
		return Advisory{}, warns, &re
	}
	warn := func(f, reason string) {
		warns = append(warns, rowErr(name, line, joinField(field, f), reason, nil))
	}
	var rec cve5Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		f, reason := jsonReason(err)
		return bad(f, reason)
	}
	md := &rec.CVEMetadata
	id := strings.TrimSpace(md.CVEID)
	if !IsCVE(id) {
		return bad("cveMetadata.cveId", fmt.Sprintf("%q is not a CVE id: not a CVE 5 record", md.CVEID))
	}
	if !strings.HasPrefix(rec.DataVersion, "5.") {
		warn("dataVersion", fmt.Sprintf("%q is not a CVE JSON 5.x version", rec.DataVersion))
	}
	pub, err := parseTime(md.DatePublished)
	if err != nil {
		return bad("cveMetadata.datePublished", err.Error())
	}
	mod, err := parseTime(md.DateUpdated)
	if err != nil {
		return bad("cveMetadata.dateUpdated", err.Error())
	}
	a := Advisory{
		ID:        id,
		Source:    SourceCVE5,
		Published: pub,
		Modified:  mod,
		Publisher: md.AssignerShortName,
		Status:    md.State,
		Withdrawn: strings.EqualFold(md.State, "REJECTED"),
		CVEs:      []string{id},
	}
	v := Vuln{CVE: id}
	var containers []*cve5Container
	var names []string
	if rec.Containers.CNA != nil {
		containers, names = append(containers, rec.Containers.CNA), append(names, "cna")
		if s := rec.Containers.CNA.ProviderMetadata.ShortName; s != "" {
			a.Publisher = s
		}
		a.Title = strings.TrimSpace(rec.Containers.CNA.Title)
	}
	for i := range rec.Containers.ADP {
		c := &rec.Containers.ADP[i]
		containers, names = append(containers, c), append(names, "adp:"+c.ProviderMetadata.ShortName)
	}
	v.Title = a.Title
	for ci, c := range containers {
		cf := "containers.cna"
		if names[ci] != "cna" {
			cf = fmt.Sprintf("containers.adp[%d]", ci-boolInt(rec.Containers.CNA != nil))
		}
		if v.Description == "" {
			v.Description = englishText(c.Descriptions)
		}
		for _, pt := range c.ProblemTypes {
			for _, d := range pt.Descriptions {
				if strings.HasPrefix(d.CWEID, "CWE-") {
					v.CWEs = appendUnique(v.CWEs, d.CWEID)
				}
			}
		}
		for _, ref := range c.References {
			a.URLs = appendUnique(a.URLs, ref.URL)
		}
		for mi, m := range c.Metrics {
			mf := fmt.Sprintf("%s.metrics[%d]", cf, mi)
			for _, x := range []*cve5CVSS{m.V40, m.V31, m.V30, m.V20} {
				if x == nil {
					continue
				}
				s, ws, err := newScore(x.Version, x.VectorString, x.BaseScore)
				if err != nil {
					warn(mf, err.Error()+"; score dropped")
					continue
				}
				for _, w := range ws {
					warn(mf, w)
				}
				s.Source = names[ci]
				v.CVSS = append(v.CVSS, s)
			}
			if m.Other != nil {
				cve5Other(&v, m.Other.Type, m.Other.Content, func(reason string) { warn(mf+".other", reason) })
			}
		}
		for _, s := range c.Solutions {
			if s.Value = strings.TrimSpace(s.Value); s.Value != "" {
				v.Remedies = append(v.Remedies, Remediation{Category: "vendor_fix", Details: s.Value})
			}
		}
		for _, s := range c.Workarounds {
			if s.Value = strings.TrimSpace(s.Value); s.Value != "" {
				v.Remedies = append(v.Remedies, Remediation{Category: "workaround", Details: s.Value})
			}
		}
		for ai, af := range c.Affected {
			pid := fmt.Sprintf("%s/affected[%d]", names[ci], ai)
			p, pw := cve5Product(af, pid, id)
			for _, w := range pw {
				warn(fmt.Sprintf("%s.affected[%d]", cf, ai), w)
			}
			a.Products = append(a.Products, p)
		}
	}
	a.Vulns = []Vuln{v}
	return a, warns, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func englishText(ts []cve5Text) string {
	for _, t := range ts {
		if strings.HasPrefix(strings.ToLower(t.Lang), "en") {
			return strings.TrimSpace(t.Value)
		}
	}
	if len(ts) > 0 {
		return strings.TrimSpace(ts[0].Value)
	}
	return ""
}

// cve5Other reads the CISA-ADP "ssvc" and "kev" metric contents.
func cve5Other(v *Vuln, typ string, content json.RawMessage, warn func(string)) {
	switch typ {
	case "ssvc":
		var c struct {
			Role      string              `json:"role"`
			Version   string              `json:"version"`
			Timestamp string              `json:"timestamp"`
			Options   []map[string]string `json:"options"`
		}
		if err := json.Unmarshal(content, &c); err != nil {
			warn("ssvc content: " + err.Error())
			return
		}
		s := &SSVC{Role: c.Role, Version: c.Version}
		s.Timestamp, _ = parseTime(c.Timestamp)
		for _, o := range c.Options {
			for k, val := range o {
				switch strings.ToLower(k) {
				case "exploitation":
					s.Exploitation = strings.ToLower(val)
				case "automatable":
					s.Automatable = strings.ToLower(val)
				case "technical impact":
					s.TechnicalImpact = strings.ToLower(val)
				}
			}
		}
		v.SSVC = s
	case "kev":
		var c struct {
			DateAdded string `json:"dateAdded"`
		}
		if err := json.Unmarshal(content, &c); err != nil {
			warn("kev content: " + err.Error())
			return
		}
		d, err := parseDate(c.DateAdded)
		if err != nil {
			warn("kev dateAdded: " + err.Error())
			return
		}
		if v.KEV == nil {
			v.KEV = &KEV{DateAdded: d}
		}
	}
}

// cve5Product maps one affected[] entry.
func cve5Product(af cve5Affected, pid, cve string) (Product, []string) {
	var warns []string
	p := Product{
		ID:            pid,
		Vendor:        placeholder(af.Vendor),
		Name:          placeholder(af.Product),
		DefaultStatus: cve5Status(af.DefaultStatus),
	}
	if p.Name == "" {
		p.Name = strings.TrimSpace(af.PackageName)
	}
	for _, c := range af.CPEs {
		c = strings.TrimSpace(c)
		if err := CheckCPE(c); err != nil {
			warns = append(warns, fmt.Sprintf("cpe %q: %v; dropped", c, err))
			continue
		}
		p.CPEs = appendUnique(p.CPEs, c)
	}
	affected, unaffected, unknown := false, false, false
	for _, ver := range af.Versions {
		st := cve5Status(ver.Status)
		if st == "" {
			warns = append(warns, fmt.Sprintf("version %q: status %q is not affected, unaffected or unknown; entry dropped", ver.Version, ver.Status))
			continue
		}
		var r VersionRange
		if ver.LessThan != "" || ver.LessThanOrEqual != "" {
			r = VersionRange{Type: ver.VersionType}
			if start := strings.TrimSpace(ver.Version); start != "0" && start != "*" && !noVersion[strings.ToLower(start)] {
				r.StartIncluding = start
			}
			if lt := strings.TrimSpace(ver.LessThan); lt != "*" {
				r.EndExcluding = lt
			}
			if le := strings.TrimSpace(ver.LessThanOrEqual); le != "*" {
				r.EndIncluding = le
			}
			if !r.Bounded() {
				r.All = true
			}
		} else {
			var ok bool
			if r, ok = versionFromText(ver.Version); !ok {
				r = VersionRange{Type: "text", Text: ver.Version}
			}
			if ver.VersionType != "" {
				r.Type = ver.VersionType
			}
		}
		for _, ch := range ver.Changes {
			r.Changes = append(r.Changes, VersionChange{At: strings.TrimSpace(ch.At), Status: cve5Status(ch.Status)})
		}
		if st != StatusKnownAffected {
			r.Status = st
		}
		switch st {
		case StatusKnownAffected:
			affected = true
		case StatusKnownNotAffected:
			unaffected = true
		default:
			unknown = true
		}
		p.Ranges = append(p.Ranges, r)
	}
	var s Status
	switch {
	case affected || p.DefaultStatus == StatusKnownAffected:
		s = StatusKnownAffected
	case unaffected && !unknown && p.DefaultStatus == StatusKnownNotAffected:
		s = StatusKnownNotAffected
	default:
		s = StatusUnknown
	}
	p.Status = map[string]Status{cve: s}
	return p, warns
}

// placeholder trims s and maps CVE 5 placeholders ("n/a") to "".
func placeholder(s string) string {
	s = strings.TrimSpace(s)
	if noVersion[strings.ToLower(s)] {
		return ""
	}
	return s
}
