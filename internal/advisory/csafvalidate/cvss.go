// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package csafvalidate

import (
	"fmt"
	"math"
	"strings"

	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// cvssMetric maps one property of the FIRST CVSS JSON schema to its vector
// metric and value abbreviations.
type cvssMetric struct {
	prop, abv string
	values    map[string]string // JSON enum value -> vector value
}

func cvss2Metrics() []cvssMetric {
	av := map[string]string{"NETWORK": "N", "ADJACENT_NETWORK": "A", "LOCAL": "L"}
	ac := map[string]string{"HIGH": "H", "MEDIUM": "M", "LOW": "L"}
	au := map[string]string{"MULTIPLE": "M", "SINGLE": "S", "NONE": "N"}
	cia := map[string]string{"NONE": "N", "PARTIAL": "P", "COMPLETE": "C"}
	e := map[string]string{"UNPROVEN": "U", "PROOF_OF_CONCEPT": "POC", "FUNCTIONAL": "F", "HIGH": "H", "NOT_DEFINED": "ND"}
	rl := map[string]string{"OFFICIAL_FIX": "OF", "TEMPORARY_FIX": "TF", "WORKAROUND": "W", "UNAVAILABLE": "U", "NOT_DEFINED": "ND"}
	rc := map[string]string{"UNCONFIRMED": "UC", "UNCORROBORATED": "UR", "CONFIRMED": "C", "NOT_DEFINED": "ND"}
	cdp := map[string]string{"NONE": "N", "LOW": "L", "LOW_MEDIUM": "LM", "MEDIUM_HIGH": "MH", "HIGH": "H", "NOT_DEFINED": "ND"}
	td := map[string]string{"NONE": "N", "LOW": "L", "MEDIUM": "M", "HIGH": "H", "NOT_DEFINED": "ND"}
	req := map[string]string{"LOW": "L", "MEDIUM": "M", "HIGH": "H", "NOT_DEFINED": "ND"}
	return []cvssMetric{
		{"accessVector", "AV", av}, {"accessComplexity", "AC", ac}, {"authentication", "Au", au},
		{"confidentialityImpact", "C", cia}, {"integrityImpact", "I", cia}, {"availabilityImpact", "A", cia},
		{"exploitability", "E", e}, {"remediationLevel", "RL", rl}, {"reportConfidence", "RC", rc},
		{"collateralDamagePotential", "CDP", cdp}, {"targetDistribution", "TD", td},
		{"confidentialityRequirement", "CR", req}, {"integrityRequirement", "IR", req}, {"availabilityRequirement", "AR", req},
	}
}

func cvss3Metrics() []cvssMetric {
	with := func(m map[string]string) map[string]string {
		out := map[string]string{"NOT_DEFINED": "X"}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	av := map[string]string{"NETWORK": "N", "ADJACENT_NETWORK": "A", "LOCAL": "L", "PHYSICAL": "P"}
	ac := map[string]string{"HIGH": "H", "LOW": "L"}
	pr := map[string]string{"HIGH": "H", "LOW": "L", "NONE": "N"}
	ui := map[string]string{"NONE": "N", "REQUIRED": "R"}
	s := map[string]string{"UNCHANGED": "U", "CHANGED": "C"}
	cia := map[string]string{"NONE": "N", "LOW": "L", "HIGH": "H"}
	e := map[string]string{"UNPROVEN": "U", "PROOF_OF_CONCEPT": "P", "FUNCTIONAL": "F", "HIGH": "H", "NOT_DEFINED": "X"}
	rl := map[string]string{"OFFICIAL_FIX": "O", "TEMPORARY_FIX": "T", "WORKAROUND": "W", "UNAVAILABLE": "U", "NOT_DEFINED": "X"}
	rc := map[string]string{"UNKNOWN": "U", "REASONABLE": "R", "CONFIRMED": "C", "NOT_DEFINED": "X"}
	req := map[string]string{"LOW": "L", "MEDIUM": "M", "HIGH": "H", "NOT_DEFINED": "X"}
	return []cvssMetric{
		{"attackVector", "AV", av}, {"attackComplexity", "AC", ac}, {"privilegesRequired", "PR", pr},
		{"userInteraction", "UI", ui}, {"scope", "S", s},
		{"confidentialityImpact", "C", cia}, {"integrityImpact", "I", cia}, {"availabilityImpact", "A", cia},
		{"exploitCodeMaturity", "E", e}, {"remediationLevel", "RL", rl}, {"reportConfidence", "RC", rc},
		{"confidentialityRequirement", "CR", req}, {"integrityRequirement", "IR", req}, {"availabilityRequirement", "AR", req},
		{"modifiedAttackVector", "MAV", with(av)}, {"modifiedAttackComplexity", "MAC", with(ac)},
		{"modifiedPrivilegesRequired", "MPR", with(pr)}, {"modifiedUserInteraction", "MUI", with(ui)},
		{"modifiedScope", "MS", with(s)}, {"modifiedConfidentialityImpact", "MC", with(cia)},
		{"modifiedIntegrityImpact", "MI", with(cia)}, {"modifiedAvailabilityImpact", "MA", with(cia)},
	}
}

// cvssScore is a CVSS object parsed by go-cvss.
type cvssScore struct {
	version               string // "2.0", "3.0" or "3.1", from the vector
	get                   func(abv string) (string, error)
	present               map[string]bool // metrics written in the vector string
	base, temporal, envir float64
	rating                func(float64) (string, error) // nil for v2
}

// cvss2Groups is the CVSS v2 vector order: base, temporal, environmental.
func cvss2Groups() [][]string {
	return [][]string{
		{"AV", "AC", "Au", "C", "I", "A"},
		{"E", "RL", "RC"},
		{"CDP", "TD", "CR", "IR", "AR"},
	}
}

// completeV2 rewrites a CVSS v2 vector into the form go-cvss parses: metrics
// in the order of the CVSS v2 guide, and a temporal or environmental group
// that is only partly given filled up with ND (not defined), which the guide
// defines as not changing the score. The FIRST schema allows both partial
// groups and any order. ok is false for a repeated or unknown metric.
func completeV2(vec string) (string, bool) {
	vals := map[string]string{}
	for _, part := range strings.Split(vec, "/") {
		k, v, found := strings.Cut(part, ":")
		if !found {
			return "", false
		}
		if _, dup := vals[k]; dup {
			return "", false
		}
		vals[k] = v
	}
	var out []string
	n := 0
	for gi, g := range cvss2Groups() {
		given := false
		for _, k := range g {
			if _, ok := vals[k]; ok {
				given = true
			}
		}
		if !given && gi > 0 {
			continue
		}
		for _, k := range g {
			v, ok := vals[k]
			if !ok {
				v = "ND"
			} else {
				n++
			}
			out = append(out, k+":"+v)
		}
	}
	if n != len(vals) {
		return "", false
	}
	return strings.Join(out, "/"), true
}

// vectorMetrics returns the metric abbreviations written in a vector.
func vectorMetrics(vec string) map[string]bool {
	out := map[string]bool{}
	for _, part := range strings.Split(vec, "/") {
		if k, _, ok := strings.Cut(part, ":"); ok {
			out[k] = true
		}
	}
	return out
}

// parseCVSS parses the vectorString of a cvss_v2 (v2 true) or cvss_v3 object
// with go-cvss. ok is false when there is no vector string; err is set when
// the library rejects it.
func parseCVSS(obj any, v2 bool) (s *cvssScore, ok bool, err error) {
	vec, ok := getStr(obj, "vectorString")
	if !ok {
		return nil, false, nil
	}
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("CVSS library failed: %v", r)
		}
	}()
	present := vectorMetrics(vec)
	switch {
	case v2:
		full, ok := completeV2(vec)
		if !ok {
			full = vec // let the library say what is wrong
		}
		c, err := gocvss20.ParseVector(full)
		if err != nil {
			return nil, true, err
		}
		return &cvssScore{version: "2.0", get: c.Get, present: present, base: c.BaseScore(), temporal: c.TemporalScore(), envir: c.EnvironmentalScore()}, true, nil
	case strings.HasPrefix(vec, "CVSS:3.0/"):
		c, err := gocvss30.ParseVector(vec)
		if err != nil {
			return nil, true, err
		}
		return &cvssScore{version: "3.0", get: c.Get, present: present, base: c.BaseScore(), temporal: c.TemporalScore(), envir: c.EnvironmentalScore(), rating: gocvss30.Rating}, true, nil
	case strings.HasPrefix(vec, "CVSS:3.1/"):
		c, err := gocvss31.ParseVector(vec)
		if err != nil {
			return nil, true, err
		}
		return &cvssScore{version: "3.1", get: c.Get, present: present, base: c.BaseScore(), temporal: c.TemporalScore(), envir: c.EnvironmentalScore(), rating: gocvss31.Rating}, true, nil
	}
	return nil, true, fmt.Errorf("vector %q does not start with CVSS:3.0/ or CVSS:3.1/", vec)
}

// scores calls fn for every cvss_v2 / cvss_v3 object.
func (c *checker) scores(fn func(obj map[string]any, v2 bool, p jpath, tokens []string)) {
	c.vulns(func(i int, v map[string]any, vp jpath) {
		for j, s := range getArr(v, "scores") {
			sp := vp.k("scores").i(j)
			for _, k := range []string{"cvss_v2", "cvss_v3"} {
				if obj, ok := get(s, k).(map[string]any); ok {
					fn(obj, k == "cvss_v2", sp.k(k), []string{"vulnerabilities", fmt.Sprint(i), "scores", fmt.Sprint(j), k})
				}
			}
		}
	})
}

// 6.1.8: each CVSS object is valid against the referenced FIRST schema.
func test618(c *checker) {
	c.scores(func(obj map[string]any, v2 bool, _ jpath, tokens []string) {
		var sch *jsonschema.Schema
		switch ver, _ := obj["version"].(string); {
		case v2:
			sch = c.v.cvss2
		case ver == "3.0":
			sch = c.v.cvss30
		case ver == "3.1":
			sch = c.v.cvss31
		default:
			sch = c.v.cvss3
		}
		c.schemaFailures(sch, obj, tokens)
	})
}

// 6.1.9: the scores and severities are those computed from the vector.
func test619(c *checker) {
	c.scores(func(obj map[string]any, v2 bool, p jpath, _ []string) {
		s, ok, err := parseCVSS(obj, v2)
		if !ok {
			return
		}
		if err != nil {
			c.warn(p.k("vectorString"), "cannot compute CVSS scores: %v", err)
			return
		}
		for _, e := range []struct {
			score, severity string
			want            float64
		}{
			{"baseScore", "baseSeverity", s.base},
			{"temporalScore", "temporalSeverity", s.temporal},
			{"environmentalScore", "environmentalSeverity", s.envir},
		} {
			if got, ok := getNum(obj, e.score); ok && math.Abs(got-e.want) > 1e-9 {
				c.fail(p.k(e.score), "%s is %v but CVSS v%s vector %s gives %.1f", e.score, got, s.version, obj["vectorString"], e.want)
			}
			if s.rating == nil {
				continue
			}
			got, ok := getStr(obj, e.severity)
			if !ok {
				continue
			}
			want, err := s.rating(e.want)
			if err == nil && got != want {
				c.fail(p.k(e.severity), "%s is %q but CVSS v%s vector %s gives %q (score %.1f)", e.severity, got, s.version, obj["vectorString"], want, e.want)
			}
		}
	})
}

// 6.1.10: the metric properties do not contradict the vector. Only metrics
// written in the vector are compared (the OASIS suite treats a property for a
// metric the vector leaves out as consistent, e.g. 6-2-19-02 and 6-2-19-03).
func test6110(c *checker) {
	c.scores(func(obj map[string]any, v2 bool, p jpath, _ []string) {
		s, ok, err := parseCVSS(obj, v2)
		if !ok {
			return
		}
		if err != nil {
			c.warn(p.k("vectorString"), "cannot compare CVSS properties with the vector: %v", err)
			return
		}
		if ver, ok := obj["version"].(string); ok && ver != s.version {
			c.fail(p.k("version"), "version is %q but the vector is CVSS v%s", ver, s.version)
		}
		metrics := c.v.cvss3m
		if v2 {
			metrics = c.v.cvss2m
		}
		for _, m := range metrics {
			got, ok := obj[m.prop].(string)
			if !ok {
				continue
			}
			want, ok := m.values[got]
			if !ok {
				continue // not an enum value: the schema (6.1.8) reports it
			}
			if !s.present[m.abv] {
				continue
			}
			inVector, err := s.get(m.abv)
			if err != nil || inVector == "" {
				continue
			}
			if inVector != want {
				c.fail(p.k(m.prop), "%s is %q but the vector has %s:%s", m.prop, got, m.abv, inVector)
			}
		}
	})
}
