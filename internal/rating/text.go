// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package rating

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"vigil/internal/text"
)

// WriteText writes the status as `vigil assess status` prints it: state,
// tallies, a table of sections, evidence, probes, open vulnerabilities,
// the grade now with its reasons, the framework report, labels and the
// history of labels and states.
func (st Status) WriteText(w io.Writer) error {
	as := st.Assessment
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	p("assessment %s: %s (EN 303 645 %s), state %s\n", as.ID, as.Device, as.Edition, as.State)
	if as.DeviceID != 0 {
		p("  device %d of organisation %d\n", as.DeviceID, as.OrgID)
	}
	p("  mandatory met %d/%d, recommended met %d/%d, unanswered %d\n", st.Mandatory.Met, st.Mandatory.Total, st.Recommended.Met, st.Recommended.Total, len(st.Unanswered))
	if len(st.Unanswered) > 0 {
		p("  unanswered: %s\n", strings.Join(st.Unanswered, ", "))
	}
	if len(st.Contradicted) > 0 {
		p("  contradicted by probes: %s\n", strings.Join(st.Contradicted, ", "))
	}
	tw := table(w)
	fmt.Fprintln(tw, "  SECTION\tTITLE\tMANDATORY\tRECOMMENDED\tN/A")
	for _, s := range st.Sections {
		fmt.Fprintf(tw, "  %s\t%s\t%d/%d\t%d/%d\t%d\n", s.Section, s.Title, s.Mandatory.Met, s.Mandatory.Total, s.Recommended.Met, s.Recommended.Total, s.NotApplicable)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	p("  evidence: %d files", len(st.Evidence))
	if len(st.MissingEvidence) > 0 {
		names := make([]string, len(st.MissingEvidence))
		for i, e := range st.MissingEvidence {
			names[i] = e.File
		}
		p("; missing: %s", strings.Join(names, ", "))
	}
	p("\n")
	for _, r := range st.Probes {
		p("  probe %s by %s at %s: %d weaknesses\n", r.Target, r.Actor, r.At.Format(time.RFC3339), r.Failed)
	}
	for _, v := range st.Vulns {
		kev := ""
		if v.KEV {
			kev = ", KEV"
		}
		p("  open vulnerability %s (%s%s) in %s\n", v.ID, v.Severity, kev, v.Component)
	}
	p("  grade now: %s (%s)\n", st.Score.Grade, st.Score.Rule)
	for _, r := range st.Score.Reasons {
		p("    lowered by %s (%s): %s\n", r.Rule, r.Effect, r.Detail)
	}
	if st.Report != nil {
		p("  %s:\n", st.Report.Title)
		tw := table(w)
		for _, r := range st.Report.Refs {
			ids := make([]string, len(r.Results))
			for i, x := range r.Results {
				ids[i] = x.ID + "=" + string(x.Status)
			}
			fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\n", r.Ref, r.Status, text.Fit(r.Title, 50), strings.Join(ids, " "))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	for _, l := range st.Labels {
		state := "valid until " + l.Expires.Format(time.DateOnly)
		switch {
		case l.RevokedAt != nil:
			state = "revoked: " + l.RevokeReason
		case l.SupersededBy != "":
			state = "superseded by " + l.SupersededBy
		}
		p("  label %s: grade %s, %s\n", l.ID, l.Grade, state)
	}
	for _, e := range st.History {
		grade := e.Grade
		if e.PrevGrade != "" {
			grade = e.PrevGrade + "→" + e.Grade
		}
		p("  %s %s %s %s %s\n", e.At.Format(time.RFC3339), e.LabelID, e.Kind, grade, e.Reason)
	}
	for _, t := range as.History {
		p("  %s %s → %s by %s %s\n", t.At.Format(time.RFC3339), t.From, t.To, t.Actor, t.Note)
	}
	return nil
}

// table returns the tab writer of the command line's aligned output.
func table(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
}
