// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"vigil/internal/assess"
	"vigil/internal/errs"
	"vigil/internal/label"
	"vigil/internal/rating"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// refusingIssuer is the ratings service whose label issues are refused
// with err: on a transaction's store (where the application issues), its
// device vulnerabilities cannot be read.
type refusingIssuer struct {
	Ratings
	t   *testing.T
	err error
}

func (r refusingIssuer) On(st rating.Store) *rating.Service {
	ks, err := label.OpenKeyStore(r.t.TempDir(), time.Now, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	svc, err := rating.New(rating.Config{Store: st, Keys: ks, Vulns: refusingVulns{r.err}})
	if err != nil {
		r.t.Fatal(err)
	}
	return svc
}

// refusingVulns is a rating.VulnSource that fails with its error.
type refusingVulns struct{ err error }

func (v refusingVulns) DeviceVulns(context.Context, tenant.Scope, int64) ([]assess.Vuln, error) {
	return nil, v.err
}

// TestIssueRefusedForm shows a refused label issue on the reviewed
// assessment's row of the analysts' list, with the button described by
// the message, and writes no label, no audit entry and no state change.
func TestIssueRefusedForm(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		id := e.submitted(t, true)
		e.srv.labels = refusingIssuer{Ratings: e.srv.labels, t: t, err: errs.Errorf(errs.Conflict, "the signing key is being rotated")}
		count := func(q string) int {
			var n int
			if err := st.QueryRow(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		audits, labels := count(`SELECT COUNT(*) FROM audit_log WHERE action = 'label.issue'`), count(`SELECT COUNT(*) FROM labels`)
		body := wantPage(t, e.page(preq{method: http.MethodPost, path: fmt.Sprintf("/analyst/assessments/%d/label", id), as: asAnalyst}), http.StatusConflict)
		f := fmt.Sprintf("issue-%d", id)
		for _, want := range []string{`id="` + f + `"`, `aria-describedby="` + f + `-err"`, `<small id="` + f + `-err">the signing key is being rotated</small>`, `href="#` + f + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the refused issue's page lacks %q", want)
			}
		}
		a, err := st.AssessmentGet(ctx, tenant.Operator(), id)
		if err != nil {
			t.Fatal(err)
		}
		if a.State != assess.Reviewed || a.LabelID != "" {
			t.Errorf("a refused issue left the assessment %s with label %q", a.State, a.LabelID)
		}
		if n := count(`SELECT COUNT(*) FROM audit_log WHERE action = 'label.issue'`); n != audits {
			t.Errorf("a refused issue wrote %d label.issue audit entries", n-audits)
		}
		if n := count(`SELECT COUNT(*) FROM labels`); n != labels {
			t.Errorf("a refused issue stored %d labels", n-labels)
		}
	})
}
