// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"vigil/internal/account"
	"vigil/internal/app"
	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/keyset"
	"vigil/internal/tenant"
	"vigil/internal/text"
)

// OrgPath is the path prefix of organisation-scoped routes. Every route
// whose path starts with it is checked before its handler runs: the
// caller must be allowed to see organisation {id} (else 404, as if it did
// not exist) and the organisation must exist.
const OrgPath = "/api/v1/orgs/{id}"

// Route is one row of the route table. The table drives the ServeMux, the
// authentication and tenant checks and the OpenAPI document.
//
// To add an endpoint: write a handler method on *Server with the signature
// func(c *call) (any, error), register its request and response types in
// newSchemas, and add a Route to a group returned by Server.table. Paths
// below OrgPath are tenant-checked automatically; any other route that is
// not operator-only must filter by the caller itself (and the tenant
// isolation test demands an explicit check for it).
type Route struct {
	// ID is the OpenAPI operationId, unique in the table.
	ID string
	// Method is the HTTP method (GET also answers HEAD).
	Method string
	// Path is the ServeMux path pattern and the OpenAPI path, with
	// {name} wildcards; ids are positive integers.
	Path string
	// Summary is a one-line description for the OpenAPI document.
	Summary string
	// Tag groups routes in the OpenAPI document.
	Tag string
	// Public routes need no token.
	Public bool
	// Scope is the scope an organisation's token needs; empty means any
	// valid token. auth.ScopeAdmin means operator only: an organisation's
	// token gets 403. Which scope an operator token needs is
	// OperatorScope's: read for GET, operate for other methods, admin for
	// Admin routes.
	Scope auth.Scope
	// Admin marks an API route of administration (accounts, tokens,
	// settings, personal data: the API twins of the administrators'
	// pages): an operator token needs the admin scope for it, whatever
	// its method. Pages say it with Role account.RoleAdmin instead.
	Admin bool
	// Query lists the accepted query parameters; others get 400.
	Query []Param
	// Request names the schema of the JSON request body; empty: no body.
	Request string
	// Response names the schema of the JSON response; empty: no body (or a
	// non-JSON body described by ContentType).
	Response string
	// Status is the success status; zero means 200, or 204 when Response
	// and ContentType are empty.
	Status int
	// ContentType is the media type of a non-JSON response (raw routes).
	ContentType string
	// CSV marks a JSON route that also answers text/csv when asked with
	// ?format=csv (its handler returns a csvBody then).
	CSV bool

	// Role is the staff role a page needs (account.RoleAnalyst or
	// account.RoleAdmin: others get 403); empty: any signed-in user.
	Role account.Role
	// Makers opens an organisation route (page or API) to makers and
	// test labs too: an account whose membership in the organisation is
	// account.RoleMaker, or the organisation's token made for a maker.
	// Without it an organisation route is for the organisation's members
	// only (least privilege), and a maker gets 403 on it: its products,
	// devices, SBOMs, assessments with their evidence and review
	// comments, and labels are open to makers; its findings, warnings,
	// registry, contacts, policy and members are not. Staff and operator
	// tokens are not limited by it. See OrgRoles.
	Makers bool
	// OwnAct marks an organisation route (page or API) that is the
	// organisation's own answer to a warning: acknowledging one of its
	// notices, disputing one of its findings. Only the organisation's
	// members (and its own tokens) may do it; staff and operator tokens
	// get 403 (err.org.ownact), because an acknowledgement by someone
	// else would stop the warning's escalation and count in the time to
	// acknowledge as the firm's. The signed link of a warning is not an
	// organisation route and keeps working.
	OwnAct bool
	// API names the JSON route that does what this page action does; every
	// page that changes organisation data has one, so the REST API covers
	// the portal. Self pages (the signed-in account's own settings) need
	// none.
	API string
	// Self marks a page that acts only on the signed-in account. Its
	// action's API twin is a Credentials route.
	Self bool
	// NoAPI is why a page action has no API twin: it only manages the
	// browser's session or choices (signing in and out, the second
	// factor, the language cookie), which API clients, authenticated by a
	// token or credentials on each call, do not have.
	NoAPI string
	// Credentials marks a public API route whose body carries a portal
	// account's Credentials, checked as the sign-in page checks them: the
	// API twin of a Self page.
	Credentials bool
	// Stateless marks a POST that changes no stored data (a form that
	// only computes an answer, a choice kept in a cookie): its calls leave
	// no audit entry. TestStatelessRoutesLeaveNoEntry checks it; a route
	// that changes anything must not be marked.
	Stateless bool
	// MaxBody is the request body limit of an upload route (a file sent in
	// the body or in a form) when it is above the server's
	// (Config.MaxBodyBytes); a page and its API twin have the same.
	MaxBody int64

	api  func(c *call) (any, error) // JSON handler
	raw  http.HandlerFunc           // handler writing its own response (public routes only)
	page func(pc *pageCall) error   // HTML page: cookie session, CSRF, layout
	half bool                       // page open to a session still awaiting its second factor
	// signIn marks the sign-in form's POST: a browser that is signed in
	// may send it without its session's token (a form loaded before
	// another tab signed in); it is then handled as a visitor's, whose
	// sign-in replaces the session, instead of refused.
	signIn bool
}

// IsPage reports whether the route is an HTML page of the portal.
func (rt Route) IsPage() bool { return rt.page != nil }

// Reasons for a page action without an API twin (Route.NoAPI).
const (
	noAPISession = "it manages the browser's portal session; API calls carry a token or credentials instead"
	noAPICookie  = "it only keeps the visitor's language in a cookie; API clients choose theirs with Accept-Language"
)

// PageAction reports whether the route is an action of a page: a form
// (POST) or a download. Each has an API twin (API) or a reason for none
// (NoAPI). The plots a page shows are images of its figures and a
// fragment (text/html) is a part of a page: views, not actions.
func (rt Route) PageAction() bool {
	download := rt.ContentType != "" && !strings.HasPrefix(rt.ContentType, "image/") && rt.ContentType != "text/html"
	return rt.IsPage() && (rt.Method == http.MethodPost || download)
}

// HalfSession reports whether the page is open to a session still
// awaiting its second factor (the second-factor pages).
func (rt Route) HalfSession() bool { return rt.half }

// Param is a query parameter.
type Param struct {
	Name        string
	Description string
	// Type is "integer" or "string".
	Type string
	// Enum lists the allowed values of a string parameter; empty: any.
	Enum []string
	// Multi allows the parameter more than once (a form's checkboxes of
	// one name); each value is checked.
	Multi bool
}

// Pattern returns the ServeMux pattern, "METHOD PATH"; it is also the route
// label of the metrics.
func (rt Route) Pattern() string { return rt.Method + " " + rt.Path }

// OperatorOnly reports whether only operator tokens (API) or staff
// accounts (pages) may call the route.
func (rt Route) OperatorOnly() bool {
	return !rt.Public && (rt.Scope == auth.ScopeAdmin || rt.Role != "")
}

// OperatorScope returns the scope an operator token needs to call the
// route: auth.ScopeAdmin on an Admin route, auth.ScopeRead on any other
// GET (reading), auth.ScopeOperate on any other method (the analyst's
// actions on every organisation). Public routes need none ("").
func (rt Route) OperatorScope() auth.Scope {
	switch {
	case rt.Public:
		return ""
	case rt.Admin || rt.Role == account.RoleAdmin:
		return auth.ScopeAdmin
	case rt.Method == http.MethodGet || rt.Method == http.MethodHead:
		return auth.ScopeRead
	}
	return auth.ScopeOperate
}

// OrgScoped reports whether the route acts on one organisation named by
// the {id} path parameter.
func (rt Route) OrgScoped() bool {
	if rt.IsPage() {
		return rt.Path == PagePath || strings.HasPrefix(rt.Path, PagePath+"/")
	}
	return rt.Path == OrgPath || strings.HasPrefix(rt.Path, OrgPath+"/")
}

// OrgRoles returns the roles in an organisation that may use an
// organisation route: account.RoleMember, and account.RoleMaker too when
// the route is open to makers (Makers). Other routes: nil.
func (rt Route) OrgRoles() []account.Role {
	switch {
	case !rt.OrgScoped():
		return nil
	case rt.Makers:
		return []account.Role{account.RoleMember, account.RoleMaker}
	}
	return []account.Role{account.RoleMember}
}

// checkOrgRole is the role check of an organisation route, run after its
// tenant check by prepare (API) and preparePage (pages) alike: a maker (a
// maker's token, a maker membership) may use only the routes that say
// Makers. It answers 403 as for other routes the caller's role does not
// reach (operator-only routes, a token without the scope): the caller
// may see the organisation, so there is nothing to hide by a 404.
func checkOrgRole(rt *Route, p auth.Principal) error {
	if !rt.OrgScoped() {
		return nil
	}
	if rt.OwnAct && p.OrgID == 0 {
		return errs.Keyed(errs.Forbidden, "", "org.ownact", "only the organisation's own members may acknowledge its warnings and dispute its findings")
	}
	if !p.Maker || rt.Makers {
		return nil
	}
	return errs.Keyed(errs.Forbidden, "", "org.membersonly", "only the organisation's members may do this; a maker or test lab may use its products, devices, assessments and labels")
}

// PathParams returns the names of the path's wildcards in order.
func (rt Route) PathParams() []string {
	var out []string
	for _, m := range wildcardRE.FindAllStringSubmatch(rt.Path, -1) {
		out = append(out, m[1])
	}
	return out
}

// successStatus returns the status of a successful response.
func (rt Route) successStatus() int {
	switch {
	case rt.Status != 0:
		return rt.Status
	case rt.Response == "" && rt.ContentType == "":
		return http.StatusNoContent
	}
	return http.StatusOK
}

// bodyLimit is the request body limit of API route rt.
func (s *Server) bodyLimit(rt *Route) int64 {
	return max(rt.MaxBody, s.maxBody)
}

var wildcardRE = regexp.MustCompile(`\{([a-z_]+)\}`)

// checkRoutes refuses a route table that would misbehave: duplicate ids or
// patterns, unknown schemas, handlers of the wrong kind.
func (s *Server) checkRoutes() error {
	ids, pats := map[string]bool{}, map[string]bool{}
	for _, rt := range s.routes {
		handlers := 0
		for _, h := range []bool{rt.api != nil, rt.raw != nil, rt.page != nil} {
			if h {
				handlers++
			}
		}
		switch {
		case rt.ID == "" || ids[rt.ID]:
			return fmt.Errorf("web: route %s: missing or duplicate id %q", rt.Pattern(), rt.ID)
		case pats[rt.Pattern()]:
			return fmt.Errorf("web: duplicate route %s", rt.Pattern())
		case handlers != 1:
			return fmt.Errorf("web: route %s needs exactly one handler", rt.Pattern())
		case rt.IsPage() && rt.Method != http.MethodGet && rt.ContentType != "":
			return fmt.Errorf("web: page action %s answers HTML (or redirects)", rt.Pattern())
		case rt.IsPage() && (rt.Request != "" || rt.Response != "" || rt.Scope != ""):
			return fmt.Errorf("web: page %s takes forms and answers HTML: no JSON schemas or token scope", rt.Pattern())
		case rt.Makers && (!rt.OrgScoped() || rt.OperatorOnly()):
			return fmt.Errorf("web: route %s: Makers is for organisation routes that are not operator-only", rt.Pattern())
		case rt.OwnAct && (!rt.OrgScoped() || rt.OperatorOnly() || rt.Makers):
			return fmt.Errorf("web: route %s: OwnAct is for members' organisation routes", rt.Pattern())
		case rt.API != "" && rt.OwnAct != s.routeByID(rt.API).OwnAct:
			return fmt.Errorf("web: page %s and its API route %s differ in OwnAct", rt.Pattern(), rt.API)
		case rt.API != "" && rt.Makers != s.routeByID(rt.API).Makers:
			return fmt.Errorf("web: page %s and its API route %s differ in Makers", rt.Pattern(), rt.API)
		case rt.API != "" && rt.MaxBody != s.routeByID(rt.API).MaxBody:
			return fmt.Errorf("web: page %s and its API route %s differ in MaxBody", rt.Pattern(), rt.API)
		case !rt.IsPage() && (rt.Role != "" || rt.API != "" || rt.Self):
			return fmt.Errorf("web: route %s: Role, API and Self are for pages", rt.Pattern())
		case rt.Admin && (rt.IsPage() || rt.Scope != auth.ScopeAdmin):
			return fmt.Errorf("web: route %s: Admin is for operator-only API routes (pages say Role admin)", rt.Pattern())
		case rt.API != "" && (rt.Role == account.RoleAdmin) != s.routeByID(rt.API).Admin:
			return fmt.Errorf("web: page %s and its API route %s differ in being for administrators (Role admin, Admin)", rt.Pattern(), rt.API)
		case rt.IsPage() && rt.Role != "" && rt.Role != account.RoleAnalyst && rt.Role != account.RoleAdmin:
			return fmt.Errorf("web: page %s: role %q is not a staff role", rt.Pattern(), rt.Role)
		case rt.PageAction() && (rt.API == "") == (rt.NoAPI == ""):
			return fmt.Errorf("web: page action %s names no API route that does the same, or names one and a reason for none", rt.Pattern())
		case rt.API != "" && !s.apiRoute(rt.API):
			return fmt.Errorf("web: page %s names unknown API route %q", rt.Pattern(), rt.API)
		case rt.API != "" && twinRole(rt) != twinRole(s.routeByID(rt.API)):
			return fmt.Errorf("web: page %s is for %s but its API route %s is for %s", rt.Pattern(), twinRole(rt), rt.API, twinRole(s.routeByID(rt.API)))
		case rt.signIn && (!rt.IsPage() || !rt.Public || rt.Method != http.MethodPost):
			return fmt.Errorf("web: route %s: only a public page's POST signs in without its session's token", rt.Pattern())
		case rt.Credentials && (rt.IsPage() || !rt.Public || rt.Request == ""):
			return fmt.Errorf("web: route %s: Credentials are for public API routes with a body", rt.Pattern())
		case !rt.IsPage() && rt.NoAPI != "":
			return fmt.Errorf("web: route %s: NoAPI is for pages", rt.Pattern())
		case rt.raw != nil && (!rt.Public || rt.Request != "" || rt.Response != ""):
			return fmt.Errorf("web: raw route %s must be public without JSON schemas", rt.Pattern())
		case rt.Public && rt.OrgScoped():
			return fmt.Errorf("web: organisation route %s cannot be public", rt.Pattern())
		case rt.Request != "" && s.schemas.byName[rt.Request] == nil:
			return fmt.Errorf("web: route %s: unknown request schema %q", rt.Pattern(), rt.Request)
		case rt.Response != "" && s.schemas.byName[rt.Response] == nil:
			return fmt.Errorf("web: route %s: unknown response schema %q", rt.Pattern(), rt.Response)
		}
		ids[rt.ID], pats[rt.Pattern()] = true, true
	}
	return nil
}

// routeByID returns the route of the table with the id (zero if none).
func (s *Server) routeByID(id string) Route {
	for _, rt := range s.routes {
		if rt.ID == id {
			return rt
		}
	}
	return Route{}
}

// twinRole names who may call a page or an API route, in terms both
// share, so that a page action and its API twin can be compared:
// "public" (anyone), "account" (a signed-in account acting on itself: a
// Self page, a Credentials route), "operator" (staff pages, operator
// tokens), "organisation" (an organisation's members, its tokens and
// the operator's).
func twinRole(rt Route) string {
	switch {
	case rt.Self || rt.Credentials:
		return "account"
	case rt.Public:
		return "public"
	case rt.OperatorOnly():
		return "operator"
	case rt.OrgScoped():
		return "organisation"
	}
	return "any signed-in caller"
}

// apiRoute reports whether id names a JSON route of the table.
func (s *Server) apiRoute(id string) bool {
	for _, rt := range s.routes {
		if rt.ID == id && rt.api != nil {
			return true
		}
	}
	return false
}

// csvBody is the answer of a CSV route asked for text/csv.
type csvBody struct {
	name   string            // file name offered
	header map[string]string // extra response headers
	data   []byte
}

// fileBody is the answer of a route that serves a stored file (its
// ContentType documents the kind): always an attachment, never rendered
// by the browser, under a file name reduced to safe characters.
type fileBody struct {
	name string // the file's name as stored
	ct   string // the media type stored with it
	data []byte
}

// write sends the file as an attachment with the security headers that
// keep a browser from rendering or sniffing it.
func (f fileBody) write(w http.ResponseWriter, status int) {
	h := w.Header()
	h.Set("Content-Type", attachmentType(f.ct))
	h.Set("Content-Disposition", attachmentDisposition(f.name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox; frame-ancestors 'none'")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(f.data)))
	w.WriteHeader(status)
	_, _ = w.Write(f.data)
}

// attachmentType is the Content-Type a stored file is served with: its
// stored media type when it is one the upload accepts (evidenceTypes) and
// not HTML or script, else application/octet-stream. Text gets its charset.
func attachmentType(stored string) string {
	mt, _, err := mime.ParseMediaType(stored)
	if err != nil {
		return "application/octet-stream"
	}
	for k, also := range evidenceTypes {
		if mt == k || contains(also, mt) {
			if strings.HasPrefix(mt, "text/") {
				return mt + "; charset=utf-8"
			}
			return mt
		}
	}
	return "application/octet-stream"
}

// attachmentDisposition is a Content-Disposition that saves the file under
// its name: an ASCII fallback of safe characters (others become '_') and
// the exact name in RFC 5987 encoding.
func attachmentDisposition(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("._-+ ()", r):
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	ascii := strings.TrimLeft(strings.TrimSpace(b.String()), ".")
	if ascii == "" {
		ascii = "evidence"
	}
	var ext strings.Builder // RFC 5987 value-chars: attr-char or %XX
	for _, c := range []byte(name) {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0) {
			ext.WriteByte(c)
		} else {
			fmt.Fprintf(&ext, "%%%02X", c)
		}
	}
	return mime.FormatMediaType("attachment", map[string]string{"filename": ascii}) + "; filename*=UTF-8''" + ext.String()
}

// formatParam is the query parameter of a route that also answers CSV.
func formatParam() Param {
	return Param{Name: "format", Type: "string", Enum: []string{"json", "csv"}, Description: "json (default) or csv"}
}

// call is one request to a JSON route, after authentication and the route's
// checks.
type call struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	route *Route
	// p is who the request acts as (zero on public routes).
	p auth.Principal
	// org is the {id} of an organisation-scoped route, checked to be
	// visible to p and to exist.
	org int64
}

func (c *call) ctx() context.Context { return c.r.Context() }

// scope is the tenant scope the handler's store calls run in: organisation
// {id} on an organisation-scoped route (the operator acting on one
// organisation, or a tenant on its own), else the principal's.
func (c *call) scope() tenant.Scope {
	if c.org != 0 {
		return tenant.Org(c.org)
	}
	return c.p.Tenant()
}

// serveRoute runs the route's checks and handler and writes the response.
func (s *Server) serveRoute(w http.ResponseWriter, r *http.Request, rt *Route) {
	if rt.raw != nil {
		if !changes(rt) {
			rt.raw(w, r)
			return
		}
		// A public route that changes something (a signed link's
		// acknowledgement or opt-out): the link is the actor.
		trail := &app.AuditTrail{Via: account.AuditLink, Actor: "link"}
		r = r.WithContext(app.WithAuditTrail(r.Context(), trail))
		sw := &statusWriter{ResponseWriter: w}
		rt.raw(sw, r)
		if sw.status < 400 {
			_ = s.auditDone(r.Context(), rt, r, 0, nil)
		}
		return
	}
	if rt.page != nil {
		s.servePage(w, r, rt)
		return
	}
	c := &call{s: s, w: w, r: r, route: rt}
	if err := s.prepare(c); err != nil {
		s.writeError(w, r, err)
		return
	}
	if changes(rt) {
		actor := "anonymous"
		if c.p.TokenID != 0 {
			actor = tokenActor(c.p)
		}
		c.r = r.WithContext(app.WithAuditTrail(r.Context(), &app.AuditTrail{Via: account.AuditAPI, Actor: actor}))
	}
	var before json.RawMessage
	if changes(rt) && c.org != 0 {
		before = s.app.OrgSnapshot(c.ctx(), c.org)
	}
	out, err := rt.api(c)
	if err == nil && changes(rt) {
		err = s.auditDone(c.ctx(), rt, c.r, c.org, before)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeResult(c, out)
}

// changes reports whether the route may change something: every route but
// GET (and HEAD). Each such call that succeeds leaves at least one entry
// in the audit log.
func changes(rt *Route) bool {
	return rt.Method != http.MethodGet && rt.Method != http.MethodHead && !rt.Stateless
}

// auditDone writes the audit entry of a successful call of rt that wrote
// none itself: the route and the path it was called on, and for a route
// of organisation org its registry record before (taken before the call)
// and after.
func (s *Server) auditDone(ctx context.Context, rt *Route, r *http.Request, org int64, before json.RawMessage) error {
	tag := rt.Tag
	if tag == "" {
		tag = "portal"
	}
	object := r.URL.Path
	if rt.Public {
		object = rt.Path // a signed link's token names its object
	}
	var err error
	if org != 0 {
		err = s.app.AuditOrgDone(ctx, tag+"."+rt.ID, object, org, before)
	} else {
		err = s.app.AuditDone(ctx, tag+"."+rt.ID, object, "")
	}
	if err != nil {
		s.log.Error("audit", "route", rt.ID, "err", err)
		return err
	}
	return nil
}

// prepare authenticates the caller and applies the route's scope, query,
// tenant and content-type checks, in that order: an unauthenticated caller
// learns nothing, and a tenant learns nothing about other organisations.
func (s *Server) prepare(c *call) error {
	rt := c.route
	if !rt.Public {
		p, err := s.authenticate(c.r)
		if err != nil {
			return err
		}
		c.p = p
		switch {
		case rt.OperatorOnly() && !p.Operator():
			return errs.Keyed(errs.Forbidden, "", "token.operator", "only operator tokens may %s %s", rt.Method, rt.Path)
		case p.Operator() && !p.Has(rt.OperatorScope()):
			return errs.Keyed(errs.Forbidden, "", "token.lacks", "the token lacks the %s scope", rt.OperatorScope())
		case !p.Operator() && rt.Scope != "" && !p.Has(rt.Scope):
			return errs.Keyed(errs.Forbidden, "", "token.lacks", "the token lacks the %s scope", rt.Scope)
		}
	}
	if err := checkQuery(c.r, rt.Query); err != nil {
		return err
	}
	if rt.OrgScoped() {
		id, err := c.pathID("id")
		if err != nil {
			return err
		}
		if !c.p.Tenant().Allows(id) {
			return errs.Keyed(errs.NotFound, "", "org.notfound", "organisation %d not found", id)
		}
		if c.p.OrgID != id { // the operator: the organisation may not exist
			if err := s.store.OrgExists(c.ctx(), c.p.Tenant(), id); err != nil {
				return err
			}
		}
		if err := checkOrgRole(rt, c.p); err != nil {
			return err
		}
		c.org = id
	}
	if rt.Request != "" {
		if err := checkContentType(c.r); err != nil {
			return err
		}
	}
	return nil
}

// authenticate returns the principal of the request's bearer token.
func (s *Server) authenticate(r *http.Request) (auth.Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return auth.Principal{}, errs.Keyed(errs.Unauthorized, "", "token.missing", "missing token: send Authorization: Bearer %s…", auth.SecretPrefix)
	}
	scheme, secret, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return auth.Principal{}, errs.Keyed(errs.Unauthorized, "", "token.scheme", "the Authorization scheme must be Bearer")
	}
	secret = strings.TrimSpace(secret)
	if !strings.HasPrefix(secret, auth.SecretPrefix) || len(secret) > 256 {
		return auth.Principal{}, errs.Keyed(errs.Unauthorized, "", "token.unknown", "unknown or revoked token")
	}
	p, err := s.store.TokenAuthenticate(r.Context(), secret)
	if err != nil {
		return auth.Principal{}, fmt.Errorf("authenticate: %w", err)
	}
	return p, nil
}

func checkQuery(r *http.Request, allowed []Param) error {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return errs.Keyed(codeBadRequest, "", "query.malformed", "malformed query string")
	}
	for name, vs := range q {
		i := paramIndex(allowed, name)
		if i < 0 {
			return errs.Keyed(codeBadRequest, name, "query.unknown", "unknown query parameter %q", name)
		}
		p := allowed[i]
		if len(vs) > 1 && !p.Multi {
			return errs.Keyed(codeBadRequest, name, "query.repeated", "query parameter %q given %d times", name, len(vs))
		}
		for _, v := range vs {
			if reason := text.Problem(v); reason != "" {
				return text.Refusal(name, reason)
			}
			if p.Type == "integer" {
				if _, err := strconv.ParseInt(v, 10, 64); err != nil {
					return errs.Keyed(codeBadRequest, name, "int.invalid", "%q: must be an integer", v)
				}
			}
			if len(p.Enum) > 0 && !contains(p.Enum, v) {
				return errs.Keyed(codeBadRequest, name, "enum.invalid", "%q: must be one of %s", v, strings.Join(p.Enum, ", "))
			}
		}
	}
	return nil
}

func paramIndex(ps []Param, name string) int {
	for i, p := range ps {
		if p.Name == name {
			return i
		}
	}
	return -1
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func checkContentType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || !(mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
		if ct == "" {
			ct = "none"
		}
		return errs.Keyed(codeMediaType, "", "body.type", "the request body must be application/json (Content-Type: %s)", ct)
	}
	return nil
}

// pathID parses the path parameter name as a positive id.
func (c *call) pathID(name string) (int64, error) {
	v := c.r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.Keyed(codeBadRequest, name, "id.invalid", "%q: not an id (a positive integer)", v)
	}
	return id, nil
}

// query returns a query parameter's value ("" when absent); checkQuery has
// validated it against the route's Param list.
func (c *call) query(name string) string { return c.r.URL.Query().Get(name) }

// Pagination bounds.
const (
	defaultLimit = 100
	maxLimit     = 500
)

// pageParams are the query parameters of a paginated list.
func pageParams() []Param {
	return []Param{
		{Name: "limit", Type: "integer", Description: fmt.Sprintf("items per page, 1–%d (default %d)", maxLimit, defaultLimit)},
		{Name: "after", Type: "integer", Description: "return items with an id greater than this (the next_after of the previous page)"},
	}
}

// page parses limit and after. The returned keyset.Page asks for one item
// more than the limit, so that pageOf knows whether there is a next page.
func (c *call) page() (keyset.Page, int, error) {
	limit := defaultLimit
	if v := c.query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return keyset.Page{}, 0, errs.Keyed(codeBadRequest, "limit", "int.range", "%q: must be an integer from 1 to %d", v, maxLimit)
		}
		limit = n
	}
	var after int64
	if v := c.query("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return keyset.Page{}, 0, errs.Keyed(codeBadRequest, "after", "id.nonneg", "%q: must be an id (a non-negative integer)", v)
		}
		after = n
	}
	return keyset.Page{After: after, Limit: limit + 1}, limit, nil
}

// Page is one page of a list. NextAfter, when not null, is the value of
// the after parameter that fetches the next page.
type Page[T any] struct {
	Items     []T    `json:"items"`
	NextAfter *int64 `json:"next_after"`
}

// List is a complete, unpaginated list.
type List[T any] struct {
	Items []T `json:"items"`
}

// pageOf cuts items (fetched with limit+1) to a page.
func pageOf[T any](items []T, limit int, id func(T) int64) Page[T] {
	if items == nil {
		items = []T{}
	}
	p := Page[T]{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		next := id(items[limit-1])
		p.NextAfter = &next
	}
	return p
}

// decode reads the JSON request body into v, which must be a pointer to
// the type of the route's request schema. Unknown fields, trailing data and
// bodies over the limit are refused.
func (c *call) decode(v any) error {
	want := c.s.schemas.byName[c.route.Request]
	if got := reflect.TypeOf(v); want == nil || got.Kind() != reflect.Pointer || got.Elem() != want {
		return fmt.Errorf("route %s decodes %v, but documents request schema %q", c.route.Pattern(), reflect.TypeOf(v), c.route.Request)
	}
	raw, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, c.s.maxBody))
	if err != nil {
		return c.decodeError(err)
	}
	raw, notUTF8 := markNotUTF8(raw)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return c.decodeError(err)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return errs.Keyed(codeBadRequest, "", "json.trailing", "unexpected data after the JSON value")
	}
	return badText(v, notUTF8)
}

func (c *call) decodeError(err error) error {
	var (
		mbe *http.MaxBytesError
		se  *json.SyntaxError
		te  *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &mbe):
		return errs.Keyed(codeTooLarge, "", "body.large", "the request body exceeds %d bytes", mbe.Limit)
	case errors.Is(err, io.EOF):
		return errs.Keyed(codeBadRequest, "", "body.empty", "the request body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.Keyed(codeBadRequest, "", "json.short", "the JSON request body ends early")
	case errors.As(err, &se):
		return errs.Keyed(codeBadRequest, "", "json.malformed", "malformed JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return errs.Keyed(codeBadRequest, "", "json.bodytype", "the request body must be a JSON %s, not %s", jsonKind(te.Type), te.Value)
		}
		return errs.Keyed(codeBadRequest, field, "json.fieldtype", "must be a JSON %s, not %s", jsonKind(te.Type), te.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if n, uerr := strconv.Unquote(name); uerr == nil {
			name = n
		}
		return errs.Keyed(codeBadRequest, name, "json.unknown", "unknown field %q", name)
	}
	return errs.Keyed(codeBadRequest, "", "body.bad", "bad request body: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// jsonKind names the JSON type a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer in range"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "object"
}

// writeResult writes a handler's result with the route's success status.
// The result's type must be the route's response schema type.
func (s *Server) writeResult(c *call, out any) {
	rt := c.route
	if body, ok := out.(fileBody); ok && rt.ContentType != "" {
		body.write(c.w, rt.successStatus())
		return
	}
	if rt.Response == "" {
		c.w.WriteHeader(rt.successStatus())
		return
	}
	if body, ok := out.(csvBody); ok && rt.CSV {
		c.w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		c.w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", body.name))
		for k, v := range body.header {
			c.w.Header().Set(k, v)
		}
		c.w.WriteHeader(rt.successStatus())
		_, _ = c.w.Write(body.data)
		return
	}
	if want := s.schemas.byName[rt.Response]; reflect.TypeOf(out) != want {
		s.writeError(c.w, c.r, fmt.Errorf("route %s returned %T, but documents response schema %q", rt.Pattern(), out, rt.Response))
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if err := enc.Encode(out); err != nil {
		s.writeError(c.w, c.r, fmt.Errorf("route %s: encode response: %w", rt.Pattern(), err))
		return
	}
	c.w.Header().Set("Content-Type", "application/json")
	c.w.WriteHeader(rt.successStatus())
	_, _ = c.w.Write(buf.Bytes())
}
