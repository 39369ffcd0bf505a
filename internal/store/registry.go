// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/registry"
	"vigil/internal/tenant"
)

const orgCols = `id, name, sector, country, languages, policy, created_at, updated_at`

// nameMark ends the name an organisation registered through the portal
// asked for when another organisation has that name already (names are
// unique in the table): the stored name is the name, nameMark and the
// organisation's id. Readers show the name before the mark (shownName),
// so the registrant reads the name it gave and no one learns from the
// registration that the name was taken (OrgRegister). An input name
// never holds the mark: it is a control character, which
// registry.CleanOrgName refuses.
const nameMark = "\x1f"

// shownName is the name of an organisation as stored, without its mark.
func shownName(stored string) string {
	name, _, _ := strings.Cut(stored, nameMark)
	return name
}

func scanOrg(sc scanner) (registry.Org, error) {
	var o registry.Org
	var langs, policy string
	err := sc.Scan(&o.ID, &o.Name, &o.Sector, &o.Country, &langs, &policy, &o.CreatedAt, &o.UpdatedAt)
	if err != nil {
		return o, err
	}
	if langs != "" {
		o.Languages = strings.Split(langs, ",")
	}
	if err := json.Unmarshal([]byte(policy), &o.Policy); err != nil {
		return o, fmt.Errorf("org %d: bad stored policy: %w", o.ID, err)
	}
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	o.Name = shownName(o.Name)
	return o, nil
}

func newVerifyToken() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// OrgCreate validates o with its contacts, assets and devices and inserts them
// in one transaction. It sets the ids on o. Only the operator creates
// organisations (errs.Forbidden for any other scope).
func (s *Store) OrgCreate(ctx context.Context, sc tenant.Scope, o *registry.Org) error {
	if err := operatorOnly(sc, "create organisations"); err != nil {
		return err
	}
	if err := o.NormalizeAll(); err != nil {
		return err
	}
	return s.Tx(ctx, func(tx *Store) error {
		ins, err := tx.newOrgInserter(ctx)
		if err != nil {
			return err
		}
		defer ins.Close()
		return ins.insert(ctx, o)
	})
}

// orgInserter holds prepared statements for inserting many organisations.
type orgInserter struct {
	s                        *Store
	org, contact, asset, dev *Stmt
}

func (s *Store) newOrgInserter(ctx context.Context) (*orgInserter, error) {
	i := &orgInserter{s: s}
	var err error
	prep := func(q string) *Stmt {
		if err != nil {
			return nil
		}
		var st *Stmt
		st, err = s.Prepare(ctx, q+" RETURNING id")
		return st
	}
	i.org = prep(`INSERT INTO orgs (name, sector, country, languages, policy, verify_token, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	i.contact = prep(`INSERT INTO contacts (org_id, name, email, phone, role, lang, verified, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	i.asset = prep(`INSERT INTO assets (org_id, kind, value, created_at, added_by) VALUES (?, ?, ?, ?, ?)`)
	i.dev = prep(`INSERT INTO devices (org_id, vendor, model, firmware, cpe, purl, serial, location, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		i.Close()
		return nil, fmt.Errorf("prepare: %w", err)
	}
	return i, nil
}

func (i *orgInserter) Close() {
	for _, st := range []*Stmt{i.org, i.contact, i.asset, i.dev} {
		if st != nil {
			st.Close()
		}
	}
}

func (i *orgInserter) insert(ctx context.Context, o *registry.Org) error {
	now := i.s.Now()
	policy, _ := json.Marshal(o.Policy)
	err := i.org.QueryRowContext(ctx, o.Name, o.Sector, o.Country, strings.Join(o.Languages, ","), string(policy), newVerifyToken(), now, now).Scan(&o.ID)
	if err != nil {
		if err = interpret(err); errs.CodeOf(err) == errs.Conflict {
			return errs.Errorf(errs.Conflict, "an organisation named %q already exists", o.Name)
		}
		return fmt.Errorf("org %q: %w", o.Name, err)
	}
	o.CreatedAt, o.UpdatedAt = now, now
	for k := range o.Contacts {
		c := &o.Contacts[k]
		c.OrgID = o.ID
		if err := i.contact.QueryRowContext(ctx, o.ID, c.Name, c.Email, c.Phone, c.Role, c.Lang, c.Verified, now).Scan(&c.ID); err != nil {
			return fmt.Errorf("org %q: contacts[%d]: %w", o.Name, k, interpret(err))
		}
	}
	for k := range o.Assets {
		a := &o.Assets[k]
		a.OrgID, a.AddedBy = o.ID, a.Provenance()
		if err := i.asset.QueryRowContext(ctx, o.ID, string(a.Kind), a.Value, now, string(a.AddedBy)).Scan(&a.ID); err != nil {
			return fmt.Errorf("org %q: assets[%d] %s: %w", o.Name, k, a.Value, interpret(err))
		}
	}
	for k := range o.Devices {
		d := &o.Devices[k]
		d.OrgID = o.ID
		if err := i.dev.QueryRowContext(ctx, o.ID, d.Vendor, d.Model, d.Firmware, d.CPE, d.PURL, d.Serial, d.Location, now).Scan(&d.ID); err != nil {
			return fmt.Errorf("org %q: devices[%d]: %w", o.Name, k, interpret(err))
		}
	}
	return nil
}

// OrgImport validates and inserts organisations (as from registry.ParseCSV or
// ParseJSON) in one transaction: all or nothing. It returns the number of
// organisations and assets written. Only the operator imports. step, when
// given, is told how many organisations are written so far.
func (s *Store) OrgImport(ctx context.Context, sc tenant.Scope, orgs []registry.Org, step ...func(done int)) (nOrgs, nAssets int, err error) {
	if err := operatorOnly(sc, "import organisations"); err != nil {
		return 0, 0, err
	}
	err = s.Tx(ctx, func(tx *Store) error {
		ins, err := tx.newOrgInserter(ctx)
		if err != nil {
			return err
		}
		defer ins.Close()
		for k := range orgs {
			if err := orgs[k].NormalizeAll(); err != nil {
				return fmt.Errorf("record %d (%s): %w", k+1, orgs[k].Name, err)
			}
			if err := ins.insert(ctx, &orgs[k]); err != nil {
				return fmt.Errorf("record %d: %w", k+1, err)
			}
			nAssets += len(orgs[k].Assets)
			for _, f := range step {
				f(k + 1)
			}
		}
		nOrgs = len(orgs)
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return nOrgs, nAssets, nil
}

// orgRow reads organisation id's row inside sc.
func (s *Store) orgRow(ctx context.Context, sc tenant.Scope, id int64, lock string) (registry.Org, error) {
	cond, args := orgCond(sc, "id")
	o, err := scanOrg(s.QueryRow(ctx, `SELECT `+orgCols+` FROM orgs WHERE id = ? AND `+cond+lock, append([]any{id}, args...)...))
	return o, Scan(err, fmt.Sprintf("organisation %d", id))
}

// OrgGet returns one organisation of sc with its contacts, assets and
// devices.
func (s *Store) OrgGet(ctx context.Context, sc tenant.Scope, id int64) (registry.Org, error) {
	o, err := s.orgRow(ctx, sc, id, "")
	if err != nil {
		return o, err
	}
	in := tenant.Org(id)
	if o.Contacts, err = s.ContactList(ctx, in); err != nil {
		return o, err
	}
	if o.Assets, err = s.AssetList(ctx, in, registry.AssetFilter{Page: keyset.Page{Limit: 1000}}); err != nil {
		return o, err
	}
	if o.Devices, err = s.DeviceList(ctx, in, keyset.Page{Limit: 1000}); err != nil {
		return o, err
	}
	return o, nil
}

// OrgGetByName returns the id of the organisation of sc with exactly this
// name.
func (s *Store) OrgGetByName(ctx context.Context, sc tenant.Scope, name string) (int64, error) {
	var id int64
	cond, args := orgCond(sc, "id")
	err := s.QueryRow(ctx, `SELECT id FROM orgs WHERE name = ? AND `+cond, append([]any{name}, args...)...).Scan(&id)
	return id, Scan(err, fmt.Sprintf("organisation %q", name))
}

// OrgList lists the organisations of sc (without children) ordered by id:
// a tenant sees only its own.
func (s *Store) OrgList(ctx context.Context, sc tenant.Scope, p keyset.Page) ([]registry.Org, error) {
	cond, args := orgCond(sc, "id")
	q := `SELECT ` + orgCols + ` FROM orgs WHERE id > ? AND ` + cond + fmt.Sprintf(` ORDER BY id LIMIT %d`, p.Size())
	return queryAll(ctx, s, scanOrg, q, append([]any{p.After}, args...)...)
}

// OrgListAll lists every organisation of sc with its children, for export.
func (s *Store) OrgListAll(ctx context.Context, sc tenant.Scope) ([]registry.Org, error) {
	var all []registry.Org
	for after := int64(0); ; {
		page, err := s.OrgList(ctx, sc, keyset.Page{After: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
		after = page[len(page)-1].ID
	}
	idx := make(map[int64]int, len(all))
	for i, o := range all {
		idx[o.ID] = i
	}
	cond, args := orgCond(sc, "org_id")
	cs, err := queryAll(ctx, s, scanContact, `SELECT `+contactCols+` FROM contacts WHERE `+cond+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		all[idx[c.OrgID]].Contacts = append(all[idx[c.OrgID]].Contacts, c)
	}
	as, err := queryAll(ctx, s, scanAsset, `SELECT `+assetCols+` FROM assets WHERE `+cond+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		all[idx[a.OrgID]].Assets = append(all[idx[a.OrgID]].Assets, a)
	}
	ds, err := queryAll(ctx, s, scanDevice, `SELECT `+deviceCols+` FROM devices WHERE `+cond+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		all[idx[d.OrgID]].Devices = append(all[idx[d.OrgID]].Devices, d)
	}
	return all, nil
}

// OrgPatch applies u to organisation id of sc and returns the result.
func (s *Store) OrgPatch(ctx context.Context, sc tenant.Scope, id int64, u registry.OrgUpdate) (registry.Org, error) {
	var out registry.Org
	err := s.Tx(ctx, func(tx *Store) error {
		o, err := tx.orgRow(ctx, sc, id, tx.forUpdate())
		if err != nil {
			return err
		}
		if u.Name != nil {
			o.Name = *u.Name
		}
		if u.Sector != nil {
			o.Sector = *u.Sector
		}
		if u.Country != nil {
			o.Country = *u.Country
		}
		if u.Languages != nil {
			o.Languages = *u.Languages
		}
		if u.Policy != nil {
			o.Policy = *u.Policy
		}
		if err := o.Normalize(); err != nil {
			return err
		}
		o.UpdatedAt = tx.Now()
		policy, _ := json.Marshal(o.Policy)
		// A name left as it was keeps its stored form (with a mark).
		_, err = tx.Exec(ctx, `UPDATE orgs SET name = CASE WHEN ? THEN ? ELSE name END, sector = ?, country = ?, languages = ?, policy = ?, updated_at = ? WHERE id = ?`,
			u.Name != nil, o.Name, o.Sector, o.Country, strings.Join(o.Languages, ","), string(policy), o.UpdatedAt, id)
		out = o
		return err
	})
	return out, err
}

// OrgDelete deletes organisation id of sc and everything it registered.
//
// The delete removes the events of the organisation's findings (the
// cascade of migration 00801) after it has locked the organisation's row
// and the rows that go with it (notices, items, contacts). Notice
// composition holds finding_events in SHARE mode and then writes those
// rows (NotifyCompose), so on PostgreSQL the delete first takes
// finding_events' ROW EXCLUSIVE lock, as every event writer does before
// any row composition needs: it waits for a composition going on instead
// of deadlocking with it.
func (s *Store) OrgDelete(ctx context.Context, sc tenant.Scope, id int64) error {
	cond, args := orgCond(sc, "id")
	return s.Tx(ctx, func(tx *Store) error {
		if tx.dialect == Postgres {
			if _, err := tx.Exec(ctx, `LOCK TABLE finding_events IN ROW EXCLUSIVE MODE`); err != nil {
				return fmt.Errorf("organisation %d: wait for notice composition: %w", id, err)
			}
		}
		return tx.deleteOne(ctx, `DELETE FROM orgs WHERE id = ? AND `+cond, fmt.Sprintf("organisation %d", id), append([]any{id}, args...)...)
	})
}

// OrgVerifyToken returns the ownership-verification token of organisation
// id of sc.
func (s *Store) OrgVerifyToken(ctx context.Context, sc tenant.Scope, id int64) (string, error) {
	var tok string
	cond, args := orgCond(sc, "id")
	err := s.QueryRow(ctx, `SELECT verify_token FROM orgs WHERE id = ? AND `+cond, append([]any{id}, args...)...).Scan(&tok)
	return tok, Scan(err, fmt.Sprintf("organisation %d", id))
}

// OrgCount returns the number of organisations of sc.
func (s *Store) OrgCount(ctx context.Context, sc tenant.Scope) (int, error) {
	var n int
	cond, args := orgCond(sc, "id")
	err := s.QueryRow(ctx, `SELECT COUNT(*) FROM orgs WHERE `+cond, args...).Scan(&n)
	return n, err
}

// OrgExists returns nil when organisation id exists inside sc and
// errs.NotFound otherwise. It reads one row, without the organisation's
// children, so the REST API can check a path's organisation before acting
// on it.
func (s *Store) OrgExists(ctx context.Context, sc tenant.Scope, id int64) error {
	var got int64
	cond, args := orgCond(sc, "id")
	err := s.QueryRow(ctx, `SELECT id FROM orgs WHERE id = ? AND `+cond, append([]any{id}, args...)...).Scan(&got)
	return Scan(err, fmt.Sprintf("organisation %d", id))
}

func (s *Store) deleteOne(ctx context.Context, q, what string, args ...any) error {
	r, err := s.Exec(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return errs.Errorf(errs.NotFound, "%s not found", what)
	}
	return nil
}

const contactCols = `id, org_id, name, email, phone, role, lang, verified, bounced_at`

// scanContact reads one row of contactCols.
func scanContact(r scanner) (registry.Contact, error) {
	var c registry.Contact
	var bounced sql.NullTime
	if err := r.Scan(&c.ID, &c.OrgID, &c.Name, &c.Email, &c.Phone, &c.Role, &c.Lang, &c.Verified, &bounced); err != nil {
		return c, err
	}
	if bounced.Valid {
		t := bounced.Time.UTC()
		c.Bounced = &t
	}
	return c, nil
}

// ContactCreate validates and adds a contact to organisation c.OrgID,
// which sc must allow.
func (s *Store) ContactCreate(ctx context.Context, sc tenant.Scope, c *registry.Contact) error {
	if err := allows(sc, c.OrgID); err != nil {
		return err
	}
	if err := c.Normalize(); err != nil {
		return err
	}
	return s.Tx(ctx, func(tx *Store) error {
		twin, err := tx.contactTwin(ctx, c.OrgID, c.Email, c.Phone, 0)
		if err != nil {
			return err
		}
		if twin != 0 {
			return errContactTaken(twin)
		}
		id, err := tx.InsertID(ctx, `INSERT INTO contacts (org_id, name, email, phone, role, lang, verified, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			c.OrgID, c.Name, c.Email, c.Phone, c.Role, c.Lang, c.Verified, tx.Now())
		if err != nil {
			return fmt.Errorf("contact %s: %w", c.Email+c.Phone, err)
		}
		c.ID = id
		return nil
	})
}

// errContactTaken refuses a contact that organisation's contact twin
// already is (contactTwin).
func errContactTaken(twin int64) error {
	return &errs.Error{Code: errs.Conflict, Field: "email", Key: "contact.taken",
		Message: "a contact with this email and phone already exists", Err: fmt.Errorf("contact %d", twin)}
}

// contactTwin returns the id of a contact of organisation org other than
// except with telephone number phone and an e-mail address that differs
// from email at most in letter case (registry.SameEmail), 0 if there is
// none. The database's unique key (org_id, email, phone) compares
// addresses exactly, and installations may hold contacts that differ only
// in case from before this check, so it is made here, in the writer's
// transaction: on PostgreSQL the organisation's row is locked against
// other contact writes (FOR NO KEY UPDATE, which the foreign-key checks of
// other tables' inserts do not wait for) until the transaction ends; an
// SQLite transaction takes the write lock at BEGIN.
func (s *Store) contactTwin(ctx context.Context, org int64, email, phone string, except int64) (int64, error) {
	if s.dialect == Postgres {
		var id int64
		switch err := s.QueryRow(ctx, `SELECT id FROM orgs WHERE id = ? FOR NO KEY UPDATE`, org).Scan(&id); {
		case errors.Is(err, sql.ErrNoRows):
			return 0, errs.Errorf(errs.NotFound, "organisation %d not found", org)
		case err != nil:
			return 0, fmt.Errorf("lock organisation %d: %w", org, interpret(err))
		}
	}
	if email == "" {
		return 0, nil // the unique key compares the rest exactly
	}
	rows, err := s.Query(ctx, `SELECT id, email FROM contacts WHERE org_id = ? AND phone = ? AND id <> ? AND email <> ''`, org, phone, except)
	if err != nil {
		return 0, fmt.Errorf("contacts of organisation %d: %w", org, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var other string
		if err := rows.Scan(&id, &other); err != nil {
			return 0, err
		}
		if registry.SameEmail(email, other) {
			return id, nil
		}
	}
	return 0, rows.Err()
}

// ContactList lists the contacts of sc ordered by id: one organisation's,
// or every organisation's for the operator.
func (s *Store) ContactList(ctx context.Context, sc tenant.Scope) ([]registry.Contact, error) {
	cond, args := orgCond(sc, "org_id")
	return queryAll(ctx, s, scanContact, `SELECT `+contactCols+` FROM contacts WHERE `+cond+` ORDER BY id`, args...)
}

// ContactDelete deletes contact id of sc.
func (s *Store) ContactDelete(ctx context.Context, sc tenant.Scope, id int64) error {
	cond, args := orgCond(sc, "org_id")
	return s.deleteOne(ctx, `DELETE FROM contacts WHERE id = ? AND `+cond, fmt.Sprintf("contact %d", id), append([]any{id}, args...)...)
}

// ContactUpdate validates c (registry.Contact.Normalize) and writes its
// name, e-mail address, telephone number, role and language over contact
// c.ID of organisation c.OrgID, which sc must allow; another
// organisation's contact is errs.NotFound. A contact whose address or
// number changes is no longer verified, and one whose address changes no
// longer bouncing (both were of the old address). c is filled with the
// contact as stored.
func (s *Store) ContactUpdate(ctx context.Context, sc tenant.Scope, c *registry.Contact) error {
	if err := allows(sc, c.OrgID); err != nil {
		return err
	}
	if err := c.Normalize(); err != nil {
		return err
	}
	cond, args := orgCond(sc, "org_id")
	return s.Tx(ctx, func(tx *Store) error { return tx.contactUpdate(ctx, c, cond, args) })
}

// contactUpdate is ContactUpdate in its transaction. A contact whose
// address or number changes must not become another contact's twin
// (contactTwin); one that keeps them is saved even if an older twin
// exists, so such contacts stay editable.
func (s *Store) contactUpdate(ctx context.Context, c *registry.Contact, cond string, args []any) error {
	var email, phone string
	err := s.QueryRow(ctx, `SELECT email, phone FROM contacts WHERE id = ? AND org_id = ? AND `+cond, append([]any{c.ID, c.OrgID}, args...)...).Scan(&email, &phone)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return errs.Errorf(errs.NotFound, "contact %d not found", c.ID)
		}
		return fmt.Errorf("contact %d: %w", c.ID, err)
	}
	if !registry.SameEmail(email, c.Email) || phone != c.Phone {
		twin, err := s.contactTwin(ctx, c.OrgID, c.Email, c.Phone, c.ID)
		if err != nil {
			return err
		}
		if twin != 0 {
			return errContactTaken(twin)
		}
	}
	q := `UPDATE contacts SET name = ?, email = ?, phone = ?, role = ?, lang = ?,
		verified = CASE WHEN email = ? AND phone = ? THEN verified ELSE FALSE END,
		bounced_at = CASE WHEN email = ? THEN bounced_at ELSE NULL END
		WHERE id = ? AND org_id = ? AND ` + cond
	r, err := s.Exec(ctx, q, append([]any{c.Name, c.Email, c.Phone, c.Role, c.Lang, c.Email, c.Phone, c.Email, c.ID, c.OrgID}, args...)...)
	if err != nil {
		return fmt.Errorf("contact %d: %w", c.ID, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return errs.Errorf(errs.NotFound, "contact %d not found", c.ID)
	}
	cs, err := queryAll(ctx, s, scanContact, `SELECT `+contactCols+` FROM contacts WHERE id = ?`, c.ID)
	if err != nil {
		return err
	}
	if len(cs) == 1 {
		*c = cs[0]
	}
	return nil
}

// ContactMarkBounced records that mail to the address bounced, on every
// contact with that address; it returns how many contacts it marked.
func (s *Store) ContactMarkBounced(ctx context.Context, email string) (int64, error) {
	r, err := s.Exec(ctx, `UPDATE contacts SET bounced_at = ? WHERE email = ? AND bounced_at IS NULL`, s.Now(), email)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

const assetCols = `id, org_id, kind, value, verified_at, verify_method, verify_note, added_by`

// scanAsset reads one row of assetCols.
func scanAsset(r scanner) (registry.Asset, error) {
	var a registry.Asset
	var kind, by string
	var ver sql.NullTime
	if err := r.Scan(&a.ID, &a.OrgID, &kind, &a.Value, &ver, &a.VerifyMethod, &a.VerifyNote, &by); err != nil {
		return a, err
	}
	a.Kind, a.AddedBy = registry.AssetKind(kind), registry.AddedBy(by)
	if ver.Valid {
		t := ver.Time.UTC()
		a.VerifiedAt = &t
	}
	return a, nil
}

// AssetCreate validates and adds an asset to organisation a.OrgID, which sc
// must allow, with its provenance a.AddedBy (the operator's when empty).
func (s *Store) AssetCreate(ctx context.Context, sc tenant.Scope, a *registry.Asset) error {
	if err := allows(sc, a.OrgID); err != nil {
		return err
	}
	n, err := registry.ParseAsset(a.Kind, a.Value)
	if err != nil {
		return err
	}
	a.Kind, a.Value = n.Kind, n.Value
	a.AddedBy = a.Provenance()
	id, err := s.InsertID(ctx, `INSERT INTO assets (org_id, kind, value, created_at, added_by) VALUES (?, ?, ?, ?, ?)`, a.OrgID, string(a.Kind), a.Value, s.Now(), string(a.AddedBy))
	if err != nil {
		return fmt.Errorf("asset %s: %w", a.Value, err)
	}
	a.ID = id
	return nil
}

// AssetList lists the assets of sc ordered by id.
func (s *Store) AssetList(ctx context.Context, sc tenant.Scope, f registry.AssetFilter) ([]registry.Asset, error) {
	cond, cargs := orgCond(sc, "org_id")
	q := `SELECT ` + assetCols + ` FROM assets WHERE id > ? AND ` + cond
	args := append([]any{f.After}, cargs...)
	if f.Kind != "" {
		q += ` AND kind = ?`
		args = append(args, string(f.Kind))
	}
	q += fmt.Sprintf(` ORDER BY id LIMIT %d`, f.Size())
	return queryAll(ctx, s, scanAsset, q, args...)
}

// AssetAll lists every asset of sc of a kind (all kinds when empty), for
// building match indexes and overlap reports.
func (s *Store) AssetAll(ctx context.Context, sc tenant.Scope, kind registry.AssetKind) ([]registry.Asset, error) {
	cond, args := orgCond(sc, "org_id")
	if kind == "" {
		return queryAll(ctx, s, scanAsset, `SELECT `+assetCols+` FROM assets WHERE `+cond+` ORDER BY id`, args...)
	}
	return queryAll(ctx, s, scanAsset, `SELECT `+assetCols+` FROM assets WHERE kind = ? AND `+cond+` ORDER BY id`, append([]any{string(kind)}, args...)...)
}

// AssetGet returns asset id of sc.
func (s *Store) AssetGet(ctx context.Context, sc tenant.Scope, id int64) (registry.Asset, error) {
	cond, args := orgCond(sc, "org_id")
	as, err := queryAll(ctx, s, scanAsset, `SELECT `+assetCols+` FROM assets WHERE id = ? AND `+cond, append([]any{id}, args...)...)
	if err != nil {
		return registry.Asset{}, err
	}
	if len(as) == 0 {
		return registry.Asset{}, notFound("asset %d", id)
	}
	return as[0], nil
}

// AssetDelete deletes asset id of sc.
func (s *Store) AssetDelete(ctx context.Context, sc tenant.Scope, id int64) error {
	cond, args := orgCond(sc, "org_id")
	return s.deleteOne(ctx, `DELETE FROM assets WHERE id = ? AND `+cond, fmt.Sprintf("asset %d", id), append([]any{id}, args...)...)
}

// AssetMarkVerified records a successful ownership check of asset id of sc:
// how (dns, http, manual) and, for an analyst's check, what was checked.
func (s *Store) AssetMarkVerified(ctx context.Context, sc tenant.Scope, id int64, method, note string, at time.Time) error {
	cond, args := orgCond(sc, "org_id")
	return s.deleteOne(ctx, `UPDATE assets SET verified_at = ?, verify_method = ?, verify_note = ? WHERE id = ? AND `+cond, fmt.Sprintf("asset %d", id),
		append([]any{at.UTC(), method, note, id}, args...)...)
}

const deviceCols = `id, org_id, vendor, model, firmware, cpe, purl, serial, location, asset_id`

// scanDevice reads one row of deviceCols.
func scanDevice(r scanner) (registry.Device, error) {
	var d registry.Device
	var asset sql.NullInt64
	if err := r.Scan(&d.ID, &d.OrgID, &d.Vendor, &d.Model, &d.Firmware, &d.CPE, &d.PURL, &d.Serial, &d.Location, &asset); err != nil {
		return d, err
	}
	if asset.Valid {
		d.AssetID = &asset.Int64
	}
	return d, nil
}

// DeviceCreate validates and adds a device to organisation d.OrgID, which
// sc must allow. An AssetID must name an asset of the same organisation.
func (s *Store) DeviceCreate(ctx context.Context, sc tenant.Scope, d *registry.Device) error {
	if err := allows(sc, d.OrgID); err != nil {
		return err
	}
	if err := d.Normalize(); err != nil {
		return err
	}
	return s.Tx(ctx, func(tx *Store) error {
		if d.AssetID != nil {
			if _, err := tx.AssetGet(ctx, tenant.Org(d.OrgID), *d.AssetID); err != nil {
				return errs.Field("asset_id", *d.AssetID, "no such asset in this organisation")
			}
		}
		id, err := tx.InsertID(ctx, `INSERT INTO devices (org_id, vendor, model, firmware, cpe, purl, serial, location, asset_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.OrgID, d.Vendor, d.Model, d.Firmware, d.CPE, d.PURL, d.Serial, d.Location, d.AssetID, tx.Now())
		if err != nil {
			return fmt.Errorf("device %s %s: %w", d.Vendor, d.Model, err)
		}
		d.ID = id
		return nil
	})
}

// DeviceList lists the devices of sc ordered by id.
func (s *Store) DeviceList(ctx context.Context, sc tenant.Scope, p keyset.Page) ([]registry.Device, error) {
	cond, args := orgCond(sc, "org_id")
	q := `SELECT ` + deviceCols + ` FROM devices WHERE id > ? AND ` + cond + fmt.Sprintf(` ORDER BY id LIMIT %d`, p.Size())
	return queryAll(ctx, s, scanDevice, q, append([]any{p.After}, args...)...)
}

// DeviceGet returns device id of sc.
func (s *Store) DeviceGet(ctx context.Context, sc tenant.Scope, id int64) (registry.Device, error) {
	cond, args := orgCond(sc, "org_id")
	ds, err := queryAll(ctx, s, scanDevice, `SELECT `+deviceCols+` FROM devices WHERE id = ? AND `+cond, append([]any{id}, args...)...)
	if err != nil {
		return registry.Device{}, err
	}
	if len(ds) == 0 {
		return registry.Device{}, notFound("device %d", id)
	}
	return ds[0], nil
}

// DeviceUpdate validates d and replaces the description of device d.ID of
// sc with it (vendor, model, firmware, CPE, PURL, serial, location and the
// asset link); d.OrgID is set to the device's organisation, which does not
// change. Another organisation's device is not found. Assessments and
// labels keep the description they were made with; the vulnerability
// engine sees the change (vuln_device_state) and matches the device again.
func (s *Store) DeviceUpdate(ctx context.Context, sc tenant.Scope, d *registry.Device) error {
	return s.Tx(ctx, func(tx *Store) error {
		cur, err := tx.DeviceGet(ctx, sc, d.ID)
		if err != nil {
			return err
		}
		d.OrgID = cur.OrgID
		if err := d.Normalize(); err != nil {
			return err
		}
		if d.AssetID != nil {
			if _, err := tx.AssetGet(ctx, tenant.Org(d.OrgID), *d.AssetID); err != nil {
				return errs.Field("asset_id", *d.AssetID, "no such asset in this organisation")
			}
		}
		cond, args := orgCond(sc, "org_id")
		_, err = tx.Exec(ctx, `UPDATE devices SET vendor = ?, model = ?, firmware = ?, cpe = ?, purl = ?, serial = ?, location = ?, asset_id = ? WHERE id = ? AND `+cond,
			append([]any{d.Vendor, d.Model, d.Firmware, d.CPE, d.PURL, d.Serial, d.Location, d.AssetID, d.ID}, args...)...)
		if err != nil {
			return fmt.Errorf("device %d: %w", d.ID, err)
		}
		return nil
	})
}

// DeviceDelete deletes device id of sc.
func (s *Store) DeviceDelete(ctx context.Context, sc tenant.Scope, id int64) error {
	cond, args := orgCond(sc, "org_id")
	return s.deleteOne(ctx, `DELETE FROM devices WHERE id = ? AND `+cond, fmt.Sprintf("device %d", id), append([]any{id}, args...)...)
}
