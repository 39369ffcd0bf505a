// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestPublicCheckRateLimit sends each rate-limited public check (label
// verification by link and by form, the security.txt checker page and its
// API) from one client address until it is refused: 429 Too Many Requests
// with Retry-After, a page in the visitor's language (problem details on
// the API); another client address is still served.
func TestPublicCheckRateLimit(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		form := func(k, v string) string { return url.Values{k: {v}}.Encode() }
		// The targets are refused before anything is fetched (an unknown
		// label, a loopback address), so no request leaves the machine.
		for i, c := range []struct {
			name, method, path, body string
			api                      bool
		}{
			{"verify_link", http.MethodGet, "/labels/verify?id=VL-NONE-0000-0000", "", false},
			{"verify_form", http.MethodPost, "/labels/verify", form("id", "VL-NONE-0000-0000"), false},
			{"securitytxt_page", http.MethodPost, "/tools/securitytxt", form("target", "127.0.0.1"), false},
			{"securitytxt_api", http.MethodGet, "/api/v1/securitytxt?target=127.0.0.1", "", true},
		} {
			t.Run(c.name, func(t *testing.T) {
				send := func(from, lang string) *httptest.ResponseRecorder {
					r := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
					r.RemoteAddr = from
					if c.body != "" {
						r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					}
					r.Header.Set("Accept-Language", lang)
					rec := httptest.NewRecorder()
					e.srv.ServeHTTP(rec, r)
					return rec
				}
				client := "192.0.2." + string(rune('1'+i)) + ":4000"
				var refused *httptest.ResponseRecorder
				for n := 0; n < 100 && refused == nil; n++ {
					rec := send(client, "nl")
					switch rec.Code {
					case http.StatusTooManyRequests:
						refused = rec
					case http.StatusOK, http.StatusUnprocessableEntity:
					default:
						t.Fatalf("request %d: status %d: %.300s", n, rec.Code, rec.Body)
					}
				}
				if refused == nil {
					t.Fatal("100 checks from one address were all served")
				}
				if ra := refused.Header().Get("Retry-After"); ra == "" || strings.Trim(ra, "0123456789") != "" {
					t.Errorf("Retry-After = %q; want seconds", ra)
				}
				body := refused.Body.String()
				if c.api {
					if ct := refused.Header().Get("Content-Type"); ct != "application/problem+json" || !strings.Contains(body, `"status":429`) {
						t.Errorf("API refusal: %q %s", ct, body)
					}
				} else {
					wantPage(t, refused, http.StatusTooManyRequests)
					if !strings.Contains(body, `<html lang="nl">`) || !strings.Contains(body, "Te veel controles vanaf uw adres") {
						t.Errorf("the refusal is not a Dutch page: %.600s", body)
					}
					if en := send(client, "en").Body.String(); !strings.Contains(en, "Too many checks from your address") {
						t.Errorf("the refusal is not an English page: %.600s", en)
					}
				}
				if rec := send("198.51.100."+string(rune('1'+i))+":4000", "en"); rec.Code == http.StatusTooManyRequests {
					t.Errorf("another client address is limited too")
				}
			})
		}
	})
}

// TestLoginRateLimit sends sign-in attempts and token forms (password
// reset, invitation, sign-up and its confirmation) from one client address until they are refused, with
// a message naming the reason, while another client address is still
// answered as usual: guessing passwords or tokens from one address is slowed
// down whatever the account.
func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		stopLimitClocks(e.srv)
		for i, c := range []struct {
			name, path string
			form       url.Values
			usual      int // the answer to one attempt that is not refused
		}{
			// An address with no account, so that no account is locked out
			// on the way (that is TestLoginLockoutAndSessions).
			{"login", "/login", url.Values{"email": {"nobody@portal.example"}, "password": {"wrong"}}, http.StatusUnauthorized},
			{"reset", "/password/reset", url.Values{"token": {"not-a-token"}, "password": {"a long enough new password"}}, http.StatusUnprocessableEntity},
			{"invitation", "/invitation", url.Values{"token": {"not-a-token"}, "password": {"a long enough new password"}}, http.StatusUnprocessableEntity},
			{"signup", "/signup", url.Values{"email": {"not an address"}, "password": {"a long enough new password"}}, http.StatusUnprocessableEntity},
			{"signup_confirm", "/signup/confirm", url.Values{"token": {"not-a-token"}}, http.StatusUnprocessableEntity},
		} {
			t.Run(c.name, func(t *testing.T) {
				send := func(from string) *httptest.ResponseRecorder {
					r := httptest.NewRequest(http.MethodPost, c.path, strings.NewReader(c.form.Encode()))
					r.RemoteAddr = from
					r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					rec := httptest.NewRecorder()
					e.srv.ServeHTTP(rec, r)
					return rec
				}
				client := fmt.Sprintf("198.51.100.%d:4000", 10+i)
				refused := -1
				for n := 0; n < 100 && refused < 0; n++ {
					rec := send(client)
					switch {
					case rec.Code == http.StatusForbidden && strings.Contains(rec.Body.String(), "too many"):
						refused = n
					case rec.Code != c.usual:
						t.Fatalf("attempt %d: status %d, want %d: %.300s", n, rec.Code, c.usual, rec.Body)
					}
				}
				if refused < 0 {
					t.Fatal("100 attempts from one address were all answered")
				}
				if refused > 20 {
					t.Errorf("the first refusal came at attempt %d", refused)
				}
				if rec := send(fmt.Sprintf("198.51.100.%d:4000", 110+i)); rec.Code != c.usual {
					t.Errorf("another address: status %d, want %d: %.300s", rec.Code, c.usual, rec.Body)
				}
			})
		}
	})
}
