// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"database/sql"
	"fmt"

	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/tenant"
)

// TokenCreate stores a new token for t.OrgID (0: operator), made by
// account t.CreatedBy (0: none), and returns its secret, which is shown
// once and never stored. sc must allow t.OrgID: only
// the operator makes operator tokens.
func (s *Store) TokenCreate(ctx context.Context, sc tenant.Scope, t *auth.Token) (string, error) {
	if err := allows(sc, t.OrgID); err != nil {
		return "", err
	}
	if t.OrgID == 0 && !(auth.Principal{Scopes: t.Scopes}).Has(auth.ScopeAdmin) {
		return "", errs.Field("scopes", auth.FormatScopes(t.Scopes), "an operator token (no organisation) needs the admin scope")
	}
	if t.OrgID == 0 && t.Maker {
		return "", errs.FieldKeyed("maker", true, "token.maker.org", "a maker's token belongs to an organisation: give its org_id")
	}
	if t.OrgID != 0 {
		for _, sc := range t.Scopes {
			if sc == auth.ScopeAdmin {
				return "", errs.Field("scopes", "admin", "an organisation's token cannot have the admin scope")
			}
		}
	}
	secret := auth.NewSecret()
	var org any
	if t.OrgID != 0 {
		org = t.OrgID
	}
	var by any
	if t.CreatedBy != 0 {
		by = t.CreatedBy
	}
	role := "member"
	if t.Maker {
		role = "maker"
	}
	t.CreatedAt = s.Now()
	id, err := s.InsertID(ctx, `INSERT INTO api_tokens (org_id, name, hash, scopes, created_at, created_by, role) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		org, t.Name, auth.HashSecret(secret), auth.FormatScopes(t.Scopes), t.CreatedAt, by, role)
	if err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	t.ID = id
	return secret, nil
}

// TokenAuthenticate returns the principal for a secret, or errs.Unauthorized
// for an unknown or revoked one.
func (s *Store) TokenAuthenticate(ctx context.Context, secret string) (auth.Principal, error) {
	var p auth.Principal
	var org, owner sql.NullInt64
	var scopes, role string
	// A token made by an account that is disabled now stops with it: a
	// person who left cannot go on through the tokens they made.
	err := s.QueryRow(ctx, `SELECT t.id, t.name, t.org_id, t.scopes, t.created_by, t.role FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by
WHERE t.hash = ? AND t.revoked_at IS NULL AND (u.id IS NULL OR NOT u.disabled)`, auth.HashSecret(secret)).Scan(&p.TokenID, &p.Name, &org, &scopes, &owner, &role)
	if err == sql.ErrNoRows {
		return p, errs.Errorf(errs.Unauthorized, "unknown or revoked token")
	}
	if err != nil {
		return p, err
	}
	p.OrgID, p.Owner, p.Maker = org.Int64, owner.Int64, role == "maker"
	if p.Scopes, err = auth.ParseScopes(scopes); err != nil {
		return p, fmt.Errorf("token %d: %w", p.TokenID, err)
	}
	return p, nil
}

// TokenRevoke revokes token id of sc (an operator token: the operator's
// scope only).
func (s *Store) TokenRevoke(ctx context.Context, sc tenant.Scope, id int64) error {
	cond, args := orgCond(sc, "org_id")
	return s.deleteOne(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL AND `+cond, fmt.Sprintf("active token %d", id),
		append([]any{s.Now(), id}, args...)...)
}

// TokenList lists the tokens of sc in order of creation, revoked ones with
// their revocation time (the operator's scope: every token, operator
// tokens too), each with the e-mail address of the account that made it.
// Secrets are never stored, so none is returned.
func (s *Store) TokenList(ctx context.Context, sc tenant.Scope, p keyset.Page) ([]auth.Token, error) {
	cond, args := orgCond(sc, "t.org_id")
	rows, err := s.Query(ctx, `SELECT t.id, t.org_id, t.name, t.scopes, t.created_at, t.revoked_at, t.created_by, COALESCE(u.email, ''), t.role
FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by WHERE t.id > ? AND `+cond+
		fmt.Sprintf(` ORDER BY t.id LIMIT %d`, p.Size()), append([]any{p.After}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []auth.Token{}
	for rows.Next() {
		var t auth.Token
		var org, by sql.NullInt64
		var scopes, role string
		var revoked sql.NullTime
		if err := rows.Scan(&t.ID, &org, &t.Name, &scopes, &t.CreatedAt, &revoked, &by, &t.CreatedByEmail, &role); err != nil {
			return nil, err
		}
		t.OrgID, t.CreatedAt, t.CreatedBy, t.Maker = org.Int64, t.CreatedAt.UTC(), by.Int64, role == "maker"
		if t.Scopes, err = auth.ParseScopes(scopes); err != nil {
			return nil, fmt.Errorf("token %d: %w", t.ID, err)
		}
		if revoked.Valid {
			r := revoked.Time.UTC()
			t.RevokedAt = &r
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
