// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vigil/internal/app"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestRegisterOpenCap: one account may have app.MaxOpenRegistrations
// organisations waiting for approval; the next registration, on the page
// (in English and Dutch) or through the API, is refused as a conflict
// naming the limit and writes nothing, until an analyst rejects or approves
// one of them.
func TestRegisterOpenCap(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		register := func(name string) *http.Response {
			return e.page(preq{method: http.MethodPost, path: "/register", as: asMemberA,
				form: url.Values{"name": {name}, "asset": {strings.ToLower(strings.ReplaceAll(name, " ", "-")) + ".example"}}}).Result()
		}
		apiRegister := func(name string) Problem {
			body := fmt.Sprintf(`{"account":{"email":"memberA@portal.example","password":%q},"name":%q,"asset":"api-%d.example"}`, testPassword, name, len(name))
			return wantProblem(t, e.send(req{method: http.MethodPost, path: "/api/v1/register", from: "198.51.100.30:1", body: body}), http.StatusConflict, "")
		}
		pending := func() int {
			aps, err := st.OrgApprovals(t.Context(), tenant.Operator())
			if err != nil {
				t.Fatal(err)
			}
			return len(aps)
		}
		before := pending()
		for i := range app.MaxOpenRegistrations {
			if res := register(fmt.Sprintf("Wacht %c BV", 'A'+i)); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("registration %d = %d; want 303", i+1, res.StatusCode)
			}
		}
		for _, c := range []struct{ lang, want string }{
			{"en", fmt.Sprintf("you have %d organisations waiting for approval", app.MaxOpenRegistrations)},
			{"nl", fmt.Sprintf("u hebt %d organisaties die op goedkeuring wachten", app.MaxOpenRegistrations)},
		} {
			rec := e.page(preq{method: http.MethodPost, path: "/register", as: asMemberA, header: map[string]string{"Accept-Language": c.lang},
				form: url.Values{"name": {"Te Veel BV"}, "asset": {"te-veel.example"}}})
			body := wantPage(t, rec, http.StatusConflict)
			if !strings.Contains(body, c.want) {
				t.Errorf("the refused registration (%s) lacks %q", c.lang, c.want)
			}
		}
		if p := apiRegister("Te Veel API BV"); !strings.Contains(p.Detail, fmt.Sprint(app.MaxOpenRegistrations)) {
			t.Errorf("the API's refusal %q does not name the limit", p.Detail)
		}
		if got := pending(); got != before+app.MaxOpenRegistrations {
			t.Errorf("%d organisations wait; want %d (refused registrations wrote)", got, before+app.MaxOpenRegistrations)
		}

		// A decision on one of them makes room for one more.
		wantPage(t, e.page(preq{method: http.MethodPost, path: fmt.Sprintf("/analyst/pending/%d/reject", e.orgNamed(t, "Wacht A BV")), as: asAnalyst,
			form: url.Values{"reason": {"not in the trade register"}}}), http.StatusSeeOther)
		if res := register("Na Afwijzing BV"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("registration after a rejection = %d; want 303", res.StatusCode)
		}
		if res := register("Weer Te Veel BV"); res.StatusCode != http.StatusConflict {
			t.Fatalf("registration over the cap again = %d; want 409", res.StatusCode)
		}
		wantPage(t, e.page(preq{method: http.MethodPost, path: fmt.Sprintf("/analyst/pending/%d/approve", e.orgNamed(t, "Wacht B BV")), as: asAnalyst}), http.StatusSeeOther)
		if res := register("Na Goedkeuring BV"); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("registration after an approval = %d; want 303", res.StatusCode)
		}
	})
}

// TestRegisterRateLimited: a burst of registrations from one client is
// refused by the sign-in's per-client limit, on the page and through the
// API, before anything is registered.
func TestRegisterRateLimited(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		stopLimitClocks(e.srv)
		// An asset that is not valid makes each attempt fail before
		// the cap counts, so only the limiter can refuse.
		form := url.Values{"name": {"Stormloop BV"}, "asset": {"10.0.0.1/8"}}
		refused := 0
		for range 30 {
			rec := e.page(preq{method: http.MethodPost, path: "/register", as: asMemberA, remote: "203.0.113.7:1", form: form})
			if rec.Code == http.StatusForbidden && strings.Contains(rec.Body.String(), "too many attempts") {
				refused++
			} else if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("registration = %d; want 422 or 403", rec.Code)
			}
		}
		if refused == 0 {
			t.Error("a burst of 30 registrations from one client on the page was never refused")
		}
		body := fmt.Sprintf(`{"account":{"email":"memberA@portal.example","password":%q},"name":"Stormloop BV","asset":"10.0.0.1/8"}`, testPassword)
		refused = 0
		for range 30 {
			rec := e.send(req{method: http.MethodPost, path: "/api/v1/register", from: "203.0.113.8:1", body: body})
			if rec.Code == http.StatusForbidden {
				refused++
			} else if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("API registration = %d; want 422 or 403 (%s)", rec.Code, rec.Body)
			}
		}
		if refused == 0 {
			t.Error("a burst of 30 registrations from one client through the API was never refused")
		}
	})
}
