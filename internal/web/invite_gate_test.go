// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vigil/internal/auth"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestInviteNeedsApproval: an organisation anyone registered invites no
// one, on the page or the API, while it is pending or after an analyst
// rejected it (its name would go out in a message from the CERT); once
// approved it does.
func TestInviteNeedsApproval(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		register := func(name, asset string) int64 {
			t.Helper()
			rec := e.page(preq{method: http.MethodPost, path: "/register", as: asMemberA, form: url.Values{"name": {name}, "country": {"NL"}, "asset": {asset}}})
			var id int64
			if _, err := fmt.Sscanf(rec.Header().Get("Location"), "/orgs/%d/", &id); rec.Code != http.StatusSeeOther || err != nil {
				t.Fatalf("register %q: %d %s %.300s", name, rec.Code, rec.Header().Get("Location"), rec.Body)
			}
			tok := auth.Token{Name: "registrant", OrgID: id, Scopes: []auth.Scope{auth.ScopeRead, auth.ScopeWrite}}
			secret, err := st.TokenCreate(ctx, tenant.Operator(), &tok)
			if err != nil {
				t.Fatal(err)
			}
			e.tok[fmt.Sprint(id)] = secret
			return id
		}
		refused := func(id int64, lang string) {
			t.Helper()
			rec := e.page(preq{method: http.MethodPost, path: fmt.Sprintf("/orgs/%d/invitations", id), as: asMemberA,
				form: url.Values{"invite_email": {"victim@example.org"}}, header: map[string]string{"Accept-Language": lang}})
			body := wantPage(t, rec, http.StatusUnprocessableEntity)
			want := map[string]string{"en": "once an analyst has approved it", "nl": "zodra een analist haar heeft goedgekeurd"}[lang]
			if !strings.Contains(body, want) || !strings.Contains(body, `id="invite_email"`) {
				t.Errorf("organisation %d (%s): the refusal does not say why on the field: %.2000s", id, lang, body)
			}
			wantProblem(t, e.send(req{method: http.MethodPost, path: fmt.Sprintf("/api/v1/orgs/%d/invitations", id), token: fmt.Sprint(id),
				body: `{"email":"victim@example.org"}`}), 422, "email")
		}
		var queued int
		count := func() int {
			var n int
			if err := st.QueryRow(ctx, `SELECT count(*) FROM account_tokens`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		pending := register("Harbour Lights Trading", "harbourlights.example")
		queued = count()
		refused(pending, "en")
		refused(pending, "nl")
		rejected := register("Beacon Hill Supplies", "beaconhill.example")
		if _, err := e.srv.rejectOrg(ctx, rejected, "not a customer of ours"); err != nil {
			t.Fatal(err)
		}
		refused(rejected, "en")
		if n := count(); n != queued {
			t.Errorf("%d invitations made by unapproved organisations", n-queued)
		}
		if rec := e.send(req{method: http.MethodPost, path: fmt.Sprintf("/api/v1/orgs/%d/approve", pending), token: tokOp}); rec.Code != http.StatusNoContent {
			t.Fatalf("approve: %d %s", rec.Code, rec.Body)
		}
		if rec := e.send(req{method: http.MethodPost, path: fmt.Sprintf("/api/v1/orgs/%d/invitations", pending), token: fmt.Sprint(pending),
			body: `{"email":"colleague@example.org"}`}); rec.Code != http.StatusAccepted {
			t.Errorf("approved organisation's invitation: %d %s", rec.Code, rec.Body)
		}
	})
}
