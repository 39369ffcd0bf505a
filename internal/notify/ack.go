// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/tenant"
	"vigil/internal/ticket"
)

// Settings names of the installation secrets notify keeps in the store's
// settings table (store.SettingSecret creates them on first use).
const (
	// AckKeySetting holds the key that signs acknowledgement links.
	AckKeySetting = "notify_ack_key"
	// WebhookKeySetting holds the master key from which each organisation's
	// webhook signing secret is derived (WebhookSecret).
	WebhookKeySetting = "notify_webhook_key"
)

// State is the follow-up state of a notice.
type State string

// The notice states. A notice starts open; the recipient acknowledges it;
// it is resolved when every finding it reported is resolved; a critical
// notice that nobody acknowledged in time is escalated to the call list.
const (
	StateOpen         State = "open"
	StateAcknowledged State = "acknowledged"
	StateResolved     State = "resolved"
	StateEscalated    State = "escalated"
)

// Notice is a stored notice as lists and the acknowledgement page show it.
type Notice struct {
	ID          int64            `json:"id"`
	Ticket      ticket.Ticket    `json:"ticket,omitempty"`
	OrgID       int64            `json:"org_id,omitempty"`
	OrgName     string           `json:"org_name,omitempty"`
	Kind        Kind             `json:"kind"`
	Severity    finding.Severity `json:"severity"`
	State       State            `json:"state"`
	Items       int              `json:"items"`
	Triggers    []string         `json:"triggers,omitempty"`
	Created     time.Time        `json:"created_at"`
	FirstSent   *time.Time       `json:"first_sent_at,omitempty"`
	AckedAt     *time.Time       `json:"acknowledged_at,omitempty"`
	AckedBy     string           `json:"acknowledged_by,omitempty"`
	ResolvedAt  *time.Time       `json:"resolved_at,omitempty"`
	EscalatedAt *time.Time       `json:"escalated_at,omitempty"`
	// EscalationReason says why the notice is on the call list when it is
	// not for want of an acknowledgement (a bounced address).
	EscalationReason string `json:"escalation_reason,omitempty"`
}

// Reply is an answer to a notice that came back by e-mail and named its
// ticket.
type Reply struct {
	ID        int64  `json:"id"`
	NoticeID  int64  `json:"notice_id"`
	OrgID     int64  `json:"org_id,omitempty"`
	MessageID string `json:"message_id"`
	From      string `json:"from"`
	Subject   string `json:"subject"`
	// Text is the reply's plain text (at most 64 KiB).
	Text string `json:"text"`
	// Source says how it arrived (the SMTP listener, a maildir file).
	Source   string    `json:"source"`
	Received time.Time `json:"received_at"`
}

// AckStore is the storage acknowledgement needs.
type AckStore interface {
	// NoticeGet returns notice id of sc, or errs.NotFound.
	NoticeGet(ctx context.Context, sc tenant.Scope, id int64) (Notice, error)
	// NoticeAck records the acknowledgement of notice id of sc by who at at
	// and returns the notice. Acknowledging twice keeps the first time.
	NoticeAck(ctx context.Context, sc tenant.Scope, id int64, by string, at time.Time) (Notice, error)
}

const ackContext = "vigil-ack/1"

// AckToken returns the token of the acknowledgement link of notice id:
// the id and a 128-bit HMAC-SHA256 tag under key, base64url-encoded.
func AckToken(key []byte, id int64) string {
	var b [8 + 16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(id))
	copy(b[8:], ackMAC(key, id))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func ackMAC(key []byte, id int64) []byte {
	m := hmac.New(sha256.New, key)
	var idb [8]byte
	binary.BigEndian.PutUint64(idb[:], uint64(id))
	m.Write([]byte(ackContext))
	m.Write(idb[:])
	return m.Sum(nil)[:16]
}

// ParseAckToken checks token under key and returns its notice id. A
// malformed or forged token is errs.NotFound, so that a guessed token
// learns nothing.
func ParseAckToken(key []byte, token string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != 24 {
		return 0, errs.Errorf(errs.NotFound, "unknown acknowledgement link")
	}
	id := int64(binary.BigEndian.Uint64(b[:8]))
	if id <= 0 || !hmac.Equal(b[8:], ackMAC(key, id)) {
		return 0, errs.Errorf(errs.NotFound, "unknown acknowledgement link")
	}
	return id, nil
}

// AckURL returns the acknowledgement link of notice id under base (the
// public URL of the vigil server, e.g. "https://vigil.example.nl").
func AckURL(base string, key []byte, id int64) string {
	return strings.TrimRight(base, "/") + "/ack/" + AckToken(key, id)
}

// IdempotencyKey is the stable key of one delivery of a notice: the same
// notice, channel and recipient always give the same key. It is the
// local part of the SMTP Message-ID and the webhook Idempotency-Key.
func IdempotencyKey(noticeID int64, ch Channel, recipient string) string {
	h := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(recipient))))
	return fmt.Sprintf("vigil-n%d-%s-%s", noticeID, ch, hex.EncodeToString(h[:6]))
}

// Call is an entry of the analysts' call list: a critical notice that
// nobody acknowledged in time, with the numbers to phone.
type Call struct {
	Notice
	Phones []string `json:"phones"`
	Emails []string `json:"emails"`
	// Undeliverable is why the notice could be sent to nobody, when that
	// is why it is on the list (else it was not acknowledged in time).
	Undeliverable string `json:"undeliverable,omitempty"`
	// LastCall is the outcome of the latest call about the notice, nil
	// before the first; Calls counts the calls made.
	LastCall *CallRecord `json:"last_call,omitempty"`
	Calls    int         `json:"calls"`
}

// CallOutcome is how a telephone call about an escalated notice went.
type CallOutcome string

// The outcomes of a call.
const (
	CallReached CallOutcome = "reached" // someone responsible heard the warning
	// CallAcknowledged: someone responsible acknowledged the warning on
	// the telephone; the notice is acknowledged for them, recorded as
	// "telephone, recorded by" the caller.
	CallAcknowledged CallOutcome = "acknowledged"
	CallNoAnswer     CallOutcome = "no_answer"    // nobody answered
	CallWrongNumber  CallOutcome = "wrong_number" // the number is not the organisation's
	CallLeftMessage  CallOutcome = "left_message" // a message was left (voicemail, a colleague)
)

// CallOutcomes are the outcomes a call may have, in the order a form
// offers them.
var CallOutcomes = []CallOutcome{CallReached, CallAcknowledged, CallNoAnswer, CallWrongNumber, CallLeftMessage}

// CallRecord is one call made about an escalated notice: its outcome, a
// note, who called and when.
type CallRecord struct {
	ID       int64       `json:"id"`
	NoticeID int64       `json:"notice_id"`
	Outcome  CallOutcome `json:"outcome"`
	Note     string      `json:"note"`
	Actor    string      `json:"actor"`
	At       time.Time   `json:"at"`
}

// EscalationStore is the storage escalation needs.
type EscalationStore interface {
	// NoticeEscalate moves open notices of at least severity min that were
	// first sent before sentBefore and not acknowledged to the escalated
	// state (at now) and returns how many it moved.
	NoticeEscalate(ctx context.Context, min finding.Severity, sentBefore, now time.Time) (int, error)
	// NoticeCallList lists the escalated notices of sc, oldest first.
	NoticeCallList(ctx context.Context, sc tenant.Scope) ([]Call, error)
}

// DefaultEscalateAfter is how long a critical notice may stay
// unacknowledged before it goes to the call list.
const DefaultEscalateAfter = 4 * time.Hour

// CallList escalates overdue critical notices (unacknowledged for longer
// than after since they were first sent), across every organisation, and
// returns the call list of the escalated notices of sc.
func CallList(ctx context.Context, st EscalationStore, sc tenant.Scope, now time.Time, after time.Duration) ([]Call, int, error) {
	if after <= 0 {
		after = DefaultEscalateAfter
	}
	n, err := st.NoticeEscalate(ctx, finding.Critical, now.Add(-after), now)
	if err != nil {
		return nil, 0, fmt.Errorf("escalate: %w", err)
	}
	calls, err := st.NoticeCallList(ctx, sc)
	return calls, n, err
}

// NoticeFilter selects notices. Zero fields do not filter.
type NoticeFilter struct {
	State State
	keyset.Page
}
