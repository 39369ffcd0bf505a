// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package label

import (
	"encoding/json"
	"time"

	"vigil/internal/assess"
)

// Record is an issued label as the registry keeps it: the signed document
// exactly as issued, with its grade, validity, revocation and
// supersession.
type Record struct {
	ID           string       `json:"id"`
	AssessmentID int64        `json:"assessment_id"`
	DeviceID     int64        `json:"device_id,omitempty"`
	OrgID        int64        `json:"org_id,omitempty"`
	Grade        assess.Grade `json:"grade"`
	Rule         string       `json:"rule"`
	KeyID        string       `json:"kid"`
	// Signed is the signed label document exactly as issued.
	Signed json.RawMessage `json:"signed"`
	// Score is the rating (inputs and reasons) the grade came from.
	Score        json.RawMessage `json:"score,omitempty"`
	Issued       time.Time       `json:"issued"`
	Expires      time.Time       `json:"expires"`
	RevokedAt    *time.Time      `json:"revoked_at,omitempty"`
	RevokeReason string          `json:"revoke_reason,omitempty"`
	SupersededBy string          `json:"superseded_by,omitempty"`
	SupersededAt *time.Time      `json:"superseded_at,omitempty"`
}

// State says what the label is at now: "valid", "revoked", "superseded by
// ID" or "expired".
func (l Record) State(now time.Time) string {
	switch {
	case l.RevokedAt != nil:
		return "revoked"
	case l.SupersededBy != "":
		return "superseded by " + l.SupersededBy
	case !l.Current(now):
		return "expired"
	}
	return "valid"
}

// Listing returns what a list of labels shows of l: its signed document
// (issued by us; a field that does not read stays empty) and its state in
// one word ("superseded" without its successor).
func (l Record) Listing(now time.Time) (Label, string) {
	var doc Label
	_ = json.Unmarshal(l.Signed, &doc)
	state := l.State(now)
	if l.RevokedAt == nil && l.SupersededBy != "" {
		state = "superseded"
	}
	return doc, state
}

// Current reports whether the label is neither revoked, superseded nor
// expired at now.
func (l Record) Current(now time.Time) bool {
	return l.RevokedAt == nil && l.SupersededBy == "" && now.Before(l.Expires)
}

// Filter selects label records. Zero fields do not filter.
type Filter struct {
	AssessmentID int64
	DeviceIDs    []int64
	// Live keeps only labels neither revoked nor superseded (expired ones
	// are kept: the caller compares with its clock).
	Live bool
	// Vendor and Model keep labels whose device's vendor or model contains
	// them (case-insensitive); empty: any.
	Vendor, Model string
	// Grade keeps labels of one grade; empty: any.
	Grade assess.Grade
	// Newest lists the newest label first (default: in order of issue).
	Newest bool
	// After is the id of the last label of the previous page: the list
	// continues after it in the chosen order.
	After string
	// Limit bounds the result (default 1000, max 10000).
	Limit int
}

// EventKind says what happened to an assessment's label.
type EventKind string

// Label event kinds.
const (
	EventIssued   EventKind = "issued"
	EventRegraded EventKind = "regraded"
	EventRevoked  EventKind = "revoked"
	EventExpired  EventKind = "expired"
)

// Event is one entry of the grade history of an assessment's labels.
type Event struct {
	ID           int64     `json:"id"`
	AssessmentID int64     `json:"assessment_id"`
	LabelID      string    `json:"label_id"`
	Kind         EventKind `json:"kind"`
	Grade        string    `json:"grade,omitempty"`
	PrevGrade    string    `json:"prev_grade,omitempty"`
	Reason       string    `json:"reason,omitempty"`
	Actor        string    `json:"actor"`
	At           time.Time `json:"at"`
}

// GradeCount is how many valid labels (neither revoked, superseded nor
// expired) carry a grade: a bar of the analysts' labels-by-grade plot.
type GradeCount struct {
	Grade  assess.Grade `json:"grade"`
	Labels int64        `json:"labels"`
}
