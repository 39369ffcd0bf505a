// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package assess

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/errs"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func newGood(t *testing.T, c *Catalogue) *Assessment {
	t.Helper()
	ans := loadFile(t, c, "answers-good.yaml")
	a, err := NewAssessment("as-1", ans.Device, EditionV3, "maker@lumenlabs.example", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetAnswers(ans, "maker@lumenlabs.example", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAssessmentLifecycle(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	a := newGood(t, c)
	steps := []struct {
		name string
		do   func(at time.Time) error
		want State
	}{
		{"submit", func(at time.Time) error { return a.Submit(c, "maker@lumenlabs.example", at) }, Submitted},
		{"reject", func(at time.Time) error {
			return a.Reject("reviewer@cert.example", at, "evidence for 5.3-13 is a draft")
		}, Draft},
		{"resubmit", func(at time.Time) error { return a.Submit(c, "maker@lumenlabs.example", at) }, Submitted},
		{"approve", func(at time.Time) error { return a.Approve("reviewer@cert.example", at, "checked") }, Reviewed},
		{"label", func(at time.Time) error { return a.MarkLabelled("VL-1", "issuer@cert.example", at) }, Labelled},
		{"revoke", func(at time.Time) error { return a.Revoke("issuer@cert.example", at, "KEV entry in firmware") }, Revoked},
	}
	for i, s := range steps {
		at := t0.Add(time.Duration(i+2) * time.Hour)
		if err := s.do(at); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if a.State != s.want || !a.UpdatedAt.Equal(at) {
			t.Fatalf("%s: state %s at %v; want %s at %v", s.name, a.State, a.UpdatedAt, s.want, at)
		}
	}
	var got []string
	for _, h := range a.History {
		got = append(got, string(h.From)+">"+string(h.To)+" "+h.Actor+" "+h.At.Format("15")+" "+h.Note)
	}
	want := []string{
		"draft>submitted maker@lumenlabs.example 11 ",
		"submitted>draft reviewer@cert.example 12 evidence for 5.3-13 is a draft",
		"draft>submitted maker@lumenlabs.example 13 ",
		"submitted>reviewed reviewer@cert.example 14 checked",
		"reviewed>labelled issuer@cert.example 15 label VL-1",
		"labelled>revoked issuer@cert.example 16 KEV entry in firmware",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if a.LabelID != "VL-1" || a.Reviewer() != "reviewer@cert.example" || a.Submitter() != "maker@lumenlabs.example" {
		t.Errorf("label %q reviewer %q submitter %q", a.LabelID, a.Reviewer(), a.Submitter())
	}
	if !a.State.Final() {
		t.Error("revoked is not final")
	}
}

func TestAssessmentMisuse(t *testing.T) {
	t.Parallel()
	c := mustLoad(t)
	const maker, reviewer = "maker@lumenlabs.example", "reviewer@cert.example"
	at := t0.Add(time.Hour)
	// Each case starts from a fresh assessment driven to state `from`.
	to := func(t *testing.T, from State) *Assessment {
		a := newGood(t, c)
		path := map[State][]func() error{
			Draft:     nil,
			Submitted: {func() error { return a.Submit(c, maker, at) }},
			Reviewed:  {func() error { return a.Submit(c, maker, at) }, func() error { return a.Approve(reviewer, at, "") }},
			Labelled: {func() error { return a.Submit(c, maker, at) }, func() error { return a.Approve(reviewer, at, "") },
				func() error { return a.MarkLabelled("VL-1", "issuer", at) }},
			Expired: {func() error { return a.Submit(c, maker, at) }, func() error { return a.Approve(reviewer, at, "") },
				func() error { return a.MarkLabelled("VL-1", "issuer", at) }, func() error { return a.Expire("system", at) }},
		}[from]
		for _, f := range path {
			if err := f(); err != nil {
				t.Fatal(err)
			}
		}
		return a
	}
	tests := []struct {
		name string
		from State
		do   func(a *Assessment) error
		code errs.Code
		msg  string
	}{
		{"approve_draft", Draft, func(a *Assessment) error { return a.Approve(reviewer, at, "") }, errs.Conflict, "cannot approve: state is draft, must be submitted"},
		{"label_draft", Draft, func(a *Assessment) error { return a.MarkLabelled("VL-1", "x", at) }, errs.Conflict, "cannot label: state is draft, must be reviewed"},
		{"revoke_draft", Draft, func(a *Assessment) error { return a.Revoke("x", at, "r") }, errs.Conflict, "cannot revoke"},
		{"expire_reviewed", Reviewed, func(a *Assessment) error { return a.Expire("x", at) }, errs.Conflict, "cannot expire: state is reviewed, must be labelled"},
		{"submit_twice", Submitted, func(a *Assessment) error { return a.Submit(c, maker, at) }, errs.Conflict, "cannot submit: state is submitted"},
		{"answers_after_submit", Submitted, func(a *Assessment) error { return a.SetAnswers(a.Answers, maker, at) }, errs.Conflict, "cannot change answers"},
		{"findings_after_review", Reviewed, func(a *Assessment) error { return a.SetFindings(nil, at) }, errs.Conflict, "cannot change findings"},
		{"label_submitted", Submitted, func(a *Assessment) error { return a.MarkLabelled("VL-1", "x", at) }, errs.Conflict, "must be reviewed"},
		{"reject_reviewed", Reviewed, func(a *Assessment) error { return a.Reject(reviewer, at, "no") }, errs.Conflict, "cannot reject"},
		{"relabel", Labelled, func(a *Assessment) error { return a.MarkLabelled("VL-2", "x", at) }, errs.Conflict, "state is labelled"},
		{"revoke_expired", Expired, func(a *Assessment) error { return a.Revoke("x", at, "r") }, errs.Conflict, "state is expired"},
		{"self_review", Submitted, func(a *Assessment) error { return a.Approve(maker, at, "") }, errs.Forbidden, "cannot also review"},
		{"self_reject", Submitted, func(a *Assessment) error { return a.Reject(maker, at, "x") }, errs.Forbidden, "cannot also review"},
		{"reject_without_reason", Submitted, func(a *Assessment) error { return a.Reject(reviewer, at, " ") }, errs.Invalid, "needs a reason"},
		{"revoke_without_reason", Labelled, func(a *Assessment) error { return a.Revoke("x", at, "") }, errs.Invalid, "needs a reason"},
		{"approve_anonymous", Submitted, func(a *Assessment) error { return a.Approve("", at, "") }, errs.Invalid, "actor"},
		{"label_without_id", Reviewed, func(a *Assessment) error { return a.MarkLabelled("", "x", at) }, errs.Invalid, "label_id"},
		{"answers_other_device", Draft, func(a *Assessment) error {
			ans := a.Answers
			ans.Device = Device{Vendor: "Other", Model: "Thing"}
			return a.SetAnswers(ans, maker, at)
		}, errs.Invalid, "another device"},
		{"answers_other_edition", Draft, func(a *Assessment) error {
			ans := a.Answers
			ans.Edition = EditionV2
			return a.SetAnswers(ans, maker, at)
		}, errs.Invalid, "edition"},
		{"submit_incomplete", Draft, func(a *Assessment) error {
			ans := a.Answers
			ans.Items = map[string]Answer{"5.1-1": {Status: Met}}
			if err := a.SetAnswers(ans, maker, at); err != nil {
				return err
			}
			return a.Submit(c, maker, at)
		}, errs.Conflict, "applicable provisions unanswered: 5.0-1, 5.1-2A"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := to(t, tt.from)
			before := len(a.History)
			state := a.State
			err := tt.do(a)
			if errs.CodeOf(err) != tt.code || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v (code %q); want code %q containing %q", err, errs.CodeOf(err), tt.code, tt.msg)
			}
			if a.State != state || len(a.History) != before {
				t.Errorf("refused call changed state %s → %s or history", state, a.State)
			}
		})
	}
}

func TestCanTransition(t *testing.T) {
	t.Parallel()
	all := []State{Draft, Submitted, Reviewed, Labelled, Expired, Revoked}
	allowed := map[[2]State]bool{
		{Draft, Submitted}: true, {Submitted, Reviewed}: true, {Submitted, Draft}: true,
		{Reviewed, Labelled}: true, {Labelled, Expired}: true, {Labelled, Revoked}: true,
	}
	for _, f := range all {
		for _, to := range all {
			if got := CanTransition(f, to); got != allowed[[2]State{f, to}] {
				t.Errorf("CanTransition(%s, %s) = %v", f, to, got)
			}
		}
	}
}

func TestNewAssessmentInvalid(t *testing.T) {
	t.Parallel()
	d := Device{Vendor: "Acme", Model: "Cam"}
	for _, tt := range []struct {
		id    string
		d     Device
		ed    Edition
		actor string
	}{{"", d, EditionV3, "a"}, {"x", Device{Vendor: "Acme"}, EditionV3, "a"}, {"x", d, "v9", "a"}, {"x", d, EditionV3, ""}} {
		if _, err := NewAssessment(tt.id, tt.d, tt.ed, tt.actor, t0); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("NewAssessment(%q, %v, %q, %q) err = %v; want invalid", tt.id, tt.d, tt.ed, tt.actor, err)
		}
	}
}
