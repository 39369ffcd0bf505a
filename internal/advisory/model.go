// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package advisory

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode"

	"vigil/internal/errs"
	"vigil/internal/tlp"
)

// Source names where an Advisory came from.
type Source string

// The sources vigil loads.
const (
	SourceCSAF Source = "csaf"
	SourceKEV  Source = "kev"
	SourceNVD  Source = "nvd"
	SourceCVE5 Source = "cve5"
	SourceOSV  Source = "osv"
)

// Status is the state of a product with respect to one vulnerability. The
// values are CSAF 2.0 product_status names; CVE 5 and OSV statuses are mapped
// onto them (affected → known_affected, unaffected → known_not_affected).
type Status string

// Product statuses.
const (
	StatusKnownAffected      Status = "known_affected"
	StatusFirstAffected      Status = "first_affected"
	StatusLastAffected       Status = "last_affected"
	StatusFixed              Status = "fixed"
	StatusFirstFixed         Status = "first_fixed"
	StatusKnownNotAffected   Status = "known_not_affected"
	StatusUnderInvestigation Status = "under_investigation"
	StatusRecommended        Status = "recommended"
	StatusUnknown            Status = "unknown" // CVE 5 "unknown"
)

// Affected reports whether s says the product is vulnerable.
func (s Status) Affected() bool {
	return s == StatusKnownAffected || s == StatusFirstAffected || s == StatusLastAffected
}

// NotAffected reports whether s says the product is not (or no longer)
// vulnerable: fixed, first fixed, known not affected or recommended.
func (s Status) NotAffected() bool {
	return s == StatusFixed || s == StatusFirstFixed || s == StatusKnownNotAffected || s == StatusRecommended
}

// rank orders statuses when one product is listed several times for one
// vulnerability: an affected listing wins over a fixed one (the conservative
// reading of a contradictory document), recommended is the weakest.
func (s Status) rank() int {
	switch s {
	case StatusKnownAffected, StatusFirstAffected, StatusLastAffected:
		return 5
	case StatusFixed, StatusFirstFixed:
		return 4
	case StatusKnownNotAffected:
		return 3
	case StatusUnderInvestigation, StatusUnknown:
		return 2
	case StatusRecommended:
		return 1
	}
	return 0
}

// Advisory is one advisory of any source: a CSAF document, one KEV catalog
// entry, one NVD or CVE 5 record, one OSV record. All times are UTC.
type Advisory struct {
	ID        string    `json:"id"` // CSAF tracking id, CVE id (KEV, NVD, CVE 5), OSV id
	Source    Source    `json:"source"`
	Title     string    `json:"title,omitempty"`
	Published time.Time `json:"published,omitzero"`
	Modified  time.Time `json:"modified,omitzero"`
	Publisher string    `json:"publisher,omitempty"` // CSAF publisher name, NVD sourceIdentifier, CVE 5 CNA short name
	Version   string    `json:"version,omitempty"`   // CSAF tracking version
	// Status is the source's own record state: CSAF tracking status (final,
	// interim, draft), NVD vulnStatus, CVE 5 state.
	Status    string    `json:"status,omitempty"`
	Withdrawn bool      `json:"withdrawn,omitempty"` // rejected CVE, withdrawn OSV record
	Aliases   []string  `json:"aliases,omitempty"`   // other ids of the same issue (OSV aliases, GHSA ids)
	URLs      []string  `json:"urls,omitempty"`      // references, deduplicated, in document order
	CVEs      []string  `json:"cves,omitempty"`      // every CVE the advisory covers, sorted, unique
	Vulns     []Vuln    `json:"vulns,omitempty"`
	Products  []Product `json:"products,omitempty"`
	// TLP is the document's own Traffic Light Protocol marking (a CSAF
	// document's distribution.tlp.label; CSAF 2.0 writes TLP 1.0's WHITE,
	// read as TLP:CLEAR); findings made from the advisory carry it.
	TLP tlp.Marking `json:"tlp,omitempty"`
}

// Digest returns "sha256:" and the hex SHA-256 of the advisory's canonical
// JSON encoding. Loaders are deterministic, so loading unchanged data again
// gives the same digest.
func (a *Advisory) Digest() string {
	b, err := json.Marshal(a)
	if err != nil { // cannot happen: the model holds only marshalable values
		panic("advisory: marshal: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Vuln returns the vulnerability with the given key (CVE id, or id when it
// has no CVE) and whether there is one.
func (a *Advisory) Vuln(key string) (*Vuln, bool) {
	for i := range a.Vulns {
		if a.Vulns[i].Key() == key {
			return &a.Vulns[i], true
		}
	}
	return nil, false
}

// Product returns the product with the given id and whether there is one.
func (a *Advisory) Product(id string) (*Product, bool) {
	for i := range a.Products {
		if a.Products[i].ID == id {
			return &a.Products[i], true
		}
	}
	return nil, false
}

// Vuln is one vulnerability of an advisory.
type Vuln struct {
	ID          string        `json:"id,omitempty"` // the source's id when it is not the CVE (CSAF ids[], OSV id)
	CVE         string        `json:"cve,omitempty"`
	Title       string        `json:"title,omitempty"`
	Description string        `json:"description,omitempty"`
	CWEs        []string      `json:"cwes,omitempty"`
	CVSS        []Score       `json:"cvss,omitempty"`
	KEV         *KEV          `json:"kev,omitempty"`
	EPSS        *EPSS         `json:"epss,omitempty"`
	SSVC        *SSVC         `json:"ssvc,omitempty"`
	URLs        []string      `json:"urls,omitempty"`
	Remedies    []Remediation `json:"remediations,omitempty"`
	// Configurations are NVD applicability statements, kept as the source
	// gives them so that a matcher can evaluate AND nodes (a vulnerable
	// firmware "running on" a given hardware). Empty for other sources.
	Configurations []Config `json:"configurations,omitempty"`
}

// Key is the vulnerability's key in Product.Status: the CVE id, or ID when
// the vulnerability has no CVE.
func (v *Vuln) Key() string {
	if v.CVE != "" {
		return v.CVE
	}
	return v.ID
}

// Score is one CVSS score with its vector, as checked by a CVSS library.
type Score struct {
	Version    string   `json:"version"` // "2.0", "3.0", "3.1", "4.0"
	Vector     string   `json:"vector"`
	Base       float64  `json:"base"`               // computed from Vector
	Severity   string   `json:"severity,omitempty"` // NONE, LOW, MEDIUM, HIGH, CRITICAL (v2: LOW, MEDIUM, HIGH)
	Source     string   `json:"source,omitempty"`   // NVD source, CVE 5 container ("cna", "adp:CISA-ADP")
	Type       string   `json:"type,omitempty"`     // NVD Primary / Secondary
	ProductIDs []string `json:"product_ids,omitempty"`
}

// KEV is the CISA Known Exploited Vulnerabilities information for one CVE.
// Dates are UTC midnight; DueDate is zero when the source does not give one
// (the CVE 5 CISA-ADP container only carries the date added).
type KEV struct {
	DateAdded         time.Time `json:"date_added"`
	DueDate           time.Time `json:"due_date,omitzero"`
	RansomwareUse     bool      `json:"ransomware_use"` // knownRansomwareCampaignUse == "Known"
	RequiredAction    string    `json:"required_action,omitempty"`
	VulnerabilityName string    `json:"vulnerability_name,omitempty"`
	Notes             string    `json:"notes,omitempty"`
}

// EPSS is the FIRST Exploit Prediction Scoring System score of one CVE.
type EPSS struct {
	Score      float64   `json:"score"`
	Percentile float64   `json:"percentile"`
	Date       time.Time `json:"date,omitzero"`
	Model      string    `json:"model,omitempty"`
}

// SSVC is a CISA SSVC decision-point record (CVE 5 CISA-ADP container).
type SSVC struct {
	Exploitation    string    `json:"exploitation,omitempty"` // none, poc, active
	Automatable     string    `json:"automatable,omitempty"`  // yes, no
	TechnicalImpact string    `json:"technical_impact,omitempty"`
	Role            string    `json:"role,omitempty"`
	Version         string    `json:"version,omitempty"`
	Timestamp       time.Time `json:"timestamp,omitzero"`
}

// Remediation is advice on how to handle a vulnerability.
type Remediation struct {
	Category   string    `json:"category"` // vendor_fix, workaround, mitigation, no_fix_planned, none_available
	Details    string    `json:"details,omitempty"`
	URL        string    `json:"url,omitempty"`
	Date       time.Time `json:"date,omitzero"`
	ProductIDs []string  `json:"product_ids,omitempty"` // empty: applies to all products
}

// Product is one product (or package) an advisory speaks about. Vendor and
// Name are trimmed but otherwise as the source spells them; IndexKeys gives
// the normalised keys a matcher indexes by.
type Product struct {
	// ID is unique within the advisory: the CSAF product_id, the NVD
	// matchCriteriaId, "cna/affected[2]" or "adp:CISA-ADP/affected[0]" for
	// CVE 5, "affected[0]" for OSV, the CVE id for KEV.
	ID       string `json:"id"`
	FullName string `json:"full_name,omitempty"` // CSAF full_product_name.name
	Vendor   string `json:"vendor,omitempty"`
	Family   string `json:"family,omitempty"` // CSAF product_family
	Name     string `json:"name,omitempty"`
	// Version is one exact version (CSAF product_version branch); Versions
	// lists exact versions a source enumerates (OSV versions).
	Version  string         `json:"version,omitempty"`
	Versions []string       `json:"versions,omitempty"`
	Ranges   []VersionRange `json:"ranges,omitempty"`
	// DefaultStatus applies to versions no range covers (CVE 5
	// defaultStatus); empty means unknown.
	DefaultStatus Status `json:"default_status,omitempty"`

	Ecosystem    string     `json:"ecosystem,omitempty"` // OSV ecosystem
	CPEs         []string   `json:"cpes,omitempty"`
	PURLs        []string   `json:"purls,omitempty"`
	ModelNumbers []string   `json:"model_numbers,omitempty"`
	SKUs         []string   `json:"skus,omitempty"`
	Serials      []string   `json:"serials,omitempty"`
	Hashes       []FileHash `json:"hashes,omitempty"`

	// Relationship is set for CSAF relationship products ("installed_on",
	// "default_component_of", ...): the product's own fields come from the
	// component (product_reference) and Platform is the product it relates
	// to (relates_to_product_reference).
	Relationship string   `json:"relationship,omitempty"`
	Component    string   `json:"component,omitempty"` // product_reference id
	Platform     *Product `json:"platform,omitempty"`

	// Status maps Vuln.Key() to this product's status for that
	// vulnerability. When Ranges are present the status holds within them;
	// each range may carry its own status (CVE 5 unaffected ranges).
	Status map[string]Status `json:"status,omitempty"`
}

// VersionRange is one version constraint. Bounds are as the source writes
// them (vendor formats such as "V3.2.4" or "MX-V4.7.2.18" included); an empty
// bound is open. A range the source states in words or as a vers URI (a CSAF
// product_version_range name, a CVE 5 version in prose) has Type "text" or
// "vers" and only Text (and Vers): the loaders keep it as written and the
// matcher interprets it (package match/vrange).
type VersionRange struct {
	Type           string `json:"type,omitempty"`  // semver, custom, ecosystem, git, cpe, vers, text, ...
	Exact          string `json:"exact,omitempty"` // a single version
	All            bool   `json:"all,omitempty"`   // every version (OSV, NVD and CVE 5 "*" / "all")
	StartIncluding string `json:"start_including,omitempty"`
	StartExcluding string `json:"start_excluding,omitempty"`
	EndIncluding   string `json:"end_including,omitempty"`
	EndExcluding   string `json:"end_excluding,omitempty"`
	Vers           string `json:"vers,omitempty"` // a vers: URI given by the source
	Text           string `json:"text,omitempty"`
	Repo           string `json:"repo,omitempty"` // OSV GIT ranges
	// Status of versions in this range; empty means affected.
	Status  Status          `json:"status,omitempty"`
	Changes []VersionChange `json:"changes,omitempty"` // CVE 5 status changes inside the range
}

// Bounded reports whether r constrains versions at all.
func (r *VersionRange) Bounded() bool {
	return r.Exact != "" || r.All || r.StartIncluding != "" || r.StartExcluding != "" ||
		r.EndIncluding != "" || r.EndExcluding != "" || r.Vers != ""
}

// VersionChange is a CVE 5 "changes" entry: from version At on, Status holds.
type VersionChange struct {
	At     string `json:"at"`
	Status Status `json:"status"`
}

// FileHash is a CSAF product_identification_helper hash of one file.
type FileHash struct {
	Filename  string `json:"filename"`
	Algorithm string `json:"algorithm"`
	Value     string `json:"value"`
}

// Config is one NVD configuration: nodes combined by Operator (OR by
// default). A typical "running on" configuration is AND over a vulnerable
// firmware node and a non-vulnerable hardware node.
type Config struct {
	Operator string `json:"operator,omitempty"` // AND, OR
	Negate   bool   `json:"negate,omitempty"`
	Nodes    []Node `json:"nodes"`
}

// Node is one NVD configuration node: CPE matches combined by Operator.
type Node struct {
	Operator string     `json:"operator"` // AND, OR
	Negate   bool       `json:"negate,omitempty"`
	Matches  []CPEMatch `json:"matches"`
}

// CPEMatch is one NVD cpeMatch: a CPE 2.3 criteria string with optional
// version bounds. Vulnerable is false for platform entries ("running on").
type CPEMatch struct {
	Vulnerable            bool   `json:"vulnerable"`
	Criteria              string `json:"criteria"`
	MatchCriteriaID       string `json:"match_criteria_id,omitempty"`
	VersionStartIncluding string `json:"version_start_including,omitempty"`
	VersionStartExcluding string `json:"version_start_excluding,omitempty"`
	VersionEndIncluding   string `json:"version_end_including,omitempty"`
	VersionEndExcluding   string `json:"version_end_excluding,omitempty"`
}

// Stats summarises one load.
type Stats struct {
	Records int `json:"records"` // records read, good and bad
	Yielded int `json:"yielded"` // records passed to yield
	// Rejected counts records refused as a whole, each with a row error.
	// ParseCSAF also returns row errors for single vulnerabilities it drops
	// from a document it still yields; those are not counted here.
	Rejected int `json:"rejected"`
	// Warnings are problems in records that were still yielded (a CVSS base
	// score that does not match its vector, an unparsable CPE, ...).
	Warnings []errs.RowError `json:"warnings,omitempty"`
	// Version and Released describe the file as a whole when the format
	// says: KEV catalogVersion/dateReleased, EPSS model_version/score_date,
	// NVD feed version/timestamp.
	Version  string    `json:"version,omitempty"`
	Released time.Time `json:"released,omitzero"`
}

// KeyKind says what an IndexKey was derived from.
type KeyKind string

// Index key kinds.
const (
	KeyName KeyKind = "name" // normalised vendor and product name
	KeyCPE  KeyKind = "cpe"  // CPE vendor and product fields
	KeyPURL KeyKind = "purl" // purl type/namespace and name
)

// IndexKey is a coarse key a matcher can index advisories and inventory by:
// two things can only match when they share a key.
type IndexKey struct {
	Kind    KeyKind `json:"kind"`
	Vendor  string  `json:"vendor"`
	Product string  `json:"product"`
}

// String returns "kind:vendor:product".
func (k IndexKey) String() string { return string(k.Kind) + ":" + k.Vendor + ":" + k.Product }

// IndexKeys returns the product's keys: its normalised vendor and name (and
// family and full name), the vendor:product of each CPE and each purl, and
// the keys of its platform.
func (p *Product) IndexKeys() []IndexKey {
	var keys []IndexKey
	v := NormalizeName(p.Vendor)
	for _, n := range []string{p.Name, p.Family, p.FullName} {
		if n = NormalizeName(n); n != "" {
			keys = append(keys, IndexKey{KeyName, v, n})
		}
	}
	for _, c := range p.CPEs {
		if cv, cp, ok := CPEVendorProduct(c); ok {
			keys = append(keys, IndexKey{KeyCPE, cv, cp})
		}
	}
	for _, u := range p.PURLs {
		if ns, n, ok := purlKey(u); ok {
			keys = append(keys, IndexKey{KeyPURL, ns, n})
		}
	}
	if p.Platform != nil {
		keys = append(keys, p.Platform.IndexKeys()...)
	}
	return keys
}

// IndexKeys returns the sorted, unique keys of all products of a and of the
// CPE criteria in its NVD configurations.
func (a *Advisory) IndexKeys() []IndexKey {
	var keys []IndexKey
	for i := range a.Products {
		keys = append(keys, a.Products[i].IndexKeys()...)
	}
	for _, v := range a.Vulns {
		for _, c := range v.Configurations {
			for _, n := range c.Nodes {
				for _, m := range n.Matches {
					if cv, cp, ok := CPEVendorProduct(m.Criteria); ok {
						keys = append(keys, IndexKey{KeyCPE, cv, cp})
					}
				}
			}
		}
	}
	slices.SortFunc(keys, func(a, b IndexKey) int { return strings.Compare(a.String(), b.String()) })
	return slices.Compact(keys)
}

// NormalizeName lowercases s and reduces every run of characters other than
// letters and digits to one space, so "Johnson Controls, Inc." becomes
// "johnson controls inc". Vendor aliases and legal-suffix rules are the
// matcher's business; this is only the common first step.
func NormalizeName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if isAlnum(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		} else {
			space = true
		}
	}
	return b.String()
}

func isAlnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
