// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"vigil/internal/app"
	"vigil/internal/config"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestInviteLimits: an organisation's members together and one account
// across its organisations send at most the configured invitations in 24
// hours. Over a limit the page says which limit in the reader's language
// on the address field (429) and the API answers 429 on field email, both
// with Retry-After: the seconds until the oldest invitation counted is a
// day old;
// nothing is written (no invitation, no e-mail, no audit entry). Older
// invitations stop counting after 24 hours.
func TestInviteLimits(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		orgA, member := e.orgs[0].ID, e.users[asMemberA].ID
		count := func(q string, args ...any) int {
			t.Helper()
			var n int
			if err := st.QueryRow(ctx, st.Rebind(q), args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		invites := func() int { return count(`SELECT count(*) FROM account_tokens WHERE purpose = 'invite'`) }
		state := func() [3]int {
			return [3]int{invites(), count(`SELECT count(*) FROM outbox`), count(`SELECT count(*) FROM audit_log`)}
		}
		// The seeded invitations count: the limits sit two (account) and
		// three (organisation) above them.
		orgBase := count(`SELECT count(*) FROM account_tokens WHERE purpose = 'invite' AND org_id = ?`, orgA)
		accBase := count(`SELECT count(*) FROM account_tokens WHERE purpose = 'invite' AND created_by = ?`, member)
		cfg := config.Defaults()
		cfg.Portal.InvitesPerOrgDay, cfg.Portal.InvitesPerAccountDay = orgBase+3, accBase+2
		x := app.New(st, cfg, nil)
		if _, err := x.OpenMailbox(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = x.Close() })
		e.srv.app = x

		invite := func(addr, lang string) *http.Response {
			t.Helper()
			rec := e.page(preq{method: http.MethodPost, path: fmt.Sprintf("/orgs/%d/invitations", orgA), as: asMemberA,
				form: url.Values{"invite_email": {addr}}, header: map[string]string{"Accept-Language": lang}})
			return rec.Result()
		}
		for i := range 2 {
			if res := invite(fmt.Sprintf("colleague%d@example.org", i), "en"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("invitation %d within the limits: %d", i, res.StatusCode)
			}
		}
		// retryAfter checks that a refusal says to wait until the oldest
		// invitation counted (of the account: col created_by; of the
		// organisation: org_id) leaves the 24 hours.
		retryAfter := func(what string, h http.Header, col string, id int64) {
			t.Helper()
			var oldest time.Time
			if err := st.QueryRow(ctx, st.Rebind(`SELECT created_at FROM account_tokens WHERE purpose = 'invite' AND `+col+` = ? AND created_at >= ?
ORDER BY created_at LIMIT 1`), id, fixedNow().Add(-app.InviteWindow)).Scan(&oldest); err != nil {
				t.Fatal(err)
			}
			want := strconv.Itoa(int(math.Ceil(oldest.Add(app.InviteWindow).Sub(fixedNow()).Seconds())))
			if got := h.Get("Retry-After"); got != want || want == "0" {
				t.Errorf("%s: Retry-After = %q; want %s (seconds until the oldest invitation counted is a day old)", what, got, want)
			}
		}
		before := state()
		for _, c := range []struct{ lang, want string }{
			{"en", fmt.Sprintf("you have sent %d invitations in the last 24 hours, the daily limit of an account", accBase+2)},
			{"nl", fmt.Sprintf("u heeft in de afgelopen 24 uur %d uitnodigingen verstuurd, de daglimiet van een account", accBase+2)},
		} {
			rec := e.page(preq{method: http.MethodPost, path: fmt.Sprintf("/orgs/%d/invitations", orgA), as: asMemberA,
				form: url.Values{"invite_email": {"one-too-many@example.org"}}, header: map[string]string{"Accept-Language": c.lang}})
			body := wantPage(t, rec, http.StatusTooManyRequests)
			if !strings.Contains(body, c.want) || !strings.Contains(body, `id="invite_email"`) {
				t.Errorf("%s: the refusal does not name the account's limit on the field: %.2000s", c.lang, body)
			}
			retryAfter("page, the account's limit", rec.Header(), "created_by", member)
		}
		if got := state(); got != before {
			t.Errorf("refused invitations wrote something: (invitations, outbox, audit) %v, then %v", before, got)
		}

		// An organisation token acts for no account: only the
		// organisation's limit holds, one more, then 429.
		path := fmt.Sprintf("/api/v1/orgs/%d/invitations", orgA)
		if rec := e.send(req{method: http.MethodPost, path: path, token: tokARW, body: `{"email":"api1@example.org"}`}); rec.Code != http.StatusAccepted {
			t.Fatalf("API invitation within the organisation's limit: %d %s", rec.Code, rec.Body)
		}
		before = state()
		refused := e.send(req{method: http.MethodPost, path: path, token: tokARW, body: `{"email":"api2@example.org"}`})
		retryAfter("API, the organisation's limit", refused.Header(), "org_id", orgA)
		p := wantProblem(t, refused, http.StatusTooManyRequests, "email")
		if want := fmt.Sprintf("this organisation has sent %d invitations in the last 24 hours", orgBase+3); !strings.Contains(p.Detail, want) || p.Type != ProblemType+"too_many_requests" {
			t.Errorf("API refusal: %+v, want %q", p, want)
		}
		rec := e.page(preq{method: http.MethodPost, path: fmt.Sprintf("/orgs/%d/invitations", orgA), as: asMemberA,
			form: url.Values{"invite_email": {"late@example.org"}}, header: map[string]string{"Accept-Language": "nl"}})
		if body := wantPage(t, rec, http.StatusTooManyRequests); !strings.Contains(body, "haar daglimiet") {
			t.Errorf("the organisation's limit is not named on the page: %.2000s", body)
		}
		retryAfter("page, the organisation's limit", rec.Header(), "org_id", orgA)
		if got := state(); got != before {
			t.Errorf("refused invitations wrote something: (invitations, outbox, audit) %v, then %v", before, got)
		}

		// A day later the invitations of yesterday no longer count.
		if _, err := st.Exec(ctx, `UPDATE account_tokens SET created_at = ? WHERE purpose = 'invite'`, fixedNow().Add(-app.InviteWindow-time.Minute)); err != nil {
			t.Fatal(err)
		}
		if res := invite("next-day@example.org", "en"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("invitation the next day: %d", res.StatusCode)
		}
	})
}
