// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"vigil/internal/app"
	"vigil/internal/contact/rdap"
	"vigil/internal/contact/securitytxt"
	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/ingest"
	"vigil/internal/keyset"
	"vigil/internal/notify"
	"vigil/internal/registry"
	"vigil/internal/source"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
	"vigil/internal/tlp"
)

// The organisations of the TLP test, over the Exchange report in testdata.
const (
	tlpHospital = "Ziekenhuis Midden"  // 198.51.100.0/25: a contact and a webhook of its own
	tlpCouncil  = "Gemeente Voorbeeld" // 192.0.2.128/25: no contact; security.txt at its own domain
	tlpFactory  = "Fabriek"            // 198.51.100.128/25: no contact; security.txt names a contact at another domain
	tlpOffice   = "Kantoor"            // 192.0.2.0/25: no contact, no domain; the RDAP abuse contact of its address
)

// tlpPaths are the outbound paths the test checks for every marking.
var tlpPaths = []string{"contact", "webhook", "fallback security.txt (owner)", "fallback security.txt (other domain)",
	"fallback RDAP abuse", "unregistered security.txt (owner)", "unregistered RDAP abuse", "pull feed", "export", "portal member view"}

// tlpAllowed says, per marking, which paths may carry the data: written
// out, not derived from tlp.Allows, so that the rule and the test check
// each other.
var tlpAllowed = map[tlp.Marking][]string{
	tlp.None:        tlpPaths,
	tlp.Clear:       tlpPaths,
	tlp.Green:       tlpPaths,
	tlp.Amber:       tlpPaths,
	tlp.AmberStrict: {"contact", "webhook", "fallback security.txt (owner)", "unregistered security.txt (owner)", "pull feed", "export", "portal member view"},
	tlp.Red:         {},
}

// TestTLPMarkings ingests the Exchange report under each marking and
// follows its findings down every outbound path, on SQLite and
// PostgreSQL: what each path passes on, that a notice shows the marking
// (subject, body, JSON) and that what is withheld waits on the analysts'
// call list with the reason.
func TestTLPMarkings(t *testing.T) {
	for _, m := range []tlp.Marking{tlp.None, tlp.Clear, tlp.Green, tlp.Amber, tlp.AmberStrict, tlp.Red} {
		name := m.String()
		if name == "" {
			name = "unmarked"
		}
		t.Run(name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				got := runTLPPaths(t, s, m)
				for _, p := range tlpPaths {
					want := slices.Contains(tlpAllowed[m], p)
					if got[p] != want {
						t.Errorf("%s: %q passed on %v, want %v", p, name, got[p], want)
					}
				}
			})
		})
	}
}

// runTLPPaths ingests the report under marking m and reports which paths
// passed its findings on.
func runTLPPaths(t *testing.T, s *store.Store, m tlp.Marking) map[string]bool {
	t.Helper()
	ctx := context.Background()
	orgs := map[string]int64{}
	for _, o := range []registry.Org{
		{Name: tlpHospital, Policy: registry.Policy{Mode: "immediate", Channels: []string{"email", "webhook"}, WebhookURL: "https://hooks.ziekenhuis.example/vigil"},
			Assets: []registry.Asset{{Kind: registry.KindCIDR, Value: "198.51.100.0/25"}}, Contacts: []registry.Contact{{Email: "soc@ziekenhuis.example", Role: "security"}}},
		{Name: tlpCouncil, Assets: []registry.Asset{{Kind: registry.KindCIDR, Value: "192.0.2.128/25"}, {Kind: registry.KindDomain, Value: "gemeente-voorbeeld.example.nl"}}},
		{Name: tlpFactory, Assets: []registry.Asset{{Kind: registry.KindCIDR, Value: "198.51.100.128/25"}, {Kind: registry.KindDomain, Value: "fabriek.example.com"}}},
		{Name: tlpOffice, Assets: []registry.Asset{{Kind: registry.KindCIDR, Value: "192.0.2.0/25"}}},
	} {
		if err := s.OrgCreate(ctx, tenant.Operator(), &o); err != nil {
			t.Fatal(err)
		}
		orgs[o.Name] = o.ID
	}
	const report = "2025-06-01-scan_exchange-vigil_test-asn.csv"
	var unmatched []finding.Sighting
	ingestReport := func(mark tlp.Marking) ingest.Summary {
		f, err := os.Open("testdata/" + report)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		ix, err := ingest.BuildIndex(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := ingest.Feed(ctx, s, ix, f, ingest.Options{Name: report, FullReport: true, TLP: mark,
			Unmatched: func(sg finding.Sighting) { unmatched = append(unmatched, sg) }})
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	if sum := ingestReport(m); sum.TLP != m || sum.Matched == 0 {
		t.Fatalf("ingest summary %+v; want marking %q and matched rows", sum, m)
	}
	all, err := s.FindingList(ctx, tenant.Operator(), finding.Filter{Page: keyset.Page{Limit: 100}})
	if err != nil || len(all) == 0 {
		t.Fatalf("analyst's findings: %d, %v", len(all), err)
	}
	for _, f := range all {
		if f.TLP != m {
			t.Errorf("finding %d (%s) has marking %q, want %q", f.ID, f.Key, f.TLP, m)
		}
	}

	disc := &notify.Discoverer{
		SecurityTxt: func(_ context.Context, host string) (securitytxt.Report, error) {
			raw, ok := map[string]string{
				"example.nl":  "Contact: mailto:security@gemeente-voorbeeld.example.nl\nExpires: 2030-01-01T00:00:00Z\n",
				"example.com": "Contact: mailto:security@example.com\nExpires: 2030-01-01T00:00:00Z\n",
				// The factory's security team is a service provider's.
				"fabriek.example.com": "Contact: mailto:csirt@mssp.example\nExpires: 2030-01-01T00:00:00Z\n",
			}[host]
			if !ok {
				return securitytxt.Report{}, fmt.Errorf("no security.txt at %s", host)
			}
			return securitytxt.Validate([]byte(raw), securitytxt.Options{Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}), nil
		},
		RDAP: tlpRDAP{},
	}
	n := notify.NewNotifier(notify.NotifierConfig{Store: s, Now: s.Now, Fallback: &notify.Fallback{Store: s, Discoverer: disc, Now: s.Now}})
	if _, err := n.Compose(ctx, false); err != nil {
		t.Fatal(err)
	}
	out, err := s.OutboxList(ctx, tenant.Operator(), "", keyset.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	sent := map[string]bool{}
	for _, o := range out {
		sent[string(o.Channel)+" "+o.Recipient] = true
	}
	got := map[string]bool{
		"contact":                              sent["email soc@ziekenhuis.example"],
		"webhook":                              sent["webhook https://hooks.ziekenhuis.example/vigil"],
		"fallback security.txt (owner)":        sent["email security@gemeente-voorbeeld.example.nl"],
		"fallback security.txt (other domain)": sent["email csirt@mssp.example"],
		"fallback RDAP abuse":                  sent["email abuse@isp.example"],
	}
	if len(sent) != len(out) {
		t.Errorf("outbox %+v has a recipient twice", out)
	}

	// The hospital's notice shows the marking in its subject, its bodies
	// and its JSON document.
	notices, err := s.NoticeList(ctx, tenant.Operator(), notify.NoticeFilter{Page: keyset.Page{Limit: 100}})
	if err != nil || len(notices) == 0 {
		t.Fatalf("notices: %d, %v", len(notices), err)
	}
	r, err := notify.NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, no := range notices {
		c, err := s.NoticeContent(ctx, tenant.Operator(), no.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Marking() != m {
			t.Errorf("notice %d of %q carries marking %q, want %q", no.ID, no.OrgName, c.Marking(), m)
		}
		rd, err := r.Render("en", notify.View{Content: c, NoticeID: no.ID, Sender: "vigil CERT"})
		if err != nil {
			t.Fatal(err)
		}
		doc, err := json.Marshal(notify.NewDocument(no.ID, no.Ticket, c))
		if err != nil {
			t.Fatal(err)
		}
		if m == tlp.None {
			if strings.Contains(rd.Subject+rd.Text+rd.HTML+string(doc), "TLP:") {
				t.Errorf("an unmarked notice shows a marking: %q", rd.Subject)
			}
			continue
		}
		if !strings.HasPrefix(rd.Subject, "["+m.String()+"] ") || !strings.HasPrefix(rd.Text, m.String()+"  "+m.Guidance()) ||
			!strings.Contains(rd.HTML, ">"+m.String()+"</span>") || !strings.Contains(string(doc), `"tlp":"`+m.String()+`"`) {
			t.Errorf("notice %d does not show %q:\nsubject %q\ntext %.120q\ndocument %.200s", no.ID, m, rd.Subject, rd.Text, doc)
		}
		if err := notify.ValidateDocument(doc); err != nil {
			t.Errorf("notice %d document: %v", no.ID, err)
		}
	}

	// What was withheld waits on the analysts' call list with the reason;
	// members never see a notice marked TLP:RED.
	calls, err := s.NoticeCallList(ctx, tenant.Operator())
	if err != nil {
		t.Fatal(err)
	}
	why := map[string]string{}
	for _, c := range calls {
		why[c.OrgName] = c.Undeliverable
	}
	switch m {
	case tlp.Red:
		for name := range orgs {
			if !strings.Contains(why[name], "TLP:RED: for the analysts only") {
				t.Errorf("%s: call list reason %q; want the TLP:RED reason", name, why[name])
			}
		}
		for name, id := range orgs {
			if ns, err := s.NoticeList(ctx, tenant.Org(id), notify.NoticeFilter{Page: keyset.Page{Limit: 100}}); err != nil || len(ns) != 0 {
				t.Errorf("%s's member sees %d TLP:RED notices (%v)", name, len(ns), err)
			}
		}
	case tlp.AmberStrict:
		for _, name := range []string{tlpFactory, tlpOffice} {
			if !strings.Contains(why[name], "TLP:AMBER+STRICT: only for the organisation itself") {
				t.Errorf("%s: call list reason %q; want the TLP:AMBER+STRICT reason", name, why[name])
			}
		}
	}

	// Owners of unregistered addresses, through security.txt and RDAP.
	for _, sg := range unmatched {
		if sg.TLP != m {
			t.Errorf("unmatched sighting %s has marking %q, want %q", sg.Key, sg.TLP, m)
		}
	}
	reasons := map[string]string{}
	for _, key := range []string{"203.0.113.219:443", "203.0.113.79:443"} {
		i := slices.IndexFunc(unmatched, func(sg finding.Sighting) bool { return sg.Key == key })
		if i < 0 {
			t.Fatalf("no unmatched sighting %s in %d", key, len(unmatched))
		}
		res, err := notify.NotifyUnregistered(ctx, notify.UnregisteredConfig{Store: s, Discoverer: disc, Now: s.Now},
			finding.Trigger{ID: all[0].TriggerID, Name: all[0].Trigger, NotifyUnregistered: true}, unmatched[i])
		if err != nil {
			t.Fatal(err)
		}
		reasons[key] = res.Reason
	}
	got["unregistered security.txt (owner)"] = reasons["203.0.113.219:443"] == notify.UnregCreated
	got["unregistered RDAP abuse"] = reasons["203.0.113.79:443"] == notify.UnregCreated
	wantWithheld := map[tlp.Marking][2]string{tlp.Red: {notify.UnregTLPRed, notify.UnregTLPRed}, tlp.AmberStrict: {notify.UnregCreated, notify.UnregTLPExcluded}}
	if w, ok := wantWithheld[m]; ok && (reasons["203.0.113.219:443"] != w[0] || reasons["203.0.113.79:443"] != w[1]) {
		t.Errorf("unregistered reasons %v; want %v", reasons, w)
	}

	// The member's views: the pull feed, the export and the portal read
	// the same scoped store methods.
	hosp := tenant.Org(orgs[tlpHospital])
	mine := 0
	for _, f := range all {
		if f.OrgID == orgs[tlpHospital] {
			mine++
		}
	}
	// On PostgreSQL the feed trails the oldest transaction running on the
	// server (other databases' too): wait a while for the analyst's feed
	// to show the report, then compare the member's with what the
	// analyst's shows of the hospital.
	opHosp := 0
	for range 400 {
		op, err := s.FindingChanges(ctx, tenant.Operator(), finding.Cursor{}, 1000)
		if err != nil {
			t.Fatal(err)
		}
		opHosp = 0
		for _, c := range op.Changes {
			if c.Finding.OrgID == orgs[tlpHospital] {
				opHosp++
			}
		}
		if len(op.Changes) >= len(all) {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	if opHosp != mine {
		t.Logf("the feed trails a transaction elsewhere on the server: %d of the hospital's %d findings visible", opHosp, mine)
	}
	changes, err := s.FindingChanges(ctx, hosp, finding.Cursor{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes.Changes {
		if c.Finding.TLP != m || c.Finding.OrgID != orgs[tlpHospital] {
			t.Errorf("the member's feed shows finding %d of organisation %d marked %q", c.Finding.ID, c.Finding.OrgID, c.Finding.TLP)
		}
	}
	got["pull feed"] = opHosp > 0 && len(changes.Changes) >= opHosp
	export, err := s.FindingList(ctx, hosp, finding.Filter{Page: keyset.Page{Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	got["export"] = len(export) == mine
	page, err := s.FindingListBySeen(ctx, hosp, finding.Filter{Page: keyset.Page{Limit: 1000}}, finding.Seen{})
	if err != nil {
		t.Fatal(err)
	}
	_, getErr := s.FindingGet(ctx, hosp, export0(all, orgs[tlpHospital]))
	got["portal member view"] = len(page) == mine && getErr == nil
	for _, views := range [][]finding.Finding{export, page} {
		for _, f := range views {
			if f.TLP != m {
				t.Errorf("the member sees finding %d with marking %q, want %q", f.ID, f.TLP, m)
			}
		}
	}
	if m == tlp.Red && (len(changes.Changes) != 0 || len(export) != 0 || len(page) != 0 || getErr == nil) {
		t.Errorf("a member reads TLP:RED findings: feed %d, export %d, page %d, get %v", len(changes.Changes), len(export), len(page), getErr)
	}

	// Seen again under other markings, a finding keeps the most
	// restrictive one.
	ingestAgain := func(mark tlp.Marking) {
		ix, err := ingest.BuildIndex(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Open("testdata/" + report)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		// A different name: the same content under another source.
		if _, err := ingest.Feed(ctx, s, ix, f, ingest.Options{Name: "again-" + report, ReportType: "scan_exchange", Trigger: all[0].Trigger, FullReport: true, TLP: mark}); err != nil {
			t.Fatal(err)
		}
	}
	for _, mark := range []tlp.Marking{tlp.Green, tlp.AmberStrict} {
		ingestAgain(mark)
		after, err := s.FindingList(ctx, tenant.Operator(), finding.Filter{Page: keyset.Page{Limit: 100}})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range after {
			if want := max(m, mark); f.Trigger == all[0].Trigger && f.TLP != want {
				t.Errorf("after a sighting under %q: finding %d has %q, want %q", mark, f.ID, f.TLP, want)
			}
		}
	}
	return got
}

// export0 returns the id of the first finding of org in fs.
func export0(fs []finding.Finding, org int64) int64 {
	for _, f := range fs {
		if f.OrgID == org {
			return f.ID
		}
	}
	return 0
}

// tlpRDAP answers every address of the test's networks with the ISP's
// abuse contact.
type tlpRDAP struct{}

func (tlpRDAP) Lookup(_ context.Context, q string) (rdap.Result, error) {
	for _, p := range []string{"192.0.2.", "198.51.100.", "203.0.113."} {
		if strings.HasPrefix(q, p) {
			return rdap.Result{Query: q, AbuseEmail: "abuse@isp.example", Network: "TEST-NET", Source: "https://rdap.isp.example/"}, nil
		}
	}
	return rdap.Result{}, errors.New("rdap: not found")
}

// TestTLPFromCSAF: a finding made from a CSAF advisory carries the
// document's own marking (document.distribution.tlp.label; the Axis
// advisory in testdata says TLP 1.0's WHITE, read as TLP:CLEAR), and a
// label vigil cannot read refuses the document naming the field.
func TestTLPFromCSAF(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		vulnOrgs(t, s, true)
		raw, err := os.ReadFile("testdata/icsa-23-206-01.json")
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		want := map[string]tlp.Marking{}
		for i, label := range []string{"WHITE", "AMBER", "RED", "AMBER+STRICT", "YELLOW"} {
			var doc map[string]any
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			d := doc["document"].(map[string]any)
			d["tracking"].(map[string]any)["id"] = fmt.Sprintf("ICSA-26-341-0%d", i+1)
			d["distribution"].(map[string]any)["tlp"].(map[string]any)["label"] = label
			cve := fmt.Sprintf("CVE-2026-9100%d", i+1)
			doc["vulnerabilities"].([]any)[0].(map[string]any)["cve"] = cve
			out, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(fmt.Sprintf("%s/doc-%d.json", dir, i), out, 0o600); err != nil {
				t.Fatal(err)
			}
			if m, err := tlp.Parse(label); err == nil {
				want[cve] = m
			}
		}
		x := newApp(t, s, nil)
		sums, err := x.LoadCSAF(ctx, dir, nil, app.ProviderOptions{})
		if err == nil || !strings.Contains(err.Error(), "1 of 5 files failed") {
			t.Fatalf("load: %v; want the YELLOW document to fail", err)
		}
		refused := false
		for _, sum := range sums {
			for _, e := range sum.Errors {
				if e.Field == "document.distribution.tlp.label" && strings.Contains(e.Reason, "TLP:AMBER+STRICT") {
					refused = true
				}
			}
		}
		if !refused {
			t.Errorf("a document marked YELLOW was not refused naming the field: %+v", sums)
		}
		fs, err := s.FindingList(ctx, tenant.Operator(), finding.Filter{Type: "vulnerable", Page: keyset.Page{Limit: 1000}})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, f := range fs {
			w, ok := want[f.CVE]
			if !ok {
				t.Errorf("finding %d of %s: no such advisory", f.ID, f.CVE)
				continue
			}
			seen[f.CVE] = true
			if f.TLP != w {
				t.Errorf("finding %d of %s has marking %q, want %q", f.ID, f.CVE, f.TLP, w)
			}
		}
		if len(seen) != len(want) {
			t.Errorf("findings of %v, want one per readable advisory %v", seen, want)
		}
	})
}

// TestTLPSourceDefault: a watched-directory source's marking goes to the
// findings of every file it brings (source run, the CLI's ingest path);
// an advisory source refuses one.
func TestTLPSourceDefault(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		org := registry.Org{Name: tlpHospital, Assets: []registry.Asset{{Kind: registry.KindCIDR, Value: "198.51.100.0/24"}},
			Contacts: []registry.Contact{{Email: "soc@ziekenhuis.example", Role: "security"}}}
		if err := s.OrgCreate(ctx, tenant.Operator(), &org); err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile("testdata/2025-06-01-scan_exchange-vigil_test-asn.csv")
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := os.WriteFile(dir+"/2025-06-01-scan_exchange-vigil_test-asn.csv", raw, 0o600); err != nil {
			t.Fatal(err)
		}
		x := newApp(t, s, nil)
		if _, err := x.SourceAdd(ctx, source.Source{Name: "kev", Kind: source.KindKEV, URL: "https://www.cisa.gov/kev.json", TLP: tlp.Amber}); errs.CodeOf(err) != errs.Invalid || !strings.Contains(err.Error(), "tlp") {
			t.Errorf("a KEV source with a marking = %v; want refused naming tlp", err)
		}
		if _, err := x.SourceAdd(ctx, source.Source{Name: "drop", Kind: source.KindDir, URL: dir, TLP: tlp.AmberStrict}); err != nil {
			t.Fatal(err)
		}
		det, err := x.SourceShow(ctx, "drop")
		if err != nil || det.Source.TLP != tlp.AmberStrict || !strings.Contains(det.Text(), "marking: TLP:AMBER+STRICT") {
			t.Fatalf("source = %+v, %v; want its marking kept and shown", det.Source, err)
		}
		if r, err := x.SourceRun(ctx, "drop"); err != nil || len(r.Files) != 1 {
			t.Fatalf("run = %+v, %v", r, err)
		}
		fs, err := s.FindingList(ctx, tenant.Operator(), finding.Filter{Page: keyset.Page{Limit: 100}})
		if err != nil || len(fs) == 0 {
			t.Fatalf("findings: %d, %v", len(fs), err)
		}
		for _, f := range fs {
			if f.TLP != tlp.AmberStrict {
				t.Errorf("finding %d from the source has marking %q", f.ID, f.TLP)
			}
		}
	})
}
