// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"vigil/internal/errs"
	"vigil/internal/registry"
	"vigil/internal/text"
	"vigil/internal/ticket"
)

// OutboxState is the delivery state of an outbox row.
type OutboxState string

// The outbox states. pending rows were never tried; sending rows are
// claimed by a worker (until their lease ends); failed rows wait for their
// next attempt; sent and dead are final. unknown rows are e-mails whose
// worker stopped, or whose connection failed, after the message began to
// leave and before the server's final answer: it may or may not have
// arrived, so they wait for an operator (vigil notify resolve) rather than
// risk a second copy.
const (
	OutboxPending OutboxState = "pending"
	OutboxSending OutboxState = "sending"
	OutboxSent    OutboxState = "sent"
	OutboxFailed  OutboxState = "failed"
	OutboxDead    OutboxState = "dead"
	OutboxUnknown OutboxState = "unknown"
)

// OutboxRow is a claimed delivery with what sending it needs.
type OutboxRow struct {
	ID        int64
	NoticeID  int64
	OrgID     int64
	ContactID int64
	Channel   Channel
	Recipient string
	Lang      string
	Key       string
	Ticket    ticket.Ticket
	State     OutboxState
	// Attempts counts this attempt too.
	Attempts  int
	CreatedAt time.Time
	Content   Content
	// Suppressed is true when the recipient's address bounced since the
	// row was made.
	Suppressed bool
	// OptedOut is true when the recipient's address is on the suppression
	// list (opted out or listed by an analyst) since the row was made: the
	// row ends as OutboxSuppressed, unsent.
	OptedOut      bool
	ContactSource string
}

// OutboxResult is the outcome of one attempt.
type OutboxResult struct {
	ID       int64
	NoticeID int64
	State    OutboxState // sent, failed, dead, suppressed or unknown
	Error    string
	// NextAttempt is when a failed row is due again.
	NextAttempt time.Time
	At          time.Time
}

// Outbox is the storage delivery needs.
type Outbox interface {
	// OutboxClaim marks row id "sending" until now+lease and returns it,
	// if it is due on one of channels: pending, or failed with its next
	// attempt due, or sending with an expired lease (a worker died) and
	// either no send begun or a channel whose receivers deduplicate
	// (webhook). An e-mail whose send began under an expired lease goes to
	// OutboxUnknown instead. A row that is not claimable is errs.NotFound.
	OutboxClaim(ctx context.Context, id int64, channels []Channel, now time.Time, lease time.Duration) (OutboxRow, error)
	// OutboxClaimDue claims up to limit due rows of channels, oldest first.
	OutboxClaimDue(ctx context.Context, channels []Channel, now time.Time, lease time.Duration, limit int) ([]OutboxRow, error)
	// OutboxStarted records, durably, that the send of claimed row id
	// begins at at: the pre-send journal that tells a successor whether
	// the message may have left.
	OutboxStarted(ctx context.Context, id int64, at time.Time) error
	// OutboxFinish records the outcomes of attempts; a sent row also sets
	// its notice's first-sent time.
	OutboxFinish(ctx context.Context, results []OutboxResult) error
	// OutboxDue lists the ids of rows due at now (for the sweep).
	OutboxDue(ctx context.Context, now time.Time, limit int) ([]int64, error)
	// OutboxBounce records bounce b in one transaction: every contact with
	// its address is marked bounced, the bounce is stored with its source
	// and detail, the unsent e-mail rows to the address end (dead,
	// "bounced") and, when b came back after sending (b.Returned), the
	// sent delivery it answers is marked bounced (see BounceEvent). It
	// returns the contacts marked and the rows ended.
	OutboxBounce(ctx context.Context, b BounceEvent) (contacts, rows int64, err error)
}

// DelivererConfig configures a Deliverer.
type DelivererConfig struct {
	Outbox  Outbox
	Senders map[Channel]Sender
	// MaxAttempts is the number of attempts before a row is dead
	// (default 8).
	MaxAttempts int
	// Backoff is the wait after failed attempt n (1-based); default
	// DefaultBackoff.
	Backoff func(attempt int) time.Duration
	// Lease is how long a claim lasts before another worker may take the
	// row over (default 5 minutes). It must exceed the senders' timeouts.
	Lease time.Duration
	// AckURL returns the acknowledgement link of a notice.
	AckURL func(noticeID int64) string
	// OptOutURL returns the opt-out link of an address; every e-mail to a
	// discovered contact (a notice with a contact source: the fallback
	// chain's and unregistered warnings' security.txt and RDAP contacts)
	// carries it. Nil: no link.
	OptOutURL func(address string) string
	// VerifyURL is the verification page, and AccessCode returns the
	// access code of a ticket (ticket.AccessCode under the installation's
	// key); a nil AccessCode prints no code.
	VerifyURL  string
	AccessCode func(ticket.Ticket) ticket.Code
	// SchemaURL is where the notice document's schema is published.
	SchemaURL string
	// Concurrency bounds parallel sends in DeliverDue (default 8).
	Concurrency int
	Now         func() time.Time
	Logger      *slog.Logger
}

// DefaultBackoff waits one minute after the first failure and doubles
// each time, up to twelve hours.
func DefaultBackoff(attempt int) time.Duration {
	d := time.Minute
	for i := 1; i < attempt && d < 12*time.Hour; i++ {
		d *= 2
	}
	return min(d, 12*time.Hour)
}

// Deliverer sends outbox rows. It is safe for concurrent use.
type Deliverer struct {
	cfg      DelivererConfig
	progress func(attempted int)
}

// OnProgress makes DeliverDue tell f how many rows it has attempted after
// each attempt (e.g. to draw a progress bar); f is not called
// concurrently.
func (d *Deliverer) OnProgress(f func(attempted int)) { d.progress = f }

// NewDeliverer returns a Deliverer with defaults for zero fields.
func NewDeliverer(cfg DelivererConfig) *Deliverer {
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.Backoff == nil {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 5 * time.Minute
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.AckURL == nil {
		cfg.AckURL = func(int64) string { return "" }
	}
	if cfg.AccessCode == nil {
		cfg.AccessCode = func(ticket.Ticket) ticket.Code { return "" }
	}
	return &Deliverer{cfg: cfg}
}

// Channels returns the channels the deliverer has senders for, sorted.
func (d *Deliverer) Channels() []Channel {
	out := make([]Channel, 0, len(d.cfg.Senders))
	for c := range d.cfg.Senders {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// DeliverResult counts the outcomes of attempts.
type DeliverResult struct {
	Attempted int `json:"attempted"`
	Sent      int `json:"sent"`
	Failed    int `json:"failed"`
	Dead      int `json:"dead"`
	Bounced   int `json:"bounced"`
}

func (r *DeliverResult) count(res OutboxResult, bounced bool) {
	r.Attempted++
	switch res.State {
	case OutboxSent:
		r.Sent++
	case OutboxFailed:
		r.Failed++
	case OutboxDead:
		r.Dead++
	}
	if bounced {
		r.Bounced++
	}
}

// Deliver claims and sends outbox row id (the River job's work). A row
// that is not due is left alone and reported as errs.NotFound.
func (d *Deliverer) Deliver(ctx context.Context, id int64) (OutboxResult, error) {
	row, err := d.cfg.Outbox.OutboxClaim(ctx, id, d.Channels(), d.cfg.Now().UTC(), d.cfg.Lease)
	if err != nil {
		return OutboxResult{}, err
	}
	res, _ := d.attempt(ctx, row)
	if err := d.finish(ctx, res); err != nil {
		return res, fmt.Errorf("record delivery %d: %w", id, err)
	}
	return res, nil
}

// DeliverDue sends every due row of the configured channels until none is
// due: it claims limit rows at a time (0: ClaimPerSender per sender) and
// sends them Concurrency in parallel. Each row's outcome is committed on
// its own right after its SMTP transaction or webhook call, so a process
// that dies leaves at most the messages in flight (Concurrency) without an
// outcome (e-mails among them go to OutboxUnknown); the other rows it had
// claimed are taken over when their lease ends. It returns the first error
// recording an outcome, after the rows already claimed have been
// attempted.
func (d *Deliverer) DeliverDue(ctx context.Context, limit int) (DeliverResult, error) {
	var total DeliverResult
	if limit <= 0 {
		limit = ClaimPerSender * d.cfg.Concurrency
	}
	chans := d.Channels()
	if len(chans) == 0 {
		return total, nil
	}
	for {
		rows, err := d.cfg.Outbox.OutboxClaimDue(ctx, chans, d.cfg.Now().UTC(), d.cfg.Lease, limit)
		if err != nil {
			return total, err
		}
		if len(rows) == 0 {
			return total, nil
		}
		var (
			mu      sync.Mutex
			errOnce error
			wg      sync.WaitGroup
		)
		next := make(chan OutboxRow)
		for range min(d.cfg.Concurrency, len(rows)) {
			wg.Go(func() {
				for row := range next {
					res, bounced := d.attempt(ctx, row)
					err := d.finish(ctx, res)
					mu.Lock()
					if err != nil && errOnce == nil {
						errOnce = err
					} else if err == nil {
						total.count(res, bounced)
						if d.progress != nil {
							d.progress(total.Attempted)
						}
					}
					mu.Unlock()
				}
			})
		}
		for _, row := range rows {
			next <- row
		}
		close(next)
		wg.Wait()
		if errOnce != nil {
			return total, fmt.Errorf("record deliveries: %w", errOnce)
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}

// ClaimPerSender is how many rows DeliverDue claims per sender at a time:
// a claim looks through the due rows for the oldest, so claiming a few
// rows per sender keeps that cost small beside the sends, while a crash
// strands no more than that many claimed rows until their lease ends.
const ClaimPerSender = 16

// finish commits the outcome of one attempt, under finishContext.
func (d *Deliverer) finish(ctx context.Context, res OutboxResult) error {
	fin, cancel := finishContext(ctx)
	defer cancel()
	return d.cfg.Outbox.OutboxFinish(fin, []OutboxResult{res})
}

// FinishTimeout bounds the recording of outcomes after ctx has ended.
const FinishTimeout = 10 * time.Second

// finishContext is the context outcomes are recorded under. It outlives
// ctx: when a stopping worker's context ends while messages are out, what
// happened to them is still recorded (within FinishTimeout), instead of
// the rows waiting for their lease to expire, an e-mail then going to
// state unknown.
func finishContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), FinishTimeout)
}

// attempt sends one claimed row and returns its outcome (not yet stored)
// and whether the recipient bounced.
func (d *Deliverer) attempt(ctx context.Context, row OutboxRow) (OutboxResult, bool) {
	now := func() time.Time { return d.cfg.Now().UTC() }
	res := OutboxResult{ID: row.ID, NoticeID: row.NoticeID}
	if row.Suppressed {
		res.State, res.Error, res.At = OutboxDead, "recipient address bounced", now()
		return res, false
	}
	if row.OptedOut {
		res.State, res.Error, res.At = OutboxSuppressed, "recipient is on the suppression list", now()
		return res, false
	}
	sender, ok := d.cfg.Senders[row.Channel]
	if !ok {
		res.State, res.Error, res.At = OutboxFailed, "no sender for channel "+string(row.Channel), now()
		res.NextAttempt = res.At.Add(d.cfg.Backoff(row.Attempts))
		return res, false
	}
	// The journal entry first: if the process dies from here on, the
	// successor knows the message may have left.
	if err := d.cfg.Outbox.OutboxStarted(ctx, row.ID, now()); err != nil {
		res.State, res.Error, res.At = OutboxFailed, text.Truncate(text.Clean(err.Error()), 1000), now()
		res.NextAttempt = res.At.Add(d.cfg.Backoff(row.Attempts))
		d.cfg.Logger.Warn("delivery not started", "outbox", row.ID, "err", err)
		return res, false
	}
	m := Outgoing{OutboxID: row.ID, Key: row.Key, NoticeID: row.NoticeID, OrgID: row.OrgID, Channel: row.Channel,
		Recipient: row.Recipient, Lang: row.Lang, Content: row.Content, AckURL: d.cfg.AckURL(row.NoticeID),
		Ticket: row.Ticket, AccessCode: d.cfg.AccessCode(row.Ticket), VerifyURL: d.cfg.VerifyURL, SchemaURL: d.cfg.SchemaURL,
		Date: row.CreatedAt, ContactSource: row.ContactSource}
	if row.Channel == Email && row.ContactSource != "" && d.cfg.OptOutURL != nil {
		m.OptOutURL = d.cfg.OptOutURL(row.Recipient)
	}
	err := sender.Send(ctx, m)
	res.At = now()
	if err == nil {
		res.State = OutboxSent
		return res, false
	}
	res.Error = text.Truncate(text.Clean(err.Error()), 1000)
	bounced := false
	switch {
	case IsUnknown(err) && row.Channel == Email:
		// It may have arrived: an operator resolves it (webhook
		// receivers deduplicate by delivery id, so those are retried).
		res.State = OutboxUnknown
	case IsPermanent(err):
		res.State = OutboxDead
		if IsBounce(err) && row.Channel == Email {
			bounced = true
			d.bounce(ctx, row.Recipient, res.Error, res.At)
		}
	case row.Attempts >= d.cfg.MaxAttempts:
		res.State = OutboxDead
		res.Error = fmt.Sprintf("gave up after %d attempts: %s", row.Attempts, res.Error)
	default:
		res.State = OutboxFailed
		res.NextAttempt = res.At.Add(d.cfg.Backoff(row.Attempts))
	}
	d.cfg.Logger.Warn("delivery failed", "outbox", row.ID, "channel", row.Channel, "attempt", row.Attempts, "state", res.State, "err", res.Error)
	return res, bounced
}

// bounce records that the recipient of an e-mail refused it for good,
// under finishContext (the message's outcome is known, whatever happens
// to ctx).
func (d *Deliverer) bounce(ctx context.Context, addr, detail string, now time.Time) {
	fin, cancel := finishContext(ctx)
	defer cancel()
	if _, _, err := Bounce(fin, d.cfg.Outbox, BounceEvent{Address: addr, Source: "notify", Detail: detail, At: now}); err != nil {
		d.cfg.Logger.Error("record bounce", "err", err)
	}
}

// BounceEvent is one address whose mail bounced, as OutboxBounce records
// it.
type BounceEvent struct {
	// Address is the bounced address (Bounce normalises it).
	Address string
	// MessageID is the Message-ID of the returned message, when the
	// bounce quotes it (a DSN's original headers): for vigil's mail it
	// names the delivery (MessageID of its idempotency key).
	MessageID string
	// Returned is true when the mail was accepted and came back later (a
	// DSN, a report through the API): the sent delivery it answers is
	// marked bounced — the one MessageID names when it is a delivery to
	// Address, else the most recent delivery sent to Address. False for a
	// refusal during the send itself, whose delivery is dead, not sent.
	Returned bool
	// Source says where the bounce came from ("notify", "api", "dsn"),
	// Detail names the report.
	Source, Detail string
	At             time.Time
}

// DeliveryKey returns the idempotency key a Message-ID of vigil's names
// (MessageID's local part, angle brackets allowed), or "" for an id that
// cannot be one.
func DeliveryKey(messageID string) string {
	id := strings.Trim(strings.TrimSpace(messageID), "<>")
	key, _, ok := strings.Cut(id, "@")
	if !ok || !strings.HasPrefix(key, "vigil-n") {
		return ""
	}
	return key
}

// Bounce handles bounce b (from delivery, a DSN or the API): in one
// transaction the contacts with the normalised address are marked
// bounced, the bounce is recorded, the unsent mail to it is stopped and a
// returned message's delivery is marked bounced. It returns the number of
// contacts and outbox rows affected; an address that is not one is
// errs.Invalid naming the field "address".
func Bounce(ctx context.Context, ob Outbox, b BounceEvent) (contacts, rows int64, err error) {
	norm, err := registry.NormalizeEmail(b.Address)
	if err != nil {
		return 0, 0, errs.Field("address", b.Address, "not an e-mail address")
	}
	b.Address, b.Detail = norm, text.Truncate(b.Detail, 500)
	return ob.OutboxBounce(ctx, b)
}

// OutboxCount is the number of outbox rows per channel and state.
type OutboxCount struct {
	Channel Channel     `json:"channel"`
	State   OutboxState `json:"state"`
	Count   int64       `json:"count"`
}

// OutboxEntry is an outbox row as status lists show it.
type OutboxEntry struct {
	ID          int64       `json:"id"`
	NoticeID    int64       `json:"notice_id"`
	Channel     Channel     `json:"channel"`
	Recipient   string      `json:"recipient"`
	State       OutboxState `json:"state"`
	Attempts    int         `json:"attempts"`
	NextAttempt time.Time   `json:"next_attempt_at"`
	LastError   string      `json:"last_error,omitempty"`
	SentAt      *time.Time  `json:"sent_at,omitempty"`
}
