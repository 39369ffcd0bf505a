// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vigil/internal/errs"
	"vigil/internal/registry"
	"vigil/internal/store"
	"vigil/internal/store/storetest"
	"vigil/internal/tenant"
)

// spareObjects adds to organisation org an asset and a device that no
// other page action uses, for the actions that delete one (deleting the
// seed's would take them from the routes after), and returns their ids.
func spareObjects(t *testing.T, st *store.Store, org int64) (asset, device int64) {
	t.Helper()
	ctx := context.Background()
	a := registry.Asset{OrgID: org, Value: "spare.example"}
	if err := st.AssetCreate(ctx, tenant.Operator(), &a); err != nil {
		t.Fatal(err)
	}
	d := registry.Device{OrgID: org, Vendor: "Spare", Model: "S1"}
	if err := st.DeviceCreate(ctx, tenant.Operator(), &d); err != nil {
		t.Fatal(err)
	}
	return a.ID, d.ID
}

// TestPageDeleteAssetAndDevice: a member deletes an asset from the
// registry page and a device from its page, as the API's DELETEs do (the
// rows are gone and the success message shows in both languages); another
// organisation's member gets 404 and changes nothing, and a maker, whom the
// asset routes are closed to, gets 403 on the asset.
func TestPageDeleteAssetAndDevice(t *testing.T) {
	t.Parallel()
	storetest.EachOpts(t, storetest.Options{Now: fixedNow}, func(t *testing.T, st *store.Store) {
		e := newPageEnv(t, st)
		ctx := context.Background()
		A := e.orgs[0]
		asset, device := spareObjects(t, st, A.ID)
		org := fmt.Sprintf("/orgs/%d", A.ID)
		assetPath := fmt.Sprintf("%s/assets/%d/delete", org, asset)
		devicePath := fmt.Sprintf("%s/devices/%d/delete", org, device)

		// The pages offer the buttons, named by what they delete.
		for path, want := range map[string]string{
			org + "/registry":                         fmt.Sprintf(`action="%s"`, assetPath),
			fmt.Sprintf("%s/devices/%d", org, device): fmt.Sprintf(`action="%s"`, devicePath),
		} {
			body := wantPage(t, e.page(preq{method: http.MethodGet, path: path, as: asMemberA}), http.StatusOK)
			if !strings.Contains(body, want) {
				t.Errorf("%s has no form %s", path, want)
			}
		}
		if body := wantPage(t, e.page(preq{method: http.MethodGet, path: org + "/registry", as: asMemberA}), http.StatusOK); !strings.Contains(body, `aria-label="Delete spare.example"`) {
			t.Errorf("the asset's Delete button is not named by its value")
		}

		for _, tt := range []struct {
			name, as, path string
			status         int
		}{
			{"asset/other_org", asMemberB, assetPath, http.StatusNotFound},
			{"device/other_org", asMemberB, devicePath, http.StatusNotFound},
			{"asset/maker", asMakerA, assetPath, http.StatusForbidden},
		} {
			t.Run(tt.name, func(t *testing.T) {
				wantPage(t, e.page(preq{method: http.MethodPost, path: tt.path, as: tt.as, form: url.Values{}}), tt.status)
			})
		}
		if _, err := st.AssetGet(ctx, tenant.Org(A.ID), asset); err != nil {
			t.Fatalf("a refused delete removed the asset: %v", err)
		}
		if _, err := st.DeviceGet(ctx, tenant.Org(A.ID), device); err != nil {
			t.Fatalf("a refused delete removed the device: %v", err)
		}

		for _, tt := range []struct {
			name, path, next, msg string
			gone                  func() error
		}{
			{"asset", assetPath, org + "/registry?msg=registry.assetgone", "registry.assetgone",
				func() error { _, err := st.AssetGet(ctx, tenant.Org(A.ID), asset); return err }},
			{"device", devicePath, org + "/devices?msg=devices.deleted", "devices.deleted",
				func() error { _, err := st.DeviceGet(ctx, tenant.Org(A.ID), device); return err }},
		} {
			t.Run(tt.name+"/member", func(t *testing.T) {
				rec := e.page(preq{method: http.MethodPost, path: tt.path, as: asMemberA, form: url.Values{}})
				wantPage(t, rec, http.StatusSeeOther)
				if loc := rec.Header().Get("Location"); loc != tt.next {
					t.Errorf("Location = %q; want %q", loc, tt.next)
				}
				if err := tt.gone(); errs.CodeOf(err) != errs.NotFound {
					t.Errorf("after the delete: %v; want not found", err)
				}
				for _, lang := range []string{"en", "nl"} {
					body := wantPage(t, e.page(preq{method: http.MethodGet, path: tt.next, as: asMemberA, header: map[string]string{"Accept-Language": lang}}), http.StatusOK)
					if want := template.HTMLEscapeString(e.srv.messages(lang)[tt.msg]); want == "" || !strings.Contains(body, want) {
						t.Errorf("%s: the page does not say %q", lang, want)
					}
				}
			})
		}
	})
}
