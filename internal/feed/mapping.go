// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package feed

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"vigil/internal/errs"
)

// Columns names, for a generic CSV file, the header column holding each
// Observation field. Empty means "not in this file". Names are matched
// case-insensitively.
type Columns struct {
	IP            string `yaml:"ip,omitempty" json:"ip,omitempty"`
	Network       string `yaml:"network,omitempty" json:"network,omitempty"` // CIDR ranges
	Port          string `yaml:"port,omitempty" json:"port,omitempty"`
	Time          string `yaml:"time,omitempty" json:"time,omitempty"`
	ASN           string `yaml:"asn,omitempty" json:"asn,omitempty"`
	Geo           string `yaml:"geo,omitempty" json:"geo,omitempty"`
	Region        string `yaml:"region,omitempty" json:"region,omitempty"`
	City          string `yaml:"city,omitempty" json:"city,omitempty"`
	Hostname      string `yaml:"hostname,omitempty" json:"hostname,omitempty"`
	FQDN          string `yaml:"fqdn,omitempty" json:"fqdn,omitempty"`
	URL           string `yaml:"url,omitempty" json:"url,omitempty"`
	Email         string `yaml:"email,omitempty" json:"email,omitempty"`
	Account       string `yaml:"account,omitempty" json:"account,omitempty"`
	Protocol      string `yaml:"protocol,omitempty" json:"protocol,omitempty"`
	Application   string `yaml:"application,omitempty" json:"application,omitempty"`
	Severity      string `yaml:"severity,omitempty" json:"severity,omitempty"`
	Tag           string `yaml:"tag,omitempty" json:"tag,omitempty"` // CVE ids in it are extracted
	CVE           string `yaml:"cve,omitempty" json:"cve,omitempty"` // one or more CVE ids
	DeviceVendor  string `yaml:"device_vendor,omitempty" json:"device_vendor,omitempty"`
	DeviceModel   string `yaml:"device_model,omitempty" json:"device_model,omitempty"`
	DeviceVersion string `yaml:"device_version,omitempty" json:"device_version,omitempty"`
	DeviceType    string `yaml:"device_type,omitempty" json:"device_type,omitempty"`
	Malware       string `yaml:"malware,omitempty" json:"malware,omitempty"`
	Identifier    string `yaml:"identifier,omitempty" json:"identifier,omitempty"` // classification identifier per row
}

// Mapping describes a generic CSV feed: the delimiter, which column holds
// what, and the classification and severity of its rows.
//
// A mapping file is YAML:
//
//	report_type: phishing-hosts
//	delimiter: ";"
//	columns: {ip: src, port: dport, time: first_seen, hostname: host}
//	classification: {taxonomy: fraud, type: phishing, identifier: phishing-site}
//	severity: high
type Mapping struct {
	// ReportType names the feed in observations; "csv" when empty.
	ReportType string `yaml:"report_type,omitempty" json:"report_type,omitempty"`
	// Delimiter is one character; empty detects ",", ";", tab or "|"
	// from the header line.
	Delimiter      string         `yaml:"delimiter,omitempty" json:"delimiter,omitempty"`
	Columns        Columns        `yaml:"columns" json:"columns"`
	Classification Classification `yaml:"classification,omitempty" json:"classification"`
	// Severity applies to rows without a severity column or value.
	Severity string `yaml:"severity,omitempty" json:"severity,omitempty"`
}

// LoadMapping reads a YAML mapping file strictly (unknown keys are errors)
// and validates it.
func LoadMapping(r io.Reader) (*Mapping, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read mapping: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var m Mapping
	if err := dec.Decode(&m); err != nil {
		return nil, &errs.Error{Code: errs.Invalid, Field: "mapping", Message: "not a valid mapping file", Err: err}
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Validate checks that the mapping names a column to match on and that
// the delimiter and severity are usable.
func (m *Mapping) Validate() error {
	if len(m.Delimiter) > 1 || m.Delimiter == `"` || m.Delimiter == "\n" || m.Delimiter == "\r" {
		return errs.Field("delimiter", m.Delimiter, "must be one character other than a quote or line break")
	}
	if _, ok := parseSeverity(strings.ToLower(m.Severity)); !ok {
		return errs.Field("severity", m.Severity, "must be info, low, medium, high or critical")
	}
	c := m.Columns
	if c.IP == "" && c.Network == "" && c.Hostname == "" && c.FQDN == "" && c.URL == "" && c.Email == "" {
		return errs.Field("columns", "", "name at least one of ip, network, hostname, fqdn, url or email")
	}
	return nil
}

// aliases lists, per field, header names that generic CSV files commonly
// use, most specific first.
func aliases() []struct {
	set   func(*Columns, string)
	names []string
} {
	return []struct {
		set   func(*Columns, string)
		names []string
	}{
		{func(c *Columns, s string) { c.IP = s }, []string{"ip", "src_ip", "source_ip", "ip_address", "ipaddress", "ip_addr", "ipaddr", "address", "addr", "host_ip", "source.ip"}},
		{func(c *Columns, s string) { c.Network = s }, []string{"network", "cidr", "prefix", "range", "netblock", "source.network"}},
		{func(c *Columns, s string) { c.Port = s }, []string{"port", "src_port", "source_port", "dport", "source.port"}},
		{func(c *Columns, s string) { c.Time = s }, []string{"timestamp", "time", "datetime", "date", "first_seen", "last_seen", "seen", "time.source"}},
		{func(c *Columns, s string) { c.ASN = s }, []string{"asn", "src_asn", "as", "as_number", "asnumber", "source.asn"}},
		{func(c *Columns, s string) { c.Geo = s }, []string{"geo", "cc", "country_code", "country", "src_geo", "source.geolocation.cc"}},
		{func(c *Columns, s string) { c.Region = s }, []string{"region", "src_region"}},
		{func(c *Columns, s string) { c.City = s }, []string{"city", "src_city"}},
		{func(c *Columns, s string) { c.Hostname = s }, []string{"hostname", "src_hostname", "rdns", "reverse_dns", "ptr", "host", "source.reverse_dns"}},
		{func(c *Columns, s string) { c.FQDN = s }, []string{"fqdn", "domain", "http_host", "source.fqdn"}},
		{func(c *Columns, s string) { c.URL = s }, []string{"url", "uri", "source.url"}},
		{func(c *Columns, s string) { c.Email = s }, []string{"email", "e-mail", "mail"}},
		{func(c *Columns, s string) { c.Protocol = s }, []string{"protocol", "transport", "proto"}},
		{func(c *Columns, s string) { c.Application = s }, []string{"application", "service", "app"}},
		{func(c *Columns, s string) { c.Severity = s }, []string{"severity", "priority"}},
		{func(c *Columns, s string) { c.Tag = s }, []string{"tag", "tags", "category", "type"}},
		{func(c *Columns, s string) { c.CVE = s }, []string{"cve", "cves", "cve_id", "vulnerability", "vulnerability_id"}},
		{func(c *Columns, s string) { c.DeviceVendor = s }, []string{"device_vendor", "vendor"}},
		{func(c *Columns, s string) { c.DeviceModel = s }, []string{"device_model", "model", "product"}},
		{func(c *Columns, s string) { c.DeviceVersion = s }, []string{"device_version", "version"}},
		{func(c *Columns, s string) { c.DeviceType = s }, []string{"device_type"}},
		{func(c *Columns, s string) { c.Malware = s }, []string{"malware", "infection", "family", "malware_family"}},
	}
}

// GuessMapping builds a mapping from well-known header names (ip, src_ip,
// port, timestamp, asn, hostname, …). ok is false when no column to match on
// (an address, network, host name, URL or e-mail) is recognised.
func GuessMapping(header []string) (m *Mapping, ok bool) {
	norm := make([]string, len(header))
	for i, h := range header {
		norm[i] = normColumn(h)
	}
	m = &Mapping{}
	for _, a := range aliases() {
		for _, n := range a.names {
			if i := slices.Index(norm, n); i >= 0 {
				a.set(&m.Columns, header[i])
				break
			}
		}
	}
	return m, m.Validate() == nil
}

// toSpec converts the columns to the internal form, lower-cased.
func (c Columns) toSpec() specCols {
	l := func(s string) string { return normColumn(s) }
	return specCols{
		ip: l(c.IP), network: l(c.Network), port: l(c.Port), time: l(c.Time), asn: l(c.ASN), geo: l(c.Geo),
		region: l(c.Region), city: l(c.City), hostname: l(c.Hostname), fqdn: l(c.FQDN), url: l(c.URL),
		email: l(c.Email), account: l(c.Account), transport: l(c.Protocol), app: l(c.Application),
		severity: l(c.Severity), tagCVE: l(c.Tag), cve: l(c.CVE), vendor: l(c.DeviceVendor),
		model: l(c.DeviceModel), version: l(c.DeviceVersion), deviceType: l(c.DeviceType),
		malware: l(c.Malware), identifier: l(c.Identifier),
	}
}
