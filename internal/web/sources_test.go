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

	"vigil/internal/keyset"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
)

// TestSourcesPage: an analyst registers a Shadowserver source with its key
// and secret (refused input is named on its field, nothing is stored and
// the credentials typed are not sent back), sees it listed with
// "credentials stored" and never the credentials, pauses, resumes and runs
// it; every action is in the audit log; a member gets 403.
func TestSourcesPage(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		const key, secret = "ss-key-CANARY-5f2a", "ss-secret-CANARY-91c4"
		count := func() int {
			l, err := st.SourceList(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return len(l)
		}
		good := url.Values{"name": {"shadowserver-daily"}, "kind": {"shadowserver"}, "url": {"https://transform.shadowserver.example/api2/"},
			"every": {"6h"}, "expect": {"24h"}, "key": {key}, "secret": {secret}}
		with := func(k, v string) url.Values {
			f := url.Values{}
			for n, vs := range good {
				f[n] = vs
			}
			f.Set(k, v)
			return f
		}
		for _, tc := range []struct {
			name, field string
			form        url.Values
		}{
			{"bad_name", "name", with("name", "Daily Reports")},
			{"bad_kind", "kind", with("kind", "ftp")},
			{"directory_kind", "kind", with("kind", "dir")},
			{"private_url", "url", with("url", "https://10.0.0.5/api2/")},
			{"bad_every", "every", with("every", "daily")},
			{"every_too_short", "every", with("every", "10s")},
			{"bad_expect", "expect", with("expect", "-1h")},
			{"no_secret", "key", with("secret", "")},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := count()
				body := wantPage(t, e.page(preq{method: "POST", path: "/analyst/sources", as: asAnalyst, form: tc.form}), http.StatusUnprocessableEntity)
				if !strings.Contains(body, fmt.Sprintf(`href="#%s"`, tc.field)) || !strings.Contains(body, fmt.Sprintf(`aria-describedby="%s-err"`, tc.field)) {
					t.Errorf("the refusal is not shown on the %s field: %s", tc.field, body)
				}
				if strings.Contains(body, key) || strings.Contains(body, secret) {
					t.Error("the refused form sends the credentials back")
				}
				if count() != before {
					t.Error("a refused source was stored")
				}
			})
		}
		rec := e.page(preq{method: "POST", path: "/analyst/sources", as: asAnalyst, form: good})
		wantPage(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/analyst/sources?msg=sources.added#source-shadowserver-daily" {
			t.Errorf("Location = %q", loc)
		}
		src, sealed, err := st.SourceGet(ctx, "shadowserver-daily")
		if err != nil {
			t.Fatal(err)
		}
		if sealed == "" || strings.Contains(sealed, key) || strings.Contains(sealed, secret) {
			t.Errorf("the credentials are not sealed: %q", sealed)
		}
		page := wantPage(t, e.page(preq{method: "GET", path: "/analyst/sources", as: asAnalyst}), http.StatusOK)
		if !strings.Contains(page, `id="source-shadowserver-daily"`) || !strings.Contains(page, "credentials stored (not shown)") {
			t.Errorf("the new source is not listed with its stored credentials: %s", page)
		}
		if strings.Contains(page, key) || strings.Contains(page, secret) {
			t.Error("the sources page shows credentials")
		}
		for _, step := range []struct {
			action string
			status int
			paused bool
		}{
			{"pause", http.StatusSeeOther, true},
			{"run", http.StatusConflict, true},
			{"resume", http.StatusSeeOther, false},
			{"run", http.StatusSeeOther, false},
		} {
			rec := e.page(preq{method: "POST", path: fmt.Sprintf("/analyst/sources/%d/%s", src.ID, step.action), as: asAnalyst})
			wantPage(t, rec, step.status)
			got, _, err := st.SourceGet(ctx, src.Name)
			if err != nil {
				t.Fatal(err)
			}
			if got.Paused != step.paused {
				t.Errorf("after %s: paused = %v", step.action, got.Paused)
			}
			if step.action == "run" && step.status == http.StatusSeeOther && got.NextRun.After(st.Now()) {
				t.Errorf("run now: next run at %v, after now", got.NextRun)
			}
		}
		wantPage(t, e.page(preq{method: "GET", path: "/analyst/sources", as: asMemberA}), http.StatusForbidden)
		entries, err := st.AuditList(ctx, keyset.Page{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range entries {
			if strings.HasPrefix(a.Action, "source.") {
				got = append(got, a.Action+" "+a.Object+" by "+a.Actor)
				if strings.Contains(a.Detail, key) || strings.Contains(a.Detail, secret) {
					t.Errorf("the audit log holds credentials: %+v", a)
				}
			}
		}
		want := "source.run source shadowserver-daily by analyst@portal.example|source.resume source shadowserver-daily by analyst@portal.example|" +
			"source.pause source shadowserver-daily by analyst@portal.example|source.add source shadowserver-daily by analyst@portal.example"
		if strings.Join(got, "|") != want {
			t.Errorf("audit entries:\n%s\nwant\n%s", strings.Join(got, "|"), want)
		}
	})
}
