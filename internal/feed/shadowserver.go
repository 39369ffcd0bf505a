// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package feed

//go:generate sh -c "go run ./internal/schemagen -reports $REPORT_SCHEMA/reports.json -intelmq $REPORT_SCHEMA/intelmq.json -commit 8e06fb91ef1b3cc621abf848d486369f6ff527ca > shadowserver_gen.go"

import (
	"path"
	"slices"
	"strings"
	"sync"

	"vigil/internal/finding"
)

// reportSpec describes one Shadowserver report type: its columns and which
// of them fill which Observation field, as the report schema and IntelMQ's
// mapping define them.
type reportSpec struct {
	name   string
	title  string
	fields []string
	class  Classification
	app    string // constant application protocol
	cols   specCols
	// exchangeTag: the classification depends on the tag (scan_exchange).
	exchangeTag bool
}

// specCols names the column for each Observation field ("" = none).
type specCols struct {
	ip, port, time, network, asn, geo, region, city, hostname, fqdn, url string
	transport, app, severity, tagCVE, cve, vendor, model, version        string
	deviceType, malware, identifier, account, email                      string
}

// ReportType describes a Shadowserver report type vigil knows.
type ReportType struct {
	Name    string   // file-name type, e.g. "scan_exchange"
	Title   string   // IntelMQ feed name, e.g. "Vulnerable-Exchange-Server"
	Columns []string // the current header, in order
	// Classification is the constant IntelMQ classification; types whose
	// classification depends on the row (sinkholes, scan_exchange) leave
	// some parts empty.
	Classification Classification
	// DefaultSeverity applies to rows without a severity column; Unknown
	// when Shadowserver documents none.
	DefaultSeverity finding.Severity
}

// schema is the set of known report types, built once.
type schema struct {
	specs  []reportSpec
	byName map[string]int
}

var loadSchema = sync.OnceValue(func() *schema {
	s := &schema{specs: shadowserverSpecs(), byName: map[string]int{}}
	for i, sp := range s.specs {
		s.byName[sp.name] = i
	}
	return s
})

// ReportTypes returns the Shadowserver report types vigil recognises, sorted
// by name.
func ReportTypes() []ReportType {
	s := loadSchema()
	out := make([]ReportType, len(s.specs))
	for i, sp := range s.specs {
		out[i] = ReportType{Name: sp.name, Title: sp.title, Columns: slices.Clone(sp.fields),
			Classification: sp.class, DefaultSeverity: defaultSeverity(sp.name)}
	}
	return out
}

func (s *schema) spec(name string) (*reportSpec, bool) {
	i, ok := s.byName[name]
	if !ok {
		return nil, false
	}
	return &s.specs[i], true
}

// defaultSeverity is the default severity Shadowserver's report pages give a
// type (as collected in the corpus notes), for old files without a severity
// column; Unknown for types not listed there.
func defaultSeverity(name string) finding.Severity {
	switch name {
	case "scan_http_vulnerable", "scan6_http_vulnerable", "scan_exchange", "scan6_exchange",
		"compromised_website", "compromised_website6", "event4_sinkhole_http", "event6_sinkhole_http":
		return finding.Critical
	case "scan_telnet", "scan6_telnet", "scan_mqtt", "scan6_mqtt":
		return finding.Medium
	case "blocklist":
		return finding.Low
	case "scan_ssl", "scan6_ssl", "device_id", "device_id6":
		return finding.Info
	}
	return finding.Unknown
}

// ReportTypeFromName returns the report type named by a Shadowserver file
// name such as "2025-06-01-scan_exchange-org-asn.csv" (also .csv.gz, with or
// without the date), or "" when the name does not name a known type.
func ReportTypeFromName(name string) string {
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	base = strings.TrimSuffix(strings.TrimSuffix(base, ".gz"), ".csv")
	if len(base) > 11 && base[4] == '-' && base[7] == '-' && base[10] == '-' {
		base = base[11:]
	}
	if i := strings.IndexByte(base, '-'); i >= 0 {
		base = base[:i]
	}
	if _, ok := loadSchema().byName[base]; ok {
		return base
	}
	return ""
}

// ReportTypeFromHeader returns the report type whose columns best match
// header, or "" when none matches well. Columns change over time, so the
// match is by name and tolerant: at least 75 % of the union of both column
// sets must be shared, and the type's IP and time columns must be present.
// Types with identical columns (IPv4 and IPv6 variants of a scan) cannot be
// told apart by header; the first in name order that is not an IPv6 variant
// wins, so the file name should be preferred when there is one.
func ReportTypeFromHeader(header []string) string {
	s := loadSchema()
	set := make(map[string]bool, len(header))
	for _, h := range header {
		set[normColumn(h)] = true
	}
	best, bestScore := "", 0.0
	for _, sp := range s.specs {
		if (sp.cols.ip != "" && !set[sp.cols.ip]) || (sp.cols.time != "" && !set[sp.cols.time]) {
			continue
		}
		shared := 0
		for _, f := range sp.fields {
			if set[f] {
				shared++
			}
		}
		score := float64(shared) / float64(len(set)+len(sp.fields)-shared)
		if score > bestScore || (score == bestScore && preferName(sp.name, best)) {
			best, bestScore = sp.name, score
		}
	}
	if bestScore < 0.75 {
		return ""
	}
	return best
}

// preferName orders types with the same columns: IPv4 before IPv6,
// scan_ before population_, event4_ before event6_ and Microsoft's.
func preferName(a, b string) bool {
	rank := func(n string) int {
		switch {
		case strings.Contains(n, "6_") || strings.HasSuffix(n, "6"):
			return 3
		case strings.HasPrefix(n, "population"), strings.Contains(n, "microsoft"):
			return 2
		case strings.HasSuffix(n, "_vulnerable"):
			return 1
		}
		return 0
	}
	if ra, rb := rank(a), rank(b); ra != rb {
		return ra < rb
	}
	return false // keep the earlier one in name order
}

// normColumn normalises a header cell for matching.
func normColumn(h string) string {
	return strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
}

// exchangeClass derives scan_exchange's classification from its tag, as
// IntelMQ does: a web shell is a compromise, anything else a vulnerability.
func exchangeClass(tag string) Classification {
	if strings.Contains(tag, "webshell") {
		return Classification{Taxonomy: "intrusions", Type: "system-compromise", Identifier: "exchange-server-webshell"}
	}
	return Classification{Taxonomy: "vulnerable", Type: "vulnerable-system", Identifier: "vulnerable-exchange-server"}
}
