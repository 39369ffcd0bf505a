// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"vigil/internal/account"
	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/registry"
)

// portalRoutes are the portal's pages and its front-end files.
func (s *Server) portalRoutes() []Route {
	const tag = "portal"
	rs := s.fileRoutes()
	return append(rs, []Route{
		{ID: "pageHome", Method: http.MethodGet, Path: "/{$}", Tag: tag, Public: true, Summary: "Start page", page: s.pageHome},
		{ID: "pageLang", Method: http.MethodPost, Path: "/lang", Tag: tag, NoAPI: noAPICookie, Public: true, Summary: "Choose the interface language", Stateless: true, page: s.pageLangPost},
		{ID: "pageLogin", Method: http.MethodGet, Path: "/login", Tag: tag, Public: true, Query: []Param{{Name: "next", Type: "string"}},
			Summary: "Sign-in form", page: s.pageLogin},
		{ID: "pageLoginPost", Method: http.MethodPost, Path: "/login", Tag: tag, NoAPI: noAPISession, Public: true, Query: []Param{{Name: "next", Type: "string"}},
			Summary: "Sign in", page: s.pageLoginPost, signIn: true},
		{ID: "pageForgot", Method: http.MethodGet, Path: "/password/forgot", Tag: tag, Public: true,
			Summary: "Ask for a password reset link", page: s.pageForgot},
		{ID: "pageForgotPost", Method: http.MethodPost, Path: "/password/forgot", Tag: tag, API: "passwordForgot", Public: true,
			Summary: "Send a password reset link by e-mail (through the outbox)", page: s.pageForgotPost},
		{ID: "pageReset", Method: http.MethodGet, Path: "/password/reset", Tag: tag, Public: true, Query: []Param{{Name: "token", Type: "string"}},
			Summary: "Choose a new password with a reset link", page: s.pageReset},
		{ID: "pageResetPost", Method: http.MethodPost, Path: "/password/reset", Tag: tag, API: "passwordReset", Public: true,
			Summary: "Set a new password with a reset link", page: s.pageResetPost},
		{ID: "pageTOTP", Method: http.MethodGet, Path: "/login/totp", Tag: tag, Self: true, half: true,
			Summary: "Second-factor form", page: s.pageTOTP},
		{ID: "pageTOTPPost", Method: http.MethodPost, Path: "/login/totp", Tag: tag, NoAPI: noAPISession, Self: true, half: true,
			Summary: "Give the second factor", page: s.pageTOTPPost},
		{ID: "pageEnrol", Method: http.MethodGet, Path: "/login/enrol", Tag: tag, Self: true, half: true,
			Summary: "Set up a second factor", page: s.pageEnrol},
		{ID: "pageEnrolPost", Method: http.MethodPost, Path: "/login/enrol", Tag: tag, NoAPI: noAPISession, Self: true, half: true,
			Summary: "Confirm a new second factor", page: s.pageEnrolPost},
		{ID: "pageLogout", Method: http.MethodPost, Path: "/logout", Tag: tag, NoAPI: noAPISession, Self: true, half: true,
			Summary: "Sign out", page: s.pageLogout},
		{ID: "pageAccount", Method: http.MethodGet, Path: "/account", Tag: tag, Self: true,
			Summary: "The signed-in account", page: s.pageAccount},
		{ID: "pageAccountPassword", Method: http.MethodPost, Path: "/account/password", Tag: tag, API: "accountPassword", Self: true,
			Summary: "Change one's password", page: s.pageAccountPassword},
		{ID: "pageOrg", Method: http.MethodGet, Path: PagePath, Tag: tag,
			Summary: "An organisation's overview", page: s.pageOrg},
		{ID: "pageFindings", Method: http.MethodGet, Path: PagePath + "/findings", Tag: tag, API: "findingList",
			Query:   append(findingQuery(), Param{Name: "before", Type: "integer", Description: "the page before this finding id (the previous page's link)"}),
			Summary: "An organisation's findings with their evidence", page: s.pageFindings},
		{ID: "pageDashboard", Method: http.MethodGet, Path: "/analyst", Tag: tag, Role: account.RoleAnalyst, Query: trendQuery(),
			Summary: "Analyst dashboard", page: s.pageDashboard},
		{ID: "pageUsers", Method: http.MethodGet, Path: "/admin/users", Tag: tag, Role: account.RoleAdmin, API: "userList",
			Summary: "Accounts and roles", page: s.pageUsers},
		{ID: "pageUserCreate", Method: http.MethodPost, Path: "/admin/users", Tag: tag, Role: account.RoleAdmin, API: "userCreate",
			Summary: "Create an account", page: s.pageUserCreate},
		{ID: "pageUserRole", Method: http.MethodPost, Path: "/admin/users/{uid}/role", Tag: tag, Role: account.RoleAdmin, API: "userRole",
			Summary: "Change an account's role", page: s.pageUserRole},
		{ID: "pageUserDisable", Method: http.MethodPost, Path: "/admin/users/{uid}/disable", Tag: tag, Role: account.RoleAdmin, API: "userDisable",
			Summary: "Disable an account: it cannot sign in and its sessions end", page: s.pageUserDisable},
		{ID: "pageUserEnable", Method: http.MethodPost, Path: "/admin/users/{uid}/enable", Tag: tag, Role: account.RoleAdmin, API: "userEnable",
			Summary: "Enable a disabled account", page: s.pageUserEnable},
		{ID: "pageUserTOTPReset", Method: http.MethodPost, Path: "/admin/users/{uid}/totp/reset", Tag: tag, Role: account.RoleAdmin, API: "userTOTPReset",
			Summary: "Reset a lost second factor: the account's sessions end and it enrols a new one at its next sign-in", page: s.pageUserTOTPReset},
	}...)
}

func (s *Server) pageHome(pc *pageCall) error {
	return pc.page("home", "home.title", nil)
}

// pageLangPost stores a visitor's language choice in a cookie (and a user's in
// the account) and goes back to the page it came from.
func (s *Server) pageLangPost(pc *pageCall) error {
	lang := pc.form("lang")
	if lang != "nl" && lang != "en" {
		return errs.FieldKeyed("lang", lang, "lang.nlen", "must be nl or en")
	}
	s.setCookie(pc.w, langCookie, lang, 365*24*time.Hour)
	if pc.user != nil {
		// The signed-in account's stored language changes, and that is
		// recorded (a visitor's choice lives only in the cookie).
		if _, err := s.app.SetUserLang(pc.ctx(), pc.user.ID, lang); err != nil {
			return err
		}
	}
	return pc.redirect(localPath(pc.form("back")))
}

// localPath returns p if it is a path of this site, else "/": redirects
// never leave the portal. Browsers are lenient with a Location: they drop
// tabs and newlines anywhere, read a backslash as a slash and some decode
// an escaped slash, so "/\t/evil.example" or "/\\evil.example" would take the
// visitor to another host. A path is kept only if it parses without scheme
// or host, holds no control character or space of any kind (an escaped one
// is fine), and neither it nor its unescaped form, with tabs and newlines
// removed, starts with two slashes or a slash and a backslash.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || !utf8.ValidString(p) {
		return "/"
	}
	for _, r := range p {
		if unicode.IsControl(r) || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return "/"
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		return "/"
	}
	unescaped, err := url.PathUnescape(p)
	if err != nil {
		return "/"
	}
	for _, q := range []string{p, unescaped} {
		q = strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, q)
		if len(q) > 1 && (q[1] == '/' || q[1] == '\\') {
			return "/"
		}
	}
	return p
}

type loginForm struct {
	Email string
	Next  string
}

func (s *Server) pageLogin(pc *pageCall) error {
	if pc.user != nil && pc.ses.Verified {
		return pc.redirect(localPath(pc.query("next")))
	}
	return pc.page("login", "login.title", loginForm{Next: pc.query("next")})
}

func (s *Server) pageLoginPost(pc *pageCall) error {
	f := loginForm{Email: pc.form("email"), Next: pc.query("next")}
	if !s.loginLimit.Allow(s.clientIP(pc.r)) {
		s.auditSignIn(pc.r, f.Email, account.Login{}, tooMany)
		return pc.formError(errs.Keyed(errs.Forbidden, "", "login.toomany", "too many sign-in attempts from your address; wait a minute"), "login", "login.title", f)
	}
	l, err := s.accounts.Login(pc.ctx(), f.Email, pc.r.PostFormValue("password"))
	s.auditSignIn(pc.r, f.Email, l, err)
	if err != nil {
		if errs.CodeOf(err) == errs.Unauthorized && !errors.Is(err, account.ErrUnconfirmed) {
			err = keepKey(&errs.Error{Code: errs.Unauthorized, Field: "password", Message: errs.Message(err)}, err)
		}
		return pc.formError(err, "login", "login.title", f)
	}
	return s.signedIn(pc, l, localPath(f.Next))
}

// signedIn ends the browser's old session, if any (a new session for every
// sign-in), sets the cookie of the new one, and leads to its second factor
// or, when none is asked, to next.
func (s *Server) signedIn(pc *pageCall, l account.Login, next string) error {
	if pc.secret != "" {
		_ = s.accounts.Logout(pc.ctx(), pc.secret)
	}
	s.setCookie(pc.w, sessionCookie, l.Secret, account.MaxAge)
	switch {
	case l.NeedTOTP:
		return pc.redirect("/login/totp")
	case l.NeedEnrol:
		return pc.redirect("/login/enrol")
	}
	return pc.redirect(next)
}

func (s *Server) pageTOTP(pc *pageCall) error {
	if pc.ses.Verified {
		return pc.redirect("/")
	}
	return pc.page("totp", "totp.title", nil)
}

// pageTOTPPost checks the second factor of a half session, under the
// per-client limit of the password step. A right code replaces the
// session by a new verified one (a new cookie); the wrong code that ends
// the half session (account.ErrTOTPAgain) leads back to the sign-in page,
// which says why.
func (s *Server) pageTOTPPost(pc *pageCall) error {
	if !s.loginLimit.Allow(s.clientIP(pc.r)) {
		s.auditSecondFactor(pc.r, *pc.user, tooMany)
		return pc.formError(tooMany, "totp", "totp.title", nil)
	}
	l, err := s.accounts.SecondFactor(pc.ctx(), pc.ses, pc.form("code"))
	s.auditSecondFactor(pc.r, *pc.user, err)
	if errors.Is(err, account.ErrTOTPAgain) {
		s.clearCookie(pc.w, pc.r, sessionCookie)
		return pc.redirect("/login?msg=login.again")
	}
	if err != nil {
		return pc.formError(err, "totp", "totp.title", nil)
	}
	s.setVerified(pc, l)
	return pc.redirect("/")
}

// setVerified sets the cookie of the session that replaced a half one
// once its second factor was given or enrolled (none when the session was
// verified already and kept).
func (s *Server) setVerified(pc *pageCall, l account.Login) {
	if l.Secret != "" {
		s.setCookie(pc.w, sessionCookie, l.Secret, account.MaxAge)
	}
}

// enrolView is the enrolment form: the new key travels in a hidden field
// and is stored only when a code for it is given. Change is true for an
// account that has a second factor: replacing it asks for the current
// password and a code of the current factor.
type enrolView struct {
	Key      account.TOTPKey
	Required bool
	Change   bool
}

func (s *Server) pageEnrol(pc *pageCall) error {
	if pc.user.TOTP && !pc.ses.Verified {
		return pc.redirect("/login/totp")
	}
	k, err := account.NewTOTP("vigil", pc.user.Email)
	if err != nil {
		return err
	}
	return pc.page("enrol", "enrol.title", enrolView{Key: k, Required: pc.user.NeedsTOTP(), Change: pc.user.TOTP})
}

// pageEnrolPost stores a new second factor; one that replaces the
// account's present factor needs its current password and code, checked
// as a sign-in is (the per-client limit, the lockout). The owner is told
// by e-mail.
func (s *Server) pageEnrolPost(pc *pageCall) error {
	if pc.user.TOTP && !pc.ses.Verified {
		return errs.Keyed(errs.Forbidden, "", "totp.first", "give your current second factor first")
	}
	refuse := func(err error) error {
		k, kerr := account.NewTOTP("vigil", pc.user.Email)
		if kerr != nil {
			return kerr
		}
		return pc.formError(err, "enrol", "enrol.title", enrolView{Key: k, Required: pc.user.NeedsTOTP(), Change: pc.user.TOTP})
	}
	if pc.user.TOTP && !s.loginLimit.Allow(s.clientIP(pc.r)) {
		return refuse(tooMany)
	}
	l, err := s.accounts.ChangeSecondFactor(pc.ctx(), pc.ses, pc.r.PostFormValue("password"), pc.form("current"), pc.form("secret"), pc.form("code"))
	if err != nil {
		return refuse(err)
	}
	s.setVerified(pc, l)
	if err := s.mailChanged(pc.ctx(), *pc.user, "mail.changed.totp"); err != nil {
		return err
	}
	return pc.redirect("/")
}

func (s *Server) pageLogout(pc *pageCall) error {
	if err := s.accounts.Logout(pc.ctx(), pc.secret); err != nil {
		return err
	}
	s.clearCookie(pc.w, pc.r, sessionCookie)
	return pc.redirect("/")
}

func (s *Server) pageAccount(pc *pageCall) error {
	return pc.page("account", "account.title", nil)
}

// pageAccountPassword changes the signed-in account's password given the
// current one, which is checked as a sign-in is (the per-client limit, the
// lockout); the owner is told by e-mail.
func (s *Server) pageAccountPassword(pc *pageCall) error {
	if !s.loginLimit.Allow(s.clientIP(pc.r)) {
		return pc.formError(tooMany, "account", "account.title", nil)
	}
	if err := s.accounts.ChangePassword(pc.ctx(), pc.user.ID, pc.r.PostFormValue("old"), pc.r.PostFormValue("password"), pc.ses.ID); err != nil {
		return pc.formError(err, "account", "account.title", nil)
	}
	if err := s.mailChanged(pc.ctx(), *pc.user, "mail.changed.password"); err != nil {
		return err
	}
	return pc.redirect("/account?msg=account.pw.done")
}

// orgView is an organisation's overview.
type orgView struct {
	Org           registry.Org
	Open, Resolve int
	// Approval is the organisation's wait (pending or rejected); nil
	// once it is approved.
	Approval *registry.Approval
}

func (s *Server) pageOrg(pc *pageCall) error {
	o, err := s.store.OrgGet(pc.ctx(), pc.scope(), pc.org)
	if err != nil {
		return err
	}
	v := orgView{Org: o}
	if v.Approval, err = s.approval(pc); err != nil {
		return err
	}
	for _, st := range []finding.Status{finding.Open, finding.Resolved} {
		n, err := s.store.FindingCount(pc.ctx(), pc.scope(), finding.Filter{Status: st})
		if err != nil {
			return err
		}
		if st == finding.Open {
			v.Open = n
		} else {
			v.Resolve = n
		}
	}
	return pc.page("org", "org.title", v)
}

// findingsView is a page of findings.
type findingsView struct {
	Items    []finding.Finding
	Triggers []string
	Next     string // the next page's URL, "" on the last page
	// First and Prev are the first and the previous page's URLs, "" on
	// the first page.
	First, Prev string
}

// pageFindings shows a page of an organisation's findings in id order:
// after an id (the next page), before one (the previous page; when fewer
// than a page precede it, the first page) or from the start.
func (s *Server) pageFindings(pc *pageCall) error {
	p := keyset.Page{Limit: 51}
	if v := pc.query("after"); v != "" {
		p.After, _ = strconv.ParseInt(v, 10, 64)
	}
	if v := pc.query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return errs.Keyed(codeBadRequest, "limit", "int.range", "%q: must be an integer from 1 to %d", v, maxLimit)
		}
		p.Limit = n + 1
	}
	f := findingFilter(pc.query, p)
	if v := pc.query("before"); v != "" {
		f.Before, _ = strconv.ParseInt(v, 10, 64) // an integer, checked by the route
	}
	items, err := s.store.FindingList(pc.ctx(), pc.scope(), f)
	if err != nil {
		return err
	}
	back := f.Before > 0
	if back && len(items) < p.Limit {
		// Less than a page precedes it: the first page.
		back, f.Before = false, 0
		if items, err = s.store.FindingList(pc.ctx(), pc.scope(), f); err != nil {
			return err
		}
	}
	v := findingsView{Items: items}
	link := func(set string, id int64) string {
		q := pc.r.URL.Query()
		q.Del("msg")
		q.Del("after")
		q.Del("before")
		if set != "" {
			q.Set(set, strconv.FormatInt(id, 10))
		}
		if len(q) == 0 {
			return pc.r.URL.Path
		}
		return pc.r.URL.Path + "?" + q.Encode()
	}
	switch {
	case back:
		// One more than a page came back: the oldest one is the sign
		// that a page precedes this one.
		v.Items = items[1:]
		v.First, v.Prev = link("", 0), link("before", v.Items[0].ID)
		v.Next = link("after", v.Items[len(v.Items)-1].ID)
	default:
		if len(items) == p.Limit {
			v.Items = items[:p.Limit-1]
			v.Next = link("after", v.Items[len(v.Items)-1].ID)
		}
		if f.After > 0 {
			v.First = link("", 0)
			if len(v.Items) > 0 {
				v.Prev = link("before", v.Items[0].ID)
			} else {
				v.Prev = v.First
			}
		}
	}
	if v.Triggers, err = s.store.TriggerNames(pc.ctx(), pc.scope()); err != nil {
		return err
	}
	return pc.page("findings", "findings.title", v)
}

func (s *Server) pageDashboard(pc *pageCall) error {
	v, err := s.dashboard(pc)
	if err != nil {
		return err
	}
	return pc.page("dashboard", "dash.title", v)
}

// usersView is the accounts page.
type usersView struct {
	Users []account.User
	Orgs  []registry.Org
	Form  url.Values
}

func (s *Server) usersView(pc *pageCall) (usersView, error) {
	us, err := s.store.UserList(pc.ctx())
	if err != nil {
		return usersView{}, err
	}
	orgs, err := s.store.OrgListAll(pc.ctx(), pc.scope())
	return usersView{Users: us, Orgs: orgs, Form: pc.r.PostForm}, err
}

func (s *Server) pageUsers(pc *pageCall) error {
	v, err := s.usersView(pc)
	if err != nil {
		return err
	}
	return pc.page("users", "users.title", v)
}

func (s *Server) pageUserCreate(pc *pageCall) error {
	in := UserInput{Email: pc.form("email"), Name: pc.form("name"), Lang: pc.form("lang"), Role: account.Role(pc.form("role")),
		Password: pc.r.PostFormValue("password")}
	if v := pc.form("org"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return errs.Keyed(codeBadRequest, "org", "org.id", "%q: not an organisation id", v)
		}
		in.Orgs = []MembershipInput{{OrgID: id, Role: account.Role(pc.form("org_role"))}}
	}
	if _, err := s.createUser(pc.ctx(), pc.scope(), in); err != nil {
		v, verr := s.usersView(pc)
		if verr != nil {
			return verr
		}
		return pc.formError(formField(err), "users", "users.title", v)
	}
	return pc.redirect("/admin/users?msg=users.created")
}

// pageUserRole changes an account's role from its row on the accounts page.
func (s *Server) pageUserRole(pc *pageCall) error {
	return s.pageUserChange(pc, func(id int64) error {
		_, err := s.app.SetUserRole(pc.ctx(), pc.user.ID, id, pc.form("role"))
		return err
	})
}

// pageUserDisable disables an account from its row on the accounts page.
func (s *Server) pageUserDisable(pc *pageCall) error {
	return s.pageUserChange(pc, func(id int64) error {
		_, err := s.app.SetUserDisabled(pc.ctx(), pc.user.ID, id, true)
		return err
	})
}

// pageUserEnable enables a disabled account.
func (s *Server) pageUserEnable(pc *pageCall) error {
	return s.pageUserChange(pc, func(id int64) error {
		_, err := s.app.SetUserDisabled(pc.ctx(), pc.user.ID, id, false)
		return err
	})
}

// pageUserTOTPReset resets the second factor of an account that lost it,
// from its row on the accounts page.
func (s *Server) pageUserTOTPReset(pc *pageCall) error {
	return s.pageUserChange(pc, func(id int64) error {
		_, err := s.app.ResetUserTOTP(pc.ctx(), pc.user.ID, id)
		return err
	})
}

// pageUserChange runs one (audited) change of account {uid} and shows a
// refusal beside the account's row, inside the page.
func (s *Server) pageUserChange(pc *pageCall, do func(id int64) error) error {
	id, err := pc.pathID("uid")
	if err != nil {
		return err
	}
	if err := do(id); err != nil {
		if errs.CodeOf(err) != errs.Invalid {
			return err
		}
		v, verr := s.usersView(pc)
		if verr != nil {
			return verr
		}
		var e *errs.Error
		if errors.As(err, &e) && e.Field != "" {
			row := *e
			row.Field = fmt.Sprintf("%s-%d", e.Field, id) // the field of the account's row
			err = &row
		}
		return pc.formError(err, "users", "users.title", v)
	}
	return pc.redirect("/admin/users?msg=users.changed")
}

// formField maps an API field path to the form's field name
// (orgs[0].org_id → org).
func formField(err error) error {
	var e *errs.Error
	if !errors.As(err, &e) {
		return err
	}
	switch e.Field {
	case "orgs[0].org_id":
		return keepKey(&errs.Error{Code: e.Code, Field: "org", Message: e.Message, Err: err}, err)
	case "orgs[0].role":
		return keepKey(&errs.Error{Code: e.Code, Field: "org_role", Message: e.Message, Err: err}, err)
	}
	return err
}

// audit records a staff action of the signed-in user.
func (s *Server) audit(pc *pageCall, action string, org int64, object, detail string) error {
	return s.app.Audit(pc.ctx(), account.AuditEntry{UserID: pc.user.ID, Actor: pc.user.Email, Action: action,
		OrgID: org, Object: object, Detail: detail})
}

func (s *Server) pageForgot(pc *pageCall) error {
	return pc.page("forgot", "forgot.title", loginForm{})
}

// pageForgotPost sends a reset link through the outbox. The answer is the
// same whether or not the address has an account.
func (s *Server) pageForgotPost(pc *pageCall) error {
	f := loginForm{Email: pc.form("email")}
	if err := s.requestReset(pc.r, f.Email, pc.lang); err != nil {
		return pc.formError(err, "forgot", "forgot.title", f)
	}
	return pc.redirect("/login?msg=forgot.sent")
}

// resetForm is the new-password form; the token travels in a hidden field.
type resetForm struct{ Token string }

func (s *Server) pageReset(pc *pageCall) error {
	return pc.page("reset", "reset.title", resetForm{Token: pc.query("token")})
}

func (s *Server) pageResetPost(pc *pageCall) error {
	f := resetForm{Token: pc.form("token")}
	if err := s.resetPassword(pc.r, f.Token, pc.r.PostFormValue("password")); err != nil {
		return pc.formError(err, "reset", "reset.title", f)
	}
	return pc.redirect("/login?msg=reset.done")
}
