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

	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/registry"
	"vigil/internal/tenant"
	"vigil/internal/vuln"
)

// This file persists vulnerability intelligence for internal/vuln:
// advisories, per-CVE enrichment, SBOM components, the index keys that
// advisories and inventory are matched by, and the matches.

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// VulnAdvisoryPut stores an advisory, keyed by (source, id). When one with
// the same digest is stored already nothing is written and the state is
// vuln.AdvisoryUnchanged; otherwise body, index keys and CVE list are replaced.
func (s *Store) VulnAdvisoryPut(ctx context.Context, p vuln.AdvisoryPut) (vuln.AdvisoryPutResult, error) {
	var res vuln.AdvisoryPutResult
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
			res.State = vuln.AdvisoryNew
			res.Ref, err = tx.InsertID(ctx, `INSERT INTO vuln_advisories (source, ext_id, digest, title, publisher, published, modified, withdrawn, origin, body, loaded_at, changed_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(a.Source), a.ID, p.Digest, a.Title, a.Publisher, nullTime(a.Published), nullTime(a.Modified), a.Withdrawn, p.Origin, string(body), now, now)
			if err != nil {
				return fmt.Errorf("advisory %s %s: %w", a.Source, a.ID, err)
			}
		case err != nil:
			return interpret(err)
		case digest == p.Digest:
			res.State = vuln.AdvisoryUnchanged
			_, err := tx.Exec(ctx, `UPDATE vuln_advisories SET loaded_at = ? WHERE id = ?`, now, res.Ref)
			return err
		default:
			res.State = vuln.AdvisoryChanged
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

// insertPairs inserts (id, value) rows; head is "INSERT INTO t (a, b)
// VALUES ".
func (s *Store) insertPairs(ctx context.Context, head string, id int64, vals []string) error {
	return insertRows(ctx, s, multiRow{head: head, tuple: "(?, ?)"}, chunkRows, vals, func(a []any, v string) []any { return append(a, id, v) })
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

// VulnAdvisoryRefs returns the row ids of the advisories that have any of
// the index keys, ascending.
func (s *Store) VulnAdvisoryRefs(ctx context.Context, keys []string) ([]int64, error) {
	return s.advisoryIDsWhereIn(ctx, `SELECT DISTINCT advisory_id FROM vuln_advisory_keys WHERE key IN (`, keys)
}

// advisoryIDsWhereIn runs query, which ends in "IN (", on vals in chunks
// and returns the advisory ids it selects, ascending and distinct.
func (s *Store) advisoryIDsWhereIn(ctx context.Context, query string, vals []string) ([]int64, error) {
	var out []int64
	err := chunked(uniqueSorted(vals), chunkRows, func(c []string) error {
		rows, err := s.Query(ctx, query+inList(len(c))+`)`, anys(c)...)
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

// scanVulnAdvisories reads the advisories of rows; capHint is as for
// scanComponents.
func scanVulnAdvisories(rows *sql.Rows, capHint int) ([]vuln.StoredAdvisory, error) {
	defer rows.Close()
	var out []vuln.StoredAdvisory
	if capHint > 0 {
		out = make([]vuln.StoredAdvisory, 0, capHint)
	}
	for rows.Next() {
		var v vuln.StoredAdvisory
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
	if len(out) == 0 {
		out = nil // as without a hint
	}
	return out, rows.Err()
}

// VulnAdvisoryGet returns the stored advisories with the given row ids, in
// id order; unknown ids are skipped.
func (s *Store) VulnAdvisoryGet(ctx context.Context, refs []int64) ([]vuln.StoredAdvisory, error) {
	var out []vuln.StoredAdvisory
	err := chunked(refs, chunkRows, func(c []int64) error {
		rows, err := s.Query(ctx, `SELECT `+vulnAdvisoryCols+` FROM vuln_advisories WHERE id IN (`+inList(len(c))+`) ORDER BY id`, anys(c)...)
		if err != nil {
			return err
		}
		vs, err := scanVulnAdvisories(rows, 0)
		out = append(out, vs...)
		return err
	})
	slices.SortFunc(out, func(a, b vuln.StoredAdvisory) int { return int(a.Ref - b.Ref) })
	return out, err
}

// VulnAdvisoryFind returns the advisory with the given source and id.
func (s *Store) VulnAdvisoryFind(ctx context.Context, source, id string) (vuln.StoredAdvisory, error) {
	rows, err := s.Query(ctx, `SELECT `+vulnAdvisoryCols+` FROM vuln_advisories WHERE source = ? AND ext_id = ?`, source, id)
	if err != nil {
		return vuln.StoredAdvisory{}, err
	}
	vs, err := scanVulnAdvisories(rows, 0)
	if err != nil {
		return vuln.StoredAdvisory{}, err
	}
	if len(vs) == 0 {
		return vuln.StoredAdvisory{}, errs.Errorf(errs.NotFound, "advisory %s %s not found", source, id)
	}
	return vs[0], nil
}

// VulnAdvisoryScan returns up to limit stored advisories with row id
// greater than after, in id order: page through all with the last Ref.
func (s *Store) VulnAdvisoryScan(ctx context.Context, after int64, limit int) ([]vuln.StoredAdvisory, error) {
	rows, err := s.Query(ctx, fmt.Sprintf(`SELECT `+vulnAdvisoryCols+` FROM vuln_advisories WHERE id > ? ORDER BY id LIMIT %d`, max(limit, 1)), after)
	if err != nil {
		return nil, err
	}
	return scanVulnAdvisories(rows, min(max(limit, 1), maxPageHint))
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
	return s.advisoryIDsWhereIn(ctx, `SELECT DISTINCT advisory_id FROM vuln_advisory_cves WHERE cve IN (`, cves)
}

const vulnCVECols = `cve, title, cvss_base, cvss_version, cvss_vector, cvss_severity, cvss_source, epss, epss_percentile, epss_date,
 kev, kev_added, kev_due, kev_ransomware, kev_action, kev_name, updated_at`

// VulnCVEGet returns the stored records of the given CVEs; unknown ones are
// absent from the map.
func (s *Store) VulnCVEGet(ctx context.Context, cves []string) (map[string]vuln.CVEInfo, error) {
	out := map[string]vuln.CVEInfo{}
	err := chunked(uniqueSorted(cves), chunkRows, func(c []string) error {
		rows, err := s.Query(ctx, `SELECT `+vulnCVECols+` FROM vuln_cves WHERE cve IN (`+inList(len(c))+`)`, anys(c)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v vuln.CVEInfo
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
func (s *Store) VulnCVEPut(ctx context.Context, cves []vuln.CVEInfo) error {
	now := s.Now()
	ts := s.tsParam()
	m := multiRow{head: `INSERT INTO vuln_cves (` + vulnCVECols + `) VALUES `,
		tuple: "(?, ?, ?, ?, ?, ?, ?, ?, ?, " + ts + ", ?, " + ts + ", " + ts + ", ?, ?, ?, " + ts + ")",
		tail: ` ON CONFLICT (cve) DO UPDATE SET title = excluded.title, cvss_base = excluded.cvss_base, cvss_version = excluded.cvss_version,
 cvss_vector = excluded.cvss_vector, cvss_severity = excluded.cvss_severity, cvss_source = excluded.cvss_source, epss = excluded.epss,
 epss_percentile = excluded.epss_percentile, epss_date = excluded.epss_date, kev = excluded.kev, kev_added = excluded.kev_added,
 kev_due = excluded.kev_due, kev_ransomware = excluded.kev_ransomware, kev_action = excluded.kev_action, kev_name = excluded.kev_name,
 updated_at = excluded.updated_at`}
	return insertRows(ctx, s, m, chunkRows, cves, func(a []any, v vuln.CVEInfo) []any {
		return append(a, v.CVE, v.Title, v.CVSSBase, v.CVSSVersion, v.CVSSVector, v.CVSSSeverity, v.CVSSSource, nullFloat(v.EPSS), nullFloat(v.EPSSPct),
			nullTime(v.EPSSDate), v.KEV, nullTime(v.KEVAdded), nullTime(v.KEVDue), v.KEVRansom, v.KEVAction, v.KEVName, now)
	})
}

// VulnEPSSPut stores EPSS scores and returns the CVEs whose score or
// percentile changed (or that had none), in input order.
func (s *Store) VulnEPSSPut(ctx context.Context, scores []vuln.EPSSScore) ([]string, error) {
	var changed []string
	now := s.Now()
	err := chunked(scores, chunkRows, func(c []vuln.EPSSScore) error {
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
		var put []vuln.EPSSScore
		seen := map[string]bool{}
		for _, e := range c {
			if h, ok := have[e.CVE]; (ok && h == [2]float64{e.Score, e.Percentile}) || seen[e.CVE] {
				continue
			}
			seen[e.CVE] = true
			put = append(put, e)
			changed = append(changed, e.CVE)
		}
		m := multiRow{head: `INSERT INTO vuln_cves (cve, epss, epss_percentile, epss_date, updated_at) VALUES `,
			tuple: "(?, ?, ?, " + s.tsParam() + ", " + s.tsParam() + ")",
			tail:  ` ON CONFLICT (cve) DO UPDATE SET epss = excluded.epss, epss_percentile = excluded.epss_percentile, epss_date = excluded.epss_date, updated_at = excluded.updated_at`}
		return insertRows(ctx, s, m, chunkRows, put, func(a []any, e vuln.EPSSScore) []any {
			return append(a, e.CVE, e.Score, e.Percentile, nullTime(e.Date), now)
		})
	})
	return changed, err
}

const vulnComponentCols = `c.id, c.device_id, d.org_id, c.name, c.grp, c.version, c.purl, c.cpe, c.supplier, c.type, c.bom_ref`

// maxPageHint bounds the capacity a page is read into: callers may ask for
// "everything" with a huge limit.
const maxPageHint = 10000

// scanComponents reads the components of rows; capHint is how many are
// expected at most (the query's limit, 0: unknown), so that a page is one
// allocation instead of a slice grown by doubling.
func scanComponents(rows *sql.Rows, capHint int) ([]vuln.Component, error) {
	defer rows.Close()
	out := make([]vuln.Component, 0, capHint)
	for rows.Next() {
		var c vuln.Component
		if err := rows.Scan(&c.ID, &c.DeviceID, &c.OrgID, &c.Name, &c.Group, &c.Version, &c.PURL, &c.CPE, &c.Supplier, &c.Type, &c.BOMRef); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// VulnComponentReplace replaces the components of device deviceID of sc
// (an SBOM import supersedes the previous one), sets their ids and returns
// the ids of the removed ones. Their index keys and matches go with them.
func (s *Store) VulnComponentReplace(ctx context.Context, sc tenant.Scope, deviceID int64, comps []vuln.Component) ([]int64, error) {
	var removed []int64
	err := s.Tx(ctx, func(tx *Store) error {
		if _, err := tx.DeviceGet(ctx, sc, deviceID); err != nil {
			return err
		}
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

// VulnComponentInsert adds components to their devices (c.DeviceID), which
// must be devices of sc, in bulk and sets their ids. It is the fast path
// for large imports; use VulnComponentReplace for an SBOM.
func (s *Store) VulnComponentInsert(ctx context.Context, sc tenant.Scope, comps []vuln.Component) error {
	now := s.Now()
	return s.Tx(ctx, func(tx *Store) error {
		if !sc.IsOperator() {
			ids := make([]int64, len(comps))
			for i, c := range comps {
				ids[i] = c.DeviceID
			}
			ids = uniqueIDs(ids)
			ds, err := tx.VulnDeviceGet(ctx, sc, ids)
			if err != nil {
				return err
			}
			if len(ds) != len(ids) {
				return notFound("device of a component")
			}
		}
		m := multiRow{head: `INSERT INTO vuln_components (device_id, name, grp, version, purl, cpe, supplier, type, bom_ref, created_at) VALUES `,
			tuple: "(?, ?, ?, ?, ?, ?, ?, ?, ?, " + tx.tsParam() + ")", tail: ` RETURNING id`}
		return chunked(comps, chunkRows, func(c []vuln.Component) error {
			args := make([]any, 0, m.width()*len(c))
			for _, x := range c {
				args = append(args, x.DeviceID, x.Name, x.Group, x.Version, x.PURL, x.CPE, x.Supplier, x.Type, x.BOMRef, now)
			}
			rows, err := tx.Query(ctx, m.sql(len(c)), args...)
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
			return nil
		})
	})
}

// VulnComponentList returns the components of device deviceID of sc, by
// id.
func (s *Store) VulnComponentList(ctx context.Context, sc tenant.Scope, deviceID int64) ([]vuln.Component, error) {
	cond, args := orgCond(sc, "d.org_id")
	rows, err := s.Query(ctx, `SELECT `+vulnComponentCols+` FROM vuln_components c JOIN devices d ON d.id = c.device_id WHERE c.device_id = ? AND `+cond+` ORDER BY c.id`,
		append([]any{deviceID}, args...)...)
	if err != nil {
		return nil, err
	}
	return scanComponents(rows, 0)
}

// VulnComponentScan returns up to limit components of sc with id greater
// than after, in id order.
func (s *Store) VulnComponentScan(ctx context.Context, sc tenant.Scope, after int64, limit int) ([]vuln.Component, error) {
	cond, args := orgCond(sc, "d.org_id")
	rows, err := s.Query(ctx, fmt.Sprintf(`SELECT `+vulnComponentCols+` FROM vuln_components c JOIN devices d ON d.id = c.device_id WHERE c.id > ? AND `+cond+` ORDER BY c.id LIMIT %d`, max(limit, 1)),
		append([]any{after}, args...)...)
	if err != nil {
		return nil, err
	}
	return scanComponents(rows, min(max(limit, 1), maxPageHint))
}

// VulnComponentGet returns the components of sc with the given ids;
// others are skipped.
func (s *Store) VulnComponentGet(ctx context.Context, sc tenant.Scope, ids []int64) ([]vuln.Component, error) {
	var out []vuln.Component
	cond, cargs := orgCond(sc, "d.org_id")
	err := chunked(ids, chunkRows, func(c []int64) error {
		rows, err := s.Query(ctx, `SELECT `+vulnComponentCols+` FROM vuln_components c JOIN devices d ON d.id = c.device_id WHERE c.id IN (`+inList(len(c))+`) AND `+cond+` ORDER BY c.id`,
			append(anys(c), cargs...)...)
		if err != nil {
			return err
		}
		cs, err := scanComponents(rows, 0)
		out = append(out, cs...)
		return err
	})
	return out, err
}

// VulnTargetKeysPut replaces the index keys of the given targets.
func (s *Store) VulnTargetKeysPut(ctx context.Context, ts []vuln.IndexKeys) error {
	return s.Tx(ctx, func(tx *Store) error {
		targets := make([]string, len(ts))
		for i, t := range ts {
			targets[i] = t.Target
		}
		if err := chunked(targets, chunkRows, func(c []string) error {
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
func (s *Store) VulnTargetKeysAdd(ctx context.Context, ts []vuln.IndexKeys) error {
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
	m := multiRow{head: `INSERT INTO vuln_target_keys (key, target, device_id, component_id) VALUES `, tuple: "(?, ?, ?, ?)",
		tail: ` ON CONFLICT (key, target) DO NOTHING`}
	return s.Tx(ctx, func(tx *Store) error {
		return insertRows(ctx, tx, m, chunkRows, all, func(a []any, r row) []any { return append(a, r.key, r.target, r.dev, nullID(r.comp)) })
	})
}

// VulnTargetsByKeys returns the devices and components of sc that have any
// of the index keys.
func (s *Store) VulnTargetsByKeys(ctx context.Context, sc tenant.Scope, keys []string) ([]registry.Device, []vuln.Component, error) {
	var devIDs, compIDs []int64
	err := chunked(uniqueSorted(keys), chunkRows, func(c []string) error {
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
	devs, err := s.VulnDeviceGet(ctx, sc, uniqueIDs(devIDs))
	if err != nil {
		return nil, nil, err
	}
	comps, err := s.VulnComponentGet(ctx, sc, uniqueIDs(compIDs))
	return devs, comps, err
}

func uniqueIDs(ids []int64) []int64 {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return slices.Compact(ids)
}

// VulnDeviceGet returns the devices of sc with the given ids, by id;
// others are skipped.
func (s *Store) VulnDeviceGet(ctx context.Context, sc tenant.Scope, ids []int64) ([]registry.Device, error) {
	var out []registry.Device
	cond, cargs := orgCond(sc, "org_id")
	err := chunked(ids, chunkRows, func(c []int64) error {
		ds, err := queryAll(ctx, s, scanDevice, `SELECT `+deviceCols+` FROM devices WHERE id IN (`+inList(len(c))+`) AND `+cond+` ORDER BY id`, append(anys(c), cargs...)...)
		out = append(out, ds...)
		return err
	})
	return out, err
}

// VulnDeviceScan returns up to limit devices of sc with id greater than
// after.
func (s *Store) VulnDeviceScan(ctx context.Context, sc tenant.Scope, after int64, limit int) ([]registry.Device, error) {
	cond, args := orgCond(sc, "org_id")
	return queryAll(ctx, s, scanDevice, fmt.Sprintf(`SELECT `+deviceCols+` FROM devices WHERE id > ? AND `+cond+` ORDER BY id LIMIT %d`, max(limit, 1)), append([]any{after}, args...)...)
}

// VulnTargetCount counts the devices and components of every
// organisation: the targets of a full re-match, for its progress.
func (s *Store) VulnTargetCount(ctx context.Context) (int64, error) {
	var n int64
	err := s.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM devices) + (SELECT COUNT(*) FROM vuln_components)`).Scan(&n)
	return n, err
}

// VulnDeviceStale returns up to limit devices of sc that were never
// matched or whose vendor, model, firmware, CPE or purl changed since (see
// VulnDeviceSynced), by id.
func (s *Store) VulnDeviceStale(ctx context.Context, sc tenant.Scope, limit int) ([]registry.Device, error) {
	cond, args := orgCond(sc, "d.org_id")
	return queryAll(ctx, s, scanDevice, fmt.Sprintf(`SELECT d.id, d.org_id, d.vendor, d.model, d.firmware, d.cpe, d.purl, d.serial, d.location, d.asset_id
FROM devices d LEFT JOIN vuln_device_state v ON v.device_id = d.id
WHERE (v.device_id IS NULL OR v.vendor <> d.vendor OR v.model <> d.model OR v.firmware <> d.firmware OR v.cpe <> d.cpe OR v.purl <> d.purl) AND `+cond+`
ORDER BY d.id LIMIT %d`, max(limit, 1)), args...)
}

// VulnDeviceSynced records the devices as matched in their current state.
func (s *Store) VulnDeviceSynced(ctx context.Context, ds []registry.Device) error {
	now := s.Now()
	m := multiRow{head: `INSERT INTO vuln_device_state (device_id, vendor, model, firmware, cpe, purl, synced_at) VALUES `,
		tuple: "(?, ?, ?, ?, ?, ?, " + s.tsParam() + ")",
		tail: `
 ON CONFLICT (device_id) DO UPDATE SET vendor = excluded.vendor, model = excluded.model, firmware = excluded.firmware, cpe = excluded.cpe,
 purl = excluded.purl, synced_at = excluded.synced_at`}
	return insertRows(ctx, s, m, chunkRows, ds, func(a []any, d registry.Device) []any {
		return append(a, d.ID, d.Vendor, d.Model, d.Firmware, d.CPE, d.PURL, now)
	})
}

const vulnMatchCols = `m.id, m.target, m.device_id, m.component_id, d.org_id, m.cve, m.advisory_id, m.product_id, m.rule, m.confidence, m.evidence, m.matched_at`

func scanMatches(rows *sql.Rows, into []vuln.Match) ([]vuln.Match, error) {
	defer rows.Close()
	for rows.Next() {
		var m vuln.Match
		var comp sql.NullInt64
		var ev string
		if err := rows.Scan(&m.ID, &m.Target, &m.DeviceID, &comp, &m.OrgID, &m.CVE, &m.AdvisoryRef, &m.ProductID, &m.Rule, &m.Confidence, &ev, &m.MatchedAt); err != nil {
			return nil, err
		}
		m.ComponentID = comp.Int64
		if ev != "" {
			if err := json.Unmarshal([]byte(ev), &m.Evidence); err != nil {
				return nil, fmt.Errorf("match %d: stored evidence: %w", m.ID, err)
			}
		}
		m.MatchedAt = m.MatchedAt.UTC()
		into = append(into, m)
	}
	return into, rows.Err()
}

// VulnMatchList returns the matches of the devices of sc the filter
// selects, ordered by target, CVE and advisory.
func (s *Store) VulnMatchList(ctx context.Context, sc tenant.Scope, f vuln.MatchFilter) ([]vuln.Match, error) {
	cond, cargs := orgCond(sc, "d.org_id")
	base := `SELECT ` + vulnMatchCols + ` FROM vuln_matches m JOIN devices d ON d.id = m.device_id WHERE ` + cond + ` AND `
	var out []vuln.Match
	var err error
	if f.All {
		rows, err := s.Query(ctx, base+`1 = 1`, cargs...)
		if err != nil {
			return nil, err
		}
		out, err = scanMatches(rows, out)
		if err != nil {
			return nil, err
		}
	}
	run := func(col string, vals []any) error {
		return chunked(vals, chunkRows, func(c []any) error {
			rows, err := s.Query(ctx, base+col+` IN (`+inList(len(c))+`)`, append(slices.Clone(cargs), c...)...)
			if err != nil {
				return err
			}
			out, err = scanMatches(rows, out)
			return err
		})
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
	slices.SortFunc(out, func(a, b vuln.Match) int {
		if c := strings.Compare(a.Target, b.Target); c != 0 {
			return c
		}
		if c := strings.Compare(a.CVE, b.CVE); c != 0 {
			return c
		}
		return int(a.AdvisoryRef - b.AdvisoryRef)
	})
	return slices.CompactFunc(out, func(a, b vuln.Match) bool { return a.ID == b.ID }), nil
}

// VulnMatchReplace deletes the matches the filter selects (Targets and
// Advisories combine with AND when both are given: the matches of those
// targets from those advisories) and inserts the new ones, in one
// transaction. CVEs in the filter are ignored.
func (s *Store) VulnMatchReplace(ctx context.Context, del vuln.MatchFilter, ms []vuln.Match) error {
	return s.Tx(ctx, func(tx *Store) error {
		switch {
		case del.All:
			if _, err := tx.Exec(ctx, `DELETE FROM vuln_matches`); err != nil {
				return err
			}
		case len(del.Targets) > 0 && len(del.Advisories) > 0:
			if err := chunked(uniqueIDs(del.Advisories), 100, func(ac []int64) error {
				return chunked(uniqueSorted(del.Targets), chunkRows, func(c []string) error {
					_, err := tx.Exec(ctx, `DELETE FROM vuln_matches WHERE advisory_id IN (`+inList(len(ac))+`) AND target IN (`+inList(len(c))+`)`,
						append(anys(ac), anys(c)...)...)
					return err
				})
			}); err != nil {
				return err
			}
		case len(del.Targets) > 0:
			if err := chunked(uniqueSorted(del.Targets), chunkRows, func(c []string) error {
				_, err := tx.Exec(ctx, `DELETE FROM vuln_matches WHERE target IN (`+inList(len(c))+`)`, anys(c)...)
				return err
			}); err != nil {
				return err
			}
		case len(del.Advisories) > 0:
			if err := chunked(uniqueIDs(del.Advisories), chunkRows, func(c []int64) error {
				_, err := tx.Exec(ctx, `DELETE FROM vuln_matches WHERE advisory_id IN (`+inList(len(c))+`)`, anys(c)...)
				return err
			}); err != nil {
				return err
			}
		}
		now := tx.Now()
		m := multiRow{head: `INSERT INTO vuln_matches (target, device_id, component_id, cve, advisory_id, product_id, rule, confidence, evidence, matched_at) VALUES `,
			tuple: "(?, ?, ?, ?, ?, ?, ?, ?, ?, " + tx.tsParam() + ")"}
		return insertRows(ctx, tx, m, chunkRows, ms, func(a []any, m vuln.Match) []any {
			at := m.MatchedAt
			if at.IsZero() {
				at = now
			}
			ev, err := json.Marshal(m.Evidence)
			if err != nil {
				panic("store: marshal match evidence: " + err.Error()) // a plain struct of strings and numbers
			}
			return append(a, m.Target, m.DeviceID, nullID(m.ComponentID), m.CVE, m.AdvisoryRef, m.ProductID, m.Rule, m.Confidence, string(ev), at.UTC())
		})
	})
}

// The store implements the vulnerability engine's storage.
var _ vuln.Store = (*Store)(nil)

// VulnTx implements vuln.Store: fn runs in one transaction.
func (s *Store) VulnTx(ctx context.Context, fn func(tx vuln.Store) error) error {
	return s.findingsTx(ctx, func(tx *Store) error { return fn(tx) })
}

// FindingResolveKeys marks the given findings resolved (those open), with a
// "resolved" event each, and returns how many it resolved.
func (s *Store) FindingResolveKeys(ctx context.Context, keys []finding.Key) (int, error) {
	n := 0
	now := s.Now()
	err := s.Tx(ctx, func(tx *Store) error {
		// The identity's hash and its probes (see findingUpsertChunk) find
		// the row through the unique index; the full identity confirms it.
		where := `ident IN (` + inList(identProbes) + `) AND org_id = ? AND trigger_id = ? AND type = ? AND key = ? AND status = 'open'`
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

// VulnFindingList lists the findings of sc of type "vulnerable", ordered by
// id.
func (s *Store) VulnFindingList(ctx context.Context, sc tenant.Scope, f vuln.FindingFilter) ([]finding.Finding, error) {
	q := `SELECT ` + findingCols + ` FROM findings f JOIN triggers t ON t.id = f.trigger_id`
	if f.KEV {
		q += ` JOIN vuln_cves c ON c.cve = f.cve AND c.kev`
	}
	q += ` WHERE f.type = 'vulnerable' AND f.id > ? AND f.status = ?`
	status := f.Status
	if status == "" {
		status = finding.Open
	}
	cond, cargs := findingScope(sc, "f")
	q += ` AND ` + cond
	args := append([]any{f.After, string(status)}, cargs...)
	if f.DeviceID != 0 {
		q += ` AND f.device_id = ?`
		args = append(args, f.DeviceID)
	}
	q += fmt.Sprintf(` ORDER BY f.id LIMIT %d`, f.Size())
	return s.queryFindings(ctx, q, args...)
}
