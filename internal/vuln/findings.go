// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"vigil/internal/finding"
	"vigil/internal/tlp"
)

// FindingEvidence is the evidence JSON of a "vulnerable" finding: what is
// affected, by which vulnerability, how bad it is (CVSS, EPSS, KEV with due
// date and ransomware use), how to fix it and why vigil thinks so (every
// matching advisory with its rule, evidence and confidence).
type FindingEvidence struct {
	Target string `json:"target"` // "device:12", "component:34"
	// Subject describes the device or component for people.
	Subject string `json:"subject"`
	// Component is the component's purl (or name@version); empty for the
	// device itself. internal/rating reads it.
	Component  string     `json:"component,omitempty"`
	CVE        string     `json:"cve"`
	Title      string     `json:"title,omitempty"`
	Confidence float64    `json:"confidence"` // the best match's
	CVSS       *CVSSInfo  `json:"cvss,omitempty"`
	EPSS       *EPSSInfo  `json:"epss,omitempty"`
	KEV        *KEVInfo   `json:"kev,omitempty"` // absent unless in CISA's KEV catalog
	Fixed      string     `json:"fixed_version,omitempty"`
	Remedy     string     `json:"remediation,omitempty"`
	Advisories []Link     `json:"advisories"`
	Matches    []Evidence `json:"matches"`
	// VersionCheck says the best match did not compare the version:
	// VersionNotCompared or VersionUnknown; empty when it did. Caveat
	// says it in words.
	VersionCheck string `json:"version_check,omitempty"`
	Caveat       string `json:"caveat,omitempty"`
}

// Values of FindingEvidence.VersionCheck.
const (
	// VersionNotCompared: the advisory's version range could not be read,
	// or not compared with the registered version.
	VersionNotCompared = "not_compared"
	// VersionUnknown: no version is registered for the device.
	VersionUnknown = "no_version"
)

// CVSSInfo is the score a finding's severity comes from.
type CVSSInfo struct {
	Base     float64 `json:"base"`
	Version  string  `json:"version"`
	Vector   string  `json:"vector"`
	Severity string  `json:"severity,omitempty"`
	Source   string  `json:"source,omitempty"`
}

// EPSSInfo is the EPSS score of the vulnerability.
type EPSSInfo struct {
	Score      float64   `json:"score"`
	Percentile float64   `json:"percentile"`
	Date       time.Time `json:"date,omitzero"`
}

// KEVInfo is the CISA KEV entry of the vulnerability.
type KEVInfo struct {
	DateAdded      time.Time `json:"date_added,omitzero"`
	DueDate        time.Time `json:"due_date,omitzero"`
	RansomwareUse  bool      `json:"ransomware_use"`
	RequiredAction string    `json:"required_action,omitempty"`
	Name           string    `json:"name,omitempty"`
}

// Link names one advisory.
type Link struct {
	Advisory string `json:"advisory"` // "csaf:ICSA-24-074-05"
	Title    string `json:"title,omitempty"`
	URL      string `json:"url,omitempty"`
}

// TriggerFor returns the trigger a finding of vulnerability cve with the
// given matches belongs to: its CISA KEV entry when the vulnerability is
// known to be exploited, else the earliest-loaded advisory that matched
// (so the trigger stays put while more advisories about it arrive).
func TriggerFor(cve string, ms []Match, info CVEInfo) finding.Trigger {
	if len(ms) == 0 {
		return finding.Trigger{}
	}
	if info.KEV {
		title := cve + " (CISA KEV)"
		if info.KEVName != "" {
			title = cve + " " + info.KEVName + " (CISA KEV)"
		}
		return finding.Trigger{Name: "kev:" + cve, Kind: "kev", Title: title,
			Description: "Known exploited vulnerability " + cve + " in CISA's KEV catalog; " + info.KEVAction}
	}
	first := ms[0]
	for _, m := range ms[1:] {
		if m.AdvisoryRef < first.AdvisoryRef {
			first = m
		}
	}
	ev := first.Evidence
	name := ev.Advisory
	if name == "" {
		name = "advisory:" + cve
	}
	return finding.Trigger{Name: name, Kind: "advisory", Title: ev.Title, Description: ev.URL}
}

func groupPairs(ms []Match, affected map[pair]bool) map[pair][]Match {
	out := map[pair][]Match{}
	for _, m := range ms {
		p := pair{m.Target, m.CVE}
		if !affected[p] {
			continue
		}
		if slices.ContainsFunc(out[p], func(x Match) bool { return x.AdvisoryRef == m.AdvisoryRef }) {
			continue
		}
		out[p] = append(out[p], m)
	}
	for p := range out {
		slices.SortFunc(out[p], func(a, b Match) int { return int(a.AdvisoryRef - b.AdvisoryRef) })
	}
	return out
}

func sameMatches(a, b []Match) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].AdvisoryRef != b[i].AdvisoryRef || a[i].Rule != b[i].Rule || a[i].Confidence != b[i].Confidence ||
			!sameEvidence(a[i].Evidence, b[i].Evidence) {
			return false
		}
	}
	return true
}

// sameEvidence compares evidence as it is stored (JSON), where an empty
// list and a missing one are the same.
func sameEvidence(a, b Evidence) bool {
	ja, erra := json.Marshal(a)
	jb, errb := json.Marshal(b)
	return erra == nil && errb == nil && bytes.Equal(ja, jb)
}

// reconcile turns the change from before to after (matches) and from
// oldInfo to newInfo (per-CVE enrichment) on the affected (target, CVE)
// pairs into finding upserts and resolutions.
func (e *Engine) reconcile(ctx context.Context, tx Store, affected map[pair]bool, before, after []Match,
	oldInfo, newInfo map[string]CVEInfo, res *Result) error {
	b, a := groupPairs(before, affected), groupPairs(after, affected)
	pairs := make([]pair, 0, len(affected))
	for p := range affected {
		pairs = append(pairs, p)
	}
	slices.SortFunc(pairs, func(x, y pair) int {
		if c := strings.Compare(x.target, y.target); c != 0 {
			return c
		}
		return strings.Compare(x.cve, y.cve)
	})
	trig := map[string]int64{}
	ensure := func(t finding.Trigger) (int64, error) {
		if id, ok := trig[t.Name]; ok {
			return id, nil
		}
		id, err := tx.TriggerEnsure(ctx, t)
		trig[t.Name] = id
		return id, err
	}
	now := e.now().UTC()
	var sightings []finding.Sighting
	var resolve []finding.Key
	devices := map[int64]bool{}
	for _, p := range pairs {
		bm, am := b[p], a[p]
		oi, ni := oldInfo[p.cve], newInfo[p.cve]
		ot, nt := TriggerFor(p.cve, bm, oi), TriggerFor(p.cve, am, ni)
		key := p.target + ":" + p.cve
		if len(bm) > 0 && (len(am) == 0 || ot.Name != nt.Name) {
			id, err := ensure(ot)
			if err != nil {
				return err
			}
			resolve = append(resolve, finding.Key{OrgID: bm[0].OrgID, TriggerID: id, Type: FindingType, Key: key})
			devices[bm[0].DeviceID] = true
		}
		if len(am) == 0 {
			continue
		}
		if len(bm) > 0 && ot.Name == nt.Name && sameMatches(bm, am) && findingView(oi) == findingView(ni) {
			continue
		}
		id, err := ensure(nt)
		if err != nil {
			return err
		}
		ev := buildEvidence(p, am, ni)
		raw, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		var mark tlp.Marking // the most restrictive of the advisories that match
		for _, m := range am {
			mark = max(mark, m.Evidence.TLP)
		}
		sightings = append(sightings, finding.Sighting{OrgID: am[0].OrgID, TriggerID: id, Type: FindingType, ReportType: ReportType,
			Key: key, DeviceID: am[0].DeviceID, CVE: p.cve, Severity: severity(ni), Class: FindingType, Time: now, Evidence: raw, TLP: mark})
		devices[am[0].DeviceID] = true
	}
	for start := 0; start < len(sightings); start += 1000 {
		c, u, err := tx.FindingUpsert(ctx, e.run, sightings[start:min(start+1000, len(sightings))])
		if err != nil {
			return err
		}
		res.FindingsNew += c
		res.FindingsUpdated += u
	}
	if len(resolve) > 0 {
		n, err := tx.FindingResolveKeys(ctx, resolve)
		if err != nil {
			return err
		}
		res.FindingsResolved += n
	}
	var ids []int64
	for d := range devices {
		ids = append(ids, d)
	}
	res.Devices = mergeIDs(res.Devices, ids)
	return nil
}

func buildEvidence(p pair, ms []Match, info CVEInfo) FindingEvidence {
	fe := FindingEvidence{Target: p.target, CVE: p.cve, Title: info.Title}
	for _, m := range ms {
		ev := m.Evidence
		if fe.Subject == "" {
			fe.Subject, fe.Component = ev.Subject, ev.Component
		}
		if ev.Confidence > fe.Confidence {
			fe.Confidence = ev.Confidence
			fe.VersionCheck, fe.Caveat = versionCheck(ev), ev.Caveat
		}
		if fe.Fixed == "" && ev.Fixed != "" {
			fe.Fixed = ev.Fixed
		}
		if fe.Remedy == "" && ev.Remedy != "" {
			fe.Remedy = ev.Remedy
		}
		if !slices.ContainsFunc(fe.Advisories, func(l Link) bool { return l.Advisory == ev.Advisory }) {
			fe.Advisories = append(fe.Advisories, Link{Advisory: ev.Advisory, Title: ev.Title, URL: ev.URL})
		}
		fe.Matches = append(fe.Matches, ev)
	}
	if info.CVSSVector != "" {
		fe.CVSS = &CVSSInfo{Base: info.CVSSBase, Version: info.CVSSVersion, Vector: info.CVSSVector, Severity: info.CVSSSeverity, Source: info.CVSSSource}
	}
	if info.EPSS != nil {
		fe.EPSS = &EPSSInfo{Score: *info.EPSS, Date: info.EPSSDate}
		if info.EPSSPct != nil {
			fe.EPSS.Percentile = *info.EPSSPct
		}
	}
	if info.KEV {
		fe.KEV = &KEVInfo{DateAdded: info.KEVAdded, DueDate: info.KEVDue, RansomwareUse: info.KEVRansom, RequiredAction: info.KEVAction, Name: info.KEVName}
	}
	return fe
}

// versionCheck tells from a match's checks whether its version was not
// compared (VersionNotCompared, VersionUnknown) or was ("").
func versionCheck(ev Evidence) string {
	for _, c := range ev.Checks {
		if c.Part != "version" {
			continue
		}
		switch c.Rule {
		case checkUnparsed:
			return VersionNotCompared
		case checkVersionUnknown:
			return VersionUnknown
		}
	}
	return ""
}
