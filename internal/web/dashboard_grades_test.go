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

	"vigil/internal/assess"
	"vigil/internal/label"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestDashboardGrades checks the dashboard's labels by grade: only valid
// labels count (a revoked, a superseded and an expired one do not), every
// grade A…G has its row, the plot is an SVG of the same figures, and a
// label revoked after a view is gone on the next.
func TestDashboardGrades(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newPageEnv(t, st)
		seedLabels(t, e.env) // valid: A, B, E
		op := tenant.Operator()
		now := fixedNow()
		add := func(aid int64, id string, g assess.Grade, expires int) {
			t.Helper()
			r := label.Record{ID: id, AssessmentID: aid, OrgID: e.orgs[0].ID, Grade: g, Rule: assess.RuleVersion,
				KeyID: "k1", Signed: json.RawMessage(`{}`), Issued: now.AddDate(0, 0, -30), Expires: now.AddDate(0, 0, expires)}
			if err := st.LabelCreate(ctx, op, &r); err != nil {
				t.Fatal(err)
			}
		}
		assessment := func() int64 {
			t.Helper()
			a, err := st.AssessmentCreate(ctx, op, assess.Request{DeviceID: e.orgs[0].Devices[0].ID, Actor: "maker"})
			if err != nil {
				t.Fatal(err)
			}
			aid, _ := assess.ParseID(a.ID)
			return aid
		}
		// Expired yesterday: not counted.
		expired := assessment()
		add(expired, "VL-TEST-0000-0010", assess.GradeG, -1)
		// Superseded by a C: the C counts, the D does not.
		sup := assessment()
		add(sup, "VL-TEST-0000-0011", assess.GradeD, 300)
		add(sup, "VL-TEST-0000-0012", assess.GradeC, 300)
		if err := st.LabelSupersede(ctx, op, "VL-TEST-0000-0011", "VL-TEST-0000-0012"); err != nil {
			t.Fatal(err)
		}
		// Revoked: not counted.
		rev := assessment()
		add(rev, "VL-TEST-0000-0013", assess.GradeF, 300)
		if _, err := st.LabelRevoke(ctx, op, rev, "test"); err != nil {
			t.Fatal(err)
		}
		row := func(g string, n int) string {
			return fmt.Sprintf(`<tr><th scope="row">%s</th><td>%d</td></tr>`, g, n)
		}
		view := func() string {
			return wantPage(t, e.page(preq{method: "GET", path: "/analyst", as: asAnalyst}), http.StatusOK)
		}
		body := view()
		for _, tc := range []struct {
			grade string
			n     int
		}{{"A", 1}, {"B", 1}, {"C", 1}, {"D", 0}, {"E", 1}, {"F", 0}, {"G", 0}} {
			if !strings.Contains(body, row(tc.grade, tc.n)) {
				t.Errorf("the dashboard lacks the grade row %s", row(tc.grade, tc.n))
			}
		}
		svg := e.page(preq{method: "GET", path: "/analyst/plots/grades.svg", as: asAnalyst})
		if svg.Code != http.StatusOK || !strings.HasPrefix(svg.Header().Get("Content-Type"), "image/svg+xml") || !strings.Contains(svg.Body.String(), "<svg") {
			t.Fatalf("grades plot: %d %s", svg.Code, svg.Header().Get("Content-Type"))
		}
		// The C revoked: the next view counts it no more.
		if _, err := st.LabelRevoke(ctx, op, sup, "test"); err != nil {
			t.Fatal(err)
		}
		if body := view(); !strings.Contains(body, row("C", 0)) {
			t.Errorf("after revoking the C the dashboard lacks %s", row("C", 0))
		}
		// A member reaches neither.
		for _, p := range []string{"/analyst", "/analyst/plots/grades.svg"} {
			if r := e.page(preq{method: "GET", path: p, as: asMemberA}); r.Code != http.StatusForbidden {
				t.Errorf("a member on %s: %d, want 403", p, r.Code)
			}
		}
	})
}
