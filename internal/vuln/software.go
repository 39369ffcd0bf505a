// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"vigil/internal/advisory"
	"vigil/internal/match/product"
)

// software.tsv lists software that runs on other vendors' hardware or that
// one hardware may run one of several of (a Siemens RUGGEDCOM APE1808 runs
// Fortinet's or Palo Alto Networks' firewall; RUGGEDCOM devices run ROS or
// ROX), with the words that name it.
//
//go:embed software.tsv
var softwareTSV string

// softwareTable maps each name's word sequence (tokens joined by spaces)
// to its software; longest is the most words a name has.
type softwareTable struct {
	names   map[string]string
	longest int
}

var softwareNames = sync.OnceValue(func() softwareTable {
	t := softwareTable{names: map[string]string{}}
	for _, l := range strings.Split(softwareTSV, "\n") {
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Split(l, "\t")
		for _, n := range f {
			if ts := product.Tokens(n); len(ts) > 0 {
				t.names[strings.Join(ts, " ")] = f[0]
				t.longest = max(t.longest, len(ts))
			}
		}
	}
	return t
})

// softwareIn returns the software a text names, in order of appearance,
// the longest name first at each word.
func softwareIn(text string) []string {
	ts := product.Tokens(text)
	var out []string
	t := softwareNames()
	for i := range ts {
		for n := min(t.longest, len(ts)-i); n >= 1; n-- {
			if s, ok := t.names[strings.Join(ts[i:i+n], " ")]; ok {
				if !slices.Contains(out, s) {
					out = append(out, s)
				}
				break
			}
		}
	}
	return out
}

// softwareOf returns the software a firmware string names ("FortiOS
// 7.2.5" → FortiOS), "" when none.
func softwareOf(firmware string) string {
	if s := softwareIn(firmware); len(s) > 0 {
		return s[0]
	}
	return ""
}

// advisorySoftware returns the software an advisory is about: named in its
// title, its product names or its range conditions.
func advisorySoftware(a *advisory.Advisory, cps []cproduct) []string {
	out := softwareIn(a.Title)
	add := func(ss []string) {
		for _, s := range ss {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	for i := range cps {
		cp := &cps[i]
		add(softwareIn(cp.p.Family + " " + cp.p.Name))
		for _, r := range cp.ranges {
			for _, c := range r.r.Conditions {
				add(softwareIn(c.Text))
			}
		}
	}
	return out
}

// softwareCheck restricts a device whose firmware names a software to
// advisories about that software: nil when the firmware names none or the
// advisory names none, Factor 0 when the advisory is about another.
func softwareCheck(c *Compiled, t *prepared) *Check {
	if t.software == "" || len(c.software) == 0 {
		return nil
	}
	if slices.Contains(c.software, t.software) {
		return &Check{Part: "software", Rule: "same-software", Factor: 1,
			Why: fmt.Sprintf("the firmware names %s and the advisory is about %s", t.software, t.software)}
	}
	return &Check{Part: "software", Rule: "other-software", Factor: 0,
		Why: fmt.Sprintf("the firmware names %s; the advisory is about %s", t.software, strings.Join(c.software, ", "))}
}
