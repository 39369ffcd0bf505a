// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	mail "github.com/wneessen/go-mail"

	"vigil/internal/config"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/netguard"
	"vigil/internal/notify"
	"vigil/internal/notify/smtpsink"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/tenant"
)

func (a *app) notifyCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "notify", Short: "Compose and deliver warnings; bounces, call list, status"}
	cmd.AddCommand(a.notifyRunCmd(), a.notifyStatusCmd(), a.notifyResolveCmd(), a.notifyBounceCmd(), a.notifyCallsCmd(), a.notifyWebhookSecretCmd())
	return cmd
}

// notifyFlags adds the flags of composition and delivery, bound to the
// configuration.
func (a *app) notifyFlags(cmd *cobra.Command) {
	f, fl := &a.cfg.Notify, cmd.Flags()
	fl.Var(secretFlag{&f.SMTPURL}, "smtp-url", "SMTP server: smtp://user:pass@host:port?starttls=required|opportunistic|none, smtps://…, or sink: for an in-process sink (env VIGIL_SMTP_URL; never logged)")
	fl.StringVar(&f.From, "from", f.From, "sender address, unless the SMTP URL has from=… (env VIGIL_SMTP_FROM)")
	fl.StringVar(&f.Sender, "sender", f.Sender, "the trust center's name in warnings (env VIGIL_SENDER)")
	fl.StringVar(&f.DKIMKey, "dkim-key", f.DKIMKey, "PEM private key (RSA or Ed25519) to DKIM-sign mail (env VIGIL_DKIM_KEY)")
	fl.StringVar(&f.DKIMDomain, "dkim-domain", f.DKIMDomain, "DKIM signing domain (default: the sender address's domain)")
	fl.StringVar(&f.DKIMSelector, "dkim-selector", f.DKIMSelector, "DKIM selector")
	fl.StringVar(&a.cfg.BaseURL, "base-url", a.cfg.BaseURL, "public URL of vigil serve, for acknowledgement links (env VIGIL_BASE_URL)")
	fl.StringVar(&f.Templates, "templates", f.Templates, "directory of template overrides (<lang>/body.txt.tmpl, messages.yaml, …)")
	fl.StringVar(&f.DefaultMode, "default-mode", f.DefaultMode, "operator default mode: immediate, daily or weekly")
	fl.StringVar(&f.DefaultMinSeverity, "default-min-severity", f.DefaultMinSeverity, "operator default minimum severity")
	fl.StringVar(&f.DefaultRenotify, "default-renotify", f.DefaultRenotify, "operator default quiet re-notification interval")
	fl.IntVar(&f.DigestHour, "digest-hour", f.DigestHour, "hour of the day (UTC) at which digests become due")
	fl.IntVar(&f.MaxAttempts, "max-attempts", f.MaxAttempts, "attempts before a delivery is given up (dead)")
	fl.BoolVar(&f.AllowPrivate, "allow-private", f.AllowPrivate, "allow webhooks to loopback and private addresses (labs, tests)")
}

// secretFlag is a string flag whose value (from the configuration) is
// never shown as its default in the help.
type secretFlag struct{ p *string }

func (f secretFlag) String() string     { return "" }
func (f secretFlag) Set(v string) error { *f.p = v; return nil }
func (f secretFlag) Type() string       { return "string" }

func defaultPolicy(f config.Notify) (notify.Policy, error) {
	return notify.Resolve(registry.Policy{Mode: f.DefaultMode, MinSeverity: f.DefaultMinSeverity, RenotifyAfter: f.DefaultRenotify}, notify.DefaultPolicy())
}

// setup is what composition and delivery need, built from the flags.
type notifySetup struct {
	renderer  *notify.Renderer
	notifier  *notify.Notifier
	deliverer *notify.Deliverer
	smtp      *notify.SMTPSender
	sink      *smtpsink.Sink
	close     func()
}

func (a *app) notifySetup(ctx context.Context, s *store.Store) (*notifySetup, error) {
	f := &a.cfg.Notify
	ns := &notifySetup{close: func() {}}
	var err error
	if f.Templates != "" {
		if _, err := os.Stat(f.Templates); err != nil {
			return nil, errs.Field("templates", f.Templates, "not a directory")
		}
		ns.renderer, err = notify.NewRenderer(os.DirFS(f.Templates))
	} else {
		ns.renderer, err = notify.NewRenderer(nil)
	}
	if err != nil {
		return nil, err
	}
	def, err := defaultPolicy(*f)
	if err != nil {
		return nil, err
	}
	ns.notifier = notify.NewNotifier(notify.NotifierConfig{Store: s, Logger: a.log,
		PlanConfig: notify.PlanConfig{Default: def, DigestHour: f.DigestHour, Languages: ns.renderer.Languages()}})
	ackKey, err := s.SettingSecret(ctx, notify.AckKeySetting)
	if err != nil {
		return nil, err
	}
	webhookKey, err := s.SettingSecret(ctx, notify.WebhookKeySetting)
	if err != nil {
		return nil, err
	}
	senders := map[notify.Channel]notify.Sender{
		notify.Webhook: &notify.WebhookSender{Client: netguard.New(netguard.Options{AllowPrivate: f.AllowPrivate, Timeout: 30 * time.Second}),
			Secret: func(org int64) []byte { return notify.WebhookSecret(webhookKey, org) }},
	}
	if f.SMTPURL != "" {
		cfg, err := a.smtpConfig(f.SMTPURL, f, ns)
		if err != nil {
			ns.close()
			return nil, err
		}
		if ns.smtp, err = notify.NewSMTPSender(cfg, ns.renderer, f.Sender); err != nil {
			ns.close()
			return nil, err
		}
		senders[notify.Email] = ns.smtp
		prev := ns.close
		ns.close = func() { ns.smtp.Close(); prev() }
	}
	ns.deliverer = notify.NewDeliverer(notify.DelivererConfig{Outbox: s, Senders: senders, MaxAttempts: f.MaxAttempts, Logger: a.log,
		AckURL: func(id int64) string { return notify.AckURL(a.cfg.BaseURL, ackKey, id) }})
	return ns, nil
}

func (a *app) smtpConfig(raw string, f *config.Notify, ns *notifySetup) (notify.SMTPConfig, error) {
	var cfg notify.SMTPConfig
	if raw == "sink:" {
		sink, err := smtpsink.Start(smtpsink.Options{})
		if err != nil {
			return cfg, err
		}
		ns.sink = sink
		prev := ns.close
		ns.close = func() { prev(); sink.Close() }
		cfg = notify.SMTPConfig{Host: "127.0.0.1", Port: sink.Port(), TLS: notify.TLSNone}
	} else {
		var err error
		if cfg, err = notify.ParseSMTPURL(raw); err != nil {
			return cfg, err
		}
	}
	if cfg.From == "" {
		cfg.From = f.From
	}
	if cfg.From == "" {
		cfg.From = "vigil@localhost"
	}
	if cfg.FromName == "" {
		cfg.FromName = f.Sender
	}
	if f.DKIMKey != "" {
		pemBytes, err := os.ReadFile(f.DKIMKey)
		if err != nil {
			return cfg, errs.Field("dkim-key", f.DKIMKey, err.Error())
		}
		signer, err := mail.PrivKeyFromPEM(pemBytes)
		if err != nil {
			return cfg, errs.Field("dkim-key", f.DKIMKey, "not an RSA or Ed25519 private key: "+err.Error())
		}
		domain := f.DKIMDomain
		if domain == "" {
			_, domain, _ = strings.Cut(cfg.From, "@")
		}
		cfg.DKIM = &notify.DKIMConfig{Domain: domain, Selector: f.DKIMSelector, Signer: signer}
	}
	a.log.Debug("smtp", "server", cfg.String())
	return cfg, nil
}

// notifyRunResult is what notify run reports.
type notifyRunResult struct {
	DryRun     bool                  `json:"dry_run"`
	Composed   notify.ComposeResult  `json:"composed"`
	Escalated  int                   `json:"escalated"`
	Delivery   *notify.DeliverResult `json:"delivery,omitempty"`
	EmailReady bool                  `json:"email_configured"`
	Outbox     []store.OutboxCount   `json:"outbox"`
}

func (a *app) notifyRunCmd() *cobra.Command {
	var dryRun, noDeliver bool
	var escalate time.Duration
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Compose notices from new finding events, escalate overdue ones and deliver the outbox",
		Long: `Read the finding events since the last run, turn them into notices per organisation policy
(immediate, daily or weekly digests; critical findings always at once), write them with their outbox
rows in one transaction, move critical notices nobody acknowledged in time to the call list, and
deliver every due outbox row by e-mail (when an SMTP server is configured) and webhook.
--dry-run shows what would be composed and writes nothing. Delivery is at-least-once: a message
repeated after a crash carries the same Message-ID / Idempotency-Key.`,
		Args: usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			ns, err := a.notifySetup(ctx, s)
			if err != nil {
				return err
			}
			defer ns.close()
			res := notifyRunResult{DryRun: dryRun, EmailReady: ns.smtp != nil}
			if res.Composed, err = ns.notifier.Compose(ctx, dryRun); err != nil {
				return err
			}
			if !dryRun {
				if _, res.Escalated, err = notify.CallList(ctx, s, tenant.Operator(), s.Now(), escalate); err != nil {
					return err
				}
				if !noDeliver {
					d, err := ns.deliverer.DeliverDue(ctx, 0)
					if err != nil {
						return err
					}
					res.Delivery = &d
				}
			}
			if res.Outbox, err = s.OutboxStatus(ctx, tenant.Operator()); err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(res)
			}
			c := res.Composed
			verb := "composed"
			if dryRun {
				verb = "would compose"
			}
			fmt.Fprintf(a.stdout, "%s %d notice(s) (%d digest(s)) from %d event(s): %d e-mail, %d webhook; %d item(s) held for digests\n",
				verb, c.Notices, c.Digests, c.Events, c.Outbox[notify.Email], c.Outbox[notify.Webhook], c.Held)
			for r, n := range c.Skipped {
				fmt.Fprintf(a.stdout, "  skipped %d event(s): %s\n", n, r)
			}
			if res.Escalated > 0 {
				fmt.Fprintf(a.stdout, "escalated %d notice(s) to the call list (vigil notify calls)\n", res.Escalated)
			}
			if d := res.Delivery; d != nil {
				fmt.Fprintf(a.stdout, "delivered: %d sent, %d to retry, %d dead, %d bounced\n", d.Sent, d.Failed, d.Dead, d.Bounced)
			}
			if !res.EmailReady && !dryRun {
				fmt.Fprintln(a.stdout, "e-mail not configured (--smtp-url or VIGIL_SMTP_URL): e-mail rows stay pending")
			}
			return nil
		},
	}
	a.notifyFlags(cmd)
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "show what would be composed; write and send nothing")
	cmd.Flags().BoolVar(&noDeliver, "no-deliver", false, "compose only; leave delivery to the job queue")
	cmd.Flags().DurationVar(&escalate, "escalate-after", notify.DefaultEscalateAfter, "critical notices unacknowledged this long go to the call list")
	return cmd
}

func (a *app) notifyStatusCmd() *cobra.Command {
	var state string
	var p keyset.Page
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Outbox counts per channel and state, the composition cursor, and rows in one state",
		Args:  usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			st := notify.OutboxState(state)
			switch st {
			case "", notify.OutboxPending, notify.OutboxSending, notify.OutboxSent, notify.OutboxFailed, notify.OutboxDead, notify.OutboxUnknown:
			default:
				return errs.Field("state", state, "must be pending, sending, sent, failed, dead or unknown")
			}
			counts, err := s.OutboxStatus(ctx, tenant.Operator())
			if err != nil {
				return err
			}
			cursor, err := s.NotifyCursor(ctx)
			if err != nil {
				return err
			}
			var rows []store.OutboxEntry
			if st != "" {
				if rows, err = s.OutboxList(ctx, tenant.Operator(), st, p); err != nil {
					return err
				}
			}
			if a.asJSON {
				return a.printJSON(struct {
					Cursor int64               `json:"event_cursor"`
					Counts []store.OutboxCount `json:"outbox"`
					Rows   []store.OutboxEntry `json:"rows,omitempty"`
				}{cursor, counts, rows})
			}
			fmt.Fprintf(a.stdout, "events composed up to id %d\n", cursor)
			w := a.table()
			fmt.Fprintln(w, "CHANNEL\tSTATE\tCOUNT")
			for _, c := range counts {
				fmt.Fprintf(w, "%s\t%s\t%d\n", c.Channel, c.State, c.Count)
			}
			if err := w.Flush(); err != nil {
				return err
			}
			for _, c := range counts {
				if c.State == notify.OutboxUnknown {
					fmt.Fprintf(a.stdout, "%d %s deliveries may or may not have arrived (the sender stopped mid-send): list them with --state unknown, settle each with vigil notify resolve ID --sent|--resend\n", c.Count, c.Channel)
				}
			}
			if len(rows) > 0 {
				w = a.table()
				fmt.Fprintln(w, "ID\tNOTICE\tCHANNEL\tRECIPIENT\tSTATE\tATTEMPTS\tNEXT\tERROR")
				for _, r := range rows {
					fmt.Fprintf(w, "%d\t%d\t%s\t%s\t%s\t%d\t%s\t%s\n", r.ID, r.NoticeID, r.Channel, r.Recipient, r.State, r.Attempts, r.NextAttempt.Format(time.DateTime), r.LastError)
				}
				return w.Flush()
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&state, "state", "", "also list the rows in this state (pending, sending, sent, failed, dead, unknown)")
	cmd.Flags().IntVar(&p.Limit, "limit", 100, "at most this many rows (max 1000)")
	cmd.Flags().Int64Var(&p.After, "after", 0, "only rows with ids greater than this")
	return cmd
}

func (a *app) notifyResolveCmd() *cobra.Command {
	var sent, resend bool
	cmd := &cobra.Command{
		Use:   "resolve OUTBOX_ID --sent|--resend",
		Short: "Settle a delivery whose outcome is unknown: confirmed received (--sent) or send again (--resend)",
		Long: `An e-mail whose sender stopped after the message began to leave (a crash, a killed process) may or
may not have reached the recipient. vigil does not send it again by itself: SMTP receivers do not
deduplicate, and a second warning confuses. The row waits in state unknown (vigil notify status --state
unknown) until an operator checks with the recipient or the mail logs and settles it: --sent records it
as delivered, --resend queues it to be sent again now (same Message-ID).`,
		Args: usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if sent == resend {
				return errs.Field("sent", "", "give exactly one of --sent and --resend")
			}
			id, err := parseID("outbox row", args[0])
			if err != nil {
				return err
			}
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			if err := s.OutboxResolve(ctx, id, sent, s.Now()); err != nil {
				return err
			}
			state := notify.OutboxPending
			if sent {
				state = notify.OutboxSent
			}
			if a.asJSON {
				return a.printJSON(struct {
					ID    int64              `json:"id"`
					State notify.OutboxState `json:"state"`
				}{id, state})
			}
			fmt.Fprintf(a.stdout, "outbox %d: %s\n", id, state)
			return nil
		},
	}
	cmd.Flags().BoolVar(&sent, "sent", false, "the recipient has the message: record it as sent")
	cmd.Flags().BoolVar(&resend, "resend", false, "send the message again (it goes out with the next delivery run)")
	return cmd
}

// bounceResult reports one bounced address.
type bounceResult struct {
	Address  string `json:"address"`
	Contacts int64  `json:"contacts_marked"`
	Outbox   int64  `json:"outbox_stopped"`
}

func (a *app) notifyBounceCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "bounce ADDRESS|DSN-FILE",
		Short: "Mark an address as bouncing: by address, or from a bounce message (RFC 3464 DSN)",
		Long: `Mark contacts with the address as bounced and stop unsent mail to it. Given a file, read it
as a bounce message (an RFC 3464 delivery status notification, or a bounce with X-Failed-Recipients)
and mark every recipient whose delivery failed for good; "-" reads the message from stdin.`,
		Args: usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			addrs, source := []string{args[0]}, "api"
			if _, statErr := os.Stat(args[0]); statErr == nil || args[0] == "-" {
				in := a.stdin
				if args[0] != "-" {
					f, err := os.Open(args[0])
					if err != nil {
						return err
					}
					defer f.Close()
					in = f
				}
				d, err := notify.ParseDSN(in)
				if errors.Is(err, notify.ErrNotDSN) {
					return errs.Field("dsn", args[0], "not a bounce message (no delivery-status part, no X-Failed-Recipients)")
				}
				if err != nil {
					return errs.Field("dsn", args[0], err.Error())
				}
				addrs, source = d.FailedAddresses(), "dsn"
				if len(addrs) == 0 {
					return errs.Field("dsn", args[0], "the report lists no failed recipient (delayed or delivered only)")
				}
			} else if !strings.Contains(args[0], "@") {
				return errs.Field("bounce", args[0], "neither an e-mail address nor a readable file")
			}
			out := []bounceResult{}
			for _, addr := range addrs {
				c, r, err := notify.Bounce(ctx, s, addr, s.Now())
				if err != nil {
					return err
				}
				if err := s.BounceRecord(ctx, addr, source, args[0]); err != nil {
					return err
				}
				out = append(out, bounceResult{Address: addr, Contacts: c, Outbox: r})
			}
			if a.asJSON {
				return a.printJSON(out)
			}
			for _, b := range out {
				fmt.Fprintf(a.stdout, "%s: %d contact(s) marked bounced, %d unsent message(s) stopped\n", b.Address, b.Contacts, b.Outbox)
			}
			return nil
		},
	}
}

func (a *app) notifyCallsCmd() *cobra.Command {
	var after time.Duration
	cmd := &cobra.Command{
		Use:   "calls",
		Short: "The analysts' call list: critical notices nobody acknowledged in time, with phone numbers",
		Args:  usageArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			s, err := a.store(ctx)
			if err != nil {
				return err
			}
			calls, _, err := notify.CallList(ctx, s, tenant.Operator(), s.Now(), after)
			if err != nil {
				return err
			}
			if a.asJSON {
				return a.printJSON(calls)
			}
			w := a.table()
			fmt.Fprintln(w, "NOTICE\tORGANISATION\tSEVERITY\tFINDINGS\tSENT\tESCALATED\tPHONE\tE-MAIL")
			for _, c := range calls {
				sent := "never"
				if c.FirstSent != nil {
					sent = c.FirstSent.Format(time.DateTime)
				}
				name := c.OrgName
				if name == "" {
					name = "(unregistered)"
				}
				fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", c.ID, name, c.Severity, c.Items, sent,
					c.EscalatedAt.Format(time.DateTime), strings.Join(c.Phones, ", "), strings.Join(c.Emails, ", "))
			}
			return w.Flush()
		},
	}
	cmd.Flags().DurationVar(&after, "after", notify.DefaultEscalateAfter, "escalate critical notices unacknowledged this long after sending")
	return cmd
}

func (a *app) notifyWebhookSecretCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "webhook-secret ORG",
		Short: "Print the secret an organisation verifies vigil's webhook signatures with",
		Args:  usageArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, id, err := a.storeOrg(ctx, args[0])
			if err != nil {
				return err
			}
			if err := s.OrgExists(ctx, tenant.Operator(), id); err != nil {
				return err
			}
			key, err := s.SettingSecret(ctx, notify.WebhookKeySetting)
			if err != nil {
				return err
			}
			secret := fmt.Sprintf("%x", notify.WebhookSecret(key, id))
			if a.asJSON {
				return a.printJSON(map[string]any{"org_id": id, "secret": secret, "header": notify.SignatureHeader})
			}
			_, err = fmt.Fprintln(a.stdout, secret)
			return err
		},
	}
}

// parseSince reads --since: a date (2025-06-01), an RFC 3339 time or a
// duration back from now (30d, 12h).
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(d, "%d", &n); err == nil && n >= 0 {
			return now.AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, errs.Field("since", s, "must be a date (2025-06-01), an RFC 3339 time or a duration (30d, 12h)")
}
