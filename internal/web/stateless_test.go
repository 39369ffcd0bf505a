// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestStatelessRoutesLeaveNoEntry posts the form of every route the table
// marks Stateless and checks that it succeeded and left no audit entry,
// while a sign-in attempt (security-relevant) and a signed-in user's
// language choice (stored with the account) still leave one.
func TestStatelessRoutesLeaveNoEntry(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		count := func() int {
			var n int
			if err := st.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		forms := e.pageForms()
		n := 0
		for _, rt := range e.srv.Routes() {
			if !rt.Stateless {
				continue
			}
			n++
			if rt.Method == http.MethodGet || rt.Method == http.MethodHead {
				t.Errorf("route %s is marked Stateless; only a POST needs the mark", rt.Pattern())
			}
			before := count()
			var rec *httptest.ResponseRecorder
			if rt.IsPage() {
				form, ok := forms[rt.ID]
				if !ok {
					t.Errorf("route %s (%s) has no form in pageForms", rt.Pattern(), rt.ID)
					continue
				}
				rec = e.page(preq{method: rt.Method, path: rt.Path, form: form})
			} else {
				rec = e.send(req{method: rt.Method, path: rt.Path, body: e.bodyFor(rt, "stateless")})
			}
			// An answer (a result or a form error such as an unknown
			// label) is what these forms give; a server error is not.
			if rec.Code >= 500 || rec.Code == http.StatusForbidden {
				t.Errorf("%s: status %d", rt.Pattern(), rec.Code)
			}
			if after := count(); after != before {
				t.Errorf("%s (Stateless) left %d audit entries", rt.Pattern(), after-before)
			}
		}
		if n == 0 {
			t.Fatal("no route is marked Stateless")
		}
		for _, c := range []struct {
			name string
			r    preq
		}{
			{"failed sign-in", preq{method: http.MethodPost, path: "/login", form: url.Values{"email": {"memberA@portal.example"}, "password": {"wrong password"}}}},
			{"signed-in language choice", preq{method: http.MethodPost, path: "/lang", as: asMemberA, form: url.Values{"lang": {"nl"}, "back": {"/"}}}},
		} {
			before := count()
			e.page(c.r)
			if count() == before {
				t.Errorf("%s left no audit entry", c.name)
			}
		}
	})
}
