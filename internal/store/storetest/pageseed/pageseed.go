// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package pageseed fills a test store with what every page of the portal
// needs to show something: the organisations of testdata/registry.json
// with a draft assessment and an evidence file each, a scheduled source,
// an ingest run of a sample Shadowserver report, a warning and a dispute
// per organisation, a delivery of unknown outcome, and a signed-in
// session per persona. IDs names the objects a route's path parameters
// point at, so that a test generated from the route table can fill every
// path. The server-side page tests (internal/web) and the browser suite
// (internal/web/e2e) share it, so both visit the same pages on the same
// data.
package pageseed

import (
	"bytes"
	"context"
	"crypto/rand"
	_ "embed" // the registry and the sample report
	"encoding/json"
	"fmt"
	"net/netip"
	"net/smtp"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/assess"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/label"
	"vigil/internal/notify"
	"vigil/internal/rating"
	"vigil/internal/registry"
	"vigil/internal/source"
	"vigil/internal/store"
	"vigil/internal/tenant"
	"vigil/internal/ticket"
)

//go:embed testdata/registry.json
var registryJSON []byte

//go:embed testdata/2025-06-02-scan_rdp-vigil_portal-asn.csv
var sampleFeed []byte

// SampleFeed is the file name of the sample report: a Shadowserver RDP
// report of three rows in the registry's ranges and one unreadable
// address (see testdata/SOURCES.md).
const SampleFeed = "2025-06-02-scan_rdp-vigil_portal-asn.csv"

// SourceName is the name of the seeded scheduled source.
const SourceName = "shadowserver-test"

// Personas: who is signed in. Anon is nobody.
const (
	Anon    = ""
	Admin   = "admin"
	Analyst = "analyst"
	MemberA = "memberA"
	MakerA  = "makerA"
	MemberB = "memberB"
	Half    = "half" // an analyst's session still awaiting its second factor
)

// Password is every persona's password.
const Password = "persona password"

// RegistryJSON returns a copy of testdata/registry.json.
func RegistryJSON() []byte { return bytes.Clone(registryJSON) }

// Sample returns a copy of the sample report.
func Sample() []byte { return bytes.Clone(sampleFeed) }

// Registry parses testdata/registry.json: organisation A is the first,
// B the second.
func Registry(t testing.TB) []registry.Org {
	t.Helper()
	orgs, bad, err := registry.ParseJSON(bytes.NewReader(registryJSON), "registry.json")
	if err != nil || len(bad) > 0 {
		t.Fatalf("testdata/registry.json: %v %v", bad, err)
	}
	return orgs
}

// Orgs imports the registry into st and returns it with ids; each
// organisation with a device gets a draft assessment of its first device
// (started through ratings) with an evidence file of unknown type, and the
// store gets the scheduled source SourceName with sealed credentials.
func Orgs(t testing.TB, st *store.Store, ratings *rating.Service) []registry.Org {
	t.Helper()
	ctx := context.Background()
	orgs := Registry(t)
	if _, _, err := st.OrgImport(ctx, tenant.Operator(), orgs); err != nil {
		t.Fatalf("import: %v", err)
	}
	for _, o := range orgs {
		if len(o.Devices) == 0 {
			continue
		}
		a, err := ratings.Start(ctx, tenant.Org(o.ID), assess.Request{DeviceID: o.Devices[0].ID, Actor: "maker@" + o.Name})
		if err != nil {
			t.Fatalf("assessment of %s: %v", o.Name, err)
		}
		// An evidence file of unknown type, named as a page would be if it
		// were rendered.
		aid, _ := assess.ParseID(a.ID)
		if _, err := st.EvidenceAdd(ctx, tenant.Org(o.ID), aid, "report.html", "", []byte("<h1>evidence of "+o.Name+"</h1>"), "maker@"+o.Name); err != nil {
			t.Fatalf("evidence of %s: %v", o.Name, err)
		}
	}
	// A public label, of the third organisation (the others' assessments
	// stay drafts for the forms the tests fill in).
	if len(orgs) > 2 && len(orgs[2].Devices) > 0 {
		labelOf(t, ratings, orgs[2])
	}
	src := source.Source{Name: SourceName, Kind: source.KindShadowserver, URL: "https://reports.shadowserver.test/api2/",
		Every: source.Duration(time.Hour), Expect: source.Duration(24 * time.Hour), AlertAfter: source.Duration(36 * time.Hour)}
	if err := st.SourceCreate(ctx, &src, "sealed-test-credentials"); err != nil {
		t.Fatalf("source: %v", err)
	}
	return orgs
}

// labelOf issues a label for o's first device: an assessment answered
// "met" throughout, submitted, accepted and issued.
func labelOf(t testing.TB, ratings *rating.Service, o registry.Org) {
	t.Helper()
	ctx, sc, actor := context.Background(), tenant.Org(o.ID), "maker@"+o.Name
	a, err := ratings.Start(ctx, sc, assess.Request{DeviceID: o.Devices[0].ID, Actor: actor})
	if err != nil {
		t.Fatalf("label assessment of %s: %v", o.Name, err)
	}
	id, _ := assess.ParseID(a.ID)
	items := map[string]assess.Answer{}
	for _, p := range ratings.Catalogue().Provisions(a.Edition) {
		items[p.ID] = assess.Answer{Status: assess.Met}
	}
	doc, err := json.Marshal(assess.Answers{Format: assess.AnswersFormat, Edition: a.Edition, Device: a.Device, Items: items, Support: assess.Support{End: "2031-12-31"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, bad, err := ratings.SetAnswers(ctx, sc, id, bytes.NewReader(doc), "answers.json", actor); err != nil || len(bad) > 0 {
		t.Fatalf("label answers of %s: %v %v", o.Name, bad, err)
	}
	if _, err := ratings.Submit(ctx, sc, id, actor); err != nil {
		t.Fatalf("label submit of %s: %v", o.Name, err)
	}
	if _, err := ratings.Review(ctx, tenant.Operator(), id, "analyst@portal.example", "complete", ""); err != nil {
		t.Fatalf("label review of %s: %v", o.Name, err)
	}
	if _, err := ratings.Issue(ctx, tenant.Operator(), id, "analyst@portal.example"); err != nil {
		t.Fatalf("label of %s: %v", o.Name, err)
	}
}

// Run ingests the sample report through a as the analyst's upload on the
// portal (audited as theirs), so that the run pages have a run, and
// returns the run's id.
func Run(t testing.TB, a *app.App) int64 {
	t.Helper()
	ctx := app.WithAuditTrail(context.Background(), &app.AuditTrail{Via: account.AuditPortal, Actor: "analyst@portal.example"})
	sum, err := a.IngestUpload(ctx, SampleFeed, bytes.NewReader(sampleFeed), app.FeedOptions{})
	if err != nil || sum.RunID == 0 {
		t.Fatalf("seed run: %+v, %v", sum, err)
	}
	return sum.RunID
}

// Warnings gives each of the first two organisations a critical finding of
// the trigger "seeded" at the store's time, composes their warnings, opens
// a dispute of each one's first finding and leaves one delivery of
// unknown outcome (a sender that stopped mid-send). It returns a notice
// per organisation and the delivery's id. A second call adds no dispute.
func Warnings(t testing.TB, st *store.Store, orgs []registry.Org) (notices map[int64]int64, outbox int64) {
	t.Helper()
	ctx := context.Background()
	trig, err := st.TriggerEnsure(ctx, finding.Trigger{Name: "seeded"})
	if err != nil {
		t.Fatal(err)
	}
	var sgs []finding.Sighting
	for i, o := range orgs[:2] {
		ip := netip.AddrFrom4([4]byte{198, 51, 100, byte(200 + i)})
		sgs = append(sgs, finding.Sighting{OrgID: o.ID, TriggerID: trig, Type: "vulnerable-system", ReportType: "scan_exchange",
			Key: finding.KeyFor(ip, 443), IP: ip, Port: 443, Severity: finding.Critical, Time: st.Now(), Evidence: json.RawMessage(`{"seeded":"1"}`)})
	}
	if err := st.Tx(ctx, func(tx *store.Store) error { _, _, err := tx.FindingUpsert(ctx, 0, sgs); return err }); err != nil {
		t.Fatal(err)
	}
	if _, err := notify.NewNotifier(notify.NotifierConfig{Store: st, Now: st.Now}).Compose(ctx, false); err != nil {
		t.Fatal(err)
	}
	notices = map[int64]int64{}
	for _, o := range orgs[:2] {
		ns, err := st.NoticeList(ctx, tenant.Org(o.ID), notify.NoticeFilter{})
		if err != nil || len(ns) == 0 {
			t.Fatalf("notices of %s: %v %v", o.Name, ns, err)
		}
		notices[o.ID] = ns[0].ID
		// A dispute of the organisation's finding, waiting for an analyst.
		fs, err := st.FindingList(ctx, tenant.Org(o.ID), finding.Filter{})
		if err != nil || len(fs) == 0 {
			t.Fatalf("findings of %s: %v %v", o.Name, fs, err)
		}
		if ds, err := st.DisputeList(ctx, tenant.Org(o.ID), finding.DisputeFilter{FindingID: fs[0].ID}); err != nil || len(ds) > 0 {
			continue // seeded before
		}
		if err := st.DisputeCreate(ctx, tenant.Org(o.ID), &finding.Dispute{FindingID: fs[0].ID, Reason: finding.AlreadyFixed, By: "seed"}); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := st.OutboxList(ctx, tenant.Operator(), notify.OutboxPending, keyset.Page{Limit: 1})
	if err != nil || len(rows) == 0 {
		t.Fatalf("outbox rows: %v %v", rows, err)
	}
	if _, err := st.Exec(ctx, `UPDATE outbox SET state = 'unknown' WHERE id = ?`, rows[0].ID); err != nil {
		t.Fatal(err)
	}
	// A critical warning to A that nobody acknowledged, saying what A's
	// warning above says: it is on the analysts' call list (its own
	// notice, so the warning above stays open).
	if calls, err := st.NoticeCallList(ctx, tenant.Org(orgs[0].ID)); err != nil {
		t.Fatal(err)
	} else if len(calls) == 0 {
		tk, err := ticket.New(rand.Reader) // every notice has its own ticket, as composing gives it
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Exec(ctx, `INSERT INTO notices (org_id, kind, severity, state, payload, created_at, first_sent_at, escalated_at, ticket)
SELECT org_id, kind, ?, 'escalated', payload, ?, ?, ?, ? FROM notices WHERE id = ?`,
			int64(finding.Critical), st.Now().Add(-6*time.Hour), st.Now().Add(-6*time.Hour), st.Now(), string(tk), notices[orgs[0].ID]); err != nil {
			t.Fatal(err)
		}
	}
	return notices, rows[0].ID
}

// Persona is a seeded account with a session: Cookie is the secret the
// session cookie carries.
type Persona struct {
	User    account.User
	Session account.Session
	Cookie  string
}

// Personas creates the accounts Admin, Analyst, MemberA and MakerA (of
// organisation A = orgs[0]), MemberB (of B = orgs[1]) and Half (an analyst
// whose session awaits its second factor) through accounts, with the
// password Password, and a session for each, keyed by persona.
func Personas(t testing.TB, st *store.Store, accounts *account.Service, orgs []registry.Org) map[string]Persona {
	t.Helper()
	ctx := context.Background()
	a, b := orgs[0].ID, orgs[1].ID
	out := map[string]Persona{}
	for _, p := range []struct {
		name string
		role account.Role
		orgs []account.Membership
	}{
		{Admin, account.RoleAdmin, nil},
		{Analyst, account.RoleAnalyst, nil},
		{MemberA, "", []account.Membership{{OrgID: a, Role: account.RoleMember}}},
		{MakerA, "", []account.Membership{{OrgID: a, Role: account.RoleMaker}}},
		{MemberB, "", []account.Membership{{OrgID: b, Role: account.RoleMember}}},
		{Half, account.RoleAnalyst, nil},
	} {
		u, err := accounts.Create(ctx, account.NewUser{Email: p.name + "@portal.example", Password: Password, Role: p.role, Orgs: p.orgs})
		if err != nil {
			t.Fatalf("persona %s: %v", p.name, err)
		}
		secret := account.NewToken(32)
		now := st.Now()
		ses := account.Session{UserID: u.ID, CSRF: account.NewToken(24), Verified: p.name != Half, CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(account.MaxAge)}
		if err := st.SessionCreate(ctx, &ses, account.HashToken(secret)); err != nil {
			t.Fatal(err)
		}
		out[p.name] = Persona{User: u, Session: ses, Cookie: secret}
	}
	return out
}

// IDs names the objects a route's path parameters point at.
type IDs struct {
	Org, Contact, Asset, Device, Token, Notice, Outbox int64
	// Call is the organisation's warning on the call list (Warnings).
	Call                                        int64
	Finding, Dispute, Assessment, Run, Evidence int64
	Source                                      int64
	// User is Spare's account, the one the routes of accounts change.
	User int64
	// Member is Leaver's account, a member of the organisation whose
	// membership the routes of members remove (IDsOf grants it again).
	Member int64
	// Invitation is an open invitation to the organisation (Leavers
	// makes one).
	Invitation int64
	// Ack is the signed acknowledgement link's token of Notice, OptOut
	// the opt-out link's token of OptOutAddress.
	Ack, OptOut string
	// Label is a public label's id (of whichever organisation).
	Label string
}

// OptOutAddress is the address whose opt-out link the page tests open
// (no contact of the seeded organisations, so opting it out changes no
// warning of theirs).
const OptOutAddress = "optout@portal.example"

// Spare is the account (without a password) that the generated route tests
// change the role of, disable and enable.
const Spare = "spare@portal.example"

// Leaver returns the address of the account (without a password) that
// IDsOf makes a member of organisation org, and of no other, for the
// generated route tests to remove.
func Leaver(org int64) string { return fmt.Sprintf("leaver-%d@portal.example", org) }

// Leavers makes each organisation's Leaver a member of it (before a test
// takes its snapshots, so that IDsOf, which grants the membership again
// after a removal, leaves it as it was).
func Leavers(st *store.Store, orgs []registry.Org) {
	for _, o := range orgs {
		ctx := context.Background()
		by := leaver(ctx, st, o.ID)
		tok := account.Token{Purpose: account.PurposeInvite, OrgID: o.ID, Email: fmt.Sprintf("invited-%d@portal.example", o.ID),
			Role: account.RoleMember, By: by, Expires: st.Now().Add(account.InviteValid)}
		_ = st.AccountTokenCreate(ctx, &tok, fmt.Sprintf("seeded-invitation-%d", o.ID))
	}
}

// leaver returns the id of org's Leaver, a member of org, creating the
// account and granting the membership when missing.
func leaver(ctx context.Context, st *store.Store, org int64) int64 {
	id := userNamed(ctx, st, Leaver(org))
	if id == 0 || st.MembershipSet(ctx, id, org, account.RoleMember) != nil {
		return 0
	}
	return id
}

// spareUser returns Spare's id, creating the account on first use.
func spareUser(ctx context.Context, st *store.Store) int64 { return userNamed(ctx, st, Spare) }

// userNamed returns the id of the account of addr, creating it (without a
// password) on first use.
func userNamed(ctx context.Context, st *store.Store, addr string) int64 {
	us, err := st.UserList(ctx)
	if err != nil {
		return 0
	}
	for _, u := range us {
		if u.Email == addr {
			return u.ID
		}
	}
	u := account.User{Email: addr, CreatedAt: st.Now()}
	if err := st.UserCreate(ctx, &u, "!"); err != nil {
		return 0
	}
	return u.ID
}

// IDsOf returns the ids of organisation o's first objects: notice is its
// warning (Warnings), outbox the delivery of unknown outcome, the token 1;
// the run is the newest, the source SourceName.
func IDsOf(st *store.Store, o registry.Org, notice, outbox int64) IDs {
	x := IDs{Org: o.ID, Token: 1, Notice: notice, Outbox: outbox}
	if len(o.Contacts) > 0 {
		x.Contact = o.Contacts[0].ID
	}
	if len(o.Assets) > 0 {
		x.Asset = o.Assets[0].ID
	}
	if len(o.Devices) > 0 {
		x.Device = o.Devices[0].ID
	}
	ctx := context.Background()
	if fs, err := st.FindingList(ctx, tenant.Org(o.ID), finding.Filter{Page: keyset.Page{Limit: 1}}); err == nil && len(fs) > 0 {
		x.Finding = fs[0].ID
	}
	if as, err := st.AssessmentList(ctx, tenant.Org(o.ID), assess.Filter{Page: keyset.Page{Limit: 1}}); err == nil && len(as) > 0 {
		x.Assessment, _ = assess.ParseID(as[0].ID)
		if ev, err := st.EvidenceList(ctx, tenant.Org(o.ID), x.Assessment); err == nil && len(ev) > 0 {
			x.Evidence = ev[0].ID
		}
	}
	if ds, err := st.DisputeList(ctx, tenant.Org(o.ID), finding.DisputeFilter{Page: keyset.Page{Limit: 1}}); err == nil && len(ds) > 0 {
		x.Dispute = ds[0].ID
	}
	if cs, err := st.NoticeCallList(ctx, tenant.Org(o.ID)); err == nil && len(cs) > 0 {
		x.Call = cs[0].ID
	}
	if rs, err := st.RunList(ctx, keyset.Page{Limit: 1}, time.Time{}); err == nil && len(rs) > 0 {
		x.Run = rs[0].ID
	}
	if src, _, err := st.SourceGet(ctx, SourceName); err == nil {
		x.Source = src.ID
	}
	x.User = spareUser(ctx, st)
	x.Member = leaver(ctx, st, o.ID)
	if is, err := st.OrgInvitations(ctx, tenant.Org(o.ID), o.ID, st.Now()); err == nil && len(is) > 0 {
		x.Invitation = is[0].ID
	}
	if ls, err := st.LabelList(ctx, tenant.Public(), label.Filter{Limit: 1}); err == nil && len(ls) > 0 {
		x.Label = ls[0].ID
	}
	if key, err := st.SettingSecret(ctx, notify.AckKeySetting); err == nil {
		x.Ack, x.OptOut = notify.AckToken(key, notice), notify.OptOutToken(key, OptOutAddress)
	}
	return x
}

// Fill substitutes a route's path parameters; a page path's "{$}" (the
// exact-match mark of the start page) is dropped.
func (x IDs) Fill(path string) string {
	return strings.NewReplacer(
		"{$}", "",
		"{id}", strconv.FormatInt(x.Org, 10),
		"{cid}", strconv.FormatInt(x.Contact, 10),
		"{aid}", strconv.FormatInt(x.Asset, 10),
		"{did}", strconv.FormatInt(x.Device, 10),
		"{tid}", strconv.FormatInt(x.Token, 10),
		"{nid}", strconv.FormatInt(x.Notice, 10),
		"{oid}", strconv.FormatInt(x.Outbox, 10),
		"{cnid}", strconv.FormatInt(x.Call, 10),
		"{fid}", strconv.FormatInt(x.Finding, 10),
		"{xid}", strconv.FormatInt(x.Dispute, 10),
		"{sid}", strconv.FormatInt(x.Assessment, 10),
		"{rid}", strconv.FormatInt(x.Run, 10),
		"{eid}", strconv.FormatInt(x.Evidence, 10),
		"{src}", strconv.FormatInt(x.Source, 10),
		"{uid}", strconv.FormatInt(x.User, 10),
		"{mid}", strconv.FormatInt(x.Member, 10),
		"{iid}", strconv.FormatInt(x.Invitation, 10),
		"{ack}", x.Ack,
		"{optout}", x.OptOut,
		"{file}", x.Label,
	).Replace(path)
}

// PageQueries are the queries a GET page needs to answer what it is for,
// by route id (a download of one person's data names the person, the demo
// mailbox opens the message Mail sent).
func PageQueries() map[string]string {
	return map[string]string{
		"pagePrivacyExport": "?contact=memberA@portal.example",
		"pageMailbox":       "?m=1",
	}
}

// Mail sends, by SMTP to the mailbox at addr (app.Mailbox), the message
// the demo mailbox's page shows: a sign-up confirmation with its link
// below base.
func Mail(t testing.TB, a *app.App, base string) {
	t.Helper()
	mb := a.Mailbox()
	if mb == nil {
		t.Fatal("pageseed: the application has no mailbox")
	}
	msg := "From: vigil CERT <cert@portal.example>\r\nTo: newcomer@portal.example\r\nSubject: Confirm your e-mail address\r\n" +
		"Date: Mon, 23 Nov 2026 09:30:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Someone, probably you, signed up for an account with newcomer@portal.example.\r\n\r\n" +
		"Confirm the address by opening this link within 24 hours:\r\n" + base + "/signup/confirm?token=pageseed-token\r\n\r\n" +
		"If it was not you, ignore this message: the account stays unusable.\r\n"
	if err := smtp.SendMail(mb.Addr(), nil, "cert@portal.example", []string{"newcomer@portal.example"}, []byte(msg)); err != nil {
		t.Fatalf("pageseed: mail: %v", err)
	}
}
