// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package rating_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/internal/assess"
	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/label"
	"vigil/internal/rating"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// fixture is a store with one organisation and device, and a service.
type fixture struct {
	st  *store.Store
	svc *rating.Service
	c   *clock
	org registry.Org
	dev int64
}

func setup(t *testing.T, s *store.Store, c *clock) fixture {
	t.Helper()
	o := registry.Org{Name: "Hotel Grachtenzicht",
		Assets:  []registry.Asset{{Kind: registry.KindCIDR, Value: "192.0.2.0/28"}, {Kind: registry.KindCIDR, Value: "198.51.100.0/24"}},
		Devices: []registry.Device{{Vendor: "Lumen Labs", Model: "LumiCam Indoor 2", Firmware: "3.4.1"}}}
	if err := s.OrgCreate(context.Background(), tenant.Operator(), &o); err != nil {
		t.Fatal(err)
	}
	keys, err := label.OpenKeyStore(filepath.Join(t.TempDir(), "keys"), c.now, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := rating.New(rating.Config{Store: s, Keys: keys, Now: c.now, BaseURL: "https://labels.cert.example"})
	if err != nil {
		t.Fatal(err)
	}
	return fixture{st: s, svc: svc, c: c, org: o, dev: o.Devices[0].ID}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// labelled takes the device's assessment from the good answers to an issued
// label and returns the assessment id and the label.
func (f fixture) labelled(t *testing.T) (int64, rating.Issued) {
	t.Helper()
	ctx := context.Background()
	a, err := f.svc.Start(ctx, tenant.Operator(), assess.Request{DeviceID: f.dev, Actor: "maker"})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := assess.ParseID(a.ID)
	if _, bad, err := f.svc.SetAnswers(ctx, tenant.Operator(), id, bytes.NewReader(readFile(t, "answers-good.yaml")), "answers-good.yaml", "maker"); err != nil || len(bad) > 0 {
		t.Fatalf("answers: %v %v", bad, err)
	}
	// Submitting before the evidence the answers name is refused.
	if _, err := f.svc.Submit(ctx, tenant.Operator(), id, "maker"); !errors.Is(err, errs.ErrConflict) || !strings.Contains(err.Error(), "pentest-summary.md") {
		t.Fatalf("submit without evidence: %v", err)
	}
	ents, err := os.ReadDir("testdata/evidence")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if _, err := f.svc.AddEvidence(ctx, tenant.Operator(), id, e.Name(), "", readFile(t, "evidence/"+e.Name()), "maker"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.Submit(ctx, tenant.Operator(), id, "maker"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Review(ctx, tenant.Operator(), id, "maker", "", ""); !errors.Is(err, errs.ErrForbidden) {
		t.Fatalf("self-review: %v, want forbidden", err)
	}
	if _, err := f.svc.Issue(ctx, tenant.Operator(), id, "lead"); !errors.Is(err, errs.ErrConflict) {
		t.Fatalf("issue before review: %v, want conflict", err)
	}
	if _, err := f.svc.Review(ctx, tenant.Operator(), id, "reviewer", "ok", ""); err != nil {
		t.Fatal(err)
	}
	is, err := f.svc.Issue(ctx, tenant.Operator(), id, "lead")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Issue(ctx, tenant.Operator(), id, "lead"); !errors.Is(err, errs.ErrConflict) {
		t.Fatalf("second issue: %v, want conflict", err)
	}
	if _, err := f.svc.AddEvidence(ctx, tenant.Operator(), id, "late.md", "", []byte("late"), "maker"); !errors.Is(err, errs.ErrConflict) {
		t.Fatalf("evidence after labelling: %v, want conflict", err)
	}
	return id, is
}

// addKEV records what vulnerability matching records for a KEV entry
// affecting a device component.
func addKEV(t *testing.T, s *store.Store, org, dev int64, cve, component string, sev finding.Severity) {
	t.Helper()
	ctx := context.Background()
	trig, err := s.TriggerEnsure(ctx, finding.Trigger{Name: cve + " in KEV", Kind: "kev"})
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := json.Marshal(map[string]any{"kev": map[string]string{"dateAdded": "2026-11-20"}, "component": component})
	err = s.Tx(ctx, func(tx *store.Store) error {
		_, _, err := tx.FindingUpsert(ctx, 0, []finding.Sighting{{OrgID: org, TriggerID: trig, Type: "vulnerable", ReportType: "vuln",
			Key: "device:" + strconv.FormatInt(dev, 10) + ":" + cve, DeviceID: dev, CVE: cve, Severity: sev, Class: "vulnerable", Evidence: ev}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRegradeEndToEnd(t *testing.T) {
	c := &clock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	storetest.EachOpts(t, storetest.Options{Now: c.now}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := setup(t, s, c)
		aid, is := f.labelled(t)
		if is.Label.Grade != assess.GradeA {
			t.Fatalf("good answers graded %s: %+v", is.Label.Grade, is.Score.Reasons)
		}
		if v, err := f.svc.Verify(ctx, is.Doc, c.t); err != nil || !v.OK() {
			t.Fatalf("fresh label: %+v %v", v, err)
		}

		// Nothing changed: nothing regraded.
		if res, err := f.svc.Regrade(ctx, []int64{f.dev}, "KEV catalog 2026.11.19"); err != nil || res.Checked != 1 || len(res.Changes) != 0 {
			t.Fatalf("regrade without news = %+v, %v", res, err)
		}

		c.t = c.t.AddDate(0, 1, 0)
		addKEV(t, s, f.org.ID, f.dev, "CVE-2024-3400", "pkg:generic/openssl@1.1.1k", finding.Critical)
		res, err := f.svc.Regrade(ctx, []int64{f.dev}, "KEV catalog 2026.11.20")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Changes) != 1 {
			t.Fatalf("regrade = %+v, want one change", res)
		}
		ch := res.Changes[0]
		const why = "CVE-2024-3400 added to KEV affects component pkg:generic/openssl@1.1.1k (KEV catalog 2026.11.20)"
		if ch.OldGrade != assess.GradeA || ch.NewGrade != assess.GradeE || !ch.Downgrade || ch.Why != why || ch.OldLabel != is.Label.ID {
			t.Errorf("change = %+v\nwant A→E because %q", ch, why)
		}

		// The history records the new grade and why.
		hist, err := s.LabelEventList(ctx, tenant.Operator(), aid)
		if err != nil {
			t.Fatal(err)
		}
		last := hist[len(hist)-1]
		if len(hist) != 2 || last.Kind != label.EventRegraded || last.PrevGrade != "A" || last.Grade != "E" || last.Reason != why || last.LabelID != ch.NewLabel {
			t.Errorf("history = %+v", hist)
		}
		// The assessment points at the new label; the old one is superseded.
		a, _ := s.AssessmentGet(ctx, tenant.Operator(), aid)
		old, _ := s.LabelGet(ctx, tenant.Operator(), is.Label.ID)
		if a.LabelID != ch.NewLabel || a.State != assess.Labelled || old.SupersededBy != ch.NewLabel {
			t.Errorf("assessment label %s state %s, old superseded by %q", a.LabelID, a.State, old.SupersededBy)
		}
		// The new label is signed, valid until the old one's expiry.
		doc, nl, err := f.svc.Signed(ctx, ch.NewLabel)
		if err != nil {
			t.Fatal(err)
		}
		v, _ := f.svc.Verify(ctx, doc, c.t)
		if !v.OK() || nl.Grade != assess.GradeE || !nl.Expires.Equal(is.Label.Expires) {
			t.Errorf("new label: %s %s grade %s expires %s (old %s)", v.Status, v.Reason, nl.Grade, nl.Expires, is.Label.Expires)
		}
		// The old label still verifies, as superseded.
		v, _ = f.svc.Verify(ctx, is.Doc, c.t)
		if v.Status != rating.Superseded || !strings.Contains(v.Reason, ch.NewLabel) || !strings.Contains(v.Reason, "grade is now E") || !strings.Contains(v.Reason, "CVE-2024-3400") {
			t.Errorf("old label: %s %q", v.Status, v.Reason)
		}

		// The organisation has a label-downgrade finding with a "new"
		// event under a trigger named after the reason.
		fs, err := s.FindingList(ctx, tenant.Org(f.org.ID), finding.Filter{Type: rating.DowngradeFindingType})
		if err != nil || len(fs) != 1 {
			t.Fatalf("downgrade findings = %+v, %v", fs, err)
		}
		if fs[0].Trigger != "label downgrade: KEV catalog 2026.11.20" || fs[0].DeviceID != f.dev || fs[0].Severity != finding.High ||
			!strings.Contains(string(fs[0].Evidence), ch.NewLabel) {
			t.Errorf("finding = %+v", fs[0])
		}
		evs, _ := s.EventList(ctx, tenant.Org(f.org.ID), keyset.Page{})
		found := false
		for _, e := range evs {
			found = found || (e.FindingID == fs[0].ID && e.Kind == finding.EventNew)
		}
		if !found {
			t.Errorf("no new event for the downgrade finding: %+v", evs)
		}

		// Regrading again changes nothing.
		if res, err := f.svc.Regrade(ctx, nil, "again"); err != nil || res.Checked != 1 || len(res.Changes) != 0 {
			t.Errorf("second regrade = %+v, %v", res, err)
		}

		// Revocation: not through the superseded label; through the
		// current one it withdraws both.
		if _, err := f.svc.Revoke(ctx, tenant.Operator(), is.Label.ID, "x", "lead"); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("revoke superseded: %v, want conflict", err)
		}
		if _, err := f.svc.Revoke(ctx, tenant.Operator(), ch.NewLabel, "", "lead"); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("revoke without reason: %v", err)
		}
		if _, err := f.svc.Revoke(ctx, tenant.Operator(), ch.NewLabel, "maker stopped shipping updates", "lead"); err != nil {
			t.Fatal(err)
		}
		for _, d := range [][]byte{doc, is.Doc} {
			v, _ := f.svc.Verify(ctx, d, c.t)
			if v.Status != label.Revoked || !strings.Contains(v.Reason, "maker stopped shipping updates") {
				t.Errorf("after revocation: %s %q", v.Status, v.Reason)
			}
		}
		if a, _ := s.AssessmentGet(ctx, tenant.Operator(), aid); a.State != assess.Revoked {
			t.Errorf("assessment state %s, want revoked", a.State)
		}
		if res, _ := f.svc.Regrade(ctx, nil, ""); res.Checked != 0 {
			t.Errorf("revoked labels are regraded: %+v", res)
		}
	})
}

func TestVerifyOutcomes(t *testing.T) {
	c := &clock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	storetest.EachOpts(t, storetest.Options{Now: c.now}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := setup(t, s, c)
		aid, is := f.labelled(t)
		tampered := bytes.Replace(is.Doc, []byte(`"grade": "A"`), []byte(`"grade": "B"`), 1)
		if bytes.Equal(tampered, is.Doc) {
			t.Fatal("tampering did not change the document")
		}
		tests := []struct {
			name string
			doc  []byte
			at   time.Time
			want label.Status
		}{
			{"valid", is.Doc, c.t, label.Valid},
			{"tampered", tampered, c.t, label.Tampered},
			{"garbage", []byte("{"), c.t, label.Malformed},
			{"before_issue", is.Doc, c.t.Add(-time.Hour), label.NotYetValid},
			{"expired", is.Doc, is.Label.Expires, label.Expired},
		}
		for _, tt := range tests {
			v, err := f.svc.Verify(ctx, tt.doc, tt.at)
			if err != nil || v.Status != tt.want {
				t.Errorf("%s: %s (%s), %v; want %s", tt.name, v.Status, v.Reason, err, tt.want)
			}
		}
		// Recheck after the expiry expires the assessment and records it.
		c.t = is.Label.Expires.Add(time.Minute)
		res, err := f.svc.Recheck(ctx, "")
		if err != nil || len(res.Expired) != 1 || res.Expired[0] != is.Label.ID {
			t.Fatalf("recheck = %+v, %v", res, err)
		}
		if a, _ := s.AssessmentGet(ctx, tenant.Operator(), aid); a.State != assess.Expired {
			t.Errorf("state after expiry %s", a.State)
		}
		if _, err := f.svc.Revoke(ctx, tenant.Operator(), is.Label.ID, "late", "lead"); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("revoke expired: %v, want conflict", err)
		}
		rs, err := f.svc.Registry(ctx, is.Label.ID)
		if err != nil || rs.State != label.Expired || len(rs.History) != 2 || rs.History[1].Kind != label.EventExpired {
			t.Errorf("registry = %+v, %v", rs, err)
		}
	})
}

func TestKeyRotationKeepsOldLabelsValid(t *testing.T) {
	c := &clock{time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	s := storetest.OpenSQLite(t, storetest.Options{Now: c.now})
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "keys")
	keys, err := label.OpenKeyStore(dir, c.now, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := setup(t, s, c)
	svc, err := rating.New(rating.Config{Store: s, Keys: keys, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	_, first := f.labelled(t)
	c.t = c.t.Add(time.Hour)
	if _, err := keys.Rotate(); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Hour)
	_, second := f.labelled(t)
	if first.Label.KeyID == second.Label.KeyID {
		t.Fatal("rotation did not change the signing key")
	}
	for _, d := range [][]byte{first.Doc, second.Doc} {
		if v, _ := svc.Verify(ctx, d, c.t); !v.OK() {
			t.Errorf("after rotation: %s %s", v.Status, v.Reason)
		}
	}
	// A label claiming an issue date after its key was retired is refused.
	kr, _ := keys.Keyring()
	old, _ := kr.Lookup(first.Label.KeyID)
	if old.Status != label.Retired {
		t.Errorf("old key status %s", old.Status)
	}
}

func TestVerifiedOwner(t *testing.T) {
	s := storetest.OpenSQLite(t, storetest.Options{})
	ctx := context.Background()
	c := &clock{time.Now()}
	f := setup(t, s, c)
	other := registry.Org{Name: "Other", Assets: []registry.Asset{{Kind: registry.KindCIDR, Value: "203.0.113.0/24"}}}
	if err := s.OrgCreate(ctx, tenant.Operator(), &other); err != nil {
		t.Fatal(err)
	}
	if err := s.AssetMarkVerified(ctx, tenant.Operator(), f.org.Assets[0].ID, "manual", "", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.AssetMarkVerified(ctx, tenant.Operator(), other.Assets[0].ID, "manual", "", time.Now()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		sc   tenant.Scope
		addr string
		ok   bool
		why  string
	}{
		{tenant.Operator(), "192.0.2.7", true, ""},
		{tenant.Org(f.org.ID), "192.0.2.7", true, ""},
		{tenant.Operator(), "198.51.100.9", false, "has not been verified"},
		{tenant.Operator(), "10.0.0.1", false, "no registered IP range"},
		{tenant.Org(f.org.ID), "203.0.113.5", false, "no registered IP range"}, // verified, but another organisation's
		{tenant.Operator(), "203.0.113.5", true, ""},
		{tenant.Scope{}, "192.0.2.7", false, "no registered IP range"}, // the zero scope grants nothing
	}
	for _, tt := range tests {
		err := rating.VerifiedOwner(s, tt.sc)(ctx, tt.addr, netip.MustParseAddr(tt.addr))
		if (err == nil) != tt.ok || (err != nil && !strings.Contains(err.Error(), tt.why)) {
			t.Errorf("%s %s: %v, want ok=%v %q", tt.sc, tt.addr, err, tt.ok, tt.why)
		}
	}
}
