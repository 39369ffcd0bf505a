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

	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestCallOutcomeRecorded: an analyst records how a call about an
// escalated warning went on the call list; the list shows the latest
// outcome by name in the reader's language with its note and caller, the
// audit log has the entry, and a refused outcome changes nothing.
func TestCallOutcomeRecorded(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		seedNotices(t, e.env)
		own := e.idsOf(e.orgs[0])
		if own.Call == 0 {
			t.Fatal("no warning on the call list")
		}
		ctx := context.Background()
		count := func() int {
			var n int
			if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM call_outcomes`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		path := fmt.Sprintf("/analyst/calls/%d/outcome", own.Call)
		nl := map[string]string{"Accept-Language": "nl"}
		body := wantPage(t, e.page(preq{method: http.MethodGet, path: "/analyst/calls", as: asAnalyst, header: nl}), http.StatusOK)
		if !strings.Contains(body, "Nog niet gebeld.") || !strings.Contains(body, `<option value="wrong_number">verkeerd nummer</option>`) {
			t.Errorf("the call list before a call lacks its state or the outcomes by name: %.3000s", body)
		}
		body = wantPage(t, e.page(preq{method: http.MethodPost, path: path, as: asAnalyst, header: nl, form: url.Values{"outcome": {"busy"}, "note": {"kept"}}}), http.StatusUnprocessableEntity)
		if !strings.Contains(body, "no_answer (geen gehoor)") || !strings.Contains(body, ">kept</textarea>") || count() != 0 {
			t.Errorf("a refused outcome: Dutch message, the note kept, nothing written (%d rows): %.3000s", count(), body)
		}
		wantPage(t, e.page(preq{method: http.MethodPost, path: path, as: asAnalyst, form: url.Values{"outcome": {"left_message"}, "note": {"voicemail of the SOC"}}}), http.StatusSeeOther)
		if count() != 1 {
			t.Fatalf("%d calls recorded; want 1", count())
		}
		body = wantPage(t, e.page(preq{method: http.MethodGet, path: "/analyst/calls?msg=calls.recorded", as: asAnalyst, header: nl}), http.StatusOK)
		for _, w := range []string{"Het gesprek is vastgelegd.", "<strong>bericht achtergelaten</strong>: voicemail of the SOC", e.users[asAnalyst].Email} {
			if !strings.Contains(body, w) {
				t.Errorf("the call list after the call lacks %q", w)
			}
		}
		var n int
		if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'call.record' AND actor = ? AND object = ?`,
			e.users[asAnalyst].Email, fmt.Sprintf("notice %d", own.Call)).Scan(&n); err != nil || n != 1 {
			t.Errorf("audit entries of the call: %d (%v); want 1", n, err)
		}
		// The firm acknowledges on the telephone: the outcome acknowledges
		// the warning as given by telephone, recorded by the analyst, and
		// it leaves the call list.
		wantPage(t, e.page(preq{method: http.MethodPost, path: path, as: asAnalyst, form: url.Values{"outcome": {"acknowledged"}, "note": {"the IT manager patches tonight"}}}), http.StatusSeeOther)
		var state, by string
		if err := st.QueryRow(ctx, `SELECT state, COALESCE(acked_by, '') FROM notices WHERE id = ?`, own.Call).Scan(&state, &by); err != nil {
			t.Fatal(err)
		}
		if want := "telephone, recorded by " + e.users[asAnalyst].Email; state != "acknowledged" || by != want {
			t.Errorf("after the acknowledging call: %s by %q; want acknowledged by %q", state, by, want)
		}
		if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'notice.ack' AND object = ?`, fmt.Sprintf("notice %d", own.Call)).Scan(&n); err != nil || n != 1 {
			t.Errorf("audit entries of the acknowledgement: %d (%v); want 1", n, err)
		}
		body = wantPage(t, e.page(preq{method: http.MethodGet, path: "/analyst/calls", as: asAnalyst}), http.StatusOK)
		if strings.Contains(body, fmt.Sprintf(`id="call-%d"`, own.Call)) {
			t.Errorf("the acknowledged warning %d is still on the call list", own.Call)
		}
		// A member may not record calls; a warning not on the list is not found.
		wantPage(t, e.page(preq{method: http.MethodPost, path: path, as: asMemberA, form: url.Values{"outcome": {"reached"}}}), http.StatusForbidden)
		wantPage(t, e.page(preq{method: http.MethodPost, path: fmt.Sprintf("/analyst/calls/%d/outcome", own.Notice), as: asAnalyst, form: url.Values{"outcome": {"reached"}}}), http.StatusNotFound)
	})
}
