// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/assess"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestQuestionnaireKeepsWhatItDoesNotShow saves answers through the API
// with what the page has no field for (conditions, the support URL, each
// answer's evidence), then changes a justification on the page: the rest
// stays. A page save with one bad answer changes nothing and shows the
// refusal on that answer's field.
func TestQuestionnaireKeepsWhatItDoesNotShow(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		A := e.orgs[0]
		aPath := fmt.Sprintf("/api/v1/orgs/%d", A.ID)
		started := decodeAs[assess.Assessment](t, e.send(req{method: "POST", path: aPath + "/assessments", token: tokARW, body: fmt.Sprintf(`{"device_id":%d}`, A.Devices[0].ID)}))
		evidence := []assess.Evidence{{File: "pentest-summary.md", SHA256: strings.Repeat("ab", 32), Note: "section 3"}}
		in := AnswersInput{Answers: assess.Answers{Edition: started.Edition,
			Support:    assess.Support{End: "2031-12-31", URL: "https://maker.example/support"},
			Conditions: map[string]bool{"Fa": false},
			Items: map[string]assess.Answer{
				"5.1-1": {Status: assess.Met, Justification: "no default password", Evidence: evidence},
				"5.3-2": {Status: assess.Met, Justification: "signed updates"},
			}}}
		body, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		if rec := e.send(req{method: "POST", path: aPath + "/assessments/" + started.ID + "/answers", token: tokARW, body: string(body)}); rec.Code != http.StatusOK {
			t.Fatalf("API save: %d %s", rec.Code, rec.Body.String())
		}
		id, err := assess.ParseID(started.ID)
		if err != nil {
			t.Fatal(err)
		}
		stored := func() assess.Answers {
			a, err := st.AssessmentGet(ctx, tenant.Org(A.ID), id)
			if err != nil {
				t.Fatal(err)
			}
			return a.Answers
		}
		path := fmt.Sprintf("/orgs/%d/assessments/%d/answers", A.ID, id)
		form := url.Values{"support_end": {"2032-06-30"}, "s-5.1-1": {"met"}, "j-5.1-1": {"a unique password per device, printed on the label"},
			"s-5.3-2": {"met"}, "j-5.3-2": {"signed updates"}}
		wantPage(t, e.page(preq{method: http.MethodPost, path: path, as: asMemberA, form: form}), http.StatusSeeOther)
		got := stored()
		want := in.Answers
		want.Support.End = "2032-06-30"
		want.Items["5.1-1"] = assess.Answer{Status: assess.Met, Justification: "a unique password per device, printed on the label", Evidence: evidence}
		opts := cmp.Options{cmp.FilterPath(func(p cmp.Path) bool {
			f := p.Last().String()
			return f == ".Format" || f == ".Device" || f == ".Line"
		}, cmp.Ignore())}
		if d := cmp.Diff(want, got, opts); d != "" {
			t.Errorf("after the page save (-want +got):\n%s", d)
		}

		// Not applicable without a justification: refused on its field,
		// the other answer's change is not stored either.
		bad := url.Values{"support_end": {"2032-06-30"}, "s-5.1-1": {"met"}, "j-5.1-1": {"changed again"},
			"s-5.3-2": {"not_applicable"}, "j-5.3-2": {""}}
		page := wantPage(t, e.page(preq{method: http.MethodPost, path: path, as: asMemberA, form: bad}), http.StatusUnprocessableEntity)
		if !strings.Contains(page, `aria-describedby="j-5.3-2-err"`) || !strings.Contains(page, `id="j-5.3-2-err"`) {
			t.Errorf("the refusal is not shown on the justification of 5.3-2: %s", page)
		}
		if d := cmp.Diff(got, stored()); d != "" {
			t.Errorf("a refused page save changed the answers (-before +after):\n%s", d)
		}
	})
}
