// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"vigil/internal/account"
	"vigil/internal/advisory"
	"vigil/internal/assess"
	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/ingest"
	"vigil/internal/keyset"
	"vigil/internal/label"
	"vigil/internal/notify"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
	"vigil/internal/vuln"
)

// scopeFixture holds two organisations with one of every kind of row: the
// victim A (two findings, a notice with deliveries, an assessment with
// evidence, a probe run, a label and its event, SBOM components, index
// keys and a match) and the other tenant B (one finding, a notice without
// deliveries).
type scopeFixture struct {
	a, b                  registry.Org
	devA, assetA, compA   int64
	assessmentA           int64
	labelA, evidenceA     string
	noticesA              []notify.Notice
	findingsB             int // B's findings, for the counting methods
	trig                  int64
	now                   time.Time
	seq                   int // makes the values of created rows unique
	deviceIndexKey        string
	vulnerableFindingKeyA string
}

func newScopeFixture(t *testing.T, s *store.Store, now time.Time) *scopeFixture {
	t.Helper()
	ctx := context.Background()
	op := tenant.Operator()
	f := &scopeFixture{now: now, deviceIndexKey: "v:scopetest"}
	f.a = registry.Org{Name: "Victim", Policy: registry.Policy{Mode: "immediate"},
		Contacts: []registry.Contact{{Email: "soc@victim.example", Role: "security"}},
		Assets:   []registry.Asset{{Kind: registry.KindCIDR, Value: "192.0.2.0/24"}, {Kind: registry.KindDomain, Value: "victim.example"}},
		Devices:  []registry.Device{{Vendor: "Axis", Model: "P1365", Firmware: "10.12"}}}
	f.b = registry.Org{Name: "Other", Policy: registry.Policy{Mode: "immediate"},
		Assets:  []registry.Asset{{Kind: registry.KindCIDR, Value: "198.51.100.0/24"}},
		Devices: []registry.Device{{Vendor: "Hikvision", Model: "DS-2CD", Firmware: "5.5"}}}
	for _, o := range []*registry.Org{&f.a, &f.b} {
		if err := s.OrgCreate(ctx, op, o); err != nil {
			t.Fatal(err)
		}
	}
	f.devA, f.assetA = f.a.Devices[0].ID, f.a.Assets[0].ID
	var err error
	if f.trig, err = s.TriggerEnsure(ctx, finding.Trigger{Name: "scan_exchange", Title: "Vulnerable Exchange servers"}); err != nil {
		t.Fatal(err)
	}
	sighting := func(org int64, ip string) finding.Sighting {
		a := netip.MustParseAddr(ip)
		return finding.Sighting{OrgID: org, TriggerID: f.trig, Type: "vulnerable-system", ReportType: "scan_exchange",
			Key: finding.KeyFor(a, 443), IP: a, Port: 443, Severity: finding.High, Time: now, Evidence: json.RawMessage(`{"ip":"` + ip + `"}`)}
	}
	f.vulnerableFindingKeyA = fmt.Sprintf("device:%d:CVE-2024-0001", f.devA)
	sg := []finding.Sighting{sighting(f.a.ID, "192.0.2.1"), sighting(f.a.ID, "192.0.2.2"), sighting(f.b.ID, "198.51.100.1"),
		{OrgID: f.a.ID, TriggerID: f.trig, Type: vuln.FindingType, ReportType: vuln.ReportType, Key: f.vulnerableFindingKeyA,
			DeviceID: f.devA, CVE: "CVE-2024-0001", Severity: finding.High, Time: now}}
	f.findingsB = 1
	r := ingest.Run{Source: "scope.csv", FeedType: "shadowserver", ReportType: "scan_exchange", TriggerID: f.trig}
	if err := s.RunStart(ctx, &r); err != nil {
		t.Fatal(err)
	}
	if err := s.Tx(ctx, func(tx *store.Store) error { _, _, err := tx.FindingUpsert(ctx, r.ID, sg); return err }); err != nil {
		t.Fatal(err)
	}
	if err := s.RunFinish(ctx, &r); err != nil {
		t.Fatal(err)
	}
	n := notify.NewNotifier(notify.NotifierConfig{Store: s, Now: func() time.Time { return now },
		PlanConfig: notify.PlanConfig{Default: notify.DefaultPolicy(), Languages: []string{"en"}}})
	if _, err := n.Compose(ctx, false); err != nil {
		t.Fatal(err)
	}
	// Escalate every notice, so that the call list has them.
	if _, err := s.NoticeEscalate(ctx, finding.Info, now.Add(time.Hour), now); err != nil {
		t.Fatal(err)
	}
	if f.noticesA, err = s.NoticeList(ctx, tenant.Org(f.a.ID), notify.NoticeFilter{}); err != nil || len(f.noticesA) == 0 {
		t.Fatalf("victim's notices: %v, %v", f.noticesA, err)
	}
	if rows, _ := s.OutboxList(ctx, op, "", keyset.Page{}); len(rows) == 0 {
		t.Fatal("the victim's notice has no deliveries")
	}
	if _, err := s.NoticeReplyAdd(ctx, op, &notify.Reply{NoticeID: f.noticesA[0].ID, OrgID: f.a.ID, MessageID: "<r@victim.example>", From: "soc@victim.example", Received: now}); err != nil {
		t.Fatal(err)
	}
	aa, err := s.AssessmentCreate(ctx, op, assess.Request{DeviceID: f.devA, Actor: "maker"})
	if err != nil {
		t.Fatal(err)
	}
	f.assessmentA, _ = assess.ParseID(aa.ID)
	ev, err := s.EvidenceAdd(ctx, op, f.assessmentA, "pentest.md", "text/markdown", []byte("victim's pentest"), "maker")
	if err != nil {
		t.Fatal(err)
	}
	f.evidenceA = ev.SHA256
	if err := s.ProbeRunAdd(ctx, op, &assess.ProbeRun{AssessmentID: f.assessmentA, Target: "192.0.2.7", Actor: "lab", Report: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	f.labelA = f.label(t, s, f.assessmentA, "VL-A")
	comps := []vuln.Component{{Name: "openssl", Version: "1.1.1k"}}
	if _, err := s.VulnComponentReplace(ctx, op, f.devA, comps); err != nil {
		t.Fatal(err)
	}
	f.compA = comps[0].ID
	if err := s.VulnTargetKeysPut(ctx, []vuln.IndexKeys{
		{Target: fmt.Sprintf("device:%d", f.devA), DeviceID: f.devA, Keys: []string{f.deviceIndexKey}},
		{Target: fmt.Sprintf("component:%d", f.compA), DeviceID: f.devA, ComponentID: f.compA, Keys: []string{f.deviceIndexKey}},
	}); err != nil {
		t.Fatal(err)
	}
	adv, err := s.VulnAdvisoryPut(ctx, vuln.AdvisoryPut{Advisory: &advisory.Advisory{ID: "CVE-2024-0001", Source: advisory.SourceNVD}, Digest: "d"})
	if err != nil {
		t.Fatal(err)
	}
	target := fmt.Sprintf("device:%d", f.devA)
	if err := s.VulnMatchReplace(ctx, vuln.MatchFilter{Targets: []string{target}},
		[]vuln.Match{{Target: target, DeviceID: f.devA, CVE: "CVE-2024-0001", AdvisoryRef: adv.Ref, Rule: "cpe", Confidence: 1}}); err != nil {
		t.Fatal(err)
	}
	return f
}

// label issues a label of assessment aid (in the operator's scope) and
// returns its id.
func (f *scopeFixture) label(t *testing.T, s *store.Store, aid int64, id string) string {
	t.Helper()
	ctx := context.Background()
	a, err := s.AssessmentGet(ctx, tenant.Operator(), aid)
	if err != nil {
		t.Fatal(err)
	}
	l := label.Record{ID: id, AssessmentID: aid, DeviceID: a.DeviceID, OrgID: a.OrgID, Grade: assess.GradeB, Rule: assess.RuleVersion, KeyID: "k1",
		Signed: json.RawMessage(`{"id":"` + id + `"}`), Issued: f.now, Expires: f.now.AddDate(1, 0, 0)}
	if err := s.LabelCreate(ctx, tenant.Operator(), &l); err != nil {
		t.Fatal(err)
	}
	if err := s.LabelEventAdd(ctx, tenant.Operator(), &label.Event{AssessmentID: aid, LabelID: id, Kind: label.EventIssued, Grade: "B", Actor: "lead"}); err != nil {
		t.Fatal(err)
	}
	return id
}

// next returns a number no other call of the test returned.
func (f *scopeFixture) next() int { f.seq++; return f.seq }

// pending registers an organisation through the portal, which waits for
// approval.
func (f *scopeFixture) pending(t *testing.T, s *store.Store) registry.Org {
	t.Helper()
	ctx := context.Background()
	n := f.next()
	u := account.User{Email: fmt.Sprintf("maker%d@pending.example", n), CreatedAt: f.now}
	if err := s.UserCreate(ctx, &u, "x"); err != nil {
		t.Fatal(err)
	}
	o := registry.Org{Name: fmt.Sprintf("Pending %d", n)}
	if err := s.OrgRegister(ctx, &o, u.ID); err != nil {
		t.Fatal(err)
	}
	return o
}

// openFinding makes a new open finding of the victim, which one case
// disputes (a finding has one pending dispute at a time).
func (f *scopeFixture) openFinding(t *testing.T, s *store.Store) int64 {
	t.Helper()
	ctx := context.Background()
	a := netip.AddrFrom4([4]byte{192, 0, 2, byte(100 + f.next())})
	r := ingest.Run{Source: "dispute.csv", FeedType: "shadowserver", ReportType: "scan_exchange", TriggerID: f.trig}
	if err := s.RunStart(ctx, &r); err != nil {
		t.Fatal(err)
	}
	sg := []finding.Sighting{{OrgID: f.a.ID, TriggerID: f.trig, Type: "vulnerable-system", ReportType: "scan_exchange",
		Key: finding.KeyFor(a, 443), IP: a, Port: 443, Severity: finding.High, Time: f.now}}
	if err := s.Tx(ctx, func(tx *store.Store) error { _, _, err := tx.FindingUpsert(ctx, r.ID, sg); return err }); err != nil {
		t.Fatal(err)
	}
	fs, err := s.FindingList(ctx, tenant.Org(f.a.ID), finding.Filter{Page: keyset.Page{Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range fs {
		if x.IP == a.String() {
			return x.ID
		}
	}
	t.Fatalf("finding for %s not stored", a)
	return 0
}

// dispute makes a pending dispute of a new finding of the victim.
func (f *scopeFixture) dispute(t *testing.T, s *store.Store) finding.Dispute {
	t.Helper()
	d := finding.Dispute{FindingID: f.openFinding(t, s), Reason: finding.AlreadyFixed, By: "member@victim.example"}
	if err := s.DisputeCreate(context.Background(), tenant.Org(f.a.ID), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// throwaway makes an organisation only one case uses.
func (f *scopeFixture) throwaway(t *testing.T, s *store.Store) registry.Org {
	t.Helper()
	o := registry.Org{Name: fmt.Sprintf("Throwaway %d", f.next())}
	if err := s.OrgCreate(context.Background(), tenant.Operator(), &o); err != nil {
		t.Fatal(err)
	}
	return o
}

func (f *scopeFixture) isNoticeA(id int64) bool {
	return slices.ContainsFunc(f.noticesA, func(n notify.Notice) bool { return n.ID == id })
}

// one is the answer of a call on one object: 1 when it reached the object.
func one(err error) (int, error) {
	if err != nil {
		return 0, err
	}
	return 1, nil
}

// count returns how many of xs belong to organisation org.
func count[T any](xs []T, err error, org int64, orgOf func(T) int64) (int, error) {
	n := 0
	for _, x := range xs {
		if orgOf(x) == org {
			n++
		}
	}
	return n, err
}

// scopeCase exercises one scoped method on the victim's rows. run calls
// the method with the scope as(victim) gives for the organisation whose
// rows it targets, and returns how many of that organisation's rows the
// call reached (found, listed, counted or changed).
type scopeCase struct {
	method string
	// single: the method reads or changes one object, so a scope that may
	// not reach it gets an error — errs.NotFound, as for an object that
	// does not exist (errs.Forbidden with operatorOnly). Lists and counts
	// leave the other organisation's rows out instead.
	single bool
	// operatorOnly: no organisation's scope may call it; the control runs
	// in the operator's scope.
	operatorOnly bool
	// public: the public scope reaches the object (labels, tickets).
	public bool
	run    func(ctx context.Context, t *testing.T, s *store.Store, f *scopeFixture, as func(org int64) tenant.Scope) (int, error)
}

func scopeCases() []scopeCase {
	type fx = scopeFixture
	type S = store.Store
	type T = testing.T
	type C = context.Context
	type As = func(int64) tenant.Scope
	orgOf := func(o registry.Org) int64 { return o.ID }
	return []scopeCase{
		// Registry.
		{method: "OrgCreate", single: true, operatorOnly: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			return one(s.OrgCreate(ctx, as(0), &registry.Org{Name: fmt.Sprintf("New %d", f.next())}))
		}},
		{method: "OrgImport", single: true, operatorOnly: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			n, _, err := s.OrgImport(ctx, as(0), []registry.Org{{Name: fmt.Sprintf("Imported %d", f.next())}})
			return n, err
		}},
		{method: "OrgGet", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			_, err := s.OrgGet(ctx, as(f.a.ID), f.a.ID)
			return one(err)
		}},
		{method: "OrgGetByName", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			_, err := s.OrgGetByName(ctx, as(f.a.ID), f.a.Name)
			return one(err)
		}},
		{method: "OrgExists", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			return one(s.OrgExists(ctx, as(f.a.ID), f.a.ID))
		}},
		{method: "OrgVerifyToken", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			_, err := s.OrgVerifyToken(ctx, as(f.a.ID), f.a.ID)
			return one(err)
		}},
		{method: "OrgPatch", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			sector := "water"
			_, err := s.OrgPatch(ctx, as(f.a.ID), f.a.ID, registry.OrgUpdate{Sector: &sector})
			return one(err)
		}},
		{method: "OrgDelete", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			o := f.throwaway(t, s)
			return one(s.OrgDelete(ctx, as(o.ID), o.ID))
		}},
		{method: "OrgList", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			os, err := s.OrgList(ctx, as(f.a.ID), keyset.Page{Limit: 1000})
			return count(os, err, f.a.ID, orgOf)
		}},
		{method: "OrgName", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			_, err := s.OrgName(ctx, as(f.a.ID), f.a.ID)
			return one(err)
		}},
		{method: "OrgIDsByName", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			m, err := s.OrgIDsByName(ctx, as(f.a.ID))
			ids := make([]int64, 0, len(m))
			for _, id := range m {
				ids = append(ids, id)
			}
			return count(ids, err, f.a.ID, func(id int64) int64 { return id })
		}},
		{method: "OrgUpsert", single: true, operatorOnly: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			n, err := s.OrgUpsert(ctx, as(0), []registry.Org{{Name: fmt.Sprintf("Upserted %d", f.next())}})
			return n.Created, err
		}},
		{method: "OrgListAll", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			os, err := s.OrgListAll(ctx, as(f.a.ID))
			return count(os, err, f.a.ID, orgOf)
		}},
		{method: "OrgCount", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			sc := as(f.a.ID)
			n, err := s.OrgCount(ctx, sc)
			if sc.OrgID() == f.b.ID {
				n-- // B itself
			}
			return n, err
		}},
		{method: "OrgNames", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			names, err := s.OrgNames(ctx, as(f.a.ID), []int64{f.a.ID})
			return len(names), err
		}},
		{method: "OrgPending", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			p := f.pending(t, s)
			os, err := s.OrgPending(ctx, as(p.ID))
			return count(os, err, p.ID, orgOf)
		}},
		{method: "OrgApprovals", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			p := f.pending(t, s)
			aps, err := s.OrgApprovals(ctx, as(p.ID))
			return count(aps, err, p.ID, func(a registry.Approval) int64 { return a.OrgID })
		}},
		{method: "OrgApprovalGet", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			p := f.pending(t, s)
			_, err := s.OrgApprovalGet(ctx, as(p.ID), p.ID)
			return one(err)
		}},
		{method: "OrgReject", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			p := f.pending(t, s)
			return one(s.OrgReject(ctx, as(p.ID), p.ID, "analyst@example.org", "not in the trade register", f.now))
		}},
		{method: "OrgReapply", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			p := f.pending(t, s)
			if err := s.OrgReject(ctx, tenant.Operator(), p.ID, "analyst@example.org", "not in the trade register", f.now); err != nil {
				t.Fatal(err)
			}
			return one(s.OrgReapply(ctx, as(p.ID), p.ID, "registration number 12345678"))
		}},
		{method: "OrgMemberList", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			p := f.pending(t, s)
			us, err := s.OrgMemberList(ctx, as(p.ID), p.ID)
			return len(us), err
		}},
		{method: "OrgMembers", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			p := f.pending(t, s)
			ms, err := s.OrgMembers(ctx, as(p.ID), p.ID)
			return len(ms), err
		}},
		{method: "OrgMemberRemove", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			p := f.pending(t, s)
			u := account.User{Email: fmt.Sprintf("leaver%d@victim.example", f.next()), CreatedAt: f.now}
			if err := s.UserCreate(ctx, &u, "!"); err != nil {
				t.Fatal(err)
			}
			if err := s.MembershipSet(ctx, u.ID, p.ID, account.RoleMember); err != nil {
				t.Fatal(err)
			}
			_, _, err := s.OrgMemberRemove(ctx, as(p.ID), p.ID, u.ID, func([]account.Member) error { return nil })
			return one(err)
		}},
		{method: "OrgInvitations", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			p := f.pending(t, s)
			f.invite(t, s, p.ID)
			is, err := s.OrgInvitations(ctx, as(p.ID), p.ID, f.now)
			return len(is), err
		}},
		{method: "OrgNameIndex", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			names, err := s.OrgNameIndex(ctx, as(f.a.ID))
			if _, ok := names[f.a.ID]; ok {
				return 1, err
			}
			return 0, err
		}},
		{method: "OrgInvitationsSince", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			p := f.pending(t, s)
			f.invite(t, s, p.ID)
			n, err := s.OrgInvitationsSince(ctx, as(p.ID), p.ID, 0, s.Now().Add(-time.Hour))
			return n.Org, err
		}},
		{method: "OrgInvitationRevoke", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			p := f.pending(t, s)
			_, err := s.OrgInvitationRevoke(ctx, as(p.ID), p.ID, f.invite(t, s, p.ID), f.now)
			return one(err)
		}},
		{method: "OrgApprove", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			p := f.pending(t, s)
			return one(s.OrgApprove(ctx, as(p.ID), p.ID))
		}},
		{method: "ContactCreate", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			c := registry.Contact{OrgID: f.a.ID, Email: fmt.Sprintf("c%d@victim.example", f.next())}
			return one(s.ContactCreate(ctx, as(f.a.ID), &c))
		}},
		{method: "ContactList", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			cs, err := s.ContactList(ctx, as(f.a.ID))
			return count(cs, err, f.a.ID, func(c registry.Contact) int64 { return c.OrgID })
		}},
		{method: "ContactDelete", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			c := registry.Contact{OrgID: f.a.ID, Email: fmt.Sprintf("gone%d@victim.example", f.next())}
			if err := s.ContactCreate(ctx, tenant.Operator(), &c); err != nil {
				t.Fatal(err)
			}
			return one(s.ContactDelete(ctx, as(f.a.ID), c.ID))
		}},
		{method: "ContactUpdate", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			c := registry.Contact{OrgID: f.a.ID, Email: fmt.Sprintf("old%d@victim.example", f.next())}
			if err := s.ContactCreate(ctx, tenant.Operator(), &c); err != nil {
				t.Fatal(err)
			}
			c.Email = fmt.Sprintf("new%d@victim.example", f.next())
			return one(s.ContactUpdate(ctx, as(f.a.ID), &c))
		}},
		{method: "AssetCreate", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			a := registry.Asset{OrgID: f.a.ID, Kind: registry.KindCIDR, Value: fmt.Sprintf("10.1.%d.0/24", f.next())}
			return one(s.AssetCreate(ctx, as(f.a.ID), &a))
		}},
		{method: "AssetGet", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			_, err := s.AssetGet(ctx, as(f.a.ID), f.assetA)
			return one(err)
		}},
		{method: "AssetList", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			xs, err := s.AssetList(ctx, as(f.a.ID), registry.AssetFilter{Page: keyset.Page{Limit: 1000}})
			return count(xs, err, f.a.ID, func(a registry.Asset) int64 { return a.OrgID })
		}},
		{method: "AssetAll", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			xs, err := s.AssetAll(ctx, as(f.a.ID), "")
			return count(xs, err, f.a.ID, func(a registry.Asset) int64 { return a.OrgID })
		}},
		{method: "AssetMarkVerified", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			return one(s.AssetMarkVerified(ctx, as(f.a.ID), f.assetA, "manual", "RIR contact confirmed by telephone", f.now))
		}},
		{method: "AssetDelete", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			a := registry.Asset{OrgID: f.a.ID, Kind: registry.KindCIDR, Value: fmt.Sprintf("10.2.%d.0/24", f.next())}
			if err := s.AssetCreate(ctx, tenant.Operator(), &a); err != nil {
				t.Fatal(err)
			}
			return one(s.AssetDelete(ctx, as(f.a.ID), a.ID))
		}},
		{method: "DeviceCreate", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			d := registry.Device{OrgID: f.a.ID, Vendor: "Axis", Model: fmt.Sprintf("M%d", f.next())}
			return one(s.DeviceCreate(ctx, as(f.a.ID), &d))
		}},
		{method: "DeviceGet", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			_, err := s.DeviceGet(ctx, as(f.a.ID), f.devA)
			return one(err)
		}},
		{method: "DeviceList", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			ds, err := s.DeviceList(ctx, as(f.a.ID), keyset.Page{Limit: 1000})
			return count(ds, err, f.a.ID, func(d registry.Device) int64 { return d.OrgID })
		}},
		{method: "DeviceUpdate", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			d := registry.Device{ID: f.devA, Vendor: "Axis", Model: fmt.Sprintf("Renamed %d", f.next())}
			return one(s.DeviceUpdate(ctx, as(f.a.ID), &d))
		}},
		{method: "DeviceDelete", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			d := registry.Device{OrgID: f.a.ID, Vendor: "Axis", Model: fmt.Sprintf("Gone %d", f.next())}
			if err := s.DeviceCreate(ctx, tenant.Operator(), &d); err != nil {
				t.Fatal(err)
			}
			return one(s.DeviceDelete(ctx, as(f.a.ID), d.ID))
		}},
		{method: "TokenCreate", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			_, err := s.TokenCreate(ctx, as(f.a.ID), &auth.Token{OrgID: f.a.ID, Name: "ci", Scopes: []auth.Scope{auth.ScopeRead}})
			return one(err)
		}},
		{method: "TokenList", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			tk := auth.Token{OrgID: f.a.ID, Name: fmt.Sprintf("listed %d", f.next()), Scopes: []auth.Scope{auth.ScopeRead}}
			if _, err := s.TokenCreate(ctx, tenant.Operator(), &tk); err != nil {
				t.Fatal(err)
			}
			ts, err := s.TokenList(ctx, as(f.a.ID), keyset.Page{Limit: 1000})
			return count(ts, err, f.a.ID, func(x auth.Token) int64 { return x.OrgID })
		}},
		{method: "TokenRevoke", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			tk := auth.Token{OrgID: f.a.ID, Name: "old", Scopes: []auth.Scope{auth.ScopeRead}}
			if _, err := s.TokenCreate(ctx, tenant.Operator(), &tk); err != nil {
				t.Fatal(err)
			}
			return one(s.TokenRevoke(ctx, as(f.a.ID), tk.ID))
		}},

		// Findings.
		{method: "FindingList", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			fs, err := s.FindingList(ctx, as(f.a.ID), finding.Filter{Page: keyset.Page{Limit: 1000}})
			return count(fs, err, f.a.ID, func(x finding.Finding) int64 { return x.OrgID })
		}},
		{method: "FindingListBySeen", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			fs, err := s.FindingListBySeen(ctx, as(f.a.ID), finding.Filter{Page: keyset.Page{Limit: 1000}}, finding.Seen{})
			return count(fs, err, f.a.ID, func(x finding.Finding) int64 { return x.OrgID })
		}},
		{method: "FindingChanges", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			sc := as(f.a.ID)
			// On PostgreSQL the feed trails the oldest transaction running
			// in the cluster (other tests'): a scope that sees rows asks
			// again, a bounded number of times, until they appear.
			for i := 0; ; i++ {
				p, err := s.FindingChanges(ctx, sc, finding.Cursor{}, 1000)
				if err != nil || len(p.Changes) > 0 || i == 400 || !(sc.IsOperator() || sc.OrgID() != 0) {
					return count(p.Changes, err, f.a.ID, func(x finding.Change) int64 { return x.Finding.OrgID })
				}
				time.Sleep(25 * time.Millisecond)
			}
		}},
		{method: "FindingCount", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			sc := as(f.a.ID)
			n, err := s.FindingCount(ctx, sc, finding.Filter{})
			if sc.OrgID() == f.b.ID {
				n -= f.findingsB
			}
			return n, err
		}},
		{method: "FindingGet", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			_, err := s.FindingGet(ctx, as(f.a.ID), f.openFinding(t, s))
			return one(err)
		}},
		{method: "DisputeCreate", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			d := finding.Dispute{FindingID: f.openFinding(t, s), Reason: finding.NotOurs, By: "x@victim.example"}
			return one(s.DisputeCreate(ctx, as(f.a.ID), &d))
		}},
		{method: "DisputeGet", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			_, err := s.DisputeGet(ctx, as(f.a.ID), f.dispute(t, s).ID)
			return one(err)
		}},
		{method: "DisputeDecide", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			_, err := s.DisputeDecide(ctx, as(f.a.ID), f.dispute(t, s).ID, finding.Decision{Accept: true, Reason: "rescanned", By: "analyst", At: f.now})
			return one(err)
		}},
		{method: "DisputeList", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			f.dispute(t, s)
			ds, err := s.DisputeList(ctx, as(f.a.ID), finding.DisputeFilter{Page: keyset.Page{Limit: 1000}})
			return count(ds, err, f.a.ID, func(d finding.Dispute) int64 { return d.OrgID })
		}},
		{method: "EventList", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			es, err := s.EventList(ctx, as(f.a.ID), keyset.Page{Limit: 1000})
			return count(es, err, f.a.ID, func(e finding.Event) int64 { return e.OrgID })
		}},
		{method: "TriggerDays", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			sc := as(f.a.ID)
			ds, err := s.TriggerDays(ctx, sc, time.Time{})
			n := 0
			for _, d := range ds {
				n += int(d.Findings)
			}
			if sc.OrgID() == f.b.ID {
				n -= f.findingsB
			}
			return n, err
		}},
		{method: "TriggerNames", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			sc := as(f.a.ID)
			ns, err := s.TriggerNames(ctx, sc)
			n := len(ns)
			if sc.OrgID() == f.b.ID {
				n -= f.findingsB // B's one finding is of the same trigger as A's
			}
			return n, err
		}},
		{method: "TriggerStats", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			sc := as(f.a.ID)
			ts, err := s.TriggerStats(ctx, sc)
			n := 0
			for _, x := range ts {
				n += int(x.Findings)
			}
			if sc.OrgID() == f.b.ID {
				n -= f.findingsB
			}
			return n, err
		}},

		// Notices and deliveries.
		{method: "NoticeGet", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			_, err := s.NoticeGet(ctx, as(f.a.ID), f.noticesA[0].ID)
			return one(err)
		}},
		{method: "NoticeContent", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			_, err := s.NoticeContent(ctx, as(f.a.ID), f.noticesA[0].ID)
			return one(err)
		}},
		{method: "NoticeByTicket", single: true, public: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			_, err := s.NoticeByTicket(ctx, as(f.a.ID), f.noticesA[0].Ticket)
			return one(err)
		}},
		{method: "NoticeList", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			ns, err := s.NoticeList(ctx, as(f.a.ID), notify.NoticeFilter{Page: keyset.Page{Limit: 1000}})
			return count(ns, err, f.a.ID, func(n notify.Notice) int64 { return n.OrgID })
		}},
		{method: "CallRecordAdd", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			// A's first warning is on the call list (escalated), so a call
			// about it may be recorded in A's scope only.
			if _, err := s.Exec(ctx, `UPDATE notices SET state = 'escalated' WHERE id = ?`, f.noticesA[0].ID); err != nil {
				t.Fatal(err)
			}
			return one(s.CallRecordAdd(ctx, as(f.a.ID), &notify.CallRecord{NoticeID: f.noticesA[0].ID, Outcome: notify.CallReached, Actor: "scope test"}))
		}},
		{method: "NoticeCallList", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			cs, err := s.NoticeCallList(ctx, as(f.a.ID))
			return count(cs, err, f.a.ID, func(c notify.Call) int64 { return c.OrgID })
		}},
		{method: "NoticeStatRows", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			rs, err := s.NoticeStatRows(ctx, as(f.a.ID), time.Time{})
			return count(rs, err, f.a.ID, func(r notify.StatRow) int64 { return r.OrgID })
		}},
		{method: "NoticeDayFigures", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			days, err := s.NoticeDayFigures(ctx, as(f.a.ID), time.Time{})
			n := 0
			for _, d := range days {
				n += d.Notices
			}
			if sc := as(f.a.ID); sc.OrgID() == f.b.ID {
				// B's own notices (composed, so each has items).
				own, err := s.NoticeList(ctx, sc, notify.NoticeFilter{Page: keyset.Page{Limit: 1000}})
				if err != nil {
					return 0, err
				}
				n -= len(own)
			}
			return n, err
		}},
		{method: "OrgWarnDays", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			// The victim was warned about its first notice's triggers.
			if _, err := s.Exec(ctx, `INSERT INTO org_warnings (day, trigger_id, org_id)
SELECT DISTINCT ?, i.trigger_id, n.org_id FROM notices n JOIN notice_items i ON i.notice_id = n.id WHERE n.id = ?
ON CONFLICT DO NOTHING`, f.now.UTC().Format(time.DateOnly), f.noticesA[0].ID); err != nil {
				return 0, err
			}
			sc := as(f.a.ID)
			days, err := s.OrgWarnDays(ctx, sc, time.Time{})
			n := 0
			for _, d := range days {
				n += int(d.Orgs)
			}
			if sc.OrgID() == f.b.ID {
				var own int
				if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM org_warnings WHERE org_id = ?`, f.b.ID).Scan(&own); err != nil {
					return 0, err
				}
				n -= own
			}
			return n, err
		}},
		{method: "NoticeAckDays", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			// The victim's first notice was sent and acknowledged an hour later.
			if _, err := s.Exec(ctx, `UPDATE notices SET first_sent_at = COALESCE(first_sent_at, ?), acked_at = COALESCE(acked_at, ?) WHERE id = ?`,
				f.now, f.now.Add(time.Hour), f.noticesA[0].ID); err != nil {
				return 0, err
			}
			days, err := s.NoticeAckDays(ctx, as(f.a.ID), time.Time{})
			n := 0
			for _, d := range days {
				n += int(d.Timed)
			}
			if sc := as(f.a.ID); sc.OrgID() == f.b.ID {
				var own int
				if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM notices WHERE org_id = ? AND acked_at IS NOT NULL AND first_sent_at IS NOT NULL
  AND EXISTS (SELECT 1 FROM notice_items i WHERE i.notice_id = notices.id)`, f.b.ID).Scan(&own); err != nil {
					return 0, err
				}
				n -= own
			}
			return n, err
		}},
		{method: "NoticeReplyList", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			rs, err := s.NoticeReplyList(ctx, as(f.a.ID), []int64{f.noticesA[0].ID})
			return count(rs, err, f.a.ID, func(r notify.Reply) int64 { return r.OrgID })
		}},
		{method: "NoticeReplyAdd", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			_, err := s.NoticeReplyAdd(ctx, as(f.a.ID), &notify.Reply{NoticeID: f.noticesA[0].ID, OrgID: f.a.ID,
				MessageID: fmt.Sprintf("<%d@victim.example>", f.next()), From: "soc@victim.example", Received: f.now})
			return one(err)
		}},
		{method: "NoticeAck", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			_, err := s.NoticeAck(ctx, as(f.a.ID), f.noticesA[0].ID, "test", f.now)
			return one(err)
		}},
		{method: "OutboxList", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			rows, err := s.OutboxList(ctx, as(f.a.ID), "", keyset.Page{Limit: 1000})
			n := 0
			for _, r := range rows {
				if f.isNoticeA(r.NoticeID) {
					n++
				}
			}
			return n, err
		}},
		{method: "OutboxStatus", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			cs, err := s.OutboxStatus(ctx, as(f.a.ID)) // B has no deliveries
			n := 0
			for _, c := range cs {
				n += int(c.Count)
			}
			return n, err
		}},

		// Assessments and labels.
		{method: "AssessmentCreate", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			_, err := s.AssessmentCreate(ctx, as(f.a.ID), assess.Request{DeviceID: f.devA, Actor: "maker"})
			return one(err)
		}},
		{method: "AssessmentGet", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			_, err := s.AssessmentGet(ctx, as(f.a.ID), f.assessmentA)
			return one(err)
		}},
		{method: "AssessmentList", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			xs, err := s.AssessmentList(ctx, as(f.a.ID), assess.Filter{Page: keyset.Page{Limit: 1000}})
			return count(xs, err, f.a.ID, func(a assess.Assessment) int64 { return a.OrgID })
		}},
		{method: "AssessmentUpdate", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			_, err := s.AssessmentUpdate(ctx, as(f.a.ID), f.assessmentA, func(*assess.Assessment) error { return nil })
			return one(err)
		}},
		{method: "EvidenceAdd", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			_, err := s.EvidenceAdd(ctx, as(f.a.ID), f.assessmentA, fmt.Sprintf("note%d.txt", f.next()), "", []byte("x"), "maker")
			return one(err)
		}},
		{method: "EvidenceList", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			es, err := s.EvidenceList(ctx, as(f.a.ID), f.assessmentA)
			return len(es), err
		}},
		{method: "EvidenceContent", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			_, err := s.EvidenceContent(ctx, as(f.a.ID), f.evidenceA)
			return one(err)
		}},
		{method: "ProbeRunAdd", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			return one(s.ProbeRunAdd(ctx, as(f.a.ID), &assess.ProbeRun{AssessmentID: f.assessmentA, Target: "192.0.2.8", Actor: "lab", Report: json.RawMessage(`{}`)}))
		}},
		{method: "ProbeRunList", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			rs, err := s.ProbeRunList(ctx, as(f.a.ID), f.assessmentA)
			return len(rs), err
		}},
		{method: "LabelCreate", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			id := fmt.Sprintf("VL-NEW-%d", f.next())
			return one(s.LabelCreate(ctx, as(f.a.ID), &label.Record{ID: id, AssessmentID: f.assessmentA, DeviceID: f.devA, OrgID: f.a.ID,
				Grade: assess.GradeC, Rule: assess.RuleVersion, KeyID: "k1", Signed: json.RawMessage(`{}`), Issued: f.now, Expires: f.now.AddDate(1, 0, 0)}))
		}},
		{method: "LabelGet", single: true, public: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			_, err := s.LabelGet(ctx, as(f.a.ID), f.labelA)
			return one(err)
		}},
		{method: "LabelList", public: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			ls, err := s.LabelList(ctx, as(f.a.ID), label.Filter{AssessmentID: f.assessmentA})
			return count(ls, err, f.a.ID, func(l label.Record) int64 { return l.OrgID })
		}},
		{method: "LabelGrades", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			gs, err := s.LabelGrades(ctx, as(f.a.ID))
			n := 0
			for _, g := range gs {
				n += int(g.Labels)
			}
			return n, err
		}},
		{method: "LabelEventList", public: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			es, err := s.LabelEventList(ctx, as(f.a.ID), f.assessmentA)
			return len(es), err
		}},
		{method: "LabelEventAdd", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			return one(s.LabelEventAdd(ctx, as(f.a.ID), &label.Event{AssessmentID: f.assessmentA, LabelID: f.labelA, Kind: label.EventRegraded, Actor: "monitor"}))
		}},
		{method: "LabelSupersede", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			old := f.label(t, s, f.assessmentA, fmt.Sprintf("VL-OLD-%d", f.next()))
			next := f.label(t, s, f.assessmentA, fmt.Sprintf("VL-NEXT-%d", f.next()))
			return one(s.LabelSupersede(ctx, as(f.a.ID), old, next))
		}},
		{method: "LabelRevoke", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			a, err := s.AssessmentCreate(ctx, tenant.Operator(), assess.Request{DeviceID: f.devA, Actor: "maker"})
			if err != nil {
				t.Fatal(err)
			}
			aid, _ := assess.ParseID(a.ID)
			f.label(t, s, aid, fmt.Sprintf("VL-REVOKE-%d", f.next()))
			n, err := s.LabelRevoke(ctx, as(f.a.ID), aid, "withdrawn")
			return int(n), err
		}},

		// Vulnerability inventory.
		{method: "VulnDeviceGet", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			ds, err := s.VulnDeviceGet(ctx, as(f.a.ID), []int64{f.devA})
			return count(ds, err, f.a.ID, func(d registry.Device) int64 { return d.OrgID })
		}},
		{method: "VulnDeviceScan", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			ds, err := s.VulnDeviceScan(ctx, as(f.a.ID), 0, 1000)
			return count(ds, err, f.a.ID, func(d registry.Device) int64 { return d.OrgID })
		}},
		{method: "VulnDeviceStale", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			ds, err := s.VulnDeviceStale(ctx, as(f.a.ID), 1000)
			return count(ds, err, f.a.ID, func(d registry.Device) int64 { return d.OrgID })
		}},
		{method: "VulnComponentGet", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			cs, err := s.VulnComponentGet(ctx, as(f.a.ID), []int64{f.compA})
			return count(cs, err, f.a.ID, func(c vuln.Component) int64 { return c.OrgID })
		}},
		{method: "VulnComponentList", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			cs, err := s.VulnComponentList(ctx, as(f.a.ID), f.devA)
			return count(cs, err, f.a.ID, func(c vuln.Component) int64 { return c.OrgID })
		}},
		{method: "VulnComponentScan", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			cs, err := s.VulnComponentScan(ctx, as(f.a.ID), 0, 1000)
			return count(cs, err, f.a.ID, func(c vuln.Component) int64 { return c.OrgID })
		}},
		{method: "VulnComponentInsert", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			return one(s.VulnComponentInsert(ctx, as(f.a.ID), []vuln.Component{{DeviceID: f.devA, Name: fmt.Sprintf("lib%d", f.next()), Version: "1"}}))
		}},
		{method: "VulnComponentReplace", single: true, run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			d := registry.Device{OrgID: f.a.ID, Vendor: "Axis", Model: fmt.Sprintf("SBOM %d", f.next())}
			if err := s.DeviceCreate(ctx, tenant.Operator(), &d); err != nil {
				t.Fatal(err)
			}
			_, err := s.VulnComponentReplace(ctx, as(f.a.ID), d.ID, []vuln.Component{{Name: "busybox", Version: "1.36"}})
			return one(err)
		}},
		{method: "VulnTargetsByKeys", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			ds, cs, err := s.VulnTargetsByKeys(ctx, as(f.a.ID), []string{f.deviceIndexKey})
			n, _ := count(ds, nil, f.a.ID, func(d registry.Device) int64 { return d.OrgID })
			m, _ := count(cs, nil, f.a.ID, func(c vuln.Component) int64 { return c.OrgID })
			return n + m, err
		}},
		{method: "VulnMatchList", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			ms, err := s.VulnMatchList(ctx, as(f.a.ID), vuln.MatchFilter{All: true})
			return count(ms, err, f.a.ID, func(m vuln.Match) int64 { return m.OrgID })
		}},
		{method: "VulnFindingList", run: func(ctx C, t *T, s *S, f *fx, as As) (int, error) {
			fs, err := s.VulnFindingList(ctx, as(f.a.ID), vuln.FindingFilter{Page: keyset.Page{Limit: 1000}})
			return count(fs, err, f.a.ID, func(x finding.Finding) int64 { return x.OrgID })
		}},
	}
}

// TestScopeCrossTenant runs every scoped method of the store on the
// victim's rows with another tenant's scope, the zero scope and the public
// scope (which reaches only published objects), then with the victim's own
// scope (or the operator's, for what only the operator may do) as the
// control: the denied calls reach none of the victim's rows — a call on one
// object fails with errs.NotFound, exactly as for an object that does not
// exist — and the control reaches them. Every scoped method has a case.
func TestScopeCrossTenant(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	cases := scopeCases()
	scoped, _ := scopedMethods()
	for _, m := range scoped {
		if !slices.ContainsFunc(cases, func(c scopeCase) bool { return c.method == m }) {
			t.Errorf("(*store.Store).%s takes a scope but has no case in scopeCases", m)
		}
	}
	for _, c := range cases {
		if !slices.Contains(scoped, c.method) {
			t.Errorf("scopeCases has a case for %s, which takes no scope", c.method)
		}
	}
	storetest.EachOpts(t, storetest.Options{Now: func() time.Time { return now }}, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newScopeFixture(t, s, now)
		for _, c := range cases {
			t.Run(c.method, func(t *testing.T) {
				denied := []struct {
					name string
					as   func(int64) tenant.Scope
				}{
					{"other_tenant", func(int64) tenant.Scope { return tenant.Org(f.b.ID) }},
					{"zero_scope", func(int64) tenant.Scope { return tenant.Scope{} }},
				}
				if !c.public {
					denied = append(denied, struct {
						name string
						as   func(int64) tenant.Scope
					}{"public", func(int64) tenant.Scope { return tenant.Public() }})
				}
				if c.operatorOnly {
					denied = append(denied, struct {
						name string
						as   func(int64) tenant.Scope
					}{"own_tenant", func(int64) tenant.Scope { return tenant.Org(f.a.ID) }})
				}
				want := errs.ErrNotFound
				if c.operatorOnly {
					want = errs.ErrForbidden
				}
				for _, d := range denied {
					n, err := c.run(ctx, t, s, f, d.as)
					switch {
					case n != 0:
						t.Errorf("%s: reached %d of the victim's rows", d.name, n)
					case c.single && !errors.Is(err, want):
						t.Errorf("%s: error %v; want %v", d.name, err, want)
					case !c.single && err != nil:
						t.Errorf("%s: %v; want the other organisation's rows left out", d.name, err)
					}
				}
				control := func(org int64) tenant.Scope { return tenant.Org(org) }
				if c.operatorOnly {
					control = func(int64) tenant.Scope { return tenant.Operator() }
				}
				if c.public {
					if n, err := c.run(ctx, t, s, f, func(int64) tenant.Scope { return tenant.Public() }); n == 0 || err != nil {
						t.Errorf("public: reached %d rows, %v; want the published object", n, err)
					}
				}
				if n, err := c.run(ctx, t, s, f, control); n == 0 || err != nil {
					t.Errorf("own scope (the control): reached %d rows, %v; want the victim's", n, err)
				}
			})
		}
	})
}

// invite makes an open invitation to organisation org and returns its id.
func (f *scopeFixture) invite(t *testing.T, s *store.Store, org int64) int64 {
	t.Helper()
	tok := account.Token{Purpose: account.PurposeInvite, OrgID: org, Email: fmt.Sprintf("invited%d@victim.example", f.next()),
		Role: account.RoleMember, Expires: f.now.Add(account.InviteValid)}
	if err := s.AccountTokenCreate(context.Background(), &tok, fmt.Sprintf("hash-%d", f.next())); err != nil {
		t.Fatal(err)
	}
	return tok.ID
}
