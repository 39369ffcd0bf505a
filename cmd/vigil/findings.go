// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"vigil/internal/app"
	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/store"
	"vigil/internal/tenant"
)

func (a *cmdline) findingsCmd() *cobra.Command {
	var f finding.Filter
	var org, status string
	cmd := a.command("findings", "List findings (per organisation, trigger, status)", 0, func(ctx context.Context, x *app.App, _ []string) error {
		sc, err := orgScope(ctx, x, org)
		if err != nil {
			return err
		}
		switch finding.Status(status) {
		case "", finding.Open, finding.Resolved:
			f.Status = finding.Status(status)
		default:
			return errs.Field("status", status, "must be open or resolved")
		}
		fs, err := x.Store().FindingList(ctx, sc, f)
		if err != nil {
			return err
		}
		return list(a, fs, "ID\tORG\tTRIGGER\tTYPE\tKEY\tSEVERITY\tSTATUS\tSEEN\tLAST SEEN", "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", func(x finding.Finding) []any {
			return []any{x.ID, x.OrgID, x.Trigger, x.Type, x.Key, x.Severity, x.Status, x.Count, x.LastSeen.Format(time.DateTime)}
		})
	})
	fl := cmd.Flags()
	fl.StringVar(&org, "org", "", "only this organisation (id or name)")
	fl.StringVar(&f.Trigger, "trigger", "", "only this trigger")
	fl.StringVar(&status, "status", "", "open or resolved")
	fl.StringVar(&f.Type, "type", "", "only this finding type")
	fl.BoolVar(&f.OnlyTies, "ties", false, "only findings whose IP matched identical ranges of two organisations")
	pageFlags(cmd, &f.Page)
	return cmd
}

func (a *cmdline) triggersCmd() *cobra.Command {
	return a.command("triggers", "List triggers (campaigns) with organisations, findings and observations", 0, func(ctx context.Context, x *app.App, _ []string) error {
		ts, err := x.Store().TriggerStats(ctx, tenant.Operator())
		if err != nil {
			return err
		}
		return list(a, ts, "TRIGGER\tKIND\tORGANISATIONS\tFINDINGS\tOPEN\tOBSERVATIONS", "%s\t%s\t%d\t%d\t%d\t%d\n", func(t finding.TriggerStats) []any {
			return []any{t.Name, t.Kind, t.Organisations, t.Findings, t.Open, t.Observations}
		})
	})
}

func (a *cmdline) quarantineCmd() *cobra.Command {
	var p keyset.Page
	ls := a.command("list", "List quarantined rows with file, line and reason", 0, func(ctx context.Context, x *app.App, _ []string) error {
		qs, err := x.Store().QuarantineList(ctx, p)
		if err != nil {
			return err
		}
		return list(a, qs, "ID\tRUN\tWHERE\tREASON", "%d\t%d\t%s:%d\t%s\n", func(q store.QuarantinedRow) []any {
			reason := q.Reason
			if q.Field != "" {
				reason = q.Field + ": " + reason
			}
			return []any{q.ID, q.RunID, q.File, q.Line, reason}
		})
	})
	pageFlags(ls, &p)
	cmd := &cobra.Command{Use: "quarantine", Short: "Inspect input rows that were refused"}
	cmd.AddCommand(ls)
	return cmd
}
