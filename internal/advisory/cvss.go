// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package advisory

import (
	"fmt"
	"math"
	"strings"

	gocvss20 "github.com/pandatix/go-cvss/20"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
)

// cvssVersionOf returns the CVSS version a vector string declares: "3.0",
// "3.1" and "4.0" from their CVSS: prefix, "2.0" for an unprefixed vector.
func cvssVersionOf(vector string) string {
	switch {
	case strings.HasPrefix(vector, "CVSS:3.1/"):
		return "3.1"
	case strings.HasPrefix(vector, "CVSS:3.0/"):
		return "3.0"
	case strings.HasPrefix(vector, "CVSS:4.0/"):
		return "4.0"
	case strings.HasPrefix(vector, "CVSS:"):
		return ""
	}
	return "2.0"
}

// ParseCVSS parses a CVSS v2.0, v3.0, v3.1 or v4.0 vector string with
// github.com/pandatix/go-cvss and returns its version, base score and
// severity rating (v2 ratings use the NVD v2 scale LOW/MEDIUM/HIGH).
func ParseCVSS(vector string) (version string, base float64, severity string, err error) {
	vector = strings.TrimSpace(vector)
	version = cvssVersionOf(vector)
	switch version {
	case "2.0":
		v, err := gocvss20.ParseVector(strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(vector, "("), ")"), "CVSS:2.0/"))
		if err != nil {
			return "", 0, "", fmt.Errorf("CVSS v2 vector %q: %w", vector, err)
		}
		base = v.BaseScore()
		switch {
		case base < 4:
			severity = "LOW"
		case base < 7:
			severity = "MEDIUM"
		default:
			severity = "HIGH"
		}
	case "3.0":
		v, err := gocvss30.ParseVector(vector)
		if err != nil {
			return "", 0, "", fmt.Errorf("CVSS v3.0 vector %q: %w", vector, err)
		}
		base = v.BaseScore()
		severity, _ = gocvss30.Rating(base)
	case "3.1":
		v, err := gocvss31.ParseVector(vector)
		if err != nil {
			return "", 0, "", fmt.Errorf("CVSS v3.1 vector %q: %w", vector, err)
		}
		base = v.BaseScore()
		severity, _ = gocvss31.Rating(base)
	case "4.0":
		v, err := gocvss40.ParseVector(vector)
		if err != nil {
			return "", 0, "", fmt.Errorf("CVSS v4.0 vector %q: %w", vector, err)
		}
		base = v.Score()
		severity, _ = gocvss40.Rating(base)
	default:
		return "", 0, "", fmt.Errorf("CVSS vector %q: unknown version", vector)
	}
	return version, base, strings.ToUpper(severity), nil
}

// newScore checks a score a source states: the vector must parse, its
// version must match the stated one and the stated base score must equal
// the computed one. The returned Score carries the computed base; warn lists
// mismatches (the score is still good), err means the vector is unusable.
func newScore(statedVersion, vector string, statedBase *float64) (s Score, warn []string, err error) {
	version, base, sev, err := ParseCVSS(vector)
	if err != nil {
		return Score{}, nil, err
	}
	if statedVersion != "" && statedVersion != version {
		warn = append(warn, fmt.Sprintf("version %q does not match vector (CVSS %s)", statedVersion, version))
	}
	if statedBase != nil && math.Abs(*statedBase-base) > 0.05 {
		warn = append(warn, fmt.Sprintf("base score %.1f does not match vector %s (computed %.1f)", *statedBase, vector, base))
	}
	return Score{Version: version, Vector: strings.TrimSpace(vector), Base: base, Severity: sev}, warn, nil
}
