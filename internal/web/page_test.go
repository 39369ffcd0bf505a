// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/account"
	"vigil/internal/assess"
	"vigil/internal/finding"
	"vigil/internal/ingest"
	"vigil/internal/notify"
	"vigil/internal/source"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/store/storetest/pageseed"
	"vigil/internal/tenant"
)

// Personas of the page tests: who is signed in (pageseed.Personas).
const (
	asAnon    = pageseed.Anon
	asAdmin   = pageseed.Admin
	asAnalyst = pageseed.Analyst
	asMemberA = pageseed.MemberA
	asMakerA  = pageseed.MakerA
	asMemberB = pageseed.MemberB
	asHalf    = pageseed.Half // an analyst's session still awaiting its second factor
)

// cheap password hashing for page tests (argon2id is tested in account).
func cheapHash(pw string) string       { return "plain:" + pw }
func cheapVerify(hash, pw string) bool { return hash == "plain:"+pw }

// testPassword is every persona's password.
const testPassword = pageseed.Password

// pageEnv is an env with a signed-in session per persona.
type pageEnv struct {
	*env
	users    map[string]account.User
	sessions map[string]account.Session
	cookies  map[string]string
	// lang, when set, is sent as Accept-Language with every page request
	// and upload.
	lang string
}

func newPageEnv(t *testing.T, st *store.Store) *pageEnv {
	t.Helper()
	e := &pageEnv{env: newEnv(t, st), users: map[string]account.User{}, sessions: map[string]account.Session{}, cookies: map[string]string{}}
	e.srv.accounts.Hash, e.srv.accounts.Verify = cheapHash, cheapVerify
	seedRun(t, e.env)
	for name, p := range pageseed.Personas(t, st, e.srv.accounts, e.orgs) {
		e.users[name], e.sessions[name], e.cookies[name] = p.User, p.Session, p.Cookie
	}
	return e
}

// preq is one page request of a test.
type preq struct {
	method, path, as string
	form             url.Values // sent as a form; csrf is added unless noCSRF
	noCSRF           bool
	header           map[string]string
	remote           string // the client's host:port; default 192.0.2.10:40000
}

func (e *pageEnv) page(r preq) *httptest.ResponseRecorder {
	var body string
	if r.form != nil || r.method == http.MethodPost {
		f := url.Values{}
		for k, v := range r.form {
			f[k] = v
		}
		if !r.noCSRF && r.as != asAnon {
			f.Set("csrf", e.sessions[r.as].CSRF)
		}
		body = f.Encode()
	}
	hr := httptest.NewRequest(r.method, r.path, strings.NewReader(body))
	hr.RemoteAddr = "192.0.2.10:40000"
	if r.remote != "" {
		hr.RemoteAddr = r.remote
	}
	if body != "" {
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if r.as != asAnon {
		hr.AddCookie(&http.Cookie{Name: sessionCookie, Value: e.cookies[r.as]})
	}
	if e.lang != "" {
		hr.Header.Set("Accept-Language", e.lang)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, hr)
	return rec
}

// wantPage checks the status and, for HTML answers, the security headers,
// and returns the body.
func wantPage(t *testing.T, rec *httptest.ResponseRecorder, status int) string {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status = %d; want %d (Location %q, body %.300s)", rec.Code, status, rec.Header().Get("Location"), rec.Body.String())
	}
	h := rec.Header()
	if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("security headers missing: %v", h)
	}
	download := strings.Contains(h.Get("Content-Disposition"), "attachment") || h.Get("Content-Type") == "image/svg+xml"
	if (status < 300 || status >= 400) && !download {
		if ct := h.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("Content-Type = %q", ct)
		}
		if cc := h.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control = %q", cc)
		}
	}
	return rec.Body.String()
}

// pageForms are valid forms of every POST page, for the generated tests.
// A POST page without an entry fails TestPageAuthorisation.
func (e *pageEnv) pageForms() map[string]url.Values {
	return map[string]url.Values{
		"pageLang":              {"lang": {"nl"}, "back": {"/"}},
		"pageLoginPost":         {"email": {"memberA@portal.example"}, "password": {testPassword}},
		"pageTOTPPost":          {"code": {"000000"}},
		"pageEnrolPost":         {"secret": {"JBSWY3DPEHPK3PXP"}, "code": {"000000"}},
		"pageLogout":            {},
		"pageAccountPassword":   {"old": {testPassword}, "password": {"a brand new password"}},
		"pageUserCreate":        {"email": {fmt.Sprintf("new-%d@portal.example", time.Now().UnixNano())}, "password": {"long enough password"}},
		"pageNoticeAck":         {},
		"pageRegisterPost":      {"name": {"Nieuw BV"}, "asset": {"nieuw.example"}},
		"pageApprove":           {},
		"pageReject":            {"reason": {"not in the trade register"}},
		"pageReapply":           {"note": {"registration number 12345678"}},
		"pageAssetConfirm":      {"how": {"RIR contact confirmed by telephone"}},
		"pageLabelVerifyPost":   {"id": {"VL-0000-0000-0000"}},
		"pageSecurityTxtPost":   {"target": {"vendor.test"}},
		"pageEvidenceAdd":       {},
		"pageTokenCreate":       {"name": {"ticketing"}, "scopes": {"admin"}},
		"pageTokenRevoke":       {},
		"pageUserRole":          {"role": {"analyst"}},
		"pageUserDisable":       {},
		"pageUserEnable":        {},
		"pageUserTOTPReset":     {},
		"pagePolicySave":        {"mode": {"daily"}, "min_severity": {"high"}, "channels": {"email"}},
		"pageAssetAdd":          {"value": {"203.0.113.0/24"}},
		"pageAssetVerify":       {},
		"pageAssetDelete":       {},
		"pageContactAdd":        {"contact_email": {"desk@portal.example"}},
		"pageContactEdit":       {"contact_name": {"Desk"}, "contact_email": {"desk-edited@portal.example"}, "contact_role": {"technical"}, "contact_lang": {"en"}},
		"pageContactDelete":     {},
		"pageMemberRemove":      {},
		"pageInvitationRevoke":  {},
		"pageInvite":            {"invite_email": {"colleague@portal.example"}},
		"pageInvitationPost":    {"token": {"nope"}, "password": {"a brand new password"}},
		"pageForgotPost":        {"email": {"memberA@portal.example"}},
		"pageResetPost":         {"token": {"nope"}, "password": {"a brand new password"}},
		"pageSignupPost":        {"email": {"signed-up@portal.example"}, "name": {"Signed Up"}, "password": {"a brand new password"}, "lang": {"nl"}},
		"pageSignupConfirmPost": {"token": {"nope"}},
		"pageSettingsPost":      {}, // an unticked box: sign-up closes
		"pageOutboxResolve":     {"outcome": {"resend"}},
		"pageCallRecord":        {"outcome": {"no_answer"}, "note": {"rang twice"}},
		"pageFindingDispute":    {"reason": {"not_ours"}},
		"pageDeviceAdd":         {"vendor": {"Axis"}, "model": {"M3106"}, "firmware": {"10.1"}},
		"pageDeviceSBOM":        {},
		"pageDeviceDelete":      {},
		"pageAssessmentStart":   {"device_id": {"1"}},
		"pageAssessmentAnswers": {"s-5.1-1": {"met"}},
		"pageReview":            {"decision": {"return"}, "comments": {"give the support period"}},
		"pageIssue":             {},
		"pageLabelRevoke":       {"reason": {"the maker withdrew the product"}, "confirm": {"yes"}},
		"pageDisputeDecide":     {"decision": {"reject"}, "reason": {"still seen"}},
		"pageIngest":            {"type": {"auto"}},
		"pageNotifySend":        {},
		"pageProductAdd":        {"vendor": {"Axis"}, "model": {"M3200"}, "firmware": {"11.1"}},
		"pageProductSave":       {"vendor": {"Axis"}, "model": {"M3106"}, "firmware": {"10.2"}},
		"pageProductAssess":     {},
		"pageSourceAdd":         {"name": {"kev-page"}, "kind": {"kev"}, "url": {"https://kev.example/known.json"}},
		"pageSourcePause":       {},
		"pageSourceResume":      {},
		"pageSourceRun":         {},
		"pagePrivacyErase":      {"contact": {"nobody@portal.example"}, "confirm": {"nobody@portal.example"}},
		"verifyPageLookup":      {"ticket": {"VGL-0000-0000"}},
		"ackConfirm":            {},
		"optOutConfirm":         {},
	}
}

// pageQueries are the queries a GET page needs to answer what it is for
// (a download of one person's data names the person).
var pageQueries = pageseed.PageQueries()

// pageFill substitutes a page's path parameters.
func (e *pageEnv) pageFill(path string, x ids) string { return x.Fill(path) }

// TestPageAuthorisation is generated from the route table, for every page
// and every persona: anonymous visitors are sent to the login page; a
// session awaiting its second factor reaches only the second-factor pages;
// a member never reaches another organisation's pages (404, exactly as for
// one that does not exist) nor a staff page (403), an analyst no
// administrator page (403) but every analyst page (200, a plain analyst,
// not an administrator); forms without the session's CSRF token or sent
// cross-origin are refused (403); and nothing of the other organisation
// changes.
func TestPageAuthorisation(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		seedNotices(t, e.env)
		forms := e.pageForms()
		A, B := e.orgs[0], e.orgs[1]
		own, victim := e.idsOf(A), e.idsOf(B)
		state := storetest.OrgSnapshot(t, st)
		before := state(t, B.ID)
		pages := 0
		for _, rt := range e.srv.Routes() {
			if !rt.IsPage() {
				continue
			}
			pages++
			form, hasForm := forms[rt.ID]
			if rt.Method == http.MethodPost && !hasForm {
				t.Errorf("page %s (%s) has no form in pageForms", rt.Pattern(), rt.ID)
				continue
			}
			if rt.Public {
				continue
			}
			path := e.pageFill(rt.Path, own)
			t.Run(rt.ID+"/anonymous", func(t *testing.T) {
				rec := e.page(preq{method: rt.Method, path: path, as: asAnon, form: form})
				wantPage(t, rec, http.StatusSeeOther)
				if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, "/login?next=") {
					t.Errorf("Location = %q; want the login page", loc)
				}
			})
			if !rt.half {
				t.Run(rt.ID+"/second_factor_pending", func(t *testing.T) {
					rec := e.page(preq{method: rt.Method, path: path, as: asHalf, form: form})
					wantPage(t, rec, http.StatusSeeOther)
					if loc := rec.Header().Get("Location"); loc != "/login/totp" {
						t.Errorf("Location = %q; want /login/totp", loc)
					}
				})
			}
			if rt.Method == http.MethodPost {
				t.Run(rt.ID+"/no_csrf_token", func(t *testing.T) {
					wantPage(t, e.page(preq{method: rt.Method, path: path, as: asMemberA, form: form, noCSRF: true}), http.StatusForbidden)
				})
				t.Run(rt.ID+"/cross_origin", func(t *testing.T) {
					wantPage(t, e.page(preq{method: rt.Method, path: path, as: asMemberA, form: form,
						header: map[string]string{"Sec-Fetch-Site": "cross-site"}}), http.StatusForbidden)
				})
			}
			switch rt.Role {
			case account.RoleAdmin:
				for _, as := range []string{asAnalyst, asMemberA, asMakerA} {
					t.Run(rt.ID+"/"+as, func(t *testing.T) {
						wantPage(t, e.page(preq{method: rt.Method, path: path, as: as, form: form}), http.StatusForbidden)
					})
				}
			case account.RoleAnalyst:
				for _, as := range []string{asMemberA, asMakerA, asMemberB} {
					t.Run(rt.ID+"/"+as, func(t *testing.T) {
						wantPage(t, e.page(preq{method: rt.Method, path: path, as: as, form: form}), http.StatusForbidden)
					})
				}
				// A plain analyst (not an administrator) sees every
				// analyst page.
				if rt.Method == http.MethodGet {
					t.Run(rt.ID+"/"+asAnalyst+"/allowed", func(t *testing.T) {
						if e.users[asAnalyst].Role != account.RoleAnalyst {
							t.Fatalf("persona %s has role %q", asAnalyst, e.users[asAnalyst].Role)
						}
						wantPage(t, e.page(preq{method: rt.Method, path: path + pageQueries[rt.ID], as: asAnalyst}), http.StatusOK)
					})
				}
			}
			if rt.OrgScoped() {
				for _, as := range []string{asMemberA, asMakerA} {
					t.Run(rt.ID+"/"+as+"/other_org", func(t *testing.T) {
						p := wantPage(t, e.page(preq{method: rt.Method, path: e.pageFill(rt.Path, victim), as: as, form: form}), http.StatusNotFound)
						gone := victim
						gone.Org = 987654
						q := wantPage(t, e.page(preq{method: rt.Method, path: e.pageFill(rt.Path, gone), as: as, form: form}), http.StatusNotFound)
						norm := func(s string, id int64) string {
							return strings.NewReplacer(fmt.Sprintf("/orgs/%d", id), "/orgs/N", fmt.Sprintf("organisation %d ", id), "organisation N ").Replace(s)
						}
						if norm(p, victim.Org) != norm(q, 987654) {
							t.Errorf("another organisation's page differs from a missing one's:\n%s\n%s", p, q)
						}
					})
				}
				if len(rt.PathParams()) > 1 {
					mixed := victim
					mixed.Org = own.Org
					t.Run(rt.ID+"/other_orgs_child", func(t *testing.T) {
						wantPage(t, e.page(preq{method: rt.Method, path: e.pageFill(rt.Path, mixed), as: asMemberA, form: form}), http.StatusNotFound)
					})
				}
				// The maker persona gets what the route table's Makers
				// says: a route open to makers serves it as a member; any
				// other answers 403 (it sees the organisation: a 404
				// would hide nothing), by GET or POST, and changes
				// nothing of its organisation.
				if !rt.Makers {
					t.Run(rt.ID+"/"+asMakerA+"/members_only", func(t *testing.T) {
						was := state(t, A.ID)
						wantPage(t, e.page(preq{method: rt.Method, path: path + pageQueries[rt.ID], as: asMakerA, form: form}), http.StatusForbidden)
						if diff := cmp.Diff(was, state(t, A.ID)); diff != "" {
							t.Errorf("a maker's refused %s changed organisation A (-before +after):\n%s", rt.ID, diff)
						}
					})
				}
				// Staff get what the route table's OwnAct says: the
				// organisation's own answers (acknowledging, disputing)
				// are refused them with 403, in both languages, and
				// change nothing.
				if rt.OwnAct {
					for _, as := range []string{asAnalyst, asAdmin} {
						t.Run(rt.ID+"/"+as+"/own_act", func(t *testing.T) {
							was := state(t, A.ID)
							body := wantPage(t, e.page(preq{method: rt.Method, path: path, as: as, form: form}), http.StatusForbidden)
							if want := template.HTMLEscapeString(e.srv.messages("en")["err.org.ownact"]); !strings.Contains(body, want) {
								t.Errorf("the refusal does not say why (%q): %.300s", want, body)
							}
							if diff := cmp.Diff(was, state(t, A.ID)); diff != "" {
								t.Errorf("staff's refused %s changed organisation A (-before +after):\n%s", rt.ID, diff)
							}
						})
					}
				}
				if rt.Method == http.MethodGet {
					for _, as := range []string{asMemberA, asMakerA, asAnalyst, asAdmin} {
						if as == asMakerA && !rt.Makers {
							continue
						}
						t.Run(rt.ID+"/"+as+"/own", func(t *testing.T) {
							body := wantPage(t, e.page(preq{method: rt.Method, path: path, as: as}), http.StatusOK)
							if as == asMakerA && rt.ContentType == "" {
								wantMakerLinks(t, e, body)
							}
						})
					}
					t.Run(rt.ID+"/memberB/own", func(t *testing.T) {
						wantPage(t, e.page(preq{method: rt.Method, path: e.pageFill(rt.Path, victim), as: asMemberB}), http.StatusOK)
					})
				}
			}
		}
		if pages < 10 {
			t.Errorf("only %d pages in the table", pages)
		}
		if diff := cmp.Diff(before, state(t, B.ID)); diff != "" {
			t.Errorf("organisation B changed (-before +after):\n%s", diff)
		}
	})
}

// orgLinkRE finds the links of a page to organisation pages.
var orgLinkRE = regexp.MustCompile(`(?:href|action)="(/orgs/[0-9]+[^"?#]*)`)

// wantMakerLinks checks that a page shown to a maker links to (or posts
// to) no organisation page the route table closes to makers: the
// navigation and the pages offer a maker only what it may use.
func wantMakerLinks(t *testing.T, e *pageEnv, body string) {
	t.Helper()
	links := 0
	for _, m := range orgLinkRE.FindAllStringSubmatch(body, -1) {
		links++
		rt := e.pageRouteOf(m[1])
		if rt == nil {
			t.Errorf("the page links to %s, which is no organisation page", m[1])
			continue
		}
		if !rt.Makers {
			t.Errorf("a maker's page links to %s (%s), which is for members only", m[1], rt.ID)
		}
	}
	if links == 0 {
		t.Errorf("a maker's page has no link to its organisation's pages (no navigation?)")
	}
}

// pageRouteOf returns the page route below PagePath whose path matches p
// (a path of the portal), nil if none.
func (e *pageEnv) pageRouteOf(p string) *Route {
	for _, rt := range e.srv.Routes() {
		if !rt.IsPage() || !rt.OrgScoped() {
			continue
		}
		re := "^" + strings.ReplaceAll(regexp.QuoteMeta(wildcardRE.ReplaceAllString(rt.Path, "\x00")), "\x00", "[0-9]+") + "$"
		if regexp.MustCompile(re).MatchString(p) {
			return &rt
		}
	}
	return nil
}

// TestPagesHappyPath renders every GET page for a persona allowed to see it,
// in English and in Dutch, and checks the language, the landmarks and that
// no message key is left untranslated.
func TestPagesHappyPath(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		seedNotices(t, e.env)
		own := e.idsOf(e.orgs[0])
		keyRE := regexp.MustCompile(`\b[a-z]+\.[a-z]+(\.[a-z]+)?\b`)
		keys := catalogue()
		for _, rt := range e.srv.Routes() {
			if !rt.IsPage() || rt.Method != http.MethodGet {
				continue
			}
			as := asMemberA
			switch {
			case rt.Role != "":
				as = asAdmin
			case rt.half:
				as = asHalf
			case rt.Public:
				as = asAnon
			}
			for _, lang := range Languages() {
				t.Run(rt.ID+"/"+lang, func(t *testing.T) {
					rec := e.page(preq{method: "GET", path: e.pageFill(rt.Path, own) + pageQueries[rt.ID], as: as, header: map[string]string{"Accept-Language": lang}})
					if as != asAnon && e.users[as].Lang != "" {
						t.Fatal("persona has a language")
					}
					if rt.ContentType != "" { // a download or an image
						if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), rt.ContentType) || rec.Body.Len() == 0 {
							t.Errorf("%s: %d %q, %d bytes", rt.Path, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len())
						}
						return
					}
					body := wantPage(t, rec, http.StatusOK)
					if !strings.Contains(body, `<html lang="`+lang+`">`) || !strings.Contains(body, `<main id="main"`) || !strings.Contains(body, "<h1>") {
						t.Errorf("page lacks lang=%s, main or h1", lang)
					}
					text := regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(body, " ")
					for _, k := range keyRE.FindAllString(text, -1) {
						if _, ok := keys[k]; ok {
							t.Errorf("untranslated message key %q on the page", k)
						}
					}
					if lang == "nl" {
						for _, c := range untranslatedCodes(body) {
							t.Errorf("coded value %q shown untranslated on the Dutch page", c)
						}
					}
				})
			}
		}
	})
}

// englishCodes are the coded values (severities, finding statuses, asset
// kinds, contact roles, call outcomes, delivery states, warning states,
// run, source and provision kinds) whose code differs from their Dutch
// name.
var englishCodes = map[string]bool{"unknown": true, "info": true, "low": true, "medium": true, "high": true, "critical": true,
	"resolved": true, "domain": true, "cidr": true, "asn": true,
	"security": true, "technical": true, "management": true, "abuse": true, "other": true,
	"reached": true, "no_answer": true, "wrong_number": true, "left_message": true,
	"pending": true, "sending": true, "sent": true, "failed": true, "dead": true, "suppressed": true, "email": true,
	"acknowledged": true, "escalated": true,
	"advisory": true, "rematch": true, "sync": true,
	"kev": true, "epss": true, "dir": true, "shadowserver": true, "nvd": true, "csaf": true, "maildir": true, "osv": true,
	"mandatory": true, "recommended": true}

// codeKinds are the coded values pages show by name, by the kind of
// their "code.<kind>.<value>" rows, read from the packages that define
// them: each must have its row.
func codeKinds() map[string][]string {
	strs := func(vs ...any) []string {
		var out []string
		for _, v := range vs {
			out = append(out, fmt.Sprint(v))
		}
		return out
	}
	out := map[string][]string{
		"outbox":  strs(notify.OutboxPending, notify.OutboxSending, notify.OutboxSent, notify.OutboxFailed, notify.OutboxDead, notify.OutboxUnknown, notify.OutboxSuppressed),
		"channel": strs(notify.Email, notify.Webhook),
		"notice":  strs(notify.StateOpen, notify.StateAcknowledged, notify.StateResolved, notify.StateEscalated),
		"run":     strs(ingest.KindFeed, ingest.KindAdvisory, ingest.KindRematch, ingest.KindSync),
		"source": strs(source.KindKEV, source.KindEPSS, source.KindDir, source.KindShadowserver, source.KindNVD, source.KindCSAF,
			source.KindMaildir, source.KindOSV),
		"provision": strs(assess.Mandatory, assess.Recommended),
		"status":    strs(finding.Open, finding.Resolved),
	}
	for _, c := range notify.CallOutcomes {
		out["call"] = append(out["call"], string(c))
	}
	for s := finding.Unknown; s <= finding.Critical; s++ {
		out["sev"] = append(out["sev"], s.String())
	}
	return out
}

// untranslatedCodes returns the text of a page's elements that is a bare
// code of englishCodes, alone or in parentheses (how the pages show
// them). A finding's evidence is left out: it shows the feed's own fields
// and values as the feed wrote them.
func untranslatedCodes(body string) []string {
	var out []string
	body = regexp.MustCompile(`(?s)<dl class="evidence".*?</dl>`).ReplaceAllString(body, "")
	for _, node := range regexp.MustCompile(`(?s)<[^>]*>`).Split(body, -1) {
		node = strings.Trim(strings.TrimSpace(node), "()")
		if englishCodes[node] {
			out = append(out, node)
		}
	}
	return out
}

// TestCodesTranslated shows that untranslatedCodes would see a code in
// each way the pages show one, and that the Dutch findings and registry
// pages show the seeded values by their Dutch names.
func TestCodesTranslated(t *testing.T) {
	t.Parallel()
	for _, html := range []string{`<td class="sev-high">high</td>`, `<small>(domain)</small>`, `<option value="abuse">abuse</option>`, `<td>resolved</td>`,
		`<td>sent</td>`, `<option value="unknown">unknown</option>`, `<small class="badge">mandatory</small>`, `<strong>no_answer</strong>`} {
		if len(untranslatedCodes(html)) != 1 {
			t.Errorf("untranslatedCodes misses the code in %s", html)
		}
	}
	cat := catalogue()
	for kind, values := range codeKinds() {
		for _, v := range values {
			row, ok := cat["code."+kind+"."+v]
			if !ok || row[0] == "" || row[1] == "" {
				t.Errorf("coded value %s %q has no name in both languages (code.%s.%s in i18n_codes.go): %q", kind, v, kind, v, row)
			}
		}
	}
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		seedNotices(t, e.env)
		own := e.idsOf(e.orgs[0])
		nl := map[string]string{"Accept-Language": "nl"}
		for _, c := range []struct {
			path, as string
			want     []string
		}{
			{e.pageFill("/orgs/{id}/findings", own), asMemberA, []string{">open<"}},
			{e.pageFill("/orgs/{id}/registry", own), asMemberA, []string{"(domein)", ">beveiliging<", ">IP-bereik<"}},
			{e.pageFill("/orgs/{id}/policy", own), asMemberA, []string{">kritiek<", ">hoog<"}},
			{e.pageFill("/orgs/{id}/notices", own), asMemberA, []string{"<td>geëscaleerd", "<td>open"}},
			{e.pageFill("/orgs/{id}/assessments/{sid}", own), asMemberA, []string{`<small class="badge">verplicht</small>`}},
			{"/analyst/outbox?state=unknown", asAnalyst, []string{`<option value="unknown" selected>uitkomst onbekend</option>`, "<td>uitkomst onbekend</td>", ">e-mail: "}},
			{"/analyst/calls", asAnalyst, []string{`<option value="no_answer">geen gehoor</option>`}},
			{"/analyst/runs", asAnalyst, []string{`<span class="sub">feed`}},
			{"/analyst/sources", asAnalyst, []string{`<span class="sub">Shadowserver Reports API · `}},
		} {
			path, want := c.path, c.want
			body := wantPage(t, e.page(preq{method: "GET", path: path, as: c.as, header: nl}), http.StatusOK)
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("%s in Dutch lacks %q", path, w)
				}
			}
			if c := untranslatedCodes(body); len(c) > 0 {
				t.Errorf("%s in Dutch shows %q", path, c)
			}
		}
	})
}

// TestTemplateKeys checks that every message key the templates use exists.
func TestTemplateKeys(t *testing.T) {
	t.Parallel()
	keys := catalogue()
	re := regexp.MustCompile(`\.T "([^"]+)"`)
	n := 0
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, p)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			n++
			if _, ok := keys[m[1]]; !ok {
				t.Errorf("%s uses unknown message key %q", p, m[1])
			}
		}
		return nil
	})
	if err != nil || n < 50 {
		t.Fatalf("%d keys found: %v", n, err)
	}
	for k, v := range keys {
		if v[0] == "" || v[1] == "" {
			t.Errorf("message %q lacks a translation: %q", k, v)
		}
	}
}

// TestLoginFlow signs in through the forms: wrong passwords, the lockout,
// the second factor for staff, the language choice and signing out.
func TestLoginFlow(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		login := func(email, pw, next string) *httptest.ResponseRecorder {
			return e.page(preq{method: "POST", path: "/login?next=" + url.QueryEscape(next), form: url.Values{"email": {email}, "password": {pw}}})
		}
		body := wantPage(t, login("memberA@portal.example", "wrong", "/"), http.StatusUnauthorized)
		if !strings.Contains(body, `id="password"`) || !strings.Contains(body, "aria-invalid") || !strings.Contains(body, "wrong") {
			t.Errorf("failed login does not name the field: %s", body)
		}
		rec := login("memberA@portal.example", testPassword, fmt.Sprintf("/orgs/%d", e.orgs[0].ID))
		wantPage(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != fmt.Sprintf("/orgs/%d", e.orgs[0].ID) {
			t.Errorf("after login Location = %q", loc)
		}
		var cookie *http.Cookie
		for _, c := range rec.Result().Cookies() {
			if c.Name == sessionCookie {
				cookie = c
			}
		}
		if cookie == nil || !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteLaxMode {
			t.Fatalf("session cookie = %+v", cookie)
		}
		// An open redirect is refused.
		rec = login("memberA@portal.example", testPassword, "//evil.example/")
		if loc := rec.Header().Get("Location"); loc != "/" {
			t.Errorf("next=//evil.example/ redirects to %q", loc)
		}
		// Staff without a second factor must enrol.
		rec = login("analyst@portal.example", testPassword, "/analyst")
		if loc := rec.Header().Get("Location"); loc != "/login/enrol" {
			t.Errorf("analyst's first login goes to %q; want /login/enrol", loc)
		}
		// Lockout after repeated failures from one address: that address
		// gets the answer of a wrong password (which an unknown address
		// gets too), the owner signs in from another address all the
		// while, and is mailed once, through the outbox.
		lockMails := func() int {
			var n int
			if err := st.QueryRow(context.Background(), `SELECT COUNT(*) FROM notices n JOIN outbox o ON o.notice_id = n.id
				WHERE n.kind = 'account' AND o.recipient = ? AND n.payload LIKE ?`, "makera@portal.example", "%is locked until%").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		guess := func(email, pw string) *httptest.ResponseRecorder {
			return e.page(preq{method: "POST", path: "/login?next=%2F", form: url.Values{"email": {email}, "password": {pw}}, remote: "198.51.100.7:5555"})
		}
		for range account.MaxFailures {
			wantPage(t, guess("makerA@portal.example", "wrong password"), http.StatusUnauthorized)
		}
		wrong := wantPage(t, guess("nobody@portal.example", testPassword), http.StatusUnauthorized)
		body = wantPage(t, guess("makerA@portal.example", testPassword), http.StatusUnauthorized)
		same := func(s string) string {
			return strings.ReplaceAll(strings.ReplaceAll(s, "nobody@portal.example", "ADDRESS"), "makerA@portal.example", "ADDRESS")
		}
		if strings.Contains(body, "locked") || same(body) != same(wrong) {
			t.Errorf("the locked account's answer differs from an unknown address's:\n%s\n---\n%s", body, wrong)
		}
		if n := lockMails(); n != 1 {
			t.Errorf("the owner got %d lock notices; want 1", n)
		}
		wantPage(t, login("makerA@portal.example", testPassword, "/"), http.StatusSeeOther)
		// Language choice by a visitor is kept in a cookie.
		rec = e.page(preq{method: "POST", path: "/lang", form: url.Values{"lang": {"nl"}, "back": {"/login"}}})
		wantPage(t, rec, http.StatusSeeOther)
		if rec.Header().Get("Location") != "/login" || !strings.Contains(rec.Header().Get("Set-Cookie"), langCookie+"=nl") {
			t.Errorf("language choice: %v", rec.Header())
		}
		wantPage(t, e.page(preq{method: "POST", path: "/lang", form: url.Values{"lang": {"de"}}}), http.StatusUnprocessableEntity)
		// Signing out ends the session.
		rec = e.page(preq{method: "POST", path: "/logout", as: asMemberA})
		wantPage(t, rec, http.StatusSeeOther)
		rec = e.page(preq{method: "GET", path: "/account", as: asMemberA})
		if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, "/login") {
			t.Errorf("after logout /account goes to %q", loc)
		}
	})
}

// TestPageForms checks that forms refuse bad input with a visible message
// naming the field and write nothing.
func TestPageForms(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		count := func() int {
			us, err := st.UserList(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return len(us)
		}
		n := count()
		for _, tc := range []struct {
			name, path, as string
			form           url.Values
			status         int
			field          string
		}{
			{"user_bad_email", "/admin/users", asAdmin, url.Values{"email": {"nope"}, "password": {"long enough password"}}, 422, "email"},
			{"user_short_password", "/admin/users", asAdmin, url.Values{"email": {"x@portal.example"}, "password": {"short"}}, 422, "password"},
			{"user_duplicate", "/admin/users", asAdmin, url.Values{"email": {"memberA@portal.example"}, "password": {"long enough password"}}, 409, "email"}, // a conflict, as the API and `user add` answer
			{"user_bad_org", "/admin/users", asAdmin, url.Values{"email": {"y@portal.example"}, "password": {"long enough password"}, "org": {"99999"}}, 422, "org"},
			{"user_bad_org_role", "/admin/users", asAdmin, url.Values{"email": {"y@portal.example"}, "password": {"long enough password"}, "org": {"1"}, "org_role": {"owner"}}, 422, "org_role"},
			{"user_bad_role", "/admin/users", asAdmin, url.Values{"email": {"y@portal.example"}, "password": {"long enough password"}, "role": {"root"}}, 422, "role"},
			{"password_wrong_old", "/account/password", asMemberA, url.Values{"old": {"not it"}, "password": {"a brand new password"}}, 422, "old"},
			{"password_short", "/account/password", asMemberA, url.Values{"old": {testPassword}, "password": {"short"}}, 422, "password"},
			{"totp_bad_code", "/login/totp", asHalf, url.Values{"code": {"12"}}, 422, "code"},
			{"asset_bad_cidr", fmt.Sprintf("/orgs/%d/assets", e.orgs[0].ID), asMemberA, url.Values{"value": {"192.0.2.300/24"}, "kind": {"cidr"}}, 422, "value"},
			// A duplicate is a conflict, as the API answers it (app.AddAsset).
			{"asset_duplicate", fmt.Sprintf("/orgs/%d/assets", e.orgs[0].ID), asMemberA, url.Values{"value": {e.orgs[0].Assets[0].Value}}, 409, "value"},
			{"asset_not_proven", fmt.Sprintf("/orgs/%d/assets/%d/verify", e.orgs[1].ID, e.orgs[1].Assets[0].ID), asMemberB, nil, 422, fmt.Sprintf("asset-%d", e.orgs[1].Assets[0].ID)},
			{"contact_bad_email", fmt.Sprintf("/orgs/%d/contacts", e.orgs[0].ID), asMemberA, url.Values{"contact_email": {"a@@b"}}, 422, "contact_email"},
			{"invite_bad_email", fmt.Sprintf("/orgs/%d/invitations", e.orgs[0].ID), asMemberA, url.Values{"invite_email": {"nope"}}, 422, "invite_email"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body := wantPage(t, e.page(preq{method: "POST", path: tc.path, as: tc.as, form: tc.form}), tc.status)
				if !strings.Contains(body, `role="alert"`) || !strings.Contains(body, `href="#`+tc.field+`"`) ||
					!strings.Contains(body, `id="`+tc.field+`-err"`) {
					t.Errorf("the page does not name field %s visibly:\n%s", tc.field, body)
				}
			})
		}
		if got := count(); got != n {
			t.Errorf("%d users after refused forms; want %d", got, n)
		}
		if ok, _ := e.srv.accounts.CheckPassword(ctx, "memberA@portal.example", testPassword); !ok {
			t.Error("a refused password change changed the password")
		}
		// A good form creates the account and says so.
		rec := e.page(preq{method: "POST", path: "/admin/users", as: asAdmin, form: url.Values{"email": {"new@portal.example"},
			"password": {"long enough password"}, "org": {fmt.Sprint(e.orgs[0].ID)}, "org_role": {"maker"}}})
		wantPage(t, rec, http.StatusSeeOther)
		body := wantPage(t, e.page(preq{method: "GET", path: rec.Header().Get("Location"), as: asAdmin}), http.StatusOK)
		if !strings.Contains(body, "new@portal.example") || !strings.Contains(body, `role="status"`) {
			t.Errorf("accounts page after create: %s", body)
		}
	})
}

// TestPasswordReset asks for a reset link, reads it from the outbox (where
// the e-mail waits for delivery) and sets a new password with it once.
func TestPasswordReset(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		for _, addr := range []string{"memberA@portal.example", "nobody@portal.example"} {
			rec := e.page(preq{method: "POST", path: "/password/forgot", form: url.Values{"email": {addr}}})
			wantPage(t, rec, http.StatusSeeOther)
			if loc := rec.Header().Get("Location"); loc != "/login?msg=forgot.sent" {
				t.Errorf("%s: Location = %q (the answer must not tell whether the address has an account)", addr, loc)
			}
		}
		wantPage(t, e.page(preq{method: "POST", path: "/password/forgot", form: url.Values{"email": {"not an address"}}}), http.StatusUnprocessableEntity)
		var payload, recipient string
		var n int
		if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM outbox o JOIN notices n ON n.id = o.notice_id WHERE n.kind = 'account'`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d account e-mails in the outbox (%v); want 1", n, err)
		}
		if err := st.QueryRow(ctx, `SELECT n.payload, o.recipient FROM notices n JOIN outbox o ON o.notice_id = n.id WHERE n.kind = 'account'`).Scan(&payload, &recipient); err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`https://vigil\.test/password/reset\?token=([A-Za-z0-9_%-]+)`).FindStringSubmatch(payload)
		if recipient != "membera@portal.example" || m == nil {
			t.Fatalf("reset e-mail to %s: %s", recipient, payload)
		}
		token, _ := url.QueryUnescape(m[1])
		body := wantPage(t, e.page(preq{method: "GET", path: "/password/reset?token=" + m[1]}), http.StatusOK)
		if !strings.Contains(body, `name="token" value="`+token+`"`) {
			t.Errorf("reset form lacks the token")
		}
		body = wantPage(t, e.page(preq{method: "POST", path: "/password/reset", form: url.Values{"token": {token}, "password": {"short"}}}), http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="password-err"`) {
			t.Errorf("short password not named: %s", body)
		}
		rec := e.page(preq{method: "POST", path: "/password/reset", form: url.Values{"token": {token}, "password": {"the new password"}}})
		wantPage(t, rec, http.StatusSeeOther)
		if ok, _ := e.srv.accounts.CheckPassword(ctx, "memberA@portal.example", "the new password"); !ok {
			t.Error("the password did not change")
		}
		body = wantPage(t, e.page(preq{method: "POST", path: "/password/reset", form: url.Values{"token": {token}, "password": {"another new password"}}}), http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="token-err"`) {
			t.Errorf("a used link is not refused visibly: %s", body)
		}
	})
}

// TestNoticeRepliesPage: an answer that came back by e-mail shows under its
// notice on the warnings page, for an analyst and for the organisation's
// member, and not on another organisation's page.
func TestNoticeRepliesPage(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		seedNotices(t, e.env)
		a, b := e.orgs[0], e.orgs[1]
		r := notify.Reply{NoticeID: e.notices[a.ID], OrgID: a.ID, MessageID: "<r1@a.example>", From: "soc@a.example",
			Subject: "Re: warning", Text: "Patched on <Monday>.", Source: "test", Received: fixedNow()}
		if _, err := st.NoticeReplyAdd(context.Background(), tenant.Operator(), &r); err != nil {
			t.Fatal(err)
		}
		for _, as := range []string{asAnalyst, asMemberA} {
			body := wantPage(t, e.page(preq{method: "GET", path: fmt.Sprintf("/orgs/%d/notices", a.ID), as: as}), http.StatusOK)
			if !strings.Contains(body, "Patched on &lt;Monday&gt;.") || !strings.Contains(body, "soc@a.example") {
				t.Errorf("%s does not see the reply on A's warnings page", as)
			}
		}
		body := wantPage(t, e.page(preq{method: "GET", path: fmt.Sprintf("/orgs/%d/notices", b.ID), as: asAnalyst}), http.StatusOK)
		if strings.Contains(body, "Patched on") {
			t.Error("B's warnings page shows A's reply")
		}
	})
}

// TestDashboardFigures checks that the dashboard, which reads the notices
// counted per day and the findings' running totals, shows the figures of
// the full statistics (notify.LoadStats, a row per notice item), and that
// it is not cached: a view after a change shows the change.
func TestDashboardFigures(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newPageEnv(t, st)
		seedNotices(t, e.env)
		a, b := e.orgs[0], e.orgs[1]
		// A's warning went out and was acknowledged, B's failed.
		for id, state := range map[int64]string{e.notices[a.ID]: "sent", e.notices[b.ID]: "dead"} {
			if _, err := st.Exec(ctx, `UPDATE outbox SET state = ? WHERE notice_id = ?`, state, id); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.Exec(ctx, `UPDATE notices SET first_sent_at = ? WHERE id = ?`, fixedNow().Add(-time.Hour), e.notices[a.ID]); err != nil {
			t.Fatal(err)
		}
		if _, err := st.NoticeAck(ctx, tenant.Org(a.ID), e.notices[a.ID], "soc@a.example", fixedNow()); err != nil {
			t.Fatal(err)
		}
		since := fixedNow().Add(-dashSince).Truncate(24 * time.Hour)
		full, err := notify.LoadStats(ctx, st, tenant.Operator(), since, notify.PeriodDay)
		if err != nil {
			t.Fatal(err)
		}
		days, all, err := notify.LoadNoticeDays(ctx, st, tenant.Operator(), since)
		if err != nil {
			t.Fatal(err)
		}
		// What the dashboard shows of each figure.
		shown := func(f notify.Figures) notify.Figures {
			return notify.Figures{Period: f.Period, Notices: f.Notices, Sent: f.Sent, Failed: f.Failed, Undeliverable: f.Undeliverable, Acknowledged: f.Acknowledged, Bounced: f.Bounced}
		}
		want := []notify.Figures{shown(full.Overall)}
		for _, p := range full.Periods {
			want = append(want, shown(p))
		}
		got := append([]notify.Figures{all}, days...)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("figures per day differ from the full statistics (-full +per day):\n%s", diff)
		}
		if o := all; o.Sent != 1 || o.Acknowledged != 1 || o.Failed != 1 {
			t.Errorf("overall sent/acknowledged/failed = %d/%d/%d, want 1/1/1", o.Sent, o.Acknowledged, o.Failed)
		}
		view := func() string {
			return wantPage(t, e.page(preq{method: "GET", path: "/analyst", as: asAnalyst}), http.StatusOK)
		}
		day := `<tr><th scope="row">2026-11-23</th><td>1</td><td>1</td><td>1</td><td>1</td><td>0</td></tr>`
		seeded := `<tr><th scope="row">seeded</th><td>2</td><td>2</td><td>2</td></tr>`
		if body := view(); !strings.Contains(body, day) || !strings.Contains(body, seeded) {
			t.Fatalf("the dashboard lacks the day's row %s or the trigger's row %s", day, seeded)
		}
		// The seeded trigger's findings are new on the day.
		if body := view(); !strings.Contains(body, `<th scope="col">seeded</th>`) || !strings.Contains(body, `<tr><th scope="row">2026-11-23</th><td>`) {
			t.Error("the dashboard's new findings per day lack the seeded trigger or its day")
		}
		// A's warning was acknowledged an hour after it went out.
		if body, ack := view(), `<tr><th scope="row">2026-11-23</th><td>1</td><td>1h0m0s</td><td>0</td><td>1</td><td>0</td><td>0</td></tr>`; !strings.Contains(body, ack) {
			t.Errorf("the dashboard lacks the time to acknowledge %s", ack)
		}
		// The plots carry their figures: each an element with its series,
		// key and value and a title, in English and Dutch.
		for _, tc := range []struct {
			path, lang, series, key, value, title string
		}{
			{"/analyst/plots/notices.svg", "en", "acknowledged", "2026-11-23", "1", "Acknowledged 2026-11-23: 1"},
			{"/analyst/plots/notices.svg", "nl", "acknowledged", "2026-11-23", "1", "Bevestigd 2026-11-23: 1"},
			{"/analyst/plots/notices.svg", "en", "failed", "2026-11-23", "1", "Failed 2026-11-23: 1"},
			{"/analyst/plots/notices.svg", "en", "bounced", "2026-11-23", "0", "Bounced 2026-11-23: 0"},
			{"/analyst/plots/notices.svg", "nl", "delivered", "2026-11-23", "1", "Afgeleverd 2026-11-23: 1"},
			{"/analyst/plots/acks.svg", "en", "acknowledged", "1 hour to 1 day", "1", "Acknowledged 1 hour to 1 day: 1"},
			{"/analyst/plots/triggers.svg", "en", "open", "seeded", "2", "Open seeded: 2"},
			{"/analyst/plots/trend.svg", "en", "findings:seeded", "2026-11-23", "2", "New findings, seeded 2026-11-23: 2"},
			{"/analyst/plots/trend.svg", "nl", "findings:seeded", "2026-11-23", "2", "Nieuwe bevindingen, seeded 2026-11-23: 2"},
			// The second panel (the deliveries here were set, not sent
			// through OutboxFinish, so nobody counts as warned).
			{"/analyst/plots/trend.svg", "nl", "warned:seeded", "2026-11-23", "0", "Gewaarschuwde organisaties, seeded 2026-11-23: 0"},
		} {
			marks := plotMarks(t, e.page(preq{method: "GET", path: tc.path, as: asAnalyst, header: map[string]string{"Accept-Language": tc.lang}}))
			want := svgMark{Series: tc.series, Key: tc.key, Value: tc.value, Title: tc.title}
			if !slices.Contains(marks, want) {
				t.Errorf("%s (%s) lacks the mark %+v; it has %+v", tc.path, tc.lang, want, marks)
			}
		}
		// A third finding of the trigger shows on the next view.
		trig, err := st.TriggerEnsure(ctx, finding.Trigger{Name: "seeded"})
		if err != nil {
			t.Fatal(err)
		}
		ip := netip.MustParseAddr("198.51.100.250")
		sg := finding.Sighting{OrgID: a.ID, TriggerID: trig, Type: "vulnerable-system", ReportType: "scan_exchange",
			Key: finding.KeyFor(ip, 443), IP: ip, Port: 443, Severity: finding.High, Time: fixedNow(), Evidence: json.RawMessage(`{"seeded":"2"}`)}
		if _, _, err := st.FindingUpsert(ctx, 0, []finding.Sighting{sg}); err != nil {
			t.Fatal(err)
		}
		if body, now := view(), `<tr><th scope="row">seeded</th><td>2</td><td>3</td><td>3</td></tr>`; !strings.Contains(body, now) {
			t.Errorf("the view after a new finding lacks %s", now)
		}
	})
}

// svgMark is a figure a plot's SVG carries (annotateSVG).
type svgMark struct {
	Series, Key, Value, Title string
}

// plotMarks reads a plot's SVG answer as XML: it has a title and a
// description, and its marks are returned.
func plotMarks(t *testing.T, rec *httptest.ResponseRecorder) []svgMark {
	t.Helper()
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("plot: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	type group struct {
		Class string `xml:"class,attr"`
		Rects []struct {
			Series string `xml:"data-series,attr"`
			Key    string `xml:"data-key,attr"`
			Value  string `xml:"data-value,attr"`
			Title  string `xml:"title"`
		} `xml:"rect"`
	}
	// The marks are a group inside the group that turns the drawing
	// upright.
	var doc struct {
		Title string `xml:"title"`
		Desc  string `xml:"desc"`
		Gs    []struct {
			Gs []group `xml:"g"`
		} `xml:"g"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("plot is not well-formed XML: %v", err)
	}
	if doc.Title == "" || doc.Desc == "" {
		t.Errorf("plot without a title (%q) or a description (%q)", doc.Title, doc.Desc)
	}
	var out []svgMark
	for _, g := range doc.Gs {
		for _, in := range g.Gs {
			if in.Class != "plot-data" {
				continue
			}
			for _, r := range in.Rects {
				out = append(out, svgMark{r.Series, r.Key, r.Value, r.Title})
			}
		}
	}
	return out
}

// TestSignInAudited: every sign-in attempt, by the page or by an API call
// with credentials, leaves an entry naming the address, the outcome and
// the client, refused ones included (they change nothing else an operator
// could see), while a refused form of any other kind leaves none
// (TestPageFormsRefuseBadInput).
func TestSignInAudited(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		entries := func() []string {
			rows, err := st.Query(context.Background(), `SELECT actor || ' | ' || object || ' | ' || detail FROM audit_log WHERE action = 'account.login' ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				out = append(out, s)
			}
			return out
		}
		login := func(email, pw string) {
			e.page(preq{method: "POST", path: "/login", form: url.Values{"email": {email}, "password": {pw}}})
		}
		login("memberA@portal.example", "wrong")
		login("nobody@portal.example", "wrong")
		login("memberA@portal.example", testPassword)
		login("analyst@portal.example", testPassword)
		rec := e.send(req{method: "POST", path: "/api/v1/account/password", from: "192.0.2.7:4242",
			body: `{"account":{"email":"memberA@portal.example","password":"wrong"},"password":"a new and longer passphrase"}`})
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("API password change with a wrong password: %d %s", rec.Code, rec.Body.String())
		}
		got := entries()
		member, analyst := e.users[asMemberA], e.users[asAnalyst]
		want := []string{
			"anonymous | memberA@portal.example | refused: wrong address or password; client 192.0.2.10",
			"anonymous | nobody@portal.example | refused: wrong address or password; client 192.0.2.10",
			fmt.Sprintf("%s | user %d | signed in; client 192.0.2.10", member.Email, member.ID),
			fmt.Sprintf("%s | user %d | password accepted; a second factor must be enrolled; client 192.0.2.10", analyst.Email, analyst.ID),
			"anonymous | memberA@portal.example | refused: wrong address or password; client 192.0.2.7",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("sign-in entries (-want +got):\n%s", diff)
		}
	})
}
