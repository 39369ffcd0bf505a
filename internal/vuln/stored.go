// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package vuln

import (
	"encoding/json"
	"fmt"
	"time"

	"vigil/internal/advisory"
	"vigil/internal/finding"
	"vigil/internal/keyset"
)

// What the engine keeps: advisories, per-CVE enrichment, SBOM components,
// the index keys advisories and inventory are matched by, and the matches.

// Advisory load states reported by the store's AdvisoryPut.
const (
	AdvisoryNew       = "new"
	AdvisoryChanged   = "changed"
	AdvisoryUnchanged = "unchanged"
)

// AdvisoryPut is one advisory to store.
type AdvisoryPut struct {
	Advisory *advisory.Advisory
	// Digest identifies the content (advisory.Advisory.Digest); an equal
	// digest means unchanged.
	Digest string
	// Keys are the index keys the matcher finds the advisory by.
	Keys []string
	// Origin is the file or URL it was loaded from.
	Origin string
}

// AdvisoryPutResult says what storing an advisory did.
type AdvisoryPutResult struct {
	Ref   int64  `json:"ref"`   // row id
	State string `json:"state"` // AdvisoryNew, AdvisoryChanged or AdvisoryUnchanged
	// OldKeys are the index keys of the replaced version (changed only).
	OldKeys []string `json:"old_keys,omitempty"`
}

// StoredAdvisory is a stored advisory.
type StoredAdvisory struct {
	Ref       int64           `json:"ref"`
	Source    string          `json:"source"`
	ID        string          `json:"id"`
	Digest    string          `json:"digest"`
	Title     string          `json:"title,omitempty"`
	Publisher string          `json:"publisher,omitempty"`
	Published time.Time       `json:"published,omitzero"`
	Modified  time.Time       `json:"modified,omitzero"`
	Withdrawn bool            `json:"withdrawn,omitempty"`
	Origin    string          `json:"origin,omitempty"`
	LoadedAt  time.Time       `json:"loaded_at"`
	ChangedAt time.Time       `json:"changed_at"`
	Body      json.RawMessage `json:"-"` // advisory.Advisory as JSON
}

// Decode returns the advisory of the stored body.
func (v StoredAdvisory) Decode() (*advisory.Advisory, error) {
	var a advisory.Advisory
	if err := json.Unmarshal(v.Body, &a); err != nil {
		return nil, fmt.Errorf("advisory %s %s: stored body: %w", v.Source, v.ID, err)
	}
	return &a, nil
}

// CVEInfo is what vigil knows about one vulnerability across sources: the
// CVSS score used for severity, EPSS and the CISA KEV entry.
type CVEInfo struct {
	CVE          string    `json:"cve"`
	Title        string    `json:"title,omitempty"`
	CVSSBase     float64   `json:"cvss_base,omitempty"`
	CVSSVersion  string    `json:"cvss_version,omitempty"`
	CVSSVector   string    `json:"cvss_vector,omitempty"`
	CVSSSeverity string    `json:"cvss_severity,omitempty"`
	CVSSSource   string    `json:"cvss_source,omitempty"` // advisory the score came from, "nvd:CVE-…"
	EPSS         *float64  `json:"epss,omitempty"`
	EPSSPct      *float64  `json:"epss_percentile,omitempty"`
	EPSSDate     time.Time `json:"epss_date,omitzero"`
	KEV          bool      `json:"kev"`
	KEVAdded     time.Time `json:"kev_date_added,omitzero"`
	KEVDue       time.Time `json:"kev_due_date,omitzero"`
	KEVRansom    bool      `json:"kev_ransomware,omitempty"`
	KEVAction    string    `json:"kev_required_action,omitempty"`
	KEVName      string    `json:"kev_name,omitempty"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// EPSSScore is one EPSS score.
type EPSSScore struct {
	CVE        string
	Score      float64
	Percentile float64
	Date       time.Time
}

// Component is a software or hardware component of a device, from an
// SBOM.
type Component struct {
	ID       int64  `json:"id"`
	DeviceID int64  `json:"device_id"`
	OrgID    int64  `json:"org_id,omitempty"` // the device's organisation (read only)
	Name     string `json:"name"`
	Group    string `json:"group,omitempty"`
	Version  string `json:"version,omitempty"`
	PURL     string `json:"purl,omitempty"`
	CPE      string `json:"cpe,omitempty"`
	Supplier string `json:"supplier,omitempty"`
	Type     string `json:"type,omitempty"`
	BOMRef   string `json:"bom_ref,omitempty"`
}

// IndexKeys are the index keys of one device (ComponentID 0) or
// component.
type IndexKeys struct {
	Target      string // "device:12", "component:34"
	DeviceID    int64
	ComponentID int64
	Keys        []string
}

// MatchFilter selects matches: those of any of the Targets, of any of the
// Advisories, or of any of the CVEs (the lists are alternatives; all empty
// selects nothing unless All is set).
type MatchFilter struct {
	Targets    []string
	Advisories []int64
	CVEs       []string
	All        bool
}

// FindingFilter selects vulnerability findings (type "vulnerable").
type FindingFilter struct {
	DeviceID int64
	// KEV keeps only findings whose CVE is in CISA's KEV catalog.
	KEV bool
	// Status filters by status; empty means open.
	Status finding.Status
	keyset.Page
}
