// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package assess

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"vigil/internal/errs"
	"vigil/internal/keyset"
)

// What an assessment keeps besides itself: evidence files, probe reports,
// and how the stored assessments are started, named and listed.

// Request asks for a new assessment: of registered device DeviceID (its
// vendor, model and firmware are taken from the registry and its
// organisation owns the assessment), or of the product type Device when
// DeviceID is zero.
type Request struct {
	DeviceID int64
	Device   Device
	Edition  Edition
	Actor    string
}

// ParseID parses an assessment id as shown to users ("12").
func ParseID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.Field("assessment", s, "not an assessment id (a positive number)")
	}
	return id, nil
}

// Filter selects assessments. Zero fields do not filter.
type Filter struct {
	DeviceID int64
	State    State
	keyset.Page
}

// MaxEvidenceBytes bounds one evidence file (20 MiB).
const MaxEvidenceBytes = 20 << 20

// Attachment is an evidence file attached to an assessment. Files are
// stored once per SHA-256 of their content, however many assessments they
// are attached to.
type Attachment struct {
	ID           int64     `json:"id"`
	AssessmentID int64     `json:"assessment_id"`
	Name         string    `json:"name"`
	SHA256       string    `json:"sha256"`
	Size         int64     `json:"size"`
	MediaType    string    `json:"media_type,omitempty"`
	AddedBy      string    `json:"added_by"`
	AddedAt      time.Time `json:"added_at"`
}

// ProbeRun is one stored probe report of an assessment.
type ProbeRun struct {
	ID           int64           `json:"id"`
	AssessmentID int64           `json:"assessment_id"`
	Target       string          `json:"target"`
	Failed       int             `json:"failed"`
	Actor        string          `json:"actor"`
	At           time.Time       `json:"at"`
	Report       json.RawMessage `json:"report"`
}
