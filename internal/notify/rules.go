// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package notify

import (
	"slices"
	"time"

	"vigil/internal/finding"
)

// Reason says why an event did or did not make a notice item.
type Reason string

// The reasons Decide gives.
const (
	ReasonNew          Reason = "new"                // a new finding
	ReasonReopened     Reason = "reopened"           // seen again after it was resolved
	ReasonSeverityUp   Reason = "severity_up"        // its severity rose
	ReasonResolved     Reason = "resolved"           // resolution events never notify
	ReasonBelowMin     Reason = "below_min_severity" // under the policy's minimum severity
	ReasonTypeFiltered Reason = "type_filtered"      // the policy limits types and this is not one
	ReasonQuiet        Reason = "quiet_interval"     // notified recently, severity did not rise
	ReasonUnknownEvent Reason = "unknown_event"      // an event kind this version does not know
	// ReasonTLPRed counts items marked TLP:RED: they went to the call
	// list in a notice of their own, to nobody else.
	ReasonTLPRed Reason = "tlp_red_withheld"
)

// Prior is the last notice item made for a finding.
type Prior struct {
	At       time.Time
	Severity finding.Severity
}

// Decision is the verdict on one event.
type Decision struct {
	Notify bool
	Reason Reason
}

// effective returns the severity used for the minimum-severity rule:
// unknown counts as medium, so feeds without a severity column still warn.
func effective(s finding.Severity) finding.Severity {
	if s == finding.Unknown {
		return finding.Medium
	}
	return s
}

// Decide judges one finding event under policy p. findingType is the
// finding's type (for the policy's type filter); prior is the last notice
// item made for the same finding, nil when there was none; now is the
// time of the decision.
//
// The rules, in order: resolution events never notify; the event's
// severity must reach the policy's minimum and its type must be one of
// the policy's types (when it lists any); and a finding that notified
// less than RenotifyAfter ago notifies again only when its severity is
// now higher than it was then.
func Decide(ev finding.Event, findingType string, p Policy, prior *Prior, now time.Time) Decision {
	var reason Reason
	switch ev.Kind {
	case finding.EventNew:
		reason = ReasonNew
	case finding.EventReopened:
		reason = ReasonReopened
	case finding.EventSeverityUp:
		reason = ReasonSeverityUp
	case finding.EventResolved:
		return Decision{Reason: ReasonResolved}
	default:
		return Decision{Reason: ReasonUnknownEvent}
	}
	if effective(ev.Severity) < p.MinSeverity {
		return Decision{Reason: ReasonBelowMin}
	}
	if len(p.Types) > 0 && !slices.Contains(p.Types, findingType) {
		return Decision{Reason: ReasonTypeFiltered}
	}
	if prior != nil && now.Sub(prior.At) < p.RenotifyAfter && ev.Severity <= prior.Severity {
		return Decision{Reason: ReasonQuiet}
	}
	return Decision{Notify: true, Reason: reason}
}
