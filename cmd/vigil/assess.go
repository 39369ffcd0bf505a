// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"vigil/internal/app"
	"vigil/internal/assess"
	"vigil/internal/errs"
	"vigil/internal/rating"
	"vigil/internal/tenant"
	"vigil/internal/text"
)

func (a *cmdline) assessCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "assess",
		Short: "Assess devices against ETSI EN 303 645: answers, evidence, review",
		Long: `An assessment moves draft → submitted → reviewed → labelled (→ expired or revoked).
A maker fills in the answers file offline ("assess template" writes one) (YAML or JSON, format vigil-answers/1),
loads it with "assess answer", adds the evidence files it names, and submits;
someone else reviews; "vigil label issue" then grades it and signs its label.`,
	}
	a.ratingFlags(cmd)
	cmd.AddCommand(a.assessStartCmd(), a.assessListCmd(), a.assessAnswerCmd(), a.assessEvidenceCmd(),
		a.assessStatusCmd(), a.assessSubmitCmd(), a.assessReviewCmd())
	for _, r := range app.AssessCommands() {
		cmd.AddCommand(a.dataCommand(r))
	}
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
			return a.show(as, err, func() error { return a.line(as.ID) })
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
		sc, err := x.OrgScope(ctx, org)
		if err != nil {
			return err
		}
		f.State = assess.State(state)
		return pages(a, &f.Page, func() ([]assess.Assessment, error) { return x.Store().AssessmentList(ctx, sc, f) }, assessmentID, "ID\tDEVICE\tPRODUCT\tEDITION\tSTATE\tLABEL", "%s\t%d\t%s\t%s\t%s\t%s\n", func(x assess.Assessment) []any {
			return []any{x.ID, x.DeviceID, x.Device, x.Edition, x.State, def(x.LabelID, "-")}
		})
	})
	cmd.Flags().StringVar(&org, "org", "", "only this organisation (id or name)")
	cmd.Flags().Int64Var(&f.DeviceID, "device", 0, "only this device")
	cmd.Flags().StringVar(&state, "state", "", "only this state (draft, submitted, reviewed, labelled, expired, revoked)")
	a.pageFlags(cmd, &f.Page)
	return cmd
}

func (a *cmdline) assessAnswerCmd() *cobra.Command {
	return a.command("answer ASSESSMENT FILE", "Load the maker's answers (YAML or JSON, - for stdin) into a draft assessment", 2, func(ctx context.Context, x *app.App, args []string) error {
		id, err := assess.ParseID(args[0])
		if err != nil {
			return err
		}
		r, name, done, err := a.input(args[1])
		if err != nil {
			return err
		}
		defer done()
		res, err := x.LoadAnswers(ctx, tenant.Operator(), id, r, name, a.cfg.Actor)
		err = a.show(res, err, func() error {
			a.rowErrors(res.Problems)
			fmt.Fprintf(a.stdout, "assessment %s: %d answers loaded, %d applicable provisions unanswered", res.Assessment, res.Answers, len(res.Unanswered))
			if len(res.Problems) > 0 {
				fmt.Fprintf(a.stdout, ", %d problems (left out)", len(res.Problems))
			}
			return a.line()
		})
		if err == nil && len(res.Problems) > 0 {
			return silentError{Code: 2}
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
		return a.show(added, err, func() error {
			for _, e := range added {
				fmt.Fprintf(a.stdout, "%s  %s (%d bytes)\n", e.SHA256, e.Name, e.Size)
			}
			return nil
		})
	})
	cmd.Args = minArgs(2, "takes an assessment and at least one file")
	return cmd
}

func (a *cmdline) assessStatusCmd() *cobra.Command {
	var framework string
	cmd := a.assessmentCmd("status ASSESSMENT [--framework cra]", "Show an assessment: state, results per section, evidence, provisional grade, labels", 1,
		func(ctx context.Context, svc *rating.Service, id int64, _ []string) error {
			st, err := svc.Status(ctx, tenant.Operator(), id, framework)
			return a.show(st, err, func() error { return st.WriteText(a.stdout) })
		})
	cmd.Flags().StringVar(&framework, "framework", "", "also map the results to a framework: cra, uk_psti, uk_cop, enisa, nist_8259a, nist_8259b")
	return cmd
}

func (a *cmdline) assessSubmitCmd() *cobra.Command {
	return a.assessmentCmd("submit ASSESSMENT", "Hand a draft to review (all applicable provisions answered, all named evidence added)", 1,
		func(ctx context.Context, svc *rating.Service, id int64, _ []string) error {
			as, err := svc.Submit(ctx, tenant.Operator(), id, a.cfg.Actor)
			return a.show(as, err, func() error { return a.printf("assessment %s submitted for review\n", as.ID) })
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

func (a *cmdline) catalogueCmd() *cobra.Command {
	var framework, edition string
	var raw bool
	cmd := &cobra.Command{
		Use:   "catalogue [--framework X] [--edition v3]",
		Short: "Show the ETSI EN 303 645 provision catalogue, or its mapping to a framework",
		Long: `Without --framework: every provision of the edition (id, kind and condition, section,
summary, how it can be evidenced). With --framework (cra, uk_psti, uk_cop, enisa,
nist_8259a, nist_8259b): the framework's references and the provisions mapped to each.
--raw prints the embedded catalogue file unchanged.`,
		Args: usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if raw {
				return assess.WriteYAML(a.stdout)
			}
			c, err := assess.Load()
			if err != nil {
				return err
			}
			ed := assess.Edition(edition)
			if !ed.Valid() {
				return errs.Field("edition", edition, "want v2 or v3")
			}
			if framework != "" {
				fw, err := c.ByFramework(framework)
				if err != nil {
					return err
				}
				if a.asJSON {
					return a.printJSON(map[string]any{"catalogue": c.Version, "framework": fw})
				}
				fmt.Fprintf(a.stdout, "%s (catalogue %s)\n", fw.Title, c.Version)
				return rows(a, fw.Refs, "REF\tTITLE\tPROVISIONS", "%s\t%s\t%s\n", func(r assess.FrameworkRef) []any {
					return []any{r.Ref, text.Fit(r.Title, 60), strings.Join(r.Provisions, " ")}
				})
			}
			ps := c.Provisions(ed)
			if a.asJSON {
				return a.printJSON(map[string]any{"catalogue": c.Version, "standard": c.Standard, "edition": ed,
					"sections": c.Sections(), "frameworks": c.Frameworks(), "provisions": ps})
			}
			fmt.Fprintf(a.stdout, "%s, edition %s (catalogue %s): %d provisions\n", c.Standard, ed, c.Version, len(ps))
			return rows(a, ps, "ID\tKIND\tSTATUS\tTEST\tSUMMARY", "%s\t%s\t%s\t%s\t%s\n", func(p assess.Provision) []any {
				req, _ := p.In(ed)
				return []any{p.ID, req.Kind, req.Raw, p.Test, text.Fit(p.Summary, 80)}
			})
		},
	}
	cmd.Flags().StringVar(&framework, "framework", "", "show the mapping to this framework")
	cmd.Flags().StringVar(&edition, "edition", string(assess.DefaultEdition), "edition: v2 or v3")
	cmd.Flags().BoolVar(&raw, "raw", false, "print the embedded catalogue YAML unchanged")
	return cmd
}

func (a *cmdline) probeCmd() *cobra.Command {
	var r app.ProbeRequest
	cmd := a.command("probe TARGET [--lab CIDR]… [--assessment ID]", "Probe a device for weaknesses EN 303 645 forbids (only owned or lab targets)", 1,
		func(ctx context.Context, x *app.App, args []string) error {
			r.Target, r.Actor = args[0], a.cfg.Actor
			res, err := x.Probe(ctx, r)
			if err != nil {
				return err
			}
			rep := res.Report
			if a.asJSON {
				return a.printJSON(rep)
			}
			if err := rep.WriteText(a.stdout); err != nil {
				return err
			}
			if res.Run.ID != 0 {
				fmt.Fprintf(a.stdout, "stored with assessment %d (probe run %d)\n", res.Assessment, res.Run.ID)
			}
			return nil
		})
	cmd.Long = `Probe one device (IP address or host name): open IoT service ports, default credentials on
telnet, SSH, HTTP, FTP and MQTT (a small built-in list, never brute force), anonymous MQTT
and FTP, TLS versions, ciphers and certificates, HTTP security headers, security.txt and
UPnP/SSDP exposure. Each weakness names the EN 303 645 provisions it shows are not met.

The target must lie in an IP range whose ownership was verified in the registry (of the
assessment's organisation when --assessment names a device assessment), or in a --lab
allow-list. Anything else is refused before a packet is sent (exit status 5).
With --assessment the report is stored with the assessment and its weaknesses become
the assessment's findings for that address.`
	a.ratingFlags(cmd)
	cmd.Flags().StringArrayVar(&r.Labs, "lab", nil, "allow targets in this lab range (CIDR; repeatable)")
	cmd.Flags().StringArrayVar(&r.Ports, "port", nil, "probe this port instead of the defaults: N/service or N/proto/service, e.g. 2323/telnet, 1900/udp/ssdp (repeatable)")
	cmd.Flags().StringVar(&r.Assessment, "assessment", "", "store the results with this assessment")
	cmd.Flags().DurationVar(&r.Budget, "budget", 2*time.Minute, "time budget for the whole probe; when it runs out, the checks not yet done are listed as incomplete and the results so far are kept")
	cmd.Flags().DurationVar(&r.Timeout, "timeout", 5*time.Second, "timeout per connection")
	cmd.Flags().Float64Var(&r.Rate, "rate", 10, "new connections per second")
	return cmd
}

// assessmentID is an assessment's keyset id.
func assessmentID(x assess.Assessment) int64 {
	id, _ := strconv.ParseInt(x.ID, 10, 64)
	return id
}
