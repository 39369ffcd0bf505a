// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestEveryPageSendsCSP is generated from the route table: every page
// route (GET and the forms' POST, with a valid form, as a persona allowed
// to use it) answers with the security headers, its Content-Security-Policy
// denying framing (frame-ancestors 'none'), and an HTML answer carries the
// portal's policy (scripts and styles only from its own files) and no
// inline style or script.
func TestEveryPageSendsCSP(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		seedNotices(t, e.env)
		own := e.idsOf(e.orgs[0])
		forms := e.pageForms()
		inline := regexp.MustCompile(`(?i)<style|\sstyle="|<script(\s[^>]*)?>\s*[^<\s]|\son[a-z]+="`)
		n := 0
		for _, rt := range e.srv.Routes() {
			if !rt.IsPage() {
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
			case strings.HasPrefix(rt.Path, PagePath+"/products"):
				as = asMakerA
			}
			n++
			t.Run(rt.ID, func(t *testing.T) {
				r := preq{method: rt.Method, path: e.pageFill(rt.Path, own) + pageQueries[rt.ID], as: as}
				if rt.Method == http.MethodPost {
					r.form = forms[rt.ID]
				}
				rec := e.page(r)
				h := rec.Header()
				csp := h.Get("Content-Security-Policy")
				if !strings.Contains(csp, "frame-ancestors 'none'") || h.Get("X-Content-Type-Options") != "nosniff" {
					t.Errorf("%s %s (%d): CSP %q, nosniff %q", rt.Method, r.path, rec.Code, csp, h.Get("X-Content-Type-Options"))
				}
				if !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
					return
				}
				if csp != ContentSecurityPolicy {
					t.Errorf("%s %s (%d): HTML under CSP %q; want the portal's %q", rt.Method, r.path, rec.Code, csp, ContentSecurityPolicy)
				}
				if m := inline.FindString(rec.Body.String()); m != "" {
					t.Errorf("%s %s: inline style or script %q", rt.Method, r.path, m)
				}
			})
		}
		if n < 80 {
			t.Errorf("only %d page routes", n)
		}
	})
}
