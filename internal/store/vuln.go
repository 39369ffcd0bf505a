// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"vigil/internal/advisory"
	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/registry"
	"vigil/internal/tenant"
)

// This file persists vulnerability intelligence for internal/vuln:
// advisories, per-CVE enrichment, SBOM components, the index keys that
// advisories and inventory are matched by, and the matches.

// chunkRows bounds the rows of one multi-row statement (SQLite allows 32766
// parameters, PostgreSQL 65535).
const chunkRows = 500

// Advisory load states reported by VulnAdvisoryPut.
const (
	AdvisoryNew       = "new"
	AdvisoryChanged   = "changed"
	AdvisoryUnchanged = "unchanged"
)

// VulnAdvisoryPut is one advisory to store.
type VulnAdvisoryPut struct {
	Advisory *advisory.Advisory
	// Digest identifies the content (advisory.Advisory.Digest); an equal
	// digest means unchanged.
	Digest string
	// Keys are the index keys the matcher finds the advisory by.
	Keys []string
	// Origin is the file or URL it was loaded from.
	Origin string
}

// VulnAdvisoryPutResult says what VulnAdvisoryPut did.
type VulnAdvisoryPutResult struct {
	Ref   int64  `json:"ref"`   // row id
	State string `json:"state"` // AdvisoryNew, AdvisoryChanged or AdvisoryUnchanged
	// OldKeys are the index keys of the replaced version (changed only).
	OldKeys []string `json:"old_keys,omitempty"`
}

// VulnAdvisory is a stored advisory.
type VulnAdvisory struct {
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
func (v VulnAdvisory) Decode() (*advisory.Advisory, error) {
	var a advisory.Advisory
	if err := json.Unmarshal(v.Body, &a); err != nil {
		return nil, fmt.Errorf("advisory %s %s: stored body: %w", v.Source, v.ID, err)
	}
	return &a, nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// VulnAdvisoryPut stores an advisory, keyed by (source, id). When one with
// the same digest is stored already nothing is written and the state is
// AdvisoryUnchanged; otherwise body, index keys and CVE list are replaced.
func (s *Store) VulnAdvisoryPut(ctx context.Context, p VulnAdvisoryPut) (VulnAdvisoryPutResult, error) {
	var res VulnAdvisoryPutResult
	a := p.Advisory
	if a == nil || a.ID == "" || a.Source == "" {
		return res, errs.Field("advisory", "", "needs an id and a source")
	}
	body, err := json.Marshal(a)
	if err != nil {
		return res, fmt.Errorf("advisory %s: %w", a.ID, err)
	}
	err = s.Tx(ctx, func(tx *Store) error {
		var digest string
		err := tx.QueryRow(ctx, `SELECT id, digest FROM vuln_advisories WHERE source = ? AND ext_id = ?`, string(a.Source), a.ID).Scan(&res.Ref, &digest)
		now := tx.Now()
		switch {
		case err == sql.ErrNoRows:
			res.State = AdvisoryNew
			res.Ref, err = tx.InsertID(ctx, `INSERT INTO vuln_advisories (source, ext_id, digest, title, publisher, published, modified, withdrawn, origin, body, loaded_at, changed_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(a.Source), a.ID, p.Digest, a.Title, a.Publisher, nullTime(a.Published), nullTime(a.Modified), a.Withdrawn, p.Origin, string(body), now, now)
			if err != nil {
				return fmt.Errorf("advisory %s %s: %w", a.Source, a.ID, err)
			}
		case err != nil:
			return interpret(err)
		case digest == p.Digest:
			res.State = AdvisoryUnchanged
			_, err := tx.Exec(ctx, `UPDATE vuln_advisories SET loaded_at = ? WHERE id = ?`, now, res.Ref)
			return err
		default:
			res.State = AdvisoryChanged
			if res.OldKeys, err = tx.advisoryKeys(ctx, res.Ref); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE vuln_advisories SET digest = ?, title = ?, publisher = ?, published = ?, modified = ?, withdrawn = ?, origin = ?, body = ?, loaded_at = ?, changed_at = ? WHERE id = ?`,
				p.Digest, a.Title, a.Publisher, nullTime(a.Published), nullTime(a.Modified), a.Withdrawn, p.Origin, string(body), now, now, res.Ref); err != nil {
				return err
			}
			for _, q := range []string{`DELETE FROM vuln_advisory_keys WHERE advisory_id = ?`, `DELETE FROM vuln_advisory_cves WHERE advisory_id = ?`} {
				if _, err := tx.Exec(ctx, q, res.Ref); err != nil {
					return err
				}
			}
		}
		if err := tx.insertPairs(ctx, `INSERT INTO vuln_advisory_keys (advisory_id, key) VALUES `, res.Ref, uniqueSorted(p.Keys)); err != nil {
			return err
		}
		var cves []string
		for _, v := range a.Vulns {
			if k := v.Key(); k != "" {
				cves = append(cves, k)
			}
		}
		return tx.insertPairs(ctx, `INSERT INTO vuln_advisory_cves (advisory_id, cve) VALUES `, res.Ref, uniqueSorted(cves))
	})
	return res, err
}

func uniqueSorted(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return slices.Compact(out)
}

// insertPairs inserts (id, value) rows.
func (s *Store) insertPairs(ctx context.Context, prefix string, id int64, vals []string) error {
	for start := 0; start < len(vals); start += chunkRows {
		chunk := vals[start:min(start+chunkRows, len(vals))]
		var b strings.Builder
		b.WriteString(prefix)
		args := make([]any, 0, 2*len(chunk))
		for i, v := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?)")
			args = append(args, id, v)
		}
		if _, err := s.Exec(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) advisoryKeys(ctx context.Context, ref int64) ([]string, error) {
	rows, err := s.Query(ctx, `SELECT key FROM vuln_advisory_keys WHERE advisory_id = ? ORDER BY key`, ref)
	if err != nil {
		return nil, err
	}
	return scanStrings(rows)
}

func scanStrings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func scanIDs(rows *sql.Rows) ([]int64, error) {
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// inList returns "?, ?, …" for n values.
func inList(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func anys[T any](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

// chunked runs fn on slices of at most chunkRows values.
func chunked[T any](vs []T, fn func([]T) error) error {
	for start := 0; start < len(vs); start += chunkRows {
		if err := fn(vs[start:min(start+chunkRows, len(vs))]); err != nil {
			return err
		}
	}
	return nil
}

// VulnAdvisoryRefs returns the row ids of the advisories that have any of
// the index keys, ascending.
func (s *Store) VulnAdvisoryRefs(ctx context.Context, keys []string) ([]int64, error) {
	var out []int64
	err := chunked(uniqueSorted(keys), func(c []string) error {
		rows, err := s.Query(ctx, `SELECT DISTINCT advisory_id FROM vuln_advisory_keys WHERE key IN (`+inList(len(c))+`)`, anys(c)...)
		if err != nil {
			return err
		}
		ids, err := scanIDs(rows)
		out = append(out, ids...)
		return err
	})
	slices.Sort(out)
	return slices.Compact(out), err
}

const vulnAdvisoryCols = `id, source, ext_id, digest, title, publisher, published, modified, withdrawn, origin, loaded_at, changed_at, body`

func scanVulnAdvisories(rows *sql.Rows) ([]VulnAdvisory, error) {
	defer rows.Close()
	var out []VulnAdvisory
	for rows.Next() {
		var v VulnAdvisory
		var pub, mod sql.NullTime
		var body string
		if err := rows.Scan(&v.Ref, &v.Source, &v.ID, &v.Digest, &v.Title, &v.Publisher, &pub, &mod, &v.Withdrawn, &v.Origin, &v.LoadedAt, &v.ChangedAt, &body); err != nil {
			return nil, err
		}
		if pub.Valid {
			v.Published = pub.Time.UTC()
		}
		if mod.Valid {
			v.Modified = mod.Time.UTC()
		}
		v.LoadedAt, v.ChangedAt = v.LoadedAt.UTC(), v.ChangedAt.UTC()
		v.Body = json.RawMessage(body)
		out = append(out, v)
	}
	return out, rows.Err()
}

// VulnAdvisoryGet returns the stored advisories with the given row ids, in
// id order; unknown ids are skipped.
func (s *Store) VulnAdvisoryGet(ctx context.Context, refs []int64) ([]VulnAdvisory, error) {
	var out []VulnAdvisory
	err := chunked(refs, func(c []int64) error {
		rows, err := s.Query(ctx, `SELECT `+vulnAdvisoryCols+` FROM vuln_advisories WHERE id IN (`+inList(len(c))+`) ORDER BY id`, anys(c)...)
		if err != nil {
			return err
		}
		vs, err := scanVulnAdvisories(rows)
		out = append(out, vs...)
		return err
	})
	slices.SortFunc(out, func(a, b VulnAdvisory) int { return int(a.Ref - b.Ref) })
	return out, err
}

// VulnAdvisoryFind returns the advisory with the given source and id.
func (s *Store) VulnAdvisoryFind(ctx context.Context, source, id string) (VulnAdvisory, error) {
	rows, err := s.Query(ctx, `SELECT `+vulnAdvisoryCols+` FROM vuln_advisories WHERE source = ? AND ext_id = ?`, source, id)
	if err != nil {
		return VulnAdvisory{}, err
	}
	vs, err := scanVulnAdvisories(rows)
	if err != nil {
		return VulnAdvisory{}, err
	}
	if len(vs) == 0 {
		return VulnAdvisory{}, errs.Errorf(errs.NotFound, "advisory %s %s not found", source, id)
	}
	return vs[0], nil
}

// VulnAdvisoryScan returns up to limit stored advisories with row id
// greater than after, in id order: page through all with the last Ref.
func (s *Store) VulnAdvisoryScan(ctx context.Context, after int64, limit int) ([]VulnAdvisory, error) {
	rows, err := s.Query(ctx, fmt.Sprintf(`SELECT `+vulnAdvisoryCols+` FROM vuln_advisories WHERE id > ? ORDER BY id LIMIT %d`, max(limit, 1)), after)
	if err != nil {
		return nil, err
	}
	return scanVulnAdvisories(rows)
}

// VulnAdvisoryCount returns how many advisories are stored, per source.
func (s *Store) VulnAdvisoryCount(ctx context.Context) (map[string]int64, error) {
	rows, err := s.Query(ctx, `SELECT source, COUNT(*) FROM vuln_advisories GROUP BY source`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var src string
		var n int64
		if err := rows.Scan(&src, &n); err != nil {
			return nil, err
		}
		out[src] = n
	}
	return out, rows.Err()
}

// VulnAdvisoryRefsByCVE returns the row ids of the advisories that cover
// any of the CVEs (vulnerability keys).
func (s *Store) VulnAdvisoryRefsByCVE(ctx context.Context, cves []string) ([]int64, error) {
	var out []int64
	err := chunked(uniqueSorted(cves), func(c []string) error {
		rows, err := s.Query(ctx, `SELECT DISTINCT advisory_id FROM vuln_advisory_cves WHERE cve IN (`+inList(len(c))+`)`, anys(c)...)
		if err != nil {
			return err
		}
		ids, err := scanIDs(rows)
		out = append(out, ids...)
		return err
	})
	slices.Sort(out)
	return slices.Compact(out), err
}

// VulnCVE is what vigil knows about one vulnerability across sources: the
// CVSS score used for severity, EPSS and the CISA KEV entry.
type VulnCVE struct {
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

const vulnCVECols = `cve, title, cvss_base, cvss_version, cvss_vector, cvss_severity, cvss_source, epss, epss_percentile, epss_date,
 kev, kev_added, kev_due, kev_ransomware, kev_action, kev_name, updated_at`

// VulnCVEGet returns the stored records of the given CVEs; unknown ones are
// absent from the map.
func (s *Store) VulnCVEGet(ctx context.Context, cves []string) (map[string]VulnCVE, error) {
	out := map[string]VulnCVE{}
	err := chunked(uniqueSorted(cves), func(c []string) error {
		rows, err := s.Query(ctx, `SELECT `+vulnCVECols+` FROM vuln_cves WHERE cve IN (`+inList(len(c))+`)`, anys(c)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v VulnCVE
			var epss, pct sql.NullFloat64
			var ed, ka, kd sql.NullTime
			if err := rows.Scan(&v.CVE, &v.Title, &v.CVSSBase, &v.CVSSVersion, &v.CVSSVector, &v.CVSSSeverity, &v.CVSSSource, &epss, &pct, &ed,
				&v.KEV, &ka, &kd, &v.KEVRansom, &v.KEVAction, &v.KEVName, &v.UpdatedAt); err != nil {
				return err
			}
			if epss.Valid {
				v.EPSS = &epss.Float64
			}
			if pct.Valid {
				v.EPSSPct = &pct.Float64
			}
			v.EPSSDate, v.KEVAdded, v.KEVDue = nt(ed), nt(ka), nt(kd)
			v.UpdatedAt = v.UpdatedAt.UTC()
			out[v.CVE] = v
		}
		return rows.Err()
	})
	return out, err
}

func nt(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

func nullFloat(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// VulnCVEPut inserts or replaces the given CVE records (every column).
func (s *Store) VulnCVEPut(ctx context.Context, cves []VulnCVE) error {
	now := s.Now()
	return chunked(cves, func(c []VulnCVE) error {
		var b strings.Builder
		b.WriteString(`INSERT INTO vuln_cves (` + vulnCVECols + `) VALUES `)
		args := make([]any, 0, 17*len(c))
		for i, v := range c {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, " + s.tsParam() + ", ?, " + s.tsParam() + ", " + s.tsParam() + ", ?, ?, ?, " + s.tsParam() + ")")
			args = append(args, v.CVE, v.Title, v.CVSSBase, v.CVSSVersion, v.CVSSVector, v.CVSSSeverity, v.CVSSSource, nullFloat(v.EPSS), nullFloat(v.EPSSPct),
				nullTime(v.EPSSDate), v.KEV, nullTime(v.KEVAdded), nullTime(v.KEVDue), v.KEVRansom, v.KEVAction, v.KEVName, now)
		}
		b.WriteString(` ON CONFLICT (cve) DO UPDATE SET title = excluded.title, cvss_base = excluded.cvss_base, cvss_version = excluded.cvss_version,
 cvss_vector = excluded.cvss_vector, cvss_severity = excluded.cvss_severity, cvss_source = excluded.cvss_source, epss = excluded.epss,
 epss_percentile = excluded.epss_percentile, epss_date = excluded.epss_date, kev = excluded.kev, kev_added = excluded.kev_added,
 kev_due = excluded.kev_due, kev_ransomware = excluded.kev_ransomware, kev_action = excluded.kev_action, kev_name = excluded.kev_name,
 updated_at = excluded.updated_at`)
		_, err := s.Exec(ctx, b.String(), args...)
		return err
	})
}

// VulnEPSS is one EPSS score.
type VulnEPSS struct {
	CVE        string
	Score      float64
	Percentile float64
	Date       time.Time
}

// VulnEPSSPut stores EPSS scores and returns the CVEs whose score or
// percentile changed (or that had none), in input order.
func (s *Store) VulnEPSSPut(ctx context.Context, scores []VulnEPSS) ([]string, error) {
	var changed []string
	now := s.Now()
	err := chunked(scores, func(c []VulnEPSS) error {
		cves := make([]string, len(c))
		for i, e := range c {
			cves[i] = e.CVE
		}
		have := map[string][2]float64{}
		rows, err := s.Query(ctx, `SELECT cve, epss, epss_percentile FROM vuln_cves WHERE epss IS NOT NULL AND cve IN (`+inList(len(cves))+`)`, anys(cves)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var cve string
			var e, p float64
			if err := rows.Scan(&cve, &e, &p); err != nil {
				rows.Close()
				return err
			}
			have[cve] = [2]float64{e, p}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var b strings.Builder
		var args []any
		n := 0
		seen := map[string]bool{}
		for _, e := range c {
			if h, ok := have[e.CVE]; (ok && h == [2]float64{e.Score, e.Percentile}) || seen[e.CVE] {
				continue
			}
			seen[e.CVE] = true
			if n > 0 {
				b.WriteString(", ")
			}
			n++
			b.WriteString("(?, ?, ?, " + s.tsParam() + ", " + s.tsParam() + ")")
			args = append(args, e.CVE, e.Score, e.Percentile, nullTime(e.Date), now)
			changed = append(changed, e.CVE)
		}
		if n == 0 {
			return nil
		}
		_, err = s.Exec(ctx, `INSERT INTO vuln_cves (cve, epss, epss_percentile, epss_date, updated_at) VALUES `+b.String()+`
 ON CONFLICT (cve) DO UPDATE SET epss = excluded.epss, epss_percentile = excluded.epss_percentile, epss_date = excluded.epss_date, updated_at = excluded.updated_at`, args...)
		return err
	})
	return changed, err
}

// VulnComponent is a software or hardware component of a device, from an
// SBOM.
type VulnComponent struct {
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

const vulnComponentCols = `c.id, c.device_id, d.org_id, c.name, c.grp, c.version, c.purl, c.cpe, c.supplier, c.type, c.bom_ref`

func scanComponents(rows *sql.Rows) ([]VulnComponent, error) {
	defer rows.Close()
	out := []VulnComponent{}
	for rows.Next() {
		var c VulnComponent
		if err := rows.Scan(&c.ID, &c.DeviceID, &c.OrgID, &c.Name, &c.Group, &c.Version, &c.PURL, &c.CPE, &c.Supplier, &c.Type, &c.BOMRef); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// VulnComponentReplace replaces the components of a device (an SBOM import
// supersedes the previous one), sets their ids and returns the ids of the
// removed ones. Their index keys and matches go with them.
func (s *Store) VulnComponentReplace(ctx context.Context, deviceID int64, comps []VulnComponent) ([]int64, error) {
	var removed []int64
	err := s.Tx(ctx, func(tx *Store) error {
		rows, err := tx.Query(ctx, `SELECT id FROM vuln_components WHERE device_id = ? ORDER BY id`, deviceID)
		if err != nil {
			return err
		}
		if removed, err = scanIDs(rows); err != nil {
			return err
		}
		// Keys and matches reference components with ON DELETE CASCADE;
		// delete them first anyway so SQLite need not scan for them.
		for _, q := range []string{
			`DELETE FROM vuln_target_keys WHERE device_id = ? AND component_id IS NOT NULL`,
			`DELETE FROM vuln_matches WHERE device_id = ? AND component_id IS NOT NULL`,
			`DELETE FROM vuln_components WHERE device_id = ?`,
		} {
			if _, err := tx.Exec(ctx, q, deviceID); err != nil {
				return err
			}
		}
		now := tx.Now()
		for i := range comps {
			c := &comps[i]
			c.DeviceID = deviceID
			id, err := tx.InsertID(ctx, `INSERT INTO vuln_components (device_id, name, grp, version, purl, cpe, supplier, type, bom_ref, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				deviceID, c.Name, c.Group, c.Version, c.PURL, c.CPE, c.Supplier, c.Type, c.BOMRef, now)
			if err != nil {
				return fmt.Errorf("component %q: %w", c.Name, err)
			}
			c.ID = id
		}
		return nil
	})
	return removed, err
}

// VulnComponentInsert adds components to their devices (c.DeviceID) in
// bulk and sets their ids. It is the fast path for large imports; use
// VulnComponentReplace for an SBOM.
func (s *Store) VulnComponentInsert(ctx context.Context, comps []VulnComponent) error {
	now := s.Now()
	return s.Tx(ctx, func(tx *Store) error {
		for start := 0; start < len(comps); start += chunkRows {
			c := comps[start:min(start+chunkRows, len(comps))]
			var b strings.Builder
			args := make([]any, 0, 10*len(c))
			for i, x := range c {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, " + tx.tsParam() + ")")
				args = append(args, x.DeviceID, x.Name, x.Group, x.Version, x.PURL, x.CPE, x.Supplier, x.Type, x.BOMRef, now)
			}
			rows, err := tx.Query(ctx, `INSERT INTO vuln_components (device_id, name, grp, version, purl, cpe, supplier, type, bom_ref, created_at) VALUES `+b.String()+` RETURNING id`, args...)
			if err != nil {
				return err
			}
			ids, err := scanIDs(rows)
			if err != nil {
				return err
			}
			if len(ids) != len(c) {
				return fmt.Errorf("component insert: %d ids for %d rows", len(ids), len(c))
			}
			// RETURNING gives rows in insertion order on both dialects for a
			// single VALUES list; sort to be safe (ids ascend with order).
			slices.Sort(ids)
			for i := range c {
				c[i].ID = ids[i]
			}
		}
		return nil
	})
}

// VulnComponentList returns the components of a device, by id.
func (s *Store) VulnComponentList(ctx context.Context, deviceID int64) ([]VulnComponent, error) {
	rows, err := s.Query(ctx, `SELECT `+vulnComponentCols+` FROM vuln_components c JOIN devices d ON d.id = c.device_id WHERE c.device_id = ? ORDER BY c.id`, deviceID)
	if err != nil {
		return nil, err
	}
	return scanComponents(rows)
}

// VulnComponentScan returns up to limit components with id greater than
// after, in id order.
func (s *Store) VulnComponentScan(ctx context.Context, after int64, limit int) ([]VulnComponent, error) {
	rows, err := s.Query(ctx, fmt.Sprintf(`SELECT `+vulnComponentCols+` FROM vuln_components c JOIN devices d ON d.id = c.device_id WHERE c.id > ? ORDER BY c.id LIMIT %d`, max(limit, 1)), after)
	if err != nil {
		return nil, err
	}
	return scanComponents(rows)
}

// VulnComponentGet returns the components with the given ids.
func (s *Store) VulnComponentGet(ctx context.Context, ids []int64) ([]VulnComponent, error) {
	var out []VulnComponent
	err := chunked(ids, func(c []int64) error {
		rows, err := s.Query(ctx, `SELECT `+vulnComponentCols+` FROM vuln_components c JOIN devices d ON d.id = c.device_id WHERE c.id IN (`+inList(len(c))+`) ORDER BY c.id`, anys(c)...)
		if err != nil {
			return err
		}
		cs, err := scanComponents(rows)
		out = append(out, cs...)
		return err
	})
	return out, err
}

// VulnTargetKeys are the index keys of one device (ComponentID 0) or
// component.
type VulnTargetKeys struct {
	Target      string // "device:12", "component:34"
	DeviceID    int64
	ComponentID int64
	Keys        []string
}

// VulnTargetKeysPut replaces the index keys of the given targets.
func (s *Store) VulnTargetKeysPut(ctx context.Context, ts []VulnTargetKeys) error {
	return s.Tx(ctx, func(tx *Store) error {
		targets := make([]string, len(ts))
		for i, t := range ts {
			targets[i] = t.Target
		}
		if err := chunked(targets, func(c []string) error {
			_, err := tx.Exec(ctx, `DELETE FROM vuln_target_keys WHERE target IN (`+inList(len(c))+`)`, anys(c)...)
			return err
		}); err != nil {
			return err
		}
		return tx.VulnTargetKeysAdd(ctx, ts)
	})
}

// VulnTargetKeysReset deletes the index keys of every target (before a
// full re-index with VulnTargetKeysAdd).
func (s *Store) VulnTargetKeysReset(ctx context.Context) error {
	_, err := s.Exec(ctx, `DELETE FROM vuln_target_keys`)
	return err
}

// VulnTargetKeysAdd inserts index keys of targets; keys a target has
// already are kept.
func (s *Store) VulnTargetKeysAdd(ctx context.Context, ts []VulnTargetKeys) error {
	type row struct {
		key, target string
		dev, comp   int64
	}
	var all []row
	for _, t := range ts {
		for _, k := range uniqueSorted(t.Keys) {
			all = append(all, row{k, t.Target, t.DeviceID, t.ComponentID})
		}
	}
	return s.Tx(ctx, func(tx *Store) error {
		return chunked(all, func(c []row) error {
			var b strings.Builder
			args := make([]any, 0, 4*len(c))
			for i, r := range c {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("(?, ?, ?, ?)")
				args = append(args, r.key, r.target, r.dev, nullID(r.comp))
			}
			_, err := tx.Exec(ctx, `INSERT INTO vuln_target_keys (key, target, device_id, component_id) VALUES `+b.String()+
				` ON CONFLICT (key, target) DO NOTHING`, args...)
			return err
		})
	})
}

// VulnTargetsByKeys returns the devices and components that have any of the
// index keys.
func (s *Store) VulnTargetsByKeys(ctx context.Context, keys []string) ([]registry.Device, []VulnComponent, error) {
	var devIDs, compIDs []int64
	err := chunked(uniqueSorted(keys), func(c []string) error {
		rows, err := s.Query(ctx, `SELECT DISTINCT device_id, component_id FROM vuln_target_keys WHERE key IN (`+inList(len(c))+`)`, anys(c)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d int64
			var comp sql.NullInt64
			if err := rows.Scan(&d, &comp); err != nil {
				return err
			}
			if comp.Valid {
				compIDs = append(compIDs, comp.Int64)
			} else {
				devIDs = append(devIDs, d)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, nil, err
	}
	devs, err := s.VulnDeviceGet(ctx, uniqueIDs(devIDs))
	if err != nil {
		return nil, nil, err
	}
	comps, err := s.VulnComponentGet(ctx, uniqueIDs(compIDs))
	return devs, comps, err
}

func uniqueIDs(ids []int64) []int64 {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return slices.Compact(ids)
}

// VulnDeviceGet returns the devices with the given ids, by id.
func (s *Store) VulnDeviceGet(ctx context.Context, ids []int64) ([]registry.Device, error) {
	var out []registry.Device
	err := chunked(ids, func(c []int64) error {
		ds, err := s.deviceQuery(ctx, `SELECT `+deviceCols+` FROM devices WHERE id IN (`+inList(len(c))+`) ORDER BY id`, anys(c)...)
		out = append(out, ds...)
		return err
	})
	return out, err
}

// VulnDeviceScan returns up to limit devices with id greater than after.
func (s *Store) VulnDeviceScan(ctx context.Context, after int64, limit int) ([]registry.Device, error) {
	return s.deviceQuery(ctx, fmt.Sprintf(`SELECT `+deviceCols+` FROM devices WHERE id > ? ORDER BY id LIMIT %d`, max(limit, 1)), after)
}

// VulnDeviceStale returns up to limit devices that were never matched or
// whose vendor, model, firmware, CPE or purl changed since (see
// VulnDeviceSynced), by id.
func (s *Store) VulnDeviceStale(ctx context.Context, limit int) ([]registry.Device, error) {
	return s.deviceQuery(ctx, fmt.Sprintf(`SELECT d.id, d.org_id, d.vendor, d.model, d.firmware, d.cpe, d.purl, d.serial, d.location, d.asset_id
FROM devices d LEFT JOIN vuln_device_state v ON v.device_id = d.id
WHERE v.device_id IS NULL OR v.vendor <> d.vendor OR v.model <> d.model OR v.firmware <> d.firmware OR v.cpe <> d.cpe OR v.purl <> d.purl
ORDER BY d.id LIMIT %d`, max(limit, 1)))
}

// VulnDeviceSynced records the devices as matched in their current state.
func (s *Store) VulnDeviceSynced(ctx context.Context, ds []registry.Device) error {
	now := s.Now()
	return chunked(ds, func(c []registry.Device) error {
		var b strings.Builder
		args := make([]any, 0, 7*len(c))
		for i, d := range c {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, " + s.tsParam() + ")")
			args = append(args, d.ID, d.Vendor, d.Model, d.Firmware, d.CPE, d.PURL, now)
		}
		_, err := s.Exec(ctx, `INSERT INTO vuln_device_state (device_id, vendor, model, firmware, cpe, purl, synced_at) VALUES `+b.String()+`
 ON CONFLICT (device_id) DO UPDATE SET vendor = excluded.vendor, model = excluded.model, firmware = excluded.firmware, cpe = excluded.cpe,
 purl = excluded.purl, synced_at = excluded.synced_at`, args...)
		return err
	})
}

// VulnMatch is one reason a device or component is affected by one
// vulnerability of one advisory.
type VulnMatch struct {
	ID          int64           `json:"id,omitempty"`
	Target      string          `json:"target"` // "device:12", "component:34"
	DeviceID    int64           `json:"device_id"`
	ComponentID int64           `json:"component_id,omitempty"`
	OrgID       int64           `json:"org_id,omitempty"` // the device's organisation (read only)
	CVE         string          `json:"cve"`              // the vulnerability key: CVE id, else the source's id
	AdvisoryRef int64           `json:"advisory_ref"`
	ProductID   string          `json:"product_id,omitempty"`
	Rule        string          `json:"rule"`
	Confidence  float64         `json:"confidence"`
	Evidence    json.RawMessage `json:"evidence,omitempty"`
	MatchedAt   time.Time       `json:"matched_at,omitzero"`
}

const vulnMatchCols = `m.id, m.target, m.device_id, m.component_id, d.org_id, m.cve, m.advisory_id, m.product_id, m.rule, m.confidence, m.evidence, m.matched_at`

func scanMatches(rows *sql.Rows, into []VulnMatch) ([]VulnMatch, error) {
	defer rows.Close()
	for rows.Next() {
		var m VulnMatch
		var comp sql.NullInt64
		var ev string
		if err := rows.Scan(&m.ID, &m.Target, &m.DeviceID, &comp, &m.OrgID, &m.CVE, &m.AdvisoryRef, &m.ProductID, &m.Rule, &m.Confidence, &ev, &m.MatchedAt); err != nil {
			return nil, err
		}
		m.ComponentID = comp.Int64
		if ev != "" {
			m.Evidence = json.RawMessage(ev)
		}
		m.MatchedAt = m.MatchedAt.UTC()
		into = append(into, m)
	}
	return into, rows.Err()
}

// VulnMatchFilter selects matches: those of any of the Targets, of any of the
// Advisories, or of any of the CVEs (the lists are alternatives; all empty
// selects nothing unless All is set).
type VulnMatchFilter struct {
	Targets    []string
	Advisories []int64
	CVEs       []string
	All        bool
}

// VulnMatchList returns the matches the filter selects, ordered by target,
// CVE and advisory.
func (s *Store) VulnMatchList(ctx context.Context, f VulnMatchFilter) ([]VulnMatch, error) {
	base := `SELECT ` + vulnMatchCols + ` FROM vuln_matches m JOIN devices d ON d.id = m.device_id WHERE `
	var out []VulnMatch
	var err error
	if f.All {
		rows, err := s.Query(ctx, base+`1 = 1`)
		if err != nil {
			return nil, err
		}
		out, err = scanMatches(rows, out)
		if err != nil {
			return nil, err
		}
	}
	run := func(col string, vals []any) error {
		for start := 0; start < len(vals); start += chunkRows {
			c := vals[start:min(start+chunkRows, len(vals))]
			rows, err := s.Query(ctx, base+col+` IN (`+inList(len(c))+`)`, c...)
			if err != nil {
				return err
			}
			if out, err = scanMatches(rows, out); err != nil {
				return err
			}
		}
		return nil
	}
	if !f.All {
		if err = run("m.target", anys(uniqueSorted(f.Targets))); err == nil {
			if err = run("m.advisory_id", anys(uniqueIDs(f.Advisories))); err == nil {
				err = run("m.cve", anys(uniqueSorted(f.CVEs)))
			}
		}
	}
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b VulnMatch) int {
		if c := strings.Compare(a.Target, b.Target); c != 0 {
			return c
		}
		if c := strings.Compare(a.CVE, b.CVE); c != 0 {
			return c
		}
		return int(a.AdvisoryRef - b.AdvisoryRef)
	})
	return slices.CompactFunc(out, func(a, b VulnMatch) bool { return a.ID == b.ID }), nil
}

// VulnMatchReplace deletes the matches the filter selects (Targets and
// Advisories combine with AND when both are given: the matches of those
// targets from those advisories) and inserts the new ones, in one
// transaction. CVEs in the filter are ignored.
func (s *Store) VulnMatchReplace(ctx context.Context, del VulnMatchFilter, ms []VulnMatch) error {
	return s.Tx(ctx, func(tx *Store) error {
		switch {
		case del.All:
			if _, err := tx.Exec(ctx, `DELETE FROM vuln_matches`); err != nil {
				return err
			}
		case len(del.Targets) > 0 && len(del.Advisories) > 0:
			advs := uniqueIDs(del.Advisories)
			for start := 0; start < len(advs); start += 100 {
				ac := advs[start:min(start+100, len(advs))]
				if err := chunked(uniqueSorted(del.Targets), func(c []string) error {
					_, err := tx.Exec(ctx, `DELETE FROM vuln_matches WHERE advisory_id IN (`+inList(len(ac))+`) AND target IN (`+inList(len(c))+`)`,
						append(anys(ac), anys(c)...)...)
					return err
				}); err != nil {
					return err
				}
			}
		case len(del.Targets) > 0:
			if err := chunked(uniqueSorted(del.Targets), func(c []string) error {
				_, err := tx.Exec(ctx, `DELETE FROM vuln_matches WHERE target IN (`+inList(len(c))+`)`, anys(c)...)
				return err
			}); err != nil {
				return err
			}
		case len(del.Advisories) > 0:
			if err := chunked(uniqueIDs(del.Advisories), func(c []int64) error {
				_, err := tx.Exec(ctx, `DELETE FROM vuln_matches WHERE advisory_id IN (`+inList(len(c))+`)`, anys(c)...)
				return err
			}); err != nil {
				return err
			}
		}
		now := tx.Now()
		return chunked(ms, func(c []VulnMatch) error {
			var b strings.Builder
			args := make([]any, 0, 10*len(c))
			for i, m := range c {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, " + tx.tsParam() + ")")
				at := m.MatchedAt
				if at.IsZero() {
					at = now
				}
				args = append(args, m.Target, m.DeviceID, nullID(m.ComponentID), m.CVE, m.AdvisoryRef, m.ProductID, m.Rule, m.Confidence, string(m.Evidence), at.UTC())
			}
			_, err := tx.Exec(ctx, `INSERT INTO vuln_matches (target, device_id, component_id, cve, advisory_id, product_id, rule, confidence, evidence, matched_at) VALUES `+b.String(), args...)
			return err
		})
	})
}

// FindingResolveKeys marks the given findings resolved (those open), with a
// "resolved" event each, and returns how many it resolved.
func (s *Store) FindingResolveKeys(ctx context.Context, keys []finding.Key) (int, error) {
	n := 0
	now := s.Now()
	err := s.Tx(ctx, func(tx *Store) error {
		// The identity's hash and its probes (see findingUpsertChunk) find
		// the row through the unique index; the full identity confirms it.
		where := `ident IN (?` + strings.Repeat(", ?", identProbes-1) + `) AND org_id = ? AND trigger_id = ? AND type = ? AND key = ? AND status = 'open'`
		for _, k := range keys {
			args := make([]any, 0, identProbes+5)
			args = append(args, now)
			base := finding.Ident(k.OrgID, k.TriggerID, k.Type, k.Key)
			for p := range identProbes {
				args = append(args, identProbe(base, p))
			}
			args = append(args, k.OrgID, k.TriggerID, k.Type, k.Key)
			if _, err := tx.Exec(ctx, `INSERT INTO finding_events (finding_id, org_id, kind, severity, at)
SELECT id, org_id, 'resolved', severity, ? FROM findings WHERE `+where, args...); err != nil {
				return err
			}
			r, err := tx.Exec(ctx, `UPDATE findings SET status = 'resolved', resolved_at = ? WHERE `+where, args...)
			if err != nil {
				return err
			}
			c, err := r.RowsAffected()
			if err != nil {
				return err
			}
			n += int(c)
		}
		return nil
	})
	return n, err
}

// VulnFindingResolveOrphans resolves the open findings of type
// "vulnerable" whose device no longer exists (deleted devices), with an
// event each, and returns how many.
func (s *Store) VulnFindingResolveOrphans(ctx context.Context) (int, error) {
	n := 0
	now := s.Now()
	where := `type = 'vulnerable' AND status = 'open' AND device_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM devices d WHERE d.id = findings.device_id)`
	err := s.Tx(ctx, func(tx *Store) error {
		if _, err := tx.Exec(ctx, `INSERT INTO finding_events (finding_id, org_id, kind, severity, at) SELECT id, org_id, 'resolved', severity, ? FROM findings WHERE `+where, now); err != nil {
			return err
		}
		r, err := tx.Exec(ctx, `UPDATE findings SET status = 'resolved', resolved_at = ? WHERE `+where, now)
		if err != nil {
			return err
		}
		c, err := r.RowsAffected()
		n = int(c)
		return err
	})
	return n, err
}

// VulnFindingFilter selects vulnerability findings (type "vulnerable").
type VulnFindingFilter struct {
	DeviceID int64
	// KEV keeps only findings whose CVE is in CISA's KEV catalog.
	KEV bool
	// Status filters by status; empty means open.
	Status finding.Status
	keyset.Page
}

// VulnFindingList lists the findings of sc of type "vulnerable", ordered by
// id.
func (s *Store) VulnFindingList(ctx context.Context, sc tenant.Scope, f VulnFindingFilter) ([]finding.Finding, error) {
	q := `SELECT ` + findingCols + ` FROM findings f JOIN triggers t ON t.id = f.trigger_id`
	if f.KEV {
		q += ` JOIN vuln_cves c ON c.cve = f.cve AND c.kev`
	}
	q += ` WHERE f.type = 'vulnerable' AND f.id > ? AND f.status = ?`
	status := f.Status
	if status == "" {
		status = finding.Open
	}
	cond, cargs := orgCond(sc, "f.org_id")
	q += ` AND ` + cond
	args := append([]any{f.After, string(status)}, cargs...)
	if f.DeviceID != 0 {
		q += ` AND f.device_id = ?`
		args = append(args, f.DeviceID)
	}
	q += fmt.Sprintf(` ORDER BY f.id LIMIT %d`, f.Size())
	rows, err := s.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []finding.Finding{}
	for rows.Next() {
		x, err := scanFinding(rows, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
