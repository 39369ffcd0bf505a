// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/finding"
	"vigil/internal/notify"
	"vigil/internal/ticket"
)

// goldenContents are the notices whose renderings are kept as golden
// files: a daily digest over two real reports, a critical immediate
// notice and a notice to a discovered contact.
func goldenContents(t *testing.T) map[string]notify.View {
	exch := corpusItems(t, "2025-06-01-scan_exchange-vigil_test-asn.csv", "scan_exchange", "Vulnerable Exchange servers", "vulnerable-system")
	sink := corpusItems(t, "2025-06-01-event4_sinkhole_http-vigil_test-asn.csv", "event4_sinkhole_http", "Infected systems (sinkhole)", "infected-system")
	created := time.Date(2025, 6, 2, 6, 0, 0, 0, time.UTC)
	digest := notify.Content{Kind: notify.KindDigest, Mode: notify.Daily, OrgID: 7, OrgName: "Ziekenhuis Midden", Created: created,
		Items: []notify.Item{exch[0], exch[2], sink[0]}}
	for _, it := range digest.Items {
		digest.Severity = max(digest.Severity, it.Severity)
	}
	imm := notify.Content{Kind: notify.KindImmediate, OrgID: 7, OrgName: "Ziekenhuis Midden", Created: created, Items: []notify.Item{exch[1]}, Severity: exch[1].Severity}
	imm.Items[0].TriggerDescription = "Exchange servers vulnerable to ProxyLogon (CVE-2021-26855) and related flaws."
	unreg := notify.Content{Kind: notify.KindUnregistered, Created: created, Items: []notify.Item{sink[1]}, Severity: sink[1].Severity}
	view := func(c notify.Content, id int64) notify.View {
		tk := ticket.Ticket(fmt.Sprintf("VGL-7K3P-Q9%02d", id))
		return notify.View{Content: c, NoticeID: id, Sender: "vigil CERT", AckURL: "https://vigil.example.nl/ack/TOKEN", Recipient: "csirt@ziekenhuis.example",
			Ticket: tk, AccessCode: ticket.AccessCode([]byte("golden key"), tk), VerifyURL: "https://vigil.example.nl/verify",
			SchemaURL: "https://vigil.example.nl/schemas/notice.json"}
	}
	u := view(unreg, 44)
	u.ContactSource = "RDAP abuse contact of 198.51.100.0/25 (EXAMPLE-NET) at https://rdap.db.ripe.net/ip/198.51.100.9"
	// A label downgrade, with the evidence the rating service files.
	down := notify.ItemFromFinding(finding.EventNew, finding.Finding{ID: 9, OrgID: 7, Trigger: "label-downgrade", Type: notify.LabelDowngrade,
		ReportType: "label", Class: notify.LabelDowngrade, Key: "device:3:label:VL-7Q2M", DeviceID: 3, Severity: finding.High,
		FirstSeen: created, LastSeen: created, Count: 1,
		Evidence: []byte(`{"device":{"vendor":"Palo Alto Networks","model":"PA-220","firmware":"10.2.9"},"old_label":"VL-3K8D","new_label":"VL-7Q2M",` +
			`"old_grade":"B","new_grade":"F","why":"CVE-2024-3400 added to KEV affects component pkg:generic/pan-os@10.2.9",` +
			`"verify_url":"https://vigil.example.nl/labels/VL-7Q2M"}`)},
		finding.Trigger{Name: "label-downgrade", Kind: "label", Title: "IoT security label downgraded"})
	if down.Label == nil || down.Label.Device != "Palo Alto Networks PA-220 10.2.9" || down.Label.NewGrade != "F" {
		t.Fatalf("label item = %+v", down.Label)
	}
	dg := notify.Content{Kind: notify.KindImmediate, OrgID: 7, OrgName: "Ziekenhuis Midden", Created: created, Items: []notify.Item{down}, Severity: down.Severity}
	return map[string]notify.View{"digest": view(digest, 42), "immediate": view(imm, 43), "unregistered": u, "downgrade": view(dg, 45)}
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	r, err := notify.NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"en", "nl"}, r.Languages()); diff != "" {
		t.Fatalf("languages (-want +got):\n%s", diff)
	}
	for name, v := range goldenContents(t) {
		for _, lang := range []string{"en", "nl"} {
			got, err := r.Render(lang, v)
			if err != nil {
				t.Fatalf("%s/%s: %v", name, lang, err)
			}
			if got.Lang != lang {
				t.Errorf("%s: rendered in %s; want %s", name, got.Lang, lang)
			}
			for ext, content := range map[string]string{"subject.txt": got.Subject + "\n", "txt": got.Text, "html": got.HTML, "csv": string(got.CSV)} {
				if ext == "csv" && lang == "nl" {
					continue // the CSV does not depend on the language
				}
				checkGolden(t, filepath.Join("testdata", "golden", name+"."+lang+"."+ext), content)
			}
		}
	}
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

func TestRenderContents(t *testing.T) {
	t.Parallel()
	r, err := notify.NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	v := goldenContents(t)["digest"]
	// Each warning says what, when, why, what to do, with references and
	// the acknowledgement link; values are escaped in HTML.
	v.Items[0].Hostname = `<script>alert(1)</script>.example`
	for lang, want := range map[string][]string{
		"en": {"What we saw:", "When:", "Why it matters:", "What to do:", "https://nvd.nist.gov/vuln/detail/CVE-2021-26855",
			"https://www.shadowserver.org/what-we-do/network-reporting/vulnerable-exchange-server-report/", "first seen 1 June 2025", v.AckURL},
		"nl": {"Wat we zagen:", "Wanneer:", "Waarom het ertoe doet:", "Wat te doen:", "voor het eerst 1 juni 2025", "Bevestig alstublieft", v.AckURL},
	} {
		got, err := r.Render(lang, v)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(got.Text, w) {
				t.Errorf("%s text lacks %q", lang, w)
			}
		}
		if strings.Contains(got.HTML, "<script>") || !strings.Contains(got.HTML, "&lt;script&gt;") {
			t.Errorf("%s HTML does not escape evidence", lang)
		}
	}
	if _, err := r.Render("en", notify.View{}); err == nil {
		t.Error("rendered a notice without items")
	}
	// An unsupported language falls back to English.
	if got, _ := r.Render("fr", v); got.Lang != "en" {
		t.Errorf("fr rendered as %q; want en", got.Lang)
	}
}

// TestRenderVersionCaveat: a vulnerable device whose version could not be
// compared with the advisory is told so in words, in both languages; one
// whose version was compared is not.
func TestRenderVersionCaveat(t *testing.T) {
	t.Parallel()
	r, err := notify.NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2025, 6, 2, 6, 0, 0, 0, time.UTC)
	item := func(evidence string) notify.Item {
		return notify.ItemFromFinding(finding.EventNew, finding.Finding{ID: 5, OrgID: 7, Trigger: "vuln:CVE-2024-3850", Type: "vulnerable",
			Key: "device:3:CVE-2024-3850", DeviceID: 3, CVE: "CVE-2024-3850", Severity: finding.High, FirstSeen: created, LastSeen: created, Count: 1,
			Evidence: []byte(evidence)}, finding.Trigger{Name: "vuln:CVE-2024-3850", Kind: "vuln"})
	}
	for _, tt := range []struct {
		evidence string
		want     map[string]string // language → sentence; empty: none
	}{
		{`{"cve":"CVE-2024-3850","version_check":"not_compared","caveat":"The version could not be compared"}`, map[string]string{
			"en": "Note:            We could not compare the firmware version", "nl": "Let op:          We konden de firmwareversie niet vergelijken"}},
		{`{"cve":"CVE-2024-3850","version_check":"no_version"}`, map[string]string{
			"en": "No firmware version is registered for this device", "nl": "Voor dit apparaat is geen firmwareversie geregistreerd"}},
		{`{"cve":"CVE-2024-3850"}`, nil},
		{`{"cve":"CVE-2024-3850","version_check":"<b>made up</b>"}`, nil},
	} {
		it := item(tt.evidence)
		v := notify.View{Content: notify.Content{Kind: notify.KindImmediate, OrgID: 7, Created: created, Items: []notify.Item{it}, Severity: it.Severity},
			NoticeID: 1, Sender: "vigil CERT", AckURL: "https://vigil.example.nl/ack/T", Ticket: "VGL-7K3P-Q901"}
		for _, lang := range []string{"en", "nl"} {
			got, err := r.Render(lang, v)
			if err != nil {
				t.Fatal(err)
			}
			label := map[string]string{"en": "Note", "nl": "Let op"}[lang]
			if w := tt.want[lang]; w != "" {
				if !strings.Contains(got.Text, w) || !strings.Contains(got.HTML, ">"+label+"</th>") {
					t.Errorf("%s %s: lacks %q:\n%s", tt.evidence, lang, w, got.Text)
				}
			} else if strings.Contains(got.Text, label+":") || strings.Contains(got.HTML, ">"+label+"</th>") {
				t.Errorf("%s %s: has a caveat:\n%s", tt.evidence, lang, got.Text)
			}
		}
	}
}

func TestRendererOverride(t *testing.T) {
	t.Parallel()
	override := fstest.MapFS{
		// A changed text in Dutch: only that key changes.
		"nl/messages.yaml": {Data: []byte("why:\n  vulnerable-system: Dit is een aangepaste uitleg.\n")},
		// A new language, complete.
		"de/subject.txt.tmpl": {Data: []byte("[{{.Sender}}] Warnung: {{len .Items}} Befund(e)")},
		"de/body.txt.tmpl":    {Data: []byte("{{range .Items}}{{why .Type}} {{sev .Severity}} {{date .FirstSeen}}\n{{end}}")},
		"de/body.html.tmpl":   {Data: []byte("<p>{{range .Items}}{{why .Type}}{{end}}</p>")},
		"de/messages.yaml": {Data: []byte("months: [Januar, Februar, März, April, Mai, Juni, Juli, August, September, Oktober, November, Dezember]\n" +
			"severity: {critical: kritisch, high: hoch}\nwhy: {default: Ein Problem.}\n")},
	}
	r, err := notify.NewRenderer(override)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"de", "en", "nl"}, r.Languages()); diff != "" {
		t.Errorf("languages (-want +got):\n%s", diff)
	}
	v := goldenContents(t)["immediate"]
	nl, err := r.Render("nl", v)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(nl.Text, "Dit is een aangepaste uitleg.") || !strings.Contains(nl.Text, "Wat te doen:") {
		t.Errorf("nl override not applied key-wise:\n%s", nl.Text)
	}
	de, err := r.Render("de", v)
	if err != nil {
		t.Fatal(err)
	}
	if de.Subject != "[vigil CERT] Warnung: 1 Befund(e)" || !strings.Contains(de.Text, "Ein Problem. kritisch 1 Juni 2025") {
		t.Errorf("de = %q / %q", de.Subject, de.Text)
	}
	// An incomplete new language and a broken template are refused.
	for name, fs := range map[string]fstest.MapFS{
		"incomplete": {"fr/subject.txt.tmpl": {Data: []byte("x")}},
		"syntax":     {"en/body.txt.tmpl": {Data: []byte("{{range}}")}},
		"months":     {"en/messages.yaml": {Data: []byte("months: [Jan]\n")}},
	} {
		if _, err := notify.NewRenderer(fs); err == nil {
			t.Errorf("%s override accepted", name)
		}
	}
}

func TestChooseLang(t *testing.T) {
	t.Parallel()
	supported := []string{"en", "nl"}
	tests := []struct {
		name string
		in   [][]string
		want string
	}{
		{"contact_language_first", [][]string{{"nl"}, {"en"}}, "nl"},
		{"region_subtag_ignored", [][]string{{"nl-BE"}}, "nl"},
		{"underscore_form", [][]string{{"NL_nl"}}, "nl"},
		{"unsupported_contact_then_org", [][]string{{"de"}, {"fr", "nl"}}, "nl"},
		{"security_txt_languages_last", [][]string{{""}, nil, {"de", "en"}}, "en"},
		{"nothing_known", nil, "en"},
		{"nothing_supported", [][]string{{"fr"}, {"de"}}, "en"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := notify.ChooseLang(supported, tc.in...); got != tc.want {
				t.Errorf("ChooseLang = %q; want %q", got, tc.want)
			}
		})
	}
}

func TestEvidenceCSV(t *testing.T) {
	t.Parallel()
	items := []notify.Item{
		{Trigger: "t", Type: "x", Severity: finding.High, Key: "192.0.2.1:80", IP: "192.0.2.1", Port: 80,
			Evidence: []byte(`{"url":"=HYPERLINK(\"http://evil\")","count":-3,"n":5}`)},
		{Trigger: "t", Type: "x", Key: "192.0.2.2", Evidence: []byte(`not json`)},
	}
	got := string(notify.EvidenceCSV(items))
	want := "trigger,type,severity,key,ip,port,hostname,asn,cve,first_seen,last_seen,count,evidence.count,evidence.n,evidence.url,evidence\r\n" +
		"t,x,high,192.0.2.1:80,192.0.2.1,80,,,,0001-01-01T00:00:00Z,0001-01-01T00:00:00Z,0,-3,5,\"'=HYPERLINK(\"\"http://evil\"\")\",\r\n" +
		"t,x,unknown,192.0.2.2,,,,,,0001-01-01T00:00:00Z,0001-01-01T00:00:00Z,0,,,,not json\r\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("EvidenceCSV (-want +got):\n%s", diff)
	}
}

// TestRenderAccountMessage: a portal message (password reset) renders as
// its own subject and text, with no HTML part or evidence attachment.
func TestRenderAccountMessage(t *testing.T) {
	t.Parallel()
	r, err := notify.NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	m := &notify.Message{Subject: "vigil: choose a new password", Text: "Choose a new password here:\nhttps://vigil.test/password/reset?token=x\n"}
	got, err := r.Render("nl", notify.View{Content: notify.Content{Kind: notify.KindAccount, Message: m}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != m.Subject || got.Text != m.Text || got.HTML != "" || got.CSVName != "" || got.Lang != "nl" {
		t.Errorf("rendered = %+v", got)
	}
	raw, err := notify.BuildMessage(notify.Outgoing{Recipient: "m@example.org", Key: "k", Date: time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)}, got, "cert@vigil.test", "vigil")
	if err != nil {
		t.Fatal(err)
	}
	if s := string(raw); !strings.Contains(s, "password/reset?token") || strings.Contains(s, "text/html") || strings.Contains(s, "text/csv") {
		t.Errorf("message:\n%s", s)
	}
	if _, err := r.Render("en", notify.View{Content: notify.Content{Kind: notify.KindAccount}}); err == nil {
		t.Error("an account notice without its message rendered")
	}
}
