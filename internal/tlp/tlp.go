// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package tlp is the Traffic Light Protocol 2.0 (FIRST, August 2022): the
// marking a source puts on its data (TLP:CLEAR, TLP:GREEN, TLP:AMBER,
// TLP:AMBER+STRICT, TLP:RED) and who vigil may pass data of each marking
// to.
//
// A Marking orders from least to most restrictive, so the marking of data
// seen under several is their maximum (Max). The zero value, None, is data
// its source did not mark: vigil passes it like TLP:CLEAR but never shows
// a marking the source did not give.
//
// Audience names every kind of party vigil passes findings to; Allows is
// the one rule (see its table) that notices, the fallback chain, webhooks,
// the pull feed, exports and the portal ask.
package tlp

import (
	"database/sql/driver"
	"fmt"
	"strings"

	"vigil/internal/errs"
)

// Marking is a TLP 2.0 marking. The zero value is None (unmarked).
type Marking int8

// The markings, least restrictive first. The values are stored
// (findings.tlp, sources.tlp, ingest_runs.tlp): never renumber them.
const (
	None Marking = iota
	Clear
	Green
	Amber
	AmberStrict
	Red
)

var labels = [...]string{"", "TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"}

// String returns the label as TLP 2.0 writes it ("TLP:AMBER+STRICT"), or
// "" for None.
func (m Marking) String() string {
	if m < 0 || int(m) >= len(labels) {
		return ""
	}
	return labels[m]
}

// Name returns the label without its "TLP:" prefix in lower case
// ("amber+strict"), for URLs and CSS classes; "none" for None.
func (m Marking) Name() string {
	if m == None {
		return "none"
	}
	return strings.ToLower(strings.TrimPrefix(m.String(), "TLP:"))
}

// Parse reads a marking strictly: the five TLP 2.0 labels, with or
// without the "TLP:" prefix, in any case ("TLP:AMBER+STRICT", "amber+strict",
// "TLP:CLEAR"). TLP 1.0's WHITE is accepted on input as TLP:CLEAR, the
// label TLP 2.0 renamed it to; vigil writes CLEAR. Empty is None. Anything
// else (TLP:AMBER-STRICT, TLP:YELLOW, "AMBER STRICT") is an error: a
// marking vigil cannot read is never guessed.
func Parse(s string) (Marking, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	if t == "" {
		return None, nil
	}
	t = strings.TrimPrefix(t, "TLP:")
	if t == "WHITE" {
		return Clear, nil
	}
	for i, l := range labels[1:] {
		if t == strings.TrimPrefix(l, "TLP:") {
			return Marking(i + 1), nil
		}
	}
	return None, errs.Field("tlp", s, "must be TLP:CLEAR, TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT or TLP:RED (TLP:WHITE is read as TLP:CLEAR)")
}

// Max returns the most restrictive of ms (None for none).
func Max(ms ...Marking) Marking {
	var out Marking
	for _, m := range ms {
		out = max(out, m)
	}
	return out
}

// MarshalText implements encoding.TextMarshaler: the label, "" for None.
func (m Marking) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with Parse.
func (m *Marking) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	*m = v
	return err
}

// Value implements driver.Valuer: the stored number.
func (m Marking) Value() (driver.Value, error) { return int64(m), nil }

// Scan implements sql.Scanner for the stored number.
func (m *Marking) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*m = Marking(v)
	case int32:
		*m = Marking(v)
	case int16:
		*m = Marking(v)
	case nil:
		*m = None
	default:
		return fmt.Errorf("tlp: cannot scan %T", src)
	}
	if *m < None || *m > Red {
		return fmt.Errorf("tlp: stored marking %d out of range", *m)
	}
	return nil
}

// Audience is a kind of party vigil passes findings to.
type Audience int8

// The audiences.
const (
	// Analyst is the operator's own staff (the CERT that received the
	// data): the portal's analysts and administrators, the CLI, operator
	// tokens, the call list.
	Analyst Audience = iota
	// Member is a signed-in member of the finding's organisation, or its
	// API token (portal pages, the pull feed, exports).
	Member
	// Contact is a contact the organisation registered for itself.
	Contact
	// Webhook is the webhook URL in the organisation's own notification
	// policy: the organisation's own receiving system.
	Webhook
	// OwnerSecurityTxt is the security.txt contact of the owner's domain
	// whose address is in that same registrable domain: the owner itself.
	OwnerSecurityTxt
	// DelegateSecurityTxt is a security.txt contact of the owner's domain
	// at another domain (a CSIRT, an MSSP, a bug bounty platform): a party
	// the owner appointed, not the owner.
	DelegateSecurityTxt
	// NetworkAbuse is an RDAP abuse contact: the network operator (ISP,
	// hoster) or registrar responsible for the address or domain, not the
	// owner.
	NetworkAbuse
)

var audienceNames = [...]string{"analyst", "member", "contact", "webhook", "owner_security_txt", "delegate_security_txt", "network_abuse"}

// String names the audience.
func (a Audience) String() string {
	if a < 0 || int(a) >= len(audienceNames) {
		return "unknown"
	}
	return audienceNames[a]
}

// Audiences returns every audience, in order.
func Audiences() []Audience {
	out := make([]Audience, len(audienceNames))
	for i := range out {
		out[i] = Audience(i)
	}
	return out
}

// Allows reports whether data marked m may go to audience a:
//
//	marking            analyst member contact webhook owner-security.txt delegate-security.txt network-abuse
//	none, CLEAR, GREEN yes     yes    yes     yes     yes                yes                   yes
//	AMBER              yes     yes    yes     yes     yes                yes                   yes
//	AMBER+STRICT       yes     yes    yes     yes     yes                no                    no
//	RED                yes     no     no      no      no                 no                    no
//
// RED is for the individual recipients only: it never leaves the analysts.
// AMBER+STRICT goes to the organisation itself only: its members, its own
// registered contacts and webhook, and a security.txt contact at its own
// domain. AMBER may also go to those who need it to protect the
// organisation (its clients, in TLP's words): the security team its
// security.txt names elsewhere, and the network's abuse desk that acts
// for the owner of an address. CLEAR and GREEN reach every audience
// (vigil publishes no finding, so GREEN's "not public" always holds).
func (m Marking) Allows(a Audience) bool {
	switch {
	case a == Analyst:
		return true
	case m >= Red:
		return false
	case m == AmberStrict:
		return a == Member || a == Contact || a == Webhook || a == OwnerSecurityTxt
	}
	return true
}

// Why says why m does not allow a ("" when it does), for the call list and
// the analysts.
func (m Marking) Why(a Audience) string {
	if m.Allows(a) {
		return ""
	}
	switch {
	case m >= Red:
		return m.String() + ": for the analysts only, never passed on"
	case a == NetworkAbuse:
		return m.String() + ": only for the organisation itself, and an RDAP abuse contact is not the organisation"
	case a == DelegateSecurityTxt:
		return m.String() + ": only for the organisation itself, and the security.txt contact is at another domain"
	}
	return m.String() + ": not for " + a.String()
}

// Guidance is the sentence TLP 2.0 gives for m's sharing, in English, for
// the line a notice shows under its marking; "" for None.
func (m Marking) Guidance() string {
	switch m {
	case Clear:
		return "Recipients can spread this to the world; there is no limit on disclosure."
	case Green:
		return "Recipients may share this with peers and partner organisations within their community, but not via publicly accessible channels."
	case Amber:
		return "Limited disclosure: recipients may share this only with members of their own organisation and its clients, on a need-to-know basis."
	case AmberStrict:
		return "Limited disclosure: recipients may share this only with members of their own organisation, on a need-to-know basis."
	case Red:
		return "For the eyes and ears of the individual recipients only; no further disclosure."
	}
	return ""
}

// Set implements the flag.Value of a command-line flag (Parse).
func (m *Marking) Set(s string) error {
	v, err := Parse(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Type names the flag's value in usage texts.
func (m *Marking) Type() string { return "marking" }
