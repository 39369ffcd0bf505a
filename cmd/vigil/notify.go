// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"vigil/internal/app"
	"vigil/internal/clikit"
	"vigil/internal/config"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/tenant"
	"vigil/internal/text"
)

func (a *cmdline) notifyCmd() *cobra.Command {
	return group("notify", "Compose and deliver warnings; bounces, call list, status", a.notifyRunCmd(), a.notifyStatusCmd(), a.notifyResolveCmd(), a.notifyBounceCmd(), a.notifyCallsCmd(), a.notifyWebhookSecretCmd())
}

func (a *cmdline) notifyRunCmd() *cobra.Command {
	var opt app.NotifyRunOptions
	cmd := a.command("run", "Compose notices from new finding events, escalate overdue ones and deliver the outbox", 0, func(ctx context.Context, x *app.App, _ []string) error {
		opt.Progress = clikit.Progress(ctx, a.stderr, false, a.asJSON)
		res, err := x.NotifyRun(ctx, opt)
		return a.show(res, err, func() error { return res.WriteText(a.stdout) })
	})
	cmd.Long = `Read the finding events since the last run, turn them into notices per organisation policy
(immediate, daily or weekly digests; critical findings always at once), write them with their outbox
rows in one transaction, move critical notices nobody acknowledged in time to the call list, and
deliver every due outbox row by e-mail (when an SMTP server is configured) and webhook.
--dry-run shows what would be composed, per organisation, as if every source run going on had
ended, and writes nothing. An organisation gets one immediate notice per source run (a feed file, an
advisory load, a re-match) once the run has ended; beyond its cap a day (notify.immediate_cap) the
non-critical findings fold into its next digest. Delivery is at-least-once: a message
repeated after a crash carries the same Message-ID / Idempotency-Key.`
	config.Bind(cmd.Flags(), &a.cfg, "notify.smtp_url", "notify.from", "notify.sender", "notify.dkim_key", "notify.dkim_domain", "notify.dkim_selector", "base_url",
		"notify.templates", "notify.default_mode", "notify.default_min_severity", "notify.default_renotify", "notify.digest_hour", "notify.max_attempts", "notify.allow_private")
	cmd.Flags().BoolVar(&opt.DryRun, "dry-run", false, "show what would be composed; write and send nothing")
	cmd.Flags().BoolVar(&opt.NoDeliver, "no-deliver", false, "compose only; leave delivery to the job queue")
	cmd.Flags().DurationVar(&opt.EscalateAfter, "escalate-after", notify.DefaultEscalateAfter, "critical notices unacknowledged this long go to the call list")
	return cmd
}

func (a *cmdline) notifyStatusCmd() *cobra.Command {
	var state string
	var p keyset.Page
	cmd := a.command("status", "Outbox counts per channel and state, the composition cursor, and rows in one state", 0, func(ctx context.Context, x *app.App, _ []string) error {
		st, err := app.ParseOutboxState(state)
		if err != nil {
			return err
		}
		res, err := x.OutboxStatus(ctx, tenant.Operator(), st, p)
		return a.show(res, err, func() error {
			fmt.Fprintf(a.stdout, "events composed up to id %d\n", res.Cursor)
			if res.Undeliverable > 0 {
				fmt.Fprintf(a.stdout, "%s could be sent to nobody: on the call list (vigil notify calls)\n", text.Plural(res.Undeliverable, "notice", "notices"))
			}
			fmt.Fprintf(a.stdout, "%s waiting for the end of their run; %s of %s folded into digests by the cap since %s\n", text.Plural(res.Held.Waiting, "item", "items"),
				text.Plural(res.Held.Folded, "item", "items"), text.Plural(res.Held.FoldedOrgs, "organisation", "organisations"), res.CapSince.Format(time.DateTime))
			rows(a, res.Counts, "CHANNEL\tSTATE\tCOUNT", "%s\t%s\t%d\n", func(c notify.OutboxCount) []any { return []any{c.Channel, c.State, c.Count} })
			for _, c := range res.Counts {
				if c.State == notify.OutboxUnknown {
					fmt.Fprintf(a.stdout, "%d %s deliveries may or may not have arrived (the sender stopped mid-send): list them with --state unknown, settle each with vigil notify resolve ID --sent|--resend\n", c.Count, c.Channel)
				}
			}
			if len(res.Rows) == 0 {
				return nil
			}
			return rows(a, res.Rows, "ID\tNOTICE\tCHANNEL\tRECIPIENT\tSTATE\tATTEMPTS\tNEXT\tERROR", "%d\t%d\t%s\t%s\t%s\t%d\t%s\t%s\n", func(r notify.OutboxEntry) []any {
				return []any{r.ID, r.NoticeID, r.Channel, r.Recipient, r.State, r.Attempts, r.NextAttempt.Format(time.DateTime), r.LastError}
			})
		})
	})
	cmd.Flags().StringVar(&state, "state", "", "also list the rows in this state (pending, sending, sent, failed, dead, unknown)")
	cmd.Flags().IntVar(&p.Limit, "limit", 100, "at most this many rows (max 1000)")
	cmd.Flags().Int64Var(&p.After, "after", 0, "only rows with ids greater than this")
	return cmd
}

func (a *cmdline) notifyResolveCmd() *cobra.Command {
	var sent, resend bool
	cmd := a.command("resolve OUTBOX_ID --sent|--resend", "Settle a delivery whose outcome is unknown: confirmed received (--sent) or send again (--resend)", 1,
		func(ctx context.Context, x *app.App, args []string) error {
			if sent == resend {
				return errs.Field("sent", "", "give exactly one of --sent and --resend")
			}
			id, err := parseID("outbox row", args[0])
			if err != nil {
				return err
			}
			state, err := x.OutboxResolve(ctx, id, sent)
			return a.show(struct {
				ID    int64              `json:"id"`
				State notify.OutboxState `json:"state"`
			}{id, state}, err, func() error { return a.printf("outbox %d: %s\n", id, state) })
		})
	cmd.Long = `An e-mail whose sender stopped after the message began to leave (a crash, a killed process) may or
may not have reached the recipient. vigil does not send it again by itself: SMTP receivers do not
deduplicate, and a second warning confuses. The row waits in state unknown (vigil notify status --state
unknown) until an operator checks with the recipient or the mail logs and settles it: --sent records it
as delivered, --resend queues it to be sent again now (same Message-ID).`
	cmd.Flags().BoolVar(&sent, "sent", false, "the recipient has the message: record it as sent")
	cmd.Flags().BoolVar(&resend, "resend", false, "send the message again (it goes out with the next delivery run)")
	return cmd
}

func (a *cmdline) notifyBounceCmd() *cobra.Command {
	cmd := a.command("bounce ADDRESS|DSN-FILE", "Mark an address as bouncing: by address, or from a bounce message (RFC 3464 DSN)", 1, func(ctx context.Context, x *app.App, args []string) error {
		r := app.BounceReport{Address: args[0], Name: args[0]}
		if _, statErr := os.Stat(args[0]); statErr == nil || args[0] == "-" {
			in, _, done, err := a.input(args[0])
			if err != nil {
				return err
			}
			defer done()
			r.Address, r.DSN = "", in
		} else if !strings.Contains(args[0], "@") {
			return errs.Field("bounce", args[0], "neither an e-mail address nor a readable file")
		}
		out, err := x.Bounce(ctx, r)
		return a.show(out, err, func() error {
			for _, b := range out {
				fmt.Fprintf(a.stdout, "%s: %s marked bounced, %s stopped\n", b.Address, text.Plural(b.Contacts, "contact", "contacts"), text.Plural(b.Outbox, "unsent message", "unsent messages"))
			}
			return nil
		})
	})
	cmd.Long = `Mark contacts with the address as bounced and stop unsent mail to it. Given a file, read it
as a bounce message (an RFC 3464 delivery status notification, or a bounce with X-Failed-Recipients)
and mark every recipient whose delivery failed for good; "-" reads the message from stdin.`
	return cmd
}

func (a *cmdline) notifyCallsCmd() *cobra.Command {
	var after time.Duration
	cmd := a.command("calls", "The analysts' call list: critical notices nobody acknowledged in time, with phone numbers", 0, func(ctx context.Context, x *app.App, _ []string) error {
		calls, err := x.Calls(ctx, tenant.Operator(), after)
		return list(a, calls, err, "NOTICE\tORGANISATION\tSEVERITY\tFINDINGS\tSENT\tESCALATED\tWHY\tPHONE\tE-MAIL", "%d\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", func(c notify.Call) []any {
			sent := "never"
			if c.FirstSent != nil {
				sent = c.FirstSent.Format(time.DateTime)
			}
			why := def(c.EscalationReason, "not acknowledged in time")
			return []any{c.ID, def(c.OrgName, "(unregistered)"), c.Severity, c.Items, sent, c.EscalatedAt.Format(time.DateTime), why, strings.Join(c.Phones, ", "), strings.Join(c.Emails, ", ")}
		})
	})
	cmd.Flags().DurationVar(&after, "after", notify.DefaultEscalateAfter, "escalate critical notices unacknowledged this long after sending")
	return cmd
}

func (a *cmdline) notifyWebhookSecretCmd() *cobra.Command {
	return a.orgCommand("webhook-secret ORG", "Print the secret an organisation verifies vigil's webhook signatures with", 1, func(ctx context.Context, x *app.App, id int64, args []string) error {
		secret, err := x.WebhookSecret(ctx, tenant.Operator(), id)
		if err != nil {
			return err
		}
		return a.print(map[string]any{"org_id": id, "secret": secret, "header": notify.SignatureHeader},
			func() error { return a.line(secret) })
	})
}

func (a *cmdline) statsCmd() *cobra.Command {
	var since, period string
	cmd := a.command("stats", "Warning statistics per trigger: organisations warned, notices sent/failed/acknowledged, reaction times", 0, func(ctx context.Context, x *app.App, _ []string) error {
		from, err := app.ParseSince(since, x.Store().Now())
		if err != nil {
			return err
		}
		st, err := x.Stats(ctx, tenant.Operator(), from, period)
		return a.show(st, err, func() error { return st.WriteText(a.stdout) })
	})
	cmd.Long = `Per trigger and overall: organisations warned, notices, sent (at least one delivery succeeded),
failed (every delivery dead), acknowledged, resolved (every finding resolved), and the median time
from first sending to acknowledgement and to resolution. --since limits to notices created since a
date (2025-06-01), a time (RFC 3339) or a duration back (30d, 12h); --period adds a row per day,
week or month.`
	cmd.Flags().StringVar(&since, "since", "", "only notices created since: 2025-06-01, RFC 3339, or 30d / 12h back")
	cmd.Flags().StringVar(&period, "period", "", "also per period: day, week or month")
	return cmd
}
