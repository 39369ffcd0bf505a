// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package auth defines API tokens and the principal a request acts as.
//
// A token belongs either to one organisation (a tenant: it sees only that
// organisation's data; scopes read and write) or to the operator (org id 0:
// analysts of the trust center, who see everything) with one of the
// operator scopes read, operate and admin, each including the one before.
// A token may expire. Only a SHA-256 hash of the secret is stored.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"

	"vigil/internal/errs"
	"vigil/internal/tenant"
)

// Scope is a permission a token carries.
type Scope string

// The scopes.
const (
	// ScopeRead reads: an organisation's token its organisation's data,
	// an operator token every organisation's (GET routes only).
	ScopeRead Scope = "read"
	// ScopeWrite changes an organisation's data (organisation tokens).
	ScopeWrite Scope = "write"
	// ScopeOperate is the operator's analyst: read, and the analyst's
	// actions (ingest, notify, approvals, reviews, labels, the registry
	// of every organisation). Operator tokens only.
	ScopeOperate Scope = "operate"
	// ScopeAdmin is the operator's administrator: operate, and accounts,
	// tokens, settings and personal data. Operator tokens only.
	ScopeAdmin Scope = "admin"
)

// Scopes lists every scope, in the order forms and documents show them.
func Scopes() []Scope { return []Scope{ScopeRead, ScopeWrite, ScopeOperate, ScopeAdmin} }

// OperatorScopes lists an operator token's scopes from least to most.
func OperatorScopes() []Scope { return []Scope{ScopeRead, ScopeOperate, ScopeAdmin} }

// Covers reports whether a token with scope s may do what scope t
// allows: admin covers every scope, operate covers read and write (an
// operator's analyst changes organisations' data), any scope itself.
func (s Scope) Covers(t Scope) bool {
	switch s {
	case t, ScopeAdmin:
		return true
	case ScopeOperate:
		return t == ScopeRead || t == ScopeWrite
	}
	return false
}

// OperatorScope reduces the scopes of an operator token to the one it
// keeps, the widest of them (read, operate or admin). Write is an
// organisation's token's scope and is refused, as is an empty list.
func OperatorScope(sc []Scope) (Scope, error) {
	var top Scope
	for _, s := range sc {
		switch s {
		case ScopeRead, ScopeOperate, ScopeAdmin:
			if s.Covers(top) || top == "" {
				top = s
			}
		default:
			return "", errs.FieldKeyed("scopes", string(s), "token.operatorscope", "an operator token (no organisation) takes read, operate or admin")
		}
	}
	if top == "" {
		return "", errs.Field("scopes", "", "at least one scope is needed")
	}
	return top, nil
}

// ParseScopes parses a comma-separated scope list.
func ParseScopes(s string) ([]Scope, error) {
	var out []Scope
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		switch Scope(p) {
		case ScopeRead, ScopeWrite, ScopeOperate, ScopeAdmin:
			if !slices.Contains(out, Scope(p)) {
				out = append(out, Scope(p))
			}
		default:
			return nil, errs.FieldKeyed("scopes", p, "token.scope", "must be read, write, operate or admin")
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
	// ExpiresAt is when the token stops working (nil: never); an expired
	// token is refused as an unknown one.
	ExpiresAt *time.Time `json:"expires_at"`
	// LastUsedAt is when the token last authenticated a request (nil:
	// never), noted at most once a minute.
	LastUsedAt *time.Time `json:"last_used_at"`
}

// TokenColumns is the header of a token list's text form, TokenRowFormat
// the format of each token's line (its Row), tab-separated.
const (
	TokenColumns   = "ID\tORG\tNAME\tSCOPES\tCREATED\tEXPIRES\tLAST USED\tREVOKED"
	TokenRowFormat = "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n"
)

// Row is t's line of a token list's text form (TokenColumns): the
// organisation's id or "operator", times as UTC date and time, "never"
// for no expiry, "-" for no use, "no" when not revoked.
func (t Token) Row() []any {
	owner := "operator"
	if t.OrgID != 0 {
		owner = strconv.FormatInt(t.OrgID, 10)
	}
	return []any{t.ID, owner, t.Name, FormatScopes(t.Scopes), t.CreatedAt.UTC().Format(time.DateTime),
		t.Expires(), timeText(t.LastUsedAt, "-"), timeText(t.RevokedAt, "no")}
}

// Expires is when t expires as UTC date and time, or "never".
func (t Token) Expires() string { return timeText(t.ExpiresAt, "never") }

// timeText is at as UTC date and time, or none when nil.
func timeText(at *time.Time, none string) string {
	if at == nil {
		return none
	}
	return at.UTC().Format(time.DateTime)
}

// ParseLifetime reads a token lifetime as the command line gives it:
// "never", or a number of days with a "d" ("90d"), 1 to MaxTokenDays. It
// returns the days (0: never); a bad one is invalid on field.
func ParseLifetime(s, field string) (int, error) {
	if s == "never" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
	if err != nil || !strings.HasSuffix(s, "d") || n < 1 || n > MaxTokenDays {
		return 0, errs.FieldKeyed(field, s, "token.lifetime", "a number of days such as 90d (1d to 3650d), or never")
	}
	return n, nil
}

// Token lifetimes in days: the default of a new token, and the longest
// one may ask for. Zero days asks for a token that never expires.
const (
	DefaultTokenDays = 90
	MaxTokenDays     = 3650
)

// Expiry returns when a token made at now for days days expires: nil for
// zero days (never), else now plus days. Days outside 0–MaxTokenDays are
// invalid on field.
func Expiry(now time.Time, days int, field string) (*time.Time, error) {
	switch {
	case days < 0 || days > MaxTokenDays:
		return nil, errs.FieldKeyed(field, days, "token.expires", "a number of days from 1 to 3650, or 0 for a token that never expires")
	case days == 0:
		return nil, nil
	}
	t := now.Add(time.Duration(days) * 24 * time.Hour).UTC()
	return &t, nil
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

// Operator reports whether p may see every organisation: no organisation
// and an operator scope (read at least).
func (p Principal) Operator() bool { return p.OrgID == 0 && p.Has(ScopeRead) }

// Has reports whether p carries a scope that covers s (Scope.Covers:
// admin covers every scope, operate read and write).
func (p Principal) Has(s Scope) bool {
	return slices.ContainsFunc(p.Scopes, func(x Scope) bool { return x.Covers(s) })
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
