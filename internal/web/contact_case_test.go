// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestContactCaseDuplicatePage: on the registry page, a contact whose
// address differs only in case from one of the organisation's is refused
// beside the address field in the page's language, and nothing is
// written.
func TestContactCaseDuplicatePage(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newPageEnv(t, st)
		A := e.orgs[0]
		before, err := st.ContactList(ctx, tenant.Org(A.ID))
		if err != nil || len(before) == 0 || before[0].Email == "" {
			t.Fatalf("contacts of A: %+v %v", before, err)
		}
		c := before[0]
		for lang, text := range map[string]string{"en": "already exists", "nl": "al een contactpersoon"} {
			body := wantPage(t, e.page(preq{method: http.MethodPost, path: fmt.Sprintf("/orgs/%d/contacts", A.ID), as: asMemberA,
				header: map[string]string{"Accept-Language": lang},
				form:   map[string][]string{"contact_email": {strings.ToUpper(c.Email)}, "contact_phone": {c.Phone}}}), http.StatusConflict)
			if !strings.Contains(body, `id="contact_email-err"`) || !strings.Contains(body, text) {
				t.Errorf("%s: the refusal does not show %q beside the address:\n%s", lang, text, body)
			}
		}
		if after, err := st.ContactList(ctx, tenant.Org(A.ID)); err != nil || len(after) != len(before) {
			t.Errorf("contacts after the refusals: %d, were %d (%v)", len(after), len(before), err)
		}
	})
}
