// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package assess

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// TemplateStats says what a written answers template holds.
type TemplateStats struct {
	Edition    Edition `json:"edition"`
	Provisions int     `json:"provisions"`
	Conditions int     `json:"conditions"`
}

// WriteTemplate writes an answers file (vigil-answers/1) for edition e to
// fill in: the device d (what is known of it), every condition of the
// edition with its text, holding (but C4, constrained device, which excludes
// C5), and every provision of the edition
// with its kind, conditions and summary and an empty answer. Loaded as it
// is, every provision counts as unanswered; each answer filled in counts.
func (c *Catalogue) WriteTemplate(w io.Writer, e Edition, d Device) (TemplateStats, error) {
	if !e.Valid() {
		return TemplateStats{}, fmt.Errorf("answers template: unknown edition %q, want v2 or v3", e)
	}
	st := TemplateStats{Edition: e}
	b := bufio.NewWriter(w)
	p := func(format string, v ...any) { fmt.Fprintf(b, format, v...) }
	p("# Answers to ETSI EN 303 645 (edition %s) for one device, format %s.\n", e, AnswersFormat)
	p("# Fill in the device, the support period, the conditions and an answer per provision,\n")
	p("# then load it: vigil assess answer ASSESSMENT FILE (a partly filled file loads too).\n")
	p("#   status: met, not_met or not_applicable; left empty the provision is unanswered.\n")
	p("#   justification: required for not_applicable and for a recommended provision not met.\n")
	p("#   evidence: files with their SHA-256 (sha256sum FILE), e.g.\n")
	p("#     evidence: [{file: pentest-summary.pdf, sha256: 64 hex digits}]\n")
	p("#   then add the files: vigil assess evidence ASSESSMENT FILE...\n")
	p("format: %s\n", AnswersFormat)
	p("edition: %s\n", e)
	p("device:\n  vendor: %s\n  model: %s\n  firmware: %s\n", quote(d.Vendor), quote(d.Model), quote(d.Firmware))
	p("support:\n  end: \"\"  # last day of security updates, YYYY-MM-DD (EN 303 645 5.3-13)\n  url: \"\"  # where the maker publishes it\n")
	p("# A condition that does not hold for the device (false) makes the provisions that need it not applicable.\n")
	p("conditions:\n")
	for _, k := range c.Conditions(e) {
		t, _ := c.Condition(k)
		holds := "true"
		if k == "C4" { // constrained device: C4 and C5 exclude each other
			holds = "false"
		}
		p("  %s: %s  # %s\n", k, holds, oneLine(t))
		st.Conditions++
	}
	p("answers:\n")
	for _, pr := range c.Provisions(e) {
		r, _ := pr.In(e)
		kind := string(r.Kind)
		if r.Conditional() {
			kind += " if " + strings.Join(r.Conditions, ", ")
		}
		p("  # %s (%s): %s\n", pr.ID, kind, oneLine(pr.Summary))
		p("  %s:\n    status: \"\"\n    justification: \"\"\n    evidence: []\n", strconv.Quote(pr.ID))
		st.Provisions++
	}
	if err := b.Flush(); err != nil {
		return st, fmt.Errorf("answers template: %w", err)
	}
	return st, nil
}

// quote is s as a YAML double-quoted scalar.
func quote(s string) string { return strconv.Quote(s) }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
