// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"vigil/internal/account"
	"vigil/internal/errs"
	"vigil/internal/notify"
)

// SignUpInput is a self-service sign-up: the account it makes cannot sign
// in until the address is confirmed with the link sent to it.
type SignUpInput struct {
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
	// Password follows the rules of every account (at least 12
	// characters).
	Password string `json:"password"`
	// Lang is the account's language, nl or en (default: en); the
	// confirmation e-mail is written in it.
	Lang string `json:"lang,omitempty"`
}

// SignUpConfirm is the token of a confirmation link.
type SignUpConfirm struct {
	Token string `json:"token"`
	// Password is the one given at the sign-up that sent the link.
	Password string `json:"password"`
}

// signupRoutes are self-service sign-up and the confirmation of its e-mail
// address, as pages and in the API.
func (s *Server) signupRoutes() []Route {
	const tag = "portal"
	return []Route{
		{ID: "pageSignup", Method: http.MethodGet, Path: "/signup", Tag: tag, Public: true,
			Summary: "Sign-up form for organisation members", page: s.pageSignup},
		{ID: "pageSignupPost", Method: http.MethodPost, Path: "/signup", Tag: tag, Public: true, API: "signup",
			Summary: "Sign up: the account can sign in once its e-mail address is confirmed", page: s.pageSignupPost},
		{ID: "pageSignupConfirm", Method: http.MethodGet, Path: "/signup/confirm", Tag: tag, Public: true, Query: []Param{{Name: "token", Type: "string"}},
			Summary: "Confirm an e-mail address with the link sent at sign-up", page: s.pageSignupConfirm},
		{ID: "pageSignupConfirmPost", Method: http.MethodPost, Path: "/signup/confirm", Tag: tag, Public: true, API: "signupConfirm",
			Summary: "Confirm an e-mail address and sign in", page: s.pageSignupConfirmPost},
		{ID: "signup", Method: http.MethodPost, Path: "/api/v1/signup", Tag: "accounts", Public: true, Request: "SignUp", Status: http.StatusAccepted,
			Summary: "Sign up for a portal account: a confirmation link is sent to the address (the answer is the same whether or not it has an account)", api: s.signupAPI},
		{ID: "signupConfirm", Method: http.MethodPost, Path: "/api/v1/signup/confirm", Tag: "accounts", Public: true, Request: "SignUpConfirm", Response: "User",
			Summary: "Confirm the e-mail address of a signed-up account with the token of its link", api: s.signupConfirmAPI},
	}
}

// signupSchemas registers the schemas of signupRoutes.
func signupSchemas(add func(name string, v, example any)) {
	add("SignUp", SignUpInput{}, SignUpInput{Email: "security@waterschap.example", Name: "J. de Vries", Password: "correct horse battery staple", Lang: "nl"})
	add("SignUpConfirm", SignUpConfirm{}, SignUpConfirm{Token: "k3Jx0qv2b6Yw1sZp8nT4mQ7cR9dF5gH2jL0aE6uV3yI"})
}

// signupOpen reports whether self-service sign-up is open
// (app.Settings.SignupOpen).
func (s *Server) signupOpen(ctx context.Context) (bool, error) {
	cur, err := s.app.Settings(ctx)
	return cur.SignupOpen, err
}

// errSignupClosed answers a sign-up while the settings close it.
var errSignupClosed = errs.Keyed(errs.Forbidden, "", "signup.closed", "sign-up is closed here; ask an administrator for an account")

// signUp signs up in, sends the confirmation link (or, for an address that
// has an account, a notice) through the outbox in the account's language
// (else lang) and records it in the audit log. The caller answers the same
// whatever happened.
func (s *Server) signUp(ctx context.Context, in SignUpInput, lang string) error {
	if open, err := s.signupOpen(ctx); err != nil {
		return err
	} else if !open {
		return errSignupClosed
	}
	if err := s.mailOff(); err != nil {
		return err
	}
	if s.baseURL == "" {
		return errs.FieldKeyed("email", "", "signup.nomail", "sign-up by e-mail is not set up here; ask an administrator for an account")
	}
	res, err := s.accounts.SignUp(ctx, account.NewUser{Email: in.Email, Name: strings.TrimSpace(in.Name), Lang: in.Lang, Password: in.Password})
	if err != nil {
		return err
	}
	if res.User.Lang != "" {
		lang = res.User.Lang
	}
	m := s.messages(lang)
	var msg notify.Message
	detail := "new account: confirmation link sent"
	switch {
	case res.Existing:
		detail = "the address has an account: notice sent"
		msg = notify.Message{Subject: m["mail.signup.exists.subject"], Text: fmt.Sprintf(m["mail.signup.exists.text"], res.User.Email, s.baseURL+"/login", s.baseURL+"/password/forgot")}
	case res.Secret != "":
		link := s.baseURL + "/signup/confirm?token=" + url.QueryEscape(res.Secret)
		msg = notify.Message{Subject: m["mail.signup.subject"], Text: fmt.Sprintf(m["mail.signup.text"], res.User.Email, link, int(account.ConfirmValid.Hours())),
			Redact: []string{url.QueryEscape(res.Secret)}}
	default:
		return nil // the same address signed up at the same moment: its link stands
	}
	if _, err := s.store.AccountMail(ctx, res.User.Email, lang, msg); err != nil {
		return err
	}
	// The actor is whoever sent the form (anonymous); the account is the object.
	return s.app.Audit(ctx, account.AuditEntry{Action: "account.signup", Object: "user " + strconv.FormatInt(res.User.ID, 10), Detail: res.User.Email + ": " + detail})
}

// signupView is the sign-up page: the form, or word that sign-up is
// closed.
type signupView struct {
	Form   url.Values
	Closed bool
}

func (s *Server) pageSignup(pc *pageCall) error {
	open, err := s.signupOpen(pc.ctx())
	if err != nil {
		return err
	}
	return pc.page("signup", "signup.title", signupView{Closed: !open})
}

func (s *Server) pageSignupPost(pc *pageCall) error {
	v := signupView{Form: pc.r.PostForm}
	if !s.loginLimit.Allow(s.clientIP(pc.r)) {
		return pc.formError(errs.Keyed(errs.Forbidden, "", "attempts.toomany", "too many attempts from your address; wait a minute"), "signup", "signup.title", v)
	}
	in := SignUpInput{Email: pc.form("email"), Name: pc.form("name"), Password: pc.r.PostFormValue("password"), Lang: pc.form("lang")}
	if err := s.signUp(pc.ctx(), in, pc.lang); err != nil {
		if err == errSignupClosed {
			return pc.render(http.StatusForbidden, "signup", "signup.title", signupView{Closed: true}, nil)
		}
		return pc.formError(err, "signup", "signup.title", v)
	}
	return pc.redirect("/login?msg=signup.sent")
}

func (s *Server) pageSignupConfirm(pc *pageCall) error {
	return pc.page("signup_confirm", "signup.confirm.title", resetForm{Token: pc.query("token")})
}

// pageSignupConfirmPost confirms the address and signs the person in (a new
// session), then leads to the registration of their organisation.
func (s *Server) pageSignupConfirmPost(pc *pageCall) error {
	f := resetForm{Token: pc.form("token")}
	if !s.loginLimit.Allow(s.clientIP(pc.r)) {
		return pc.formError(errs.Keyed(errs.Forbidden, "", "attempts.toomany", "too many attempts from your address; wait a minute"), "signup_confirm", "signup.confirm.title", f)
	}
	l, err := s.accounts.Confirm(pc.ctx(), f.Token, pc.r.PostFormValue("password"), true)
	if err != nil {
		return pc.formError(err, "signup_confirm", "signup.confirm.title", f)
	}
	if err := s.auditConfirm(pc.ctx(), l.User); err != nil {
		return err
	}
	if l.Secret == "" { // a disabled account: confirmed, but not signed in
		return pc.redirect("/login?msg=signup.confirmed")
	}
	return s.signedIn(pc, l, "/register?msg=signup.confirmed")
}

// allowAccountForm admits an API call of a public account form (sign-up,
// confirmation) from the request's client, or answers 429 Too Many
// Requests with Retry-After; it shares the sign-in forms' limit.
func (s *Server) allowAccountForm(w http.ResponseWriter, r *http.Request) error {
	if s.loginLimit.Allow(s.clientIP(r)) {
		return nil
	}
	w.Header().Set("Retry-After", strconv.Itoa(s.loginLimit.RetryAfter()))
	return errs.Keyed(codeTooMany, "", "attempts.wait", "too many attempts from your address; try again in %d seconds", s.loginLimit.RetryAfter())
}

func (s *Server) signupAPI(c *call) (any, error) {
	if err := s.allowAccountForm(c.w, c.r); err != nil {
		return nil, err
	}
	var in SignUpInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	lang := in.Lang
	if lang == "" {
		lang = "en"
	}
	return nil, s.signUp(c.ctx(), in, lang)
}

func (s *Server) signupConfirmAPI(c *call) (any, error) {
	if err := s.allowAccountForm(c.w, c.r); err != nil {
		return nil, err
	}
	var in SignUpConfirm
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	l, err := s.accounts.Confirm(c.ctx(), in.Token, in.Password, false)
	if err != nil {
		return nil, err
	}
	if err := s.auditConfirm(c.ctx(), l.User); err != nil {
		return nil, err
	}
	return l.User, nil
}

// auditConfirm records the confirmation of u's address; the actor is who
// followed the link (anonymous until then), the account is the object.
func (s *Server) auditConfirm(ctx context.Context, u account.User) error {
	return s.app.Audit(ctx, account.AuditEntry{Action: "account.confirm", Object: "user " + strconv.FormatInt(u.ID, 10), Detail: u.Email})
}
