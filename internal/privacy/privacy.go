// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package privacy is the data-governance model for the people vigil holds
// data about: what an export of one person's data contains, how an erased
// address is replaced by a pseudonym, and the retention periods of the
// kinds of personal data a daily purge removes.
package privacy

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Contact is a contact row of an organisation that names the person.
type Contact struct {
	ID        int64      `json:"id"`
	OrgID     int64      `json:"org_id"`
	OrgName   string     `json:"org_name"`
	Name      string     `json:"name"`
	Email     string     `json:"email"`
	Phone     string     `json:"phone"`
	Role      string     `json:"role"`
	Lang      string     `json:"lang"`
	Verified  bool       `json:"verified"`
	BouncedAt *time.Time `json:"bounced_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// Delivery is one notice sent (or to be sent) to the person.
type Delivery struct {
	NoticeID  int64      `json:"notice_id"`
	OrgID     int64      `json:"org_id,omitempty"`
	Kind      string     `json:"kind"`
	Channel   string     `json:"channel"`
	Recipient string     `json:"recipient"`
	State     string     `json:"state"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

// Reply is a message the person sent back to a notice.
type Reply struct {
	ID         int64     `json:"id"`
	NoticeID   int64     `json:"notice_id"`
	From       string    `json:"from"`
	Subject    string    `json:"subject"`
	Body       string    `json:"body"`
	ReceivedAt time.Time `json:"received_at"`
}

// Bounce is a bounce record of the person's address; the bounce records
// are also the suppression list (an address in it gets no more e-mail).
type Bounce struct {
	ID        int64     `json:"id"`
	Address   string    `json:"address"`
	Source    string    `json:"source"`
	Detail    string    `json:"detail"`
	CreatedAt time.Time `json:"created_at"`
}

// Account is a portal account with the person's address (secrets left out).
type Account struct {
	ID        int64      `json:"id"`
	Email     string     `json:"email"`
	Name      string     `json:"name"`
	Lang      string     `json:"lang"`
	Role      string     `json:"role"`
	Disabled  bool       `json:"disabled"`
	CreatedAt time.Time  `json:"created_at"`
	LastLogin *time.Time `json:"last_login,omitempty"`
}

// CallNote is the outcome of a telephone call an analyst recorded on the call
// list about a warning that concerns the person: one delivered to their
// address, one of an organisation whose contact they are, or one whose
// note names their address; or a call the person made (Actor).
type CallNote struct {
	ID       int64     `json:"id"`
	NoticeID int64     `json:"notice_id"`
	OrgID    int64     `json:"org_id,omitempty"`
	Outcome  string    `json:"outcome"`
	Note     string    `json:"note"`
	Actor    string    `json:"actor"`
	At       time.Time `json:"at"`
}

// AuditEntry is an audit log entry naming the person (as actor, object or
// in its detail).
type AuditEntry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	OrgID  int64     `json:"org_id,omitempty"`
	Object string    `json:"object"`
	Detail string    `json:"detail"`
}

// Export is everything held about one person, found by e-mail address.
type Export struct {
	Email      string     `json:"email"`
	Contacts   []Contact  `json:"contacts"`
	Notices    []Delivery `json:"notices"`
	Replies    []Reply    `json:"replies"`
	Bounces    []Bounce   `json:"bounces"`
	Suppressed bool       `json:"suppressed"`
	Accounts   []Account  `json:"accounts"`
	// Calls are the call list's outcomes and notes about the person's
	// warnings (CallNote).
	Calls []CallNote   `json:"calls"`
	Audit []AuditEntry `json:"audit"`
}

// Empty reports whether the export holds nothing about the person.
func (e Export) Empty() bool {
	return len(e.Contacts)+len(e.Notices)+len(e.Replies)+len(e.Bounces)+len(e.Accounts)+len(e.Calls)+len(e.Audit) == 0 && !e.Suppressed
}

// Erased counts the rows an erasure removed or pseudonymised, per kind.
type Erased struct {
	Pseudonym string `json:"pseudonym"`
	Contacts  int64  `json:"contacts_deleted"`
	Notices   int64  `json:"notices_pseudonymised"`
	Replies   int64  `json:"replies_pseudonymised"`
	Bounces   int64  `json:"bounces_pseudonymised"`
	Accounts  int64  `json:"accounts_pseudonymised"`
	// Calls are call outcomes whose note was emptied (a call about the
	// person) or whose caller was pseudonymised (a call they made).
	Calls int64 `json:"calls_anonymised"`
	Audit int64 `json:"audit_pseudonymised"`
}

// Normalize returns the form addresses are compared in (trimmed, lower
// case), or an error when s is not an e-mail address.
func Normalize(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " <>\"") {
		return "", fmt.Errorf("privacy: %q is not an e-mail address", s)
	}
	return s, nil
}

// NewPseudonym returns a fresh pseudonym for an erased address: random, so
// it cannot be traced back to the address, in the reserved .invalid domain
// so nothing is ever sent to it.
func NewPseudonym() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("privacy: pseudonym: %w", err)
	}
	return "erased-" + hex.EncodeToString(b[:]) + "@erased.invalid", nil
}

// Ref names a person in the audit log without the address itself: a short
// digest, so the log of an export or an erasure is not personal data again.
func Ref(email string) string {
	sum := sha256.Sum256([]byte(email))
	return "contact:" + hex.EncodeToString(sum[:6])
}

// Cutoffs are, per kind of personal data, the time before which rows are
// purged; a zero time keeps that kind.
type Cutoffs struct {
	Notices, Replies, Bounces, Audit time.Time
	// NoticesOrg holds, per organisation, the start of its quiet interval
	// (renotify_after) when that is earlier than Notices: composition
	// reads the items of an organisation's notices within the interval so
	// as not to warn it twice about a finding, so its notices stay until
	// they are older than both (NoticesBefore). Key Unregistered is the
	// notices without an organisation (warnings to unregistered owners,
	// which are not repeated within theirs).
	NoticesOrg map[int64]time.Time
	// Signups removes the accounts made by signing up and never confirmed
	// whose last confirmation link expired before it (none with a role or
	// a membership).
	Signups time.Time
}

// Unregistered is the key of NoticesOrg for the notices without an
// organisation.
const Unregistered int64 = 0

// NoticesBefore is the time before which the notices of organisation org
// (Unregistered: of none) are purged: the earlier of Notices and the start
// of the organisation's quiet interval. It is zero when Notices is.
func (c Cutoffs) NoticesBefore(org int64) time.Time {
	if q, ok := c.NoticesOrg[org]; ok && !c.Notices.IsZero() && q.Before(c.Notices) {
		return q
	}
	return c.Notices
}

// CutoffsAt returns the cutoffs at now for retention periods in days (0:
// keep).
func CutoffsAt(now time.Time, noticesDays, repliesDays, bouncesDays, auditDays int) Cutoffs {
	at := func(days int) time.Time {
		if days <= 0 {
			return time.Time{}
		}
		return now.AddDate(0, 0, -days)
	}
	return Cutoffs{Notices: at(noticesDays), Replies: at(repliesDays), Bounces: at(bouncesDays), Audit: at(auditDays)}
}

// Purged counts the rows a purge deleted, per kind.
type Purged struct {
	Notices int64 `json:"notices"`
	// NoticesKept are notices past their period that were kept because
	// composition or delivery is not done with them: a delivery pending,
	// being sent, failed and to be retried or of unknown outcome, a
	// notice on the call list, one within its organisation's quiet
	// interval (Cutoffs.NoticesOrg), or (PostgreSQL) one another
	// transaction holds at the time; a later purge takes them once they
	// are done.
	NoticesKept int64 `json:"notices_kept"`
	Replies     int64 `json:"replies"`
	Bounces     int64 `json:"bounces"`
	// Suppressions are the hard bounces taken off the suppression list
	// with their bounce records.
	Suppressions int64 `json:"suppressions"`
	Audit        int64 `json:"audit"`
	// Signups are accounts made by signing up and never confirmed.
	Signups int64 `json:"signups"`
}
