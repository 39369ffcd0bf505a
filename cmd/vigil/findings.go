// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/tenant"
)

func (a *cmdline) findingsCmd() *cobra.Command {
	var f finding.Filter
	var org, status string
	cmd := &cobra.Command{
		Use:   "findings",
		Short: "List findings (per organisation, trigger, status)",
		Args:  usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			sc, err := a.orgScope(ctx, s, org)
			if err != nil {
				return err
			}
			switch finding.Status(status) {
			case "", finding.Open, finding.Resolved:
				f.Status = finding.Status(status)
			default:
				return errs.Field("status", status, "must be open or resolved")
			}
			fs, err := s.FindingList(ctx, sc, f)
			if err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(fs)
			}
			w := a.table()
			fmt.Fprintln(w, "ID\tORG\tTRIGGER\tTYPE\tKEY\tSEVERITY\tSTATUS\tSEEN\tLAST SEEN")
			for _, x := range fs {
				fmt.Fprintf(w, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", x.ID, x.OrgID, x.Trigger, x.Type, x.Key, x.Severity, x.Status, x.Count, x.LastSeen.Format(time.DateTime))
			}
			return w.Flush()
		},
	}
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
	return &cobra.Command{
		Use:   "triggers",
		Short: "List triggers (campaigns) with organisations, findings and observations",
		Args:  usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			ts, err := s.TriggerStats(ctx, tenant.Operator())
			if err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(ts)
			}
			w := a.table()
			fmt.Fprintln(w, "TRIGGER\tKIND\tORGANISATIONS\tFINDINGS\tOPEN\tOBSERVATIONS")
			for _, t := range ts {
				fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%d\t%d\n", t.Name, t.Kind, t.Organisations, t.Findings, t.Open, t.Observations)
			}
			return w.Flush()
		},
	}
}

func (a *cmdline) quarantineCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "quarantine", Short: "Inspect input rows that were refused"}
	var p keyset.Page
	list := &cobra.Command{
		Use:   "list",
		Short: "List quarantined rows with file, line and reason",
		Args:  usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			qs, err := s.QuarantineList(ctx, p)
			if err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(qs)
			}
			w := a.table()
			fmt.Fprintln(w, "ID\tRUN\tWHERE\tREASON")
			for _, q := range qs {
				reason := q.Reason
				if q.Field != "" {
					reason = q.Field + ": " + reason
				}
				fmt.Fprintf(w, "%d\t%d\t%s:%d\t%s\n", q.ID, q.RunID, q.File, q.Line, reason)
			}
			return w.Flush()
		},
	}
	pageFlags(list, &p)
	cmd.AddCommand(list)
	return cmd
}
