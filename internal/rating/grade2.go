// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package rating

import (
	"fmt"
	"strings"

	"vigil/internal/assess"
	"vigil/internal/system"
	"vigil/internal/text"
)

// RuleVersion names the grading rule labels are issued under:
// vigil-grade/1 (assess.Rate: the device's provisions, vulnerabilities and
// support period) plus the whole-system rules of RateSystem. Labels
// signed under vigil-grade/1 stay valid as issued; the next grade of their
// device is issued under this rule as a new label.
const RuleVersion = "vigil-grade/2"

// Thresholds of the whole-system rules.
const (
	riskCapOne  = assess.GradeC // one unmitigated high residual risk
	riskMany    = 3
	riskCapMany = assess.GradeE

	fleetKeysCap    = assess.GradeE // a key shared across units in different networks
	fleetExposedMin = 5             // sightings of exposed management services
	fleetExposedCap = assess.GradeD
)

// systemRules are the rule ids of RateSystem.
func systemRules() []string { return []string{"risk", "fleet-keys", "fleet-exposed"} }

// RateSystem applies the whole-system rules of vigil-grade/2 to a
// vigil-grade/1 score: caps from the product's facts, each explained.
func RateSystem(s assess.Score, f system.Facts) assess.Score {
	s.Rule = RuleVersion
	pre := s.Grade
	capAt := func(rule string, c assess.Grade, detail string) {
		if c > pre {
			s.Reasons = append(s.Reasons, assess.Reason{Rule: rule, Effect: "cap " + c.String(), Detail: detail})
		}
		s.Grade = max(s.Grade, c)
	}
	if n := len(f.Unmitigated); n > 0 {
		ids := make([]string, n)
		for i, r := range f.Unmitigated {
			ids[i] = fmt.Sprintf("%s (%d×%d)", r.ID, r.Residual.Likelihood, r.Residual.Impact)
		}
		c := riskCapOne
		if n >= riskMany {
			c = riskCapMany
		}
		capAt("risk", c, fmt.Sprintf("%d unmitigated high residual risk(s) in the risk register (version %d): %s", n, f.RegisterVersion, strings.Join(ids, ", ")))
	}
	if fl := f.Fleet; fl != nil {
		if len(fl.SharedKeys) > 0 {
			keys := make([]string, len(fl.SharedKeys))
			for i, k := range fl.SharedKeys {
				// The fingerprint is a feed's text: cut on a rune boundary.
				keys[i] = fmt.Sprintf("%s %s in %d networks", k.Kind, text.Truncate(k.Fingerprint, 12), k.Networks)
			}
			capAt("fleet-keys", fleetKeysCap, "fleet evidence: the same key on units in different networks, so keys are shared across units, not unique per device (EN 303 645 5.4-3, 5.4-4): "+strings.Join(keys, "; "))
		}
		var n int64
		var svcs []string
		for _, name := range []string{system.ServiceTelnet, system.ServiceMQTT, system.ServiceRDP, system.ServiceVNC} {
			if c := fl.Services[name]; c > 0 {
				n += c
				svcs = append(svcs, fmt.Sprintf("%s %d", name, c))
			}
		}
		if n >= fleetExposedMin {
			capAt("fleet-exposed", fleetExposedCap, "fleet evidence: management services exposed on field units (EN 303 645 5.6-1, 5.5-4), sightings: "+strings.Join(svcs, ", "))
		}
	}
	return s
}

// Rules returns the text of vigil-grade/2 as Markdown, for `vigil label
// rules`, generated from the constants the rules use.
func Rules() string {
	var b strings.Builder
	b.WriteString(strings.Replace(assess.Rules(), "# Grading rule "+assess.RuleVersion, "# Grading rule "+RuleVersion, 1))
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("\n## 4. The whole system (since vigil-grade/2)\n\n")
	p("The product's risk register covers its device, firmware, local services, device–cloud channel, cloud\n")
	p("backend, database and app. A risk is likelihood × impact (1–5 each): high ≥ %d, medium %d–%d.\n", system.HighFrom, system.MediumFrom, system.HighFrom-1)
	p("A high risk counts as mitigated only with mitigations on at least %d independent defence layers,\n", system.HighNeedsMits)
	p("each linked to an EN 303 645 provision or to evidence; otherwise its residual risk is its inherent risk.\n\n")
	p("| rule | when | cap |\n|---|---|---|\n")
	p("| risk | ≥ 1 unmitigated high residual risk | %s |\n", riskCapOne)
	p("| risk | ≥ %d unmitigated high residual risks | %s |\n", riskMany, riskCapMany)
	p("| fleet-keys | feeds show one TLS certificate or SSH host key of the product in ≥ %d networks (keys shared across units) | %s |\n", system.SharedKeyNetworks, fleetKeysCap)
	p("| fleet-exposed | feeds show ≥ %d sightings of telnet, anonymous MQTT, RDP or VNC on the product's units | %s |\n\n", fleetExposedMin, fleetExposedCap)
	p("A network is the announcing AS of an address (its /16 or /32 prefix without one), so one\n")
	p("organisation's load-balanced addresses count as one network.\n\n")
	p("Labels issued under vigil-grade/1 stay valid as issued; a device's next grade is issued under\n")
	p("vigil-grade/2 as a new label.\n")
	return b.String()
}
