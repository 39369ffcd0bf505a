// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package registry

import "time"

// ApprovalState is where an organisation registered through the portal
// stands before it is approved.
type ApprovalState string

// The states of an organisation that is not approved yet. An approved
// organisation (or one an operator made) has no Approval at all.
//
//	pending ──reject (analyst, reason)──► rejected ──ask again (members, note)──► pending
//	pending ──approve (analyst) or an asset proven──► approved
//	rejected ──approve (analyst)──► approved
//
// A pending organisation draws findings only through the assets it has
// proven; a rejected one draws none. Proving an asset approves a pending
// organisation but not a rejected one: its members ask again first.
const (
	Pending  ApprovalState = "pending"
	Rejected ApprovalState = "rejected"
)

// Approval is the wait of an organisation registered through the portal.
type Approval struct {
	OrgID        int64         `json:"org_id"`
	State        ApprovalState `json:"state"`
	RegisteredAt time.Time     `json:"registered_at"`
	// RejectedAt, RejectedBy and Reason say when, by whom and why an
	// analyst rejected it (State rejected only).
	RejectedAt *time.Time `json:"rejected_at,omitempty"`
	RejectedBy string     `json:"rejected_by,omitempty"`
	Reason     string     `json:"reason,omitempty"`
	// Note is what its members wrote when they asked again after a
	// rejection.
	Note string `json:"note,omitempty"`
}

// Rejected reports whether an analyst rejected the organisation.
func (a Approval) Rejected() bool { return a.State == Rejected }
