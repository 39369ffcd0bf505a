// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"vigil/internal/app"
	"vigil/internal/notify"
	"vigil/internal/tenant"
)

func (a *cmdline) statsCmd() *cobra.Command {
	var since, period string
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Warning statistics per trigger: organisations warned, notices sent/failed/acknowledged, reaction times",
		Long: `Per trigger and overall: organisations warned, notices, sent (at least one delivery succeeded),
failed (every delivery dead), acknowledged, resolved (every finding resolved), and the median time
from first sending to acknowledgement and to resolution. --since limits to notices created since a
date (2025-06-01), a time (RFC 3339) or a duration back (30d, 12h); --period adds a row per day,
week or month.`,
		Args: usageArgs(0),
		RunE: a.withApp(func(ctx context.Context, x *app.App, _ []string) error {
			from, err := parseSince(since, x.Store().Now())
			if err != nil {
				return err
			}
			st, err := x.Stats(ctx, tenant.Operator(), from, period)
			if err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(st)
			}
			w := a.table()
			fmt.Fprintln(w, "TRIGGER\tORGS WARNED\tNOTICES\tSENT\tFAILED\tACKNOWLEDGED\tRESOLVED\tMEDIAN ACK\tMEDIAN RESOLVE")
			row := func(name string, f notify.Figures) {
				fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", name, f.OrgsWarned, f.Notices, f.Sent, f.Failed, f.Acknowledged, f.Resolved,
					seconds(f.MedianAckSeconds), seconds(f.MedianResolveSeconds))
			}
			for _, f := range st.Triggers {
				row(f.Trigger, f)
			}
			row("(all)", st.Overall)
			for _, f := range st.Periods {
				row(f.Period, f)
			}
			return w.Flush()
		}),
	}
	cmd.Flags().StringVar(&since, "since", "", "only notices created since: 2025-06-01, RFC 3339, or 30d / 12h back")
	cmd.Flags().StringVar(&period, "period", "", "also per period: day, week or month")
	return cmd
}

func seconds(s *float64) string {
	if s == nil {
		return "-"
	}
	return (time.Duration(*s) * time.Second).Round(time.Minute).String()
}
