// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"vigil/internal/app"
	"vigil/internal/auth"
	"vigil/internal/errs"
	"vigil/internal/finding"
	"vigil/internal/keyset"
	"vigil/internal/registry"
)

// deviceRoutes are a member's device pages: the inventory, a device with
// its SBOM upload and its vulnerabilities, and the SBOM API route.
func (s *Server) devicePageRoutes() []Route {
	const tag = "portal"
	return []Route{
		{ID: "pageDevices", Makers: true, Method: http.MethodGet, Path: PagePath + "/devices", Tag: tag, Query: pageParams(), API: "deviceList",
			Summary: "An organisation's devices", page: s.pageDevices},
		{ID: "pageDeviceAdd", Makers: true, Method: http.MethodPost, Path: PagePath + "/devices", Tag: tag, API: "deviceCreate",
			Summary: "Add a device", page: s.pageDeviceAdd},
		{ID: "pageDevice", Makers: true, Method: http.MethodGet, Path: PagePath + "/devices/{did}", Tag: tag, API: "deviceGet",
			Summary: "A device with its vulnerabilities and SBOM upload", page: s.pageDevice},
		{ID: "pageDeviceDelete", Makers: true, Method: http.MethodPost, Path: PagePath + "/devices/{did}/delete", Tag: tag, API: "deviceDelete",
			Summary: "Delete a device", page: s.deletePage("did", (*app.App).DeleteDevice, "/orgs/%d/devices?msg=devices.deleted")},
		{ID: "pageDeviceSBOM", Makers: true, Method: http.MethodPost, Path: PagePath + "/devices/{did}/sbom", Tag: tag, API: "deviceSBOM", MaxBody: maxSBOM,
			Summary: "Upload a device's SBOM (CycloneDX or SPDX)", page: s.pageDeviceSBOM},
		{ID: "deviceSBOM", Makers: true, Method: http.MethodPost, Path: OrgPath + "/devices/{did}/sbom", Tag: "devices", Scope: auth.ScopeWrite, MaxBody: maxSBOM,
			Response: "SBOMResult", Summary: "Replace a device's components with those of an SBOM (the request body: CycloneDX JSON/XML or SPDX 2.3 JSON/tag-value) and match them against the advisories",
			api: s.deviceSBOM},
	}
}

// deviceSchemas registers the schemas of devicePageRoutes.
func deviceSchemas(add func(name string, v, example any)) {
	add("SBOMResult", app.SBOMResult{}, nil)
}

// maxSBOM bounds an uploaded SBOM (the API body or the page's form).
const maxSBOM = 8 << 20

func (s *Server) deviceSBOM(c *call) (any, error) {
	id, err := c.pathID("did")
	if err != nil {
		return nil, err
	}
	return s.app.ImportSBOM(c.ctx(), c.scope(), id, http.MaxBytesReader(c.w, c.r.Body, c.s.bodyLimit(c.route)), "request body")
}

// devicesView is the device inventory page.
type devicesView struct {
	listView[registry.Device]
	Form url.Values
}

func (s *Server) devicesView(pc *pageCall) (devicesView, error) {
	p, err := pc.pageParamsOf(50)
	if err != nil {
		return devicesView{}, err
	}
	ds, err := s.store.DeviceList(pc.ctx(), pc.scope(), p)
	if err != nil {
		return devicesView{}, err
	}
	v := devicesView{listView: listView[registry.Device]{Items: ds}, Form: pc.r.PostForm}
	v.Next = nextURL(pc, &v.Items, p, func(d registry.Device) int64 { return d.ID })
	return v, nil
}

func (s *Server) pageDevices(pc *pageCall) error {
	v, err := s.devicesView(pc)
	if err != nil {
		return err
	}
	return pc.page("devices", "devices.title", v)
}

func (s *Server) pageDeviceAdd(pc *pageCall) error {
	in := DeviceInput{Vendor: pc.form("vendor"), Model: pc.form("model"), Firmware: pc.form("firmware"), Serial: pc.form("serial"),
		Location: pc.form("location"), CPE: pc.form("cpe")}
	d, err := s.app.AddDevice(pc.ctx(), pc.scope(), in.device(pc.org))
	if err != nil {
		v, verr := s.devicesView(pc)
		if verr != nil {
			return verr
		}
		return pc.formError(err, "devices", "devices.title", v)
	}
	return pc.redirect(fmt.Sprintf("/orgs/%d/devices/%d?msg=devices.added", pc.org, d.ID))
}

// deviceView is a device's page.
type deviceView struct {
	Device registry.Device
	Vulns  []finding.Finding
	SBOM   *app.SBOMResult // after an upload
}

func (s *Server) deviceView(pc *pageCall) (deviceView, error) {
	id, err := pc.pathID("did")
	if err != nil {
		return deviceView{}, err
	}
	d, err := s.store.DeviceGet(pc.ctx(), pc.scope(), id)
	if err != nil {
		return deviceView{}, err
	}
	fs, err := s.store.FindingList(pc.ctx(), pc.scope(), finding.Filter{DeviceID: id, Status: finding.Open, Page: keyset.Page{Limit: 200}})
	return deviceView{Device: d, Vulns: fs}, err
}

func (s *Server) pageDevice(pc *pageCall) error {
	v, err := s.deviceView(pc)
	if err != nil {
		return err
	}
	return pc.page("device", "device.title", v)
}

func (s *Server) pageDeviceSBOM(pc *pageCall) error {
	v, err := s.deviceView(pc)
	if err != nil {
		return err
	}
	f, hdr, err := pc.r.FormFile("sbom")
	if err != nil {
		if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
			return pc.formError(errs.FieldKeyed("sbom", "", "sbom.none", "choose an SBOM file (CycloneDX or SPDX)"), "device", "device.title", v)
		}
		return err
	}
	defer f.Close()
	if err := pc.fileTooLarge("sbom", hdr); err != nil {
		return pc.formError(err, "device", "device.title", v)
	}
	res, err := s.app.ImportSBOM(pc.ctx(), pc.scope(), v.Device.ID, f, hdr.Filename)
	if err != nil {
		var e *errs.Error
		if errors.As(err, &e) && e.Field == "" {
			err = keepKey(&errs.Error{Code: e.Code, Field: "sbom", Message: errs.Message(err), Err: err}, err)
		}
		return pc.formError(err, "device", "device.title", v)
	}
	if v, err = s.deviceView(pc); err != nil {
		return err
	}
	v.SBOM = &res
	return pc.render(http.StatusOK, "device", "device.title", v, nil)
}
