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
//
//     Every finding event belongs to the source run that made it (a feed
//     file, an advisory load, a re-match). The items of a run wait until
//     the run has ended (or has had no batch for the grace period), then
//     make one immediate notice per organisation and run, with all the
//     run's triggers as sections: the same report gives the same notices
//     whatever the order of its rows, the ingest and composition batch
//     sizes, or whether composition runs during or after the ingest. Across
//     runs the policy rules above hold, so a second report that adds
//     nothing sends nothing. Beyond an organisation's cap of immediate
//     notices a day (Policy.Cap), a run's non-critical items fold into its
//     next digest; critical ones still go, one notice per run.
//
//  2. Deliver (Deliverer): an outbox row is claimed ("sending" is committed
//     before the attempt), rendered in the recipient's language (Renderer:
//     text and HTML e-mail, Dutch and English, operator overrides) and sent
//     by SMTP or webhook. Failures are retried with exponential backoff;
//     after MaxAttempts, or on a permanent failure, the row is dead.
//
//  3. Follow up: every notice carries a signed acknowledgement link
//     (AckToken); critical notices nobody acknowledged in time are
//     escalated to the analysts' call list; Stats reports per trigger how
//     many organisations were warned and how fast they reacted.
//
// # Delivery guarantee
//
// Nothing is lost and nothing is sent twice by itself. Every outbox row
// has a stable idempotency key (IdempotencyKey), sent as the SMTP
// Message-ID (with the same Date header) and as the webhook
// Idempotency-Key header. Before a message leaves, the worker commits a
// journal entry (Outbox.OutboxStarted). If the worker dies, its claim
// (lease) runs out and the row's journal decides:
//
//   - no send begun: the row is taken over and sent normally;
//   - webhook, send begun: it is sent again with the same Idempotency-Key,
//     which the receiver's contract is to deduplicate, so its effect
//     happens once;
//   - e-mail, send begun: the message may or may not have been accepted,
//     and SMTP has no way to ask nor receivers that deduplicate. The row
//     goes to OutboxUnknown and is never sent again by itself; vigil
//     notify status lists it and an operator settles it with vigil notify
//     resolve (--sent after checking with the recipient or the mail logs,
//     --resend to send it again). The window is the time one SMTP
//     transaction takes.
//
// The package holds the domain logic and the senders; storage is behind
// small interfaces (ComposeStore, Outbox, AckStore, StatsStore) that
// internal/store implements.
package notify
