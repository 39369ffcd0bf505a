// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"vigil/internal/assess"
	"vigil/internal/keyset"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// TestProductPages: a maker registers a product (refused input is named
// on its field and nothing is stored), corrects its description (a refused
// edit changes nothing), and starts an assessment from it, which assesses
// the device of the organisation as described then.
func TestProductPages(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		A := e.orgs[0]
		sc := tenant.Org(A.ID)
		devices := func() []registry.Device {
			t.Helper()
			ds, err := st.DeviceList(ctx, sc, keyset.Page{Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			return ds
		}
		base := fmt.Sprintf("/orgs/%d/products", A.ID)
		for _, tc := range []struct {
			name  string
			form  url.Values
			field string // "" for a product registered
		}{
			{"no_model", url.Values{"vendor": {"Axis"}, "model": {" "}}, "model"},
			{"no_vendor", url.Values{"model": {"M3200"}}, "vendor"},
			{"bad_cpe", url.Values{"vendor": {"Axis"}, "model": {"M3200"}, "cpe": {"cpe:/h:axis:m3200"}}, "cpe"},
			{"bad_purl", url.Values{"vendor": {"Axis"}, "model": {"M3200"}, "purl": {"axis/m3200"}}, "purl"},
			{"nul_in_firmware", url.Values{"vendor": {"Axis"}, "model": {"M3200"}, "firmware": {"1\x000"}}, "firmware"},
			{"registered", url.Values{"vendor": {"Axis"}, "model": {"M3200"}, "firmware": {"11.1"}, "cpe": {"cpe:2.3:h:axis:m3200:-:*:*:*:*:*:*:*"}}, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := devices()
				rec := e.page(preq{method: "POST", path: base, as: asMakerA, form: tc.form})
				if tc.field == "" {
					wantPage(t, rec, http.StatusSeeOther)
					if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, base+"/") || !strings.HasSuffix(loc, "?msg=products.added") {
						t.Errorf("Location = %q", loc)
					}
					if len(devices()) != len(before)+1 {
						t.Error("the product was not stored")
					}
					return
				}
				body := wantPage(t, rec, http.StatusUnprocessableEntity)
				if !strings.Contains(body, fmt.Sprintf(`id="%s" name="%s"`, tc.field, tc.field)) || !strings.Contains(body, fmt.Sprintf(`aria-describedby="%s-err"`, tc.field)) ||
					!strings.Contains(body, fmt.Sprintf(`href="#%s"`, tc.field)) {
					t.Errorf("the refusal is not shown on the %s field: %s", tc.field, body)
				}
				if diff := cmp.Diff(before, devices()); diff != "" {
					t.Errorf("a refused product changed the devices (-before +after):\n%s", diff)
				}
			})
		}
		list := wantPage(t, e.page(preq{method: "GET", path: base, as: asMakerA}), http.StatusOK)
		if !strings.Contains(list, "Axis M3200") || !strings.Contains(list, `id="product-list"`) {
			t.Errorf("the product list lacks the new product: %s", list)
		}

		dev := A.Devices[0]
		page := fmt.Sprintf("%s/%d", base, dev.ID)
		before, err := st.DeviceGet(ctx, sc, dev.ID)
		if err != nil {
			t.Fatal(err)
		}
		body := wantPage(t, e.page(preq{method: "POST", path: page, as: asMakerA, form: url.Values{"vendor": {before.Vendor}, "model": {""}, "firmware": {"99"}}}), http.StatusUnprocessableEntity)
		if !strings.Contains(body, `aria-describedby="model-err"`) || !strings.Contains(body, `value="99"`) {
			t.Errorf("a refused edit is not shown on the model field with the input kept: %s", body)
		}
		if after, _ := st.DeviceGet(ctx, sc, dev.ID); !cmp.Equal(before, after) {
			t.Errorf("a refused edit changed the product: %+v", after)
		}
		wantPage(t, e.page(preq{method: "POST", path: page, as: asMakerA, form: url.Values{"vendor": {before.Vendor}, "model": {before.Model}, "firmware": {"10.12.1"}}}), http.StatusSeeOther)
		after, err := st.DeviceGet(ctx, sc, dev.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := before
		want.Firmware, want.CPE, want.PURL = "10.12.1", "", ""
		if diff := cmp.Diff(want, after); diff != "" {
			t.Errorf("the saved product (-want +got):\n%s", diff)
		}

		rec := e.page(preq{method: "POST", path: page + "/assessments", as: asMakerA})
		wantPage(t, rec, http.StatusSeeOther)
		loc := rec.Header().Get("Location")
		var aid int64
		if _, err := fmt.Sscanf(loc, fmt.Sprintf("/orgs/%d/assessments/%%d?msg=assessment.started", A.ID), &aid); err != nil {
			t.Fatalf("Location = %q: %v", loc, err)
		}
		a, err := st.AssessmentGet(ctx, sc, aid)
		if err != nil {
			t.Fatal(err)
		}
		if a.DeviceID != dev.ID || a.Device != (assess.Device{Vendor: before.Vendor, Model: before.Model, Firmware: "10.12.1"}) || a.State != assess.Draft {
			t.Errorf("assessment started from the product = %+v", a)
		}
		body = html.UnescapeString(wantPage(t, e.page(preq{method: "GET", path: page, as: asMakerA}), http.StatusOK))
		if !strings.Contains(body, fmt.Sprintf(`href="/orgs/%d/assessments/%d"`, A.ID, aid)) {
			t.Errorf("the product page does not list its new assessment %d", aid)
		}
	})
}
