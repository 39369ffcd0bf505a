// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"vigil/internal/account"
	"vigil/internal/keyset"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestInvitationsPage: the open invitations page lists each invitation
// with its address, who invited, when it was sent and when it expires,
// and a Revoke button; revoking goes through the API twin's service
// (audited with the invitation before, the link then refused as an
// expired one's); the empty state is said in both languages; an
// invitation that is no longer open, or another organisation's, is not
// found and writes nothing.
func TestInvitationsPage(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newPageEnv(t, st)
		A, B := e.orgs[0], e.orgs[1]
		path := fmt.Sprintf("/orgs/%d/invitations", A.ID)
		revoke := func(org, iid int64) string {
			return fmt.Sprintf("/orgs/%d/invitations/%d/revoke", org, iid)
		}
		member := e.users[asMemberA]
		secret, err := e.srv.accounts.Invite(ctx, member.ID, A.ID, "new-colleague@portal.example", account.RoleMaker)
		if err != nil {
			t.Fatal(err)
		}
		open, err := e.srv.app.Invitations(ctx, tenant.Org(A.ID), A.ID)
		if err != nil || len(open) == 0 {
			t.Fatalf("open invitations: %v %v", open, err)
		}
		var mine account.OpenInvitation
		for _, i := range open {
			if i.Email == "new-colleague@portal.example" {
				mine = i
			}
		}
		if mine.ID == 0 || mine.By != member.Email || !mine.Sent.Equal(fixedNow()) || !mine.Expires.After(mine.Sent) {
			t.Fatalf("the new invitation reads %+v", mine)
		}

		for lang, title := range map[string]string{"en": "Open invitations", "nl": "Openstaande uitnodigingen"} {
			body := wantPage(t, e.page(preq{method: http.MethodGet, path: path, as: asMemberA, header: map[string]string{"Accept-Language": lang}}), http.StatusOK)
			for _, want := range []string{"<h1>" + title + "</h1>", "new-colleague@portal.example", member.Email,
				fmt.Sprintf(`<time datetime="%s">`, mine.Sent.UTC().Format("2006-01-02T15:04:05Z07:00")),
				fmt.Sprintf(`<time datetime="%s">`, mine.Expires.UTC().Format("2006-01-02T15:04:05Z07:00")),
				fmt.Sprintf(`action="%s"`, revoke(A.ID, mine.ID)), fmt.Sprintf(`href="%s" aria-current="page"`, path)} {
				if !strings.Contains(body, want) {
					t.Errorf("%s: the invitations page lacks %q", lang, want)
				}
			}
		}
		registry := wantPage(t, e.page(preq{method: http.MethodGet, path: fmt.Sprintf("/orgs/%d/registry", A.ID), as: asMemberA}), http.StatusOK)
		if !strings.Contains(registry, fmt.Sprintf(`<a href="%s">Open invitations</a>`, path)) {
			t.Errorf("the members list does not link to the open invitations")
		}

		// Another organisation's invitation through A's path, or A's
		// through B's: not found, nothing written.
		openB, err := e.srv.app.Invitations(ctx, tenant.Org(B.ID), B.ID)
		if err != nil || len(openB) == 0 {
			t.Fatalf("B's open invitations: %v %v", openB, err)
		}
		entries := auditCount(t, st)
		wantPage(t, e.page(preq{method: http.MethodPost, path: revoke(A.ID, openB[0].ID), as: asMemberA}), http.StatusNotFound)
		wantPage(t, e.page(preq{method: http.MethodPost, path: revoke(B.ID, mine.ID), as: asMemberA}), http.StatusNotFound)
		if n := auditCount(t, st); n != entries {
			t.Errorf("refused revocations wrote %d audit entries", n-entries)
		}

		wantPage(t, e.page(preq{method: http.MethodPost, path: revoke(A.ID, mine.ID), as: asMemberA}), http.StatusSeeOther)
		last, err := st.AuditList(ctx, keyset.Page{Limit: 1})
		if err != nil || len(last) != 1 {
			t.Fatalf("audit: %v %v", last, err)
		}
		var before account.OpenInvitation
		if a := last[0]; a.Action != "invitation.revoke" || a.OrgID != A.ID || a.Actor != member.Email || json.Unmarshal(a.Before, &before) != nil ||
			before.ID != mine.ID || before.Email != mine.Email {
			t.Errorf("audit entry = %+v (before %+v)", a, before)
		}
		if _, err := e.srv.accounts.Invitation(ctx, secret); err == nil {
			t.Error("the revoked invitation's link still reads as valid")
		}
		wantPage(t, e.page(preq{method: http.MethodPost, path: revoke(A.ID, mine.ID), as: asMemberA}), http.StatusNotFound)

		// The rest revoked: the empty state, in both languages.
		for _, i := range open {
			if i.ID != mine.ID {
				wantPage(t, e.page(preq{method: http.MethodPost, path: revoke(A.ID, i.ID), as: asMemberA}), http.StatusSeeOther)
			}
		}
		for lang, text := range map[string]string{"en": "There are no open invitations.", "nl": "Er zijn geen openstaande uitnodigingen."} {
			body := wantPage(t, e.page(preq{method: http.MethodGet, path: path, as: asMemberA, header: map[string]string{"Accept-Language": lang}}), http.StatusOK)
			if !strings.Contains(body, text) || strings.Contains(body, "/revoke") {
				t.Errorf("%s: the empty page does not say %q or still offers a button:\n%s", lang, text, body)
			}
		}
	})
}
