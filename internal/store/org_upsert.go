// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"vigil/internal/keyset"
	"vigil/internal/registry"
	"vigil/internal/tenant"
)

// UpsertCounts is what OrgUpsert did.
type UpsertCounts struct {
	Created   int `json:"created"`   // organisations new in the registry
	Updated   int `json:"updated"`   // existing organisations the file changed
	Unchanged int `json:"unchanged"` // existing organisations already as in the file
	Assets    int `json:"assets"`    // assets added (to new and existing organisations)
	Contacts  int `json:"contacts"`  // contacts added
	Devices   int `json:"devices"`   // devices added
}

// OrgIDsByName returns the ids of the organisations of sc by name.
func (s *Store) OrgIDsByName(ctx context.Context, sc tenant.Scope) (map[string]int64, error) {
	out := map[string]int64{}
	for p := (keyset.Page{Limit: 1000}); ; {
		page, err := s.OrgList(ctx, sc, p)
		if err != nil {
			return nil, err
		}
		for _, o := range page {
			out[o.Name] = o.ID
		}
		if len(page) < p.Limit {
			return out, nil
		}
		p.After = page[len(page)-1].ID
	}
}

// OrgUpsert imports orgs in one transaction, matched by name: a new name
// is inserted with its children; an existing organisation gets the
// sector, country and languages the file gives (an empty value leaves the
// stored one) and the assets, contacts and devices it lacks (none is
// removed). Importing the same file twice changes nothing the second time
// (every organisation Unchanged). Only the operator imports. step, when
// given, is told how many organisations are done so far.
func (s *Store) OrgUpsert(ctx context.Context, sc tenant.Scope, orgs []registry.Org, step ...func(done int)) (UpsertCounts, error) {
	var n UpsertCounts
	if err := operatorOnly(sc, "import organisations"); err != nil {
		return n, err
	}
	err := s.Tx(ctx, func(tx *Store) error {
		n = UpsertCounts{}
		ids, err := tx.OrgIDsByName(ctx, sc)
		if err != nil {
			return err
		}
		ins, err := tx.newOrgInserter(ctx)
		if err != nil {
			return err
		}
		defer ins.Close()
		for k := range orgs {
			for _, f := range step {
				f(k)
			}
			o := &orgs[k]
			if err := o.NormalizeAll(); err != nil {
				return fmt.Errorf("record %d (%s): %w", k+1, o.Name, err)
			}
			id, ok := ids[o.Name]
			if !ok {
				if err := ins.insert(ctx, o); err != nil {
					return fmt.Errorf("record %d: %w", k+1, err)
				}
				ids[o.Name] = o.ID
				n.Created++
				n.Assets += len(o.Assets)
				n.Contacts += len(o.Contacts)
				n.Devices += len(o.Devices)
				continue
			}
			changed, err := tx.orgMerge(ctx, id, o, &n)
			if err != nil {
				return fmt.Errorf("record %d (%s): %w", k+1, o.Name, err)
			}
			if changed {
				n.Updated++
			} else {
				n.Unchanged++
			}
		}
		for _, f := range step {
			f(len(orgs))
		}
		return nil
	})
	return n, err
}

// orgMerge brings organisation id up to o (see OrgUpsert) and reports
// whether anything changed.
func (s *Store) orgMerge(ctx context.Context, id int64, o *registry.Org, n *UpsertCounts) (bool, error) {
	cur, err := s.orgRow(ctx, tenant.Operator(), id, s.forUpdate())
	if err != nil {
		return false, err
	}
	o.ID = id
	changed := false
	set := func(dst *string, v string) {
		if v != "" && v != *dst {
			*dst, changed = v, true
		}
	}
	set(&cur.Sector, o.Sector)
	set(&cur.Country, o.Country)
	if len(o.Languages) > 0 && !slices.Equal(o.Languages, cur.Languages) {
		cur.Languages, changed = o.Languages, true
	}
	now := s.Now()
	if changed {
		if _, err := s.Exec(ctx, `UPDATE orgs SET sector = ?, country = ?, languages = ?, updated_at = ? WHERE id = ?`,
			cur.Sector, cur.Country, strings.Join(cur.Languages, ","), now, id); err != nil {
			return false, fmt.Errorf("update: %w", interpret(err))
		}
	}
	add := func(count *int, q string, args ...any) error {
		r, err := s.Exec(ctx, q, args...)
		if err != nil {
			return interpret(err)
		}
		if k, _ := r.RowsAffected(); k > 0 {
			*count += int(k)
			changed = true
		}
		return nil
	}
	// Each child is looked for before it is inserted, so that no id is
	// spent on a row that exists.
	missing := func(q string, args ...any) (bool, error) {
		var have bool
		err := s.QueryRow(ctx, `SELECT EXISTS (`+q+`)`, args...).Scan(&have)
		return !have, interpret(err)
	}
	for i, a := range o.Assets {
		ok, err := missing(`SELECT 1 FROM assets WHERE org_id = ? AND kind = ? AND value = ?`, id, string(a.Kind), a.Value)
		if err == nil && ok {
			err = add(&n.Assets, `INSERT INTO assets (org_id, kind, value, created_at, added_by) VALUES (?, ?, ?, ?, ?)`, id, string(a.Kind), a.Value, now, string(a.Provenance()))
		}
		if err != nil {
			return false, fmt.Errorf("assets[%d] %s: %w", i, a.Value, err)
		}
	}
	for i, c := range o.Contacts {
		// A contact whose address differs only in case from one the
		// organisation has is that one (contactTwin).
		ok, err := missing(`SELECT 1 FROM contacts WHERE org_id = ? AND email = ? AND phone = ?`, id, c.Email, c.Phone)
		if err == nil && ok {
			var twin int64
			twin, err = s.contactTwin(ctx, id, c.Email, c.Phone, 0)
			ok = twin == 0
		}
		if err == nil && ok {
			err = add(&n.Contacts, `INSERT INTO contacts (org_id, name, email, phone, role, lang, verified, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				id, c.Name, c.Email, c.Phone, c.Role, c.Lang, c.Verified, now)
		}
		if err != nil {
			return false, fmt.Errorf("contacts[%d]: %w", i, err)
		}
	}
	for i, d := range o.Devices {
		ok, err := missing(`SELECT 1 FROM devices WHERE org_id = ? AND vendor = ? AND model = ? AND firmware = ? AND serial = ?`, id, d.Vendor, d.Model, d.Firmware, d.Serial)
		if err == nil && ok {
			err = add(&n.Devices, `INSERT INTO devices (org_id, vendor, model, firmware, cpe, purl, serial, location, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, d.Vendor, d.Model, d.Firmware, d.CPE, d.PURL, d.Serial, d.Location, now)
		}
		if err != nil {
			return false, fmt.Errorf("devices[%d]: %w", i, err)
		}
	}
	if changed {
		if _, err := s.Exec(ctx, `UPDATE orgs SET updated_at = ? WHERE id = ?`, now, id); err != nil {
			return false, fmt.Errorf("update: %w", interpret(err))
		}
	}
	return changed, nil
}

// OrgName returns the name of organisation id of sc.
func (s *Store) OrgName(ctx context.Context, sc tenant.Scope, id int64) (string, error) {
	var name string
	cond, args := orgCond(sc, "id")
	err := s.QueryRow(ctx, `SELECT name FROM orgs WHERE id = ? AND `+cond, append([]any{id}, args...)...).Scan(&name)
	return shownName(name), Scan(err, fmt.Sprintf("organisation %d", id))
}
