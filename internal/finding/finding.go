// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package finding defines what vigil knows about a problem of one
// organisation: a finding, identified by (organisation, trigger, type, key),
// where the key is an "ip:port", a device or a component with a CVE. Feeds and
// vulnerability matching produce Sightings; the store folds them into
// Findings and records Events (new, reopened, severity rise, resolved) that
// the notifier turns into warnings.
package finding

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/tlp"
)

// Severity orders how bad a finding is. The zero value is Unknown.
type Severity int8

// The severities, lowest first.
const (
	Unknown Severity = iota
	Info
	Low
	Medium
	High
	Critical
)

var severityNames = [...]string{"unknown", "info", "low", "medium", "high", "critical"}

// String returns the lower-case name.
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return "unknown"
	}
	return severityNames[s]
}

// ParseSeverity parses a severity name, case-insensitively. Empty is Unknown.
func ParseSeverity(s string) (Severity, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return Unknown, nil
	}
	for i, n := range severityNames {
		if n == t {
			return Severity(i), nil
		}
	}
	return Unknown, errs.Field("severity", s, "must be info, low, medium, high or critical")
}

// SeverityFromCVSS maps a CVSS base score to a severity as NVD does.
func SeverityFromCVSS(score float64) Severity {
	switch {
	case score >= 9:
		return Critical
	case score >= 7:
		return High
	case score >= 4:
		return Medium
	case score > 0:
		return Low
	}
	return Unknown
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// Status of a finding.
type Status string

// The statuses.
const (
	Open     Status = "open"
	Resolved Status = "resolved"
)

// Sighting is one observation of a problem attributed to one organisation,
// as produced by feed matching or vulnerability matching.
type Sighting struct {
	OrgID      int64
	TriggerID  int64
	Type       string // taxonomy type, e.g. "vulnerable-system", "infected-system", "vulnerable"
	ReportType string // feed report type, e.g. "scan_exchange"; "vuln" for advisories
	Key        string // identity within (org, trigger, type): "ip:port", "device:12", "device:12:CVE-…"
	IP         netip.Addr
	Port       uint16
	ASN        uint32
	Hostname   string
	DeviceID   int64
	CVE        string
	Severity   Severity
	Class      string // taxonomy classification, e.g. "vulnerable"
	Time       time.Time
	Tie        bool            // the IP matched two organisations' identical ranges
	Evidence   json.RawMessage // the source record, kept as evidence
	TLP        tlp.Marking     // the marking the source data arrived under
}

// Ident returns the 64-bit identity hash of the finding (org, trigger,
// type, key): FNV-1a over the four parts, each followed by a NUL byte. The
// store keeps one unique integer index on it instead of an index over the
// text columns, and checks the full identity on every match, so a hash
// collision is detected, never merged.
func Ident(org, trigger int64, typ, key string) int64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for _, n := range [...]int64{org, trigger} {
		for i := range 8 {
			h = (h ^ uint64(byte(n>>(8*i)))) * prime
		}
		h *= prime // the NUL separator
	}
	for _, s := range [...]string{typ, key} {
		for i := 0; i < len(s); i++ {
			h = (h ^ uint64(s[i])) * prime
		}
		h *= prime
	}
	return int64(h)
}

// KeyFor returns the identity key of an IP sighting: "ip:port", or "ip" for
// port 0. IPv6 addresses are bracketed.
func KeyFor(ip netip.Addr, port uint16) string {
	if port == 0 {
		return ip.String()
	}
	return netip.AddrPortFrom(ip, port).String()
}

// Finding is the folded state of all sightings with one identity.
type Finding struct {
	ID         int64           `json:"id"`
	OrgID      int64           `json:"org_id"`
	Trigger    string          `json:"trigger"`
	TriggerID  int64           `json:"trigger_id"`
	Type       string          `json:"type"`
	ReportType string          `json:"report_type"`
	Key        string          `json:"key"`
	IP         string          `json:"ip,omitempty"`
	Port       int             `json:"port,omitempty"`
	ASN        int64           `json:"asn,omitempty"`
	Hostname   string          `json:"hostname,omitempty"`
	DeviceID   int64           `json:"device_id,omitempty"`
	CVE        string          `json:"cve,omitempty"`
	Severity   Severity        `json:"severity"`
	Class      string          `json:"classification,omitempty"`
	Status     Status          `json:"status"`
	FirstSeen  time.Time       `json:"first_seen"`
	LastSeen   time.Time       `json:"last_seen"`
	Count      int64           `json:"count"`
	ResolvedAt *time.Time      `json:"resolved_at,omitempty"`
	Tie        bool            `json:"tie,omitempty"`
	Evidence   json.RawMessage `json:"evidence,omitempty"`
	// TLP is the most restrictive marking of the finding's sightings.
	TLP tlp.Marking `json:"tlp,omitempty"`
}

// EventKind says what happened to a finding.
type EventKind string

// The event kinds. New, Reopened and SeverityUp make notices.
const (
	EventNew        EventKind = "new"
	EventReopened   EventKind = "reopened"
	EventSeverityUp EventKind = "severity_up"
	EventResolved   EventKind = "resolved"
)

// Event records a change of a finding that may warrant a notice.
type Event struct {
	ID        int64     `json:"id"`
	FindingID int64     `json:"finding_id"`
	OrgID     int64     `json:"org_id"`
	Kind      EventKind `json:"kind"`
	Severity  Severity  `json:"severity"`
	At        time.Time `json:"at"`
}

// Trigger is a named campaign that groups findings: a feed's report type
// ("scan_exchange"), an operator's campaign ("leaked Fortinet credentials")
// or an advisory ("CVE-2024-3400 in KEV").
type Trigger struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Kind        string `json:"kind"` // feed, advisory, kev, manual
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	// NotifyUnregistered allows notices to contacts discovered through
	// security.txt or RDAP for IPs no organisation registered.
	NotifyUnregistered bool      `json:"notify_unregistered"`
	CreatedAt          time.Time `json:"created_at"`
}

// TriggerStats counts what a trigger has produced.
type TriggerStats struct {
	Trigger
	Organisations int64 `json:"organisations"`
	Findings      int64 `json:"findings"`
	Open          int64 `json:"open"`
	Observations  int64 `json:"observations"`
}

// Validate checks a trigger's name.
func (t Trigger) Validate() error {
	if strings.TrimSpace(t.Name) == "" || len(t.Name) > 200 {
		return errs.Field("trigger", t.Name, "a trigger needs a name of at most 200 characters")
	}
	return nil
}

// String describes a sighting for logs (without evidence).
func (s Sighting) String() string {
	return fmt.Sprintf("org %d %s %s %s", s.OrgID, s.Type, s.Key, s.Severity)
}

// Filter selects findings. Zero fields do not filter.
type Filter struct {
	Trigger  string
	Status   Status
	Type     string
	DeviceID int64
	OnlyTies bool
	// Before, when set, asks for the page that precedes this id: the
	// Limit findings with the greatest ids below it (After is then not
	// read), still in ascending order.
	Before int64
	keyset.Page
}

// Key is the identity of one finding: organisation, trigger, type and key.
type Key struct {
	OrgID     int64
	TriggerID int64
	Type      string
	Key       string
}

// Seen is a position in a list of findings ordered by last sighting,
// newest first: the last one of the previous page. The zero value starts
// at the newest.
type Seen struct {
	At time.Time
	ID int64
	// Back asks for the page that precedes the position instead: the
	// findings seen just later than it, still newest first.
	Back bool
}

// TriggerDay counts the findings of a trigger first seen on a UTC day
// (Day is YYYY-MM-DD): a point of the dashboard's findings per trigger
// over time.
type TriggerDay struct {
	Day      string `json:"day"`
	Trigger  string `json:"trigger"`
	Findings int64  `json:"findings"`
}
