// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package feed

import (
	"fmt"
	"net/netip"
	"strings"

	"vigil/internal/finding"
	"vigil/internal/text"
)

// colmap holds the resolved column index of each Observation field, -1 when
// the file has no such column.
type colmap struct {
	ip, network, port, time, asn, geo, region, city, hostname, fqdn, url int
	email, account, transport, app, severity, tag, cve, vendor, model    int
	version, deviceType, malware, identifier                             int
}

// resolve finds the columns of sc in header. With strict, a named column
// missing from the header is an error.
func resolve(sc specCols, header []string, strict bool) (colmap, error) {
	idx := make(map[string]int, len(header))
	for i, h := range header {
		n := normColumn(h)
		if _, dup := idx[n]; !dup {
			idx[n] = i
		}
	}
	var missing []string
	find := func(name string) int {
		if name == "" {
			return -1
		}
		if i, ok := idx[name]; ok {
			return i
		}
		missing = append(missing, name)
		return -1
	}
	tag := sc.tagCVE
	if tag == "" {
		if _, ok := idx["tag"]; ok {
			tag = "tag"
		}
	}
	cm := colmap{
		ip: find(sc.ip), network: find(sc.network), port: find(sc.port), time: find(sc.time),
		asn: find(sc.asn), geo: find(sc.geo), region: find(sc.region), city: find(sc.city),
		hostname: find(sc.hostname), fqdn: find(sc.fqdn), url: find(sc.url), email: find(sc.email),
		account: find(sc.account), transport: find(sc.transport), app: find(sc.app),
		severity: find(sc.severity), tag: find(tag), cve: find(sc.cve), vendor: find(sc.vendor),
		model: find(sc.model), version: find(sc.version), deviceType: find(sc.deviceType),
		malware: find(sc.malware), identifier: find(sc.identifier),
	}
	if strict && len(missing) > 0 {
		return cm, fmt.Errorf("columns not in the header: %s", strings.Join(missing, ", "))
	}
	return cm, nil
}

// problem is one bad value in a row.
type problem struct {
	col    int
	reason string
}

// rowMapper turns CSV fields into an Observation.
type rowMapper struct {
	cm         colmap
	header     []string
	class      Classification
	app        string
	severity   finding.Severity // default
	reportType string
	exchange   bool
	cveFromTag bool
	needIP     bool // the IP (or network) column must hold a value
	intern     *interner
	probs      []problem
}

// fill maps fields into o, which the caller has reset. It returns the
// problems found; a row with problems must not be used.
func (m *rowMapper) fill(o *Observation, f []string) []problem {
	m.probs = m.probs[:0]
	cm := &m.cm
	get := func(i int) string {
		if i < 0 {
			return ""
		}
		return strings.TrimSpace(f[i])
	}
	o.ReportType = m.reportType
	o.Classification = m.class
	o.Application = m.app
	o.Severity = m.severity

	if cm.time >= 0 {
		if s := get(cm.time); s != "" {
			t, err := parseTime(s)
			if err != nil {
				m.probs = append(m.probs, problem{cm.time, fmt.Sprintf("%q is not a valid time", s)})
			}
			o.Time = t
		} else {
			m.probs = append(m.probs, problem{cm.time, "missing time"})
		}
	}
	if cm.network >= 0 && cm.network != cm.ip {
		if s := get(cm.network); s != "" {
			if p, err := netip.ParsePrefix(s); err == nil {
				o.Network = unmapPrefix(p)
			} else {
				m.probs = append(m.probs, problem{cm.network, fmt.Sprintf("%q is not a CIDR range", s)})
			}
		}
	}
	if cm.ip >= 0 {
		s := get(cm.ip)
		switch {
		case s == "":
			if m.needIP && o.Network == (netip.Prefix{}) {
				m.probs = append(m.probs, problem{cm.ip, "missing IP address"})
			}
		case cm.network == cm.ip && strings.IndexByte(s, '/') >= 0:
			if p, err := netip.ParsePrefix(s); err == nil {
				o.Network = unmapPrefix(p)
				o.IP = o.Network.Addr()
			} else {
				m.probs = append(m.probs, problem{cm.ip, fmt.Sprintf("%q is not a CIDR range", s)})
			}
		default:
			a, why := parseIP(s)
			if why != "" {
				m.probs = append(m.probs, problem{cm.ip, fmt.Sprintf("%q: %s", s, why)})
			}
			o.IP = a
		}
	}
	if o.IP == (netip.Addr{}) && o.Network.IsValid() {
		o.IP = o.Network.Addr()
	}
	if cm.port >= 0 {
		s := get(cm.port)
		p, ok := parsePort(s)
		if !ok {
			m.probs = append(m.probs, problem{cm.port, fmt.Sprintf("%q is not a port number", s)})
		}
		o.Port = p
	}
	if cm.asn >= 0 {
		s := get(cm.asn)
		a, ok := parseASN(s)
		if !ok {
			m.probs = append(m.probs, problem{cm.asn, fmt.Sprintf("%q is not an AS number", s)})
		}
		o.ASN = a
	}
	if cm.severity >= 0 {
		if s := get(cm.severity); s != "" {
			sev, ok := parseSeverity(s)
			if !ok {
				m.probs = append(m.probs, problem{cm.severity, fmt.Sprintf("%q is not a severity", s)})
			} else {
				o.Severity = sev
			}
		}
	}
	o.Geo = get(cm.geo)
	o.Region = get(cm.region)
	o.City = get(cm.city)
	o.Hostname = get(cm.hostname)
	o.FQDN = get(cm.fqdn)
	o.URL = get(cm.url)
	o.Email = get(cm.email)
	o.Account = get(cm.account)
	o.Protocol = get(cm.transport)
	if a := get(cm.app); a != "" {
		o.Application = a
	}
	o.Tag = get(cm.tag)
	o.DeviceVendor = get(cm.vendor)
	o.DeviceModel = get(cm.model)
	o.DeviceVersion = get(cm.version)
	o.DeviceType = get(cm.deviceType)
	o.Malware = get(cm.malware)
	if id := get(cm.identifier); id != "" {
		o.Classification.Identifier = id
	}
	if m.exchange {
		o.Classification = exchangeClass(o.Tag)
	}
	if m.cveFromTag && o.Tag != "" {
		o.CVEs = appendCVEs(o.CVEs, o.Tag, m.intern)
	}
	if s := get(cm.cve); s != "" {
		o.CVEs = appendCVEs(o.CVEs, s, m.intern)
	}
	if strings.HasPrefix(o.URL, "/") && o.FQDN != "" {
		// A path with the Host header, as in compromised_website: make it a
		// URL, as IntelMQ's convert_http_host_and_url does.
		scheme := "http"
		if o.Application == "https" || o.Port == 443 {
			scheme = "https"
		}
		o.URL = scheme + "://" + o.FQDN + o.URL
	}
	if noneValue(o.Geo) {
		o.Geo = ""
	}
	return m.probs
}

// describe turns problems into a field name and a reason text.
func (m *rowMapper) describe(probs []problem) (field, reason string) {
	parts := make([]string, len(probs))
	for i, p := range probs {
		parts[i] = p.reason
		if i > 0 {
			parts[i] = m.header[p.col] + ": " + p.reason
		}
	}
	return m.header[probs[0].col], strings.Join(parts, "; ")
}

// badTextColumn returns the index of the first field that cannot be stored
// as text (a NUL byte or invalid UTF-8, text.Problem) with the reason, or
// -1 when the whole record raw can.
func badTextColumn(raw string, fields []string) (int, string) {
	p := text.Problem(raw)
	if p == "" {
		return -1, ""
	}
	for i, f := range fields {
		if fp := text.Problem(f); fp != "" {
			return i, fp
		}
	}
	return 0, p // an invalid sequence split by a delimiter
}

func unmapPrefix(p netip.Prefix) netip.Prefix {
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked()
}
