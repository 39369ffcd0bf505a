// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package account

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"vigil/internal/errs"
)

// Credentials are what a login checks, besides the user.
type Credentials struct {
	User         User
	PasswordHash string
	TOTPSecret   string
	FailedLogins int
}

// Token is a one-time token sent by e-mail.
type Token struct {
	ID      int64
	Purpose Purpose
	UserID  int64  // reset, confirm: the user
	OrgID   int64  // invite: the organisation
	Email   string // invite: the invited address
	Role    Role   // invite: the role offered
	By      int64  // who created it (0: nobody, e.g. a reset asked for)
	Expires time.Time
	// PasswordHash is, for a confirmation token, the password hash the
	// sign-up chose: the account takes it when this token confirms it.
	PasswordHash string
}

// Purpose says what a one-time token is for.
type Purpose string

// The purposes of one-time tokens.
const (
	PurposeReset  Purpose = "reset"
	PurposeInvite Purpose = "invite"
	// PurposeConfirm confirms the e-mail address of an account made by
	// signing up.
	PurposeConfirm Purpose = "confirm"
)

// Lifetimes of one-time tokens.
const (
	ResetValid   = time.Hour
	InviteValid  = 7 * 24 * time.Hour
	ConfirmValid = 24 * time.Hour
)

// AuditEntry is one line of the append-only audit log: every change made
// through the CLI, the API or the portal.
type AuditEntry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	UserID int64     `json:"user_id,omitempty"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	OrgID  int64     `json:"org_id,omitempty"`
	Object string    `json:"object,omitempty"`
	Detail string    `json:"detail,omitempty"`
	// Via is how the change came: AuditCLI, AuditAPI, AuditPortal or
	// AuditLink (a signed link in a warning).
	Via string `json:"via,omitempty"`
	// Before and After are the record as JSON before and after the change
	// (registry data, accounts, tokens, policy; never a secret): Before is
	// empty for a creation, After for a deletion.
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
}

// The ways a change reaches the audit log (AuditEntry.Via).
const (
	AuditCLI    = "cli"
	AuditAPI    = "api"
	AuditPortal = "portal"
	AuditLink   = "link"
	AuditJob    = "job"
)

// AuditFilter selects audit entries: by actor (exact, case-insensitive),
// kind (the action's first word, "org" for "org.update"), and time (at or
// after Since, before Until). The zero filter selects every entry.
type AuditFilter struct {
	Actor string
	Kind  string
	Since time.Time
	Until time.Time
}

// Store is the storage accounts need; internal/store implements it. Every
// method returns errs.NotFound for a missing row and errs.Conflict for a
// duplicate e-mail address.
type Store interface {
	UserCreate(ctx context.Context, u *User, passwordHash string) error
	UserGet(ctx context.Context, id int64) (User, error)
	UserCredentials(ctx context.Context, email string) (Credentials, error)
	UserList(ctx context.Context) ([]User, error)
	UserUpdate(ctx context.Context, id int64, fn func(u *User) error) (User, error)
	// UserChange changes a user's role or disabled flag in one
	// transaction: fn sees the user and the number of active
	// administrators, changes the user and says whether the user's sessions
	// and unused reset links end.
	UserChange(ctx context.Context, id int64, fn func(u *User, admins int) (end bool, err error)) (before, after User, err error)
	UserSetPassword(ctx context.Context, id int64, hash string) error
	UserSetTOTP(ctx context.Context, id int64, secret string) error
	// UserResetTOTP removes a user's second factor in one transaction,
	// unless check refuses: one must be enrolled at the next sign-in
	// (User.TOTPEnrol) and the user's sessions end.
	UserResetTOTP(ctx context.Context, id int64, check func(u User) error) (before, after User, err error)
	// UserTOTPUse records that the code of step was used; a step not
	// greater than the last one used is errs.Conflict (a replay).
	UserTOTPUse(ctx context.Context, id int64, step int64) error
	// UserLoginFailed counts a failed login of the account from client
	// and, when the count reaches max, locks client out of it until
	// now+lockFor, which it returns (zero: this failure did not lock).
	UserLoginFailed(ctx context.Context, id int64, client string, now time.Time, max int, lockFor time.Duration) (time.Time, error)
	// UserLockedUntil returns when client's lock on the account ends
	// (zero: none).
	UserLockedUntil(ctx context.Context, id int64, client string) (time.Time, error)
	// UserTOTPFailed records a wrong code of the account's second factor
	// from client and, when the account's wrong codes from every client
	// within window reach max, locks its second factor until now+lockFor,
	// which it returns (zero: this failure did not lock).
	UserTOTPFailed(ctx context.Context, id int64, client string, now time.Time, max int, window, lockFor time.Duration) (time.Time, error)
	// UserTOTPLockedUntil returns when the lock on the account's second
	// factor ends (zero: none).
	UserTOTPLockedUntil(ctx context.Context, id int64) (time.Time, error)
	// UserLoginOK records a sign-in from client: its failures are
	// forgiven.
	UserLoginOK(ctx context.Context, id int64, client string, at time.Time) error
	// UserConfirm marks the e-mail address of an account made by signing
	// up confirmed, so that it can sign in; a non-empty passwordHash
	// becomes its password (the one of the sign-up whose link confirmed).
	UserConfirm(ctx context.Context, id int64, passwordHash string) error
	MembershipSet(ctx context.Context, userID, orgID int64, role Role) error
	MembershipDelete(ctx context.Context, userID, orgID int64) error

	// SessionCreate stores a session under the hash of its secret.
	SessionCreate(ctx context.Context, s *Session, hash string) error
	// SessionGet returns the live session of hash and marks it seen at now.
	SessionGet(ctx context.Context, hash string, now time.Time) (Session, error)
	// SessionReplace ends session old and stores ses under hash in one
	// transaction (a half session becomes a new verified one); an old
	// session that has ended is errs.NotFound.
	SessionReplace(ctx context.Context, old int64, ses *Session, hash string) error
	// SessionTOTPFailed counts a wrong code given in session id and, at
	// max, ends the session (ended; also when it had ended already).
	SessionTOTPFailed(ctx context.Context, id int64, max int) (ended bool, err error)
	SessionDelete(ctx context.Context, hash string) error
	// SessionDeleteUser ends every session of a user but keep (0: all).
	SessionDeleteUser(ctx context.Context, userID, keep int64) error

	AccountTokenCreate(ctx context.Context, t *Token, hash string) error
	// AccountTokenGet returns the unused, unexpired token of hash and purpose at
	// now; any other is errs.NotFound.
	AccountTokenGet(ctx context.Context, purpose Purpose, hash string, now time.Time) (Token, error)
	// AccountTokenUse marks the unused, unexpired token of hash and purpose used
	// at now and returns it; any other is errs.NotFound.
	AccountTokenUse(ctx context.Context, purpose Purpose, hash string, now time.Time) (Token, error)
	// AccountTokenDrop deletes the unused tokens of purpose of user id
	// (a newer one supersedes them, or what they were for is done).
	AccountTokenDrop(ctx context.Context, userID int64, purpose Purpose) error

	AuditAdd(ctx context.Context, e AuditEntry) error

	// AccountTx runs fn in one transaction on a Store bound to it:
	// committed when fn returns nil, rolled back otherwise. Inside a
	// transaction it joins it.
	AccountTx(ctx context.Context, fn func(tx Store) error) error
}

// Service is account management and sign-in over a Store.
type Service struct {
	Store Store
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Issuer names the service in authenticator apps.
	Issuer string
	// Hash hashes passwords; default HashPassword (tests use a cheap one).
	Hash func(string) string
	// Verify checks a password against a hash; default VerifyPassword.
	Verify func(hash, pw string) bool
	// OnLock, if set, is told once per lock that client was locked out
	// of u's account until until (the portal mails the owner).
	OnLock func(ctx context.Context, u User, client string, until time.Time) error
	// OnTOTPLock, if set, is told once per lock that the second factor of
	// u's account was locked until until after MaxTOTPFailures wrong
	// codes within TOTPWindow from any client (the portal mails the owner
	// and audits it).
	OnTOTPLock func(ctx context.Context, u User, until time.Time) error
}

type clientKey struct{}

// WithClient returns ctx naming the client a request came from (the
// portal names it as its rate limits group addresses: an IPv4 address or
// an IPv6 /64): failed sign-ins count, and lock, per account and client
// (ClientOf).
func WithClient(ctx context.Context, client string) context.Context {
	return context.WithValue(ctx, clientKey{}, client)
}

// ClientOf returns the client of ctx ("" when none was named: a
// command, a test).
func ClientOf(ctx context.Context) string {
	c, _ := ctx.Value(clientKey{}).(string)
	return c
}

// lockedOut reports whether the client of ctx is locked out of account id.
func (s *Service) lockedOut(ctx context.Context, id int64) (bool, error) {
	until, err := s.Store.UserLockedUntil(ctx, id, ClientOf(ctx))
	return !until.IsZero() && s.now().Before(until), err
}

// failed counts a failed sign-in of u from the client of ctx; when it
// locks the client out, OnLock is told.
func (s *Service) failed(ctx context.Context, u User) error {
	until, err := s.Store.UserLoginFailed(ctx, u.ID, ClientOf(ctx), s.now(), MaxFailures, LockFor)
	if err != nil || until.IsZero() || s.OnLock == nil {
		return err
	}
	return s.OnLock(ctx, u, ClientOf(ctx), until)
}

// loginOK records a sign-in of user id from the client of ctx.
func (s *Service) loginOK(ctx context.Context, id int64) error {
	return s.Store.UserLoginOK(ctx, id, ClientOf(ctx), s.now())
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) hash(ctx context.Context, pw string) (string, error) {
	if s.Hash != nil {
		return s.Hash(pw), nil
	}
	return HashPassword(ctx, pw)
}

func (s *Service) verify(ctx context.Context, hash, pw string) (bool, error) {
	if s.Verify != nil {
		return s.Verify(hash, pw), nil
	}
	return VerifyPassword(ctx, hash, pw)
}

// NewUser is what creating a user needs.
type NewUser struct {
	Email    string
	Name     string
	Lang     string
	Role     Role
	Password string
	// Orgs are the memberships to grant.
	Orgs []Membership
}

// Create validates and stores a new user. A duplicate e-mail address is
// errs.Conflict.
func (s *Service) Create(ctx context.Context, n NewUser) (User, error) {
	email, err := n.check()
	if err != nil {
		return User{}, err
	}
	u := User{Email: email, Name: n.Name, Lang: n.Lang, Role: n.Role, CreatedAt: s.now()}
	hash, err := s.hash(ctx, n.Password)
	if err != nil {
		return User{}, err
	}
	if err := s.Store.UserCreate(ctx, &u, hash); err != nil {
		if errs.CodeOf(err) == errs.Conflict {
			return User{}, errs.Keyed(errs.Conflict, "email", "account.taken", "%q: an account with this address already exists", email)
		}
		return User{}, err
	}
	for _, m := range n.Orgs {
		if _, err := ParseOrgRole(string(m.Role)); err != nil {
			return User{}, err
		}
		if err := s.Store.MembershipSet(ctx, u.ID, m.OrgID, m.Role); err != nil {
			return User{}, fmt.Errorf("membership of organisation %d: %w", m.OrgID, err)
		}
	}
	return s.Store.UserGet(ctx, u.ID)
}

// SetRole sets the staff role of user id (see ParseAccountRole), done by
// user by (0: an operator's API token). Demoting the last active
// administrator is refused. A user who becomes staff without a second
// factor loses their sessions, so that they enrol one at their next
// sign-in.
func (s *Service) SetRole(ctx context.Context, by, id int64, role string) (before, after User, err error) {
	r, err := ParseAccountRole(role)
	if err != nil {
		return User{}, User{}, err
	}
	return s.Store.UserChange(ctx, id, func(u *User, admins int) (bool, error) {
		if u.Role == RoleAdmin && r != RoleAdmin && !u.Disabled && admins <= 1 {
			return false, errs.FieldKeyed("role", role, "account.lastadmin.role", "%s is the last active administrator; make another account administrator first", u.Email)
		}
		wasStaff := u.NeedsTOTP()
		u.Role = r
		return u.NeedsTOTP() && !wasStaff && !u.TOTP, nil
	})
}

// SetDisabled disables or enables user id, done by user by (0: an
// operator's API token). A disabled account cannot sign in; its sessions
// and unused password-reset links end at once. An administrator cannot
// disable their own account, nor the last active administrator.
func (s *Service) SetDisabled(ctx context.Context, by, id int64, disabled bool) (before, after User, err error) {
	return s.Store.UserChange(ctx, id, func(u *User, admins int) (bool, error) {
		if !disabled {
			u.Disabled = false
			return false, nil
		}
		if by != 0 && by == id {
			return false, errs.FieldKeyed("user", u.Email, "account.disable.self", "you cannot disable your own account")
		}
		if u.Role == RoleAdmin && !u.Disabled && admins <= 1 {
			return false, errs.FieldKeyed("user", u.Email, "account.lastadmin.disable", "is the last active administrator and cannot be disabled")
		}
		u.Disabled = true
		return true, nil
	})
}

// ResetTOTP removes the second factor of user id, done by administrator
// by (0: an operator), for a person who lost it: their sessions end and
// they enrol a new one at their next sign-in (after the password). An
// administrator cannot reset their own this way (another administrator
// or an operator can). An account with no second factor is made to enrol
// one all the same.
func (s *Service) ResetTOTP(ctx context.Context, by, id int64) (before, after User, err error) {
	return s.Store.UserResetTOTP(ctx, id, func(u User) error {
		if by != 0 && by == id {
			return errs.FieldKeyed("totp", u.Email, "totp.reset.self", "you cannot reset your own second factor; another administrator can")
		}
		return nil
	})
}

// check validates n and returns its normalised e-mail address.
func (n NewUser) check() (string, error) {
	email, err := NormalizeEmail(n.Email)
	if err != nil {
		return "", err
	}
	if _, err := ParseStaffRole(string(n.Role)); err != nil {
		return "", err
	}
	if err := CheckPassword(n.Password); err != nil {
		return "", err
	}
	if n.Lang != "" && n.Lang != "nl" && n.Lang != "en" {
		return "", errs.FieldKeyed("lang", n.Lang, "lang.nlen", "must be nl or en")
	}
	if len(n.Name) > 200 {
		return "", errs.FieldKeyed("name", "", "text.toolong", "longer than %d characters", 200)
	}
	return email, nil
}

// SignUp is the outcome of signing up. Whatever it is, the person signing
// up gets the same answer, so that the answer does not tell which
// addresses have accounts.
type SignUp struct {
	User User
	// Secret is the confirmation token to send to the address (valid for
	// ConfirmValid); empty when Existing, or when the same address signed
	// up at the same moment (that sign-up's link stands).
	Secret string
	// Existing is true when the address belongs to a confirmed account:
	// nothing was changed, and the account's owner may be told that
	// someone tried to sign up with it.
	Existing bool
}

// SignUp makes an account with no role and no memberships that cannot sign
// in until its address is confirmed with the returned secret (Confirm).
// Every field is checked before anything is written. For the address of a
// confirmed account nothing changes (Existing). The password chosen is kept
// with the confirmation token and becomes the account's only when that
// token confirms it: signing up again with an address that is not
// confirmed yet changes nothing of its account, makes a new link with the
// new password and ends the earlier links, so that no link confirms the
// account with a password other than its own sign-up's.
func (s *Service) SignUp(ctx context.Context, n NewUser) (SignUp, error) {
	n.Role, n.Orgs = "", nil
	email, err := n.check()
	if err != nil {
		return SignUp{}, err
	}
	hash, err := s.hash(ctx, n.Password)
	if err != nil {
		return SignUp{}, err
	}
	var out SignUp
	err = s.Store.AccountTx(ctx, func(st Store) error {
		c, err := st.UserCredentials(ctx, email)
		u := c.User
		switch {
		case err == nil && !u.Unconfirmed:
			out = SignUp{User: u, Existing: true}
			return nil
		case err == nil:
			// Earlier links of the address end: only the newest
			// sign-up's link confirms, with its own password.
			if err := st.AccountTokenDrop(ctx, u.ID, PurposeConfirm); err != nil {
				return err
			}
		case errs.CodeOf(err) == errs.NotFound:
			u = User{Email: email, Name: n.Name, Lang: n.Lang, Unconfirmed: true, CreatedAt: s.now()}
			if err := st.UserCreate(ctx, &u, hash); err != nil {
				return err
			}
		default:
			return err
		}
		secret := NewToken(32)
		t := Token{Purpose: PurposeConfirm, UserID: u.ID, Email: email, Expires: s.now().Add(ConfirmValid), PasswordHash: hash}
		if err := st.AccountTokenCreate(ctx, &t, HashToken(secret)); err != nil {
			return err
		}
		out = SignUp{User: u, Secret: secret}
		return nil
	})
	if errs.CodeOf(err) == errs.Conflict {
		// The same address signed up at the same moment: that
		// sign-up's link stands.
		return SignUp{User: User{Email: email}}, nil
	}
	return out, err
}

// ErrConfirmLink is the answer to a confirmation link that is unknown, used
// or expired.
var ErrConfirmLink = errs.FieldKeyed("token", "", "signup.link", "the confirmation link is unknown, used or expired; sign up again for a new one")

// ErrConfirmPassword refuses a confirmation whose password is not the one
// given at the sign-up that sent the link.
var ErrConfirmPassword = errs.FieldKeyed("password", "", "signup.confirm.wrong", "this is not the password given when signing up; use the link of your own sign-up")

// Confirm uses a confirmation token (from SignUp) with the password given
// at that sign-up: the account's address is confirmed, it takes that
// password and it can sign in from now on; every other session of the
// account ends and its other confirmation links with it. The password is
// asked because anyone may sign up with someone else's address: the link
// reaches the address's owner, and without the check the owner's click on
// a stranger's link would give the account the stranger's password. A
// wrong password leaves the link unused. With session, the account is
// also signed in, as Login would.
func (s *Service) Confirm(ctx context.Context, secret, password string, session bool) (Login, error) {
	if secret == "" || len(secret) > 100 {
		return Login{}, ErrConfirmLink
	}
	var u User
	err := s.Store.AccountTx(ctx, func(st Store) error {
		t, err := st.AccountTokenUse(ctx, PurposeConfirm, HashToken(secret), s.now())
		if errs.CodeOf(err) == errs.NotFound {
			return ErrConfirmLink
		}
		if err != nil {
			return err
		}
		hash := t.PasswordHash
		if hash == "" { // a link made before sign-ups kept their password: the account has it
			if u, err = st.UserGet(ctx, t.UserID); err != nil {
				return err
			}
			c, err := st.UserCredentials(ctx, u.Email)
			if err != nil {
				return err
			}
			hash = c.PasswordHash
		}
		ok, err := s.verify(ctx, hash, password)
		if err != nil {
			return err
		}
		if !ok {
			return ErrConfirmPassword // rolls back: the link stays unused
		}
		if err := st.UserConfirm(ctx, t.UserID, t.PasswordHash); err != nil {
			return err
		}
		if err := st.AccountTokenDrop(ctx, t.UserID, PurposeConfirm); err != nil {
			return err
		}
		if err := st.SessionDeleteUser(ctx, t.UserID, 0); err != nil {
			return err
		}
		u, err = st.UserGet(ctx, t.UserID)
		return err
	})
	if err != nil {
		return Login{}, err
	}
	l := Login{User: u}
	if !session || u.Disabled {
		return l, nil
	}
	l.NeedTOTP, l.NeedEnrol = u.TOTP, !u.TOTP && u.NeedsTOTP()
	verified := !l.NeedTOTP && !l.NeedEnrol
	if verified {
		if err := s.loginOK(ctx, u.ID); err != nil {
			return Login{}, err
		}
	}
	l.Session, l.Secret, err = s.open(ctx, u.ID, verified)
	return l, err
}

// SetPassword validates and sets a user's password, ends the user's other
// sessions (all but keep) and unused reset links, and lifts a lockout.
func (s *Service) SetPassword(ctx context.Context, id int64, pw string, keep int64) error {
	if err := CheckPassword(pw); err != nil {
		return err
	}
	hash, err := s.hash(ctx, pw)
	if err != nil {
		return err
	}
	if err := s.Store.UserSetPassword(ctx, id, hash); err != nil {
		return err
	}
	return s.Store.SessionDeleteUser(ctx, id, keep)
}

// CheckPassword reports whether pw is the password of the account of
// email (a form that changes the password asks for the current one).
func (s *Service) CheckPassword(ctx context.Context, email, pw string) (bool, error) {
	addr, err := NormalizeEmail(email)
	if err != nil {
		return false, err
	}
	c, err := s.Store.UserCredentials(ctx, addr)
	if err != nil {
		return false, err
	}
	return s.verify(ctx, c.PasswordHash, pw)
}

// ErrLogin is the one answer to a failed login, whatever failed (unknown
// address, wrong password, disabled account), so that the answer does not
// tell which addresses have accounts.
var ErrLogin error = &errs.Error{Code: errs.Unauthorized, Message: "the e-mail address or password is wrong", Key: "login.wrong"}

// ErrUnconfirmed is the answer to a right password of an account whose
// address is not confirmed yet (only who knows the password learns it).
var ErrUnconfirmed = &errs.Error{Code: errs.Unauthorized, Field: "email",
	Message: "confirm your e-mail address first: follow the link in the message we sent you (or sign up again for a new one)",
	Key:     "login.unconfirmed"}

// Login is a successful first step of signing in.
type Login struct {
	User    User
	Session Session
	// Secret is the session cookie's value.
	Secret string
	// NeedTOTP is true when a second factor is still to be given;
	// NeedEnrol when a staff user has none yet and must enrol one.
	NeedTOTP, NeedEnrol bool
}

// Login checks an e-mail address and password and opens a session.
// Anything that fails is ErrLogin, also a client locked out of the account
// after MaxFailures failures from its address (for LockFor; other
// addresses, the owner's, still sign in), so that the answer does not tell
// which addresses have accounts. The session is verified unless a second
// factor is still needed.
func (s *Service) Login(ctx context.Context, email, pw string) (Login, error) {
	addr, err := NormalizeEmail(email)
	if err != nil {
		if err := DummyVerify(ctx, pw); err != nil {
			return Login{}, err
		}
		return Login{}, ErrLogin
	}
	c, err := s.Store.UserCredentials(ctx, addr)
	if errs.CodeOf(err) == errs.NotFound {
		if err := DummyVerify(ctx, pw); err != nil {
			return Login{}, err
		}
		return Login{}, ErrLogin
	}
	if err != nil {
		return Login{}, err
	}
	u := c.User
	if locked, err := s.lockedOut(ctx, u.ID); err != nil {
		return Login{}, err
	} else if locked {
		// The same answer, and time, as a wrong password: a lock must
		// not tell that the address has an account.
		if err := DummyVerify(ctx, pw); err != nil {
			return Login{}, err
		}
		return Login{}, ErrLogin
	}
	ok, err := s.verify(ctx, c.PasswordHash, pw)
	if err != nil {
		return Login{}, err
	}
	if !ok || u.Disabled {
		if err := s.failed(ctx, u); err != nil {
			return Login{}, err
		}
		return Login{}, ErrLogin
	}
	if u.Unconfirmed {
		return Login{}, ErrUnconfirmed
	}
	l := Login{User: u, NeedTOTP: c.TOTPSecret != "", NeedEnrol: c.TOTPSecret == "" && u.NeedsTOTP()}
	if !l.NeedTOTP && !l.NeedEnrol {
		if err := s.loginOK(ctx, u.ID); err != nil {
			return Login{}, err
		}
	}
	l.Session, l.Secret, err = s.open(ctx, u.ID, !l.NeedTOTP && !l.NeedEnrol)
	return l, err
}

func (s *Service) open(ctx context.Context, userID int64, verified bool) (Session, string, error) {
	now := s.now()
	secret := NewToken(32)
	ses := Session{UserID: userID, CSRF: NewToken(24), Verified: verified, CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(MaxAge)}
	if err := s.Store.SessionCreate(ctx, &ses, HashToken(secret)); err != nil {
		return Session{}, "", err
	}
	return ses, secret, nil
}

// SecondFactor checks the TOTP code of a session waiting for its second
// factor and, when it is right, replaces the session by a verified one
// with a new secret and CSRF token (the half session's cookie, which
// passed the sign-in page, stops working), which it returns with the user.
// A wrong code counts as a failed login of the client (see Login) and
// towards the account's ceiling: MaxTOTPFailures wrong codes within
// TOTPWindow, from any client, lock the second factor for TOTPLockFor
// (ErrTOTPLocked; OnTOTPLock is told). The session ends at its
// MaxSessionTOTP-th wrong code (ErrTOTPAgain): the person gives the
// password again, which its own limits guard.
func (s *Service) SecondFactor(ctx context.Context, ses Session, code string) (Login, error) {
	u, err := s.Store.UserGet(ctx, ses.UserID)
	if err != nil {
		return Login{}, err
	}
	c, err := s.Store.UserCredentials(ctx, u.Email)
	if err != nil {
		return Login{}, err
	}
	now := s.now()
	if err := s.totpAllowed(ctx, u); err != nil {
		return Login{}, err
	}
	if c.TOTPSecret == "" {
		return Login{}, errs.FieldKeyed("code", "", "totp.none", "no second factor is enrolled")
	}
	step, err := TOTPStep(c.TOTPSecret, code, now)
	if err == nil {
		if err = s.Store.UserTOTPUse(ctx, u.ID, step); errs.CodeOf(err) == errs.Conflict {
			err = errs.FieldKeyed("code", "", "totp.used", "this code was used already; wait for the next one")
		}
	}
	if err != nil {
		if ferr := s.totpFailed(ctx, u); ferr != nil {
			return Login{}, ferr
		}
		ended, ferr := s.Store.SessionTOTPFailed(ctx, ses.ID, MaxSessionTOTP)
		if ferr != nil {
			return Login{}, ferr
		}
		if ended {
			return Login{}, ErrTOTPAgain
		}
		return Login{}, err
	}
	if err := s.loginOK(ctx, u.ID); err != nil {
		return Login{}, err
	}
	return s.verified(ctx, u, ses)
}

// Limits on guessing a second factor: a session waiting for it ends at
// the MaxSessionTOTP-th wrong code; MaxTOTPFailures wrong codes of one
// account within TOTPWindow, from whatever clients, lock its second
// factor for TOTPLockFor (a new password lifts the lock).
const (
	MaxSessionTOTP  = 3
	MaxTOTPFailures = 20
	TOTPWindow      = time.Hour
	TOTPLockFor     = time.Hour
)

// ErrTOTPAgain is the answer to the last wrong code a session waiting
// for its second factor may take: the session has ended.
var ErrTOTPAgain error = &errs.Error{Code: errs.Unauthorized, Key: "totp.again",
	Message: "three wrong codes: sign in again with your password"}

// errTOTPLocked is the answer to a code given while the account's second
// factor is locked until until.
func errTOTPLocked(until time.Time) error {
	return errs.Keyed(errs.Forbidden, "", "totp.locked",
		"too many wrong codes were given for this account; its second factor is locked until %s UTC", until.UTC().Format("2006-01-02 15:04"))
}

// IsTOTPLocked reports whether err is the refusal of a locked second
// factor.
func IsTOTPLocked(err error) bool {
	var e *errs.Error
	return errors.As(err, &e) && e.Key == "totp.locked"
}

// totpAllowed refuses a code from a client locked out of u's account
// (failed sign-ins) or while u's second factor is locked.
func (s *Service) totpAllowed(ctx context.Context, u User) error {
	if locked, err := s.lockedOut(ctx, u.ID); err != nil {
		return err
	} else if locked {
		return errs.Keyed(errs.Forbidden, "", "attempts.later", "too many failed attempts from your address; try again later")
	}
	until, err := s.Store.UserTOTPLockedUntil(ctx, u.ID)
	if err != nil {
		return err
	}
	if !until.IsZero() && s.now().Before(until) {
		return errTOTPLocked(until)
	}
	return nil
}

// totpFailed counts a wrong code of u's second factor from the client of
// ctx, as a failed login of the client and towards the account's ceiling;
// the failure that reaches the ceiling locks the second factor, tells
// OnTOTPLock and is errTOTPLocked.
func (s *Service) totpFailed(ctx context.Context, u User) error {
	if err := s.failed(ctx, u); err != nil {
		return err
	}
	until, err := s.Store.UserTOTPFailed(ctx, u.ID, ClientOf(ctx), s.now(), MaxTOTPFailures, TOTPWindow, TOTPLockFor)
	if err != nil || until.IsZero() {
		return err
	}
	if s.OnTOTPLock != nil {
		if err := s.OnTOTPLock(ctx, u, until); err != nil {
			return err
		}
	}
	return errTOTPLocked(until)
}

// verified returns ses, once its second factor is given, as a verified
// session: a session waiting for it is replaced by a new verified one
// (new secret, new CSRF token), so that the cookie that passed only the
// password no longer works; a verified one is kept (Secret empty).
func (s *Service) verified(ctx context.Context, u User, ses Session) (Login, error) {
	if ses.Verified {
		return Login{User: u, Session: ses}, nil
	}
	now := s.now()
	secret := NewToken(32)
	n := Session{UserID: ses.UserID, CSRF: NewToken(24), Verified: true, CreatedAt: now, SeenAt: now, ExpiresAt: now.Add(MaxAge)}
	if err := s.Store.SessionReplace(ctx, ses.ID, &n, HashToken(secret)); err != nil {
		if errs.CodeOf(err) == errs.NotFound {
			return Login{}, errs.Errorf(errs.Unauthorized, "not signed in")
		}
		return Login{}, err
	}
	return Login{User: u, Session: n, Secret: secret}, nil
}

// ErrEnrolled is the answer to enrolling a second factor for an account
// that has one without proving it (ChangeSecondFactor does).
var ErrEnrolled = errs.FieldKeyed("current", "", "totp.enrolled", "a second factor is enrolled already: give your current password and code to replace it")

// ErrCurrentPassword is the answer to a wrong current password where a
// change asks for it (ChangePassword, ChangeSecondFactor); it counts as a
// failed sign-in.
var ErrCurrentPassword = errs.FieldKeyed("password", "", "account.current", "the current password is wrong")

// Enrol stores secret as the second factor of an account that has none if
// code is valid for it, and returns the session verified (a new one when
// it was waiting: see SecondFactor). An account that has one replaces it
// only with ChangeSecondFactor.
func (s *Service) Enrol(ctx context.Context, ses Session, secret, code string) (Login, error) {
	u, err := s.Store.UserGet(ctx, ses.UserID)
	if err != nil {
		return Login{}, err
	}
	if u.TOTP {
		return Login{}, ErrEnrolled
	}
	return s.enrol(ctx, ses, secret, code)
}

// ChangeSecondFactor replaces the second factor of a signed-in account
// that has one: only with its current password (on field "password") and
// a current code of the old factor (on field "current"), each checked as a
// sign-in is (a client locked out of the account is refused, a wrong one
// counts towards the lockout, a used code is refused), so that a session
// alone (a browser left open, a stolen cookie) cannot take the account's
// second factor over; a wrong code also counts towards the account's
// ceiling (see SecondFactor), and a locked second factor is refused. An
// account without one enrols as Enrol does. It returns the session as
// Enrol does.
func (s *Service) ChangeSecondFactor(ctx context.Context, ses Session, password, current, secret, code string) (Login, error) {
	u, err := s.Store.UserGet(ctx, ses.UserID)
	if err != nil {
		return Login{}, err
	}
	if !u.TOTP {
		return s.enrol(ctx, ses, secret, code)
	}
	c, err := s.Store.UserCredentials(ctx, u.Email)
	if err != nil {
		return Login{}, err
	}
	if err := s.checkPassword(ctx, c, password, ErrCurrentPassword); err != nil {
		return Login{}, err
	}
	if err := s.totpAllowed(ctx, u); err != nil {
		return Login{}, err
	}
	step, err := TOTPStep(c.TOTPSecret, current, s.now())
	if err == nil {
		if err = s.Store.UserTOTPUse(ctx, u.ID, step); errs.CodeOf(err) == errs.Conflict {
			err = errs.FieldKeyed("current", "", "totp.used", "this code was used already; wait for the next one")
		}
	}
	if err != nil {
		if ferr := s.totpFailed(ctx, c.User); ferr != nil {
			return Login{}, ferr
		}
		var e *errs.Error
		if errors.As(err, &e) && e.Field == "code" {
			moved := *e
			moved.Field = "current"
			err = &moved
		}
		return Login{}, err
	}
	return s.enrol(ctx, ses, secret, code)
}

// checkPassword checks pw against the account of c where a change or an
// invitation asks for it, as a sign-in does (Login): a client locked out of
// the account is refused as a wrong password is (after the time of a hash,
// before the password is looked at), and a wrong password or a disabled
// account is a failed login that counts towards the lockout. Refused, it
// returns wrong, the caller's error naming its field.
func (s *Service) checkPassword(ctx context.Context, c Credentials, pw string, wrong error) error {
	if locked, err := s.lockedOut(ctx, c.User.ID); err != nil {
		return err
	} else if locked {
		if err := DummyVerify(ctx, pw); err != nil {
			return err
		}
		return wrong
	}
	ok, err := s.verify(ctx, c.PasswordHash, pw)
	if err != nil {
		return err
	}
	if ok && !c.User.Disabled {
		return nil
	}
	if err := s.failed(ctx, c.User); err != nil {
		return err
	}
	return wrong
}

// ChangePassword sets a new password of user id, a signed-in account,
// given its current one (old, checked as a sign-in is: see checkPassword;
// a wrong one is ErrCurrentPassword on field "old"), and ends its other
// sessions (all but keep).
func (s *Service) ChangePassword(ctx context.Context, id int64, old, pw string, keep int64) error {
	u, err := s.Store.UserGet(ctx, id)
	if err != nil {
		return err
	}
	c, err := s.Store.UserCredentials(ctx, u.Email)
	if err != nil {
		return err
	}
	if err := s.checkPassword(ctx, c, old, ErrCurrentPassword); err != nil {
		if err == ErrCurrentPassword {
			return errs.FieldKeyed("old", "", "account.current", "the current password is wrong")
		}
		return err
	}
	return s.SetPassword(ctx, id, pw, keep)
}

// enrol stores secret as the user's second factor if code is valid for
// it, and returns the session verified (see verified).
func (s *Service) enrol(ctx context.Context, ses Session, secret, code string) (Login, error) {
	step, err := TOTPStep(secret, code, s.now())
	if err != nil {
		return Login{}, err
	}
	if err := s.Store.UserSetTOTP(ctx, ses.UserID, secret); err != nil {
		return Login{}, err
	}
	if err := s.Store.UserTOTPUse(ctx, ses.UserID, step); err != nil {
		return Login{}, err
	}
	if err := s.loginOK(ctx, ses.UserID); err != nil {
		return Login{}, err
	}
	u, err := s.Store.UserGet(ctx, ses.UserID)
	if err != nil {
		return Login{}, err
	}
	return s.verified(ctx, u, ses)
}

// Session returns the live session of a cookie secret and its user, or
// errs.Unauthorized.
func (s *Service) Session(ctx context.Context, secret string) (Session, User, error) {
	if secret == "" || len(secret) > 100 {
		return Session{}, User{}, errs.Keyed(errs.Unauthorized, "", "login.none", "not signed in")
	}
	ses, err := s.Store.SessionGet(ctx, HashToken(secret), s.now())
	if errs.CodeOf(err) == errs.NotFound {
		return Session{}, User{}, errs.Keyed(errs.Unauthorized, "", "login.none", "not signed in")
	}
	if err != nil {
		return Session{}, User{}, err
	}
	u, err := s.Store.UserGet(ctx, ses.UserID)
	if errs.CodeOf(err) == errs.NotFound || err == nil && u.Disabled {
		return Session{}, User{}, errs.Keyed(errs.Unauthorized, "", "login.none", "not signed in")
	}
	return ses, u, err
}

// Logout ends the session of a cookie secret.
func (s *Service) Logout(ctx context.Context, secret string) error {
	err := s.Store.SessionDelete(ctx, HashToken(secret))
	if errs.CodeOf(err) == errs.NotFound {
		return nil
	}
	return err
}

// RequestReset makes a password-reset token for the account of email (the
// account's earlier unused ones end) and returns it with the user, or errs.NotFound when there is no such account
// (the caller answers the same either way).
func (s *Service) RequestReset(ctx context.Context, email string) (User, string, error) {
	addr, err := NormalizeEmail(email)
	if err != nil {
		return User{}, "", err
	}
	c, err := s.Store.UserCredentials(ctx, addr)
	if err != nil {
		return User{}, "", err
	}
	if c.User.Disabled {
		return User{}, "", errs.Keyed(errs.NotFound, "", "account.none", "no account")
	}
	secret := NewToken(32)
	t := Token{Purpose: PurposeReset, UserID: c.User.ID, Expires: s.now().Add(ResetValid)}
	err = s.Store.AccountTx(ctx, func(st Store) error {
		// A new link supersedes the older ones: only the newest works.
		if err := st.AccountTokenDrop(ctx, c.User.ID, PurposeReset); err != nil {
			return err
		}
		return st.AccountTokenCreate(ctx, &t, HashToken(secret))
	})
	if err != nil {
		return User{}, "", err
	}
	return c.User, secret, nil
}

// Reset sets a new password with a reset token.
func (s *Service) Reset(ctx context.Context, secret, pw string) (User, error) {
	if err := CheckPassword(pw); err != nil {
		return User{}, err
	}
	t, err := s.Store.AccountTokenUse(ctx, PurposeReset, HashToken(secret), s.now())
	if err != nil {
		if errs.CodeOf(err) == errs.NotFound {
			return User{}, errs.FieldKeyed("token", "", "reset.link", "the reset link is unknown, used or expired; ask for a new one")
		}
		return User{}, err
	}
	if err := s.SetPassword(ctx, t.UserID, pw, 0); err != nil {
		return User{}, err
	}
	// The link reached the address: an account that signed up and never
	// confirmed is confirmed now.
	if err := s.Store.UserConfirm(ctx, t.UserID, ""); err != nil {
		return User{}, err
	}
	return s.Store.UserGet(ctx, t.UserID)
}

// Invite makes an invitation of email to organisation org with role, from
// user by, and returns its secret.
func (s *Service) Invite(ctx context.Context, by, org int64, email string, role Role) (string, error) {
	addr, err := NormalizeEmail(email)
	if err != nil {
		return "", err
	}
	if role, err = ParseOrgRole(string(role)); err != nil {
		return "", err
	}
	secret := NewToken(32)
	t := Token{Purpose: PurposeInvite, OrgID: org, Email: addr, Role: role, By: by, Expires: s.now().Add(InviteValid)}
	if err := s.Store.AccountTokenCreate(ctx, &t, HashToken(secret)); err != nil {
		return "", err
	}
	return secret, nil
}

// Invitation is what the page of an invitation's link shows before it is
// accepted: the invited address and whether it has an account already
// (whose password accepting then asks for).
type Invitation struct {
	Email      string
	HasAccount bool
}

// Invitation returns the unused, unexpired invitation of secret without
// using it; any other is the token field's errs.Invalid.
func (s *Service) Invitation(ctx context.Context, secret string) (Invitation, error) {
	t, err := s.Store.AccountTokenGet(ctx, PurposeInvite, HashToken(secret), s.now())
	if errs.CodeOf(err) == errs.NotFound {
		return Invitation{}, errBadInvitation
	}
	if err != nil {
		return Invitation{}, err
	}
	_, err = s.Store.UserCredentials(ctx, t.Email)
	switch errs.CodeOf(err) {
	case errs.NotFound:
		return Invitation{Email: t.Email}, nil
	case "":
		return Invitation{Email: t.Email, HasAccount: true}, nil
	}
	return Invitation{}, err
}

// errBadInvitation is the answer to an unknown, used or expired invitation.
var errBadInvitation = errs.FieldKeyed("token", "", "invite.link", "the invitation is unknown, used or expired; ask for a new one")

// ErrInvitePassword is the answer to accepting an invitation of an
// address that has an account without that account's password (or for a
// disabled account): nothing is written but the failed attempt, which
// counts towards the account's lockout as a failed login does.
var ErrInvitePassword error = &errs.Error{Code: errs.Invalid, Field: "password", Key: "invite.password",
	Message: "this address has an account: give the password of that account"}

// Accept uses an invitation: the invited address gets an account (with
// name and pw) if it has none, and the membership. It returns the user.
// An address with an account joins the organisation only with that
// account's password (pw), checked as a sign-in is: a wrong one is
// ErrInvitePassword and counts as a failed login, a client locked out of
// the account gets the same answer, so the link alone cannot add a
// membership to someone's account.
// Input is checked before the invitation is used, so a refused form leaves
// it valid; the invitation is used in the transaction that makes the
// account and the membership, so a failure of either leaves it valid too.
func (s *Service) Accept(ctx context.Context, secret, name, pw string) (User, error) {
	t, err := s.Store.AccountTokenGet(ctx, PurposeInvite, HashToken(secret), s.now())
	if errs.CodeOf(err) == errs.NotFound {
		return User{}, errBadInvitation
	}
	if err != nil {
		return User{}, err
	}
	var checked int64 // the account whose password was checked
	switch c, err := s.Store.UserCredentials(ctx, t.Email); {
	case errs.CodeOf(err) == errs.NotFound:
		if err := CheckPassword(pw); err != nil {
			return User{}, err
		}
	case err != nil:
		return User{}, err
	default:
		if err := s.checkPassword(ctx, c, pw, ErrInvitePassword); err != nil {
			return User{}, err
		}
		checked = c.User.ID
	}
	var u User
	err = s.Store.AccountTx(ctx, func(st Store) error {
		tx := *s
		tx.Store = st
		t, err := st.AccountTokenUse(ctx, PurposeInvite, HashToken(secret), s.now())
		if errs.CodeOf(err) == errs.NotFound {
			return errBadInvitation
		} else if err != nil {
			return err
		}
		// Read again in the transaction: the address may have got an
		// account since the check above, whose password was not checked.
		c, err := st.UserCredentials(ctx, t.Email)
		switch {
		case errs.CodeOf(err) == errs.NotFound:
			u, err = tx.Create(ctx, NewUser{Email: t.Email, Name: name, Password: pw, Orgs: []Membership{{OrgID: t.OrgID, Role: t.Role}}})
			return err
		case err != nil:
			return err
		}
		if c.User.ID != checked {
			ok, err := s.verify(ctx, c.PasswordHash, pw)
			if err != nil {
				return err
			}
			if c.User.Disabled || !ok {
				return ErrInvitePassword
			}
		}
		if err := st.MembershipSet(ctx, c.User.ID, t.OrgID, t.Role); err != nil {
			return fmt.Errorf("membership of organisation %d: %w", t.OrgID, err)
		}
		u, err = st.UserGet(ctx, c.User.ID)
		return err
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// HashToken returns the stored form of a session secret or one-time token.
func HashToken(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// IsLocked reports whether err is a lockout.
func IsLocked(err error) bool {
	var e *errs.Error
	return errors.As(err, &e) && e.Code == errs.Forbidden
}
