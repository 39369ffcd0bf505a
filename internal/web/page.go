// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"bytes"
	"context"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/tenant"
)

// PagePath is the path prefix of organisation pages. The organisation a
// page acts for is always named in its path, so that a user acting for
// several organisations chooses it explicitly on every page; the page
// checks run as for OrgPath: a user who is not a member gets 404, as if
// the organisation did not exist.
const PagePath = "/orgs/{id}"

// Cookie names: SessionCookie carries the session's secret, LangCookie a
// visitor's choice of language ("en" or "nl").
const (
	SessionCookie = "vigil_session"
	LangCookie    = "vigil_lang"

	sessionCookie = SessionCookie
	langCookie    = LangCookie
)

// ContentSecurityPolicy is sent with every page: scripts and styles only
// from the portal's own files (no inline script or style), no framing.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

//go:embed templates/*.html templates/partials/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// pageCall is one request to a page route, after the session and the
// route's checks.
type pageCall struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	route *Route
	lang  string
	// user is the signed-in user (nil: anonymous), ses and secret its
	// session and cookie value.
	user   *account.User
	ses    account.Session
	secret string
	// p is who the page acts as: the operator for staff, the
	// organisation for a member on an organisation page.
	p auth.Principal
	// org is the {id} of an organisation page, checked to be visible.
	org     int64
	orgName string
}

func (pc *pageCall) ctx() context.Context { return pc.r.Context() }

// scope is the tenant scope of the page's store calls: organisation {id}
// on an organisation page, else the principal's (the operator for staff,
// nothing for others).
func (pc *pageCall) scope() tenant.Scope {
	if pc.org != 0 {
		return tenant.Org(pc.org)
	}
	return pc.p.Tenant()
}

// pathID parses a path parameter as a positive id.
func (pc *pageCall) pathID(name string) (int64, error) {
	v := pc.r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.Keyed(codeBadRequest, name, "id.invalid", "%q: not an id (a positive integer)", v)
	}
	return id, nil
}

func (pc *pageCall) query(name string) string { return pc.r.URL.Query().Get(name) }

// form returns a submitted form value, trimmed.
func (pc *pageCall) form(name string) string { return strings.TrimSpace(pc.r.PostFormValue(name)) }

// redirect answers 303 See Other to a path of the portal.
func (pc *pageCall) redirect(to string) error {
	http.Redirect(pc.w, pc.r, to, http.StatusSeeOther)
	return nil
}

// view is what every template gets: the page's data and the layout's.
type view struct {
	Lang   string
	Title  string
	User   *account.User
	Org    int64
	OrgNm  string
	CSRF   string
	Path   string
	Query  url.Values
	Errors map[string]string
	// Summary lists Errors for the summary at the top of the page, each
	// field by its visible label.
	Summary []fieldError
	// Main is the page's own body, rendered before the layout (so that the
	// summary can name each field by its label).
	Main template.HTML
	// Msg is the key of a message to show (a finished action).
	Msg  string
	Data any

	msgs map[string]string
	// maker is set when the viewer acts for Org as a maker or test lab;
	// open reports whether a GET page of the organisation (its path below
	// PagePath) is open to a maker (maker) or a member.
	maker bool
	open  func(sub string, maker bool) bool
	// noMail is set when no e-mail can leave (app.SendsMail); mailbox
	// when the App has the demo's mailbox.
	noMail, mailbox bool
}

// Can reports whether the viewer may open the organisation page sub (its
// path below PagePath, as the route table writes it: "/findings",
// "/findings/{fid}"), by the route's Makers: the navigation and the links
// of pages a maker also sees offer only what the viewer may use.
func (v *view) Can(sub string) bool { return v.open != nil && v.open(sub, v.maker) }

// OwnActs reports whether the viewer may answer the organisation's
// warnings itself (the routes marked Route.OwnAct: acknowledge, dispute):
// its members may, staff may not.
func (v *view) OwnActs() bool { return v.User != nil && !v.User.Staff() }

// Landing returns the page the organisation chooser links a membership
// to: the organisation's overview, or for a role that may not see it (a
// maker) its products.
func (v *view) Landing(m account.Membership) string {
	base := "/orgs/" + strconv.FormatInt(m.OrgID, 10)
	if v.open != nil && v.open("", m.Role == account.RoleMaker) {
		return base
	}
	return base + "/products"
}

// T translates a message key, formatting args into it.
func (v *view) T(key string, args ...any) string {
	s, ok := v.msgs[key]
	if !ok {
		s = key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Code names a coded value in the page's language: kind is "sev"
// (severity), "status" (of a finding), "asset" (kind) or "contact" (role),
// value the code as the API writes it. A code without a name is shown as
// it is.
func (v *view) Code(kind string, value any) string {
	code := fmt.Sprint(value)
	if s, ok := v.msgs["code."+kind+"."+code]; ok {
		return s
	}
	return code
}

// Err returns the error message of a form field ("" when it has none).
func (v *view) Err(field string) string { return v.Errors[field] }

// Staff reports whether the viewer is an analyst or administrator.
func (v *view) Staff() bool { return v.User != nil && v.User.Staff() }

// Admin reports whether the viewer is an administrator.
func (v *view) Admin() bool { return v.User != nil && v.User.Role == account.RoleAdmin }

// NoMail reports whether the installation sends no e-mail: the forms
// whose only effect is one (sign-up, password reset, invitation) say so
// instead of asking.
func (v *view) NoMail() bool { return v.noMail }

// Mailbox reports whether the navigation offers the viewer the demo
// mailbox (an administrator, in the demo).
func (v *view) Mailbox() bool { return v.mailbox && v.Admin() }

// OrgURL returns a path below the current organisation's pages.
func (v *view) OrgURL(sub string) string {
	return "/orgs/" + strconv.FormatInt(v.Org, 10) + sub
}

// FilteredURL returns a path below the current organisation's pages with
// the page's filters: its query without the paging and the message, as
// one value, so that html/template escapes it as a URL (written after a
// literal "?", the query was escaped as one query value, "=" and "&"
// included, and a download link of a filtered list was refused).
func (v *view) FilteredURL(sub string) string {
	q := url.Values{}
	for k, vs := range v.Query {
		if k != "after" && k != "before" && k != "limit" && k != "msg" {
			q[k] = vs
		}
	}
	if len(q) == 0 {
		return v.OrgURL(sub)
	}
	return v.OrgURL(sub) + "?" + q.Encode()
}

// orgPageOpen reports whether the organisation's GET page at PagePath+sub
// serves a maker (maker) or a member: the route table's Makers, checked
// as preparePage checks it. A path that names no page is open to nobody.
func (s *Server) orgPageOpen(sub string, maker bool) bool {
	for i := range s.routes {
		rt := &s.routes[i]
		if rt.IsPage() && rt.Method == http.MethodGet && rt.Path == PagePath+sub {
			return checkOrgRole(rt, auth.Principal{OrgID: 1, Maker: maker}) == nil
		}
	}
	return false
}

// templates are the parsed page templates, each with the layout.
type templates map[string]*template.Template

func parseTemplates() (templates, error) {
	funcs := template.FuncMap{
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("2006-01-02 15:04")
		},
		"day":      func(t time.Time) string { return t.UTC().Format("2006-01-02") },
		"iso":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"add":      func(a, b int) int { return a + b },
		"str":      func(v any) string { return fmt.Sprint(v) },
		"percent":  func(f float64) string { return strconv.Itoa(int(f*100+0.5)) + "%" },
		"list":     func(v ...string) []string { return v },
		"evidence": evidenceFields,
	}
	// Every page is parsed against the layout and the partials (the
	// fragments pages share, each a {{define}}), never against another page.
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := templates{}
	for _, n := range names {
		name := path.Base(n)
		if name == "layout.html" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		out[strings.TrimSuffix(name, ".html")] = t
	}
	return out, nil
}

// render writes a page with the layout and status.
func (pc *pageCall) render(status int, name, title string, data any, formErrs map[string]string) error {
	t, ok := pc.s.tmpl[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	v := &view{Lang: pc.lang, User: pc.user, Org: pc.org, OrgNm: pc.orgName, CSRF: pc.ses.CSRF, Path: pc.r.URL.Path,
		Query: pc.r.URL.Query(), Errors: formErrs, Data: data, msgs: pc.s.messages(pc.lang), maker: pc.p.Maker, open: pc.s.orgPageOpen,
		noMail: !pc.s.app.SendsMail(), mailbox: pc.s.app.Mailbox() != nil}
	if pc.route != nil && pc.route.Method == http.MethodGet {
		v.Msg = pc.query("msg")
	}
	v.Title = v.T(title)
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "main", v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	v.Main = template.HTML(b.String()) //nolint:gosec // the page's own template output, escaped as it was rendered
	v.Summary = errorSummary(b.Bytes(), formErrs, v.T("form.field"))
	b.Reset()
	if err := t.ExecuteTemplate(&b, "layout.html", v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	h := pc.w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", pc.lang)
	h.Set("Cache-Control", "no-store")
	pc.w.WriteHeader(status)
	_, _ = pc.w.Write(b.Bytes())
	return nil
}

// fragment writes the template block name of page's templates without the
// layout, for htmx to swap into the page it polls.
func (pc *pageCall) fragment(page, name string, data any) error {
	t, ok := pc.s.tmpl[page]
	if !ok {
		return fmt.Errorf("no template %q", page)
	}
	v := &view{Lang: pc.lang, User: pc.user, Org: pc.org, OrgNm: pc.orgName, CSRF: pc.ses.CSRF, Path: pc.r.URL.Path,
		Query: pc.r.URL.Query(), Data: data, msgs: pc.s.messages(pc.lang), maker: pc.p.Maker, open: pc.s.orgPageOpen}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, name, v); err != nil {
		return fmt.Errorf("render %s of %s: %w", name, page, err)
	}
	h := pc.w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", pc.lang)
	h.Set("Cache-Control", "no-store")
	_, _ = pc.w.Write(b.Bytes())
	return nil
}

// page renders a page with status 200.
func (pc *pageCall) page(name, title string, data any) error {
	return pc.render(http.StatusOK, name, title, data, nil)
}

// formError re-renders a form after err: invalid input gets 422 and the
// message beside its field (and at the top), a refusal its status (403,
// 409, 401, 429 for a limit on a field such as an invitation over the
// daily limit, or 503 when the service lacks what the form needs:
// e-mail); other errors (a client's request rate, which names no field)
// go to the error page.
func (pc *pageCall) formError(err error, name, title string, data any) error {
	var e *errs.Error
	if !errors.As(err, &e) || (e.Code != errs.Invalid && e.Code != codeBadRequest && e.Code != errs.Conflict && e.Code != errs.Unauthorized && e.Code != errs.Forbidden && e.Code != codeUnavailable && (e.Code != errs.TooMany || e.Field == "")) {
		return err
	}
	field := e.Field
	if field == "" {
		field = "_"
	}
	status := http.StatusUnprocessableEntity
	switch e.Code {
	case codeUnavailable:
		status = http.StatusServiceUnavailable
	case errs.Conflict:
		status = http.StatusConflict
	case errs.Unauthorized:
		status = http.StatusUnauthorized
	case errs.Forbidden:
		status = http.StatusForbidden
	case errs.TooMany:
		status = http.StatusTooManyRequests
		setRetryAfter(pc.w.Header(), err)
	}
	// The field is named beside the message (and by its label in the
	// summary).
	msg := pc.s.errorText(err, pc.lang, e.Field == "")
	return pc.render(status, name, title, data, map[string]string{field: msg})
}

// servePage runs a page route: security headers, session, the route's
// checks, CSRF protection of unsafe methods, then the handler. Errors
// become HTML error pages with the status of their code.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request, rt *Route) {
	setPageHeaders(w.Header())
	// A refused form answers with its own status (formError) and no
	// error: the status, not the error, says whether the call succeeded.
	sw := &statusWriter{ResponseWriter: w}
	pc := &pageCall{s: s, w: sw, r: r, route: rt}
	err := s.preparePage(pc)
	if err == nil && changes(rt) {
		t := &app.AuditTrail{Via: account.AuditPortal, Actor: "anonymous"}
		if pc.user != nil {
			t.Actor, t.UserID = pc.user.Email, pc.user.ID
		}
		pc.r = pc.r.WithContext(app.WithAuditTrail(pc.r.Context(), t))
	}
	var before json.RawMessage
	if err == nil && changes(rt) && pc.org != 0 {
		before = s.app.OrgSnapshot(pc.ctx(), pc.org)
	}
	if err == nil {
		err = rt.page(pc)
	}
	if err == nil && changes(rt) && sw.status < 400 {
		err = s.auditDone(pc.ctx(), rt, pc.r, pc.org, before)
	}
	if err != nil {
		s.pageError(pc, err)
	}
}

func setPageHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
}

// errRedirect is returned by preparePage when it has answered with a
// redirect (to the login page).
var errRedirect = errors.New("redirected")

func (s *Server) preparePage(pc *pageCall) error {
	r, rt := pc.r, pc.route
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		ses, u, err := s.accounts.Session(r.Context(), c.Value)
		switch {
		case err == nil:
			pc.ses, pc.user, pc.secret = ses, &u, c.Value
		case errs.CodeOf(err) != errs.Unauthorized:
			return err
		default:
			s.clearCookie(pc.w, r, sessionCookie)
		}
	}
	pc.lang = s.pageLang(r, pc.user)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if err := s.cop.Check(r); err != nil {
			return errs.Keyed(errs.Forbidden, "", "request.crossorigin", "cross-origin request refused")
		}
		// An upload form may carry its route's file and the server's
		// limit of other fields; files beyond that limit wait in
		// temporary files, not in memory.
		r.Body = http.MaxBytesReader(pc.w, r.Body, rt.MaxBody+s.maxBody)
		var perr error
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			perr = r.ParseMultipartForm(s.maxBody)
		} else {
			perr = r.ParseForm()
		}
		if perr != nil {
			var mbe *http.MaxBytesError
			if errors.As(perr, &mbe) {
				return errs.Keyed(codeTooLarge, "", "form.large", "the form exceeds %d bytes", mbe.Limit)
			}
			return errs.Keyed(codeBadRequest, "", "form.malformed", "malformed form")
		}
		// Forms of a session carry its token (defence in depth beside
		// the Fetch-metadata check above).
		if pc.user != nil && subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(pc.ses.CSRF)) != 1 {
			if !rt.signIn {
				return errs.Keyed(errs.Forbidden, "", "form.expired", "the form has expired; reload the page and try again")
			}
			// The sign-in form loaded before this browser signed in (in
			// another tab): it acts for no session, exactly as a
			// visitor's sign-in, which the cross-origin check above
			// guards; a successful one ends the old session (signedIn).
			pc.ses, pc.user = account.Session{}, nil
		}
	}
	if err := checkQuery(r, append(rt.Query, Param{Name: "msg", Type: "string"})); err != nil {
		return err
	}
	if rt.Public {
		return nil
	}
	if pc.user == nil || (!pc.ses.Verified && !rt.half) {
		if pc.user != nil && !pc.ses.Verified {
			_ = pc.redirect("/login/totp")
			return errRedirect
		}
		next := r.URL.Path
		if r.Method != http.MethodGet {
			next = "/"
		}
		_ = pc.redirect("/login?next=" + url.QueryEscape(next))
		return errRedirect
	}
	u := pc.user
	pc.p = auth.Principal{UserID: u.ID}
	if u.Staff() {
		pc.p.Scopes = []auth.Scope{auth.ScopeAdmin}
	}
	if rt.Role != "" && !u.Has(rt.Role) {
		return errs.Keyed(errs.Forbidden, "", "page.role", "this page is for %s accounts", rt.Role)
	}
	if rt.OrgScoped() {
		id, err := pc.pathID("id")
		if err != nil {
			return err
		}
		if !u.Staff() && u.MemberOf(id) == "" {
			return errs.Keyed(errs.NotFound, "", "org.notfound", "organisation %d not found", id)
		}
		o, err := s.store.OrgGet(r.Context(), tenant.Org(id), id)
		if err != nil {
			return err
		}
		pc.org, pc.orgName = id, o.Name
		if !u.Staff() {
			pc.p = auth.Principal{UserID: u.ID, OrgID: id, Scopes: []auth.Scope{auth.ScopeRead, auth.ScopeWrite},
				Maker: u.MemberOf(id) == account.RoleMaker}
		}
		if err := checkOrgRole(rt, pc.p); err != nil {
			return err
		}
	}
	return nil
}

// pageError answers err as an HTML error page (the status of its code;
// internal errors are logged and shown without their cause).
func (s *Server) pageError(pc *pageCall, err error) {
	if errors.Is(err, errRedirect) {
		return
	}
	p := s.problemFor(err, pc.r.URL.Path)
	if p.Status >= 500 {
		s.log.Error("page failed", "method", pc.r.Method, "path", pc.r.URL.Path, "status", p.Status, "err", err.Error())
	}
	if pc.lang == "" {
		pc.lang = s.pageLang(pc.r, pc.user)
	}
	var e *errs.Error
	if errors.As(err, &e) && e.Key != "" && p.Status < 500 {
		p.Detail = s.errorText(err, pc.lang, true)
	}
	if p.Status == http.StatusTooManyRequests {
		setRetryAfter(pc.w.Header(), err)
	}
	if rerr := pc.render(p.Status, "error", "error.title", p, nil); rerr != nil {
		s.log.Error("error page failed", "err", rerr)
		http.Error(pc.w, p.Detail, p.Status)
	}
}

// setCookie sets a Secure, HttpOnly, SameSite=Lax cookie for the whole
// portal. Browsers keep Secure cookies only over HTTPS and on
// http://localhost or 127.0.0.1, so the portal is served through HTTPS
// (docs/operations.md: behind a TLS-terminating proxy) or on loopback.
func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearCookie(w http.ResponseWriter, _ *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
}

// fileRoutes serve the embedded front-end files (htmx, the CSS framework,
// the portal's own style, and their licences), one route per file.
func (s *Server) fileRoutes() []Route {
	ents, _ := fs.ReadDir(assetFS, "assets") // an embedded directory always reads
	var rs []Route
	for _, e := range ents {
		name := e.Name()
		b, _ := fs.ReadFile(assetFS, "assets/"+name)
		ct := "text/plain; charset=utf-8"
		switch path.Ext(name) {
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".css":
			ct = "text/css; charset=utf-8"
		case ".svg":
			ct = "image/svg+xml"
		}
		id := "asset"
		for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '.' || r == '-' }) {
			id += strings.ToUpper(part[:1]) + part[1:]
		}
		rs = append(rs, Route{ID: id, Method: http.MethodGet, Path: "/assets/" + name, Tag: "portal", Public: true,
			ContentType: strings.SplitN(ct, ";", 2)[0], Summary: "Portal file " + name,
			raw: func(w http.ResponseWriter, _ *http.Request) {
				h := w.Header()
				h.Set("Content-Type", ct)
				h.Set("X-Content-Type-Options", "nosniff")
				h.Set("Cache-Control", "public, max-age=3600")
				_, _ = w.Write(b)
			}})
	}
	return rs
}

// fileTooLarge refuses an upload form's file above its route's MaxBody,
// naming the form's field.
func (pc *pageCall) fileTooLarge(field string, hdr *multipart.FileHeader) error {
	if hdr.Size <= pc.route.MaxBody {
		return nil
	}
	return errs.FieldKeyed(field, hdr.Filename, "file.large", "the file is larger than %d MiB", pc.route.MaxBody>>20)
}
