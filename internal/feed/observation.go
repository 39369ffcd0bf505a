// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package feed

import (
	"net/netip"
	"slices"
	"time"

	"vigil/internal/finding"
)

// Classification places an observation in the IntelMQ taxonomy
// (https://docs.intelmq.org/latest/user/event/#classification): a taxonomy
// such as "vulnerable", a type within it such as "vulnerable-system" and an
// identifier naming the concrete problem, such as "vulnerable-http".
type Classification struct {
	Taxonomy   string `json:"taxonomy,omitempty"`
	Type       string `json:"type,omitempty"`
	Identifier string `json:"identifier,omitempty"`
}

// Credential is one entry of a leaked-credential list. The password itself is
// never kept: only its HMAC-SHA256 under the caller's salt, so that repeated
// leaks of the same password can be recognised without storing it.
type Credential struct {
	User string `json:"user,omitempty"`
	// PasswordHMAC is the hex HMAC-SHA256(salt, password); empty when the
	// line had no password.
	PasswordHMAC string `json:"password_hmac,omitempty"`
	// Count is how many list lines this observation stands for (1 for a
	// plain line; the store adds up re-sightings).
	Count int `json:"count"`
}

// Observation is one row of a feed: something seen about an IP address (or a
// host name, URL or e-mail address) at a time.
//
// Observations yielded by Reader.All are reused: the struct, CVEs and Fields
// are overwritten by the next row. Strings are immutable and may be kept, but
// they share 64 KiB blocks with neighbouring rows: strings.Clone what you
// keep beyond the current batch. Call Clone to keep a whole observation.
type Observation struct {
	Time    time.Time    `json:"time"`
	IP      netip.Addr   `json:"ip,omitzero"`      // the affected address, IPv4 unmapped
	Network netip.Prefix `json:"network,omitzero"` // a blocklisted range, when the row names one
	Port    uint16       `json:"port,omitempty"`
	// Protocol is the transport protocol ("tcp", "udp").
	Protocol string `json:"protocol,omitempty"`
	// Application is the application protocol ("http", "mqtt").
	Application string           `json:"application,omitempty"`
	ASN         uint32           `json:"asn,omitempty"` // 0: unknown
	Geo         string           `json:"geo,omitempty"` // ISO 3166 country code
	Region      string           `json:"region,omitempty"`
	City        string           `json:"city,omitempty"`
	Hostname    string           `json:"hostname,omitempty"` // reverse DNS of IP
	FQDN        string           `json:"fqdn,omitempty"`     // a host name served at IP (HTTP Host)
	URL         string           `json:"url,omitempty"`
	Email       string           `json:"email,omitempty"`
	Account     string           `json:"account,omitempty"` // the affected account name
	Tag         string           `json:"tag,omitempty"`
	Severity    finding.Severity `json:"severity"`
	// CVEs are upper-case CVE ids named by the row (from the tag or a
	// vulnerability column).
	CVEs           []string       `json:"cves,omitempty"`
	DeviceVendor   string         `json:"device_vendor,omitempty"`
	DeviceModel    string         `json:"device_model,omitempty"`
	DeviceVersion  string         `json:"device_version,omitempty"`
	DeviceType     string         `json:"device_type,omitempty"`
	Malware        string         `json:"malware,omitempty"`
	Classification Classification `json:"classification"`
	// ReportType is the Shadowserver report type ("scan_exchange"), or the
	// format name for other feeds ("csv", "blocklist", "credentials").
	ReportType string      `json:"report_type"`
	Credential *Credential `json:"credential,omitempty"`
	// Line is the 1-based line on which the row starts.
	Line int `json:"line"`
	// Raw is the row as it appears in the file (without the line break), to
	// keep as evidence. Passwords of credential lists are blanked out.
	Raw string `json:"raw,omitempty"`
	// Fields are the row's columns in header order (CSV formats only); see
	// Reader.Header for the names.
	Fields []string `json:"-"`
}

// Clone returns a deep copy of o that stays valid after the reader moves on.
func (o *Observation) Clone() *Observation {
	c := *o
	c.CVEs, c.Fields = nil, nil
	if len(o.CVEs) > 0 {
		c.CVEs = slices.Clone(o.CVEs)
	}
	if len(o.Fields) > 0 {
		c.Fields = slices.Clone(o.Fields)
	}
	if o.Credential != nil {
		cr := *o.Credential
		c.Credential = &cr
	}
	return &c
}

// Evidence returns the row as column name → value pairs (empty columns
// left out), for storing with a finding. For formats without a header it
// returns nil; use Raw.
func (o *Observation) Evidence(header []string) map[string]string {
	if len(o.Fields) == 0 || len(header) != len(o.Fields) {
		return nil
	}
	m := make(map[string]string, len(header))
	for i, h := range header {
		if o.Fields[i] != "" {
			m[h] = o.Fields[i]
		}
	}
	return m
}
