// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/errs"
	"vigil/internal/notify"
	"vigil/internal/registry"
	"vigil/internal/text"
)

// The API twins of the portal's account pages: the public ones (password
// reset, accepting an invitation) and those a signed-in account acts on
// itself (registering an organisation, changing the password), which take
// the account's credentials in the body instead of a session.

// Credentials sign a portal account in for one API call, with the checks of
// the sign-in page (per-address rate limit, lockout after failed attempts,
// the second factor of an account that has one).
type Credentials struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	// Code is the current TOTP code, for an account with a second factor.
	Code string `json:"code,omitempty"`
}

// PasswordForgotInput asks for a password reset link by e-mail.
type PasswordForgotInput struct {
	Email string `json:"email"`
	// Lang is the e-mail's language for an account without one (en, nl;
	// default: the request's Accept-Language).
	Lang string `json:"lang,omitempty"`
}

// PasswordResetInput sets a new password with the token of a reset link.
type PasswordResetInput struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// InvitationAcceptInput accepts an invitation with the token of its link.
type InvitationAcceptInput struct {
	Token    string `json:"token"`
	Name     string `json:"name,omitempty"`
	Password string `json:"password"`
}

// RegisterInput registers an organisation for a portal account, which
// becomes its member. The organisation waits until ownership of the asset
// is proven or an analyst approves it.
type RegisterInput struct {
	Account Credentials `json:"account"`
	Name    string      `json:"name"`
	Country string      `json:"country,omitempty"`
	// Asset is a domain or IP range the organisation can prove it holds.
	Asset string `json:"asset"`
}

// PasswordChangeInput changes a portal account's password.
type PasswordChangeInput struct {
	Account  Credentials `json:"account"`
	Password string      `json:"password"`
}

// accountAPIRoutes are the API twins of the account pages.
func (s *Server) accountAPIRoutes() []Route {
	const tag = "accounts"
	return []Route{
		{ID: "passwordForgot", Method: http.MethodPost, Path: "/api/v1/password/forgot", Tag: tag, Public: true, Request: "PasswordForgot", Status: http.StatusAccepted,
			Summary: "Ask for a password reset link by e-mail (the answer is the same whether or not the address has an account)", api: s.passwordForgot},
		{ID: "passwordReset", Method: http.MethodPost, Path: "/api/v1/password/reset", Tag: tag, Public: true, Request: "PasswordReset",
			Summary: "Set a new password with the token of a reset link (once)", api: s.passwordReset},
		{ID: "invitationAccept", Method: http.MethodPost, Path: "/api/v1/invitations/accept", Tag: tag, Public: true, Request: "InvitationAccept", Response: "User",
			Summary: "Accept an invitation with the token of its link: the account is made (or joins) the organisation", api: s.invitationAccept},
		{ID: "orgRegister", Method: http.MethodPost, Path: "/api/v1/register", Tag: "organisations", Public: true, Credentials: true,
			Request: "OrgRegister", Response: "Org", Status: http.StatusCreated,
			Summary: "Register an organisation for a portal account (its credentials in the body): it waits for proof of a domain or range, or an analyst's approval", api: s.orgRegister},
		{ID: "accountPassword", Method: http.MethodPost, Path: "/api/v1/account/password", Tag: tag, Public: true, Credentials: true, Request: "PasswordChange",
			Summary: "Change a portal account's password (its credentials in the body); its other sessions end", api: s.accountPassword},
	}
}

// accountAPISchemas registers the schemas of accountAPIRoutes.
func accountAPISchemas(add func(name string, v, example any)) {
	add("Credentials", Credentials{}, nil)
	add("PasswordForgot", PasswordForgotInput{}, PasswordForgotInput{Email: "security@waterschap.example"})
	add("PasswordReset", PasswordResetInput{}, PasswordResetInput{Token: "the token of the link", Password: "correct horse battery staple"})
	add("InvitationAccept", InvitationAcceptInput{}, InvitationAcceptInput{Token: "the token of the link", Name: "J. de Vries", Password: "correct horse battery staple"})
	add("OrgRegister", RegisterInput{}, RegisterInput{Account: Credentials{Email: "security@waterschap.example", Password: "correct horse battery staple"},
		Name: "Waterschap Example", Country: "NL", Asset: "waterschap.example"})
	add("PasswordChange", PasswordChangeInput{}, PasswordChangeInput{Account: Credentials{Email: "security@waterschap.example", Password: "correct horse battery staple"},
		Password: "a new and longer passphrase"})
}

// tooMany is the answer to a client over the sign-in rate limit.
var tooMany = errs.Keyed(errs.Forbidden, "", "attempts.toomany", "too many attempts from your address; wait a minute")

// signIn checks an API call's credentials as the sign-in page does and
// returns the account with a session for the call, which end() closes.
func (s *Server) signIn(r *http.Request, c Credentials) (u account.User, session int64, end func(), err error) {
	ctx := r.Context()
	if !s.loginLimit.Allow(s.clientIP(r)) {
		s.auditSignIn(r, c.Email, account.Login{}, tooMany)
		return u, 0, nil, tooMany
	}
	l, err := s.accounts.Login(ctx, c.Email, c.Password)
	s.auditSignIn(r, c.Email, l, err)
	if err != nil {
		if errs.CodeOf(err) == errs.Unauthorized {
			err = keepKey(&errs.Error{Code: errs.Unauthorized, Field: "account.password", Message: errs.Message(err)}, err)
		}
		return u, 0, nil, err
	}
	// end reads l when it runs: after a second factor, the secret of the
	// verified session that replaced the half one.
	end = func() { _ = s.accounts.Logout(context.WithoutCancel(ctx), l.Secret) }
	switch {
	case l.NeedEnrol:
		end()
		return u, 0, nil, errs.Keyed(errs.Forbidden, "", "totp.enrol", "this account must enrol a second factor in the portal first")
	case l.NeedTOTP:
		// The code is given in the call the per-client limit above
		// admitted, and counts towards the account's ceiling as the
		// page's does; the verified session replaces the half one.
		v, err := s.accounts.SecondFactor(ctx, l.Session, c.Code)
		s.auditSecondFactor(r, l.User, err)
		if err != nil {
			end()
			return u, 0, nil, inField(err, "account.", nil)
		}
		l.Session, l.Secret = v.Session, v.Secret
	}
	if t := app.AuditTrailOf(ctx); t != nil { // the call's audit entry names the account
		t.Actor, t.UserID = l.User.Email, l.User.ID
	}
	return l.User, l.Session.ID, end, nil
}

// auditSignIn writes the audit entry of a sign-in attempt with the address
// given, the client and the outcome (l and err of account.Service.Login).
// A refused attempt changes nothing an operator would otherwise see, so
// this entry is the only trace of a password being guessed; it is written
// by the page and the API alike. A failure to write it is logged: the
// attempt's answer does not depend on it.
func (s *Server) auditSignIn(r *http.Request, email string, l account.Login, err error) {
	outcome := "signed in"
	switch {
	case err == nil && l.NeedTOTP:
		outcome = "password accepted; second factor asked"
	case err == nil && l.NeedEnrol:
		outcome = "password accepted; a second factor must be enrolled"
	case err == tooMany:
		outcome = "refused: too many attempts from the client"
	case errors.Is(err, account.ErrUnconfirmed):
		outcome = "refused: the address is not confirmed"
	case errs.CodeOf(err) == errs.Unauthorized:
		outcome = "refused: wrong address or password"
	case account.IsLocked(err):
		outcome = "refused: the account is locked"
	case err != nil:
		outcome = "failed: " + string(errs.CodeOf(err))
	}
	e := account.AuditEntry{Action: "account.login", Object: text.Truncate(email, 254), Detail: outcome + "; client " + s.clientIP(r)}
	if err == nil {
		e.Actor, e.UserID, e.Object = l.User.Email, l.User.ID, "user "+strconv.FormatInt(l.User.ID, 10)
	}
	s.auditAttempt(r.Context(), e)
}

// auditSecondFactor writes the audit entry of a second factor given for
// user's sign-in, with its outcome (err of account.Service.SecondFactor).
func (s *Server) auditSecondFactor(r *http.Request, u account.User, err error) {
	outcome := "second factor accepted; signed in"
	switch {
	case err == tooMany:
		outcome = "refused: too many attempts from the client"
	case errors.Is(err, account.ErrTOTPAgain):
		outcome = "refused: wrong second factor; the session ended after " + strconv.Itoa(account.MaxSessionTOTP) + " wrong codes"
	case account.IsTOTPLocked(err):
		outcome = "refused: the account's second factor is locked"
	case account.IsLocked(err):
		outcome = "refused: the account is locked"
	case errs.CodeOf(err) == errs.Invalid || errs.CodeOf(err) == errs.Unauthorized:
		outcome = "refused: wrong second factor"
	case err != nil:
		outcome = "failed: " + string(errs.CodeOf(err))
	}
	s.auditAttempt(r.Context(), account.AuditEntry{Actor: u.Email, UserID: u.ID, Action: "account.totp",
		Object: "user " + strconv.FormatInt(u.ID, 10), Detail: outcome + "; client " + s.clientIP(r)})
}

// auditAttempt writes e, logging (not returning) a failure.
func (s *Server) auditAttempt(ctx context.Context, e account.AuditEntry) {
	if err := s.app.Audit(ctx, e); err != nil {
		s.log.Error("audit", "action", e.Action, "err", err)
	}
}

func (s *Server) passwordForgot(c *call) (any, error) {
	var in PasswordForgotInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	lang := in.Lang
	if lang != "en" && lang != "nl" {
		lang = s.pageLang(c.r, nil)
	}
	return nil, s.requestReset(c.r, in.Email, lang)
}

// requestReset sends a reset link for email through the outbox, in the
// account's language, else lang. It answers the same whether or not the
// address has an account.
func (s *Server) requestReset(r *http.Request, email, lang string) error {
	ctx := r.Context()
	if err := s.mailOff(); err != nil {
		return err
	}
	if s.baseURL == "" {
		return errs.FieldKeyed("email", "", "reset.nomail", "password reset by e-mail is not set up here; ask an administrator")
	}
	if !s.loginLimit.Allow(s.clientIP(r)) {
		return tooMany
	}
	if _, err := account.NormalizeEmail(email); err != nil {
		return err
	}
	u, secret, err := s.accounts.RequestReset(ctx, email)
	switch {
	case errs.CodeOf(err) == errs.NotFound:
		return nil
	case err != nil:
		return err
	}
	if u.Lang != "" {
		lang = u.Lang
	}
	m := s.messages(lang)
	link := s.baseURL + "/password/reset?token=" + url.QueryEscape(secret)
	msg := notify.Message{Subject: m["mail.reset.subject"], Text: fmt.Sprintf(m["mail.reset.text"], u.Email, link, int(account.ResetValid.Minutes())),
		Redact: []string{url.QueryEscape(secret)}}
	_, err = s.store.AccountMail(ctx, u.Email, lang, msg)
	return err
}

func (s *Server) passwordReset(c *call) (any, error) {
	var in PasswordResetInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	return nil, s.resetPassword(c.r, in.Token, in.Password)
}

// resetPassword sets a new password with a reset token (page and API).
func (s *Server) resetPassword(r *http.Request, token, password string) error {
	if !s.loginLimit.Allow(s.clientIP(r)) {
		return tooMany
	}
	_, err := s.accounts.Reset(r.Context(), token, password)
	return err
}

func (s *Server) invitationAccept(c *call) (any, error) {
	var in InvitationAcceptInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	return s.acceptInvitation(c.r, in.Token, in.Name, in.Password)
}

// acceptInvitation accepts an invitation (page and API).
func (s *Server) acceptInvitation(r *http.Request, token, name, password string) (account.User, error) {
	if !s.loginLimit.Allow(s.clientIP(r)) {
		return account.User{}, tooMany
	}
	return s.accounts.Accept(r.Context(), token, name, password)
}

func (s *Server) orgRegister(c *call) (any, error) {
	var in RegisterInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	u, _, end, err := s.signIn(c.r, in.Account)
	if err != nil {
		return nil, err
	}
	defer end()
	o, err := s.registerOrg(c.ctx(), u.ID, in)
	if err != nil {
		return nil, err
	}
	c.location("/api/v1/orgs/%d", o.ID)
	return o, nil
}

// registerOrg registers an organisation with user as its member (page and
// API); it waits for proof of the asset or an analyst's approval.
func (s *Server) registerOrg(ctx context.Context, user int64, in RegisterInput) (registry.Org, error) {
	return s.app.RegisterOrg(ctx, user, in.Name, in.Country, in.Asset)
}

func (s *Server) accountPassword(c *call) (any, error) {
	var in PasswordChangeInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	u, session, end, err := s.signIn(c.r, in.Account)
	if err != nil {
		return nil, err
	}
	defer end()
	if err := s.accounts.SetPassword(c.ctx(), u.ID, in.Password, session); err != nil {
		return nil, err
	}
	return nil, s.mailChanged(c.ctx(), u, "mail.changed.password")
}

// mailLocked tells the owner of u, through the outbox and once per lock,
// that client was locked out of the account until until after failed
// sign-ins (account.Service.OnLock).
func (s *Server) mailLocked(ctx context.Context, u account.User, client string, until time.Time) error {
	lang := u.Lang
	if lang != "nl" {
		lang = "en"
	}
	m := s.messages(lang)
	if client == "" {
		client = "?"
	}
	msg := notify.Message{Subject: m["mail.locked.subject"],
		Text: fmt.Sprintf(m["mail.locked.text"], account.MaxFailures, client, u.Email, until.UTC().Format("2006-01-02 15:04"), s.baseURL+"/password/forgot")}
	if _, err := s.store.AccountMail(ctx, u.Email, lang, msg); err != nil {
		return fmt.Errorf("lock notice to %s: %w", u.Email, err)
	}
	return nil
}

// totpLocked tells the owner of u, through the outbox and once per
// lock, that the account's second factor was locked until until after
// too many wrong codes from any address (account.Service.OnTOTPLock), and
// writes the lock to the audit log: someone who knows the password may be
// guessing codes.
func (s *Server) totpLocked(ctx context.Context, u account.User, until time.Time) error {
	lang := u.Lang
	if lang != "nl" {
		lang = "en"
	}
	m := s.messages(lang)
	msg := notify.Message{Subject: m["mail.totp.subject"],
		Text: fmt.Sprintf(m["mail.totp.text"], account.MaxTOTPFailures, int(account.TOTPWindow.Minutes()), u.Email,
			until.UTC().Format("2006-01-02 15:04"), s.baseURL+"/password/forgot")}
	if _, err := s.store.AccountMail(ctx, u.Email, lang, msg); err != nil {
		return fmt.Errorf("second factor lock notice to %s: %w", u.Email, err)
	}
	s.auditAttempt(ctx, account.AuditEntry{Actor: u.Email, UserID: u.ID, Action: "account.totp.lock", Object: "user " + strconv.FormatInt(u.ID, 10),
		Detail: fmt.Sprintf("%d wrong codes within %s; second factor locked until %s UTC; last client %s", account.MaxTOTPFailures,
			account.TOTPWindow, until.UTC().Format("2006-01-02 15:04"), account.ClientOf(ctx))})
	return nil
}

// mailChanged tells the owner of u, through the outbox, that what (the
// key of "password" or "second factor") of the account changed.
func (s *Server) mailChanged(ctx context.Context, u account.User, what string) error {
	lang := u.Lang
	if lang != "nl" {
		lang = "en"
	}
	m := s.messages(lang)
	msg := notify.Message{Subject: m["mail.changed.subject"],
		Text: fmt.Sprintf(m["mail.changed.text"], m[what], u.Email, s.store.Now().UTC().Format("2006-01-02 15:04"), s.baseURL+"/password/forgot")}
	if _, err := s.store.AccountMail(ctx, u.Email, lang, msg); err != nil {
		return fmt.Errorf("change notice to %s: %w", u.Email, err)
	}
	return nil
}
