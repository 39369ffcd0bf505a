// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package finding

import (
	"strings"
	"time"
	"unicode/utf8"

	"vigil/internal/errs"
	"vigil/internal/keyset"
)

// DisputeReason is why an organisation disputes a finding.
type DisputeReason string

// The dispute reasons.
const (
	FalsePositive DisputeReason = "false_positive" // the finding is wrong
	AlreadyFixed  DisputeReason = "fixed"          // the problem is gone
	NotOurs       DisputeReason = "not_ours"       // the address is not the organisation's
)

// DisputeReasons lists the reasons in the order forms offer them.
func DisputeReasons() []DisputeReason { return []DisputeReason{FalsePositive, AlreadyFixed, NotOurs} }

// DisputeState is where a dispute stands.
type DisputeState string

// The dispute states: an analyst accepts (the finding is resolved) or
// rejects (it stays as it is) a pending dispute, each with a reason.
const (
	DisputePending  DisputeState = "pending"
	DisputeAccepted DisputeState = "accepted"
	DisputeRejected DisputeState = "rejected"
)

// Dispute is an organisation's objection to one of its findings, waiting
// for an analyst's decision.
type Dispute struct {
	ID        int64         `json:"id"`
	FindingID int64         `json:"finding_id"`
	OrgID     int64         `json:"org_id"`
	Reason    DisputeReason `json:"reason"`
	Comment   string        `json:"comment,omitempty"`
	State     DisputeState  `json:"state"`
	By        string        `json:"by"`
	CreatedAt time.Time     `json:"created_at"`
	// The analyst's decision, once made.
	DecidedBy string     `json:"decided_by,omitempty"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
	Decision  string     `json:"decision,omitempty"`
	// What the finding is, for lists (read only).
	Trigger string `json:"trigger,omitempty"`
	IP      string `json:"ip,omitempty"`
	Port    int    `json:"port,omitempty"`
}

// maxDisputeText bounds a comment or a decision's reason.
const maxDisputeText = 2000

// Validate checks a new dispute: a known reason and a comment of bounded
// length.
func (d Dispute) Validate() error {
	switch d.Reason {
	case FalsePositive, AlreadyFixed, NotOurs:
	default:
		return errs.FieldKeyed("reason", string(d.Reason), "dispute.reason", "must be false_positive, fixed or not_ours")
	}
	if utf8.RuneCountInString(d.Comment) > maxDisputeText {
		return errs.Field("comment", "", "at most 2000 characters")
	}
	return nil
}

// Decision is an analyst's answer to a dispute.
type Decision struct {
	Accept bool
	// Reason is required: the organisation reads it.
	Reason string
	By     string
	At     time.Time
}

// Validate checks that a decision gives its reason.
func (d Decision) Validate() error {
	r := strings.TrimSpace(d.Reason)
	switch {
	case r == "":
		return errs.Field("reason", "", "give the reason for the decision; the organisation reads it")
	case utf8.RuneCountInString(r) > maxDisputeText:
		return errs.Field("reason", "", "at most 2000 characters")
	}
	return nil
}

// DisputeFilter selects disputes; zero fields do not filter.
type DisputeFilter struct {
	State     DisputeState
	FindingID int64
	keyset.Page
}
