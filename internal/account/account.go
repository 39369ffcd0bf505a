// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

// Package account defines the people who sign in to the portal: users,
// their roles and memberships, password hashing (argon2id), the lockout
// rule after failed logins, sessions and TOTP second factors.
//
// A user has at most one staff role (administrator or analyst) and any
// number of memberships, each naming an organisation and a role in it
// (member, or maker/lab with access to the organisation's products,
// assessments and labels only). One account may thus act for several
// organisations; the portal names the organisation on every page.
// Administrators and analysts must use a TOTP second factor; for the others
// it is optional.
package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/mail"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"vigil/internal/errs"
)

// Role is what a user may do: a staff role (RoleAdmin, RoleAnalyst) or a
// role in an organisation (RoleMember, RoleMaker).
type Role string

// The roles.
const (
	// RoleAdmin manages accounts, roles and API tokens, and may do
	// everything an analyst does.
	RoleAdmin Role = "admin"
	// RoleAnalyst works the trust center's operations: every
	// organisation's findings, notices, assessments and labels.
	RoleAnalyst Role = "analyst"
	// RoleMember sees and manages one organisation's registry and findings.
	RoleMember Role = "member"
	// RoleMaker is a maker or test lab acting for the organisation: it
	// registers products and devices, uploads SBOMs, submits assessments
	// with evidence, reads their review comments and downloads the
	// labels, and nothing else of the organisation (not its findings,
	// warnings, registry, contacts, policy or members): the portal's
	// routes say which are open to it (web.Route.Makers).
	RoleMaker Role = "maker"
)

// StaffRoles are the roles a user holds for the whole service.
func StaffRoles() []Role { return []Role{RoleAdmin, RoleAnalyst} }

// OrgRoles are the roles a user holds in an organisation.
func OrgRoles() []Role { return []Role{RoleMember, RoleMaker} }

// ParseStaffRole parses a staff role; "" (none) is allowed.
func ParseStaffRole(s string) (Role, error) {
	r := Role(strings.TrimSpace(strings.ToLower(s)))
	if r == "" || slices.Contains(StaffRoles(), r) {
		return r, nil
	}
	return "", errs.FieldKeyed("role", s, "account.staffrole", "must be admin or analyst (or empty)")
}

// ParseOrgRole parses a role in an organisation; "" means member.
func ParseOrgRole(s string) (Role, error) {
	r := Role(strings.TrimSpace(strings.ToLower(s)))
	if r == "" {
		return RoleMember, nil
	}
	if slices.Contains(OrgRoles(), r) {
		return r, nil
	}
	return "", errs.FieldKeyed("org_role", s, "account.orgrole", "must be member or maker")
}

// ParseAccountRole parses the role an administrator gives an account:
// admin or analyst (staff), or member for none (the account then acts only
// through its memberships, which stay as they are). maker is a role in an
// organisation and is refused here.
func ParseAccountRole(s string) (Role, error) {
	r := Role(strings.TrimSpace(strings.ToLower(s)))
	switch r {
	case RoleAdmin, RoleAnalyst:
		return r, nil
	case RoleMember:
		return "", nil
	}
	return "", errs.FieldKeyed("role", s, "account.role", "must be admin, analyst or member (maker is a role in an organisation)")
}

// User is an account. The zero value is not a valid user.
type User struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
	// Lang is the user's interface language ("nl", "en"); empty: taken from
	// the browser.
	Lang string `json:"lang,omitempty"`
	// Role is the staff role: RoleAdmin, RoleAnalyst or empty.
	Role        Role         `json:"role,omitempty"`
	Memberships []Membership `json:"memberships"`
	// TOTP is true when a second factor is enrolled.
	TOTP bool `json:"totp"`
	// TOTPEnrol is true after an administrator reset the second factor:
	// one must be enrolled at the next sign-in, staff or not.
	TOTPEnrol bool `json:"totp_enrol,omitempty"`
	Disabled  bool `json:"disabled,omitempty"`
	// Unconfirmed is true for an account made by signing up whose e-mail
	// address is not confirmed yet: it cannot sign in.
	Unconfirmed bool       `json:"unconfirmed,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	LastLogin   *time.Time `json:"last_login,omitempty"`
	// LockedUntil is set while the account is locked after failed logins.
	LockedUntil *time.Time `json:"locked_until,omitempty"`
}

// Membership is a user's role in an organisation.
type Membership struct {
	OrgID   int64  `json:"org_id"`
	OrgName string `json:"org_name,omitempty"`
	Role    Role   `json:"role"`
}

// Staff reports whether u is an administrator or analyst, who see every
// organisation.
func (u User) Staff() bool { return u.Role == RoleAdmin || u.Role == RoleAnalyst }

// Has reports whether u holds staff role r; an administrator holds the
// analyst role too.
func (u User) Has(r Role) bool {
	return u.Role == r || (u.Role == RoleAdmin && r == RoleAnalyst)
}

// MemberOf returns u's role in organisation org, or "".
func (u User) MemberOf(org int64) Role {
	for _, m := range u.Memberships {
		if m.OrgID == org {
			return m.Role
		}
	}
	return ""
}

// NeedsTOTP reports whether u must sign in with a second factor: staff
// always, anyone else after an administrator reset theirs (TOTPEnrol).
func (u User) NeedsTOTP() bool { return u.Staff() || u.TOTPEnrol }

// NormalizeEmail checks an e-mail address and returns it in lower case.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s, "@") || len(s) > 254 {
		return "", errs.FieldKeyed("email", s, "email.invalid", "not an e-mail address")
	}
	return strings.ToLower(s), nil
}

// Password limits.
const (
	MinPassword = 12
	MaxPassword = 256
)

// CheckPassword validates a new password: at least MinPassword characters,
// at most MaxPassword bytes, not only spaces.
func CheckPassword(pw string) error {
	switch {
	case utf8.RuneCountInString(pw) < MinPassword:
		return errs.FieldKeyed("password", "", "password.short", "must have at least %d characters", MinPassword)
	case len(pw) > MaxPassword:
		return errs.FieldKeyed("password", "", "password.long", "must have at most %d bytes", MaxPassword)
	case strings.TrimSpace(pw) == "":
		return errs.FieldKeyed("password", "", "password.spaces", "must not be only spaces")
	}
	return nil
}

// argon2id parameters (RFC 9106's second recommended option, with 64 MiB
// of memory).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
)

// hashSlots holds a token for each argon2id computation under way. Each
// takes argonMemory (64 MiB), so at most one per CPU runs at once (more
// would not finish sooner either): a flood of sign-ins or sign-ups queues
// for a slot instead of exhausting the memory.
var hashSlots = make(chan struct{}, max(1, runtime.NumCPU()))

// hashSlot waits for a slot in hashSlots, or for ctx to end (the request
// was given up: its answer would be of no use).
func hashSlot(ctx context.Context) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("waiting to hash a password: %w", err)
	}
	select {
	case hashSlots <- struct{}{}:
		return func() { <-hashSlots }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting to hash a password: %w", ctx.Err())
	}
}

// HashPassword returns the argon2id hash of pw in the PHC string format
// ($argon2id$v=19$m=65536,t=3,p=2$salt$hash). It waits for a hash slot
// (hashSlots); it fails only when ctx ends first.
func HashPassword(ctx context.Context, pw string) (string, error) {
	release, err := hashSlot(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	salt := make([]byte, 16)
	_, _ = rand.Read(salt) // crypto/rand does not fail on supported platforms
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches a hash from HashPassword (with
// whatever parameters it records). A malformed hash never matches. It
// waits for a hash slot (hashSlots); it fails only when ctx ends first.
func VerifyPassword(ctx context.Context, hash, pw string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, nil
	}
	var v int
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, nil
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<20 || t == 0 || t > 16 || p == 0 {
		return false, nil
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 64 {
		return false, nil
	}
	release, err := hashSlot(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// DummyVerify spends the time of one password verification; login calls it
// for an unknown e-mail address so that timing does not tell which
// addresses have accounts. It takes a hash slot as a verification does.
func DummyVerify(ctx context.Context, pw string) error {
	release, err := hashSlot(ctx)
	if err != nil {
		return err
	}
	defer release()
	_ = argon2.IDKey([]byte(pw), make([]byte, 16), argonTime, argonMemory, argonThreads, argonKeyLen)
	return nil
}

// Lockout: after MaxFailures failed logins in a row the account is locked
// for LockFor; a successful login resets the count.
const (
	MaxFailures = 5
	LockFor     = 15 * time.Minute
)

// Session lifetimes: a session ends after IdleTimeout without a request or
// MaxAge after sign-in, whichever comes first.
const (
	IdleTimeout = 2 * time.Hour
	MaxAge      = 12 * time.Hour
)

// Session is a signed-in browser. Only a hash of its cookie secret is
// stored.
type Session struct {
	ID     int64
	UserID int64
	// CSRF is the token that forms of this session carry.
	CSRF string
	// Verified is false while a second factor is still to be given (or,
	// for staff without one, enrolled).
	Verified  bool
	CreatedAt time.Time
	SeenAt    time.Time
	ExpiresAt time.Time
}

// Expired reports whether s has ended at now.
func (s Session) Expired(now time.Time) bool {
	return !now.Before(s.ExpiresAt) || now.Sub(s.SeenAt) >= IdleTimeout
}

// NewToken returns a random URL-safe token of n bytes of entropy: session
// secrets, CSRF tokens, reset and invitation tokens.
func NewToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Member is an account's membership of one organisation as the
// organisation's members page lists it.
type Member struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
	Email  string `json:"email"`
	Role   Role   `json:"role"`
}

// InviteCounts are the invitations made in a period: by one
// organisation's members together and by one account for all its
// organisations (the daily invitation limits), with the oldest of each
// (zero: none), when the count drops first.
type InviteCounts struct {
	Org, Account             int
	OrgOldest, AccountOldest time.Time
}

// OpenInvitation is an invitation to an organisation that is neither
// used nor expired, as the organisation's members page lists it (its
// secret is never stored, so never shown).
type OpenInvitation struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Role  Role   `json:"role"`
	// By is the address of the account that invited; "" when it is gone.
	By string `json:"by,omitempty"`
	// Sent is when the invitation was made (and its e-mail queued).
	Sent    time.Time `json:"sent_at"`
	Expires time.Time `json:"expires_at"`
}
