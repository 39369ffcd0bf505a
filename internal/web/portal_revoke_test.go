// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"vigil/internal/assess"
	"vigil/internal/label"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestLabelRevokeForm shows an assessment's labels on the analysts' history
// page and refuses a revocation without a reason or without the
// confirmation, naming the field and changing nothing.
func TestLabelRevokeForm(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		seedLabels(t, e.env)
		ctx := context.Background()
		ls, err := st.LabelList(ctx, tenant.Operator(), label.Filter{})
		if err != nil || len(ls) == 0 {
			t.Fatalf("labels: %v %v", ls, err)
		}
		sid := strconv.FormatInt(ls[0].AssessmentID, 10)
		page := fmt.Sprintf("/analyst/assessments/%s/labels", sid)
		body := wantPage(t, e.page(preq{method: http.MethodGet, path: page, as: asAnalyst}), http.StatusOK)
		for _, want := range []string{"VL-TEST-0000-0001", "VL-TEST-0000-0003", `id="revoke-form"`, `name="confirm"`} {
			if !strings.Contains(body, want) {
				t.Errorf("history page lacks %q", want)
			}
		}
		audits := func() int {
			var n int
			if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'label.revoke'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := audits()
		for _, tc := range []struct {
			name  string
			form  url.Values
			field string
		}{
			{"no_reason", url.Values{"reason": {"  "}, "confirm": {"yes"}}, "reason"},
			{"not_confirmed", url.Values{"reason": {"universal telnet password"}}, "confirm"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				body := wantPage(t, e.page(preq{method: http.MethodPost, path: fmt.Sprintf("/analyst/assessments/%s/revoke", sid), as: asAnalyst, form: tc.form}), http.StatusUnprocessableEntity)
				if !strings.Contains(body, `href="#`+tc.field+`"`) || !strings.Contains(body, `id="`+tc.field+`-err"`) {
					t.Errorf("the page does not name field %s visibly", tc.field)
				}
			})
		}
		aid, _ := assess.ParseID(sid)
		h, err := e.srv.labelHistoryOf(ctx, tenant.Operator(), aid)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range h.Labels {
			if l.RevokedAt != nil {
				t.Errorf("a refused revocation revoked %s", l.ID)
			}
		}
		if after := audits(); after != before {
			t.Errorf("refused revocations left %d label.revoke entries", after-before)
		}
	})
}
