// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"vigil/internal/app"
	"vigil/internal/assess"
	"vigil/internal/errs"
	"vigil/internal/rating"
	"vigil/internal/tenant"
)

func (a *cmdline) assessCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "assess",
		Short: "Assess devices against ETSI EN 303 645: answers, evidence, review",
		Long: `An assessment moves draft → submitted → reviewed → labelled (→ expired or revoked).
A maker fills in the answers file offline (YAML or JSON, format vigil-answers/1),
loads it with "assess answer", adds the evidence files it names, and submits;
someone else reviews; "vigil label issue" then grades it and signs its label.`,
	}
	a.ratingFlags(cmd)
	cmd.AddCommand(a.assessStartCmd(), a.assessListCmd(), a.assessAnswerCmd(), a.assessEvidenceCmd(),
		a.assessStatusCmd(), a.assessSubmitCmd(), a.assessReviewCmd())
	return cmd
}

// assessmentCmd makes a command whose first argument is an assessment id;
// run gets the assessment and label workflow and the id.
func (a *cmdline) assessmentCmd(use, short string, n int, run func(ctx context.Context, svc *rating.Service, id int64, args []string) error) *cobra.Command {
	return a.command(use, short, n, func(ctx context.Context, x *app.App, args []string) error {
		id, err := assess.ParseID(args[0])
		if err != nil {
			return err
		}
		svc, err := x.Rating()
		if err != nil {
			return err
		}
		return run(ctx, svc, id, args)
	})
}

func (a *cmdline) assessStartCmd() *cobra.Command {
	var d assess.Device
	var edition string
	cmd := a.command("start [DEVICE] [--vendor V --model M --firmware F]", "Start a draft assessment of a registered device or of a product type", 0,
		func(ctx context.Context, x *app.App, args []string) error {
			p := assess.Request{Device: d, Edition: assess.Edition(edition), Actor: a.cfg.Actor}
			if len(args) == 1 {
				id, err := parseID("device", args[0])
				if err != nil {
					return err
				}
				p.DeviceID = id
			}
			svc, err := x.Rating()
			if err != nil {
				return err
			}
			as, err := svc.Start(ctx, tenant.Operator(), p)
			if err != nil {
				return err
			}
			return a.print(as, func() error { return a.line(as.ID) })
		})
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 1 || (len(args) == 1) == (d.Vendor != "" || d.Model != "") {
			return errs.Errorf(errs.Invalid, "give a device id, or --vendor and --model (usage: %s)", cmd.UseLine())
		}
		return nil
	}
	cmd.Flags().StringVar(&d.Vendor, "vendor", "", "product type: vendor")
	cmd.Flags().StringVar(&d.Model, "model", "", "product type: model")
	cmd.Flags().StringVar(&d.Firmware, "firmware", "", "product type: firmware version")
	cmd.Flags().StringVar(&edition, "edition", string(assess.DefaultEdition), "EN 303 645 edition: v2 (V2.1.1) or v3 (V3.1.3)")
	return cmd
}

func (a *cmdline) assessListCmd() *cobra.Command {
	var f assess.Filter
	var org, state string
	cmd := a.command("list", "List assessments", 0, func(ctx context.Context, x *app.App, _ []string) error {
		sc, err := orgScope(ctx, x, org)
		if err != nil {
			return err
		}
		f.State = assess.State(state)
		as, err := x.Store().AssessmentList(ctx, sc, f)
		if err != nil {
			return err
		}
		return list(a, as, "ID\tDEVICE\tPRODUCT\tEDITION\tSTATE\tLABEL", "%s\t%d\t%s\t%s\t%s\t%s\n", func(x assess.Assessment) []any {
			return []any{x.ID, x.DeviceID, x.Device, x.Edition, x.State, def(x.LabelID, "-")}
		})
	})
	cmd.Flags().StringVar(&org, "org", "", "only this organisation (id or name)")
	cmd.Flags().Int64Var(&f.DeviceID, "device", 0, "only this device")
	cmd.Flags().StringVar(&state, "state", "", "only this state (draft, submitted, reviewed, labelled, expired, revoked)")
	pageFlags(cmd, &f.Page)
	return cmd
}

func (a *cmdline) assessAnswerCmd() *cobra.Command {
	return a.assessmentCmd("answer ASSESSMENT FILE", "Load the maker's answers (YAML or JSON, - for stdin) into a draft assessment", 2,
		func(ctx context.Context, svc *rating.Service, id int64, args []string) error {
			var r io.Reader = a.stdin
			name := "stdin"
			if args[1] != "-" {
				f, err := os.Open(args[1])
				if err != nil {
					return errs.Errorf(errs.Invalid, "answers: %v", err)
				}
				defer f.Close()
				r, name = f, args[1]
			}
			as, bad, err := svc.SetAnswers(ctx, tenant.Operator(), id, io.LimitReader(r, 4<<20), name, a.cfg.Actor)
			if err != nil {
				return err
			}
			missing := as.Evaluate(svc.Catalogue()).Missing()
			if bad == nil {
				bad = []errs.RowError{}
			}
			err = a.print(map[string]any{"assessment": as.ID, "answers": len(as.Answers.Items), "unanswered": missing, "problems": bad}, func() error {
				for _, b := range bad {
					fmt.Fprintln(a.stderr, b.Error())
				}
				fmt.Fprintf(a.stdout, "assessment %s: %d answers loaded, %d applicable provisions unanswered", as.ID, len(as.Answers.Items), len(missing))
				if len(bad) > 0 {
					fmt.Fprintf(a.stdout, ", %d problems (left out)", len(bad))
				}
				return a.line()
			})
			if err == nil && len(bad) > 0 {
				return silentError{code: 2}
			}
			return err
		})
}

func (a *cmdline) assessEvidenceCmd() *cobra.Command {
	cmd := a.command("evidence ASSESSMENT FILE...", "Add evidence files to an assessment (stored by SHA-256)", 0, func(ctx context.Context, x *app.App, args []string) error {
		id, err := assess.ParseID(args[0])
		if err != nil {
			return err
		}
		added, err := x.AddEvidenceFiles(ctx, tenant.Operator(), id, args[1:], a.cfg.Actor)
		if err != nil {
			return err
		}
		return a.print(added, func() error {
			for _, e := range added {
				fmt.Fprintf(a.stdout, "%s  %s (%d bytes)\n", e.SHA256, e.Name, e.Size)
			}
			return nil
		})
	})
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) < 2 {
			return errs.Errorf(errs.Invalid, "%s takes an assessment and at least one file (usage: %s)", cmd.CommandPath(), cmd.UseLine())
		}
		return nil
	}
	return cmd
}

func (a *cmdline) assessStatusCmd() *cobra.Command {
	var framework string
	cmd := a.assessmentCmd("status ASSESSMENT [--framework cra]", "Show an assessment: state, results per section, evidence, provisional grade, labels", 1,
		func(ctx context.Context, svc *rating.Service, id int64, _ []string) error {
			st, err := svc.Status(ctx, tenant.Operator(), id, framework)
			if err != nil {
				return err
			}
			return a.print(st, func() error { a.printStatus(st); return nil })
		})
	cmd.Flags().StringVar(&framework, "framework", "", "also map the results to a framework: cra, uk_psti, uk_cop, enisa, nist_8259a, nist_8259b")
	return cmd
}

func (a *cmdline) printStatus(st rating.Status) {
	as := st.Assessment
	p := func(format string, args ...any) { fmt.Fprintf(a.stdout, format, args...) }
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
	w := a.table()
	fmt.Fprintln(w, "  SECTION\tTITLE\tMANDATORY\tRECOMMENDED\tN/A")
	for _, s := range st.Sections {
		fmt.Fprintf(w, "  %s\t%s\t%d/%d\t%d/%d\t%d\n", s.Section, s.Title, s.Mandatory.Met, s.Mandatory.Total, s.Recommended.Met, s.Recommended.Total, s.NotApplicable)
	}
	w.Flush()
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
		w := a.table()
		for _, r := range st.Report.Refs {
			ids := make([]string, len(r.Results))
			for i, x := range r.Results {
				ids[i] = x.ID + "=" + string(x.Status)
			}
			fmt.Fprintf(w, "    %s\t%s\t%s\t%s\n", r.Ref, r.Status, fitText(r.Title, 50), strings.Join(ids, " "))
		}
		w.Flush()
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
		p("  %s %s %s %s %s\n", e.At.Format(time.RFC3339), e.LabelID, e.Kind, gradeChange(e.PrevGrade, e.Grade), e.Reason)
	}
	for _, t := range as.History {
		p("  %s %s → %s by %s %s\n", t.At.Format(time.RFC3339), t.From, t.To, t.Actor, t.Note)
	}
}

func gradeChange(prev, cur string) string {
	if prev == "" {
		return cur
	}
	return prev + "→" + cur
}

func fitText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func (a *cmdline) assessSubmitCmd() *cobra.Command {
	return a.assessmentCmd("submit ASSESSMENT", "Hand a draft to review (all applicable provisions answered, all named evidence added)", 1,
		func(ctx context.Context, svc *rating.Service, id int64, _ []string) error {
			as, err := svc.Submit(ctx, tenant.Operator(), id, a.cfg.Actor)
			if err != nil {
				return err
			}
			return a.print(as, func() error { return a.printf("assessment %s submitted for review\n", as.ID) })
		})
}

func (a *cmdline) assessReviewCmd() *cobra.Command {
	var approve bool
	var reject, reviewer, note string
	cmd := a.assessmentCmd("review ASSESSMENT --approve|--reject REASON --reviewer NAME", "Approve a submitted assessment, or send it back to draft with the reason", 1,
		func(ctx context.Context, svc *rating.Service, id int64, _ []string) error {
			if approve == (reject != "") {
				return errs.Errorf(errs.Invalid, "give exactly one of --approve and --reject REASON")
			}
			if reviewer == "" {
				return errs.Field("reviewer", reviewer, "required")
			}
			as, err := svc.Review(ctx, tenant.Operator(), id, reviewer, note, reject)
			if err != nil {
				return err
			}
			verb := "approved"
			if reject != "" {
				verb = "rejected (back to draft)"
			}
			return a.print(as, func() error { return a.printf("assessment %s %s by %s\n", as.ID, verb, reviewer) })
		})
	cmd.Flags().BoolVar(&approve, "approve", false, "approve the submission")
	cmd.Flags().StringVar(&reject, "reject", "", "reject the submission with this reason for the maker")
	cmd.Flags().StringVar(&reviewer, "reviewer", "", "who reviews (must not be who submitted)")
	cmd.Flags().StringVar(&note, "note", "", "a note with the approval")
	return cmd
}
