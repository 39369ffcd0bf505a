// Copyright (c) 2026 The vigil authors.
// SPDX-License-Identifier: Apache-2.0

package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"vigil/internal/assess"
	"vigil/internal/auth"
	"vigil/internal/keyset"
	"vigil/internal/registry"
)

// A maker's or test lab's products are the device models of the
// organisation it acts for: the registry's devices (vendor, model,
// firmware, CPE, package URL), the same rows a member's device inventory
// lists and an assessment is started from. The product pages register and
// edit them and start their assessments; there is no table beside the
// devices.

// productRoutes are the product pages and the API route that edits a
// device, which the API lacked.
func (s *Server) productRoutes() []Route {
	const tag = "portal"
	return []Route{
		{ID: "pageProducts", Makers: true, Method: http.MethodGet, Path: PagePath + "/products", Tag: tag, Query: pageParams(), API: "deviceList",
			Summary: "A maker's products (the organisation's device models) with their assessments", page: s.pageProducts},
		{ID: "pageProductAdd", Makers: true, Method: http.MethodPost, Path: PagePath + "/products", Tag: tag, API: "deviceCreate",
			Summary: "Register a product", page: s.pageProductAdd},
		{ID: "pageProduct", Makers: true, Method: http.MethodGet, Path: PagePath + "/products/{did}", Tag: tag, API: "deviceGet",
			Summary: "A product: its description to edit and its assessments", page: s.pageProduct},
		{ID: "pageProductSave", Makers: true, Method: http.MethodPost, Path: PagePath + "/products/{did}", Tag: tag, API: "deviceUpdate",
			Summary: "Save a product's description", page: s.pageProductSave},
		{ID: "pageProductAssess", Makers: true, Method: http.MethodPost, Path: PagePath + "/products/{did}/assessments", Tag: tag, API: "assessmentStart",
			Summary: "Start the assessment of a product", page: s.pageProductAssess},
		{ID: "deviceUpdate", Makers: true, Method: http.MethodPut, Path: OrgPath + "/devices/{did}", Tag: "devices", Scope: auth.ScopeWrite,
			Request: "DeviceCreate", Response: "Device",
			Summary: "Replace a device's description (a maker's product: vendor, model, firmware, CPE, package URL); its assessments and labels keep theirs", api: s.deviceUpdate},
	}
}

func (s *Server) deviceUpdate(c *call) (any, error) {
	id, err := c.pathID("did")
	if err != nil {
		return nil, err
	}
	// Another organisation's device is not found before the body is
	// judged.
	if _, err := s.store.DeviceGet(c.ctx(), c.scope(), id); err != nil {
		return nil, err
	}
	var in DeviceInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	d := in.device(c.org)
	d.ID = id
	return s.app.UpdateDevice(c.ctx(), c.scope(), d)
}

// product is a product with its newest assessment.
type product struct {
	registry.Device
	Latest *assess.Assessment
	Count  int // assessments of it
}

// productsView is the product list with the registration form.
type productsView struct {
	Items []product
	Next  string
	Form  url.Values
}

// Value returns the submitted value of field (after a refusal), for the
// product-fields partial.
func (v productsView) Value(field string) string { return v.Form.Get(field) }

// productAssessments returns the assessments of device id, newest first.
func (s *Server) productAssessments(pc *pageCall, id int64) ([]assess.Assessment, error) {
	as, err := s.store.AssessmentList(pc.ctx(), pc.scope(), assess.Filter{DeviceID: id, Page: keyset.Page{Limit: maxLimit}})
	slices.Reverse(as)
	return as, err
}

func (s *Server) productsView(pc *pageCall) (productsView, error) {
	p, err := pc.pageParamsOf(50)
	if err != nil {
		return productsView{}, err
	}
	ds, err := s.store.DeviceList(pc.ctx(), pc.scope(), p)
	if err != nil {
		return productsView{}, err
	}
	v := productsView{Form: pc.r.PostForm}
	v.Next = nextURL(pc, &ds, p, func(d registry.Device) int64 { return d.ID })
	for _, d := range ds {
		as, err := s.productAssessments(pc, d.ID)
		if err != nil {
			return productsView{}, err
		}
		pr := product{Device: d, Count: len(as)}
		if len(as) > 0 {
			pr.Latest = &as[0]
		}
		v.Items = append(v.Items, pr)
	}
	return v, nil
}

func (s *Server) pageProducts(pc *pageCall) error {
	v, err := s.productsView(pc)
	if err != nil {
		return err
	}
	return pc.page("products", "products.title", v)
}

// productForm reads a product's description from the form.
func productForm(pc *pageCall) DeviceInput {
	return DeviceInput{Vendor: pc.form("vendor"), Model: pc.form("model"), Firmware: pc.form("firmware"), CPE: pc.form("cpe"), PURL: pc.form("purl")}
}

func (s *Server) pageProductAdd(pc *pageCall) error {
	d, err := s.app.AddDevice(pc.ctx(), pc.scope(), productForm(pc).device(pc.org))
	if err != nil {
		v, verr := s.productsView(pc)
		if verr != nil {
			return verr
		}
		return pc.formError(err, "products", "products.title", v)
	}
	return pc.redirect(fmt.Sprintf("/orgs/%d/products/%d?msg=products.added", pc.org, d.ID))
}

// productView is a product's page.
type productView struct {
	Device      registry.Device
	Assessments []assess.Assessment
	Form        url.Values // the submitted description (after a refusal)
}

// Value returns the form's value of field: the submitted one after a
// refusal, else the stored one.
func (v productView) Value(field string) string {
	if v.Form != nil {
		return v.Form.Get(field)
	}
	d := v.Device
	return map[string]string{"vendor": d.Vendor, "model": d.Model, "firmware": d.Firmware, "cpe": d.CPE, "purl": d.PURL}[field]
}

func (s *Server) productView(pc *pageCall) (productView, error) {
	id, err := pc.pathID("did")
	if err != nil {
		return productView{}, err
	}
	d, err := s.store.DeviceGet(pc.ctx(), pc.scope(), id)
	if err != nil {
		return productView{}, err
	}
	as, err := s.productAssessments(pc, id)
	return productView{Device: d, Assessments: as}, err
}

func (s *Server) pageProduct(pc *pageCall) error {
	v, err := s.productView(pc)
	if err != nil {
		return err
	}
	return pc.page("product", "product.title", v)
}

func (s *Server) pageProductSave(pc *pageCall) error {
	v, err := s.productView(pc)
	if err != nil {
		return err
	}
	cur := v.Device
	d := productForm(pc).device(pc.org)
	d.ID, d.Serial, d.Location, d.AssetID = cur.ID, cur.Serial, cur.Location, cur.AssetID
	if _, err := s.app.UpdateDevice(pc.ctx(), pc.scope(), d); err != nil {
		v.Form = pc.r.PostForm
		return pc.formError(err, "product", "product.title", v)
	}
	return pc.redirect(fmt.Sprintf("/orgs/%d/products/%d?msg=product.saved", pc.org, d.ID))
}

func (s *Server) pageProductAssess(pc *pageCall) error {
	v, err := s.productView(pc)
	if err != nil {
		return err
	}
	a, err := s.startAssessment(pc.ctx(), pc.scope(), v.Device.ID, pc.user.Email)
	if err != nil {
		return pc.formError(err, "product", "product.title", v)
	}
	return pc.redirect(fmt.Sprintf("/orgs/%d/assessments/%s?msg=assessment.started", pc.org, a.ID))
}
