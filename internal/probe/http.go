// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package probe

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// maxBody bounds what is read of any HTTP response body.
const maxBody = 256 << 10

// httpResponse is a response read off one connection, body included.
type httpResponse struct {
	*http.Response
	body []byte
	url  *url.URL
}

// httpDo sends req on a fresh connection (Connection: close) and reads the
// response. The probe talks HTTP on its own connections rather than through
// netguard's client so that every request goes to the verified address only,
// passes the rate limiter, follows no redirect by itself and accepts any
// certificate (which the TLS checks judge).
func (r *runner) httpDo(ctx context.Context, p Port, req *http.Request) (*httpResponse, error) {
	c, err := r.dialService(ctx, p)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	req.Host = r.hostPort(p)
	req.Close = true
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "vigil-probe")
	}
	if err := req.Write(c); err != nil {
		return nil, fmt.Errorf("http: write request: %w", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil {
		return nil, fmt.Errorf("http: read response: %w", err)
	}
	defer resp.Body.Close()
	// A body cut short (timeout, reset) is judged as far as it came.
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	return &httpResponse{Response: resp, body: body, url: req.URL}, nil
}

// baseURL is the URL of path on port p of the target.
func (r *runner) baseURL(p Port, path string) *url.URL {
	scheme := "http"
	if p.Service.TLS() {
		scheme = "https"
	}
	return &url.URL{Scheme: scheme, Host: r.hostPort(p), Path: path}
}

func (r *runner) httpGet(ctx context.Context, p Port, u *url.URL, cred *Credential) (*httpResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	if cred != nil {
		req.SetBasicAuth(cred.User, cred.Password)
	}
	return r.httpDo(ctx, p, req)
}

// httpState carries the landing page from the page check to the login
// check of the same port.
type httpState struct {
	page      *httpResponse // the landing page after at most one same-origin redirect
	basicPath *url.URL      // set when the landing page asks for Basic auth
}

// sameOrigin resolves loc against base and reports whether it stays on the
// same scheme, host and port.
func sameOrigin(base *url.URL, loc string) (*url.URL, bool) {
	u, err := base.Parse(loc)
	if err != nil {
		return nil, false
	}
	return u, u.Scheme == base.Scheme && strings.EqualFold(u.Host, base.Host)
}

// checkHTTPPage fetches "/" (following one same-origin redirect) and judges
// its headers: version banner, nosniff, CSP, frame options, HSTS on https
// and, on plain http, whether it sends the user to https.
func (r *runner) checkHTTPPage(ctx context.Context, p Port, h *httpState) error {
	root := r.baseURL(p, "/")
	first, err := r.httpGet(ctx, p, root, nil)
	if err != nil {
		return err
	}
	page := first
	toHTTPS := false
	if isRedirect(first.StatusCode) {
		loc := first.Header.Get("Location")
		if u, err := root.Parse(loc); err == nil && u.Scheme == "https" {
			toHTTPS = true
		}
		if u, ok := sameOrigin(root, loc); ok {
			if next, err := r.httpGet(ctx, p, u, nil); err == nil {
				page = next
			} else if stopped(ctx, err) {
				return err
			}
		}
	}
	h.page = page
	if page.StatusCode == http.StatusUnauthorized && strings.HasPrefix(strings.ToLower(page.Header.Get("WWW-Authenticate")), "basic") {
		h.basicPath = page.url
	}

	banner := strings.TrimSpace(strings.Join(append(page.Header.Values("Server"), page.Header.Values("X-Powered-By")...), " "))
	r.addBanner(p, "HTTP Server/X-Powered-By header", banner)

	hdr := page.Header
	nosniff := strings.EqualFold(strings.TrimSpace(hdr.Get("X-Content-Type-Options")), "nosniff")
	r.addHeader(p, CheckNoSniff, nosniff, "X-Content-Type-Options: nosniff")
	csp := strings.TrimSpace(hdr.Get("Content-Security-Policy"))
	r.addHeader(p, CheckCSP, csp != "", "Content-Security-Policy")
	xfo := strings.ToUpper(strings.TrimSpace(hdr.Get("X-Frame-Options")))
	frame := xfo == "DENY" || xfo == "SAMEORIGIN" || strings.Contains(strings.ToLower(csp), "frame-ancestors")
	r.addHeader(p, CheckFrameOptions, frame, "X-Frame-Options or CSP frame-ancestors")
	if p.Service == HTTPS {
		r.addHeader(p, CheckHSTS, hstsOK(hdr.Get("Strict-Transport-Security")), "Strict-Transport-Security with max-age > 0")
	} else {
		res := Result{Check: CheckCleartext, Port: p.Number, Service: p.Service, Severity: cleartextSeverity(p.Service)}
		if toHTTPS {
			res.Passed = true
			res.Evidence = fmt.Sprintf("http on %d/tcp redirects to https", p.Number)
		} else {
			res.Evidence = fmt.Sprintf("http on %d/tcp serves content unencrypted (status %d, no redirect to https)", p.Number, first.StatusCode)
		}
		r.add(res)
	}
	return nil
}

func isRedirect(code int) bool {
	return code == 301 || code == 302 || code == 303 || code == 307 || code == 308
}

// hstsOK reports whether a Strict-Transport-Security value has max-age > 0.
func hstsOK(v string) bool {
	for part := range strings.SplitSeq(v, ";") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "max-age") {
			n, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(val), `"`), 10, 64)
			return err == nil && n > 0
		}
	}
	return false
}

func (r *runner) addHeader(p Port, c Check, ok bool, what string) {
	res := Result{Check: c, Port: p.Number, Service: p.Service, Severity: Low, Passed: ok}
	if c == CheckHSTS {
		res.Severity = Medium
	}
	if ok {
		res.Evidence = what + " present"
	} else {
		res.Evidence = what + " missing"
	}
	r.add(res)
}

// checkHTTPLogin tries the credentials on Basic auth or on a login form
// found on the landing page. Pages without either get no result.
func (r *runner) checkHTTPLogin(ctx context.Context, p Port, h *httpState) error {
	if h.page == nil || len(r.opts.Credentials) == 0 {
		return nil
	}
	if h.basicPath != nil {
		for _, cred := range r.opts.Credentials {
			resp, err := r.httpGet(ctx, p, h.basicPath, &cred)
			if err != nil {
				return err
			}
			if resp.StatusCode < 400 {
				r.add(credResult(p, cred, "HTTP Basic auth"))
				return nil
			}
		}
		r.add(credRefused(p, len(r.opts.Credentials), "HTTP Basic auth"))
		return nil
	}
	form, ok := findLoginForm(h.page.body, h.page.url)
	if !ok {
		return nil
	}
	// A login with a random credential first gives the page's answer to a
	// wrong login; a credential counts as accepted only when its answer is
	// not a refusal and differs from that one.
	junk := Credential{User: "vigil-" + randomHex(6), Password: randomHex(12)}
	base, err := r.formLogin(ctx, p, form, junk)
	if err != nil {
		return err
	}
	for _, cred := range r.opts.Credentials {
		o, err := r.formLogin(ctx, p, form, cred)
		if err != nil {
			return err
		}
		if !o.refused() && o != base {
			r.add(credResult(p, cred, "HTTP login form "+form.action.Path))
			return nil
		}
	}
	r.add(credRefused(p, len(r.opts.Credentials), "HTTP login form "+form.action.Path))
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// loginForm is an HTML form with a password field.
type loginForm struct {
	action    *url.URL
	method    string
	userField string // empty: password-only form
	passField string
	hidden    url.Values
}

// findLoginForm returns the first same-origin form on the page that has a
// password input.
func findLoginForm(body []byte, page *url.URL) (loginForm, bool) {
	doc, err := html.Parse(strings.NewReader(string(body)))
	if err != nil {
		return loginForm{}, false
	}
	var found loginForm
	var ok bool
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if ok {
			return
		}
		if n.Type == html.ElementNode && n.Data == "form" {
			if f, good := parseForm(n, page); good {
				found, ok = f, true
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return found, ok
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func parseForm(form *html.Node, page *url.URL) (loginForm, bool) {
	f := loginForm{method: strings.ToUpper(attr(form, "method")), hidden: url.Values{}}
	if f.method != http.MethodGet {
		f.method = http.MethodPost
	}
	action, same := sameOrigin(page, attr(form, "action"))
	if !same {
		return loginForm{}, false // never send credentials elsewhere
	}
	f.action = action
	var texts []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "input" {
			name := attr(n, "name")
			switch strings.ToLower(attr(n, "type")) {
			case "password":
				if f.passField == "" && name != "" {
					f.passField = name
				}
			case "hidden":
				if name != "" {
					f.hidden.Set(name, attr(n, "value"))
				}
			case "", "text", "email":
				if name != "" {
					texts = append(texts, name)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(form)
	if f.passField == "" {
		return loginForm{}, false
	}
	for _, t := range texts {
		l := strings.ToLower(t)
		if strings.Contains(l, "user") || strings.Contains(l, "login") || strings.Contains(l, "mail") || strings.Contains(l, "name") || l == "id" {
			f.userField = t
			break
		}
	}
	if f.userField == "" && len(texts) > 0 {
		f.userField = texts[0]
	}
	return f, true
}

// loginOutcome is what a login form answered, reduced to what tells
// success from failure.
type loginOutcome struct {
	status   int
	location string // path of a redirect's target; "offsite" for another origin
	form     bool   // the answer shows a password form again
}

// refused reports an answer that is a failed login whatever else happens:
// an error status or the password form shown again.
func (o loginOutcome) refused() bool { return o.status >= 400 || o.form }

// formLogin submits one credential and returns the answer.
func (r *runner) formLogin(ctx context.Context, p Port, f loginForm, cred Credential) (loginOutcome, error) {
	vals := url.Values{}
	for k, v := range f.hidden {
		vals[k] = v
	}
	if f.userField != "" {
		vals.Set(f.userField, cred.User)
	}
	vals.Set(f.passField, cred.Password)
	var req *http.Request
	var err error
	if f.method == http.MethodGet {
		u := *f.action
		u.RawQuery = vals.Encode()
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, f.action.String(), strings.NewReader(vals.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		return loginOutcome{}, err
	}
	resp, err := r.httpDo(ctx, p, req)
	if err != nil {
		return loginOutcome{}, err
	}
	o := loginOutcome{status: resp.StatusCode}
	if isRedirect(resp.StatusCode) {
		if u, same := sameOrigin(f.action, resp.Header.Get("Location")); same {
			o.location = u.Path
		} else {
			o.location = "offsite"
		}
	}
	_, o.form = findLoginForm(resp.body, resp.url)
	return o, nil
}
