// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"vigil/internal/account"
	"vigil/internal/config"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/netguard"
	"vigil/internal/notify"
	"vigil/internal/notify/smtpsink"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/tenant"
	"vigil/internal/ticket"
	"vigil/internal/verify"
)

// Delivery is notify wired to the store and the configuration: the
// Notifier composes notices under the operator's default policy, the
// Deliverer sends outbox rows by e-mail (when an SMTP server is configured,
// DKIM-signed when a key is) and webhook (signed with the organisation's
// secret). It is the one place this wiring is built; Close releases the
// SMTP connection and the sink.
type Delivery struct {
	Notifier  *notify.Notifier
	Deliverer *notify.Deliverer
	// Sink is the in-process SMTP sink when the SMTP URL is "sink:", or
	// the App's mailbox's (OpenMailbox), which is not closed with it.
	Sink *smtpsink.Sink
	// Renderer renders the notices' texts.
	Renderer *notify.Renderer
	email    bool
	closes   []func()
}

// EmailConfigured reports whether an SMTP server is configured; without
// one e-mail rows stay pending.
func (d *Delivery) EmailConfigured() bool { return d.email }

// Close closes the SMTP sender and the sink.
func (d *Delivery) Close() {
	for i := len(d.closes) - 1; i >= 0; i-- {
		d.closes[i]()
	}
	d.closes = nil
}

// runGrace is notify.run_grace: how long a run that has not ended may go
// without progress before composition takes it as stopped (0: the default).
func (a *App) runGrace() (time.Duration, error) {
	v := a.cfg.Notify.RunGrace
	grace, err := time.ParseDuration(v)
	if err != nil || grace < 0 {
		return 0, errs.FieldKeyed("notify.run_grace", v, "duration.go", "must be a Go duration such as 2h")
	}
	if grace == 0 {
		grace = notify.DefaultRunGrace
	}
	return grace, nil
}

// defaultPolicy is the operator default policy of composition, the notify
// settings over notify.DefaultPolicy.
func (a *App) defaultPolicy() (notify.Policy, error) {
	f := a.cfg.Notify
	return notify.Resolve(registry.Policy{Mode: f.DefaultMode, MinSeverity: f.DefaultMinSeverity, RenotifyAfter: f.DefaultRenotify,
		ImmediateCap: &f.ImmediateCap}, notify.DefaultPolicy())
}

// Delivery builds composition and delivery from the configuration's notify
// settings and BaseURL (acknowledgement links). The caller closes it.
func (a *App) Delivery(ctx context.Context) (*Delivery, error) {
	f := a.cfg.Notify
	renderer, err := renderer(f.Templates)
	if err != nil {
		return nil, err
	}
	def, err := a.defaultPolicy()
	if err != nil {
		return nil, err
	}
	grace, err := a.runGrace()
	if err != nil {
		return nil, err
	}
	lease, err := time.ParseDuration(f.Lease)
	if err != nil || lease < time.Minute {
		return nil, errs.FieldKeyed("notify.lease", f.Lease, "duration.lease", "must be a Go duration of at least 1m, such as 5m")
	}
	disc, err := a.discoverer(ctx, f.AllowPrivate)
	if err != nil {
		return nil, err
	}
	fallback := &notify.Fallback{Store: a.st, Discoverer: disc, Languages: renderer.Languages(), Now: a.st.Now}
	d := &Delivery{Renderer: renderer, Notifier: notify.NewNotifier(notify.NotifierConfig{Store: a.st, Now: a.st.Now, Logger: a.log, RunGrace: grace, Fallback: fallback,
		PlanConfig: notify.PlanConfig{Default: def, DigestHour: f.DigestHour, Languages: renderer.Languages()}})}
	ackKey, err := a.st.SettingSecret(ctx, notify.AckKeySetting)
	if err != nil {
		return nil, err
	}
	webhookKey, err := a.st.SettingSecret(ctx, notify.WebhookKeySetting)
	if err != nil {
		return nil, err
	}
	senders := map[notify.Channel]notify.Sender{
		notify.Webhook: &notify.WebhookSender{Client: netguard.New(netguard.Options{AllowPrivate: f.AllowPrivate, Timeout: 30 * time.Second}),
			Secret: func(org int64) []byte { return notify.WebhookSecret(webhookKey, org) }},
	}
	if f.SMTPURL != "" || a.mailbox != nil {
		cfg, err := a.smtpConfig(f, d)
		if err == nil {
			var smtp *notify.SMTPSender
			if smtp, err = notify.NewSMTPSender(cfg, renderer, f.Sender); err == nil {
				senders[notify.Email], d.email = smtp, true
				d.closes = append(d.closes, func() { smtp.Close() })
			}
		}
		if err != nil {
			d.Close()
			return nil, err
		}
	}
	codeKey, err := a.st.SettingSecret(ctx, ticket.KeySetting)
	if err != nil {
		d.Close()
		return nil, err
	}
	base := a.cfg.BaseURL
	d.Deliverer = notify.NewDeliverer(notify.DelivererConfig{Outbox: a.st, Senders: senders, MaxAttempts: f.MaxAttempts, Lease: lease, Now: a.st.Now, Logger: a.log,
		AckURL:     func(id int64) string { return notify.AckURL(base, ackKey, id) },
		OptOutURL:  func(addr string) string { return notify.OptOutURL(base, ackKey, addr) },
		VerifyURL:  strings.TrimRight(base, "/") + verify.Path,
		SchemaURL:  strings.TrimRight(base, "/") + notify.SchemaPath,
		AccessCode: func(t ticket.Ticket) ticket.Code { return ticket.AccessCode(codeKey, t) }})
	return d, nil
}

// renderer loads the templates, with the overrides in dir when it is set.
func renderer(dir string) (*notify.Renderer, error) {
	if dir == "" {
		return notify.NewRenderer(nil)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, errs.FieldKeyed("templates", dir, "dir.not", "not a directory")
	}
	return notify.NewRenderer(os.DirFS(dir))
}

// smtpConfig turns the SMTP settings into the sender's configuration:
// the App's mailbox when it has one, else the in-process sink it starts
// for "sink:", else the SMTP URL's server.
func (a *App) smtpConfig(f config.Notify, d *Delivery) (notify.SMTPConfig, error) {
	var cfg notify.SMTPConfig
	if a.mailbox != nil {
		d.Sink = a.mailbox.sink
		cfg = notify.SMTPConfig{Host: "127.0.0.1", Port: a.mailbox.sink.Port(), TLS: notify.TLSNone}
	} else if f.SMTPURL == "sink:" {
		sink, err := smtpsink.Start(smtpsink.Options{})
		if err != nil {
			return cfg, err
		}
		d.Sink = sink
		d.closes = append(d.closes, func() { sink.Close() })
		cfg = notify.SMTPConfig{Host: "127.0.0.1", Port: sink.Port(), TLS: notify.TLSNone}
	} else {
		var err error
		if cfg, err = notify.ParseSMTPURL(f.SMTPURL); err != nil {
			return cfg, err
		}
	}
	if cfg.From == "" {
		cfg.From = senderAddress(f)
	}
	if cfg.FromName == "" {
		cfg.FromName = f.Sender
	}
	var err error
	if cfg.DKIM, err = dkimSigner(a.cfg); err != nil {
		return cfg, err
	}
	if cfg.OpenPGP, err = openPGPSigner(a.cfg); err != nil {
		return cfg, err
	}
	a.log.Debug("smtp", "server", cfg.String())
	return cfg, nil
}

// NotifyRunOptions say what a notify run does.
type NotifyRunOptions struct {
	// DryRun plans the composition and writes and sends nothing.
	DryRun bool
	// NoDeliver composes and escalates but leaves delivery to the queue.
	NoDeliver bool
	// EscalateAfter moves critical notices unacknowledged this long after
	// sending to the call list.
	EscalateAfter time.Duration
	// Progress, when set, is told how many due messages are delivered.
	Progress Progress
}

// NotifyRunResult is what a notify run did.
type NotifyRunResult struct {
	DryRun     bool                  `json:"dry_run"`
	Composed   notify.ComposeResult  `json:"composed"`
	Escalated  int                   `json:"escalated"`
	Delivery   *notify.DeliverResult `json:"delivery,omitempty"`
	EmailReady bool                  `json:"email_configured"`
	Outbox     []notify.OutboxCount  `json:"outbox"`
}

// NotifyRun composes notices from the finding events since the last run,
// escalates overdue critical notices to the call list and delivers every
// due outbox row, then counts the outbox.
func (a *App) NotifyRun(ctx context.Context, opt NotifyRunOptions) (NotifyRunResult, error) {
	res := NotifyRunResult{DryRun: opt.DryRun}
	d, err := a.Delivery(ctx)
	if err != nil {
		return res, err
	}
	defer d.Close()
	res.EmailReady = d.EmailConfigured()
	if res.Composed, err = d.Notifier.Compose(ctx, opt.DryRun); err != nil {
		return res, err
	}
	if opt.DryRun {
		if err := notify.Subjects(d.Renderer, a.cfg.Notify.Sender, res.Composed.Previews); err != nil {
			return res, err
		}
	} else {
		if _, res.Escalated, err = notify.CallList(ctx, a.st, tenant.Operator(), a.now(), opt.EscalateAfter); err != nil {
			return res, err
		}
		if !opt.NoDeliver {
			if opt.Progress != nil {
				due, err := a.st.OutboxStatus(ctx, tenant.Operator())
				if err != nil {
					return res, err
				}
				var n int64
				for _, c := range due {
					if c.State == notify.OutboxPending || c.State == notify.OutboxFailed {
						n += int64(c.Count)
					}
				}
				step, finish := opt.Progress.start("messages", n)
				defer finish()
				d.Deliverer.OnProgress(step)
			}
			dr, err := d.Deliverer.DeliverDue(ctx, 0)
			if err != nil {
				return res, err
			}
			res.Delivery = &dr
		}
	}
	res.Outbox, err = a.st.OutboxStatus(ctx, tenant.Operator())
	return res, err
}

// OutboxStatus is the state of delivery: the outbox counted per channel
// and state, the composition cursor, and the rows in one state.
type OutboxStatus struct {
	Cursor int64                `json:"event_cursor"`
	Counts []notify.OutboxCount `json:"outbox"`
	// Undeliverable counts the notices that could be sent to nobody and
	// wait on the call list.
	Undeliverable int `json:"undeliverable"`
	// Held counts the items waiting for the end of their run and those
	// the cap folded into digests in the last day (CapSince on); for the
	// operator only.
	Held     notify.Held          `json:"held"`
	CapSince time.Time            `json:"cap_since"`
	Rows     []notify.OutboxEntry `json:"rows,omitempty"`
}

// ParseOutboxState checks an outbox state name ("" for none).
func ParseOutboxState(s string) (notify.OutboxState, error) {
	switch st := notify.OutboxState(s); st {
	case "", notify.OutboxPending, notify.OutboxSending, notify.OutboxSent, notify.OutboxFailed, notify.OutboxDead, notify.OutboxUnknown:
		return st, nil
	}
	return "", errs.FieldKeyed("state", s, "outbox.state", "must be pending, sending, sent, failed, dead or unknown")
}

// OutboxStatus counts the outbox rows sc sees and lists those in state
// (none when state is empty), a page at a time.
func (a *App) OutboxStatus(ctx context.Context, sc tenant.Scope, state notify.OutboxState, p keyset.Page) (OutboxStatus, error) {
	var out OutboxStatus
	var err error
	if out.Counts, err = a.st.OutboxStatus(ctx, sc); err != nil {
		return out, err
	}
	if out.Cursor, err = a.st.NotifyCursor(ctx); err != nil {
		return out, err
	}
	calls, err := a.st.NoticeCallList(ctx, sc)
	if err != nil {
		return out, err
	}
	for _, c := range calls {
		if c.Undeliverable != "" {
			out.Undeliverable++
		}
	}
	if sc.IsOperator() { // the pipeline's counts span every organisation
		out.CapSince = a.now().UTC().Add(-24 * time.Hour)
		if out.Held, err = a.st.NotifyHeld(ctx, out.CapSince); err != nil {
			return out, err
		}
	}
	if state != "" {
		out.Rows, err = a.st.OutboxList(ctx, sc, state, p)
	}
	return out, err
}

// OutboxResolve settles a delivery whose outcome is unknown: sent (the
// recipient has it) or not (send it again), and returns the row's new
// state: the outbox page's buttons, POST /api/v1/outbox/{oid}/resolve and
// `vigil notify resolve`. It is audited as outbox.resolve in the same
// transaction.
func (a *App) OutboxResolve(ctx context.Context, id int64, sent bool) (notify.OutboxState, error) {
	state, outcome := notify.OutboxPending, "resend"
	if sent {
		state, outcome = notify.OutboxSent, "sent"
	}
	err := a.st.Tx(ctx, func(tx *store.Store) error {
		if err := tx.OutboxResolve(ctx, id, sent, a.now()); err != nil {
			return err
		}
		return a.auditIn(ctx, tx, account.AuditEntry{Action: "outbox.resolve", Object: fmt.Sprintf("outbox %d", id), Detail: outcome})
	})
	if err != nil {
		return "", err
	}
	return state, nil
}

// BounceReport reports mail that bounced: an address, or a bounce message.
type BounceReport struct {
	Address string
	// DSN is a bounce message: an RFC 3464 delivery status notification,
	// or a bounce with X-Failed-Recipients.
	DSN io.Reader
	// Name names the report in errors and in the bounce record (the file
	// a command read; empty for the API).
	Name string
}

// BounceResult says what a bounce report changed for one address.
type BounceResult struct {
	Address  string `json:"address"`
	Contacts int64  `json:"contacts_marked"`
	Outbox   int64  `json:"outbox_stopped"`
}

// Bounce marks the contacts with a bounced address as bounced, stops the
// unsent mail to it and marks the sent delivery the bounce answers (the
// one the bounce message's original Message-ID names, else the latest sent
// to the address; see notify.BounceEvent); for a bounce message, every
// recipient whose delivery failed for good. It is the operator's action
// (every organisation's contacts with the address). Errors are invalid
// input naming the field.
func (a *App) Bounce(ctx context.Context, r BounceReport) ([]BounceResult, error) {
	addrs, source, msgID := []string{r.Address}, "api", ""
	switch {
	case r.Address != "" && r.DSN != nil:
		return nil, errs.FieldKeyed("dsn", r.Name, "dsn.both", "give either address or dsn, not both")
	case r.DSN != nil:
		d, err := notify.ParseDSN(r.DSN)
		if errors.Is(err, notify.ErrNotDSN) {
			return nil, errs.FieldKeyed("dsn", r.Name, "dsn.notbounce", "not a bounce message (no delivery-status part, no X-Failed-Recipients)")
		}
		if err != nil {
			return nil, errs.Field("dsn", r.Name, err.Error())
		}
		msgID = d.OriginalMessageID
		if addrs, source = d.FailedAddresses(), "dsn"; len(addrs) == 0 {
			return nil, errs.FieldKeyed("dsn", r.Name, "dsn.nofailed", "the report lists no failed recipient (delayed or delivered only)")
		}
	case r.Address == "":
		return nil, errs.FieldKeyed("address", "", "dsn.none", "give the bounced address or the bounce message (dsn)")
	}
	out := []BounceResult{}
	for _, addr := range addrs {
		contacts, rows, err := notify.Bounce(ctx, a.st, notify.BounceEvent{Address: addr, MessageID: msgID, Returned: true,
			Source: source, Detail: r.Name, At: a.now()})
		if err != nil {
			return nil, err
		}
		out = append(out, BounceResult{Address: addr, Contacts: contacts, Outbox: rows})
	}
	return out, nil
}

// Calls returns the analysts' call list of the notices sc sees: critical
// notices nobody acknowledged within after of sending (escalating them
// now).
func (a *App) Calls(ctx context.Context, sc tenant.Scope, after time.Duration) ([]notify.Call, error) {
	calls, _, err := notify.CallList(ctx, a.st, sc, a.now(), after)
	return calls, err
}

// CallInput is the outcome of a call about an escalated notice, as an
// analyst records it.
type CallInput struct {
	Outcome notify.CallOutcome `json:"outcome"`
	Note    string             `json:"note"`
}

// RecordCall records the outcome of a telephone call about escalated
// notice id of sc (one not on the call list is errs.NotFound), with the
// caller (the context's audit actor) and the time, and audits it. The
// outcome must be one of notify.CallOutcomes; the note is optional and at
// most maxReason characters. An acknowledgement given on the telephone
// (notify.CallAcknowledged) acknowledges the notice as "telephone,
// recorded by" the caller: staff cannot acknowledge a firm's warning
// otherwise.
func (a *App) RecordCall(ctx context.Context, sc tenant.Scope, id int64, in CallInput) (notify.CallRecord, error) {
	if !slices.Contains(notify.CallOutcomes, in.Outcome) {
		return notify.CallRecord{}, errs.FieldKeyed("outcome", in.Outcome, "call.outcome", "must be reached, acknowledged, no_answer, wrong_number or left_message")
	}
	note := strings.TrimSpace(in.Note)
	if err := longText("note", note); err != nil {
		return notify.CallRecord{}, err
	}
	c := notify.CallRecord{NoticeID: id, Outcome: in.Outcome, Note: note, Actor: "unknown"}
	if t := AuditTrailOf(ctx); t != nil && t.Actor != "" {
		c.Actor = t.Actor
	}
	err := a.st.Tx(ctx, func(tx *store.Store) error {
		if err := tx.CallRecordAdd(ctx, sc, &c); err != nil {
			return err
		}
		n, err := tx.NoticeGet(ctx, sc, id)
		if err != nil {
			return err
		}
		if err := a.auditIn(ctx, tx, account.AuditEntry{Action: "call.record", OrgID: n.OrgID, Object: fmt.Sprintf("notice %d", id),
			Detail: strings.TrimSpace(string(c.Outcome) + " " + note), After: auditJSON(c)}); err != nil {
			return err
		}
		if c.Outcome != notify.CallAcknowledged || n.State == notify.StateAcknowledged {
			return nil
		}
		_, err = a.ackIn(ctx, tx, sc, id, "telephone, recorded by "+c.Actor)
		return err
	})
	if err != nil {
		return notify.CallRecord{}, err
	}
	return c, nil
}

// WebhookSecret returns the secret organisation org verifies vigil's
// webhook signatures with (hex).
func (a *App) WebhookSecret(ctx context.Context, sc tenant.Scope, org int64) (string, error) {
	if err := a.st.OrgExists(ctx, sc, org); err != nil {
		return "", err
	}
	key, err := a.st.SettingSecret(ctx, notify.WebhookKeySetting)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%x", notify.WebhookSecret(key, org)), nil
}

// Stats are the warning statistics of the notices sc sees since a time,
// per period when one is given (day, week or month).
func (a *App) Stats(ctx context.Context, sc tenant.Scope, since time.Time, period string) (notify.Stats, error) {
	p := notify.Period(period)
	switch p {
	case notify.PeriodNone, notify.PeriodDay, notify.PeriodWeek, notify.PeriodMonth:
	default:
		return notify.Stats{}, errs.FieldKeyed("period", period, "stats.period", "must be day, week or month")
	}
	return notify.LoadStats(ctx, a.st, sc, since, p)
}

// ParseSince reads a --since value: a date (2025-06-01), an RFC 3339 time or a
// duration back from now (30d, 12h).
func ParseSince(s string, now time.Time) (time.Time, error) {
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
	return time.Time{}, errs.FieldKeyed("since", s, "time.since", "must be a date (2025-06-01), an RFC 3339 time or a duration (30d, 12h)")
}
