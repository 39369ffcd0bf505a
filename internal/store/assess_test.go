// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/assess"
	"vigil/internal/errs"
	"vigil/internal/label"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func assessFixture(t *testing.T, s *store.Store) registry.Org {
	t.Helper()
	o := registry.Org{Name: "Voltaro BV", Devices: []registry.Device{{Vendor: "Voltaro", Model: "SmartPlug Mini WP-10", Firmware: "1.0.7"}}}
	if err := s.OrgCreate(context.Background(), tenant.Operator(), &o); err != nil {
		t.Fatal(err)
	}
	return o
}

func loadAnswers(t *testing.T, file string) assess.Answers {
	t.Helper()
	f, err := os.Open("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, bad := assess.LoadAnswers(f, file)
	if len(bad) > 0 {
		t.Fatalf("%s: %v", file, bad)
	}
	return a
}

func TestAssessmentLifecycle(t *testing.T) {
	c := &clock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	storetest.EachOpts(t, storetest.Options{Now: c.now}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := assessFixture(t, s)
		dev := o.Devices[0]

		a, err := s.AssessmentCreate(ctx, tenant.Operator(), assess.Request{DeviceID: dev.ID, Actor: "maker"})
		if err != nil {
			t.Fatal(err)
		}
		if a.ID == "" || a.State != assess.Draft || a.DeviceID != dev.ID || a.OrgID != o.ID || a.Device.Model != dev.Model || a.Edition != assess.DefaultEdition {
			t.Fatalf("created %+v", a)
		}
		id, err := assess.ParseID(a.ID)
		if err != nil {
			t.Fatal(err)
		}
		// A product type without a device.
		pt, err := s.AssessmentCreate(ctx, tenant.Operator(), assess.Request{Device: assess.Device{Vendor: "Lumen Labs", Model: "LumiCam Indoor 2", Firmware: "3.4.1"}, Actor: "maker"})
		if err != nil || pt.DeviceID != 0 || pt.OrgID != 0 {
			t.Fatalf("product type: %+v %v", pt, err)
		}

		cat, err := assess.Load()
		if err != nil {
			t.Fatal(err)
		}
		ans := loadAnswers(t, "answers-poor.yaml")
		c.t = c.t.Add(time.Hour)
		got, err := s.AssessmentUpdate(ctx, tenant.Operator(), id, func(a *assess.Assessment) error {
			if err := a.SetAnswers(ans, "maker", c.t); err != nil {
				return err
			}
			if err := a.SetFindings([]assess.Finding{{Provision: "5.1-1", Check: "telnet-default-credentials", Target: "192.0.2.7:23"}}, c.t); err != nil {
				return err
			}
			return a.Submit(cat, "maker", c.t)
		})
		if err != nil {
			t.Fatal(err)
		}
		if got.State != assess.Submitted || len(got.History) != 1 {
			t.Fatalf("after submit: state %s history %v", got.State, got.History)
		}

		// Misuse is refused and rolls back: the reviewer cannot be the submitter.
		_, err = s.AssessmentUpdate(ctx, tenant.Operator(), id, func(a *assess.Assessment) error { return a.Approve("maker", c.t, "") })
		if !errors.Is(err, errs.ErrForbidden) {
			t.Fatalf("self-review: %v, want forbidden", err)
		}
		_, err = s.AssessmentUpdate(ctx, tenant.Operator(), id, func(a *assess.Assessment) error { return a.MarkLabelled("VL-X", "lead", c.t) })
		if !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("label before review: %v, want conflict", err)
		}
		c.t = c.t.Add(time.Hour)
		if _, err := s.AssessmentUpdate(ctx, tenant.Operator(), id, func(a *assess.Assessment) error { return a.Approve("reviewer", c.t, "checked") }); err != nil {
			t.Fatal(err)
		}

		back, err := s.AssessmentGet(ctx, tenant.Operator(), id)
		if err != nil {
			t.Fatal(err)
		}
		wantHist := []assess.Transition{
			{From: assess.Draft, To: assess.Submitted, Actor: "maker", At: c.t.Add(-time.Hour)},
			{From: assess.Submitted, To: assess.Reviewed, Actor: "reviewer", At: c.t, Note: "checked"},
		}
		if d := cmp.Diff(wantHist, back.History); d != "" {
			t.Errorf("history (-want +got):\n%s", d)
		}
		if back.State != assess.Reviewed || back.Reviewer() != "reviewer" || len(back.Findings) != 1 || back.Answers.Device.Vendor != "Voltaro" {
			t.Errorf("reloaded %+v", back)
		}
		// The stored evaluation is the one of the answers as loaded.
		if d := cmp.Diff(cat.Evaluate(ans, back.Findings).Results, back.Evaluate(cat).Results); d != "" {
			t.Errorf("evaluation after round trip (-want +got):\n%s", d)
		}

		list, err := s.AssessmentList(ctx, tenant.Operator(), assess.Filter{State: assess.Reviewed})
		if err != nil || len(list) != 1 || list[0].ID != a.ID {
			t.Fatalf("list reviewed = %v, %v", list, err)
		}
		if list, _ := s.AssessmentList(ctx, tenant.Org(o.ID), assess.Filter{}); len(list) != 1 {
			t.Errorf("list by org = %d, want 1", len(list))
		}
		if _, err := s.AssessmentGet(ctx, tenant.Operator(), 999); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("get 999: %v", err)
		}
		if _, err := s.AssessmentCreate(ctx, tenant.Operator(), assess.Request{DeviceID: 999, Actor: "x"}); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("create for device 999: %v", err)
		}
		if _, err := s.AssessmentCreate(ctx, tenant.Operator(), assess.Request{Device: assess.Device{Vendor: "X"}, Actor: "x"}); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("create without model: %v", err)
		}
	})
}

func TestEvidenceContentAddressed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a1, err := s.AssessmentCreate(ctx, tenant.Operator(), assess.Request{Device: assess.Device{Vendor: "Lumen Labs", Model: "LumiCam Indoor 2"}, Actor: "maker"})
		if err != nil {
			t.Fatal(err)
		}
		a2, err := s.AssessmentCreate(ctx, tenant.Operator(), assess.Request{Device: assess.Device{Vendor: "Lumen Labs", Model: "LumiCam Indoor 3"}, Actor: "maker"})
		if err != nil {
			t.Fatal(err)
		}
		id1, _ := assess.ParseID(a1.ID)
		id2, _ := assess.ParseID(a2.ID)
		content, err := os.ReadFile("testdata/evidence/pentest-summary.md")
		if err != nil {
			t.Fatal(err)
		}
		// The answers file pins this hash for the file.
		const want = "eeafa3b2f9492af56c6936c9790e1d94010a7ca75c3870c860690d71a6531e0b"
		e1, err := s.EvidenceAdd(ctx, tenant.Operator(), id1, "pentest-summary.md", "text/markdown", content, "maker")
		if err != nil {
			t.Fatal(err)
		}
		if e1.SHA256 != want || e1.Size != int64(len(content)) {
			t.Fatalf("evidence = %+v", e1)
		}
		again, err := s.EvidenceAdd(ctx, tenant.Operator(), id1, "pentest-summary.md", "text/markdown", content, "maker")
		if err != nil || again.ID != e1.ID {
			t.Fatalf("re-adding: %+v %v; want the same attachment %d", again, err, e1.ID)
		}
		if _, err := s.EvidenceAdd(ctx, tenant.Operator(), id2, "copy.md", "", content, "maker"); err != nil {
			t.Fatal(err)
		}
		var blobs int
		if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM evidence_blobs`).Scan(&blobs); err != nil || blobs != 1 {
			t.Errorf("blobs = %d (%v), want the content stored once", blobs, err)
		}
		got, err := s.EvidenceContent(ctx, tenant.Operator(), want)
		if err != nil || string(got) != string(content) {
			t.Fatalf("content: %v", err)
		}
		if l, _ := s.EvidenceList(ctx, tenant.Operator(), id1); len(l) != 1 || l[0].Name != "pentest-summary.md" {
			t.Errorf("list = %+v", l)
		}
		sum := sha256.Sum256([]byte("nope"))
		if _, err := s.EvidenceContent(ctx, tenant.Operator(), hex.EncodeToString(sum[:])); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("missing content: %v", err)
		}
		for _, bad := range []string{"", "../etc/passwd", "a/b"} {
			if _, err := s.EvidenceAdd(ctx, tenant.Operator(), id1, bad, "", content, "maker"); !errors.Is(err, errs.ErrInvalid) {
				t.Errorf("name %q: %v, want invalid", bad, err)
			}
		}
		if _, err := s.EvidenceAdd(ctx, tenant.Operator(), 999, "x.md", "", content, "maker"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("unknown assessment: %v, want not found (missing object)", err)
		}

		r := assess.ProbeRun{AssessmentID: id1, Target: "127.0.0.1", Failed: 3, Actor: "lab", Report: json.RawMessage(`{"target":"127.0.0.1"}`)}
		if err := s.ProbeRunAdd(ctx, tenant.Operator(), &r); err != nil {
			t.Fatal(err)
		}
		if runs, _ := s.ProbeRunList(ctx, tenant.Operator(), id1); len(runs) != 1 || runs[0].Failed != 3 || string(runs[0].Report) != `{"target":"127.0.0.1"}` {
			t.Errorf("probe runs = %+v", runs)
		}
	})
}

func TestLabelRegistry(t *testing.T) {
	c := &clock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	storetest.EachOpts(t, storetest.Options{Now: c.now}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := assessFixture(t, s)
		a, err := s.AssessmentCreate(ctx, tenant.Operator(), assess.Request{DeviceID: o.Devices[0].ID, Actor: "maker"})
		if err != nil {
			t.Fatal(err)
		}
		aid, _ := assess.ParseID(a.ID)
		mk := func(id string, g assess.Grade) label.Record {
			l := label.Record{ID: id, AssessmentID: aid, DeviceID: o.Devices[0].ID, OrgID: o.ID, Grade: g, Rule: assess.RuleVersion,
				KeyID: "k1", Signed: json.RawMessage(`{"id":"` + id + `"}`), Score: json.RawMessage(`{"grade":"` + g.String() + `"}`),
				Issued: c.t, Expires: c.t.AddDate(1, 0, 0)}
			if err := s.LabelCreate(ctx, tenant.Operator(), &l); err != nil {
				t.Fatal(err)
			}
			return l
		}
		first := mk("VL-0000-0000-0001", assess.GradeB)
		if err := s.LabelCreate(ctx, tenant.Operator(), &first); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("duplicate label id: %v, want conflict", err)
		}
		if err := s.LabelEventAdd(ctx, tenant.Operator(), &label.Event{AssessmentID: aid, LabelID: first.ID, Kind: label.EventIssued, Grade: "B", Actor: "lead"}); err != nil {
			t.Fatal(err)
		}
		c.t = c.t.AddDate(0, 1, 0)
		second := mk("VL-0000-0000-0002", assess.GradeE)
		if err := s.LabelSupersede(ctx, tenant.Operator(), first.ID, second.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.LabelSupersede(ctx, tenant.Operator(), first.ID, second.ID); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("superseding twice: %v, want conflict", err)
		}
		if err := s.LabelSupersede(ctx, tenant.Operator(), "VL-NOPE", second.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("superseding unknown: %v, want not found", err)
		}
		if err := s.LabelEventAdd(ctx, tenant.Operator(), &label.Event{AssessmentID: aid, LabelID: second.ID, Kind: label.EventRegraded, Grade: "E", PrevGrade: "B",
			Reason: "CVE-2024-3400 added to KEV affects component pan-os", Actor: "monitor"}); err != nil {
			t.Fatal(err)
		}

		got, err := s.LabelGet(ctx, tenant.Operator(), first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.SupersededBy != second.ID || got.SupersededAt == nil || got.Current(c.t) || got.Grade != assess.GradeB {
			t.Errorf("old label = %+v", got)
		}
		live, err := s.LabelList(ctx, tenant.Operator(), label.Filter{DeviceIDs: []int64{o.Devices[0].ID, 77}, Live: true})
		if err != nil || len(live) != 1 || live[0].ID != second.ID || !live[0].Current(c.t) {
			t.Fatalf("live labels = %+v, %v", live, err)
		}
		if all, _ := s.LabelList(ctx, tenant.Operator(), label.Filter{AssessmentID: aid}); len(all) != 2 || all[0].ID != first.ID {
			t.Errorf("all labels = %+v", all)
		}
		if live[0].Current(live[0].Expires) {
			t.Error("a label is current at its expiry instant")
		}

		if _, err := s.LabelRevoke(ctx, tenant.Operator(), aid, " "); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("revoke without reason: %v", err)
		}
		n, err := s.LabelRevoke(ctx, tenant.Operator(), aid, "maker withdrew the product")
		if err != nil || n != 2 {
			t.Fatalf("revoke = %d, %v; want both labels", n, err)
		}
		if got, _ := s.LabelGet(ctx, tenant.Operator(), second.ID); got.RevokedAt == nil || got.RevokeReason != "maker withdrew the product" {
			t.Errorf("revoked = %+v", got)
		}
		if live, _ := s.LabelList(ctx, tenant.Org(o.ID), label.Filter{Live: true}); len(live) != 0 {
			t.Errorf("live after revoke = %+v", live)
		}
		ev, err := s.LabelEventList(ctx, tenant.Operator(), aid)
		if err != nil || len(ev) != 2 || ev[1].Kind != label.EventRegraded || ev[1].PrevGrade != "B" || ev[1].At != c.t {
			t.Fatalf("events = %+v, %v", ev, err)
		}
		if _, err := s.LabelGet(ctx, tenant.Operator(), "VL-NOPE"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("get unknown: %v", err)
		}
		if err := s.LabelCreate(ctx, tenant.Operator(), &label.Record{ID: "VL-BAD", AssessmentID: aid, Grade: 'X', Signed: json.RawMessage(`{}`)}); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("bad grade: %v", err)
		}
	})
}
