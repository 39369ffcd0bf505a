// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package notify turns finding events into warnings and delivers them.
//
// The flow has three steps, each restartable:
//
//  1. Compose (Notifier.Compose): the finding events after a stored cursor
//     are judged against each organisation's policy (Decide: new, reopened
//     or severity rise; minimum severity; types; the quiet re-notification
//     interval). Accepted events become notice items; items are bundled into
//     notices at once (immediate mode, and critical findings always) or
//     held for the organisation's daily or weekly digest. Notices and their
//     outbox rows, one per channel and recipient, are written in the same
//     transaction that advances the cursor (see ComposeStore).
//  2. Deliver (Deliverer): an outbox row is claimed ("sending" is committed
//     before the attempt), rendered in the recipient's language (Renderer:
//     text and HTML e-mail, Dutch and English, operator overrides) and sent
//     by SMTP or webhook. Failures are retried with exponential backoff;
//     after MaxAttempts, or on a permanent failure, the row is dead.
//  3. Follow up: every notice carries a signed acknowledgement link
//     (AckToken); critical notices nobody acknowledged in time are
//     escalated to the analysts' call list; Stats reports per trigger how
//     many organisations were warned and how fast they reacted.
//
// # Delivery guarantee
//
// Delivery is at-least-once with a stable idempotency key per outbox row
// (IdempotencyKey). A crash after a message left but before "sent" was
// committed leaves the row in "sending"; when its lease expires it is
// sent again, with the same key: as the SMTP Message-ID (and the same Date
// header) and as the webhook Idempotency-Key header, so a receiver that
// deduplicates on it sees one message. Exactly-once is not possible over
// SMTP (there is no way to ask a server whether it accepted a message),
// and dropping a row that was "sending" at a crash would lose warnings,
// which is worse than a duplicate that carries the same Message-ID.
//
// The package holds the domain logic and the senders; storage is behind
// small interfaces (ComposeStore, Outbox, AckStore, StatsStore) that
// internal/store implements.
package notify
