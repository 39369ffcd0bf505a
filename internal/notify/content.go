// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"bytes"
	_ "embed" // the report link table
	"encoding/csv"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"vigil/internal/finding"
	"vigil/internal/text"
	"vigil/internal/tlp"
)

// Kind says how a notice came about.
type Kind string

// The notice kinds.
const (
	KindImmediate    Kind = "immediate"    // sent as soon as composed
	KindDigest       Kind = "digest"       // a daily or weekly bundle
	KindUnregistered Kind = "unregistered" // to a discovered contact of an unregistered IP
	KindAccount      Kind = "account"      // a portal message: password reset, invitation
)

// Content is what a notice says. It is stored with the notice when it is
// composed, so that every delivery and every retry renders the same
// warning, whatever happened to the findings since.
type Content struct {
	Kind     Kind             `json:"kind"`
	OrgID    int64            `json:"org_id,omitempty"`
	OrgName  string           `json:"org_name"`
	Severity finding.Severity `json:"severity"`
	Created  time.Time        `json:"created"`
	// Mode is the digest's mode (daily, weekly); empty otherwise.
	Mode  Mode   `json:"mode,omitempty"`
	Items []Item `json:"items"`
	// Languages are the organisation's languages (or a discovered
	// contact's Preferred-Languages), preferred first.
	Languages []string `json:"languages,omitempty"`
	// Message is the text of a KindAccount notice, already in the
	// recipient's language.
	Message *Message `json:"message,omitempty"`
	// TLP is the most restrictive marking of the items: the subject and
	// the body show it, and it decides who may receive the notice.
	TLP tlp.Marking `json:"tlp,omitempty"`
}

// Marking returns the most restrictive marking of c's items (or c.TLP
// when that is stricter).
func (c Content) Marking() tlp.Marking {
	m := c.TLP
	for _, it := range c.Items {
		m = max(m, it.TLP)
	}
	return m
}

// Message is a plain-text e-mail of the portal (KindAccount), sent through
// the outbox like a warning so that it gets the same retries and journal.
type Message struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
	// Redact are the secrets in Text (the token of a live reset,
	// invitation or confirmation link): the stored copy of the message
	// loses them once it is sent or given up (Redact), since notices are
	// kept long after a link may be used.
	Redact []string `json:"redact,omitempty"`
}

// Redacted stands in the stored copy of a sent message for a secret it
// carried.
const Redacted = "REMOVED-ONCE-SENT"

// Redacted returns m with its secrets replaced by Redacted, and whether
// there were any.
func (m Message) Redacted() (Message, bool) {
	if len(m.Redact) == 0 {
		return m, false
	}
	for _, sec := range m.Redact {
		if sec == "" {
			continue
		}
		m.Subject = strings.ReplaceAll(m.Subject, sec, Redacted)
		m.Text = strings.ReplaceAll(m.Text, sec, Redacted)
	}
	m.Redact = nil
	return m, true
}

// Item is one finding in a notice: what was seen, where and when.
type Item struct {
	Event              finding.EventKind `json:"event"`
	FindingID          int64             `json:"finding_id,omitempty"`
	Trigger            string            `json:"trigger"`
	TriggerTitle       string            `json:"trigger_title,omitempty"`
	TriggerDescription string            `json:"trigger_description,omitempty"`
	TriggerKind        string            `json:"trigger_kind,omitempty"`
	Type               string            `json:"type"`
	ReportType         string            `json:"report_type,omitempty"`
	Class              string            `json:"classification,omitempty"`
	Key                string            `json:"key"`
	IP                 string            `json:"ip,omitempty"`
	Port               int               `json:"port,omitempty"`
	ASN                int64             `json:"asn,omitempty"`
	Hostname           string            `json:"hostname,omitempty"`
	DeviceID           int64             `json:"device_id,omitempty"`
	CVE                string            `json:"cve,omitempty"`
	Severity           finding.Severity  `json:"severity"`
	FirstSeen          time.Time         `json:"first_seen"`
	LastSeen           time.Time         `json:"last_seen"`
	Count              int64             `json:"count"`
	Evidence           json.RawMessage   `json:"evidence,omitempty"`
	Links              []Link            `json:"links,omitempty"`
	// VersionCheck is set when the version of a vulnerable device could
	// not be compared with the advisory: "not_compared" (its range could
	// not be read) or "no_version" (none registered). The notice says so.
	VersionCheck string `json:"version_check,omitempty"`
	// Label describes a label downgrade (type LabelDowngrade).
	Label *LabelChange `json:"label,omitempty"`
	// TLP is the finding's marking.
	TLP tlp.Marking `json:"tlp,omitempty"`
}

// LabelDowngrade is the finding type the rating service files when a
// device's security label is downgraded (rating.DowngradeFindingType).
const LabelDowngrade = "label-downgrade"

// LabelChange is what a label-downgrade finding's evidence tells: the
// device, its old and new label and grade, why, and where to verify.
type LabelChange struct {
	Device    string `json:"device"`
	OldLabel  string `json:"old_label"`
	NewLabel  string `json:"new_label"`
	OldGrade  string `json:"old_grade"`
	NewGrade  string `json:"new_grade"`
	Why       string `json:"why"`
	VerifyURL string `json:"verify_url,omitempty"`
}

// labelChange decodes the evidence of a label-downgrade finding; nil when
// it does not read as one.
func labelChange(ev json.RawMessage) *LabelChange {
	var e struct {
		Device struct {
			Vendor, Model, Firmware string
		} `json:"device"`
		LabelChange
	}
	if json.Unmarshal(ev, &e) != nil || e.NewLabel == "" {
		return nil
	}
	c := e.LabelChange
	c.Device = strings.TrimSpace(strings.Join([]string{e.Device.Vendor, e.Device.Model, e.Device.Firmware}, " "))
	return &c
}

// Link is an advisory or remediation reference.
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// ItemFromFinding makes the item of finding f for event kind ev, with the
// trigger's texts and the advisory links of f.
func ItemFromFinding(ev finding.EventKind, f finding.Finding, t finding.Trigger) Item {
	it := Item{
		Event: ev, FindingID: f.ID, Trigger: f.Trigger, TriggerTitle: t.Title, TriggerDescription: t.Description,
		TriggerKind: t.Kind, Type: f.Type, ReportType: f.ReportType, Class: f.Class, Key: f.Key, IP: f.IP, Port: f.Port,
		ASN: f.ASN, Hostname: f.Hostname, DeviceID: f.DeviceID, CVE: f.CVE, Severity: f.Severity,
		FirstSeen: f.FirstSeen.UTC(), LastSeen: f.LastSeen.UTC(), Count: f.Count, Evidence: f.Evidence, TLP: f.TLP,
	}
	if it.Trigger == "" {
		it.Trigger = t.Name
	}
	it.Links = Links(it)
	switch v := evidenceField(it.Evidence, "version_check"); v {
	case "not_compared", "no_version":
		it.VersionCheck = v
	}
	if it.Type == LabelDowngrade {
		it.Label = labelChange(it.Evidence)
	}
	return it
}

//go:embed reportlinks.json
var reportLinksJSON []byte

type reportLink struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

var cveRE = regexp.MustCompile(`(?i)\bCVE-\d{4}-\d{4,}\b`)

// Links returns the advisory and remediation references of an item: the
// NVD and CVE.org records of its CVEs (from the CVE field, the trigger's
// name and the evidence's tag), CISA's KEV catalogue for KEV triggers, and
// Shadowserver's description of its report type.
func Links(it Item) []Link {
	var out []Link
	seen := map[string]bool{}
	add := func(title, url string) {
		if !seen[url] {
			seen[url] = true
			out = append(out, Link{Title: title, URL: url})
		}
	}
	cves := []string{}
	for _, s := range []string{it.CVE, it.Trigger, it.TriggerTitle, evidenceField(it.Evidence, "tag")} {
		for _, c := range cveRE.FindAllString(s, -1) {
			c = strings.ToUpper(c)
			if !slices.Contains(cves, c) {
				cves = append(cves, c)
			}
		}
	}
	for _, c := range cves {
		add(c+" (NVD)", "https://nvd.nist.gov/vuln/detail/"+c)
		add(c+" (CVE.org)", "https://www.cve.org/CVERecord?id="+c)
	}
	if it.TriggerKind == "kev" {
		add("CISA Known Exploited Vulnerabilities", "https://www.cisa.gov/known-exploited-vulnerabilities-catalog")
	}
	if l, ok := reportLinks()[it.ReportType]; ok && it.ReportType != "" {
		add("Shadowserver: "+l.Name, l.URL)
	}
	return out
}

// reportLinks returns the embedded table of Shadowserver report types,
// parsed once.
var reportLinks = sync.OnceValue(func() map[string]reportLink {
	var table map[string]reportLink
	if err := json.Unmarshal(reportLinksJSON, &table); err != nil {
		panic("notify: embedded reportlinks.json: " + err.Error())
	}
	return table
})

func evidenceField(ev json.RawMessage, name string) string {
	if len(ev) == 0 {
		return ""
	}
	var m map[string]any
	if json.Unmarshal(ev, &m) != nil {
		return ""
	}
	if v, ok := m[name].(string); ok {
		return v
	}
	return ""
}

// Triggers returns the distinct triggers of the items, in first-seen order.
func (c Content) Triggers() []string {
	var out []string
	for _, it := range c.Items {
		if !slices.Contains(out, it.Trigger) {
			out = append(out, it.Trigger)
		}
	}
	return out
}

// csvFixed are the finding columns that start every evidence row.
var csvFixed = []string{"trigger", "type", "severity", "key", "ip", "port", "hostname", "asn", "cve", "first_seen", "last_seen", "count"}

// EvidenceCSV writes the items as CSV (RFC 4180, CRLF line ends): one row
// per item with the finding's columns, then every evidence column that
// occurs in any item, sorted by name and prefixed "evidence.". Evidence
// that is not a JSON object goes into one "evidence" column.
func EvidenceCSV(items []Item) []byte {
	cols := map[string]bool{}
	rows := make([]map[string]string, len(items))
	raw := false
	for i, it := range items {
		rows[i] = map[string]string{}
		if len(it.Evidence) == 0 {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(it.Evidence, &m); err != nil {
			rows[i][""] = string(it.Evidence)
			raw = true
			continue
		}
		for k, v := range m {
			cols[k] = true
			switch x := v.(type) {
			case string:
				rows[i][k] = x
			case nil:
			default:
				b, _ := json.Marshal(x)
				rows[i][k] = string(b)
			}
		}
	}
	names := make([]string, 0, len(cols))
	for k := range cols {
		names = append(names, k)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	head := slices.Clone(csvFixed)
	for _, n := range names {
		head = append(head, "evidence."+n)
	}
	if raw {
		head = append(head, "evidence")
	}
	marked := slices.ContainsFunc(items, func(it Item) bool { return it.TLP != 0 })
	if marked {
		head = append(head, "tlp")
	}
	_ = w.Write(head)
	for i, it := range items {
		rec := []string{it.Trigger, it.Type, it.Severity.String(), it.Key, it.IP, portString(it.Port), it.Hostname,
			int64String(it.ASN), it.CVE, it.FirstSeen.UTC().Format(time.RFC3339), it.LastSeen.UTC().Format(time.RFC3339), strconv.FormatInt(it.Count, 10)}
		for _, n := range names {
			rec = append(rec, text.CSVCell(rows[i][n]))
		}
		if raw {
			rec = append(rec, text.CSVCell(rows[i][""]))
		}
		if marked {
			rec = append(rec, it.TLP.String())
		}
		_ = w.Write(rec)
	}
	w.Flush()
	return buf.Bytes()
}

func portString(p int) string {
	if p == 0 {
		return ""
	}
	return strconv.Itoa(p)
}

func int64String(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// Summary is a one-line description of the content for logs and lists.
func (c Content) Summary() string {
	return fmt.Sprintf("%s notice for %s: %d finding(s), %s, trigger(s) %s", c.Kind, c.OrgName, len(c.Items), c.Severity, strings.Join(c.Triggers(), ", "))
}
