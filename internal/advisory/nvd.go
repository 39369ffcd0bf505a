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

type nvdCVE struct {
	ID               string `json:"id"`
	SourceIdentifier string `json:"sourceIdentifier"`
	Published        string `json:"published"`
	LastModified     string `json:"lastModified"`
	VulnStatus       string `json:"vulnStatus"`
	Descriptions     []struct {
		Lang  string `json:"lang"`
		Value string `json:"value"`
	} `json:"descriptions"`
	Metrics    map[string][]nvdMetric `json:"metrics"`
	Weaknesses []struct {
		Description []struct {
			Lang  string `json:"lang"`
			Value string `json:"value"`
		} `json:"description"`
	} `json:"weaknesses"`
	Configurations []struct {
		Operator string `json:"operator"`
		Negate   bool   `json:"negate"`
		Nodes    []struct {
			Operator string `json:"operator"`
			Negate   bool   `json:"negate"`
			CPEMatch []struct {
				Vulnerable            bool   `json:"vulnerable"`
				Criteria              string `json:"criteria"`
				MatchCriteriaID       string `json:"matchCriteriaId"`
				VersionStartIncluding string `json:"versionStartIncluding"`
				VersionStartExcluding string `json:"versionStartExcluding"`
				VersionEndIncluding   string `json:"versionEndIncluding"`
				VersionEndExcluding   string `json:"versionEndExcluding"`
			} `json:"cpeMatch"`
		} `json:"nodes"`
	} `json:"configurations"`
	References []struct {
		URL string `json:"url"`
	} `json:"references"`
	CISAExploitAdd        string `json:"cisaExploitAdd"`
	CISAActionDue         string `json:"cisaActionDue"`
	CISARequiredAction    string `json:"cisaRequiredAction"`
	CISAVulnerabilityName string `json:"cisaVulnerabilityName"`
}

type nvdMetric struct {
	Source   string `json:"source"`
	Type     string `json:"type"`
	CVSSData struct {
		Version      string   `json:"version"`
		VectorString string   `json:"vectorString"`
		BaseScore    *float64 `json:"baseScore"`
	} `json:"cvssData"`
}

// nvdMetricKeys are the NVD metric arrays, newest CVSS version first.
var nvdMetricKeys = []string{"cvssMetricV40", "cvssMetricV31", "cvssMetricV30", "cvssMetricV2"}

// ParseNVD reads NVD CVE API 2.0 JSON: either one "cve" object (as stored
// per file by the NVD data feeds) or the API response / feed shape
// {"vulnerabilities":[{"cve":{...}}, ...]}, which is streamed. Each CVE
// becomes one Advisory with one Vuln: descriptions, CWEs, every CVSS v2,
// v3.0, v3.1 and v4.0 metric (vector checked and base score recomputed with
// go-cvss), the CISA KEV fields NVD carries, and the configurations kept as
// typed nodes. Products lists each vulnerable cpeMatch once so that
// advisories can be indexed by CPE vendor:product; applicability itself
// (running-on AND nodes) must be decided on Vuln.Configurations.
func ParseNVD(ctx context.Context, r io.Reader, name string, yield func(Advisory) error) (Stats, []errs.RowError, error) {
	var st Stats
	var rows []errs.RowError
	in, err := newInput(r)
	if err != nil {
		return st, nil, fmt.Errorf("parse %s: %w", name, err)
	}
	one := func(i, line int, raw json.RawMessage, field string) error {
		a, warns, row := nvdAdvisory(raw, name, line, field)
		return tally(&st, &rows, yield, a, warns, row)
	}
	w := newArrayWalker(in)
	walked, err := w.walk(ctx, []string{"vulnerabilities", "CVE_Items"}, func(key string, i, line int, raw json.RawMessage) error {
		field := fmt.Sprintf("%s[%d]", key, i)
		if key == "CVE_Items" {
			r := rowErr(name, line, field, "NVD JSON 1.1 feeds are not supported; use the CVE API 2.0 format", raw)
			return tally(&st, &rows, yield, Advisory{}, nil, &r)
		}
		// Decode the item in one pass; the raw bytes are kept for errors.
		var item struct {
			CVE *nvdCVE `json:"cve"`
		}
		err := json.Unmarshal(raw, &item)
		if err == nil && item.CVE == nil {
			r := rowErr(name, line, field, "not an object with a \"cve\" member", raw)
			return tally(&st, &rows, yield, Advisory{}, nil, &r)
		}
		a, warns, row := nvdMap(item.CVE, err, raw, name, line, field+".cve")
		return tally(&st, &rows, yield, a, warns, row)
	})
	if err != nil {
		return st, rows, fmt.Errorf("parse %s: %w", name, err)
	}
	var version, ts string
	_ = json.Unmarshal(w.header["version"], &version)
	_ = json.Unmarshal(w.header["timestamp"], &ts)
	st.Version = version
	st.Released, _ = parseTime(ts)
	if walked == "" {
		// A single cve object: reassemble it from the members read.
		if _, ok := w.header["id"]; !ok {
			if _, ok := w.header["cve"]; ok { // {"cve": {...}}: one API item
				return st, rows, one(0, 1, w.header["cve"], "cve")
			}
			r := rowErr(name, 1, "id", "missing: not an NVD CVE record or feed", nil)
			err := tally(&st, &rows, yield, Advisory{}, nil, &r)
			return st, rows, err
		}
		raw, err := json.Marshal(w.header)
		if err != nil {
			return st, rows, fmt.Errorf("parse %s: %w", name, err)
		}
		if err := one(0, 1, raw, ""); err != nil {
			return st, rows, fmt.Errorf("parse %s: %w", name, err)
		}
	}
	return st, rows, nil
}

func nvdAdvisory(raw json.RawMessage, name string, line int, field string) (Advisory, []errs.RowError, *errs.RowError) {
	var c nvdCVE
	err := json.Unmarshal(raw, &c)
	return nvdMap(&c, err, raw, name, line, field)
}

// nvdMap maps a decoded record; decodeErr is the error of decoding raw into
// c, which rejects the record.
func nvdMap(c *nvdCVE, decodeErr error, raw json.RawMessage, name string, line int, field string) (Advisory, []errs.RowError, *errs.RowError) {
	var warns []errs.RowError
	bad := func(f, reason string) (Advisory, []errs.RowError, *errs.RowError) {
		re := rowErr(name, line, joinField(field, f), reason, raw)
		return Advisory{}, warns, &re
	}
	if decodeErr != nil {
		f, reason := jsonReason(decodeErr)
		return bad(strings.TrimPrefix(f, "cve."), reason)
	}
	id := strings.TrimSpace(c.ID)
	if !IsCVE(id) {
		return bad("id", fmt.Sprintf("%q is not a CVE id", c.ID))
	}
	pub, err := parseTime(c.Published)
	if err != nil {
		return bad("published", err.Error())
	}
	mod, err := parseTime(c.LastModified)
	if err != nil {
		return bad("lastModified", err.Error())
	}
	warn := func(f, reason string) {
		warns = append(warns, rowErr(name, line, joinField(field, f), reason, nil))
	}
	a := Advisory{
		ID:        id,
		Source:    SourceNVD,
		Published: pub,
		Modified:  mod,
		Publisher: strings.TrimSpace(c.SourceIdentifier),
		Status:    c.VulnStatus,
		Withdrawn: strings.EqualFold(c.VulnStatus, "Rejected"),
		CVEs:      []string{id},
	}
	v := Vuln{CVE: id}
	for _, d := range c.Descriptions {
		if d.Lang == "en" {
			v.Description = strings.TrimSpace(d.Value)
			break
		}
	}
	for _, w := range c.Weaknesses {
		for _, d := range w.Description {
			if strings.HasPrefix(d.Value, "CWE-") {
				v.CWEs = appendUnique(v.CWEs, d.Value)
			}
		}
	}
	for _, key := range nvdMetricKeys {
		for j, m := range c.Metrics[key] {
			f := fmt.Sprintf("metrics.%s[%d].cvssData", key, j)
			s, ws, err := newScore(m.CVSSData.Version, m.CVSSData.VectorString, m.CVSSData.BaseScore)
			if err != nil {
				warn(f, err.Error()+"; score dropped")
				continue
			}
			for _, w := range ws {
				warn(f, w)
			}
			s.Source, s.Type = m.Source, m.Type
			v.CVSS = append(v.CVSS, s)
		}
	}
	if c.CISAExploitAdd != "" {
		k := &KEV{RequiredAction: c.CISARequiredAction, VulnerabilityName: c.CISAVulnerabilityName}
		if k.DateAdded, err = parseDate(c.CISAExploitAdd); err != nil {
			warn("cisaExploitAdd", err.Error())
		} else {
			if k.DueDate, err = parseDate(c.CISAActionDue); err != nil && c.CISAActionDue != "" {
				warn("cisaActionDue", err.Error())
			}
			v.KEV = k
		}
	}
	for _, r := range c.References {
		a.URLs = appendUnique(a.URLs, r.URL)
	}
	seen := map[CPEMatch]bool{}
	for ci, cfg := range c.Configurations {
		conf := Config{Operator: strings.ToUpper(cfg.Operator), Negate: cfg.Negate}
		for ni, n := range cfg.Nodes {
			node := Node{Operator: strings.ToUpper(n.Operator), Negate: n.Negate}
			if node.Operator == "" {
				node.Operator = "OR"
			}
			for mi, m := range n.CPEMatch {
				cm := CPEMatch{
					Vulnerable:            m.Vulnerable,
					Criteria:              strings.TrimSpace(m.Criteria),
					MatchCriteriaID:       m.MatchCriteriaID,
					VersionStartIncluding: m.VersionStartIncluding,
					VersionStartExcluding: m.VersionStartExcluding,
					VersionEndIncluding:   m.VersionEndIncluding,
					VersionEndExcluding:   m.VersionEndExcluding,
				}
				if err := CheckCPE(cm.Criteria); err != nil {
					warn(fmt.Sprintf("configurations[%d].nodes[%d].cpeMatch[%d].criteria", ci, ni, mi), err.Error()+"; match dropped")
					continue
				}
				node.Matches = append(node.Matches, cm)
				if cm.Vulnerable && !seen[cm] {
					seen[cm] = true
					a.Products = append(a.Products, nvdProduct(cm, id, len(a.Products)))
				}
			}
			conf.Nodes = append(conf.Nodes, node)
		}
		v.Configurations = append(v.Configurations, conf)
	}
	a.Vulns = []Vuln{v}
	return a, warns, nil
}

// nvdProduct turns a vulnerable cpeMatch into a Product for indexing.
func nvdProduct(m CPEMatch, cve string, n int) Product {
	p := Product{
		ID:     m.MatchCriteriaID,
		CPEs:   []string{m.Criteria},
		Status: map[string]Status{cve: StatusKnownAffected},
	}
	if p.ID == "" {
		p.ID = fmt.Sprintf("cpeMatch[%d]", n)
	}
	f := splitCPE23(m.Criteria)
	if len(f) == 13 {
		p.Vendor, p.Name = unescapeCPE(f[3]), unescapeCPE(f[4])
		if ver := f[5]; ver != "*" && ver != "-" && ver != "" {
			p.Version = unescapeCPE(ver)
		}
	}
	r := VersionRange{
		Type:           "cpe",
		StartIncluding: m.VersionStartIncluding,
		StartExcluding: m.VersionStartExcluding,
		EndIncluding:   m.VersionEndIncluding,
		EndExcluding:   m.VersionEndExcluding,
	}
	if r.Bounded() {
		p.Ranges = []VersionRange{r}
	}
	return p
}

// unescapeCPE removes CPE 2.3 backslash escapes and maps "_" to a space so
// that "axis_a1001" reads as the vendor wrote it; the CPE itself stays in
// Product.CPEs for exact matching.
func unescapeCPE(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			i++
			c = s[i]
		} else if c == '_' {
			c = ' '
		}
		b.WriteByte(c)
	}
	return b.String()
}
