// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/tenant"
)

// TokenCreate stores a new token for t.OrgID (0: operator), made by
// account t.CreatedBy (0: none), expiring at t.ExpiresAt (nil: never),
// and returns its secret, which is shown once and never stored. sc must
// allow t.OrgID: only the operator makes operator tokens. An operator
// token keeps one scope, the widest it was given (auth.OperatorScope); an
// organisation's token takes read and write.
func (s *Store) TokenCreate(ctx context.Context, sc tenant.Scope, t *auth.Token) (string, error) {
	if err := allows(sc, t.OrgID); err != nil {
		return "", err
	}
	if t.OrgID == 0 {
		top, err := auth.OperatorScope(t.Scopes)
		if err != nil {
			return "", err
		}
		t.Scopes = []auth.Scope{top}
	}
	if t.OrgID == 0 && t.Maker {
		return "", errs.FieldKeyed("maker", true, "token.maker.org", "a maker's token belongs to an organisation: give its org_id")
	}
	if t.OrgID != 0 {
		for _, sc := range t.Scopes {
			if sc == auth.ScopeAdmin || sc == auth.ScopeOperate {
				return "", errs.FieldKeyed("scopes", string(sc), "token.orgscope", "an organisation's token cannot have the %s scope (read and write only)", sc)
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
	var expires any
	if t.ExpiresAt != nil {
		e := t.ExpiresAt.UTC()
		t.ExpiresAt, expires = &e, e
	}
	t.CreatedAt = s.Now()
	id, err := s.InsertID(ctx, `INSERT INTO api_tokens (org_id, name, hash, scopes, created_at, created_by, role, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		org, t.Name, auth.HashSecret(secret), auth.FormatScopes(t.Scopes), t.CreatedAt, by, role, expires)
	if err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	t.ID = id
	return secret, nil
}

// tokenUseEvery is how seldom a token's last use is written: a token
// that calls many times a minute costs one write a minute.
const tokenUseEvery = time.Minute

// TokenAuthenticate returns the principal for a secret, or errs.Unauthorized
// for an unknown, revoked or expired one (alike, so the answer tells
// nothing about a secret that once worked). It notes the token's use
// (last_used_at) when the last one noted is a minute old or more.
func (s *Store) TokenAuthenticate(ctx context.Context, secret string) (auth.Principal, error) {
	var p auth.Principal
	var org, owner sql.NullInt64
	var scopes, role string
	var used sql.NullTime
	now := s.Now()
	// A token made by an account that is disabled now stops with it: a
	// person who left cannot go on through the tokens they made.
	err := s.QueryRow(ctx, `SELECT t.id, t.name, t.org_id, t.scopes, t.created_by, t.role, t.last_used_at FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by
WHERE t.hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?) AND (u.id IS NULL OR NOT u.disabled)`,
		auth.HashSecret(secret), now).Scan(&p.TokenID, &p.Name, &org, &scopes, &owner, &role, &used)
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
	if !used.Valid || now.Sub(used.Time) >= tokenUseEvery {
		// The condition again in the statement: of several nodes or
		// requests noting the same minute, one writes.
		if _, err := s.Exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)`,
			now, p.TokenID, now.Add(-tokenUseEvery)); err != nil {
			return p, fmt.Errorf("token %d: note its use: %w", p.TokenID, err)
		}
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

// TokenList lists the tokens of sc in order of creation, each with its
// expiry and last use, revoked and expired ones too, revoked ones with
// their revocation time (the operator's scope: every token, operator
// tokens too), each with the e-mail address of the account that made it.
// Secrets are never stored, so none is returned.
func (s *Store) TokenList(ctx context.Context, sc tenant.Scope, p keyset.Page) ([]auth.Token, error) {
	cond, args := orgCond(sc, "t.org_id")
	return queryAll(ctx, s, scanToken, `SELECT t.id, t.org_id, t.name, t.scopes, t.created_at, t.revoked_at, t.created_by, COALESCE(u.email, ''), t.role,
  t.expires_at, t.last_used_at
FROM api_tokens t LEFT JOIN users u ON u.id = t.created_by WHERE t.id > ? AND `+cond+
		fmt.Sprintf(` ORDER BY t.id LIMIT %d`, p.Size()), append([]any{p.After}, args...)...)
}

// scanToken reads one API token of TokenList's query.
func scanToken(r scanner) (auth.Token, error) {
	var t auth.Token
	var org, by sql.NullInt64
	var scopes, role string
	var revoked, expires, used sql.NullTime
	if err := r.Scan(&t.ID, &org, &t.Name, &scopes, &t.CreatedAt, &revoked, &by, &t.CreatedByEmail, &role, &expires, &used); err != nil {
		return t, err
	}
	t.OrgID, t.CreatedAt, t.CreatedBy, t.Maker = org.Int64, t.CreatedAt.UTC(), by.Int64, role == "maker"
	var err error
	if t.Scopes, err = auth.ParseScopes(scopes); err != nil {
		return t, fmt.Errorf("token %d: %w", t.ID, err)
	}
	t.RevokedAt, t.ExpiresAt, t.LastUsedAt = nullTimePtr(revoked), nullTimePtr(expires), nullTimePtr(used)
	return t, nil
}
