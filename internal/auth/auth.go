// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package auth defines API tokens and the principal a request acts as.
//
// A token belongs either to one organisation (a tenant: it sees only that
// organisation's data) or to the operator (org id 0: analysts of the trust
// center, who see everything). Only a SHA-256 hash of the secret is stored.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"vigil/internal/errs"
	"vigil/internal/tenant"
)

// Scope is a permission a token carries.
type Scope string

// The scopes.
const (
	ScopeRead  Scope = "read"  // read the organisation's data
	ScopeWrite Scope = "write" // change the organisation's registry
	ScopeAdmin Scope = "admin" // operator: all organisations, tokens, imports
)

// ParseScopes parses a comma-separated scope list.
func ParseScopes(s string) ([]Scope, error) {
	var out []Scope
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		switch Scope(p) {
		case ScopeRead, ScopeWrite, ScopeAdmin:
			if !slices.Contains(out, Scope(p)) {
				out = append(out, Scope(p))
			}
		default:
			return nil, errs.Field("scopes", p, "must be read, write or admin")
		}
	}
	if len(out) == 0 {
		return nil, errs.Field("scopes", s, "at least one scope is needed")
	}
	return out, nil
}

// FormatScopes joins scopes with commas.
func FormatScopes(sc []Scope) string {
	ss := make([]string, len(sc))
	for i, s := range sc {
		ss[i] = string(s)
	}
	return strings.Join(ss, ",")
}

// Token is a stored API token (without its secret).
type Token struct {
	ID        int64      `json:"id"`
	OrgID     int64      `json:"org_id,omitempty"` // 0: operator token
	Name      string     `json:"name"`
	Scopes    []Scope    `json:"scopes"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// CreatedBy is the account that made the token (0: none recorded,
	// e.g. the demo's or one made on the command line without --by);
	// CreatedByEmail is its e-mail address in lists.
	CreatedBy      int64  `json:"created_by,omitempty"`
	CreatedByEmail string `json:"created_by_email,omitempty"`
	// Maker marks an organisation's token made for a maker or test lab:
	// it may use only the organisation routes open to makers (products,
	// devices, assessments, labels), not its findings, warnings,
	// registry or policy. An operator token cannot be one.
	Maker bool `json:"maker,omitempty"`
}

// Principal is who a request acts as.
type Principal struct {
	TokenID int64
	Name    string // the token's name (empty for a portal session)
	UserID  int64  // a portal user's session (0 for tokens)
	Owner   int64  // the account that made the token (0: none recorded)
	OrgID   int64  // 0 for the operator
	Scopes  []Scope
	// Maker is set when p acts for its organisation as a maker or test
	// lab (a maker's token, a maker membership): only the organisation
	// routes open to makers serve it.
	Maker bool
}

// Operator reports whether p may see every organisation.
func (p Principal) Operator() bool { return p.OrgID == 0 && p.Has(ScopeAdmin) }

// Has reports whether p carries scope s. Admin implies read and write.
func (p Principal) Has(s Scope) bool {
	return slices.Contains(p.Scopes, s) || slices.Contains(p.Scopes, ScopeAdmin)
}

// Tenant returns the scope p acts in: the operator's, its organisation's,
// or the zero scope (nothing) for a principal that is neither.
func (p Principal) Tenant() tenant.Scope {
	switch {
	case p.Operator():
		return tenant.Operator()
	case p.OrgID > 0:
		return tenant.Org(p.OrgID)
	}
	return tenant.Scope{}
}

// SecretPrefix starts every token secret, so leaked tokens are easy to find
// with secret scanners.
const SecretPrefix = "vigil_"

// NewSecret returns a fresh random token secret.
func NewSecret() string {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return SecretPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// HashSecret returns the stored form of a secret.
func HashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}
