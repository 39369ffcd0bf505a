// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"context"
	"errors"
	"fmt"
	"time"

	"vigil/internal/ticket"
)

// Outgoing is one delivery to make: a notice's content for one recipient
// on one channel.
type Outgoing struct {
	OutboxID  int64
	Key       string // IdempotencyKey
	NoticeID  int64
	OrgID     int64
	Channel   Channel
	Recipient string
	Lang      string
	Content   Content
	AckURL    string
	// Ticket is the notice's public reference and AccessCode the code
	// that unlocks it on the verification page at VerifyURL.
	Ticket     ticket.Ticket
	AccessCode ticket.Code
	VerifyURL  string
	// SchemaURL is where NoticeSchema is published.
	SchemaURL string
	// Date is when the outbox row was made; it is the message's Date, so a
	// repeated attempt is byte-for-byte the same message.
	Date time.Time
	// ContactSource says where a discovered contact came from.
	ContactSource string
	// OptOutURL is the recipient's opt-out link (discovered contacts
	// only): printed in the message and offered as List-Unsubscribe with
	// one-click (RFC 8058).
	OptOutURL string
}

// Sender delivers on one channel. Implementations are safe for concurrent
// use.
type Sender interface {
	Send(ctx context.Context, m Outgoing) error
}

// SendError is a failed delivery.
type SendError struct {
	// Permanent failures are not retried.
	Permanent bool
	// Bounce is true when the recipient address itself was refused
	// permanently (SMTP 5xx on RCPT): the contact is marked bounced.
	Bounce bool
	// Unknown is true when the message may have arrived: the connection
	// failed after the message began to leave and before the server's
	// final answer. Sending it again could deliver a second copy, so an
	// e-mail ends in OutboxUnknown for an operator to resolve.
	Unknown bool
	// Code is the SMTP reply code or HTTP status, 0 if none.
	Code int
	Err  error
}

// Error implements error.
func (e *SendError) Error() string {
	kind := "temporary"
	switch {
	case e.Permanent:
		kind = "permanent"
	case e.Unknown:
		kind = "outcome unknown"
	}
	if e.Code != 0 {
		return fmt.Sprintf("%s failure (%d): %v", kind, e.Code, e.Err)
	}
	return fmt.Sprintf("%s failure: %v", kind, e.Err)
}

// Unwrap returns the cause.
func (e *SendError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a permanent delivery failure.
func IsPermanent(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Permanent
}

// IsUnknown reports whether err leaves open whether the message arrived.
func IsUnknown(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Unknown
}

// IsBounce reports whether err says the recipient address is bad.
func IsBounce(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Bounce
}
