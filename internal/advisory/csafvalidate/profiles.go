// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package csafvalidate

import (
	"slices"
	"strings"
	"unicode"
)

// Document categories of the CSAF 2.0 profiles (section 4).
const (
	catBase             = "csaf_base"
	catIncidentResponse = "csaf_security_incident_response"
	catInformational    = "csaf_informational_advisory"
	catSecurityAdvisory = "csaf_security_advisory"
	catVEX              = "csaf_vex"
)

func (c *checker) category() string {
	s, _ := getStr(c.doc, "document", "category")
	return s
}

func (c *checker) categoryIn(cats ...string) bool { return slices.Contains(cats, c.category()) }

// normalizeCategory lower-cases s and drops dashes, underscores and white space.
func normalizeCategory(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || unicode.IsSpace(r) || unicode.Is(unicode.Pd, r) || r == '\u2212' {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// 6.1.26: a CSAF Base document's category is not the name or value of
// another profile and does not use the reserved prefix csaf_.
func test6126(c *checker) {
	cat, ok := getStr(c.doc, "document", "category")
	if !ok || c.categoryIn(catBase, catIncidentResponse, catInformational, catSecurityAdvisory, catVEX) {
		return
	}
	p := root.k("document").k("category")
	if strings.HasPrefix(strings.ToLower(cat), "csaf_") {
		c.fail(p, "category %q uses the reserved prefix csaf_", cat)
		return
	}
	n := normalizeCategory(cat)
	for _, prof := range []struct{ name, value string }{
		{"Security incident response", catIncidentResponse},
		{"Informational Advisory", catInformational},
		{"Security Advisory", catSecurityAdvisory},
		{"VEX", catVEX},
	} {
		if n == normalizeCategory(prof.name) || n == normalizeCategory(prof.value) {
			c.fail(p, "category %q is the profile %q (%s); use that category value or another name", cat, prof.name, prof.value)
			return
		}
	}
}

// 6.1.27.1: informational advisories and incident responses have a document
// note of category description, details, general or summary.
func test61271(c *checker) {
	if !c.categoryIn(catInformational, catIncidentResponse) {
		return
	}
	for _, n := range getArr(c.doc, "document", "notes") {
		switch cat, _ := getStr(n, "category"); cat {
		case "description", "details", "general", "summary":
			return
		}
	}
	c.fail(root.k("document").k("notes"), "a %s needs a document note with category description, details, general or summary", c.category())
}

// 6.1.27.2: informational advisories and incident responses have an external
// document reference.
func test61272(c *checker) {
	if !c.categoryIn(catInformational, catIncidentResponse) {
		return
	}
	for _, r := range getArr(c.doc, "document", "references") {
		if cat, _ := getStr(r, "category"); cat == "external" {
			return
		}
	}
	c.fail(root.k("document").k("references"), "a %s needs a document reference with category external", c.category())
}

// 6.1.27.3: informational advisories have no vulnerabilities.
func test61273(c *checker) {
	if c.categoryIn(catInformational) && has(c.doc, "vulnerabilities") {
		c.fail(root.k("vulnerabilities"), "a %s must not have vulnerabilities", catInformational)
	}
}

// 6.1.27.4: security advisories and VEX documents have a product tree.
func test61274(c *checker) {
	if c.categoryIn(catSecurityAdvisory, catVEX) && !has(c.doc, "product_tree") {
		c.fail(root.k("product_tree"), "a %s needs a product_tree", c.category())
	}
}

// 6.1.27.5: in security advisories and VEX documents every vulnerability has notes.
func test61275(c *checker) {
	if !c.categoryIn(catSecurityAdvisory, catVEX) {
		return
	}
	c.vulns(func(_ int, v map[string]any, vp jpath) {
		if !has(v, "notes") {
			c.fail(vp.k("notes"), "a vulnerability of a %s needs notes", c.category())
		}
	})
}

// 6.1.27.6: in security advisories every vulnerability has a product status.
func test61276(c *checker) {
	if !c.categoryIn(catSecurityAdvisory) {
		return
	}
	c.vulns(func(_ int, v map[string]any, vp jpath) {
		if !has(v, "product_status") {
			c.fail(vp.k("product_status"), "a vulnerability of a %s needs product_status", catSecurityAdvisory)
		}
	})
}

// 6.1.27.7: in VEX documents every product status has fixed, known_affected,
// known_not_affected or under_investigation.
func test61277(c *checker) {
	if !c.categoryIn(catVEX) {
		return
	}
	c.vulns(func(_ int, v map[string]any, vp jpath) {
		ps := v["product_status"]
		for _, k := range []string{"fixed", "known_affected", "known_not_affected", "under_investigation"} {
			if has(ps, k) {
				return
			}
		}
		c.fail(vp.k("product_status"), "a vulnerability of a %s needs product_status with fixed, known_affected, known_not_affected or under_investigation", catVEX)
	})
}

// 6.1.27.8: in VEX documents every vulnerability has a cve or ids.
func test61278(c *checker) {
	if !c.categoryIn(catVEX) {
		return
	}
	c.vulns(func(_ int, v map[string]any, vp jpath) {
		if !has(v, "cve") && !has(v, "ids") {
			c.fail(vp, "a vulnerability of a %s needs cve or ids", catVEX)
		}
	})
}

// covered returns the product ids named by the items of list (directly or
// through groups) that pass keep.
func (c *checker) covered(v map[string]any, list string, keep func(item any) bool) map[string]bool {
	out := map[string]bool{}
	for _, item := range getArr(v, list) {
		if keep(item) {
			for _, id := range c.expand(item) {
				out[id] = true
			}
		}
	}
	return out
}

// 6.1.27.9: in VEX documents every known_not_affected product has an impact
// statement: a flag or a threat of category impact.
func test61279(c *checker) {
	if !c.categoryIn(catVEX) {
		return
	}
	c.vulns(func(_ int, v map[string]any, vp jpath) {
		flags := c.covered(v, "flags", func(any) bool { return true })
		threats := c.covered(v, "threats", func(t any) bool { cat, _ := getStr(t, "category"); return cat == "impact" })
		lp := vp.k("product_status").k("known_not_affected")
		strs(getArr(v, "product_status", "known_not_affected"), func(j int, id string) {
			if !flags[id] && !threats[id] {
				c.fail(lp.i(j), "known_not_affected product %q has no impact statement (flag or threat of category impact)", id)
			}
		})
	})
}

// 6.1.27.10: in VEX documents every known_affected product has an action
// statement (a remediation).
func test612710(c *checker) {
	if !c.categoryIn(catVEX) {
		return
	}
	c.vulns(func(_ int, v map[string]any, vp jpath) {
		rem := c.covered(v, "remediations", func(any) bool { return true })
		lp := vp.k("product_status").k("known_affected")
		strs(getArr(v, "product_status", "known_affected"), func(j int, id string) {
			if !rem[id] {
				c.fail(lp.i(j), "known_affected product %q has no action statement (remediation)", id)
			}
		})
	})
}

// 6.1.27.11: security advisories and VEX documents have vulnerabilities.
func test612711(c *checker) {
	if c.categoryIn(catSecurityAdvisory, catVEX) && !has(c.doc, "vulnerabilities") {
		c.fail(root.k("vulnerabilities"), "a %s needs vulnerabilities", c.category())
	}
}
