// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"errors"
	"fmt"

	"vigil/internal/errs"
	"vigil/internal/system"
)

var _ system.Store = (*Store)(nil)

// SystemDocPut stores d as the next version of its kind and product. Two
// writers of the same product race on the unique version: the loser gets
// errs.Conflict and may retry.
func (s *Store) SystemDocPut(ctx context.Context, d *system.Doc) error {
	return s.Tx(ctx, func(tx *Store) error {
		var last int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM system_docs WHERE kind = ? AND product_key = ?`,
			string(d.Kind), d.Product.Key()).Scan(&last); err != nil {
			return fmt.Errorf("%s of %s: %w", d.Kind, d.Product, interpret(err))
		}
		d.Version, d.Created = last+1, tx.Now()
		if _, err := tx.Exec(ctx, `INSERT INTO system_docs (kind, product_key, vendor, model, version, body, actor, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, string(d.Kind), d.Product.Key(), d.Product.Vendor, d.Product.Model, d.Version, string(d.Body), d.Actor, d.Created); err != nil {
			return fmt.Errorf("%s of %s version %d: %w", d.Kind, d.Product, d.Version, interpret(err))
		}
		return nil
	})
}

// SystemDocGet returns version (0: the latest) of a product's document of
// kind, or errs.NotFound.
func (s *Store) SystemDocGet(ctx context.Context, kind system.DocKind, p system.Product, version int) (system.Doc, error) {
	q := `SELECT vendor, model, version, body, actor, created_at FROM system_docs WHERE kind = ? AND product_key = ?`
	args := []any{string(kind), p.Key()}
	if version > 0 {
		q += ` AND version = ?`
		args = append(args, version)
	}
	q += ` ORDER BY version DESC LIMIT 1`
	d := system.Doc{Kind: kind}
	var body string
	err := s.QueryRow(ctx, q, args...).Scan(&d.Product.Vendor, &d.Product.Model, &d.Version, &body, &d.Actor, &d.Created)
	if errors.Is(Scan(err, ""), errs.ErrNotFound) {
		what := fmt.Sprintf("%s of %s", kind, p)
		if version > 0 {
			what += fmt.Sprintf(" version %d", version)
		}
		return d, errs.Errorf(errs.NotFound, "%s not found", what)
	}
	if err != nil {
		return d, fmt.Errorf("%s of %s: %w", kind, p, interpret(err))
	}
	d.Body, d.Created = []byte(body), d.Created.UTC()
	return d, nil
}

// SystemDocVersions lists every version of a product's document of kind,
// oldest first, without bodies.
func (s *Store) SystemDocVersions(ctx context.Context, kind system.DocKind, p system.Product) ([]system.Doc, error) {
	rows, err := s.Query(ctx, `SELECT vendor, model, version, actor, created_at FROM system_docs
WHERE kind = ? AND product_key = ? ORDER BY version`, string(kind), p.Key())
	if err != nil {
		return nil, fmt.Errorf("%s versions of %s: %w", kind, p, interpret(err))
	}
	defer rows.Close()
	var out []system.Doc
	for rows.Next() {
		d := system.Doc{Kind: kind}
		if err := rows.Scan(&d.Product.Vendor, &d.Product.Model, &d.Version, &d.Actor, &d.Created); err != nil {
			return nil, interpret(err)
		}
		d.Created = d.Created.UTC()
		out = append(out, d)
	}
	return out, interpret(rows.Err())
}

// SystemProducts lists the products with a document of kind, as named in
// their latest version, sorted by key.
func (s *Store) SystemProducts(ctx context.Context, kind system.DocKind) ([]system.Product, error) {
	rows, err := s.Query(ctx, `SELECT d.vendor, d.model FROM system_docs d
WHERE d.kind = ? AND d.version = (SELECT MAX(version) FROM system_docs e WHERE e.kind = d.kind AND e.product_key = d.product_key)
ORDER BY d.product_key`, string(kind))
	if err != nil {
		return nil, fmt.Errorf("products with a %s: %w", kind, interpret(err))
	}
	defer rows.Close()
	var out []system.Product
	for rows.Next() {
		var p system.Product
		if err := rows.Scan(&p.Vendor, &p.Model); err != nil {
			return nil, interpret(err)
		}
		out = append(out, p)
	}
	return out, interpret(rows.Err())
}

// FleetAdd adds one ingest's aggregates to a product's, in one
// transaction.
func (s *Store) FleetAdd(ctx context.Context, b system.FleetBatch) error {
	return s.Tx(ctx, func(tx *Store) error {
		ts := tx.tsParam()
		for _, c := range b.Counts {
			if _, err := tx.Exec(ctx, `INSERT INTO fleet_counts (product_key, source, metric, value, count, first_seen, last_seen)
VALUES (?, ?, ?, ?, ?, `+ts+`, `+ts+`)
ON CONFLICT (product_key, source, metric, value) DO UPDATE SET count = fleet_counts.count + excluded.count,
first_seen = `+tx.least("fleet_counts.first_seen", "excluded.first_seen")+`, last_seen = `+tx.greatest("fleet_counts.last_seen", "excluded.last_seen"),
				b.Product.Key(), c.Source, c.Metric, c.Value, c.Count, c.FirstSeen.UTC(), c.LastSeen.UTC()); err != nil {
				return fmt.Errorf("fleet counts of %s: %w", b.Product, interpret(err))
			}
		}
		for _, k := range b.Keys {
			if _, err := tx.Exec(ctx, `INSERT INTO fleet_keys (product_key, source, fingerprint, kind, network, addresses, first_seen, last_seen)
VALUES (?, ?, ?, ?, ?, ?, `+ts+`, `+ts+`)
ON CONFLICT (product_key, source, fingerprint, network) DO UPDATE SET addresses = fleet_keys.addresses + excluded.addresses,
first_seen = `+tx.least("fleet_keys.first_seen", "excluded.first_seen")+`, last_seen = `+tx.greatest("fleet_keys.last_seen", "excluded.last_seen"),
				b.Product.Key(), k.Source, k.Fingerprint, k.Kind, k.Network, k.Addresses, k.FirstSeen.UTC(), k.LastSeen.UTC()); err != nil {
				return fmt.Errorf("fleet keys of %s: %w", b.Product, interpret(err))
			}
		}
		return nil
	})
}

// FleetGet returns a product's fleet aggregates: its counters and, per
// fingerprint, the networks and sightings.
func (s *Store) FleetGet(ctx context.Context, p system.Product) (system.Fleet, error) {
	f := system.Fleet{Product: p}
	rows, err := s.Query(ctx, `SELECT source, metric, value, count, first_seen, last_seen FROM fleet_counts
WHERE product_key = ? ORDER BY source, metric, value`, p.Key())
	if err != nil {
		return f, fmt.Errorf("fleet of %s: %w", p, interpret(err))
	}
	defer rows.Close()
	for rows.Next() {
		var c system.FleetCount
		if err := rows.Scan(&c.Source, &c.Metric, &c.Value, &c.Count, &c.FirstSeen, &c.LastSeen); err != nil {
			return f, interpret(err)
		}
		c.FirstSeen, c.LastSeen = c.FirstSeen.UTC(), c.LastSeen.UTC()
		f.Counts = append(f.Counts, c)
	}
	if err := rows.Err(); err != nil {
		return f, interpret(err)
	}
	rows.Close()
	krows, err := s.Query(ctx, `SELECT source, fingerprint, MIN(kind), COUNT(*), SUM(addresses) FROM fleet_keys
WHERE product_key = ? GROUP BY source, fingerprint ORDER BY source, fingerprint`, p.Key())
	if err != nil {
		return f, fmt.Errorf("fleet keys of %s: %w", p, interpret(err))
	}
	defer krows.Close()
	for krows.Next() {
		var k system.KeySummary
		if err := krows.Scan(&k.Source, &k.Fingerprint, &k.Kind, &k.Networks, &k.Addresses); err != nil {
			return f, interpret(err)
		}
		f.Keys = append(f.Keys, k)
	}
	return f, interpret(krows.Err())
}
