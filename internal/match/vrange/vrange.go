// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vrange

import (
	"strings"
)

// Op is the comparator of one constraint.
type Op string

// The comparators.
const (
	Lt Op = "<"
	Le Op = "<="
	Gt Op = ">"
	Ge Op = ">="
	Eq Op = "="
)

func (o Op) lower() bool { return o == Gt || o == Ge }
func (o Op) upper() bool { return o == Lt || o == Le }

// Constraint is one comparator and a version as the vendor writes it
// (whitespace collapsed, labels such as "ROS" or "WinCC" dropped).
type Constraint struct {
	Op      Op     `json:"op"`
	Version string `json:"version"`
}

// String returns "<V4.1.3".
func (c Constraint) String() string { return string(c.Op) + c.Version }

// Condition is something else a range says must hold, which a version
// comparison cannot check, in the advisory's words ("with Ethernet
// interface", "serial number first 5 digits <= 22031"). CVE is set for
// "only affected by CVE-…", which a matcher can check; Model for a range
// that names models instead of versions ("DH-IPC-HDW1XXX"), which a
// matcher can compare with a device's model.
type Condition struct {
	Text  string `json:"text"`
	CVE   string `json:"cve,omitempty"`
	Model string `json:"model,omitempty"`
}

// SchemeVendor is the vendor-tolerant version order of package
// match/version: CSAF free text and "vers:all/…" use it.
const SchemeVendor = "vendor"

// Range is one interpreted version range statement. The zero value is an
// unparsed empty range.
type Range struct {
	Text        string       `json:"text"`   // as written
	Scheme      string       `json:"scheme"` // SchemeVendor or a vers scheme ("semver", "npm", …)
	All         bool         `json:"all,omitempty"`
	Constraints []Constraint `json:"constraints,omitempty"`
	Conditions  []Condition  `json:"conditions,omitempty"`
	// Unparsed says why the range could not be read; empty when it was.
	Unparsed string `json:"unparsed,omitempty"`
	// Aka restates the one bound as a build number ("<= PI SDK 2018 SP1
	// Version 1.4.7.602": 2018 SP1 is 1.4.7.602): a version not written
	// as a release year is compared with it instead.
	Aka string `json:"aka,omitempty"`
	// Firmware restates the one upper bound for the firmware ("< 12.4
	// (firmware 1.46)", "< 2.15 (Firmware versions prior to 8.26.4)": the
	// software release 12.4 ships firmware 1.46). A version is compared
	// with it unless it is of the software's major release.
	Firmware string `json:"firmware,omitempty"`
	// vers is the normalised vers URI of a range in a real vers scheme:
	// Contains uses the containment algorithm of package purl for it.
	vers string
}

// Understood reports whether the range was interpreted.
func (r Range) Understood() bool { return r.Unparsed == "" }

// Bounds renders the constraints in the notation of the interpretation
// table: "*" for every version, "unparsed", or constraints joined by "|".
func (r Range) Bounds() string {
	switch {
	case !r.Understood():
		return "unparsed"
	case r.All:
		return "*"
	}
	parts := make([]string, len(r.Constraints))
	for i, c := range r.Constraints {
		parts[i] = c.String()
		if r.Firmware != "" {
			parts[i] += " (firmware " + Constraint{Op: c.Op, Version: r.Firmware}.String() + ")"
		}
	}
	return strings.Join(parts, "|")
}

// String describes the range for evidence: its bounds and conditions, or
// why it was not understood.
func (r Range) String() string {
	if !r.Understood() {
		return "unparsed: " + r.Unparsed
	}
	s := r.Bounds()
	if s == "*" {
		s = "all versions"
	}
	if r.Aka != "" && len(r.Constraints) == 1 {
		s += " (a build number is compared with " + Constraint{Op: r.Constraints[0].Op, Version: r.Aka}.String() + ")"
	}
	for _, c := range r.Conditions {
		s += "; if " + c.Text
	}
	return s
}

// Unchecked returns the conditions a version comparison and a CVE check
// cannot decide (those without CVE), in order.
func (r Range) Unchecked() []Condition {
	var out []Condition
	for _, c := range r.Conditions {
		if c.CVE == "" && c.Model == "" {
			out = append(out, c)
		}
	}
	return out
}

// AppliesTo reports whether the range is about vulnerability cve: false
// when it says it is only affected by other CVEs.
func (r Range) AppliesTo(cve string) bool {
	only := false
	for _, c := range r.Conditions {
		if c.CVE != "" {
			only = true
			if strings.EqualFold(c.CVE, cve) {
				return true
			}
		}
	}
	return !only
}

// Models returns the model patterns the range names instead of versions.
func (r Range) Models() []string {
	var out []string
	for _, c := range r.Conditions {
		if c.Model != "" {
			out = append(out, c.Model)
		}
	}
	return out
}

// FromBounds makes a range from the four NVD-style bounds (any may be
// empty) in a versioning scheme (SchemeVendor when empty). Without bounds
// it is every version.
func FromBounds(scheme, startIncl, startExcl, endIncl, endExcl string) Range {
	if scheme == "" {
		scheme = SchemeVendor
	}
	r := Range{Scheme: scheme}
	add := func(op Op, v string) {
		if v = strings.TrimSpace(v); v != "" {
			r.Constraints = append(r.Constraints, Constraint{op, v})
		}
	}
	add(Ge, startIncl)
	add(Gt, startExcl)
	add(Le, endIncl)
	add(Lt, endExcl)
	if len(r.Constraints) == 0 {
		r.All = true
	}
	r.Text = r.Bounds()
	return r
}

// Exact makes a range of one version.
func Exact(scheme, v string) Range {
	if scheme == "" {
		scheme = SchemeVendor
	}
	v = strings.TrimSpace(v)
	return Range{Text: v, Scheme: scheme, Constraints: []Constraint{{Eq, v}}}
}
