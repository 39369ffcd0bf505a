// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package xarf writes abuse reports in X-ARF v4, the JSON format CERTs,
// ISPs and hosting providers exchange (https://xarf.org), and validates
// them against the specification's JSON Schemas, which it embeds (from
// github.com/xarf/xarf-spec, MIT licence, see schema/LICENSE).
//
// One report describes one incident: a compromised host, an open service,
// a source of attacks. FromIncident maps a finding of the incident
// taxonomy vigil's feeds use (infected-system, potentially-unwanted-
// accessible, vulnerable-system, …) to the X-ARF category and type and
// fills the fields that type requires; findings that are not abuse by
// one address (a leaked password, a downgraded device label) have no
// X-ARF form.
package xarf

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"vigil/internal/text"
)

// maxDescription is the schema's maxLength of a report's description.
const maxDescription = 1000

// Version is the X-ARF version reports declare.
const Version = "4.2.0"

// MasterSchema is the $id of the schema every report is validated against:
// the core fields and, per category and type, the type's fields.
const MasterSchema = "https://xarf.org/schemas/v4/xarf-v4-master.json"

// ContentType is the media type of a report attachment.
const ContentType = "application/json"

// Contact is an organisation in a report (reporter, sender).
type Contact struct {
	Org     string `json:"org"`
	Contact string `json:"contact"`
	Domain  string `json:"domain"`
}

// Evidence is one evidence item: base64 content of a media type.
type Evidence struct {
	ContentType string `json:"content_type"`
	Description string `json:"description,omitempty"`
	Payload     string `json:"payload"`
	Hash        string `json:"hash,omitempty"`
	Size        int    `json:"size,omitempty"`
}

// NewEvidence returns the evidence item of content b.
func NewEvidence(contentType, description string, b []byte) Evidence {
	sum := sha256.Sum256(b)
	return Evidence{ContentType: contentType, Description: description, Payload: base64.StdEncoding.EncodeToString(b),
		Hash: "sha256:" + hex.EncodeToString(sum[:]), Size: len(b)}
}

// Report is an X-ARF v4 report: the core fields, and Fields for the
// members of its category and type (protocol, first_seen, service, …).
type Report struct {
	Version          string     `json:"xarf_version"`
	ReportID         string     `json:"report_id"`
	Timestamp        time.Time  `json:"timestamp"`
	Reporter         Contact    `json:"reporter"`
	Sender           Contact    `json:"sender"`
	SourceIdentifier string     `json:"source_identifier"`
	SourcePort       int        `json:"source_port,omitempty"`
	Category         string     `json:"category"`
	Type             string     `json:"type"`
	EvidenceSource   string     `json:"evidence_source,omitempty"`
	Evidence         []Evidence `json:"evidence,omitempty"`
	Tags             []string   `json:"tags,omitempty"`
	Description      string     `json:"description,omitempty"`
	// Fields are the type's own members; they never override the core.
	Fields map[string]any `json:"-"`
}

// MarshalJSON writes the core fields and Fields as one object.
func (r Report) MarshalJSON() ([]byte, error) {
	type core Report
	b, err := json.Marshal(core(r))
	if err != nil || len(r.Fields) == 0 {
		return b, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for k, v := range r.Fields {
		if _, taken := m[k]; !taken {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// Incident is a finding as FromIncident reads it.
type Incident struct {
	// Type is the finding's type in the incident taxonomy
	// (infected-system, vulnerable-system, …).
	Type       string
	ReportType string
	// Title names the campaign or source (the trigger's title).
	Title     string
	IP        string
	Port      int
	Hostname  string
	CVE       string
	FirstSeen time.Time
	LastSeen  time.Time
	Count     int64
	// Evidence is the source's row as a JSON object (protocol, tag,
	// infection, dst_ip, src_port, … as Shadowserver names them).
	Evidence json.RawMessage
}

// Meta is what a report says about its making.
type Meta struct {
	// Reporter made the observation; Sender sends the report (vigil's
	// trust center is both).
	Reporter Contact
	// ID seeds the report id: the same ID gives the same report_id, so
	// a message sent again carries the same report.
	ID string
	// Source names where the evidence came from, for its description.
	Source string
}

// mapping is how a finding type becomes an X-ARF category and type.
type mapping struct {
	category, typ string
	// fill sets the type's required fields; false when the incident lacks
	// what the type requires.
	fill func(in Incident, ev map[string]any, f map[string]any) bool
}

func mappings() map[string]mapping {
	protocol := func(ev map[string]any, allowed ...string) string {
		p := strings.ToLower(str(ev["protocol"]))
		for _, a := range allowed {
			if p == a {
				return p
			}
		}
		return allowed[0]
	}
	service := func(in Incident, ev map[string]any) string {
		for _, s := range []string{str(ev["service"]), str(ev["tag"]), in.ReportType, in.Title} {
			if s = strings.TrimSpace(s); s != "" {
				return s
			}
		}
		return in.Type
	}
	attack := func(in Incident, ev map[string]any, f map[string]any) bool {
		if in.Port == 0 && num(ev["src_port"]) == 0 {
			return false // the type requires the source port of an address
		}
		f["protocol"] = protocol(ev, "tcp", "udp", "icmp", "sctp")
		return true
	}
	return map[string]mapping{
		"infected-system": {"connection", "infected_host", func(in Incident, ev map[string]any, f map[string]any) bool {
			f["protocol"], f["bot_type"] = protocol(ev, "tcp", "udp"), "malicious"
			if fam := first(str(ev["infection"]), str(ev["family"])); fam != "" {
				f["malware_family"] = fam
			}
			if ip := str(ev["dst_ip"]); ip != "" {
				f["destination_ip"] = ip
			}
			if p := num(ev["dst_port"]); p > 0 && p < 65536 {
				f["destination_port"] = p
			}
			return true
		}},
		"system-compromise": {"infrastructure", "compromised_server", func(in Incident, ev map[string]any, f map[string]any) bool {
			f["compromise_method"] = first(str(ev["tag"]), str(ev["infection"]), in.Title, "unknown")
			return true
		}},
		"potentially-unwanted-accessible": {"vulnerability", "open_service", func(in Incident, ev map[string]any, f map[string]any) bool {
			f["service"] = service(in, ev)
			return true
		}},
		"vulnerable-system": {"vulnerability", "open_service", func(in Incident, ev map[string]any, f map[string]any) bool {
			f["service"] = service(in, ev)
			return true
		}},
		"weak-crypto": {"vulnerability", "misconfiguration", func(in Incident, ev map[string]any, f map[string]any) bool {
			f["service"] = service(in, ev)
			return true
		}},
		"blacklist": {"reputation", "blocklist", func(in Incident, ev map[string]any, f map[string]any) bool {
			f["threat_type"] = first(str(ev["tag"]), in.ReportType, in.Title, "blocklisted")
			return true
		}},
		"ddos":        {"connection", "ddos", attack},
		"scanner":     {"connection", "port_scan", attack},
		"brute-force": {"connection", "login_attack", attack},
	}
}

// Abuse reports whether findings of type typ have an X-ARF form.
func Abuse(typ string) bool {
	_, ok := mappings()[typ]
	return ok
}

// FromIncident returns the report of in, and false when its type has no
// X-ARF form or in lacks what its X-ARF type requires. A vulnerable
// system with a known CVE and port is a vulnerability/cve report.
func FromIncident(in Incident, meta Meta) (Report, bool) {
	m, ok := mappings()[in.Type]
	if !ok || in.IP == "" && in.Hostname == "" {
		return Report{}, false
	}
	var ev map[string]any
	_ = json.Unmarshal(in.Evidence, &ev) // evidence that is no object adds nothing
	f := map[string]any{}
	if !m.fill(in, ev, f) {
		return Report{}, false
	}
	r := Report{Version: Version, ReportID: uuidFrom(meta.ID), Timestamp: in.LastSeen.UTC(), Reporter: meta.Reporter, Sender: meta.Reporter,
		SourceIdentifier: first(in.IP, in.Hostname), Category: m.category, Type: m.typ, Fields: f}
	if in.Type == "vulnerable-system" && in.CVE != "" && in.Port > 0 {
		r.Type = "cve"
		f["cve_id"], f["service_port"] = strings.ToUpper(in.CVE), in.Port
	}
	switch m.category {
	case "connection":
		f["first_seen"], f["last_seen"] = in.FirstSeen.UTC().Format(time.RFC3339), in.LastSeen.UTC().Format(time.RFC3339)
		r.SourcePort = in.Port
		if p := num(ev["src_port"]); p > 0 && p < 65536 {
			r.SourcePort = p
		}
	default:
		if in.Port > 0 {
			r.SourcePort = in.Port
		}
	}
	switch r.Category {
	case "vulnerability":
		r.EvidenceSource = "vulnerability_scan"
	case "connection":
		if r.Type == "infected_host" {
			r.EvidenceSource = "traffic_analysis"
		} else {
			r.EvidenceSource = "honeypot"
		}
	default:
		r.EvidenceSource = "threat_intelligence"
	}
	if len(in.Evidence) > 0 {
		r.Evidence = []Evidence{NewEvidence("application/json", "source record ("+first(meta.Source, in.ReportType, "feed")+")", in.Evidence)}
	}
	r.Tags = tags(in)
	r.Description = text.Truncate(fmt.Sprintf("%s at %s seen %d time(s) from %s to %s", first(in.Title, in.Type), r.SourceIdentifier, max(in.Count, 1),
		in.FirstSeen.UTC().Format(time.RFC3339), in.LastSeen.UTC().Format(time.RFC3339)), maxDescription-len(text.Mark))
	return r, true
}

// tags are namespaced tags (namespace:predicate, lower case) from the
// incident: its taxonomy type and report type.
func tags(in Incident) []string {
	var out []string
	for _, t := range [][2]string{{"taxonomy", in.Type}, {"report", in.ReportType}} {
		if v := tagValue(t[1]); v != "" {
			out = append(out, t[0]+":"+v)
		}
	}
	return out
}

// tagValue lower-cases s and keeps the characters a tag allows.
func tagValue(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '-', r == '+':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '/':
			b.WriteByte('_')
		}
	}
	return strings.TrimLeft(b.String(), "_-+")
}

// uuidFrom returns a UUID (version 4 layout) derived from seed, so that a
// seed always gives the same id.
func uuidFrom(seed string) string {
	h := sha256.Sum256([]byte("vigil-xarf/1\x00" + seed))
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	x := hex.EncodeToString(h[:16])
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:]
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

func num(v any) int {
	switch x := v.(type) {
	case float64:
		return int(x)
	case string:
		n, _ := strconv.Atoi(strings.TrimSpace(x))
		return n
	}
	return 0
}

func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

//go:embed schema/*.json schema/types/*.json
var schemaFS embed.FS

// schema is the master schema compiled with every type schema, formats
// asserted.
var schema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.UseLoader(noLoader{})
	err := fs.WalkDir(schemaFS, "schema", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := schemaFS.ReadFile(p)
		if err != nil {
			return err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		id, _ := doc.(map[string]any)["$id"].(string)
		if id == "" {
			return fmt.Errorf("%s has no $id", p)
		}
		return c.AddResource(id, doc)
	})
	if err != nil {
		return nil, fmt.Errorf("x-arf schemas: %w", err)
	}
	return c.Compile(MasterSchema)
})

// noLoader refuses every schema that is not embedded: compiling never
// reaches for the network.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not embedded", url)
}

// Validate checks an X-ARF document against the v4 schemas: the core
// fields and those of its category and type.
func Validate(doc []byte) error {
	sch, err := schema()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("x-arf: %w", err)
	}
	if err := sch.Validate(v); err != nil {
		return fmt.Errorf("x-arf: %w", err)
	}
	return nil
}

// Marshal returns r as indented JSON.
func Marshal(r Report) ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
