// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package rating

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"vigil/internal/assess"
	"vigil/internal/errs"
	"vigil/internal/label"
	"vigil/internal/system"
	"vigil/internal/tenant"
)

// Superseded is the verification status of a label whose signature and
// validity are fine but which a newer label of the same assessment
// replaced (after a regrade): its grade is no longer the device's.
const Superseded label.Status = "superseded"

// Event is one public entry of a label's history (without the actor).
type Event struct {
	Kind      label.EventKind `json:"kind"`
	LabelID   string          `json:"label_id"`
	Grade     string          `json:"grade,omitempty"`
	PrevGrade string          `json:"prev_grade,omitempty"`
	Reason    string          `json:"reason,omitempty"`
	At        time.Time       `json:"at"`
}

// RegistryStatus is what the public registry says about one label: served
// as /labels/{id}/status.json, used by verification to detect revocation
// and supersession, and shown on the registry page.
type RegistryStatus struct {
	ID      string        `json:"id"`
	Device  assess.Device `json:"device"`
	Grade   assess.Grade  `json:"grade"`
	Issued  time.Time     `json:"issued"`
	Expires time.Time     `json:"expires"`
	// State is valid, expired, revoked or superseded, as of the registry's
	// clock.
	State        label.Status `json:"state"`
	RevokedAt    *time.Time   `json:"revoked_at,omitempty"`
	RevokeReason string       `json:"revoke_reason,omitempty"`
	SupersededBy string       `json:"superseded_by,omitempty"`
	SupersededAt *time.Time   `json:"superseded_at,omitempty"`
	// Latest is the newest label of the same assessment (this one when it
	// was not superseded), and LatestGrade its grade: the device's current
	// grade.
	Latest      string       `json:"latest"`
	LatestGrade assess.Grade `json:"latest_grade"`
	History     []Event      `json:"history"`
	// System is what the registry knows now of the product as a whole
	// (risk register, fleet evidence, update posture, tests); it is not
	// part of the signed label and can change between grades.
	System *system.Facts `json:"system,omitempty"`

	assessmentID int64
}

// Registry returns the registry's view of label id (errs.NotFound when the
// registry does not know it).
//
// The registry is public: it reads in the public scope.
func (s *Service) Registry(ctx context.Context, id string) (RegistryStatus, error) {
	l, err := s.st.LabelGet(ctx, tenant.Public(), id)
	if err != nil {
		return RegistryStatus{}, err
	}
	var doc label.Label
	if err := json.Unmarshal(l.Signed, &doc); err != nil {
		return RegistryStatus{}, fmt.Errorf("label %s: stored document: %w", id, err)
	}
	rs := RegistryStatus{ID: l.ID, Device: doc.Device, Grade: l.Grade, Issued: l.Issued, Expires: l.Expires,
		RevokedAt: l.RevokedAt, RevokeReason: l.RevokeReason, SupersededBy: l.SupersededBy, SupersededAt: l.SupersededAt,
		Latest: l.ID, LatestGrade: l.Grade, History: []Event{}, assessmentID: l.AssessmentID}
	all, err := s.st.LabelList(ctx, tenant.Public(), label.Filter{AssessmentID: l.AssessmentID})
	if err != nil {
		return rs, err
	}
	for _, x := range all {
		if x.SupersededBy == "" {
			rs.Latest, rs.LatestGrade = x.ID, x.Grade
		}
	}
	evs, err := s.st.LabelEventList(ctx, tenant.Public(), l.AssessmentID)
	if err != nil {
		return rs, err
	}
	for _, e := range evs {
		rs.History = append(rs.History, Event{Kind: e.Kind, LabelID: e.LabelID, Grade: e.Grade, PrevGrade: e.PrevGrade, Reason: e.Reason, At: e.At})
	}
	now := s.clock()
	switch {
	case l.RevokedAt != nil:
		rs.State = label.Revoked
	case l.SupersededBy != "":
		rs.State = Superseded
	case !now.Before(l.Expires):
		rs.State = label.Expired
	default:
		rs.State = label.Valid
	}
	if s.system != nil {
		f, err := s.Facts(ctx, doc.Device)
		if err != nil {
			return rs, err
		}
		f = f.Public(func(src string) bool { return slices.Contains(s.publicFleet, src) })
		rs.System = &f
	}
	return rs, nil
}

// Signed returns the signed document of label id as issued (public).
func (s *Service) Signed(ctx context.Context, id string) ([]byte, label.Label, error) {
	l, err := s.st.LabelGet(ctx, tenant.Public(), id)
	if err != nil {
		return nil, label.Label{}, err
	}
	var doc label.Label
	if err := json.Unmarshal(l.Signed, &doc); err != nil {
		return nil, doc, fmt.Errorf("label %s: stored document: %w", id, err)
	}
	return l.Signed, doc, nil
}

// Verification is the outcome of checking a label document against a
// keyring and the registry.
type Verification struct {
	label.Verification
	// Registry is the registry's view of the label, when it knows it.
	Registry *RegistryStatus `json:"registry,omitempty"`
}

// Check verifies doc against kr at time at (see label.Verify), then
// consults reg, the registry's view of the label (nil when unknown): a
// revoked label is Revoked, and an otherwise valid label that a newer one
// replaced is Superseded, with the reason naming its successor.
func Check(doc []byte, kr *label.Keyring, at time.Time, reg *RegistryStatus) Verification {
	revoked := func(string) (bool, string) {
		if reg != nil && reg.RevokedAt != nil {
			return true, reg.RevokeReason
		}
		return false, ""
	}
	v := Verification{Verification: label.Verify(doc, kr, at, revoked)}
	if v.Label == nil || reg == nil || reg.ID != v.Label.ID {
		return v
	}
	v.Registry = reg
	if v.Status == label.Valid && reg.SupersededBy != "" {
		v.Status = Superseded
		when := ""
		if reg.SupersededAt != nil {
			when = " on " + reg.SupersededAt.Format(time.DateOnly)
		}
		v.Reason = fmt.Sprintf("superseded by %s%s: the device's grade is now %s", reg.SupersededBy, when, reg.LatestGrade)
		for _, e := range reg.History {
			if e.LabelID == reg.SupersededBy && e.Reason != "" {
				v.Reason += " (" + e.Reason + ")"
				break
			}
		}
	}
	return v
}

// DocID returns the "id" member of a label document, or "".
func DocID(doc []byte) string {
	var l struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(doc, &l) != nil {
		return ""
	}
	return l.ID
}

// Verify checks a label document against the issuer's keys and this
// registry, at time at.
func (s *Service) Verify(ctx context.Context, doc []byte, at time.Time) (Verification, error) {
	kr, err := s.keys.Keyring()
	if err != nil {
		return Verification{}, err
	}
	var reg *RegistryStatus
	if id := DocID(doc); id != "" {
		rs, err := s.Registry(ctx, id)
		switch {
		case err == nil:
			reg = &rs
		case !errors.Is(err, errs.ErrNotFound):
			return Verification{}, err
		}
	}
	return Check(doc, kr, at, reg), nil
}

// Formats of RenderDoc.
const (
	FormatSVG = "svg"
	FormatPNG = "png"
	FormatPDF = "pdf"
)

// RenderDoc renders a label document as svg, png or pdf.
func RenderDoc(w io.Writer, l label.Label, format string) error {
	switch format {
	case FormatSVG:
		return label.RenderSVG(w, l)
	case FormatPNG:
		return label.RenderPNG(w, l)
	case FormatPDF:
		return label.RenderPDF(w, l)
	}
	return errs.Field("format", format, "want svg, png or pdf")
}
