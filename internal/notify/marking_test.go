// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"vigil/internal/finding"
	"vigil/internal/notify"
	"vigil/internal/tlp"
)

// TestMarkingShown renders a notice of real report rows under each marking
// in both languages: the subject starts with the label, both bodies open
// with it and its sharing rule, the evidence CSV and the JSON document
// carry it; an unmarked notice shows none.
func TestMarkingShown(t *testing.T) {
	r, err := notify.NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	base := corpusItems(t, "2025-06-01-scan_exchange-vigil_test-asn.csv", "scan_exchange", "Vulnerable Exchange servers", "vulnerable-system")[:3]
	for _, m := range []tlp.Marking{tlp.None, tlp.Clear, tlp.Green, tlp.Amber, tlp.AmberStrict, tlp.Red} {
		for _, lang := range []string{"en", "nl"} {
			t.Run(m.Name()+"_"+lang, func(t *testing.T) {
				items := make([]notify.Item, len(base))
				copy(items, base)
				items[1].TLP = m // one item's marking marks the notice
				c := notify.Content{Kind: notify.KindImmediate, OrgName: "Ziekenhuis Midden", Severity: finding.Critical, Created: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC), Items: items}
				out, err := r.Render(lang, notify.View{Content: c, NoticeID: 7, Sender: "vigil CERT"})
				if err != nil {
					t.Fatal(err)
				}
				doc, err := json.Marshal(notify.NewDocument(7, "VGL-7K3P-Q9XD", c))
				if err != nil {
					t.Fatal(err)
				}
				csv := string(out.CSV)
				if m == tlp.None {
					if strings.Contains(out.Subject+out.Text+out.HTML+csv+string(doc), "TLP") {
						t.Errorf("an unmarked notice shows a marking:\n%s\n%.200s", out.Subject, out.Text)
					}
					return
				}
				label := m.String()
				if !strings.HasPrefix(out.Subject, "["+label+"] [vigil CERT]") {
					t.Errorf("subject %q does not start with the label", out.Subject)
				}
				first, _, _ := strings.Cut(out.Text, "\n")
				if !strings.HasPrefix(first, label+"  ") || len(first) < len(label)+20 {
					t.Errorf("text opens with %q; want the label and its sharing rule", first)
				}
				if (lang == "nl") == (first == label+"  "+m.Guidance()) {
					t.Errorf("%s text opens with %q: the rule is not in the recipient's language", lang, first)
				}
				body := out.HTML[strings.Index(out.HTML, "<body"):]
				if !strings.Contains(body[:strings.Index(body, "</p>")], ">"+label+"</span>") {
					t.Errorf("the HTML body does not open with the label:\n%.400s", body)
				}
				head, row, _ := strings.Cut(csv, "\r\n")
				if !strings.HasSuffix(head, ",tlp") || !strings.Contains(csv, label) || strings.Count(row, "\r\n") != 3 {
					t.Errorf("evidence CSV lacks the tlp column:\n%s", csv)
				}
				if !strings.Contains(string(doc), `"tlp":"`+label+`"`) {
					t.Errorf("document lacks the marking: %.300s", doc)
				}
				if err := notify.ValidateDocument(doc); err != nil {
					t.Error(err)
				}
			})
		}
	}
}

// TestPlanWithholdsRed: in a run whose findings are partly marked
// TLP:RED, the others make the notice to the organisation (its contact and
// webhook) and the TLP:RED ones a notice of their own that goes to nobody
// and waits on the call list with the reason.
func TestPlanWithholdsRed(t *testing.T) {
	f := newPlanFixture(t)
	org := f.orgs[1]
	org.Policy.Channels = []string{"email", "webhook"}
	org.Policy.WebhookURL = "https://hooks.ziekenhuis.example/in"
	f.orgs[1] = org
	var evs []notify.EventInput
	for i := range 4 {
		e := f.event(int64(i+1), 1, i, finding.EventNew, finding.Critical)
		if i%2 == 1 {
			e.Finding.TLP = tlp.Red
		} else {
			e.Finding.TLP = tlp.AmberStrict
		}
		evs = append(evs, e)
	}
	p := notify.PlanBatch(&notify.Batch{Now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC), Events: evs, Orgs: f.orgs}, notify.PlanConfig{Languages: []string{"en", "nl"}})
	if len(p.Notices) != 2 || p.Skipped[notify.ReasonTLPRed] != 2 {
		t.Fatalf("plan: %d notices, skipped %v; want two, two TLP:RED items withheld", len(p.Notices), p.Skipped)
	}
	for _, d := range p.Notices {
		switch d.Content.Marking() {
		case tlp.Red:
			if len(d.Deliveries) != 0 || !strings.Contains(d.Undeliverable, "TLP:RED") || len(d.Content.Items) != 2 {
				t.Errorf("TLP:RED notice: %d deliveries, %d items, reason %q", len(d.Deliveries), len(d.Content.Items), d.Undeliverable)
			}
		case tlp.AmberStrict:
			var chans []string
			for _, dl := range d.Deliveries {
				chans = append(chans, string(dl.Channel)+" "+dl.Recipient)
			}
			if strings.Join(chans, ", ") != "email csirt@ziekenhuis.example, webhook https://hooks.ziekenhuis.example/in" || len(d.Content.Items) != 2 {
				t.Errorf("TLP:AMBER+STRICT notice: deliveries %v, %d items", chans, len(d.Content.Items))
			}
		default:
			t.Errorf("a notice marked %q", d.Content.Marking())
		}
	}
	for _, it := range p.Items {
		if it.Notice < 0 {
			t.Errorf("item of event %d belongs to no notice", it.EventID)
		}
	}
}
