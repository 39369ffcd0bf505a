// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package registry holds vigil's organisations and what they register: contacts,
// assets (IP ranges, ASNs, domains) and devices. It validates every field before
// anything reaches storage and verifies that an organisation owns the domains and
// ranges it claims.
package registry

import (
	"time"
	"vigil/internal/keyset"
)

// Org is a registered organisation.
type Org struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Sector    string    `json:"sector,omitempty"`
	Country   string    `json:"country,omitempty"`   // ISO 3166-1 alpha-2
	Languages []string  `json:"languages,omitempty"` // BCP 47 tags, preferred first
	Policy    Policy    `json:"policy"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	Contacts []Contact `json:"contacts,omitempty"`
	Assets   []Asset   `json:"assets,omitempty"`
	Devices  []Device  `json:"devices,omitempty"`

	// Line is where the organisation starts in the file it was parsed
	// from (ParseCSV, ParseJSON); 0 otherwise.
	Line int `json:"-"`
}

// Policy says how an organisation wants to be notified. The zero value means
// "use the operator's default policy".
type Policy struct {
	// Mode is "immediate", "daily" or "weekly" (digest); empty means default.
	Mode string `json:"mode,omitempty"`
	// MinSeverity is the lowest severity that notifies: info, low, medium,
	// high or critical; empty means default.
	MinSeverity string `json:"min_severity,omitempty"`
	// Types limits notices to these finding types; empty means all.
	Types []string `json:"types,omitempty"`
	// Channels are "email" and/or "webhook"; empty means email.
	Channels []string `json:"channels,omitempty"`
	// WebhookURL receives JSON notices when Channels has "webhook".
	WebhookURL string `json:"webhook_url,omitempty"`
	// RenotifyAfter is the quiet interval before the same finding notifies
	// again, as a Go duration string ("168h"); empty means default.
	RenotifyAfter string `json:"renotify_after,omitempty"`
	// ImmediateCap is the most immediate notices the organisation gets a
	// day before further non-critical ones fold into its next digest (0:
	// no cap); nil means the operator's default.
	ImmediateCap *int `json:"immediate_cap,omitempty"`
}

// Contact is a person or mailbox of an organisation.
type Contact struct {
	ID       int64      `json:"id"`
	OrgID    int64      `json:"org_id"`
	Name     string     `json:"name,omitempty"`
	Email    string     `json:"email,omitempty"`
	Phone    string     `json:"phone,omitempty"`
	Role     string     `json:"role,omitempty"` // security, technical, management, abuse
	Lang     string     `json:"lang,omitempty"`
	Verified bool       `json:"verified"`
	Bounced  *time.Time `json:"bounced_at,omitempty"`
}

// AssetKind is the kind of a registered asset.
type AssetKind string

// The asset kinds.
const (
	KindCIDR   AssetKind = "cidr"
	KindASN    AssetKind = "asn"
	KindDomain AssetKind = "domain"
)

// Asset is an IP range (a single IP is stored as /32 or /128), an autonomous
// system number or a domain that an organisation registered.
type Asset struct {
	ID           int64      `json:"id"`
	OrgID        int64      `json:"org_id"`
	Kind         AssetKind  `json:"kind"`
	Value        string     `json:"value"` // canonical: "192.0.2.0/24", "64500", "example.nl"
	VerifiedAt   *time.Time `json:"verified_at,omitempty"`
	VerifyMethod string     `json:"verify_method,omitempty"`
	// VerifyNote is how an analyst checked ownership (method manual).
	VerifyNote string `json:"verify_note,omitempty"`
	// AddedBy says who registered the asset: the operator (CLI import,
	// analyst pages, operator tokens; the zero value) or a member of the
	// organisation through self-service (its pages or credentials).
	AddedBy AddedBy `json:"added_by,omitempty"`
}

// AddedBy is the provenance of an asset: who registered it.
type AddedBy string

// The provenances of an asset.
const (
	// AddedByOperator is an asset the operator or an analyst registered:
	// trusted without proof. It is the zero value's meaning.
	AddedByOperator AddedBy = "operator"
	// AddedByMember is an asset a member registered through self-service:
	// a claim anyone who signs up can make, so it draws findings only once
	// ownership is proven or an analyst verified it.
	AddedByMember AddedBy = "member"
)

// Verified reports whether the organisation's ownership has been checked.
func (a Asset) Verified() bool { return a.VerifiedAt != nil }

// DrawsFindings reports whether feed rows are attributed to the asset: an
// operator's asset always, a member's only once verified.
func (a Asset) DrawsFindings() bool { return a.AddedBy != AddedByMember || a.Verified() }

// Provenance returns who registered the asset, AddedByOperator for the
// zero value.
func (a Asset) Provenance() AddedBy {
	if a.AddedBy == AddedByMember {
		return AddedByMember
	}
	return AddedByOperator
}

// Device is a connected device or product an organisation operates or makes.
type Device struct {
	ID       int64  `json:"id"`
	OrgID    int64  `json:"org_id"`
	Vendor   string `json:"vendor"`
	Model    string `json:"model"`
	Firmware string `json:"firmware,omitempty"`
	CPE      string `json:"cpe,omitempty"`  // CPE 2.3 formatted string
	PURL     string `json:"purl,omitempty"` // package URL
	Serial   string `json:"serial,omitempty"`
	Location string `json:"location,omitempty"`
	AssetID  *int64 `json:"asset_id,omitempty"`
}

// OrgUpdate is a partial update: nil fields are left as they are.
type OrgUpdate struct {
	Name      *string   `json:"name"`
	Sector    *string   `json:"sector"`
	Country   *string   `json:"country"`
	Languages *[]string `json:"languages"`
	Policy    *Policy   `json:"policy"`
}

// AssetFilter selects assets. Zero fields do not filter.
type AssetFilter struct {
	Kind AssetKind
	keyset.Page
}
