// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package cpe

import (
	"vigil/internal/match/version"
)

// Operator joins the parts of a node or configuration.
type Operator string

// The operators of NVD applicability statements. An empty operator is OR.
const (
	OR  Operator = "OR"
	AND Operator = "AND"
)

// Criterion is one NVD CPE match criterion ("cpeMatch" of the NVD CVE API
// 2.0): a CPE, usually with ANY as version, narrowed by optional version
// bounds. The JSON tags follow the NVD field names, so an NVD record's
// configurations decode straight into []Configuration.
type Criterion struct {
	CPE                   WFN    `json:"criteria"`
	VersionStartIncluding string `json:"versionStartIncluding,omitempty"`
	VersionStartExcluding string `json:"versionStartExcluding,omitempty"`
	VersionEndIncluding   string `json:"versionEndIncluding,omitempty"`
	VersionEndExcluding   string `json:"versionEndExcluding,omitempty"`
	Vulnerable            bool   `json:"vulnerable"`
	MatchCriteriaID       string `json:"matchCriteriaId,omitempty"`
}

// HasRange reports whether any version bound is set.
func (c Criterion) HasRange() bool {
	return c.VersionStartIncluding != "" || c.VersionStartExcluding != "" ||
		c.VersionEndIncluding != "" || c.VersionEndExcluding != ""
}

// Matches reports whether the concrete platform CPE target satisfies the
// criterion: the criterion's CPE matches target (see [Match]) and, when
// bounds are set, target's version lies within them, compared with the
// vendor-tolerant scheme of package version. A target whose version is ANY
// or NA never satisfies a version range: an unknown version is not a match.
func (c Criterion) Matches(target WFN) bool { return c.matches(target, nil) }

// matches is Matches with versions parsed through vc (nil: parsed each
// time).
func (c *Criterion) matches(target WFN, vc *version.Cache) bool {
	if !Match(c.CPE, target) {
		return false
	}
	if !c.HasRange() {
		return true
	}
	v := target.Attrs[AttrVersion]
	if v.Kind != Str || v.HasWildcards() {
		return false
	}
	return vc.InRange(v.Unquoted(), c.VersionStartIncluding, c.VersionStartExcluding,
		c.VersionEndIncluding, c.VersionEndExcluding)
}

// Node is a list of criteria joined by an operator, optionally negated.
type Node struct {
	Operator Operator    `json:"operator"`
	Negate   bool        `json:"negate,omitempty"`
	Match    []Criterion `json:"cpeMatch"`
}

// Hit records which vulnerable criterion matched which platform CPE.
type Hit struct {
	Criterion Criterion
	Platform  WFN
}

// eval evaluates the node against the platforms and appends the hits of
// vulnerable criteria (only when the node, after negation, holds and is not
// negated).
func (n Node) eval(platforms []WFN, hits []Hit, vc *version.Cache) (bool, []Hit) {
	and := n.Operator == AND
	result := and
	var own []Hit
	for i := range n.Match {
		c := &n.Match[i]
		matched := false
		for _, p := range platforms {
			if c.matches(p, vc) {
				matched = true
				if c.Vulnerable {
					own = append(own, Hit{Criterion: *c, Platform: p})
				}
			}
		}
		if and && !matched {
			result = false
			break
		}
		if !and && matched {
			result = true
		}
	}
	if and && len(n.Match) == 0 {
		result = false
	}
	if n.Negate {
		return !result, hits
	}
	if result {
		hits = append(hits, own...)
	}
	return result, hits
}

// Eval reports whether the node holds for a platform made of the given CPEs.
func (n Node) Eval(platforms []WFN) bool {
	ok, _ := n.eval(platforms, nil, nil)
	return ok
}

// Configuration is one NVD applicability statement: nodes joined by an
// operator. An AND configuration expresses "running on/with": e.g. a
// vulnerable firmware node AND a (non-vulnerable) hardware node.
type Configuration struct {
	Operator Operator `json:"operator,omitempty"`
	Negate   bool     `json:"negate,omitempty"`
	Nodes    []Node   `json:"nodes"`
}

// Eval evaluates the configuration against the set of CPEs present on one
// platform (a device's firmware, hardware and software). It reports whether
// the configuration applies and, if so, which vulnerable criteria matched
// which of the platform's CPEs (the evidence of a finding). A configuration
// can apply with no hits when only non-vulnerable criteria matched.
func (c Configuration) Eval(platforms []WFN) (applies bool, hits []Hit) {
	return c.eval(platforms, nil)
}

func (c *Configuration) eval(platforms []WFN, vc *version.Cache) (applies bool, hits []Hit) {
	and := c.Operator == AND
	applies = and && len(c.Nodes) > 0
	for _, n := range c.Nodes {
		ok, h := n.eval(platforms, hits, vc)
		hits = h
		if and && !ok {
			applies = false
			break
		}
		if !and && ok {
			applies = true
		}
	}
	if c.Negate {
		applies = !applies
		return applies, nil
	}
	if !applies {
		return false, nil
	}
	return true, hits
}

// EvalAll evaluates every configuration of a CVE against a platform and
// returns the hits of those that apply; a CVE affects the platform when
// the result is non-empty.
func EvalAll(configs []Configuration, platforms []WFN) []Hit {
	return EvalAllCached(configs, platforms, nil)
}

// EvalAllCached is EvalAll with the versions of targets and bounds parsed
// through vc (nil: parsed each time), for one goroutine evaluating many.
func EvalAllCached(configs []Configuration, platforms []WFN, vc *version.Cache) []Hit {
	var all []Hit
	for i := range configs {
		if ok, hits := configs[i].eval(platforms, vc); ok {
			all = append(all, hits...)
		}
	}
	return all
}
