// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package advisory

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/gocsaf/csaf/v3/csaf"

	"vigil/internal/errs"
	"vigil/internal/tlp"
)

// The CSAF document is decoded into the types below rather than into
// github.com/gocsaf/csaf/v3/csaf.Advisory: that model (v3.7.0) types
// product_identification_helper.hashes as one object and product_groups as
// an object, where the CSAF 2.0 schema has arrays, so real documents such as
// CISA's icsa-24-235-03 fail to decode with it. The enum values used here are
// the gocsaf constants.

type csafDoc struct {
	Document struct {
		Category  string `json:"category"`
		Title     string `json:"title"`
		Publisher struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"publisher"`
		References   []csafRef `json:"references"`
		Distribution *struct {
			TLP *struct {
				Label string `json:"label"`
			} `json:"tlp"`
		} `json:"distribution"`
		Tracking struct {
			ID                 string `json:"id"`
			Status             string `json:"status"`
			Version            string `json:"version"`
			InitialReleaseDate string `json:"initial_release_date"`
			CurrentReleaseDate string `json:"current_release_date"`
		} `json:"tracking"`
	} `json:"document"`
	ProductTree *struct {
		Branches         []csafBranch  `json:"branches"`
		FullProductNames []csafProduct `json:"full_product_names"`
		ProductGroups    []struct {
			GroupID    string   `json:"group_id"`
			ProductIDs []string `json:"product_ids"`
		} `json:"product_groups"`
		Relationships []struct {
			Category                  string      `json:"category"`
			FullProductName           csafProduct `json:"full_product_name"`
			ProductReference          string      `json:"product_reference"`
			RelatesToProductReference string      `json:"relates_to_product_reference"`
		} `json:"relationships"`
	} `json:"product_tree"`
	Vulnerabilities []json.RawMessage `json:"vulnerabilities"`
}

type csafRef struct {
	URL      string `json:"url"`
	Category string `json:"category"`
}

type csafBranch struct {
	Category string       `json:"category"`
	Name     string       `json:"name"`
	Product  *csafProduct `json:"product"`
	Branches []csafBranch `json:"branches"`
}

type csafProduct struct {
	Name      string `json:"name"`
	ProductID string `json:"product_id"`
	Helper    *struct {
		CPE          string   `json:"cpe"`
		PURL         string   `json:"purl"`
		ModelNumbers []string `json:"model_numbers"`
		SKUs         []string `json:"skus"`
		Serials      []string `json:"serial_numbers"`
		Hashes       []struct {
			Filename   string `json:"filename"`
			FileHashes []struct {
				Algorithm string `json:"algorithm"`
				Value     string `json:"value"`
			} `json:"file_hashes"`
		} `json:"hashes"`
	} `json:"product_identification_helper"`
}

type csafVuln struct {
	CVE string `json:"cve"`
	IDs []struct {
		SystemName string `json:"system_name"`
		Text       string `json:"text"`
	} `json:"ids"`
	Title string `json:"title"`
	CWE   *struct {
		ID string `json:"id"`
	} `json:"cwe"`
	Notes []struct {
		Category string `json:"category"`
		Text     string `json:"text"`
	} `json:"notes"`
	ProductStatus map[string][]string `json:"product_status"`
	References    []csafRef           `json:"references"`
	Remediations  []struct {
		Category   string   `json:"category"`
		Details    string   `json:"details"`
		URL        string   `json:"url"`
		Date       string   `json:"date"`
		ProductIDs []string `json:"product_ids"`
		GroupIDs   []string `json:"group_ids"`
	} `json:"remediations"`
	Scores []struct {
		CVSS3 *struct {
			Version      string   `json:"version"`
			VectorString string   `json:"vectorString"`
			BaseScore    *float64 `json:"baseScore"`
		} `json:"cvss_v3"`
		CVSS2 *struct {
			Version      string   `json:"version"`
			VectorString string   `json:"vectorString"`
			BaseScore    *float64 `json:"baseScore"`
		} `json:"cvss_v2"`
		Products []string `json:"products"`
	} `json:"scores"`
}

// csafStatuses maps CSAF product_status members to statuses.
var csafStatuses = map[string]Status{
	"known_affected":      StatusKnownAffected,
	"first_affected":      StatusFirstAffected,
	"last_affected":       StatusLastAffected,
	"fixed":               StatusFixed,
	"first_fixed":         StatusFirstFixed,
	"known_not_affected":  StatusKnownNotAffected,
	"under_investigation": StatusUnderInvestigation,
	"recommended":         StatusRecommended,
}

// ParseCSAF reads one CSAF 2.0 document and yields it as an Advisory: the
// product tree is flattened into Products (vendor / product_family /
// product_name / product_version / product_version_range branches,
// full_product_names, relationships with their platform, identification
// helpers), and each vulnerability's product_status, CVSS scores (checked
// with go-cvss), remediations and references are mapped. A document that is
// not CSAF JSON is one row error; a bad vulnerability is a row error and the
// others are kept; problems that do not invalidate a record are
// Stats.Warnings.
func ParseCSAF(ctx context.Context, r io.Reader, name string, yield func(Advisory) error) (Stats, []errs.RowError, error) {
	var st Stats
	in, err := newInput(r)
	if err != nil {
		return st, nil, fmt.Errorf("parse %s: %w", name, err)
	}
	data, err := in.readAll()
	if err != nil {
		return st, nil, fmt.Errorf("parse %s: %w", name, err)
	}
	if err := ctx.Err(); err != nil {
		return st, nil, err
	}
	st.Records = 1
	a, rows, warns := csafAdvisory(data, name)
	st.Warnings = warns
	if a == nil {
		st.Rejected = 1
		return st, rows, nil
	}
	if err := yield(*a); err != nil {
		return st, rows, fmt.Errorf("parse %s: %w", name, err)
	}
	st.Yielded = 1
	return st, rows, nil
}

// csafAdvisory maps one document. A nil Advisory means the document was
// rejected; rows then says why.
func csafAdvisory(data []byte, name string) (*Advisory, []errs.RowError, []errs.RowError) {
	var doc csafDoc
	var rows, warns []errs.RowError
	if err := json.Unmarshal(data, &doc); err != nil {
		field, reason := jsonReason(err)
		return nil, []errs.RowError{rowErr(name, 1, field, "not a CSAF document: "+reason, data)}, nil
	}
	d := &doc.Document
	if d.Tracking.ID == "" {
		return nil, []errs.RowError{rowErr(name, 1, "document.tracking.id", "missing: not a CSAF document", data)}, nil
	}
	a := &Advisory{
		ID:        strings.TrimSpace(d.Tracking.ID),
		Source:    SourceCSAF,
		Title:     strings.TrimSpace(d.Title),
		Publisher: strings.TrimSpace(d.Publisher.Name),
		Version:   d.Tracking.Version,
		Status:    d.Tracking.Status,
	}
	if d.Distribution != nil && d.Distribution.TLP != nil {
		m, err := tlp.Parse(d.Distribution.TLP.Label)
		if err != nil {
			return nil, []errs.RowError{rowErr(name, 1, "document.distribution.tlp.label", errs.Message(err), nil)}, nil
		}
		a.TLP = m
	}
	var err error
	if a.Published, err = parseTime(d.Tracking.InitialReleaseDate); err != nil {
		warns = append(warns, rowErr(name, 0, "document.tracking.initial_release_date", err.Error(), nil))
	}
	if a.Modified, err = parseTime(d.Tracking.CurrentReleaseDate); err != nil {
		warns = append(warns, rowErr(name, 0, "document.tracking.current_release_date", err.Error(), nil))
	}
	for _, ref := range d.References {
		a.URLs = appendUnique(a.URLs, ref.URL)
	}

	products, groups, pw := csafProducts(&doc, name)
	warns = append(warns, pw...)
	index := make(map[string]int, len(products))
	for i := range products {
		index[products[i].ID] = i
	}
	expand := func(ids, groupIDs []string) []string {
		out := slices.Clone(ids)
		for _, g := range groupIDs {
			out = append(out, groups[g]...)
		}
		return sortedUnique(out)
	}

	for i, raw := range doc.Vulnerabilities {
		field := fmt.Sprintf("vulnerabilities[%d]", i)
		var cv csafVuln
		if err := json.Unmarshal(raw, &cv); err != nil {
			f, reason := jsonReason(err)
			rows = append(rows, rowErr(name, 0, joinField(field, f), reason, raw))
			continue
		}
		v := Vuln{CVE: strings.TrimSpace(cv.CVE), Title: strings.TrimSpace(cv.Title)}
		if v.CVE != "" && !IsCVE(v.CVE) {
			rows = append(rows, rowErr(name, 0, field+".cve", fmt.Sprintf("%q is not a CVE id", v.CVE), raw))
			continue
		}
		if len(cv.IDs) > 0 {
			v.ID = strings.TrimSpace(cv.IDs[0].Text)
		}
		if v.CVE == "" && v.ID == "" {
			v.ID = fmt.Sprintf("%s#%d", a.ID, i)
		}
		if v.CVE == v.ID {
			v.ID = ""
		}
		if cv.CWE != nil && cv.CWE.ID != "" {
			v.CWEs = []string{cv.CWE.ID}
		}
		for _, n := range cv.Notes {
			if n.Category == "description" || n.Category == "summary" && v.Description == "" {
				v.Description = strings.TrimSpace(n.Text)
			}
		}
		for _, ref := range cv.References {
			v.URLs = appendUnique(v.URLs, ref.URL)
		}
		for j, s := range cv.Scores {
			sf := fmt.Sprintf("%s.scores[%d]", field, j)
			type stated struct {
				field, version, vector string
				base                   *float64
			}
			var ss []stated
			if s.CVSS3 != nil {
				ss = append(ss, stated{sf + ".cvss_v3", s.CVSS3.Version, s.CVSS3.VectorString, s.CVSS3.BaseScore})
			}
			if s.CVSS2 != nil {
				ss = append(ss, stated{sf + ".cvss_v2", s.CVSS2.Version, s.CVSS2.VectorString, s.CVSS2.BaseScore})
			}
			for _, x := range ss {
				sc, w, err := newScore(x.version, x.vector, x.base)
				if err != nil {
					warns = append(warns, rowErr(name, 0, x.field, err.Error()+"; score dropped", nil))
					continue
				}
				for _, m := range w {
					warns = append(warns, rowErr(name, 0, x.field, m, nil))
				}
				sc.ProductIDs = sortedUnique(slices.Clone(s.Products))
				v.CVSS = append(v.CVSS, sc)
			}
		}
		for _, rm := range cv.Remediations {
			rem := Remediation{
				Category:   rm.Category,
				Details:    strings.TrimSpace(rm.Details),
				URL:        rm.URL,
				ProductIDs: expand(rm.ProductIDs, rm.GroupIDs),
			}
			if rem.Date, err = parseTime(rm.Date); err != nil {
				warns = append(warns, rowErr(name, 0, field+".remediations.date", err.Error(), nil))
			}
			v.Remedies = append(v.Remedies, rem)
		}
		key := v.Key()
		for member, ids := range cv.ProductStatus {
			status, ok := csafStatuses[member]
			if !ok {
				warns = append(warns, rowErr(name, 0, field+".product_status."+member, "unknown product status", nil))
				continue
			}
			for _, id := range ids {
				pi, ok := index[id]
				if !ok {
					warns = append(warns, rowErr(name, 0, field+".product_status."+member, fmt.Sprintf("product %q is not in the product tree", id), nil))
					continue
				}
				p := &products[pi]
				if p.Status == nil {
					p.Status = map[string]Status{}
				}
				if old, ok := p.Status[key]; !ok || status.rank() > old.rank() {
					p.Status[key] = status
				}
			}
		}
		a.Vulns = append(a.Vulns, v)
		if v.CVE != "" {
			a.CVEs = append(a.CVEs, v.CVE)
		}
	}
	a.CVEs = sortedUnique(a.CVEs)
	a.Products = products
	return a, rows, warns
}

func joinField(a, b string) string {
	if a == "" {
		return b
	}
	if b == "" {
		return a
	}
	return a + "." + b
}

// csafProducts flattens the product tree. It returns the products in tree
// order (branches, full_product_names, relationships) and the product
// groups.
func csafProducts(doc *csafDoc, name string) ([]Product, map[string][]string, []errs.RowError) {
	var out []Product
	var warns []errs.RowError
	groups := map[string][]string{}
	pt := doc.ProductTree
	if pt == nil {
		return nil, groups, nil
	}
	seen := map[string]bool{}
	add := func(p Product, field string) {
		if p.ID == "" {
			warns = append(warns, rowErr(name, 0, field, "product without product_id", nil))
			return
		}
		if seen[p.ID] {
			warns = append(warns, rowErr(name, 0, field, fmt.Sprintf("product_id %q defined twice; first kept", p.ID), nil))
			return
		}
		seen[p.ID] = true
		out = append(out, p)
	}
	var walk func(bs []csafBranch, path Product, field string)
	walk = func(bs []csafBranch, path Product, field string) {
		for i, b := range bs {
			f := fmt.Sprintf("%s[%d]", field, i)
			p := path
			n := strings.TrimSpace(b.Name)
			switch csaf.BranchCategory(b.Category) {
			case csaf.CSAFBranchCategoryVendor:
				p.Vendor = n
			case csaf.CSAFBranchCategoryProductFamily:
				if p.Family == "" {
					p.Family = n
				} else {
					p.Family += " " + n
				}
			case csaf.CSAFBranchCategoryProductName:
				p.Name = n
			case csaf.CSAFBranchCategoryProductVersion:
				p.Version = n
			case csaf.CSAFBranchCategoryProductVersionRange:
				p.Ranges = []VersionRange{rangeText(b.Name)}
			}
			if b.Product != nil {
				leaf := p
				if leaf.Name == "" { // a product directly under vendor or family
					leaf.Name = strings.TrimSpace(b.Product.Name)
				}
				add(csafLeaf(leaf, b.Product, name, f+".product", &warns), f+".product")
			}
			walk(b.Branches, p, f+".branches")
		}
	}
	walk(pt.Branches, Product{}, "product_tree.branches")
	for i := range pt.FullProductNames {
		fpn := &pt.FullProductNames[i]
		f := fmt.Sprintf("product_tree.full_product_names[%d]", i)
		add(csafLeaf(Product{Name: strings.TrimSpace(fpn.Name)}, fpn, name, f, &warns), f)
	}
	for _, g := range pt.ProductGroups {
		groups[g.GroupID] = g.ProductIDs
	}
	index := make(map[string]int, len(out))
	for i := range out {
		index[out[i].ID] = i
	}
	byID := func(id string) *Product {
		if i, ok := index[id]; ok {
			return &out[i]
		}
		return nil
	}
	var rels []Product
	for i, rel := range pt.Relationships {
		f := fmt.Sprintf("product_tree.relationships[%d]", i)
		comp, plat := byID(rel.ProductReference), byID(rel.RelatesToProductReference)
		if comp == nil || plat == nil {
			warns = append(warns, rowErr(name, 0, f, fmt.Sprintf("relationship refers to unknown product %q or %q", rel.ProductReference, rel.RelatesToProductReference), nil))
		}
		p := Product{}
		if comp != nil {
			p = *comp
			p.Status = nil
		}
		p.Relationship, p.Component = rel.Category, rel.ProductReference
		if plat != nil {
			pc := *plat
			pc.Status, pc.Platform = nil, nil
			p.Platform = &pc
		}
		p = csafLeaf(p, &rel.FullProductName, name, f+".full_product_name", &warns)
		rels = append(rels, p)
	}
	for i, p := range rels {
		add(p, fmt.Sprintf("product_tree.relationships[%d]", i))
	}
	return out, groups, warns
}

// csafLeaf completes p with a full_product_name and its identification
// helper; unusable CPEs and purls are dropped with a warning.
func csafLeaf(p Product, fpn *csafProduct, name, field string, warns *[]errs.RowError) Product {
	p.ID = strings.TrimSpace(fpn.ProductID)
	p.FullName = strings.TrimSpace(fpn.Name)
	// The slices of p may be shared with its component (relationships):
	// rebuild them rather than append in place.
	p.CPEs, p.PURLs = slices.Clone(p.CPEs), slices.Clone(p.PURLs)
	p.ModelNumbers, p.SKUs, p.Serials = slices.Clone(p.ModelNumbers), slices.Clone(p.SKUs), slices.Clone(p.Serials)
	p.Hashes = slices.Clone(p.Hashes)
	h := fpn.Helper
	if h == nil {
		return p
	}
	if c := strings.TrimSpace(h.CPE); c != "" {
		if err := CheckCPE(c); err != nil {
			*warns = append(*warns, rowErr(name, 0, field+".product_identification_helper.cpe", err.Error(), []byte(c)))
		} else {
			p.CPEs = appendUnique(p.CPEs, c)
		}
	}
	if u := strings.TrimSpace(h.PURL); u != "" {
		if err := CheckPURL(u); err != nil {
			*warns = append(*warns, rowErr(name, 0, field+".product_identification_helper.purl", err.Error(), []byte(u)))
		} else {
			p.PURLs = appendUnique(p.PURLs, u)
		}
	}
	p.ModelNumbers = appendUnique(p.ModelNumbers, h.ModelNumbers...)
	p.SKUs = appendUnique(p.SKUs, h.SKUs...)
	p.Serials = appendUnique(p.Serials, h.Serials...)
	for _, hs := range h.Hashes {
		for _, fh := range hs.FileHashes {
			p.Hashes = append(p.Hashes, FileHash{Filename: hs.Filename, Algorithm: strings.ToLower(fh.Algorithm), Value: strings.ToLower(fh.Value)})
		}
	}
	return p
}
