// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package assess

import (
	"strings"
	"time"

	"vigil/internal/errs"
)

// State is where an assessment is in its life cycle.
//
//	draft ──submit──► submitted ──approve──► reviewed ──label──► labelled ──expire──► expired
//	  ▲                   │                                         │
//	  └──────reject───────┘                                         └──revoke──► revoked
//
// A rejected submission goes back to draft for the maker to fix. Expired and
// revoked are final: a new label needs a new assessment.
type State string

// Assessment states.
const (
	Draft     State = "draft"
	Submitted State = "submitted"
	Reviewed  State = "reviewed"
	Labelled  State = "labelled"
	Expired   State = "expired"
	Revoked   State = "revoked"
)

// Final reports whether no transition leaves s.
func (s State) Final() bool { return s == Expired || s == Revoked }

// transitions lists the allowed moves; a function, not a mutable global.
func transitions() map[State][]State {
	return map[State][]State{
		Draft:     {Submitted},
		Submitted: {Reviewed, Draft},
		Reviewed:  {Labelled},
		Labelled:  {Expired, Revoked},
	}
}

// CanTransition reports whether the state machine allows from → to.
func CanTransition(from, to State) bool {
	for _, s := range transitions()[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Transition records one state change.
type Transition struct {
	From  State     `json:"from"`
	To    State     `json:"to"`
	Actor string    `json:"actor"`
	At    time.Time `json:"at"`
	Note  string    `json:"note,omitempty"`
}

// Assessment is the assessment of one device or product type (vendor +
// model + firmware): the maker's answers, probe findings and the review
// trail. Methods change it in place and refuse misuse with errs.Conflict
// (wrong state), errs.Invalid (missing actor, note) or errs.Forbidden
// (self-review). The zero value is not usable; start with NewAssessment.
// An Assessment is not safe for concurrent modification.
type Assessment struct {
	ID       string    `json:"id"`
	Device   Device    `json:"device"`
	Edition  Edition   `json:"edition"`
	State    State     `json:"state"`
	Answers  Answers   `json:"answers"`
	Findings []Finding `json:"findings,omitempty"`
	// LabelID is set when the assessment is labelled.
	LabelID   string       `json:"label_id,omitempty"`
	CreatedBy string       `json:"created_by"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
	History   []Transition `json:"history"`
	// DeviceID and OrgID are the registered device assessed and the
	// organisation that owns it, zero for a product-type assessment (one
	// of no registered device, the operator's).
	DeviceID int64 `json:"device_id,omitempty"`
	OrgID    int64 `json:"org_id,omitempty"`
}

// NewAssessment starts a draft assessment.
func NewAssessment(id string, d Device, ed Edition, actor string, now time.Time) (*Assessment, error) {
	switch {
	case id == "":
		return nil, errs.FieldKeyed("id", id, "required", "required")
	case d.Vendor == "" || d.Model == "":
		return nil, errs.FieldKeyed("device", d.String(), "assess.devicefields", "vendor and model are required")
	case !ed.Valid():
		return nil, errs.FieldKeyed("edition", ed, "assess.edition", "want v2 or v3")
	case actor == "":
		return nil, errs.FieldKeyed("actor", actor, "required", "required")
	}
	return &Assessment{
		ID: id, Device: d, Edition: ed, State: Draft,
		Answers:   Answers{Format: AnswersFormat, Edition: ed, Device: d, Conditions: map[string]bool{}, Items: map[string]Answer{}},
		CreatedBy: actor, CreatedAt: now, UpdatedAt: now,
	}, nil
}

func (a *Assessment) requireState(op string, want ...State) error {
	for _, s := range want {
		if a.State == s {
			return nil
		}
	}
	names := make([]string, len(want))
	for i, s := range want {
		names[i] = string(s)
	}
	return errs.Keyed(errs.Conflict, "", "assess.state", "assessment %s: cannot %s: state is %s, must be %s", a.ID, op, a.State, strings.Join(names, " or "))
}

func (a *Assessment) move(to State, actor string, now time.Time, note string) error {
	if actor == "" {
		return errs.FieldKeyed("actor", actor, "required", "required")
	}
	if !CanTransition(a.State, to) {
		return errs.Keyed(errs.Conflict, "", "assess.move", "assessment %s: %s → %s is not allowed", a.ID, a.State, to)
	}
	a.History = append(a.History, Transition{From: a.State, To: to, Actor: actor, At: now, Note: note})
	a.State = to
	a.UpdatedAt = now
	return nil
}

// SetAnswers replaces the answers (draft only). The answers' edition must
// match the assessment's; their device, when given, must name the same
// vendor and model.
func (a *Assessment) SetAnswers(ans Answers, actor string, now time.Time) error {
	if err := a.requireState("change answers", Draft); err != nil {
		return err
	}
	if actor == "" {
		return errs.FieldKeyed("actor", actor, "required", "required")
	}
	if ans.Edition != a.Edition {
		return errs.FieldKeyed("edition", ans.Edition, "assess.answers.edition", "answers are for edition %s, the assessment for %s", ans.Edition, a.Edition)
	}
	if ans.Device.Vendor != "" && (!strings.EqualFold(ans.Device.Vendor, a.Device.Vendor) || !strings.EqualFold(ans.Device.Model, a.Device.Model)) {
		return errs.FieldKeyed("device", ans.Device.String(), "assess.answers.device", "answers are for another device than %s", a.Device.String())
	}
	ans.Device = a.Device
	a.Answers = ans
	a.UpdatedAt = now
	return nil
}

// SetFindings replaces the probe findings (draft or submitted: probes may
// run while the review waits).
func (a *Assessment) SetFindings(fs []Finding, now time.Time) error {
	if err := a.requireState("change findings", Draft, Submitted); err != nil {
		return err
	}
	a.Findings = fs
	a.UpdatedAt = now
	return nil
}

// Submit hands the draft to review. Every applicable provision must be
// answered; otherwise errs.Conflict names the missing ones.
func (a *Assessment) Submit(c *Catalogue, actor string, now time.Time) error {
	if err := a.requireState("submit", Draft); err != nil {
		return err
	}
	ev := c.Evaluate(a.Answers, a.Findings)
	if missing := ev.Missing(); len(missing) > 0 {
		return errs.Keyed(errs.Conflict, "", "assess.unanswered", "assessment %s: cannot submit: %d applicable provisions unanswered: %s",
			a.ID, len(missing), strings.Join(missing, ", "))
	}
	return a.move(Submitted, actor, now, "")
}

// Submitter returns who submitted the assessment last.
func (a *Assessment) Submitter() string {
	for i := len(a.History) - 1; i >= 0; i-- {
		if a.History[i].To == Submitted {
			return a.History[i].Actor
		}
	}
	return ""
}

// Reviewer returns who approved the assessment, if anyone.
func (a *Assessment) Reviewer() string {
	for i := len(a.History) - 1; i >= 0; i-- {
		if a.History[i].To == Reviewed {
			return a.History[i].Actor
		}
	}
	return ""
}

// Approve records the review (submitted → reviewed). The reviewer must not
// be the submitter (errs.Forbidden).
func (a *Assessment) Approve(reviewer string, now time.Time, note string) error {
	if err := a.requireState("approve", Submitted); err != nil {
		return err
	}
	if reviewer != "" && reviewer == a.Submitter() {
		return errs.Keyed(errs.Forbidden, "", "assess.selfreview", "assessment %s: %s submitted it and cannot also review it", a.ID, reviewer)
	}
	return a.move(Reviewed, reviewer, now, note)
}

// Reject sends a submission back to draft with the reviewer's reasons
// (required).
func (a *Assessment) Reject(reviewer string, now time.Time, reason string) error {
	if err := a.requireState("reject", Submitted); err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		return errs.FieldKeyed("reason", reason, "assess.reject.reason", "a rejection needs a reason for the maker")
	}
	if reviewer != "" && reviewer == a.Submitter() {
		return errs.Keyed(errs.Forbidden, "", "assess.selfreview", "assessment %s: %s submitted it and cannot also review it", a.ID, reviewer)
	}
	return a.move(Draft, reviewer, now, reason)
}

// MarkLabelled records the label issued for a reviewed assessment.
func (a *Assessment) MarkLabelled(labelID, actor string, now time.Time) error {
	if err := a.requireState("label", Reviewed); err != nil {
		return err
	}
	if labelID == "" {
		return errs.FieldKeyed("label_id", labelID, "required", "required")
	}
	if err := a.move(Labelled, actor, now, "label "+labelID); err != nil {
		return err
	}
	a.LabelID = labelID
	return nil
}

// Expire ends a labelled assessment whose label has passed its expiry.
func (a *Assessment) Expire(actor string, now time.Time) error {
	if err := a.requireState("expire", Labelled); err != nil {
		return err
	}
	return a.move(Expired, actor, now, "")
}

// Revoke withdraws a labelled assessment (and so its label); the reason is
// required and shown on the public registry.
func (a *Assessment) Revoke(actor string, now time.Time, reason string) error {
	if err := a.requireState("revoke", Labelled); err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		return errs.FieldKeyed("reason", reason, "assess.revoke.reason", "a revocation needs a reason")
	}
	return a.move(Revoked, actor, now, reason)
}

// Evaluate evaluates the assessment's answers and findings.
func (a *Assessment) Evaluate(c *Catalogue) Evaluation {
	return c.Evaluate(a.Answers, a.Findings)
}
