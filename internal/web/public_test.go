// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"vigil/internal/assess"
	"vigil/internal/label"
	"vigil/internal/netguard"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// seedLabels stores labels of three devices of organisation A (no
// signature: the registry lists what the store holds).
func seedLabels(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	// The registry holds only the labels made here: the page seed's own
	// label (pageseed.Orgs) goes.
	if _, err := e.st.Exec(ctx, `DELETE FROM labels`); err != nil {
		t.Fatal(err)
	}
	a, err := e.st.AssessmentCreate(ctx, tenant.Operator(), assess.Request{DeviceID: e.orgs[0].Devices[0].ID, Actor: "maker"})
	if err != nil {
		t.Fatal(err)
	}
	aid, _ := assess.ParseID(a.ID)
	now := fixedNow()
	for i, d := range []struct {
		vendor, model string
		grade         assess.Grade
	}{
		{"Axis Communications", "M3106-L Mk II", assess.GradeB},
		{"Hikvision", "DS-2CD2143G2-I", assess.GradeE},
		{"AXIS", "P1455-LE", assess.GradeA},
	} {
		doc, err := json.Marshal(map[string]any{"id": fmt.Sprintf("VL-TEST-0000-000%d", i+1), "device": assess.Device{Vendor: d.vendor, Model: d.model, Firmware: "1.0"}})
		if err != nil {
			t.Fatal(err)
		}
		r := label.Record{ID: fmt.Sprintf("VL-TEST-0000-000%d", i+1), AssessmentID: aid, OrgID: e.orgs[0].ID, Grade: d.grade, Rule: assess.RuleVersion,
			KeyID: "k1", Signed: doc, Issued: now.AddDate(0, 0, i-10), Expires: now.AddDate(1, 0, 0)}
		if err := e.st.LabelCreate(ctx, tenant.Operator(), &r); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLabelRegistrySearch searches the public registry through the API
// and the page: filters, paging, links to each label's page and
// verification, and bad input refused naming the field.
func TestLabelRegistrySearch(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		seedLabels(t, e.env)
		ids := func(p LabelPage) string {
			var out []string
			for _, l := range p.Items {
				out = append(out, l.ID[len(l.ID)-1:])
			}
			return strings.Join(out, ",")
		}
		for _, tc := range []struct{ query, want, next string }{
			{"", "3,2,1", ""},
			{"?vendor=axis", "3,1", ""},
			{"?vendor=AXIS&grade=B", "1", ""},
			{"?model=2cd", "2", ""},
			{"?grade=G", "", ""},
			{"?limit=2", "3,2", "VL-TEST-0000-0002"},
			{"?limit=2&after=VL-TEST-0000-0002", "1", ""},
		} {
			rec := e.send(req{method: http.MethodGet, path: "/api/v1/labels" + tc.query})
			wantStatus(t, rec, http.StatusOK)
			e.validate(t, "LabelPage", rec.Body.Bytes())
			p := decodeAs[LabelPage](t, rec)
			if got := ids(p); got != tc.want || p.NextAfter != tc.next {
				t.Errorf("%s: labels %q next %q; want %q next %q", tc.query, got, p.NextAfter, tc.want, tc.next)
			}
		}
		for _, tc := range []struct{ query, field string }{
			{"?grade=Z", "grade"},
			{"?limit=0", "limit"},
			{"?vendor=" + strings.Repeat("x", 101), "vendor"},
		} {
			rec := e.send(req{method: http.MethodGet, path: "/api/v1/labels" + tc.query})
			if rec.Code != http.StatusBadRequest && rec.Code != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d", tc.query, rec.Code)
			}
			if !strings.Contains(rec.Body.String(), tc.field) {
				t.Errorf("%s: the problem does not name %s: %s", tc.query, tc.field, rec.Body.String())
			}
		}

		body := wantPage(t, e.page(preq{method: http.MethodGet, path: "/labels?vendor=axis", as: asAnon}), http.StatusOK)
		for _, want := range []string{`href="/labels/VL-TEST-0000-0003"`, `href="/labels/verify?id=VL-TEST-0000-0001"`, "M3106-L Mk II", `value="axis"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the registry page lacks %s", want)
			}
		}
		if strings.Contains(body, "Hikvision") {
			t.Error("the search for axis lists Hikvision")
		}
		body = wantPage(t, e.page(preq{method: http.MethodGet, path: "/labels?limit=1", as: asAnon}), http.StatusOK)
		if !strings.Contains(body, `rel="next"`) || !strings.Contains(body, "after=VL-TEST-0000-0003") {
			t.Error("the first page of one label has no link to the next")
		}
		body = wantPage(t, e.page(preq{method: http.MethodGet, path: "/labels?grade=Z", as: asAnon}), http.StatusUnprocessableEntity)
		if !strings.Contains(body, `id="grade" name="grade" aria-invalid="true"`) || !strings.Contains(body, `href="#grade"`) {
			t.Errorf("a bad grade is not shown on its field: %s", body)
		}
		body = wantPage(t, e.page(preq{method: http.MethodGet, path: "/labels?model=nothing-like-it", as: asAnon, header: map[string]string{"Accept-Language": "nl"}}), http.StatusOK)
		if !strings.Contains(body, "Labelregister") || !strings.Contains(body, "Geen label past bij de zoekopdracht.") {
			t.Errorf("the Dutch registry page: %s", body)
		}
	})
}

// Two security.txt files served on loopback: one valid, one without its
// required fields.
const (
	goodSecurityTxt = "Contact: mailto:security@vendor.test\nExpires: 2027-06-30T00:00:00Z\nPreferred-Languages: en, nl\n"
	badSecurityTxt  = "Hiring: https://vendor.test/jobs\n"
)

// TestSecurityTxtChecker runs the public checker through the page and the
// API: loopback targets are refused by the guarded client until the test
// enables them, a valid and an invalid file are reported, bad input names
// the field, and a client is rate-limited.
func TestSecurityTxtChecker(t *testing.T) {
	t.Parallel()
	site := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		switch r.URL.Path {
		case "/.well-known/security.txt":
			fmt.Fprint(w, goodSecurityTxt)
		case "/bad/security.txt":
			fmt.Fprint(w, badSecurityTxt)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(site.Close)
	good, bad := site.URL+"/.well-known/security.txt", site.URL+"/bad/security.txt"
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		stopLimitClocks(e.srv)
		check := func(target, from string) *httptest.ResponseRecorder {
			return e.send(req{method: http.MethodGet, path: "/api/v1/securitytxt?target=" + url.QueryEscape(target), from: from})
		}
		wantProblem(t, check(good, "192.0.2.50:1"), http.StatusUnprocessableEntity, "target")

		e.srv.fetch = netguard.New(netguard.Options{AllowPrivate: true, MaxBytes: maxSecurityTxt, Transport: site.Client().Transport.(*http.Transport)})
		rec := check(good, "192.0.2.50:1")
		wantStatus(t, rec, http.StatusOK)
		e.validate(t, "SecurityTxtResult", rec.Body.Bytes())
		if r := decodeAs[SecurityTxtResult](t, rec); !r.Valid || r.URL != good || len(r.Fields["contact"]) != 1 {
			t.Errorf("valid file: %+v", r)
		}
		rec = check(bad, "192.0.2.50:1")
		wantStatus(t, rec, http.StatusOK)
		if r := decodeAs[SecurityTxtResult](t, rec); r.Valid || !strings.Contains(rec.Body.String(), "no_contact") {
			t.Errorf("invalid file: %s", rec.Body.String())
		}
		for _, target := range []string{"", "ftp://vendor.test/x", "a b"} {
			wantProblem(t, check(target, "192.0.2.50:1"), http.StatusUnprocessableEntity, "target")
		}

		body := wantPage(t, e.page(preq{method: http.MethodPost, path: "/tools/securitytxt", as: asAnon, form: url.Values{"target": {good}}}), http.StatusOK)
		if !strings.Contains(body, `id="sectxt-result"`) || !strings.Contains(body, "mailto:security@vendor.test") {
			t.Errorf("the checker page does not show the valid file: %s", body)
		}
		body = wantPage(t, e.page(preq{method: http.MethodPost, path: "/tools/securitytxt", as: asAnon, form: url.Values{"target": {bad}},
			header: map[string]string{"Accept-Language": "nl"}}), http.StatusOK)
		if !strings.Contains(body, "niet geldig") || !strings.Contains(body, "no_contact") {
			t.Errorf("the Dutch checker page does not report the invalid file: %s", body)
		}
		body = wantPage(t, e.page(preq{method: http.MethodPost, path: "/tools/securitytxt", as: asAnon, form: url.Values{"target": {""}}}), http.StatusUnprocessableEntity)
		if !strings.Contains(body, `href="#target"`) || !strings.Contains(body, `aria-describedby="target-err"`) {
			t.Errorf("an empty target is not shown on its field: %s", body)
		}

		limited := 0
		for range 30 {
			if check(good, "192.0.2.77:1").Code == http.StatusTooManyRequests {
				limited++
			}
		}
		if limited == 0 {
			t.Error("30 checks in a row from one client were all allowed")
		}
	})
}
